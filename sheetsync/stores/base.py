"""The store interface: read the order table, write a batch of cell changes, describe the sheet.

A store speaks in sheet coordinates (1-based row and column numbers); the pipeline
speaks in order_ids and canonical fields.  `api.py` translates between the two with
the `Table` a store returned, so a person may sort, filter and move columns at will.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import pandas as pd

from sheetsync.model.cells import AppendBlock, CellWrite

if TYPE_CHECKING:
    pass


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
