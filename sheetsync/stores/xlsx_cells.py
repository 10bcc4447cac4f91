"""Cell references and cell values as SpreadsheetML: what one written cell holds in the sheet XML."""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from functools import cache

from sheetsync.stores.base import CellValue
from sheetsync.stores.xlsx_xml import escape

MAX_ROW = 1_048_576
MAX_COL = 16_384

_CELL_REF = re.compile(rb"\$?([A-Za-z]{1,3})\$?(\d+)")
# ST_Xstring: control characters XML 1.0 cannot carry (and CR, which XML parsers turn into LF)
# are written as _xHHHH_; an underscore that would read as such an escape is itself escaped.
_XSTRING = re.compile("[\x00-\x08\x0b-\x1f]|_(?=x[0-9A-Fa-f]{4}_)")
# Noncharacters and lone surrogates have no escape readers undo; they are dropped.
_UNWRITABLE = re.compile("[\ufffe\uffff\ud800-\udfff]")
_NEEDS_CARE = re.compile('[\x00-\x08\x0b-\x1f\ufffe\uffff\ud800-\udfff&<>"]|_x')
_EPOCH_1900 = dt.date(1899, 12, 31)
_EPOCH_1904 = dt.date(1904, 1, 1)


@cache
def col_letters(col: int) -> str:
    """1 -> "A", 28 -> "AB"."""
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def col_number(letters: bytes) -> int:
    """b"A" -> 1, b"ab" -> 28."""
    number = 0
    for char in letters.upper():
        number = number * 26 + char - 64
    return number


def split_ref(ref: bytes) -> tuple[int, int] | None:
    """b"AB12" -> (12, 28), i.e. (row, col); None if `ref` is not one cell."""
    match = _CELL_REF.fullmatch(ref)
    return None if match is None else (int(match[2]), col_number(match[1]))


def cell_ref(row: int, col: int) -> bytes:
    """(12, 28) -> b"AB12"."""
    return f"{col_letters(col)}{row}".encode()


def is_date(value: object) -> bool:
    """Whether `value` is written as a date serial number."""
    return isinstance(value, dt.date)


def excel_serial(value: dt.date, date1904: bool) -> str:
    """The serial number Excel stores for a date or naive wall-clock datetime."""
    day = value.date() if isinstance(value, dt.datetime) else value
    if date1904:
        days = (day - _EPOCH_1904).days
    else:
        days = (day - _EPOCH_1900).days
        days += days >= 60  # Excel counts the 29 February 1900 that never was
    if days < 0:
        raise ValueError(f"{value!r} is before the workbook's first date")
    if not isinstance(value, dt.datetime):
        return str(days)
    seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    return repr(days + seconds / 86400) if seconds else str(days)


def escape_xstring(text: str) -> bytes:
    """Text as the escaped UTF-8 content of a `<t>` element; it reads back unchanged but for
    U+FFFE, U+FFFF and lone surrogates, which XML cannot carry and are dropped."""

    def escaped(match: re.Match[str]) -> str:
        char = match[0]
        return "_x005F_" if char == "_" else f"_x{ord(char):04X}_"

    if _NEEDS_CARE.search(text) is None:
        return text.encode("utf-8")
    return escape(_XSTRING.sub(escaped, _UNWRITABLE.sub("", text)).encode("utf-8"))


def encode_value(value: CellValue, date1904: bool, pfx: bytes) -> tuple[bytes | None, bytes]:
    """(`t` attribute or None, cell content) for a value; a str is always text, never a formula."""
    if value is None:
        return None, b""
    if isinstance(value, str):
        t = b"<" + pfx + b't xml:space="preserve">' + escape_xstring(value) + b"</" + pfx + b"t>"
        return b"inlineStr", b"<" + pfx + b"is>" + t + b"</" + pfx + b"is>"
    if isinstance(value, bool):
        number = b"1" if value else b"0"
        return b"b", b"<" + pfx + b"v>" + number + b"</" + pfx + b"v>"
    if isinstance(value, dt.date):
        number = excel_serial(value, date1904).encode()
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value!r} cannot be stored in a cell")
        number = format(value, "f").encode()
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} cannot be stored in a cell")
        number = repr(value).encode()
    elif isinstance(value, int):
        number = str(value).encode()
    else:
        raise TypeError(f"cannot write a {type(value).__name__} to a cell")
    return None, b"<" + pfx + b"v>" + number + b"</" + pfx + b"v>"


def check_value(value: CellValue) -> None:
    """Raise ValueError (TypeError) for a value no cell can hold, before anything is written."""
    if not isinstance(value, str):
        encode_value(value, False, b"")


def translate_formula(formula: str, origin: tuple[int, int], dest: tuple[int, int]) -> str:
    """A formula written at `origin` (row, col) as it reads when moved to `dest`: relative refs shift."""
    from openpyxl.formula.translate import Translator  # imported when needed: it costs 0.15 s and 20 MB

    source = cell_ref(*origin).decode()
    target = cell_ref(*dest).decode()
    return Translator("=" + formula, origin=source).translate_formula(target)[1:]
