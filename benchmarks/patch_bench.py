"""Benchmark of `patch_xlsx` on a 100k-row x 25-column workbook, next to python-calamine reading it.

    python benchmarks/patch_bench.py [--rows 100000] [--writes-too]

Every figure is the wall time and peak RSS of a fresh process doing one thing (the patch's own
seconds, as `PatchStats.seconds`, in brackets), measured in the same run on the same file:
- python-calamine reading every value of the sheet (the yardstick);
- (a) 50,000 rows get 3 cells each (one of them a cell the row did not have) and an AppendBlock
  appends 50,000 rows x 25 cells (text, numbers, dates, blanks): what a big channel pull writes;
- (b) 1,000 cells get a value and a fill and 1,000 rows x 25 cells are appended as CellWrites;
- with --writes-too, (a) once more with the appended rows given as 1.25M CellWrites instead.
Peak RSS is read with `resource` (POSIX only).  The workbook is made with XlsxWriter (constant_memory).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import tempfile
import time
from pathlib import Path

from fresh_process import run_child

SHEET = "订单"
COLUMNS = 25
UPDATED_COLS = (19, 23, 25)  # status, tracking number, and column 25, which no row has yet
T0 = dt.datetime(2026, 1, 1, 8, 0)


def row_values(i: int) -> list[object]:
    """Row `i` of the orders: text, numbers, dates; the last column is left blank."""
    when = T0 + dt.timedelta(minutes=i)
    return [
        f"SS20260101-{i:06d}", "抖音", str(6912345678901234567 + i), when, when + dt.timedelta(minutes=3), "王芳",
        f"C{i % 5000:05d}", f"138{i:08d}", "浙江省", "杭州市", "西湖区", f"文三路 {i % 500} 号", 310012 + i % 7, "中国",
        f"BB-{i % 100:03d}×2", 199.0 + i % 50, 199.5 + i % 50, "绿", "备货中", when, "杭州仓", "顺丰", f"SF{i:013d}",
        "正常", None,
    ]


def build_workbook(path: Path, rows: int) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet(SHEET)
    date = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    money = book.add_format({"num_format": "0.00"})
    sheet.write_row(0, 0, [f"列{c}" for c in range(1, COLUMNS + 1)])
    for i in range(1, rows + 1):
        for c, value in enumerate(row_values(i)):
            if isinstance(value, dt.datetime):
                sheet.write_datetime(i, c, value, date)
            elif isinstance(value, float):
                sheet.write_number(i, c, value, money)
            elif isinstance(value, int):
                sheet.write_number(i, c, value)
            elif value is not None:
                sheet.write_string(i, c, value)
    sheet.autofilter(0, 0, rows, COLUMNS - 1)
    book.close()


def child(task: str, src: str, rows: int) -> None:
    """Runs in a fresh process; prints {"seconds": s, "patch_seconds": p, "rss_mb": m}."""
    import resource

    started = time.perf_counter()
    patch_seconds = 0.0
    if task == "calamine":
        import python_calamine

        python_calamine.CalamineWorkbook.from_path(src).get_sheet_by_name(SHEET).to_python()
    else:
        from sheetsync.model.cells import AppendBlock, CellWrite
        from sheetsync.stores.xlsx.patch import patch_xlsx

        last = rows + 1
        writes: list[CellWrite] = []
        block = None
        if task in ("big", "big-writes"):
            for k in range(rows // 2):
                row = 2 + 2 * k
                writes += [CellWrite(row, UPDATED_COLS[0], "已发货"), CellWrite(row, UPDATED_COLS[1], f"SF{row:013d}"),
                           CellWrite(row, UPDATED_COLS[2], "已改地址")]
            appended = [row_values(rows + k) for k in range(1, rows // 2 + 1)]
            if task == "big":
                block = AppendBlock(last + 1, list(range(1, COLUMNS + 1)), appended)
            else:
                writes += [CellWrite(last + 1 + r, c + 1, v) for r, values in enumerate(appended) for c, v in enumerate(values)
                           if v is not None]
        else:
            writes = [CellWrite(2 + (k * 97) % (last - 2), 19, "审核中", "FFEB9C") for k in range(1000)]
            writes += [CellWrite(last + r, c + 1, f"new-{r}-{c}") for r in range(1, 1001) for c in range(COLUMNS)]
        extra = {} if block is None else {"appends": block}
        stats = patch_xlsx(Path(src), Path(src + f".{task}.xlsx"), SHEET, writes, **extra)
        patch_seconds = stats.seconds
    seconds = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "patch_seconds": patch_seconds, "rss_mb": rss}))


def measure(task: str, src: Path, rows: int) -> dict[str, float]:
    return run_child(__file__, task, str(src), str(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--writes-too", action="store_true", help="also run (a) with the appended rows as CellWrites")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return
    workdir = Path(tempfile.mkdtemp(prefix="sheetsync-patch-"))
    try:
        src = workdir / "orders.xlsx"
        build_workbook(src, args.rows)
        half = args.rows // 2
        print(f"== {args.rows:,} rows x {COLUMNS} columns, {src.stat().st_size / 1e6:.1f} MB", flush=True)
        results = [("python-calamine read all values (yardstick)", measure("calamine", src, args.rows))]
        results.append((f"(a) {half:,} rows x 3 cells + AppendBlock {half:,} x {COLUMNS}", measure("big", src, args.rows)))
        if args.writes_too:
            results.append((f"(a) as CellWrites ({half * (COLUMNS - 1):,} appended)", measure("big-writes", src, args.rows)))
        results.append((f"(b) 1,000 cells with fills + 1,000 rows x {COLUMNS} as writes", measure("small", src, args.rows)))
        base = results[0][1]["wall"]
        for name, fig in results:
            patch = f"(patch {fig['patch_seconds']:5.2f} s)" if fig["patch_seconds"] else " " * 16
            print(f"   {name:<52} {fig['wall']:7.2f} s {patch} {fig['rss_mb']:6.0f} MB   {fig['wall'] / base:5.2f}x calamine")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
