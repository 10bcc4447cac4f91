"""A large worksheet read in blocks of rows, two at a time: bounded memory, both cores.

calamine (through fastexcel) builds the cells of a whole sheet before handing any over: about 60 bytes a cell, 1.5 GB
for a million rows of 25 columns, on one core.  Here the sheet's XML is cut at row boundaries into blocks of about
`BLOCK_BYTES`; each block becomes a small package of its own (the block's rows and the workbook's styles, stored
without compression) that fastexcel reads on a worker thread (it lets go of the GIL), and the Arrow text of the
blocks is put together in sheet order.  The cells of at most `WORKERS` blocks are in memory at once.  A 100,000-row
sheet of the tool's own (inline strings) reads in 1.4 s and 153 MB this way, against 2.0 s and 248 MB whole.

Where each block sits is made certain, not guessed: a block is given a marker cell in column A on the row after its
last row (and, after the first block, on the row before its first), so calamine's range of every block starts at
column A and at a known row; the markers are dropped, the rows between blocks that the XML leaves out are put back
as empty rows, and the empty columns on the left and right and the empty rows after the last value are cut, as
calamine does for a whole sheet.

A workbook whose strings are in a shared-strings table (Excel's, WPS's, LibreOffice's) is read whole: every block
would parse the whole table again (a 100,000-row sheet from Excel: 6.3 s in 2 MB blocks against 1.8 s whole), and
its memory is then the table's once, not once a block.  So is a sheet smaller than a few blocks, and one in a form
this does not know (Strict OOXML).
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

import fastexcel
import pyarrow as pa
import pyarrow.compute as pc

from sheetsync.runtime.memory import LARGE_RUN
from sheetsync.stores.xlsx.package import Book, member, part_chunks, part_info, related
from sheetsync.stores.xlsx.xmlparts import last_row_start, row_number, sheet_data_start

if TYPE_CHECKING:
    from sheetsync.stores.base import ColumnPick  # not at run time: this module loads no pandas

BLOCK_BYTES: Final = 2 << 20
"""XML bytes of one block (~2,000 rows of 25 columns): the peak grows with the block (100,000 rows: 153 MB in blocks
of 1-2 MB, 183 MB of 4 MB, 350 MB of 16 MB) and the time does not fall with it."""
SHARED_STRINGS_BYTES: Final = 1 << 20
"""A shared-strings table larger than this sends the sheet to the whole read (see the module's docstring)."""
WORKERS: Final = max(1, min(2, os.cpu_count() or 1))
"""Blocks read at once: the office PC's two cores; more would hold more blocks' cells for little gain."""
_MARK: Final = "sheetsync-block"
_MAIN_NS: Final = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@dataclass(frozen=True, slots=True)
class _Block:
    """Rows `first`..`last` of the sheet (by their numbers), read from a package of their own."""

    first: int
    last: int
    leading_marker: bool


def blockwise(package: zipfile.ZipFile, book: Book, part: str, where: str) -> bool:
    """Whether the sheet `part` is read in blocks: large enough, its strings inline or few."""
    if part_info(package, part, where).file_size < 4 * BLOCK_BYTES:
        return False
    strings = related(package, book.part, "sharedStrings", where)
    found = member(package, strings[0]) if strings else None
    return found is None or found.file_size <= SHARED_STRINGS_BYTES


def read_blocks(package: zipfile.ZipFile, book: Book, part: str, where: str,
                pick: ColumnPick | None = None) -> tuple[pa.Table, int, int] | None:
    """The sheet `part` as Arrow text columns and the sheet row and column of its top-left cell; None when the sheet
    holds no value (or is in a form to be read whole after all: Strict OOXML).  `pick`: the columns wanted, decided
    from the first block's top rows; the other columns of every later block are let go as it arrives."""
    styles = _read_if_there(package, book.styles)
    strings_parts = related(package, book.part, "sharedStrings", where)
    strings = _read_if_there(package, strings_parts[0] if strings_parts else None)
    chunks = part_chunks(package, part, where)
    head = _head(chunks)
    if head is None:
        return None
    root, pfx, rest = head
    if _MAIN_NS not in root:
        return None
    tables: list[tuple[_Block, pa.Table]] = []
    keep: list[set[int] | None] = []  # the columns `pick` chose from the first block, once it is in

    def arrived(block: _Block, future: Future[pa.Table]) -> None:
        table = future.result()
        if pick is not None:  # only the columns picked (a block's columns start at A: its marker is there)
            if not tables:  # the first block (no leading marker): the sheet's top rows, the header among them
                keep.append(pick(top_rows(table), block.last + 2 - table.num_rows, 1))
            table = pruned(table, keep[0], 1, head=not tables)
        tables.append((block, table))

    with ThreadPoolExecutor(WORKERS, thread_name_prefix="sheetsync-read") as pool:
        pending: deque[tuple[_Block, Future[pa.Table]]] = deque()
        for block, xml in _blocks(chunks, rest, pfx):
            wrapped = _package(root, pfx, block, xml, styles, strings, book.date1904)
            del xml
            pending.append((block, pool.submit(eager_text, wrapped, 0)))
            del wrapped
            while len(pending) > WORKERS:
                arrived(*pending.popleft())
        while pending:
            arrived(*pending.popleft())
    return _joined(tables)


HEAD_ROWS: Final = 30
"""The top rows a `pick` decides from (where a table's header row is looked for)."""


def top_rows(table: pa.Table) -> list[list[str | None]]:
    """The values of the table's first `HEAD_ROWS` rows, row by row."""
    head = table.slice(0, HEAD_ROWS)
    columns = [c.to_pylist() for c in head.columns]
    return [list(row) for row in zip(*columns, strict=True)] if columns else []


def pruned(table: pa.Table, keep: set[int] | None, first_col: int, *, head: bool = True) -> pa.Table:
    """`table` (whose first column is sheet column `first_col`) with the columns not in `keep` emptied: their values
    let go but those of the top `HEAD_ROWS` rows when `head` (the header a person gave their own column), the
    positions kept, as a dictionary column (a byte a row in pandas); `table` itself when `keep` is None."""
    if keep is None:
        return table
    columns = [table.column(i) if first_col + i in keep else _emptied(table.column(i), head)
               for i in range(table.num_columns)]
    return pa.table(columns, names=table.column_names)


def _emptied(column: pa.ChunkedArray, head: bool, rows: int | None = None) -> pa.DictionaryArray:
    """`column` (of `rows` rows: its own length by default) emptied but for its top rows when `head`."""
    top = [None if v is None else str(v) for v in column.slice(0, HEAD_ROWS).to_pylist()] if head else []
    words = sorted({v for v in top if v is not None})
    indices = pa.concat_arrays([pa.array([None if v is None else words.index(v) for v in top], pa.int8()),
                                pa.nulls((len(column) if rows is None else rows) - len(top), pa.int8())])
    return pa.DictionaryArray.from_arrays(indices, pa.array(words, pa.large_string()))


def eager_text(source: Path | bytes, sheet: str | int) -> pa.Table:
    """The sheet `sheet` of the workbook `source` (a file, or a package in memory) as Arrow text, loaded eagerly:
    fastexcel makes the Arrow batch straight from calamine's cells and lets them go, a fifth faster than its lazy
    sheet then `to_arrow` (1.85 s against 2.33 s at 100,000 rows x 30 columns), the same values.

    Each column is copied into buffers of its own as large strings, pandas' own: the sheet becomes its frame without
    another copy, and fastexcel's batch, whose columns share one release (none of it is freed before all of them
    are, and a cast alone shares the values' buffer), is let go at once.  A million-row re-import: 1.48 -> 1.39 GB,
    for ~0.5 s of the block readers' threads."""
    batch = fastexcel.read_excel(source).load_sheet(sheet, header_row=None, dtypes="string", eager=True)
    return pa.Table.from_arrays([_copied(batch.column(i).cast(pa.large_string())) for i in range(batch.num_columns)],
                                names=batch.schema.names)


def _copied(column: pa.Array) -> pa.Array:
    """`column` in buffers of its own (a cast shares the values' buffer)."""
    return pa.concat_arrays([column, pa.nulls(0, column.type)])  # (pa.array would load pandas)


def _read_if_there(package: zipfile.ZipFile, part: str | None) -> bytes | None:
    """The part's bytes; None when there is no such part (a part the workbook names and does not have: the whole
    read meets it)."""
    found = member(package, part) if part else None
    return None if found is None else package.read(found)


def _head(chunks: Iterator[bytes]) -> tuple[bytes, bytes, bytes] | None:
    """The worksheet's start tag, its namespace prefix, and what follows its `<sheetData>` start tag; None for a
    sheet without rows."""
    found = sheet_data_start(chunks)
    if found is None or found[2][1] == b"/":
        return None
    buf, pfx, data = found
    root = re.search(rb"<" + re.escape(pfx) + rb"worksheet(?=[\s/>])[^>]*>", buf)
    return None if root is None else (root[0], pfx, buf[data.end():])


def _blocks(chunks: Iterator[bytes], rest: bytes, pfx: bytes) -> Iterator[tuple[_Block, bytes]]:
    """The sheet's rows in blocks of about BLOCK_BYTES, cut where a row starts, each with the numbers of its first
    and last rows (a row without `r` follows the one before it, as in calamine)."""
    row_start = re.compile(rb"<" + re.escape(pfx) + rb"row(?=[\s/>])")
    end_tag = b"</" + pfx + b"sheetData>"
    buf = bytearray(rest)
    previous, leading, finished = 0, False, False
    searched = 0  # buf[:searched] holds no end tag: each byte is looked at once (the whole buffer each time: 2 s)
    pending = iter(chunks)
    while True:
        if not finished:
            end = buf.find(end_tag, max(0, searched - len(end_tag) + 1))
            searched = len(buf)
            if end >= 0:
                del buf[end:]
                finished = True
        cut = row_start.search(buf, BLOCK_BYTES) if len(buf) > BLOCK_BYTES else None
        if cut is None and not finished:
            chunk = next(pending, None)
            if chunk is not None:
                buf += chunk
                continue
            finished = True  # a part that ends without </sheetData>: what there is, is read
        xml = bytes(buf[: cut.start()]) if cut is not None else bytes(buf)
        del buf[: len(xml)]
        searched = max(0, searched - len(xml))
        block, previous = _numbered(xml, row_start, pfx, previous, leading)
        if block is not None:
            yield block, xml
            leading = True
        if cut is None:
            return


def _numbered(xml: bytes, row_start: re.Pattern[bytes], pfx: bytes, previous: int,
              leading: bool) -> tuple[_Block | None, int]:
    """The block of the rows in `xml` (None if it has none) and the number of its last row."""
    first_match = row_start.search(xml)
    if first_match is None:
        return None, previous
    first = _number(xml, first_match.start(), previous)
    last = _number(xml, last_row_start(xml, pfx), -1)
    if last < 0:  # its last row has no number: the rows are counted, as calamine counts them
        last = first
        for match in row_start.finditer(xml, first_match.end()):
            last = _number(xml, match.start(), last)
    return _Block(first, last, leading), last


def _number(xml: bytes, start: int, previous: int) -> int:
    """The number of the row starting at `start`: its `r`, else the one after `previous` (-1 when unknown)."""
    number = row_number(xml, start)
    if number is not None:
        return number
    return previous + 1 if previous >= 0 else -1


def _marker_row(pfx: bytes, number: int) -> bytes:
    """Row `number` holding one text cell in column A: where calamine's range of a block starts or ends."""
    p = pfx.decode()
    return (f'<{p}row r="{number}"><{p}c r="A{number}" t="inlineStr"><{p}is><{p}t>{_MARK}</{p}t></{p}is></{p}c>'
            f"</{p}row>").encode()


_CONTENT_TYPES: Final = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/styles.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    b"</Types>"
)
_ROOT_RELS: Final = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"'
    b' Target="xl/workbook.xml"/></Relationships>'
)
_REL: Final = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/'


def _package(root: bytes, pfx: bytes, block: _Block, xml: bytes, styles: bytes | None, strings: bytes | None,
             date1904: bool) -> bytes:
    """A workbook of one sheet holding the block's rows between its markers, with the styles (date formats) and
    shared strings of the workbook they come from."""
    p = pfx.decode()
    sheet = b"".join([
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n', root, f"<{p}sheetData>".encode(),
        _marker_row(pfx, block.first - 1) if block.leading_marker else b"", xml, _marker_row(pfx, block.last + 1),
        f"</{p}sheetData></{p}worksheet>".encode(),
    ])
    rels = [f'<Relationship Id="rId1" Type="{_REL}worksheet" Target="worksheets/sheet1.xml"/>']
    if styles is not None:
        rels.append(f'<Relationship Id="rId2" Type="{_REL}styles" Target="styles.xml"/>')
    if strings is not None:
        rels.append(f'<Relationship Id="rId3" Type="{_REL}sharedStrings" Target="sharedStrings.xml"/>')
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'xmlns:r="{_REL.rstrip("/")}"><workbookPr date1904="{1 if date1904 else 0}"/>'
        '<sheets><sheet name="s" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as made:
        made.writestr("[Content_Types].xml", _CONTENT_TYPES)
        made.writestr("_rels/.rels", _ROOT_RELS)
        made.writestr("xl/workbook.xml", workbook)
        made.writestr("xl/_rels/workbook.xml.rels",
                      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns='
                      '"http://schemas.openxmlformats.org/package/2006/relationships">' + "".join(rels)
                      + "</Relationships>")
        made.writestr("xl/worksheets/sheet1.xml", sheet)
        del sheet
        if styles is not None:
            made.writestr("xl/styles.xml", styles)
        if strings is not None:
            made.writestr("xl/sharedStrings.xml", strings)
    return out.getvalue()


def _joined(tables: list[tuple[_Block, pa.Table]]) -> tuple[pa.Table, int, int] | None:
    """The blocks' rows in sheet order, the rows between blocks put back empty, markers dropped, and the empty
    columns and rows around the values cut as calamine cuts a whole sheet; with the sheet row and column of the
    top-left cell."""
    pieces: list[list[pa.ChunkedArray | pa.Array]] = []
    width = max((t.num_columns for _, t in tables), default=0)
    emptied = {i for _, t in tables[:1] for i, f in enumerate(t.schema) if pa.types.is_dictionary(f.type)}  # `pruned`
    next_row: int | None = None
    first_row: int | None = None
    for block, table in tables:
        # calamine's range of the block runs from its first marker (or its first value) to its last marker
        start = block.first if block.leading_marker else block.last + 2 - table.num_rows
        body = table.slice(1 if block.leading_marker else 0, max(0, table.num_rows - 1 - (1 if block.leading_marker else 0)))
        if body.num_rows == 0:
            continue
        if first_row is None:
            first_row = start
        elif next_row is not None and start > next_row:
            pieces.append(_nulls(start - next_row, width, emptied))
        pieces.append(_padded(body, width, emptied))
        next_row = start + body.num_rows
    if first_row is None or not pieces:
        return None
    columns = [pa.chunked_array([c for piece in pieces for c in _chunks_of(piece[i])]) for i in range(width)]
    filled = [i for i, column in enumerate(columns) if column.null_count < len(column)]
    if not filled:
        return None
    left, right = filled[0], filled[-1]
    kept = columns[left:right + 1]
    any_value = kept[0].is_valid()
    for column in kept[1:]:
        any_value = pc.or_(any_value, column.is_valid())
    rows_with_value = pc.indices_nonzero(any_value)
    top, bottom = rows_with_value[0].as_py(), rows_with_value[-1].as_py()
    names = [f"__UNNAMED__{i}" for i in range(len(kept))]
    height = bottom - top + 1
    # one chunk a column, as the whole read gives: the steps after run faster on it (a 100,000-row no-op sync of
    # the tool's own desk: 327 MB against 363 MB in blocks of chunks); a large sheet keeps its chunks, since the
    # copy would hold the sheet twice for a moment (a million rows: 787 MB against 515 MB for the read)
    joined = [c.slice(top, height) for c in kept]
    table = pa.table([c.combine_chunks() for c in joined] if height < LARGE_RUN else joined, names=names)
    return table, first_row + top, left + 1


def _padded(table: pa.Table, width: int, emptied: set[int]) -> list[pa.ChunkedArray | pa.Array]:
    columns: list[pa.ChunkedArray | pa.Array] = [c if i in emptied else c.cast(pa.large_string())
                                                 for i, c in enumerate(table.columns)]
    return columns + _nulls(table.num_rows, width, emptied)[table.num_columns:]


def _nulls(rows: int, width: int, emptied: set[int]) -> list[pa.ChunkedArray | pa.Array]:
    return [_emptied(pa.chunked_array([], pa.large_string()), False, rows) if i in emptied
            else pa.nulls(rows, pa.large_string()) for i in range(width)]


def _chunks_of(column: pa.ChunkedArray | pa.Array) -> list[pa.Array]:
    return list(column.chunks) if isinstance(column, pa.ChunkedArray) else [column]
