"""Canonical text of cell values: how the pipeline compares, hashes and journals them.

The pipeline carries the table as text (pandas `str` columns, missing as NA) in one
canonical form per kind of field, because that form compares exactly, hashes fast and
is what the journal stores:
- text: as the cell holds it (a number cell's digits without `.0`), empty -> NA;
- datetime: `YYYY-MM-DD HH:MM:SS` (local time, seconds);
- money: a plain decimal with no exponent and no trailing zeros (`1299.5`, `-5`).
A value that cannot be read as its field's type stays as it was typed; the rules flag
it, and the cell is never rewritten unless its value really changes.
Typed views (Decimal, datetime) are made from this where a rule needs them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import TYPE_CHECKING, Final, Literal, overload

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sheetsync.model.fields import DATETIME_FIELDS, MONEY_FIELDS, Kind
from sheetsync.runtime import textops
from sheetsync.runtime.textsql import arrow_text

if TYPE_CHECKING:
    from sheetsync.model.cells import CellValue

ISO_SECONDS: Final = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"
_ISO_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})\.\d+$")
_DATE_PATTERNS: Final = (
    re.compile(
        r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
        r"(?:[ T]+(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2})(?:\.\d+)?秒?)?)?$"
    ),
    re.compile(r"^(\d{4})(\d{2})(\d{2})(?:[ T]?(\d{2}):?(\d{2})(?::?(\d{2}))?)?$"),
)
_MONEY_NOISE = re.compile(r"[\s,，¥￥$€£元]|RMB|CNY", re.IGNORECASE)


def text_or_none(value: object) -> str | None:
    """A cell value as text, None for any missing value (None, NA, NaN)."""
    return None if value is None or value is pd.NA or (isinstance(value, float) and value != value) else str(value)


def parse_datetime(text: str) -> dt.datetime | None:
    """A datetime from the date forms people and shop exports write; None if it is not one."""
    text = text.strip()
    match = _ISO_PREFIX.match(text)
    if match:
        text = match.group(1)
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            year, month, day, hour, minute, second = (int(p) if p else 0 for p in m.groups())
            try:
                return dt.datetime(year, month, day, hour, minute, second)
            except ValueError:
                return None
    return None


def format_datetime(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S")


def parse_money(text: str) -> Decimal | None:
    """A Decimal from an amount as written (`¥1,299.00`, `1299`, `-5`); None if it is not one."""
    cleaned = _MONEY_NOISE.sub("", text.strip())
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def format_money(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def canonical_column(field: str, column: pd.Series, *, date1904: bool = False, kind: Kind | None = None) -> pd.Series:
    """Bring one column read from a sheet to its canonical text (see the module docstring).  A date-time field's
    cell that a reader gave as a serial day number (a date in a format the reader does not know for a date, such
    as the built-in East-Asian ones, numFmtId 27-36 and 50-58) is read as the date it is (`date1904`: the
    workbook counts days from 1904, as old Mac Excel did)."""
    column = column.astype("str")
    empty = textops.empty(column)
    if empty.any():
        column = column.where(~empty, None)
    if kind is Kind.DATETIME or (kind is None and field in DATETIME_FIELDS):
        return _canonical(_serial_days(column, date1904), ISO_SECONDS, partial(_datetime_text, date1904=date1904))
    if kind is Kind.MONEY or (kind is None and field in MONEY_FIELDS):
        return _canonical(column, r"^-?(?:0|[1-9]\d*)(?:\.\d*[1-9])?$", _money_text)
    return column


def _canonical(column: pd.Series, good: str, fix: Callable[[str], str]) -> pd.Series:
    odd = column.notna() & ~pd.Series(textops.search(column, good), index=column.index)
    if odd.any():
        column = column.copy()
        column[odd] = column[odd].map(fix)
    return column


_SERIAL_DAY = re.compile(r"^\d{5}(?:\.\d+)?$")
"""A serial day number of 1954-2119 (20000-80000): no one types a five-digit number into a date column."""


def _serial_days(column: pd.Series, date1904: bool) -> pd.Series:
    """The column with its serial day numbers (see `_SERIAL_DAY`) as ISO text, the whole column at once: a Google
    Sheet's typed read gives every date so, and one at a time they cost 0.7 s a 100,000-row column."""
    serial = column.notna() & pd.Series(textops.search(column, _SERIAL_DAY.pattern), index=column.index)
    if not serial.any():
        return column
    days = pd.to_numeric(column[serial], errors="coerce")
    days = days[(days >= 20000) & (days <= 80000)]
    if days.empty:
        return column
    start = np.datetime64("1904-01-01" if date1904 else "1899-12-30", "s")
    moments = start + np.round(days.to_numpy(dtype="float64") * 86400).astype("int64").astype("timedelta64[s]")
    out = column.copy()
    out[days.index] = np.char.replace(np.datetime_as_string(moments, unit="s").astype(str), "T", " ")
    return out


def _datetime_text(text: str, *, date1904: bool = False) -> str:
    if _SERIAL_DAY.match(text) and 20000 <= float(text) <= 80000:
        start = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)
        moment = start + dt.timedelta(seconds=round(float(text) * 86400))
        return format_datetime(moment)
    parsed = parse_datetime(text)
    return format_datetime(parsed) if parsed else text


def _money_text(text: str) -> str:
    parsed = parse_money(text)
    return format_money(parsed) if parsed is not None else text


def cell_value(field: str, text: str | None, *, dates: Collection[str] = DATETIME_FIELDS,
               money: Collection[str] = MONEY_FIELDS) -> CellValue:
    """What to put in a cell for a canonical value: dates and amounts as numbers, the rest as text (`dates`, `money`:
    the fields of those kinds, an order's by default; a ticket's for the after-sales sheet)."""
    if text is None:
        return None
    if field in dates:
        parsed = parse_datetime(text)
        return parsed if parsed else text
    if field in money:
        amount = parse_money(text)
        return amount if amount is not None else text
    return text


def cell_values(field: str, column: pd.Series) -> list[CellValue]:
    """`cell_value` for a whole column at once (appending many rows)."""
    present = column.notna()
    out: list[CellValue] = column.astype(object).where(present, None).tolist()
    if field in DATETIME_FIELDS:
        parsed = pd.to_datetime(column, format="%Y-%m-%d %H:%M:%S", errors="coerce")
        as_python = list(parsed.dt.to_pydatetime())
        for i in (parsed.notna() & present).to_numpy().nonzero()[0]:
            out[i] = as_python[i]
    elif field in MONEY_FIELDS:
        out = [cell_value(field, v) if isinstance(v, str) else None for v in out]
    return out


def among(column: pd.Series | pd.Index, values: Iterable[str] | pd.Series | pd.Index | pa.Array) -> np.ndarray:
    """`column.isin(values)` for many values, by Arrow (pandas' string isin walks the values in Python:
    0.35 s for 100,000 of them, against 0.02 s here)."""
    if isinstance(values, pa.Array):
        value_set = values.cast(pa.string())
    elif isinstance(values, (pd.Series, pd.Index)):  # the value set may repeat values: Arrow's set takes each once
        value_set = textops.arrow_of(values.astype("str")).cast(pa.string()).drop_null()
    else:
        value_set = pa.array(list(values), pa.string())
    found = pc.is_in(textops.arrow_of(column.astype("str")), value_set=value_set)
    return np.asarray(pc.fill_null(found, False).to_numpy(zero_copy_only=False), dtype=bool)


def positions(column: pd.Series | pd.Index, values: pd.Series | pd.Index) -> np.ndarray:
    """For each value of `column`, its position among `values` (the first, when it stands there twice), -1 where it is
    not there: `values.get_indexer(column)` by Arrow.  pandas' get_indexer on a text index keeps a hash table of a
    Python string per value for as long as the index lives (a million order_ids: 60 MB through the whole run)."""
    found = pc.index_in(textops.arrow_of(column.astype("str")), value_set=textops.arrow_of(values.astype("str")))
    return np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), dtype=np.int64)


class ColumnCells(Sequence["CellValue"]):
    """The cell values of a column of canonical text, made a chunk at a time as a writer reads them;
    a writer that can take the text itself reads `kind` and `arrow()` instead (`stores.base.TextColumn`).

    Appending 50,000 rows of 25 columns as Python objects all at once would hold 1.25 million of
    them; a writer that reads in order holds one chunk per column instead."""

    CHUNK: Final = 8192

    def __init__(self, field: str, column: pd.Series) -> None:
        self._field, self._column = field, column
        self._start = 0
        self._cells: list[CellValue] = []  # the first chunk is made when first read

    def __len__(self) -> int:
        return len(self._column)

    @property
    def kind(self) -> Literal["text", "money", "datetime"]:
        """What `cell_value` makes of the text: numbers for amounts and dates, else text (`TextColumn`)."""
        return "datetime" if self._field in DATETIME_FIELDS else "money" if self._field in MONEY_FIELDS else "text"

    def arrow(self) -> pa.Array | pa.ChunkedArray:
        """The canonical text itself, as Arrow strings (`TextColumn`)."""
        return arrow_text(self._column, large=True)

    @overload
    def __getitem__(self, key: int) -> CellValue: ...
    @overload
    def __getitem__(self, key: slice) -> list[CellValue]: ...

    def __getitem__(self, key: int | slice) -> CellValue | list[CellValue]:
        if isinstance(key, slice):
            start, stop, step = key.indices(len(self))
            if step != 1:
                return [self[i] for i in range(start, stop, step)]
            if self._start <= start and stop <= self._start + len(self._cells):
                return self._cells[start - self._start : stop - self._start]
            if stop - start > self.CHUNK:
                return cell_values(self._field, self._column.iloc[start:stop])
            self._start, self._cells = start, cell_values(self._field, self._column.iloc[start : start + self.CHUNK])
            return self._cells[: stop - start]
        index = key + len(self) if key < 0 else key
        if not 0 <= index < len(self):
            raise IndexError(key)
        return self[index : index + 1][0]

    def __iter__(self) -> Iterator[CellValue]:
        for start in range(0, len(self), self.CHUNK):
            yield from self[start : start + self.CHUNK]
