"""The store interface: read the order table, write a batch of cell changes, describe the sheet.

A store speaks in sheet coordinates (1-based row and column numbers); the pipeline
speaks in order_ids and canonical fields.  `api.py` translates between the two with
the `Table` a store returned, so a person may sort, filter and move columns at will.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Literal, Protocol, TypeAlias, runtime_checkable

import pandas as pd

if TYPE_CHECKING:
    import pyarrow as pa


class _Keep:
    """Marker: leave this part of the cell as it is."""

    _instance: _Keep | None = None

    def __new__(cls) -> _Keep:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "KEEP"

    def __bool__(self) -> bool:
        return False


KEEP = _Keep()

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
    value: CellValue | _Keep = KEEP
    fill: str | _Keep | None = KEEP


@runtime_checkable
class TextColumn(Protocol):
    """A column of appended values that a store may also take as canonical text (`values.py`):
    text as it is, an amount as a plain decimal, a datetime as `YYYY-MM-DD HH:MM:SS`; missing as
    null.  The xlsx store writes such columns in bulk (`xlsx_block.py`) instead of value by value."""

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


@dataclass(slots=True)
class Table:
    """The order table as read: one DataFrame row per sheet row that has any value.

    `frame` has one column per canonical field found in the sheet (typed: text as
    strings, money as Decimal, dates as datetime64); `row_numbers[i]` is the sheet row
    of `frame.iloc[i]`; `columns` maps canonical field -> 1-based sheet column;
    `last_row` is the last row the sheet holds (rows after it are appended).
    `unparsed` lists cells whose text could not be read as their field's type:
    (sheet row, field, raw text); they are kept in the sheet as typed.
    """

    frame: pd.DataFrame
    row_numbers: list[int]
    columns: dict[str, int]
    header_row: int
    last_row: int
    extra_headers: dict[str, int] = field(default_factory=dict)
    unparsed: list[tuple[int, str, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SheetInfo:
    """What `sheetsync check` shows: where the table is and which headers it has."""

    location: str
    sheet: str
    header_row: int
    headers: dict[int, str]
    rows: int


class Store(Protocol):
    """Where the order table lives: an .xlsx file or a Google Sheet."""

    def read(self) -> Table: ...

    def write(self, writes: Sequence[CellWrite], appends: AppendBlock | None = None,
              on_staged: Callable[[str], None] | None = None) -> object | None:
        """Apply the writes (and append the block) atomically; None, touching nothing, when there are none.
        `on_staged(sha256)` runs once the new file is complete, before it replaces the old one."""
        ...

    def describe(self) -> SheetInfo: ...
