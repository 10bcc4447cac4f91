"""Loading a workflow: a shipped preset or the team's own file, checked for consistency, conditions compiled once.

Every problem is a ConfigError (exit 2) naming the file, the line and column of the key, and
the fix: an unknown state in a transition, a state no transition reaches, no entry state, a
condition on an unknown field, a field a workflow may not set.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from sheetsync.conditions import Condition, compile_condition, field_types
from sheetsync.config import Config, locate, parse_duration, read_yaml, validate_yaml
from sheetsync.config.workflow import LEVELS, PERCENT, SlaDefaults, StateSpec, WorkflowFile
from sheetsync.errors import ConfigError
from sheetsync.i18n import Lang, t
from sheetsync.model.fields import FIELDS, Kind, Owner
from sheetsync.model.states import STATE_KEYS, nearest, resolve, words_by_key
from sheetsync.model.tickets import TICKET_FIELDS
from sheetsync.runtime.resources import data_dir
from sheetsync.steps.workflow.compiled import (
    DEFAULT_COLOURS,
    DERIVED,
    LEVEL_NAMES,
    TOOL_FIELDS,
    Check,
    Route,
    Sla,
    State,
    Tier,
    Transition,
    Workflow,
)

Loc = tuple[str | int, ...]
_LOOKUP_FIELDS = {"credit_limit": ("customers", "credit_limit"), "outstanding": ("customers", "outstanding"),
                  "stock_short": ("inventory", "on_hand")}


def presets_dir() -> Path:
    return data_dir("templates") / "workflows"


def presets() -> list[str]:
    """The names of the shipped workflow presets of orders (those named `aftersales_*` move tickets)."""
    return sorted(p.stem for p in presets_dir().glob("*.yaml") if not p.stem.startswith(TICKET_PRESET))


TICKET_PRESET = "aftersales_"


def workflow_path(spec: str, config_dir: Path, lang: Lang) -> Path:
    """A preset's file, or `spec` as a path relative to the configuration's folder."""
    preset = presets_dir() / f"{spec}.yaml"
    if "/" not in spec and "\\" not in spec and not spec.endswith((".yaml", ".yml")) and preset.is_file():
        return preset
    path = Path(spec)
    path = path if path.is_absolute() else config_dir / path
    if not path.is_file():
        raise ConfigError(t("workflow.unknown", lang, name=spec, known=", ".join(presets()), path=path),
                          t("workflow.unknown.hint", lang))
    return path


def load_workflow(spec: str, config_dir: Path, lang: Lang, *, aliases: Mapping[str, str] | None = None,
                  words: Mapping[str, str] | None = None,
                  fields: Mapping[str, tuple[Kind, Owner]] = FIELDS) -> Workflow:
    """The workflow `spec` names (a preset such as `default_zh`, or a file relative to `config_dir`).

    `aliases` maps header text to canonical fields, so conditions may name columns as the sheet does.
    `words` (a team's status word -> the state key it means, `statuses:` in sheetsync.yaml) names the states in
    the team's words: the state standing for each key takes the team's word (`待确认` becomes `待发货`).
    `fields`: the canonical fields of the sheet the workflow moves (an order's; a ticket's for the after-sales sheet).
    Raises ConfigError naming the file, the line and the problem."""
    path = workflow_path(spec, config_dir, lang)
    data = read_yaml(path, lang)
    if words:
        rename_states(data, words)
    spec_file = validate_yaml(WorkflowFile, data, path, lang)
    return _Builder(spec_file, data, path, lang, aliases or {}, fields).build()


def rename_states(data: Any, words: Mapping[str, str]) -> dict[str, str]:
    """Name the states of a workflow's YAML (`data`, changed in place) in a team's words (word -> key): each
    word goes to the first state standing for its key (or the nearest key), once.  Returns old -> new names."""
    states = data.get("states") if isinstance(data, dict) else None
    if not isinstance(states, list):
        return {}
    names = [str(s.get("name")) for s in states if isinstance(s, dict)]
    keys = {str(s.get("name")): [str(k) for k in s.get("keys") or []] for s in states if isinstance(s, dict)}
    rename: dict[str, str] = {}
    todo = {word: key for word, key in words.items() if word not in names}
    # a state goes first to the word of its own first key (异常关闭 is cancelled before it is refunding), then to a
    # word of any of its keys, then to the nearest (`FALLBACK`)
    for exact in (lambda key, ks: bool(ks) and ks[0] == key, lambda key, ks: key in ks, None):
        for word, key in list(todo.items()):
            free = [(n, ks) for n, ks in keys.items() if n not in rename]
            if exact is None:
                target = resolve(key, words_by_key(free).get)
            else:
                target = next((n for n, ks in free if exact(key, ks)), None)
            if target is not None:
                rename[target] = word
                del todo[word]
    added = _add_states(data, states, todo)
    if not rename:
        return added

    def renamed(value: Any) -> Any:
        if isinstance(value, str):
            return rename.get(value, value)
        if isinstance(value, list):
            for i, item in enumerate(value):
                value[i] = renamed(item)
        return value

    for state in states:
        if isinstance(state, dict) and "name" in state:
            state["name"] = renamed(state["name"])
    for move in data.get("transitions") or []:
        if isinstance(move, dict):
            for key in ("from", "to"):
                if key in move:
                    move[key] = renamed(move[key])
    for section, key in (("approval", "state"), ("locks", "from")):
        part = data.get(section)
        if isinstance(part, dict) and key in part:
            part[key] = renamed(part[key])
    for check in data.get("checks") or []:
        if isinstance(check, dict) and "states" in check:
            check["states"] = renamed(check["states"])
    return {**rename, **added}


FINAL_KEYS = frozenset({"delivered", "completed", "cancelled", "refunded", "closed"})


def _add_states(data: Any, states: list[Any], words: Mapping[str, str]) -> dict[str, str]:
    """A state for each team word no state of the preset stands for (a 退款中 on a workflow without a refund
    state): reached by hand from every open state; an open one may go on to the closing state.  Returns word -> word."""
    added: dict[str, str] = {}
    moves = data.setdefault("transitions", [])
    closing = next((str(s.get("name")) for s in states if isinstance(s, dict) and "cancelled" in (s.get("keys") or [])), None)
    for word, key in words.items():
        final = key in FINAL_KEYS
        state = {"name": word, "keys": [key], "final": final}
        at = len(states) if final else next((i for i, s in enumerate(states) if isinstance(s, dict) and s.get("final")),
                                            len(states))
        states.insert(at, state)
        moves.append({"from": "*", "to": word})
        if not final and closing is not None:
            moves.append({"from": word, "to": closing})
        added[word] = word
    return added


def desk_workflow(config: Config) -> Workflow | None:
    """The desk's workflow (`workflow:` in sheetsync.yaml), checked and compiled, its states in the team's words
    (`statuses:`); None without one.  An inconsistent workflow raises ConfigError (exit 2)."""
    if not config.workflow:
        return None
    headers, _ = config.header_map()
    workflow = load_workflow(config.workflow, config.base_dir, config.sheet_language,
                             aliases={text: f for f, text in headers.items()}, words=config.statuses)
    check_targets(workflow, [a.name for a in config.alerts], config.language)
    return workflow


def ticket_workflow(config: Config) -> Workflow | None:
    """The after-sales sheet's workflow (`aftersales: {workflow: ...}`), over the ticket's fields; None without one."""
    spec = config.aftersales.workflow if config.aftersales is not None else None
    if not spec:
        return None
    headers = config.ticket_headers()
    workflow = load_workflow(spec, config.base_dir, config.sheet_language,
                             aliases={text: f for f, text in headers.items()}, fields=TICKET_FIELDS)
    check_targets(workflow, [a.name for a in config.alerts], config.language)
    return workflow


def status_words(config: Config, workflow: Workflow | None) -> dict[str, str]:
    """state key -> the desk's word for it: the workflow's state, else the team's own word (`statuses:`), else the
    word of the language's default workflow; a shop's `paid` is written as `待确认` or as the team's `待发货`."""
    own = words_by_key((word, [key]) for word, key in config.statuses.items())
    preset = _preset_words(config.sheet_language)
    out: dict[str, str] = {}
    for key in STATE_KEYS:
        word = workflow.word_for(key) if workflow is not None else resolve(key, own.get) or nearest(key, own) if own else None
        word = word or resolve(key, preset.get)
        if word is not None:
            out[key] = word
    return out


@lru_cache(maxsize=4)
def _preset_words(lang: str) -> dict[str, str]:
    """key -> state name of the language's default workflow preset (read, not compiled)."""
    data = read_yaml(presets_dir() / f"default_{lang}.yaml", "en" if lang == "en" else "zh")
    return words_by_key((str(s["name"]), [str(k) for k in s.get("keys") or []]) for s in data.get("states") or [])


def check_targets(workflow: Workflow, known: Iterable[str], lang: Lang) -> None:
    """A ConfigError when the workflow notifies a target sheetsync.yaml does not declare.

    `default` may stay undeclared: the presets notify it, and a desk without alerts goes without."""
    names = set(known)
    missing = sorted(n for n in workflow.targets() - names if n != "default")
    if missing:
        raise ConfigError(t("workflow.unknown_target", lang, name=missing[0], known=", ".join(sorted(names)) or "-"))


class _Builder:
    def __init__(self, spec: WorkflowFile, data: CommentedMap, path: Path, lang: Lang, aliases: Mapping[str, str],
                 fields: Mapping[str, tuple[Kind, Owner]]) -> None:
        self.spec, self.data, self.path, self.lang, self.aliases, self.fields = spec, data, path, lang, aliases, fields
        self.types = field_types(DERIVED, fields)
        self.names = [s.name for s in spec.states]
        self.problems: list[str] = []
        self.used: set[str] = set()

    # reporting -------------------------------------------------------------

    def problem(self, loc: Loc, text: str) -> None:
        line, col = locate(self.data, loc)
        key = ".".join(str(p) for p in loc)
        self.problems.append(t("config.field", self.lang, path=self.path, line=line, col=col, key=key, problem=text))

    def raise_problems(self) -> None:
        if self.problems:
            raise ConfigError("\n".join(self.problems))

    def known_state(self, name: str, loc: Loc) -> bool:
        if name in self.names:
            return True
        self.problem(loc, t("workflow.unknown_state", self.lang, name=name, known=", ".join(self.names)))
        return False

    def field(self, name: str, loc: Loc, *, settable: bool = False) -> None:
        if name not in self.fields:
            self.problem(loc, t("config.bad_field", self.lang, name=name, known=", ".join(self.fields)))
        elif settable and name in TOOL_FIELDS:
            self.problem(loc, t("workflow.tool_field", self.lang, name=name))

    def condition(self, text: str | None, loc: Loc) -> Condition | None:
        if text is None:
            return None
        name = ".".join(str(p) for p in loc)
        try:
            condition = compile_condition(text, name=name, fields=self.types, lang=self.lang, aliases=self.aliases)
        except ConfigError as exc:
            line, col = locate(self.data, loc)
            raise ConfigError(t("config.field", self.lang, path=self.path, line=line, col=col, key=name, problem=exc.message),
                              exc.hint) from None
        for derived in condition.fields & _LOOKUP_FIELDS.keys():
            lookup, column = _LOOKUP_FIELDS[derived]
            configured = getattr(self.spec.lookups, lookup)
            if configured is None or getattr(configured, column) is None:
                self.problem(loc, t("workflow.lookup_needed", self.lang, field=derived, lookup=lookup))
        self.used |= condition.fields & DERIVED.keys()
        return condition

    # building ----------------------------------------------------------------

    def build(self) -> Workflow:
        spec = self.spec
        self.check_states()
        transitions = self.transitions()
        self.raise_problems()
        self.check_reachable(transitions)
        states = tuple(self.state(i, s) for i, s in enumerate(spec.states))
        tiers = self.tiers()
        routes = tuple(self.route(i) for i in range(len(spec.routing)))
        checks = tuple(self.check(i) for i in range(len(spec.checks)))
        lock_states, lock_fields = self.locks(transitions)
        self.field(spec.queue.group_by, ("queue", "group_by"))
        self.raise_problems()
        levels = spec.sla
        return Workflow(
            name=spec.name or self.path.stem, source=self.path, states=states, transitions=transitions,
            approval_state=spec.approval.state if spec.approval else None, tiers=tiers, routes=routes,
            lock_states=lock_states, lock_fields=lock_fields, checks=checks, lookups=spec.lookups,
            group_by=spec.queue.group_by, promise=levels.promise,
            promise_warn=_percent(levels.warn), colors={**DEFAULT_COLOURS, **{str(k): v for k, v in levels.colors.items()}},
            notify={str(k): v for k, v in levels.notify.items()},
            derived=frozenset(self.used), sla_words=tuple(t(f"sla.{name}", self.lang) for name in LEVEL_NAMES),
        )

    def check_states(self) -> None:
        seen: set[str] = set()
        for i, state in enumerate(self.spec.states):
            if state.name in seen:
                self.problem(("states", i, "name"), t("workflow.dup_state", self.lang, name=state.name))
            seen.add(state.name)
            if state.entry and state.final:
                self.problem(("states", i, "entry"), t("workflow.final_entry", self.lang, name=state.name))
            for j, name in enumerate(state.requires):
                self.field(name, ("states", i, "requires", j))
        if not any(self._is_entry(i, s) for i, s in enumerate(self.spec.states)):
            self.problem(("states",), t("workflow.no_entry", self.lang))

    def _is_entry(self, index: int, state: StateSpec) -> bool:
        """The first state is an entry state unless it says `entry: false`."""
        return bool(state.entry) if state.entry is not None else index == 0 and not state.final

    def transitions(self) -> tuple[Transition, ...]:
        out: list[Transition] = []
        final = {s.name for s in self.spec.states if s.final}
        approval = self.spec.approval
        if approval:
            self.known_state(approval.state, ("approval", "state"))
        for i, spec in enumerate(self.spec.transitions):
            loc: Loc = ("transitions", i)
            sources: set[str] = set()
            for j, name in enumerate(spec.from_):
                if name == "*":
                    sources |= {s for s in self.names if s not in final and s != spec.to}
                elif self.known_state(name, (*loc, "from", j)):
                    if name in final:
                        self.problem((*loc, "from", j), t("workflow.from_final", self.lang, name=name))
                    if name == spec.to:
                        self.problem((*loc, "from", j), t("workflow.self_move", self.lang, name=name))
                    sources.add(name)
            self.known_state(spec.to, (*loc, "to"))
            for j, name in enumerate(spec.requires):
                self.field(name, (*loc, "requires", j))
            for name in spec.set:
                self.field(name, (*loc, "set", name), settable=True)
            gated = bool(approval and approval.state in sources and spec.to not in final)
            out.append(Transition(
                index=i, name=spec.name or f"{'/'.join(spec.from_)}→{spec.to}", sources=frozenset(sources), to=spec.to,
                when=self.condition(spec.when, (*loc, "when")), auto=spec.auto, requires=tuple(spec.requires),
                set=dict(spec.set), notify=spec.notify, gated=gated,
            ))
        return tuple(out)

    def check_reachable(self, transitions: tuple[Transition, ...]) -> None:
        entry = [s.name for i, s in enumerate(self.spec.states) if self._is_entry(i, s)]
        reached = _reachable(entry, transitions)
        for i, state in enumerate(self.spec.states):
            if state.name not in reached:
                self.problem(("states", i, "name"), t("workflow.unreachable", self.lang, name=state.name, entry=", ".join(entry)))
        self.raise_problems()

    def state(self, index: int, spec: StateSpec) -> State:
        loc: Loc = ("states", index)
        return State(
            name=spec.name, color=spec.color, entry=self._is_entry(index, spec), final=spec.final,
            requires=tuple(spec.requires), sla=self.sla(spec, (*loc, "sla")), notify={str(k): v for k, v in spec.notify.items()},
            keys=tuple(spec.keys),
        )

    def sla(self, state: StateSpec, loc: Loc) -> Sla | None:
        spec = state.sla_spec()
        if spec is None or state.final:
            return None
        defaults: SlaDefaults = self.spec.sla
        limit = _hours(spec.limit) if spec.limit else None
        hours: list[float | None] = []
        for level in LEVELS:
            value = getattr(spec, level)
            if value is None and limit is not None:
                value = getattr(defaults, level)
            if value is None:
                hours.append(None)
            elif PERCENT.match(value):
                hours.append((limit or 0.0) * (_percent(value) or 0.0))
            else:
                hours.append(_hours(value))
        if all(h is None for h in hours):
            return None
        return Sla((hours[0], hours[1], hours[2]), spec.since == "created", self.condition(spec.when, (*loc, "when")))

    def tiers(self) -> tuple[Tier, ...]:
        approval = self.spec.approval
        if approval is None:
            return ()
        out: list[Tier] = []
        for i, spec in enumerate(approval.tiers):
            loc: Loc = ("approval", "tiers", i)
            when = self.condition(spec.when, (*loc, "when"))
            for name in sorted((when.fields if when else frozenset()) & {"approved", "signatures"}):
                self.problem((*loc, "when"), t("workflow.circular", self.lang, field=name))
            up_to = (self.condition(f"amount_payable <= {spec.up_to:f}", (*loc, "up_to"))
                     if spec.up_to is not None else None)
            signers = ({name: role for role, names in spec.roles.items() for name in names} if spec.roles
                       else {name: name for name in spec.signers})
            out.append(Tier(spec.name, when, up_to, spec.signatures, signers))
        return tuple(out)

    def route(self, index: int) -> Route:
        spec = self.spec.routing[index]
        loc: Loc = ("routing", index)
        for name in spec.set:
            self.field(name, (*loc, "set", name), settable=True)
        return Route(spec.name, self.condition(spec.when, (*loc, "when")), dict(spec.set))

    def check(self, index: int) -> Check:
        spec = self.spec.checks[index]
        loc: Loc = ("checks", index)
        for j, name in enumerate(spec.states):
            self.known_state(name, (*loc, "states", j))
        if spec.column:
            self.field(spec.column, (*loc, "column"))
        when = self.condition(spec.when, (*loc, "when"))
        assert when is not None
        return Check(spec.code, when, frozenset(spec.states), spec.hold, spec.level, spec.message, spec.column, spec.notify)

    def locks(self, transitions: tuple[Transition, ...]) -> tuple[frozenset[str], tuple[str, ...]]:
        locks = self.spec.locks
        if locks is None:
            return frozenset(), ()
        for j, name in enumerate(locks.fields):
            self.field(name, ("locks", "fields", j))
        if not self.known_state(locks.from_, ("locks", "from")):
            return frozenset(), ()
        return frozenset(_reachable([locks.from_], transitions)), tuple(locks.fields)


def _reachable(start: Iterable[str], transitions: Iterable[Transition]) -> set[str]:
    edges: dict[str, set[str]] = {}
    for transition in transitions:
        for source in transition.sources:
            edges.setdefault(source, set()).add(transition.to)
    reached, todo = set(start), list(start)
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in reached:
                reached.add(nxt)
                todo.append(nxt)
    return reached


def _hours(text: str) -> float:
    return parse_duration(text).total_seconds() / 3600


def _percent(text: str | None) -> float | None:
    match = PERCENT.match(text) if text else None
    return float(match[1]) / 100 if match else None


def as_data(workflow: Workflow) -> dict[str, Any]:
    """A short description of a loaded workflow, for `sheetsync check --json`."""
    return {"name": workflow.name, "file": str(workflow.source), "states": [s.name for s in workflow.states],
            "entry": list(workflow.entry_states), "transitions": len(workflow.transitions),
            "approval": workflow.approval_state, "routes": len(workflow.routes), "locked_from": sorted(workflow.lock_states)}
