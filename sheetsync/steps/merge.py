"""The three-way merge: base (what the channel last said), sheet (now), incoming (the channel now).

Per cell:
- incoming missing (the source does not give it): the sheet stays;
- sheet == base (no person touched it): take incoming;
- sheet != base and incoming == base (a person changed it, the channel did not): keep the sheet;
- sheet != base and incoming != base: keep the sheet and report a conflict (unless both agree).
The next base is what the channel said (incoming where given, else the old base), so the same
incoming merged again changes nothing and raises no new conflict, and a person's edit is never
overwritten by a value the channel already sent.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sheetsync.model.values import text_or_none
from sheetsync.steps.diff import differs


@dataclass(frozen=True, slots=True)
class Conflict:
    row: object
    field: str
    sheet: str | None
    incoming: str | None


@dataclass(slots=True)
class MergeResult:
    frame: pd.DataFrame
    base: pd.DataFrame
    conflicts: list[Conflict]


def merge(sheet: pd.DataFrame, base: pd.DataFrame, incoming: pd.DataFrame) -> MergeResult:
    """Merge aligned frames (same index, same columns; text with NA); pure, vectorised per column."""
    frame = sheet.copy()
    next_base = base.copy()
    conflicts: list[Conflict] = []
    for field in incoming.columns:
        new = incoming[field]
        given = new.notna()
        if not given.any():
            continue
        old = base[field]
        now = sheet[field]
        untouched = ~differs(now, old)
        take = given & untouched
        frame.loc[take, field] = new[take]
        clash = given & ~untouched & differs(new, old) & differs(new, now)
        conflicts.extend(Conflict(row, field, text_or_none(now[row]), text_or_none(new[row])) for row in clash[clash].index)
        next_base.loc[given, field] = new[given]
    return MergeResult(frame, next_base, conflicts)

