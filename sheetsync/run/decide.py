"""A sync's second phase: only pure steps, given what `gather` read; no journal, store or clock.

identify rows ─► people's edits ─► incorporate the pulls (match, 3-way merge, append) ─► promises ─►
flags ─► validate ─► advance the workflow ─► anomalies ─► diff.  Then `plan_writes` turns the
decision into the store's cell writes and appended block, and the journal's record of the run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Final

import numpy as np
import pandas as pd

from sheetsync.channels.base import FileAccount
from sheetsync.config import Config, parse_duration
from sheetsync.i18n import Lang, Words, render, text
from sheetsync.journal.record import RunRecord
from sheetsync.model.cells import KEEP, AppendBlock, CellWrite, Keep
from sheetsync.model.changes import CellChanges
from sheetsync.model.records import Anomaly, CellChange, Flag, anomaly_cells, anomaly_codes
from sheetsync.model.states import team_word
from sheetsync.model.values import ColumnCells, cell_value
from sheetsync.run.accounts import account_pulls
from sheetsync.run.base_rows import base_rows, final_hashes
from sheetsync.run.gather import Gathered
from sheetsync.runtime.frames import emptied
from sheetsync.steps import anomalies as anomaly_step
from sheetsync.steps.diff import append_block, created_record, diff, differs, to_writes
from sheetsync.steps.edits import person_edits
from sheetsync.steps.fold import fold
from sheetsync.steps.identity import Assigned, assign_order_ids, highest_number, order_id_maker
from sheetsync.steps.pull import (
    Incorporated,
    JournalState,
    channel_words,
    incorporate,
    new_key_batches,
    promised_by,
    said_words,
)
from sheetsync.steps.rules import CompiledRules
from sheetsync.steps.rules import validate as validate_rows
from sheetsync.steps.workflow.advance import advance
from sheetsync.steps.workflow.compiled import Workflow
from sheetsync.steps.workflow.result import Advanced

TOOL_FIELDS_SOURCE = {"order_id": "tool", "channel": "tool", "anomalies": "rule"}
_NO_HASHES = pd.Series(dtype="int64")


@dataclass(slots=True)
class Numbers:
    """The order_id sequence as the steps see it: numbers counted on from the last one given; the
    run reserves the ones used when it commits (`Journal.next_sequence`)."""

    last: int
    used: int = 0
    floor: int = 0
    """The highest number of the ids in the table made by the format (a team's own series): numbers go on above it."""

    def take(self, count: int) -> int:
        first = max(self.last, self.floor) + self.used + 1
        self.used += count
        return first

    @property
    def reserved(self) -> int:
        """How many numbers the run takes from the journal's sequence: the ones it used, and those below them that
        the team's own ids had taken, so that no number is given twice even when their rows are deleted."""
        return max(self.last, self.floor) - self.last + self.used if self.used else 0


@dataclass(slots=True)
class Decision:
    """What the steps decided: the table after the run, and every account of how it got there."""

    work: pd.DataFrame
    columns: dict[str, int]
    header_row: int
    assigned: list[Assigned]
    edits: list[CellChange]
    pulled: Incorporated
    accounts: list[FileAccount]
    found: list[Anomaly]
    advanced: Advanced | None
    changes: CellChanges
    new_rows: pd.DataFrame
    closed_flags: dict[int, str]
    new_flags: list[Flag]
    levels: dict[str, str]
    workflow: Workflow | None
    numbers: Numbers
    hashes: pd.Series
    stored: pd.Series
    duplicates: dict[str, list[int]] = field(default_factory=dict)
    """order_id -> the rows where it stands twice or more (neither row is changed)."""
    gone: list[str] = field(default_factory=list)
    """Orders a person deleted from the sheet since the last run."""
    list_words: list[str] = field(default_factory=list)
    """Status words this run writes that the team's words do not have: added to the status dropdown (`extend`)."""
    repaint: list[int] = field(default_factory=list)
    """Rows whose anomalies cell keeps its text but names a code whose level changed since the last run: its fill
    is written again (a rule moved from warn to error turns its cells red)."""

    @property
    def doubled(self) -> set[str]:
        return set(self.duplicates)

    @property
    def lists(self) -> dict[tuple[int, int], list[str]]:
        """(row, column) of the first status cell -> the words its dropdown must offer (the store adds them)."""
        if not self.list_words or "status" not in self.columns:
            return {}
        return {(self.header_row + 1, self.columns["status"]): self.list_words}

    def fill_of(self, name: str, value: str | None) -> str | Keep | None:
        """The fill of a tool-coloured cell (anomalies by their worst level; status and sla by the workflow)."""
        if name == "anomalies":
            return anomaly_step.fill_for(value, self.levels)
        return self.workflow.fill_of(name, value) if self.workflow is not None else KEEP


def decide(gathered: Gathered, config: Config, rules: CompiledRules, workflow: Workflow | None,
           now: dt.datetime, *, tickets: Callable[[pd.DataFrame], Mapping[str, str]] | None = None) -> Decision:
    """Run the pure steps over what was gathered.  `gathered` is taken over: its table as read, its
    pulls' records and the journal's snapshot are let go as soon as the steps are done with them.
    `tickets`: the after-sales sheet's step, called with the orders once the channels' are in (`run/tickets.py`); it
    returns order_id -> the state key the order's tickets give it (`refunding`, `refunded`): news the workflow judges
    as a shop's."""
    lang = config.sheet_language  # what is written and journaled: the desk's words
    table, pulls = gathered.table, gathered.pulls
    before = table.frame
    work = before.copy()
    numbers = Numbers(gathered.sequence, floor=highest_number(config.order_id.format, config.order_id.prefix, now.date(),
                                                              work["order_id"]))
    make_ids = order_id_maker(config.order_id.format, config.order_id.prefix, now.date(), work["order_id"].dropna(),
                              numbers.take)
    assigned = assign_order_ids(work, make_ids, config.manual_channel)
    seen_before = gathered.seen_before
    edits = person_edits(seen_before, gathered.snapshot, gathered.known)
    snapshot = gathered.snapshot.where(gathered.known).set_axis(seen_before.index)
    gathered.snapshot = gathered.known = gathered.seen_before = before.iloc[:0]

    clean = gathered.hashes.index.difference(gathered.stale)
    remembered = said_words(gathered.merge_base)
    known_to_pulls = JournalState(natural_keys=gathered.natural_keys, merge_base=gathered.merge_base,
                                  snapshot=pd.concat([snapshot, gathered.doubled_snapshot])
                                  if len(gathered.doubled_snapshot) else snapshot, created=gathered.created,
                                  said=remembered, kept=gathered.kept)
    fit = partial(fold, amount=config.table.amount, default_country=config.rules.phone.default_country,
                  status_words=gathered.status_words)
    work, pulled = incorporate(work, pulls, known_to_pulls, make_ids, table.last_row, gathered.deleted, clean, fit)
    pulled.not_recreated += gathered.not_recreated
    _fill_kept(work, gathered.fill, pulled)
    del known_to_pulls, clean
    accounts = account_pulls(pulls, pulled)
    pulled.outcome.clear()
    for pull in pulls:  # the records are in the table now; what remains of a pull is its account
        pull.records, pull.sources = emptied(pull.records), {}
    _fill_promises(work, config, pulled.appended)
    events = tickets(work) if tickets is not None else None
    if events:
        _ticket_news(work, pulled, events, gathered.status_words, AFTERSALES_SOURCE[lang])

    flags, closed, new_flags = _flags(gathered.open_flags, work, edits, pulled)
    found = [*anomaly_step.duplicate_id_anomalies(work), *anomaly_step.flag_anomalies(work, flags),
             *validate_rows(work, rules, now=now)]
    advanced = None
    if workflow is not None:
        shop_status = _channel_status(work, pulled)
        advanced = advance(work, workflow=workflow, previous=_previous(workflow, before, snapshot, pulled.sources),
                           added=pd.Index([a.row for a in assigned]), now=now,
                           history=gathered.workflow, lookups=gathered.lookups, news=pulled.sources.get("status", {}))
        found += advanced.anomalies
        news_flags = [Flag(oid, "CONFLICT", "status", sheet, said) for oid, sheet, said in advanced.conflicts if oid]
        known = {(f.order_id, f.code, f.field, f.other_value) for f in flags}
        new_flags += [f for f in news_flags if (f.order_id, f.code, f.field, f.other_value) not in known]
        found.sort(key=lambda a: a.row)
        pulled.merge_base.update(channel_words(work, shop_status, remembered.get("status", {})))
    del snapshot
    list_words = _status_list(work, before, config, found)
    if "anomalies" in work.columns:
        work["anomalies"] = anomaly_cells(work.index, found, lang)  # written: in the desk's language
    changes = diff(before, work.iloc[: len(before)], TOOL_FIELDS_SOURCE, pulled.sources,
                   _said(advanced.details, lang) if advanced is not None else None)  # journaled: in the desk's language
    pulled.sources.clear()  # past the diff neither the table as read nor the channels' cell sources are needed
    del before
    table.frame = emptied(table.frame)
    hashes, stored = gathered.hashes, gathered.stored
    gathered.hashes = gathered.stored = _NO_HASHES  # the decision holds them now, and lets go of them before the write
    levels = {**rules.levels, **{a.code: a.level for a in found}}
    return Decision(
        work=work, columns=table.columns, header_row=table.header_row, assigned=assigned, edits=edits, pulled=pulled,
        accounts=accounts, found=found,
        advanced=advanced, changes=changes, new_rows=_appended(work, pulled.appended), closed_flags=closed,
        new_flags=new_flags, levels=levels, workflow=workflow,
        numbers=numbers, hashes=hashes, stored=stored, duplicates=gathered.duplicates,
        gone=gathered.gone, repaint=_repaint(work, changes, levels, gathered.levels_before), list_words=list_words,
    )


AFTERSALES_SOURCE: Final[dict[str, str]] = {"zh": "售后", "en": "after-sales"}
"""The channel an order's status following its tickets is journaled under (and the workflow's news is from)."""


def _ticket_news(work: pd.DataFrame, pulled: Incorporated, events: Mapping[str, str], words: Mapping[str, str],
                 source: str) -> None:
    """The status each order's tickets give it, written as a channel's news (the workflow then lets it stand, puts
    it back, or lets it go, as it does a shop's)."""
    if "status" not in work.columns or "order_id" not in work.columns:
        return
    ids = pd.Index(work["order_id"].astype("str"))
    for order_id, key in events.items():
        word = words.get(key)
        at = ids.get_indexer([order_id])[0]
        if word is None or at < 0:
            continue
        row = work.index[at]
        if work.at[row, "status"] != word:
            work.at[row, "status"] = word
            pulled.sources.setdefault("status", {})[int(row)] = source


def _status_list(work: pd.DataFrame, before: pd.DataFrame, config: Config, found: list[Anomaly]) -> list[str]:
    """The status words this run writes that the team's own words (`statuses:`) lack: with `status_list: extend`
    they are returned (the dropdown gets them), with `keep` an order that would get one keeps its status and is
    flagged STATUS_NOT_IN_LIST.  Nothing when the desk names no words of its own."""
    allowed = set(config.statuses)
    if not allowed or "status" not in work.columns:
        return []
    status = work["status"]
    old = before["status"].reindex(status.index)
    moved = differs(old, status).to_numpy() & status.notna().to_numpy() & ~status.isin(list(allowed)).to_numpy()
    if not moved.any():
        return []
    if config.table.status_list == "extend":
        return list(dict.fromkeys(status[moved].tolist()))
    for row in status.index[moved].tolist():
        word = str(status.at[row])
        kept = old.at[row] if pd.notna(old.at[row]) else team_word(word, config.statuses)  # a new row: the team's word
        work.at[row, "status"] = kept
        found.append(Anomaly(int(row), str(work.at[row, "order_id"]), "STATUS_NOT_IN_LIST", "status",
                             text("anomaly.STATUS_NOT_IN_LIST", word=word, kept=str(kept or "")), "warn"))
    return []


def _repaint(work: pd.DataFrame, changes: CellChanges, levels: dict[str, str], before: dict[str, str] | None) -> list[int]:
    """The rows whose anomalies cell names a code whose level changed since the last run, and whose text this
    run does not rewrite (a rewritten cell gets its fill with its text)."""
    changed = [code for code, level in levels.items() if before is not None and before.get(code, level) != level]
    if not changed or "anomalies" not in work.columns:
        return []
    cells = work["anomalies"]
    hit = cells.notna() & cells.str.contains("|".join(rf"(?:^|; ){code}\b" for code in changed), regex=True).fillna(False)
    rewritten = {int(r) for p in changes.parts if p.field == "anomalies" for r in p.rows.tolist()}
    return [int(r) for r in cells.index[hit.to_numpy()].tolist() if int(r) not in rewritten]


def early_record(decision: Decision) -> RunRecord:
    """The part of the run's record the journal can take first, while the writes are still being planned:
    people's edits, the cell changes (encoded by DuckDB) and the created rows."""
    created = created_record(decision.new_rows, decision.pulled.created_by)
    created.extra = decision.pulled.kept_new
    return RunRecord(changes=decision.edits, encoded_changes=decision.changes.encoded(), created=created)


def plan_writes(decision: Decision) -> tuple[list[CellWrite], AppendBlock | None]:
    """The store's cell writes (values and fills) and the block of appended rows, in sheet coordinates."""
    columns, new_rows = decision.columns, decision.new_rows
    writes = to_writes(decision.changes, columns, cell_value, decision.fill_of)
    if decision.repaint and "anomalies" in columns:
        cells = decision.work["anomalies"]
        writes += [CellWrite(row, columns["anomalies"], KEEP, decision.fill_of("anomalies", cells.at[row]))
                   for row in decision.repaint if row not in new_rows.index]
    block = append_block(new_rows, columns, ColumnCells)
    for name in ("anomalies", "status", "sla"):  # appended rows' coloured cells
        if name in columns and name in new_rows.columns:
            values = new_rows[name].dropna()
            fills = {v: decision.fill_of(name, v) for v in values.unique().tolist()}  # per distinct value, not per row
            painted = {v: f for v, f in fills.items() if f is not KEEP}
            if painted:
                values = values[values.isin(list(painted))]
                writes += [CellWrite(r, columns[name], KEEP, painted[v])
                           for r, v in zip(values.index.tolist(), values.tolist(), strict=True)]
    return writes, block


def run_record(decision: Decision, gathered: Gathered, *, early_given: bool) -> RunRecord:
    """The journal's record of the run: base rows of every row whose hash changed, natural keys, merge
    bases, flags, files taken.  `early_given`: the changes went ahead as `early_record`."""
    work, doubled, pulled = decision.work, decision.doubled, decision.pulled
    final = work.loc[~work["order_id"].isin(doubled)] if doubled else work  # not a copy of the whole table
    snapshots = base_rows(final, final_hashes(final, decision.hashes, decision.changes.rows()), decision.stored,
                          decision.new_rows.index)
    early = RunRecord() if early_given else early_record(decision)
    return RunRecord(
        changes=early.changes, encoded_changes=early.encoded_changes, created=early.created,
        base=snapshots, layout=list(final.columns), deleted=gathered.gone_values,
        natural_keys=pulled.natural_keys, encoded_natural_keys=new_key_batches(pulled.new_keys),
        merge_base=pulled.merge_base, new_flags=decision.new_flags, closed_flags=decision.closed_flags,
        cursors={p.name: p.cursor for p in gathered.pulls if p.cursor is not None},
        files=[(f.sha256, f.path, f.channel, f.rows_read) for p in gathered.pulls for f in p.files
               if f.skipped is None and f.error is None and f.sha256],  # an API channel's account has no file
        unlocks_used=decision.advanced.unlocks_used if decision.advanced is not None else [],
        kept=pulled.kept, columns=list(work.columns), levels=decision.levels,
    )


def _channel_status(work: pd.DataFrame, pulled: Incorporated) -> pd.Series:
    """The status each row got from a channel in this run (the rows it appended, the cells it changed), before
    the workflow moves any of them."""
    if "status" not in work.columns:
        return pd.Series(dtype="str")
    rows = np.union1d(np.asarray(pulled.appended, dtype=np.int64),
                      np.fromiter(pulled.sources.get("status", {}), dtype=np.int64))
    return work.loc[rows, "status"].copy() if len(rows) else pd.Series(dtype="str")


def _said(details: dict[str, dict[int, Words]], lang: Lang) -> dict[str, dict[int, str]]:
    """Why the workflow changed each cell, in `lang`: what the journal keeps (each distinct reason said once)."""
    said: dict[int, str] = {}
    out: dict[str, dict[int, str]] = {}
    for name, rows in details.items():
        out[name] = {}
        for row, words in rows.items():
            text = said.get(id(words))
            if text is None:
                text = said[id(words)] = render(words, lang)
            out[name][row] = text
    return out


def _previous(workflow: Workflow, before: pd.DataFrame, snapshot: pd.DataFrame,
              channel_cells: dict[str, dict[int, str]]) -> pd.DataFrame:
    """The status, status_since and locked fields as sheetsync last recorded them, for the rows people
    changed since the last run (the journal's snapshot) and the rows a channel changed in this one."""
    fields = [f for f in ("status", "status_since", *workflow.lock_fields) if f in before.columns]
    previous = snapshot.reindex(columns=fields)
    by_channel = set().union(*(channel_cells.get(f, {}).keys() for f in fields)) - set(previous.index)
    by_channel &= set(before.index)
    if by_channel:
        previous = pd.concat([previous, before.loc[sorted(by_channel), fields]])
    return previous


def _appended(work: pd.DataFrame, appended: list[int]) -> pd.DataFrame:
    """The rows a run appends: the table's tail, taken as a slice (no copy of an import's million rows)
    when they are its last rows in order, as `incorporate` leaves them."""
    count = len(appended)
    if count and count <= len(work) and work.index[-count] == appended[0] and work.index[-1] == appended[-1] \
            and np.array_equal(work.index[-count:].to_numpy(), np.asarray(appended)):
        return work.iloc[len(work) - count:]
    return work.loc[appended]


KEPT_SOURCE = "journal"
"""The name a cell filled from what the journal kept is journaled under (source channel, detail journal)."""


def _fill_kept(work: pd.DataFrame, fill: dict[str, dict[str, str]], pulled: Incorporated) -> None:
    """Fill the empty cells of a column the team added since the last run with what the channels brought for it
    while the sheet had no column (kept in the journal); a cell a person or a channel filled is left alone."""
    for name, values in fill.items():
        empty = work[name].isna() & work["order_id"].notna()
        if not empty.any():
            continue
        ids = work.loc[empty, "order_id"]
        found = ids.map(values)
        found = found[found.notna()]
        if found.empty:
            continue
        work.loc[found.index, name] = found.astype("str")
        sources = pulled.sources.setdefault(name, {})
        for row in found.index.tolist():
            sources.setdefault(int(row), KEPT_SOURCE)
        pulled.filled[name] = len(found)


def _fill_promises(work: pd.DataFrame, config: Config, appended: list[int]) -> None:
    """promised_by = created_at + the channel's promise, for rows that have none yet."""
    if not config.promises or "promised_by" not in work.columns or "created_at" not in work.columns:
        return
    promises = {k: parse_duration(v) for k, v in config.promises.items()}
    for spec in [*config.channels]:
        if spec.name in promises and spec.label:
            promises.setdefault(spec.label, promises[spec.name])
    todo = work["promised_by"].isna() & work["created_at"].notna()
    if todo.any():
        channel = work.loc[todo, "channel"] if "channel" in work.columns else pd.Series(None, index=work.index[todo])
        work.loc[todo, "promised_by"] = promised_by(work.loc[todo, "created_at"], channel, promises)


def _flags(open_flags: list[Flag], work: pd.DataFrame, edits: list[CellChange],
           pulled: Incorporated) -> tuple[list[Flag], dict[int, str], list[Flag]]:
    """Open flags after this run: resolved ones closed, acknowledged ones closed, new ones added."""
    wanted = pd.Index([f.order_id for f in open_flags], dtype="str")
    at = work["order_id"].dropna()
    at = at[at.isin(wanted)]
    row_of = dict(zip(at.tolist(), at.index.tolist(), strict=True))  # only the flagged orders: not a dict of every row
    acknowledged = {(e.order_id, code) for e in edits if e.field == "anomalies"
                    for code in anomaly_codes(e.old) - anomaly_codes(e.new)}
    keep: list[Flag] = []
    closed: dict[int, str] = {}
    for flag in open_flags:
        row = row_of.get(flag.order_id)
        if row is None or (flag.order_id, flag.code) in acknowledged:
            closed[flag.id] = "acknowledged"
            continue
        if flag.code == "CONFLICT" and flag.field in work.columns:
            now_value = work.at[row, flag.field]
            now_text = None if pd.isna(now_value) else str(now_value)
            if now_text != flag.sheet_value or now_text == flag.other_value:
                closed[flag.id] = "resolved"
                continue
        keep.append(flag)
    new = [Flag(oid, "CONFLICT", c.field, c.sheet, c.incoming) for oid, c in pulled.conflicts]
    new += [Flag(oid, "TRACKING_CHANGED", "tracking_no", old, now) for oid, old, now in pulled.tracking_changed]
    present = {(f.order_id, f.code, f.field, f.other_value) for f in keep}
    new = [f for f in new if (f.order_id, f.code, f.field, f.other_value) not in present]
    return keep + new, closed, new
