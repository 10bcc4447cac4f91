"""How the C library hands memory back, set per run from its size (Linux with glibc only).

glibc raises its mmap threshold each time a large block is freed, up to 32 MB; from then on the
buffers of a few hundred KB to a few MB that a sync's write makes and frees (sheet XML, journal
batches, Arrow columns) come from the heap, where the freed ones stay resident between live ones.
A threshold fixed at 512 KB maps them and gives them back when freed: a 100,000-row pull peaks
about 30 MB lower (benchmarks/pull_bench.py).  A million-row import is the opposite case: it makes
and frees again and again blocks of many MB, and mapping each anew doubled its system time (65 s ->
89 s, benchmarks/import_bench.py), so large runs get glibc's ceiling of 32 MB instead.
MALLOC_MMAP_THRESHOLD_ in the environment, when set, always decides.

Arrow's memory comes from a pool of its own.  Its default (mimalloc) keeps the pages a run freed; the
C library's allocator hands large blocks back, which keeps a 100,000-row pull about 60 MB lower at
the same speed (benchmarks/pull_bench.py), so runs of a sheet's size use it.  An import parses a
million rows column by column, each step freeing the columns of the one before: jemalloc (in
pyarrow's Linux wheels) hands those back where glibc's heap keeps them, and the import peaks 250-300
MB lower at the same speed (benchmarks/import_bench.py).  (Handing jemalloc's freed pages back at once, decay 0,
took a million-row re-import from 1.55 to 1.46 GB but made it and the import 6-7% slower: not taken.)
ARROW_DEFAULT_MEMORY_POOL, when set, decides.
"""

from __future__ import annotations

import contextlib
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
    """Set Arrow's pool and the mmap threshold for a run of about `rows` rows (process-wide; harmless to
    repeat: buffers already made go back to the pool they came from)."""
    _fit_arrow_pool(rows)
    if sys.platform != "linux" or "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return
    mallopt(_M_MMAP_THRESHOLD, _LARGE_RUN_THRESHOLD if rows >= LARGE_RUN else _SMALL_RUN_THRESHOLD)


def _fit_arrow_pool(rows: int) -> None:
    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        return
    import pyarrow

    pool = pyarrow.system_memory_pool()
    if rows >= LARGE_RUN:
        with contextlib.suppress(NotImplementedError):  # a pyarrow built without jemalloc (not Linux): the system's
            pool = pyarrow.jemalloc_memory_pool()
    pyarrow.set_memory_pool(pool)


def give_back() -> None:
    """Hand the C library's free heap pages back to the system (glibc's `malloc_trim`).  A large run calls
    it between its steps and its write: the parse and the merge leave ~200 MB of freed small blocks in
    glibc's heap, which the write (memory from Arrow's pool, DuckDB and SQLite) would not reuse."""
    if sys.platform != "linux":
        return
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return
    trim(0)
