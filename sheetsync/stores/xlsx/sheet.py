"""Stream one worksheet part, rewriting only the rows that receive writes and appending new rows.

Rows without a write pass through as their original bytes; a row with writes is edited at the byte
level by `CellEditor` (`cell_edit.py`), so what this module does not know about survives.  Appended
rows, from writes or from a columnar `Appended` block, are built from text prepared once per column.
Memory stays flat: the part is read in chunks, output is passed on per chunk or per batch of appended
rows, and only the text before `<sheetData>` and after `</sheetData>` is held whole.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from sheetsync.model.cells import KEEP, CellValue, CellWrite, TextColumn
from sheetsync.stores.xlsx.block import Batch, BlockQuery, emit_rows
from sheetsync.stores.xlsx.cell_edit import TRUE, CellEditor, Promotion, RowWrites
from sheetsync.stores.xlsx.cells import (
    ColumnParts,
    RowPlan,
    block_text,
    cell_text,
    column_parts,
    row_plan,
    split_ref,
)
from sheetsync.stores.xlsx.lists import extend_list
from sheetsync.stores.xlsx.ranges import extend_ranges, widen_columns, widen_dimension, widen_filter
from sheetsync.stores.xlsx.styles import StyleBook
from sheetsync.stores.xlsx.xmlparts import (
    SHEET_PROTECTION,
    corrupt,
    format_attrs,
    last_row_start,
    parse_attrs,
    row_number,
    sheet_data_start,
)

_ValueRows = tuple[tuple[int, bytes], ...]
_CELL_REF = re.compile(rb"""\sr\s*=\s*["']([^"']*)["']""")
_STYLE = re.compile(rb"""\ss\s*=\s*["'](\d+)["']""")


_NEVER = 1 << 62
_BATCH = 512  # appended rows built and passed on together
_FLUSH = 256  # pieces of output held before they are passed on


@dataclass(frozen=True, slots=True)
class Appended:
    """Rows to append, by column: sheet rows `first` to `stop - 1`, `values[j]` holding column
    `columns[j]` from top to bottom; checked beforehand (`check_column`)."""

    first: int
    stop: int
    columns: tuple[int, ...]
    values: tuple[Sequence[CellValue], ...]


@dataclass(frozen=True, slots=True)
class _Template:
    """What an appended row copies from the last row with data: its row format and each column's format."""

    row_attrs: dict[bytes, bytes]
    styles: dict[int, int]


_NO_TEMPLATE = _Template({}, {})


class SheetPatcher(CellEditor):
    """Apply writes (row -> col -> CellWrite) and an appended block to a worksheet part streamed through `run`.

    After `run`: `old_last_row` is the last row that held a value or formula before the
    patch, `new_last_row` the last row after it, `has_formulas` whether the sheet has any.
    Appended rows copy the format of the last row with data, unless that row is the sheet's
    first row with data (its header) or at most `header_row` (for headers under a title).
    Writes to rows of `appended` apply on top of the block's values.
    """

    def __init__(
        self,
        writes: Mapping[int, RowWrites],
        styles: StyleBook,
        *,
        date1904: bool,
        where: str,
        header_row: int = 0,
        appended: Appended | None = None,
        lists: Mapping[tuple[int, int], Sequence[str]] | None = None,
        widths: Mapping[int, float] | None = None,
        filter_to: tuple[int, int] | None = None,
    ) -> None:
        self._writes = writes
        self._lists = lists or {}
        self._widths = widths or {}
        """Column -> width (characters) for columns no `<col>` covers yet: the columns the tool adds."""
        self._filter_to = filter_to
        """(the autofilter's last column as it is, the one it must reach): columns added at the header's right."""
        self.lists_extended: list[str] = []
        """The words added to an inline dropdown list (`lists`: (row, column) of a cell -> words its list must offer)."""
        self._block = appended
        first, stop = (appended.first, appended.stop) if appended else (_NEVER, _NEVER)
        self._block_next = first
        self._block_stop = stop
        self._overlays = sorted(row for row in writes if first <= row < stop)
        self._pending = sorted((row for row in writes if not first <= row < stop), reverse=True)
        self._styles = styles
        self._date1904 = date1904
        self._where = where
        self._header_row = header_row
        self._promotions: dict[bytes, Promotion] = {}
        self._cols: list[tuple[int, int, int]] = []
        self._layouts: dict[tuple[bytes, ...], list[int] | None] = {}
        self._value_rows: _ValueRows = ()
        self._here: tuple[bytes, list[int], list[int], int] = (b"", [], [], 0)
        self._scanned: tuple[bytes, int, _ValueRows] = (b"", 0, ())
        self._templates: dict[int, _Template] = {}
        self._plans: dict[int, RowPlan] = {}
        self._query: BlockQuery | None = None
        self._batches: Iterator[Batch] = iter(())
        self._batch: Batch | None = None
        self._prev = 0
        self._out: list[bytes] = []
        self._sink: Callable[[bytes], object] = lambda data: None
        self._emit = self._out.append
        self.old_last_row = 0
        self.new_last_row = 0
        self.has_formulas = False
        self.protected = False
        """Whether the sheet is protected (`<sheetProtection>`, after `<sheetData>`): known once `run` is done."""
        self.cells_written = 0
        self._compile(b"")

    def _compile(self, pfx: bytes) -> None:
        self._pfx = pfx
        p = re.escape(pfx)
        self._row_start = re.compile(rb"<" + p + rb'row(?=[\s/>])(?:\s+r="(\d+)")?')
        self._row_tag = re.compile(rb"<" + p + rb"row(?=[\s/>])([^>]*?)(/?)>")
        self._row_close = b"</" + pfx + b"row>"
        self._cell = re.compile(rb"<" + p + rb"c(?=[\s/>])([^>]*?)(?:/>|>(.*?)</" + p + rb"c>)", re.S)
        self._cell_letters = re.compile(rb"<" + p + rb'c(?: r="([A-Z]{1,3})\d|(?=[\s/>]))')
        self._cell_tag = re.compile(rb"<" + p + rb"c(?=[\s/>])([^>]*?)/?>")
        self._cell_open = b"<" + pfx + b"c"
        self._cell_close = b"</" + pfx + b"c>"
        self._formula_open = b"<" + pfx + b"f"
        self._formula = re.compile(rb"<" + p + rb"f(?=[\s/>])([^>]*?)(/?)>")
        self._value = re.compile(rb"<" + p + rb"(?:v|is|f)(?=[\s/>])")
        self._col = re.compile(rb"<" + p + rb"col(?=[\s/>])([^>]*)>")

    def run(self, chunks: Iterator[bytes], emit: Callable[[bytes], object]) -> None:
        """Read the part from `chunks` and pass the patched part to `emit`, in order.

        Raises ValueError when the appended block does not start after the last row with data."""
        self._sink = emit
        buf, empty = self._head(chunks)
        if empty:
            self._append_pending()
            self._emit(b"</" + self._pfx + b"sheetData>")
            tail = buf
        else:
            close = b"</" + self._pfx + b"sheetData>"
            while (end := buf.find(close)) < 0:
                cut = last_row_start(buf, self._pfx)
                if cut > 0:
                    self._rows(buf[:cut])
                    buf = buf[cut:]
                chunk = next(chunks, b"")
                if not chunk:
                    raise corrupt(self._where, "<sheetData> is not closed")
                buf += chunk
            self._rows(buf[:end])
            self._append_pending()
            tail = buf[end:]
        tail += b"".join(chunks)
        self.protected = SHEET_PROTECTION.search(tail) is not None
        for (row, col), words in self._lists.items():
            tail, added = extend_list(tail, col, row, words)
            self.lists_extended += added
        self.old_last_row = self._value_rows[-1][0] if self._value_rows else 0
        block = self._block
        if block is not None and block.first <= self.old_last_row:
            raise ValueError(
                f"{self._where}: appended rows must start after row {self.old_last_row}, the last with data,"
                f" not at row {block.first}"
            )
        self.new_last_row = max(self.old_last_row, *self._writes, block.stop - 1 if block else 0)
        if self.new_last_row > self.old_last_row > 0:
            data_first = self._header_row + 1 if self._header_row > 0 else 0
            tail = extend_ranges(tail, self.old_last_row, self.new_last_row, data_first)
        if self._filter_to is not None:
            tail = widen_filter(tail, *self._filter_to)
        self._emit(tail)
        self._flush()

    def _flush(self) -> None:
        if self._out:
            self._sink(b"".join(self._out))
            self._out.clear()

    def _head(self, chunks: Iterator[bytes]) -> tuple[bytes, bool]:
        """Emit everything up to and including the `<sheetData>` start tag; return the rest and whether it was empty."""
        found = sheet_data_start(chunks)
        if found is None:
            raise corrupt(self._where, "it is not a worksheet with <sheetData>")
        buf, pfx, start = found
        if b"<!DOCTYPE" in buf[:4096].upper():
            raise corrupt(self._where, "it declares a DOCTYPE, which no Office file does")
        self._compile(pfx)
        head = buf[: start.start()]
        self._cols = self._parse_cols(head)
        last_row = max(self._writes, default=0)
        last_col = max((max(cols) for cols in self._writes.values() if cols), default=0)
        if self._block is not None:
            last_row, last_col = max(last_row, self._block.stop - 1), max(last_col, *self._block.columns)
        self._emit(widen_columns(widen_dimension(head, last_row, last_col), self._widths, pfx))
        empty = start[1] == b"/"
        self._emit(b"<" + pfx + b"sheetData>" if empty else start[0])
        return buf[start.end() :], empty

    def _parse_cols(self, head: bytes) -> list[tuple[int, int, int]]:
        cols = []
        for match in self._col.finditer(head):
            attrs = parse_attrs(match[1])
            if attrs.get(b"style", b"0") != b"0":
                cols.append((int(attrs.get(b"min", b"0")), int(attrs.get(b"max", b"0")), int(attrs[b"style"])))
        return cols

    def _col_style(self, col: int) -> int:
        return next((style for low, high, style in self._cols if low <= col <= high), 0)

    def _rows(self, seg: bytes) -> None:
        """Pass through a run of whole rows, patching the rows with writes and inserting missing ones."""
        starts: list[int] = []
        numbers: list[int] = []
        cursor = 0
        number = self._prev
        upcoming = self._upcoming()
        for match in self._row_start.finditer(seg):
            start = match.start()
            number = int(match[1]) if match[1] else self._row_number(seg, start, number)
            if number >= upcoming or self._promotions:
                while upcoming < number:
                    self._emit(seg[cursor:start])
                    cursor = start
                    self._insert(upcoming, number, self._recent_values(seg, starts, numbers, start))
                    upcoming = self._upcoming()
                touched = upcoming == number
                if touched or self._promotions:
                    end = self._row_end(seg, start)
                    row = seg[start:end]
                    self._here = (seg, starts, numbers, start)
                    if touched or b"si=" in row:
                        writes = self._take(number, row) if touched else {}
                        self._emit(seg[cursor:start])
                        self._emit(self._patch_row(row, number, writes))
                        cursor = end
                        upcoming = self._upcoming()
            starts.append(start)
            numbers.append(number)
        self._prev = number
        self._emit(seg[cursor:])
        self._value_rows = self._recent_values(seg, starts, numbers, len(seg))
        if not self.has_formulas:
            self.has_formulas = self._formula.search(seg) is not None
        self._flush()

    def _upcoming(self) -> int:
        """The next row to write that is not yet passed: of the writes or of the block."""
        return min(self._pending[-1] if self._pending else _NEVER, self._block_next)

    def _insert(self, upcoming: int, limit: int, before: _ValueRows) -> None:
        """Emit the new row `upcoming`, or the block's rows from it up to the row `limit` that exists."""
        if self._pending and self._pending[-1] == upcoming:
            self._pending.pop()
            self._emit(self._new_row(upcoming, before, self._writes[upcoming]))
            if len(self._out) > _FLUSH:
                self._flush()
            return
        stop = min(limit, self._block_stop)
        self._block_rows(upcoming, stop, before)
        self._block_next = stop if stop < self._block_stop else _NEVER

    def _take(self, number: int, row: bytes) -> RowWrites:
        """The writes for an existing row: its own, or the block's if a person formatted it ahead."""
        if self._pending and self._pending[-1] == number:
            self._pending.pop()
            return self._writes[number]
        if self._value.search(row):
            first = self._block.first if self._block else number
            raise ValueError(f"{self._where}: appended rows must start after the last row with data; row {number} has data,"
                             f" they start at row {first}")
        self._block_next = number + 1 if number + 1 < self._block_stop else _NEVER
        return self._block_writes(number)

    def _row_number(self, seg: bytes, start: int, previous: int) -> int:
        """The number of a row whose `r` is not its first attribute, or that has none (then it follows the last)."""
        number = row_number(seg, start)
        return previous + 1 if number is None else number

    def _row_end(self, seg: bytes, start: int) -> int:
        tag_end = seg.find(b">", start)
        if tag_end > 0 and seg[tag_end - 1] == ord("/"):
            return tag_end + 1
        close = seg.find(self._row_close, tag_end)
        if tag_end < 0 or close < 0:
            raise corrupt(self._where, "a <row> is not closed")
        return close + len(self._row_close)

    def _recent_values(self, seg: bytes, starts: list[int], numbers: list[int], end: int, *, lowest: int = 0,
                       earlier: _ValueRows | None = None) -> _ValueRows:
        """The last two rows before `end` holding a value or formula, looked for upwards no further than the row
        `starts[lowest]`; above it, `earlier` (by default the rows found before this segment)."""
        found: list[tuple[int, bytes]] = []
        for index in range(len(starts) - 1, lowest - 1, -1):
            stop = starts[index + 1] if index + 1 < len(starts) else end
            if self._value.search(seg, starts[index], stop):
                found.insert(0, (numbers[index], seg[starts[index] : stop]))
                if len(found) == 2:
                    break
        return (*(self._value_rows if earlier is None else earlier), *found)[-2:]

    def _empty_cell_style(self, col: int) -> int:
        return self._col_style(col) or self._template(self._rows_before()).styles.get(col, 0)

    def _rows_before(self) -> _ValueRows:
        """The last two rows with a value above the row being patched: a row a person formatted ahead (LibreOffice
        and Excel keep such rows, empty but for their formats, down a dropdown's range) takes the formats of the data
        above it, as a new row does.  Looked for upwards, no further than where the last look ended: one or two
        searches when the row above has data, each row once along a run of empty ones."""
        seg, starts, numbers, stop = self._here
        memo_seg, lowest, earlier = self._scanned
        if memo_seg is not seg:
            lowest, earlier = 0, self._value_rows
        rows = self._recent_values(seg, starts, numbers, stop, lowest=lowest, earlier=earlier)
        self._scanned = (seg, len(starts), rows)
        return rows

    def _template(self, rows: _ValueRows) -> _Template:
        """The format to copy from the last row with data; the first such row is the header, never copied."""
        if len(rows) < 2 or rows[-1][0] <= self._header_row:
            return _NO_TEMPLATE
        number, xml = rows[-1]
        if number not in self._templates:
            tag = self._row_tag.match(xml)
            attrs = parse_attrs(tag[1]) if tag else {}
            formatted = attrs.get(b"customFormat") in TRUE
            row_attrs: dict[bytes, bytes] = {k: attrs[k] for k in (b"s", b"customFormat") if formatted and k in attrs}
            styles: dict[int, int] = {}
            col = 0
            for tag in self._cell_tag.finditer(xml):  # the start tags alone: a row is read this way per written row
                ref, style = _CELL_REF.search(tag[1]), _STYLE.search(tag[1])
                position = split_ref(ref[1]) if ref else None
                col = position[1] if position else col + 1
                if style and int(style[1]):
                    styles[col] = int(style[1])
            self._templates[number] = _Template(row_attrs, styles)
        return self._templates[number]

    def _append_pending(self) -> None:
        while (upcoming := self._upcoming()) < _NEVER:
            self._insert(upcoming, _NEVER, self._value_rows)
        self._flush()

    # --- appended rows ---------------------------------------------------------------------

    def _plan(self, template: _Template) -> RowPlan:
        """The text shared by appended rows that copy `template` (made once per template)."""
        plan = self._plans.get(id(template))
        if plan is None:
            row_style = int(template.row_attrs.get(b"s", b"0"))
            block_columns = self._block.columns if self._block else ()
            styles = {
                col: template.styles.get(col) or row_style or self._col_style(col)
                for col in template.styles.keys() | set(block_columns)
            }
            plan = row_plan(self._pfx.decode(), format_attrs(template.row_attrs).decode(), styles, block_columns,
                            lambda col: self._inherited(template, col))
            self._plans[id(template)] = plan
        return plan

    def _inherited(self, template: _Template, col: int) -> int:
        """The format a cell of an appended row shows when it is not in the XML: the row's, when the
        template formats its row as a whole, else its column's.  An empty cell in that format is left out."""
        if b"s" in template.row_attrs:
            return int(template.row_attrs[b"s"])
        return self._col_style(col)

    def _new_row(self, number: int, before: _ValueRows, writes: RowWrites) -> bytes:
        """A row that did not exist: formatted like the last row with data, holding `writes`."""
        template = self._template(before)
        plan = self._plan(template)
        known, date1904, date_style = plan.parts, self._date1904, self._styles.date_style
        row = str(number)
        cells = []
        written = 0  # by cell_text; _write_cell counts its own
        for col in sorted(template.styles.keys() | writes.keys()):
            parts = known.get(col) or self._column_parts(plan, template, col)
            write = writes.get(col)
            if write is None:
                if parts.empty:
                    cells.append(f"{parts.opening}{row}{parts.empty}")
            elif write.fill is KEEP and write.value is not KEEP and write.value is not None:
                cells.append(cell_text(parts, row, write.value, date1904, date_style))
                written += 1
            else:
                cells.append(self._write_cell(None, number, col, write, parts.style).decode())
        self.cells_written += written
        return f"{plan.row_open}{row}{plan.row_middle}{''.join(cells)}{plan.row_close}".encode()

    def _column_parts(self, plan: RowPlan, template: _Template, col: int) -> ColumnParts:
        """The parts of a column the template has no format for: the row's format, else the column's."""
        style = int(template.row_attrs.get(b"s", b"0")) or self._col_style(col)
        plan.parts[col] = parts = column_parts(col, style, plan.pfx, self._inherited(template, col))
        return parts

    def _block_rows(self, start: int, stop: int, before: _ValueRows) -> None:
        """Emit the block's rows `start` to `stop - 1`: batches built column by column, and one by
        one the rows that also have writes."""
        plan = self._plan(self._template(before))
        if self._by_query(plan):
            self._query_rows(start, stop, before)
            return
        at = bisect_left(self._overlays, start)
        row = start
        while row < stop:
            overlay = self._overlays[at] if at < len(self._overlays) and self._overlays[at] < stop else stop
            for batch in range(row, overlay, _BATCH):
                self._block_batch(plan, batch, min(overlay, batch + _BATCH))
            if overlay < stop:
                self._emit(self._new_row(overlay, before, self._block_writes(overlay)))
                at += 1
            row = overlay + 1
        self._flush()

    def _by_query(self, plan: RowPlan) -> bool:
        """Whether the block's rows come from a `BlockQuery` (made on first use): when all its columns
        are `TextColumn`s and the rows copy one template."""
        block = self._block
        if self._query is None and block is not None and all(isinstance(c, TextColumn) for c in block.values):
            columns: list[TextColumn] = list(block.values)  # type: ignore[arg-type]
            one_by_one, fills = self._overlay_plan(plan, columns)
            self._query = BlockQuery(plan, block.first, columns, date1904=self._date1904,
                                     date_style=self._styles.date_style, one_by_one=one_by_one, fills=fills)
            self._batches = self._query.batches()
        return self._query is not None and self._query.plan is plan

    def _overlay_plan(self, plan: RowPlan, columns: list[TextColumn]) -> tuple[np.ndarray, dict[int, np.ndarray]]:
        """For the rows of the block that also have writes: those written one by one, and the cell
        format of each fill the query can apply itself (a fill alone on a text cell of the block)."""
        assert self._block is not None
        first = self._block.first
        index = {col: j for j, col in enumerate(self._block.columns) if columns[j].kind == "text"}
        one_by_one = np.zeros(self._block.stop - first, dtype=bool)
        fills: dict[int, np.ndarray] = {}
        for row in self._overlays:
            writes = self._writes[row]
            if any(w.value is not KEEP or w.fill is KEEP or col not in index for col, w in writes.items()):
                one_by_one[row - first] = True
                continue
            for col, write in sorted(writes.items()):
                j = index[col]
                if j not in fills:
                    fills[j] = np.full(len(one_by_one), -1, dtype=np.int64)
                fills[j][row - first] = self._styles.fill_style(plan.parts[col].style, write.fill)  # type: ignore[arg-type]
        return one_by_one, fills

    def _query_rows(self, start: int, stop: int, before: _ValueRows) -> None:
        """Emit the block's rows `start` to `stop - 1` from the query's batches."""

        def one_by_one(number: int) -> None:
            self._emit(self._new_row(number, before, self._block_writes(number)))

        while start < stop:
            batch = self._batch
            while batch is None or batch.first + len(batch.xml) <= start:
                batch = self._batch = next(self._batches)
            end = min(stop, batch.first + len(batch.xml))
            self.cells_written += emit_rows(batch, start, end, self._emit, one_by_one)
            self._flush()
            start = end

    def _block_batch(self, plan: RowPlan, start: int, stop: int) -> None:
        assert self._block is not None
        first = self._block.first
        values = [column[start - first : stop - first] for column in self._block.values]
        rows = list(map(str, range(start, stop)))
        self._emit(block_text(plan, rows, values, self._date1904, self._styles.date_style).encode())
        self.cells_written += sum(len(column) - column.count(None) for column in values)
        self._flush()

    def _block_writes(self, number: int) -> dict[int, CellWrite]:
        """The block's values in row `number` as writes, with the row's own writes on top."""
        assert self._block is not None
        i = number - self._block.first
        cells = {
            col: CellWrite(number, col, values[i])
            for col, values in zip(self._block.columns, self._block.values, strict=True)
            if values[i] is not None
        }
        for col, write in self._writes.get(number, {}).items():
            under = cells.get(col)
            cells[col] = write if under is None or write.value is not KEEP else CellWrite(number, col, under.value, write.fill)
        return cells
