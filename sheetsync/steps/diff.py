"""The table before and after a run -> the cell writes that turn one into the other."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..journal import Change
from ..jsonrows import json_objects, object_sql, row_batches
from ..stores.base import AppendBlock, CellValue, CellWrite, _Keep
from ..textsql import arrow_text


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


def diff(
    before: pd.DataFrame,
    after: pd.DataFrame,
    sources: Mapping[str, str],
    channels: Mapping[str, Mapping[int, str]] | None = None,
    details: Mapping[str, Mapping[int, str]] | None = None,
) -> list[CellChange]:
    """Every cell of `after` that differs from `before` (rows only in `after` are new rows).

    `sources` names who made each field's change (tool, rule); a cell listed in
    `channels[field][row]` was changed by that channel; `details[field][row]` says why the tool
    changed a cell (the workflow's transition, a put-back), for the journal.
    """
    changes: list[CellChange] = []
    old = before.reindex(after.index)
    channels = channels or {}
    details = details or {}
    rows = after.index.to_numpy()
    for field in after.columns:
        mask = differs(old[field], after[field]) if field in old.columns else after[field].notna()
        hits = np.flatnonzero(mask.to_numpy())
        if not len(hits):
            continue
        olds = texts(old[field].iloc[hits]) if field in old.columns else [None] * len(hits)
        news = texts(after[field].iloc[hits])
        order_ids = texts(after["order_id"].iloc[hits])
        by_channel = channels.get(field, {})
        why = details.get(field, {})
        default = sources.get(field, "tool")
        for row, order_id, prev, new in zip(rows[hits], order_ids, olds, news, strict=True):
            channel = by_channel.get(int(row))
            changes.append(CellChange(int(row), str(order_id), field, prev, new,
                                      "channel" if channel else default, channel or why.get(int(row))))
    return changes


def to_writes(
    changes: list[CellChange],
    columns: Mapping[str, int],
    value_of: Callable[[str, str | None], CellValue],
    fill_of: Callable[[str, str | None], str | _Keep | None],
) -> list[CellWrite]:
    """Cell changes -> writes in sheet coordinates; a field without a column is not written."""
    return [
        CellWrite(c.row, columns[c.field], value_of(c.field, c.new), fill_of(c.field, c.new))
        for c in changes
        if c.field in columns
    ]


def append_block(new_rows: pd.DataFrame, columns: Mapping[str, int],
                 convert: Callable[[str, pd.Series], Sequence[CellValue]]) -> AppendBlock | None:
    """The rows a run adds at the bottom of the sheet, columnar, in sheet coordinates."""
    if new_rows.empty:
        return None
    fields = [f for f in new_rows.columns if f in columns]
    return AppendBlock(int(new_rows.index[0]), [columns[f] for f in fields],
                       by_column=[convert(f, new_rows[f]) for f in fields])


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


def created_encoded(new_rows: pd.DataFrame, who: Mapping[int, str]) -> Iterator[str]:
    """`created` as the journal's JSON arrays `[order_id, "*", null, values, source, channel]`, one
    JSON array of them per batch, made by DuckDB: an import of a million rows makes no Python object per row."""
    fields = list(new_rows.columns)
    channel = pd.Series(who, dtype="str").reindex(new_rows.index) if who else pd.Series(None, index=new_rows.index, dtype="str")
    order_id = f"c{fields.index('order_id')}"
    row = (f"json_array({order_id}, '*', NULL, {object_sql(fields)},"
           " CASE WHEN channel_ IS NULL THEN 'tool' ELSE 'channel' END, channel_)")
    return row_batches(new_rows, fields, row, extra={"channel_": arrow_text(channel)})


def as_journal(changes: list[CellChange]) -> Iterator[Change]:
    return (Change(c.order_id, c.field, c.old, c.new, c.source, c.detail) for c in changes)
