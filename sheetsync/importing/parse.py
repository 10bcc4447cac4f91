"""One table of a legacy file through its mapping: canonical records in parts, duplicates, rejects.

The mapping is applied by `channels.apply.apply_mapping`, exactly as a channel applies it; what
is the import's own is around it:
- exact copies of a row are dropped first (counted as duplicates, nothing to report);
- a column that names the channel splits the table, one part per channel;
- identifiers a spreadsheet turned into numbers are restored where that is exact
  (`1.3812345678E+10`) and their rows rejected where digits were lost (`1.38e+10`);
- rows sharing an order number are copies of the order, not combined: each row keeps its own
  record, and `rank` says which occurrence it is (0 = the first, taken); unless they are the
  order's line items (`combines`), which are combined as a channel does;
- with the journal to ask (`importing/hearing.py`), a row whose order number stands once in the table and which
  says what its channel last said is left out before the mapping (`Part.quiet`); the records of the others carry
  their row's hash (`SAID_HASH`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sheetsync.channels.apply import OrderLines, Reject, Splitter, apply_mapping, header_row
from sheetsync.channels.automap import AutoMapping, header_names, with_header
from sheetsync.channels.mapping import Mapping
from sheetsync.channels.readers import RawTable
from sheetsync.config import normalize_header
from sheetsync.i18n import Lang, t
from sheetsync.model import normalize
from sheetsync.model.values import text_or_none
from sheetsync.runtime.frames import repeats, rows_where
from sheetsync.runtime.textsql import row_hashes as row_hash_values
from sheetsync.steps.said import SAID_HASH, heard_hashes
from sheetsync.steps.said import quiet as said_quiet

if TYPE_CHECKING:
    from sheetsync.importing.hearing import Hearing

ID_FIELDS = ("channel_order_id", "phone", "customer_id", "tracking_no", "postcode")
LOST_REJECTS = ("channel_order_id", "customer_id", "tracking_no", "postcode")
"""Identifiers whose lost digits reject the row.  A phone's do not: the order is taken and PHONE_INVALID flags
it, as a sync does (a clerk can call the customer back from another record; an order is not lost for it)."""
"""Fields whose values are identifiers: digits a spreadsheet may have turned into a float."""

Labeller = Callable[[str | None], tuple[str, str]]
"""A channel cell of a row (None: the file has none) -> (channel name for natural keys, channel label)."""


LINE, COUNT = "_line", "_lines"
"""Columns a part's records carry besides the fields: the first source line of the record and how many
lines it was made of (the run ignores them); `Part.more` lists the lines of records made of several."""


@dataclass(slots=True)
class Part:
    """Records of one table, one channel and one occurrence rank, indexed by the order's key (unique).

    While parsing, `lines` maps each key to its lines (as the mapping gives them); `compact` turns that
    into the columns LINE and COUNT, which for a million records cost two arrays, not a million lists."""

    name: str
    label: str
    table: int
    rank: int
    records: pd.DataFrame
    lines: OrderLines
    more: dict[str, list[int]] = field(default_factory=dict)
    quiet: pd.Series | None = None
    """The order_ids of the rows left out as no news (index: their order number; `importing/hearing.py`)."""

    def compact(self) -> None:
        keys = self.records.index
        self.records[LINE], self.records[COUNT] = self.lines.firsts_and_counts(keys)
        self.more = self.lines.multi()
        self.lines = OrderLines.empty()

    def lines_of(self, key: str, first: int) -> list[int]:
        """Every line of the record `key` whose first line is `first`."""
        return self.more.get(key, [first])


@dataclass(slots=True)
class ParsedTable:
    """One sheet or text file after its mapping; `raw` is kept to give back original rows by line."""

    index: int
    raw: RawTable
    mapping: Mapping
    auto: AutoMapping | None
    names: list[str]
    header_line: int | None
    rows_read: int = 0
    exact_duplicates: int = 0
    parts: list[Part] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    originals: dict[int, pd.Series] = field(default_factory=dict)
    hashes: np.ndarray | None = None
    """Each row's hash of its cells below the header (kept while the parse asks the journal: `_heard`)."""
    _lines: np.ndarray | None = None

    def position(self, line: int) -> int | None:
        """Index in `raw.frame` of the row on `line` (lines only grow down a table)."""
        if self._lines is None:
            self._lines = np.asarray(self.raw.lines)
        at = int(np.searchsorted(self._lines, line))
        return at if at < len(self._lines) and self._lines[at] == line else None

    def values_at(self, lines: list[int]) -> list[dict[str, str | None]]:
        """The source rows on `lines` as they were in the file (header -> text), read in one go."""
        positions = [self.position(line) for line in lines]
        found = [p for p in positions if p is not None]
        rows = self.raw.frame.iloc[found]
        cells = rows.astype(object).where(rows.notna(), None).to_numpy().tolist()
        by_position = dict(zip(found, cells, strict=True))
        out: list[dict[str, str | None]] = []
        for position in positions:
            if position is None:
                out.append({})
                continue
            values = {name: None if v is None else str(v) for name, v in zip(self.names, by_position[position], strict=False)}
            for column, original in self.originals.items():
                if position in original.index:
                    values[self.names[column]] = text_or_none(original[position])
            out.append(values)
        return out

    def header_of(self, field_name: str) -> str:
        rule = self.mapping.fields.get(field_name)
        return rule.headers[0] if rule is not None and rule.headers else field_name


def combines(mapping: Mapping, group: RawTable, multi: dict[str, list[int]], names: list[str]) -> bool:
    """Whether rows sharing an order number are parts of one order (combined, as a channel does) rather
    than copies of it (the first taken, the others duplicates): the mapping sums amounts per row, or it
    builds items from SKU / quantity columns and some order's rows name different products.  `multi`:
    the orders of several rows, with their lines."""
    if any(rule.per == "row" for rule in mapping.fields.values()):
        return True
    items = mapping.items
    if items is None or not (items.sku or items.qty):
        return False
    columns = [c for c in (_column(names, h) for h in [*items.sku, *items.name]) if c is not None]
    if not multi or not columns:
        return False
    found = [line for lines in multi.values() for line in lines]
    order = np.repeat(np.arange(len(multi)), [len(lines) for lines in multi.values()])
    rows = group.frame.iloc[np.searchsorted(np.asarray(group.lines), found), columns]  # all at once: 5,000 orders
    return bool((rows.groupby(order).nunique(dropna=False) > 1).to_numpy().any())  # one by one took 0.5 s


def prepare(raw: RawTable, mapping: Mapping, auto: AutoMapping | None, index: int, lang: Lang) -> ParsedTable:
    """`raw` with a header row naming every column, ready for `parse`; raises UnreadableInput (from
    `header_row`) when a named mapping's headers are not in the table."""
    h = auto.header_row if auto is not None else header_row(raw, mapping, lang)
    names = auto.headers if auto is not None else header_names(raw.frame, h)
    raw = with_header(raw, h, names)
    h = 0 if h is None else h
    return ParsedTable(index, raw, mapping, auto, names, int(raw.lines[h]) or None)


def parse(table: ParsedTable, labeller: Labeller, now: dt.datetime, lang: Lang, split: Splitter | None,
          tz: dt.tzinfo | None, hearing: Hearing | None = None) -> ParsedTable:
    """Fill `table` with its parts, rejects and counts; `hearing`: the journal to ask what each channel last said
    (the caller gives it only when the table is the import's one table)."""
    mapping = table.mapping
    h = _header_index(table)
    _restore_identifiers(table, h)
    _drop_exact_copies(table, h, keep_hashes=hearing is not None)
    groups = _by_channel(table.raw, table, h, labeller)
    if len({name for (name, _), _ in groups}) < len(groups):
        hearing = None  # two labels of one channel: an order's rows under both are copies compared in file order
    for (name, label), group in groups:
        ranked, keys, count = _ranks(group, table, h)
        heard = _heard(table, group, h, keys, count, hearing, name, label) if hearing is not None else None
        queue = ranked or [(0, group, None)]
        while queue:  # each rank is the group's rows where its mask holds: no copy of the file per rank
            rank, rows, mask = queue.pop(0)
            if heard is not None and rank == 0:  # the rows that are no news are left out unnormalised
                mask = ~heard.quiet if mask is None else mask & ~heard.quiet
            mapped = apply_mapping(rows, mapping, label, now, lang, split, tz, rows=mask)
            del rows, mask
            table.rows_read += mapped.rows_read + (heard.left_out if heard is not None and rank == 0 else 0)
            table.rejects.extend(_originals(table, mapped.rejects))
            parts = [Part(name, label, table.index, rank, mapped.records, mapped.lines)]
            if ranked is None and not combines(mapping, group, mapped.lines.multi(), table.names):
                parts = _occurrences(parts[0], group, h, mapping, now, lang, split, tz)
            del mapped  # its records are the part's now: a part that drops rows must not leave a copy behind
            for part in parts:
                _reject_lost_digits(table, part, lang)
                part.compact()
                if heard is not None:
                    heard.carried_by(part)
            if heard is not None and rank == 0:
                parts[0].quiet = heard.ids
            table.parts.extend(p for p in parts if len(p.records) or (p.quiet is not None and len(p.quiet)))
    table.hashes = None
    return table


@dataclass(slots=True)
class _Heard:
    """What the journal said of one channel's rows of a table: which rows are no news, their order_ids (index:
    order number), and every row's hash under the channel's seed (for the records of the others)."""

    quiet: np.ndarray
    ids: pd.Series
    hashes: np.ndarray
    lines: np.ndarray
    """The source line of each of the group's rows below the header (in order: lines only grow down a table)."""

    @property
    def left_out(self) -> int:
        return int(self.quiet.sum())

    def carried_by(self, part: Part) -> None:
        """Give each record of `part` made of one row that row's hash (`SAID_HASH`); a record of several rows
        (an order's line items combined) is hashed by its fields in the run (NA here)."""
        records = part.records
        at = np.searchsorted(self.lines, records[LINE].to_numpy(dtype=np.int64))  # every record's first line is one
        single = records[COUNT].to_numpy() == 1
        values = pd.array(self.hashes[at], dtype="Int64")
        values[~single] = pd.NA
        records[SAID_HASH] = values


def _heard(table: ParsedTable, group: RawTable, h: int, keys: pd.Series | None, count: np.ndarray | None,
           hearing: Hearing, name: str, label: str) -> _Heard | None:
    """Ask `hearing` of one channel's rows of `table` (`group`); None when the order number is not one plain
    column (its rows are then told apart after the mapping, and heard by the run)."""
    if keys is None or count is None or table.hashes is None:
        return None
    lines = np.asarray(group.lines[h + 1 :])
    at = np.searchsorted(np.asarray(table.raw.lines[h + 1 :]), lines)  # the table's rows the group's are
    hashes = heard_hashes(table.hashes[at], hearing.seed(table.mapping, table.names, name, label))
    known = hearing.known(name, keys)
    quiet = np.zeros(len(keys), dtype=bool)
    if known is None:  # nothing is left out: the rows that are news still carry their hash
        return _Heard(quiet, pd.Series(dtype="str"), hashes, lines)
    once = np.flatnonzero(count == 1)  # an order of several rows is never left out: its rows are compared in the run
    same, ids = said_quiet(pd.Index(keys.iloc[once]), hashes[once], known)
    quiet[once[same]] = True
    return _Heard(quiet, pd.Series(ids[same].to_numpy(), index=keys.iloc[once[same]].to_numpy(), dtype="str"),
                  hashes, lines)


def _ranks(group: RawTable, table: ParsedTable, h: int
           ) -> tuple[list[tuple[int, RawTable, np.ndarray | None]] | None, pd.Series | None, np.ndarray | None]:
    """The rows of `group` by occurrence of their order number (0: the first), read from the key column
    before the mapping is applied, so that the mapping never combines copies of an order; one rank when
    the rows of an order are its line items (`combines`).  Each rank is (rank, the table, which of its
    rows below the header are the rank's: None for all).  None when the key is not one plain column
    (made of other fields): the occurrences are then told apart after the mapping (`_occurrences`).
    With the ranks: each row's order number as read and how many rows carry it (None without a key column)."""
    mapping = table.mapping
    rule = mapping.fields.get(mapping.key)
    if rule is None or not rule.column or rule.columns or rule.fields or rule.values or rule.default is not None:
        return None, None, None
    col = next((c for c in (_column(table.names, x) for x in rule.column) if c is not None), None)
    if col is None:
        return [(0, group, None)], None, None
    cells = group.frame[col].iloc[h + 1 :]
    keys = (normalize.phone(cells) if mapping.key == "phone" else normalize.clean_text(cells)).reset_index(drop=True)
    count, rank = repeats(keys)
    repeated = count > 1
    if not repeated.any():
        return [(0, group, None)], keys, count
    lines: dict[str, list[int]] = {}
    body_lines = np.asarray(group.lines[h + 1 :])
    for key, line in zip(keys[repeated].tolist(), body_lines[repeated].tolist(), strict=True):
        lines.setdefault(key, []).append(line)
    if combines(mapping, group, lines, table.names):
        return [(0, group, None)], keys, count
    later = replace(group, broken_lines=[])  # the lines the reader could not split are the first rank's
    return [(r, group if r == 0 else later, rank == r) for r in np.unique(rank).tolist()], keys, count


def _header_index(table: ParsedTable) -> int:
    return 0 if table.header_line is None else int(np.flatnonzero(table.raw.lines == table.header_line)[0])


def _restore_identifiers(table: ParsedTable, h: int) -> None:
    """`1.3812345678E+10` -> `13812345678` in identifier columns, keeping what the file said for rejects."""
    frame = table.raw.frame
    for name in ID_FIELDS:
        rule = table.mapping.fields.get(name)
        for header in rule.headers if rule is not None else []:
            col = _column(table.names, header)
            if col is None:
                continue
            restored, _ = normalize.restore_digits(frame[col].iloc[h + 1 :])
            changed = restored.ne(frame[col].iloc[h + 1 :]).fillna(False).to_numpy(dtype=bool)
            if changed.any():
                before = frame[col].iloc[h + 1 :][changed]
                table.originals[col] = pd.Series(before.to_numpy(), index=np.flatnonzero(changed) + h + 1)
                frame[col] = pd.concat([frame[col].iloc[: h + 1], restored])


def _column(names: list[str], header: str) -> int | None:
    key = normalize_header(header)
    return next((i for i, n in enumerate(names) if normalize_header(n) == key), None)


def _drop_exact_copies(table: ParsedTable, h: int, *, keep_hashes: bool = False) -> None:
    """Count the rows that repeat an earlier row exactly and leave them out of `table.raw`
    (`keep_hashes`: the rows' hashes stay in `table.hashes`)."""
    raw = table.raw
    body = raw.frame.iloc[h + 1 :]
    hashes = _row_hashes(body)
    copies = _exact_copies(body, hashes) & body.notna().any(axis=1).to_numpy()
    del body  # a view of the file's columns: the copy below lets each go as it is copied
    table.exact_duplicates = int(copies.sum())
    table.hashes = (hashes[~copies] if table.exact_duplicates else hashes) if keep_hashes else None
    if not table.exact_duplicates:
        return
    keep = np.concatenate([np.ones(h + 1, dtype=bool), ~copies])
    # the table keeps only the rows it takes: exact copies are counted, never reported, so their lines
    # are not needed again (a million-row file is not held twice); identifiers' original values move along
    position = np.cumsum(keep) - 1
    for column, original in table.originals.items():
        taken = keep[original.index.to_numpy()]
        table.originals[column] = pd.Series(original.to_numpy()[taken], index=position[original.index.to_numpy()[taken]])
    table.raw, table._lines = _subset(raw, keep, consume=True), None


def _row_hashes(body: pd.DataFrame) -> np.ndarray:
    """A 64-bit hash of each row's cells (DuckDB, over the Arrow columns)."""
    return row_hash_values(body.set_axis([str(c) for c in body.columns], axis=1))


def _exact_copies(body: pd.DataFrame, hashes: np.ndarray) -> np.ndarray:
    """Which rows repeat an earlier row exactly.  Rows are first told apart by their `hashes`; only the few that
    share a hash with another are compared value by value (pandas' `duplicated` over a million rows of text took
    1.5 s)."""
    if len(body) < 2:
        return np.zeros(len(body), dtype=bool)
    shared = pd.Series(hashes).duplicated(keep=False).to_numpy()
    copies = np.zeros(len(body), dtype=bool)
    if shared.any():
        at = np.flatnonzero(shared)
        copies[at] = body.iloc[at].duplicated(keep="first").to_numpy()
    return copies


def _subset(raw: RawTable, keep: np.ndarray, broken: bool = True, *, consume: bool = False) -> RawTable:
    """The rows of `raw` where `keep` holds (`consume`: `raw`'s frame is emptied as it is copied)."""
    frame = rows_where(raw.frame, keep, consume=consume).reset_index(drop=True)
    lines = raw.lines[keep]
    return RawTable(raw.path, raw.sheet, frame, lines, raw.encoding, raw.broken_lines if broken else [])


def _by_channel(raw: RawTable, table: ParsedTable, h: int, labeller: Labeller) -> list[tuple[tuple[str, str], RawTable]]:
    """The table per channel its rows name (one group, the table itself, when no column names one)."""
    rule = table.mapping.fields.get("channel")
    col = next((c for c in (_column(table.names, x) for x in (rule.headers if rule else [])) if c is not None), None)
    if col is None:
        return [(labeller(None), raw)]
    cells = normalize.clean_text(raw.frame[col].iloc[h + 1 :])
    keys = cells.fillna("").to_numpy(dtype=object)
    distinct = list(dict.fromkeys(keys.tolist()))
    if len(distinct) == 1:
        return [(labeller(distinct[0] or None), raw)]
    out = []
    for n, value in enumerate(distinct):
        keep = np.concatenate([np.ones(h + 1, dtype=bool), keys == value])
        out.append((labeller(value or None), _subset(raw, keep, broken=n == 0)))
    return out


def _occurrences(part: Part, group: RawTable, h: int, mapping: Mapping, now: dt.datetime, lang: Lang,
                 split: Splitter | None, tz: dt.tzinfo | None) -> list[Part]:
    """Rows sharing an order number, each as its own record: the first stays in `part`, the n-th
    occurrence goes to a part of rank n-1."""
    multi = part.lines.multi()
    if not multi:
        return [part]
    first_lines = part.lines.firsts(part.records.index)
    part.records = part.records.iloc[np.argsort(first_lines, kind="stable")]  # in file order, as the rows came
    by_rank: dict[int, list[int]] = {}
    for lines in multi.values():
        for rank, line in enumerate(lines):
            by_rank.setdefault(rank, []).append(line)
    all_lines = np.asarray(group.lines)
    parts = [part]
    for rank, lines in sorted(by_rank.items()):
        keep = np.isin(all_lines, lines)
        keep[: h + 1] = True
        mapped = apply_mapping(_subset(group, keep, broken=False), mapping, part.label, now, lang, split, tz)
        if rank == 0:
            keys = list(mapped.records.index)
            columns = [c for c in part.records.columns if c in mapped.records.columns]
            part.records.loc[keys, columns] = mapped.records.loc[keys, columns].to_numpy()
            for k in keys:
                part.lines.set_lines(k, [mapped.lines[k][0]])
        else:
            parts.append(Part(part.name, part.label, part.table, rank, mapped.records, mapped.lines))
    return parts


def _reject_lost_digits(table: ParsedTable, part: Part, lang: Lang) -> None:
    """Rows whose identifiers lost digits (`1.38e+10`) are rejected with the reason; nothing is guessed.
    (Only the few such rows are visited: a million-row column of reasons cost a second.)"""
    records = part.records
    reasons: dict[int, str] = {}  # position in `records` -> reason
    for name in LOST_REJECTS:
        if name not in records.columns:
            continue
        at = np.flatnonzero(normalize.digits_lost(records[name]).to_numpy())
        for position, value in zip(at.tolist(), records[name].iloc[at].tolist(), strict=True):
            reason = t("import.reject.digits_lost", lang, column=table.header_of(name), value=value)
            reasons[position] = f"{reasons[position]}; {reason}" if position in reasons else reason
    if not reasons:
        return
    positions = sorted(reasons)
    keys = [str(key) for key in records.index[positions].tolist()]
    keep = np.ones(len(records), dtype=bool)
    keep[positions] = False
    part.records = rows_where(records, keep, consume=True)
    lines = part.lines.drop_at(np.asarray(positions), keys, part.records.index)
    found = [(line, reasons[p]) for p, taken in zip(positions, lines, strict=True) for line in taken]
    values = table.values_at([line for line, _ in found])
    table.rejects.extend(Reject(str(table.raw.path), line, reason, v) for (line, reason), v in zip(found, values, strict=True))


def _originals(table: ParsedTable, rejects: list[Reject]) -> list[Reject]:
    """Rejects from the mapping, with the values the file had (before identifiers were restored)."""
    if not table.originals or not rejects:
        return rejects
    values = table.values_at([r.line for r in rejects])
    return [replace(r, values=v) if v else r for r, v in zip(rejects, values, strict=True)]
