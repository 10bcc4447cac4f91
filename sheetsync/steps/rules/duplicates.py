"""DUP_CHANNEL_ORDER: one channel order on two or more rows, flagged on every one of them."""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from sheetsync.i18n import Text, text
from sheetsync.model.records import Level
from sheetsync.steps.rules.findings import Columns, Findings, field_name, join

SHOWN_ROWS: Final = 5
"""The other rows a message names; beyond these it says how many more."""


def findings(cols: Columns, level: Level) -> list[Findings]:
    """Rows sharing (channel, channel_order_id); an empty channel_order_id is never a duplicate."""
    if "channel_order_id" not in cols:
        return []
    frame = cols.frame
    ids = frame["channel_order_id"]
    channel = frame["channel"] if "channel" in cols else pd.Series(pd.NA, index=frame.index, dtype="str")
    k1, u1 = pd.factorize(channel, use_na_sentinel=True)
    k2, _ = pd.factorize(ids, use_na_sentinel=True)
    key = k2.astype(np.int64) * (len(u1) + 1) + (k1.astype(np.int64) + 1)
    key[cols.blank("channel_order_id")] = -1  # also NA ids: k2 = -1 makes their key negative
    groups, _ = pd.factorize(key)
    counts = np.bincount(groups)
    dup = (counts[groups] > 1) & (key >= 0)
    positions = np.flatnonzero(dup)
    if not len(positions):
        return []
    order = positions[np.argsort(groups[positions], kind="stable")]
    labels = frame.index.to_numpy()
    messages = np.empty(len(frame), dtype=object)
    sorted_groups = groups[order]
    bounds = np.flatnonzero(np.diff(sorted_groups)) + 1
    for members in np.split(order, bounds):
        first = members[0]
        name = channel.iloc[first]
        channel_text = field_name("channel") if pd.isna(name) else str(name)
        rows = labels[members].tolist()
        for position, row in zip(members.tolist(), rows, strict=True):
            others = [str(r) for r in rows[: SHOWN_ROWS + 1] if r != row][:SHOWN_ROWS]
            shown: Text = text("rule.row" if len(rows) == 2 else "rule.rows", rows=join(others))
            if len(rows) - 1 > SHOWN_ROWS:
                shown = text("rule.more_rows", rows=shown, n=len(rows) - 1 - SHOWN_ROWS)
            messages[position] = text("rule.DUP_CHANNEL_ORDER", channel=channel_text, value=ids.iloc[first], rows=shown)
    return [Findings(positions, "DUP_CHANNEL_ORDER", "channel_order_id", messages[positions], level)]
