"""Stream one worksheet part, rewriting only the rows that receive writes and appending new rows.

Rows without a write pass through as their original bytes.  A row with writes is edited
at the byte level, one `<c>` at a time, so attributes and content this module does not
know about survive.  Memory stays flat: the part is read in chunks, and only the text
before `<sheetData>` and after `</sheetData>` is held whole.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import cast

from sheetsync.stores.base import KEEP, CellValue, CellWrite
from sheetsync.stores.xlsx_cells import (
    cell_ref,
    encode_value,
    is_date,
    split_ref,
    translate_formula,
)
from sheetsync.stores.xlsx_ranges import extend_ranges, widen_dimension
from sheetsync.stores.xlsx_styles import StyleBook
from sheetsync.stores.xlsx_xml import corrupt, escape, format_attrs, parse_attrs, root_prefix, unescape_text

RowWrites = Mapping[int, CellWrite]
_ValueRows = tuple[tuple[int, bytes], ...]
_MAX_HEAD = 64 << 20
_WHITESPACE_OR_END = b" \t\r\n/>"
_R_ATTR = re.compile(rb"""\sr\s*=\s*["'](\d+)["']""")
_TRUE = (b"1", b"true")


@dataclass(frozen=True, slots=True)
class _Promotion:
    """A shared formula whose master cell was overwritten; its next dependent becomes the master."""

    origin: tuple[int, int]
    formula: str
    ref: bytes


@dataclass(frozen=True, slots=True)
class _Template:
    """What an appended row copies from the last row with data: its row format and each column's format."""

    row_attrs: dict[bytes, bytes]
    styles: dict[int, int]


class SheetPatcher:
    """Apply writes (row -> col -> CellWrite) to a worksheet part streamed through `run`.

    After `run`: `old_last_row` is the last row that held a value or formula before the
    patch, `new_last_row` the last row after it, `has_formulas` whether the sheet has any.
    Appended rows copy the format of the last row with data, unless that row is the sheet's
    first row with data (its header) or at most `header_row` (for headers under a title).
    """

    def __init__(
        self,
        writes: Mapping[int, RowWrites],
        styles: StyleBook,
        *,
        date1904: bool,
        where: str,
        header_row: int = 0,
    ) -> None:
        self._writes = writes
        self._pending = sorted(writes, reverse=True)
        self._styles = styles
        self._date1904 = date1904
        self._where = where
        self._header_row = header_row
        self._promotions: dict[bytes, _Promotion] = {}
        self._cols: list[tuple[int, int, int]] = []
        self._value_rows: _ValueRows = ()
        self._templates: dict[int, _Template] = {}
        self._prev = 0
        self._emit: Callable[[bytes], object] = lambda data: None
        self.old_last_row = 0
        self.new_last_row = 0
        self.has_formulas = False
        self.cells_written = 0
        self._compile(b"")

    def _compile(self, pfx: bytes) -> None:
        self._pfx = pfx
        p = re.escape(pfx)
        self._row_start = re.compile(rb"<" + p + rb'row(?=[\s/>])(?:\s+r="(\d+)")?')
        self._row_tag = re.compile(rb"<" + p + rb"row(?=[\s/>])([^>]*?)(/?)>")
        self._row_close = b"</" + pfx + b"row>"
        self._cell = re.compile(rb"<" + p + rb"c(?=[\s/>])([^>]*?)(?:/>|>(.*?)</" + p + rb"c>)", re.S)
        self._formula = re.compile(rb"<" + p + rb"f(?=[\s/>])([^>]*?)(/?)>")
        self._value = re.compile(rb"<" + p + rb"(?:v|is|f)(?=[\s/>])")
        self._col = re.compile(rb"<" + p + rb"col(?=[\s/>])([^>]*)>")
        self._sheet_data = re.compile(rb"<" + p + rb"sheetData(?=[\s/>])[^>]*?(/?)>")

    def run(self, chunks: Iterator[bytes], emit: Callable[[bytes], object]) -> None:
        """Read the part from `chunks` and pass the patched part to `emit`, in order."""
        self._emit = emit
        buf, empty = self._head(chunks)
        if empty:
            self._append_pending()
            emit(b"</" + self._pfx + b"sheetData>")
            tail = buf
        else:
            close = b"</" + self._pfx + b"sheetData>"
            while (end := buf.find(close)) < 0:
                cut = self._last_row_start(buf)
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
        self.old_last_row = self._value_rows[-1][0] if self._value_rows else 0
        self.new_last_row = max(self.old_last_row, *self._writes) if self._writes else self.old_last_row
        if self.new_last_row > self.old_last_row > 0:
            tail = extend_ranges(tail, self.old_last_row, self.new_last_row)
        emit(tail)

    def _head(self, chunks: Iterator[bytes]) -> tuple[bytes, bool]:
        """Emit everything up to and including the `<sheetData>` start tag; return the rest and whether it was empty."""
        buf = b""
        for chunk in chunks:
            buf += chunk
            pfx = root_prefix(buf, b"worksheet")
            if pfx is None:
                if len(buf) > _MAX_HEAD:
                    break
                continue
            if b"<!DOCTYPE" in buf[:4096].upper():
                raise corrupt(self._where, "it declares a DOCTYPE, which no Office file does")
            self._compile(pfx)
            start = self._sheet_data.search(buf)
            if start is None:
                if len(buf) > _MAX_HEAD:
                    break
                continue
            head = buf[: start.start()]
            self._cols = self._parse_cols(head)
            last_row = max(self._writes, default=0)
            last_col = max((max(cols) for cols in self._writes.values() if cols), default=0)
            self._emit(widen_dimension(head, last_row, last_col))
            empty = start[1] == b"/"
            self._emit(b"<" + pfx + b"sheetData>" if empty else start[0])
            return buf[start.end() :], empty
        raise corrupt(self._where, "it is not a worksheet with <sheetData>")

    def _parse_cols(self, head: bytes) -> list[tuple[int, int, int]]:
        cols = []
        for match in self._col.finditer(head):
            attrs = parse_attrs(match[1])
            if attrs.get(b"style", b"0") != b"0":
                cols.append((int(attrs.get(b"min", b"0")), int(attrs.get(b"max", b"0")), int(attrs[b"style"])))
        return cols

    def _col_style(self, col: int) -> int:
        return next((style for low, high, style in self._cols if low <= col <= high), 0)

    def _last_row_start(self, buf: bytes) -> int:
        """Where the last (possibly incomplete) row of `buf` starts; everything before it is whole rows."""
        opening = b"<" + self._pfx + b"row"
        pos = buf.rfind(opening)
        while pos > 0 and pos + len(opening) < len(buf) and buf[pos + len(opening)] not in _WHITESPACE_OR_END:
            pos = buf.rfind(opening, 0, pos)
        return pos

    def _rows(self, seg: bytes) -> None:
        """Pass through a run of whole rows, patching the rows with writes and inserting missing ones."""
        starts: list[int] = []
        numbers: list[int] = []
        cursor = 0
        for match in self._row_start.finditer(seg):
            start = match.start()
            number = int(match[1]) if match[1] else self._row_number(seg, start)
            while self._pending and self._pending[-1] < number:
                self._emit(seg[cursor:start])
                cursor = start
                before = self._recent_values(seg, starts, numbers, start)
                self._emit(self._new_row(self._pending.pop(), before))
            touched = bool(self._pending) and self._pending[-1] == number
            if touched or self._promotions:
                end = self._row_end(seg, start)
                row = seg[start:end]
                if touched or b"si=" in row:
                    self._emit(seg[cursor:start])
                    self._emit(self._patch_row(row, number, self._writes.get(number, {})))
                    cursor = end
                if touched:
                    self._pending.pop()
            starts.append(start)
            numbers.append(number)
            self._prev = number
        self._emit(seg[cursor:])
        self._value_rows = self._recent_values(seg, starts, numbers, len(seg))
        if not self.has_formulas:
            self.has_formulas = self._formula.search(seg) is not None

    def _row_number(self, seg: bytes, start: int) -> int:
        """The number of a row whose `r` is not its first attribute, or that has none (then it follows the last)."""
        match = _R_ATTR.search(seg, start, seg.find(b">", start))
        return int(match[1]) if match else self._prev + 1

    def _row_end(self, seg: bytes, start: int) -> int:
        tag_end = seg.find(b">", start)
        if tag_end > 0 and seg[tag_end - 1] == ord("/"):
            return tag_end + 1
        close = seg.find(self._row_close, tag_end)
        if tag_end < 0 or close < 0:
            raise corrupt(self._where, "a <row> is not closed")
        return close + len(self._row_close)

    def _recent_values(self, seg: bytes, starts: list[int], numbers: list[int], end: int) -> _ValueRows:
        """The last two rows before `end` (in this run, else in earlier ones) holding a value or formula."""
        found: list[tuple[int, bytes]] = []
        for index in range(len(starts) - 1, -1, -1):
            stop = starts[index + 1] if index + 1 < len(starts) else end
            if self._value.search(seg, starts[index], stop):
                found.insert(0, (numbers[index], seg[starts[index] : stop]))
                if len(found) == 2:
                    break
        return (*self._value_rows, *found)[-2:]

    def _template(self, rows: _ValueRows) -> _Template:
        """The format to copy from the last row with data; the first such row is the header, never copied."""
        if len(rows) < 2 or rows[-1][0] <= self._header_row:
            return _Template({}, {})
        number, xml = rows[-1]
        if number not in self._templates:
            tag = self._row_tag.match(xml)
            attrs = parse_attrs(tag[1]) if tag else {}
            formatted = attrs.get(b"customFormat") in _TRUE
            row_attrs: dict[bytes, bytes] = {k: attrs[k] for k in (b"s", b"customFormat") if formatted and k in attrs}
            styles: dict[int, int] = {}
            col = 0
            for cell in self._cell.finditer(xml):
                cell_attrs = parse_attrs(cell[1])
                col = self._cell_col(cell_attrs, col)
                if int(cell_attrs.get(b"s", b"0")):
                    styles[col] = int(cell_attrs[b"s"])
            self._templates[number] = _Template(row_attrs, styles)
        return self._templates[number]

    def _cell_col(self, attrs: dict[bytes, bytes], previous: int) -> int:
        position = split_ref(attrs.get(b"r", b""))
        return position[1] if position else previous + 1

    def _append_pending(self) -> None:
        before = self._value_rows
        while self._pending:
            self._emit(self._new_row(self._pending.pop(), before))

    def _new_row(self, number: int, before: _ValueRows) -> bytes:
        """A row that did not exist: formatted like the last row with data, holding its writes."""
        template = self._template(before)
        writes = self._writes[number]
        row_style = int(template.row_attrs.get(b"s", b"0"))
        cells = []
        for col in sorted(template.styles.keys() | writes.keys()):
            style = template.styles.get(col) or row_style or self._col_style(col)
            if col in writes:
                cells.append(self._write_cell(None, number, col, writes[col], style))
            else:
                cells.append(b"<" + self._pfx + b'c r="' + cell_ref(number, col) + b'" s="%d"/>' % style)
        attrs = format_attrs({b"r": str(number).encode(), **template.row_attrs})
        return b"<" + self._pfx + b"row" + attrs + b">" + b"".join(cells) + self._row_close

    def _patch_row(self, row: bytes, number: int, writes: RowWrites) -> bytes:
        """Apply a row's writes (and any pending shared-formula promotion), keeping cells in column order."""
        tag = self._row_tag.match(row)
        if tag is None:
            raise corrupt(self._where, f"row {number} is malformed")
        attrs = parse_attrs(tag[1])
        body = b"" if tag[2] else row[tag.end() : len(row) - len(self._row_close)]
        cells: dict[int, tuple[bytes, bytes]] = {}
        col, cursor = 0, 0
        for cell in self._cell.finditer(body):
            col = self._cell_col(parse_attrs(cell[1]), col)
            cells[col] = (body[cursor : cell.start()], cell[0])
            cursor = cell.end()
        trail = body[cursor:]
        out = []
        for col in sorted(cells.keys() | writes.keys()):
            gap, xml = cells.get(col, (b"", b""))
            write = writes.get(col)
            if xml and self._promotions and (write is None or write.value is KEEP):
                xml = self._promote(xml, number, col)
            if write is not None:
                default = self._default_style(attrs, col)
                xml = self._write_cell(xml or None, number, col, write, default)
            out.append(gap + xml)
        if not writes and b"".join(out) + trail == body:
            return row
        spans = attrs.get(b"spans", b"").split(b":")
        if writes and len(spans) == 2 and spans[0].isdigit() and spans[1].isdigit():
            low, high = min(int(spans[0]), *writes), max(int(spans[1]), *writes)
            attrs[b"spans"] = b"%d:%d" % (low, high)
        start = b"<" + self._pfx + b"row" + format_attrs(attrs) + b">"
        return start + b"".join(out) + trail + self._row_close

    def _default_style(self, row_attrs: dict[bytes, bytes], col: int) -> int:
        """The format of an empty cell that is not in the XML: the row's, the column's, else the template's."""
        if row_attrs.get(b"customFormat") in _TRUE and b"s" in row_attrs:
            return int(row_attrs[b"s"])
        return self._col_style(col) or self._template(self._value_rows).styles.get(col, 0)

    def _write_cell(self, xml: bytes | None, row: int, col: int, write: CellWrite, default: int) -> bytes:
        """One `<c>` with the write applied; `xml` is the cell as it was, None if it was not there."""
        pfx = self._pfx
        attrs: dict[bytes, bytes] = {}
        body = b""
        if xml is not None:
            match = self._cell.match(xml)
            if match is None:
                raise corrupt(self._where, f"cell {cell_ref(row, col).decode()} is malformed")
            attrs, body = parse_attrs(match[1]), match[2] or b""
        style = int(attrs.get(b"s", b"0")) if xml is not None else default
        value = write.value
        if value is not KEEP:
            body = self._drop_value(body, row, col)
            for key in (b"t", b"cm", b"vm"):
                attrs.pop(key, None)
            kind, content = encode_value(cast(CellValue, value), self._date1904, pfx)
            if kind is not None:
                attrs[b"t"] = kind
            body = content + body
            if is_date(value):
                style = self._styles.date_style(style, isinstance(value, dt.datetime))
        if write.fill is not KEEP:
            style = self._styles.fill_style(style, cast("str | None", write.fill))
        ordered = {b"r": cell_ref(row, col)}
        if style or b"s" in attrs:
            ordered[b"s"] = str(style).encode()
        if b"t" in attrs:
            ordered[b"t"] = attrs[b"t"]
        ordered.update((k, v) for k, v in attrs.items() if k not in ordered)
        self.cells_written += 1
        start = b"<" + pfx + b"c" + format_attrs(ordered)
        return start + b"/>" if not body else start + b">" + body + b"</" + pfx + b"c>"

    def _drop_value(self, body: bytes, row: int, col: int) -> bytes:
        """A cell's content without its value and formula (its extLst stays); remember a shared master."""
        if not body:
            return body
        formula = self._formula.search(body)
        if formula is not None and not formula[2]:
            attrs = parse_attrs(formula[1])
            close = body.find(b"</" + self._pfx + b"f>", formula.end())
            text = unescape_text(body[formula.end() : close], self._where) if close > 0 else ""
            if attrs.get(b"t") == b"shared" and b"ref" in attrs and b"si" in attrs and text:
                self._promotions[attrs[b"si"]] = _Promotion((row, col), text, attrs[b"ref"])
        ext = body.find(b"<" + self._pfx + b"extLst")
        return body[ext:] if ext >= 0 else b""

    def _promote(self, xml: bytes, row: int, col: int) -> bytes:
        """If this cell depends on a shared formula whose master was overwritten, make it the master."""
        formula = self._formula.search(xml)
        if formula is None:
            return xml
        attrs = parse_attrs(formula[1])
        si = attrs.get(b"si", b"")
        if attrs.get(b"t") != b"shared" or si not in self._promotions:
            return xml
        end = formula.end()
        if not formula[2]:
            close = xml.find(b"</" + self._pfx + b"f>", end)
            if close < 0 or xml[end:close].strip():
                return xml
            end = close + len(self._pfx) + 4
        promotion = self._promotions.pop(si)
        text = translate_formula(promotion.formula, promotion.origin, (row, col))
        attrs = {b"t": b"shared", b"ref": _remaining_ref(promotion.ref, (row, col)), b"si": si, **attrs}
        f = b"<" + self._pfx + b"f" + format_attrs(attrs) + b">" + escape(text.encode()) + b"</" + self._pfx + b"f>"
        return xml[: formula.start()] + f + xml[end:]


def _remaining_ref(ref: bytes, master: tuple[int, int]) -> bytes:
    """The range a shared formula still covers once `master` (row, col) leads it."""
    first, _, last = ref.partition(b":")
    top_left, bottom_right = split_ref(first), split_ref(last or first)
    if top_left is None or bottom_right is None:
        return ref
    if master == bottom_right:
        return cell_ref(*master)
    if master[1] == top_left[1] or top_left[0] == bottom_right[0]:
        return cell_ref(*master) + b":" + cell_ref(*bottom_right)
    return ref
