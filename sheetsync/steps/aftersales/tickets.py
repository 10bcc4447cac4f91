"""The tickets of the after-sales sheet at the end of a run (a pure step): each gets its order's customer, channel
and shop order number where it lacks them, an anomalies cell saying what is wrong with it, and the cells the run
changed become the writes and the journal's changes.

A ticket whose order is not in the order sheet is flagged TICKET_ORDER_UNKNOWN (one without an order number
TICKET_ORDER_MISSING), never dropped; its reason is judged against the desk's tree (`reasons.py`); a cell where a
person's value stands against a shop's new word is a CONFLICT; the workflow's findings (a move not allowed, a
required field missing) join them.  The anomalies cell is recomputed every run: a ticket a person mended is clean on
the next.  Every cell written is a change the journal keeps under the ticket's id (`sheetsync history AS...`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

import pandas as pd

from sheetsync.config.reasons import ReasonTree
from sheetsync.i18n import Lang, field_said, t
from sheetsync.model.cells import KEEP, CellValue, CellWrite, Keep
from sheetsync.model.records import Anomaly, CellChange
from sheetsync.model.tickets import TICKET_DATETIMES, TICKET_MONEY
from sheetsync.model.values import among, cell_value, text_or_none
from sheetsync.steps.aftersales.reasons import reason_codes
from sheetsync.steps.diff import differs

FROM_ORDER: Final = ("customer_name", "channel", "channel_order_id")
"""A ticket's fields its order fills where the ticket lacks them."""
LEVELS: Final[dict[str, str]] = {"TICKET_ORDER_MISSING": "error", "TICKET_ORDER_UNKNOWN": "error", "CONFLICT": "warn",
                                 "REASON_UNKNOWN": "warn", "REASON_MISMATCH": "warn", "REASON_UNDESCRIBED": "warn"}


@dataclass(slots=True)
class Judged:
    """What the end of the run found: the codes by row, and each code's count."""

    levels: dict[str, str] = field(default_factory=lambda: dict(LEVELS))
    anomalies: dict[str, int] = field(default_factory=dict)
    details: dict[str, dict[int, str]] = field(default_factory=dict)
    """field -> row -> why the tool changed that cell (the order a ticket's customer came from)."""


def fill_from_orders(frame: pd.DataFrame, orders: pd.DataFrame, judged: Judged) -> None:
    """A ticket's customer, channel and shop order number, where it lacks them, from its order (in place)."""
    if "order_id" not in frame.columns or "order_id" not in orders.columns:
        return
    known = orders.dropna(subset=["order_id"]).drop_duplicates("order_id").set_index("order_id")
    order_of = frame["order_id"]
    for name in FROM_ORDER:
        if name not in frame.columns or name not in known.columns:
            continue
        given = order_of.map(known[name]) if len(known) else pd.Series(pd.NA, index=frame.index)
        fill = frame[name].isna() & given.notna()
        rows = frame.index[fill.to_numpy()]
        frame.loc[rows, name] = given[rows].astype("str")
        judged.details.setdefault(name, {}).update({int(r): str(order_of[r]) for r in rows.tolist()})


def judge(frame: pd.DataFrame, orders: pd.DataFrame, tree: ReasonTree | None,
          conflicts: Mapping[int, Sequence[tuple[str, str | None, str | None]]], found: Sequence[Anomaly], lang: Lang,
          judged: Judged) -> None:
    """Each ticket's anomalies cell (in place), in the sheet's language: `CODE what is wrong; CODE ...`."""
    order_of = frame["order_id"] if "order_id" in frame.columns else pd.Series(pd.NA, index=frame.index, dtype="str")
    known = pd.Series(among(order_of, orders["order_id"].dropna()), index=frame.index) if "order_id" in orders.columns \
        else pd.Series(False, index=frame.index)
    number = frame["channel_order_id"] if "channel_order_id" in frame.columns else \
        pd.Series(pd.NA, index=frame.index, dtype="str")
    link = pd.Series(pd.NA, index=frame.index, dtype="str")
    link[order_of.notna() & ~known] = "TICKET_ORDER_UNKNOWN"
    link[order_of.isna() & number.notna()] = "TICKET_ORDER_UNKNOWN"  # a shop's order number no order of the sheet has
    link[order_of.isna() & number.isna()] = "TICKET_ORDER_MISSING"
    reasons = reason_codes(frame, tree) if tree is not None else pd.Series(pd.NA, index=frame.index, dtype="str")
    by_row: dict[int, list[str]] = {}
    counts: dict[str, int] = {}

    def add(row: int, code: str, said: str) -> None:
        by_row.setdefault(row, []).append(f"{code} {said}")
        counts[code] = counts.get(code, 0) + 1

    for codes in (link, reasons):
        for row, code in codes.dropna().items():
            add(int(row), str(code), _said(str(code), frame, int(row), lang))
    for row, clashes in conflicts.items():
        for name, sheet, incoming in clashes:
            add(row, "CONFLICT", t("anomaly.CONFLICT", lang, field=field_said(name, lang), sheet=sheet or "",
                                   incoming=incoming or ""))
    for anomaly in found:
        add(anomaly.row, anomaly.code, anomaly.text(lang))
        judged.levels.setdefault(anomaly.code, anomaly.level)
    if "anomalies" in frame.columns:
        cells = pd.Series(pd.NA, index=frame.index, dtype="str")
        rows = [r for r in by_row if r in frame.index]
        cells.loc[rows] = ["; ".join(by_row[r]) for r in rows]
        frame["anomalies"] = cells
    judged.anomalies = dict(sorted(counts.items()))


def _said(code: str, frame: pd.DataFrame, row: int, lang: Lang) -> str:
    def cell(name: str) -> str:
        value = frame.at[row, name] if name in frame.columns else None
        return "" if value is None or pd.isna(value) else str(value)

    return t(f"anomaly.{code}", lang, order_id=cell("order_id") or cell("channel_order_id"), first=cell("reason"),
             second=cell("sub_reason"))


def ticket_writes(before: pd.DataFrame, after: pd.DataFrame, columns: Mapping[str, int],
                  sources: Mapping[str, Mapping[int, str]], details: Mapping[str, Mapping[int, str]],
                  fill_of: Callable[[str, str | None], str | Keep | None]) -> tuple[list[CellWrite], list[CellChange]]:
    """The cells the run changed (rows of `after` not in `before` are appended: each of their cells is written) as
    writes in sheet coordinates, typed by the ticket fields' kinds, and as the journal's changes: source `channel`
    with the channel's name for a cell a shop or a carrier gave, `tool` otherwise."""
    writes: list[CellWrite] = []
    changes: list[CellChange] = []
    new = after.index.difference(before.index)
    old = before.reindex(after.index)
    ids = after["ticket_id"] if "ticket_id" in after.columns else pd.Series(pd.NA, index=after.index, dtype="str")
    id_cells = ids.astype(object).where(ids.notna(), None).to_numpy()
    rows = after.index.tolist()
    for name in after.columns:
        if name not in columns:
            continue
        was = old[name] if name in old.columns else pd.Series(pd.NA, index=after.index, dtype="str")
        moved = differs(after[name].astype("str"), was.astype("str")).to_numpy()
        if not moved.any():
            continue
        news = after[name].astype(object).where(after[name].notna(), None).to_numpy()
        olds = was.astype(object).where(was.notna(), None).to_numpy()
        for at in moved.nonzero()[0].tolist():
            row, value = rows[at], text_or_none(news[at])
            painted = fill_of(str(name), value)
            if value is None and painted is KEEP and row in new:
                continue
            writes.append(CellWrite(int(row), columns[name], _typed(str(name), value), painted))
            channel = sources.get(name, {}).get(row)
            detail = channel if channel is not None else details.get(name, {}).get(row)
            changes.append(CellChange(str(id_cells[at]), str(name), None if row in new else text_or_none(olds[at]), value,
                                      "channel" if channel is not None else "tool", detail, row=int(row)))
    return writes, changes


def _typed(name: str, text: str | None) -> CellValue:
    """What a ticket's cell holds for a canonical value: amounts and times as numbers, the rest as text."""
    return cell_value(name, text, dates=TICKET_DATETIMES, money=TICKET_MONEY)
