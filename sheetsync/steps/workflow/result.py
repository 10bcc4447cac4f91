"""What `advance` returns: the table changed in place, plus findings, moves, journal details and alerts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from sheetsync.i18n import Words
from sheetsync.model.cells import KEEP
from sheetsync.model.records import Alert, Anomaly
from sheetsync.steps.diff import differs
from sheetsync.steps.workflow.approval import Approval
from sheetsync.steps.workflow.compiled import Workflow


@dataclass(frozen=True, slots=True)
class Move:
    """A status a person (or a channel) changed since the last run, and whether it stood."""

    row: int
    order_id: str | None
    old: str | None
    new: str | None
    by: Literal["tool", "person", "channel"]
    accepted: bool
    code: str | None = None


@dataclass(slots=True)
class Advanced:
    """What `advance` did; the table itself was changed in place."""

    frame: pd.DataFrame
    workflow: Workflow
    anomalies: list[Anomaly] = field(default_factory=list)
    details: dict[str, dict[int, Words]] = field(default_factory=dict)
    """field -> {row: why the workflow changed that cell}: the journal's detail of those changes."""
    moves: list[Move] = field(default_factory=list)
    """Status changes people (or channels) made since the last run, each judged."""
    moved: dict[tuple[str, str], int] = field(default_factory=dict)
    """(old, new) -> how many rows the tool moved that way (each is also in `details["status"]`)."""
    alerts: list[Alert] = field(default_factory=list)
    unlocks_used: list[str] = field(default_factory=list)
    levels: pd.Series | None = None
    """The SLA level of every row (-1 none, 0 ok, 1 warn, 2 breach, 3 critical)."""
    calm_hours: float | None = 0.0
    """Hours until the clock alone changes a cell (an SLA level; None: never): the untouched run's horizon.  0 when the
    workflow's conditions read the clock themselves (`hours_in_state > 4`): every run must look."""
    approval: Approval | None = None
    """Tier, signatures needed and valid, per row position (live rows; others need none)."""
    original: dict[str, pd.Series] = field(default_factory=dict)
    conflicts: list[tuple[str | None, str, str]] = field(default_factory=list)
    """(order_id, the desk's status, the channel's) where a channel's news contradicts the order: a CONFLICT flag."""

    @property
    def fills(self) -> dict[tuple[int, str], str | None]:
        """(row, field) -> fill for the status and sla cells this run changed (colours of `Workflow.fill_of`)."""
        out: dict[tuple[int, str], str | None] = {}
        for name, before in self.original.items():
            after = self.frame[name]
            for row, value in after[differs(before, after).to_numpy()].items():
                fill = self.workflow.fill_of(name, None if pd.isna(value) else str(value))
                if fill is not KEEP:
                    out[(int(row), name)] = fill  # type: ignore[assignment]
        return out
