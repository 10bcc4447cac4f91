"""What the CLI and Python users call: one function per command, results as data."""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .config import Config
from .errors import EXIT_FINDINGS, EXIT_OK, ConfigError
from .i18n import t
from .journal import Change, HistoryEntry, Journal
from .locks import RunLock
from .logs import log_to_state_dir
from .steps import anomalies as anomaly_step
from .steps.diff import CellChange, as_journal, diff, to_writes
from .steps.edits import person_edits, row_hashes
from .steps.identity import assign_order_ids, deleted_ids, duplicate_ids, order_id_maker
from .stores import open_store
from .stores.base import KEEP, CellValue
from .values import cell_value

log = logging.getLogger("sheetsync")

TOOL_FIELDS_SOURCE = {"order_id": "tool", "channel": "tool", "anomalies": "rule"}


@dataclass
class RunResult:
    """What one sync did; `exit_code` is 0, or 3 when findings need attention (`strict`)."""

    run_id: int | None
    dry_run: bool
    workbook: str
    rows: int
    assigned: list[dict[str, Any]] = field(default_factory=list)
    person_edits: list[dict[str, Any]] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    duplicates: dict[str, list[int]] = field(default_factory=dict)
    anomalies: dict[str, int] = field(default_factory=dict)
    changes: list[dict[str, Any]] = field(default_factory=list)
    cells_written: int = 0
    rows_appended: int = 0
    workbook_written: bool = False
    backup: str | None = None
    notices: list[str] = field(default_factory=list)
    seconds: float = 0.0
    strict: bool = False

    @property
    def exit_code(self) -> int:
        return EXIT_FINDINGS if self.strict and self.anomalies else EXIT_OK

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["exit_code"] = self.exit_code
        return data


def parse_now(text: str | None) -> dt.datetime:
    """The run's clock: `--now` (ISO 8601; an offset is turned into local time) or the local time now."""
    if text is None:
        return dt.datetime.now().replace(microsecond=0)
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"--now: '{text}' is not an ISO 8601 time (2026-11-23T09:30)") from None
    return value.astimezone().replace(tzinfo=None) if value.tzinfo else value


def sync(config: Config, *, dry_run: bool = False, force: bool = False, now: dt.datetime | None = None,
         strict: bool = False) -> RunResult:
    """One sync run: read, identify rows, detect people's edits, diff, write back, journal."""
    started = time.perf_counter()
    now = now or parse_now(None)
    lang = config.language
    log_to_state_dir(config.state_dir)
    store = open_store(config, force=force)
    with RunLock(config.state_dir, lang) as lock, Journal(config.journal_path, lang, readonly=dry_run) as journal:
        notices = [m for m in [lock.stale_message()] if m]
        if not dry_run:
            store.discard_leftovers()
            for rec in journal.recover(store.sha256):
                outcome = t("journal.recovered.kept" if rec.kept else "journal.recovered.dropped", lang)
                notices.append(t("journal.recovered", lang, run=rec.run_id, outcome=outcome))
        table = store.read()
        before = table.frame
        work = before.copy()
        run_id = 0 if dry_run else journal.start_run("sync", now)

        assigned = assign_order_ids(
            work,
            order_id_maker(config.order_id.format, config.order_id.prefix, now.date(), work["order_id"].dropna(),
                           lambda n: journal.next_sequence("order_id", n)),
            config.manual_channel,
        )
        dups = duplicate_ids(work)
        dup_ids = set(dups)
        unique = work[~work["order_id"].isin(dup_ids)]

        stored = journal.base_hashes()
        hashes = row_hashes(before.loc[unique.index.intersection(before.index)])
        known = unique["order_id"].reindex(hashes.index)
        stale = hashes.index[[stored.get(o) != h for o, h in zip(known, hashes, strict=True)]]
        stale_ids = [o for o in known.loc[stale] if o in stored]
        edits = person_edits(before, journal.base_values(stale_ids), stale)

        found = anomaly_step.duplicate_id_anomalies(work, lang)
        if "anomalies" in work.columns:
            work["anomalies"] = anomaly_step.render(work.index, found)
        levels = {a.code: a.level for a in found}

        changes = diff(before, work, TOOL_FIELDS_SOURCE)
        writes = to_writes(
            changes, table.columns, _cell_value,
            lambda f, v: anomaly_step.fill_for(v, levels) if f == "anomalies" else KEEP,
        )
        gone = deleted_ids(work, [o for o in stored if o not in dup_ids])
        final = work.loc[work.index.difference(work.index[work["order_id"].isin(dup_ids)])]
        new_hashes = row_hashes(final)
        base_rows = {
            str(oid): (int(h), _row_values(final, row))
            for row, oid, h in zip(final.index, final["order_id"], new_hashes, strict=True)
            if stored.get(oid) != h
        }
        gone_values = {oid: v for oid, v in journal.base_values(gone).items()}
        journal_changes = [*edits, *as_journal(changes)]

        result = RunResult(
            run_id=None if dry_run else run_id, dry_run=dry_run, workbook=str(config.workbook_path), rows=len(work),
            strict=strict,
            assigned=[asdict(a) for a in assigned], person_edits=[_change_dict(c) for c in edits], deleted=gone,
            duplicates=dups, anomalies=anomaly_step.count_codes(found),
            changes=[_cell_change_dict(c, table.columns) for c in changes], notices=notices,
        )
        if not dry_run:
            written = store.write(
                writes,
                on_staged=lambda sha: journal.record(run_id, journal_changes, base_rows, gone_values, workbook_sha256=sha),
            )
            if written is None:
                journal.record(run_id, journal_changes, base_rows, gone_values, workbook_sha256=None)
            else:
                journal.confirm(run_id)
                result.workbook_written = True
                result.backup = str(written.backup) if written.backup else None
                result.cells_written = written.cells
                result.rows_appended = len({w.row for w in writes if w.row > table.last_row})
        result.seconds = round(time.perf_counter() - started, 3)
        if not dry_run:
            journal.finish_run(run_id, result.exit_code, _counts(result), dt.datetime.now())
        log.info("sync %s: %s", "dry-run" if dry_run else f"run {run_id}", _counts(result))
        return result


def history(config: Config, order_id: str) -> list[HistoryEntry]:
    """Every recorded change of one order, oldest first."""
    if not config.journal_path.exists():
        return []
    with Journal(config.journal_path, config.language) as journal:
        return journal.history(order_id)


def _cell_value(field: str, text: str | None) -> CellValue:
    return cell_value(field, text)


def _row_values(frame: pd.DataFrame, row: Any) -> dict[str, str | None]:
    return {f: (None if pd.isna(v) else str(v)) for f, v in frame.loc[row].items()}


def _change_dict(c: Change) -> dict[str, Any]:
    return {"order_id": c.order_id, "field": c.field, "old": c.old, "new": c.new, "source": c.source}


def _cell_change_dict(c: CellChange, columns: dict[str, int]) -> dict[str, Any]:
    return {"row": c.row, "column": columns.get(c.field), "order_id": c.order_id, "field": c.field,
            "old": c.old, "new": c.new, "source": c.source}


def _counts(result: RunResult) -> dict[str, Any]:
    return {
        "rows": result.rows, "assigned": len(result.assigned), "person_edits": len(result.person_edits),
        "deleted": len(result.deleted), "duplicates": len(result.duplicates), "anomalies": result.anomalies,
        "cells_written": result.cells_written, "rows_appended": result.rows_appended, "seconds": result.seconds,
    }


def config_path(path: Path | str | None) -> Path:
    return Path(path) if path else Path("sheetsync.yaml")


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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def check(config: Config) -> CheckResult:
    """Validate the configuration against the workbook; writes nothing.  A missing mapped header raises."""
    headers, _ = config.header_map()
    table = open_store(config).read()
    return CheckResult(
        config=str(config.source), workbook=str(config.workbook_path), sheet=config.table.sheet,
        header_row=table.header_row, rows=len(table.frame),
        mapped={f: headers[f] for f in table.columns}, absent=[f for f in headers if f not in table.columns],
        extra=list(table.extra_headers),
    )
