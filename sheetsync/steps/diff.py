"""The table before and after a run -> the cell writes that turn one into the other."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd

from sheetsync.model.cells import AppendBlock, CellValue, CellWrite, Keep
from sheetsync.model.changes import CellChanges, Created, CreatedBy, FieldChanges
from sheetsync.model.records import CellChange
from sheetsync.runtime.jsonrows import json_objects


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
) -> CellChanges:
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
    return CellChanges(parts)


def to_writes(
    changes: CellChanges,
    columns: Mapping[str, int],
    value_of: Callable[[str, str | None], CellValue],
    fill_of: Callable[[str, str | None], str | Keep | None],
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


def created(new_rows: pd.DataFrame, who: Mapping[int, str], chunk: int = 8192) -> Iterator[CellChange]:
    """One journal entry per new row: field `*`, the row's values (JSON, empty fields left out) and the channel.

    Encoded a chunk of rows at a time, as the journal takes them."""
    fields = list(new_rows.columns)
    for start in range(0, len(new_rows), chunk):
        part = new_rows.iloc[start : start + chunk]
        for row, order_id, values in zip(part.index.tolist(), texts(part["order_id"]).tolist(),
                                          json_objects(part, fields), strict=True):
            channel = who.get(row)
            yield CellChange(str(order_id), "*", None, values, "channel" if channel else "tool", channel)


def created_record(new_rows: pd.DataFrame, who: Mapping[int, str]) -> Created:
    """`created` as the journal records it (journal/created.py): the rows as they are, with the channel
    of each, so that a million-row import makes no Python object per row."""
    if isinstance(who, CreatedBy):
        channel = who.series(new_rows.index)
    elif who:
        channel = pd.Series(who, dtype="str").reindex(new_rows.index)
    else:
        channel = pd.Series(None, index=new_rows.index, dtype="str")
    return Created(new_rows, channel)
