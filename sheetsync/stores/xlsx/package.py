"""Where an .xlsx sheet's data starts: readers (calamine) drop leading empty rows and columns.

The workbook comes from outside, so the parse refuses entities and network access.
"""

from __future__ import annotations

import zipfile
from typing import IO

from lxml import etree

from sheetsync.stores.xlsx.cells import split_ref


def first_value_cell(package: zipfile.ZipFile, part: str) -> tuple[int, int] | None:
    """(row, column) of the first row holding a value, and the leftmost value in it; None if empty.

    Only the sheet's first rows are parsed.
    """
    with package.open(part) as fh:
        return _scan_first_value(fh)


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


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
            position = split_ref(ref.encode()) if ref else None
            col = position[1] if position else col + 1
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
