"""A local, honest fake of the Google Sheets API v4 for the tests.

`FakeSheets` is an in-memory model of spreadsheets behind a real HTTP server on 127.0.0.1 that the real
gspread client and google-auth talk to: OAuth2's JWT-bearer grant at ``/token`` (the signature is checked
against the keys this server made), then Google's own paths, request shapes, answers and error bodies:

- ``GET  /v4/spreadsheets/{id}`` (``includeGridData``, ``ranges``; ``fields`` is accepted: a mask naming
  ``data`` asks for grid data, as with Google, otherwise the whole resource is answered)
- ``GET  /v4/spreadsheets/{id}/values/{range}``, ``GET .../values:batchGet``
- ``PUT  /v4/spreadsheets/{id}/values/{range}``, ``POST .../values:batchUpdate``,
  ``POST .../values/{range}:append``, ``POST .../values/{range}:clear``, ``POST .../values:batchClear``
- ``POST /v4/spreadsheets/{id}:batchUpdate``: every request is applied to a copy and the copy replaces the
  spreadsheet only when all of them succeeded (Google: "if any request is not valid then the entire update is
  unsuccessful and none of the (potentially dependent) changes are applied").

A test plays the person in the browser through `set_cell`, `insert_rows`, `delete_rows` and `sort_rows`,
and injects faults with `fail_next`, `delay_next` and `before_next` (the last runs a person's action just
before a chosen request is handled, so a test can put an edit between the store's read and its write).

What is simplified, and how:

- Formulas are not evaluated against cells. A formula made only of number literals, ``+ - * / ^``,
  parentheses and SUM/MIN/MAX/AVERAGE/ABS/ROUND is computed; any other formula's effective value is the
  formula's own text. A "+"/"-" entry that is not a number (a phone number such as ``+86 138 0013 8000``
  typed with USER_ENTERED) becomes a formula, as in Sheets, and shows ``#ERROR!`` when it does not parse.
- FORMATTED_VALUE uses the cell's numberFormat for 0/#/,/./% and E+ patterns and the date/time codes
  (yyyy, mm, dd, hh, mm, ss, am/pm); a number with no numberFormat is shown like Sheets' automatic format
  (plain digits below 1e15, else ``1.23457E+18``). No locale rules beyond that.
- USER_ENTERED parses numbers (``0012`` -> 12, ``1,234``, ``12%``, ``¥12.50``, ``1e3``), TRUE/FALSE, ISO and
  ``yyyy年m月d日`` dates, ``yyyy-mm-dd hh:mm[:ss]`` date-times, ``hh:mm[:ss]`` times, a leading ``'`` (forces
  text) and formulas; a cell whose numberFormat is TEXT keeps whatever is typed as text.
- No effectiveFormat is answered; data validation is stored and answered but never enforced on writes;
  charts are stored on the sheet they are anchored to (or the first sheet), never on a sheet of their own.
- values:append finds its "table" as the last row holding a value in the range's columns.
"""

from __future__ import annotations

import ast
import base64
import copy
import datetime as dt
import itertools
import json
import math
import re
import secrets
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import parse_qs, unquote, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from local_server import LocalServer

JSON = dict[str, Any]

DEFAULT_ROWS = 1000
DEFAULT_COLUMNS = 26
MAX_CELLS = 10_000_000
MAX_CELL_CHARS = 50_000
MAX_COLUMNS_A1 = 18278  # ZZZ
ROW_PIXELS = 21
COLUMN_PIXELS = 100
TOKEN_SECONDS = 3600
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# The audiences Google's token endpoint accepts. google-auth signs "https://oauth2.googleapis.com/token" whatever
# the key's token_uri says (google/oauth2/service_account.py, _GOOGLE_OAUTH2_TOKEN_ENDPOINT); this server's own
# token_uri is accepted too.
TOKEN_AUDIENCES = ("https://oauth2.googleapis.com/token", "https://www.googleapis.com/oauth2/v4/token",
                   "https://accounts.google.com/o/oauth2/token")
EPOCH = dt.datetime(1899, 12, 30)  # Sheets' (and Lotus 1-2-3's) serial-number day 0
ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

STATUS_NAMES = {
    400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
    409: "ABORTED", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 501: "NOT_IMPLEMENTED", 502: "UNAVAILABLE",
    503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED",
}
STATUS_MESSAGES = {
    400: "Request contains an invalid argument.",
    401: "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other "
         "valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
    403: "The caller does not have permission",
    404: "Requested entity was not found.",
    409: "The operation was aborted.",
    500: "Internal error encountered.",
    502: "The service is currently unavailable.",
    503: "The service is currently unavailable.",
    504: "The service is currently unavailable.",
}
ERROR_TEXT = {"ERROR": "#ERROR!", "DIVIDE_BY_ZERO": "#DIV/0!", "VALUE": "#VALUE!", "NAME": "#NAME?",
              "N_A": "#N/A", "REF": "#REF!", "NUM": "#NUM!", "NULL_VALUE": "#NULL!", "LOADING": "Loading..."}
VALUE_KINDS = ("stringValue", "numberValue", "boolValue", "formulaValue")
CELL_FIELDS = ("userEnteredValue", "userEnteredFormat", "dataValidation", "note", "textFormatRuns", "hyperlink")
READ_ONLY_CELL_FIELDS = ("effectiveValue", "formattedValue", "effectiveFormat")
DEFAULT_PATTERNS = {"NUMBER": "#,##0.00", "PERCENT": "0.00%", "CURRENCY": '"¥"#,##0.00', "SCIENTIFIC": "0.00E+00",
                    "DATE": "yyyy-mm-dd", "TIME": "hh:mm:ss", "DATE_TIME": "yyyy-mm-dd hh:mm:ss"}


class SheetsError(Exception):
    """An error answered the way Google answers it: ``{"error": {"code", "message", "status"}}``."""

    def __init__(self, code: int, message: str | None = None, status: str | None = None,
                 details: list[JSON] | None = None) -> None:
        super().__init__(message or STATUS_MESSAGES.get(code, "Error"))
        self.code = code
        self.message = message or STATUS_MESSAGES.get(code, "Error")
        self.status = status or STATUS_NAMES.get(code, "UNKNOWN")
        self.details = details

    def body(self) -> JSON:
        error: JSON = {"code": self.code, "message": self.message, "status": self.status}
        if self.details:
            error["details"] = self.details
        return {"error": error}


def invalid(message: str) -> SheetsError:
    return SheetsError(400, message, "INVALID_ARGUMENT")


@dataclass
class Recorded:
    """One request the server received, and what it answered."""

    method: str
    path: str  # percent-decoded, without the query
    query: dict[str, list[str]]
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)  # names lower-cased
    status: int = 0
    response: bytes = b""
    target: str = ""  # the request line's target as sent (path and query, percent-encoded)
    seconds: float = 0.0  # how long the server took to make its answer (the body read and the answer sent left out)

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


# ----------------------------------------------------------------------------------------------------------
# A1 notation


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    value = 0
    for ch in letters.upper():
        value = value * 26 + ord(ch) - 64
    return value - 1


def quote_title(title: str) -> str:
    """How Google writes a sheet's name in an A1 range: bare when it is a plain identifier, else quoted."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", title) and not re.fullmatch(r"[A-Za-z]{1,3}\d+|[Rr]\d*[Cc]\d*", title):
        return title
    return "'" + title.replace("'", "''") + "'"


def a1(title: str, r0: int, c0: int, r1: int, c1: int) -> str:
    """An A1 range over rows [r0, r1) and columns [c0, c1) (0-based, end exclusive)."""
    start = f"{column_letters(c0)}{r0 + 1}"
    end = f"{column_letters(c1 - 1)}{r1}"
    return f"{quote_title(title)}!{start}" if (r1 - r0, c1 - c0) == (1, 1) else f"{quote_title(title)}!{start}:{end}"


_CELL_RE = re.compile(r"([A-Za-z]{0,3})(\d*)")


def _split_sheet(text: str) -> tuple[str | None, str | None]:
    """'Sheet'!A1:B2 -> (Sheet, A1:B2); 'Sheet' -> (Sheet, None); A1:B2 -> (None, A1:B2) when it may be cells."""
    if text.startswith("'"):
        i, chars = 1, []
        while i < len(text):
            if text[i] == "'":
                if text[i + 1:i + 2] == "'":
                    chars.append("'")
                    i += 2
                    continue
                break
            chars.append(text[i])
            i += 1
        else:
            raise invalid(f"Unable to parse range: {text}")
        rest = text[i + 1:]
        if rest == "":
            return "".join(chars), None
        if not rest.startswith("!"):
            raise invalid(f"Unable to parse range: {text}")
        return "".join(chars), rest[1:]
    if "!" in text:
        name, _, cells = text.rpartition("!")
        return name, cells
    return None, text


@dataclass
class Area:
    """A resolved range: rows [r0, r1) and columns [c0, c1) of one sheet, with how each end was given."""

    sheet: Sheet
    r0: int
    c0: int
    r1: int
    c1: int
    single: bool = False  # one cell, e.g. A1: a write may run on from it
    bounded_rows: bool = True
    bounded_cols: bool = True

    def a1(self) -> str:
        return a1(self.sheet.title, self.r0, self.c0, max(self.r1, self.r0 + 1), max(self.c1, self.c0 + 1))


def _parse_cells(cells: str) -> tuple[int | None, int | None, int | None, int | None, bool] | None:
    """A1:B2 -> (r0, c0, r1, c1, single) with None for an open side; None when it is not A1 notation."""
    parts = cells.split(":")
    if len(parts) > 2 or not all(parts):
        return None
    ends = []
    for part in parts:
        m = _CELL_RE.fullmatch(part)
        if not m or not (m.group(1) or m.group(2)):
            return None
        col = column_index(m.group(1)) if m.group(1) else None
        if col is not None and col >= MAX_COLUMNS_A1:
            return None
        row = int(m.group(2)) - 1 if m.group(2) else None
        if row is not None and row < 0:
            return None
        ends.append((row, col))
    if len(ends) == 1:
        row, col = ends[0]
        if row is None or col is None:
            return None
        return row, col, row + 1, col + 1, True
    (ra, ca), (rb, cb) = ends
    if (ra is None) != (rb is None) and ra is None:  # e.g. A:B5 -> from row 1
        ra = 0
    if (ca is None) != (cb is None) and ca is None:  # e.g. 2:B5 is not A1
        return None
    r0 = ra if ra is not None else 0
    c0 = ca if ca is not None else 0
    r1 = rb + 1 if rb is not None else None
    c1 = cb + 1 if cb is not None else None
    if r1 is not None and r1 <= r0:
        r0, r1 = r1 - 1, r0 + 1
    if c1 is not None and c1 <= c0:
        c0, c1 = c1 - 1, c0 + 1
    return r0, c0, r1, c1, False


def grid_limit_error(text: str, sheet: Sheet) -> SheetsError:
    return invalid(f"Range ({text}) exceeds grid limits. Max rows: {sheet.row_count}, max columns: {sheet.col_count}")


def resolve_a1(book: Book, text: str) -> Area:
    """Google's reading of an A1 range: a sheet's name alone, or cells on a sheet (the first sheet if unnamed)."""
    name, cells = _split_sheet(text)
    if name is None:
        assert cells is not None
        sheet = book.sheet_by_title(cells)
        if sheet is not None:  # a sheet's name alone
            name, cells = cells, None
        else:
            sheet = book.sheets[0]
    else:
        sheet = book.sheet_by_title(name)
        if sheet is None:
            raise invalid(f"Unable to parse range: {text}")
    if cells is None:
        return Area(sheet, 0, 0, sheet.row_count, sheet.col_count, bounded_rows=False, bounded_cols=False)
    parsed = _parse_cells(cells)
    if parsed is None:
        raise invalid(f"Unable to parse range: {text}")
    r0, c0, r1, c1, single = parsed
    area = Area(sheet, r0 or 0, c0 or 0, r1 if r1 is not None else sheet.row_count,
                c1 if c1 is not None else sheet.col_count, single, r1 is not None, c1 is not None)
    if area.r0 >= sheet.row_count or area.c0 >= sheet.col_count or area.r1 > sheet.row_count or area.c1 > sheet.col_count:
        raise grid_limit_error(f"{quote_title(sheet.title)}!{cells}", sheet)
    return area


# ----------------------------------------------------------------------------------------------------------
# The model: a cell is a dict of CellData's writable fields (userEnteredValue, userEnteredFormat, ...)


class Row:
    __slots__ = ("cells", "meta")

    def __init__(self, cells: dict[int, JSON] | None = None, meta: JSON | None = None) -> None:
        self.cells: dict[int, JSON] = cells if cells is not None else {}
        self.meta: JSON = meta if meta is not None else {}

    def clone(self) -> Row:
        return Row(dict(self.cells), dict(self.meta))


class Sheet:
    def __init__(self, sheet_id: int, title: str, rows: int = DEFAULT_ROWS, cols: int = DEFAULT_COLUMNS) -> None:
        self.props: JSON = {"sheetId": sheet_id, "title": title, "index": 0, "sheetType": "GRID", "gridProperties": {}}
        self.rows: list[Row] = [Row() for _ in range(rows)]
        self.col_meta: list[JSON] = [{} for _ in range(cols)]
        self.basic_filter: JSON | None = None
        self.charts: list[JSON] = []

    @property
    def sheet_id(self) -> int:
        return int(self.props["sheetId"])

    @property
    def title(self) -> str:
        return str(self.props["title"])

    @property
    def row_count(self) -> int:
        return len(self.rows)

    @property
    def col_count(self) -> int:
        return len(self.col_meta)

    def clone(self) -> Sheet:
        other = Sheet.__new__(Sheet)
        other.props = copy.deepcopy(self.props)
        other.rows = [row.clone() for row in self.rows]
        other.col_meta = [dict(meta) for meta in self.col_meta]
        other.basic_filter = copy.deepcopy(self.basic_filter)
        other.charts = copy.deepcopy(self.charts)
        return other

    def properties(self) -> JSON:
        """SheetProperties as Google answers them (zero-valued grid properties are left out, as proto3 JSON does)."""
        props = copy.deepcopy(self.props)
        grid = {"rowCount": self.row_count, "columnCount": self.col_count}
        grid.update({k: v for k, v in props.get("gridProperties", {}).items() if v})
        props["gridProperties"] = grid
        return props

    def cell(self, r: int, c: int) -> JSON:
        return self.rows[r].cells.get(c, {})

    def put(self, r: int, c: int, cell: JSON) -> None:
        cell = {k: v for k, v in cell.items() if v not in (None, {}, [], "", {"stringValue": ""})}
        if cell:
            self.rows[r].cells[c] = cell
        else:
            self.rows[r].cells.pop(c, None)

    def last_row_with_value(self, c0: int = 0, c1: int | None = None) -> int:
        for r in range(self.row_count - 1, -1, -1):
            for c, cell in self.rows[r].cells.items():
                if c >= c0 and (c1 is None or c < c1) and "userEnteredValue" in cell:
                    return r
        return -1

    # rows and columns come and go: cells, validation and row metadata move with their rows
    def insert_rows(self, at: int, count: int, inherit_from: int | None = None) -> None:
        fresh = []
        for _ in range(count):
            row = Row()
            if inherit_from is not None:
                for c, cell in self.rows[inherit_from].cells.items():
                    if "userEnteredFormat" in cell:
                        row.cells[c] = {"userEnteredFormat": copy.deepcopy(cell["userEnteredFormat"])}
            fresh.append(row)
        self.rows[at:at] = fresh
        self._shift_filter(at, count)

    def delete_rows(self, start: int, end: int) -> None:
        del self.rows[start:end]
        self._shift_filter(start, -(end - start))

    def _shift_filter(self, at: int, delta: int) -> None:
        if not self.basic_filter:
            return
        rng = self.basic_filter["range"]
        r0, r1 = rng.get("startRowIndex", 0), rng.get("endRowIndex")
        if delta > 0:
            if at <= r0:  # rows inserted above the filter push it down
                rng["startRowIndex"] = r0 + delta
            if r1 is not None and at < r1:
                rng["endRowIndex"] = r1 + delta
        else:
            removed = range(at, at - delta)

            def moved(i: int) -> int:
                return i - sum(1 for x in removed if x < i)

            if "startRowIndex" in rng:
                rng["startRowIndex"] = moved(r0)
            if r1 is not None:
                rng["endRowIndex"] = moved(r1)

    def insert_cols(self, at: int, count: int, inherit_from: int | None = None) -> None:
        for row in self.rows:
            shifted = {(c + count if c >= at else c): cell for c, cell in row.cells.items()}
            if inherit_from is not None and inherit_from in row.cells and "userEnteredFormat" in row.cells[inherit_from]:
                for c in range(at, at + count):
                    shifted[c] = {"userEnteredFormat": copy.deepcopy(row.cells[inherit_from]["userEnteredFormat"])}
            row.cells = shifted
        self.col_meta[at:at] = [{} for _ in range(count)]

    def delete_cols(self, start: int, end: int) -> None:
        width = end - start
        for row in self.rows:
            row.cells = {(c - width if c >= end else c): cell for c, cell in row.cells.items() if not start <= c < end}
        del self.col_meta[start:end]

    def resize(self, rows: int, cols: int) -> None:
        if rows > self.row_count:
            self.rows.extend(Row() for _ in range(rows - self.row_count))
        else:
            del self.rows[rows:]
        if cols > self.col_count:
            self.col_meta.extend({} for _ in range(cols - self.col_count))
        elif cols < self.col_count:
            del self.col_meta[cols:]
            for row in self.rows:
                row.cells = {c: cell for c, cell in row.cells.items() if c < cols}


class Book:
    def __init__(self, spreadsheet_id: str, title: str) -> None:
        self.id = spreadsheet_id
        self.properties: JSON = {
            "title": title, "locale": "zh_CN", "autoRecalc": "ON_CHANGE", "timeZone": "Asia/Shanghai",
            "defaultFormat": {"backgroundColor": {"red": 1, "green": 1, "blue": 1}, "verticalAlignment": "BOTTOM",
                              "wrapStrategy": "OVERFLOW_CELL", "textFormat": {"fontFamily": "arial", "fontSize": 10}},
        }
        self.sheets: list[Sheet] = []
        self.next_chart_id = 1_000_000 + secrets.randbelow(1_000_000_000)

    def clone(self) -> Book:
        other = Book.__new__(Book)
        other.id = self.id
        other.properties = copy.deepcopy(self.properties)
        other.sheets = [sheet.clone() for sheet in self.sheets]
        other.next_chart_id = self.next_chart_id
        return other

    def sheet_by_title(self, title: str) -> Sheet | None:
        for sheet in self.sheets:
            if sheet.title == title:
                return sheet
        return None

    def sheet_by_id(self, sheet_id: int) -> Sheet | None:
        for sheet in self.sheets:
            if sheet.sheet_id == sheet_id:
                return sheet
        return None

    def reindex(self) -> None:
        for i, sheet in enumerate(self.sheets):
            sheet.props["index"] = i

    def new_sheet_id(self) -> int:
        while True:
            candidate = 1 + secrets.randbelow(2**31 - 2)
            if self.sheet_by_id(candidate) is None:
                return candidate

    def cell_total(self) -> int:
        return sum(sheet.row_count * sheet.col_count for sheet in self.sheets)


# ----------------------------------------------------------------------------------------------------------
# Values: effective values, rendering, number formats, and parsing what a person types

_FUNCTIONS: dict[str, Callable[[list[float]], float]] = {
    "SUM": lambda xs: float(sum(xs)), "MIN": lambda xs: min(xs), "MAX": lambda xs: max(xs),
    "AVERAGE": lambda xs: sum(xs) / len(xs), "ABS": lambda xs: abs(xs[0]),
    "ROUND": lambda xs: float(round(xs[0], int(xs[1]) if len(xs) > 1 else 0)),
}
_LITERAL_RE = re.compile(r"[\d\s.+\-*/^(),eE%]*")


class _NotLiteral(Exception):
    pass


def _eval_node(node: ast.AST) -> float:
    if isinstance(node, ast.Expression):
        return _eval_node(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd | ast.USub):
        value = _eval_node(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub | ast.Mult | ast.Div | ast.Pow):
        left, right = _eval_node(node.left), _eval_node(node.right)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if isinstance(node.op, ast.Div):
            return left / right  # ZeroDivisionError is #DIV/0!
        return float(left**right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        fn = _FUNCTIONS.get(node.func.id.upper())
        if fn is not None and node.args:
            return fn([_eval_node(arg) for arg in node.args])
    raise _NotLiteral


def formula_effective(formula: str) -> JSON:
    """A formula's effective value: computed when it is built from literals only, else its own text."""
    expr = formula[1:].strip()
    bare = re.sub(r"(?i)\b(" + "|".join(_FUNCTIONS) + r")\s*\(", "(", expr)
    literal_only = bool(_LITERAL_RE.fullmatch(bare)) and any(ch.isdigit() for ch in bare)
    if not literal_only:
        return {"stringValue": formula}
    source = re.sub(r"(?<![\d.])0+(?=\d)", "", expr.replace("^", "**"))
    source = re.sub(r"(\d+(?:\.\d+)?)%", r"(\1/100)", source)
    try:
        tree = ast.parse(source, mode="eval")
        value = _eval_node(tree)
    except ZeroDivisionError:
        return {"errorValue": {"type": "DIVIDE_BY_ZERO", "message": "Function DIVIDE parameter 2 cannot be zero."}}
    except (SyntaxError, _NotLiteral, ValueError, TypeError, OverflowError):
        return {"errorValue": {"type": "ERROR", "message": "Formula parse error."}}
    return {"numberValue": value}


def effective_value(cell: JSON) -> JSON | None:
    value = cell.get("userEnteredValue")
    if not value:
        return None
    if "formulaValue" in value:
        return formula_effective(value["formulaValue"])
    return dict(value)


def json_number(x: float) -> int | float:
    """Whole numbers go out as JSON integers, as Google writes them."""
    if isinstance(x, bool):
        return int(x)
    if isinstance(x, int):
        return x
    if math.isfinite(x) and x.is_integer() and abs(x) < 2**53:
        return int(x)
    return x


def general_number(x: float) -> str:
    """Sheets' automatic number format."""
    if x == 0:
        return "0"
    if abs(x) >= 1e15 or abs(x) < 1e-9:
        mantissa, exponent = f"{x:.5E}".split("E")
        mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa}E{exponent[0]}{int(exponent[1:]):02d}"
    if float(x).is_integer():
        return str(int(x))
    return f"{round(x, 10):.10f}".rstrip("0").rstrip(".")


def _strip_literal(text: str) -> str:
    text = re.sub(r'"([^"]*)"', r"\1", text)
    text = re.sub(r"\\(.)", r"\1", text)
    return re.sub(r"[_*].", "", text)


def _format_pattern(x: float, pattern: str) -> str:
    sections = re.split(r';(?=(?:[^"]*"[^"]*")*[^"]*$)', pattern)
    section = sections[1] if x < 0 and len(sections) > 1 else sections[0]
    negative = x < 0 and len(sections) == 1
    value = abs(x)
    plain = re.sub(r'"[^"]*"|\\.', lambda m: "\0" * len(m.group(0)), section)
    if re.search(r"E[+-]", plain):
        fraction = re.search(r"\.([0#]*)", plain)
        decimals = len(fraction.group(1)) if fraction else 0
        mantissa, exponent = f"{value:.{decimals}E}".split("E")
        return ("-" if negative else "") + f"{mantissa}E{exponent[0]}{int(exponent[1:]):02d}"
    if "%" in plain:
        value *= 100
    places = [i for i, ch in enumerate(plain) if ch in "0#?"]
    if not places:
        return ("-" if negative else "") + _strip_literal(section)
    start, end = places[0], places[-1]
    while start > 0 and plain[start - 1] in ",.":
        start -= 1
    while end + 1 < len(plain) and plain[end + 1] in ",.":
        end += 1
    core = plain[start:end + 1]
    prefix, suffix = _strip_literal(section[:start]), _strip_literal(section[end + 1:])
    int_part, _, frac_part = core.partition(".")
    min_frac = frac_part.count("0")
    max_frac = sum(frac_part.count(ch) for ch in "0#?")
    text = f"{value:.{max_frac}f}"
    whole, _, frac = text.partition(".")
    while len(frac) > min_frac and frac.endswith("0"):
        frac = frac[:-1]
    min_int = int_part.count("0")
    whole = whole.lstrip("0").rjust(min_int, "0")
    if "," in int_part.strip(","):
        whole = f"{int(whole or '0'):,}" if whole else ""
    number = whole + ("." + frac if frac else "")
    return ("-" if negative and float(value) != 0 else "") + prefix + number + suffix


_DATE_TOKENS = re.compile(r'yyyy|yy|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|am/pm|a/p|"[^"]*"|\\.|.', re.IGNORECASE)


def _format_date(serial: float, pattern: str) -> str:
    moment = EPOCH + dt.timedelta(seconds=round(serial * 86400))
    tokens = _DATE_TOKENS.findall(pattern)
    twelve = any(t.lower() in ("am/pm", "a/p") for t in tokens)
    out: list[str] = []
    for i, token in enumerate(tokens):
        low = token.lower()
        if low in ("mm", "m"):
            before = next((t.lower() for t in reversed(tokens[:i]) if t.strip() and t.lower()[0] in "hdys"), "")
            after = next((t.lower() for t in tokens[i + 1:] if t.strip() and t.lower()[0] in "hdys"), "")
            minute = before.startswith("h") or after.startswith("s")
            number = moment.minute if minute else moment.month
            out.append(f"{number:02d}" if low == "mm" else str(number))
        elif low == "yyyy":
            out.append(f"{moment.year:04d}")
        elif low == "yy":
            out.append(f"{moment.year % 100:02d}")
        elif low == "mmmm":
            out.append(moment.strftime("%B"))
        elif low == "mmm":
            out.append(moment.strftime("%b"))
        elif low == "dddd":
            out.append(moment.strftime("%A"))
        elif low == "ddd":
            out.append(moment.strftime("%a"))
        elif low in ("dd", "d"):
            out.append(f"{moment.day:02d}" if low == "dd" else str(moment.day))
        elif low in ("hh", "h"):
            hour = (moment.hour % 12 or 12) if twelve else moment.hour
            out.append(f"{hour:02d}" if low == "hh" else str(hour))
        elif low in ("ss", "s"):
            out.append(f"{moment.second:02d}" if low == "ss" else str(moment.second))
        elif low in ("am/pm", "a/p"):
            out.append(("AM" if moment.hour < 12 else "PM") if low == "am/pm" else ("A" if moment.hour < 12 else "P"))
        elif token.startswith('"'):
            out.append(token[1:-1])
        elif token.startswith("\\"):
            out.append(token[1:])
        else:
            out.append(token)
    return "".join(out)


def format_number(x: float, number_format: JSON | None) -> str:
    if not number_format:
        return general_number(x)
    kind = number_format.get("type", "NUMBER")
    pattern = number_format.get("pattern") or DEFAULT_PATTERNS.get(kind, "")
    if kind == "TEXT" or not pattern or pattern == "@":
        return general_number(x)
    if kind in ("DATE", "TIME", "DATE_TIME") or re.search(r"(?i)yy|dd|hh|ss", re.sub(r'"[^"]*"', "", pattern)):
        return _format_date(x, pattern)
    return _format_pattern(x, pattern)


def formatted_value(cell: JSON, value: JSON) -> str:
    if "stringValue" in value:
        return str(value["stringValue"])
    if "boolValue" in value:
        return "TRUE" if value["boolValue"] else "FALSE"
    if "errorValue" in value:
        return ERROR_TEXT.get(value["errorValue"].get("type", "ERROR"), "#ERROR!")
    return format_number(float(value["numberValue"]), cell.get("userEnteredFormat", {}).get("numberFormat"))


def render(cell: JSON, option: str, date_option: str) -> Any:
    """The value a ValueRange carries for this cell (None for an empty cell)."""
    entered = cell.get("userEnteredValue")
    if not entered:
        return None
    text = entered.get("stringValue")
    if isinstance(text, str):  # the common cell, answered without the general path below (the same answer)
        return text
    if option != "FORMATTED_VALUE" and date_option == "SERIAL_NUMBER" and "numberValue" in entered:
        return json_number(float(entered["numberValue"]))
    if option == "FORMULA" and "formulaValue" in entered:
        return entered["formulaValue"]
    value = effective_value(cell)
    assert value is not None
    if option == "FORMATTED_VALUE":
        return formatted_value(cell, value)
    if "numberValue" in value:
        number_format = cell.get("userEnteredFormat", {}).get("numberFormat") or {}
        if date_option == "FORMATTED_STRING" and number_format.get("type") in ("DATE", "TIME", "DATE_TIME"):
            return formatted_value(cell, value)
        return json_number(float(value["numberValue"]))
    if "errorValue" in value:
        return formatted_value(cell, value)
    return value.get("stringValue", value.get("boolValue"))


def plain_value(cell: JSON) -> Any:
    """The effective value as a Python object ("" for an empty cell, the error text for an error)."""
    value = effective_value(cell)
    if value is None:
        return ""
    if "numberValue" in value:
        return json_number(float(value["numberValue"]))
    if "errorValue" in value:
        return formatted_value(cell, value)
    return value.get("stringValue", value.get("boolValue"))


_NUMBER_RE = re.compile(r"(?P<s1>[+-]?)(?P<cur>[$¥€£]?)(?P<s2>[+-]?)(?P<int>\d{1,3}(?:,\d{3})+|\d*)(?P<frac>\.\d*)?"
                        r"(?P<exp>[eE][+-]?\d+)?(?P<pct>%?)")


def _parse_number(text: str) -> tuple[float, JSON | None] | None:
    m = _NUMBER_RE.fullmatch(text)
    if not m:
        return None
    s1, cur, s2, whole, frac, exp, pct = (m.group(k) or "" for k in ("s1", "cur", "s2", "int", "frac", "exp", "pct"))
    if (s1 and s2) or (s2 and not cur) or not (any(ch.isdigit() for ch in whole + frac)):
        return None
    if (cur and pct) or (exp and (cur or pct or "," in whole)):
        return None
    value = float(whole.replace(",", "") + (frac if frac != "." else "") + exp)
    if "-" in (s1, s2):
        value = -value
    if pct:
        return value / 100, {"type": "PERCENT", "pattern": "0.00%" if len(frac) > 1 else "0%"}
    if cur:
        return value, {"type": "CURRENCY", "pattern": f'"{cur}"#,##0.00'}
    if exp:
        return value, {"type": "SCIENTIFIC", "pattern": "0.00E+00"}
    if "," in whole:
        return value, {"type": "NUMBER", "pattern": "#,##0.00" if len(frac) > 1 else "#,##0"}
    return value, None


def _serial(moment: dt.datetime) -> float:
    delta = moment - EPOCH
    return delta.days + delta.seconds / 86400


def _parse_date(text: str) -> tuple[float, JSON] | None:
    try:
        m = re.fullmatch(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?", text)
        if m:
            year, _, month, day, hour, minute, second = m.groups()
            moment = dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
            sep = m.group(2)
            if hour is None:
                return _serial(moment), {"type": "DATE", "pattern": f"yyyy{sep}mm{sep}dd"}
            return _serial(moment), {"type": "DATE_TIME", "pattern": f"yyyy{sep}mm{sep}dd hh:mm:ss"}
        m = re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日", text)
        if m:
            moment = dt.datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            return _serial(moment), {"type": "DATE", "pattern": 'yyyy"年"m"月"d"日"'}
        m = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", text)
        if m and int(m.group(1)) < 24 and int(m.group(2)) < 60 and int(m.group(3) or 0) < 60:
            seconds = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3) or 0)
            return seconds / 86400, {"type": "TIME", "pattern": "hh:mm:ss"}
    except ValueError:  # 2024-13-45 is text
        return None
    return None


def parse_entered(text: str, text_format: bool = False) -> tuple[JSON | None, JSON | None]:
    """What Sheets makes of a string a person types (USER_ENTERED): (userEnteredValue, automatic numberFormat)."""
    if text == "":
        return None, None
    if text_format:
        return {"stringValue": text}, None
    if text.startswith("'"):
        return {"stringValue": text[1:]}, None
    if text.startswith("=") and len(text) > 1:
        return {"formulaValue": text}, None
    stripped = text.strip()
    if stripped.upper() in ("TRUE", "FALSE"):
        return {"boolValue": stripped.upper() == "TRUE"}, None
    number = _parse_number(stripped)
    if number is not None:
        return {"numberValue": number[0]}, number[1]
    date = _parse_date(stripped)
    if date is not None:
        return {"numberValue": date[0]}, date[1]
    if stripped[:1] in "+-" and len(stripped) > 1:  # Sheets reads a leading + or - as the start of a formula
        return {"formulaValue": "=" + stripped}, None
    return {"stringValue": text}, None


def _check_length(value: JSON) -> None:
    for key in ("stringValue", "formulaValue"):
        if isinstance(value.get(key), str) and len(value[key]) > MAX_CELL_CHARS:
            raise invalid(f"Your input contains more than the maximum of {MAX_CELL_CHARS} characters in a single cell.")


def entered_cell(old: JSON, raw: Any, input_option: str, where: str) -> JSON | None:
    """The cell after values.update writes `raw` into it; None means "leave the cell as it is"."""
    if raw is None:
        return None
    cell = dict(old)
    if isinstance(raw, bool):
        value: JSON | None = {"boolValue": raw}
        auto = None
    elif isinstance(raw, int | float):
        value, auto = {"numberValue": float(raw)}, None
    elif isinstance(raw, str):
        if input_option == "RAW":
            value, auto = ({"stringValue": raw} if raw != "" else None), None
        else:
            number_format = (old.get("userEnteredFormat") or {}).get("numberFormat") or {}
            value, auto = parse_entered(raw, number_format.get("type") == "TEXT")
    else:
        kind = "list_value" if isinstance(raw, list) else "struct_value"
        raise invalid(f"Invalid values{where}: {kind}")
    if value is None:
        cell.pop("userEnteredValue", None)
        return cell
    _check_length(value)
    cell["userEnteredValue"] = value
    if auto is not None and not (old.get("userEnteredFormat") or {}).get("numberFormat"):
        fmt = copy.deepcopy(old.get("userEnteredFormat") or {})
        fmt["numberFormat"] = auto
        cell["userEnteredFormat"] = fmt
    return cell


def cell_data_out(cell: JSON) -> JSON:
    """CellData as spreadsheets.get answers it."""
    out: JSON = {}
    if cell.get("userEnteredValue"):
        out["userEnteredValue"] = copy.deepcopy(cell["userEnteredValue"])
        value = effective_value(cell)
        assert value is not None
        out["effectiveValue"] = value
        out["formattedValue"] = formatted_value(cell, value)
    for key in ("userEnteredFormat", "dataValidation", "note", "textFormatRuns", "hyperlink"):
        if cell.get(key):
            out[key] = copy.deepcopy(cell[key])
    return out


# ----------------------------------------------------------------------------------------------------------
# Field masks: "userEnteredValue,userEnteredFormat.backgroundColor", "userEnteredFormat(numberFormat)", "a/b", "*"


def parse_mask(mask: str) -> list[list[str]]:
    paths: list[list[str]] = []

    def parse(i: int, prefix: list[str]) -> int:
        name = ""
        while i < len(mask):
            ch = mask[i]
            if ch == ",":
                if name.strip():
                    paths.append(prefix + re.split(r"[./]", name.strip()))
                name = ""
                i += 1
            elif ch == "(":
                i = parse(i + 1, prefix + re.split(r"[./]", name.strip()))
                name = ""
                while i < len(mask) and mask[i] not in ",)":
                    i += 1
            elif ch == ")":
                if name.strip():
                    paths.append(prefix + re.split(r"[./]", name.strip()))
                return i + 1
            else:
                name += ch
                i += 1
        if name.strip():
            paths.append(prefix + re.split(r"[./]", name.strip()))
        return i

    parse(0, [])
    return paths


def apply_mask(target: JSON, source: JSON, paths: list[list[str]], everything: Sequence[str]) -> JSON:
    """A copy of `target` with each masked path taken from `source` (and cleared where `source` lacks it)."""
    result = copy.deepcopy(target)
    for path in paths:
        if path == ["*"]:
            for key in everything:
                if key in source:
                    result[key] = copy.deepcopy(source[key])
                else:
                    result.pop(key, None)
            continue
        src: Any = source
        for key in path:
            src = src.get(key) if isinstance(src, dict) else None
        node = result
        for key in path[:-1]:
            if not isinstance(node.get(key), dict):
                node[key] = {}
            node = node[key]
        if src is None:
            node.pop(path[-1], None)
        else:
            node[path[-1]] = copy.deepcopy(src)
    return _prune(result)


def _prune(node: JSON) -> JSON:
    out: JSON = {}
    for key, value in node.items():
        if isinstance(value, dict) and key != "userEnteredValue":
            value = _prune(value)
            if not value and not key.endswith("Color"):  # an empty Color is black (proto3 leaves zeros out)
                continue
        out[key] = value
    return out


# ----------------------------------------------------------------------------------------------------------
# spreadsheets.batchUpdate


@dataclass
class Ctx:
    index: int
    kind: str

    def error(self, message: str) -> SheetsError:
        return invalid(f"Invalid requests[{self.index}].{self.kind}: {message}")


def _int(value: Any, ctx: Ctx, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ctx.error(f"{name} must be an integer")
    try:
        number = int(value)
    except ValueError:
        raise ctx.error(f"{name} must be an integer") from None
    if number < 0:
        raise ctx.error(f"{name} must be >= 0")
    return number


def _sheet(book: Book, sheet_id: Any, ctx: Ctx) -> Sheet:
    sheet = book.sheet_by_id(_int(sheet_id if sheet_id is not None else 0, ctx, "sheetId"))
    if sheet is None:
        raise ctx.error(f"No grid with id: {sheet_id or 0}")
    return sheet


def grid_range(book: Book, gr: Any, ctx: Ctx) -> Area:
    if not isinstance(gr, dict):
        raise ctx.error("range must be a GridRange")
    sheet = _sheet(book, gr.get("sheetId"), ctx)
    r0 = _int(gr.get("startRowIndex", 0), ctx, "startRowIndex")
    c0 = _int(gr.get("startColumnIndex", 0), ctx, "startColumnIndex")
    r1 = _int(gr["endRowIndex"], ctx, "endRowIndex") if "endRowIndex" in gr else sheet.row_count
    c1 = _int(gr["endColumnIndex"], ctx, "endColumnIndex") if "endColumnIndex" in gr else sheet.col_count
    if r1 < r0 or c1 < c0:
        raise ctx.error("The start index must be less than or equal to the end index.")
    if r1 > sheet.row_count or c1 > sheet.col_count:
        shown = a1(sheet.title, min(r0, r1 - 1), min(c0, c1 - 1), r1, c1) if r1 > r0 and c1 > c0 else sheet.title
        raise ctx.error(f"Range ({shown}) exceeds grid limits. Max rows: {sheet.row_count}, max columns: {sheet.col_count}")
    return Area(sheet, r0, c0, r1, c1, False, "endRowIndex" in gr, "endColumnIndex" in gr)


def _cell_input(data: Any, ctx: Ctx) -> JSON:
    """Checks a CellData sent by the client and returns its writable part."""
    if not isinstance(data, dict):
        raise ctx.error("CellData must be an object")
    for key in data:
        if key not in CELL_FIELDS and key not in READ_ONLY_CELL_FIELDS and key not in ("pivotTable", "chipRuns"):
            raise invalid(f'Invalid JSON payload received. Unknown name "{key}" at \'requests[{ctx.index}].{ctx.kind}\': '
                          "Cannot find field.")
    out = {k: copy.deepcopy(v) for k, v in data.items() if k in CELL_FIELDS}
    value = out.get("userEnteredValue")
    if value is not None:
        if not isinstance(value, dict):
            raise ctx.error("userEnteredValue must be an ExtendedValue")
        kinds = [k for k in value if k in VALUE_KINDS or k == "errorValue"]
        unknown = [k for k in value if k not in VALUE_KINDS and k != "errorValue"]
        if unknown:
            raise invalid(f'Invalid JSON payload received. Unknown name "{unknown[0]}" at '
                          f"'requests[{ctx.index}].{ctx.kind}': Cannot find field.")
        if len(kinds) > 1:
            raise invalid(f"Invalid value at 'requests[{ctx.index}].{ctx.kind}' (oneof), oneof field 'value' is already set. "
                          f"Cannot set '{kinds[1]}'")
        if "errorValue" in value:
            raise ctx.error("errorValue cannot be set")
        if kinds:
            kind = kinds[0]
            raw = value[kind]
            if kind == "numberValue":
                if isinstance(raw, bool):
                    raise invalid(f"Invalid value at 'requests[{ctx.index}].{ctx.kind}' (TYPE_DOUBLE), {raw}")
                try:
                    out["userEnteredValue"] = {"numberValue": float(raw)}
                except (TypeError, ValueError):
                    raise invalid(f"Invalid value at 'requests[{ctx.index}].{ctx.kind}' (TYPE_DOUBLE), \"{raw}\"") from None
            elif kind == "boolValue" and not isinstance(raw, bool):
                raise invalid(f"Invalid value at 'requests[{ctx.index}].{ctx.kind}' (TYPE_BOOL), \"{raw}\"")
            elif kind in ("stringValue", "formulaValue") and not isinstance(raw, str):
                raise invalid(f"Invalid value at 'requests[{ctx.index}].{ctx.kind}' (TYPE_STRING), {json.dumps(raw)}")
            if kind == "formulaValue" and not str(out["userEnteredValue"]["formulaValue"]).startswith("="):
                raise ctx.error("formulaValue must start with '='")
            _check_length(out["userEnteredValue"])
        else:
            out.pop("userEnteredValue")
    return out


def _mask(req: JSON, ctx: Ctx) -> list[list[str]]:
    fields = req.get("fields")
    if not fields or not isinstance(fields, str):
        raise ctx.error("At least one field must be specified.")
    paths = parse_mask(fields)
    for path in paths:
        if path != ["*"] and path[0] not in CELL_FIELDS and path[0] not in READ_ONLY_CELL_FIELDS:
            raise ctx.error(f"Invalid field mask: {fields}")
    return [p for p in paths if p[0] not in READ_ONLY_CELL_FIELDS]


def _write_cell(sheet: Sheet, r: int, c: int, data: JSON, paths: list[list[str]]) -> None:
    sheet.put(r, c, apply_mask(sheet.cell(r, c), data, paths, CELL_FIELDS))


def _rows(req: JSON, ctx: Ctx) -> list[list[JSON]]:
    rows = req.get("rows", [])
    if not isinstance(rows, list):
        raise ctx.error("rows must be a list")
    out = []
    for row in rows:
        if not isinstance(row, dict):
            raise ctx.error("RowData must be an object")
        values = row.get("values", [])
        if not isinstance(values, list):
            raise ctx.error("values must be a list")
        out.append([_cell_input(v, ctx) for v in values])
    return out


def req_update_cells(book: Book, req: JSON, ctx: Ctx) -> JSON | None:
    paths = _mask(req, ctx)
    rows = _rows(req, ctx)
    if "range" in req and "start" in req:
        raise invalid(f"Invalid value at 'requests[{ctx.index}].update_cells' (oneof), oneof field 'area' is already set. "
                      "Cannot set 'range'")
    if "range" in req:
        area = grid_range(book, req["range"], ctx)
        for i, row in enumerate(rows):
            if area.r0 + i >= area.r1:
                raise ctx.error(f"Attempting to write row: {area.r0 + i}, beyond the last requested row of: {area.r1 - 1}")
            for j in range(len(row)):
                if area.c0 + j >= area.c1:
                    raise ctx.error(f"Attempting to write column: {area.c0 + j}, beyond the last requested column of: "
                                    f"{area.c1 - 1}")
        for r in range(area.r0, area.r1):  # cells the rows do not cover have the masked fields cleared
            row = rows[r - area.r0] if r - area.r0 < len(rows) else []
            for c in range(area.c0, area.c1):
                j = c - area.c0
                _write_cell(area.sheet, r, c, row[j] if j < len(row) else {}, paths)
        return None
    start = req.get("start") or {}
    if not isinstance(start, dict):
        raise ctx.error("start must be a GridCoordinate")
    sheet = _sheet(book, start.get("sheetId"), ctx)
    r0 = _int(start.get("rowIndex", 0), ctx, "rowIndex")
    c0 = _int(start.get("columnIndex", 0), ctx, "columnIndex")
    for i, row in enumerate(rows):
        if r0 + i >= sheet.row_count:
            raise ctx.error(f"GridCoordinate.rowIndex[{r0 + i}] is after last row in grid[{sheet.row_count - 1}]")
        if c0 + len(row) > sheet.col_count:
            raise ctx.error(f"GridCoordinate.columnIndex[{c0 + len(row) - 1}] is after last column in grid"
                            f"[{sheet.col_count - 1}]")
    for i, row in enumerate(rows):
        for j, data in enumerate(row):
            _write_cell(sheet, r0 + i, c0 + j, data, paths)
    return None


def req_append_cells(book: Book, req: JSON, ctx: Ctx) -> JSON | None:
    paths = _mask(req, ctx)
    rows = _rows(req, ctx)
    sheet = _sheet(book, req.get("sheetId"), ctx)
    start = sheet.last_row_with_value() + 1
    for row in rows:
        if len(row) > sheet.col_count:
            raise ctx.error(f"GridCoordinate.columnIndex[{len(row) - 1}] is after last column in grid[{sheet.col_count - 1}]")
    missing = start + len(rows) - sheet.row_count
    if missing > 0:
        sheet.resize(sheet.row_count + missing, sheet.col_count)
    for i, row in enumerate(rows):
        for j, data in enumerate(row):
            _write_cell(sheet, start + i, j, data, paths)
    return None


def _dimension(value: Any, ctx: Ctx) -> str:
    if value not in ("ROWS", "COLUMNS"):
        raise ctx.error(f"Invalid dimension: {value}")
    return str(value)


def req_append_dimension(book: Book, req: JSON, ctx: Ctx) -> JSON | None:
    sheet = _sheet(book, req.get("sheetId"), ctx)
    dimension = _dimension(req.get("dimension"), ctx)
    length = _int(req.get("length", 0), ctx, "length")
    if length < 1:
        raise ctx.error("length must be greater than 0")
    if dimension == "ROWS":
        sheet.resize(sheet.row_count + length, sheet.col_count)
    else:
        sheet.resize(sheet.row_count, sheet.col_count + length)
    return None


def _dimension_range(book: Book, rng: Any, ctx: Ctx) -> tuple[Sheet, str, int, int]:
    if not isinstance(rng, dict):
        raise ctx.error("range must be a DimensionRange")
    sheet = _sheet(book, rng.get("sheetId"), ctx)
    dimension = _dimension(rng.get("dimension"), ctx)
    count = sheet.row_count if dimension == "ROWS" else sheet.col_count
    start = _int(rng.get("startIndex", 0), ctx, "startIndex")
    end = _int(rng["endIndex"], ctx, "endIndex") if "endIndex" in rng else count
    if end < start:
        raise ctx.error("The start index must be less than or equal to the end index.")
    return sheet, dimension, start, end


def req_insert_dimension(book: Book, req: JSON, ctx: Ctx) -> JSON | None:
    sheet, dimension, start, end = _dimension_range(book, req.get("range"), ctx)
    count = sheet.row_count if dimension == "ROWS" else sheet.col_count
    if start > count:
        raise ctx.error(f"Cannot insert at index {start}: the sheet has only {count} {dimension.lower()}.")
    if end == start:
        raise ctx.error("The range must be non-empty.")
    inherit = bool(req.get("inheritFromBefore"))
    if inherit and start == 0:
        raise ctx.error("Cannot inherit from before when inserting at index 0.")
    source = (start - 1 if inherit else (start if start < count else None))
    if dimension == "ROWS":
        sheet.insert_rows(start, end - start, source)
    else:
        sheet.insert_cols(start, end - start, source)
    return None


def req_delete_dimension(book: Book, req: JSON, ctx: Ctx) -> JSON | None:
    sheet, dimension, start, end = _dimension_range(book, req.get("range"), ctx)
    count = sheet.row_count if dimension == "ROWS" else sheet.col_count
    if end > count:
        raise ctx.error(f"Cannot delete {dimension.lower()} past index {count}.")
    if start == 0 and end >= count:
        raise ctx.error(f"You can't delete all the {dimension.lower()} on the sheet.")
    if dimension == "ROWS":
        sheet.delete_rows(start, end)
        frozen = sheet.props["gridProperties"].get("frozenRowCount", 0)
        if frozen > start:
            sheet.props["gridProperties"]["frozenRowCount"] = max(start, frozen - (min(end, frozen) - start))
    else:
        sheet.delete_cols(start, end)
    return None


def _check_title(book: Book, title: Any, ctx: Ctx, sheet: Sheet | None = None) -> str:
    if not isinstance(title, str) or not title.strip():
        raise ctx.error("The sheet name cannot be empty.")
    for other in book.sheets:
        if other is not sheet and other.title.lower() == title.lower():
            raise ctx.error(f'A sheet with the name "{title}" already exists. Please enter another name.')
    return title


def _check_grid(sheet: Sheet, grid: JSON, ctx: Ctx) -> None:
    rows = grid.get("rowCount", sheet.row_count)
    cols = grid.get("columnCount", sheet.col_count)
    if _int(rows, ctx, "rowCount") < 1 or _int(cols, ctx, "columnCount") < 1:
        raise ctx.error("A sheet must have at least one row and one column.")
    if _int(grid.get("frozenRowCount", 0), ctx, "frozenRowCount") >= rows:
        raise ctx.error("You can't freeze all visible rows on the sheet.")
    if _int(grid.get("frozenColumnCount", 0), ctx, "frozenColumnCount") >= cols:
        raise ctx.error("You can't freeze all visible columns on the sheet.")


def req_add_sheet(book: Book, req: JSON, ctx: Ctx) -> JSON | None:
    props = copy.deepcopy(req.get("properties") or {})
    if not isinstance(props, dict):
        raise ctx.error("properties must be SheetProperties")
    sheet_id = props.get("sheetId")
    if sheet_id is None:
        sheet_id = book.new_sheet_id()
    elif book.sheet_by_id(_int(sheet_id, ctx, "sheetId")) is not None:
        raise ctx.error(f"A sheet with the id {sheet_id} already exists. Please enter another id.")
    n = len(book.sheets) + 1
    while book.sheet_by_title(f"Sheet{n}") is not None:
        n += 1
    title = _check_title(book, props.get("title", f"Sheet{n}"), ctx)
    grid = props.get("gridProperties") or {}
    sheet = Sheet(int(sheet_id), title, _int(grid.get("rowCount", DEFAULT_ROWS), ctx, "rowCount"),
                  _int(grid.get("columnCount", DEFAULT_COLUMNS), ctx, "columnCount"))
    _check_grid(sheet, grid, ctx)
    for key, value in props.items():
        if key not in ("sheetId", "title", "index", "gridProperties", "sheetType"):
            sheet.props[key] = value
    sheet.props["gridProperties"] = {k: v for k, v in grid.items() if k not in ("rowCount", "columnCount")}
    index = _int(props.get("index", len(book.sheets)), ctx, "index")
    book.sheets.insert(min(index, len(book.sheets)), sheet)
    book.reindex()
    return {"addSheet": {"properties": sheet.properties()}}


def req_delete_sheet(book: Book, req: JSON, ctx: Ctx) -> JSON | None:
    sheet = _sheet(book, req.get("sheetId"), ctx)
    if len(book.sheets) == 1:
        raise ctx.error("You can't remove all the sheets in a document.")
    book.sheets.remove(sheet)
    book.reindex()
    return None


SHEET_FIELDS = ("sheetId", "title", "index", "sheetType", "gridProperties", "hidden", "tabColor", "tabColorStyle",
                "rightToLeft", "dataSourceSheetProperties")


def req_update_sheet_properties(book: Book, req: JSON, ctx: Ctx) -> JSON | None:
    props = req.get("properties")
    if not isinstance(props, dict):
        raise ctx.error("properties must be SheetProperties")
    sheet = _sheet(book, props.get("sheetId"), ctx)
    fields = req.get("fields")
    if not fields or not isinstance(fields, str):
        raise ctx.error("At least one field must be specified.")
    paths = parse_mask(fields)
    for path in paths:
        if path != ["*"] and path[0] not in SHEET_FIELDS:
            raise ctx.error(f"Invalid field mask: {fields}")
        if path[0] == "sheetId" or path[0] == "sheetType":
            raise ctx.error(f"{path[0]} cannot be changed")
    current = sheet.properties()
    updated = apply_mask(current, props, paths, [f for f in SHEET_FIELDS if f not in ("sheetId", "sheetType")])
    updated["sheetId"], updated["sheetType"] = sheet.sheet_id, "GRID"
    grid = updated.get("gridProperties") or {}
    grid.setdefault("rowCount", sheet.row_count)
    grid.setdefault("columnCount", sheet.col_count)
    _check_grid(sheet, grid, ctx)
    updated["title"] = _check_title(book, updated.get("title", sheet.title), ctx, sheet)
    sheet.resize(int(grid["rowCount"]), int(grid["columnCount"]))
    sheet.props = {k: v for k, v in updated.items() if k != "gridProperties"}
    sheet.props["gridProperties"] = {k: v for k, v in grid.items() if k not in ("rowCount", "columnCount")}
    if "index" in props and any(p[0] == "index" or p == ["*"] for p in paths):
        target = _int(props["index"], ctx, "index")
        position = book.sheets.index(sheet)
        if target not in (position, position + 1):
            book.sheets.remove(sheet)
            book.sheets.insert(min(target if target < position else target - 1, len(book.sheets)), sheet)
    book.reindex()
    return None


CONDITION_TYPES = {"NUMBER_GREATER", "NUMBER_GREATER_THAN_EQ", "NUMBER_LESS", "NUMBER_LESS_THAN_EQ", "NUMBER_EQ",
                   "NUMBER_NOT_EQ", "NUMBER_BETWEEN", "NUMBER_NOT_BETWEEN", "TEXT_CONTAINS", "TEXT_NOT_CONTAINS",
                   "TEXT_STARTS_WITH", "TEXT_ENDS_WITH", "TEXT_EQ", "TEXT_IS_EMAIL", "TEXT_IS_URL", "DATE_EQ",
                   "DATE_BEFORE", "DATE_AFTER", "DATE_ON_OR_BEFORE", "DATE_ON_OR_AFTER", "DATE_BETWEEN",
                   "DATE_NOT_BETWEEN", "DATE_IS_VALID", "ONE_OF_RANGE", "ONE_OF_LIST", "BLANK", "NOT_BLANK",
                   "CUSTOM_FORMULA", "BOOLEAN", "TEXT_NOT_EQ", "DATE_NOT_EQ", "FILTER_EXPRESSION"}


def req_set_data_validation(book: Book, req: JSON, ctx: Ctx) -> JSON | None:
    area = grid_range(book, req.get("range"), ctx)
    rule = req.get("rule")
    if rule is not None:
        if not isinstance(rule, dict) or not isinstance(rule.get("condition"), dict):
            raise ctx.error("rule.condition is required")
        condition = rule["condition"]
        kind = condition.get("type")
        if kind not in CONDITION_TYPES:
            raise invalid(f"Invalid value at 'requests[{ctx.index}].set_data_validation.rule.condition.type' "
                          f"(type.googleapis.com/google.apps.sheets.v4.ConditionType), \"{kind}\"")
        if kind in ("ONE_OF_LIST", "ONE_OF_RANGE") and not condition.get("values"):
            raise ctx.error(f"ConditionType '{kind}' requires at least one ConditionValue.")
    for r in range(area.r0, area.r1):
        for c in range(area.c0, area.c1):
            cell = dict(area.sheet.cell(r, c))
            if rule is None:
                cell.pop("dataValidation", None)
            else:
                cell["dataValidation"] = copy.deepcopy(rule)
            area.sheet.put(r, c, cell)
    return None


def _stored_range(area: Area) -> JSON:
    return {"sheetId": area.sheet.sheet_id, "startRowIndex": area.r0, "endRowIndex": area.r1,
            "startColumnIndex": area.c0, "endColumnIndex": area.c1}


def req_set_basic_filter(book: Book, req: JSON, ctx: Ctx) -> JSON | None:
    flt = req.get("filter")
    if not isinstance(flt, dict) or "range" not in flt:
        raise ctx.error("filter.range is required")
    area = grid_range(book, flt["range"], ctx)
    stored = copy.deepcopy(flt)
    stored["range"] = _stored_range(area)
    area.sheet.basic_filter = stored
    return None


def req_clear_basic_filter(book: Book, req: JSON, ctx: Ctx) -> JSON | None:
    _sheet(book, req.get("sheetId"), ctx).basic_filter = None
    return None


def req_repeat_cell(book: Book, req: JSON, ctx: Ctx) -> JSON | None:
    paths = _mask(req, ctx)
    area = grid_range(book, req.get("range"), ctx)
    data = _cell_input(req.get("cell") or {}, ctx)
    for r in range(area.r0, area.r1):
        for c in range(area.c0, area.c1):
            _write_cell(area.sheet, r, c, data, paths)
    return None


def _chart_sheet(book: Book, chart: JSON) -> Sheet:
    position = chart.get("position") or {}
    anchor = (position.get("overlayPosition") or {}).get("anchorCell") or {}
    for candidate in (anchor.get("sheetId"), position.get("sheetId")):
        if candidate is not None and book.sheet_by_id(int(candidate)) is not None:
            found = book.sheet_by_id(int(candidate))
            assert found is not None
            return found
    return book.sheets[0]


def req_add_chart(book: Book, req: JSON, ctx: Ctx) -> JSON | None:
    chart = copy.deepcopy(req.get("chart"))
    if not isinstance(chart, dict) or not isinstance(chart.get("spec"), dict):
        raise ctx.error("chart.spec is required")
    if "chartId" in chart:
        chart_id = _int(chart["chartId"], ctx, "chartId")
        if any(c["chartId"] == chart_id for s in book.sheets for c in s.charts):
            raise ctx.error(f"An object with id {chart_id} already exists.")
    else:
        chart_id = book.next_chart_id
        book.next_chart_id += 1
    chart["chartId"] = chart_id
    chart.setdefault("position", {"newSheet": True})
    _chart_sheet(book, chart).charts.append(chart)
    return {"addChart": {"chart": copy.deepcopy(chart)}}


def _find_chart(book: Book, chart_id: Any, ctx: Ctx) -> tuple[Sheet, JSON]:
    for sheet in book.sheets:
        for chart in sheet.charts:
            if chart["chartId"] == chart_id:
                return sheet, chart
    raise ctx.error(f"No chart with id: {chart_id}")


def req_update_chart_spec(book: Book, req: JSON, ctx: Ctx) -> JSON | None:
    _, chart = _find_chart(book, req.get("chartId"), ctx)
    if not isinstance(req.get("spec"), dict):
        raise ctx.error("spec is required")
    chart["spec"] = copy.deepcopy(req["spec"])
    return None


def req_delete_embedded_object(book: Book, req: JSON, ctx: Ctx) -> JSON | None:
    sheet, chart = _find_chart(book, req.get("objectId"), ctx)
    sheet.charts.remove(chart)
    return None


def req_update_dimension_properties(book: Book, req: JSON, ctx: Ctx) -> JSON | None:
    sheet, dimension, start, end = _dimension_range(book, req.get("range"), ctx)
    count = sheet.row_count if dimension == "ROWS" else sheet.col_count
    if end > count:
        raise ctx.error(f"Range exceeds grid limits: {dimension.lower()} {end} > {count}")
    fields = req.get("fields")
    if not fields or not isinstance(fields, str):
        raise ctx.error("At least one field must be specified.")
    props = req.get("properties") or {}
    allowed = ("pixelSize", "hiddenByUser", "hiddenByFilter", "developerMetadata")
    paths = parse_mask(fields)
    for path in paths:
        if path != ["*"] and path[0] not in allowed:
            raise ctx.error(f"Invalid field mask: {fields}")
    for i in range(start, end):
        if dimension == "ROWS":
            sheet.rows[i].meta = apply_mask(sheet.rows[i].meta, props, paths, allowed)
        else:
            sheet.col_meta[i] = apply_mask(sheet.col_meta[i], props, paths, allowed)
    return None


def req_auto_resize_dimensions(book: Book, req: JSON, ctx: Ctx) -> JSON | None:
    _dimension_range(book, req.get("dimensions"), ctx)  # checked, nothing to measure
    return None


REQUEST_KINDS: dict[str, Callable[[Book, JSON, Ctx], JSON | None]] = {
    "updateCells": req_update_cells,
    "appendCells": req_append_cells,
    "appendDimension": req_append_dimension,
    "insertDimension": req_insert_dimension,
    "deleteDimension": req_delete_dimension,
    "addSheet": req_add_sheet,
    "deleteSheet": req_delete_sheet,
    "updateSheetProperties": req_update_sheet_properties,
    "setDataValidation": req_set_data_validation,
    "setBasicFilter": req_set_basic_filter,
    "clearBasicFilter": req_clear_basic_filter,
    "repeatCell": req_repeat_cell,
    "addChart": req_add_chart,
    "updateChartSpec": req_update_chart_spec,
    "deleteEmbeddedObject": req_delete_embedded_object,
    "updateDimensionProperties": req_update_dimension_properties,
    "autoResizeDimensions": req_auto_resize_dimensions,
}
# Request kinds Google knows that this fake does not model: answered 501, never silently accepted.
KNOWN_UNMODELLED = {"updateSpreadsheetProperties", "updateBorders", "mergeCells", "unmergeCells", "copyPaste", "cutPaste",
                    "findReplace", "sortRange", "addConditionalFormatRule", "updateConditionalFormatRule",
                    "deleteConditionalFormatRule", "addProtectedRange", "updateProtectedRange", "deleteProtectedRange",
                    "addNamedRange", "updateNamedRange", "deleteNamedRange", "duplicateSheet", "pasteData",
                    "textToColumns", "addBanding", "updateBanding", "deleteBanding", "addFilterView",
                    "updateFilterView", "deleteFilterView", "duplicateFilterView", "moveDimension",
                    "updateEmbeddedObjectPosition", "deleteRange", "insertRange", "autoFill", "randomizeRange",
                    "deleteDuplicates", "trimWhitespace", "addSlicer", "updateSlicerSpec", "createDeveloperMetadata",
                    "updateDeveloperMetadata", "deleteDeveloperMetadata", "addDimensionGroup", "deleteDimensionGroup",
                    "updateDimensionGroup", "setBasicFilterAndSort", "addTable", "updateTable", "deleteTable"}


def batch_update(book: Book, body: Any) -> tuple[Book, JSON]:
    """Applies every request to a copy; the caller keeps the copy only when all of them succeeded."""
    if not isinstance(body, dict):
        raise invalid("Invalid JSON payload received. Expected an object.")
    for key in body:
        if key not in ("requests", "includeSpreadsheetInResponse", "responseRanges", "responseIncludeGridData"):
            raise invalid(f'Invalid JSON payload received. Unknown name "{key}": Cannot find field.')
    requests = body.get("requests")
    if not isinstance(requests, list) or not requests:
        raise invalid("Must specify at least one request.")
    work = book.clone()
    replies: list[JSON] = []
    for i, request in enumerate(requests):
        if not isinstance(request, dict) or not request:
            raise invalid(f"Invalid requests[{i}]: No request set.")
        kinds = list(request)
        for kind in kinds:
            if kind not in REQUEST_KINDS and kind not in KNOWN_UNMODELLED:
                raise invalid(f'Invalid JSON payload received. Unknown name "{kind}" at \'requests[{i}]\': Cannot find field.')
        if len(kinds) > 1:
            raise invalid(f"Invalid value at 'requests[{i}]' (oneof), oneof field 'kind' is already set. "
                          f"Cannot set '{kinds[1]}'")
        kind = kinds[0]
        if kind in KNOWN_UNMODELLED:
            raise SheetsError(501, f"requests[{i}].{kind} is not modelled by this test server", "NOT_IMPLEMENTED")
        payload = request[kind]
        if not isinstance(payload, dict):
            raise invalid(f"Invalid value at 'requests[{i}].{kind}', expected an object")
        replies.append(REQUEST_KINDS[kind](work, payload, Ctx(i, kind)) or {})
    if work.cell_total() > MAX_CELLS:
        raise invalid(f"Invalid requests[{len(requests) - 1}]: This action would increase the number of cells in the "
                      f"workbook above the limit of {MAX_CELLS} cells.")
    return work, {"spreadsheetId": book.id, "replies": replies}


# ----------------------------------------------------------------------------------------------------------
# spreadsheets.get and spreadsheets.values.*


def grid_data(area: Area) -> JSON:
    sheet = area.sheet
    last = -1
    for r in range(area.r1 - 1, area.r0 - 1, -1):
        if any(area.c0 <= c < area.c1 for c in sheet.rows[r].cells):
            last = r
            break
    rows: list[JSON] = []
    for r in range(area.r0, last + 1):
        cells = sheet.rows[r].cells
        used = [c for c in cells if area.c0 <= c < area.c1]
        if not used:
            rows.append({})
            continue
        rows.append({"values": [cell_data_out(cells.get(c, {})) for c in range(area.c0, max(used) + 1)]})
    data: JSON = {}
    if area.r0:
        data["startRow"] = area.r0
    if area.c0:
        data["startColumn"] = area.c0
    if rows:
        data["rowData"] = rows
    data["rowMetadata"] = [{"pixelSize": ROW_PIXELS, **sheet.rows[r].meta} for r in range(area.r0, area.r1)]
    data["columnMetadata"] = [{"pixelSize": COLUMN_PIXELS, **sheet.col_meta[c]} for c in range(area.c0, area.c1)]
    return data


def spreadsheet_resource(book: Book, ranges: Sequence[str], with_data: bool) -> JSON:
    wanted: dict[int, list[Area]] = {}
    for text in ranges:
        area = resolve_a1(book, text)
        wanted.setdefault(area.sheet.sheet_id, []).append(area)
    sheets = []
    for sheet in book.sheets:
        if ranges and sheet.sheet_id not in wanted:
            continue
        out: JSON = {"properties": sheet.properties()}
        if with_data:
            areas = wanted.get(sheet.sheet_id) or [Area(sheet, 0, 0, sheet.row_count, sheet.col_count)]
            out["data"] = [grid_data(area) for area in areas]
        if sheet.basic_filter:
            out["basicFilter"] = copy.deepcopy(sheet.basic_filter)
        if sheet.charts:
            out["charts"] = copy.deepcopy(sheet.charts)
        sheets.append(out)
    return {"spreadsheetId": book.id, "properties": copy.deepcopy(book.properties), "sheets": sheets,
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{book.id}/edit"}


def _option(query: dict[str, list[str]], name: str, default: str, allowed: Sequence[str]) -> str:
    value = (query.get(name) or [default])[0] or default
    if value not in allowed:
        raise invalid(f"Invalid value at '{name[0].lower() + name[1:]}' "
                      f"(type.googleapis.com/google.apps.sheets.v4.{name[0].upper() + name[1:]}), \"{value}\"")
    return value


def value_range(book: Book, text: str, query: dict[str, list[str]]) -> JSON:
    area = resolve_a1(book, text)
    option = _option(query, "valueRenderOption", "FORMATTED_VALUE", ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA"))
    date_option = _option(query, "dateTimeRenderOption", "SERIAL_NUMBER", ("SERIAL_NUMBER", "FORMATTED_STRING"))
    major = _option(query, "majorDimension", "ROWS", ("ROWS", "COLUMNS", "DIMENSION_UNSPECIFIED"))
    major = "ROWS" if major == "DIMENSION_UNSPECIFIED" else major
    last = area.r0 - 1  # rows past the last one holding a cell in the range are empty: no need to walk them
    for r in range(area.r1 - 1, area.r0 - 1, -1):
        if any(area.c0 <= c < area.c1 for c in area.sheet.rows[r].cells):
            last = r
            break
    grid: list[list[Any]] = []
    for r in range(area.r0, last + 1):
        cells = area.sheet.rows[r].cells
        grid.append([render(cells[c], option, date_option) if c in cells else None for c in range(area.c0, area.c1)])
    if major == "COLUMNS":
        grid = [list(col) for col in zip(*grid, strict=True)] if grid else []
    values: list[list[Any]] = []
    for line in grid:  # trailing empty cells and rows are left out, middle ones are ""
        while line and line[-1] in (None, ""):
            line.pop()
        values.append(["" if v is None else v for v in line])
    while values and not values[-1]:
        values.pop()
    out: JSON = {"range": area.a1(), "majorDimension": major}
    if values:
        out["values"] = values
    return out


def write_values(book: Book, text: str, body: Any, input_option: str, *, append: str | None = None) -> JSON:
    """values.update (and the writing half of values.append): one ValueRange into one range."""
    if not isinstance(body, dict):
        raise invalid("Invalid JSON payload received. Expected an object.")
    values = body.get("values") or []
    if not isinstance(values, list) or not all(isinstance(row, list) for row in values):
        raise invalid("Invalid JSON payload received. 'values' must be a list of lists.")
    major = body.get("majorDimension") or "ROWS"
    if major == "COLUMNS":
        width = max((len(col) for col in values), default=0)
        values = [[col[i] if i < len(col) else None for col in values] for i in range(width)]
    area = resolve_a1(book, text)
    sheet = area.sheet
    r0, c0 = area.r0, area.c0
    height, width = len(values), max((len(row) for row in values), default=0)
    table_range = None
    if append is not None:
        last = sheet.last_row_with_value(area.c0, area.c1)
        if last >= area.r0:
            table_range = a1(sheet.title, area.r0, area.c0, last + 1, area.c1)
        r0 = max(last + 1, area.r0)
        if append == "INSERT_ROWS" and r0 < sheet.row_count:
            sheet.insert_rows(r0, height)
        elif r0 + height > sheet.row_count:
            sheet.resize(r0 + height, sheet.col_count)
        if c0 + width > sheet.col_count:
            raise grid_limit_error(a1(sheet.title, r0, c0, r0 + max(height, 1), c0 + width), sheet)
    elif not area.single:
        if area.bounded_rows and height > area.r1 - area.r0:
            raise invalid(f"Requested writing within range [{area.a1()}], but tried writing to row [{area.r0 + height}]")
        if area.bounded_cols and width > area.c1 - area.c0:
            raise invalid(f"Requested writing within range [{area.a1()}], but tried writing to column "
                          f"[{column_letters(area.c0 + width - 1)}]")
    if r0 + height > sheet.row_count or c0 + width > sheet.col_count:
        raise grid_limit_error(a1(sheet.title, r0, c0, r0 + height, c0 + width), sheet)
    touched_rows: set[int] = set()
    touched_cols: set[int] = set()
    raw_text = input_option == "RAW"
    for i, row in enumerate(values):
        cells = sheet.rows[r0 + i].cells
        for j, raw in enumerate(row):
            kind = type(raw)
            if (kind is str and raw_text and raw and len(raw) <= MAX_CELL_CHARS) or kind is float or kind is int:
                # what entered_cell and put make of RAW text or a number, without their general path
                cell = dict(cells.get(c0 + j) or {})
                cell["userEnteredValue"] = {"stringValue": raw} if kind is str else {"numberValue": float(raw)}
                cells[c0 + j] = cell
            else:
                entered = entered_cell(sheet.cell(r0 + i, c0 + j), raw, input_option, f"[{i}][{j}]")
                if entered is None:
                    continue
                sheet.put(r0 + i, c0 + j, entered)
            touched_rows.add(i)
            touched_cols.add(j)
    updated: JSON = {"spreadsheetId": book.id}
    if height and width:
        updated["updatedRange"] = a1(sheet.title, r0, c0, r0 + height, c0 + width)
    else:
        updated["updatedRange"] = area.a1()
    cells = sum(1 for row in values for raw in row if raw is not None)
    if cells:
        updated.update({"updatedRows": len(touched_rows), "updatedColumns": len(touched_cols), "updatedCells": cells})
    if append is not None:
        out: JSON = {"spreadsheetId": book.id, "updates": updated}
        if table_range:
            out["tableRange"] = table_range
        return out
    return updated


def _input_option(value: Any) -> str:
    if value not in ("RAW", "USER_ENTERED"):
        if not value:
            raise invalid("Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED")
        raise invalid(f"Invalid value at 'value_input_option' (type.googleapis.com/google.apps.sheets.v4.ValueInputOption), "
                      f'"{value}"')
    return str(value)


def clear_values(book: Book, text: str) -> str:
    area = resolve_a1(book, text)
    for r in range(area.r0, area.r1):
        for c in list(area.sheet.rows[r].cells):
            if area.c0 <= c < area.c1:
                cell = dict(area.sheet.rows[r].cells[c])
                cell.pop("userEnteredValue", None)
                area.sheet.put(r, c, cell)
    return area.a1()


# ----------------------------------------------------------------------------------------------------------
# The server


@dataclass
class _Fault:
    status: int
    retry_after: float | None
    remaining: int
    match: str


@dataclass
class _Key:
    key_id: str
    email: str
    public_key: rsa.RSAPublicKey


def _matches(match: str, path: str) -> bool:
    if path == "/token":  # faults reach the token endpoint only when aimed at it
        return bool(match) and match in path
    return match in path


_SCALARS = frozenset((str, int, float, bool, type(None)))
_COMPACT_LINES = json.JSONEncoder(ensure_ascii=False, separators=(",\n", ": "))
"""json's C encoder with a newline after each comma: a raw newline is never inside an encoded value, so the
newlines mark where the items part."""


def pretty_json(payload: Any) -> str:
    """``json.dumps(payload, ensure_ascii=False, indent=2)``, the same text, with lists of plain values and lists of
    such lists (a ValueRange's rows) encoded by json's C encoder: the pure-Python encoder that `indent` uses takes
    seconds for a 100k-row answer."""
    parts: list[str] = []
    _pretty(payload, 0, parts)
    return "".join(parts)


def _pretty(payload: Any, level: int, out: list[str]) -> None:
    pad = "\n" + "  " * (level + 1)
    end = "\n" + "  " * level
    if isinstance(payload, dict) and payload and all(isinstance(k, str) for k in payload):
        out.append("{")
        for i, (key, value) in enumerate(payload.items()):
            out.append(f"{',' if i else ''}{pad}{json.dumps(key, ensure_ascii=False)}: ")
            _pretty(value, level + 1, out)
        out.append(end + "}")
    elif isinstance(payload, list) and payload:
        kinds = set(map(type, payload))
        if _SCALARS.issuperset(kinds):
            out.append("[" + pad + _COMPACT_LINES.encode(payload)[1:-1].replace(",\n", "," + pad) + end + "]")
        elif kinds == {list} and _SCALARS.issuperset(map(type, itertools.chain.from_iterable(payload))):
            # rows of plain values: encoded at once, then cut at "],\n[" (no encoded value ends with "]")
            inner = "\n" + "  " * (level + 2)
            out.append("[")
            for i, row in enumerate(_COMPACT_LINES.encode(payload)[2:-2].split("],\n[")):
                out.append(f"{',' if i else ''}{pad}[{inner}{row.replace(',' + chr(10), ',' + inner)}{pad}]" if row
                           else f"{',' if i else ''}{pad}[]")
            out.append(end + "]")
        else:
            out.append("[")
            for i, value in enumerate(payload):
                out.append(("," if i else "") + pad)
                _pretty(value, level + 1, out)
            out.append(end + "]")
    else:
        out.append(json.dumps(payload, ensure_ascii=False, indent=2).replace("\n", end))


def _log_entry(record: Recorded) -> JSON:
    """One line of `FakeSheets.request_log`."""
    head = len(f"{record.method} {record.target or record.path} HTTP/1.1\r\n".encode())
    head += sum(len(f"{name}: {value}\r\n".encode()) for name, value in record.headers.items()) + 2
    entry: JSON = {"method": record.method, "path": record.path, "status": record.status, "body": len(record.body),
                   "sent": head + len(record.body), "received": len(record.response), "seconds": record.seconds}
    if record.body and record.method in ("POST", "PUT") and record.path != "/token":
        try:
            payload = record.json()
        except ValueError:
            payload = None
        if isinstance(payload, dict):
            cells = 0
            for request in payload.get("requests") or []:
                for kind in ("updateCells", "appendCells"):
                    for row in ((request or {}).get(kind) or {}).get("rows") or []:
                        cells += len(row.get("values") or [])
            for item in [payload, *(payload.get("data") or [])]:
                cells += sum(len(row) for row in item.get("values") or [] if isinstance(row, list))
            entry["cells"] = cells
    return entry


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


class FakeSheets(LocalServer):
    """The model and its server. Use as a context manager, or call start() and stop()."""

    thread_name = "fake-google-sheets"

    def __init__(self) -> None:
        self.base_url = ""
        self.requests: list[Recorded] = []
        self.server_errors: list[str] = []  # tracebacks of the fake's own bugs (answered as 500 INTERNAL)
        self._books: dict[str, Book] = {}
        self._keys: dict[str, _Key] = {}
        self._tokens: dict[str, float] = {}
        self._faults: list[_Fault] = []
        self._delays: list[tuple[float, str]] = []
        self._befores: list[tuple[Callable[[], None], str]] = []
        self._lock = threading.RLock()

    # --- lifecycle ------------------------------------------------------------------------------------------


    @property
    def token_uri(self) -> str:
        return f"{self.base_url}/token"

    # --- set-up ---------------------------------------------------------------------------------------------

    def create(self, title: str = "desk", sheets: Sequence[str] = ("订单",)) -> str:
        """A new spreadsheet with these sheets (1000 x 26 each, as Google makes them); returns its 44-character id."""
        if not sheets:
            raise ValueError("a spreadsheet has at least one sheet")
        with self._lock:
            spreadsheet_id = "1" + "".join(secrets.choice(ID_ALPHABET) for _ in range(43))
            book = Book(spreadsheet_id, title)
            for i, name in enumerate(sheets):
                book.sheets.append(Sheet(0 if i == 0 else book.new_sheet_id(), name))
            book.reindex()
            self._books[spreadsheet_id] = book
            return spreadsheet_id

    def key_file(self, folder: Path) -> Path:
        """Writes a service-account key (a fresh RSA key this server will trust) and returns its path."""
        if not self.base_url:
            raise RuntimeError("start the server before asking for a key file")
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
        key_id = secrets.token_hex(20)
        email = f"sheetsync-test-{key_id[:6]}@sheetsync-test.iam.gserviceaccount.com"
        info = {
            "type": "service_account", "project_id": "sheetsync-test", "private_key_id": key_id, "private_key": pem,
            "client_email": email, "client_id": str(10**20 + secrets.randbelow(10**20)),
            "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": self.token_uri,
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "client_x509_cert_url": f"https://www.googleapis.com/robot/v1/metadata/x509/{email}",
            "universe_domain": "googleapis.com",
        }
        with self._lock:
            self._keys[key_id] = _Key(key_id, email, private.public_key())
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"service-account-{key_id[:8]}.json"
        path.write_text(json.dumps(info, indent=2), encoding="utf-8")
        return path

    # --- what a person sees and does in the browser ---------------------------------------------------------

    def _sheet(self, spreadsheet: str, sheet: str) -> Sheet:
        book = self._books.get(spreadsheet)
        if book is None:
            raise KeyError(f"no spreadsheet {spreadsheet}")
        found = book.sheet_by_title(sheet)
        if found is None:
            raise KeyError(f"no sheet {sheet!r} in {spreadsheet}")
        return found

    def values(self, spreadsheet: str, sheet: str) -> list[list[object]]:
        """The grid's effective values: rows and cells past the last value left out, empty ones inside as ""."""
        with self._lock:
            grid = self._sheet(spreadsheet, sheet)
            out: list[list[object]] = []
            for row in grid.rows:
                line = [plain_value(row.cells.get(c, {})) for c in range(max(row.cells, default=-1) + 1)]
                while line and line[-1] == "":
                    line.pop()
                out.append(line)
            while out and not out[-1]:
                out.pop()
            return out

    def cell(self, spreadsheet: str, sheet: str, row: int, col: int) -> JSON:
        """The cell as spreadsheets.get shows it (userEnteredValue, effectiveValue, formattedValue, ...); 1-based."""
        with self._lock:
            grid = self._sheet(spreadsheet, sheet)
            self._check_cell(grid, row, col)
            return cell_data_out(grid.cell(row - 1, col - 1))

    @staticmethod
    def _check_cell(grid: Sheet, row: int, col: int) -> None:
        if not (1 <= row <= grid.row_count and 1 <= col <= grid.col_count):
            raise IndexError(f"{column_letters(col - 1)}{row} is outside the {grid.row_count} x {grid.col_count} grid")

    def set_cell(self, spreadsheet: str, sheet: str, row: int, col: int, value: object, *, as_typed: bool = False) -> None:
        """A person's entry (1-based). str/int/float/bool are kept as they are, a str starting with "=" is a formula,
        None clears the value (the format stays). With as_typed=True a str is read the way Sheets reads typing
        (USER_ENTERED: "0012" becomes 12, unless the cell is formatted as text)."""
        with self._lock:
            grid = self._sheet(spreadsheet, sheet)
            self._check_cell(grid, row, col)
            cell = dict(grid.cell(row - 1, col - 1))
            if value is None or value == "":
                cell.pop("userEnteredValue", None)
            elif isinstance(value, str) and as_typed:
                typed = entered_cell(cell, value, "USER_ENTERED", "")
                cell = typed if typed is not None else cell
            elif isinstance(value, bool):
                cell["userEnteredValue"] = {"boolValue": value}
            elif isinstance(value, int | float):
                cell["userEnteredValue"] = {"numberValue": float(value)}
            elif isinstance(value, str):
                cell["userEnteredValue"] = {"formulaValue": value} if value.startswith("=") else {"stringValue": value}
            else:
                raise TypeError(f"a person types text, numbers or booleans, not {type(value).__name__}")
            grid.put(row - 1, col - 1, cell)

    def insert_rows(self, spreadsheet: str, sheet: str, before_row: int, count: int = 1) -> None:
        """Inserts empty rows above `before_row` (1-based; rowCount + 1 adds them at the bottom)."""
        with self._lock:
            grid = self._sheet(spreadsheet, sheet)
            if not 1 <= before_row <= grid.row_count + 1 or count < 1:
                raise IndexError(f"cannot insert {count} rows before row {before_row} of {grid.row_count}")
            grid.insert_rows(before_row - 1, count)

    def delete_rows(self, spreadsheet: str, sheet: str, row: int, count: int = 1) -> None:
        with self._lock:
            grid = self._sheet(spreadsheet, sheet)
            if row < 1 or row + count - 1 > grid.row_count or count < 1 or count >= grid.row_count:
                raise IndexError(f"cannot delete rows {row}..{row + count - 1} of {grid.row_count}")
            grid.delete_rows(row - 1, row - 1 + count)

    def sort_rows(self, spreadsheet: str, sheet: str, first_row: int, key_col: int, descending: bool = False) -> None:
        """Sorts rows first_row.. by one column, as Sheets' "sort sheet" does: numbers, then text (ignoring case), then
        booleans, in the chosen order; rows with an empty key go last either way. The sort is stable."""
        with self._lock:
            grid = self._sheet(spreadsheet, sheet)
            self._check_cell(grid, first_row, key_col)
            rows = grid.rows[first_row - 1:]

            def key(row: Row) -> tuple[int, Any]:
                value = plain_value(row.cells.get(key_col - 1, {}))
                if isinstance(value, bool):
                    return 2, value
                if isinstance(value, int | float):
                    return 0, value
                return 1, str(value).lower()

            filled = [row for row in rows if plain_value(row.cells.get(key_col - 1, {})) != ""]
            empty = [row for row in rows if plain_value(row.cells.get(key_col - 1, {})) == ""]
            groups: dict[int, list[Row]] = {0: [], 1: [], 2: []}
            for row in filled:
                groups[key(row)[0]].append(row)
            ordered: list[Row] = []
            for group in (2, 1, 0) if descending else (0, 1, 2):
                ordered.extend(sorted(groups[group], key=lambda row: key(row)[1], reverse=descending))
            grid.rows[first_row - 1:] = ordered + empty

    def format_of(self, spreadsheet: str, sheet: str, row: int, col: int) -> JSON:
        with self._lock:
            grid = self._sheet(spreadsheet, sheet)
            self._check_cell(grid, row, col)
            return copy.deepcopy(grid.cell(row - 1, col - 1).get("userEnteredFormat") or {})

    def data_validation(self, spreadsheet: str, sheet: str, row: int, col: int) -> JSON | None:
        with self._lock:
            grid = self._sheet(spreadsheet, sheet)
            self._check_cell(grid, row, col)
            rule = grid.cell(row - 1, col - 1).get("dataValidation")
            return copy.deepcopy(rule) if rule else None

    def sheet_properties(self, spreadsheet: str, sheet: str) -> JSON:
        with self._lock:
            return self._sheet(spreadsheet, sheet).properties()

    def basic_filter(self, spreadsheet: str, sheet: str) -> JSON | None:
        with self._lock:
            return copy.deepcopy(self._sheet(spreadsheet, sheet).basic_filter)

    def charts(self, spreadsheet: str, sheet: str) -> list[JSON]:
        with self._lock:
            return copy.deepcopy(self._sheet(spreadsheet, sheet).charts)

    def sheet_titles(self, spreadsheet: str) -> list[str]:
        with self._lock:
            return [sheet.title for sheet in self._books[spreadsheet].sheets]

    # --- bulk set-up and the request log, for benchmarks ----------------------------------------------------

    def load_values(self, spreadsheet: str, sheet: str, rows: Sequence[Sequence[object]], *, first_row: int = 1,
                    date_format: JSON | None = None) -> None:
        """Puts a grid of values from `first_row` (1-based), column A on, at once, growing the grid as needed: what
        `set_cell` keeps for str (a formula when it starts with "="), int, float and bool; a date or datetime becomes
        its serial number with `date_format` (by default DATE_TIME ``yyyy-mm-dd hh:mm``); None leaves a cell empty."""
        number_format = {"numberFormat": date_format or {"type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm"}}
        with self._lock:
            grid = self._sheet(spreadsheet, sheet)
            width = max((len(row) for row in rows), default=0)
            needed = first_row - 1 + len(rows)
            if needed > grid.row_count or width > grid.col_count:
                grid.resize(max(needed, grid.row_count), max(width, grid.col_count))
            for i, row in enumerate(rows):
                cells = grid.rows[first_row - 1 + i].cells
                for c, value in enumerate(row):
                    if value is None or value == "":
                        cells.pop(c, None)
                    elif isinstance(value, bool):
                        cells[c] = {"userEnteredValue": {"boolValue": value}}
                    elif isinstance(value, int | float):
                        cells[c] = {"userEnteredValue": {"numberValue": float(value)}}
                    elif isinstance(value, str):
                        kind = "formulaValue" if value.startswith("=") else "stringValue"
                        cells[c] = {"userEnteredValue": {kind: value}}
                    elif isinstance(value, dt.date):
                        moment = value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
                        cells[c] = {"userEnteredValue": {"numberValue": _serial(moment)},
                                    "userEnteredFormat": number_format}  # shared: cells are replaced, never changed
                    else:
                        raise TypeError(f"a sheet holds text, numbers, booleans and dates, not {type(value).__name__}")

    def snapshot(self, spreadsheet: str) -> Book:
        """A copy of the spreadsheet as it is now, for `restore`."""
        with self._lock:
            return self._book(spreadsheet).clone()

    def restore(self, saved: Book) -> None:
        """Puts the spreadsheet back as `snapshot` took it (the snapshot stays usable for another restore)."""
        with self._lock:
            self._books[saved.id] = saved.clone()

    def request_log(self, *, clear: bool = False) -> list[JSON]:
        """What each request cost, oldest first: method, path, status, `body` (bytes of the request's body), `sent`
        (the request line, headers and body as they reached the server, give or take the line's percent-encoding),
        `received` (the answer's body), `seconds` (the server's time to make the answer) and `cells` (the cells a
        write carried: values in updateCells/appendCells rows, values of a values.update or values.batchUpdate).
        With `clear`, the log is emptied afterwards (the answers of big reads are kept in it)."""
        with self._lock:
            taken = list(self.requests)
            if clear:
                self.requests.clear()
        return [_log_entry(r) for r in taken]

    # --- faults ---------------------------------------------------------------------------------------------

    def fail_next(self, status: int, *, retry_after: float | None = None, times: int = 1, match: str = "") -> None:
        """Answers the next `times` requests whose path contains `match` with `status` and Google's error body
        (nothing is applied). The token endpoint is only hit when `match` names it."""
        with self._lock:
            self._faults.append(_Fault(status, retry_after, times, match))

    def delay_next(self, seconds: float, match: str = "") -> None:
        """The next matching request is handled at once, and its answer is sent `seconds` later (so a write
        whose client times out has still landed)."""
        with self._lock:
            self._delays.append((seconds, match))

    def before_next(self, action: Callable[[], None], match: str = "") -> None:
        """Runs `action` (a person's edit, sort or row insert) just before the next matching request is handled."""
        with self._lock:
            self._befores.append((action, match))

    def expire_tokens(self) -> None:
        """Every access token issued so far stops working (the client must fetch a new one)."""
        with self._lock:
            self._tokens.clear()

    def api_requests(self) -> list[Recorded]:
        """The requests made to the Sheets API (the token endpoint left out)."""
        with self._lock:
            return [r for r in self.requests if r.path != "/token"]

    # --- HTTP -----------------------------------------------------------------------------------------------

    def _handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes, float]:
        split = urlsplit(target)
        path = unquote(split.path)
        query = parse_qs(split.query, keep_blank_values=True)
        started = time.perf_counter()
        record = Recorded(method, path, query, body, {k.lower(): v for k, v in headers.items()}, target=target)
        with self._lock:
            self.requests.append(record)
        pretty = (query.get("prettyPrint") or ["true"])[0].lower() != "false"
        pause = 0.0
        extra: dict[str, str] = {}
        try:
            if path == "/token" and method == "POST":
                pause, fault = self._take_faults(path)
                if fault is not None:
                    status, payload, extra = self._fault_answer(fault, method)
                else:
                    status, payload = self._token(body)
            elif not self._authorized(headers):
                error = SheetsError(401)
                status, payload = 401, error.body()
                extra = {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'}
            else:
                self._run_befores(path)
                pause, fault = self._take_faults(path)
                if fault is not None:
                    status, payload, extra = self._fault_answer(fault, method)
                else:
                    with self._lock:
                        status, payload = 200, self._api(method, split.path, query, body)
        except SheetsError as error:
            status, payload = error.code, error.body()
        except Exception as exc:  # a bug in this fake: answer as Google would, and keep the traceback for the test
            self.server_errors.append(traceback.format_exc())
            status, payload = 500, SheetsError(500, f"Internal error encountered. ({type(exc).__name__}: {exc})").body()
        data = (pretty_json(payload) if pretty else json.dumps(payload, ensure_ascii=False)).encode("utf-8")
        record.status, record.response = status, data
        record.seconds = time.perf_counter() - started
        return status, {"Content-Type": "application/json; charset=UTF-8", **extra}, data, pause

    def _take_faults(self, path: str) -> tuple[float, _Fault | None]:
        with self._lock:
            pause = 0.0
            for i, (seconds, match) in enumerate(self._delays):
                if _matches(match, path):
                    pause = seconds
                    del self._delays[i]
                    break
            for fault in self._faults:
                if _matches(fault.match, path):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    return pause, fault
            return pause, None

    def _run_befores(self, path: str) -> None:
        with self._lock:
            action = None
            for i, (candidate, match) in enumerate(self._befores):
                if _matches(match, path):
                    action = candidate
                    del self._befores[i]
                    break
        if action is not None:
            action()

    @staticmethod
    def _fault_answer(fault: _Fault, method: str) -> tuple[int, JSON, dict[str, str]]:
        headers: dict[str, str] = {}
        if fault.retry_after is not None:
            headers["Retry-After"] = f"{fault.retry_after:g}"
        if fault.status == 429:
            kind, metric = ("Read", "read") if method == "GET" else ("Write", "write")
            error = SheetsError(429, (
                f"Quota exceeded for quota metric '{kind} requests' and limit '{kind} requests per minute per user' of "
                "service 'sheets.googleapis.com' for consumer 'project_number:100000000001'."), "RESOURCE_EXHAUSTED", [
                {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "RATE_LIMIT_EXCEEDED",
                 "domain": "googleapis.com",
                 "metadata": {"quota_location": "global", "quota_metric": f"sheets.googleapis.com/{metric}_requests",
                              "quota_limit": f"{kind}RequestsPerMinutePerUser", "quota_limit_value": "60",
                              "consumer": "projects/100000000001", "service": "sheets.googleapis.com"}},
                {"@type": "type.googleapis.com/google.rpc.Help",
                 "links": [{"description": "Request a higher quota limit.",
                            "url": "https://cloud.google.com/docs/quotas/help/request_increase"}]},
            ])
        else:
            error = SheetsError(fault.status)
        return fault.status, error.body(), headers

    def _authorized(self, headers: dict[str, str]) -> bool:
        value = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        if not value.startswith("Bearer "):
            return False
        with self._lock:
            expiry = self._tokens.get(value[len("Bearer "):].strip())
        return expiry is not None and expiry > time.time()

    def _token(self, body: bytes) -> tuple[int, JSON]:
        """OAuth 2.0 JWT-bearer grant (RFC 7523), answered as oauth2.googleapis.com/token answers it."""
        form = parse_qs(body.decode("utf-8", "replace"))
        grant = (form.get("grant_type") or [""])[0]
        if grant != JWT_GRANT:
            return 400, {"error": "unsupported_grant_type", "error_description": f"Invalid grant_type: {grant}"}
        assertion = (form.get("assertion") or [""])[0]
        bad = (400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."})
        try:
            head_b64, claims_b64, sig_b64 = assertion.split(".")
            head, claims = json.loads(_b64decode(head_b64)), json.loads(_b64decode(claims_b64))
            signature = _b64decode(sig_b64)
        except (ValueError, json.JSONDecodeError):
            return bad
        if head.get("alg") != "RS256":
            return bad
        with self._lock:
            candidates = [self._keys[head["kid"]]] if head.get("kid") in self._keys else list(self._keys.values())
        key = None
        for candidate in candidates:
            try:
                candidate.public_key.verify(signature, f"{head_b64}.{claims_b64}".encode(), padding.PKCS1v15(), hashes.SHA256())
            except InvalidSignature:
                continue
            key = candidate
            break
        if key is None:
            return bad
        now = time.time()
        if claims.get("iss") != key.email:
            return 400, {"error": "invalid_grant", "error_description": "Invalid JWT: iss does not match the key."}
        if claims.get("aud") not in (*TOKEN_AUDIENCES, self.token_uri):
            return 400, {"error": "invalid_grant", "error_description": "Invalid JWT: audience is not the token endpoint."}
        iat, exp = claims.get("iat"), claims.get("exp")
        if not isinstance(iat, int | float) or not isinstance(exp, int | float) or exp <= now - 300 or iat > now + 300 \
                or exp - iat > 3600:
            return 400, {"error": "invalid_grant", "error_description": (
                "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat "
                "and exp values in the JWT claim.")}
        if not claims.get("scope"):
            return 400, {"error": "invalid_scope", "error_description": "Invalid OAuth scope or ID token audience provided."}
        token = "ya29.fake-" + secrets.token_urlsafe(48)
        with self._lock:
            self._tokens[token] = now + TOKEN_SECONDS
        return 200, {"access_token": token, "expires_in": TOKEN_SECONDS, "token_type": "Bearer"}

    def _book(self, spreadsheet_id: str) -> Book:
        book = self._books.get(spreadsheet_id)
        if book is None:
            raise SheetsError(404)
        return book

    def _api(self, method: str, raw_path: str, query: dict[str, list[str]], body: bytes) -> JSON:
        parts = raw_path.split("/")
        if len(parts) < 4 or parts[1] != "v4" or parts[2] != "spreadsheets" or not parts[3]:
            raise SheetsError(404)
        head = unquote(parts[3])
        rest = [unquote(p) for p in parts[4:]]
        try:
            payload = json.loads(body) if body else {}
        except json.JSONDecodeError as exc:
            raise invalid(f"Invalid JSON payload received. {exc.msg}.") from None
        if ":" in head:
            spreadsheet_id, _, verb = head.partition(":")
            if rest or method != "POST" or verb != "batchUpdate":
                raise SheetsError(404)
            book = self._book(spreadsheet_id)
            work, answer = batch_update(book, payload)
            self._books[spreadsheet_id] = work
            if isinstance(payload, dict) and payload.get("includeSpreadsheetInResponse"):
                answer["updatedSpreadsheet"] = spreadsheet_resource(
                    work, payload.get("responseRanges") or [], bool(payload.get("responseIncludeGridData")))
            return answer
        book = self._book(head)
        if not rest:
            if method != "GET":
                raise SheetsError(404)
            fields = (query.get("fields") or [""])[0]
            with_data = (query.get("includeGridData") or ["false"])[0].lower() == "true"
            if fields:  # "If a field mask is set, the includeGridData parameter is ignored"
                with_data = bool(re.search(r"(^|[,(./])data([,)./]|$)", fields))
            return spreadsheet_resource(book, query.get("ranges") or [], with_data)
        if rest[0] == "values:batchGet" and method == "GET":
            return {"spreadsheetId": book.id,
                    "valueRanges": [value_range(book, text, query) for text in query.get("ranges") or []]}
        if rest[0] == "values:batchUpdate" and method == "POST":
            return self._values_batch_update(book, payload)
        if rest[0] == "values:batchClear" and method == "POST":
            work = book.clone()
            cleared = [clear_values(work, text) for text in (payload.get("ranges") or [])]
            self._books[book.id] = work
            return {"spreadsheetId": book.id, "clearedRanges": cleared}
        if rest[0] == "values" and len(rest) >= 2:
            text = "/".join(rest[1:])
            if method == "GET":
                return value_range(book, text, query)
            if method == "PUT":
                option = _input_option((query.get("valueInputOption") or [""])[0])
                work = book.clone()
                answer = write_values(work, text, payload, option)
                self._books[book.id] = work
                if (query.get("includeValuesInResponse") or ["false"])[0].lower() == "true":
                    answer["updatedData"] = self._response_values(work, answer["updatedRange"], query)
                return answer
            if method == "POST" and text.endswith(":append"):
                option = _input_option((query.get("valueInputOption") or [""])[0])
                insert = (query.get("insertDataOption") or ["OVERWRITE"])[0]
                if insert not in ("OVERWRITE", "INSERT_ROWS"):
                    raise invalid(f"Invalid value at 'insert_data_option', \"{insert}\"")
                work = book.clone()
                answer = write_values(work, text[: -len(":append")], payload, option, append=insert)
                self._books[book.id] = work
                return answer
            if method == "POST" and text.endswith(":clear"):
                work = book.clone()
                cleared_range = clear_values(work, text[: -len(":clear")])
                self._books[book.id] = work
                return {"spreadsheetId": book.id, "clearedRange": cleared_range}
        raise SheetsError(404)

    @staticmethod
    def _response_values(book: Book, text: str, query: dict[str, list[str]]) -> JSON:
        options = {"valueRenderOption": query.get("responseValueRenderOption") or ["FORMATTED_VALUE"],
                   "dateTimeRenderOption": query.get("responseDateTimeRenderOption") or ["SERIAL_NUMBER"]}
        return value_range(book, text, options)

    def _values_batch_update(self, book: Book, payload: Any) -> JSON:
        if not isinstance(payload, dict):
            raise invalid("Invalid JSON payload received. Expected an object.")
        option = _input_option(payload.get("valueInputOption"))
        work = book.clone()
        responses = []
        for item in payload.get("data") or []:
            if not isinstance(item, dict) or not item.get("range"):
                raise invalid("Invalid data[]: each ValueRange needs a range.")
            answer = write_values(work, item["range"], item, option)
            if payload.get("includeValuesInResponse"):
                answer["updatedData"] = self._response_values(work, answer["updatedRange"], {
                    "responseValueRenderOption": [payload.get("responseValueRenderOption") or "FORMATTED_VALUE"],
                    "responseDateTimeRenderOption": [payload.get("responseDateTimeRenderOption") or "SERIAL_NUMBER"]})
            responses.append(answer)
        self._books[book.id] = work
        out: JSON = {"spreadsheetId": book.id}
        if any("updatedCells" in r for r in responses):
            out.update({
                "totalUpdatedRows": sum(r.get("updatedRows", 0) for r in responses),
                "totalUpdatedColumns": sum(r.get("updatedColumns", 0) for r in responses),
                "totalUpdatedCells": sum(r.get("updatedCells", 0) for r in responses),
                "totalUpdatedSheets": len({r["updatedRange"].rpartition("!")[0] for r in responses if "updatedCells" in r}),
            })
        out["responses"] = responses
        return out


# ----------------------------------------------------------------------------------------------------------
# Standalone: the server in a process of its own, driven over stdin/stdout


def _loaded_value(value: Any) -> Any:
    """A value of a `load` file: a JSON scalar, or {"date": ISO text} for a date or datetime."""
    if isinstance(value, dict):
        text = str(value["date"])
        return dt.datetime.fromisoformat(text) if "T" in text or " " in text else dt.date.fromisoformat(text)
    return value


def serve_stdio(commands: TextIO, answers: TextIO) -> None:
    """Runs a FakeSheets for another process (a benchmark that must not count the server's memory or CPU in the
    command it measures).  Writes {"base_url": ...}, then answers each JSON command line with one JSON line
    ({"error": ...} when it failed):

    - {"op": "create", "title", "sheets"} -> {"spreadsheet": id}
    - {"op": "key_file", "folder"} -> {"path": the service-account key file}
    - {"op": "load", "spreadsheet", "sheet", "path", "first_row"?}: `load_values` from a file of JSON arrays, one
      row a line (a cell {"date": "2026-01-01T08:00"} is a datetime) -> {"rows": n}
    - {"op": "snapshot", "spreadsheet", "name"} / {"op": "restore", "name"}
    - {"op": "log", "clear"?} -> {"requests": `request_log`}
    - {"op": "values", "spreadsheet", "sheet"} -> {"values": effective values}
    - {"op": "errors"} -> {"errors": the fake's own tracebacks}; {"op": "rss"} -> {"rss_mb": this process's peak}
    - {"op": "stop"}: answers {} and returns."""
    import resource

    fake = FakeSheets().start()
    saved: dict[str, Book] = {}
    answers.write(json.dumps({"base_url": fake.base_url}) + "\n")
    answers.flush()
    try:
        for line in commands:
            if not line.strip():
                continue
            answer: JSON = {}
            try:
                command = json.loads(line)
                op = command.get("op")
                if op == "create":
                    answer = {"spreadsheet": fake.create(command.get("title", "desk"), command.get("sheets", ["订单"]))}
                elif op == "key_file":
                    answer = {"path": str(fake.key_file(Path(command["folder"])))}
                elif op == "load":
                    with open(command["path"], encoding="utf-8") as fh:
                        rows = [[_loaded_value(v) for v in json.loads(text)] for text in fh if text.strip()]
                    fake.load_values(command["spreadsheet"], command["sheet"], rows, first_row=command.get("first_row", 1))
                    answer = {"rows": len(rows)}
                elif op == "snapshot":
                    saved[command["name"]] = fake.snapshot(command["spreadsheet"])
                elif op == "restore":
                    fake.restore(saved[command["name"]])
                elif op == "log":
                    answer = {"requests": fake.request_log(clear=bool(command.get("clear")))}
                elif op == "values":
                    answer = {"values": fake.values(command["spreadsheet"], command["sheet"])}
                elif op == "errors":
                    answer = {"errors": list(fake.server_errors)}
                elif op == "rss":
                    answer = {"rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
                elif op == "stop":
                    answers.write("{}\n")
                    answers.flush()
                    return
                else:
                    answer = {"error": f"unknown op {op!r}"}
            except Exception as exc:  # said to the driver, which decides
                answer = {"error": f"{type(exc).__name__}: {exc}"}
            answers.write(json.dumps(answer, ensure_ascii=False, default=str) + "\n")
            answers.flush()
    finally:
        fake.stop()


if __name__ == "__main__":  # python tests/gsheets_server.py: the server over stdin/stdout (see serve_stdio)
    serve_stdio(sys.stdin, sys.stdout)
