"""Benchmark of a sync on a desk with an after-sales sheet: 100,000 orders x 25 columns and 10,000 tickets x 19.

    python benchmarks/aftersales_bench.py                  # 100k orders, 10k tickets, 2,000 ticket updates, 3 turns
    python benchmarks/aftersales_bench.py --orders 20000 --tickets 2000 --updates 400 --turns 5

The desk's journal knows every order and ticket (a first sync ran); a 抖店 after-sales export then brings updates of
2,000 tickets (half refunded, half sent back with a return tracking number), which the sync merges into the
after-sales sheet, moves through the tickets' workflow, and follows on their orders (退款中 / 已退款).  Measured, in
alternating turns, each a fresh process measured from outside: python-calamine reading every value of both sheets
(the yardstick), and `sheetsync sync` on a fresh copy of the desk.  Medians of the turns; peak RSS is the command's
own (`resource`, POSIX only).  Target: within 4x the read, under 600 MB.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import io
import json
import os
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from fresh_process import run_child
from sync_bench import FIELDS

TICKET_FIELDS = ["ticket_id", "order_id", "channel", "channel_ticket_id", "channel_order_id", "customer_name",
                 "created_at", "kind", "reason", "sub_reason", "refund_amount", "return_tracking_no", "photos", "owner",
                 "status", "status_since", "sla", "anomalies", "note"]
CONFIG = """table: {path: orders.xlsx, sheet: 订单, headers: zh}
lang: zh
channels:
  - {name: douyin_aftersales, path: inbox/*.csv, mapping: douyin_aftersales}
aftersales: {sheet: 售后, reasons: retail_zh, workflow: aftersales_zh}
"""
EXPORT_HEADER = ["售后单号", "订单号", "售后类型", "售后原因", "申请时间", "售后状态", "退款金额", "退货物流单号"]
T0 = dt.datetime(2026, 1, 1, 8, 0)


def build_desk(folder: Path, orders: int, tickets: int) -> Path:
    """The order sheet as `sync_bench` makes it (all shipped), and the after-sales sheet: ticket k belongs to order
    k * (orders // tickets), a return waiting for the customer to send it back (待退件), as a first sync left it."""
    import xlsxwriter

    from sheetsync.config import load_preset

    folder.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(folder / "orders.xlsx"), {"constant_memory": True})
    dates = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    sheet = book.add_worksheet("订单")
    headers = load_preset("zh")
    sheet.write_row(0, 0, [headers[f] for f in FIELDS])
    for i in range(1, orders + 1):
        when = T0 + dt.timedelta(minutes=i)
        _row(sheet, i, [f"SS20260101-{i:06d}", "抖音", str(6912345678901234567 + i), when, when + dt.timedelta(minutes=3),
                        "王芳", f"C{i % 5000:05d}", f"138{i:08d}", "浙江省", "杭州市", "西湖区", f"文三路 {i % 500} 号", "310012",
                        "中国", f"BB-{i % 100:03d}×2", 199.0 + i % 50, 199.0 + i % 50, "绿", "已发货", when, "杭州仓", "顺丰",
                        f"SF{i:013d}", None, None], dates)
    after = book.add_worksheet("售后")
    ticket_headers = load_preset("aftersales_zh")
    after.write_row(0, 0, [ticket_headers[f] for f in TICKET_FIELDS])
    step = max(orders // tickets, 1)
    for k in range(1, tickets + 1):
        i = k * step
        applied = T0 + dt.timedelta(days=3, minutes=k)
        _row(after, k, [f"AS20260104-{k:04d}", f"SS20260101-{i:06d}", "抖音", f"73051864209{k:08d}", str(6912345678901234567 + i),
                        "王芳", applied, "退货", "客户原因", "七天无理由", 199.0 + i % 50, None, None, None, "待退件", applied,
                        "正常", None, None], dates)
    book.close()
    (folder / "sheetsync.yaml").write_text(CONFIG, encoding="utf-8")
    (folder / "inbox").mkdir(exist_ok=True)
    return folder / "sheetsync.yaml"


def _row(sheet: object, row: int, values: list[object], dates: object) -> None:
    for col, value in enumerate(values):
        if isinstance(value, dt.datetime):
            sheet.write_datetime(row, col, value, dates)  # type: ignore[attr-defined]
        elif isinstance(value, float):
            sheet.write_number(row, col, value)  # type: ignore[attr-defined]
        elif value is not None:
            sheet.write_string(row, col, value)  # type: ignore[attr-defined]


def write_export(path: Path, orders: int, tickets: int, updates: int) -> None:
    """The shop's after-sales export: `updates` tickets spread over the sheet, half now refunded, half sent back."""
    step = max(orders // tickets, 1)
    every = max(tickets // updates, 1)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(EXPORT_HEADER)
        for n, k in enumerate(range(every, tickets + 1, every)[:updates]):
            i = k * step
            applied = T0 + dt.timedelta(days=3, minutes=k)
            refunded = n % 2 == 0
            out.writerow([f"\t73051864209{k:08d}", f'="{6912345678901234567 + i}"', "退货退款", "七天无理由退货",
                          applied.strftime("%Y-%m-%d %H:%M:%S"), "退款成功" if refunded else "待商家收货", f"{199 + i % 50}.00",
                          "" if refunded else f"YT{k:010d}"])


def child(task: str, target: str) -> None:
    """Runs in a fresh process; prints {"seconds": s, "rss_mb": m}."""
    started = time.perf_counter()
    if task == "calamine":
        import python_calamine

        book = python_calamine.CalamineWorkbook.from_path(target)
        for name in ("订单", "售后"):
            book.get_sheet_by_name(name).to_python()
    elif task == "sync":
        from sheetsync.cli import main

        with contextlib.redirect_stdout(io.StringIO()):
            try:
                main(["sync", "-c", target, "--now", "2026-04-01T10:00"])
            except SystemExit as exc:
                if exc.code not in (0, 3):
                    raise
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)
    os._exit(0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--updates", type=int, default=2_000)
    parser.add_argument("--turns", type=int, default=3)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    workdir = Path(tempfile.mkdtemp(prefix="sheetsync-aftersales-bench-"))
    try:
        known = build_desk(workdir / "known", args.orders, args.tickets)
        run_child(__file__, "sync", str(known))  # the first sync: the journal learns every order and ticket
        write_export(known.parent / "inbox" / "douyin_aftersales.csv", args.orders, args.tickets, args.updates)
        size = (known.parent / "orders.xlsx").stat().st_size / 1e6
        print(f"== {args.orders:,} orders, {args.tickets:,} tickets ({size:.1f} MB); a sync pulling {args.updates:,}"
              f" ticket updates, {args.turns} turns", flush=True)
        read, synced = [], []
        for turn in range(args.turns):
            desk = workdir / f"turn{turn}"
            shutil.copytree(known.parent, desk)
            read.append(run_child(__file__, "calamine", str(desk / "orders.xlsx")))
            synced.append(run_child(__file__, "sync", str(desk / "sheetsync.yaml")))
            shutil.rmtree(desk)
        base = statistics.median(r["wall"] for r in read)
        for name, figures in (("python-calamine read of both sheets (yardstick)", read),
                              (f"sheetsync sync pulling {args.updates:,} ticket updates", synced)):
            wall = statistics.median(f["wall"] for f in figures)
            rss = statistics.median(f["rss_mb"] for f in figures)
            turns = ", ".join(f"{f['wall']:.2f}" for f in figures)
            print(f"   {name:<52} {wall:7.2f} s  {rss:7.0f} MB   {wall / base:5.2f}x calamine   (turns: {turns})")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
