"""The background stages of a write: their output is the plain one, their errors reach the caller."""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator

import pytest

from sheetsync.stores.xlsx.threads import BackgroundDeflater, read_ahead
from sheetsync.stores.xlsx.zipped import Deflater


def test_read_ahead_yields_everything_in_order() -> None:
    chunks = [bytes([i]) * 1000 for i in range(50)]
    assert list(read_ahead(iter(chunks))) == chunks


def test_read_ahead_raises_the_producers_error_and_stops_early() -> None:
    def broken() -> Iterator[bytes]:
        yield b"a"
        raise zlib.error("Error -3 while decompressing data")

    with pytest.raises(zlib.error, match="decompressing"):
        list(read_ahead(broken()))
    produced = []

    def endless() -> Iterator[bytes]:
        while True:
            produced.append(1)
            yield b"x"

    reader = read_ahead(endless())
    assert next(reader) == b"x"
    reader.close()  # the consumer stops: the producer thread ends instead of blocking forever
    assert len(produced) < 100


def test_background_deflater_writes_the_same_stream() -> None:
    data = [b"<row>%d</row>" % i * 100 for i in range(300)]
    plain, threaded = Deflater(io.BytesIO(), 1), BackgroundDeflater(Deflater(io.BytesIO(), 1))
    for chunk in data:
        plain.write(chunk)
        threaded.write(chunk)
    a, b = plain.finish(), threaded.finish()
    assert (a.crc, a.size, a.data.read()) == (b.crc, b.size, b.data.read())
    assert zlib.decompress(b.data.getvalue(), -15) == b"".join(data)  # type: ignore[attr-defined]


def test_background_deflater_reports_a_failed_write() -> None:
    class Full(io.BytesIO):
        def write(self, data: bytes) -> int:  # type: ignore[override]
            raise OSError(28, "No space left on device")

    deflater = BackgroundDeflater(Deflater(Full(), 1))
    with pytest.raises(OSError, match="No space"):
        for _ in range(10_000):
            deflater.write(b"x" * 100_000)
        deflater.finish()


def test_items_read_ahead_come_in_order_made_on_another_thread() -> None:
    import threading

    from sheetsync.runtime.threads import read_ahead as generic_read_ahead

    makers: set[str] = set()

    def make() -> Iterator[int]:
        for i in range(100):
            makers.add(threading.current_thread().name)
            yield i

    assert list(generic_read_ahead(make(), depth=3, name="maker")) == list(range(100))
    assert makers == {"maker"}


def test_read_ahead_raises_the_makers_error_in_its_place() -> None:
    from sheetsync.runtime.threads import read_ahead as generic_read_ahead

    def make() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("batch 3 could not be encoded")

    got: list[int] = []
    with pytest.raises(ValueError, match="batch 3"):
        for item in generic_read_ahead(make()):
            got.append(item)
    assert got == [1, 2]


def test_leaving_a_read_ahead_loop_stops_the_maker() -> None:
    import itertools
    import threading

    from sheetsync.runtime.threads import read_ahead as generic_read_ahead

    before = threading.active_count()
    for item in generic_read_ahead(itertools.count(), depth=2):
        if item == 5:
            break
    assert threading.active_count() == before  # the maker of an endless supply has ended
