"""The commands that read a desk and write nothing: `check`, `validate`, `history`."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from sheetsync.channels import open_channels
from sheetsync.config import Config
from sheetsync.errors import EXIT_FINDINGS, EXIT_OK
from sheetsync.journal.sqlite import Journal
from sheetsync.model.records import HistoryEntry
from sheetsync.run.clock import parse_now
from sheetsync.steps import anomalies as anomaly_step
from sheetsync.steps.rules import CompiledRules, compile_rules
from sheetsync.steps.rules import validate as validate_rows
from sheetsync.steps.workflow.load import desk_workflow
from sheetsync.stores import open_store
from sheetsync.stores.table import read_table


def history(config: Config, order_id: str) -> list[HistoryEntry]:
    """Every recorded change of one order, oldest first."""
    if not config.journal_path.exists():
        return []
    with Journal(config.journal_path) as journal:
        return journal.history(order_id)


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
    table = read_table(open_store(config), config)
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
    frame = read_table(open_store(config), config).frame
    found = [*anomaly_step.duplicate_id_anomalies(frame), *validate_rows(frame, rules, now=now)]
    found.sort(key=lambda a: a.row)
    return ValidateResult(
        workbook=str(config.workbook_path), rows=len(frame), counts=anomaly_step.count_codes(found),
        findings=[{"row": a.row, "order_id": a.order_id, "code": a.code, "column": a.column,
                   "message": a.text(config.language), "level": a.level} for a in found],
        errors=sum(a.level == "error" for a in found),
    )


def compiled_rules(config: Config) -> CompiledRules:
    """The desk's `rules:`, custom conditions compiled (they may name a field by its header text)."""
    headers, _ = config.header_map()
    return compile_rules(config.rules, lang=config.language, aliases={text: f for f, text in headers.items()})
