"""What the CLI and Python users call: one function per command, results as data."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from sheetsync.channels import FileAccount, Pulled, open_channels
from sheetsync.config import Config, parse_duration
from sheetsync.errors import EXIT_EXTERNAL, EXIT_FINDINGS, EXIT_OK, UnreadableInput
from sheetsync.i18n import t
from sheetsync.journal.sqlite import Journal, RunRecord
from sheetsync.model.cells import KEEP, CellWrite, Keep
from sheetsync.model.records import CellChange, Flag, HistoryEntry, anomaly_codes
from sheetsync.model.values import ColumnCells, among, cell_value
from sheetsync.reports.rejects import write_rejects
from sheetsync.run.base_rows import base_rows, final_hashes, unlike_journal
from sheetsync.run.clock import parse_now
from sheetsync.run.commit import Commit, opened
from sheetsync.run.workflow import advance_table, desk_workflow, send_and_record
from sheetsync.runtime.frames import emptied
from sheetsync.runtime.logs import log_to_state_dir
from sheetsync.runtime.memory import LARGE_RUN
from sheetsync.runtime.memory import fit_to_run as fit_memory_to_run
from sheetsync.runtime.memory import give_back as give_back_memory
from sheetsync.runtime.threads import quick_handoffs
from sheetsync.steps import anomalies as anomaly_step
from sheetsync.steps.diff import append_block, created, created_record, diff, texts, to_writes
from sheetsync.steps.edits import person_edits, row_hashes
from sheetsync.steps.identity import assign_order_ids, deleted_ids, duplicate_ids, order_id_maker
from sheetsync.steps.pull import Incorporated, JournalState, incorporate, new_key_batches, promised_by
from sheetsync.steps.rules import CompiledRules, compile_rules
from sheetsync.steps.rules import validate as validate_rows
from sheetsync.stores import open_store

T = TypeVar("T")
log = logging.getLogger("sheetsync")

TOOL_FIELDS_SOURCE = {"order_id": "tool", "channel": "tool", "anomalies": "rule"}
CHANGES_SHOWN = 1000
"""A run's result lists its first 1,000 cell changes (`changes_total` counts all); the journal has every one."""


@dataclass
class RunResult:
    """What one sync did; `exit_code` is 0, or 3 when findings need attention (`strict`)."""

    run_id: int | None
    dry_run: bool
    workbook: str
    rows: int
    assigned: list[dict[str, Any]] = field(default_factory=list)
    person_edits: list[dict[str, Any]] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    duplicates: dict[str, list[int]] = field(default_factory=dict)
    anomalies: dict[str, int] = field(default_factory=dict)
    changes: list[dict[str, Any]] = field(default_factory=list)
    changes_total: int = 0
    cells_written: int = 0
    rows_appended: int = 0
    workbook_written: bool = False
    backup: str | None = None
    notices: list[str] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)
    not_recreated: list[str] = field(default_factory=list)
    unmatched_waybills: list[dict[str, Any]] = field(default_factory=list)
    conflicts: int = 0
    rejects_file: str | None = None
    seconds: float = 0.0
    strict: bool = False

    errors: int = 0
    """Rows' anomalies at level error (with --strict, any makes the exit code 3)."""
    moved: dict[str, int] = field(default_factory=dict)
    """`old→new` -> how many orders the workflow moved that way."""
    put_back: list[dict[str, Any]] = field(default_factory=list)
    """Status moves people made that the workflow does not allow: put back and flagged."""
    alerts: list[dict[str, Any]] = field(default_factory=list)
    strict_alerts: bool = False

    @property
    def exit_code(self) -> int:
        if self.strict_alerts and any(not a["ok"] for a in self.alerts):
            return EXIT_EXTERNAL
        return EXIT_FINDINGS if self.strict and self.errors else EXIT_OK

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["exit_code"] = self.exit_code
        return data


def sync(config: Config, *, dry_run: bool = False, force: bool = False, now: dt.datetime | None = None,
         strict: bool = False, strict_alerts: bool = False) -> RunResult:
    """One sync run: read, identify rows, detect people's edits, pull channels, merge, flag, write back, journal.

    An input file that cannot be read is reported and the others are still taken; the run then
    raises UnreadableInput (exit 6) naming it, after the workbook and the journal are safe.
    """
    started = time.perf_counter()
    now = now or parse_now(None, config.tz)
    lang = config.language
    log_to_state_dir(config.state_dir)
    rules = compiled_rules(config)
    workflow = desk_workflow(config)
    channels = open_channels(config)
    with opened(config, force=force, dry_run=dry_run) as desk, quick_handoffs():
        store, journal, notices = desk.store, desk.journal, desk.notices
        # channels are read on a thread while the workbook is: both readers do most of their work without the GIL
        seen = journal.seen_files()
        pulling = _background(lambda: [channel.pull(seen.get, now) for channel in channels])
        try:
            table = store.read()
        except BaseException:
            pulling.exception()  # let the channels finish; the reading error is the one to report
            raise
        pulls = pulling.result()
        if len(table.frame) + sum(len(p.records) for p in pulls) >= LARGE_RUN:
            fit_memory_to_run(LARGE_RUN)  # the command set it for a run of a sheet's size; this one is larger
        before = table.frame
        work = before.copy()
        run_id = 0 if dry_run else journal.start_run("sync", now)
        make_ids = order_id_maker(config.order_id.format, config.order_id.prefix, now.date(), work["order_id"].dropna(),
                                  lambda n: journal.next_sequence("order_id", n))
        assigned = assign_order_ids(work, make_ids, config.manual_channel)
        dups = duplicate_ids(work)
        dup_ids = set(dups)

        stored = journal.base_hashes()
        identified = ~before["order_id"].isin(dup_ids) & before["order_id"].notna()
        unique = before if identified.all() else before[identified]
        hashes = row_hashes(unique)
        stale = hashes.index[unlike_journal(unique["order_id"], hashes.to_numpy(), stored)]
        seen_before = before.loc[stale]
        seen_before = seen_before[stored.index.get_indexer(seen_before["order_id"]) >= 0]
        snapshot, known = journal.base_frame(texts(seen_before["order_id"]).tolist(), list(before.columns))
        edits = person_edits(seen_before, snapshot, known)
        snapshot = snapshot.where(known).set_axis(seen_before.index)

        clean = hashes.index.difference(stale)
        known_to_pulls = JournalState(
            natural_keys={p.name: journal.natural_keys(p.name) for p in pulls if p.kind != "waybills" and len(p.records)},
            merge_base=journal.merge_bases(),
            snapshot=_with_doubled(snapshot, before, dup_ids, journal))
        work, pulled = incorporate(work, pulls, known_to_pulls, make_ids, table.last_row, journal.deleted_ids(), clean)
        del known_to_pulls
        accounts = _account(pulls, pulled)
        pulled.outcome.clear()
        for pull in pulls:  # the records are in the table now; what remains of a pull is its account
            pull.records, pull.sources = emptied(pull.records), {}
        _fill_promises(work, config, pulled.appended)

        flags, closed, new_flags = _flags(journal.open_flags(), work, edits, pulled)
        found = [*anomaly_step.duplicate_id_anomalies(work, lang), *anomaly_step.flag_anomalies(work, flags, lang),
                 *validate_rows(work, rules, now=now, lang=lang)]
        advanced = None
        if workflow is not None:
            advanced = advance_table(work, workflow, before=before, snapshot=snapshot, channel_cells=pulled.sources,
                                     added=pd.Index([a.row for a in assigned]), journal=journal, store=store,
                                     now=now, lang=lang)
            found += advanced.anomalies
            found.sort(key=lambda a: a.row)
        if "anomalies" in work.columns:
            work["anomalies"] = anomaly_step.render(work.index, found)
        levels = {**rules.levels, **{a.code: a.level for a in found}}

        def fill_of(name: str, value: str | None) -> str | Keep | None:
            if name == "anomalies":
                return anomaly_step.fill_for(value, levels)
            return workflow.fill_of(name, value) if workflow is not None else KEEP

        changes = diff(before, work.iloc[: len(before)], TOOL_FIELDS_SOURCE, pulled.sources,
                       advanced.details if advanced is not None else None)
        pulled.sources.clear()  # past the diff neither the table as read nor the channels' cell sources are needed
        del before
        table.frame = emptied(table.frame)
        new_rows = _appended(work, pulled.appended)
        gone = deleted_ids(work, stored.index[~stored.index.isin(dup_ids)])
        gone_values = journal.base_values(gone)  # the last read of the journal before its thread has the connection
        # the journal's inserts begin now, on a thread beside the rest of the run and the workbook's write
        # (SQLite works without the GIL); they commit once the new workbook is staged
        entries = RunRecord(changes=edits, encoded_changes=changes.encoded(),
                            created=created_record(new_rows, pulled.created_by))
        staging = not dry_run and bool(len(changes) or len(new_rows))
        with Commit(desk, run_id, staging=staging, early=entries, rows=len(work)) as commit:
            staged = commit.staged
            writes = to_writes(changes, table.columns, cell_value, fill_of)
            block = append_block(new_rows, table.columns, ColumnCells)
            for name in ("anomalies", "status", "sla"):  # appended rows' coloured cells
                if name in table.columns and name in new_rows.columns:
                    values = new_rows[name].dropna()
                    fills = {v: fill_of(name, v) for v in values.unique().tolist()}  # per distinct value, not per row
                    painted = {v: f for v, f in fills.items() if f is not KEEP}
                    if painted:
                        values = values[values.isin(list(painted))]
                        writes += [CellWrite(r, table.columns[name], KEEP, painted[v])
                                   for r, v in zip(values.index.tolist(), values.tolist(), strict=True)]
            final = work.loc[~work["order_id"].isin(dup_ids)] if dup_ids else work  # not a copy of the whole table
            new_hashes = final_hashes(final, hashes, changes.rows())
            snapshots = base_rows(final, new_hashes, stored, new_rows.index)
            # the write is the run's memory peak: let go of what only the steps before it needed
            del stored, hashes, new_hashes, seen_before, snapshot, known, clean, flags, unique
            if len(work) >= LARGE_RUN:
                give_back_memory()
            record = RunRecord(
                changes=[] if staged else entries.changes, encoded_changes=() if staged else entries.encoded_changes,
                created=None if staged else entries.created,
                base=snapshots, layout=list(final.columns),
                deleted=gone_values,
                natural_keys=pulled.natural_keys, encoded_natural_keys=new_key_batches(pulled.new_keys),
                merge_base=pulled.merge_base, new_flags=new_flags, closed_flags=closed,
                files=[(f.sha256, f.path, f.channel, f.rows_read) for p in pulls for f in p.files
                       if f.skipped is None and f.error is None],
                unlocks_used=advanced.unlocks_used if advanced is not None else [],
            )
            commit.add(record)
            rejects = [r for p in pulls for r in p.rejects]
            result = RunResult(
                run_id=None if dry_run else run_id, dry_run=dry_run, workbook=str(config.workbook_path), rows=len(work),
                strict=strict,
                assigned=[asdict(a) for a in assigned], person_edits=[_change_dict(c) for c in edits], deleted=gone,
                duplicates=dups, anomalies=anomaly_step.count_codes(found), errors=sum(a.level == "error" for a in found),
                changes=[*(_cell_change_dict(c, table.columns) for c in changes.head(CHANGES_SHOWN)),
                         *(_created_dict(e, row) for e, row in zip(created(new_rows.iloc[:CHANGES_SHOWN], pulled.created_by),
                                                                            new_rows.index, strict=False))],
                changes_total=len(changes) + len(new_rows),
                notices=notices,
                files=[asdict(a) for a in accounts], not_recreated=sorted(set(pulled.not_recreated)),
                unmatched_waybills=pulled.unmatched_waybills, conflicts=len(new_flags), strict_alerts=strict_alerts,
                moved={f"{a}→{b}": n for (a, b), n in advanced.moved.items()} if advanced is not None else {},
                put_back=[asdict(m) for m in advanced.moves if not m.accepted] if advanced is not None else [],
            )
            if not dry_run:
                if rejects:
                    result.rejects_file = str(write_rejects(config.state_dir / "rejects", rejects, lang, now, run_id))
                written = commit.write(writes, block)
        if not dry_run:
            if written is not None:
                result.workbook_written = True
                result.backup = str(written.backup) if written.backup else None
                result.cells_written = written.cells
                result.rows_appended = len(new_rows)
            _archive(config, pulls)
            if advanced is not None:  # the run is recorded: now tell people (a failing webhook never fails the run)
                result.alerts = [o.to_dict() for o in send_and_record(advanced, config, journal, run_id, now)]
        result.seconds = round(time.perf_counter() - started, 3)
        if not dry_run:
            journal.finish_run(run_id, result.exit_code, _counts(result), dt.datetime.now())
        log.info("sync %s: %s", "dry-run" if dry_run else f"run {run_id}", _counts(result))
    broken = [a for a in accounts if a.error]
    if broken:
        raise UnreadableInput("\n".join(a.error or "" for a in broken), t("pull.unreadable.hint", lang))
    return result


def compiled_rules(config: Config) -> CompiledRules:
    """The desk's `rules:`, custom conditions compiled (they may name a field by its header text)."""
    headers, _ = config.header_map()
    return compile_rules(config.rules, lang=config.language, aliases={text: f for f, text in headers.items()})


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


def _appended(work: pd.DataFrame, appended: list[int]) -> pd.DataFrame:
    """The rows a run appends: the table's tail, taken as a slice (no copy of an import's million rows)
    when they are its last rows in order, as `incorporate` leaves them."""
    count = len(appended)
    if count and count <= len(work) and work.index[-count] == appended[0] and work.index[-1] == appended[-1] \
            and np.array_equal(work.index[-count:].to_numpy(), np.asarray(appended)):
        return work.iloc[len(work) - count:]
    return work.loc[appended]


def _with_doubled(snapshot: pd.DataFrame, before: pd.DataFrame, doubled: set[str], journal: Journal) -> pd.DataFrame:
    """The journal's snapshot of the rows a person changed, and of the rows whose order_id stands twice
    (they are left out of the edits, but a channel may still update one of them)."""
    if not doubled:
        return snapshot
    rows = before[before["order_id"].isin(doubled)]
    values, known = journal.base_frame(texts(rows["order_id"]).tolist(), list(before.columns))
    return pd.concat([snapshot, values.where(known).set_axis(rows.index)])


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


def _account(pulls: list[Pulled], pulled: Incorporated) -> list[FileAccount]:
    """Per input file: rows read = new + updated + unchanged + rejected."""
    accounts: list[FileAccount] = []
    for index, pull in enumerate(pulls):
        line_counts = getattr(pull.sources, "line_counts", None)
        if line_counts is not None:  # an import's million orders, counted by arrays
            _account_arrays(pull, index, pulled, *line_counts())
            accounts.extend(pull.files)
            continue
        created = {key for pull_index, _, keys, _ in pulled.new_keys if pull_index == index for key in keys.to_pylist()}
        for key, sources in pull.sources.items():
            outcome = "new" if key in created else pulled.outcome.get((index, key), "unchanged")
            for file_index, lines in sources:
                account = pull.files[file_index]
                setattr(account, outcome, getattr(account, outcome) + len(lines))
        accounts.extend(pull.files)
    return accounts


def _account_arrays(pull: Pulled, index: int, pulled: Incorporated, keys: pd.Index, tables: np.ndarray,
                    counts: np.ndarray) -> None:
    """`_account` for sources given as arrays: each key, its file (an index in `pull.files`) and its lines."""
    outcome = np.full(len(keys), 2)  # 0 new, 1 updated, 2 unchanged
    text = pd.Series(keys, dtype="str")
    for pull_index, _, made, _ in pulled.new_keys:
        if pull_index == index:
            outcome[among(text, made)] = 0
    names = ("new", "updated", "unchanged")
    if pulled.outcome:
        code_of = {name: code for code, name in enumerate(names)}
        rest = np.flatnonzero(outcome != 0)
        for i, key in zip(rest.tolist(), text.iloc[rest].tolist(), strict=True):
            outcome[i] = code_of[pulled.outcome.get((index, key), "unchanged")]
    for code, name in enumerate(names):
        mine = outcome == code
        sums = np.bincount(tables[mine], weights=counts[mine], minlength=len(pull.files))
        for account, n in zip(pull.files, sums.tolist(), strict=False):
            setattr(account, name, getattr(account, name) + int(n))


def _archive(config: Config, pulls: list[Pulled]) -> None:
    """Move the files a channel took into its `archive:` folder (only when it names one)."""
    for pull in pulls:
        if not pull.config.archive:
            continue
        folder = config.resolve(pull.config.archive)
        folder.mkdir(parents=True, exist_ok=True)
        for account in pull.files:
            if account.error is None and Path(account.path).exists():
                shutil.move(account.path, folder / Path(account.path).name)


def history(config: Config, order_id: str) -> list[HistoryEntry]:
    """Every recorded change of one order, oldest first."""
    if not config.journal_path.exists():
        return []
    with Journal(config.journal_path, config.language) as journal:
        return journal.history(order_id)


def _created_dict(entry: CellChange, row: object) -> dict[str, Any]:
    return {"row": int(row), "column": None, "order_id": entry.order_id, "field": "*", "old": None, "new": entry.new,  # type: ignore[call-overload]
            "source": entry.source}


def _change_dict(c: CellChange) -> dict[str, Any]:
    return {"order_id": c.order_id, "field": c.field, "old": c.old, "new": c.new, "source": c.source}


def _cell_change_dict(c: CellChange, columns: dict[str, int]) -> dict[str, Any]:
    return {"row": c.row, "column": columns.get(c.field), "order_id": c.order_id, "field": c.field,
            "old": c.old, "new": c.new, "source": c.source}


def _counts(result: RunResult) -> dict[str, Any]:
    return {
        "rows": result.rows, "assigned": len(result.assigned), "person_edits": len(result.person_edits),
        "deleted": len(result.deleted), "duplicates": len(result.duplicates), "anomalies": result.anomalies,
        "cells_written": result.cells_written, "rows_appended": result.rows_appended, "seconds": result.seconds,
    }


@dataclass
class CheckResult:
    """What `sheetsync check` found: the configuration is valid and the sheet has its headers."""

    config: str
    workbook: str
    sheet: str
    header_row: int
    rows: int
    mapped: dict[str, str]
    absent: list[str]
    extra: list[str]
    channels: list[dict[str, Any]] = field(default_factory=list)
    rules: list[tuple[str, str]] = field(default_factory=list)
    """(code, level) of every rule that is on, its conditions compiled."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def check(config: Config, *, rules_only: bool = False) -> CheckResult:
    """Validate the configuration (its rules' conditions and channels' mappings too) against the workbook;
    writes nothing.  A bad condition, a missing mapped header or an unknown mapping raises ConfigError.
    `rules_only` checks the `rules:` alone (no workbook, no channels)."""
    compiled = compiled_rules(config)
    desk_workflow(config)  # an inconsistent workflow is a ConfigError (exit 2)
    if rules_only:
        return CheckResult(config=str(config.source), workbook=str(config.workbook_path), sheet=config.table.sheet,
                           header_row=0, rows=0, mapped={}, absent=[], extra=[], channels=[],
                           rules=sorted(compiled.levels.items()))
    headers, _ = config.header_map()
    channels = [{"name": c.channel.name, "mapping": c.mapping.name, "kind": c.mapping.kind, "files": c.waiting()}
                for c in open_channels(config)]
    table = open_store(config).read()
    return CheckResult(
        config=str(config.source), workbook=str(config.workbook_path), sheet=config.table.sheet,
        header_row=table.header_row, rows=len(table.frame),
        mapped={f: headers[f] for f in table.columns}, absent=[f for f in headers if f not in table.columns],
        extra=list(table.extra_headers), channels=channels, rules=sorted(compiled.levels.items()),
    )


@dataclass
class ValidateResult:
    """The findings of the rules on the table as it is (`sheetsync validate`): nothing is written."""

    workbook: str
    rows: int
    counts: dict[str, int]
    findings: list[dict[str, Any]]
    errors: int

    @property
    def exit_code(self) -> int:
        return EXIT_FINDINGS if self.errors else EXIT_OK

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "exit_code": self.exit_code}


def validate(config: Config, *, now: dt.datetime | None = None) -> ValidateResult:
    """Run the desk's rules over the table as it is and return every finding; writes nothing (no lock,
    no journal).  Rows keep their sheet row numbers."""
    now = now or parse_now(None, config.tz)
    rules = compiled_rules(config)
    frame = open_store(config).read().frame
    found = [*anomaly_step.duplicate_id_anomalies(frame, config.language),
             *validate_rows(frame, rules, now=now, lang=config.language)]
    found.sort(key=lambda a: a.row)
    return ValidateResult(
        workbook=str(config.workbook_path), rows=len(frame), counts=anomaly_step.count_codes(found),
        findings=[asdict(a) for a in found], errors=sum(a.level == "error" for a in found),
    )
