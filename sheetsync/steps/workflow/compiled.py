"""A loaded workflow: states, transitions, tiers, routes and checks with their conditions compiled once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal
from pathlib import Path
from typing import Final

from sqlglot import exp

from sheetsync.conditions import Condition, FieldType
from sheetsync.config.workflow import LEVELS, Lookups
from sheetsync.i18n import MESSAGES
from sheetsync.model.cells import KEEP, Keep
from sheetsync.model.states import resolve, words_by_key

CLOCK_FIELDS: Final = frozenset({"hours_in_state", "hours_since_created", "hours_to_promise"})
DERIVED: Final[dict[str, FieldType]] = {
    "hours_in_state": FieldType.NUMBER,
    "hours_since_created": FieldType.NUMBER,
    "hours_to_promise": FieldType.NUMBER,
    "is_first_order": FieldType.BOOLEAN,
    "approved": FieldType.BOOLEAN,
    "signatures": FieldType.NUMBER,
    "credit_limit": FieldType.NUMBER,
    "outstanding": FieldType.NUMBER,
    "stock_short": FieldType.BOOLEAN,
}
"""Fields conditions may read besides the canonical ones; computed by `derive` for each run."""

LEVEL_NAMES: Final = ("ok", *LEVELS)
"""SLA levels by rank: 0 ok, 1 warn, 2 breach, 3 critical."""
DEFAULT_COLOURS: Final[dict[str, str]] = {"ok": "C6EFCE", "warn": "FFEB9C", "breach": "FFC7CE", "critical": "FFC7CE"}
"""Excel's own 'good' green, 'neutral' yellow and 'bad' red; a workflow may make breach orange (F8CBAD)."""
TOOL_FIELDS: Final = frozenset({"order_id", "status", "status_since", "sla", "anomalies"})
"""Fields a workflow's `set:` may not write: sheetsync keeps them."""


@dataclass(frozen=True, slots=True)
class Sla:
    """Thresholds in hours for warn, breach and critical (None: that level is not used)."""

    hours: tuple[float | None, float | None, float | None]
    since_created: bool = False
    when: Condition | None = None


@dataclass(frozen=True, slots=True)
class State:
    name: str
    color: str | None
    entry: bool
    final: bool
    requires: tuple[str, ...]
    sla: Sla | None
    notify: Mapping[str, str]
    keys: tuple[str, ...] = ()
    """The canonical state keys this state stands for (a shop's news of them lands here)."""


@dataclass(frozen=True, slots=True)
class Transition:
    index: int
    name: str
    sources: frozenset[str]
    to: str
    when: Condition | None
    auto: bool
    requires: tuple[str, ...]
    set: Mapping[str, str]
    notify: str | None
    gated: bool
    """Leaves the approval state for an open state: needs enough valid signatures."""


@dataclass(frozen=True, slots=True)
class Tier:
    name: str
    when: Condition | None
    up_to: Condition | None
    signatures: int
    signers: Mapping[str, str]
    """name -> the role it signs for (its own name when the tier lists plain signers)."""


@dataclass(frozen=True, slots=True)
class Route:
    name: str
    when: Condition | None
    set: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Check:
    code: str
    when: Condition
    states: frozenset[str]
    hold: bool
    level: str
    message: str | None
    column: str | None
    notify: str | None


@dataclass(frozen=True)
class Workflow:
    """A checked workflow, ready for `advance`; `source` is the file it came from."""

    name: str
    source: Path
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    approval_state: str | None = None
    tiers: tuple[Tier, ...] = ()
    routes: tuple[Route, ...] = ()
    lock_states: frozenset[str] = frozenset()
    lock_fields: tuple[str, ...] = ()
    checks: tuple[Check, ...] = ()
    lookups: Lookups = field(default_factory=Lookups)
    group_by: str = "warehouse"
    promise: bool = True
    promise_warn: float | None = 0.75
    colors: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_COLOURS))
    notify: Mapping[str, str] = field(default_factory=dict)
    derived: frozenset[str] = frozenset()
    """The derived fields some condition reads: only these are computed."""

    @property
    def reads_clock(self) -> bool:
        """Whether a condition reads a measure of time (`hours_in_state >= 168`): its outcome can change with the
        clock alone (`clock_limits` says when, where it can)."""
        return bool(self.derived & CLOCK_FIELDS)

    def clock_limits(self) -> list[tuple[str, float]] | None:
        """(measure of time, hours) of every comparison of a measure with a number in the workflow's conditions: the
        clock changes their outcome only when a row's measure passes one of those hours.  None when a measure is
        read some other way (`hours_in_state > hours_since_created / 2`): then no moment can be foreseen."""
        out: list[tuple[str, float]] = []
        for condition in _conditions(self):
            found = clock_limits(condition)
            if found is None:
                return None
            out += found
        return out
    sla_words: tuple[str, ...] = tuple(MESSAGES[f"sla.{name}"][0] for name in LEVEL_NAMES)
    """The `sla` cell's word for each level (ok, warn, breach, critical), in the desk's language: the
    workflow is the desk's, as its state names are."""

    def word_for(self, key: str) -> str | None:
        """The state a canonical key lands in (its own, else the nearest key's: `model.states.resolve`), None when
        no state stands for it or a near one."""
        by_key = words_by_key((s.name, s.keys) for s in self.states)
        return resolve(key, by_key.get)

    def path(self, old: str, new: str) -> list[str] | None:
        """The states an order goes through from `old` to `new` along declared transitions (conditions aside),
        `old` and `new` included; None when there is no such path."""
        edges: dict[str, list[str]] = {}
        for move in self.transitions:
            for source in sorted(move.sources):
                edges.setdefault(source, []).append(move.to)
        came: dict[str, str | None] = {old: None}
        todo = [old]
        while todo:
            here = todo.pop(0)
            if here == new:
                steps = [here]
                while came[steps[-1]] is not None:
                    steps.append(came[steps[-1]])  # type: ignore[arg-type]
                return steps[::-1]
            for nxt in edges.get(here, []):
                if nxt not in came:
                    came[nxt] = here
                    todo.append(nxt)
        return None

    def state(self, name: object) -> State | None:
        return next((s for s in self.states if s.name == name), None) if isinstance(name, str) else None

    @property
    def entry_states(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.states if s.entry)

    @property
    def open_states(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.states if not s.final)

    def targets(self) -> set[str]:
        """Every alert target the workflow notifies."""
        names = {*self.notify.values(), *(t.notify for t in self.transitions if t.notify),
                 *(c.notify for c in self.checks if c.notify)}
        for state in self.states:
            names.update(state.notify.values())
        return names

    def conditions(self) -> list[Condition]:
        found: list[Condition] = []
        for state in self.states:
            if state.sla and state.sla.when:
                found.append(state.sla.when)
        found += [t.when for t in self.transitions if t.when]
        for tier in self.tiers:
            found += [c for c in (tier.when, tier.up_to) if c]
        found += [r.when for r in self.routes if r.when]
        found += [c.when for c in self.checks]
        return found

    def fill_of(self, field_name: str, text: str | None) -> str | Keep | None:
        """The fill a written cell gets: a state's colour on `status`, the level's colour on `sla`
        (in either language); KEEP for every other cell (and for a state without a colour)."""
        if field_name == "status":
            state = self.state(text)
            return state.color if state and state.color else KEEP
        if field_name == "sla" and text:
            level = _LEVEL_OF_TEXT.get(text)
            return self.colors.get(level, KEEP) if level else KEEP
        return KEEP


_LEVEL_OF_TEXT: Final[dict[str, str]] = {text: level for level in LEVEL_NAMES for text in MESSAGES[f"sla.{level}"]}


_COMPARED = (exp.GT, exp.GTE, exp.LT, exp.LTE, exp.EQ, exp.NEQ)


def clock_limits(condition: Condition) -> list[tuple[str, float]] | None:
    """(measure, hours) of each `hours_... OP number` (or `BETWEEN number AND number`) in `condition`; None when a
    measure of time stands anywhere else in it."""
    plan, out = condition.plan, []
    for node in plan.tree.walk():
        field = plan.columns.get(id(node))
        if field not in CLOCK_FIELDS:
            continue
        parent = node.parent
        if isinstance(parent, _COMPARED):
            others = [parent.expression if parent.this is node else parent.this]
        elif isinstance(parent, exp.Between) and parent.this is node:
            others = [parent.args.get("low"), parent.args.get("high")]
        else:
            return None
        numbers = [plan.constants.get(id(other)) for other in others]
        if not all(isinstance(n, int | float | Decimal) and not isinstance(n, bool) for n in numbers):
            return None
        out += [(field, float(n)) for n in numbers]  # type: ignore[arg-type]
    return out


def _conditions(workflow: Workflow) -> list[Condition]:
    """Every condition of the workflow: its states' SLA, transitions, tiers, routes and checks."""
    found: list[Condition] = []
    parts: list[State | Transition | Tier | Route | Check] = [*workflow.states, *workflow.transitions, *workflow.tiers,
                                                              *workflow.routes, *workflow.checks]
    for part in parts:
        for value in (getattr(part, f.name) for f in fields(part)):
            if isinstance(value, Condition):
                found.append(value)
            elif isinstance(value, Sla) and value.when is not None:
                found.append(value.when)
    return found
