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
import json
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
from sheetsync.stores.base import Sheet, Written
from sheetsync.stores.gsheets.api import SheetsApi

log = logging.getLogger("sheetsync")

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

    def read(self, sheet: str | None = None) -> Sheet:
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
                self._ahead.update({n: [list(r) for r in v.get("values", [])] for n, v in zip(also, more, strict=True)})
                return [list(row) for row in first.get("values", [])]
        try:
            (found,) = self.api.values([_quoted(name)])
        except StoreFailed:
            known = [s["properties"]["title"] for s in self.api.metadata().get("sheets", [])]
            if name not in known:
                raise ConfigError(t("table.no_sheet", self.lang, path=self.api.where, sheet=name,
                                    sheets=", ".join(known))) from None
            raise
        return [list(row) for row in found.get("values", [])]

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
        meta = {s["properties"]["title"]: s["properties"] for s in self.api.metadata().get("sheets", [])}
        names = [p.sheet for p in plans]
        missing = [n for n in names if n not in meta]
        reread = names if self.sheet in names else [*names, self.sheet]  # the order sheet's values give the fingerprint
        if missing:
            raise ConfigError(t("table.no_sheet", self.lang, path=self.api.where, sheet=missing[0],
                                sheets=", ".join(meta)))
        now: dict[str, list[list[Any]]] = {n: vr.get("values", []) for n, vr in
                                           zip(reread, self.api.values([_quoted(n) for n in reread]), strict=True)}
        requests: list[dict[str, Any]] = []
        self.dropped = []
        cells = 0
        after: dict[str, list[list[Any]]] = {}
        for plan in plans:
            props = meta[plan.sheet]
            placed, block = self._place(plan, now[plan.sheet])  # `now` becomes what the sheet holds after the write
            rows_needed = max((w.row for w in (*placed, *block)), default=0)
            grid_rows = int(props.get("gridProperties", {}).get("rowCount", 1000))
            grid_cols = int(props.get("gridProperties", {}).get("columnCount", 26))
            cols_needed = max((w.col for w in (*placed, *block)), default=0)
            if rows_needed > grid_rows:
                requests.append({"appendDimension": {"sheetId": props["sheetId"], "dimension": "ROWS",
                                                     "length": rows_needed - grid_rows}})
            if cols_needed > grid_cols:
                requests.append({"appendDimension": {"sheetId": props["sheetId"], "dimension": "COLUMNS",
                                                     "length": cols_needed - grid_cols}})
            requests += _cell_requests(props["sheetId"], placed) + _block_requests(props["sheetId"], block)
            cells += sum(1 for w in (*placed, *block) if w.value is not KEEP)
            after[plan.sheet] = now[plan.sheet]
        if lists:
            requests += self._lists(meta[self.sheet], lists)
        if not requests:
            return None
        sha = _fingerprint(after.get(self.sheet, now[self.sheet]))
        if on_staged is not None:
            on_staged(sha)
        self._send(requests, after)
        for name in after:  # a later write re-reads
            self._read.pop(name, None)
        return Written(sha, None, cells, dropped=len(self.dropped))

    def _place(self, plan: _Plan, now: list[list[Any]]) -> tuple[list[CellWrite], list[CellWrite]]:
        """The plan's writes at the rows their keys stand on now, without those whose cell a person changed since
        the read (or whose row is gone), and the appended rows (the block's cells) below the last row there is now.
        `now` is changed in place into the values the sheet will hold after them (as the API will give them back)."""
        read = self._read.get(plan.sheet) or _Read(_frame(now), *self._key_column(plan.sheet, now))
        key_col = read.key_col
        rows_now = _rows_by_key([_text(row[key_col]) if key_col is not None and key_col < len(row) else None
                                 for row in now], read.header_row)
        keys_then = read.keys()
        rank = {row: i for rows in _rows_by_key(keys_then, read.header_row).values() for i, row in enumerate(rows)}
        read_last = read.rows
        shift = len(now) - read_last  # rows this run appends go below the last row there is now
        placed: list[CellWrite] = []
        for w in plan.writes:
            if w.row > read_last:  # a row this run appends (a ticket): below what is there now
                placed.append(_moved(w, w.row + shift))
                continue
            key = keys_then[w.row - 1]
            if key is not None and w.row - 1 > read.header_row:  # the n-th row of a key stays its n-th (twice: both)
                found = rows_now.get(key, [])
                target = found[rank[w.row]] if rank.get(w.row, len(found)) < len(found) else None
            else:  # a row without a key when read (or the header row): only where it still stands, unchanged
                same = w.row - 1 < len(now) and [_text(v) for v in _trimmed(now[w.row - 1])] == read.row_texts(w.row - 1)
                target = w.row if same else None
            if target is None:
                self.dropped.append((plan.sheet, w.row, w.col))
                continue
            is_now = _cell(now[target - 1], w.col - 1) if target - 1 < len(now) else None
            if read.text(w.row - 1, w.col - 1) != _text(is_now):
                self.dropped.append((plan.sheet, w.row, w.col))
                continue
            placed.append(_moved(w, target))
        block = _appended(plan.appends, plan.appends.first_row + shift) if plan.appends is not None else []
        for w in (*placed, *block):
            if w.value is KEEP:
                continue
            while len(now) < w.row:
                now.append([])
            row = now[w.row - 1]
            while len(row) < w.col:
                row.append("")
            row[w.col - 1] = _api_value(w.value)
        return placed, block

    def _send(self, requests: list[dict[str, Any]], after: Mapping[str, list[list[Any]]]) -> None:
        """The batch, sent.  When the API gave up but the batch may have landed (an answer lost to a timeout or a
        dropped connection: Google applied it whole or not at all), the sheets' values tell: the write stands if every
        sheet it wrote holds what it leaves."""
        try:
            self.api.batch_update(requests)
        except StoreFailed:
            names = list(after)
            try:
                now = self.api.values([_quoted(n) for n in names])
                landed = all(_fingerprint(v.get("values", [])) == _fingerprint(after[n])
                             for n, v in zip(names, now, strict=True))
            except (StoreFailed, ConfigError):
                landed = False
            if not landed:
                raise
            log.warning("Google Sheets: the write's answer was lost, but the sheet holds what it wrote")

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
        sha = _fingerprint(self._values(self.sheet))  # the order sheet is not touched: its version stays
        if on_staged is not None:
            on_staged(sha)
        self.api.batch_update(requests)
        return Written(sha, None, 0)

    def sha256(self) -> str | None:
        try:
            return _fingerprint(self._values(self.sheet))
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


def _block_requests(sheet_id: int, block: Sequence[CellWrite]) -> list[dict[str, Any]]:
    """Appended rows as one `updateCells` over their rectangle (values only: an empty cell of it is below the last
    row, nothing to clear; the column's own format stays, a text column's included) and a `repeatCell` giving each
    column that holds a date its date format."""
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
    out: list[dict[str, Any]] = [{"updateCells": {
        "start": {"sheetId": sheet_id, "rowIndex": top - 1, "columnIndex": left - 1},
        "rows": [{"values": _without_trailing(row)} for row in grid], "fields": "userEnteredValue"}}]
    for col in sorted(dated):
        out.append({"repeatCell": {"range": {"sheetId": sheet_id, "startRowIndex": top - 1, "endRowIndex": bottom,
                                             "startColumnIndex": col - 1, "endColumnIndex": col},
                                   "cell": {"userEnteredFormat": {"numberFormat": DATE_FORMAT}},
                                   "fields": "userEnteredFormat.numberFormat"}})
    return out


def _without_trailing(cells: list[dict[str, Any]]) -> list[dict[str, Any]]:
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return cells[:end]


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
        data.setdefault("userEnteredFormat", {})["backgroundColor"] = {
            "red": int(fill[0:2], 16) / 255, "green": int(fill[2:4], 16) / 255, "blue": int(fill[4:6], 16) / 255}
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


def _fingerprint(values: list[list[Any]]) -> str:
    """The hash of the values as the API gives them (trailing empty cells and rows left out), a row at a time: no
    text copy of the sheet is made."""
    digest = hashlib.sha256()
    end = len(values)
    while end and not _trimmed(values[end - 1]):
        end -= 1
    for row in values[:end]:
        same = [int(v) if isinstance(v, float) and v.is_integer() and abs(v) < 1e15 else v for v in _trimmed(row)]
        digest.update(json.dumps(same, ensure_ascii=False, separators=(",", ":")).encode())
        digest.update(b"\n")
    return digest.hexdigest()
