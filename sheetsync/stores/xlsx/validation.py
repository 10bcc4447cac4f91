"""The dropdown lists of a worksheet (its list-type data validations): what words a column allows.

A list is written inline (`"待发货,已发货,已签收"`), as a range of the same sheet (`$L$2:$L$6`), as a range
of another sheet (`Lists!$A$1:$A$5`, which Excel 2010+ keeps in the sheet's `extLst` as an `x14` data
validation), or as a defined name.  Only the part after `<sheetData>` is parsed, so a 100,000-row
sheet costs one streamed pass.  Ranges are read with python-calamine (the values as shown).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

import python_calamine

from sheetsync.errors import UnreadableInput
from sheetsync.stores.xlsx.lists import CELL_RANGE, Dropdown, column_number
from sheetsync.stores.xlsx.package import part_chunks, read_book, sheet_part
from sheetsync.stores.xlsx.patch import _open
from sheetsync.stores.xlsx.xmlparts import SHEET_PROTECTION, local_name, parse_part, signed


def dropdowns(path: Path, sheet: str) -> list[Dropdown]:
    """Every list validation of worksheet `sheet` of the workbook at `path`, with the words it allows."""
    where = str(path)
    with _open(Path(path)) as (_, package):
        book = read_book(package, where)
        part = sheet_part(book, sheet, where)
        head, tail = _head_and_tail(package, part, where)
        names = _defined_names(book.xml, where)
    if not tail:
        return []
    root = parse_part(head + tail, f"{where}: {part}")
    found: list[Dropdown] = []
    for element in root.iter():
        if not isinstance(element.tag, str) or local_name(element) != "dataValidation" or element.get("type") != "list":
            continue
        formula, sqref = "", element.get("sqref", "")
        for child in element.iter():
            if not isinstance(child.tag, str):
                continue
            name = local_name(child)
            if name == "formula1":
                formula = "".join(child.itertext()).strip()
            elif name == "sqref" and child is not element:
                sqref = (child.text or "").strip()
        found.append(Dropdown(sqref, _choices(formula, path, sheet, names), formula))
    return found


def workbook_guards(path: Path, sheet: str | None) -> list[str]:
    """`signed` when the package carries a digital signature, `protected` when the worksheet `sheet` is
    protected (its `<sheetProtection>` element); [] for neither, or when the file cannot be read as a package."""
    where = str(path)
    found: list[str] = []
    try:
        with _open(Path(path)) as (_, package):
            if signed(package.namelist()):
                found.append("signed")
            if sheet is not None:
                _, tail = _head_and_tail(package, sheet_part(read_book(package, where), sheet, where), where)
                if SHEET_PROTECTION.search(tail):
                    found.append("protected")
    except (UnreadableInput, zipfile.BadZipFile, zlib.error, EOFError, KeyError):
        return found
    return found


def column_choices(path: Path, sheet: str, col: int, row: int) -> tuple[str, ...] | None:
    """The words the dropdown of the cell at (`row`, `col`) allows; None when it has no readable list."""
    for dropdown in dropdowns(path, sheet):
        if dropdown.covers(row, col) and dropdown.choices is not None:
            return dropdown.choices
    return None


def _head_and_tail(package: zipfile.ZipFile, part: str, where: str) -> tuple[bytes, bytes]:
    """The worksheet's start tag (with its namespaces) and everything after `</sheetData>` (b"" when none)."""
    head: bytes | None = None
    window = b""
    tail: list[bytes] = []
    close = re.compile(rb"</(?:\w+:)?sheetData>|<(?:\w+:)?sheetData\s*/>")
    for chunk in part_chunks(package, part, where):
        if tail:
            tail.append(chunk)
            continue
        window += chunk
        if head is None:
            start = re.search(rb"<(?:\w+:)?worksheet[\s>][^>]*>", window)
            if start is None:
                continue
            head = start.group(0)
        found = close.search(window)
        if found is not None:
            tail.append(window[found.end():] or b" ")
        else:
            window = window[-64:]  # a closing tag split between two chunks is found in the next window
    return head or b"", b"".join(tail).strip()


def _defined_names(workbook_xml: bytes, where: str) -> dict[str, str]:
    root = parse_part(workbook_xml, f"{where}: workbook")
    return {str(e.get("name")): "".join(e.itertext()).strip() for e in root.iter()
            if isinstance(e.tag, str) and local_name(e) == "definedName" and e.get("name")}


def _choices(formula: str, path: Path, sheet: str, names: dict[str, str]) -> tuple[str, ...] | None:
    text = formula.strip()
    if text.startswith("="):
        text = text[1:]
    if text.startswith('"') and text.endswith('"'):
        return tuple(w.strip() for w in text[1:-1].replace('""', '"').split(",") if w.strip())
    text = names.get(text, text)
    found = CELL_RANGE.match(text.replace("$", "").strip()) or CELL_RANGE.match(text.strip())
    if found is None:
        return None
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        rows = book.get_sheet_by_name(found["sheet"] or sheet).to_python(skip_empty_area=False)
    except Exception:  # an unreadable list is an unknown one
        return None
    c1, r1 = column_number(found["c1"]), int(found["r1"])
    c2, r2 = (column_number(found["c2"]), int(found["r2"])) if found["c2"] else (c1, r1)
    out = []
    for r in range(r1 - 1, min(r2, len(rows))):
        for c in range(c1 - 1, c2):
            value = rows[r][c] if c < len(rows[r]) else ""
            if value not in ("", None):
                out.append(str(int(value)) if isinstance(value, float) and value.is_integer() else str(value))
    return tuple(out)





