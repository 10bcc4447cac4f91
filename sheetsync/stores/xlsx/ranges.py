"""Ranges that must grow with appended rows, and the workbook's recalculation flag; byte-level edits.

Only the attribute values or element text that change are rewritten; every other byte
of the part stays as it was.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from sheetsync.stores.xlsx.cells import cell_ref, col_number, ref_letters, split_ref

_MARKUP = re.compile(
    rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>"
    rb"""|<(/?)(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)((?:[^>"']|"[^"]*"|'[^']*')*?)(/?)>""",
    re.S,
)
_RANGE_ATTR = re.compile(rb"""(\s(?:ref|sqref)\s*=\s*)(?:"([^"]*)"|'([^']*)')""")
_RANGE_PART = re.compile(rb"(\$?[A-Za-z]{0,3}\$?)(\d*)")
_TOKEN = re.compile(rb"\S+")
# Elements whose ref/sqref attribute is a range of the sheet's rows (sheet and table parts).
_RANGE_ELEMENTS = {b"autoFilter", b"dataValidation", b"conditionalFormatting", b"table"}
# Excel 2010 extensions keep the range in an <xm:sqref> child of these.
_SQREF_PARENTS = {b"dataValidation", b"conditionalFormatting"}
_DIMENSION = re.compile(rb"""(<(?:[\w.-]+:)?dimension\s[^>]*?ref\s*=\s*["'])([^"']*)""")
_CALC_PR = re.compile(rb"<((?:[\w.-]+:)?)calcPr(?=[\s/>])([^>]*?)(/?)>")
_FULL_CALC = re.compile(rb"""\sfullCalcOnLoad\s*=\s*["']([^"']*)["']""")
# Children of <workbook> that come before <calcPr>; it is inserted after the last of them.
_BEFORE_CALC_PR = re.compile(
    rb"</(?:[\w.-]+:)?(?:sheets|functionGroups|externalReferences|definedNames)>"
    rb"|<(?:[\w.-]+:)?functionGroups(?=[\s/])[^>]*/>"
)


def extend_sqref(sqref: bytes, old_last: int, new_last: int, data_first: int = 0) -> bytes:
    """Extend each range of a space-separated list that ends at row `old_last` to end at `new_last`; with
    `data_first` (the first data row) also a range covering the data block from its top that ends earlier: the
    rows people typed below the tool's last run never got the team's highlighting, and now do.

    Only ranges spanning more than one row are extended; single cells and whole columns stay.
    """

    def extend(token: re.Match[bytes]) -> bytes:
        first, sep, last = token[0].partition(b":")
        start, end = _RANGE_PART.fullmatch(first), _RANGE_PART.fullmatch(last)
        if not sep or start is None or end is None or not start[2] or not end[2]:
            return token[0]
        top, bottom = int(start[2]), int(end[2])
        ends_the_data = bottom == old_last or (data_first > 0 and top <= data_first < bottom < old_last)
        if not ends_the_data or top >= old_last:
            return token[0]
        return first + b":" + end[1] + str(new_last).encode()

    return _TOKEN.sub(extend, sqref)


def extend_ranges(xml: bytes, old_last: int, new_last: int, data_first: int = 0) -> bytes:
    """Extend autoFilter, data validation, conditional formatting and table ranges in a sheet or table part.

    Ranges in formulas, merged cells, sparklines and hyperlinks are left alone.
    """
    out: list[bytes] = []
    stack: list[bytes] = []
    cursor = 0
    for tag in _MARKUP.finditer(xml):
        closing, name, attrs, empty = tag[1], tag[2], tag[3], tag[4]
        if name is None:
            continue
        if closing:
            if stack:
                stack.pop()
            continue
        if name in _RANGE_ELEMENTS and attrs:
            new_attrs = _RANGE_ATTR.sub(
                lambda m: m[1] + b'"' + extend_sqref(m[2] if m[2] is not None else m[3], old_last, new_last,
                                                     data_first) + b'"',
                attrs,
            )
            if new_attrs != attrs:
                out += [xml[cursor : tag.start(3)], new_attrs]
                cursor = tag.end(3)
        if name == b"sqref" and not empty and stack and stack[-1] in _SQREF_PARENTS:
            text_end = xml.find(b"<", tag.end())
            out += [xml[cursor : tag.end()], extend_sqref(xml[tag.end() : text_end], old_last, new_last, data_first)]
            cursor = text_end
        if not empty:
            stack.append(name)
    out.append(xml[cursor:])
    return b"".join(out)


def widen_dimension(head: bytes, last_row: int, last_col: int) -> bytes:
    """Make the sheet's `<dimension ref>` cover (last_row, last_col) when it does not already."""
    match = _DIMENSION.search(head)
    if match is None:
        return head
    first, _, last = match[2].partition(b":")
    top_left, bottom_right = split_ref(first), split_ref(last or first)
    if top_left is None or bottom_right is None:
        return head
    corner = (max(bottom_right[0], last_row), max(bottom_right[1], last_col))
    if corner == bottom_right:
        return head
    ref = first + b":" + cell_ref(*corner)
    return head[: match.start(2)] + ref + head[match.end(2) :]


def set_full_calc_on_load(workbook: bytes) -> bytes:
    """workbook.xml asking the application to recalculate every formula on open; unchanged if it already does."""
    calc = _CALC_PR.search(workbook)
    if calc is None:
        anchors = list(_BEFORE_CALC_PR.finditer(workbook))
        if not anchors:
            return workbook
        pfx = re.search(rb"<((?:[\w.-]+:)?)workbook(?=[\s>])", workbook)
        prefix = pfx[1] if pfx else b""
        at = anchors[-1].end()
        return workbook[:at] + b"<" + prefix + b'calcPr fullCalcOnLoad="1"/>' + workbook[at:]
    flag = _FULL_CALC.search(calc[2])
    if flag is not None and flag[1] in (b"1", b"true"):
        return workbook
    if flag is not None:
        at = calc.start(2) + flag.start(1)
        return workbook[:at] + b"1" + workbook[calc.start(2) + flag.end(1) :]
    at = calc.end(2)
    return workbook[:at] + b' fullCalcOnLoad="1"' + workbook[at:]


def remaining_ref(ref: bytes, master: tuple[int, int]) -> bytes:
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


_SHEET_TAG = re.compile(rb"<(?:[\w.-]+:)?sheet\s[^>]*?name\s*=\s*[\"']([^\"']*)[\"']")
_FILTER_NAME = re.compile(
    rb"(<(?:[\w.-]+:)?definedName\s[^>]*?name\s*=\s*[\"']_xlnm\._FilterDatabase[\"'][^>]*>)([^<]*)(<)")
_LOCAL_ID = re.compile(rb"""localSheetId\s*=\s*["'](\d+)["']""")
_RANGE_END = re.compile(rb":\$?([A-Za-z]{1,3})\$?(\d+)$")
"""The bottom-right corner of a range's text (`订单!$A$1:$Y$100`): its column letters and its row."""


def extend_filter_database(workbook: bytes, sheet: str, old_last: int, new_last: int) -> bytes:
    """The hidden name `_xlnm._FilterDatabase` of `sheet` (what Excel and LibreOffice keep as the autofilter's range,
    beside the sheet's own `<autoFilter ref>`) grown with the rows appended, like the autoFilter; unchanged when
    the sheet has none or its range did not end at `old_last`.  Without it, one LibreOffice save shrinks the
    filter back to the old rows."""

    def grow(text: bytes) -> bytes | None:
        end = _RANGE_END.search(text)
        return None if end is None or int(end[2]) != old_last else text[: end.start(2)] + b"%d" % new_last

    return _edit_filter_database(workbook, sheet, grow)


def _edit_filter_database(workbook: bytes, sheet: str, edit: Callable[[bytes], bytes | None]) -> bytes:
    """`workbook` with `edit` applied to the range text of `sheet`'s `_xlnm._FilterDatabase` (None: leave it)."""
    names = [_unescape(m[1]) for m in _SHEET_TAG.finditer(workbook)]
    if sheet not in names:
        return workbook
    index = str(names.index(sheet)).encode()

    def apply(found: re.Match[bytes]) -> bytes:
        local = _LOCAL_ID.search(found[1])
        edited = edit(found[2].strip()) if local is not None and local[1] == index else None
        return found[0] if edited is None else found[1] + edited + found[3]

    return _FILTER_NAME.sub(apply, workbook)


def _unescape(name: bytes) -> str:
    text = name.decode("utf-8", "replace")
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&")):
        text = text.replace(entity, char)
    return text


_COLS = re.compile(rb"<((?:[\w.-]+:)?)cols>(.*?)</(?:[\w.-]+:)?cols>", re.S)
_COL = re.compile(rb"<(?:[\w.-]+:)?col\s[^>]*?/>")
_MIN = re.compile(rb"""\smin\s*=\s*["'](\d+)["']""")
_MAX = re.compile(rb"""\smax\s*=\s*["'](\d+)["']""")


def widen_columns(head: bytes, widths: Mapping[int, float], pfx: bytes = b"") -> bytes:
    """The sheet's head with a `<col>` width for each column of `widths` that no `<col>` element covers yet (a
    column the tool added: 状态时间 at the default width shows `###`); the team's own widths are never changed."""
    if not widths:
        return head
    found = _COLS.search(head)
    elements = [(_span(m[0]), m[0]) for m in _COL.finditer(found[2])] if found else []
    covered = [span for span, _ in elements]
    wanted = {col: width for col, width in widths.items() if not any(lo <= col <= hi for lo, hi in covered)}
    if not wanted:
        return head
    pfx = found[1] if found else pfx
    added = [(col, b'<%scol min="%d" max="%d" width="%.2f" customWidth="1"/>' % (pfx, col, col, width))
             for col, width in sorted(wanted.items())]
    if found is None:  # `<cols>` comes right before `<sheetData>`, where the head ends
        return head + b"<" + pfx + b"cols>" + b"".join(x for _, x in added) + b"</" + pfx + b"cols>"
    if b"".join(x for _, x in elements) != re.sub(rb">\s+<", b"><", found[2].strip()):
        return head  # something else inside `<cols>` than plain `<col/>` elements: left as it is
    merged = b"".join(x for _, x in sorted([(span[0], x) for span, x in elements] + added, key=lambda pair: pair[0]))
    return head[: found.start(2)] + merged + head[found.end(2) :]


def _span(col: bytes) -> tuple[int, int]:
    """(min, max) of a `<col>` element, whatever the order of its attributes (LibreOffice writes max first)."""
    low, high = _MIN.search(col), _MAX.search(col)
    first = int(low[1]) if low else 0
    return first, int(high[1]) if high else first


_AUTO_FILTER = re.compile(rb"""(<(?:[\w.-]+:)?autoFilter\s[^>]*?ref\s*=\s*["'])([A-Za-z]{1,3})(\d+):([A-Za-z]{1,3})(\d+)""")


def widen_filter(xml: bytes, old_right: int, new_right: int) -> bytes:
    """The sheet's `<autoFilter ref>` reaching column `new_right` when it ended at `old_right` (the team's last
    header column, before the tool's columns were added at its right); otherwise unchanged."""
    found = _AUTO_FILTER.search(xml)
    if found is None or col_number(found[4]) != old_right:
        return xml
    return xml[: found.start(4)] + ref_letters(new_right) + xml[found.end(4) :]


def widen_filter_database(workbook: bytes, sheet: str, old_right: int, new_right: int) -> bytes:
    """`_xlnm._FilterDatabase` of `sheet` reaching column `new_right` when it ended at `old_right`."""

    def widen(text: bytes) -> bytes | None:
        end = _RANGE_END.search(text)
        if end is None or col_number(end[1]) != old_right:
            return None
        return text[: end.start(1)] + ref_letters(new_right) + text[end.end(1) :]

    return _edit_filter_database(workbook, sheet, widen)
