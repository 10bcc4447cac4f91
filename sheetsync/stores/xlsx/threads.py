"""Inflate and deflate the worksheet on their own threads while the patcher works on the XML.

zlib releases the GIL while it (de)compresses, and inflating the old sheet plus deflating the new
one is about half the time of a large patch; with the three stages overlapped the patch takes
about as long as its Python part alone.  Queues are bounded, so memory stays at a few chunks.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import Final

from sheetsync.runtime import threads
from sheetsync.runtime.threads import put_unless
from sheetsync.stores.xlsx.zipped import Deflater, NewMember

_DEPTH: Final = 4  # chunks (of about 1 MB) waiting between two stages
_DONE: Final = object()


def read_ahead(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Yield what `chunks` yields, produced on a background thread; its errors are raised here."""
    return threads.read_ahead(chunks, name="sheetsync-inflate", depth=_DEPTH)


class BackgroundDeflater:
    """A `Deflater` fed through a queue and run on its own thread."""

    def __init__(self, deflater: Deflater) -> None:
        self._deflater = deflater
        self._box: queue.Queue[object] = queue.Queue(_DEPTH)
        self._stop = threading.Event()
        self._error: BaseException | None = None
        self._worker = threading.Thread(target=self._consume, name="sheetsync-deflate", daemon=True)
        self._worker.start()

    def write(self, data: bytes) -> None:
        if self._error is not None:
            raise self._error
        put_unless(self._box, data, self._stop)

    def finish(self) -> NewMember:
        put_unless(self._box, _DONE, self._stop)
        self._worker.join()
        if self._error is not None:
            raise self._error
        return self._deflater.finish()

    def close(self) -> None:
        """Stop the thread without finishing (after an error elsewhere)."""
        self._stop.set()
        self._worker.join()

    def _consume(self) -> None:
        write: Callable[[bytes], None] = self._deflater.write
        try:
            while not self._stop.is_set():
                try:
                    item = self._box.get(timeout=0.1)
                except queue.Empty:
                    continue
                if item is _DONE:
                    return
                assert isinstance(item, bytes)
                write(item)
        except BaseException as exc:  # raised in the writing thread by the next write or finish
            self._error = exc
            self._stop.set()
