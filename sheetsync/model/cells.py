"""Cells as the pipeline hands them to a store: a value or KEEP, a fill, in sheet coordinates.

A store speaks in sheet coordinates (1-based row and column numbers); the pipeline speaks in
order_ids and canonical fields.  These records are where the two meet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Literal, Protocol, TypeAlias, runtime_checkable

if TYPE_CHECKING:
    import pyarrow as pa


class Keep:
    """Marker: leave this part of the cell as it is."""

    _instance: Keep | None = None

    def __new__(cls) -> Keep:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "KEEP"

    def __bool__(self) -> bool:
        return False


KEEP = Keep()


CellValue: TypeAlias = str | int | float | Decimal | bool | dt.datetime | dt.date | None
"""What a cell can be given.  A `str` is always stored as text, never as a formula."""


@dataclass(frozen=True, slots=True)
class CellWrite:
    """One cell to write, in sheet coordinates.

    `value` KEEP leaves the value; None empties the cell (its style stays).
    `fill` KEEP leaves the fill; a 6-digit hex colour `"FFC7CE"` sets a solid fill;
    None removes the fill.  A row beyond the sheet's last row is appended.
    """

    row: int
    col: int
    value: CellValue | Keep = KEEP
    fill: str | Keep | None = KEEP
    like: int | None = None
    """A column of the same row whose cell lends its format to a cell written where there was none (a header the
    tool adds takes the team's header style)."""


@runtime_checkable
class TextColumn(Protocol):
    """A column of appended values that a store may also take as canonical text (`model/values.py`):
    text as it is, an amount as a plain decimal, a datetime as `YYYY-MM-DD HH:MM:SS`; missing as
    null.  The xlsx store writes such columns in bulk (`stores/xlsx/block.py`) instead of value by value."""

    @property
    def kind(self) -> Literal["text", "money", "datetime"]: ...

    def arrow(self) -> pa.Array | pa.ChunkedArray: ...


@dataclass(frozen=True, slots=True)
class AppendBlock:
    """Rows appended after the sheet's last row, columnar: `rows[i][j]` goes to column `columns[j]`
    of sheet row `first_row + i`.  A None value leaves that cell without a value (its style is still
    the template's).  CellWrites aimed at these rows are applied on top (e.g. a fill)."""

    first_row: int
    columns: Sequence[int]
    rows: Sequence[Sequence[CellValue]] = ()
    by_column: Sequence[Sequence[CellValue]] | None = None
    """The same values column by column (`by_column[j][i]` is row i of column j), instead of `rows`:
    a large block then needs no Python list per row.  When every column is also a `TextColumn`,
    the xlsx store builds the rows from their text without making a Python value per cell."""


@dataclass(frozen=True, slots=True)
class SheetWrites:
    """Cells of another sheet of the same workbook, written in the same atomic write as the order sheet's (the
    after-sales sheet's)."""

    sheet: str
    writes: Sequence[CellWrite]
