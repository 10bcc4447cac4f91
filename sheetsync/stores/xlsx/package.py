"""The package of an .xlsx workbook as a reader meets it: its parts and their relationships, the workbook part (its
worksheets by name, its styles part, its date system), and where a sheet's data starts (readers, calamine among
them, drop leading empty rows and columns).  Nothing here loads pandas or the patcher: the early read of a sync
(`stores/xlsx/early.py`) uses it before the pipeline's libraries are loaded.

The workbook comes from outside, so the parse refuses entities and network access.
"""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from lxml import etree

from sheetsync.errors import UnreadableInput
from sheetsync.stores.xlsx.cells import split_ref
from sheetsync.stores.xlsx.xmlparts import attr_local, corrupt, local_name, parse_part
from sheetsync.stores.xlsx.zipped import ISAL

_STREAM_ERRORS: tuple[type[Exception], ...] = (zlib.error,) if ISAL is None else (zlib.error, ISAL.error)


@dataclass(frozen=True, slots=True)
class Book:
    """Where things are in one package."""

    part: str
    xml: bytes
    sheets: dict[str, str]
    styles: str | None
    date1904: bool
    has_calc_chain: bool


def member(package: zipfile.ZipFile, part: str) -> zipfile.ZipInfo | None:
    """The member holding a part; OPC part names are case-insensitive."""
    try:
        return package.getinfo(part)
    except KeyError:
        return next((info for info in package.infolist() if info.filename.lower() == part.lower()), None)


def part_info(package: zipfile.ZipFile, part: str, where: str) -> zipfile.ZipInfo:
    info = member(package, part)
    if info is None:
        raise corrupt(where, f"the part {part} is missing")
    return info


def read_part(package: zipfile.ZipFile, part: str | None, where: str) -> bytes | None:
    return None if part is None else package.read(part_info(package, part, where))


def rels_of(package: zipfile.ZipFile, part: str, where: str) -> list[tuple[str, str, str]]:
    """(Id, type, target part) of each internal relationship of `part`."""
    rels_part = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
    info = member(package, rels_part)
    if info is None:
        return []
    rels = []
    for rel in parse_part(package.read(info), f"{where}: {rels_part}"):
        if isinstance(rel.tag, str) and local_name(rel) == "Relationship" and rel.get("TargetMode") != "External":
            target = rel.get("Target", "")
            resolved = target[1:] if target.startswith("/") else posixpath.join(posixpath.dirname(part), target)
            rels.append((rel.get("Id", ""), rel.get("Type", ""), posixpath.normpath(resolved)))
    return rels


def related(package: zipfile.ZipFile, part: str, kind: str, where: str) -> list[str]:
    """Target parts of `part`'s relationships of type `kind` (e.g. "table")."""
    return [target for _, rel_type, target in rels_of(package, part, where) if rel_type.rsplit("/", 1)[-1] == kind]


def read_book(package: zipfile.ZipFile, where: str) -> Book:
    """The workbook part, its worksheets by name, its styles part and calculation facts."""
    office = related(package, "", "officeDocument", where)
    part = part_info(package, office[0] if office else "xl/workbook.xml", where).filename
    xml = package.read(part)
    root = parse_part(xml, f"{where}: {part}")
    rels = {rel_id: (kind.rsplit("/", 1)[-1], target) for rel_id, kind, target in rels_of(package, part, where)}
    sheets: dict[str, str] = {}
    date1904 = False
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        name = local_name(element)
        if name == "sheet":
            kind, target = rels.get(attr_local(element, "id") or "", ("", ""))
            if kind == "worksheet":
                sheets[element.get("name", "")] = target
        elif name == "workbookPr":
            date1904 = element.get("date1904", "0").lower() in ("1", "true")
    styles = next((target for kind, target in rels.values() if kind == "styles"), None)
    has_calc_chain = any(kind == "calcChain" for kind, _ in rels.values())
    return Book(part, xml, sheets, styles, date1904, has_calc_chain)


def sheet_part(book: Book, sheet: str, where: str) -> str:
    """The part of the worksheet named `sheet` (exactly, else ignoring case as Excel does)."""
    if sheet in book.sheets:
        return book.sheets[sheet]
    matches = [part for name, part in book.sheets.items() if name.casefold() == sheet.casefold()]
    if len(matches) == 1:
        return matches[0]
    names = ", ".join(repr(name) for name in book.sheets) or "none"
    raise UnreadableInput(
        f"{where} has no worksheet named {sheet!r}; its worksheets are: {names}",
        hint="Check the sheet name in the configuration.",
    )


CHUNK_BYTES = 1 << 20
"""A part is streamed a megabyte at a time."""


def part_chunks(package: zipfile.ZipFile, part: str, where: str) -> Iterator[bytes]:
    """The bytes of `part`, inflated, at most CHUNK_BYTES at a time (by ISA-L when it can: a million-row sheet's
    900 MB of XML in 0.55 s instead of zipfile's 1.8-2.1 s, on the thread that feeds the block readers)."""
    info = part_info(package, part, where)
    try:
        if ISAL is not None and info.compress_type == zipfile.ZIP_DEFLATED and isinstance(package.filename, str) \
                and not info.flag_bits & 0x1:
            yield from _inflated(package.filename, info)
            return
        with package.open(info) as stream:
            while chunk := stream.read(CHUNK_BYTES):
                yield chunk
    except _STREAM_ERRORS as exc:  # a damaged stream: a damaged package
        raise zipfile.BadZipFile(f"{info.filename}: {exc}") from None


def _inflated(path: str, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The member `info` of the package at `path`, its raw deflate stream inflated by ISA-L, its size and CRC-32
    checked as zipfile checks them."""
    assert ISAL is not None
    with open(path, "rb") as fh:
        fh.seek(info.header_offset)
        header = fh.read(30)
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile(f"Bad magic number for file header: {info.filename}")
        fh.seek(int.from_bytes(header[26:28], "little") + int.from_bytes(header[28:30], "little"), 1)
        inflater, left, crc, size = ISAL.decompressobj(-15), info.compress_size, 0, 0
        while left > 0:
            raw = fh.read(min(left, CHUNK_BYTES // 8))
            if not raw:
                raise zipfile.BadZipFile(f"Truncated file: {info.filename}")
            left -= len(raw)
            while raw:  # what one read inflates to, CHUNK_BYTES at a time
                chunk = inflater.decompress(raw, CHUNK_BYTES)
                raw = inflater.unconsumed_tail
                crc, size = ISAL.crc32(chunk, crc), size + len(chunk)
                if size > info.file_size:
                    raise zipfile.BadZipFile(f"{info.filename} is larger than its directory says")
                if chunk:
                    yield chunk
        tail = inflater.flush()
        crc, size = ISAL.crc32(tail, crc), size + len(tail)
        if tail:
            yield tail
    if crc != info.CRC or size != info.file_size:
        raise zipfile.BadZipFile(f"Bad CRC-32 for file {info.filename!r}")


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
