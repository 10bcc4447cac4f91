"""The order sheet as Arrow text, read by a sync before the pipeline's libraries are loaded.

A sync's memory peak was its read: calamine's cells of the whole sheet (about 180 MB at 100,000 rows x 30
columns, each shared string copied into every cell that shows it) and their Arrow text, on top of all the
pipeline had loaded by then (pandas, DuckDB, the address tables: about 170 MB).  The console's quick path, when it
finds the run cannot stay untouched, reads the sheet here first, in a process that holds little more than fastexcel
and Arrow, and hands the cells' heap back before the rest loads: the peak is the one or the other, not both.  The
store takes the early read only if the file is still the one it read (same inode, size and modification time, seen
under the run lock); otherwise, or when the early read failed for any reason, it reads again and says what is wrong.

This module loads no pandas: `XlsxStore.read` turns the Arrow table into the pipeline's frame.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import fastexcel
import pyarrow as pa

from sheetsync.errors import ConfigError, UnreadableInput
from sheetsync.i18n import Lang, t
from sheetsync.runtime import limits
from sheetsync.runtime.extents import check_extents
from sheetsync.stores.xlsx.cells import col_letters
from sheetsync.stores.xlsx.package import first_value_cell, read_book
from sheetsync.stores.xlsx.rowblocks import blockwise, eager_text, pruned, read_blocks, top_rows

if TYPE_CHECKING:
    from sheetsync.stores.base import ColumnPick  # not at run time: this module loads no pandas

Stamp = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class SheetText:
    """A worksheet's used range as Arrow text columns (None: the sheet holds no value), the sheet row and column of
    its top-left cell, and the workbook's date system."""

    table: pa.Table | None
    first_row: int
    first_col: int
    date1904: bool


_early: tuple[Path, str, Stamp, SheetText] | None = None


def stamp_of(path: Path) -> Stamp:
    """(inode, size, modification time in ns) of the file at `path`: which file it is, and which version."""
    info = os.stat(path)
    return info.st_ino, info.st_size, info.st_mtime_ns


def read_early(path: Path, sheet: str, lang: Lang) -> None:
    """Read the sheet `sheet` of the workbook at `path` now, for the store to take (`take_early`); any failure is
    left for the store's own read to meet and report."""
    global _early
    from sheetsync.runtime import memory

    memory.fit_to_run(0)  # Arrow's pool and the C library's thresholds as the command sets them for a sheet's run
    try:
        stamp = stamp_of(path)
        text = sheet_text(path, sheet, lang)
    except Exception:  # the store reads again and says what is wrong
        return
    finally:
        memory.give_back()  # calamine's cells were freed into the C library's heap: back to the system before loading
    _early = (path, sheet, stamp, text)


def take_early(path: Path, sheet: str, stamp: Stamp) -> SheetText | None:
    """The early read of `sheet` at `path`, when the file is still the version `stamp` it was read at; it is let go
    either way (taken once)."""
    global _early
    held, _early = _early, None
    if held is None or held[:3] != (path, sheet, stamp):
        return None
    return held[3]


def sheet_text(path: Path, name: str, lang: Lang, *, whole_package: bool = True,
               pick: ColumnPick | None = None) -> SheetText:
    """The sheet `name` of the workbook at `path` as Arrow text (phone numbers, postcodes and long order numbers keep
    every digit).  UnreadableInput for a package that is not a workbook or a cell longer than the bound, ConfigError
    for a sheet the workbook does not have.  `whole_package`: the package's extents are checked first (False: for
    another sheet of a version already checked); `pick`: the columns wanted (the others' values are let go)."""
    if whole_package:
        check_extents(path, lang)  # an encrypted, renamed or duplicated package; a sheet reaching too far
    try:
        with zipfile.ZipFile(path) as package:
            book = read_book(package, str(path))
            part = book.sheets.get(name)
            if part is None:
                raise ConfigError(t("table.no_sheet", lang, path=path, sheet=name, sheets=", ".join(book.sheets)))
            first = first_value_cell(package, part)
            if first is None:
                return SheetText(None, 1, 1, book.date1904)
            blocks = read_blocks(package, book, part, str(path), pick) if blockwise(package, book, part, str(path)) \
                else None
        if blocks is not None:
            table, first_row, first_col = blocks
        else:
            table = eager_text(path, name)
            first_row, column = first
            first_col = column - next((i for i, c in enumerate(table.columns) if len(c) and c[0].as_py()), 0)
            if pick is not None:
                table = pruned(table, pick(top_rows(table), first_row, first_col), first_col)
    except (zipfile.BadZipFile, KeyError, OSError, fastexcel.FastExcelError, ValueError) as exc:
        raise UnreadableInput(t("table.unreadable", lang, path=path, problem=exc), t("table.unreadable.hint", lang)) \
            from None
    _check_cells(table, path, name, lang, first_row, first_col)
    return SheetText(table, first_row, first_col, book.date1904)


def _check_cells(table: pa.Table, path: Path, sheet: str, lang: Lang, first_row: int, first_col: int) -> None:
    """UnreadableInput naming the first cell longer than the bound (`limits.cell_chars`): none that Excel, WPS
    or LibreOffice saves is; one that a crafted or broken file holds is not read into every later step."""
    cap = limits.current().cell_chars
    found = limits.first_long_cell(table, cap)
    if found is not None:
        cell = f"{col_letters(first_col + found[1])}{first_row + found[0]}"
        raise UnreadableInput(t("table.long_cell", lang, path=path, sheet=sheet, cell=cell, limit=f"{cap:,}"),
                              t("table.long_cell.hint", lang, cell=cell))
