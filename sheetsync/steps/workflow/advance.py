"""The pure workflow step of a sync run: moves rows between states, checks people's moves, routes,
approves, locks, and grades each open order's SLA.  No I/O, no clock: `now` is given.

Only the live rows are looked at: open orders, new rows, rows without a status, and rows changed
since the last run.  A closed order never moves again, so on a desk that has run for a year the
step reads a few percent of the table.  Conditions run in two DuckDB scans of the live rows (tiers
and routes; then transitions, checks and SLA conditions) and a small scan of the rows that moved
or that a person changed; SLA levels are NumPy; per-row Python only for rows with a finding.

Who changed a status is told by `previous`: the values sheetsync recorded at the end of the last
run, for the rows that changed since (a person, or a channel, changed them).  Such a change stands
only if the workflow declares that move and its conditions, signatures and required fields are
met; otherwise it is put back and flagged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Final, Literal

import numpy as np
import pandas as pd

from sheetsync.conditions import Condition, evaluate
from sheetsync.i18n import MESSAGES, Joined, Localized, Words, text
from sheetsync.model.records import Alert, Anomaly, WorkflowHistory
from sheetsync.model.states import CLOSING, DONE, MONEY_BACK
from sheetsync.model.values import format_datetime
from sheetsync.steps.diff import differs
from sheetsync.steps.workflow import sla as sla_step
from sheetsync.steps.workflow.approval import Approval, approve
from sheetsync.steps.workflow.compiled import Transition, Workflow
from sheetsync.steps.workflow.derive import first_orders, hours_between, lookup_values, moment, times
from sheetsync.steps.workflow.locks import enforce_locks
from sheetsync.steps.workflow.people import judge, required
from sheetsync.steps.workflow.result import Advanced, Move
from sheetsync.steps.workflow.routing import apply_routes, first_route

Level = Literal["error", "warn", "info"]
__all__ = ["Advanced", "Move", "advance"]


def advance(work: pd.DataFrame, *, workflow: Workflow, previous: pd.DataFrame | None, added: pd.Index,
            now: dt.datetime, history: WorkflowHistory | None = None,
            lookups: Mapping[str, pd.DataFrame] | None = None, news: Mapping[int, str] | None = None) -> Advanced:
    """Advance every row of `work` (canonical text, index = sheet rows) through `workflow`, in place.

    `previous`: for rows that changed since the last run (a subset of `work.index`; other rows are
    taken as unchanged), the status, status_since and locked fields as sheetsync recorded them.
    `added`: rows a person added to the sheet since the last run (they got their order_id in this
    run); they may start only in an entry state.  Rows a channel appended, and rows the journal has no
    record of (a first sync on an existing sheet), keep a status that is a state; an empty one
    becomes the first entry state.
    `lookups`: the customers / inventory sheets (header text as columns) the workflow's `lookups:` name.
    `news`: row -> channel, for the rows whose status a channel (a shop, a carrier) changed in this run: such a
    status is the shop's news, not a person's move (see `_Run.take_news`).
    """
    return _Run(work, workflow, previous, added, now, history or WorkflowHistory(), lookups or {}, news or {}).run()


SEMICOLON: Final = Localized("；", "; ")


class _Run:
    def __init__(self, work: pd.DataFrame, workflow: Workflow, previous: pd.DataFrame | None, added: pd.Index,
                 now: dt.datetime, history: WorkflowHistory, lookups: Mapping[str, pd.DataFrame],
                 news: Mapping[int, str]) -> None:
        self.work, self.wf, self.history, self.lookups, self.news = work, workflow, history, lookups, news
        self.previous = previous.loc[previous.index.intersection(work.index)] if previous is not None else work.iloc[:0]
        self.n = len(work)
        self.new = np.asarray(work.index.isin(added))
        self.prev_rows = np.zeros(self.n, dtype=bool)
        self.prev_rows[work.index.get_indexer(self.previous.index)] = True
        self.now_text, self.now = format_datetime(now), moment(now)
        self.out = Advanced(work, workflow)
        self.names = [s.name for s in workflow.states]
        self.state_index = pd.Index(self.names, dtype=object)
        self.final = np.array([s.final for s in workflow.states] + [False])
        self.oids = (work["order_id"].to_numpy(dtype=object, na_value=None) if "order_id" in work.columns
                     else np.full(self.n, None, dtype=object))
        self.derived: dict[str, np.ndarray | pd.Series] = {}

    # helpers ---------------------------------------------------------------

    def codes(self, values: pd.Series | np.ndarray) -> np.ndarray:
        return np.asarray(self.state_index.get_indexer(values), dtype="int64")

    def code_of(self, names: Sequence[str] | frozenset[str]) -> list[int]:
        return [self.names.index(name) for name in names]

    def is_open(self, codes: np.ndarray) -> np.ndarray:
        return (codes >= 0) & ~self.final[np.where(codes < 0, len(self.names), codes)]

    def order_id(self, pos: int) -> str | None:
        value = self.oids[pos]
        return value if isinstance(value, str) else None

    def detail(self, name: str, positions: Sequence[int] | np.ndarray, said: Words) -> None:
        self.out.details.setdefault(name, {}).update(dict.fromkeys(self.work.index[positions].tolist(), said))

    def flag(self, pos: int, code: str, column: str | None, message: Words, level: Level) -> None:
        self.out.anomalies.append(Anomaly(int(self.work.index[pos]), self.order_id(pos), code, column, message, level))

    def write(self, name: str, positions: np.ndarray, values: object) -> None:
        if name in self.work.columns and len(positions):
            self.work.iloc[positions, self.work.columns.get_loc(name)] = values

    def view(self, positions: np.ndarray, conditions: list[Condition]) -> pd.DataFrame:
        """The columns `conditions` read (derived ones included) for `positions`."""
        wanted = set().union(*(c.fields for c in conditions))
        frame = self.work.iloc[positions]
        columns: dict[str, pd.Series] = {name: frame[name] for name in wanted if name in frame.columns}
        for name in wanted & self.derived.keys():
            values = self.derived[name]
            picked = values.iloc[positions].to_numpy() if isinstance(values, pd.Series) else values[positions]
            columns[name] = pd.Series(picked, index=frame.index, dtype=values.dtype if isinstance(values, pd.Series) else None)
        return pd.DataFrame(columns, index=frame.index)

    def hits(self, conditions: list[Condition], positions: np.ndarray) -> dict[str, np.ndarray]:
        """Each condition's result on `positions`, by name."""
        if not conditions or not len(positions):
            return {c.name: np.zeros(len(positions), dtype=bool) for c in conditions}
        found = evaluate(self.view(positions, conditions), conditions)
        return {name: found[name].to_numpy() for name in found.columns}

    def filled(self, name: str, positions: np.ndarray) -> np.ndarray:
        if name not in self.work.columns:
            return np.zeros(len(positions), dtype=bool)
        return self.work[name].iloc[positions].notna().to_numpy()

    def is_filled(self, pos: int, name: str) -> bool:
        return bool(self.filled(name, np.array([pos]))[0])

    def set_status(self, positions: np.ndarray, values: str | np.ndarray, *, stamp: bool = True) -> None:
        self.write("status", positions, values)
        self.codes_now[positions] = self.codes(np.broadcast_to(np.asarray(values, dtype=object), len(positions)))
        if stamp:
            self.stamp(positions)

    def stamp(self, positions: np.ndarray) -> None:
        self.write("status_since", positions, self.now_text)
        self.since[positions] = self.now
        self.in_state[positions] = 0.0

    # the run ---------------------------------------------------------------

    def run(self) -> Advanced:
        work = self.work
        if "status" not in work.columns:
            return self.out
        self.out.original = {name: work[name] for name in ("status", "sla") if name in work.columns}
        self.codes_now = self.codes(work["status"])
        self.empty = empty = work["status"].isna().to_numpy()
        self.live = np.flatnonzero(self.is_open(self.codes_now) | self.new | empty | self.prev_rows)
        self.derive()
        self.scan_tiers_and_routes()
        self.start_rows(empty)
        self.check_person_moves()
        self.stamp(np.flatnonzero(self.is_open(self.codes_now) & np.isnat(self.since)))
        if self.wf.lock_fields and len(self.previous):
            locked = enforce_locks(work, self.previous, self.wf, self.history.unlocks)
            self.out.anomalies += locked.anomalies
            for name, rows in locked.details.items():
                self.out.details.setdefault(name, {}).update(rows)
            self.out.unlocks_used = locked.unlocks_used
        self.automatic_moves()
        self.grade()
        self.findings()
        return self.out

    def derive(self) -> None:
        """Derived fields on the live rows (NaN / NA elsewhere); hours are measured at `now`."""
        work, wf, live, n = self.work, self.wf, self.live, self.n
        used = wf.derived

        def parsed(name: str) -> np.ndarray:
            out = np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
            if name in work.columns:
                out[live] = times(work[name].iloc[live], len(live))
            return out

        self.since = parsed("status_since")
        self.in_state = hours_between(self.now, self.since)
        self.derived["hours_in_state"] = self.in_state
        self.derived["hours_since_created"] = hours_between(self.now, parsed("created_at"))
        self.derived["hours_to_promise"] = hours_between(parsed("promised_by"), self.now)
        if "is_first_order" in used:
            self.derived["is_first_order"] = first_orders(work, self.history.earlier_orders, live)
        self.derived.update(lookup_values(work, work.index[live], wf.lookups, self.lookups, used))

    def scan_tiers_and_routes(self) -> None:
        wf, live = self.wf, self.live
        conditions = [c for tier in wf.tiers for c in (tier.when, tier.up_to) if c] + [r.when for r in wf.routes if r.when]
        hits = self.hits(conditions, live)
        approval = Approval(np.full(self.n, -1), np.zeros(self.n, dtype="int64"), np.zeros(self.n, dtype="int64"),
                            np.ones(self.n, dtype=bool))
        if wf.tiers:
            judged = self.codes_now == self.names.index(wf.approval_state or "")
            if len(self.previous) and wf.approval_state:
                was = (self.previous["status"] == wf.approval_state).fillna(False).to_numpy()
                judged[self.work.index.get_indexer(self.previous.index[was])] = True
            approver = self.work["approver"].iloc[live] if "approver" in self.work.columns else None
            found = approve(wf.tiers, pd.DataFrame(hits), approver, judge=judged[live])
            for name in ("tier", "needed", "valid", "approved"):
                getattr(approval, name)[live] = getattr(found, name)
            approval.invalid = {int(live[p]): names for p, names in found.invalid.items()}
            approval.signers = {int(live[p]): names for p, names in found.signers.items()}
        self.approval = self.out.approval = approval
        self.derived["approved"] = pd.Series(approval.approved, index=self.work.index, dtype="boolean")
        self.derived["signatures"] = approval.valid.astype("float64")
        if wf.routes:
            routable = self.is_open(self.codes_now[live]) | self.new[live] | self.empty[live]
            chosen = np.full(self.n, -1, dtype="int64")
            chosen[live] = first_route(wf.routes, pd.DataFrame(hits), routable)
            for name, rows in apply_routes(self.work, wf.routes, chosen).items():
                for row, rule in rows.items():
                    self.out.details.setdefault(name, {})[row] = text("workflow.route", name=rule)

    def start_rows(self, empty: np.ndarray) -> None:
        """Rows a person added start in an entry state (an empty status: the first one); other rows
        with an empty status (a channel's new rows, a sheet adopting the workflow) start in the first one."""
        work, wf = self.work, self.wf
        first = wf.entry_states[0]
        start = np.flatnonzero(empty & (self.new | ~self.prev_rows))
        if len(start):
            self.set_status(start, first)
            self.detail("status", start, text("workflow.started", state=first))
        wrong = np.flatnonzero(self.new & ~empty & ~np.isin(self.codes_now, self.code_of(wf.entry_states)))
        if len(wrong):
            typed = work["status"].iloc[wrong].tolist()
            self.set_status(wrong, first)
            self.detail("status", wrong, text("workflow.put_back", code="ENTRY_STATE_INVALID", old=first))
            for pos, was in zip(wrong.tolist(), typed, strict=True):
                message = text("anomaly.ENTRY_STATE_INVALID", entry="/".join(wf.entry_states), typed=was, state=first)
                self.flag(pos, "ENTRY_STATE_INVALID", "status", message, "warn")
                self.out.moves.append(Move(int(work.index[pos]), self.order_id(pos), was, first, "person", False,
                                           "ENTRY_STATE_INVALID"))

    def check_person_moves(self) -> None:
        """Each status that changed since the last run stands only if the workflow allows that move."""
        work, wf, prev = self.work, self.wf, self.previous
        if not len(prev) or "status" not in prev.columns:
            return
        changed = prev.index[differs(work.loc[prev.index, "status"], prev["status"]).to_numpy()]
        positions = work.index.get_indexer(changed)
        positions = positions[~self.new[positions]]
        if not len(positions):
            return
        conditions = [tr.when for tr in wf.transitions if tr.when] + [c.when for c in wf.checks if c.hold]
        hits = pd.DataFrame(self.hits(conditions, positions), index=positions)
        olds = prev.loc[work.index[positions], "status"].to_numpy(dtype=object, na_value=None)
        news = work["status"].iloc[positions].to_numpy(dtype=object, na_value=None)
        stood: list[int] = []
        back: list[tuple[int, str]] = []
        for pos, old, new in zip(positions.tolist(), olds, news, strict=True):
            channel = self.news.get(int(work.index[pos]))
            if channel is not None:
                kept = self.take_news(pos, old, new, channel)
                if kept is True:
                    stood.append(pos)
                elif kept is False and old is not None:
                    back.append((pos, old))
                continue
            verdict = judge(wf, pos, old, new, hits.loc[pos] if len(hits.columns) else pd.Series(dtype=bool), self.approval,
                            partial(self.is_filled, pos))
            if verdict is None:
                continue
            row = int(work.index[pos])
            if verdict.code is None:
                stood.append(pos)
                self.detail("status", [pos], text("workflow.accepted", old=old or "", new=new or ""))
                self.out.moves.append(Move(row, self.order_id(pos), old, new, "person", True))
                if verdict.move is not None and verdict.move.notify:
                    self.notify_move(pos, old or "", verdict.move)
                continue
            assert old is not None
            back.append((pos, old))
            self.flag(pos, verdict.code, "status", verdict.message, "error")
            self.detail("status", [pos], text("workflow.put_back", code=verdict.code, old=old))
            self.out.moves.append(Move(row, self.order_id(pos), old, new, "person", False, verdict.code))
        self.stamp(np.array(stood, dtype="int64"))
        if back:
            where = np.array([p for p, _ in back], dtype="int64")
            self.set_status(where, np.array([o for _, o in back], dtype=object), stamp=False)
            if "status_since" in prev.columns:
                restored = prev.loc[work.index[where], "status_since"]
                self.write("status_since", where, restored.to_numpy(dtype=object, na_value=None))
                self.since[where] = times(restored, len(where))
                self.in_state[where] = hours_between(self.now, self.since[where])

    def take_news(self, pos: int, old: str | None, new: str | None, channel: str) -> bool | None:
        """A status a channel reported: an event, not a person's move.  It lands when the workflow has a path from
        the order's state to it (conditions and required fields are a person's, not the shop's), and a closing
        (cancelled, refunded) lands from any open state (a refund on a delivered order too); news behind the order
        (the desk moved on) is let go; news that contradicts the order (a closed order shipped, a shipped order unpaid)
        is put back and flagged CONFLICT.
        Returns True (landed, the state's time starts now), False (put back), None (nothing to judge)."""
        wf, row = self.wf, int(self.work.index[pos])
        target, current = wf.state(new), wf.state(old)
        if target is None or current is None or old == new:
            return None  # an unknown word (STATE_UNKNOWN says so) or an order without a state: nothing to judge
        path = None if current.final else wf.path(current.name, target.name)
        closing = not current.final and target.final and bool(CLOSING & set(target.keys))
        # after-sales reopens a delivered order: a return or refund of it lands (its own state says so)
        reopened = current.final and bool(DONE & set(current.keys)) and bool(MONEY_BACK & set(target.keys))
        if path is not None or closing or reopened:
            through = "→".join(path) if path else f"{old}→{new}"
            self.detail("status", [pos], text("workflow.news", channel=channel, path=through))
            self.out.moves.append(Move(row, self.order_id(pos), old, new, "channel", True))
            self.out.moved[(current.name, target.name)] = self.out.moved.get((current.name, target.name), 0) + 1
            return True
        cancelled = bool(CLOSING & set(current.keys)) and not CLOSING & set(target.keys)
        behind = not cancelled and wf.path(target.name, current.name) is not None  # a cancelled order never ships
        if not behind:
            self.flag(pos, "CONFLICT", "status", text("anomaly.CONFLICT_NEWS", channel=channel, sheet=old, incoming=new),
                      "warn")
            self.out.conflicts.append((self.order_id(pos), str(old), str(new)))
        self.detail("status", [pos], text("workflow.news_behind" if behind else "workflow.news_conflict",
                                          channel=channel, old=old, new=new))
        self.out.moves.append(Move(row, self.order_id(pos), old, new, "channel", False, None if behind else "CONFLICT"))
        return False

    def automatic_moves(self) -> None:
        """Take automatic transitions until nothing moves (at most once per state and row)."""
        wf, live = self.wf, self.live
        auto = [tr for tr in wf.transitions if tr.auto]
        watched = [tr.when for tr in auto if tr.when] + [c.when for c in wf.checks] + \
                  [s.sla.when for s in wf.states if s.sla and s.sla.when]
        self.check_hits = {c.name: np.zeros(self.n, dtype=bool) for c in watched}
        for name, values in self.hits(watched, live).items():
            self.check_hits[name][live] = values
        positions = live[self.is_open(self.codes_now[live])]
        for _ in range(len(wf.states)):
            chosen = self.choose(auto, positions)
            moving = chosen >= 0
            if not moving.any():
                return
            moved = positions[moving]
            for index in np.unique(chosen[moving]).tolist():
                self.take(wf.transitions[index], moved[chosen[moving] == index])
            for name, values in self.hits(watched, moved).items():
                self.check_hits[name][moved] = values
            positions = moved

    def choose(self, auto: list[Transition], positions: np.ndarray) -> np.ndarray:
        """The automatic transition each row in `positions` takes (-1: none)."""
        codes = self.codes_now[positions]
        held = np.zeros(len(positions), dtype=bool)
        for check in self.wf.checks:
            if check.hold:
                where = np.isin(codes, self.code_of(check.states)) if check.states else self.is_open(codes)
                held |= where & self.check_hits[check.when.name][positions]
        chosen = np.full(len(positions), -1, dtype="int64")
        for move in auto:
            ok = np.isin(codes, self.code_of(move.sources)) & (chosen < 0) & ~held
            if not ok.any():
                continue
            if move.when is not None:
                ok &= self.check_hits[move.when.name][positions]
            for name in required(self.wf, move):
                ok &= self.filled(name, positions)
            if move.gated:
                ok &= self.approval.approved[positions]
            chosen[ok] = move.index
        return chosen

    def take(self, move: Transition, positions: np.ndarray) -> None:
        work = self.work
        olds = work["status"].iloc[positions].to_numpy(dtype=object, na_value=None)
        self.set_status(positions, move.to)
        details = self.out.details.setdefault("status", {})
        for old in sorted(set(olds.tolist())):
            same = positions[olds == old]
            self.out.moved[(old, move.to)] = self.out.moved.get((old, move.to), 0) + len(same)
            moved = text("workflow.moved", old=old, new=move.to)
            rows = work.index[same].tolist()
            if not move.gated:
                details.update(dict.fromkeys(rows, moved))
                continue
            for pos, row in zip(same.tolist(), rows, strict=True):
                signers = "、".join(self.approval.signers.get(pos, [])) or self.wf.tiers[int(self.approval.tier[pos])].name
                details[row] = Joined((moved, text("workflow.approved", signers=signers)), SEMICOLON)
        for name, value in move.set.items():
            if name in work.columns:
                empty = positions[work[name].iloc[positions].isna().to_numpy()]
                self.write(name, empty, value.replace("{now}", self.now_text))
                self.detail(name, empty, text("workflow.moved", old="/".join(sorted(move.sources)), new=move.to))
        if move.notify:
            for pos, old in zip(positions.tolist(), olds.tolist(), strict=True):
                self.notify_move(pos, old, move)

    def notify_move(self, pos: int, old: str, move: Transition) -> None:
        oid = self.order_id(pos)
        if oid and move.notify and (oid, "move", move.to) not in self.history.alerts_sent:
            self.out.alerts.append(Alert(oid, "move", move.to, move.notify, old))

    def grade(self) -> None:
        """SLA level of every open row; the `sla` cell gets its text where the level changed."""
        work = self.work
        level = sla_step.levels(self.codes_now, self.wf, in_state=self.in_state,
                                since_created=np.asarray(self.derived["hours_since_created"]),
                                to_promise=np.asarray(self.derived["hours_to_promise"]), when=self.check_hits)
        self.level = level
        self.out.levels = sla_step.as_series(level, work.index)
        self.out.calm_hours = self.calm_hours()
        if "sla" in work.columns:
            graded = np.flatnonzero(level >= 0)
            words = sla_step.texts(level[graded], self.wf)
            current = work["sla"].iloc[graded].to_numpy(dtype=object, na_value=None)
            change = graded[words != current]
            self.write("sla", change, words[words != current])

    def calm_hours(self) -> float | None:
        """Hours until the clock alone changes a cell: a row reaching its next SLA level, or a measure of time passing
        a number a condition compares it with (`hours_in_state >= 168` closing a ticket); 0 when a condition reads
        the clock in a way no moment can be foreseen from."""
        limits = self.wf.clock_limits()
        if limits is None:
            return 0.0
        measures = {"hours_in_state": self.in_state, "hours_since_created": np.asarray(self.derived["hours_since_created"]),
                    "hours_to_promise": np.asarray(self.derived["hours_to_promise"])}
        waits = [sla_step.hours_to_change(self.codes_now, self.wf, in_state=measures["hours_in_state"],
                                          since_created=measures["hours_since_created"],
                                          to_promise=measures["hours_to_promise"])]
        for name, hours in limits:  # the time to the promise shrinks as the clock runs; the other measures grow
            ahead = measures[name] - hours if name == "hours_to_promise" else hours - measures[name]
            ahead = ahead[~np.isnan(ahead) & (ahead > 0)]
            waits.append(float(ahead.min()) if len(ahead) else None)
        found = [w for w in waits if w is not None]
        return min(found) if found else None

    def findings(self) -> None:
        """Anomalies that hold while their cause does (checks, signers, unknown states), and alerts."""
        work, wf, codes = self.work, self.wf, self.codes_now
        open_rows = self.is_open(codes)
        status = work["status"].to_numpy(dtype=object, na_value=None)
        for check in wf.checks:
            where = np.isin(codes, self.code_of(check.states)) if check.states else open_rows
            message: Words = check.message or (text(f"anomaly.{check.code}") if f"anomaly.{check.code}" in MESSAGES
                                               else text("anomaly.CHECK", when=check.when.text))
            level: Level = check.level  # type: ignore[assignment]
            for pos in np.flatnonzero(where & self.check_hits[check.when.name]).tolist():
                self.flag(pos, check.code, check.column, message, level)
                oid, state = self.order_id(pos), status[pos]
                if check.notify and oid and (oid, check.code, state) not in self.history.alerts_sent:
                    self.out.alerts.append(Alert(oid, check.code, state, check.notify, message))
        if wf.approval_state:
            review = self.names.index(wf.approval_state)
            for pos, names in self.approval.invalid.items():
                if codes[pos] == review:
                    tier = wf.tiers[int(self.approval.tier[pos])]
                    self.flag(pos, "APPROVER_INVALID", "approver", text("anomaly.APPROVER_INVALID", names="、".join(names),
                                                                    tier=tier.name, signers="、".join(tier.signers)), "warn")
        for pos in np.flatnonzero((codes < 0) & work["status"].notna().to_numpy()).tolist():
            self.flag(pos, "STATE_UNKNOWN", "status",
                      text("anomaly.STATE_UNKNOWN", typed=status[pos], known="、".join(self.names)), "error")
        self.sla_alerts()

    def sla_alerts(self) -> None:
        wf, sent = self.wf, self.history.alerts_sent
        for index, state in enumerate(wf.states):
            if state.final:
                continue
            for rank, name in enumerate(("warn", "breach", "critical"), start=1):
                target = state.notify.get(name) or wf.notify.get(name)
                if not target:
                    continue
                where = np.flatnonzero((self.codes_now == index) & (self.level >= rank))
                found = zip(self.oids[where].tolist(), self.in_state[where].tolist(), strict=True)
                self.out.alerts += [Alert(oid, name, state.name, target, "", hours) for oid, hours in found
                                    if isinstance(oid, str) and (oid, name, state.name) not in sent]
