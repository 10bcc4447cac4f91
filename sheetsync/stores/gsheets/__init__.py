"""The `gsheets` store: the order table in a tab of a Google Sheet that people edit while sheetsync runs.

Requests per run, whatever the size: one read of the table's values (typed: numbers as numbers, dates as serial
days, text as text); a run that changes nothing makes no other.  A run that writes makes three more: the
spreadsheet's sheet ids and grid sizes, a re-read of the values just before writing, and one atomic
`spreadsheets.batchUpdate` holding every cell (typed values, never parsed as a person's input: no value becomes a
formula, `0012` and 19-digit ids keep their digits) and fill, and the rows appended.

Safe while people type: rows are found by their key (`order_id`, a ticket's `ticket_id`), never by position.  The
re-read re-locates each written row by its key; a write whose cell a person changed since the read, or whose row a
person deleted, is dropped (the person wins: the next run takes the cell up as their edit), and nothing lands in
another order's row.  Appended rows go below the last row the re-read found.

The version's fingerprint (`sha256`) is the hash of the order sheet's values as the API gives them; a write's is
that of the values it leaves, so a run killed between the write and the journal's confirmation is kept, and one
killed before it rolled back (`journal.recover`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd

from sheetsync.config import Config, normalize_header
from sheetsync.errors import ConfigError, StoreFailed
from sheetsync.i18n import t
from sheetsync.model.cells import KEEP, AppendBlock, CellValue, CellWrite, Keep, SheetWrites
from sheetsync.runtime.columns import col_letters
from sheetsync.stores.base import ColumnPick, Sheet, Written
from sheetsync.stores.gsheets.api import SheetsApi

log = logging.getLogger("sheetsync")

TAIL = 1000
"""Rows at the end of a sheet re-read whole before a write: where appended rows go is below the last row holding
anything, which a person may have moved (by deleting rows above, or typing below) since the run read the sheet."""

EPOCH = dt.datetime(1899, 12, 30)
"""Day 0 of a Sheets serial date."""
DATE_FORMAT = {"type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm"}


@dataclass(slots=True)
class _Read:
    """One sheet as this store read it: its cells as text (the frame the run was given: the API's values are let go
    once it is made, so a write holds one copy of the sheet as read, not two) and its key column."""

    cells: pd.DataFrame
    key_col: int | None
    """0-based column of the key field's header, None when the sheet has none."""
    header_row: int
    """0-based row of the headers (-1: none found)."""

    @property
    def rows(self) -> int:
        return len(self.cells)

    def text(self, row: int, col: int) -> str | None:
        """The text of a cell, 0-based (None: empty, or outside what was read)."""
        if row >= len(self.cells) or col >= self.cells.shape[1]:
            return None
        value = self.cells.iat[row, col]
        return None if value is None or value != value else str(value)

    def row_texts(self, row: int) -> list[str | None]:
        """A row's texts, trailing empties left out."""
        texts = [self.text(row, c) for c in range(self.cells.shape[1])] if row < len(self.cells) else []
        while texts and texts[-1] is None:
            texts.pop()
        return texts

    def keys(self) -> list[str | None]:
        """The key column's texts, row by row."""
        if self.key_col is None or self.key_col >= self.cells.shape[1]:
            return [None] * len(self.cells)
        column = self.cells.iloc[:, self.key_col]
        return [None if v is None or v != v else str(v) for v in column.tolist()]


@dataclass(slots=True)
class _Plan:
    sheet: str
    writes: list[CellWrite] = field(default_factory=list)
    appends: AppendBlock | None = None


@dataclass(slots=True)
class _Now:
    """What the re-read just before a write found: the whole sheet (`whole`, the API's values) when it was read
    whole, else its key column and written columns (column, 1-based -> texts by row) and the rows written without a
    key (row, 1-based -> texts)."""

    whole: list[list[Any]] | None = None
    columns: dict[int, list[str | None]] = field(default_factory=dict)
    rows: dict[int, list[str | None]] = field(default_factory=dict)
    last: int = 0
    """The last row holding a value now: rows the run appends go below it."""

    def keys(self, key_col: int | None) -> list[str | None]:
        if self.whole is not None:
            return [_text(r[key_col]) if key_col is not None and key_col < len(r) else None for r in self.whole]
        return self.columns.get(key_col + 1, []) if key_col is not None else []

    def cell(self, row: int, col: int) -> str | None:
        if self.whole is not None:
            return _text(_cell(self.whole[row - 1], col - 1)) if row - 1 < len(self.whole) else None
        if col in self.columns:
            column = self.columns[col]
            return column[row - 1] if row - 1 < len(column) else None
        texts = self.rows.get(row, [])
        return texts[col - 1] if col - 1 < len(texts) else None

    def row(self, row: int) -> list[str | None]:
        if self.whole is not None:
            return [_text(v) for v in _trimmed(self.whole[row - 1])] if row - 1 < len(self.whole) else []
        return self.rows.get(row, [])


class GsheetsStore:
    """An order table in one tab of a Google Sheet."""

    def __init__(self, config: Config, *, force: bool = False) -> None:
        self.config = config
        self.sheet = config.table.sheet
        self.lang = config.language
        self.api = SheetsApi(config)
        self._read: dict[str, _Read] = {}
        self._ahead: dict[str, list[list[Any]]] = {}
        """Values read ahead with the order sheet's, taken by the sheet's own `read`."""
        self.dropped: list[tuple[str, int, int]] = []
        """(sheet, row, column) of the writes the last `write` dropped because a person changed their cell."""

    # reading -------------------------------------------------------------

    def read(self, sheet: str | None = None, pick: ColumnPick | None = None) -> Sheet:
        """The sheet's values as they are (the API sends every column; `pick` is not needed to bound them: a Google
        Sheet holds at most ten million cells)."""
        name = sheet or self.sheet
        values = self._ahead.pop(name, None)
        if values is None:
            values = self._values(name, self._also(name))
        cells = _frame(values)
        self._read[name] = _Read(cells, *self._key_column(name, values))
        return Sheet(cells, 1, 1, self.api.where, name)

    def read_sheet(self, name: str) -> pd.DataFrame | None:
        try:
            values = self._values(name)
        except ConfigError:
            return None
        if not values:
            return pd.DataFrame()
        head = [str(_text(v) or "") for v in values[0]]
        body = [[_text(v) for v in row] + [None] * (len(head) - len(row)) for row in values[1:]]
        return pd.DataFrame([r[: len(head)] for r in body], columns=head, dtype="str")

    def _also(self, name: str) -> list[str]:
        """The sheets a run reads after the order sheet (the after-sales sheet), read with it: one request."""
        aftersales = self.config.aftersales
        if name != self.sheet or aftersales is None or not aftersales.sheet or aftersales.sheet == name:
            return []
        return [aftersales.sheet]

    def _values(self, name: str, also: Sequence[str] = ()) -> list[list[Any]]:
        """The sheet's values (and those of `also`, kept for their own `read`: a missing one is read alone then)."""
        if also:
            try:
                first, *more = self.api.values([_quoted(n) for n in (name, *also)])
            except StoreFailed:  # a sheet of `also` is missing: its own read will say so
                pass
            else:
                self._ahead.update({n: v.get("values", []) for n, v in zip(also, more, strict=True)})
                return list(first.get("values", []))
        try:
            (found,) = self.api.values([_quoted(name)])
        except StoreFailed:
            known = [s["properties"]["title"] for s in self.api.metadata().get("sheets", [])]
            if name not in known:
                raise ConfigError(t("table.no_sheet", self.lang, path=self.api.where, sheet=name,
                                    sheets=", ".join(known))) from None
            raise
        return list(found.get("values", []))  # the answer's own rows: a copy of each would be a second sheet

    def _key_column(self, name: str, values: list[list[Any]]) -> tuple[int | None, int]:
        """The key field's column and the header row, found by the key's header text in the first rows."""
        if name == self.sheet:
            headers, _ = self.config.header_map()
            key = headers.get("order_id")
        else:
            key = self.config.ticket_headers().get("ticket_id")
        wanted = normalize_header(key) if key else None
        for r, row in enumerate(values[:30]):
            for c, value in enumerate(row):
                if isinstance(value, str) and wanted and normalize_header(value) == wanted:
                    return c, r
        return None, -1

    # writing -------------------------------------------------------------

    def write(self, writes: Sequence[CellWrite], appends: AppendBlock | None = None,
              on_staged: Callable[[str], None] | None = None, *, header_row: int = 0,
              lists: Mapping[tuple[int, int], Sequence[str]] | None = None,
              widths: Mapping[int, float] | None = None, filter_to: tuple[int, int] | None = None,
              also: Sequence[SheetWrites] = ()) -> Written | None:
        plans = [_Plan(self.sheet, list(writes), appends), *(_Plan(a.sheet, list(a.writes)) for a in also)]
        plans = [p for p in plans if p.writes or p.appends is not None]
        if not plans and not lists:
            return None
        reads = {p.sheet: self._read.get(p.sheet) for p in plans}
        meta = {s["properties"]["title"]: s["properties"] for s in self.api.metadata().get("sheets", [])}
        missing = [p.sheet for p in plans if p.sheet not in meta]
        if missing:
            raise ConfigError(t("table.no_sheet", self.lang, path=self.api.where, sheet=missing[0],
                                sheets=", ".join(meta)))
        now = self._reread(plans, reads, meta)
        requests: list[dict[str, Any]] = []
        self.dropped = []
        cells = 0
        after: dict[str, str] = {}
        checks: dict[str, list[CellWrite]] = {}
        for plan in plans:
            props = meta[plan.sheet]
            read = reads[plan.sheet] or _Read(_frame(now[plan.sheet].whole or []), *self._key_column(
                plan.sheet, now[plan.sheet].whole or []))
            placed, block = self._place(plan, read, now[plan.sheet])
            grid = props.get("gridProperties", {})
            rows_needed = max((w.row for w in (*placed, *block)), default=0)
            cols_needed = max((w.col for w in (*placed, *block)), default=0)
            if rows_needed > int(grid.get("rowCount", 1000)):  # the new rows take the formats of the last one
                count = int(grid.get("rowCount", 1000))
                requests.append({"insertDimension": {"range": {
                    "sheetId": props["sheetId"], "dimension": "ROWS", "startIndex": count, "endIndex": rows_needed},
                    "inheritFromBefore": True}})
            if cols_needed > int(grid.get("columnCount", 26)):
                requests.append({"appendDimension": {"sheetId": props["sheetId"], "dimension": "COLUMNS",
                                                     "length": cols_needed - int(grid.get("columnCount", 26))}})
            requests += _cell_requests(props["sheetId"], placed) + _block_requests(props["sheetId"], block)
            cells += sum(1 for w in (*placed, *block) if w.value is not KEEP)
            after[plan.sheet] = _after_fingerprint(read, [*placed, *block])
            checks[plan.sheet] = [*placed, *block]
        if lists:
            requests += self._lists(meta[self.sheet], lists)
        if not requests:
            return None
        sha = after.get(self.sheet) or self._fingerprint_of_read()
        if on_staged is not None:
            on_staged(sha)
        self._send(requests, checks)
        for name in after:  # a later write reads again
            self._read.pop(name, None)
        return Written(sha, None, cells, dropped=len(self.dropped))

    def _reread(self, plans: Sequence[_Plan], reads: Mapping[str, _Read | None],
                meta: Mapping[str, Mapping[str, Any]]) -> dict[str, _Now]:
        """What the sheets hold now, where the writes go, in one request: a sheet's key column, the columns its writes
        to keyed rows go to, the rows of its writes to rows without a key (the header row, hand-typed rows), and every
        column of its last TAIL rows as read and below (where rows appended go: below the last row holding anything).
        The whole sheet when it has no key column or was not read, or when a person deleted more than TAIL rows
        meanwhile (a second request: the last row might be above the tail)."""
        ranges: list[tuple[str, str, int | None]] = []  # (sheet, range, column; None: whole; < 0: rows from -n)
        for plan in plans:
            read, q = reads[plan.sheet], _quoted(plan.sheet)
            if read is None or read.key_col is None:
                ranges.append((plan.sheet, q, None))
                continue
            keys = read.keys()
            key_letters = col_letters(read.key_col + 1)
            ranges.append((plan.sheet, f"{q}!{key_letters}:{key_letters}", read.key_col + 1))
            columns = sorted({w.col for w in plan.writes if w.row <= read.rows and w.value is not KEEP
                              and w.row - 1 > read.header_row and keys[w.row - 1] is not None} - {read.key_col + 1})
            ranges += [(plan.sheet, f"{q}!{col_letters(c)}:{col_letters(c)}", c) for c in columns]
            loose = {w.row for w in plan.writes if w.row <= read.rows
                     and (w.row - 1 <= read.header_row or keys[w.row - 1] is None)}
            tail = max(1, read.rows - TAIL + 1)
            grid_cols = int(meta.get(plan.sheet, {}).get("gridProperties", {}).get("columnCount", 26))
            for first, last in _runs(sorted(r for r in loose if r < tail)):
                ranges.append((plan.sheet, f"{q}!{first}:{last}", -first))
            ranges.append((plan.sheet, f"{q}!A{tail}:{col_letters(grid_cols)}", -tail))  # to the last row
        try:
            found = self.api.values([r for _, r, _ in ranges])
        except StoreFailed:  # the grid changed meanwhile (columns deleted): each sheet whole
            ranges = [(p.sheet, _quoted(p.sheet), None) for p in plans]
            found = self.api.values([r for _, r, _ in ranges])
        out: dict[str, _Now] = {p.sheet: _Now() for p in plans}
        tails: dict[str, int] = {}
        for (sheet, _, where), answer in zip(ranges, found, strict=True):
            values = answer.get("values", [])
            seen = out[sheet]
            if where is None:
                seen.whole = values
                seen.last = len(values)
            elif where > 0:
                seen.columns[where] = [_text(r[0]) if r else None for r in values]
                seen.last = max(seen.last, len(values))
            else:  # rows from -where; a row the answer leaves out is empty
                for i, row in enumerate(values):
                    seen.rows[-where + i] = [_text(v) for v in _trimmed(row)]
                if values:
                    seen.last = max(seen.last, -where + len(values) - 1)
                tails[sheet] = -where
        for sheet, seen in out.items():
            read = reads[sheet]
            key_col = read.key_col if read is not None else None
            if seen.whole is None and key_col is not None and len(seen.columns.get(key_col + 1, [])) < tails[sheet] - 1:
                # more rows deleted than the tail covers: the last row may stand above it
                (whole,) = self.api.values([_quoted(sheet)])
                out[sheet] = _Now(whole=whole.get("values", []), last=len(whole.get("values", [])))
        return out

    def _place(self, plan: _Plan, read: _Read, now: _Now) -> tuple[list[CellWrite], list[CellWrite]]:
        """The plan's writes at the rows their keys stand on now, without those whose cell a person changed since
        the read (or whose row is gone); writes to rows below the last one read (a new ticket) and the appended
        block's cells below the last row holding anything now."""
        keys_then = read.keys()
        rank = {row: i for rows in _rows_by_key(keys_then, read.header_row).values() for i, row in enumerate(rows)}
        rows_now = _rows_by_key(now.keys(read.key_col), read.header_row)
        shift = now.last - read.rows  # rows this run appends go below the last row there is now
        placed: list[CellWrite] = []
        for w in plan.writes:
            if w.row > read.rows:
                placed.append(_moved(w, w.row + shift))
                continue
            key = keys_then[w.row - 1]
            if key is not None and w.row - 1 > read.header_row:  # the n-th row of a key stays its n-th (twice: both)
                found = rows_now.get(key, [])
                target = found[rank[w.row]] if rank.get(w.row, len(found)) < len(found) else None
            else:  # a row without a key when read (or the header row): only where it still stands, unchanged
                target = w.row if now.row(w.row) == read.row_texts(w.row - 1) else None
            if target is None or now.cell(target, w.col) != read.text(w.row - 1, w.col - 1):
                self.dropped.append((plan.sheet, w.row, w.col))
                continue
            placed.append(_moved(w, target))
        block = _appended(plan.appends, plan.appends.first_row + shift) if plan.appends is not None else []
        return placed, block

    def _fingerprint_of_read(self) -> str:
        read = self._read.get(self.sheet)
        return _fingerprint_columns(_columns(read.cells)) if read is not None else self.sha256() or ""

    def _send(self, requests: list[dict[str, Any]], checks: Mapping[str, list[CellWrite]]) -> None:
        """The batch, sent.  When the API gave up but the batch may have landed (an answer lost to a timeout or a
        dropped connection: Google applied it whole or not at all), the cells it wrote tell: the write stands if they
        hold what it wrote."""
        try:
            self.api.batch_update(requests)
        except StoreFailed:
            try:
                landed = self._holds(checks)
            except (StoreFailed, ConfigError):
                landed = False
            if not landed:
                raise
            log.warning("Google Sheets: the write's answer was lost, but the sheet holds what it wrote")

    def _holds(self, checks: Mapping[str, list[CellWrite]]) -> bool:
        """Whether every cell of `checks` (sheet -> writes at the rows they went to) holds its value now."""
        cells = [(name, w) for name, writes in checks.items() for w in writes if w.value is not KEEP]
        if not cells:
            return False  # nothing to tell by: taken as not landed, and the next run's recovery decides
        columns = sorted({(name, w.col) for name, w in cells})
        found = self.api.values([f"{_quoted(n)}!{col_letters(c)}:{col_letters(c)}" for n, c in columns])
        now = {key: [_text(r[0]) if r else None for r in a.get("values", [])] for key, a in zip(columns, found, strict=True)}

        def holds(name: str, w: CellWrite) -> bool:
            column = now[(name, w.col)]
            return (column[w.row - 1] if w.row - 1 < len(column) else None) == _text(_api_value(w.value))

        return all(holds(name, w) for name, w in cells)

    def status_choices(self, row: int, col: int) -> tuple[str, ...] | None:
        return self.api.choices(f"{_quoted(self.sheet)}!{col_letters(col)}{row}")

    def _lists(self, props: Mapping[str, Any], lists: Mapping[tuple[int, int], Sequence[str]]) -> list[dict[str, Any]]:
        """The dropdowns covering the cells of `lists` given the words they lack (an inline list, extended below its
        cell to the sheet's end: a Sheets rule holds per cell); a cell without a dropdown, or whose list is a range of
        cells, is left as it is."""
        out: list[dict[str, Any]] = []
        for (row, col), words in lists.items():
            rule = self.api.validation(f"{_quoted(self.sheet)}!{col_letters(col)}{row}") or {}
            condition = rule.get("condition") or {}
            if condition.get("type") != "ONE_OF_LIST":
                continue
            have = [str(v.get("userEnteredValue", "")) for v in condition.get("values", [])]
            missing = [w for w in words if w not in have]
            if not missing:
                continue
            extended = {**rule, "condition": {**condition, "values": [{"userEnteredValue": w} for w in [*have, *missing]]}}
            out.append({"setDataValidation": {"rule": extended, "range": {
                "sheetId": props["sheetId"], "startRowIndex": row - 1, "startColumnIndex": col - 1,
                "endColumnIndex": col}}})
        return out

    def put_sheet(self, name: str, requests_for: Callable[[int], list[dict[str, Any]]], marker: str,
                  on_staged: Callable[[str], None] | None = None) -> Written:
        """Add the sheet `name`, filled by `requests_for(its sheetId)` (the dashboard's cells and charts), or replace the
        one the tool put there before, known by `marker`, the note of its A1; one atomic batch.  A sheet of that name a
        person made is never touched (ConfigError)."""
        sheets = {s["properties"]["title"]: s["properties"] for s in self.api.metadata().get("sheets", [])}
        requests: list[dict[str, Any]] = []
        if name in sheets:
            if self.api.notes(f"{_quoted(name)}!A1") != marker:
                raise ConfigError(t("kpi.dashboard.not_ours", self.lang, path=self.api.where, sheet=name),
                                  t("kpi.dashboard.not_ours.hint", self.lang))
            requests.append({"deleteSheet": {"sheetId": sheets[name]["sheetId"]}})
        sheet_id = max((int(p["sheetId"]) for p in sheets.values()), default=0) + 1
        requests.append({"addSheet": {"properties": {"sheetId": sheet_id, "title": name}}})
        requests += requests_for(sheet_id)
        requests.append({"updateCells": {"start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 0},
                                         "rows": [{"values": [{"note": marker}]}], "fields": "note"}})
        sha = self.sha256() or ""  # the order sheet is not touched: its version stays
        if on_staged is not None:
            on_staged(sha)
        self.api.batch_update(requests)
        return Written(sha, None, 0)

    def sha256(self) -> str | None:
        try:
            return _fingerprint_columns(_columns(_frame(self._values(self.sheet))))
        except ConfigError:
            return None

    def discard_leftovers(self) -> None:
        """Nothing to clean: a batchUpdate lands whole or not at all."""


def _rows_by_key(keys: list[str | None], header_row: int) -> dict[str, list[int]]:
    """key -> the sheet rows (1-based) below the header where it stands, top to bottom (`keys`: row by row)."""
    out: dict[str, list[int]] = {}
    for r, key in enumerate(keys):
        if key is not None and r > header_row:
            out.setdefault(key, []).append(r + 1)
    return out


def _frame(values: list[list[Any]]) -> pd.DataFrame:
    """The API's rows as a frame of text (None for an empty cell), built a column at a time (a 100,000-row sheet's
    cells as one list of text rows would be a third copy of the sheet)."""
    if not values:
        return pd.DataFrame()
    width = max(len(r) for r in values)
    columns = {c: pd.array([_text(row[c]) if c < len(row) else None for row in values], dtype="str")
               for c in range(width)}
    return pd.DataFrame(columns)


def _moved(w: CellWrite, row: int) -> CellWrite:
    return CellWrite(row, w.col, w.value, w.fill, w.like)


def _appended(block: AppendBlock, first: int) -> list[CellWrite]:
    """The block's cells as writes from row `first` (given by column or by row)."""
    out: list[CellWrite] = []
    if block.by_column is not None:
        for col, values in zip(block.columns, block.by_column, strict=True):
            out += [CellWrite(first + i, col, v) for i, v in enumerate(values) if v is not None]
    else:
        for i, row in enumerate(block.rows):
            out += [CellWrite(first + i, col, v) for col, v in zip(block.columns, row, strict=True) if v is not None]
    return out


def _runs(rows: Sequence[int]) -> list[tuple[int, int]]:
    """Sorted row numbers as runs of consecutive ones: (first, last)."""
    out: list[tuple[int, int]] = []
    for row in rows:
        if out and row == out[-1][1] + 1:
            out[-1] = (out[-1][0], row)
        else:
            out.append((row, row))
    return out


def _block_requests(sheet_id: int, block: Sequence[CellWrite]) -> list[dict[str, Any]]:
    """Appended rows as one `updateCells` over their rectangle (values only: an empty cell of it is below the last
    row, nothing to clear; the column's own format stays, a text column's included) and a `repeatCell` giving each
    column that holds a date its date format.  Written by position, so a batch sent again lands the same cells."""
    if not block:
        return []
    top, bottom = min(w.row for w in block), max(w.row for w in block)
    left, right = min(w.col for w in block), max(w.col for w in block)
    grid: list[list[dict[str, Any]]] = [[{} for _ in range(right - left + 1)] for _ in range(bottom - top + 1)]
    dated: set[int] = set()
    for w in block:
        if isinstance(w.value, Keep) or w.value is None:
            continue
        grid[w.row - top][w.col - left] = {"userEnteredValue": _entered(w.value)}
        if isinstance(w.value, (dt.datetime, dt.date)):
            dated.add(w.col)
    rows = []
    for row in grid:
        end = len(row)
        while end and not row[end - 1]:
            end -= 1
        rows.append({"values": row[:end]})
    out: list[dict[str, Any]] = [{"updateCells": {
        "start": {"sheetId": sheet_id, "rowIndex": top - 1, "columnIndex": left - 1}, "rows": rows,
        "fields": "userEnteredValue"}}]
    for col in sorted(dated):
        out.append({"repeatCell": {"range": {"sheetId": sheet_id, "startRowIndex": top - 1, "endRowIndex": bottom,
                                             "startColumnIndex": col - 1, "endColumnIndex": col},
                                   "cell": {"userEnteredFormat": {"numberFormat": DATE_FORMAT}},
                                   "fields": "userEnteredFormat.numberFormat"}})
    return out


def _columns(cells: pd.DataFrame) -> list[list[str | None]]:
    """A text frame's columns as lists (None for an empty cell)."""
    return [[None if v is None or v != v or v == "" else str(v) for v in cells.iloc[:, c].tolist()]
            for c in range(cells.shape[1])]


def _after_fingerprint(read: _Read, written: Sequence[CellWrite]) -> str:
    """The fingerprint of the sheet as the write leaves it, from the sheet as read and the cells written (at the rows
    they went to).  Exact unless a person changed the sheet meanwhile (edited other cells, sorted, inserted or deleted
    rows): then a crash between the write and the journal's confirmation is taken as the write not having landed,
    and the next run reads the cells written as a person's edits (nothing is lost; their source is misnamed)."""
    columns = _columns(read.cells)
    for w in written:
        if w.value is KEEP:
            continue
        while len(columns) < w.col:
            columns.append([])
        column = columns[w.col - 1]
        while len(column) < w.row:
            column.append(None)
        column[w.row - 1] = _text(_api_value(w.value))
    return _fingerprint_columns(columns)


def _fingerprint_columns(columns: list[list[str | None]]) -> str:
    """The hash of a sheet's texts, a column at a time, its trailing empty rows and columns left out (so the sheet
    as read and as the write leaves it hash alike however they were padded)."""
    height = max((max((i + 1 for i, v in enumerate(col) if v is not None), default=0) for col in columns), default=0)
    width = max((c + 1 for c, col in enumerate(columns) if any(v is not None for v in col)), default=0)
    digest = hashlib.sha256(f"{height}x{width}".encode())
    for col in columns[:width]:
        cells = col[:height] + [None] * (height - len(col))
        digest.update("\x1f".join("\x00" if v is None else v for v in cells).encode())
        digest.update(b"\x1e")
    return digest.hexdigest()


def _cell_requests(sheet_id: int, writes: Sequence[CellWrite]) -> list[dict[str, Any]]:
    """One `updateCells` per run of cells of a row side by side with the same mask (value, fill, both)."""
    out: list[dict[str, Any]] = []
    ordered = sorted(writes, key=lambda w: (w.row, w.col))
    run: list[CellWrite] = []
    mask = ""
    for w in [*ordered, None]:
        this = _mask(w) if w is not None else ""
        if run and (w is None or w.row != run[-1].row or w.col != run[-1].col + 1 or this != mask):
            out.append({"updateCells": {"start": {"sheetId": sheet_id, "rowIndex": run[0].row - 1,
                                                  "columnIndex": run[0].col - 1},
                                        "rows": [{"values": [_cell_data(c) for c in run]}], "fields": mask}})
            run = []
        if w is not None:
            run.append(w)
            mask = this
    return out


def _mask(w: CellWrite) -> str:
    parts = []
    if w.value is not KEEP:
        parts.append("userEnteredValue")
        if isinstance(w.value, (dt.datetime, dt.date)):
            parts.append("userEnteredFormat.numberFormat")
    if w.fill is not KEEP:
        parts.append("userEnteredFormat.backgroundColor")
    return ",".join(parts)


def _cell_data(w: CellWrite) -> dict[str, Any]:
    data: dict[str, Any] = {}
    value = w.value
    if not isinstance(value, Keep) and value is not None:
        data["userEnteredValue"] = _entered(value)
        if isinstance(value, (dt.datetime, dt.date)):
            data.setdefault("userEnteredFormat", {})["numberFormat"] = DATE_FORMAT
    if w.fill is not KEEP and w.fill is not None:
        fill = str(w.fill)
        data.setdefault("userEnteredFormat", {})["backgroundColor"] = {  # 4 decimals tell 1/255 apart
            "red": round(int(fill[0:2], 16) / 255, 4), "green": round(int(fill[2:4], 16) / 255, 4),
            "blue": round(int(fill[4:6], 16) / 255, 4)}
    return data


def _entered(value: CellValue) -> dict[str, Any]:
    """A value as typed data: text is a stringValue whatever it looks like (`=SUM(...)`, `0012`), never parsed."""
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return {"numberValue": float(value)}
    if isinstance(value, (dt.datetime, dt.date)):
        return {"numberValue": _serial(value)}
    return {"stringValue": str(value)}


def _api_value(value: CellValue | Any) -> Any:
    """What the API's UNFORMATTED_VALUE read gives back for a value written typed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        number = float(value)
        return int(number) if number.is_integer() else number
    if isinstance(value, (dt.datetime, dt.date)):
        serial = _serial(value)
        return int(serial) if float(serial).is_integer() else serial
    return str(value)


def _serial(value: dt.date) -> float:
    moment = value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
    return round((moment.replace(tzinfo=None) - EPOCH).total_seconds() / 86400, 10)


def _text(value: Any) -> str | None:
    """A value of the API's typed read as the text the steps read: numbers without a needless `.0`."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else format(value, ".15g")
    return str(value)


def _cell(row: list[Any], col: int) -> Any:
    return row[col] if col < len(row) else None


def _trimmed(row: list[Any]) -> list[Any]:
    end = len(row)
    while end and (row[end - 1] is None or row[end - 1] == ""):
        end -= 1
    return row[:end]


def _quoted(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


