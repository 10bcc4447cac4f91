"""The legacy import (`sheetsync import`): years of old workbooks and exports into the order table,
every row accounted for: read = imported + merged + duplicate + rejected.

Files are read by `readers` (encodings, dialects, every sheet of a workbook), matched by a named
mapping or by `automap` (synonyms and content), normalised by the channels' `apply_mapping`
(`importing/parse.py` adds what legacy files need), and written through the same run as a sync
(`importing/run.py`): rows already in the table are matched by natural key and merged, never
duplicated, so importing the same file twice changes nothing.  Of several rows of one order the
first is taken; the others are duplicates, and where they disagree the disagreement is reported
and the row kept in the rejects file, beside the rows that could not be taken at all.
A preview writes nothing and reads a sample of a large file, so its counts are estimates.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from collections.abc import Mapping as Mapping_
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sheetsync.channels import FileAccount, Pulled, split_addresses
from sheetsync.channels.apply import Reject
from sheetsync.channels.automap import AutoMapping, Synonyms, automap, load_synonyms, save_mapping
from sheetsync.channels.base import Foreheard, HeardChanged
from sheetsync.channels.mapping import Mapping, load_mapping
from sheetsync.channels.readers import Sample, read_file, sample_file
from sheetsync.config import ChannelConfig, Config, normalize_header
from sheetsync.errors import EXIT_OK, EXIT_UNREADABLE, ConfigError, UnreadableInput
from sheetsync.i18n import Lang, t
from sheetsync.importing.parse import COUNT, LINE, Labeller, ParsedTable, Part, parse, prepare
from sheetsync.journal.core import WHOLE_KEYS, said_keys
from sheetsync.journal.open import current_db
from sheetsync.model.fields import FIELDS
from sheetsync.model.values import among, positions
from sheetsync.reports.rejects import write_rejects, write_rejects_csv, write_rejects_xlsx
from sheetsync.run.accounts import account_pulls
from sheetsync.run.clock import parse_now
from sheetsync.runtime.files import file_sha256, file_stamp, matching
from sheetsync.runtime.frames import emptied, rows_where
from sheetsync.steps.diff import differs
from sheetsync.steps.pull import Incorporated
from sheetsync.stores import open_store
from sheetsync.stores.table import read_table

if TYPE_CHECKING:
    from sheetsync.importing.hearing import Hearing

log = logging.getLogger(__name__)
DISAGREEMENTS_SHOWN = 100
SAMPLE_SHOWN = 10
REASONS_SHOWN = 5
LEGACY = "legacy"
"""The channel of imported rows unless a column, the mapping or `--channel` names one: its name in the journal's
keys (so a desk that imported before keeps its keys); its label in the channel cell is in the sheet's language."""
LEGACY_LABELS = (LEGACY, *(t("import.legacy.label", lang) for lang in ("zh", "en")))
"""Every channel cell an imported row may carry: an order imported before under another label is the same order."""
SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")

Progress = Callable[[str, int, int], None]
"""Called as work proceeds: (stage, done, total); the stages are read (files), write and done."""


@dataclass(slots=True)
class TableReport:
    """One sheet or text file: read = imported + merged + duplicate + rejected (data rows, headers not counted)."""

    path: str
    sheet: str | None = None
    encoding: str | None = None
    mapping: str | None = None
    read: int = 0
    imported: int = 0
    merged: int = 0
    duplicate: int = 0
    rejected: int = 0
    skipped: str | None = None
    error: str | None = None


@dataclass
class ImportResult:
    """What one import did (or, with `preview`, would do; `estimated` when counted on a sample)."""

    preview: bool
    workbook: str
    estimated: bool = False
    read: int = 0
    imported: int = 0
    merged: int = 0
    duplicate: int = 0
    rejected: int = 0
    rejects_file: str | None = None
    files: list[TableReport] = field(default_factory=list)
    mappings: list[dict[str, Any]] = field(default_factory=list)
    reasons: dict[str, int] = field(default_factory=dict)
    disagreements: list[dict[str, Any]] = field(default_factory=list)
    disagreements_total: int = 0
    sample: list[dict[str, Any]] = field(default_factory=list)
    saved_mapping: str | None = None
    run_id: int | None = None
    workbook_written: bool = False
    backup: str | None = None
    rows_appended: int = 0
    cells_written: int = 0
    unplaced: dict[str, int] = field(default_factory=dict)
    """field -> how many imported orders had a value of it the sheet has no column for (kept in the journal)."""
    folded: dict[str, int] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        """6 when some input could not be read (the others were taken), else 0."""
        return EXIT_UNREADABLE if self.errors else EXIT_OK

    @property
    def balanced(self) -> bool:
        return self.read == self.imported + self.merged + self.duplicate + self.rejected

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["exit_code"] = self.exit_code
        return data


def import_files(config: Config, patterns: Sequence[str], *, mapping: str | None = None, auto: bool = False,
                 channel: str | None = None, sheet: str | None = None, preview: bool = False, rejects: Path | None = None,
                 save_mapping_as: str | None = None, now: dt.datetime | None = None, force: bool = False,
                 progress: Progress | None = None) -> ImportResult:
    """Import the files `patterns` name (paths or globs) into the order table; see the module docstring.

    Without `mapping` the columns are matched automatically (`auto` says so explicitly).  A bad
    combination of options raises ConfigError (exit 2); an unreadable file is reported in the
    result (`errors`, exit code 6) after the others are taken."""
    started = time.perf_counter()
    options = _Options(mapping, auto, channel, sheet, preview, rejects, save_mapping_as,
                       now or parse_now(None, config.tz), force, progress or (lambda stage, done, total: None))
    try:
        return _import(config, patterns, options, started, ask=True)
    except HeardChanged:  # a run came while the files were read: what they say is heard by this run alone
        log.info("import: a run came after the journal was asked; reading the files again")
    # outside the handler: its traceback holds the first reading's frames (a million records) while it lasts
    return _import(config, patterns, options, started, ask=False)


@dataclass(frozen=True, slots=True)
class _Options:
    """`import_files`' options, as its two tries take them."""

    mapping: str | None
    auto: bool
    channel: str | None
    sheet: str | None
    preview: bool
    rejects: Path | None
    save_mapping_as: str | None
    now: dt.datetime
    force: bool
    step: Progress


def _import(config: Config, patterns: Sequence[str], o: _Options, started: float, *, ask: bool) -> ImportResult:
    """`import_files`; `ask`: an import of one table asks the journal what its channel last said while it reads
    (`importing/hearing.py`), which raises HeardChanged from the run when a run came after the asking."""
    lang, now, step = config.language, o.now, o.step
    _check_options(o.mapping, o.auto, o.save_mapping_as, o.rejects, lang)
    named = _named_mapping(o.mapping, config) if o.mapping else None
    synonyms = None if named else load_synonyms(config.base_dir, lang)
    labeller = _labeller(config, o.channel, named)
    result = ImportResult(preview=o.preview, workbook=config.table_where)
    paths = _expand(patterns, result, lang)
    tables: list[ParsedTable] = []
    scale: list[float] = []
    digests: dict[str, str] = {}
    asking = _hearing(config, now) if ask and not o.preview and len(paths) == 1 else nullcontext(None)
    with asking as asked:
        for number, path in enumerate(paths):
            step("read", number, len(paths))
            parsed = _read(path, config, named, synonyms, o.sheet, o.preview, labeller, now, result, len(tables), asked)
            for table, factor in parsed:
                tables.append(table)
                scale.append(factor)
            if parsed and not o.preview:
                digests[str(path)] = file_sha256(path)
    step("read", len(paths), len(paths))
    if o.save_mapping_as:
        _save(tables, o.save_mapping_as, config, result, lang)
    pulls, duplicate_rejects = _gather(tables, named, digests, result, lang, asked)
    if asked is not None:
        asked.told.clear()  # what the journal said is in the pulls now, for the run to take once
    if o.preview and pulls:
        _account(tables, _preview_accounts(config, pulls), result)
    elif pulls:
        step("write", 0, 1)
        from sheetsync.importing.run import sync_pulls  # the run's pipeline, loaded by an import that writes alone

        run = sync_pulls(config, pulls, now, force=o.force)
        step("done", 1, 1)
        _account(tables, run.files, result)
        result.run_id, result.workbook_written, result.backup = run.run_id, run.workbook_written, run.backup
        result.rows_appended, result.cells_written = run.rows_appended, run.cells_written
        result.unplaced, result.folded = run.unplaced, run.folded
        result.notices.extend(run.notices)
    rejected = [r for table in tables for r in table.rejects] + duplicate_rejects
    if not o.preview and (rejected or (o.rejects is not None and tables)):
        result.rejects_file = str(_write_rejects(config, o.rejects, rejected, config.sheet_language, result.run_id or 0))
    _totals(tables, scale, result)
    result.seconds = round(time.perf_counter() - started, 3)
    return result


def _hearing(config: Config, now: dt.datetime) -> AbstractContextManager[Hearing]:
    """`importing.hearing.hearing`, loaded by an import that writes alone (a preview asks the journal nothing)."""
    from sheetsync.importing.hearing import hearing

    return hearing(config, now)


def _check_options(mapping: str | None, auto: bool, save_as: str | None, rejects: Path | None, lang: Lang) -> None:
    if mapping and auto:
        raise ConfigError(t("import.mapping_and_auto", lang))
    if mapping and save_as:
        raise ConfigError(t("import.save_needs_auto", lang))
    if rejects is not None and rejects.suffix.lower() not in (".csv", ".xlsx"):
        raise ConfigError(t("import.rejects_suffix", lang, path=rejects))


def _named_mapping(name: str, config: Config) -> Mapping:
    found = load_mapping(name, config.base_dir, config.language)
    if found.kind != "orders":
        raise ConfigError(t("import.mapping_kind", config.language, mapping=found.name, kind=found.kind))
    return found


def _labeller(config: Config, given: str | None, named: Mapping | None) -> Labeller:
    """Channel name (natural keys) and label (the channel cell) of a row: a column naming the channel
    wins, then the mapping's label, then `--channel` (its configured label when it is a channel of the desk),
    else LEGACY, labelled in the sheet's language.  A label that is a configured channel's shares that
    channel's natural keys."""
    channel = given or LEGACY
    labels: dict[str, str] = {}
    for spec in config.channels:
        try:
            own = load_mapping(spec.mapping or spec.name, config.base_dir, config.language).label
        except ConfigError:
            own = None
        labels[spec.name] = spec.label or own or spec.name
    by_label = {label: name for name, label in labels.items()}
    plain = labels.get(channel) or (t("import.legacy.label", config.sheet_language) if given is None else channel)
    default = (named.label if named is not None and named.label else None) or plain

    def label_of(cell: str | None) -> tuple[str, str]:
        label = cell or default
        if label == plain:
            return channel, label
        return by_label.get(label, label), label

    return label_of


def _expand(patterns: Sequence[str], result: ImportResult, lang: Lang) -> list[Path]:
    """Paths and globs -> the files, each once, in the order given (a glob's in name order)."""
    found: dict[Path, None] = {}
    for pattern in patterns:
        path = Path(pattern)
        matches = [path] if path.is_file() else matching(pattern, Path.cwd())
        matches = [p for p in matches if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith(("~$", ".~lock"))]
        if not matches:
            message = t("import.no_files", lang, pattern=pattern)
            result.files.append(TableReport(pattern, error=message))
            result.errors.append(message)
        found.update(dict.fromkeys(p.resolve() for p in matches))
    if not found:
        raise ConfigError("\n".join(result.errors), t("import.no_files.hint", lang))
    return list(found)


def _read(path: Path, config: Config, named: Mapping | None, synonyms: Synonyms | None, sheet: str | None, preview: bool,
          labeller: Labeller, now: dt.datetime, result: ImportResult, first: int, asked: Hearing | None,
          ) -> list[tuple[ParsedTable, float]]:
    """The tables of one file, parsed; each with the factor from its sample to the whole (1 when read whole).
    `asked`: the journal to ask, taken when the file has one table."""
    lang = config.language
    wanted = sheet or (named.sheet if named else None)
    encoding, delimiter = (named.encoding, named.delimiter) if named else ("auto", None)
    try:
        if preview:
            samples = sample_file(path, sheet=wanted, all_sheets=wanted is None, encoding=encoding, delimiter=delimiter)
        else:
            samples = [Sample(raw, True, 0) for raw in read_file(path, sheet=wanted, all_sheets=wanted is None,
                                                                   encoding=encoding, delimiter=delimiter)]
    except UnreadableInput as exc:
        result.files.append(TableReport(str(path), error=exc.message))
        result.errors.append(exc.message)
        return []
    out: list[tuple[ParsedTable, float]] = []
    skipped: list[str] = []
    asked = asked if len(samples) == 1 else None
    while samples:  # each table read is let go once parsed: the parse keeps only the rows it takes
        sample = samples.pop(0)
        raw, complete, sampled_lines = sample.table, sample.complete, sample.lines
        del sample
        where = raw.where
        report = TableReport(str(path), raw.sheet, raw.encoding, named.name if named else "auto")
        result.files.append(report)
        found: AutoMapping | None = None
        try:
            found = automap(raw, synonyms, name="auto", now=now) if synonyms is not None else None
            if found is not None and found.mapping is None:
                raise UnreadableInput(t("import.not_ready", lang, file=raw.where, missing=", ".join(found.missing)))
            mapping = found.mapping if found is not None and found.mapping is not None else named
            assert mapping is not None
            table = prepare(raw, mapping, found, first + len(out), lang)
        except UnreadableInput as exc:
            report.skipped = exc.message
            skipped.append(exc.message)
            if found is not None:
                result.mappings.append(_explain(where, found, None))
            continue
        del raw
        parse(table, labeller, now, config.sheet_language, split_addresses, config.tz, asked)
        result.mappings.append(_explain(where, found, table))
        rows = table.rows_read + table.exact_duplicates
        factor = 1.0 if complete or not rows else max(1.0, (sampled_lines - (table.header_line or 0)) / rows)
        out.append((table, factor))
    if not out:
        message = t("import.nothing_taken", lang, file=path, reasons="; ".join(skipped) or "-")
        result.errors.append(message)
    return out


def _explain(where: str, found: AutoMapping | None, table: ParsedTable | None) -> dict[str, Any]:
    """How each column of one table was matched (by a named mapping: basis `mapping`)."""
    if found is not None:
        return {"table": where, "mapping": "auto", "header_line": table.header_line if table else None, **found.to_dict()}
    assert table is not None
    headers = {normalize_header(h): f for f, rule in table.mapping.fields.items() for h in rule.headers}
    if table.mapping.items is not None:
        headers.update({normalize_header(h): "items" for h in table.mapping.items.headers})
    columns = []
    for i, name in enumerate(table.names):
        target = headers.get(normalize_header(name))
        columns.append({"index": i, "header": name, "field": target, "basis": "mapping" if target else None,
                        "confidence": 1.0 if target else 0.0, "note": None})
    return {"table": where, "mapping": table.mapping.name, "header_line": table.header_line, "columns": columns,
            "unmatched": [c["header"] for c in columns if c["field"] is None and not str(c["header"]).startswith("#")],
            "missing": [], "composed_key": [], "ready": True, "day_first": table.mapping.day_first}


def _save(tables: list[ParsedTable], name: str, config: Config, result: ImportResult, lang: Lang) -> None:
    ready = [t for t in tables if t.auto is not None and t.auto.mapping is not None]
    if not ready:
        raise ConfigError(t("automap.not_ready", lang, missing="channel_order_id"), t("automap.not_ready.hint", lang))
    first = ready[0]
    assert first.auto is not None and first.auto.mapping is not None
    result.saved_mapping = str(save_mapping(first.auto, name, config.base_dir, lang))
    shape = lambda m: (m.fields, m.items)  # noqa: E731
    others = [t.raw.where for t in ready[1:] if t.auto and t.auto.mapping and shape(t.auto.mapping) != shape(first.auto.mapping)]
    if others:
        result.notices.append(t("import.mapping_saved.partial", lang, file=first.raw.where, others=", ".join(others)))


def _gather(tables: list[ParsedTable], named: Mapping | None, digests: dict[str, str], result: ImportResult,
            lang: Lang, asked: Hearing | None = None) -> tuple[list[Pulled], list[Reject]]:
    """Per channel: the first record of each order over every table (in file order), as one pull whose
    `files` are the tables (every pull lists them all) and `sources` the lines of each record.  The
    later records are counted as duplicates.  A later row disagrees where both rows have a value and
    the values differ (a value only one of them has is not a disagreement); disagreements are
    reported and the row kept in the rejects file.  The records a part left out as no news (`Part.quiet`) are in
    its pull's sources, as the journal told them (`Pulled.foreheard`)."""
    by_name: dict[str, list[Part]] = {}
    for table in tables:
        for part in table.parts:
            by_name.setdefault(part.name, []).append(part)
    pulls: list[Pulled] = []
    kept: list[Reject] = []
    for name, parts in by_name.items():
        parts.sort(key=lambda p: (p.table, p.rank))
        later = _later_occurrences(parts)
        # the first occurrences, part by part: a part with none later is taken as it is, not copied
        # (a million-row file's records were copied here whole when a few of its orders came twice)
        taken = [p.records if not m.any() else rows_where(p.records, ~m) for p, m in zip(parts, later, strict=True)]
        taken = [f for f in taken if len(f)] or [parts[0].records]
        firsts = pd.concat(taken) if len(taken) > 1 else taken[0]
        first_of = np.concatenate([np.full(int((~m).sum()), i, dtype=np.int64) for i, m in enumerate(later)])
        if any(m.any() for m in later):
            again = pd.concat([rows_where(p.records, m) for p, m in zip(parts, later, strict=True) if m.any()])
            origin = np.concatenate([np.full(int(m.sum()), i, dtype=np.int64) for i, m in enumerate(later)])
            kept += _duplicates(tables, parts, again, origin, firsts, pd.Series(first_of, index=firsts.index), result, lang)
            del again
        del taken
        mapping = named or next(t.mapping for t in tables if t.index == parts[0].table)
        files = [FileAccount(str(t.raw.path), name, digests.get(str(t.raw.path), ""), t.rows_read) for t in tables]
        table_of = np.array([p.table for p in parts], dtype=np.int64)[first_of]
        told = _foreheard(parts, name, asked)
        sources = _Sources(firsts.index, table_of, firsts[COUNT].to_numpy()) if told is None else \
            _Sources(firsts.index.append(pd.Index(told.quiet.index)),
                     np.concatenate([table_of, np.full(len(told.quiet), parts[0].table, dtype=np.int64)]),
                     np.concatenate([firsts[COUNT].to_numpy(), np.ones(len(told.quiet), dtype=np.int64)]))
        pulls.append(Pulled(ChannelConfig(name=name, label=parts[0].label), mapping, parts[0].label, firsts, sources,
                            files=files, former_labels=LEGACY_LABELS if name == LEGACY else (), foreheard=told))
    result.sample = _sample(pulls)
    for table in tables:  # what is left of the tables is their account; the records are in the pulls
        table.parts = []
        table.raw.frame = emptied(table.raw.frame)
    return pulls, kept


def _foreheard(parts: list[Part], name: str, asked: Hearing | None) -> Foreheard | None:
    """What the journal told the parse of channel `name` (None: it was not asked of it): the records its parts
    left out, and its natural keys when it gave all of them (else the run asks for those of the records left)."""
    if asked is None or asked.db is None or name not in asked.told:
        return None
    quiet = [p.quiet for p in parts if p.quiet is not None and len(p.quiet)]
    return Foreheard(asked.as_of, asked.told[name], pd.concat(quiet) if quiet else pd.Series(dtype="str"))


def _later_occurrences(parts: list[Part]) -> list[np.ndarray]:
    """For each part (in order), which of its records repeat an order of an earlier record: of its own
    part or of an earlier part."""
    out: list[np.ndarray] = []
    seen: pd.Series | None = None
    for part in parts:
        keys = part.records.index
        repeated = pd.Series(keys.array).duplicated(keep="first").to_numpy().copy()  # the values': the index keeps no table
        if seen is not None and len(seen):
            repeated |= among(pd.Series(keys, dtype="str"), seen)
        out.append(repeated)
        fresh = pd.Series(keys[~repeated], dtype="str")
        seen = fresh if seen is None else pd.concat([seen, fresh], ignore_index=True)
    return out


class _Sources(dict[str, list[tuple[int, list[int]]]]):
    """A pull's `sources` (key -> [(table, lines)]) held as arrays: `run.accounts.account_pulls` counts the lines through
    `line_counts`, and a million records need no million lists.  Empty as a dict."""

    def __init__(self, keys: pd.Index, tables: np.ndarray, counts: np.ndarray) -> None:
        super().__init__()
        self._keys, self._tables, self._counts = keys, tables, counts

    def line_counts(self) -> tuple[pd.Index, np.ndarray, np.ndarray]:
        """The keys, the table (file) of each and its count of lines, as arrays (`run.accounts.account_pulls`)."""
        return self._keys, self._tables, self._counts

    def keys_in_order(self) -> list[str]:
        return [str(k) for k in self._keys]


def _duplicates(tables: list[ParsedTable], parts: list[Part], later: pd.DataFrame, origin: np.ndarray, firsts: pd.DataFrame,
                first_of: pd.Series, result: ImportResult, lang: Lang) -> list[Reject]:
    fields = [c for c in later.columns if c != "channel" and not c.startswith("_") and c in firsts.columns]
    at_first = positions(later.index, firsts.index)  # every one is there; by position: the index keeps no table
    first_rows = firsts.iloc[at_first].reset_index(drop=True)
    first_parts = first_of.to_numpy()[at_first]
    these = later.reset_index(drop=True)
    differ = pd.DataFrame({f: differs(first_rows[f], these[f]) & first_rows[f].notna() & these[f].notna() for f in fields},
                          index=these.index)
    any_differ = differ.any(axis=1).to_numpy() if fields else np.zeros(len(these), dtype=bool)
    table_of = {t.index: t for t in tables}
    kept: dict[int, list[tuple[int, str]]] = {}
    own_lines, first_lines = these[LINE].tolist(), first_rows[LINE].tolist()
    # the disagreeing rows' values, read at once (cell by cell, 10,000 disagreements took 0.2 s)
    at = np.flatnonzero(any_differ)
    which = dict(zip(at.tolist(), range(len(at)), strict=True))
    differing = differ.to_numpy(dtype=bool)[at] if fields else np.zeros((0, 0), dtype=bool)
    was = first_rows[fields].iloc[at].to_numpy(dtype=object, na_value=None) if fields else differing
    now = these[fields].iloc[at].to_numpy(dtype=object, na_value=None) if fields else differing
    for i, (key, part_no) in enumerate(zip(later.index.tolist(), origin.tolist(), strict=True)):
        part = parts[part_no]
        lines = part.lines_of(str(key), own_lines[i])
        table = table_of[part.table]
        _report(result, table).duplicate += len(lines)
        if not any_differ[i]:
            continue
        result.disagreements_total += 1
        first = parts[int(first_parts[i])]
        first_line = int(first_lines[i])
        n = which[i]
        values = {f: [_text(was[n, j]), _text(now[n, j])] for j, f in enumerate(fields) if differing[n, j]}
        if len(result.disagreements) < DISAGREEMENTS_SHOWN:
            result.disagreements.append({"channel": part.name, "key": str(key), "file": str(table.raw.path), "line": lines[0],
                                         "first_file": str(table_of[first.table].raw.path), "first_line": first_line,
                                         "fields": values})
        reason = t("import.duplicate_reason", lang, line=first_line, file=table_of[first.table].raw.path.name,
                   fields=", ".join(f"{table.header_of(f)} {v[0]!s}→{v[1]!s}" for f, v in values.items()))
        kept.setdefault(part.table, []).extend((line, reason) for line in lines)
    out: list[Reject] = []
    for number, found in kept.items():  # the original rows of a table read in one go
        table = table_of[number]
        originals = table.values_at([line for line, _ in found])
        out.extend(Reject(str(table.raw.path), line, reason, v) for (line, reason), v in zip(found, originals, strict=True))
    return out


def _text(value: object) -> str | None:
    return None if value is None or value is pd.NA or (isinstance(value, float) and value != value) else str(value)


def _report(result: ImportResult, table: ParsedTable) -> TableReport:
    where = (str(table.raw.path), table.raw.sheet)
    return next(r for r in result.files if (r.path, r.sheet) == where and r.error is None and r.skipped is None)


def _sample(pulls: list[Pulled]) -> list[dict[str, Any]]:
    """The first normalised records, as the table will hold them (canonical fields in table order)."""
    rows: list[dict[str, Any]] = []
    for pull in pulls:
        for _, record in pull.records.head(SAMPLE_SHOWN - len(rows)).iterrows():
            rows.append({"line": int(record[LINE]), **{f: _text(record[f]) for f in FIELDS if f in record.index}})
        if len(rows) >= SAMPLE_SHOWN:
            break
    return rows


def _account(tables: list[ParsedTable], accounts: Sequence[Mapping_[str, Any]], result: ImportResult) -> None:
    """Rows of each order taken: imported when the order is new in the table, merged when it was there.
    `accounts` are the pulls' file accounts in order (each pull lists every table)."""
    for number, account in enumerate(accounts):
        report = _report(result, tables[number % len(tables)])
        report.imported += int(account["new"])
        report.merged += int(account["updated"]) + int(account["unchanged"])


def _preview_accounts(config: Config, pulls: list[Pulled]) -> list[dict[str, Any]]:
    """The accounts a run would give: an order the journal's natural keys or the sheet's own channel and
    channel order number cells know is merged, the others are new; nothing is written.  Only those two columns of
    the sheet are read, and the journal is asked in place (a preview into a million-row desk read it all, and
    copied the journal into memory); a journal of another version is not asked (the sheet's cells still count)."""
    table = read_table(open_store(config), config, fields=("channel", "channel_order_id")).frame
    outcome: dict[tuple[int, str], str] = {}
    with current_db(config) as db:
        for number, pull in enumerate(pulls):
            keys = pd.Series(pull.sources.keys_in_order() if isinstance(pull.sources, _Sources) else list(pull.sources),
                             dtype="str")
            known = said_keys(db, pull.config.name, None if len(keys) > WHOLE_KEYS else keys.tolist()).index \
                if db is not None else pd.Index([], dtype="str")
            merged = among(keys, known)
            if "channel_order_id" in table.columns and "channel" in table.columns:
                merged |= among(keys, table.loc[table["channel"].isin(pull.labels), "channel_order_id"].dropna())
            outcome.update(zip(((number, key) for key in keys.tolist()),
                               np.where(merged, "updated", "new").tolist(), strict=True))
    return [asdict(a) for a in account_pulls(pulls, Incorporated(outcome=outcome))]


def _totals(tables: list[ParsedTable], scale: list[float], result: ImportResult) -> None:
    """Per table: read and rejected from the parse; in a preview every count scaled from its sample
    (the buckets still add up to the rows read)."""
    reasons: Counter[str] = Counter()
    buckets = ("imported", "merged", "duplicate", "rejected")
    for table, factor in zip(tables, scale, strict=True):
        report = _report(result, table)
        report.read = table.rows_read + table.exact_duplicates
        report.rejected = len(table.rejects)
        report.duplicate += table.exact_duplicates
        own = Counter(reject.reason for reject in table.rejects)
        if factor != 1.0:
            result.estimated = True
            report.read = round(report.read * factor)
            for name in buckets:
                setattr(report, name, round(getattr(report, name) * factor))
            largest = max(buckets, key=lambda b: getattr(report, b))
            setattr(report, largest, getattr(report, largest) + report.read - sum(getattr(report, b) for b in buckets))
            own = Counter({reason: round(n * factor) for reason, n in own.items()})
        reasons.update(own)
    for report in result.files:
        for name in ("read", *buckets):
            setattr(result, name, getattr(result, name) + getattr(report, name))
    result.reasons = dict(reasons.most_common(REASONS_SHOWN))


def _write_rejects(config: Config, path: Path | None, rejects: list[Reject], lang: Lang, run_id: int) -> Path:
    if path is None:
        return write_rejects(config.state_dir / "rejects", rejects, lang, file_stamp(config.tz), run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        return write_rejects_csv(path, rejects, lang)
    return write_rejects_xlsx(path, rejects, lang)
