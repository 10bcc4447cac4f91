"""The store door: read the order sheet as it is, write a batch of cell writes atomically, and the
few operations the run's protocol needs (a fingerprint of the version in place, leftovers of a killed run).

A store speaks in sheet coordinates (1-based row and column numbers); the pipeline speaks in
order_ids and canonical fields.  `stores/table.py` maps a store's `Sheet` to the `Table` the steps
work on, and the run turns its changes back into `CellWrite`s with the `Table`'s column map, so a
person may sort, filter and move columns at will.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pandas as pd

from sheetsync.model.cells import AppendBlock, CellWrite, SheetWrites

if TYPE_CHECKING:
    pass


ColumnPick = Callable[[list[list[str | None]], int, int], "set[int] | None"]
"""Which columns of a sheet a read-only command needs, decided from its top rows (their values, and the sheet row and
column of the first): the sheet columns to keep, or None for all.  A store may drop the others' values as it reads
(a million-row desk's report needs 12 of its 30 columns); the header row and the table's positions stay as they are."""


@dataclass(slots=True)
class Sheet:
    """The order sheet as a store read it, before any mapping: its used range as text (None for an
    empty cell), the sheet row and column of the range's top-left cell, and where it is (for messages)."""

    cells: pd.DataFrame
    first_row: int
    first_col: int
    where: str
    """The workbook's path or the spreadsheet's address."""
    name: str
    """The sheet's name."""
    date1904: bool = False
    """The workbook counts serial days from 1904 (how a date given as a number is read)."""


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
    columns: dict[str, int]
    header_row: int
    last_row: int
    extra_headers: dict[str, int] = field(default_factory=dict)
    unparsed: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def row_numbers(self) -> list[int]:
        """The sheet row of each row of `frame` (its index), in order."""
        return [int(row) for row in self.frame.index]


@dataclass(frozen=True, slots=True)
class Written:
    """What a store's write did: the new workbook's sha256 (the journal's run is pending for it), the
    previous version kept as a backup (None when the desk keeps none), and how many cells it wrote."""

    sha256: str
    backup: Path | None
    cells: int
    dropped: int = 0
    """Writes left out because a person changed their cell (or deleted its row) while the run worked (a shared
    Google Sheet): the person wins, and the next run takes the cell up as their edit."""


class Store(Protocol):
    """Where the order table lives: an .xlsx file (`stores/xlsx/`) or a Google Sheet.  Exactly what the
    run calls; the contract suite (tests/test_store_contract.py) says what each backend must do."""

    def read(self, sheet: str | None = None, pick: ColumnPick | None = None) -> Sheet:
        """The order sheet (or the sheet named `sheet`: the after-sales sheet) as it is now, as text;
        `stores.table.table_of` maps it (one step for every store).  `pick`: the columns wanted (a hint: the values of
        the others may be left out)."""
        ...

    def read_sheet(self, name: str) -> pd.DataFrame | None:
        """Another sheet of the same workbook (a customers or inventory list) as text, its first row as
        the column names; None when there is no such sheet."""
        ...

    def write(self, writes: Sequence[CellWrite], appends: AppendBlock | None = None,
              on_staged: Callable[[str], None] | None = None, *, header_row: int = 0,
              lists: Mapping[tuple[int, int], Sequence[str]] | None = None,
              widths: Mapping[int, float] | None = None, filter_to: tuple[int, int] | None = None,
              also: Sequence[SheetWrites] = ()) -> Written | None:
        """Apply the writes (and append the block, and write `also`: other sheets' cells) atomically; None, touching
        nothing, when there are none.
        `on_staged(sha256)` runs once the new version is complete, before it replaces the old one;
        `header_row` (the table's) says which rows are the header's: new rows never copy their format;
        `lists`: (row, column) of a cell -> words the dropdown covering it must offer (the store adds them)."""
        ...

    def status_choices(self, row: int, col: int) -> tuple[str, ...] | None:
        """The words the dropdown of the cell at (`row`, `col`) allows (None: it has no list of words)."""
        ...

    def sha256(self) -> str | None:
        """A fingerprint of the table's current version (None: there is none), which the journal compares
        with a run's pending version after a crash."""
        ...

    def discard_leftovers(self) -> None:
        """Remove what a run killed while writing left behind (called under the run lock)."""
        ...
