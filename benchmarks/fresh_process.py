"""Run one benchmark step in a fresh Python process and read back its figures (wall time and peak RSS)."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable


def run_child(script: str, *args: str) -> dict[str, float]:
    """Run `script --child ARGS...`; its last stdout line is a JSON object of figures; adds `wall`."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, script, "--child", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{args[0]} failed:\n{done.stderr}")
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    figures["wall"] = time.perf_counter() - started
    return figures


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Best and median wall time of `repeat` calls of `fn` in this process."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)
