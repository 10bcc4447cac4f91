"""What people changed since the last run, found against the journal's base values."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..journal import Change
from ..textsql import columns, select_rows
from ..values import text_or_none


def row_hashes(frame: pd.DataFrame) -> pd.Series:
    """A signed 64-bit hash of each row's canonical values (columns in name order), by DuckDB.

    A hash that changes (another DuckDB version) costs one slower run, never a wrong one: a row
    whose hash differs from the journal's is compared value by value.
    Only rows whose hash differs from the journal's need their base values loaded:
    a run over 100,000 unchanged rows compares 100,000 integers.
    """
    fields = sorted(frame.columns)
    if not len(frame):
        return pd.Series([], index=frame.index, dtype="int64")
    hashed = select_rows(frame, fields, f"hash({columns(fields)})").to_numpy()
    return pd.Series(hashed.view(np.int64), index=frame.index)


def person_edits(
    frame: pd.DataFrame, base: Mapping[str, Mapping[str, str | None]], rows: pd.Index
) -> list[Change]:
    """Cells of `rows` whose value differs from the base: each is an edit by a person."""
    changes: list[Change] = []
    fields = list(frame.columns)
    for row in rows:
        order_id = frame.at[row, "order_id"]
        old_values = base.get(order_id) if isinstance(order_id, str) else None
        if old_values is None:
            continue
        for field in fields:
            if field not in old_values:
                continue
            new = text_or_none(frame.at[row, field])
            old = old_values[field]
            if new != old:
                changes.append(Change(order_id, field, old, new, "person"))
    return changes

