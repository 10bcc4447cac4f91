"""Bringing what the channels pulled into the table: match by natural key, merge, append, account.

Orders are matched by (channel, channel_order_id): first through the journal's natural keys
(robust to a renamed label), then by the sheet's own channel and channel_order_id cells
(orders typed in before sheetsync was adopted).  Known orders go through the three-way merge;
new ones are appended with a new order_id; an order a person deleted is never re-created.
Waybills are matched by order_id, channel_order_id, or receiver phone and name (a masked
phone matches on its visible digits).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pandas as pd

from .fields import FIELDS, Owner
from .journal import Journal
from .steps.merge import Conflict, merge

CHANNEL_FIELDS = tuple(f for f, (_, owner) in FIELDS.items() if owner in (Owner.CHANNEL, Owner.LOGISTICS, Owner.TOOL_PERSON,
                                                                          Owner.RULE_PERSON))
"""Fields a channel may write: never a person's own (`note`, `priority`), never the tool's."""
WAYBILL_FIELDS = ("carrier", "tracking_no", "shipped_at", "delivered_at")
SHIPPED = re.compile(r"已发货|已完成|已签收|Shipped|Done", re.IGNORECASE)


@dataclass(slots=True)
class Incorporated:
    """What the pulls did to the working table."""

    sources: dict[tuple[int, str], str] = field(default_factory=dict)
    appended: list[int] = field(default_factory=list)
    natural_keys: list[tuple[str, str, str]] = field(default_factory=list)
    merge_base: dict[tuple[str, str], str | None] = field(default_factory=dict)
    conflicts: list[tuple[str, Conflict]] = field(default_factory=list)
    tracking_changed: list[tuple[str, str, str]] = field(default_factory=list)
    not_recreated: list[str] = field(default_factory=list)
    unmatched_waybills: list[dict[str, str | None]] = field(default_factory=list)
    outcome: dict[tuple[int, str], str] = field(default_factory=dict)


def incorporate(work: pd.DataFrame, pulls: Iterable[object], journal: Journal, snapshot: Callable[[list[str]], dict],
                make_ids: Callable[[int], list[str]], last_row: int, deleted: set[str]) -> tuple[pd.DataFrame, Incorporated]:
    """Merge every pull into `work` (the run's working table); returns the grown table and an account."""
    from .channels.base import Pulled

    out = Incorporated()
    next_row = max(last_row, int(work.index.max()) if len(work) else last_row)
    for index, pulled in enumerate(pulls):
        assert isinstance(pulled, Pulled)
        if pulled.records.empty:
            continue
        if pulled.mapping.kind == "waybills":
            work = _waybills(work, pulled, index, journal, snapshot, out)
            continue
        work, next_row = _orders(work, pulled, index, journal, snapshot, make_ids, next_row, deleted, out)
    return work, out


def _orders(work: pd.DataFrame, pulled: object, index: int, journal: Journal, snapshot: Callable[[list[str]], dict],
            make_ids: Callable[[int], list[str]], next_row: int, deleted: set[str],
            out: Incorporated) -> tuple[pd.DataFrame, int]:
    from .channels.base import Pulled

    assert isinstance(pulled, Pulled)
    name, label = pulled.config.name, pulled.label
    records = pulled.records
    row_of_id = {oid: row for row, oid in work["order_id"].items() if isinstance(oid, str)}
    known = journal.natural_keys(name)
    by_sheet: dict[str, int] = {}
    if "channel_order_id" in work.columns and "channel" in work.columns:
        mine = work[(work["channel"] == label) & work["channel_order_id"].notna()]
        by_sheet = dict(zip(mine["channel_order_id"], mine.index, strict=True))
    existing: dict[str, int] = {}
    new_keys: list[str] = []
    for key in records.index:
        order_id = known.get(key)
        if order_id is not None and order_id in deleted:
            out.not_recreated.append(order_id)
            out.outcome[(index, key)] = "unchanged"
            continue
        row = row_of_id.get(order_id) if order_id else by_sheet.get(key)
        if row is None and order_id is not None:
            out.not_recreated.append(order_id)
            out.outcome[(index, key)] = "unchanged"
            continue
        if row is None:
            new_keys.append(key)
        else:
            existing[key] = row
            if order_id is None:
                out.natural_keys.append((name, key, str(work.at[row, "order_id"])))
    fields = [f for f in CHANNEL_FIELDS if f in records.columns and f in work.columns and f != "channel"]
    if existing:
        rows = list(existing.values())
        before = work.loc[rows, fields].copy()
        incoming = records.loc[list(existing), fields].set_axis(rows)
        base = _merge_base(work, rows, fields, journal, snapshot, out)
        result = merge(before, base, incoming)
        work.loc[rows, fields] = result.frame
        for row, key in zip(rows, existing, strict=True):
            order_id = str(work.at[row, "order_id"])
            changed = [f for f in fields if _differs(before.at[row, f], result.frame.at[row, f])]
            for f in changed:
                out.sources[(row, f)] = name
            out.outcome[(index, key)] = "updated" if changed else "unchanged"
            for f in fields:
                said = result.base.at[row, f]
                if _differs(said, result.frame.at[row, f]):
                    out.merge_base[(order_id, f)] = None if pd.isna(said) else str(said)
                elif (order_id, f) in base.attrs.get("overrides", {}):
                    out.merge_base[(order_id, f)] = None
        for conflict in result.conflicts:
            out.conflicts.append((str(work.at[conflict.row, "order_id"]), conflict))
    if new_keys:
        ids = make_ids(len(new_keys))
        rows = list(range(next_row + 1, next_row + 1 + len(new_keys)))
        fresh = records.loc[new_keys].reindex(columns=work.columns).set_axis(rows)
        fresh["order_id"] = ids
        if "channel" in work.columns:
            fresh["channel"] = label
        work = pd.concat([work, fresh.astype("str").where(fresh.notna(), None)])
        next_row = rows[-1]
        out.appended.extend(rows)
        for key, row, order_id in zip(new_keys, rows, ids, strict=True):
            out.natural_keys.append((name, key, order_id))
            out.outcome[(index, key)] = "new"
            for f in fresh.columns:
                if pd.notna(fresh.at[row, f]):
                    out.sources[(row, f)] = name
    return work, next_row


def _waybills(work: pd.DataFrame, pulled: object, index: int, journal: Journal, snapshot: Callable[[list[str]], dict],
              out: Incorporated) -> pd.DataFrame:
    from .channels.base import Pulled

    assert isinstance(pulled, Pulled)
    records = pulled.records
    lookups = {way: _lookup(work, way) for way in pulled.mapping.match}
    matched: dict[int, str] = {}
    for key, record in records.iterrows():
        row = None
        for way, table in lookups.items():
            probe = _probe(record, way)
            if probe is not None and probe in table:
                row = table[probe]
                break
        if row is None:
            out.unmatched_waybills.append({k: (None if pd.isna(v) else str(v)) for k, v in record.items()})
            out.outcome[(index, str(key))] = "unchanged"
        else:
            matched[row] = str(key)
    fields = [f for f in WAYBILL_FIELDS if f in records.columns and f in work.columns]
    if not matched or not fields:
        for key in matched.values():
            out.outcome[(index, key)] = "unchanged"
        return work
    rows = list(matched)
    before = work.loc[rows, fields].copy()
    incoming = records.loc[list(matched.values()), fields].set_axis(rows)
    base = _merge_base(work, rows, fields, journal, snapshot, out)
    result = merge(before, base, incoming)
    work.loc[rows, fields] = result.frame
    for row, key in matched.items():
        order_id = str(work.at[row, "order_id"])
        old_no, new_no = before.at[row, "tracking_no"] if "tracking_no" in fields else None, incoming.at[row, "tracking_no"] \
            if "tracking_no" in fields else None
        shipped = _is_shipped(work, row, before)
        if shipped and isinstance(old_no, str) and isinstance(new_no, str) and old_no != new_no:
            out.tracking_changed.append((order_id, old_no, new_no))
        changed = [f for f in fields if _differs(before.at[row, f], result.frame.at[row, f])]
        for f in changed:
            out.sources[(row, f)] = pulled.config.name
        out.outcome[(index, key)] = "updated" if changed else "unchanged"
        for f in fields:
            said = result.base.at[row, f]
            if _differs(said, result.frame.at[row, f]):
                out.merge_base[(order_id, f)] = None if pd.isna(said) else str(said)
    for conflict in result.conflicts:
        out.conflicts.append((str(work.at[conflict.row, "order_id"]), conflict))
    return work


def _is_shipped(work: pd.DataFrame, row: int, before: pd.DataFrame) -> bool:
    if "shipped_at" in before.columns and pd.notna(before.at[row, "shipped_at"]):
        return True
    status = work.at[row, "status"] if "status" in work.columns else None
    return isinstance(status, str) and bool(SHIPPED.search(status))


def _merge_base(work: pd.DataFrame, rows: list[int], fields: list[str], journal: Journal,
                snapshot: Callable[[list[str]], dict], out: Incorporated) -> pd.DataFrame:
    """The merge base of these rows: the journal's snapshot, where a channel's last word overrides it,
    and what a channel wrote earlier in this same run (not a person's edit)."""
    order_ids = work.loc[rows, "order_id"]
    ids = [str(o) for o in order_ids]
    values = snapshot(ids)
    overrides = journal.merge_base(ids)
    data = []
    for row, oid in zip(rows, ids, strict=True):
        known = values.get(oid, {})
        data.append([_text(work.at[row, f]) if (row, f) in out.sources else overrides.get((oid, f), known.get(f))
                     for f in fields])
    base = pd.DataFrame(data, index=order_ids.index, columns=fields, dtype="str")
    base.attrs["overrides"] = overrides
    return base


def _lookup(work: pd.DataFrame, way: str) -> dict[str, int]:
    parts = way.split("+")
    if any(p not in work.columns for p in parts):
        return {}
    table: dict[str, int] = {}
    for row, values in work[parts].iterrows():
        probe = _probe(values, way)
        if probe is not None:
            table.setdefault(probe, int(row))  # type: ignore[arg-type]
    return table


def _probe(values: pd.Series, way: str) -> str | None:
    parts = []
    for name in way.split("+"):
        value = values.get(name)
        if value is None or pd.isna(value):
            return None
        text = str(value)
        if name == "phone" and "+" in way:
            visible = text if "*" in text else re.sub(r"\D", "", text)
            text = visible[:3] + visible[-4:]
        parts.append(text)
    return "\x1f".join(parts)


def _text(value: object) -> str | None:
    return None if value is None or value is pd.NA or (isinstance(value, float) and value != value) else str(value)


def _differs(a: object, b: object) -> bool:
    a_missing = a is None or a is pd.NA or (isinstance(a, float) and a != a)
    b_missing = b is None or b is pd.NA or (isinstance(b, float) and b != b)
    return (a_missing != b_missing) or (not a_missing and str(a) != str(b))


def promised_by(created_at: pd.Series, channel: pd.Series, promises: dict[str, dt.timedelta]) -> pd.Series:
    """created_at + the channel's promise (by label or name, else `default`), canonical text; NA where unknown."""
    default = promises.get("default")
    delta = channel.map(lambda c: promises.get(c, default) if isinstance(c, str) else default)
    start = pd.to_datetime(created_at, format="%Y-%m-%d %H:%M:%S", errors="coerce")
    due = start + pd.to_timedelta(delta)
    return due.dt.strftime("%Y-%m-%d %H:%M:%S").astype("str").where(due.notna(), None)
