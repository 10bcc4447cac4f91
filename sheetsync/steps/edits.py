"""What people changed since the last run, found against the journal's base values."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sheetsync.model.records import CellChange
from sheetsync.runtime.textsql import row_hashes as row_hash_values
from sheetsync.steps.diff import differs, texts


def row_hashes(frame: pd.DataFrame) -> pd.Series:
    """A signed 64-bit hash of each row's canonical values (columns in name order), by DuckDB.

    A hash that changes (another DuckDB version) costs one slower run, never a wrong one: a row
    whose hash differs from the journal's is compared value by value.
    Only rows whose hash differs from the journal's need their base values loaded:
    a run over 100,000 unchanged rows compares 100,000 integers.
    """
    return pd.Series(row_hash_values(frame), index=frame.index)


def person_edits(frame: pd.DataFrame, base: pd.DataFrame, known: pd.DataFrame) -> list[CellChange]:
    """Cells whose value differs from the base: each is an edit by a person.

    `base` and `known` (whether the snapshot has the field) are aligned row by row with `frame`;
    a field the snapshot does not have is not an edit."""
    base, known = base.set_axis(frame.index), known.set_axis(frame.index)
    found: list[tuple[int, int, CellChange]] = []
    ids = texts(frame["order_id"])
    for j, field in enumerate(frame.columns):
        if field not in base.columns:
            continue
        edited = np.flatnonzero(differs(base[field], frame[field]).to_numpy() & known[field].to_numpy())
        if not len(edited):
            continue
        olds, news = texts(base[field].iloc[edited]), texts(frame[field].iloc[edited])
        found += [(int(i), j, CellChange(str(ids[i]), field, old, new, "person"))
                  for i, old, new in zip(edited, olds, news, strict=True) if isinstance(ids[i], str)]
    return [change for _, _, change in sorted(found, key=lambda f: (f[0], f[1]))]
