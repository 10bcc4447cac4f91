"""The mmap threshold a run asks glibc for: small runs get blocks mapped and given back, large ones glibc's ceiling;
and the Arrow pool a run takes."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import pyarrow as pa
import pytest

from sheetsync.runtime import memory


@pytest.fixture(autouse=True)
def arrow_pool(monkeypatch: pytest.MonkeyPatch) -> object:
    """Each test's choice of Arrow pool is undone after it."""
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    before = pa.default_memory_pool()
    yield before
    pa.set_memory_pool(before)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    made: list[tuple[int, int]] = []
    monkeypatch.setattr(memory.ctypes, "CDLL", lambda name: SimpleNamespace(mallopt=lambda p, v: made.append((p, v))))
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    return made


def test_a_sheet_sized_run_maps_blocks_from_512_kb(calls: list[tuple[int, int]]) -> None:
    memory.fit_to_run(100_000)
    assert calls == [(-3, 512 * 1024)]


def test_an_import_sized_run_keeps_blocks_up_to_32_mb_on_the_heap(calls: list[tuple[int, int]]) -> None:
    memory.fit_to_run(memory.LARGE_RUN)
    assert calls == [(-3, 32 * 1024 * 1024)]


def test_the_environment_decides_when_it_names_a_threshold(calls: list[tuple[int, int]],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "131072")
    memory.fit_to_run(10)
    assert calls == []


def test_a_c_library_without_mallopt_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memory.ctypes, "CDLL", lambda name: SimpleNamespace())
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    memory.fit_to_run(10)  # no AttributeError



def test_a_sheet_sized_run_takes_arrow_memory_from_the_c_library(calls: list[tuple[int, int]]) -> None:
    memory.fit_to_run(100_000)
    assert pa.default_memory_pool().backend_name == "system"


def test_an_import_sized_run_takes_arrow_memory_from_jemalloc_where_pyarrow_has_it(calls: list[tuple[int, int]]) -> None:
    try:
        expected = pa.jemalloc_memory_pool().backend_name
    except NotImplementedError:
        expected = "system"
    memory.fit_to_run(memory.LARGE_RUN)
    assert pa.default_memory_pool().backend_name == expected
    if sys.platform == "linux":
        assert expected == "jemalloc"  # pyarrow's Linux wheels have it: the import's memory figures rely on it
    column = pa.array(["甲"] * 1000)  # made from it, freed back to it
    assert column.to_pylist()[-1] == "甲"


def test_the_environment_names_the_arrow_pool(calls: list[tuple[int, int]], monkeypatch: pytest.MonkeyPatch,
                                              arrow_pool: object) -> None:
    monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", "mimalloc")
    memory.fit_to_run(memory.LARGE_RUN)
    assert pa.default_memory_pool().backend_name == arrow_pool.backend_name  # type: ignore[attr-defined]


def test_give_back_asks_glibc_to_trim_its_heap(monkeypatch: pytest.MonkeyPatch) -> None:
    trimmed: list[int] = []
    monkeypatch.setattr(memory.ctypes, "CDLL", lambda name: SimpleNamespace(malloc_trim=lambda pad: trimmed.append(pad)))
    monkeypatch.setattr(sys, "platform", "linux")
    memory.give_back()
    assert trimmed == [0]
    monkeypatch.setattr(memory.ctypes, "CDLL", lambda name: SimpleNamespace())  # musl: no malloc_trim
    memory.give_back()
    monkeypatch.setattr(sys, "platform", "darwin")
    memory.give_back()
    assert trimmed == [0]
