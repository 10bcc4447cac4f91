"""How the C library hands memory back, set per run from its size (Linux with glibc only).

glibc raises its mmap threshold each time a large block is freed, up to 32 MB; from then on the
buffers of a few hundred KB to a few MB that a sync's write makes and frees (sheet XML, journal
batches, Arrow columns) come from the heap, where the freed ones stay resident between live ones.
A threshold fixed at 512 KB maps them and gives them back when freed: a 100,000-row pull peaks
about 30 MB lower (benchmarks/pull_bench.py).  A million-row import is the opposite case: it makes
and frees again and again blocks of many MB, and mapping each anew doubled its system time (65 s ->
89 s, benchmarks/import_bench.py), so large runs get glibc's ceiling of 32 MB instead.
MALLOC_MMAP_THRESHOLD_ in the environment, when set, always decides.
"""

from __future__ import annotations

import ctypes
import os
import sys
from typing import Final

_M_MMAP_THRESHOLD: Final = -3  # mallopt's parameter number in glibc's malloc.h
_SMALL_RUN_THRESHOLD: Final = 512 * 1024
_LARGE_RUN_THRESHOLD: Final = 32 * 1024 * 1024
LARGE_RUN: Final = 250_000
"""Rows from which a run is an import's size: it also widens the journal's SQLite page cache and
encodes the journal's JSON on every core."""


def fit_to_run(rows: int) -> None:
    """Set the mmap threshold for a run of about `rows` rows (process-wide; harmless to repeat)."""
    if sys.platform != "linux" or "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return
    mallopt(_M_MMAP_THRESHOLD, _LARGE_RUN_THRESHOLD if rows >= LARGE_RUN else _SMALL_RUN_THRESHOLD)
