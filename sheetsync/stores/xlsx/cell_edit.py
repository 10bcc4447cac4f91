"""Editing the rows a worksheet already has: the written cells of a row, at the byte level.

A row with writes is edited one `<c>` at a time, so attributes and content this module does not know
about survive: the cells to change are found by their `r="F12"` (the general path, which reads every
cell's attributes, is kept for rows written otherwise).  A shared formula whose master cell is
overwritten hands its master role to its next dependent.  `SheetPatcher` (`sheet.py`) streams the part
and appends rows; this is the part of it that edits a row in place.
"""

from __future__ import annotations

import datetime as dt
import re
from abc import ABC, abstractmethod
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass

from sheetsync.model.cells import KEEP, CellWrite
from sheetsync.stores.xlsx.cells import (
    COLUMN_NUMBERS,
    cell_attrs,
    cell_ref,
    encode_value,
    ref_letters,
    split_ref,
    translate_formula,
)
from sheetsync.stores.xlsx.ranges import remaining_ref
from sheetsync.stores.xlsx.styles import StyleBook
from sheetsync.stores.xlsx.xmlparts import corrupt, escape, format_attrs, parse_attrs, unescape_text

RowWrites = Mapping[int, CellWrite]
TRUE = (b"1", b"true")
_ORDERED = frozenset({b"r", b"s", b"t"})  # the attributes a written cell starts with
_ORDERED_AND_DROPPED = _ORDERED | {b"cm", b"vm"}  # and those dropped with its old value
_NORMAL_ATTRS = re.compile(rb'(?: [\w.:-]+="[^"]*")*')  # as format_attrs writes them


def _column_layout(letters: tuple[bytes, ...]) -> list[int] | None:
    """The column numbers of a row's cells from their references' letters, when every cell has one
    and they run left to right (what `_patch_row_by_refs` needs); else None."""
    if b"" in letters:
        return None
    cols = [COLUMN_NUMBERS[x] for x in letters]
    return cols if cols == sorted(set(cols)) else None


_SPANS = re.compile(rb' spans="(\d+):(\d+)"')


@dataclass(frozen=True, slots=True)
class Promotion:
    """A shared formula whose master cell was overwritten; its next dependent becomes the master."""

    origin: tuple[int, int]
    formula: str
    ref: bytes


class CellEditor(ABC):
    """The row editing of `SheetPatcher`: what it needs of the patcher is declared here."""

    _pfx: bytes
    _where: str
    _styles: StyleBook
    _date1904: bool
    _promotions: dict[bytes, Promotion]
    _layouts: dict[tuple[bytes, ...], list[int] | None]
    _row_tag: re.Pattern[bytes]
    _row_close: bytes
    _cell: re.Pattern[bytes]
    _cell_letters: re.Pattern[bytes]
    _cell_open: bytes
    _cell_close: bytes
    _formula_open: bytes
    _formula: re.Pattern[bytes]
    cells_written: int

    @abstractmethod
    def _empty_cell_style(self, col: int) -> int:
        """The format of an empty cell of column `col` in a row without a format of its own."""

    def _cell_col(self, attrs: dict[bytes, bytes], previous: int) -> int:
        position = split_ref(attrs.get(b"r", b""))
        return position[1] if position else previous + 1


    def _patch_row(self, row: bytes, number: int, writes: RowWrites) -> bytes:
        """Apply a row's writes (and any pending shared-formula promotion), keeping cells in column order."""
        if writes and not self._promotions and all(w.like is None for w in writes.values()):
            patched = self._patch_row_by_refs(row, number, writes)
            if patched is not None:
                return patched
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
                if write.like is not None and write.like in cells:  # the format of the cell it is like
                    lender = self._cell.match(cells[write.like][1])
                    lent = parse_attrs(lender[1]).get(b"s") if lender else None
                    default = int(lent) if lent and lent.isdigit() else default
                xml = self._write_cell(xml or None, number, col, write, default)
            out.append(gap + xml)
        if not writes and b"".join(out) + trail == body:
            return row
        return self._row_start_tag(attrs, writes) + b"".join(out) + trail + self._row_close

    def _patch_row_by_refs(self, row: bytes, number: int, writes: RowWrites) -> bytes | None:
        """`_patch_row` for a row whose cells all start `<c r="F12"`, in column order: only the
        written cells are read.  None when the row is not like that (or a written cell has a formula)."""
        tag = self._row_tag.match(row)
        if tag is None or tag[2]:
            return None
        body = row[tag.end() : len(row) - len(self._row_close)]
        letters = tuple(self._cell_letters.findall(body))  # b"" for a <c> not starting with r="
        if letters not in self._layouts:  # rows of a sheet share a few layouts: each is checked once
            self._layouts[letters] = _column_layout(letters)
        cols = self._layouts[letters]
        if cols is None:
            return None
        digits = b"%d" % number
        opening = self._cell_open + b' r="'
        head = tag[1]
        attrs: dict[bytes, bytes] | None = None
        out = []
        cursor = 0
        for col in sorted(writes):
            ref = ref_letters(col) + digits
            at = bisect_left(cols, col)
            if at < len(cols) and cols[at] == col:
                start = body.find(opening + ref + b'"')
                cell = self._cell_parts(body, start) if start >= 0 else None
                if cell is None or self._formula_open in cell[2]:
                    return None
                end, cell_head, content = cell
                default = 0
            else:
                previous = body.find(opening + ref_letters(cols[at - 1]) + digits + b'"') if at else -1
                cell = self._cell_parts(body, previous) if previous >= 0 else None
                if at and cell is None:
                    return None
                start = end = cell[0] if cell else 0
                cell_head, content = None, b""
                if attrs is None:
                    attrs = parse_attrs(head) if b"customFormat" in head else {}
                default = self._default_style(attrs, col)
            out += [body[cursor:start], self._written_cell(cell_head, content, number, col, writes[col], default, ref)]
            cursor = end
        out.append(body[cursor:])
        start_tag = row[: tag.end()] if _NORMAL_ATTRS.fullmatch(head) else self._row_start_tag(parse_attrs(head), {})
        return self._widen_spans(start_tag, writes) + b"".join(out) + self._row_close

    def _cell_parts(self, body: bytes, start: int) -> tuple[int, bytes, bytes] | None:
        """The `<c>` starting at `start`: where it ends, its attributes and its content; None if it does not end."""
        tag_end = body.find(b">", start)
        if tag_end < 0:
            return None
        head_start = start + len(self._cell_open)
        if body[tag_end - 1] == 47:  # "/>"
            return tag_end + 1, body[head_start : tag_end - 1], b""
        close = body.find(self._cell_close, tag_end)
        if close < 0:
            return None
        return close + len(self._cell_close), body[head_start:tag_end], body[tag_end + 1 : close]

    def _row_start_tag(self, attrs: dict[bytes, bytes], writes: RowWrites) -> bytes:
        """The row's start tag, its `spans` widened to cover the written columns."""
        return self._widen_spans(b"<" + self._pfx + b"row" + format_attrs(attrs) + b">", writes)

    def _widen_spans(self, start_tag: bytes, writes: RowWrites) -> bytes:
        """A row start tag as `format_attrs` writes it, with its `spans` widened to cover the written columns."""
        spans = _SPANS.search(start_tag) if writes else None
        if spans is None:
            return start_tag
        low, high = min(int(spans[1]), *writes), max(int(spans[2]), *writes)
        return start_tag[: spans.start(1)] + b"%d:%d" % (low, high) + start_tag[spans.end(2) :]

    def _default_style(self, row_attrs: dict[bytes, bytes], col: int) -> int:
        """The format of an empty cell that is not in the XML: the row's, the column's, else the template's."""
        if row_attrs.get(b"customFormat") in TRUE and b"s" in row_attrs:
            return int(row_attrs[b"s"])
        return self._empty_cell_style(col)

    def _write_cell(self, xml: bytes | None, row: int, col: int, write: CellWrite, default: int) -> bytes:
        """One `<c>` with the write applied; `xml` is the cell as it was, None if it was not there."""
        if xml is None:
            return self._written_cell(None, b"", row, col, write, default)
        match = self._cell.match(xml)
        if match is None:
            raise corrupt(self._where, f"cell {cell_ref(row, col).decode()} is malformed")
        return self._written_cell(match[1], match[2] or b"", row, col, write, default)

    def _written_cell(
        self, head: bytes | None, body: bytes, row: int, col: int, write: CellWrite, default: int, ref: bytes = b""
    ) -> bytes:
        """`_write_cell` of a cell whose start tag holds the attributes `head` (None: no cell) and
        whose content is `body`; its attributes come out as r, s, t, then the others in their order."""
        pfx = self._pfx
        ref = ref or cell_ref(row, col)
        attrs: dict[bytes, bytes] = {}
        style = default
        if head is not None:
            attrs = cell_attrs(head)
            style = int(attrs.get(b"s", b"0"))
        value = write.value
        ordered = _ORDERED
        if value is KEEP:
            kind = attrs.get(b"t")
        else:
            body = self._drop_value(body, row, col)
            kind, content = encode_value(value, self._date1904, pfx)
            body = content + body
            ordered = _ORDERED_AND_DROPPED
            if isinstance(value, dt.date):
                style = self._styles.date_style(style, isinstance(value, dt.datetime))
        fill = write.fill
        if fill is None or isinstance(fill, str):  # not KEEP
            style = self._styles.fill_style(style, fill)
        start = b"<" + pfx + b'c r="' + ref + b'"'
        if style or b"s" in attrs:
            start += b' s="%d"' % style
        if kind is not None:
            start += b' t="' + kind + b'"'
        if not attrs.keys() <= ordered:
            start += format_attrs({k: v for k, v in attrs.items() if k not in ordered})
        self.cells_written += 1
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
                self._promotions[attrs[b"si"]] = Promotion((row, col), text, attrs[b"ref"])
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
        attrs = {b"t": b"shared", b"ref": remaining_ref(promotion.ref, (row, col)), b"si": si, **attrs}
        f = b"<" + self._pfx + b"f" + format_attrs(attrs) + b">" + escape(text.encode()) + b"</" + self._pfx + b"f>"
        return xml[: formula.start()] + f + xml[end:]
