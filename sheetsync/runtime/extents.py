"""How far a workbook's sheets reach, checked before a reader lays them out in memory.

The readers (calamine, through fastexcel and python-calamine) allocate a sheet's whole used range: one stray cell
at XFD1048576 in a 15 KB file asks for 550 GB and aborts the process on every run.  A sheet that reaches past
the limits is refused (exit 6) with the farthest cell named, before any reader sees it.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Final

from sheetsync.errors import UnreadableInput
from sheetsync.i18n import Lang, t

MAX_CELLS = 40_000_000
"""The most cells (rows × columns of a sheet's used range) a reader lays out: a million rows of 40 columns.  The
readers (calamine) allocate the whole range, so one stray cell at XFD1048576 in a 15 KB file would ask for 550 GB."""
MAX_COLUMNS = 4_000
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?\"")
_CELL_REF = re.compile(rb"<(?:\w+:)?c\s[^>]*?r=\"([A-Z]{1,3})(\d+)\"")
_SCANNED = 8_000_000
"""A sheet part up to this size (uncompressed) is scanned for its farthest cell, whatever its `<dimension>` says."""


def used_extent(package: zipfile.ZipFile, part: str) -> tuple[int, int, str]:
    """(rows, columns, the farthest cell's address) of a worksheet's used range: from its `<dimension>` element,
    and for a part small enough (an export) from its cells themselves, the larger of the two."""
    info = package.getinfo(part)
    rows = cols = 0
    far = "A1"
    with package.open(info) as fh:
        head = fh.read(4096)
    found = _DIMENSION.search(head)
    if found and found.group(3):
        cols, rows = column_index(found.group(3).decode()), int(found.group(4))
        far = f"{found.group(3).decode()}{rows}"
    if info.file_size <= _SCANNED:
        with package.open(info) as fh:
            data = fh.read()
        for letters, number in _CELL_REF.findall(data):
            row, col = int(number), column_index(letters.decode())
            if row > rows or col > cols:
                rows, cols = max(rows, row), max(cols, col)
                far = f"{letters.decode()}{number.decode()}"
    return rows, cols, far


def column_index(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def check_extents(path: Path, lang: Lang) -> None:
    """UnreadableInput (exit 6) when a worksheet of the .xlsx/.xlsm package at `path` reaches past `MAX_CELLS` or
    `MAX_COLUMNS`, naming the sheet part, its farthest cell and the fix; nothing for any other file."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return
    check_package(path, lang)
    try:
        package = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return  # the reader says what is wrong with it
    with package:
        for info in package.infolist():
            name = info.filename
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")) or "/_rels/" in name:
                continue
            rows, cols, far = used_extent(package, name)
            if rows * cols > MAX_CELLS or cols > MAX_COLUMNS:
                raise UnreadableInput(t("extent.too_far", lang, path=path, part=name, far=far, rows=rows, cols=cols),
                                      t("extent.too_far.hint", lang, far=far))


_OLE: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""The start of an OLE compound file: an old .xls, or an .xlsx encrypted with a password to open."""


def check_package(path: Path, lang: Lang) -> None:
    """UnreadableInput (exit 6) naming what an .xlsx that is not a valid package really is, and what to do: an
    encrypted workbook (remove the password), an old .xls under a new name (save it again as .xlsx), a package
    holding two members of the same name (which copy a reader takes is anyone's guess)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
            if head == _OLE:
                data = fh.read(4 * 1024 * 1024)
                encrypted = "EncryptedPackage".encode("utf-16-le") in data
                key = "package.encrypted" if encrypted else "package.old_xls"
                raise UnreadableInput(t(key, lang, path=path), t(f"{key}.hint", lang))
    except OSError:
        return
    try:
        with zipfile.ZipFile(path) as package:
            names = [info.filename.lower() for info in package.infolist()]
    except (zipfile.BadZipFile, OSError):
        raise UnreadableInput(t("package.not_zip", lang, path=path), t("package.not_zip.hint", lang)) from None
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise UnreadableInput(t("package.duplicate", lang, path=path, member=name), t("package.not_zip.hint", lang))
        seen.add(name)
