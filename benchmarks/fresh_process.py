"""Run one benchmark step in a fresh Python process and read back its figures (wall time and peak RSS)."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

LAUNCHER = """
import subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True, check=False)
wall = time.perf_counter() - started
sys.stdout.write(done.stdout + "\\n" + repr(wall) + "\\n")
sys.stderr.write(done.stderr)
sys.exit(done.returncode)
"""
"""Starts the measured process from a small one, and times it there.  A process started straight from a big one
(a benchmark that built a 100k-row workbook in itself) inherits that one's peak in its ru_maxrss (Linux carries the
memory of the process it was forked from over exec, and subprocess forks with vfork): launched from this small
process it starts from a few MB, so its peak RSS is its own."""


def run_child(script: str, *args: str) -> dict[str, float]:
    """Run `script --child ARGS...` through `LAUNCHER`; its last stdout line is a JSON object of figures; adds `wall`
    (the child's own, from its start to its exit, as the launcher saw it)."""
    done = subprocess.run([sys.executable, "-c", LAUNCHER, sys.executable, script, "--child", *args], capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{args[0]} failed:\n{done.stderr}")
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    figures: dict[str, float] = json.loads(lines[-2])
    figures["wall"] = float(lines[-1])
    return figures


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Best and median wall time of `repeat` calls of `fn` in this process."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)
