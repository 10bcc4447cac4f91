"""The records every layer exchanges: a cell change, a flag, an anomaly, an alert, a history entry.

Steps make them, the journal stores them, the CLI and reports show them; none of those layers
is imported here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, NamedTuple

from sheetsync.i18n import Lang, Words, render, t

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True, slots=True)
class CellChange:
    """One changed cell of one order, old -> new: who made it (`source`: tool, rule, channel, person) and
    why (`detail`: a transition, a channel's name, a signer).  `row` is the sheet row where the run found
    it, for the report; the journal keeps changes by order_id alone.  Field `*` is an order's creation."""

    order_id: str
    field: str
    old: str | None
    new: str | None
    source: str
    detail: str | None = None
    row: int | None = None


@dataclass(frozen=True, slots=True)
class Flag:
    """An anomaly that stays on its order until it is resolved or a person acknowledges it."""

    order_id: str
    code: str
    field: str | None
    sheet_value: str | None
    other_value: str | None
    id: int = 0


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    run_id: int
    at: str
    command: str
    field: str
    old: str | None
    new: str | None
    source: str
    detail: str | None


Level = Literal["error", "warn", "info"]


@dataclass(frozen=True, slots=True)
class Anomaly:
    """A problem found on one row: its code, the column it is about, its level, and what to tell a person,
    as words rendered in the desk's language where the anomaly is shown or written (`text`)."""

    row: int
    order_id: str | None
    code: str
    column: str | None
    message: Words
    level: Level

    def text(self, lang: Lang) -> str:
        return render(self.message, lang)


class Alert(NamedTuple):
    """One thing to tell `target` about one order; `key` is what makes it sent once (a tuple: a
    first run on a large backlog makes hundreds of thousands of them)."""

    order_id: str
    level: str
    """An SLA level (warn, breach, critical), `move` for a transition's notify, or a check's code."""
    state: str
    target: str
    detail: Words = ""
    """The state moved from (`move`), or the check's message."""
    hours: float | None = None
    """Hours in the state (SLA levels)."""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.order_id, self.level, self.state)

    def text(self, lang: Lang) -> str:
        """The alert's line in a message."""
        if self.level in ("warn", "breach", "critical"):
            hours = "-" if self.hours is None or self.hours != self.hours else f"{self.hours:.1f}"
            return t("alert.sla", lang, order_id=self.order_id, state=self.state, level=t(f"sla.{self.level}", lang), hours=hours)
        if self.level == "move":
            return t("alert.move", lang, order_id=self.order_id, old=render(self.detail, lang), new=self.state)
        return t("alert.check", lang, order_id=self.order_id, state=self.state, code=self.level,
                 message=render(self.detail, lang))


@dataclass(frozen=True, slots=True)
class Unlock:
    order_id: str
    by: str
    reason: str
    id: int = 0


@dataclass(slots=True)
class WorkflowHistory:
    """The journal's part in one `advance`."""

    earlier_orders: pd.DataFrame | None = None
    """Orders the journal knows that are no longer in the table (columns order_id, customer_id,
    phone, created_at as canonical text): a customer with one of them is not a first-time customer."""
    unlocks: Mapping[str, Unlock] = field(default_factory=dict)
    """order_id -> its open unlock."""
    alerts_sent: set[tuple[str, str, str]] = field(default_factory=set)
    """(order_id, level, state) of every alert already delivered."""


def anomaly_cells(index: pd.Index, anomalies: Iterable[Anomaly], lang: Lang) -> pd.Series:
    """The anomalies cell of every row, in the desk's language: `CODE message; CODE2 message`, NA where there
    is none.  A message said many times (a phone number that is not one, on 10,000 rows) is rendered once."""
    import pandas as pd  # here: the records are read by the untouched run, which loads no pandas

    rendered: dict[int, str] = {}
    by_row: dict[int, list[str]] = {}
    for a in anomalies:
        said = rendered.get(id(a.message))
        if said is None:
            said = rendered[id(a.message)] = a.text(lang)
        by_row.setdefault(a.row, []).append(f"{a.code} {said}")
    cells = pd.Series(pd.NA, index=index, dtype="str")
    if by_row:
        rows = [r for r in by_row if r in index]
        cells.loc[rows] = ["; ".join(by_row[r]) for r in rows]
    return cells


def anomaly_codes(text: str | None) -> set[str]:
    """The anomaly anomaly_codes in an anomalies cell's text."""
    return {part.split(" ", 1)[0] for part in (text or "").split("; ") if part}


@dataclass(frozen=True, slots=True)
class TicketMemory:
    """What the journal keeps of the after-sales sheet's tickets, for a run's pure steps."""

    rows: Mapping[str, Mapping[str, str | None]] = field(default_factory=dict)
    """ticket_id -> its row as the sheet held it after the last run (what a person changed since is the difference)."""
    said: Mapping[str, Mapping[str, str | None]] = field(default_factory=dict)
    """ticket_id -> what its shop last said, field by field (the three-way merge's base)."""
    keys: Mapping[tuple[str, str], str] = field(default_factory=dict)
    """(channel name, the shop's after-sales number) -> ticket_id, of every ticket a shop ever brought."""
