"""How often Python hands the GIL between threads while a run's background threads work.

A sync reads its channels, inflates and deflates the workbook and fills the journal on threads that
spend most of their time in C without the GIL, but each of them needs the GIL for a moment between
two chunks.  With Python's default switch interval (5 ms) such a thread waits up to 5 ms behind the
main thread's patch for every chunk: on a 100k-row pull the journal's thread ended 0.6-0.9 s after
the patch, and the run waited for it.  At 1 ms it ends before the patch does; the main thread gives
up a little CPU to the extra switches, much less than it waited before.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

HANDOFF_SECONDS: Final = 0.001


@contextmanager
def quick_handoffs() -> Iterator[None]:
    """Switch threads every `HANDOFF_SECONDS` inside the block (never slower than the setting found)."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(min(before, HANDOFF_SECONDS))
    try:
        yield
    finally:
        sys.setswitchinterval(before)
