"""The tickets of the after-sales sheet in one run (a pure step): each gets its id, its order's customer, channel
and shop order number where the ticket lacks them, and its anomalies cell says what is wrong with it.

A ticket a person typed without an id gets one (`AS{YYYYMMDD}-{seq:04d}`), as a hand-typed order does.  A ticket
whose order is not in the order sheet is flagged TICKET_ORDER_UNKNOWN (one without an order number
TICKET_ORDER_MISSING), never dropped; its reason is judged against the desk's tree (`reasons.py`).  The anomalies
cell is recomputed every run: a ticket a person mended is clean on the next.  Every cell it writes is a change the
journal keeps under the ticket's id (`sheetsync history AS...`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final

import pandas as pd

from sheetsync.config.reasons import ReasonTree
from sheetsync.i18n import Lang, t
from sheetsync.model.cells import CellWrite
from sheetsync.model.records import CellChange
from sheetsync.steps.aftersales.reasons import reason_codes
from sheetsync.steps.anomalies import fill_for

FROM_ORDER: Final = ("customer_name", "channel", "channel_order_id")
"""A ticket's fields its order fills where the ticket lacks them."""
LEVELS: Final[dict[str, str]] = {"TICKET_ORDER_MISSING": "error", "TICKET_ORDER_UNKNOWN": "error",
                                 "REASON_UNKNOWN": "warn", "REASON_MISMATCH": "warn", "REASON_UNDESCRIBED": "warn"}


@dataclass(slots=True)
class TicketDecision:
    """What the step decided for the after-sales sheet."""

    writes: list[CellWrite] = field(default_factory=list)
    changes: list[CellChange] = field(default_factory=list)
    assigned: list[str] = field(default_factory=list)
    anomalies: dict[str, int] = field(default_factory=dict)
    """Tickets flagged, by code."""


def decide_tickets(tickets: pd.DataFrame, columns: Mapping[str, int], orders: pd.DataFrame, tree: ReasonTree | None,
                   make_ids: Callable[[int], list[str]], lang: Lang) -> TicketDecision:
    """`tickets`: the ticket table (canonical text, indexed by sheet row) whose fields sit in `columns` (field ->
    sheet column); `orders`: the order table after this run's steps.  `lang`: the sheet's language."""
    out = TicketDecision()
    if tickets.empty:
        return out
    frame = tickets.copy()
    ids = frame["ticket_id"] if "ticket_id" in frame.columns else pd.Series(pd.NA, index=frame.index, dtype="str")
    missing = ids.isna()
    if missing.any():
        made = make_ids(int(missing.sum()))
        for row, ticket_id in zip(frame.index[missing].tolist(), made, strict=True):
            _set(out, frame, columns, row, "ticket_id", ticket_id, ticket_id, None)
            out.assigned.append(ticket_id)
    known = orders.dropna(subset=["order_id"]).drop_duplicates("order_id").set_index("order_id") \
        if "order_id" in orders.columns else pd.DataFrame()
    order_of = frame["order_id"] if "order_id" in frame.columns else pd.Series(pd.NA, index=frame.index, dtype="str")
    for name in FROM_ORDER:
        if name not in columns or name not in known.columns:
            continue
        current = frame[name] if name in frame.columns else pd.Series(pd.NA, index=frame.index, dtype="str")
        given = order_of.map(known[name]) if len(known) else pd.Series(pd.NA, index=frame.index)
        fill = current.isna() & given.notna()
        for row in frame.index[fill].tolist():  # the detail names the order it came from
            _set(out, frame, columns, row, name, str(given[row]), str(frame.at[row, "ticket_id"]), str(order_of[row]))
    link = pd.Series(pd.NA, index=frame.index, dtype="str")
    link[order_of.notna() & ~order_of.isin(known.index)] = "TICKET_ORDER_UNKNOWN"
    link[order_of.isna()] = "TICKET_ORDER_MISSING"
    reasons = reason_codes(frame, tree) if tree is not None else pd.Series(pd.NA, index=frame.index, dtype="str")
    codes = {row: [str(c) for c in (link[row], reasons[row]) if not pd.isna(c)] for row in frame.index.tolist()}
    if "anomalies" in columns:
        _flag(out, frame, columns, codes, lang)
    counted = pd.concat([link.dropna(), reasons.dropna()]).value_counts().sort_index()
    out.anomalies = {str(k): int(v) for k, v in counted.items()}
    return out


def _flag(out: TicketDecision, frame: pd.DataFrame, columns: Mapping[str, int], codes: Mapping[int, list[str]],
          lang: Lang) -> None:
    """Each ticket's anomalies cell: `CODE what is wrong; CODE ...` in the sheet's language, filled by the worst
    level (red for an error, yellow for a warning)."""
    current = frame["anomalies"] if "anomalies" in frame.columns else pd.Series(pd.NA, index=frame.index, dtype="str")
    for row in frame.index.tolist():
        found = codes[row]
        text = "; ".join(f"{code} {_said(code, frame, row, lang)}" for code in found) or None
        before = current[row]
        if (None if pd.isna(before) else str(before)) == text:
            continue
        fill = fill_for(text, LEVELS)
        out.writes.append(CellWrite(int(row), columns["anomalies"], text, fill))
        out.changes.append(CellChange(str(frame.at[row, "ticket_id"]), "anomalies",
                                      None if pd.isna(before) else str(before), text, "tool", row=int(row)))


def _said(code: str, frame: pd.DataFrame, row: int, lang: Lang) -> str:
    def cell(name: str) -> str:
        value = frame.at[row, name] if name in frame.columns else None
        return "" if value is None or pd.isna(value) else str(value)

    return t(f"anomaly.{code}", lang, order_id=cell("order_id"), first=cell("reason"), second=cell("sub_reason"))


def _set(out: TicketDecision, frame: pd.DataFrame, columns: Mapping[str, int], row: int, name: str, value: str,
         ticket_id: str, detail: str | None) -> None:
    if name not in columns:
        return
    old = frame.at[row, name] if name in frame.columns else None
    frame.loc[row, name] = value
    out.writes.append(CellWrite(int(row), columns[name], value))
    out.changes.append(CellChange(ticket_id, name, None if old is None or pd.isna(old) else str(old), value, "tool",
                                  detail, row=int(row)))
