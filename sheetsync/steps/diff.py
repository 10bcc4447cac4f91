"""The table before and after a run -> the cell writes that turn one into the other."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, islice

import numpy as np
import pandas as pd
import pyarrow as pa

from sheetsync.journal.created import Created
from sheetsync.journal.sqlite import Change
from sheetsync.runtime.jsonrows import json_objects, table_batches
from sheetsync.stores.base import AppendBlock, CellValue, CellWrite, _Keep


@dataclass(frozen=True, slots=True)
class CellChange:
    """One changed cell, by order and field, as the report and the journal show it."""

    row: int
    order_id: str
    field: str
    old: str | None
    new: str | None
    source: str
    detail: str | None = None


def differs(a: pd.Series, b: pd.Series) -> pd.Series:
    """Element-wise 'not equal', where two missing values are equal."""
    both_missing = a.isna() & b.isna()
    equal = (a == b).fillna(False).astype(bool)
    return ~(equal | both_missing)


def texts(column: pd.Series) -> np.ndarray:
    """A text column as a NumPy object array with None for missing values (fast to iterate)."""
    return column.astype(object).where(column.notna(), None).to_numpy()


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


class Changes:
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
                yield CellChange(row, order_id, p.field, old, new, source, detail)

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


def diff(
    before: pd.DataFrame,
    after: pd.DataFrame,
    sources: Mapping[str, str],
    channels: Mapping[str, Mapping[int, str]] | None = None,
    details: Mapping[str, Mapping[int, str]] | None = None,
) -> Changes:
    """Every cell of `after` that differs from `before` (rows only in `after` are new rows).

    `sources` names who made each field's change (tool, rule); a cell listed in
    `channels[field][row]` was changed by that channel; `details[field][row]` says why the tool
    changed a cell (the workflow's transition, a put-back), for the journal.
    """
    parts: list[FieldChanges] = []
    old = before.reindex(after.index)
    channels = channels or {}
    details = details or {}
    rows = after.index.to_numpy()
    for field in after.columns:
        mask = differs(old[field], after[field]) if field in old.columns else after[field].notna()
        hits = np.flatnonzero(mask.to_numpy())
        if not len(hits):
            continue
        olds = texts(old[field].iloc[hits]) if field in old.columns else np.full(len(hits), None, dtype=object)
        at = rows[hits].astype(np.int64)
        by_channel = channels.get(field, {})
        why = details.get(field, {})
        default = sources.get(field, "tool")
        channel: list[str | None] = [by_channel.get(r) for r in at.tolist()] if by_channel else [None] * len(at)
        parts.append(FieldChanges(
            field, at, texts(after["order_id"].iloc[hits]).astype(str), olds, texts(after[field].iloc[hits]),
            sources=["channel" if c else default for c in channel],
            details=[c or why.get(r) for c, r in zip(channel, at.tolist(), strict=True)] if why else channel,
        ))
    return Changes(parts)


def to_writes(
    changes: Changes,
    columns: Mapping[str, int],
    value_of: Callable[[str, str | None], CellValue],
    fill_of: Callable[[str, str | None], str | _Keep | None],
) -> list[CellWrite]:
    """Cell changes -> writes in sheet coordinates; a field without a column is not written."""
    out: list[CellWrite] = []
    for p in changes.parts:
        if p.field in columns:
            col, name = columns[p.field], p.field
            out += [CellWrite(row, col, value_of(name, new), fill_of(name, new))
                    for row, new in zip(p.rows.tolist(), p.news, strict=True)]
    return out


def append_block(new_rows: pd.DataFrame, columns: Mapping[str, int],
                 convert: Callable[[str, pd.Series], Sequence[CellValue]]) -> AppendBlock | None:
    """The rows a run adds at the bottom of the sheet, columnar, in sheet coordinates."""
    if new_rows.empty:
        return None
    fields = [f for f in new_rows.columns if f in columns]
    return AppendBlock(int(new_rows.index[0]), [columns[f] for f in fields],
                       by_column=[convert(f, new_rows[f]) for f in fields])


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

    def series(self, index: pd.Index) -> pd.Series:
        """The channel of each row of `index` (missing where no channel created it), as text."""
        rows = np.asarray(index, dtype=np.int64)
        out = np.full(len(rows), None, dtype=object)
        for first, stop, name in self._spans:
            out[(rows >= first) & (rows < stop)] = name
        return pd.Series(out, index=index, dtype="str")


def created(new_rows: pd.DataFrame, who: Mapping[int, str], chunk: int = 8192) -> Iterator[Change]:
    """One journal entry per new row: field `*`, the row's values (JSON, empty fields left out) and the channel.

    Encoded a chunk of rows at a time, as the journal takes them."""
    fields = list(new_rows.columns)
    for start in range(0, len(new_rows), chunk):
        part = new_rows.iloc[start : start + chunk]
        for row, order_id, values in zip(part.index.tolist(), texts(part["order_id"]).tolist(),
                                          json_objects(part, fields), strict=True):
            channel = who.get(row)
            yield Change(str(order_id), "*", None, values, "channel" if channel else "tool", channel)


def created_record(new_rows: pd.DataFrame, who: Mapping[int, str]) -> Created:
    """`created` as the journal records it (journal_created.py): the rows as they are, with the channel
    of each, so that a million-row import makes no Python object per row."""
    if isinstance(who, CreatedBy):
        channel = who.series(new_rows.index)
    elif who:
        channel = pd.Series(who, dtype="str").reindex(new_rows.index)
    else:
        channel = pd.Series(None, index=new_rows.index, dtype="str")
    return Created(new_rows, channel)
