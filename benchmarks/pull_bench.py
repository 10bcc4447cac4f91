"""Benchmark of pulling a 100k-row shop export into a 100k-row desk (half new orders, half updates).

    python benchmarks/pull_bench.py [--rows 100000] [--repeat 3] [--postgres postgresql://USER@HOST/DB]

Prints the wall time and peak RSS of the whole `sheetsync sync` process, next to the time of
python-calamine reading all values of the same desk in the same run (the yardstick).
Targets: the sync within 4x that read; peak RSS <= 600 MB.  Peak RSS is read with `resource` (POSIX).

`--postgres` (the password in PGPASSWORD or ~/.pgpass) adds, in each turn, the same sync with the desk's journal in
that PostgreSQL database (a schema `pull_bench_N`, filled from the desk's SQLite journal by `journal copy` before the
clock starts, dropped after): target within 1.3x the SQLite run's median.

Each figure is measured `--repeat` times, the yardstick and the sync taking turns (each sync on a
fresh copy of the same desk), and the medians are compared: on a machine whose speed drifts by
a third within minutes, one read against one sync says more about the minute than about sheetsync.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from sync_bench import CHANNELS, build_desk, measure, write_export


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", help="also run with the journal in this PostgreSQL database")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="sheetsync-pull-"))
    try:
        config = build_desk(workdir / "desk", args.rows, 0)
        with config.open("a", encoding="utf-8") as fh:
            fh.write(CHANNELS)
        (workdir / "desk" / "inbox").mkdir()
        measure("sync", config)  # the journal learns the desk
        half = args.rows // 2
        write_export(workdir / "desk" / "inbox" / "douyin.csv", updates=range(1, 2 * half, 2),
                     new=range(args.rows + half, 2 * args.rows), street="文新街道")
        yards, pulls, on_pg = [], [], []
        for turn in range(args.repeat):
            desk = workdir / f"run{turn}"
            shutil.copytree(workdir / "desk", desk)
            yards.append(measure("calamine", desk / "orders.xlsx"))
            pulls.append(measure("sync", desk / "sheetsync.yaml"))
            shutil.rmtree(desk)
            said = ""
            if args.postgres:
                on_pg.append(pg_sync(workdir, args.postgres, f"pull_bench_{turn}"))
                said = f", on PostgreSQL {on_pg[-1]['wall']:.2f} s {on_pg[-1]['rss_mb']:.0f} MB"
            print(f"   run {turn + 1}: calamine {yards[-1]['wall']:.2f} s, sync {pulls[-1]['wall']:.2f} s"
                  f" {pulls[-1]['rss_mb']:.0f} MB{said}", flush=True)
        yard = {k: statistics.median(f[k] for f in yards) for k in ("wall", "rss_mb")}
        pull = {k: statistics.median(f[k] for f in pulls) for k in ("wall", "rss_mb")}
        peak = max(f["rss_mb"] for f in pulls)
        print(f"== pull {args.rows:,}-row export into a {args.rows:,}-row desk (half new, half updates),"
              f" medians of {args.repeat} runs")
        print(f"   python-calamine read of the desk (yardstick) {yard['wall']:7.2f} s  {yard['rss_mb']:6.0f} MB")
        print(f"   sheetsync sync with the pull               {pull['wall']:7.2f} s  {pull['rss_mb']:6.0f} MB"
              f"   {pull['wall'] / yard['wall']:.2f}x calamine  (highest peak {peak:.0f} MB)")
        if on_pg:
            pg = {k: statistics.median(f[k] for f in on_pg) for k in ("wall", "rss_mb")}
            print(f"   the same sync, journal in PostgreSQL       {pg['wall']:7.2f} s  {pg['rss_mb']:6.0f} MB"
                  f"   {pg['wall'] / pull['wall']:.2f}x the SQLite run")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def pg_sync(workdir: Path, url: str, schema: str) -> dict[str, float]:
    """The pull on a copy of the desk whose journal is `schema` in PostgreSQL (copied there before the clock starts)."""
    import psycopg

    desk = workdir / schema
    shutil.copytree(workdir / "desk", desk)
    with psycopg.connect(url, autocommit=True) as db:
        db.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    copied = subprocess.run([sys.executable, "-m", "sheetsync", "journal", "copy", "-c", str(desk / "sheetsync.yaml"),
                             "--to", url, "--desk", schema], capture_output=True, text=True)
    if copied.returncode != 0:
        raise SystemExit(f"journal copy failed:\n{copied.stderr}")
    config = desk / "sheetsync.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("journal: .sheetsync/journal.db\n", "")
                      + f"journal:\n  url: {url}\n  desk: {schema}\n", encoding="utf-8")
    (desk / ".sheetsync" / "journal.db").unlink()
    try:
        return measure("sync", config)
    finally:
        shutil.rmtree(desk)
        with psycopg.connect(url, autocommit=True) as db:
            db.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


if __name__ == "__main__":
    main()
