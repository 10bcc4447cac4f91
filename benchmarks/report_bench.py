"""Benchmark of the reports: `reconcile` of a 100k-row desk against a 100k-row 抖店 export with 1% differences,
`report` over a journal of 1M cell changes, and `report` and `history` on a million-row desk.

    python benchmarks/report_bench.py [--rows 100000] [--changes 1000000] [--million 1000000] [--repeat 3]

Each figure is the wall time and peak RSS of a fresh process (imports included), next to python-calamine
reading all values of the same desk in the same run (the yardstick).  Targets: reconcile within 3x that
read; report <= 10 s.  Peak RSS is read with `resource` (POSIX only).

The million-row desk is what a legacy import leaves (`import_bench.py`'s messy GBK file of `--million` rows imported
into an empty desk: its workbook and its journal).  In turns: python-calamine reads the desk's workbook; `sheetsync
report --json` (the console script); `sheetsync history ORDER_ID` of one imported order.  Targets: the report within 3x
the read and 1 GB; history under 1 s.  `--million 0` leaves it out.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from fresh_process import run_child
from sync_bench import CHANNELS, build_desk

HEADER = ["主订单编号", "选购商品", "商品数量", "商家编码", "订单应付金额", "收件人", "收件人手机号", "订单提交时间", "订单状态",
          "快递公司", "快递单号"]
STATUSES = ("待确认", "审核中", "备货中", "已发货", "已完成")


def write_export(path: Path, rows: int) -> int:
    """The desk's orders as 抖店 exports them; every 100th differs (amount, tracking, missing, status in turn)."""
    t0 = dt.datetime(2026, 1, 1, 8, 0)
    differences = 0
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for i in range(1, rows + 1):
            kind = i % 400 if i % 100 == 0 else None
            differences += kind is not None
            if kind == 200:
                continue
            when = t0 + dt.timedelta(minutes=i)
            out.writerow([f'="{6912345678901234567 + i}"', "奶瓶", "2", f"BB-{i % 100:03d}",
                          f"{199 + i % 50 + (1 if kind == 0 else 0)}.00", "王芳", f"138{i:08d}",
                          when.strftime("%Y-%m-%d %H:%M:%S"), "已完成" if kind == 300 else "待发货", "顺丰",
                          f"SF{i:013d}" + ("X" if kind == 100 else "")])
    return differences


def build_journal(path: Path, rows: int, changes: int) -> None:
    """A journal of `changes` cell changes over 30 days of runs every 10 minutes: orders created with a status and
    sometimes an anomaly, moved through their states, anomalies cleared, people's edits."""
    from sheetsync.journal.core import Journal

    with Journal(path):
        pass
    rng = random.Random(8)
    t0 = dt.datetime(2026, 1, 1, 8, 0)
    runs = 30 * 24 * 6
    db = sqlite3.connect(path)
    db.executemany("INSERT INTO runs(id, command, started_at, ended_at, state, exit_code) VALUES (?, 'sync', ?, ?, 'done', 0)",
                   [(r, (t0 + dt.timedelta(minutes=10 * r)).isoformat(), None) for r in range(1, runs + 1)])
    batch: list[tuple[int, str, str, str | None, str | None, str, str | None]] = []
    made = 0
    order = 0
    while made < changes:
        order += 1
        oid = f"SS20260101-{(order - 1) % rows + 1:06d}" if order <= rows else f"SS20260102-{order:06d}"
        run = rng.randint(1, runs - 200)
        anomaly = "ADDR_INCOMPLETE 地址缺少区县" if rng.random() < 0.2 else None
        batch.append((run, oid, "*", None, json.dumps({"order_id": oid, "status": "待确认", "anomalies": anomaly},
                                                      ensure_ascii=False), "channel", "douyin"))
        state = 0
        for _ in range(rng.randint(2, 8)):
            run += rng.randint(1, 30)
            roll = rng.random()
            if roll < 0.5 and state < len(STATUSES) - 1:
                batch.append((run, oid, "status", STATUSES[state], STATUSES[state + 1], "rule", None))
                state += 1
            elif roll < 0.6 and anomaly:
                batch.append((run, oid, "anomalies", anomaly, None, "rule", None))
                anomaly = None
            elif roll < 0.75:
                batch.append((run, oid, "note", None, "客户来电", "person", None))
            else:
                batch.append((run, oid, "tracking_no", None, f"SF{order:013d}", "channel", "sf"))
        made = len(batch)
        if len(batch) > 200_000 or made >= changes:
            pass
    db.executemany("INSERT INTO changes(run_id, order_id, field, old, new, source, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   batch[:changes])
    db.commit()
    db.close()


def child(task: str, target: str) -> None:
    """Runs in a fresh process; prints {"seconds": s, "rss_mb": m}."""
    import resource

    started = time.perf_counter()
    if task == "calamine":
        import python_calamine

        python_calamine.CalamineWorkbook.from_path(target).get_sheet_by_name("订单").to_python()
    elif task == "reconcile":
        from sheetsync import load_config
        from sheetsync.reports.reconcile import reconcile

        result = reconcile(load_config(target), ["douyin"])
        print(json.dumps({"differences": len(result.differences)}), flush=True)
    elif task == "report":
        from sheetsync import load_config
        from sheetsync.reports.kpi import report

        report(load_config(target), start=dt.datetime(2026, 1, 1), end=dt.datetime(2026, 2, 1), now=dt.datetime(2026, 1, 31))
    elif task in ("desk-report", "desk-history"):  # the console script (`cli.run`, without its exit)
        import contextlib
        import io

        from sheetsync.cli.quick import quick

        args = (["report", "-c", target, "--json", "--now", "2026-11-23T09:00"] if task == "desk-report"
                else ["history", "SS20261123-000500", "-c", target])
        with contextlib.redirect_stdout(io.StringIO()) as said:
            if quick(args) is None:
                from sheetsync.cli import main

                with contextlib.suppress(SystemExit):
                    main(args)
        if task == "desk-history" and "SS20261123-000500" not in said.getvalue():
            raise SystemExit(f"history did not show the order: {said.getvalue()[:300]}")
    print(json.dumps({"seconds": time.perf_counter() - started,
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--changes", type=int, default=1_000_000)
    parser.add_argument("--million", type=int, default=1_000_000, help="rows of the imported desk (0: leave it out)")
    parser.add_argument("--repeat", type=int, default=3, help="turns on the million-row desk")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    workdir = Path(tempfile.mkdtemp(prefix="sheetsync-report-"))
    try:
        config = build_desk(workdir / "desk", args.rows, 0)
        with config.open("a", encoding="utf-8") as fh:
            fh.write(CHANNELS)
        (workdir / "desk" / "inbox").mkdir()
        expected = write_export(workdir / "desk" / "inbox" / "douyin.csv", args.rows)
        started = time.perf_counter()
        build_journal(workdir / "desk" / ".sheetsync" / "journal.db", args.rows, args.changes)
        print(f"   (journal of {args.changes:,} changes built in {time.perf_counter() - started:.1f} s)", flush=True)
        yard = run_child(__file__, "calamine", str(workdir / "desk" / "orders.xlsx"))
        rec = run_child(__file__, "reconcile", str(config))
        rep = run_child(__file__, "report", str(config))
        print(f"== reconcile a {args.rows:,}-row desk against a {args.rows:,}-row export ({expected:,} differences);"
              f" report over {args.changes:,} journal changes")
        print(f"   python-calamine read of the desk (yardstick) {yard['wall']:7.2f} s  {yard['rss_mb']:6.0f} MB")
        print(f"   sheetsync reconcile --against douyin        {rec['wall']:7.2f} s  {rec['rss_mb']:6.0f} MB"
              f"   {rec['wall'] / yard['wall']:.2f}x calamine (target <= 3x)")
        print(f"   sheetsync report (1M-change journal)        {rep['wall']:7.2f} s  {rep['rss_mb']:6.0f} MB   (target <= 10 s)")
        if args.million:
            million_desk(workdir / "million", args.million, args.repeat)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def million_desk(folder: Path, rows: int, repeat: int) -> None:
    """`report` and `history` on a desk a legacy import of `rows` rows made, in turns with the calamine read."""
    import statistics

    from import_bench import __file__ as import_script

    from sheetsync.desk.new import init_desk

    folder.mkdir(parents=True)
    data = folder / "legacy.csv"
    run_child(import_script, "make", str(rows), str(data))
    init_desk(folder / "desk", "zh")
    config = folder / "desk" / "sheetsync.yaml"
    made = run_child(import_script, "import", str(config), str(data))
    book = folder / "desk" / "orders.xlsx"
    print(f"\n== a {rows:,}-row desk made by a legacy import ({made['wall']:.0f} s; workbook {book.stat().st_size / 1e6:.0f} MB)",
          flush=True)
    turns: dict[str, list[dict[str, float]]] = {"calamine": [], "desk-report": [], "desk-history": []}
    for turn in range(repeat):
        for task, runs in turns.items():
            runs.append(run_child(__file__, task, str(book if task == "calamine" else config)))
        print(f"   turn {turn + 1}: " + ", ".join(f"{task} {runs[-1]['wall']:.2f} s {runs[-1]['rss_mb']:.0f} MB"
                                                 for task, runs in turns.items()), flush=True)
    med = {task: {k: statistics.median(r[k] for r in runs) for k in ("wall", "rss_mb")} for task, runs in turns.items()}
    base = med["calamine"]["wall"]
    print(f"   python-calamine read of the desk (yardstick) {base:7.2f} s  {med['calamine']['rss_mb']:6.0f} MB")
    print(f"   sheetsync report --json                      {med['desk-report']['wall']:7.2f} s  "
          f"{med['desk-report']['rss_mb']:6.0f} MB   {med['desk-report']['wall'] / base:.2f}x calamine (target <= 3x, 1 GB)")
    print(f"   sheetsync history ORDER_ID                   {med['desk-history']['wall']:7.2f} s  "
          f"{med['desk-history']['rss_mb']:6.0f} MB   (target < 1 s)")


if __name__ == "__main__":
    main()
