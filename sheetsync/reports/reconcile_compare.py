"""Reconciliation as a pure step: the sheet's orders and one source's records in, differences out.

Vectorised: matching is a hash lookup per way (natural key, order_id, channel_order_id,
phone + name), amounts are compared as Arrow decimals (exact; never floats), statuses and
tracking numbers as text.  Only the differing orders become Python objects.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sheetsync.channels.apply import Reject
from sheetsync.channels.mapping import Mapping
from sheetsync.model.normalize import digits_lost
from sheetsync.model.values import format_money
from sheetsync.reports.states import CLOSED_STATES, PRE_SHIPMENT_STATES
from sheetsync.runtime import textops

KINDS: Final = ("missing_in_source", "missing_on_desk", "amount", "payment", "status", "tracking", "refund", "duplicate")
"""Every kind of difference, in the order the report lists them."""
COMPARED: Final = {"amount_payable": "amount", "amount_paid": "payment", "status": "status", "tracking_no": "tracking"}
_MONEY: Final = r"^-?\d+(?:\.\d+)?$"
_SEP: Final = "\x1f"


@dataclass(frozen=True, slots=True)
class Difference:
    """One finding.  `desk` and `other` are the two values (canonical text); `delta` is desk - other for
    amounts; `row` is the sheet row, `line` the source's file:line; `side` says where a duplicate is."""

    kind: str
    source: str | None
    order_id: str | None = None
    channel: str | None = None
    key: str | None = None
    field: str | None = None
    desk: str | None = None
    other: str | None = None
    delta: str | None = None
    row: int | None = None
    line: str | None = None
    side: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class PaymentTotal:
    """paymentDiff per channel: what the sheet says was paid (实付) against what the source says (实收)."""

    source: str
    channel: str
    orders: int
    desk_paid: str
    source_paid: str
    difference: str


@dataclass(slots=True)
class SourceRecords:
    """One source as read: one record per key (canonical text, `_where` = file:line), and what was not taken."""

    spec: str
    mapping: Mapping
    label: str
    records: pd.DataFrame
    rows_read: int = 0
    rejects: list[Reject] = field(default_factory=list)
    repeated: list[tuple[str | None, list[str]]] = field(default_factory=list)
    """Exact duplicate lines: (the key they carry, [file:line, ...])."""


@dataclass(slots=True)
class Compared:
    differences: list[Difference]
    totals: list[PaymentTotal]
    matched: int


class Desk:
    """The order table as read (canonical text, indexed by sheet row), with the lookups matching needs."""

    def __init__(self, frame: pd.DataFrame, natural_keys: dict[str, dict[str, str]]) -> None:
        self.frame = frame
        self.natural_keys = natural_keys
        ids = frame["order_id"]
        first = frame[ids.notna() & ~ids.duplicated()]
        self.by_id = first.set_index("order_id", drop=False)
        self.by_id.index.name = None
        self.row_of = pd.Series(first.index.to_numpy(), index=first["order_id"].to_numpy())
        self._lookups: dict[str, pd.Series] = {}

    def column(self, name: str) -> pd.Series:
        return self.frame[name] if name in self.frame.columns else pd.Series(pd.NA, index=self.frame.index, dtype="str")

    def natural(self, label: str, channel: str | None) -> pd.Series:
        """channel_order_id -> order_id of one channel: the journal's natural keys, then the sheet's own cells."""
        numbers = self.column("channel_order_id")  # a sheet without the column: the journal's keys alone
        mine = (self.column("channel") == label).fillna(False) & numbers.notna() & self.frame["order_id"].notna()
        from_sheet = pd.Series(self.frame.loc[mine, "order_id"].to_numpy(), index=numbers[mine].to_numpy())
        from_sheet = from_sheet[~from_sheet.index.duplicated()]
        known = self.natural_keys.get(channel or "", {})
        if not known:
            return from_sheet
        journal = pd.Series(known, dtype="str")
        return pd.concat([journal, from_sheet[~from_sheet.index.isin(journal.index)]])

    def lookup(self, way: str) -> pd.Series:
        """probe -> order_id for one way of matching (`order_id`, `channel_order_id`, `phone+customer_name`)."""
        if way not in self._lookups:
            parts = way.split("+")
            frame = self.frame[self.frame["order_id"].notna()]
            if any(p not in frame.columns for p in parts):
                self._lookups[way] = pd.Series(dtype="str")
            else:
                probes = probe(frame, way)
                table = pd.Series(frame["order_id"].to_numpy(), index=probes.to_numpy())
                table = table[table.index.notna()]
                self._lookups[way] = table[~table.index.duplicated()]
        return self._lookups[way]

    def duplicates(self) -> list[Difference]:
        """Order ids standing on several rows, and natural keys held by several orders."""
        out = []
        ids = self.frame["order_id"]
        twice = self.frame[ids.notna() & ids.duplicated(keep=False)]
        for order_id, rows in twice.groupby("order_id", sort=True).groups.items():
            out.append(Difference("duplicate", None, order_id=str(order_id), row=int(rows[0]), side="desk",
                                  field="order_id", note=", ".join(str(r) for r in rows)))
        if not {"channel", "channel_order_id"} <= set(self.frame.columns):
            return out  # a sheet without the shop's numbers holds no duplicated ones
        channel, key = self.column("channel"), self.column("channel_order_id")
        keyed = self.frame[channel.notna() & key.notna() & ids.notna()]
        keyed = keyed[keyed.duplicated(["channel", "channel_order_id"], keep=False)
                      & ~keyed.duplicated(["channel", "channel_order_id", "order_id"])]
        for (label, number), group in keyed.groupby(["channel", "channel_order_id"], sort=True):
            if group["order_id"].nunique() > 1:
                out.append(Difference("duplicate", None, order_id=", ".join(group["order_id"]), channel=str(label),
                                      key=str(number), field="channel_order_id", row=int(group.index[0]), side="desk",
                                      note=", ".join(str(r) for r in group.index)))
        return out


def probe(frame: pd.DataFrame, way: str) -> pd.Series:
    """The text each row is matched by for `way`; a masked phone (139****1847) keeps its visible digits,
    and a phone matched with a name is compared on its first 3 and last 4 digits."""
    parts = way.split("+")
    out: pd.Series | None = None
    for name in parts:
        text = frame[name].astype("str")
        if name == "phone" and len(parts) > 1:
            masked = pd.Series(textops.search(text, r"\*"), index=text.index)
            visible = text.where(masked, textops.sub(text, r"\D", ""))
            text = visible.str.slice(0, 3) + visible.str.slice(-4)
        out = text if out is None else out + _SEP + text
    assert out is not None
    return out


def compare(desk: Desk, source: SourceRecords, tolerance: Decimal,
            window: tuple[dt.datetime, dt.datetime] | None) -> Compared:
    """Every difference between the sheet and one source (see KINDS)."""
    mapping, records = source.mapping, source.records
    spec = source.spec
    if records.empty:
        records = pd.DataFrame(columns=[mapping.key, "_where"], dtype="str")
    natural = mapping.kind == "orders" and "order_id" not in mapping.fields
    matched = _match(desk, source, natural)
    out: list[Difference] = []
    found = matched.notna()
    if (~found).any():
        lost = digits_lost(records[mapping.key])
        for key, where, gone in zip(records.index[~found], records.loc[~found, "_where"], lost[~found], strict=True):
            out.append(Difference("missing_on_desk", spec, key=str(key), channel=source.label if natural else None,
                                  line=where, note="digits_lost" if gone else None))
    scope = _scope(desk, source, natural, window, records)
    missing = scope.difference(pd.Index(matched[found].unique()))
    for order_id in missing:
        row = desk.by_id.loc[order_id]
        out.append(Difference("missing_in_source", spec, order_id=str(order_id), channel=_text(row.get("channel")),
                              key=_text(row.get("channel_order_id")), row=int(desk.row_of[order_id])))
    pairs = records[found]
    ids = matched[found]
    twice = ids.duplicated(keep=False)
    for order_id, keys in pairs.index[twice].to_series().groupby(ids[twice].to_numpy(), sort=True):
        out.append(Difference("duplicate", spec, order_id=str(order_id), key=", ".join(map(str, keys)), side="source",
                              line=", ".join(pairs.loc[keys, "_where"]), row=int(desk.row_of[order_id])))
    for key, lines in source.repeated:
        order_id = matched.get(key) if key is not None else None
        out.append(Difference("duplicate", spec, order_id=_text(order_id), key=key, side="source", line=", ".join(lines),
                              note="identical_lines"))
    first = ~ids.duplicated()
    pairs, ids = pairs[first.to_numpy()], ids[first]
    theirs = pairs.set_axis(ids.to_numpy())
    ours = desk.by_id.loc[ids.to_numpy()]
    for name, kind in COMPARED.items():
        if name in mapping.fields and name in desk.frame.columns:
            out.extend(_field_differences(kind, name, ours, theirs, tolerance, spec, desk))
    totals = _totals(source, ours, theirs, desk.by_id.loc[missing], records[~found], natural) \
        if "amount_paid" in mapping.fields and "amount_paid" in desk.frame.columns else []
    return Compared(out, totals, int(first.sum()))


def compare_refunds(desk: Desk, refunded: pd.Series, source: SourceRecords, tolerance: Decimal) -> Compared:
    """The refunds of a finance export (a `kind: tickets` mapping's `refund_amount`, per order number) against the
    after-sales sheet's refunded tickets (`refunded`: order_id -> the amount refunded, canonical text), for the orders
    the export holds: a refund only one side has, or amounts apart by more than `tolerance`, is a `refund` finding."""
    records, spec = source.records, source.spec
    if records.empty or "refund_amount" not in records.columns:
        return Compared([], [], 0)
    matched = _match(desk, source, natural=False)
    out: list[Difference] = []
    given = records["refund_amount"].notna()
    lost = given & matched.isna()
    for key, line, amount in zip(records.index[lost], records.loc[lost, "_where"], records.loc[lost, "refund_amount"],
                                 strict=True):
        out.append(Difference("refund", spec, key=str(key), field="refund_amount", other=str(amount), line=str(line),
                              note="missing_on_desk"))
    held = records[matched.notna()]
    ids = matched[matched.notna()]
    theirs: dict[str, Decimal] = {}
    where: dict[str, str] = {}
    for order_id, amount, line in zip(ids, held["refund_amount"], held["_where"], strict=True):
        where.setdefault(str(order_id), str(line))
        if isinstance(amount, str):
            theirs[str(order_id)] = theirs.get(str(order_id), Decimal(0)) + Decimal(amount)
    ours = {str(k): Decimal(str(v)) for k, v in refunded.items() if str(k) in where}
    for order_id in sorted(set(theirs) | set(ours)):
        mine, other = ours.get(order_id), theirs.get(order_id)
        if mine is not None and other is not None and abs(mine - other) <= tolerance:
            continue
        both = mine is not None and other is not None
        out.append(Difference(
            "refund", spec, order_id=order_id, field="refund_amount",
            key=_text(desk.by_id.loc[order_id].get("channel_order_id")),
            desk=format_money(mine) if mine is not None else None, other=format_money(other) if other is not None else None,
            delta=format_money(mine - other) if mine is not None and other is not None else None,
            row=int(desk.row_of[order_id]), line=where[order_id],
            note=None if both else "missing_on_desk" if mine is None else "missing_in_source"))
    return Compared(out, [], len(where))


def _match(desk: Desk, source: SourceRecords, natural: bool) -> pd.Series:
    """order_id matched to each record (NA where none); an id the sheet no longer holds matches nothing."""
    records, mapping = source.records, source.mapping
    matched = pd.Series(pd.NA, index=records.index, dtype="str")
    if records.empty:
        return matched
    if natural:
        keys = records[mapping.key] if mapping.key in records.columns else pd.Series(records.index, index=records.index)
        matched = keys.map(desk.natural(source.label, _channel_name(source))).astype("str")
    else:
        for way in mapping.match:
            todo = matched.isna()
            if not todo.any():
                break
            if any(p not in records.columns for p in way.split("+")):
                continue
            probes = probe(records.loc[todo], way)
            matched[todo] = probes.map(desk.lookup(way)).astype("str")
    return matched.where(matched.isin(desk.row_of.index), pd.NA)


def _channel_name(source: SourceRecords) -> str | None:
    name, _, _ = source.spec.partition("=")
    return name


def _scope(desk: Desk, source: SourceRecords, natural: bool, window: tuple[dt.datetime, dt.datetime] | None,
           records: pd.DataFrame) -> pd.Index:
    """The sheet's orders a source must hold: none for carrier files; the channel's orders for a shop export;
    every order but the cancelled ones for a finance export; within `window`, else the dates the source covers."""
    if source.mapping.kind == "waybills":
        return pd.Index([], dtype="str")
    orders = desk.by_id
    if natural:
        known = desk.natural_keys.get(_channel_name(source) or "", {})
        mine = (orders["channel"] == source.label).fillna(False) if "channel" in orders.columns else \
            pd.Series(False, index=orders.index)
        orders = orders[mine.to_numpy() | orders.index.isin(list(known.values()))]
    elif "status" in orders.columns:
        orders = orders[~orders["status"].isin(CLOSED_STATES).to_numpy()]
    if window is None and "created_at" in records.columns and records["created_at"].notna().any():
        dates = records["created_at"].dropna()
        low = dt.datetime.fromisoformat(str(dates.min())[:10])
        window = (low, dt.datetime.fromisoformat(str(dates.max())[:10]) + dt.timedelta(days=1))
    if window is not None and "created_at" in orders.columns:
        created = orders["created_at"]
        start, end = (w.strftime("%Y-%m-%d %H:%M:%S") for w in window)
        inside = created.isna() | ((created >= start) & (created < end)).fillna(False)
        orders = orders[inside.to_numpy()]
    return orders.index


def _decimals(values: pd.Series) -> tuple[pa.Array, np.ndarray]:
    """Money text as Arrow decimals (missing as 0), and where the text is not an amount."""
    text = values.astype("str")
    good = textops.search(text, _MONEY)
    present = text.notna().to_numpy()
    scale = int(text[good].str.partition(".")[2].str.len().max()) if good.any() else 0
    arrow = pa.array(text.where(pd.Series(good, index=text.index), "0"), type=pa.string())
    return pc.cast(arrow, pa.decimal128(28, max(scale, 0))), present & ~good


def _field_differences(kind: str, name: str, ours: pd.DataFrame, theirs: pd.DataFrame, tolerance: Decimal, spec: str,
                       desk: Desk) -> list[Difference]:
    mine, other = ours[name], theirs[name]
    if kind in ("amount", "payment"):
        a, a_bad = _decimals(mine)
        b, b_bad = _decimals(other)
        delta = pc.subtract(a, b)
        far = pc.greater(pc.abs(delta), pa.scalar(tolerance, pa.decimal128(28, max(-tolerance.as_tuple().exponent, 0))))  # type: ignore[operator]
        bad = a_bad | b_bad
        differ = np.asarray(far.to_numpy(zero_copy_only=False), dtype=bool) & ~bad
        differ |= bad & (mine.to_numpy() != other.to_numpy())
        deltas = delta.to_pylist()
    else:
        if kind == "status":
            both_open = (mine.isin(PRE_SHIPMENT_STATES) & other.isin(PRE_SHIPMENT_STATES)).to_numpy()
            differ = (mine.fillna("") != other.fillna("")).to_numpy() & other.notna().to_numpy() & ~both_open
        else:
            differ = (mine.fillna("") != other.fillna("")).to_numpy()
        deltas = []
    out = []
    for i in np.flatnonzero(differ):
        order_id = ours.index[i]
        value = deltas[i] if deltas and not (a_bad[i] or b_bad[i]) else None
        out.append(Difference(kind, spec, order_id=str(order_id), channel=_text(ours["channel"].iloc[i]) if "channel" in ours
                              else None, key=_text(ours["channel_order_id"].iloc[i]) if "channel_order_id" in ours else None,
                              field=name, desk=_text(mine.iloc[i]), other=_text(other.iloc[i]),
                              delta=format_money(value) if value is not None else None,
                              row=int(desk.row_of[order_id]), line=_text(theirs["_where"].iloc[i])))
    return out


def _totals(source: SourceRecords, ours: pd.DataFrame, theirs: pd.DataFrame, missing: pd.DataFrame,
            unmatched: pd.DataFrame, natural: bool) -> list[PaymentTotal]:
    """Per channel: the sheet's 实付 of the orders in scope, the source's 实收, and the difference; a source's
    record that matches no order counts under its own label (a shop export) or under "" (a finance export)."""
    none = source.label if natural else ""
    empty = pd.Series(dtype="str")
    sides = (
        (pd.concat([_channels(ours), _channels(missing)]), pd.concat([ours["amount_paid"], missing["amount_paid"]])),
        (pd.concat([_channels(ours), pd.Series(none, index=unmatched.index, dtype="str")]),
         pd.concat([theirs["amount_paid"], unmatched["amount_paid"] if "amount_paid" in unmatched.columns else empty])),
    )
    sums: dict[str, list[Decimal]] = {}
    for side, (channels, paid) in enumerate(sides):
        if channels.empty:
            continue
        values, _ = _decimals(paid.reset_index(drop=True))
        table = pa.table({"channel": pa.array(channels.fillna("").astype(str).tolist(), pa.string()), "paid": values})
        for row in table.group_by("channel").aggregate([("paid", "sum")]).to_pylist():
            sums.setdefault(row["channel"], [Decimal(0), Decimal(0)])[side] = row["paid_sum"]
    counts = pd.concat([_channels(ours), _channels(missing), pd.Series(none, index=unmatched.index, dtype="str")])
    counted = counts.fillna("").value_counts().to_dict()
    return [PaymentTotal(source.spec, channel, int(counted.get(channel, 0)), format_money(mine), format_money(other),
                         format_money(mine - other))
            for channel, (mine, other) in sorted(sums.items())]


def _channels(frame: pd.DataFrame) -> pd.Series:
    return frame["channel"].astype("str") if "channel" in frame.columns else pd.Series(pd.NA, index=frame.index, dtype="str")


def _text(value: object) -> str | None:
    return None if value is None or value is pd.NA or (isinstance(value, float) and value != value) else str(value)
