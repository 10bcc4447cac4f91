"""Benchmark of the xlsx store and `sheetsync sync` on order desks of 10k, 100k and 300k rows x 25 columns.

    python benchmarks/sync_bench.py                 # all sizes (300k takes a few minutes: openpyxl)
    python benchmarks/sync_bench.py --rows 100000   # one size

Every figure is the wall time and peak RSS of a fresh process doing one thing, next to
the yardsticks measured in the same run on the same file: python-calamine reading all
values, and openpyxl load + save.
- no-op sync: a sync of a desk the journal already knows, with nothing to change;
- sync 1,000 cells: 500 rows a person added without order_id get an id and a channel;
- write 1,000 + 1,000 rows: the store writes 1,000 changed cells (with fills) and appends
  1,000 rows of 25 cells, atomically with a backup: what a channel pull writes.
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
import tempfile
import time
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
    if task == "calamine":
        import python_calamine

        book = python_calamine.CalamineWorkbook.from_path(target)
        book.get_sheet_by_name("订单").to_python()
    elif task == "openpyxl":
        import openpyxl

        book = openpyxl.load_workbook(target)
        book.save(target + ".openpyxl.xlsx")
    elif task == "sync":  # the command line a person or cron runs, in this process
        from sheetsync.cli import main

        with contextlib.redirect_stdout(io.StringIO()):
            try:
                main(["sync", "-c", target])
            except SystemExit as exc:
                if exc.code not in (0, 3):
                    raise
    elif task == "write":
        from sheetsync import load_config
        from sheetsync.model.cells import CellWrite
        from sheetsync.stores import open_store

        config = load_config(target)
        store = open_store(config)
        last = 1 + int(json.loads(Path(target).with_name("rows.json").read_text())["rows"])
        writes = [CellWrite(2 + (k * 97) % (last - 2), 19, "审核中", "FFEB9C") for k in range(1000)]
        writes += [CellWrite(last + r, c + 1, f"new-{r}-{c}") for r in range(1, 1001) for c in range(25)]
        store.write(writes)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)
    if task == "sync":
        os._exit(0)  # as the `sheetsync` command leaves (cli.run): without tearing the imported libraries down


def measure(task: str, target: Path) -> dict[str, float]:
    return run_child(__file__, task, str(target))


def bench(rows: int, workdir: Path, skip_openpyxl: bool) -> None:
    print(f"\n== {rows:,} rows x {len(FIELDS)} columns", flush=True)
    noop = build_desk(workdir / f"noop{rows}", rows, 0)
    (noop.parent / "rows.json").write_text(json.dumps({"rows": rows}))
    changes = build_desk(workdir / f"chg{rows}", rows, 500, typed=False)
    measure("sync", changes)  # the journal learns every row but the 500 a person is about to type
    build_desk(workdir / f"chg{rows}", rows, 500)
    size = (noop.parent / "orders.xlsx").stat().st_size / 1e6
    print(f"   workbook {size:.1f} MB", flush=True)
    yard = measure("calamine", noop.parent / "orders.xlsx")
    rows_out = [("python-calamine read all values (yardstick)", yard)]
    measure("sync", noop)  # first sync: the journal learns every row
    rows_out.append(("sheetsync sync, no-op", measure("sync", noop)))
    rows_out.append(("sheetsync sync, 1,000 cells (500 new ids)", measure("sync", changes)))
    pull = workdir / f"pull{rows}"
    shutil.copytree(noop.parent, pull)
    with (pull / "sheetsync.yaml").open("a", encoding="utf-8") as fh:
        fh.write(CHANNELS)
    (pull / "inbox").mkdir()
    write_export(pull / "inbox" / "douyin.csv", updates=range(2, rows, rows // 500)[:500], new=range(rows + 1, rows + 1001))
    rows_out.append(("sheetsync sync pulling 1,000 changes + 1,000 new rows", measure("sync", pull / "sheetsync.yaml")))
    rows_out.append(("store write, 1,000 cells + 1,000 rows appended", measure("write", noop)))
    if not skip_openpyxl:
        rows_out.append(("openpyxl load + save (yardstick)", measure("openpyxl", noop.parent / "orders.xlsx")))
    base = yard["wall"]
    for name, fig in rows_out:
        print(f"   {name:<50} {fig['wall']:7.2f} s  {fig['rss_mb']:7.0f} MB   {fig['wall'] / base:5.2f}x calamine")
    if not skip_openpyxl:
        op = rows_out[-1][1]["wall"]
        print(f"   openpyxl load+save / 1,000-cell sync: {op / rows_out[2][1]['wall']:.1f}x;"
              f" / pulling sync: {op / rows_out[3][1]['wall']:.1f}x; / store write: {op / rows_out[4][1]['wall']:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, action="append", help="desk size (repeatable); default 10k, 100k, 300k")
    parser.add_argument("--skip-openpyxl", action="store_true", help="leave out the slow openpyxl yardstick")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    workdir = Path(tempfile.mkdtemp(prefix="sheetsync-bench-"))
    try:
        for rows in args.rows or [10_000, 100_000, 300_000]:
            bench(rows, workdir, args.skip_openpyxl)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
