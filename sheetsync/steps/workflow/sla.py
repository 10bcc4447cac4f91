"""SLA levels from the time an order has spent in its state (or since it was created) and its promise.

Levels: 0 ok, 1 warn, 2 breach, 3 critical (-1: no SLA, a final or unknown state).  A state's
thresholds come from the workflow; `promised_by` adds its own: past it is a breach, and past the
workflow's warn share of the time from created_at to promised_by is a warning.  Vectorised.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from sheetsync.steps.workflow.compiled import LEVEL_NAMES, Workflow

NONE, OK, WARN, BREACH, CRITICAL = -1, 0, 1, 2, 3


def levels(codes: np.ndarray, workflow: Workflow, *, in_state: np.ndarray, since_created: np.ndarray,
           to_promise: np.ndarray, when: Mapping[str, np.ndarray]) -> np.ndarray:
    """The level of every row; `codes` are state indexes (-1 unknown); `when` holds the rows where
    each state's `sla.when` condition holds, by condition name."""
    states = workflow.states
    count = len(states)
    slot = np.where(codes < 0, count, codes)
    thresholds = np.full((3, count + 1), np.nan)
    created_basis = np.zeros(count + 1, dtype=bool)
    open_state = np.zeros(count + 1, dtype=bool)
    for i, state in enumerate(states):
        open_state[i] = not state.final
        if state.sla:
            created_basis[i] = state.sla.since_created
            for level, hours in enumerate(state.sla.hours):
                thresholds[level, i] = np.nan if hours is None else hours
    elapsed = np.where(created_basis[slot], since_created, in_state)
    out = np.zeros(len(codes), dtype="int8")
    with np.errstate(invalid="ignore"):
        for level in range(3):
            out[elapsed >= thresholds[level][slot]] = level + 1
    for i, state in enumerate(states):
        if state.sla and state.sla.when is not None:
            out[(codes == i) & ~when[state.sla.when.name]] = OK
    if workflow.promise:
        with np.errstate(invalid="ignore", divide="ignore"):
            promised = np.where(to_promise <= 0, BREACH, OK)
            if workflow.promise_warn is not None:
                span = since_created + to_promise
                share = np.where(span > 0, since_created / span, np.nan)
                promised = np.where((promised == OK) & (share >= workflow.promise_warn), WARN, promised)
        out = np.maximum(out, promised.astype("int8"))
    out[~open_state[slot]] = NONE
    return out


def hours_to_change(codes: np.ndarray, workflow: Workflow, *, in_state: np.ndarray, since_created: np.ndarray,
                    to_promise: np.ndarray) -> float | None:
    """Hours from now until the clock alone would change some row's level (None: it never will), for the untouched
    run.  Every hour measure grows with the clock (the time to the promise shrinks), so each threshold a row has not
    reached is crossed after (threshold - elapsed) hours; a `when` condition is taken as holding (an earlier moment
    only costs a full run, never a missed change)."""
    states = workflow.states
    count = len(states)
    slot = np.where(codes < 0, count, codes)
    open_state = np.array([not s.final for s in states] + [False])
    thresholds = np.full((3, count + 1), np.nan)
    created_basis = np.zeros(count + 1, dtype=bool)
    for i, state in enumerate(states):
        if state.sla:
            created_basis[i] = state.sla.since_created
            for level, hours in enumerate(state.sla.hours):
                thresholds[level, i] = np.nan if hours is None else hours
    live = open_state[slot]
    elapsed = np.where(created_basis[slot], since_created, in_state)
    ahead = [thresholds[level][slot] - elapsed for level in range(3)]
    if workflow.promise:
        ahead.append(to_promise)
        if workflow.promise_warn is not None:
            ahead.append(workflow.promise_warn * (since_created + to_promise) - since_created)
    waits = np.concatenate([np.where(live & (a > 0), a, np.nan) for a in ahead])
    waits = waits[~np.isnan(waits)]
    return float(waits.min()) if len(waits) else None


def texts(level: np.ndarray, workflow: Workflow) -> np.ndarray:
    """The `sla` cell's text for each level, in the workflow's words (None for -1)."""
    names = np.array([*workflow.sla_words, None], dtype=object)
    return names[np.where(level < 0, len(LEVEL_NAMES), level)]


def level_name(level: int) -> str:
    return LEVEL_NAMES[level]


def as_series(level: np.ndarray, index: pd.Index) -> pd.Series:
    return pd.Series(level, index=index, dtype="int8")
