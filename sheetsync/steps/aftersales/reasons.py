"""The reason checks of after-sales tickets, over the whole ticket table at once (a pure step).

Each ticket's first and second level are judged against the desk's reason tree (`config/reasons.py`): a first level
the tree lacks (REASON_UNKNOWN), a second level that belongs to another first level or stands without one
(REASON_MISMATCH: typed or pasted past the dropdown), an "other" at either level without a description in the note
(REASON_UNDESCRIBED).  Vectorised: the pairs a tree allows are one set, each column compared once.
"""

from __future__ import annotations

import pandas as pd

from sheetsync.config.reasons import ReasonTree


def reason_codes(frame: pd.DataFrame, tree: ReasonTree) -> pd.Series:
    """The anomaly code of each ticket's reason (NA where it is right), indexed as `frame`; `frame` holds the
    canonical text columns `reason`, `sub_reason` and `note` (absent columns count as empty)."""
    first = _text(frame, "reason")
    second = _text(frame, "sub_reason")
    described = _text(frame, "note").str.strip().fillna("") != ""
    has_first, has_second = first.notna(), second.notna()
    known = first.isin(list(tree.levels))
    pairs = {(f, s) for f, seconds in tree.levels.items() for s in seconds}
    fits = pd.Series([(f, s) in pairs for f, s in zip(first.fillna(""), second.fillna(""), strict=True)],
                     index=frame.index, dtype=bool) if has_second.any() else pd.Series(False, index=frame.index)
    codes = pd.Series(pd.NA, index=frame.index, dtype="str")
    other = tree.other
    if other is not None:
        undescribed = ((first == other) | (second == other)).fillna(False) & ~described
        codes[undescribed & known] = "REASON_UNDESCRIBED"
    codes[has_second & ~has_first] = "REASON_MISMATCH"
    codes[has_first & known & has_second & ~fits] = "REASON_MISMATCH"
    codes[has_first & ~known] = "REASON_UNKNOWN"
    return codes


def _text(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame.columns:
        return pd.Series(pd.NA, index=frame.index, dtype="str")
    column = frame[name].astype("str")
    return column.where(column.str.strip() != "")
