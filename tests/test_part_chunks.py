"""A workbook's part is read a chunk at a time (`stores/xlsx/package.part_chunks`): by ISA-L from the file when the
part is deflated, by zipfile otherwise; the same bytes either way, and a damaged part is a BadZipFile as zipfile says
it (a wrong CRC-32, a stream cut short), never wrong text."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pytest

from sheetsync.stores.xlsx import package as pkg


def text(size: int) -> bytes:
    rng = random.Random(size)
    rows = (f'<row r="{i}"><c t="inlineStr"><is><t>客户{rng.randint(0, 10**9)}</t></is></c></row>' for i in range(size))
    return "".join(rows).encode()


@pytest.mark.parametrize("kind", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
@pytest.mark.parametrize("rows", [0, 10, 200_000])
def test_the_chunks_are_the_parts_bytes(tmp_path: Path, kind: int, rows: int) -> None:
    data = text(rows)
    path = tmp_path / "book.xlsx"
    with zipfile.ZipFile(path, "w", kind) as out:
        out.writestr("docProps/app.xml", b"<x/>" * 1000)
        out.writestr("xl/worksheets/sheet1.xml", data)
    with zipfile.ZipFile(path) as package:
        chunks = list(pkg.part_chunks(package, "xl/worksheets/sheet1.xml", str(path)))
    assert b"".join(chunks) == data
    assert all(len(c) <= pkg.CHUNK_BYTES for c in chunks)
    assert len(chunks) >= len(data) // pkg.CHUNK_BYTES
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as in_memory:  # no file to read from: zipfile's way
        assert b"".join(pkg.part_chunks(in_memory, "xl/worksheets/sheet1.xml", "memory")) == data


def damaged(tmp_path: Path, how: str) -> Path:
    data = text(50_000)
    path = tmp_path / f"{how}.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("xl/worksheets/sheet1.xml", data)
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as package:
        info = package.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode())
    if how == "crc":  # the directory's CRC-32 no longer the data's
        at = raw.rfind(b"PK\x01\x02") + 16
        raw[at:at + 4] = (info.CRC ^ 1).to_bytes(4, "little")
    else:  # the stream's middle overwritten
        raw[start + 1000:start + 3000] = bytes(2000)
    path.write_bytes(bytes(raw))
    return path


@pytest.mark.parametrize("how", ["crc", "stream"])
def test_a_damaged_part_is_a_bad_zip_file(tmp_path: Path, how: str) -> None:
    path = damaged(tmp_path, how)
    with zipfile.ZipFile(path) as package, pytest.raises(zipfile.BadZipFile):
        b"".join(pkg.part_chunks(package, "xl/worksheets/sheet1.xml", str(path)))
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as package, pytest.raises(zipfile.BadZipFile):
        b"".join(pkg.part_chunks(package, "xl/worksheets/sheet1.xml", "memory"))  # zipfile's way says the same
