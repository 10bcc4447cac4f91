"""Finding one's way in an .xlsx package: which part is a sheet, where its data starts.

The workbook comes from outside, so every XML parse here refuses entities and network
access (lxml with resolve_entities=False, no_network=True), as defusedxml would.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from typing import IO

from lxml import etree

REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STRICT_REL_NS = "http://purl.oclc.org/ooxml/officeDocument/relationships"
_CELL_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")


def safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_blank_text=False)


def parse_part(package: zipfile.ZipFile, name: str) -> etree._Element:
    with package.open(name) as fh:
        return etree.parse(fh, safe_parser()).getroot()


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def rels_path(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve_target(source_part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


def workbook_part(package: zipfile.ZipFile) -> str:
    """The workbook part named by the package's root relationships (usually xl/workbook.xml)."""
    try:
        root = parse_part(package, "_rels/.rels")
    except KeyError:
        return "xl/workbook.xml"
    for rel in root:
        if str(rel.get("Type", "")).endswith("/officeDocument"):
            return resolve_target("", str(rel.get("Target")))
    return "xl/workbook.xml"


def sheet_parts(package: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> part name, in workbook order."""
    wb = workbook_part(package)
    rels = {
        str(rel.get("Id")): resolve_target(wb, str(rel.get("Target")))
        for rel in parse_part(package, rels_path(wb))
    }
    out: dict[str, str] = {}
    for element in parse_part(package, wb).iter():
        if _local(element.tag) == "sheet":
            rid = element.get(f"{{{REL_NS}}}id") or element.get(f"{{{STRICT_REL_NS}}}id")
            if rid in rels:
                out[str(element.get("name"))] = rels[rid]
    return out


def sheet_part(package: zipfile.ZipFile, sheet: str) -> str | None:
    return sheet_parts(package).get(sheet)


def column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def first_value_cell(package: zipfile.ZipFile, part: str) -> tuple[int, int] | None:
    """(row, column) of the first row holding a value, and the leftmost value in it; None if empty.

    Readers (calamine) drop leading empty rows and columns; this gives back where the
    data really starts.  Only the sheet's first rows are parsed.
    """
    with package.open(part) as fh:
        return _scan_first_value(fh)


def _scan_first_value(fh: IO[bytes]) -> tuple[int, int] | None:
    row_number = 0
    for _, row in etree.iterparse(fh, events=("end",), tag="{*}row", resolve_entities=False, no_network=True,
                                  huge_tree=True):
        r = row.get("r")
        row_number = int(r) if r else row_number + 1
        col = 0
        found: int | None = None
        for cell in row:
            if _local(cell.tag) != "c":
                continue
            ref = cell.get("r")
            match = _CELL_REF.match(ref) if ref else None
            col = column_number(match.group(1)) if match else col + 1
            if _has_value(cell):
                found = col if found is None else min(found, col)
        row.clear()
        if found is not None:
            return row_number, found
    return None


def _has_value(cell: etree._Element) -> bool:
    for child in cell:
        name = _local(child.tag)
        if name == "v" and (child.text or "") != "":
            return True
        if name == "is" and "".join(child.itertext()) != "":
            return True
    return False
