"""Desks on either store, for the end-to-end tests that run on an .xlsx desk and on a Google Sheets desk alike
(parametrised, not copied).

A test makes its desk as it always did (`init_desk`, `make_desk`: a folder with sheetsync.yaml and orders.xlsx); the
`on_store` fixture hands back a `Desk` on the backend of the test's parameter.  For `gsheets` the workbook's order
sheet is moved into a spreadsheet of the local Sheets API (`gsheets_server.FakeSheets`): its tabs set up by the
product's own `init --gsheet` code, its rows typed in as a person would (text stays text), the configuration's table
pointed at it, and orders.xlsx removed so nothing can read it by mistake.  A `Desk` reads the sheet back as
python-calamine reads a workbook (numbers as floats, dates as datetimes, "" for an empty cell) and lets a test edit
cells as a person would.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import pytest
from gsheets_server import FakeSheets

from sheetsync import load_config
from sheetsync.config import Config, load_preset
from sheetsync.config.reasons import DEFAULT_REASONS, load_reasons
from sheetsync.desk.gsheet import aftersales_tabs, order_tab
from sheetsync.model.cells import CellWrite
from sheetsync.stores.gsheets.api import SheetsApi
from sheetsync.stores.gsheets.setup import set_up
from sheetsync.stores.xlsx.patch import patch_xlsx

KEY_VARIABLE = "SHEETSYNC_TEST_SHEETS_KEY"
EPOCH = dt.datetime(1899, 12, 30)


def read_sheet(path: Path, sheet: str) -> list[list[object]]:
    import python_calamine

    return python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


class Desk(Protocol):
    backend: str
    config: Config

    def rows(self, sheet: str | None = None) -> list[list[object]]:
        """The sheet's values, as python-calamine gives a workbook's."""
        ...

    def edit(self, *writes: CellWrite, sheet: str | None = None) -> None:
        """Cells changed as a person changes them (None clears one)."""
        ...

    def fill(self, row: int, col: int, sheet: str | None = None) -> str | None:
        """A cell's background colour as RRGGBB (None: none)."""
        ...

    def choices(self, row: int, col: int, sheet: str | None = None) -> list[str] | None:
        """The words the dropdown covering a cell offers (None: no dropdown, or one whose list is a range)."""
        ...


class XlsxDesk:
    backend = "xlsx"

    def __init__(self, config: Config) -> None:
        self.config = config

    def rows(self, sheet: str | None = None) -> list[list[object]]:
        return read_sheet(self.config.workbook_path, sheet or self.config.table.sheet)

    def edit(self, *writes: CellWrite, sheet: str | None = None) -> None:
        path = self.config.workbook_path
        tmp = path.with_suffix(".edit.xlsx")
        patch_xlsx(path, tmp, sheet or self.config.table.sheet, list(writes))
        os.replace(tmp, path)

    def choices(self, row: int, col: int, sheet: str | None = None) -> list[str] | None:
        from sheetsync.stores.xlsx.validation import dropdowns

        found = next((d for d in dropdowns(self.config.workbook_path, sheet or self.config.table.sheet)
                      if d.covers(row, col)), None)
        return list(found.choices) if found is not None and found.choices is not None else None

    def fill(self, row: int, col: int, sheet: str | None = None) -> str | None:
        import openpyxl

        book = openpyxl.load_workbook(self.config.workbook_path)
        cell = book[sheet or self.config.table.sheet].cell(row, col)
        colour = cell.fill.fgColor.rgb if cell.fill is not None and cell.fill.fill_type == "solid" else None
        return str(colour)[-6:].upper() if isinstance(colour, str) else None


class GsheetDesk:
    backend = "gsheets"

    def __init__(self, config: Config, fake: FakeSheets, spreadsheet: str) -> None:
        self.config, self.fake, self.spreadsheet = config, fake, spreadsheet

    def rows(self, sheet: str | None = None) -> list[list[object]]:
        name = sheet or self.config.table.sheet
        values = self.fake.values(self.spreadsheet, name)
        width = max((len(r) for r in values), default=0)
        out: list[list[object]] = []
        for r, row in enumerate(values, start=1):
            line: list[object] = []
            for c, value in enumerate([*row, *[""] * (width - len(row))], start=1):
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    line.append(value)
                    continue
                kind = self.fake.format_of(self.spreadsheet, name, r, c).get("numberFormat", {}).get("type")
                line.append(EPOCH + dt.timedelta(seconds=round(value * 86400)) if kind in ("DATE", "DATE_TIME") else float(value))
            out.append(line)
        return out

    def choices(self, row: int, col: int, sheet: str | None = None) -> list[str] | None:
        rule = self.fake.data_validation(self.spreadsheet, sheet or self.config.table.sheet, row, col)
        if rule is None or rule["condition"]["type"] != "ONE_OF_LIST":
            return None
        return [v["userEnteredValue"] for v in rule["condition"]["values"]]

    def fill(self, row: int, col: int, sheet: str | None = None) -> str | None:
        colour = self.fake.format_of(self.spreadsheet, sheet or self.config.table.sheet, row, col).get("backgroundColor")
        if not colour:
            return None
        return "".join(f"{round(colour.get(k, 0) * 255):02X}" for k in ("red", "green", "blue"))

    def edit(self, *writes: CellWrite, sheet: str | None = None) -> None:
        for w in writes:
            put(self.fake, self.spreadsheet, sheet or self.config.table.sheet, w.row, w.col, w.value)


def put(fake: FakeSheets, spreadsheet: str, sheet: str, row: int, col: int, value: object) -> None:
    """A value typed into a cell as a person pastes it: text as text (a leading apostrophe keeps `=…` text), numbers,
    and a date as its serial day (the column is date-formatted)."""
    if isinstance(value, dt.datetime):
        fake.set_cell(spreadsheet, sheet, row, col, round((value - EPOCH).total_seconds() / 86400, 10))
    elif isinstance(value, str) and value.startswith(("=", "+", "-")):
        fake.set_cell(spreadsheet, sheet, row, col, "'" + value, as_typed=True)
    else:
        fake.set_cell(spreadsheet, sheet, row, col, value)


def move_to_gsheets(config: Config, fake: FakeSheets) -> GsheetDesk:
    """The desk of `config` (an .xlsx desk as `init` makes it) moved to a new spreadsheet of `fake`; see the module."""
    lang = config.sheet_language
    sid = fake.create(config.base_dir.name, ["Sheet1"])
    source = config.source
    text = source.read_text(encoding="utf-8")
    table = f"  backend: xlsx\n  path: {config.table.path}\n"
    assert table in text, "a desk as `init` writes it"
    text = text.replace(table, f"  backend: gsheets\n  spreadsheet: {sid}\n  credentials_env: {KEY_VARIABLE}\n"
                               f"  endpoint: {fake.base_url}\n")
    tabs = [order_tab(config.table.sheet, lang)]
    import python_calamine

    sheets = python_calamine.CalamineWorkbook.from_path(str(config.workbook_path)).sheet_names
    if config.aftersales is not None and config.aftersales.sheet in sheets:  # as the workbook had them
        tabs += aftersales_tabs(lang, load_reasons(config.aftersales.reasons or DEFAULT_REASONS[lang], config.base_dir, lang))
    source.write_text(text, encoding="utf-8")
    moved = load_config(source)
    set_up(SheetsApi(moved), tabs)
    for tab in tabs:
        if tab.hidden:  # the reason lists: set up from the tree
            continue
        rows = read_sheet(config.workbook_path, tab.name)
        ours = [c.header for c in tab.columns]
        for c, header in enumerate(rows[0] if rows else [], start=1):  # a team's own columns after the preset's
            if c > len(ours) or header != ours[c - 1]:
                put(fake, sid, tab.name, 1, c, header)
        for r, row in enumerate(rows[1:], start=2):
            for c, value in enumerate(row, start=1):
                if value not in ("", None):
                    put(fake, sid, tab.name, r, c, value)
    config.workbook_path.unlink()
    fake.requests.clear()
    return GsheetDesk(moved, fake, sid)


class OnStore(Protocol):
    def __call__(self, config: Config) -> Desk: ...


@pytest.fixture(scope="session")
def sheets_api() -> Iterator[FakeSheets]:
    with FakeSheets() as server:
        yield server


@pytest.fixture
def to_gsheets(sheets_api: FakeSheets, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[OnStore]:
    """`to_gsheets(config)`: the desk of `config` moved to a Google Sheet of the local Sheets API."""
    monkeypatch.setenv(KEY_VARIABLE, str(sheets_api.key_file(tmp_path / "keys")))
    errors = len(sheets_api.server_errors)
    yield lambda config: move_to_gsheets(config, sheets_api)
    assert sheets_api.server_errors[errors:] == []


@pytest.fixture(params=["xlsx", "gsheets"])
def on_store(request: pytest.FixtureRequest) -> OnStore:
    """`on_store(config)`: the desk of `config` on the test's backend."""
    if request.param == "xlsx":
        return XlsxDesk
    moved: OnStore = request.getfixturevalue("to_gsheets")
    return moved


def column_of(desk: Desk, field: str, sheet: str | None = None) -> list[object]:
    """The values below the header of `field`'s column (the desk's preset header)."""
    rows = desk.rows(sheet)
    index = rows[0].index(load_preset(desk.config.sheet_language)[field])
    return [row[index] if index < len(row) else "" for row in rows[1:]]


def fill_of(desk: Desk, row: int, field: str, sheet: str | None = None) -> str | None:
    """The background colour (RRGGBB) of `field`'s cell in sheet row `row`."""
    headers = desk.rows(sheet)[0]
    return desk.fill(row, headers.index(load_preset(desk.config.sheet_language)[field]) + 1, sheet)


def records(desk: Config | Desk) -> list[dict[str, object]]:
    """The order sheet's rows as field -> value (the desk's preset headers; other columns left out)."""
    found = XlsxDesk(desk) if isinstance(desk, Config) else desk
    rows = found.rows()
    fields = {v: k for k, v in load_preset(found.config.sheet_language).items()}
    return [{fields[h]: v for h, v in zip(rows[0], row, strict=True) if h in fields} for row in rows[1:]]


def by_channel_order(desk: Config | Desk) -> dict[str, dict[str, object]]:
    """`records` by each row's shop order number."""
    return {str(r["channel_order_id"]): r for r in records(desk)}
