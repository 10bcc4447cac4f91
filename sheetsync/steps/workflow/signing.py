"""Signing orders in review (`sheetsync approve`): which orders a name signs, and the approver cells that
gives, as data; the command writes them through the run's protocol (`run/commands.py`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from sheetsync.model.cells import CellWrite
from sheetsync.model.records import CellChange
from sheetsync.steps.workflow.advance import advance
from sheetsync.steps.workflow.approval import add_name, split_names
from sheetsync.steps.workflow.compiled import Workflow

Outcome = Literal["signed", "already", "not_signer", "not_found", "not_in_review"]


@dataclass(frozen=True, slots=True)
class Signature:
    order_id: str
    outcome: Outcome
    approver: str | None = None
    """The approver cell after signing."""
    tier: str | None = None


@dataclass(slots=True)
class Signing:
    """What signing does: one outcome per order asked for, and the approver cells to write."""

    signatures: list[Signature] = field(default_factory=list)
    writes: list[CellWrite] = field(default_factory=list)
    changes: list[CellChange] = field(default_factory=list)


def sign(frame: pd.DataFrame, column: int, workflow: Workflow, by: str, order_ids: Sequence[str], *,
         group: str | None, in_group: bool, now: dt.datetime) -> Signing:
    """Add `by` to the approver cell (sheet column `column`) of each of `order_ids`, or with `in_group` of
    every order in review (of `group`) that `by` may sign and that is not approved yet.  A name that does
    not count for an order's tier is still written (the next sync flags it APPROVER_INVALID): `not_signer`."""
    graded = advance(frame.copy(), workflow=workflow, previous=None, added=pd.Index([]), now=now)
    approval = graded.approval
    assert approval is not None
    position = {oid: i for i, oid in enumerate(frame["order_id"].tolist()) if isinstance(oid, str)}
    if in_group:
        in_review = (frame["status"] == workflow.approval_state).fillna(False).to_numpy()
        if group is not None:
            groups = frame[workflow.group_by] if workflow.group_by in frame.columns else pd.Series(pd.NA, index=frame.index)
            in_review = in_review & (groups == group).fillna(False).to_numpy()
        order_ids = [frame["order_id"].iat[i] for i in range(len(frame))
                     if in_review[i] and not approval.approved[i] and by in workflow.tiers[int(approval.tier[i])].signers]
    out = Signing()
    for order_id in dict.fromkeys(order_ids):
        pos = position.get(order_id)
        if pos is None:
            out.signatures.append(Signature(order_id, "not_found"))
            continue
        cell = frame["approver"].iat[pos]
        old = cell if isinstance(cell, str) else None
        status = frame["status"].iat[pos] if "status" in frame.columns else None
        if status != workflow.approval_state:  # only an order in review is signed: a name elsewhere means nothing
            out.signatures.append(Signature(order_id, "not_in_review", old))
            continue
        if by in split_names(old):
            out.signatures.append(Signature(order_id, "already", old))
            continue
        new = add_name(old, by)
        out.writes.append(CellWrite(int(frame.index[pos]), column, new))
        out.changes.append(CellChange(order_id, "approver", old, new, "tool", f"approve --by {by}"))
        tier = workflow.tiers[int(approval.tier[pos])]
        out.signatures.append(Signature(order_id, "signed" if by in tier.signers else "not_signer", new, tier.name))
    return out
