"""Judging a status a person (or a channel) changed since the last run: does the workflow allow that move?"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from sheetsync.i18n import Joined, Localized, Words, field_word, text
from sheetsync.steps.workflow.approval import Approval
from sheetsync.steps.workflow.compiled import Transition, Workflow


@dataclass(frozen=True, slots=True)
class Verdict:
    """`code` None: the move stands; else it is put back to `old` and flagged with `code` and `message`."""

    pos: int
    old: str | None
    new: str | None
    move: Transition | None = None
    code: str | None = None
    message: Words = ""


def required(workflow: Workflow, move: Transition) -> list[str]:
    """The fields a move needs filled: its own and its target state's."""
    target = workflow.state(move.to)
    return list(dict.fromkeys([*move.requires, *(target.requires if target else ())]))


def judge(workflow: Workflow, pos: int, old: str | None, new: str | None, hits: pd.Series, approval: Approval,
          filled: Callable[[str], bool]) -> Verdict | None:
    """The verdict on old -> new; None when `new` is a word the workflow does not know: a person's own word
    is kept and flagged STATE_UNKNOWN (elsewhere), never put back; only a move between two states is judged.

    `hits` holds, for this row, every transition's and hold check's condition by name."""
    wf = workflow
    if new is None:
        return Verdict(pos, old, new, None, "ILLEGAL_MOVE", text("anomaly.ILLEGAL_MOVE.cleared", old=old)) if old else None
    if wf.state(new) is None:
        return None
    if wf.state(old) is None:
        return Verdict(pos, old, new)
    move = next((tr for tr in wf.transitions if old in tr.sources and tr.to == new), None)
    if move is None:
        return Verdict(pos, old, new, None, "ILLEGAL_MOVE", text("anomaly.ILLEGAL_MOVE", old=old, new=new))
    if move.when is not None and not hits[move.when.name]:
        return Verdict(pos, old, new, move, "ILLEGAL_MOVE",
                       text("anomaly.ILLEGAL_MOVE.guard", old=old, new=new, when=move.when.text))
    if move.gated and not approval.approved[pos]:
        return Verdict(pos, old, new, move, "ILLEGAL_MOVE", text("anomaly.ILLEGAL_MOVE.approval", old=old, new=new,
                                                              need=int(approval.needed[pos]), have=int(approval.valid[pos])))
    missing = [name for name in required(wf, move) if not filled(name)]
    if missing:
        return Verdict(pos, old, new, move, "REASON_MISSING",
                       text("anomaly.REASON_MISSING", old=old, new=new,
                            fields=Joined(tuple(field_word(f) for f in missing), Localized("、", ", "))))
    target = wf.state(new)
    held = next((c for c in wf.checks if c.hold and (not c.states or old in c.states) and hits[c.when.name]), None)
    if held is not None and target is not None and not target.final:
        message = text("anomaly.ILLEGAL_MOVE.held", old=old, new=new, code=held.code)
        return Verdict(pos, old, new, move, "ILLEGAL_MOVE", message)
    return Verdict(pos, old, new, move)
