"""Benchmark of `sheetsync import`: a 1,000,000-row GBK CSV from an old POS/ERP into an empty desk.

    python benchmarks/import_bench.py                  # 1,000,000 rows
    python benchmarks/import_bench.py --rows 200000    # a smaller file

The file has the mess legacy exports have: order numbers wrapped as `="..."` or led by a tab,
dates in six forms in one column (`2024/1/5 9:05`, `2024-01-05 13:00:00`, `20240105`,
`2024年1月5日`, Excel serial numbers, `5/1/2024`), phones as floats (`13812345678.0`), in
scientific notation (`1.38e+10`: rejected, digits lost), with `+86` and in full-width digits,
amounts with `¥`, thousands separators and `元`, stray spaces, 1% exact duplicate rows, 0.5%
rows repeating an order with another status, 0.2% rows without an order number.  Addresses
come as 省 / 市 / 区 / 详细地址 columns, as most exports give them (one-string addresses are
split by the divisions data at about 12 µs per distinct address, which is not measured here).

Every figure is the wall time and peak RSS of a fresh process doing one thing, next to the
yardstick measured in the same run on the same file: `pandas.read_csv(encoding="gbk", dtype=str)`.
- preview: `sheetsync import FILE --preview` (samples the file; writes nothing);
- import: `sheetsync import FILE` into an empty desk (journal, workbook, rejects file);
- re-import: the same file imported again into that desk, now a million-row desk: every row merges with the one
  the first import wrote, and nothing changes (nothing is written).  Every record is one its channel already said
  (steps/said.py), so none is merged; the sheet is still read, to find what else the run must do;
- cron's sync: the sync cron runs next on that desk (it finds nothing to change: the desk's calm);
- re-import after it: the same file again, now on a calm desk: the import rests on the calm (run/untouched.py),
  the sheet is not read.
Targets: the import and the re-import each within 6x the plain read; peak RSS <= 1.5 GB; preview <= 2 s.
Peak RSS is read with `resource` (POSIX only).

`--repeat N` (3 by default) measures each N times, the yardstick, the preview and the import taking
turns (each import into a fresh empty desk), and compares the medians; the highest peak is printed
too.  On a machine whose speed drifts by a third within minutes (the read alone: 2.5-3.4 s within an
hour here), one read against one import says more about the minute than about sheetsync.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from fresh_process import run_child

HEADER = ["单号", "下单时间", "客户", "手机", "省", "市", "区", "详细地址", "商品", "数量", "金额", "状态", "门店", "备注"]
PLACES = [("浙江省", "杭州市", "西湖区"), ("广东省", "深圳市", "南山区"), ("上海市", "上海市", "徐汇区"),
          ("四川省", "成都市", "武侯区"), ("河南省", "周口市", "郸城县"), ("北京市", "北京市", "朝阳区"),
          ("江苏省", "苏州市", "姑苏区"), ("湖南省", "邵阳市", "隆回县")]
NAMES = np.array(["王芳", "李伟", "张敏", "刘洋", "陈静", "杨磊", "赵丽", "黄强", "周杰", "吴霞", "徐明", "孙丽娟"])
ITEMS = np.array(["BB-001 奶瓶", "BB-005 湿巾", "AP-220 机滤", "AP-512 刹车片", "BB-010 纸尿裤", "AP-410 雨刮"])
STATES = np.array(["已完成", "已发货", "待发货", "已取消"])
STORES = np.array(["杭州文三店", "成都玉林店", "上海徐汇店", "深圳南山店"])


def make_file(path: Path, rows: int, seed: int = 7) -> None:
    """Write the messy GBK CSV (CRLF) of `rows` data rows; deterministic for a seed."""
    rng = np.random.default_rng(seed)
    n = rows - rows // 100 - rows // 200  # then 1% exact copies and 0.5% repeated orders make `rows`
    ids = np.char.add("XS", (20_000_000 + np.arange(n)).astype(str))
    wrap = rng.random(n)
    ids = np.where(wrap < 0.1, np.char.add(np.char.add('="', ids), '"'), np.where(wrap < 0.15, np.char.add("\t", ids), ids))
    ids = np.where(rng.random(n) < 0.002, "", ids)
    minutes = (np.arange(n) * 1.7).astype(np.int64) + rng.integers(0, 30, n)
    stamps = np.datetime64("2021-01-01T08:00") + minutes.astype("timedelta64[m]")
    dates = _date_forms(stamps, rng.integers(0, 6, n))
    phones = (13_000_000_000 + rng.integers(0, 999_999_999, n)).astype(str)
    form = rng.random(n)
    phones = np.where(form < 0.05, np.char.add(phones, ".0"), phones)
    lost = np.char.add(np.char.add(_cut(phones, 0, 1), "."), np.char.add(_cut(phones, 1, 3), "e+10"))
    phones = np.where((form >= 0.05) & (form < 0.06), lost, phones)
    phones = np.where((form >= 0.06) & (form < 0.09), np.char.add("+86 ", phones), phones)
    full_width = np.char.translate(phones, str.maketrans("0123456789", "０１２３４５６７８９"))
    phones = np.where((form >= 0.09) & (form < 0.1), full_width, phones)
    place = rng.integers(0, len(PLACES), n)
    province = np.array([p[0] for p in PLACES])[place]
    city = np.array([p[1] for p in PLACES])[place]
    district = np.array([p[2] for p in PLACES])[place]
    street = np.char.add(np.char.add("文三路", (np.arange(n) % 997).astype(str)), "号")
    street = np.char.add(street, np.char.add((np.arange(n) % 31).astype(str), "栋"))
    amount = rng.integers(990, 999_900, n) / 100
    text = np.char.mod("%.2f", amount)
    money_form = rng.random(n)
    text = np.where(money_form < 0.2, np.char.add("￥", np.char.mod("%.2f", amount)), text)
    thousands = np.array([f"{a:,.2f}" for a in amount[money_form >= 0.9]]) if (money_form >= 0.9).any() else np.array([])
    text[money_form >= 0.9] = np.char.add(thousands, "元") if len(thousands) else text[money_form >= 0.9]
    names = NAMES[rng.integers(0, len(NAMES), n)]
    names = np.where(rng.random(n) < 0.05, np.char.add(" ", names), names)
    columns = [ids, dates, names, phones, province, city, district, street, ITEMS[rng.integers(0, len(ITEMS), n)],
               rng.integers(1, 5, n).astype(str), text, STATES[rng.integers(0, len(STATES), n)],
               STORES[rng.integers(0, len(STORES), n)], np.where(rng.random(n) < 0.02, "加急", "")]
    body = columns[0].astype(object)
    for column in columns[1:]:
        body = body + "," + np.where(np.char.find(column.astype(str), ",") >= 0, np.char.add(np.char.add('"', column), '"'),
                                     column).astype(object)
    repeat = rng.choice(n, size=rows // 100, replace=False)  # exact copies, as when two export pages overlap
    again = rng.choice(n, size=rows // 200, replace=False)  # the same order later, in another state
    order = np.sort(np.concatenate([np.arange(n), repeat]))
    lines = body[order].tolist()
    lines += [line.replace("待发货", "已发货") for line in body[again].tolist()]
    with path.open("wb") as fh:
        fh.write((",".join(HEADER) + "\r\n").encode("gbk"))
        for start in range(0, len(lines), 100_000):
            fh.write(("\r\n".join(lines[start : start + 100_000]) + "\r\n").encode("gbk"))


def _date_forms(stamps: np.ndarray, form: np.ndarray) -> np.ndarray:
    iso = np.datetime_as_string(stamps, unit="s").astype("<U19")
    year, month, day = iso.astype("<U4"), np.char.lstrip(_cut(iso, 5, 7), "0"), np.char.lstrip(_cut(iso, 8, 10), "0")
    clock = _join(_cut(iso, 11, 13).astype(int).astype(str), _cut(iso, 13, 16))
    serial = ((stamps - np.datetime64("1899-12-30T00:00")) / np.timedelta64(1, "D")).round(5).astype(str)
    forms = [np.char.replace(iso, "T", " "), _join(year, "/", month, "/", day, " ", clock),
             _join(year, _cut(iso, 5, 7), _cut(iso, 8, 10)), _join(year, "年", month, "月", day, "日"), serial,
             _join(day, "/", month, "/", year)]
    return np.choose(form, forms)


def _join(*parts: np.ndarray | str) -> np.ndarray:
    out = np.asarray(parts[0])
    for part in parts[1:]:
        out = np.char.add(out, part)
    return out


def _cut(values: np.ndarray, start: int, stop: int) -> np.ndarray:
    return np.array([v[start:stop] for v in values.tolist()])


CONFIG = "table: {path: orders.xlsx, sheet: 订单, headers: zh}\nlang: zh\n"


def child(task: str, target: str, data: str) -> None:
    """Runs in a fresh process; prints {"seconds": s, "rss_mb": m, ...}."""
    import resource

    started = time.perf_counter()
    extra: dict[str, object] = {}
    if task == "make":  # in a child of its own: the parent stays small, so its children's peak RSS is their own
        make_file(Path(data), int(target))
    elif task == "pandas":
        import pandas as pd

        frame = pd.read_csv(data, encoding="gbk", dtype=str)
        extra["rows"] = len(frame)
    else:
        from sheetsync import cli
        from sheetsync.cli.importing import import_command

        if "import" not in {c.name for c in cli.app.registered_commands}:
            cli.app.command("import")(import_command)
        now = {"sync": "2026-11-23T09:30", "import-late": "2026-11-23T10:00"}.get(task, "2026-11-23T09:00")
        args = ["sync", "-c", target] if task == "sync" else ["import", data, "-c", target]
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            try:
                cli.main([*args, "--json", "--now", now, *(["--preview"] if task == "preview" else [])])
            except SystemExit as exc:
                if exc.code not in (0, 6):
                    raise
        result = json.loads(buffer.getvalue())
        extra = {k: result.get(k) for k in ("read", "imported", "merged", "duplicate", "rejected", "estimated")}
        extra["written"] = bool(result.get("workbook_written"))
        extra["rested"] = any("没有读表" in n for n in result.get("notices", []))
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, **extra}),
          flush=True)
    os._exit(0)  # as the `sheetsync` command leaves (cli.run)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    workdir = Path(tempfile.mkdtemp(prefix="sheetsync-import-"))
    try:
        data = workdir / "legacy.csv"
        made = run_child(__file__, "make", str(args.rows), str(data))
        print(f"== import of a {args.rows:,}-row GBK CSV ({data.stat().st_size / 1e6:.0f} MB, made in "
              f"{made['wall']:.0f} s) into an empty desk", flush=True)
        from sheetsync.desk.new import init_desk

        yards, previews, fulls, agains, syncs, lates = [], [], [], [], [], []
        for turn in range(args.repeat):
            desk = workdir / f"desk{turn}"
            init_desk(desk, "zh")
            config = str(desk / "sheetsync.yaml")
            yards.append(run_child(__file__, "pandas", config, str(data)))
            previews.append(run_child(__file__, "preview", config, str(data)))
            fulls.append(run_child(__file__, "import", config, str(data)))
            agains.append(run_child(__file__, "import", config, str(data)))
            syncs.append(run_child(__file__, "sync", config, str(data)))
            lates.append(run_child(__file__, "import-late", config, str(data)))
            for name, run in (("re-import", agains[-1]), ("re-import after cron's sync", lates[-1])):
                if run["imported"] or run["written"]:
                    raise SystemExit(f"the {name} changed the desk: {run}")
            if syncs[-1]["written"] or agains[-1]["rested"] or not lates[-1]["rested"]:
                raise SystemExit(f"cron's sync wrote, or the re-imports rested otherwise than said: {syncs[-1]}")
            shutil.rmtree(desk, ignore_errors=True)
            print(f"   run {turn + 1}: read_csv {yards[-1]['wall']:.2f} s, preview {previews[-1]['wall']:.2f} s, "
                  f"import {fulls[-1]['wall']:.2f} s {fulls[-1]['rss_mb']:.0f} MB, "
                  f"re-import {agains[-1]['wall']:.2f} s {agains[-1]['rss_mb']:.0f} MB, "
                  f"cron's sync {syncs[-1]['wall']:.2f} s {syncs[-1]['rss_mb']:.0f} MB, "
                  f"re-import after it {lates[-1]['wall']:.2f} s {lates[-1]['rss_mb']:.0f} MB", flush=True)
        yard, preview, full, again, synced, late = (_medians(runs) for runs in (yards, previews, fulls, agains, syncs,
                                                                                lates))
        base = yard["wall"]
        print(f"   medians of {args.repeat} runs:")
        print(f"   pandas.read_csv (yardstick)          {base:7.2f} s  {yard['rss_mb']:7.0f} MB")
        print(f"   sheetsync import --preview            {preview['wall']:7.2f} s  {preview['rss_mb']:7.0f} MB"
              f"   (in-process {preview['seconds']:.2f} s; estimated {previews[0]['imported']:,} imported)")
        print(f"   sheetsync import                      {full['wall']:7.2f} s  {full['rss_mb']:7.0f} MB"
              f"   {full['wall'] / base:5.2f}x pandas   {args.rows / full['wall']:,.0f} rows/s"
              f"   (highest peak {max(f['rss_mb'] for f in fulls):.0f} MB)")
        print(f"   sheetsync import, again (re-import)  {again['wall']:7.2f} s  {again['rss_mb']:7.0f} MB"
              f"   {again['wall'] / base:5.2f}x pandas   (highest peak {max(f['rss_mb'] for f in agains):.0f} MB;"
              f" merged {agains[-1]['merged']:,}, imported {agains[-1]['imported']:,})")
        print(f"   cron's sync of that desk             {synced['wall']:7.2f} s  {synced['rss_mb']:7.0f} MB"
              f"   (nothing to change: the desk's calm)")
        print(f"   re-import after cron's sync (rests)  {late['wall']:7.2f} s  {late['rss_mb']:7.0f} MB"
              f"   {late['wall'] / base:5.2f}x pandas   (highest peak {max(f['rss_mb'] for f in lates):.0f} MB)")
        last = fulls[-1]
        print(f"   read {last['read']:,} = imported {last['imported']:,} + merged {last['merged']:,}"
              f" + duplicate {last['duplicate']:,} + rejected {last['rejected']:,}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _medians(runs: list[dict[str, float]]) -> dict[str, float]:
    return {k: statistics.median(r[k] for r in runs) for k in ("wall", "rss_mb", "seconds") if k in runs[0]}


if __name__ == "__main__":
    main()
