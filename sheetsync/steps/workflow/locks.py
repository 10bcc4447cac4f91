"""Address locks: from the workflow's lock state on, a change to the locked fields is put back, unless unlocked."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from sheetsync.i18n import Words, field_word, text
from sheetsync.model.records import Anomaly, Unlock
from sheetsync.steps.diff import differs
from sheetsync.steps.workflow.compiled import Workflow


@dataclass(slots=True)
class LockOutcome:
    anomalies: list[Anomaly] = field(default_factory=list)
    details: dict[str, dict[int, Words]] = field(default_factory=dict)
    """field -> {row: why}: cells put back, and cells kept under an unlock."""
    unlocks_used: list[str] = field(default_factory=list)


def enforce_locks(work: pd.DataFrame, previous: pd.DataFrame, workflow: Workflow,
                  unlocks: Mapping[str, Unlock]) -> LockOutcome:
    """Put back locked fields that changed since the last run on rows whose status then was a lock state.

    `previous` holds the rows that changed since the last run (see `advance`)."""
    out = LockOutcome()
    fields = [f for f in workflow.lock_fields if f in work.columns and f in previous.columns]
    if not fields or "status" not in previous.columns or previous.empty:
        return out
    locked = previous.index[previous["status"].isin(list(workflow.lock_states)).fillna(False).to_numpy()]
    if not len(locked):
        return out
    before = previous.loc[locked]
    now = work.loc[locked]
    used: set[str] = set()
    for name in fields:
        changed = differs(now[name], before[name])
        for row in changed.index[changed.to_numpy()]:
            order_id = work.at[row, "order_id"] if "order_id" in work.columns else None
            unlock = unlocks.get(order_id) if isinstance(order_id, str) else None
            if unlock is not None:
                used.add(unlock.order_id)
                out.details.setdefault(name, {})[int(row)] = text("workflow.unlocked", by=unlock.by, reason=unlock.reason)
                continue
            typed = now.at[row, name]
            work.at[row, name] = before.at[row, name]
            state = previous.at[row, "status"]
            restored = before.at[row, name]
            out.details.setdefault(name, {})[int(row)] = text("workflow.put_back", code="ADDR_LOCKED",
                                                           old="" if pd.isna(restored) else restored)
            out.anomalies.append(Anomaly(int(row), order_id if isinstance(order_id, str) else None, "ADDR_LOCKED", name,
                                         text("anomaly.ADDR_LOCKED", state=state, field=field_word(name),
                                           typed="" if pd.isna(typed) else typed), "error"))
    out.unlocks_used = sorted(used)
    return out
