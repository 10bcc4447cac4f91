"""A run's changes in bulk: changed cells held as arrays field by field, and the rows a run created.

A sync that changes 150,000 cells or an import that creates a million orders makes no Python object
per cell; the journal takes them encoded by DuckDB or as Arrow blocks.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa

from sheetsync.model.records import CellChange
from sheetsync.runtime.jsonrows import table_batches
from sheetsync.runtime.textsql import arrow_text

ID_BATCH: Final = 16_384
"""Order ids per JSON array when the journal records a run's creations."""


@dataclass(frozen=True, slots=True)
class FieldChanges:
    """The changed cells of one field, column by column (row i of each array is one cell)."""

    field: str
    rows: np.ndarray
    order_ids: np.ndarray
    olds: np.ndarray
    news: np.ndarray
    sources: list[str]
    details: list[str | None]


class CellChanges:
    """Every changed cell of a run, field by field, held as arrays: a sync that changes 150,000
    cells makes no Python object per cell until something asks for one (the report's first few),
    and the journal gets them encoded by DuckDB (`encoded`) without holding the GIL that the
    workbook's patch needs beside it."""

    def __init__(self, parts: list[FieldChanges]) -> None:
        self.parts = parts

    def __len__(self) -> int:
        return sum(len(p.rows) for p in self.parts)

    def __iter__(self) -> Iterator[CellChange]:
        for p in self.parts:
            for row, order_id, old, new, source, detail in zip(p.rows.tolist(), p.order_ids, p.olds, p.news,
                                                               p.sources, p.details, strict=True):
                yield CellChange(order_id, p.field, old, new, source, detail, row)

    def head(self, n: int) -> list[CellChange]:
        return list(islice(self, n))

    def rows(self) -> np.ndarray:
        """The rows with a changed cell (each once)."""
        return np.unique(np.concatenate([p.rows for p in self.parts])) if self.parts else np.zeros(0, dtype=np.int64)

    def encoded(self) -> Iterator[str]:
        """The changes as the journal's batches: JSON arrays of `[order_id, field, old, new, source, detail]`."""
        if not self.parts:
            return iter(())
        table = pa.table({
            "order_id": pa.array(np.concatenate([p.order_ids for p in self.parts]), pa.large_string()),
            "field": pa.array(np.repeat([p.field for p in self.parts], [len(p.rows) for p in self.parts]),
                              pa.large_string()),
            "old": pa.array(np.concatenate([p.olds for p in self.parts]), pa.large_string()),
            "new": pa.array(np.concatenate([p.news for p in self.parts]), pa.large_string()),
            "source": pa.array(list(chain.from_iterable(p.sources for p in self.parts)), pa.large_string()),
            "detail": pa.array(list(chain.from_iterable(p.details for p in self.parts)), pa.large_string()),
        })
        return table_batches(table, "json_array(order_id, field, old, new, source, detail)")


class CreatedBy(Mapping[int, str]):
    """row -> the channel that created it, held as spans of consecutive rows (a pull appends its new
    rows together): a million-row import holds a few spans, not a dict of a million rows (~115 MB)."""

    def __init__(self) -> None:
        self._spans: list[tuple[int, int, str]] = []

    def add(self, first: int, stop: int, name: str) -> None:
        """Rows `first` to `stop - 1` were created by `name` (spans are added in row order)."""
        if stop > first:
            self._spans.append((first, stop, name))

    def __getitem__(self, row: int) -> str:
        at = bisect_right(self._spans, row, key=lambda span: span[0]) - 1
        if at >= 0 and self._spans[at][0] <= row < self._spans[at][1]:
            return self._spans[at][2]
        raise KeyError(row)

    def __iter__(self) -> Iterator[int]:
        return chain.from_iterable(range(first, stop) for first, stop, _ in self._spans)

    def __len__(self) -> int:
        return sum(stop - first for first, stop, _ in self._spans)

    def holds(self, rows: np.ndarray) -> np.ndarray:
        """Whether each of `rows` was created by a channel (vectorised `in`)."""
        rows = np.asarray(rows, dtype=np.int64)
        out = np.zeros(len(rows), dtype=bool)
        for first, stop, _ in self._spans:
            out |= (rows >= first) & (rows < stop)
        return out

    def series(self, index: pd.Index) -> pd.Series:
        """The channel of each row of `index` (missing where no channel created it), as text."""
        rows = np.asarray(index, dtype=np.int64)
        out = np.full(len(rows), None, dtype=object)
        for first, stop, name in self._spans:
            out[(rows >= first) & (rows < stop)] = name
        return pd.Series(out, index=index, dtype="str")


@dataclass(slots=True)
class Created:
    """The rows a run created, as the journal records them: `frame` (every column a field, `order_id`
    among them) and, beside each row, the channel that created it (missing: sheetsync made it)."""

    frame: pd.DataFrame
    channel: pd.Series
    extra: dict[str, pd.Series] = field(default_factory=dict)
    """field -> values (index: rows of `frame`) the channels brought for fields the sheet has no column for: kept
    in the creation record, so that the column a team adds later is filled from it (steps/fold.py)."""

    def __len__(self) -> int:
        return len(self.frame)

    def id_batches(self) -> Iterator[tuple[str | None, str]]:
        """(channel, a JSON array of order_ids): every row once, grouped by channel in order of first
        appearance (a run's new rows come channel by channel, so this is their order)."""
        channel = self.channel.to_numpy(dtype=object, na_value=None)
        ids = arrow_text(self.frame["order_id"])
        for name in dict.fromkeys(channel.tolist()):
            at = np.flatnonzero(channel == name) if name is not None else np.flatnonzero(pd.isna(channel))
            for start in range(0, len(at), ID_BATCH):
                yield name, json.dumps(ids.take(pa.array(at[start : start + ID_BATCH])).to_pylist(), ensure_ascii=False)
