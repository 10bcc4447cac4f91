"""The commands that read a desk and write nothing: `check`, `validate`, `history`."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from sheetsync.channels import open_channels
from sheetsync.config import Config, load_preset
from sheetsync.config.reasons import desk_reasons
from sheetsync.errors import EXIT_FINDINGS, EXIT_OK
from sheetsync.i18n import t
from sheetsync.model.fields import FIELDS
from sheetsync.run.clock import parse_now
from sheetsync.steps import anomalies as anomaly_step
from sheetsync.steps.rules import CompiledRules, compile_rules
from sheetsync.steps.rules import validate as validate_rows
from sheetsync.steps.workflow.compiled import Workflow
from sheetsync.steps.workflow.load import desk_workflow, status_words
from sheetsync.stores import open_store
from sheetsync.stores.base import Table
from sheetsync.stores.table import read_table


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
    warnings: list[str] = field(default_factory=list)
    """What can never happen with this sheet and this workflow, each saying what to add or change (exit 0)."""
    state_unknown: int = 0
    """Orders whose status is no state of the workflow (STATE_UNKNOWN)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def check(config: Config, *, rules_only: bool = False) -> CheckResult:
    """Validate the configuration (its rules' conditions and channels' mappings too) against the workbook;
    writes nothing.  A bad condition, a missing mapped header or an unknown mapping raises ConfigError.
    `rules_only` checks the `rules:` alone (no workbook, no channels)."""
    compiled = compiled_rules(config)
    workflow = desk_workflow(config)  # an inconsistent workflow is a ConfigError (exit 2)
    desk_reasons(config)  # so is a bad after-sales reason tree
    if rules_only:
        return CheckResult(config=str(config.source), workbook=config.table_where, sheet=config.table.sheet,
                           header_row=0, rows=0, mapped={}, absent=[], extra=[], channels=[],
                           rules=sorted(compiled.levels.items()))
    headers, _ = config.header_map()
    channels = [{"name": c.channel.name, "mapping": c.mapping.name, "kind": c.mapping.kind, "files": c.waiting()}
                for c in open_channels(config)]
    table = read_table(open_store(config), config)
    result = CheckResult(
        config=str(config.source), workbook=config.table_where, sheet=config.table.sheet,
        header_row=table.header_row, rows=len(table.frame),
        mapped={f: headers[f] for f in table.columns}, absent=[f for f in headers if f not in table.columns],
        extra=list(table.extra_headers), channels=channels, rules=sorted(compiled.levels.items()),
    )
    _never_happens(result, config, workflow, table)
    return result


def _never_happens(result: CheckResult, config: Config, workflow: Workflow | None, table: Table) -> None:
    """The warnings of `check`: transitions that need a column the sheet lacks, a manual move shadowed by a
    conditional one, states the tool may write that the status dropdown forbids, reports that cannot be computed,
    orders whose status is no state."""
    lang, columns = config.language, set(table.columns)
    preset = load_preset(lang)
    def header(name: str) -> str:
        return preset.get(name) or name

    say = result.warnings.append
    if workflow is not None:
        for move in workflow.transitions:
            target = workflow.state(move.to)
            needs = sorted({f for f in (move.when.fields if move.when else ()) if f in FIELDS} | set(move.requires)
                           | set(target.requires if target is not None else ()))
            lacking = [f for f in needs if f not in columns]
            if lacking:
                say(t("check.never", lang, move=move.name, headers="、".join(header(f) for f in lacking)))
        pairs: dict[tuple[str, str], list[str]] = {}
        for move in workflow.transitions:
            for source in sorted(move.sources):
                pairs.setdefault((source, move.to), []).append(move.name)
        for (source, to), names in pairs.items():
            if len(names) > 1:
                say(t("check.shadowed", lang, old=source, new=to, first=names[0], others="、".join(names[1:])))
    if "status" in columns:
        allowed = open_store(config).status_choices(table.header_row + 1, table.columns["status"])
        writes = [s.name for s in workflow.states] if workflow is not None else \
            sorted(set(status_words(config, None).values()), key=list(status_words(config, None).values()).index)
        forbidden = [w for w in writes if allowed is not None and w not in allowed]
        if forbidden:
            say(t("check.dropdown", lang, states="、".join(forbidden), allowed="、".join(allowed or ())))
        known = {s.name for s in workflow.states} if workflow is not None else set(config.statuses) | set(writes)
        values = table.frame["status"].dropna()
        unknown = values[~values.isin(list(known))]
        result.state_unknown = len(unknown)
        if len(unknown):
            say(t("check.unknown_states", lang, n=len(unknown), words="、".join(sorted(set(unknown.tolist()))[:8])))
    for report, needed in (("on_time", ("promised_by", "delivered_at")), ("time_in_state", ("status", "status_since"))):
        lacking = [f for f in needed if f not in columns]
        if lacking:
            say(t(f"check.report.{report}", lang, headers="、".join(header(f) for f in lacking)))


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
    frame = read_table(open_store(config), config).frame
    found = [*anomaly_step.duplicate_id_anomalies(frame), *validate_rows(frame, rules, now=now)]
    found.sort(key=lambda a: a.row)
    return ValidateResult(
        workbook=config.table_where, rows=len(frame), counts=anomaly_step.count_codes(found),
        findings=[{"row": a.row, "order_id": a.order_id, "code": a.code, "column": a.column,
                   "message": a.text(config.language), "level": a.level} for a in found],
        errors=sum(a.level == "error" for a in found),
    )


def compiled_rules(config: Config) -> CompiledRules:
    """The desk's `rules:`, custom conditions compiled (they may name a field by its header text)."""
    headers, _ = config.header_map()
    return compile_rules(config.rules, lang=config.sheet_language, aliases={text: f for f, text in headers.items()})
