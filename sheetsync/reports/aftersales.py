"""The after-sales part of `sheetsync report`: return rates, reasons, time to close, tickets past their SLA (a pure
step over the ticket and order tables and the journal's ticket moves).

- return rate: the tickets applied for in the period against the orders shipped in it (`shipped_at`), overall and
  by channel, by SKU (a ticket counts for every SKU of its order) and by warehouse (its order's);
- reasons: the tickets of the period by first level and by (first, second) level, and the share of "other" (the
  tree's `other`, at either level: what the tree fails to say);
- time to close: from a ticket's application (`created_at`, else when the journal first saw it) to the first time it
  reached a done state (refunded, exchanged, resent, repaired, closed, rejected), for tickets done in the period:
  median and p90 in hours.  A ticket a shop brought already done counts from its application to that run;
- open tickets, and those past their SLA now (the `sla` cell the workflow keeps);
- the money refunded: the refund amounts of tickets done as refunded in the period.
Percentiles interpolate linearly, as the order KPIs' do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

import numpy as np
import pandas as pd

from sheetsync.journal.kpi_history import times
from sheetsync.model.values import format_money, parse_money
from sheetsync.reports.states import SLA_BREACH

DONE_KEYS: Final = frozenset({"refunded", "exchanged", "resent", "repaired", "closed", "rejected"})
"""The ticket state keys of a ticket whose after-sales is over: its time to close ends on entering one."""
TOP: Final = 10


@dataclass(frozen=True, slots=True)
class ReturnRate:
    group: str
    tickets: int
    orders: int
    """Orders shipped in the period (of the group)."""
    rate: float | None


@dataclass(frozen=True, slots=True)
class ReasonShare:
    reason: str
    sub_reason: str | None
    """None: the first level's own line (every ticket of it)."""
    tickets: int
    share: float
    """Of the period's tickets."""
    rate: float | None = None
    """The return rate of the reason: its tickets / the orders shipped in the period."""


@dataclass(slots=True)
class AftersalesReport:
    tickets: int = 0
    shipped: int = 0
    rate: float | None = None
    by_channel: list[ReturnRate] = field(default_factory=list)
    by_sku: list[ReturnRate] = field(default_factory=list)
    by_warehouse: list[ReturnRate] = field(default_factory=list)
    reasons: list[ReasonShare] = field(default_factory=list)
    other_share: float | None = None
    closed: int = 0
    close_median_hours: float | None = None
    close_p90_hours: float | None = None
    open: int = 0
    past_sla: int = 0
    refunded: str = "0"
    """The money refunded in the period (canonical text)."""
    cannot: dict[str, list[str]] = field(default_factory=dict)
    """The figures the sheets cannot give, with the fields they lack (`return_rate`: shipped_at)."""


def build_aftersales(tickets: pd.DataFrame, orders: pd.DataFrame, moves: pd.DataFrame,
                     key_of: Callable[[object], str | None], other: str | None, start: dt.datetime,
                     end: dt.datetime) -> AftersalesReport:
    """`tickets` and `orders`: the two tables (canonical text); `moves`: the journal's ticket changes (ticket_id, at,
    field, new: its first change, and every status change) in the order made; `key_of(status)`: the ticket state key a
    status means; `other`: the reason tree's "other".  [start, end) is the period."""
    out = AftersalesReport()
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    first_seen = moves.groupby("ticket_id", sort=False)["at"].min() if len(moves) else pd.Series(dtype="datetime64[ns]")
    ids = tickets["ticket_id"] if "ticket_id" in tickets.columns else pd.Series(pd.NA, index=tickets.index, dtype="str")
    applied = times(tickets["created_at"]) if "created_at" in tickets.columns else pd.Series(pd.NaT, index=tickets.index)
    seen = pd.to_datetime(ids.map(first_seen.to_dict()), errors="coerce") if len(first_seen) else pd.NaT
    applied = applied.fillna(seen) if len(first_seen) else applied
    period = tickets[((applied >= lo) & (applied < hi)).to_numpy()]
    out.tickets = len(period)
    _rates(out, period, orders, lo, hi)
    _reasons(out, period, other, out.shipped if "return_rate" not in out.cannot else 0)
    keys = tickets["status"].map(key_of) if "status" in tickets.columns else pd.Series(None, index=tickets.index)
    open_ = tickets[keys.notna().to_numpy() & ~keys.isin(list(DONE_KEYS)).to_numpy()]
    out.open = len(open_)
    if "sla" in tickets.columns:
        out.past_sla = int(open_["sla"].astype("str").str.contains(SLA_BREACH, regex=True, na=False).sum())
    _closing(out, tickets, applied, moves, key_of, lo, hi)
    return out


def _rates(out: AftersalesReport, period: pd.DataFrame, orders: pd.DataFrame, lo: pd.Timestamp, hi: pd.Timestamp) -> None:
    if "shipped_at" not in orders.columns:
        out.cannot["return_rate"] = ["shipped_at"]
        return
    shipped_at = times(orders["shipped_at"])
    shipped = orders[((shipped_at >= lo) & (shipped_at < hi)).to_numpy()]
    out.shipped = len(shipped)
    out.rate = _rate(out.tickets, out.shipped)
    known = orders.dropna(subset=["order_id"]).drop_duplicates("order_id").set_index("order_id") \
        if "order_id" in orders.columns else pd.DataFrame()
    order_of = period["order_id"] if "order_id" in period.columns else pd.Series(pd.NA, index=period.index, dtype="str")

    def of_order(name: str) -> pd.Series:
        return order_of.map(known[name]) if name in known.columns else pd.Series(pd.NA, index=period.index)

    channel = period["channel"].fillna(of_order("channel")) if "channel" in period.columns else of_order("channel")
    out.by_channel = _grouped(channel, shipped["channel"] if "channel" in shipped.columns else None)
    out.by_warehouse = _grouped(of_order("warehouse"), shipped["warehouse"] if "warehouse" in shipped.columns else None)
    if "items" in known.columns:
        ticket_skus = _skus(of_order("items"))
        order_skus = _skus(shipped["items"]) if "items" in shipped.columns else pd.Series(dtype="str")
        out.by_sku = _grouped(ticket_skus, order_skus)[:TOP]


def _grouped(tickets: pd.Series, shipped: pd.Series | None) -> list[ReturnRate]:
    """Per group: tickets, orders shipped, the rate; the groups with tickets, most tickets first."""
    counts = tickets.dropna().astype(str).value_counts()
    base = shipped.dropna().astype(str).value_counts() if shipped is not None else pd.Series(dtype="int64")
    rows = [ReturnRate(str(g), int(n), int(base.get(g, 0)), _rate(int(n), int(base.get(g, 0))))
            for g, n in counts.items()]
    return sorted(rows, key=lambda r: (-r.tickets, r.group))


def _skus(items: pd.Series) -> pd.Series:
    """The SKUs of each items cell (`SKU×qty; SKU 名称×qty`), one row each, indexed as `items` (a cell's SKU once)."""
    parts = items.dropna().astype(str).str.split(r"[;；]\s*").explode().str.strip()
    found = pd.DataFrame({"row": parts.index, "sku": parts.str.extract(r"^([^\s×xX*]+)", expand=False).to_numpy()})
    found = found.dropna().drop_duplicates()
    return pd.Series(found["sku"].to_numpy(), index=found["row"].to_numpy(), dtype="str")


def _reasons(out: AftersalesReport, period: pd.DataFrame, other: str | None, shipped: int) -> None:
    if "reason" not in period.columns or not len(period):
        return
    first = period["reason"]
    second = period["sub_reason"] if "sub_reason" in period.columns else pd.Series(pd.NA, index=period.index)
    total = len(period)
    rows: list[ReasonShare] = []
    for reason, n in first.dropna().astype(str).value_counts().items():
        rows.append(ReasonShare(str(reason), None, int(n), round(int(n) / total, 4), _rate(int(n), shipped)))
        below = second[(first == reason).to_numpy()].dropna().astype(str).value_counts()
        rows += [ReasonShare(str(reason), str(s), int(m), round(int(m) / total, 4), _rate(int(m), shipped))
                 for s, m in below.items()]
    out.reasons = rows
    if other is not None:
        said_other = ((first == other) | (second == other)).fillna(False)
        out.other_share = round(int(said_other.sum()) / total, 4)


def _closing(out: AftersalesReport, tickets: pd.DataFrame, applied: pd.Series, moves: pd.DataFrame,
             key_of: Callable[[object], str | None], lo: pd.Timestamp, hi: pd.Timestamp) -> None:
    if not len(moves) or "ticket_id" not in tickets.columns:
        return
    status = moves[(moves["field"] == "status").to_numpy()]
    done = status[status["new"].map(key_of).isin(list(DONE_KEYS)).to_numpy()]
    closed_at = done.groupby("ticket_id", sort=False)["at"].min()
    ids = tickets["ticket_id"]
    at = pd.to_datetime(ids.map(closed_at.to_dict()), errors="coerce")
    mine = at.notna() & (at >= lo) & (at < hi)
    hours = ((at[mine] - applied[mine]).dt.total_seconds() / 3600).dropna()
    hours = hours[hours >= 0]
    out.closed = int(mine.sum())
    if len(hours):
        out.close_median_hours = round(float(np.median(hours)), 1)
        out.close_p90_hours = round(float(np.quantile(hours, 0.9)), 1)
    if "refund_amount" in tickets.columns and "status" in tickets.columns:
        refunded = tickets[mine.to_numpy() & (tickets["status"].map(key_of) == "refunded").to_numpy()]
        total = sum((parse_money(v) or Decimal(0) for v in refunded["refund_amount"].dropna()), Decimal(0))
        out.refunded = format_money(total)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
