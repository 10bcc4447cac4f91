"""Broken and hostile files, made on the spot (none is committed): each function writes one at `path`.

The workbooks start from a real package (xlsxwriter's, as Excel writes it: shared strings, `r=` on every cell)
and change one part, the way a crafted file or a broken writer does.
"""

from __future__ import annotations

import shutil
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import xlsxwriter

DATA = Path(__file__).parent / "data"
HEADERS = ["订单号", "收货人", "手机", "收货地址", "金额", "状态"]
ROW = ["P-1", "王芳", "13800138000", "浙江省杭州市西湖区文三路1号", "99", "待确认"]


def plain_book(path: Path, sheet: str = "订单", headers: list[str] = HEADERS, rows: list[list[str]] | None = None) -> None:
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet(sheet)
    ws.write_row(0, 0, headers)
    for r, row in enumerate(rows or [ROW], start=1):
        ws.write_row(r, 0, row)
    book.close()


def _replace_member(path: Path, member: str, data: bytes | None = None, *, raw: Callable[[zipfile.ZipFile], None]
                    | None = None) -> None:
    """Rewrite the package at `path` with `member` replaced by `data` (or written by `raw`)."""
    source = path.with_suffix(".orig.zip")
    path.rename(source)
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != member:
                dst.writestr(info, src.read(info))
            elif raw is not None:
                raw(dst)
            else:
                dst.writestr(info, data or b"", compress_type=zipfile.ZIP_DEFLATED)
    source.unlink()


def _far_cell(path: Path, row: int, col: int) -> None:
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("订单")
    ws.write_row(0, 0, HEADERS)
    ws.write_row(1, 0, ROW)
    ws.write_string(row, col, "x")
    book.close()


def stray_far_cell(path: Path) -> None:
    """One cell typed at XFD1048576 (Ctrl+End far away): readers would lay out 17 billion cells."""
    _far_cell(path, 1048575, 16383)


def stray_row_cell(path: Path) -> None:
    """One cell typed at A1048576 (Ctrl+Down, then typing) under two rows of data."""
    _far_cell(path, 1048575, 0)


def _bomb_sheet(size: int, zip64: bool = True) -> Callable[[zipfile.ZipFile], None]:
    """A sheet part of `size` bytes of rows without addresses, deflated in pieces (ratio ~1000:1)."""
    head = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/' \
           b'spreadsheetml/2006/main"><sheetData>'
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 1000
    tail = b"</sheetData></worksheet>"

    def write(dst: zipfile.ZipFile) -> None:
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with dst.open(info, "w", force_zip64=zip64) as fh:
            fh.write(head)
            for _ in range(size // len(row)):
                fh.write(row)
            fh.write(tail)

    return write


def zip_bomb(path: Path, size: int = 600 << 20) -> None:
    """A workbook whose sheet part inflates to `size` bytes (600 MB) from well under 1 MB: its headers say so."""
    plain_book(path)
    _replace_member(path, "xl/worksheets/sheet1.xml", raw=_bomb_sheet(size))


def lying_zip_bomb(path: Path, size: int = 600 << 20) -> None:
    """A zip bomb whose headers lie: they declare the sheet part 2 KB, it inflates to `size` bytes."""
    plain_book(path)
    _replace_member(path, "xl/worksheets/sheet1.xml", raw=_bomb_sheet(size, zip64=False))
    data = bytearray(path.read_bytes())
    eocd = data.rfind(b"PK\x05\x06")
    entries, _, central = struct.unpack_from("<HII", data, eocd + 10)
    at = central
    for _ in range(entries):
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, at + 28)
        if bytes(data[at + 46:at + 46 + name_len]) == b"xl/worksheets/sheet1.xml":
            local = struct.unpack_from("<I", data, at + 42)[0]
            struct.pack_into("<I", data, at + 24, 2048)  # the central directory's uncompressed size
            struct.pack_into("<I", data, local + 22, 2048)  # the local header's
        at += 46 + name_len + extra_len + comment_len
    path.write_bytes(bytes(data))


def billion_laughs(path: Path) -> None:
    """A sheet part with a DOCTYPE defining nested entities (10^9 `lol`s if expanded)."""
    plain_book(path)
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol;" if i == 1 else f"&lol{i - 1};") * 10}">' for i in range(1, 10))
    sheet = (f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]><worksheet xmlns="http://schemas.openxmlformats.org/'
             f'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
             f"</sheetData></worksheet>").encode()
    _replace_member(path, "xl/worksheets/sheet1.xml", sheet)


def doctype_in_workbook(path: Path) -> None:
    """workbook.xml (not the sheet) declares a DOCTYPE with an external entity."""
    plain_book(path)
    with zipfile.ZipFile(path) as package:
        text = package.read("xl/workbook.xml")
    text = text.replace(b"?>", b'?><!DOCTYPE workbook [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', 1)
    _replace_member(path, "xl/workbook.xml", text)


def long_cell_book(path: Path, chars: int = 40_000) -> None:
    """A shared string of `chars` characters (no Office application writes more than 32,767)."""
    plain_book(path, rows=[[*ROW[:5], "LONG"]])
    with zipfile.ZipFile(path) as package:
        strings = package.read("xl/sharedStrings.xml")
    _replace_member(path, "xl/sharedStrings.xml", strings.replace(b"LONG", b"y" * chars))


def encrypted(path: Path) -> None:
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le") + bytes(512))


def old_xls(path: Path) -> None:
    shutil.copy(DATA / "legacy" / "old_erp.xls", path)


def duplicate_members(path: Path) -> None:
    import warnings

    plain_book(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(path, "a") as package:
            package.writestr("xl/worksheets/sheet1.xml", b"<worksheet/>")


def truncated(path: Path) -> None:
    plain_book(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def long_line_csv(path: Path) -> None:
    path.write_text(",".join(HEADERS) + "\n" + ",".join(ROW) + "\n" + "P-2," + "z" * (2 << 20) + "\n", encoding="utf-8")


def wide_csv(path: Path) -> None:
    path.write_text(",".join(HEADERS + [f"c{i}" for i in range(20_000)]) + "\n" + ",".join(ROW) + "\n", encoding="utf-8")


def long_cell_csv(path: Path) -> None:
    path.write_text(",".join(HEADERS) + "\n" + ",".join(ROW[:5]) + "," + "w" * 40_000 + "\n", encoding="utf-8")


