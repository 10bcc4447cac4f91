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
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Protocol

import numpy as np
import pandas as pd
import pyarrow as pa

from sheetsync.model.changes import CreatedBy
from sheetsync.model.fields import FIELDS, Owner
from sheetsync.runtime.jsonrows import table_batches
from sheetsync.runtime.textsql import sql_text
from sheetsync.steps.diff import differs, texts
from sheetsync.steps.fold import Folded, fold
from sheetsync.steps.merge import Conflict, merge
from sheetsync.steps.said import SAID_HASH

CHANNEL_FIELDS = tuple(f for f, (_, owner) in FIELDS.items() if owner in (Owner.CHANNEL, Owner.LOGISTICS, Owner.TOOL_PERSON,
                                                                          Owner.RULE_PERSON))
"""Fields a channel may write: never a person's own (`note`, `priority`), never the tool's."""
WAYBILL_FIELDS = ("carrier", "tracking_no", "shipped_at", "delivered_at")
SHIPPED = re.compile(r"已发货|已完成|已签收|Shipped|Done", re.IGNORECASE)


class Pull(Protocol):
    """What the step needs of one channel's pull (`channels.base.Pulled` is one)."""

    @property
    def name(self) -> str:
        """The channel's name in sheetsync.yaml: the natural keys are kept under it."""
        ...

    @property
    def label(self) -> str:
        """The channel cell of its orders (抖音, 拼多多 ...)."""
        ...

    @property
    def labels(self) -> Sequence[str]:
        """Every channel cell of the sheet that means this channel: its label first, then any earlier one."""
        ...

    @property
    def kind(self) -> str:
        """`orders` or `waybills`."""
        ...

    @property
    def match(self) -> Sequence[str]:
        """How waybills find their order: `order_id`, `channel_order_id`, `phone+customer_name` ..."""
        ...

    @property
    def records(self) -> pd.DataFrame: ...


@dataclass(frozen=True, slots=True)
class JournalState:
    """What the journal knows that incorporating the pulls needs, read before the step runs."""

    natural_keys: Mapping[str, Mapping[str, str]]
    """channel name -> channel_order_id -> order_id, for each channel that brought orders."""
    merge_base: Mapping[tuple[str, str], str | None]
    """(order_id, field) -> what the channel last said, where that differs from the sheet's snapshot."""
    snapshot: pd.DataFrame
    """The journal's snapshot of the rows a person changed since the last run (indexed by sheet row;
    missing where the journal has none): the merge base of every other row is the row itself."""
    created: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """field -> order_id -> the value the order was created with, for the cells a pull brings again with a
    value other than the sheet's: what the channel said, when nothing later is remembered (`SAID`)."""
    said: Mapping[str, Mapping[str, str | None]] = field(default_factory=dict)
    """field -> order_id -> a channel's last word the run moved on from (`SAID` entries of `merge_base`)."""
    kept: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """field -> order_id -> the last value a channel brought for a field the sheet has no column for, of the
    orders the pulls bring again: only a value other than it is kept once more."""


@dataclass(slots=True)
class Incorporated:
    """What the pulls did to the working table."""

    sources: dict[str, dict[int, str]] = field(default_factory=dict)
    """field -> {row: channel} for cells of existing rows a channel changed."""
    created_by: CreatedBy = field(default_factory=CreatedBy)
    """row -> channel, for the rows a channel added in this run."""
    appended: list[int] = field(default_factory=list)
    natural_keys: list[tuple[str, str, str, int | None]] = field(default_factory=list)
    """(channel, channel_order_id, order_id, what the channel said: `steps/said.py`) of the orders that were there
    before and that a pull brought news of (a key matched by the sheet's own cells is new to the journal)."""
    new_keys: list[tuple[int, str, pa.Array, pa.Array, pa.Array]] = field(default_factory=list)
    """The natural keys of the orders each pull created: (pull, channel, channel_order_ids, order_ids, what the
    channel said of each), as Arrow arrays (an import creates a million: as Python lists they held 150 MB through
    the write, a tuple or an `outcome` entry each would be 100 MB more)."""
    merge_base: dict[tuple[str, str], str | None] = field(default_factory=dict)
    conflicts: list[tuple[str, Conflict]] = field(default_factory=list)
    tracking_changed: list[tuple[str, str, str]] = field(default_factory=list)
    not_recreated: list[str] = field(default_factory=list)
    unmatched_waybills: list[dict[str, str | None]] = field(default_factory=list)
    outcome: dict[tuple[int, str], str] = field(default_factory=dict)
    """(pull, key) -> updated / unchanged; the keys a pull created are in `new_keys`."""
    unplaced: Counter[str] = field(default_factory=Counter)
    """field -> how many orders brought a value of it that no column or folding rule took (kept in the journal)."""
    folded: Counter[str] = field(default_factory=Counter)
    """field -> how many orders' values of it a folding rule put into another column (province into the address)."""
    kept_new: dict[str, pd.Series] = field(default_factory=dict)
    """field -> the unplaced values of the rows the pulls appended (index: their sheet rows), for their creation record."""
    kept: list[tuple[str, str, str]] = field(default_factory=list)
    """(order_id, field, value): unplaced values of orders that were there before, where they are news."""
    filled: dict[str, int] = field(default_factory=dict)
    """field -> how many cells of a column added since the last run were filled from what the journal kept."""
    clean: frozenset[int] = frozenset()
    """Rows the sheet holds as the journal's snapshot has them (their hash is unchanged): the merge
    base of such a row is the row itself, so the journal's copy need not be read and decoded."""


Fit = Callable[[pd.DataFrame, Collection[str]], Folded]
"""Records fitted to the sheet's columns (`steps.fold.fold` with the desk's options)."""


def incorporate(work: pd.DataFrame, pulls: Iterable[Pull], journal: JournalState,
                make_ids: Callable[[int], list[str]], last_row: int, deleted: set[str],
                clean: Iterable[int] = (), fit: Fit | None = None) -> tuple[pd.DataFrame, Incorporated]:
    """Merge every pull into `work` (the run's working table); returns the grown table and an account.

    `clean` names the rows whose values are still the journal's snapshot (see `Incorporated.clean`); `fit`
    folds what the sheet has no column for (default: `steps.fold.fold`)."""
    out = Incorporated(clean=frozenset(clean))
    fit = fit or (lambda records, columns: fold(records, columns))
    next_row = max(last_row, int(work.index.max()) if len(work) else last_row)
    for index, pulled in enumerate(pulls):
        if pulled.records.empty:
            continue
        folded = fit(pulled.records, work.columns)
        if pulled.kind == "waybills":  # a waybill's own records are merged, not the folded ones: only its unplaced count
            work = _waybills(work, pulled, folded, index, journal, out)
            continue
        out.folded.update(folded.folded)
        work, next_row = _orders(work, pulled, folded, index, journal, make_ids, next_row, deleted, out)
    return work, out


def _keep(out: Incorporated, unplaced: dict[str, pd.Series], existing: Mapping[str, str],
          journal: JournalState) -> None:
    """Account for the unplaced values of the orders that were there before (`existing`: key -> order_id):
    counted, and kept where they differ from what the journal already keeps."""
    for name, values in unplaced.items():
        values = values[values.index.isin(list(existing))]
        if values.empty:
            continue
        out.unplaced[name] += len(values)
        known = journal.kept.get(name, {})
        for key, value in zip(values.index.tolist(), values.tolist(), strict=True):
            oid = existing[key]
            if known.get(oid) != value:
                out.kept.append((oid, name, str(value)))


def _orders(work: pd.DataFrame, pulled: Pull, folded: Folded, index: int, journal: JournalState,
            make_ids: Callable[[int], list[str]], next_row: int, deleted: set[str],
            out: Incorporated) -> tuple[pd.DataFrame, int]:
    name, label = pulled.name, pulled.label
    records = folded.records
    row_of_id = {oid: row for row, oid in zip(work.index.tolist(), work["order_id"].tolist(), strict=True)
                 if isinstance(oid, str)}
    known = journal.natural_keys.get(name, {})
    by_sheet: dict[str, int] = {}
    if "channel_order_id" in work.columns and "channel" in work.columns:
        mine = work[work["channel"].isin(pulled.labels) & work["channel_order_id"].notna()]
        by_sheet = dict(zip(mine["channel_order_id"].tolist(), mine.index.tolist(), strict=True))
    existing: dict[str, int] = {}
    id_of_row = dict(zip(work.index.tolist(), texts(work["order_id"]), strict=True))
    new_keys: list[str] = []
    said = records[SAID_HASH] if SAID_HASH in records.columns else pd.Series(None, index=records.index, dtype="Int64")
    for key, word in zip(records.index.tolist(), said.tolist(), strict=True):
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
            out.natural_keys.append((name, key, str(order_id or id_of_row[row]), None if pd.isna(word) else int(word)))
    fields = [f for f in CHANNEL_FIELDS if f in records.columns and f in work.columns and f != "channel"]
    if folded.unplaced:
        _keep(out, folded.unplaced, {key: str(work.at[row, "order_id"]) for key, row in existing.items()}, journal)
    if existing:
        rows = list(existing.values())
        incoming = records.loc[list(existing), fields].set_axis(rows)
        changed = _merge_into(work, rows, fields, incoming, journal, out, name)
        for key, was_changed in zip(existing, changed, strict=True):
            out.outcome[(index, key)] = "updated" if was_changed else "unchanged"
    if new_keys:
        ids = make_ids(len(new_keys))
        rows = list(range(next_row + 1, next_row + 1 + len(new_keys)))
        taken = records if len(new_keys) == len(records) else records.loc[new_keys]  # all new: an import
        at = pd.RangeIndex(rows[0], rows[-1] + 1)
        fresh = pd.DataFrame({c: _text_column(taken[c] if c in taken.columns else None, at) for c in work.columns},
                             index=at)
        fresh["order_id"] = pd.Series(ids, index=at, dtype="str")
        if "channel" in work.columns:
            fresh["channel"] = pd.Series(label, index=at, dtype="str")
        work = pd.concat([work, fresh])
        next_row = rows[-1]
        out.appended.extend(rows)
        for field_name, values in folded.unplaced.items():
            values = values.reindex(pd.Index(new_keys, dtype="str")).set_axis(at)
            values = values[values.notna()]
            if len(values):
                out.unplaced[field_name] += len(values)
                earlier = out.kept_new.get(field_name)
                out.kept_new[field_name] = values if earlier is None else pd.concat([earlier, values])
        words = said if len(new_keys) == len(records) else said.loc[new_keys]
        out.new_keys.append((index, name, pa.array(new_keys, pa.large_string()), pa.array(ids, pa.large_string()),
                             pa.array(words.array, pa.int64(), from_pandas=True)))
        out.created_by.add(rows[0], rows[-1] + 1, name)
    return work, next_row


def new_key_batches(blocks: list[tuple[int, str, pa.Array, pa.Array, pa.Array]]) -> Iterator[str]:
    """`Incorporated.new_keys` as the journal's JSON batches of `[channel, channel_order_id, order_id, said]`, made by
    DuckDB."""
    for _, name, keys, ids, said in blocks:
        if len(keys):
            yield from table_batches(pa.table({"key": keys, "id": ids, "said": said}),
                                     f"json_array({sql_text(name)}, key, id, said)")


def _text_column(values: pd.Series | None, index: pd.Index) -> pd.Series:
    """`values` as canonical text on `index` (all missing when None), without a pass over text that is text already."""
    if values is None:
        return pd.Series(None, index=index, dtype="str")
    values = values.set_axis(index)
    return values if values.dtype == "str" else values.astype("str").where(values.notna(), None)


def _merge_into(work: pd.DataFrame, rows: list[int], fields: list[str], incoming: pd.DataFrame, journal: JournalState,
                out: Incorporated, name: str) -> list[bool]:
    """Three-way merge `incoming` into these rows of `work`; returns, per row, whether it changed."""
    before = work.loc[rows, fields].copy()
    base = _merge_base(work, rows, fields, journal, out)
    order_ids = texts(work.loc[rows, "order_id"])  # the merge never writes order_id
    if journal.created or journal.said:
        incoming = _news_only(incoming, before, order_ids, journal)
    result = merge(before, base, incoming)
    changed_any = np.zeros(len(rows), dtype=bool)
    overrides = base.attrs.get("overrides", {})
    at_rows = np.asarray(rows)
    for f in fields:
        changed = differs(before[f], result.frame[f]).to_numpy()
        changed_any |= changed
        if changed.any():  # only the cells the merge changed are set: a re-import of a million rows sets none
            moved = result.frame.index[changed]
            work.loc[moved, f] = result.frame.loc[moved, f]
            # what another channel said of these cells earlier in this run is kept as its word
            _remember_words(out, f, at_rows[changed], order_ids[changed], before[f].to_numpy(dtype=object)[changed],
                            out.sources.get(f, {}), journal.said.get(f, {}))
        out.sources.setdefault(f, {}).update(dict.fromkeys(at_rows[changed].tolist(), name))
        said = differs(result.base[f], result.frame[f]).to_numpy()
        hits = np.flatnonzero(said)
        for at, value in zip(hits.tolist(), texts(result.base[f].iloc[hits]), strict=True):
            out.merge_base[(str(order_ids[at]), f)] = value
        if overrides:  # a channel's last word that the sheet now agrees with is forgotten
            for i in np.flatnonzero(~said):
                if (str(order_ids[i]), f) in overrides:
                    out.merge_base[(str(order_ids[i]), f)] = None
    for conflict in result.conflicts:
        out.conflicts.append((str(work.at[conflict.row, "order_id"]), conflict))
    return changed_any.tolist()


SAID: Final = "said:"
"""Merge-base entries under `said:FIELD` keep what a channel last said of a field that the same run then
moved on from: the workflow (a shop's 待确认 moved on to 审核中) or another channel (a shop's carrier that the
carrier's file corrected).  The base of the field stays the sheet's snapshot; the word only tells news from
a repetition (`_news_only`)."""


def _news_only(incoming: pd.DataFrame, before: pd.DataFrame, order_ids: np.ndarray, journal: JournalState) -> pd.DataFrame:
    """`incoming` with each value the channel already said (its last word the run moved on from, else what it
    created the order with) replaced by the sheet's: a shop that repeats itself is not news, it changes, moves
    and flags nothing.  Only a value that differs from what the channel said is news, and goes on to the merge."""
    out = incoming
    ids = [str(oid) for oid in order_ids]
    for name in incoming.columns:
        created, remembered = journal.created.get(name, {}), journal.said.get(name, {})
        if not created and not remembered:
            continue
        last = [remembered[oid] if oid in remembered else created.get(oid) for oid in ids]
        words = incoming[name].to_numpy(dtype=object, na_value=None)
        repeated = np.array([w is not None and w == now for w, now in zip(last, words, strict=True)], dtype=bool)
        if repeated.any():
            out = out.copy() if out is incoming else out
            out.loc[out.index[repeated], name] = before[name].to_numpy(dtype=object)[repeated]
    return out


def said_words(merge_base: Mapping[tuple[str, str], str | None]) -> dict[str, dict[str, str | None]]:
    """The `SAID` entries of the merge base, by field then order_id."""
    out: dict[str, dict[str, str | None]] = {}
    for (oid, key), word in merge_base.items():
        if key.startswith(SAID):
            out.setdefault(key[len(SAID):], {})[oid] = word
    return out


def _remember_words(out: Incorporated, name: str, rows: np.ndarray, order_ids: np.ndarray, words: np.ndarray,
                    earlier: Mapping[int, str], known: Mapping[str, str | None]) -> None:
    """For cells a channel changes now: the word another channel gave them earlier in this run (a shop's
    carrier that the carrier's own file then corrected) is that channel's last word (`SAID`); a word
    remembered from an earlier run (`known`: order_id -> word) is forgotten, the cell having news now."""
    ours = out.created_by.holds(rows)
    if earlier:
        ours |= np.isin(rows, np.fromiter(earlier, dtype=np.int64, count=len(earlier)))
    for oid, word in zip(order_ids[ours].tolist(), words[ours].tolist(), strict=True):
        if word is not None and not pd.isna(word):
            out.merge_base[(str(oid), SAID + name)] = str(word)
    if known:
        for oid in order_ids[~ours].tolist():
            if str(oid) in known:
                out.merge_base[(str(oid), SAID + name)] = None


def channel_words(work: pd.DataFrame, said: pd.Series, known: Mapping[str, str | None]) -> dict[tuple[str, str], str | None]:
    """`said:status` entries for the rows a channel gave a status in this run (`said`: row -> its word): the
    channel's word where the run then moved the order on (the workflow), and None (forget) where the sheet
    keeps the channel's word again and `known` (order_id -> word) remembers an older one."""
    said = said[said.index.isin(work.index)].dropna()
    if said.empty or "status" not in work.columns:
        return {}
    final = work.loc[said.index, "status"]
    moved = differs(said, final).to_numpy()
    ids = texts(work.loc[said.index, "order_id"])
    out: dict[tuple[str, str], str | None] = {
        (str(oid), SAID + "status"): word for oid, word in zip(ids[moved], said.to_numpy(dtype=object)[moved], strict=True)
        if isinstance(oid, str)}
    if known:
        out.update({(str(oid), SAID + "status"): None for oid in ids[~moved] if str(oid) in known})
    return out


def _waybills(work: pd.DataFrame, pulled: Pull, folded: Folded, index: int, journal: JournalState,
              out: Incorporated) -> pd.DataFrame:
    records = pulled.records
    lookups = {way: _lookup(work, way) for way in pulled.match}
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
    lost = {f: v for f, v in folded.unplaced.items() if f in WAYBILL_FIELDS}  # a waybill's other fields are how it is matched
    if lost and matched:
        _keep(out, lost, {key: str(work.at[row, "order_id"]) for row, key in matched.items()}, journal)
    if not matched or not fields:
        for key in matched.values():
            out.outcome[(index, key)] = "unchanged"
        return work
    rows = list(matched)
    incoming = records.loc[list(matched.values()), fields].set_axis(rows)
    if "tracking_no" in fields:
        for row in rows:
            old_no, new_no = work.at[row, "tracking_no"], incoming.at[row, "tracking_no"]
            if isinstance(old_no, str) and isinstance(new_no, str) and old_no != new_no and _is_shipped(work, row):
                out.tracking_changed.append((str(work.at[row, "order_id"]), old_no, new_no))
    changed = _merge_into(work, rows, fields, incoming, journal, out, pulled.name)
    for key, was_changed in zip(matched.values(), changed, strict=True):
        out.outcome[(index, key)] = "updated" if was_changed else "unchanged"
    return work


def _is_shipped(work: pd.DataFrame, row: int) -> bool:
    if "shipped_at" in work.columns and pd.notna(work.at[row, "shipped_at"]):
        return True
    status = work.at[row, "status"] if "status" in work.columns else None
    return isinstance(status, str) and bool(SHIPPED.search(status))


def _merge_base(work: pd.DataFrame, rows: list[int], fields: list[str], journal: JournalState,
                out: Incorporated) -> pd.DataFrame:
    """The merge base of these rows: the journal's snapshot, where a channel's last word overrides it,
    and what a channel wrote earlier in this same run (not a person's edit)."""
    ids = [str(o) for o in texts(work.loc[rows, "order_id"])]
    wanted = set(ids) if journal.merge_base else set()
    overrides = {key: value for key, value in journal.merge_base.items() if key[0] in wanted}
    base = work.loc[rows, fields].copy()  # a row nobody edited since the last run is its own snapshot
    stale_rows = [row for row in rows if row not in out.clean]
    if stale_rows:
        snapshot = journal.snapshot.reindex(index=stale_rows, columns=fields)
        base.loc[stale_rows, fields] = snapshot.to_numpy()
    position = {row: i for i, row in enumerate(rows)}
    row_of = dict(zip(ids, rows, strict=True))
    for (oid, f), value in overrides.items():
        if f in base.columns:
            base.loc[row_of[oid], f] = value
    created = [row for row in rows if row in out.created_by]
    if created:
        base.loc[created, fields] = work.loc[created, fields]
    for f in fields:
        in_run = [row for row in out.sources.get(f, {}) if row in position]
        if in_run:
            base.loc[in_run, f] = work.loc[in_run, f]
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
            table.setdefault(probe, int(row))
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


def promised_by(created_at: pd.Series, channel: pd.Series, promises: dict[str, dt.timedelta]) -> pd.Series:
    """created_at + the channel's promise (by label or name, else `default`), canonical text; NA where unknown."""
    default = promises.get("default")
    delta = channel.map(lambda c: promises.get(c, default) if isinstance(c, str) else default)
    start = pd.to_datetime(created_at, format="%Y-%m-%d %H:%M:%S", errors="coerce")
    due = start + pd.to_timedelta(delta)
    return due.dt.strftime("%Y-%m-%d %H:%M:%S").astype("str").where(due.notna(), None)
