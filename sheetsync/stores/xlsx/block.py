"""Appended rows built by DuckDB: a block of canonical text columns turned into `<row>` XML by one
multi-threaded query, a batch of rows at a time.

Building rows cell by cell in Python costs about 1.5 µs a cell (30 µs a row of 25 columns), most of
the time of an import.  Here each column becomes one `concat(...)` expression over the Arrow
buffers the pipeline already holds, and DuckDB runs it on every core without the GIL: 1,000,000
rows of 25 columns (1.2 GB of XML) take about a second.  The text is byte for byte what the Python
path (`stores/xlsx/cells.block_text` and `SheetPatcher._new_row`) writes; a row the query cannot write
exactly comes out as NULL and is written by that path:
- a row that also has writes (other than a fill on a text cell, which the query applies);
- text a cell holds only escaped (`_x000D_`: control characters, `_xHHHH_` look-alikes, U+FFFE/FFFF);
- an amount that is not a plain decimal, a date that is not `YYYY-MM-DD HH:MM:SS` or is before the
  workbook's first day (what `values.cell_value` makes of them is written one by one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np
import pyarrow as pa

from sheetsync.runtime.textops import SPACE_CLASS
from sheetsync.runtime.textsql import connect, sql_text
from sheetsync.stores.xlsx.cells import ColumnParts, RowPlan

if TYPE_CHECKING:
    from sheetsync.model.cells import TextColumn

BATCH_ROWS: Final = 2048  # about 3 MB of XML: the deflater queues a few such pieces
_ESCAPED: Final = r"""[&<>"]"""
_ONE_BY_ONE: Final = r"[\x00-\x08\x0b-\x1f\x{FFFE}\x{FFFF}]|_x[0-9A-Fa-f]{4}_"
_EDGE_SPACE: Final = f"^[{SPACE_CLASS}]|[{SPACE_CLASS}]$"  # `stores/xlsx/cells.edge_space`, in SQL
_PLAIN_AMOUNT: Final = r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?"
_FIRST_DAY: Final = {False: ("1899-12-30", "1900-03-01"), True: ("1904-01-01", "1904-01-01")}
"""(epoch, first day written by the query): Excel's serial n is epoch + n days from 1 March 1900
(before it, Excel counts a 29 February 1900 that never was; the Python path handles those days)."""


@dataclass(frozen=True, slots=True)
class Batch:
    """Rows `first` to `first + len(xml) - 1`: each row's XML, NULL where Python writes the row, and
    how many cells with a value each row has."""

    first: int
    xml: pa.StringArray
    cells: np.ndarray


class BlockQuery:
    """The XML of a block's rows, made by one DuckDB query and read in batches.

    `plan.block` lists the columns in sheet order with the index of each in `columns`;
    `one_by_one[i]` marks row `first + i` for the Python path; `fills[j]` gives, for a text column
    j of the block, each row's cell format when a fill was written to it (-1: none)."""

    def __init__(
        self,
        plan: RowPlan,
        first: int,
        columns: Sequence[TextColumn],
        *,
        date1904: bool,
        date_style: Callable[[int, bool], int],
        one_by_one: np.ndarray,
        fills: dict[int, np.ndarray],
    ) -> None:
        self.plan = plan
        self.first = first
        arrays: dict[str, pa.Array | pa.ChunkedArray] = {}
        for j, column in enumerate(columns):
            arrays[f"c{j}"] = column.arrow()
        height = len(one_by_one)
        arrays["n_"] = pa.array(np.arange(first, first + height, dtype=np.int64))
        arrays["py_"] = pa.array(one_by_one)
        for j, styles in fills.items():
            arrays[f"s{j}"] = pa.array(styles, mask=styles < 0)
        self._table = pa.table(arrays)
        self._con = connect()
        self._con.register("block_", self._table)
        flags = self._column_flags(columns)
        epoch, first_day = _FIRST_DAY[date1904]
        cells: list[Sql] = []
        odd, counts = ["py_"], []
        for parts, index in plan.block:
            if index is None:
                if parts.empty:
                    cells.append(_concat(parts.opening, ROW, parts.empty))
                continue
            v = Sql(f"c{index}")
            kind = columns[index].kind
            escaped, one_by_one_text, spaced = flags[index]
            fill = Sql(f"s{index}") if index in fills else None
            counts.append(f"({v} IS NOT NULL)::INTEGER")
            if one_by_one_text:
                odd.append(f"coalesce(regexp_matches({v}, {sql_text(_ONE_BY_ONE)}), false)")
            if kind == "money":
                odd.append(f"NOT coalesce(regexp_full_match({v}, {sql_text(_PLAIN_AMOUNT)}), true)")
                cell = _concat(parts.opening, ROW, parts.number, v, parts.number_end)
            elif kind == "datetime":
                ts = f"try_strptime({v}, '%Y-%m-%d %H:%M:%S')"
                odd.append(f"({v} IS NOT NULL AND coalesce({ts} < TIMESTAMP '{first_day}', true))")
                style = date_style(parts.style, True) if self._table.column(f"c{index}").null_count < height else 0
                middle = (f'" s="{style}"' if style else '"') + f"><{parts.pfx}v>"
                days = f"date_diff('day', DATE '{epoch}', CAST({ts} AS DATE))"
                seconds = f"(hour({ts}) * 3600 + minute({ts}) * 60 + second({ts}))"
                serial = Sql(f"CASE WHEN {seconds} = 0 THEN {days}::VARCHAR"
                             f" ELSE ({days} + {seconds} / 86400.0)::VARCHAR END")
                cell = _concat(parts.opening, ROW, middle, serial, parts.number_end)
            else:
                text = _escape(v) if escaped else v
                edge = Sql(f"regexp_matches({v}, {sql_text(_EDGE_SPACE)})") if spaced else None
                cell = _concat(parts.opening, ROW, _choose(edge, parts.text, parts.plain), text, parts.text_end)
                if fill is not None:
                    cell = _filled(parts, fill, text, cell, edge)
            empty: Sql = _concat(parts.opening, ROW, parts.empty) if parts.empty else Sql("''")
            if fill is not None:
                counts.append(f"({v} IS NULL AND {fill} IS NOT NULL)::INTEGER")
                empty = Sql(f"CASE WHEN {fill} IS NULL THEN {empty}"
                            f" WHEN {fill} = 0 THEN {_concat(parts.opening, ROW, chr(34) + '/>')}"
                            f" ELSE {_concat(parts.opening, ROW, chr(34) + ' s=' + chr(34), fill, chr(34) + '/>')} END")
            cells.append(Sql(f"CASE WHEN {v} IS NULL THEN {empty} ELSE {cell} END"))
        row = _concat(plan.row_open, ROW, plan.row_middle, *cells, plan.row_close)
        self._sql = (
            f"SELECT CASE WHEN {' OR '.join(odd)} THEN NULL ELSE {row} END, {' + '.join(counts) or '0'}"
            " FROM (SELECT * REPLACE (n_::VARCHAR AS n_) FROM block_) AS rows_"
        )

    def _column_flags(self, columns: Sequence[TextColumn]) -> list[tuple[bool, bool, bool]]:
        """For each text column: whether any value needs XML escaping, whether any must go one by one,
        whether any has white space at an edge (all False for the others: an amount or a date with
        such characters is not plain, and goes one by one anyway).

        A look at the bytes first (`_may_need_care`), then the three patterns apart only in the columns it
        could not clear: the patterns cost ~65 ms per column of a million values, the bytes ~10 ms."""
        flags = [(False, False, False)] * len(columns)
        height = self._table.num_rows
        texts = [j for j, c in enumerate(columns) if c.kind == "text" and self._table.column(f"c{j}").null_count < height]
        if not texts:
            return flags
        tests = (_ESCAPED, _ONE_BY_ONE, _EDGE_SPACE)
        hits = [j for j in texts if _may_need_care(self._table.column(f"c{j}"))]
        if not hits:
            return flags
        row = self._any([(j, test) for j in hits for test in tests])
        for n, j in enumerate(hits):
            flags[j] = (bool(row[3 * n]), bool(row[3 * n + 1]), bool(row[3 * n + 2]))
        return flags

    def _any(self, tests: list[tuple[int, str]]) -> list[bool]:
        """For each (column, pattern): whether some value of the column has the pattern."""
        selects = ", ".join(f"coalesce(bool_or(regexp_matches(c{j}, {sql_text(p)})), false)" for j, p in tests)
        row = self._con.execute(f"SELECT {selects} FROM block_").fetchall()[0]
        return [bool(hit) for hit in row]

    def batches(self) -> Iterator[Batch]:
        """The rows in order, `BATCH_ROWS` at a time; the connection closes after the last."""
        try:
            reader = self._con.sql(self._sql).to_arrow_reader(BATCH_ROWS)
            first = self.first
            for batch in reader:
                if not batch.num_rows:
                    continue
                xml = batch.column(0)
                cells = batch.column(1).to_numpy(zero_copy_only=False)
                yield Batch(first, xml, cells)
                first += batch.num_rows
        finally:
            self._con.close()


def emit_rows(batch: Batch, start: int, stop: int, emit: Callable[[bytes], object],
              one_by_one: Callable[[int], None]) -> int:
    """Emit rows `start` to `stop - 1` of `batch` (which holds them): the query's text as it lies in
    the Arrow buffer, `one_by_one(row)` for a NULL row.  Returns the cells with a value emitted."""
    xml = batch.xml
    lo, hi = start - batch.first, stop - batch.first
    width = np.int64 if pa.types.is_large_string(xml.type) else np.int32
    offsets = np.frombuffer(xml.buffers()[1], dtype=width, count=len(xml) + 1, offset=xml.offset * np.dtype(width).itemsize)
    data = xml.buffers()[2]
    nulls = np.flatnonzero(xml.is_null().to_numpy(zero_copy_only=False)[lo:hi]) + lo if xml.null_count else ()
    written = 0
    at = lo
    for null in (*nulls, hi):
        if at < null:
            emit(data[offsets[at] : offsets[null]].to_pybytes())
            written += int(batch.cells[at:null].sum())
        if null < hi:
            one_by_one(batch.first + int(null))
        at = null + 1
    return written


_CONTROL: Final = np.zeros(256, dtype=bool)
_CONTROL[[*range(0x09), *range(0x0B, 0x20)]] = True  # as `_ONE_BY_ONE`: tab and line feed are plain text
_ASCII_SPACE: Final = np.zeros(256, dtype=bool)
_ASCII_SPACE[[0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20]] = True
_SPACE_LEADS: Final = np.zeros(256, dtype=bool)
_SPACE_LEADS[[0xC2, 0xE1, 0xE2, 0xE3]] = True  # the first byte of every other white space (U+0085 ... U+3000)


def _may_need_care(column: pa.Array | pa.ChunkedArray) -> bool:
    """False when no value of the text column can need escaping, the Python path or `xml:space`, told from
    its UTF-8 bytes: none of `&<>"`, no control character, no `_x`, no U+FFFE/U+FFFF, and no value that
    begins or ends with white space or with a character whose bytes could be one.  True means "look"
    (the patterns decide)."""
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    for chunk in chunks:
        if not len(chunk) or chunk.null_count == len(chunk):
            continue
        chunk = chunk.cast(pa.large_string())
        offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64, count=len(chunk) + 1, offset=chunk.offset * 8)
        begin, end = int(offsets[0]), int(offsets[-1])
        raw = chunk.buffers()[2]
        if raw is None or begin == end:
            continue
        data = np.frombuffer(raw, dtype=np.uint8, count=end - begin, offset=begin)
        text = data.tobytes()  # for the substring searches (memchr and memmem: a few ms for 20 MB)
        if any(mark in text for mark in (b"&", b"<", b">", b'"')) or (b"_" in text and b"_x" in text) or \
                (b"\xef" in text and (b"\xef\xbf\xbe" in text or b"\xef\xbf\xbf" in text)):  # one byte first: memchr
            return True
        if data.min() < 0x20 and _CONTROL[data].any():  # the minimum first: SIMD, and mostly enough
            return True
        starts, stops = offsets[:-1] - begin, offsets[1:] - begin
        filled = stops > starts
        starts, stops = starts[filled], stops[filled]
        first, last = data[starts], data[stops - 1]
        if _ASCII_SPACE[first].any() or _ASCII_SPACE[last].any() or _SPACE_LEADS[first].any():
            return True
        # the last character: two bytes from C2 (U+0085, U+00A0), three from E1-E3 (the rest)
        two = stops - starts >= 2
        three = stops - starts >= 3
        if (data[stops[two] - 2] == 0xC2).any() or _SPACE_LEADS[data[stops[three] - 3]].any():
            return True
    return False


class Sql(str):
    """An SQL expression among the parts of `_concat` (a plain str there is literal text)."""


ROW: Final = Sql("n_")


def _concat(*parts: str) -> Sql:
    """`concat(...)` of literal text and SQL expressions (`Sql`), in order."""
    args = [p if isinstance(p, Sql) else sql_text(p) for p in parts if p]
    return Sql(f"concat({', '.join(args)})")


def _filled(parts: ColumnParts, fill: Sql, text: Sql, cell: Sql, edge: Sql | None) -> Sql:
    """A text cell in the format `fill` where a fill was written to it (0: no format at all), else `cell`;
    `edge` tells text with white space at an edge (None: the column has none)."""
    opening, spaced = parts.text.split(">", 1)  # '" s="3" t="inlineStr"' and '<is><t xml:space="preserve">'
    tail = _choose(edge, spaced, parts.plain.split(">", 1)[1])
    kind = opening[opening.index(" t=") :] + ">"
    styled = _concat(parts.opening, ROW, '" s="', fill, '"' + kind, tail, text, parts.text_end)
    plain = _concat(parts.opening, ROW, '"' + kind, tail, text, parts.text_end)
    return Sql(f"CASE WHEN {fill} IS NULL THEN {cell} WHEN {fill} = 0 THEN {plain} ELSE {styled} END")


def _choose(edge: Sql | None, spaced: str, plain: str) -> str:
    """The literal `plain`, or per row `spaced` where `edge` holds (None: it never does)."""
    return plain if edge is None else Sql(f"CASE WHEN {edge} THEN {sql_text(spaced)} ELSE {sql_text(plain)} END")


def _escape(v: Sql) -> Sql:
    return Sql(f"replace(replace(replace(replace({v}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '\"', '&quot;')")
