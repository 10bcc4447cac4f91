"""Thread and memory tuning of one run, kept out of the pipeline's text.

Threads hand the GIL over every millisecond while a run lasts (`threads.quick_handoffs`); the C
library's and Arrow's allocators are set for the run's size (`memory.fit_to_run`), and a large run
hands its free heap back before the write, its memory peak (`memory.give_back`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sheetsync.runtime.memory import LARGE_RUN, fit_to_run, give_back
from sheetsync.runtime.threads import quick_handoffs


class Tuning:
    """What a run tells the tuning about itself as it learns its size."""

    def size(self, rows: int) -> None:
        """The run holds `rows` rows (the sheet's and the pulls'): a run of import size gets the allocators'
        large-run settings (the command set them for a run of a sheet's size)."""
        if rows >= LARGE_RUN:
            fit_to_run(LARGE_RUN)

    def before_peak(self, rows: int) -> None:
        """The run is about to write (its memory peak): a large one hands the heap it freed back first."""
        if rows >= LARGE_RUN:
            give_back()


@contextmanager
def tuned() -> Iterator[Tuning]:
    with quick_handoffs():
        yield Tuning()
