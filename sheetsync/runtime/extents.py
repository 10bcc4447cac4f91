"""What a workbook package holds and how far its sheets reach, checked before a reader lays them out in memory.

The readers (calamine, through fastexcel and python-calamine) allocate a sheet's whole used range: one stray cell
at XFD1048576 in a 15 KB file asks for 550 GB and aborts the process on every run.  A sheet that reaches past
the limits is refused (exit 6) with the farthest cell named, before any reader sees it.  So is a package whose
members inflate past the bounds of `runtime/limits.py` (a zip bomb: 15 MB that inflates to 4 GB), one that
declares a DOCTYPE in any XML part (no Office application writes one; entity expansion lives there), and one
that is no package at all (encrypted, an old .xls renamed, duplicate members).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from sheetsync.errors import UnreadableInput
from sheetsync.i18n import Lang, t
from sheetsync.runtime import limits
from sheetsync.runtime.columns import col_number

_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?\"")
_CELL_REF = re.compile(rb"<(?:\w+:)?c\s[^>]*?r=\"([A-Z]{1,3})(\d+)\"")
_SCANNED = 8_000_000
"""A sheet part up to this size (uncompressed) is scanned for its farthest cell, whatever its `<dimension>` says."""


@dataclass(frozen=True, slots=True)
class Extent:
    """How far a worksheet reaches: `rows` × `cols` up to the cell `far`; `stray` when that cell lies far beyond
    the rest of the data (`data_rows`: where the rest ends, when the cells were counted)."""

    rows: int
    cols: int
    far: str
    stray: bool = False
    data_rows: int | None = None
    counted: bool = True
    """False when `data_rows` is an estimate (a large part is not scanned) and `far` only the corner `<dimension>` names."""


STRAY_FROM = 2_000_000
"""A used range of more cells than this whose farthest cell lies far beyond the rest is refused as a stray cell
(one typed at A1048576 makes the readers lay out a million empty rows; the next rows could not even be appended)."""
STRAY_GAP = 10_000
"""Rows between the farthest cell and the rest of the data that make it a stray one."""
_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>]")
_SAMPLE = 1 << 20


def used_extent(package: zipfile.ZipFile, part: str) -> Extent:
    """The used range of a worksheet: from its `<dimension>` element, and for a part small enough (an export) from
    its cells themselves, the larger of the two.  A far cell is `stray` when the cells before it end more than
    `STRAY_GAP` rows earlier (counted in a small part; in a large one, told from the size the part would need for
    that many rows of the kind it starts with, against the size it has)."""
    info = package.getinfo(part)
    rows = cols = 0
    far = "A1"
    with package.open(info) as fh:
        head = fh.read(_SAMPLE)
    found = _DIMENSION.search(head[:4096])
    if found and found.group(3):
        cols, rows = col_number(found.group(3)), int(found.group(4))
        far = f"{found.group(3).decode()}{rows}"
    if info.file_size > _SCANNED:
        tags = len(_ROW_TAG.findall(head))
        needed = len(head) / max(tags, 1) * rows  # bytes that many rows like the first ones take
        stray = rows * cols > STRAY_FROM and tags > 10 and info.file_size < needed / 5
        estimate = round(info.file_size / (len(head) / max(tags, 1)), -3) if stray else None
        return Extent(rows, cols, far, stray, int(estimate) if estimate else None, counted=False)
    with package.open(info) as fh:
        data = fh.read()
    seen: set[int] = set()
    lowest, lowest_cell = 0, ""  # the cell in the last row holding one: the stray one, if any
    for letters, number in _CELL_REF.findall(data):
        row, col = int(number), col_number(letters)
        seen.add(row)
        if row > lowest:
            lowest, lowest_cell = row, f"{letters.decode()}{number.decode()}"
        if row > rows or col > cols:
            rows, cols = max(rows, row), max(cols, col)
            far = f"{letters.decode()}{number.decode()}"
    ordered = sorted(seen)
    before = ordered[-2] if len(ordered) > 1 else 0
    if rows * cols > STRAY_FROM and ordered and ordered[-1] - before > STRAY_GAP:
        return Extent(rows, cols, lowest_cell, True, before)
    return Extent(rows, cols, far)


def check_extents(path: Path, lang: Lang, *, inflate: bool = False) -> None:
    """UnreadableInput (exit 6) when the .xlsx/.xlsm package at `path` is not a valid package (`check_package`) or
    a worksheet of it reaches past the cells or columns of `limits.current()`, naming the sheet part, its farthest
    cell and the fix; nothing for any other file.  With `inflate` (a file from outside: an export, a legacy file)
    every member is inflated once to count what it really holds, not only what its zip headers say."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return
    check_package(path, lang, inflate=inflate)
    bounds = limits.current()
    try:
        with zipfile.ZipFile(path) as package:
            for info in package.infolist():
                name = info.filename
                if not (name.startswith("xl/worksheets/") and name.endswith(".xml")) or "/_rels/" in name:
                    continue
                extent = used_extent(package, name)
                far = extent.far
                if extent.stray and extent.counted:
                    raise UnreadableInput(t("extent.stray", lang, path=path, part=name, far=far, last=extent.data_rows),
                                          t("extent.too_far.hint", lang, far=far))
                if extent.stray:
                    raise UnreadableInput(t("extent.stray_row", lang, path=path, part=name, row=extent.rows,
                                            last=f"{extent.data_rows:,}"), t("extent.stray_row.hint", lang, row=extent.rows))
                if extent.rows * extent.cols > bounds.cells or extent.cols > bounds.columns:
                    raise UnreadableInput(t("extent.too_far", lang, path=path, part=name, far=far, rows=extent.rows,
                                            cols=extent.cols), t("extent.too_far.hint", lang, far=far))
    except (zipfile.BadZipFile, zlib.error, EOFError):  # a member that is not what its headers say
        raise UnreadableInput(t("package.not_zip", lang, path=path), t("package.not_zip.hint", lang)) from None
    except OSError:
        return  # the reader says what is wrong with it


_OLE: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""The start of an OLE compound file: an old .xls, or an .xlsx encrypted with a password to open."""


def check_package(path: Path, lang: Lang, *, inflate: bool = False) -> None:
    """UnreadableInput (exit 6) naming what an .xlsx that is not a valid package really is, and what to do: an
    encrypted workbook (remove the password), an old .xls under a new name (save it again as .xlsx), a package
    holding two members of the same name (which copy a reader takes is anyone's guess), a member that inflates
    past the bounds (a zip bomb), an XML part that declares a DOCTYPE (entity bombs and external entities)."""
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
            seen: set[str] = set()
            for info in package.infolist():
                name = info.filename.lower()
                if name in seen:
                    raise UnreadableInput(t("package.duplicate", lang, path=path, member=name),
                                          t("package.not_zip.hint", lang))
                seen.add(name)
                _check_member(path, package, info, lang, inflate)
    except (zipfile.BadZipFile, zlib.error, EOFError):
        raise UnreadableInput(t("package.not_zip", lang, path=path), t("package.not_zip.hint", lang)) from None
    except OSError:
        return


_HEAD: Final = 4096
_CHUNK: Final = 1 << 20


def _check_member(path: Path, package: zipfile.ZipFile, info: zipfile.ZipInfo, lang: Lang, inflate: bool) -> None:
    """One member: its size and inflation ratio as its headers declare them, the head of an XML part for a
    DOCTYPE, and with `inflate` what it really inflates to (headers can lie: zipfile stops at the declared size
    and fails the checksum, but calamine's reader inflates on)."""
    bounds = limits.current()
    _check_size(path, info.filename, info.file_size, info.compress_size, bounds, lang)
    xml = info.filename.lower().endswith((".xml", ".rels", ".vml"))
    if not (xml or inflate):
        return
    with package.open(info) as fh:
        head = fh.read(_HEAD)
    if xml and b"<!DOCTYPE" in head.upper():
        raise UnreadableInput(t("package.doctype", lang, path=path, member=info.filename), t("package.not_zip.hint", lang))
    if inflate and info.compress_type == zipfile.ZIP_DEFLATED:
        _inflated_size(path, package, info, bounds, lang)


def _check_size(path: Path, member: str, size: int, packed: int, bounds: limits.Limits, lang: Lang) -> None:
    ratio = size / max(packed, 1)
    if size > bounds.member_bytes or (size > bounds.ratio_from and ratio > bounds.member_ratio):
        raise UnreadableInput(
            t("package.bomb", lang, path=path, member=member, size=_mb(size), ratio=round(ratio),
              limit=_mb(bounds.member_bytes), max_ratio=bounds.member_ratio),
            t("package.bomb.hint", lang))


def _inflated_size(path: Path, package: zipfile.ZipFile, info: zipfile.ZipInfo, bounds: limits.Limits,
                   lang: Lang) -> None:
    """Inflate a deflated member from its raw bytes, counting, and stop as soon as it passes the bounds."""
    with path.open("rb") as raw:
        raw.seek(info.header_offset)
        local = raw.read(30)
        if local[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile("bad local header")
        raw.seek(info.header_offset + 30 + int.from_bytes(local[26:28], "little") + int.from_bytes(local[28:30], "little"))
        inflater = zlib.decompressobj(-15)
        left, size, packed = info.compress_size, 0, 0
        while left > 0 and not inflater.eof:
            chunk = raw.read(min(_CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            packed += len(chunk)
            while chunk:
                out = inflater.decompress(chunk, _CHUNK)
                size += len(out)
                chunk = inflater.unconsumed_tail
                _check_size(path, info.filename, size, packed, bounds, lang)


def _mb(size: int) -> str:
    return f"{size / (1 << 20):,.0f} MB"
