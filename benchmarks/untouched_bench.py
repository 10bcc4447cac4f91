"""Benchmark of the untouched run: a cron `sheetsync sync` that finds the workbook and the inboxes as the last run left
them, on a 100k-row desk, next to the full path on the same desk and python-calamine's read of the workbook.

    python benchmarks/untouched_bench.py [--rows 100000] [--repeat 3]

In each turn, in alternation: python-calamine reads every value (the yardstick); the full no-op sync (the workbook
saved again with the same cells, as a person who opens and saves it: other bytes, so the full path reads it and finds
nothing to change); the untouched run (`sheetsync sync` as cron runs it: the console's quick path, then, were the
calm not to hold, the whole command line).  Each step is a fresh process; wall time and peak RSS of that process.
Target: the untouched run <= 0.3x the calamine read.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from fresh_process import run_child


def saved_again(book: Path) -> None:
    """The same cells in a package written again (other entry times): what opening and saving without a change does
    to the bytes."""
    stamp = time.localtime()[:6]
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(book.with_suffix(".again"), "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            info.date_time = stamp
            dst.writestr(info, src.read(info))
    os.replace(book.with_suffix(".again"), book)


def child(target: str) -> None:
    """`sheetsync sync -c TARGET` as the console script runs it (`sheetsync.cli.run` without its exit)."""
    import resource

    started = time.perf_counter()
    from sheetsync.cli.quick import quick_sync

    with contextlib.redirect_stdout(io.StringIO()):
        code = quick_sync(["sync", "-c", target])
        if code is None:
            from sheetsync.cli import main

            with contextlib.suppress(SystemExit):
                main(["sync", "-c", target])
    print(json.dumps({"seconds": time.perf_counter() - started, "quick": code is not None,
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)
    os._exit(0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    from sync_bench import build_desk, measure  # here: the child (`--child`) loads nothing it does not measure

    workdir = Path(tempfile.mkdtemp(prefix="sheetsync-untouched-"))
    try:
        config = build_desk(workdir / "desk", args.rows, 0)
        book = config.parent / "orders.xlsx"
        measure("sync", config)  # the journal learns the desk
        yards, fulls, quiets = [], [], []
        for turn in range(args.repeat):
            yards.append(measure("calamine", book))
            saved_again(book)
            fulls.append(measure("sync", config))  # the full path: it reads, finds nothing, leaves its calm
            quiet = run_child(__file__, str(config))
            if not quiet.get("quick"):
                raise SystemExit("the untouched run did not take the quick path")
            quiets.append(quiet)
            print(f"   run {turn + 1}: calamine {yards[-1]['wall']:.2f} s, full no-op {fulls[-1]['wall']:.2f} s"
                  f" {fulls[-1]['rss_mb']:.0f} MB, untouched {quiet['wall']:.2f} s {quiet['rss_mb']:.0f} MB", flush=True)
        yard, full, quiet = ({k: statistics.median(f[k] for f in figures) for k in ("wall", "rss_mb")}
                             for figures in (yards, fulls, quiets))
        print(f"== {args.rows:,}-row desk, medians of {args.repeat} turns (workbook {book.stat().st_size / 1e6:.1f} MB)")
        print(f"   python-calamine read (yardstick)     {yard['wall']:6.2f} s  {yard['rss_mb']:5.0f} MB")
        print(f"   full no-op sync (saved again)        {full['wall']:6.2f} s  {full['rss_mb']:5.0f} MB"
              f"   {full['wall'] / yard['wall']:.2f}x calamine")
        print(f"   untouched run (cron, nothing new)    {quiet['wall']:6.2f} s  {quiet['rss_mb']:5.0f} MB"
              f"   {quiet['wall'] / yard['wall']:.2f}x calamine")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
