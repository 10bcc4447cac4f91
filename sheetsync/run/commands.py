"""The workflow's commands as library functions: work queues, signing a batch of orders, unlocking an order.

`cli/workflow.py` parses flags and renders; these do the work.  `approve_orders` writes the
approver cells and journals them through the same protocol as `sync` (`run/commit.py`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any

import pandas as pd

from sheetsync.channels import open_channels
from sheetsync.config import Config
from sheetsync.errors import ConfigError
from sheetsync.i18n import t
from sheetsync.journal import copy as journal_copy
from sheetsync.journal.open import locked_journal
from sheetsync.journal.record import RunRecord
from sheetsync.journal.sqlite import set_aside_if_damaged
from sheetsync.journal.workflow import WorkflowJournal
from sheetsync.model.records import CellChange, Unlock
from sheetsync.reports.dashboard import dashboard_book, dashboard_requests
from sheetsync.reports.kpi import KpiReport
from sheetsync.run.base_rows import base_rows
from sheetsync.run.commit import Commit, opened
from sheetsync.runtime.files import file_sha256
from sheetsync.steps.edits import row_hashes
from sheetsync.steps.workflow.compiled import Workflow
from sheetsync.steps.workflow.load import load_workflow
from sheetsync.steps.workflow.queue import QueueGroup, work_queues
from sheetsync.steps.workflow.signing import Signature, sign
from sheetsync.stores import open_store
from sheetsync.stores.base import Written
from sheetsync.stores.gsheets import GsheetsStore
from sheetsync.stores.table import read_table
from sheetsync.stores.xlsx.embed import Added
from sheetsync.stores.xlsx.store import XlsxStore


def workflow_or_default(config: Config) -> Workflow:
    """The desk's workflow: `workflow:` in sheetsync.yaml, else the shipped default in the desk's language."""
    spec = getattr(config, "workflow", None) or f"default_{config.sheet_language}"
    headers, _ = config.header_map()
    return load_workflow(str(spec), config.base_dir, config.sheet_language, aliases={v: k for k, v in headers.items()},
                         words=config.statuses)


def queues(config: Config, now: dt.datetime, group: str | None = None) -> list[QueueGroup]:
    """The open orders per group, in working order (reads the sheet, writes nothing)."""
    frame = read_table(open_store(config), config).frame
    return work_queues(frame, workflow_or_default(config), now, group)


@dataclass(slots=True)
class ApproveResult:
    by: str
    signatures: list[Signature] = field(default_factory=list)
    run_id: int | None = None
    workbook_written: bool = False
    backup: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def approve_orders(config: Config, by: str, order_ids: Sequence[str] = (), *, group: str | None = None,
                   all_in_group: bool = False, now: dt.datetime, force: bool = False) -> ApproveResult:
    """Add `by` to the approver cell of each order (or of every order in review in `group` that `by`
    may sign), writing the sheet through the store; journaled as an `approve` run.

    A name that does not count for an order's tier is still written (the next sync flags it
    APPROVER_INVALID) and reported as `not_signer`."""
    lang = config.language
    workflow = workflow_or_default(config)
    if workflow.approval_state is None:
        raise ConfigError(t("workflow.approve.no_state", lang))
    if not order_ids and not all_in_group:
        raise ConfigError(t("workflow.approve.usage", lang))
    by = by.strip()
    result = ApproveResult(by)
    with opened(config, force=force) as desk:
        table = read_table(desk.store, config)
        frame = table.frame
        if "approver" not in table.columns:
            headers, _ = config.header_map()
            raise ConfigError(t("workflow.approve.no_column", lang, header=headers.get("approver", "approver")))
        signing = sign(frame, table.columns["approver"], workflow, by, order_ids, group=group if all_in_group else None,
                       in_group=all_in_group, now=now)
        result.signatures = signing.signatures
        writes, changes = signing.writes, signing.changes
        if not writes:
            return result
        signed = frame.loc[[w.row for w in writes]].copy()  # the rows as the sheet holds them once signed
        signed["approver"] = pd.Series([w.value for w in writes], index=signed.index, dtype="str")
        run_id = desk.journal.start_run("approve", now)
        with Commit(desk, run_id, staging=True) as commit:
            # the signed rows' base rows move with the cells, so the next sync takes no signature for a person's edit
            commit.add(RunRecord(changes=changes, base=base_rows(signed, row_hashes(signed), pd.Series(dtype="int64"),
                                                                 pd.Index([])), layout=list(signed.columns)))
            written = commit.write(writes, header_row=table.header_row)
        if written is not None:
            result.workbook_written = True
            result.backup = str(written.backup) if written.backup else None
        desk.journal.finish_run(run_id, 0, {"signed": len(writes)}, dt.datetime.now())
        result.run_id = run_id
    return result


def unlock(journal: WorkflowJournal, order_id: str, by: str, reason: str, now: dt.datetime,
           run_id: int | None = None) -> Unlock:
    """Record that `by` unlocked `order_id`'s locked fields for `reason`; the next sync keeps a person's change."""
    unlock_id = journal.add_unlock(order_id, by, reason, now, run_id)
    return Unlock(order_id, by, reason, unlock_id)


def unlock_order(config: Config, order_id: str, by: str, reason: str, now: dt.datetime) -> Unlock:
    """`unlock` on the desk's journal, as a run of its own (so `sheetsync history` shows it)."""
    with opened(config) as desk:
        journal = desk.journal
        if not journal.base_values([order_id]):
            raise ConfigError(t("workflow.approve.not_found", config.language, order_id=order_id))
        run_id = journal.start_run("unlock", now)
        with Commit(desk, run_id, staging=False) as commit:
            commit.add(RunRecord(changes=[CellChange(order_id, "unlock", None, reason, "person", by)]))
            commit.write(())
        done = unlock(journal.workflow, order_id, by, reason, now, run_id)
        journal.finish_run(run_id, 0, {"unlocked": 1}, dt.datetime.now())
    return done


def write_dashboard(config: Config, report: KpiReport, now: dt.datetime) -> str:
    """Put the dashboard sheet (the KPIs and native charts) into the desk's workbook, replacing the one the
    tool put there before; atomic, the previous version kept, journaled as a `report` run.  Returns its name."""
    lang = config.sheet_language  # a sheet of the team's workbook: in the desk's words, whatever the messages'
    sheet = t("kpi.dashboard.sheet", lang)
    with opened(config) as desk:
        store = desk.store
        if not isinstance(store, (GsheetsStore, XlsxStore)):
            raise ConfigError(t("kpi.dashboard.xlsx_only", config.language, backend=config.table.backend))
        made = dashboard_book(report, lang, sheet) if isinstance(store, XlsxStore) else b""

        def put(staged: Callable[[str], None] | None) -> Written:
            if isinstance(store, GsheetsStore):  # the same layout, as native Sheets cells and charts
                return store.put_sheet(sheet, partial(dashboard_requests, report, lang), t("kpi.dashboard.marker", lang),
                                       staged)
            return store.put_sheet(sheet, made, staged)

        run_id = desk.journal.start_run("report", now)
        with Commit(desk, run_id, staging=True) as commit:
            commit.add(RunRecord())
            commit.apply(put)
        desk.journal.finish_run(run_id, 0, {"dashboard": sheet}, dt.datetime.now())
    return sheet


def add_sheets(config: Config, made: bytes, added: Sequence[Added], now: dt.datetime) -> list[str]:
    """Add the sheets `added` of the workbook `made` to the desk's workbook: atomic, the previous version kept,
    journaled as an `init` run.  Returns their names."""
    with opened(config) as desk:
        store = desk.store
        if not isinstance(store, XlsxStore):
            raise ConfigError(t("kpi.dashboard.xlsx_only", config.language, backend=config.table.backend))
        run_id = desk.journal.start_run("init", now)
        with Commit(desk, run_id, staging=True) as commit:
            commit.add(RunRecord())
            commit.apply(lambda staged: store.add_sheets(made, added, staged))
        desk.journal.finish_run(run_id, 0, {"sheets": [a.name for a in added]}, dt.datetime.now())
    return [a.name for a in added]


@dataclass(slots=True)
class RebuildResult:
    """What `sheetsync rebuild` recorded: the sheet's rows as the journal's base, the channels' keys found in the
    sheet, the inbox files taken as seen."""

    run_id: int
    rows: int
    natural_keys: int
    files: int
    sequence: int
    damaged: str | None = None
    """Where the damaged journal file was set aside, when it was."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def rebuild_journal(config: Config, now: dt.datetime) -> RebuildResult:
    """A journal rebuilt from the sheet as it is, after the old one was lost: every row's values become its base
    (nothing is taken for a person's edit, nothing is flagged), the orders whose channel and shop order number
    the sheet shows get their natural keys, the files now in the inboxes count as seen (none is read again),
    and the order_id sequence goes on after the highest number in the sheet.  Writes no cell.  A damaged journal
    file is set aside first (`journal.db.damaged-TIME`), and the journal rebuilt in its place."""
    damaged = set_aside_if_damaged(config.journal_path, now) if config.journal_in_postgres is None else None
    with opened(config, rebuilding=True) as desk:
        journal = desk.journal
        frame = read_table(desk.store, config).frame
        ids = frame["order_id"]
        known = frame[(ids.notna() & ~ids.duplicated(keep=False)).to_numpy()]
        base = base_rows(known, row_hashes(known), pd.Series(dtype="int64"), pd.Index([]))
        keys: list[tuple[str, str, str, int | None]] = []
        files: list[tuple[str, str, str, int]] = []
        for channel in open_channels(config):
            spec = channel.channel
            label = spec.label or channel.mapping.label or spec.name
            if {"channel", "channel_order_id"} <= set(known.columns):
                mine = known[(known["channel"] == label).fillna(False).to_numpy() & known["channel_order_id"].notna()]
                keys += [(spec.name, str(k), str(o), None)  # what the channel said of them: not known
                         for k, o in zip(mine["channel_order_id"], mine["order_id"], strict=True)]
            for path in getattr(channel, "files", list)():
                files.append((file_sha256(path), str(path), spec.name, 0))
        numbers = known["order_id"].str.extract(r"(\d+)$", expand=False).dropna()
        highest = int(pd.to_numeric(numbers, errors="coerce").max()) if len(numbers) else 0
        if highest > journal.last_number("order_id"):
            journal.next_sequence("order_id", highest - journal.last_number("order_id"))
        run_id = journal.start_run("rebuild", now)
        journal.record(run_id, RunRecord(base=base, layout=list(known.columns), natural_keys=keys, files=files,
                                         columns=list(frame.columns)), workbook_sha256=None)
        journal.finish_run(run_id, 0, {"rows": len(known), "natural_keys": len(keys), "files": len(files)},
                           dt.datetime.now())
        return RebuildResult(run_id, len(known), len(keys), len(files), journal.last_number("order_id"),
                             str(damaged) if damaged else None)


def test_channels(config: Config, name: str | None, now: dt.datetime) -> list[dict[str, Any]]:
    """`sheetsync channels test [NAME]`: each API channel's credentials, permissions and one page (`ApiChannel.probe`);
    a file channel says how many files wait in its inbox.  Reads; writes nothing, the journal included."""
    from sheetsync.channels.api import ApiChannel

    found = []
    for channel in open_channels(config):
        if name is not None and channel.channel.name != name:
            continue
        if isinstance(channel, ApiChannel):
            found.append(channel.probe(now))
        else:
            found.append({"channel": channel.channel.name, "kind": channel.channel.kind, "ok": True,
                          "files": channel.waiting(), "problem": None})
    if name is not None and not found:
        raise ConfigError(t("channel.unknown", config.language, name=name,
                            known=", ".join(c.name for c in [*config.channels, *config.logistics])))
    return found


def copy_journal(config: Config, to: str, desk: str | None = None, password_env: str | None = None) -> dict[str, Any]:
    """The desk's whole journal copied to `to` (`journal/copy.py`), under the desk's run lock."""
    with locked_journal(config) as (source, _):
        return journal_copy.copy_desk(config, source, to, desk, password_env)
