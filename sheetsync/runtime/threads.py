"""A run's background threads: how often Python hands the GIL between them, and `read_ahead`, which
makes a stream's items on a thread of its own while the caller takes them.

A sync reads its channels, inflates and deflates the workbook and fills the journal on threads that
spend most of their time in C without the GIL, but each of them needs the GIL for a moment between
two chunks.  With Python's default switch interval (5 ms) such a thread waits up to 5 ms behind the
main thread's patch for every chunk: on a 100k-row pull the journal's thread ended 0.6-0.9 s after
the patch, and the run waited for it.  At 1 ms it ends before the patch does; the main thread gives
up a little CPU to the extra switches, much less than it waited before.
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Final, TypeVar

HANDOFF_SECONDS: Final = 0.001
T = TypeVar("T")


@contextmanager
def quick_handoffs() -> Iterator[None]:
    """Switch threads every `HANDOFF_SECONDS` inside the block (never slower than the setting found)."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(min(before, HANDOFF_SECONDS))
    try:
        yield
    finally:
        sys.setswitchinterval(before)


_DEPTH: Final = 4
_DONE: Final = object()


def read_ahead(items: Iterable[T], *, name: str = "sheetsync-read-ahead", depth: int = _DEPTH) -> Iterator[T]:
    """Yield what `items` yields, made up to `depth` ahead on a thread of its own: what makes them (zlib
    inflating the old sheet, DuckDB encoding the journal's JSON) then runs beside what takes them, both
    without the GIL.  The maker's errors are raised here, in their place; leaving early stops the maker."""
    box: queue.Queue[object] = queue.Queue(depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if not put_unless(box, item, stop):
                    return
            put_unless(box, _DONE, stop)
        except BaseException as exc:  # handed to the consumer, which raises it
            put_unless(box, _Failure(exc), stop)

    worker = threading.Thread(target=produce, name=name, daemon=True)
    worker.start()
    try:
        while (item := box.get()) is not _DONE:
            if isinstance(item, _Failure):
                raise item.error
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        worker.join()


class _Failure:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def put_unless(box: queue.Queue[object], item: object, stop: threading.Event) -> bool:
    """Put `item` unless `stop` is set first; whether it was put."""
    while not stop.is_set():
        try:
            box.put(item, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False
