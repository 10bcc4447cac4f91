"""Helpers for tests/test_xlsx_patch.py: look inside packages, craft small ones by hand, open them in LibreOffice."""

from __future__ import annotations

import csv
import re
import struct
import subprocess
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import python_calamine

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def raw_records(path: Path) -> dict[str, tuple[bytes, int]]:
    """Each member's local record (header + compressed data) exactly as stored, and its CRC."""
    out = {}
    with zipfile.ZipFile(path) as package, path.open("rb") as fh:
        for info in package.infolist():
            fh.seek(info.header_offset)
            header = fh.read(30)
            name_len, extra_len = struct.unpack("<HH", header[26:30])
            fh.seek(info.header_offset)
            out[info.filename] = (fh.read(30 + name_len + extra_len + info.compress_size), info.CRC)
    return out


def local_extra_ids(path: Path, name: str) -> list[int]:
    """The ids of the extra fields in a member's local header (0x0001 is ZIP64)."""
    record = raw_records(path)[name][0]
    name_len, extra_len = struct.unpack("<HH", record[26:30])
    extra = record[30 + name_len : 30 + name_len + extra_len]
    ids, pos = [], 0
    while pos + 4 <= len(extra):
        key, size = struct.unpack_from("<HH", extra, pos)
        ids.append(key)
        pos += 4 + size
    return ids


def part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as package:
        return package.read(name)


def rows_by_number(sheet_xml: bytes) -> dict[int, bytes]:
    """The bytes of each `<row r="N">` (any prefix), by N."""
    pattern = re.compile(rb'<(\w+:)?row r="(\d+)"[^>]*?(?:/>|>.*?</\1?row>)', re.S)
    return {int(m[2]): m[0] for m in pattern.finditer(sheet_xml)}


def cell_xml(sheet_xml: bytes, ref: str) -> bytes:
    match = re.search(rb'<(\w+:)?c r="' + ref.encode() + rb'"[^>]*?(?:/>|>.*?</\1?c>)', sheet_xml, re.S)
    assert match is not None, f"no cell {ref}"
    return match[0]


def cell_style(sheet_xml: bytes, ref: str) -> int:
    match = re.search(rb'\ss="(\d+)"', cell_xml(sheet_xml, ref).split(b">", 1)[0])
    return int(match[1]) if match else 0


def values(path: Path, sheet: str) -> list[list[Any]]:
    """The sheet as python-calamine reads it."""
    return python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def build_package(path: Path, sheet_xml: str, styles_xml: str | None = None, *, sheet: str = "订单") -> None:
    """A minimal .xlsx with one worksheet (and a styles part when given)."""
    styles_rel = f'<Relationship Id="rId2" Type="{RELS}/styles" Target="/xl/styles.xml"/>' if styles_xml else ""
    styles_type = (
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        if styles_xml
        else ""
    )
    parts = {
        "[Content_Types].xml": DECL + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        f"{styles_type}</Types>",
        "_rels/.rels": DECL + f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
        f'Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": DECL + f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>'
        f'<sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": DECL + f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
        f'Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>{styles_rel}</Relationships>',
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    if styles_xml:
        parts["xl/styles.xml"] = styles_xml
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, text in parts.items():
            package.writestr(name, text.encode())


def repack_zip64(src: Path, dst: Path) -> None:
    """The same package with a ZIP64 extra field in every member's local header."""
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            with new.open(info.filename, "w", force_zip64=True) as out:
                out.write(old.read(info))


def recalculating_profile(profile: Path) -> Path:
    """A LibreOffice user profile that recalculates every formula when it opens an .xlsx, as Excel does when a
    workbook asks it to (`fullCalcOnLoad`).  LibreOffice's own default keeps the cached values of a file another
    application wrote, and headless it never asks, so a test of recalculated values needs this setting."""
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
        '<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item></oor:items>',
        encoding="utf-8",
    )
    return profile


def libreoffice_csv(soffice: str, books: Sequence[Path], outdir: Path) -> Mapping[tuple[Path, str], list[list[str]]]:
    """Open every workbook in one headless LibreOffice run, recalculating formulas on load as Excel is asked to,
    and read each sheet back as CSV, cells as LibreOffice shows them."""
    profile = recalculating_profile(outdir / "profile")
    every_sheet = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--headless",
            "--convert-to",
            every_sheet,
            "--outdir",
            str(outdir),
            *map(str, books),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    out: dict[tuple[Path, str], list[list[str]]] = {}
    for book in books:
        for produced in outdir.glob(f"{book.stem}-*.csv"):
            with produced.open(encoding="utf-8", newline="") as fh:
                out[(book, produced.stem[len(book.stem) + 1 :])] = list(csv.reader(fh))
    return out
