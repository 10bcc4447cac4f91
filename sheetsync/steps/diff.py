"""The table before and after a run -> the cell writes that turn one into the other."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from ..journal import Change
from ..stores.base import KEEP, CellValue, CellWrite, _Keep


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


def diff(
    before: pd.DataFrame,
    after: pd.DataFrame,
    sources: Mapping[str, str],
) -> list[CellChange]:
    """Every cell of `after` that differs from `before` (rows only in `after` are new rows).

    `sources` names who made each field's change (tool, rule, channel) for the journal.
    """
    changes: list[CellChange] = []
    old = before.reindex(after.index)
    for field in after.columns:
        mask = differs(old[field], after[field]) if field in old.columns else after[field].notna()
        if not mask.any():
            continue
        for row, new in after.loc[mask, field].items():
            prev = old.at[row, field] if field in old.columns else None
            changes.append(
                CellChange(int(row), str(after.at[row, "order_id"]), field, _text(prev), _text(new),
                           sources.get(field, "tool"))
            )
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


def as_journal(changes: list[CellChange]) -> list[Change]:
    return [Change(c.order_id, c.field, c.old, c.new, c.source, c.detail) for c in changes]


def _text(value: object) -> str | None:
    return None if value is None or value is pd.NA or (isinstance(value, float) and value != value) else str(value)


__all__ = ["KEEP", "CellChange", "as_journal", "diff", "differs", "to_writes"]
