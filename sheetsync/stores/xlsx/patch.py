"""Patch an .xlsx package in place: change cells of one sheet and append rows, copying everything else.

No workbook model is ever loaded.  The sheet's XML is streamed and only rows with
writes are edited; rows are appended from writes or, for many at once, from a columnar
`AppendBlock`; xl/styles.xml gains a fill or date format only when one is needed;
table, filter, validation and conditional-format ranges that ended at the sheet's last
row grow with appended rows; xl/workbook.xml is asked to recalculate on open when the
workbook has formulas.  Every other zip member is copied byte for byte, not recompressed.
"""

from __future__ import annotations

import re
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow.compute as pc

from sheetsync.errors import UnreadableInput
from sheetsync.model.cells import KEEP, AppendBlock, CellWrite, TextColumn
from sheetsync.stores.xlsx.cells import MAX_COL, MAX_ROW, check_column, check_value, col_letters
from sheetsync.stores.xlsx.package import Book, member, part_chunks, part_info, read_book, read_part, related, sheet_part
from sheetsync.stores.xlsx.ranges import (
    extend_filter_database,
    extend_ranges,
    set_full_calc_on_load,
    widen_filter_database,
)
from sheetsync.stores.xlsx.sheet import Appended, SheetPatcher
from sheetsync.stores.xlsx.styles import StyleBook, check_fill
from sheetsync.stores.xlsx.threads import BackgroundDeflater, read_ahead
from sheetsync.stores.xlsx.xmlparts import corrupt, signed
from sheetsync.stores.xlsx.zipped import Deflater, NewMember, deflate, write_package

__all__ = ["PatchStats", "SheetEdit", "SheetStats", "last_row_of", "patch_xlsx", "sheet_names"]

_TOTALS_ROW = re.compile(rb"""\stotalsRowCount\s*=\s*["']([1-9]\d*)["']""")


@dataclass(frozen=True, slots=True)
class PatchStats:
    """What one patch did; `old_last_row`/`new_last_row` are the last rows with data before and after."""

    cells_written: int
    rows_appended: int
    parts_rewritten: tuple[str, ...]
    seconds: float
    old_last_row: int
    new_last_row: int
    lists_extended: tuple[str, ...] = ()
    """Words added to an inline dropdown list (`lists`)."""
    also: tuple[SheetStats, ...] = ()
    """The other sheets' (`also`), in the order given."""


@dataclass(frozen=True, slots=True)
class SheetEdit:
    """Writes to another sheet of the same workbook, made in the same atomic patch (the after-sales sheet beside the
    order sheet): the same meaning as `patch_xlsx`'s arguments of the same names."""

    sheet: str
    writes: Sequence[CellWrite] = ()
    appends: AppendBlock | None = None
    header_row: int = 0
    lists: Mapping[tuple[int, int], Sequence[str]] | None = None
    widths: Mapping[int, float] | None = None
    filter_to: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class SheetStats:
    """What the patch did to one more sheet (`PatchStats.also`)."""

    sheet: str
    cells_written: int
    rows_appended: int
    old_last_row: int
    new_last_row: int
    lists_extended: tuple[str, ...] = ()


def patch_xlsx(
    src: Path,
    dst: BinaryIO | Path,
    sheet: str,
    writes: Sequence[CellWrite],
    *,
    appends: AppendBlock | None = None,
    compresslevel: int = 1,
    header_row: int = 0,
    refuse: Callable[[str], None] | None = None,
    lists: Mapping[tuple[int, int], Sequence[str]] | None = None,
    widths: Mapping[int, float] | None = None,
    filter_to: tuple[int, int] | None = None,
    also: Sequence[SheetEdit] = (),
) -> PatchStats:
    """Write the package `src` to `dst` with `writes` applied to worksheet `sheet` and the rows of
    `appends` added after its last row with data.

    Appended rows copy the format of the last row with data, never that of the sheet's first
    row with data (its header) nor of rows up to `header_row` (for a header under a title);
    writes to rows of `appends` apply on top of its values (e.g. a fill).
    `dst` (a path, or a seekable binary file) is left incomplete if this raises.
    Raises UnreadableInput naming the file when the package is corrupt or has no such
    sheet, ValueError for a write outside the sheet, a value a cell cannot hold, or
    `appends` not starting after the sheet's last row with data (TypeError for a value of
    a type no cell holds).  `refuse(what)` is called, before anything is written to `dst`, with `signed`
    when the package carries a digital signature (writing invalidates it) and `protected` when the sheet
    is protected; it raises to stop the patch.  `lists`: (row, column) of a cell -> words the inline dropdown list
    covering it must offer (added at its end; a list kept in cells is left alone).
    """
    started = time.perf_counter()
    src = Path(src)
    if isinstance(dst, Path) and dst.resolve() == src.resolve():
        raise ValueError(f"cannot patch {src} onto itself; write to a temporary file and rename it")
    edits = [SheetEdit(sheet, writes, appends, header_row, lists, widths, filter_to), *also]
    if len({e.sheet.casefold() for e in edits}) < len(edits):
        raise ValueError("each sheet may be patched once per write")
    prepared = [(_group(e.writes), _prepare(e.appends) if e.appends is not None else None) for e in edits]
    where = str(src)
    with _open(src) as (raw, package), ExitStack() as spools:
        try:
            if refuse is not None and signed(package.namelist()):
                refuse("signed")
            book = read_book(package, where)
            parts = [part_info(package, sheet_part(book, e.sheet, where), where).filename for e in edits]
            styles = StyleBook(lambda: read_part(package, book.styles, where), f"{where}: {book.styles}")
            new: dict[str, NewMember] = {}
            workbook = book.xml
            patchers: list[SheetPatcher] = []
            for edit, part, (grouped, block) in zip(edits, parts, prepared, strict=True):
                patcher = SheetPatcher(
                    grouped, styles, date1904=book.date1904, where=f"{where}: {part}", header_row=edit.header_row,
                    appended=block, lists=edit.lists, widths=edit.widths, filter_to=edit.filter_to,
                )
                deflater = BackgroundDeflater(Deflater(spools.enter_context(tempfile.TemporaryFile()), compresslevel))
                try:
                    patcher.run(read_ahead(part_chunks(package, part, where)), deflater.write)
                    if refuse is not None and patcher.protected:
                        refuse("protected")
                except BaseException:
                    deflater.close()
                    raise
                new[part] = deflater.finish()
                old_last, new_last = patcher.old_last_row, patcher.new_last_row
                if new_last > old_last > 0:
                    new.update(_extended_tables(package, part, old_last, new_last, compresslevel, where))
                    workbook = extend_filter_database(workbook, edit.sheet, old_last, new_last)
                if edit.filter_to is not None:
                    workbook = widen_filter_database(workbook, edit.sheet, *edit.filter_to)
                patchers.append(patcher)
            if styles.changed and book.styles:
                new[part_info(package, book.styles, where).filename] = deflate(styles.to_bytes(), compresslevel)
            recalculating = set_full_calc_on_load(workbook)
            if recalculating != workbook and (book.has_calc_chain or any(p.has_formulas for p in patchers)
                                              or _formulas_elsewhere(package, book, set(parts), where)):
                workbook = recalculating  # another sheet's formulas may read the cells written (looked at once)
            if workbook != book.xml:
                new[book.part] = deflate(workbook, compresslevel)
            write_package(raw, package.infolist(), new, dst, comment=package.comment, where=where)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise corrupt(where, str(exc) or type(exc).__name__) from exc
        rewritten = tuple(info.filename for info in package.infolist() if info.filename in new)
    first = patchers[0]
    others = tuple(
        SheetStats(edit.sheet, patcher.cells_written, _appended_rows(grouped, block, patcher.old_last_row),
                   patcher.old_last_row, patcher.new_last_row, tuple(patcher.lists_extended))
        for edit, patcher, (grouped, block) in zip(edits[1:], patchers[1:], prepared[1:], strict=True)
    )
    return PatchStats(
        cells_written=first.cells_written,
        rows_appended=_appended_rows(*prepared[0], first.old_last_row),
        parts_rewritten=rewritten,
        seconds=time.perf_counter() - started,
        old_last_row=first.old_last_row,
        new_last_row=first.new_last_row,
        lists_extended=tuple(first.lists_extended),
        also=others,
    )


_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f[\s>/]")


def _formulas_elsewhere(package: zipfile.ZipFile, book: Book, parts: set[str], where: str) -> bool:
    """Whether a worksheet other than the patched ones holds a formula (a team's summary sheet reading the orders):
    then the application must recalculate on open, or it shows the values cached before this run."""
    for target in book.sheets.values():
        info = member(package, target)
        if info is None or info.filename in parts:
            continue
        tail = b""
        for chunk in part_chunks(package, info.filename, where):
            if _FORMULA.search(tail + chunk):
                return True
            tail = chunk[-16:]
    return False


def _extended_tables(
    package: zipfile.ZipFile, sheet_part: str, old_last: int, new_last: int, level: int, where: str
) -> dict[str, NewMember]:
    """The sheet's table parts whose range ended at the old last row, grown to the new one.

    A table with a totals row is left alone: its last row is the totals, not data.
    """
    grown = {}
    for table in related(package, sheet_part, "table", where):
        info = part_info(package, table, where)
        xml = package.read(info)
        if not _TOTALS_ROW.search(xml[:4096]):
            extended = extend_ranges(xml, old_last, new_last)
            if extended != xml:
                grown[info.filename] = deflate(extended, level)
    return grown


def sheet_names(src: Path) -> list[str]:
    """The workbook's sheets by name, in its order."""
    with _open(Path(src)) as (_, package):
        return list(read_book(package, str(src)).sheets)


def last_row_of(src: Path, sheet: str) -> int:
    """The last row of `sheet` holding a value or formula (0 when none): where `patch_xlsx` appends after."""
    where = str(src)
    with _open(Path(src)) as (_, package):
        try:
            book = read_book(package, where)
            part = sheet_part(book, sheet, where)
            patcher = SheetPatcher({}, StyleBook(lambda: None, where), date1904=book.date1904, where=where)
            patcher.run(part_chunks(package, part, where), lambda data: None)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise corrupt(where, str(exc) or type(exc).__name__) from exc
    return patcher.old_last_row


@contextmanager
def _open(src: Path) -> Iterator[tuple[BinaryIO, zipfile.ZipFile]]:
    """`src` as a zip package; a missing or non-zip file is UnreadableInput."""
    try:
        raw = open(src, "rb")  # noqa: SIM115 - closed by the with below
    except OSError as exc:
        raise UnreadableInput(f"{src} cannot be opened: {exc.strerror or exc}") from exc
    with raw:
        try:
            package = zipfile.ZipFile(raw)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise corrupt(str(src), f"it is not an .xlsx (zip) file: {exc}") from exc
        with package:
            yield raw, package


def _group(writes: Sequence[CellWrite]) -> dict[int, dict[int, CellWrite]]:
    """Writes by row and column; a later write to the same cell overrides the parts it sets."""
    grouped: dict[int, dict[int, CellWrite]] = {}
    fills: set[str] = set()  # colours known to be fine
    for write in writes:
        row, col, value, fill = write.row, write.col, write.value, write.fill
        if not (0 < row <= MAX_ROW and 0 < col <= MAX_COL):
            raise ValueError(f"cell (row {row}, column {col}) is outside a worksheet")
        if type(value) is not str and type(value) is not int and value is not KEEP:
            check_value(value)
        if isinstance(fill, str):
            if fill not in fills:
                check_fill(fill)
                fills.add(fill)
        elif fill is not KEEP and fill is not None:
            check_fill(fill)  # raises: not a colour
        cells = grouped.get(row)
        if cells is None:
            grouped[row] = {col: write}
        elif col in cells:
            earlier = cells[col]
            cells[col] = CellWrite(row, col, earlier.value if value is KEEP else value, earlier.fill if fill is KEEP else fill)
        else:
            cells[col] = write
    return grouped


def _prepare(block: AppendBlock) -> Appended | None:
    """The block checked and turned into columns; None when it has no rows."""
    rows = block.rows
    height = len(block.by_column[0]) if block.by_column else len(rows)
    if height == 0:
        return None
    columns = tuple(block.columns)
    width = len(columns)
    stop = block.first_row + height
    if not (block.first_row > 0 and stop - 1 <= MAX_ROW):
        raise ValueError(f"appended rows {block.first_row} to {stop - 1} are outside a worksheet")
    if not columns or len(set(columns)) != width or not all(0 < col <= MAX_COL for col in columns):
        raise ValueError(f"appended columns must be distinct column numbers from 1 to {MAX_COL}, not {list(columns)}")
    if block.by_column is not None:
        if len(block.by_column) != width or {len(c) for c in block.by_column} != {height}:
            raise ValueError(f"appended columns must hold {height} values each, one column per number in {list(columns)}")
        values = tuple(block.by_column)
    else:
        if set(map(len, rows)) != {width}:
            at = next(i for i, row in enumerate(rows) if len(row) != width)
            raise ValueError(f"appended row {block.first_row + at} has {len(rows[at])} values for {width} columns")
        values = tuple(zip(*rows, strict=True))
    for col, column in zip(columns, values, strict=True):
        bad = _first_unwritable_date(column) if isinstance(column, TextColumn) else check_column(column)
        if bad is not None:
            try:
                check_value(column[bad])
            except (TypeError, ValueError) as exc:
                raise type(exc)(f"appended cell {col_letters(col)}{block.first_row + bad}: {exc}") from exc
    return Appended(block.first_row, stop, columns, values)


def _first_unwritable_date(column: TextColumn) -> int | None:
    """`check_column` for canonical text: the index of the first date before any workbook's first
    day (any other canonical value fits a cell), None if there is none."""
    if column.kind != "datetime":
        return None
    text = column.arrow()
    early = pc.and_(pc.less(text, "1899-12-31"), pc.match_substring_regex(text, r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$"))
    for index in np.flatnonzero(early.to_numpy(zero_copy_only=False)):
        try:
            check_value(column[int(index)])  # type: ignore[index]
        except (TypeError, ValueError):
            return int(index)
    return None


def _appended_rows(grouped: dict[int, dict[int, CellWrite]], block: Appended | None, old_last: int) -> int:
    """How many rows after the old last row with data the patch filled: the block's and those written."""
    if block is None:
        return sum(1 for row in grouped if row > old_last)
    return block.stop - block.first + sum(1 for row in grouped if row > old_last and not block.first <= row < block.stop)
