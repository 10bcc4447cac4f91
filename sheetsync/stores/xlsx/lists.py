"""Inline dropdown lists of a worksheet: which cells a list covers, and adding words to one in place.

Kept apart from `validation.py` (which reads a package) so that the sheet patcher can extend a list while it
streams the sheet, without importing the package reader.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final
from xml.sax.saxutils import escape, unescape

from sheetsync.stores.xlsx.cells import COLUMN_NUMBERS

CELL_RANGE = re.compile(r"^(?:'?(?P<sheet>[^'!]+)'?!)?\$?(?P<c1>[A-Z]{1,3})\$?(?P<r1>\d+)"
                        r"(?::\$?(?P<c2>[A-Z]{1,3})\$?(?P<r2>\d+))?$")
"""A cell or a range, maybe of another sheet (`Lists!$A$1:$A$5`)."""


@dataclass(frozen=True, slots=True)
class Dropdown:
    """One list validation: the cells it covers (`sqref`) and the words it allows (None: not readable)."""

    sqref: str
    choices: tuple[str, ...] | None
    formula: str

    def covers(self, row: int, col: int) -> bool:
        for part in self.sqref.split():
            found = CELL_RANGE.match(part)
            if found is None:
                continue
            c1, r1 = column_number(found["c1"]), int(found["r1"])
            c2, r2 = (column_number(found["c2"]), int(found["r2"])) if found["c2"] else (c1, r1)
            if c1 <= col <= c2 and r1 <= row <= r2:
                return True
        return False


def column_number(letters: str) -> int:
    return COLUMN_NUMBERS[letters.encode()]


_LIST_VALIDATION = re.compile(rb"(<(?:\w+:)?dataValidation\b[^>]*>)(.*?)(</(?:\w+:)?dataValidation>)", re.S)
_FORMULA1 = re.compile(rb"(<(?:\w+:)?formula1>)(.*?)(</(?:\w+:)?formula1>)", re.S)
_MAX_LIST: Final = 255
"""Excel's limit on the characters of a list written into the validation itself."""


def extend_list(tail: bytes, col: int, row: int, words: Sequence[str]) -> tuple[bytes, list[str]]:
    """`tail` (a worksheet's XML after `</sheetData>`) with `words` added to the inline dropdown list that covers
    the cell at (`row`, `col`), and the words added; a list kept in cells (a range, a name) is left as it is,
    as is one that would grow past Excel's 255 characters."""
    for found in _LIST_VALIDATION.finditer(tail):
        start = found.group(1)
        if b'type="list"' not in start:
            continue
        sqref = re.search(rb'sqref="([^"]*)"', start)
        if sqref is None or not Dropdown(sqref.group(1).decode(), None, "").covers(row, col):
            continue
        formula = _FORMULA1.search(found.group(2))
        text = unescape(formula.group(2).decode("utf-8"), {"&quot;": '"', "&apos;": "'"}).strip() if formula else ""
        if not (text.startswith('"') and text.endswith('"')):
            return tail, []
        have = [w for w in text[1:-1].replace('""', '"').split(",") if w]
        added = [w for w in words if w not in have and "," not in w]
        joined = ",".join([*have, *added])
        if not added or len(joined) > _MAX_LIST:
            return tail, []
        body = found.group(2)
        value = escape(f'"{joined}"').encode("utf-8")
        body = body[: formula.start(2)] + value + body[formula.end(2):]  # type: ignore[union-attr]
        return tail[: found.start(2)] + body + tail[found.end(2):], added
    return tail, []
