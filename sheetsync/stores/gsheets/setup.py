"""Setting up the tabs of a Google Sheet for a desk (`sheetsync init --gsheet`): what `desk/new.py` does with
XlsxWriter for a new workbook, done with one `spreadsheets.batchUpdate` on a spreadsheet that already exists.

A tab is described by a `Tab` (its columns' headers, number formats, widths and dropdowns, and any rows below the
header); `set_up` adds the tabs the spreadsheet lacks (with sheet ids chosen here, so the same batch can format
them), writes the headers, freezes the header row, sets a filter over the columns, text-formats the columns that
hold ids, phones and tracking numbers (a person typing `0012` or `6912345678901234567` keeps every digit), and sets
the dropdowns (warning, not refusing, like the workbook's).  A tab that already holds values is never written over.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from sheetsync.errors import ConfigError
from sheetsync.i18n import t
from sheetsync.stores.gsheets.api import SheetsApi

HEADER_FILL: Final = {"red": 0xDD / 255, "green": 0xEB / 255, "blue": 0xF7 / 255}
"""The header row's fill: the workbook's #DDEBF7."""
NUMBER_FORMATS: Final[dict[str, dict[str, str]]] = {
    "text": {"type": "TEXT", "pattern": "@"},
    "datetime": {"type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm"},
    "money": {"type": "NUMBER", "pattern": "#,##0.00"},
}
CHAR_PX: Final = 7
"""Pixels per character of a column's width (Arial 10's digit, about)."""


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a tab: its header, its cells' number format (a key of NUMBER_FORMATS, None: automatic), width in
    characters, and its dropdown: a list of words, or a range of another tab (`'售后原因'!A2:A9`)."""

    header: str
    number_format: str | None = None
    width: int = 12
    choices: Sequence[str] = ()
    choices_range: str | None = None


@dataclass(frozen=True, slots=True)
class Tab:
    """A tab to set up: its columns, rows of text below the header, and whether it is hidden (a list sheet)."""

    name: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[str]] = ()
    hidden: bool = False
    filter: bool = True
    frozen: bool = True


@dataclass(slots=True)
class SetUp:
    """What `set_up` did: the tabs it added and those it set up in place (they were empty)."""

    added: list[str] = field(default_factory=list)
    formatted: list[str] = field(default_factory=list)


def set_up(api: SheetsApi, tabs: Sequence[Tab]) -> SetUp:
    """Add and set up `tabs` in one atomic batch; ConfigError, writing nothing, when one of them holds values."""
    sheets = {s["properties"]["title"]: s["properties"] for s in api.metadata().get("sheets", [])}
    present = [tab.name for tab in tabs if tab.name in sheets]
    if present:
        found = api.values([f"'{name.replace(chr(39), chr(39) * 2)}'!A1:Z20" for name in present])
        for name, values in zip(present, found, strict=True):
            if any(v not in ("", None) for row in values.get("values", []) for v in row):
                raise ConfigError(t("gsheets.tab_not_empty", api.lang, sheet=name, where=api.where),
                                  t("gsheets.tab_not_empty.hint", api.lang))
    used = {int(p["sheetId"]) for p in sheets.values()}
    requests: list[dict[str, Any]] = []
    done = SetUp()
    for tab in tabs:
        rows = max(1000, len(tab.rows) + 1)
        cols = len(tab.columns) if not tab.rows else max(len(tab.columns), max(len(r) for r in tab.rows))
        if tab.name in sheets:
            props = sheets[tab.name]
            sheet_id = int(props["sheetId"])
            grid = props.get("gridProperties", {})
            for dimension, have, need in (("ROWS", grid.get("rowCount", 1000), rows),
                                          ("COLUMNS", grid.get("columnCount", 26), cols)):
                if int(have) < need:
                    requests.append({"appendDimension": {"sheetId": sheet_id, "dimension": dimension,
                                                         "length": need - int(have)}})
            done.formatted.append(tab.name)
        else:
            sheet_id = max(used | {0}) + 1
            used.add(sheet_id)
            requests.append({"addSheet": {"properties": {"sheetId": sheet_id, "title": tab.name,
                                                         "gridProperties": {"rowCount": rows, "columnCount": max(cols, 26)}}}})
            done.added.append(tab.name)
        requests += _tab_requests(sheet_id, tab)
    api.batch_update(requests)
    return done


def _tab_requests(sheet_id: int, tab: Tab) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    header = {"values": [{"userEnteredValue": {"stringValue": c.header},
                          "userEnteredFormat": {"textFormat": {"bold": True}, "backgroundColor": HEADER_FILL,
                                                "horizontalAlignment": "CENTER", "verticalAlignment": "MIDDLE",
                                                "wrapStrategy": "WRAP"}} for c in tab.columns]}
    body = [{"values": [{"userEnteredValue": {"stringValue": v}} for v in row]} for row in tab.rows]
    out.append({"updateCells": {"start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 0},
                                "rows": [header, *body],
                                "fields": "userEnteredValue,userEnteredFormat(textFormat,backgroundColor,"
                                          "horizontalAlignment,verticalAlignment,wrapStrategy)"}})
    for col, column in enumerate(tab.columns):
        whole = {"sheetId": sheet_id, "startRowIndex": 1, "startColumnIndex": col, "endColumnIndex": col + 1}
        if column.number_format is not None:
            out.append({"repeatCell": {"range": whole, "fields": "userEnteredFormat.numberFormat",
                                       "cell": {"userEnteredFormat": {"numberFormat": NUMBER_FORMATS[column.number_format]}}}})
        out.append({"updateDimensionProperties": {
            "range": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": col, "endIndex": col + 1},
            "properties": {"pixelSize": column.width * CHAR_PX + 12}, "fields": "pixelSize"}})
        condition: dict[str, Any] | None = None
        if column.choices:
            condition = {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": w} for w in column.choices]}
        elif column.choices_range:
            condition = {"type": "ONE_OF_RANGE", "values": [{"userEnteredValue": f"={column.choices_range}"}]}
        if condition is not None:  # a warning, not a refusal: a pasted value is kept and the sync judges it
            out.append({"setDataValidation": {"range": whole, "rule": {"condition": condition, "strict": False,
                                                                       "showCustomUi": True}}})
    grid: dict[str, Any] = {}
    fields = []
    if tab.frozen:
        grid["frozenRowCount"] = 1
        fields.append("gridProperties.frozenRowCount")
    if tab.hidden:
        fields.append("hidden")
    if fields:
        out.append({"updateSheetProperties": {"properties": {"sheetId": sheet_id, "gridProperties": grid,
                                                             "hidden": tab.hidden}, "fields": ",".join(fields)}})
    if tab.filter:
        out.append({"setBasicFilter": {"filter": {"range": {"sheetId": sheet_id, "startRowIndex": 0, "startColumnIndex": 0,
                                                            "endColumnIndex": len(tab.columns)}}}})
    return out
