"""Work queues: the open orders of each group, in the order a warehouse lead works them.

Breached orders first (critical and breach), then by the time left to promised_by (the least
first; none last), then by priority class (红/A/high before 黄/B/normal before 绿/C/low), then by
level and order_id.  The SLA is graded at `now` from the table as it is: nothing is moved.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd

from sheetsync.conditions import evaluate
from sheetsync.steps.workflow import sla as sla_step
from sheetsync.steps.workflow.compiled import Workflow
from sheetsync.steps.workflow.derive import hours_between, moment, times

PRIORITY: Final[dict[str, int]] = {
    **dict.fromkeys(("红", "a", "high", "高", "urgent", "加急", "p1", "急", "急件", "紧急", "是", "y", "yes", "√", "✓",
                     "rush"), 0),  # the last ones: a 急件标 column's mark
    **dict.fromkeys(("黄", "b", "normal", "中", "medium", "p2"), 1),
    **dict.fromkeys(("绿", "c", "low", "低", "p3"), 2),
}


@dataclass(frozen=True, slots=True)
class QueueEntry:
    row: int
    order_id: str | None
    status: str
    sla: str
    level: int
    hours_left: float | None
    """Hours to promised_by (negative: past it); None without a promise."""
    priority: str | None
    hours_in_state: float | None
    customer: str | None = None
    """Who ordered it and the shop's order number: how a person finds the order (an SS id alone says little)."""
    shop_order: str | None = None


@dataclass(slots=True)
class QueueGroup:
    name: str | None
    entries: list[QueueEntry] = field(default_factory=list)
    unknown: bool = False
    """The orders whose status is no state of the workflow (STATE_UNKNOWN): open or not, nobody knows; listed first."""

    def to_dict(self) -> dict[str, Any]:
        return {"group": self.name, "unknown": self.unknown, "orders": [asdict(e) for e in self.entries]}


def priority_rank(value: object) -> int:
    return PRIORITY.get(str(value).strip().lower(), 3) if isinstance(value, str) else 3


def work_queues(frame: pd.DataFrame, workflow: Workflow, now: dt.datetime, group: str | None = None) -> list[QueueGroup]:
    """The open orders of `frame` by group (`workflow.group_by`), each group sorted; only `group` if given."""
    if "status" not in frame.columns or frame.empty:
        return []
    n = len(frame)
    names = [s.name for s in workflow.states]
    codes = np.asarray(pd.Index(names, dtype=object).get_indexer(frame["status"]), dtype="int64")
    final = np.array([s.final for s in workflow.states] + [True])
    open_rows = ~final[np.where(codes < 0, len(names), codes)]
    at = moment(now)
    in_state = hours_between(at, times(frame.get("status_since"), n))
    since_created = hours_between(at, times(frame.get("created_at"), n))
    to_promise = hours_between(times(frame.get("promised_by"), n), at)
    conditions = [s.sla.when for s in workflow.states if s.sla and s.sla.when]
    hits = evaluate(frame, conditions) if conditions else pd.DataFrame(index=frame.index)
    level = sla_step.levels(codes, workflow, in_state=in_state, since_created=since_created, to_promise=to_promise,
                            when={c.name: hits[c.name].to_numpy() for c in conditions})
    groups_of = frame[workflow.group_by] if workflow.group_by in frame.columns else pd.Series(pd.NA, index=frame.index)
    picked = np.flatnonzero(open_rows)
    if group is not None:
        picked = picked[(groups_of.iloc[picked] == group).fillna(False).to_numpy()]
    texts = sla_step.texts(np.maximum(level, 0), workflow)
    priority = frame["priority"] if "priority" in frame.columns else pd.Series(pd.NA, index=frame.index)
    by_group: dict[str | None, list[tuple[tuple[Any, ...], QueueEntry]]] = {}
    for pos in picked:
        left = None if math.isnan(to_promise[pos]) else round(float(to_promise[pos]), 2)
        stay = None if math.isnan(in_state[pos]) else round(float(in_state[pos]), 2)
        prio = priority.iat[pos]
        oid = frame["order_id"].iat[pos] if "order_id" in frame.columns else None
        entry = QueueEntry(int(frame.index[pos]), oid if isinstance(oid, str) else None, str(frame["status"].iat[pos]),
                           str(texts[pos]), int(max(level[pos], 0)), left, prio if isinstance(prio, str) else None, stay,
                           *_who(frame, pos))
        key = (0 if entry.level >= sla_step.BREACH else 1, math.inf if left is None else left, priority_rank(prio),
               -entry.level, entry.order_id or "")
        name = groups_of.iat[pos]
        by_group.setdefault(name if isinstance(name, str) else None, []).append((key, entry))
    ordered = sorted(by_group.items(), key=lambda item: (item[0] is None, item[0] or ""))
    groups = [QueueGroup(name, [entry for _, entry in sorted(items, key=lambda pair: pair[0])]) for name, items in ordered]
    unknown = np.flatnonzero((codes < 0) & frame["status"].notna().to_numpy())
    if len(unknown) and group is None:
        oids = frame["order_id"] if "order_id" in frame.columns else pd.Series(None, index=frame.index)
        entries = [QueueEntry(int(frame.index[p]), oids.iat[p] if isinstance(oids.iat[p], str) else None,
                              str(frame["status"].iat[p]), "", 0, None,
                              priority.iat[p] if isinstance(priority.iat[p], str) else None, None, *_who(frame, p))
                   for p in unknown]
        groups.insert(0, QueueGroup("STATE_UNKNOWN", entries, unknown=True))
    return groups


def _who(frame: pd.DataFrame, pos: int | np.integer) -> tuple[str | None, str | None]:
    """(customer, the shop's order number) of the order at `pos`, where the sheet has them."""
    found = []
    for name in ("customer_name", "channel_order_id"):
        value = frame[name].iat[pos] if name in frame.columns else None
        found.append(value if isinstance(value, str) and value else None)
    return found[0], found[1]
