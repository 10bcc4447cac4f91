"""The workflow's commands as library functions: work queues, signing a batch of orders, unlocking an order.

`cli/workflow.py` parses flags and renders; these do the work.  `approve_orders` writes the
approver cells and journals them through the same protocol as `sync` (`run/commit.py`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import pandas as pd

from sheetsync.config import Config
from sheetsync.errors import ConfigError
from sheetsync.i18n import t
from sheetsync.journal.record import RunRecord
from sheetsync.journal.workflow import WorkflowJournal
from sheetsync.model.cells import CellWrite
from sheetsync.model.records import CellChange, Unlock
from sheetsync.run.base_rows import base_rows
from sheetsync.run.commit import Commit, opened
from sheetsync.steps.edits import row_hashes
from sheetsync.steps.workflow.advance import advance
from sheetsync.steps.workflow.approval import add_name, split_names
from sheetsync.steps.workflow.compiled import Workflow
from sheetsync.steps.workflow.load import load_workflow
from sheetsync.steps.workflow.queue import QueueGroup, work_queues
from sheetsync.stores import open_store
from sheetsync.stores.table import read_table


def desk_workflow(config: Config) -> Workflow:
    """The desk's workflow: `workflow:` in sheetsync.yaml, else the shipped default in the desk's language."""
    spec = getattr(config, "workflow", None) or f"default_{config.language}"
    headers, _ = config.header_map()
    return load_workflow(str(spec), config.base_dir, config.language, aliases={v: k for k, v in headers.items()})


def queues(config: Config, now: dt.datetime, group: str | None = None) -> list[QueueGroup]:
    """The open orders per group, in working order (reads the sheet, writes nothing)."""
    frame = read_table(open_store(config), config).frame
    return work_queues(frame, desk_workflow(config), now, config.language, group)


Outcome = Literal["signed", "already", "not_signer", "not_found"]


@dataclass(frozen=True, slots=True)
class Signature:
    order_id: str
    outcome: Outcome
    approver: str | None = None
    """The approver cell after signing."""
    tier: str | None = None


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
    workflow = desk_workflow(config)
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
        graded = advance(frame.copy(), workflow=workflow, previous=None, added=pd.Index([]), now=now, lang=lang)
        approval = graded.approval
        assert approval is not None
        position = {oid: i for i, oid in enumerate(frame["order_id"].tolist()) if isinstance(oid, str)}
        if all_in_group:
            in_review = (frame["status"] == workflow.approval_state).fillna(False).to_numpy()
            if group is not None:
                groups = frame[workflow.group_by] if workflow.group_by in frame.columns else pd.Series(pd.NA, index=frame.index)
                in_review = in_review & (groups == group).fillna(False).to_numpy()
            order_ids = [frame["order_id"].iat[i] for i in range(len(frame))
                         if in_review[i] and not approval.approved[i]
                         and by in workflow.tiers[int(approval.tier[i])].signers]
        writes: list[CellWrite] = []
        changes: list[CellChange] = []
        column = table.columns["approver"]
        for order_id in dict.fromkeys(order_ids):
            pos = position.get(order_id)
            if pos is None:
                result.signatures.append(Signature(order_id, "not_found"))
                continue
            cell = frame["approver"].iat[pos]
            old = cell if isinstance(cell, str) else None
            if by in split_names(old):
                result.signatures.append(Signature(order_id, "already", old))
                continue
            new = add_name(old, by)
            writes.append(CellWrite(int(frame.index[pos]), column, new))
            changes.append(CellChange(order_id, "approver", old, new, "tool", f"approve --by {by}"))
            tier = workflow.tiers[int(approval.tier[pos])]
            result.signatures.append(Signature(order_id, "signed" if by in tier.signers else "not_signer", new, tier.name))
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
