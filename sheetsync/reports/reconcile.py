"""`sheetsync reconcile`: the sheet against shop exports, finance/ERP exports and carrier files.

Read-only: the order table is read through its store, the sources through their mappings, and
the journal (for the channels' natural keys) through a read-only copy; nothing is written and
no input file is recorded as imported.  A source is named as
- `NAME`: a channel or logistics source of the configuration, with its mapping and files;
- `NAME=PATH`: that channel's mapping and label, or a mapping by name (`finance=exports/fin.xlsx`),
  applied to a file or a glob relative to the configuration.
Differences are records, never exceptions (`reconcile_compare.py` finds them).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from sheetsync.channels.apply import Mapped, apply_mapping, header_row
from sheetsync.channels.file import SUFFIXES
from sheetsync.channels.mapping import Mapping, load_mapping
from sheetsync.channels.readers import RawTable, read_file
from sheetsync.config import ChannelConfig, Config
from sheetsync.errors import EXIT_FINDINGS, EXIT_OK, ConfigError, UnreadableInput
from sheetsync.i18n import Lang, t
from sheetsync.journal.open import journal_exists
from sheetsync.journal.read import read_journal
from sheetsync.model.values import format_money
from sheetsync.reports.reconcile_compare import (
    KINDS,
    Desk,
    Difference,
    PaymentTotal,
    SourceRecords,
    compare,
    compare_refunds,
)
from sheetsync.runtime.files import matching
from sheetsync.steps.aftersales.states import key_of
from sheetsync.steps.workflow.load import desk_workflow, status_words, ticket_workflow
from sheetsync.stores import open_store
from sheetsync.stores.table import read_table, ticket_spec

__all__ = ["KINDS", "Difference", "PaymentTotal", "ReconcileResult", "Source", "parse_sources", "reconcile"]


@dataclass(frozen=True, slots=True)
class Source:
    """One `--against`: a mapping, the label its orders carry, and the files to read."""

    spec: str
    mapping: Mapping
    label: str
    files: tuple[Path, ...]
    channel: str | None = None
    """The configured channel's name, whose natural keys the journal knows."""


@dataclass
class ReconcileResult:
    """Every difference between the sheet and the sources; `exit_code` is 3 when there is any."""

    workbook: str
    rows: int
    tolerance: str
    sources: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    differences: list[Difference] = field(default_factory=list)
    totals: list[PaymentTotal] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        return EXIT_FINDINGS if self.differences else EXIT_OK

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["exit_code"] = self.exit_code
        return data


def parse_sources(config: Config, specs: Sequence[str]) -> list[Source]:
    """`--against` values -> sources; an unknown name, a bad mapping or a glob matching no file is a ConfigError."""
    lang = config.language
    if not specs:
        raise ConfigError(t("reconcile.no_source", lang), t("reconcile.source.hint", lang))
    configured: dict[str, tuple[ChannelConfig, str]] = {c.name: (c, "orders") for c in config.channels}
    configured.update({c.name: (c, "waybills") for c in config.logistics})
    sources = []
    for spec in specs:
        name, _, pattern = spec.partition("=")
        name, pattern = name.strip(), pattern.strip()
        channel = configured.get(name)
        if channel is not None:
            chosen, _ = channel
            mapping = load_mapping(chosen.mapping or chosen.name, config.base_dir, lang)
            label = chosen.label or mapping.label or chosen.name
            pattern = pattern or chosen.path or f"inbox/{chosen.name}/*"
        elif pattern:
            mapping = load_mapping(name, config.base_dir, lang)
            label = mapping.label or mapping.name
        else:
            known = ", ".join(configured) or "-"
            raise ConfigError(t("reconcile.unknown_source", lang, name=name, known=known), t("reconcile.source.hint", lang))
        files = _files(config, pattern)
        if not files:
            raise ConfigError(t("reconcile.no_files", lang, source=spec, pattern=pattern), t("reconcile.source.hint", lang))
        sources.append(Source(spec, mapping, label, tuple(files), chosen.name if channel else None))
    return sources


def _files(config: Config, pattern: str) -> list[Path]:
    found = matching(pattern, config.base_dir)
    return [p for p in found if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith(("~$", ".~lock"))]


def reconcile(config: Config, sources: Sequence[str], *, tolerance: Decimal = Decimal(0), now: dt.datetime | None = None,
              window: tuple[dt.datetime, dt.datetime] | None = None) -> ReconcileResult:
    """Compare the order table with each source; writes nothing.  `tolerance` is the largest amount
    difference taken as equal; `window` ([start, end) on created_at) limits which of the sheet's
    orders a source must hold (default: the dates the source itself covers)."""
    started = dt.datetime.now()
    now = now or started.replace(microsecond=0)
    if tolerance < 0:
        raise ConfigError(t("reconcile.bad_tolerance", config.language, value=tolerance))
    chosen = parse_sources(config, sources)
    read: dict[str, Any] = {}

    def read_desk() -> None:
        try:
            read["table"] = read_table(open_store(config), config)
        except BaseException as exc:  # handed back below, in the caller's thread
            read["error"] = exc

    reader = threading.Thread(target=read_desk, name="sheetsync-reconcile-desk", daemon=True)
    reader.start()
    try:
        records = [_read_source(config, source, now) for source in chosen]
    finally:
        reader.join()
    if "error" in read:
        raise read["error"]
    table = read["table"]
    desk = Desk(table.frame, _natural_keys(config, [s.channel for s in chosen if s.channel]))
    result = ReconcileResult(workbook=config.table_where, rows=len(table.frame), tolerance=str(tolerance))
    refunded = _refunded(config) if any(s.mapping.kind == "tickets" for s in chosen) else None
    for source, found in zip(chosen, records, strict=True):
        if source.mapping.kind == "tickets":  # a finance export's refunds, against the after-sales sheet
            compared = compare_refunds(desk, refunded if refunded is not None else pd.Series(dtype="str"), found,
                                       tolerance)
        else:
            compared = compare(desk, found, tolerance, window)
        result.differences.extend(compared.differences)
        result.totals.extend(compared.totals)
        result.sources.append({"source": source.spec, "mapping": source.mapping.name, "label": source.label,
                               "files": [str(p) for p in source.files], "records": len(found.records),
                               "rows_read": found.rows_read, "rejected": len(found.rejects), "matched": compared.matched})
        result.rejected.extend({"source": source.spec, "file": r.file, "line": r.line, "reason": r.reason}
                               for r in found.rejects)
    result.differences.extend(desk.duplicates())
    result.differences.sort(key=lambda d: KINDS.index(d.kind))
    result.counts = {kind: n for kind in KINDS if (n := sum(1 for d in result.differences if d.kind == kind))}
    result.seconds = round((dt.datetime.now() - started).total_seconds(), 3)
    return result


def _refunded(config: Config) -> pd.Series:
    """order_id -> the money its refunded tickets gave back (canonical text), from the after-sales sheet; empty on a
    desk without one."""
    spec = ticket_spec(config)
    if spec is None:
        return pd.Series(dtype="str")
    try:
        tickets = read_table(open_store(config), config, spec).frame
    except ConfigError:
        return pd.Series(dtype="str")
    if not {"order_id", "status", "refund_amount"} <= set(tickets.columns):
        return pd.Series(dtype="str")
    workflow = ticket_workflow(config)
    done = tickets[(tickets["status"].map(lambda s: key_of(workflow, s)) == "refunded").to_numpy()
                   & tickets["order_id"].notna().to_numpy() & tickets["refund_amount"].notna().to_numpy()]
    sums: dict[str, Decimal] = {}
    for order_id, amount in zip(done["order_id"], done["refund_amount"], strict=True):
        sums[str(order_id)] = sums.get(str(order_id), Decimal(0)) + Decimal(str(amount))
    return pd.Series({k: format_money(v) for k, v in sums.items()}, dtype="str")


def _read_source(config: Config, source: Source, now: dt.datetime) -> SourceRecords:
    """Every file of a source through its mapping (a later file's record of a key replaces an earlier one's),
    with exact duplicate lines found; an unreadable file raises UnreadableInput naming it."""
    lang = config.language
    parts: list[pd.DataFrame] = []
    found = SourceRecords(source.spec, source.mapping, source.label, pd.DataFrame())
    words = status_words(config, desk_workflow(config))
    problems = []
    for path in source.files:
        try:
            for raw in read_file(path, sheet=source.mapping.sheet, encoding=source.mapping.encoding,
                                 delimiter=source.mapping.delimiter):
                mapped = apply_mapping(raw, source.mapping, source.label, now, lang, None, config.tz)
                if "status" in mapped.records.columns:  # a mapping's state key, in the desk's words as the sync writes it
                    mapped.records["status"] = mapped.records["status"].map(lambda v: words.get(v, v)).astype("str")
                found.rows_read += mapped.rows_read
                found.rejects.extend(mapped.rejects)
                parts.append(_with_where(mapped, path))
                found.repeated.extend(_repeated(raw, mapped, source.mapping, path, lang))
        except UnreadableInput as exc:
            problems.append(exc.message)
    if problems:
        raise UnreadableInput("\n".join(problems), t("reconcile.unreadable.hint", lang))
    if parts:
        combined = pd.concat(parts)
        found.records = combined if combined.index.is_unique else combined.groupby(level=0, sort=False).last()
    return found


def _repeated(raw: RawTable, mapped: Mapped, mapping: Mapping, path: Path, lang: Lang) -> list[tuple[str | None, list[str]]]:
    """Groups of identical lines (every cell equal) below the header: an export listing a row twice."""
    body = raw.frame.iloc[header_row(raw, mapping, lang) + 1 :]
    body = body[body.notna().any(axis=1)]
    twice = body.duplicated(keep=False)
    if not twice.any():
        return []
    lines = pd.Series(raw.lines, index=raw.frame.index)[body.index[twice]]
    key_of = {line: key for key, numbers in mapped.lines.items() for line in numbers}
    signature = body[twice].fillna("\x00").astype(str).agg("\x1f".join, axis=1)
    return [(key_of.get(int(group.iloc[0])), [f"{path.name}:{int(n)}" for n in group])
            for _, group in lines.groupby(signature.to_numpy(), sort=False)]


def _with_where(mapped: Mapped, path: Path) -> pd.DataFrame:
    """The records with `_where` (file:first line of the key) beside them."""
    records = mapped.records.copy()
    first = {key: lines[0] for key, lines in mapped.lines.items()}
    records["_where"] = pd.Series([f"{path.name}:{first.get(k, '?')}" for k in records.index], index=records.index,
                                  dtype="str")
    return records


def _natural_keys(config: Config, channels: Sequence[str]) -> dict[str, dict[str, str]]:
    """channel name -> channel_order_id -> order_id, as the journal recorded them (none without a journal)."""
    if not channels or not journal_exists(config):
        return {}
    with read_journal(config) as journal:
        return {name: journal.natural_keys(name) for name in channels}
