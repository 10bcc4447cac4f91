"""A sync's first phase: read everything the steps need, before any of them runs.

The sheet (through the store) and the channels' pulls are read side by side; then one pass over the
journal reads what the steps will look at: the base rows' hashes, the snapshot of the rows people
changed since the last run, natural keys, merge bases, open flags, deleted orders, the order_id
sequence and the workflow's history.  What is read is data; the steps never see the journal or the
store.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
import pandas as pd

from sheetsync.channels.base import Channel, HeardChanged, Known, Pulled
from sheetsync.config import Config
from sheetsync.journal.core import WHOLE_KEYS, Journal
from sheetsync.model.fields import FIELDS
from sheetsync.model.records import Flag, WorkflowHistory
from sheetsync.model.values import among
from sheetsync.run.base_rows import unlike_journal
from sheetsync.run.commit import Desk
from sheetsync.run.untouched import UNTOUCHED
from sheetsync.runtime.frames import rows_where
from sheetsync.steps.diff import differs, texts
from sheetsync.steps.edits import row_hashes
from sheetsync.steps.fold import NOT_COUNTED
from sheetsync.steps.identity import deleted_ids, duplicate_ids
from sheetsync.steps.pull import CHANNEL_FIELDS
from sheetsync.steps.said import SAID_HASH, fitting, said_hashes, standing_out
from sheetsync.steps.said import quiet as said_quiet
from sheetsync.steps.workflow.compiled import Workflow
from sheetsync.steps.workflow.load import status_words
from sheetsync.stores.base import Store, Table
from sheetsync.stores.table import read_table

T = TypeVar("T")


@dataclass(slots=True)
class Gathered:
    """What one sync read.  `decide` takes it over: the table as read is let go once the diff is made."""

    table: Table
    pulls: list[Pulled]
    duplicates: dict[str, list[int]]
    """order_id -> the sheet rows where it stands more than once."""
    stored: pd.Series
    """order_id -> row hash of every base row the journal keeps."""
    hashes: pd.Series
    """Row hash of every row with an order_id of its own (index: sheet rows)."""
    stale: pd.Index
    """The rows of `hashes` whose hash differs from their base row (or that have none)."""
    seen_before: pd.DataFrame
    """The stale rows the journal knows: a person changed them since the last run."""
    snapshot: pd.DataFrame
    known: pd.DataFrame
    """The journal's values of `seen_before` (row i is its row i), and whether it has each field."""
    doubled_snapshot: pd.DataFrame
    """The journal's values of the rows whose order_id stands twice (index: their rows)."""
    natural_keys: dict[str, dict[str, str]]
    merge_base: dict[tuple[str, str], str | None]
    deleted: set[str]
    """Orders a person deleted in an earlier run: never re-created."""
    gone: list[str]
    """Orders the journal knows that are no longer in the sheet (deleted since the last run)."""
    gone_values: dict[str, dict[str, str | None]]
    open_flags: list[Flag]
    sequence: int
    """The last order_id number given: new ids count on from it."""
    workflow: WorkflowHistory | None = None
    lookups: dict[str, pd.DataFrame] = field(default_factory=dict)
    created: dict[str, dict[str, str]] = field(default_factory=dict)
    """field -> order_id -> the value the order was created with, for the cells the pulls bring again with a
    value other than the sheet's (a repetition of what the channel said is no news)."""
    kept: dict[str, dict[str, str]] = field(default_factory=dict)
    """field -> order_id -> what the journal keeps of a field the sheet has no column for, for the orders the
    pulls bring again with a value of it."""
    levels_before: dict[str, str] | None = None
    """Each anomaly code's level at the last run (a code whose level changed gets its cells repainted)."""
    status_words: dict[str, str] = field(default_factory=dict)
    """state key -> the desk's word for it (`run.workflow.status_words`): how a mapping's `paid` is written."""
    fill: dict[str, dict[str, str]] = field(default_factory=dict)
    """field -> order_id -> the value kept for it, for each column the sheet has now and had not at the last run."""
    not_recreated: list[str] = field(default_factory=list)
    """Orders a person deleted whose records a pull brought again as no news (`hear`): not re-created."""


def read_side_by_side(store: Store, config: Config, channels: Sequence[Channel], seen: Callable[[str], str | None],
                      now: dt.datetime, known: Known | None = None) -> tuple[Table, list[Pulled]]:
    """The sheet, and what each channel brought: the channels are read on a thread while the workbook is
    (both readers do most of their work without the GIL)."""
    pulling = _background(lambda: [channel.pull(seen, now, known) for channel in channels])
    try:
        table = read_table(store, config)
    except BaseException:
        pulling.exception()  # let the channels finish; the reading error is the one to report
        raise
    return table, pulling.result()


def gather(desk: Desk, table: Table, pulls: list[Pulled], workflow: Workflow | None, heard: Heard) -> Gathered:
    """One read of the journal state the steps need, for this table and these pulls (`heard`: what `hear` found)."""
    journal = desk.journal
    before = table.frame
    duplicates = duplicate_ids(before)
    doubled = set(duplicates)
    stored = journal.base_hashes()
    identified = ~before["order_id"].isin(doubled) & before["order_id"].notna()
    unique = before if identified.all() else before[identified]
    hashes = row_hashes(unique)
    stale = hashes.index[unlike_journal(unique["order_id"], hashes.to_numpy(), stored)]
    seen_before = before.loc[stale]
    seen_before = seen_before[among(seen_before["order_id"], stored.index)]
    snapshot, known = journal.base_frame(texts(seen_before["order_id"]).tolist(), list(before.columns))
    gone = deleted_ids(before, stored.index[~stored.index.isin(doubled)])
    deleted = journal.deleted_ids()
    natural_keys = heard.natural_keys
    standing = before["order_id"]
    standing = standing[standing.notna() & ~standing.isin(deleted)] if heard.quiet else standing.iloc[:0]
    quiet_gone = standing_out(heard.quiet_ids(), standing)
    return Gathered(
        table=table, pulls=pulls, duplicates=duplicates, stored=stored, hashes=hashes, stale=stale,
        seen_before=seen_before, snapshot=snapshot, known=known,
        doubled_snapshot=_doubled_snapshot(before, doubled, journal),
        natural_keys=natural_keys,
        merge_base=journal.merge_bases(), deleted=deleted, gone=gone, not_recreated=quiet_gone,
        gone_values=journal.base_values(gone), open_flags=journal.open_flags(),
        sequence=journal.last_number("order_id"),
        workflow=_workflow_history(journal) if workflow is not None else None,
        lookups=_lookups(workflow, desk.store) if workflow is not None else {},
        created={name: journal.created_values(ids, name)
                 for name, ids in _brought_again(pulls, natural_keys, before, doubled).items()},
        kept={name: journal.kept_values(name, ids) for name, ids in _unplaced_again(pulls, natural_keys, before).items()},
        fill=_to_fill(journal, before),
        status_words=status_words(desk.config, workflow),
        levels_before=journal.last_levels(),
    )


@dataclass(slots=True)
class Heard:
    """What the journal says of the pulls' orders, asked of it alone (`hear`)."""

    natural_keys: dict[str, dict[str, str]] = field(default_factory=dict)
    """channel -> channel_order_id -> order_id, of the records left in the pulls."""
    quiet: list[pd.Series] = field(default_factory=list)
    """The order_ids of the records left out as no news, a Series per pull."""

    def quiet_ids(self) -> pd.Series:
        """The order_ids of every record left out as no news, as one Series."""
        return pd.concat(self.quiet, ignore_index=True) if self.quiet else pd.Series(dtype="str")


def hear(journal: Journal, pulls: Sequence[Pulled], config: Config, workflow: Workflow | None) -> Heard:
    """Leave out of each orders pull the records that are no news (`steps/said.py`: brought again as the channel
    last said them); the rest carry their hash (`SAID_HASH`).  It asks the journal alone, so an import does it
    before the sheet is read: a re-import lets go of its million records before the sheet's million rows come.

    An import's pull may come with what it asked the journal already (`Pulled.foreheard`: records left out before
    they were normalised, their hashes given); that is taken while no run came after the asking, else HeardChanged."""
    out = Heard()
    fit = desk_fit(config, workflow)
    told_before = any(p.foreheard is not None for p in pulls)  # asked of the journal only then (a sync never is)
    last = journal.last_run(other_than=UNTOUCHED) if told_before else None  # untouched runs change no channel's word
    for pull in pulls:
        records, told = pull.records, pull.foreheard
        if told is not None:
            if (last[0] if last is not None else 0) != told.as_of:
                raise HeardChanged(pull.name)
            if len(told.quiet):
                out.quiet.append(pd.Series(told.quiet.to_numpy(), dtype="str"))
            pull.foreheard = None  # its known keys go once heard
        if pull.kind in ("waybills", "tickets") or not len(records):
            continue
        hashes = _said_hashes(records, fit)
        known = told.known if told is not None and told.known is not None else \
            journal.said_keys(pull.name, None if len(records) > WHOLE_KEYS else records.index.tolist())
        del told
        quiet, order_ids = said_quiet(records.index, hashes, known)
        del known
        if quiet.any():
            out.quiet.append(order_ids[quiet])
            records = rows_where(records, ~quiet, consume=True)
            hashes, order_ids = hashes[~quiet], order_ids[~quiet]
        records[SAID_HASH] = hashes
        pull.records = records
        given = order_ids.notna().to_numpy()
        out.natural_keys.setdefault(pull.name, {}).update(
            zip(records.index[given].tolist(), order_ids[given].tolist(), strict=True))
    return out


def desk_fit(config: Config, workflow: Workflow | None) -> str:
    """`steps.said.fitting` of the desk: what of it decides how a record is fitted to its sheet."""
    return fitting(config.table.amount, config.rules.phone.default_country, status_words(config, workflow))


def _said_hashes(records: pd.DataFrame, fit: str) -> np.ndarray:
    """Each record's hash: the one it came with (`SAID_HASH`: an import's hash of the file's row), else
    `said_hashes` of its fields."""
    given = records[SAID_HASH] if SAID_HASH in records.columns else None
    if given is None:
        return said_hashes(records, fit)
    missing = given.isna().to_numpy()
    hashes = given.fillna(0).to_numpy(dtype=np.int64)
    if missing.any():
        hashes[missing] = said_hashes(rows_where(records, missing), fit)  # its fields alone are hashed
    return hashes


def _to_fill(journal: Journal, before: pd.DataFrame) -> dict[str, dict[str, str]]:
    """What the journal keeps for each column the sheet has now and had not at the last run (a team that adds
    its 省 column gets it filled), field -> order_id -> value."""
    earlier = journal.last_columns()
    if earlier is None:
        return {}
    added = [f for f in before.columns if f not in earlier and f in CHANNEL_FIELDS]
    found = {name: journal.kept_values(name) for name in added}
    return {name: values for name, values in found.items() if values}


def _unplaced_again(pulls: list[Pulled], natural_keys: dict[str, dict[str, str]], before: pd.DataFrame,
                    ) -> dict[str, list[str]]:
    """field -> the known orders a pull brings a value of a field the sheet has no column for."""
    out: dict[str, list[str]] = {}
    for pull in pulls:
        known = natural_keys.get(pull.name)
        if not known or pull.records.empty:
            continue
        for name in pull.records.columns:
            if name in before.columns or name in NOT_COUNTED or name not in FIELDS:
                continue
            values = pull.records[name].dropna()
            ids = [known[k] for k in values.index.tolist() if k in known]
            if ids:
                out.setdefault(name, []).extend(ids)
    return out


def _brought_again(pulls: list[Pulled], natural_keys: dict[str, dict[str, str]], before: pd.DataFrame,
                   doubled: set[str]) -> dict[str, list[str]]:
    """field -> the orders (known by their natural key) a pull brings a value of that field other than the
    sheet's: only for those can it matter what the channel said before."""
    out: dict[str, list[str]] = {}
    # each order_id's row; those standing twice are left out here (`doubled`): a unique index is one hash lookup a
    # row, where a non-unique one took 2.8 s for a million-row re-import
    rows = pd.Series(np.arange(len(before)), index=before["order_id"].to_numpy(dtype=object, na_value=None))
    rows = rows[rows.index.notna() & ~rows.index.duplicated(keep=False)]
    for pull in pulls:
        known = natural_keys.get(pull.name)
        if not known or pull.records.empty:
            continue
        ids = pd.Series([known.get(key) for key in pull.records.index.tolist()], index=pull.records.index, dtype="str")
        ids = ids[ids.notna() & ~ids.isin(doubled)]
        at = rows.reindex(ids.to_numpy(dtype=object)).fillna(-1).to_numpy(dtype=np.int64) if len(ids) else \
            np.zeros(0, dtype=np.int64)
        found = at >= 0
        if not found.any():
            continue
        ids, at = ids[found], at[found]
        for name in (f for f in CHANNEL_FIELDS if f in pull.records.columns and f in before.columns and f != "channel"):
            said = pull.records[name].loc[ids.index].reset_index(drop=True)
            now = before[name].iloc[at].reset_index(drop=True)
            changed = differs(said.astype("str"), now.astype("str")).to_numpy()
            if changed.any():
                out.setdefault(name, []).extend(ids.to_numpy()[changed].tolist())
    return out


def _doubled_snapshot(before: pd.DataFrame, doubled: set[str], journal: Journal) -> pd.DataFrame:
    """The journal's values of the rows whose order_id stands twice: they are left out of people's edits,
    but a channel may still update one of them."""
    if not doubled:
        return before.iloc[:0]
    rows = before[before["order_id"].isin(doubled)]
    values, known = journal.base_frame(texts(rows["order_id"]).tolist(), list(before.columns))
    return values.where(known).set_axis(rows.index)


def _workflow_history(journal: Journal) -> WorkflowHistory:
    tables = journal.workflow
    return WorkflowHistory(earlier_orders=tables.earlier_orders(), unlocks=tables.open_unlocks(),
                           alerts_sent=tables.alerts_sent())


def _lookups(workflow: Workflow, store: Store) -> dict[str, pd.DataFrame]:
    """The customers / inventory sheets the workflow names, read from the same workbook."""
    out: dict[str, pd.DataFrame] = {}
    for name in ("customers", "inventory"):
        spec = getattr(workflow.lookups, name, None)
        if spec is not None:
            sheet = store.read_sheet(spec.sheet)
            if sheet is not None:
                out[name] = sheet
    return out


def _background(task: Callable[[], T]) -> Future[T]:
    """Run `task` on a thread of its own; `result()` waits for it and raises what it raised."""
    future: Future[T] = Future()

    def run() -> None:
        try:
            future.set_result(task())
        except BaseException as exc:  # handed to the caller by result()
            future.set_exception(exc)

    threading.Thread(target=run, name="sheetsync-pull", daemon=True).start()
    return future

