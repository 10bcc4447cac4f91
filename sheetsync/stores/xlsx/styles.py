"""The workbook's cell formats (xl/styles.xml): derive a format with a fill or a date number format.

The part is parsed only when a write needs a format, and written back only when a
format was added; every new fill, number format and `<xf>` is added once and reused.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable

from lxml import etree

from sheetsync.stores.xlsx.xmlparts import corrupt, local_name, parse_part

_COLOR = re.compile(r"[0-9A-Fa-f]{6}")
# Built-in number formats that show a date (ECMA-376 18.8.30 plus the East Asian ones).
_BUILTIN_DATES = {14, 15, 16, 17, 22, 27, 28, 29, 30, 31, 36, 50, 51, 52, 53, 54, 57, 58}
_LITERALS = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|[_*].')
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


def check_fill(color: object) -> None:
    """Raise ValueError unless `color` is None or 6 hex digits ("RRGGBB")."""
    if color is not None and not (isinstance(color, str) and _COLOR.fullmatch(color)):
        raise ValueError(f"fill colour must be 6 hex digits like 'FFC7CE', not {color!r}")


def shows_date(code: str) -> bool:
    """Whether a number format code displays a calendar date."""
    bare = _LITERALS.sub("", code).lower()
    return "y" in bare or "d" in bare or "mmm" in bare


class StyleBook:
    """Cell formats of one workbook; `fill_style` and `date_style` return `<xf>` indexes to use."""

    def __init__(self, load: Callable[[], bytes | None], where: str) -> None:
        self._load = load
        self._where = where
        self._root: etree._Element | None = None
        self._prolog = b""
        self._cache: dict[tuple[int, str], int] = {}
        self.changed = False

    def fill_style(self, style: int, color: str | None) -> int:
        """The format `style` with a solid fill of `color` ("RRGGBB"), or no fill when None."""
        check_fill(color)
        key = (style, "fill:" + (color or "").upper())
        if key not in self._cache:
            fill_id = 0 if color is None else self._solid_fill(color.upper())
            self._cache[key] = self._derive(style, "fillId", fill_id, "applyFill")
        return self._cache[key]

    def date_style(self, style: int, with_time: bool) -> int:
        """`style` if it already shows a date, else that format with a date number format."""
        key = (style, "datetime" if with_time else "date")
        if key not in self._cache:
            xf = self._xf(style)
            fmt_id = int(xf.get("numFmtId", "0"))
            if fmt_id in _BUILTIN_DATES or shows_date(self._formats().get(fmt_id, "")):
                self._cache[key] = style
            else:
                new_id = self._number_format(DATETIME_FORMAT if with_time else DATE_FORMAT)
                self._cache[key] = self._derive(style, "numFmtId", new_id, "applyNumberFormat")
        return self._cache[key]

    def to_bytes(self) -> bytes:
        """The part as it now reads, with its original XML declaration."""
        return self._prolog + etree.tostring(self._sheet(), encoding="UTF-8", xml_declaration=False)

    def _sheet(self) -> etree._Element:
        if self._root is None:
            data = self._load()
            if data is None:
                raise corrupt(self._where, "the workbook has no styles part")
            start = re.search(rb"<(?![?!])", data)
            self._prolog = data[: start.start()] if start else b""
            self._root = parse_part(data, self._where)
        return self._root

    def _tag(self, name: str) -> str:
        namespace = etree.QName(self._sheet()).namespace
        return f"{{{namespace}}}{name}" if namespace else name

    def _child(self, name: str, create_first: bool = False) -> etree._Element:
        root = self._sheet()
        for element in root:
            if isinstance(element.tag, str) and local_name(element) == name:
                return element
        if not create_first:
            raise corrupt(self._where, f"it has no <{name}>")
        element = etree.Element(self._tag(name), count="0")
        root.insert(0, element)
        return element

    def _items(self, name: str) -> list[etree._Element]:
        return [e for e in self._child(name) if isinstance(e.tag, str)]

    def _append(self, container: str, element: etree._Element) -> int:
        parent = self._child(container, create_first=container == "numFmts")
        index = len(self._items(container))
        parent.append(element)
        parent.set("count", str(index + 1))
        self.changed = True
        return index

    def _xf(self, style: int) -> etree._Element:
        xfs = self._items("cellXfs")
        if not xfs:
            raise corrupt(self._where, "<cellXfs> is empty")
        return xfs[style] if 0 <= style < len(xfs) else xfs[0]

    def _derive(self, style: int, attr: str, value: int, apply: str) -> int:
        """The index of an `<xf>` like `style` but with `attr` = `value`."""
        xf = self._xf(style)
        if xf.get(attr, "0") == str(value):
            return style
        clone = copy.deepcopy(xf)
        clone.set(attr, str(value))
        clone.set(apply, "1")
        return self._append("cellXfs", clone)

    def _formats(self) -> dict[int, str]:
        for element in self._sheet():
            if isinstance(element.tag, str) and local_name(element) == "numFmts":
                return {int(f.get("numFmtId", "-1")): f.get("formatCode", "") for f in element}
        return {}

    def _number_format(self, code: str) -> int:
        formats = self._formats()
        for fmt_id, existing in formats.items():
            if existing == code:
                return fmt_id
        fmt_id = max([163, *formats]) + 1
        element = etree.Element(self._tag("numFmt"), numFmtId=str(fmt_id), formatCode=code)
        self._append("numFmts", element)
        return fmt_id

    def _solid_fill(self, rgb: str) -> int:
        argb = "FF" + rgb
        for index, fill in enumerate(self._items("fills")):
            pattern = [e for e in fill if isinstance(e.tag, str)]
            if len(pattern) == 1 and local_name(pattern[0]) == "patternFill":
                fg = [e for e in pattern[0] if isinstance(e.tag, str) and local_name(e) == "fgColor"]
                if pattern[0].get("patternType") == "solid" and fg and (fg[0].get("rgb") or "").upper() == argb:
                    return index
        fill = etree.Element(self._tag("fill"))
        pattern_fill = etree.SubElement(fill, self._tag("patternFill"), patternType="solid")
        etree.SubElement(pattern_fill, self._tag("fgColor"), rgb=argb)
        etree.SubElement(pattern_fill, self._tag("bgColor"), indexed="64")
        return self._append("fills", fill)
