"""Cell references and cell values as SpreadsheetML: what one written cell, or a run of appended rows, holds in the sheet XML."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from sheetsync.runtime.columns import col_letters as col_letters  # the store's modules import them from here
from sheetsync.runtime.columns import col_number as col_number
from sheetsync.stores.xlsx.xmlparts import parse_attrs

MAX_ROW = 1_048_576
MAX_COL = 16_384

_PLAIN_CELL = re.compile(rb' r="([A-Z]{1,3}\d+)"(?: s="(\d+)")?(?: t="(\w+)")?')
_CELL_REF = re.compile(rb"\$?([A-Za-z]{1,3})\$?(\d+)")
# ST_Xstring: control characters XML 1.0 cannot carry (and CR, which XML parsers turn into LF)
# are written as _xHHHH_; an underscore that would read as such an escape is itself escaped.
_XSTRING = re.compile("[\x00-\x08\x0b-\x1f]|_(?=x[0-9A-Fa-f]{4}_)")
# Noncharacters and lone surrogates have no escape readers undo; they are dropped.
_UNWRITABLE = re.compile("[\ufffe\uffff\ud800-\udfff]")
_NEEDS_CARE = re.compile('[\x00-\x08\x0b-\x1f\ufffe\uffff\ud800-\udfff&<>"]|_x')
# The same characters, but for the `_x` pair (looked for with `in`), in text joined with "\n".
_TEXT_CARE = re.compile('[\x00-\x08\x0b-\x1f\ufffe\uffff\ud800-\udfff&<>"]')
_EPOCH_1900 = dt.date(1899, 12, 31)
_EPOCH_1904 = dt.date(1904, 1, 1)
_FIRST_DAY = _EPOCH_1900.toordinal()
_PLAIN: frozenset[type] = frozenset({str, int, bool, type(None)})
_FAST: frozenset[type] = frozenset({str, int, float, type(None)})
_STR: frozenset[type] = frozenset({str})
_NONE: frozenset[type] = frozenset({type(None)})


@cache
def ref_letters(col: int) -> bytes:
    """28 -> b"AB"."""
    return col_letters(col).encode()


class _ColumnNumbers(dict[bytes, int]):
    def __missing__(self, letters: bytes) -> int:
        self[letters] = number = col_number(letters)
        return number


COLUMN_NUMBERS: dict[bytes, int] = _ColumnNumbers()
"""`col_number`, remembered: `COLUMN_NUMBERS[b"AB"]` is 28."""


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


def xstring(text: str) -> str:
    """Text as the escaped content of a `<t>` element; it reads back unchanged but for
    U+FFFE, U+FFFF and lone surrogates, which XML cannot carry and are dropped."""

    def escaped(match: re.Match[str]) -> str:
        char = match[0]
        return "_x005F_" if char == "_" else f"_x{ord(char):04X}_"

    if _NEEDS_CARE.search(text) is None:
        return text
    text = _XSTRING.sub(escaped, _UNWRITABLE.sub("", text))
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def escape_xstring(text: str) -> bytes:
    """`xstring(text)` as UTF-8."""
    return xstring(text).encode("utf-8")


def encode_value(value: object, date1904: bool, pfx: bytes) -> tuple[bytes | None, bytes]:
    """(`t` attribute or None, cell content) for a value; a str is always text, never a formula."""
    if value is None:
        return None, b""
    if isinstance(value, str):
        opening, closing = _text_tags(pfx, edge_space(value))
        return b"inlineStr", opening + escape_xstring(value) + closing
    if isinstance(value, bool):
        opening, closing = _value_tags(pfx)
        return b"b", opening + (b"1" if value else b"0") + closing
    if isinstance(value, dt.date):
        number = excel_serial(value, date1904).encode()
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value!r} cannot be stored in a cell")
        number = format(value, "f").encode()
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} cannot be stored in a cell")
        number = float.__repr__(value).encode()
    elif isinstance(value, int):
        number = int.__repr__(value).encode()
    else:
        raise TypeError(f"cannot write a {type(value).__name__} to a cell")
    opening, closing = _value_tags(pfx)
    return None, opening + number + closing


@cache
def _text_tags(pfx: bytes, keep_spaces: bool = True) -> tuple[bytes, bytes]:
    space = b' xml:space="preserve"' if keep_spaces else b""
    return b"<" + pfx + b"is><" + pfx + b"t" + space + b">", b"</" + pfx + b"t></" + pfx + b"is>"


def edge_space(text: str) -> bool:
    """Whether `text` starts or ends with white space, which its `<t>` keeps only with `xml:space="preserve"`.

    Every other text is written without it: 21 bytes less per cell, a fifth of an appended row's XML
    (Excel, LibreOffice and openpyxl write it the same way)."""
    return text[:1].isspace() or text[-1:].isspace()


@cache
def _value_tags(pfx: bytes) -> tuple[bytes, bytes]:
    return b"<" + pfx + b"v>", b"</" + pfx + b"v>"


def check_value(value: object) -> None:
    """Raise ValueError (TypeError) for a value no cell can hold, before anything is written."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return
    if kind is float:
        if not math.isfinite(value):  # type: ignore[arg-type]
            raise ValueError(f"{value!r} cannot be stored in a cell")
        return
    encode_value(value, False, b"")


def check_column(values: Sequence[object]) -> int | None:
    """`check_value` for each value of a column: the index of the first that raises, None if all are fine.

    Plain str, int and None values cost a type check; finite floats one sum; dates one comparison each."""
    kinds = set(map(type, values))
    if kinds <= _PLAIN:
        return None
    odd = kinds - _PLAIN
    if float in odd and math.isfinite(sum(v for v in values if type(v) is float)):
        odd.discard(float)
    dates_only = bool(odd) and all(issubclass(kind, dt.date) for kind in odd)
    if dates_only and min(v.toordinal() for v in values if isinstance(v, dt.date)) >= _FIRST_DAY:
        odd = set()
    if not odd:
        return None
    for index, value in enumerate(values):
        if type(value) in odd:
            try:
                check_value(value)
            except (ValueError, TypeError):
                return index
    return None


@dataclass(frozen=True, slots=True)
class ColumnParts:
    """The constant text of one column's cells in appended rows, as str: a cell of row n is
    `opening + str(n) + <one of the middles> + value + <its end>`: `text` for text with white space
    at an edge (`edge_space`), `plain` for other text, `number` for numbers; `empty` is the middle and
    end of a cell with no value, "" when such a cell is left out: it has no format, or the format it
    would have anyway from its column (or from its row, for a row formatted as a whole)."""

    col: int
    style: int
    pfx: str
    opening: str
    text: str
    plain: str
    text_end: str
    number: str
    number_end: str
    empty: str

    def text_middle(self, value: str) -> str:
        return self.text if edge_space(value) else self.plain


def column_parts(col: int, style: int, pfx: str, inherited: int = 0) -> ColumnParts:
    """The parts of column `col`'s cells in format `style`; `inherited` is the format a cell that is
    not in the XML shows (its row's or its column's)."""
    s = f' s="{style}"' if style else ""
    return ColumnParts(
        col,
        style,
        pfx,
        f'<{pfx}c r="{col_letters(col)}',
        f'"{s} t="inlineStr"><{pfx}is><{pfx}t xml:space="preserve">',
        f'"{s} t="inlineStr"><{pfx}is><{pfx}t>',
        f"</{pfx}t></{pfx}is></{pfx}c>",
        f'"{s}><{pfx}v>',
        f"</{pfx}v></{pfx}c>",
        f'"{s}/>' if style and style != inherited else "",
    )


def encode_column(
    parts: ColumnParts, rows: Sequence[str], values: Sequence[object], date1904: bool, date_style: Callable[[int, bool], int]
) -> list[str]:
    """The `<c>` of each value (as str, "" for no cell) of one column in the rows numbered `rows`.

    A column of str, int, float and None, or of dates (or datetimes) and None, is built by one
    comprehension; any other mix, text that needs escaping and a float that is not finite go
    one by one through `cell_text`."""
    kinds = set(map(type, values))
    opening, empty = parts.opening, parts.empty
    if kinds <= _FAST and _plain_text(values, kinds) and _finite(values, kinds):
        text, text_end, number, number_end = parts.text_middle, parts.text_end, parts.number, parts.number_end
        if kinds == _STR:
            return [f"{opening}{n}{text(v)}{v}{text_end}" for n, v in zip(rows, values, strict=True)]  # type: ignore[arg-type]
        return [
            f"{opening}{n}{text(v)}{v}{text_end}" if type(v) is str
            else (f"{opening}{n}{empty}" if empty else "") if v is None
            else f"{opening}{n}{number}{v}{number_end}"
            for n, v in zip(rows, values, strict=True)
        ]
    with_time = _dates_only(kinds)
    if with_time is not None and (serials := _serials(values, date1904)) is not None:
        style = date_style(parts.style, with_time)
        middle = (f'" s="{style}"' if style else '"') + f"><{parts.pfx}v>"
        end = parts.number_end
        return [
            f"{opening}{n}{middle}{v}{end}" if v is not None else (f"{opening}{n}{empty}" if empty else "")
            for n, v in zip(rows, serials, strict=True)
        ]
    return [cell_text(parts, n, v, date1904, date_style) for n, v in zip(rows, values, strict=True)]


@dataclass(frozen=True, slots=True)
class RowPlan:
    """The text of the rows appended after one template row: the start tag around a row's number,
    each column's parts (more are added as writes need them), and for a block the parts of its
    columns and the template's in column order, each with the index of its values in the block
    (None for a column only the template formats)."""

    pfx: str
    row_open: str
    row_middle: str
    row_close: str
    parts: dict[int, ColumnParts]
    block: tuple[tuple[ColumnParts, int | None], ...]


def row_plan(pfx: str, row_attrs: str, styles: dict[int, int], block_columns: Sequence[int],
             inherited: Callable[[int], int] = lambda col: 0) -> RowPlan:
    """The plan for rows with the row attributes `row_attrs` (after r) and the cell format of each
    column in `styles`, which covers the template's columns and `block_columns`; `inherited(col)` is
    the format a cell of the column shows when it is not in the XML."""
    parts = {col: column_parts(col, style, pfx, inherited(col)) for col, style in styles.items()}
    index = {col: j for j, col in enumerate(block_columns)}
    block = tuple((parts[col], index.get(col)) for col in sorted(parts)) if block_columns else ()
    return RowPlan(pfx, f'<{pfx}row r="', f'"{row_attrs}>', f"</{pfx}row>", parts, block)


def block_text(
    plan: RowPlan, rows: Sequence[str], values: Sequence[Sequence[object]], date1904: bool, date_style: Callable[[int, bool], int]
) -> str:
    """Appended rows numbered `rows`, built column by column: `values[j]` holds the block's column j for them."""
    columns = []
    for parts, index in plan.block:
        if index is None:
            opening, empty = parts.opening, parts.empty
            columns.append([f"{opening}{n}{empty}" for n in rows] if empty else [""] * len(rows))
        else:
            columns.append(encode_column(parts, rows, values[index], date1904, date_style))
    opening, middle, closing = plan.row_open, plan.row_middle, plan.row_close
    cells = zip(*columns, strict=True)
    return "".join([f"{opening}{n}{middle}{''.join(row)}{closing}" for n, row in zip(rows, cells, strict=True)])


def cell_attrs(head: bytes) -> dict[bytes, bytes]:
    """`parse_attrs` of a cell's start tag (after `<c`), quicker for the usual ` r="A1" s="1" t="s"`."""
    plain = _PLAIN_CELL.fullmatch(head)
    if plain is None:
        return parse_attrs(head)
    attrs = {b"r": plain[1]}
    if plain[2] is not None:
        attrs[b"s"] = plain[2]
    if plain[3] is not None:
        attrs[b"t"] = plain[3]
    return attrs


def cell_text(parts: ColumnParts, row: str, value: object, date1904: bool, date_style: Callable[[int, bool], int]) -> str:
    """One appended cell holding `value` (any CellValue), as str; "" for None in a column without style."""
    kind = type(value)
    if kind is str:
        return f"{parts.opening}{row}{parts.text_middle(value)}{xstring(value)}{parts.text_end}"  # type: ignore[arg-type]
    if kind is int or (kind is float and math.isfinite(value)):  # type: ignore[arg-type]
        return f"{parts.opening}{row}{parts.number}{value}{parts.number_end}"
    if value is None:
        return f"{parts.opening}{row}{parts.empty}" if parts.empty else ""
    t, content = encode_value(value, date1904, parts.pfx.encode())
    style = date_style(parts.style, isinstance(value, dt.datetime)) if isinstance(value, dt.date) else parts.style
    attrs = (f' s="{style}"' if style else "") + (f' t="{t.decode()}"' if t else "")
    return f'{parts.opening}{row}"{attrs}>{content.decode()}</{parts.pfx}c>'


def _dates_only(kinds: set[type]) -> bool | None:
    """For a column holding only dates (or None): True if they are datetimes (pandas' Timestamp too),
    False if plain dates; None for any other column."""
    dated = kinds - _NONE
    if dated and all(issubclass(kind, dt.datetime) for kind in dated):
        return True
    if dated and all(issubclass(kind, dt.date) and not issubclass(kind, dt.datetime) for kind in dated):
        return False
    return None


def _serials(values: Sequence[object], date1904: bool) -> list[str | None] | None:
    """`excel_serial` of each date (None for None); None if a date is before the workbook's first."""
    epoch = (_EPOCH_1904 if date1904 else _EPOCH_1900).toordinal()
    leap = 1 << 30 if date1904 else 60  # Excel's 29 February 1900 comes before day 60
    out: list[str | None] = []
    for value in values:
        if value is None:
            out.append(None)
            continue
        days = value.toordinal() - epoch  # type: ignore[attr-defined]
        if days < 0:
            return None
        days += days >= leap
        if isinstance(value, dt.datetime):
            seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
            out.append(repr(days + seconds / 86400) if seconds else str(days))
        else:
            out.append(str(days))
    return out


def _plain_text(values: Sequence[object], kinds: set[type]) -> bool:
    """Whether the str values need no escaping (one search over all of them)."""
    if str not in kinds:
        return True
    text = "\n".join([v for v in values if type(v) is str])
    return "_x" not in text and _TEXT_CARE.search(text) is None


def _finite(values: Sequence[object], kinds: set[type]) -> bool:
    return float not in kinds or math.isfinite(sum(v for v in values if type(v) is float))


def translate_formula(formula: str, origin: tuple[int, int], dest: tuple[int, int]) -> str:
    """A formula written at `origin` (row, col) as it reads when moved to `dest`: relative refs shift."""
    from openpyxl.formula.translate import Translator  # imported when needed: it costs 0.15 s and 20 MB

    source = cell_ref(*origin).decode()
    target = cell_ref(*dest).decode()
    return Translator("=" + formula, origin=source).translate_formula(target)[1:]
