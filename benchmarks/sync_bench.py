"""Benchmark of `sheetsync sync` on 100k-row order desks as teams have them, next to the yardsticks, in turns.

    python benchmarks/sync_bench.py                          # 100k rows, three turns, every desk kind
    python benchmarks/sync_bench.py --rows 10000 --repeat 1  # a quick look
    python benchmarks/sync_bench.py --desks excel --skip-openpyxl

Desk kinds (`--desks`):
- excel: written the way Excel and XlsxWriter write a workbook (every string in the shared-strings table, every cell
  styled, the team's own five columns beside the tool's 25, one a formula with its value);
- libreoffice: that workbook opened and saved by LibreOffice (headless `soffice --convert-to xlsx`), when installed;
- own: the desk the way sheetsync writes its own (inline strings, 25 columns).
WPS and Excel themselves do not run here: the excel desk stands for what they write (shared strings and styles).

Each desk holds 1,000 rows a person typed without an order id.  In every turn, in this order, each step a fresh
process (wall time and peak RSS of that process alone, launched through a small one):
- python-calamine reads every value of the workbook (yardstick);
- the adoption sync: the first sync of the workbook, with no journal: it gives the 1,000 typed rows their ids and
  journals every row;
- the no-op sync: the adopted desk's workbook saved again without a change (other bytes: the full path reads it and
  finds nothing to do);
- the untouched run: a cron sync right after, that finds everything as the last run left it (the console's quick
  path; the script stops if it does not take it);
- the 1,000-change sync: a copy of the desk pulls a 抖店 export that ships 500 of its orders (status and tracking
  number: 1,000 cells written);
- openpyxl load + save of the workbook (yardstick; `--skip-openpyxl` leaves it out).
Medians of the turns are printed with each step's ratio to the calamine read (and openpyxl's to the adoption).
Peak RSS is read with `resource` (POSIX only).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import io
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Iterable
from pathlib import Path

from fresh_process import run_child

FIELDS = ["order_id", "channel", "channel_order_id", "created_at", "paid_at", "customer_name", "customer_id", "phone",
          "province", "city", "district", "address", "postcode", "country", "items", "amount_payable", "amount_paid",
          "priority", "status", "status_since", "warehouse", "carrier", "tracking_no", "sla", "anomalies"]
CONFIG = "table: {path: orders.xlsx, sheet: 订单, headers: zh}\nlang: zh\n"


CHANNELS = """channels:
  - {name: douyin, path: inbox/*.csv, mapping: douyin}
promises: {抖音: 48h}
"""
HEADER = ["主订单编号", "子订单编号", "选购商品", "商品数量", "商家编码", "订单应付金额", "收件人", "收件人手机号", "省", "市",
          "区",
          "街道", "详细地址", "订单提交时间", "支付完成时间", "订单状态", "快递公司", "快递单号"]


def write_export(path: Path, updates: Iterable[int], new: Iterable[int], street: str = "") -> None:
    """A 抖店 export: the desk's orders `updates` (by row number) now shipped with a new tracking
    number, and orders `new` the desk has not seen.  With `street` empty an update changes exactly
    two cells (status, tracking_no); otherwise the address changes too."""
    t0 = dt.datetime(2026, 1, 1, 8, 0)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for i, shipped in [*((i, True) for i in updates), *((i, False) for i in new)]:
            when = t0 + dt.timedelta(minutes=i)
            out.writerow([f'="{6912345678901234567 + i}"', f"{i}01", "奶瓶", "2", f"BB-{i % 100:03d}", f"{199 + i % 50}.00",
                          "王芳", f"138{i:08d}", "浙江省", "杭州市", "西湖区", street, f"文三路 {i % 500} 号",
                          when.strftime("%Y-%m-%d %H:%M:%S"), (when + dt.timedelta(minutes=3)).strftime("%Y-%m-%d %H:%M:%S"),
                          "已发货" if shipped else "待发货", "顺丰" if shipped else "", f"SF{i:013d}X" if shipped else ""])


EXTRA = ["备注", "客服", "赠品", "发票抬头", "单价"]
"""The team's own columns of a desk from Excel: text a person types, and a formula (a price of each item)."""


def build_desk(folder: Path, rows: int, blank_ids: int, *, typed: bool = True, shared: bool = False) -> Path:
    """A desk of `rows` orders; `blank_ids` of them (spread evenly) lack order_id and channel,
    as rows a person typed; with `typed` False those rows are left empty.

    With `shared` the workbook is written the way Excel and XlsxWriter write one: every string in the shared-strings
    table, every cell styled (a header style, text and number formats), and the team's own five columns (`EXTRA`)
    beside the 25 of the tool, the last one a formula with its value; without it, the way sheetsync writes its own
    (inline strings, 25 columns)."""
    import xlsxwriter

    from sheetsync.config import load_preset

    folder.mkdir(parents=True, exist_ok=True)
    headers = load_preset("zh")
    wb = xlsxwriter.Workbook(str(folder / "orders.xlsx"), {"constant_memory": not shared})
    ws = wb.add_worksheet("订单")
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    text_fmt = wb.add_format({"num_format": "@", "font_name": "等线"}) if shared else None
    money_fmt = wb.add_format({"num_format": "#,##0.00"}) if shared else None
    titles = [headers[f] for f in FIELDS] + (EXTRA if shared else [])
    ws.write_row(0, 0, titles, wb.add_format({"bold": True, "bg_color": "#DDEBF7"}) if shared else None)
    step = rows // blank_ids if blank_ids else 0
    t0 = dt.datetime(2026, 1, 1, 8, 0)
    for i in range(1, rows + 1):
        blank = bool(step) and i % step == 0
        if blank and not typed:
            continue
        when = t0 + dt.timedelta(minutes=i)
        values = [
            None if blank else f"SS20260101-{i:06d}", None if blank else "抖音", str(6912345678901234567 + i), when,
            when + dt.timedelta(minutes=3), "王芳", f"C{i % 5000:05d}", f"138{i:08d}", "浙江省", "杭州市", "西湖区",
            f"文三路 {i % 500} 号", "310012", "中国", f"BB-{i % 100:03d}×2", 199.0 + i % 50, 199.0 + i % 50, "绿",
            "备货中", when, "杭州仓", "顺丰", f"SF{i:013d}", "正常", None,
        ]
        if shared:
            values += ["老客户" if i % 7 == 0 else None, ["小张", "小李", "小王"][i % 3], "试用装" if i % 11 == 0 else None,
                       "杭州某某贸易有限公司" if i % 13 == 0 else None]
        for c, v in enumerate(values):
            if isinstance(v, dt.datetime):
                ws.write_datetime(i, c, v, date_fmt)
            elif isinstance(v, float):
                ws.write_number(i, c, v, money_fmt)
            elif v is not None:
                ws.write_string(i, c, v, text_fmt)
        if shared:
            ws.write_formula(i, len(values), f"=P{i + 1}/2", money_fmt, (199.0 + i % 50) / 2)
    wb.close()
    (folder / "sheetsync.yaml").write_text(CONFIG, encoding="utf-8")
    return folder / "sheetsync.yaml"


def child(task: str, target: str) -> None:
    """Runs in a fresh process; prints {"seconds": s, "rss_mb": m}."""
    import resource

    started = time.perf_counter()
    took_quick = None
    if task == "calamine":
        import python_calamine

        book = python_calamine.CalamineWorkbook.from_path(target)
        book.get_sheet_by_name("订单").to_python()
    elif task == "openpyxl":
        import openpyxl

        book = openpyxl.load_workbook(target)
        book.save(target + ".openpyxl.xlsx")
    elif task == "sync":  # `sheetsync sync -c TARGET` as the console script runs it (`cli.run`, without its exit)
        from sheetsync.cli.quick import quick

        with contextlib.redirect_stdout(io.StringIO()):
            code = quick(["sync", "-c", target])
            took_quick = code is not None
            if code is None:
                from sheetsync.cli import main

                try:
                    main(["sync", "-c", target])
                except SystemExit as exc:
                    if exc.code not in (0, 3):
                        raise
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "quick": took_quick,
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)
    os._exit(0)  # as the `sheetsync` command leaves (cli.leave): without tearing the imported libraries down


def measure(task: str, target: Path) -> dict[str, float]:
    return run_child(__file__, task, str(target))


def saved_again(book: Path) -> None:
    """The same cells in a package written again (other entry times): what opening and saving without a change does
    to the bytes."""
    stamp = time.localtime()[:6]
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(book.with_suffix(".again"), "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            info.date_time = stamp
            dst.writestr(info, src.read(info))
    os.replace(book.with_suffix(".again"), book)


def by_libreoffice(book: Path) -> bool:
    """`book` opened and saved by LibreOffice (headless), in place; False when LibreOffice is not installed."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return False
    out = book.parent / "lo"
    profile = book.parent / "lo-profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                    "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(book)], check=True, capture_output=True,
                   timeout=1800)
    os.replace(out / book.name, book)
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(profile, ignore_errors=True)
    return True


STEPS = ["python-calamine read all values (yardstick)", "adoption sync (1,000 typed rows get ids; every row journaled)",
         "no-op sync (the workbook saved again)", "untouched run (cron: nothing new)",
         "1,000-change sync (a pull ships 500 orders)", "openpyxl load + save (yardstick)"]


def prepare(kind: str, rows: int, workdir: Path) -> Path | None:
    """The pristine desk of `kind` (its workbook and configuration, no journal) with its empty inbox; None when it
    cannot be made here."""
    folder = workdir / f"{kind}{rows}"
    config = build_desk(folder, rows, 1000, shared=kind != "own")
    if kind == "libreoffice" and not by_libreoffice(folder / "orders.xlsx"):
        return None
    with config.open("a", encoding="utf-8") as fh:
        fh.write(CHANNELS)
    (folder / "inbox").mkdir()
    return folder


def turn(pristine: Path, rows: int, workdir: Path, skip_openpyxl: bool) -> list[dict[str, float] | None]:
    """One turn of every step on the desk `pristine` (see the docstring), each on its own copy."""
    desk = workdir / "desk"
    shutil.rmtree(desk, ignore_errors=True)
    shutil.copytree(pristine, desk)
    book, config = desk / "orders.xlsx", desk / "sheetsync.yaml"
    figures: list[dict[str, float] | None] = [measure("calamine", book), measure("sync", config)]
    saved_again(book)
    figures.append(measure("sync", config))
    quiet = measure("sync", config)
    if not quiet.get("quick"):
        raise SystemExit("the untouched run did not take the quick path")
    figures.append(quiet)
    pull = workdir / "pull"
    shutil.rmtree(pull, ignore_errors=True)
    shutil.copytree(desk, pull)
    write_export(pull / "inbox" / "douyin.csv", updates=range(2, rows, rows // 500)[:500], new=())
    figures.append(measure("sync", pull / "sheetsync.yaml"))
    figures.append(None if skip_openpyxl else measure("openpyxl", book))
    return figures


def bench(kind: str, rows: int, repeat: int, workdir: Path, skip_openpyxl: bool) -> None:
    pristine = prepare(kind, rows, workdir)
    if pristine is None:
        print(f"\n== {kind}: LibreOffice is not installed here; left out", flush=True)
        return
    size = (pristine / "orders.xlsx").stat().st_size / 1e6
    print(f"\n== {kind} desk, {rows:,} rows (workbook {size:.1f} MB), {repeat} turn(s)", flush=True)
    turns = []
    for n in range(repeat):
        turns.append(turn(pristine, rows, workdir, skip_openpyxl))
        print("   turn", n + 1, ", ".join(f"{f['wall']:.2f} s {f['rss_mb']:.0f} MB" for f in turns[-1] if f), flush=True)
    medians: list[dict[str, float] | None] = []
    for i in range(len(STEPS)):
        taken = [t[i] for t in turns if t[i] is not None]
        medians.append({k: statistics.median(float(f[k]) for f in taken) for k in ("wall", "rss_mb")} if taken else None)
    base = medians[0]["wall"] if medians[0] else 1.0
    for name, fig in zip(STEPS, medians, strict=True):
        if fig is None:
            continue
        walls = "/".join(f"{t[STEPS.index(name)]['wall']:.2f}" for t in turns if t[STEPS.index(name)])
        print(f"   {name:<64} {fig['wall']:7.2f} s ({walls})  {fig['rss_mb']:5.0f} MB  {fig['wall'] / base:5.2f}x calamine")
    if medians[5] is not None and medians[1] is not None:
        print(f"   openpyxl load + save / adoption sync: {medians[5]['wall'] / medians[1]['wall']:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, action="append", help="desk size (repeatable); default 100,000")
    parser.add_argument("--repeat", type=int, default=3, help="turns (default 3)")
    parser.add_argument("--desks", default="excel,libreoffice,own", help="desk kinds, comma-separated")
    parser.add_argument("--skip-openpyxl", action="store_true", help="leave out the slow openpyxl yardstick")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    workdir = Path(tempfile.mkdtemp(prefix="sheetsync-bench-"))
    try:
        for rows in args.rows or [100_000]:
            for kind in args.desks.split(","):
                bench(kind.strip(), rows, args.repeat, workdir, args.skip_openpyxl)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
