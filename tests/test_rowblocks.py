"""A large sheet is read in blocks of rows (`stores/xlsx/rowblocks.py`): the values, their places and the sheet row
and column of the top-left cell are exactly those of the whole read, whatever the sheet holds and however it was
written: gaps of rows and columns, values that start far right in a later block, rows formatted ahead and left
empty, rows without numbers, a namespace prefix, dates, numbers, formulas, shared strings, the 1904 date system."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheetsync.i18n import Lang
from sheetsync.stores.xlsx import early, rowblocks
from sheetsync.stores.xlsx.package import read_book

LANG: Lang = "zh"


def whole_and_blocks(path: Path, sheet: str, monkeypatch: pytest.MonkeyPatch,
                     block: int) -> tuple[tuple[list[list[object]], int, int], tuple[list[list[object]], int, int]]:
    """(table, first row, first column) of the whole read and of the read in blocks of `block` bytes."""
    monkeypatch.setattr(rowblocks, "BLOCK_BYTES", 10**12)
    whole = early.sheet_text(path, sheet, LANG)
    with zipfile.ZipFile(path) as package:
        book = read_book(package, str(path))
        size = package.getinfo(book.sheets[sheet]).file_size
        monkeypatch.setattr(rowblocks, "BLOCK_BYTES", max(40, min(block, size // 4)))  # at least four blocks
        assert rowblocks.blockwise(package, book, book.sheets[sheet], str(path))
        xml = package.read(book.sheets[sheet])
        data = len(xml[xml.find(b"sheetData"):xml.rfind(b"sheetData")])
    packages: list[object] = []
    read = rowblocks.eager_text
    monkeypatch.setattr(rowblocks, "eager_text", lambda source, name: packages.append(source) or read(source, name))
    blocks = early.sheet_text(path, sheet, LANG)
    assert len(packages) >= (2 if data > 2 * rowblocks.BLOCK_BYTES + 300 else 1)  # read in blocks indeed
    return as_lists(whole), as_lists(blocks)


def as_lists(text: early.SheetText) -> tuple[list[list[object]], int, int]:
    assert text.table is not None
    return [c.to_pylist() for c in text.table.columns], text.first_row, text.first_col


cell = st.one_of(st.none(), st.text("甲乙丙abc 12,.-", min_size=0, max_size=6), st.integers(-5, 10**6),
                 st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False), st.booleans(),
                 st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2030, 12, 31)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(cell, min_size=0, max_size=7), min_size=1, max_size=60),
       gaps=st.lists(st.integers(0, 4), min_size=60, max_size=60), left=st.integers(0, 3), top=st.integers(0, 5),
       shared=st.booleans(), ahead=st.integers(0, 8), date1904=st.booleans(), block=st.integers(150, 2000))
def test_blocks_read_what_the_whole_read_reads(tmp_path_factory: pytest.TempPathFactory,
                                              monkeypatch: pytest.MonkeyPatch, rows: list[list[object]],
                                              gaps: list[int], left: int, top: int, shared: bool, ahead: int,
                                              date1904: bool, block: int) -> None:
    if not any(v is not None and v != "" for row in rows for v in row):
        rows = [*rows, ["x"]]
    path = tmp_path_factory.mktemp("blocks") / "book.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": not shared, "date_1904": date1904})
    sheet = book.add_worksheet("订单")
    dates = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    framed = book.add_format({"bg_color": "#FFEB9C"})
    r = top
    for index, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, dt.datetime):
                sheet.write_datetime(r, left + c, value, dates)
            elif value is not None and value != "":
                sheet.write(r, left + c, value)
        r += 1 + gaps[index]
    for extra in range(ahead):  # rows formatted ahead, down past the data, and left empty
        sheet.write_blank(r + extra, left, None, framed)
    book.close()
    whole, blocks = whole_and_blocks(path, "订单", monkeypatch, block)
    assert blocks == whole


def handmade(path: Path, rows_xml: str, *, prefix: str = "") -> None:
    """A workbook whose one sheet holds `rows_xml` as its sheetData (a generator's own ways: prefixes, rows
    without numbers)."""
    p = f"{prefix}:" if prefix else ""
    ns = f'xmlns:{prefix}="http://schemas.openxmlformats.org/spreadsheetml/2006/main"' if prefix else \
        'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(path, "w") as out:
        out.writestr("[Content_Types].xml",
                     '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                     '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                     '<Default Extension="xml" ContentType="application/xml"/>'
                     '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                     'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="'
                     'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
        out.writestr("_rels/.rels", f'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                     f'package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" '
                     'Target="xl/workbook.xml"/></Relationships>')
        out.writestr("xl/workbook.xml", f'<?xml version="1.0"?><{p}workbook {ns} xmlns:r="{rel}"><{p}sheets>'
                     f'<{p}sheet name="订单" sheetId="1" r:id="rId1"/></{p}sheets></{p}workbook>')
        out.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.'
                     f'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" '
                     'Target="worksheets/sheet1.xml"/></Relationships>')
        out.writestr("xl/worksheets/sheet1.xml", f'<?xml version="1.0"?><{p}worksheet {ns}><{p}sheetData>{rows_xml}'
                     f'</{p}sheetData></{p}worksheet>')


@pytest.mark.parametrize("prefix", ["", "x"])
def test_rows_without_numbers_and_a_prefixed_namespace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       prefix: str) -> None:
    p = f"{prefix}:" if prefix else ""

    def row(number: int | None, *cells: str) -> str:
        r = f' r="{number}"' if number else ""
        inner = "".join(f'<{p}c t="inlineStr"><{p}is><{p}t>{text}</{p}t></{p}is></{p}c>' if text else f"<{p}c/>"
                        for text in cells)
        return f"<{p}row{r}>{inner}</{p}row>"

    rows = [row(None, "", "单号", "客户")] + [row(None, "", f"A{i}", f"客户{i}") for i in range(1, 80)]
    rows += [row(120, "", "A120", "客户120")] + [row(None, "", f"B{i}", "") for i in range(1, 40)]
    handmade(tmp_path / "book.xlsx", "".join(rows), prefix=prefix)
    whole, blocks = whole_and_blocks(tmp_path / "book.xlsx", "订单", monkeypatch, 400)
    assert blocks == whole
    table, first_row, first_col = blocks
    assert (first_row, first_col) == (1, 2) and table[0][121] == "B2"


def test_a_sheet_from_excel_with_a_large_shared_strings_table_is_read_whole(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("订单")
    for r in range(3000):
        sheet.write_row(r, 0, [f"客户{r}", f"地址 {r} 号"])
    book.close()
    monkeypatch.setattr(rowblocks, "BLOCK_BYTES", 1000)
    monkeypatch.setattr(rowblocks, "SHARED_STRINGS_BYTES", 10_000)
    with zipfile.ZipFile(path) as package:
        found = read_book(package, str(path))
        assert not rowblocks.blockwise(package, found, found.sheets["订单"], str(path))
    monkeypatch.setattr(rowblocks, "SHARED_STRINGS_BYTES", 10**9)
    whole, blocks = whole_and_blocks(path, "订单", monkeypatch, 1000)
    assert blocks == whole


def cells_of(text: early.SheetText, columns: set[int]) -> dict[tuple[int, int], object]:
    """(sheet row, sheet column) -> value of every cell with a value in `columns`."""
    assert text.table is not None
    return {(text.first_row + r, text.first_col + c): v for c, column in enumerate(text.table.columns)
            if text.first_col + c in columns for r, v in enumerate(column.to_pylist()) if v is not None}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(cell, min_size=1, max_size=6), min_size=40, max_size=120),
       left=st.integers(0, 2), keep=st.sets(st.integers(1, 9)), block=st.integers(150, 1500))
def test_a_picked_read_holds_the_picked_columns_as_the_whole_read_does(
        tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, rows: list[list[object]], left: int,
        keep: set[int], block: int) -> None:
    rows = [["甲"] * 6, *rows]
    path = tmp_path_factory.mktemp("picked") / "book.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("订单")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None and value != "" and not isinstance(value, dt.datetime):
                sheet.write(r, left + c, value)
    book.close()
    asked: list[tuple[int, int]] = []

    def pick(top: list[list[str | None]], first_row: int, first_col: int) -> set[int]:
        asked.append((first_row, first_col))
        assert top and top[0][left + 1 - first_col] == "甲"  # the top rows as they are in the sheet
        return keep

    monkeypatch.setattr(rowblocks, "BLOCK_BYTES", 10**12)
    whole = early.sheet_text(path, "订单", LANG)
    monkeypatch.setattr(rowblocks, "BLOCK_BYTES", block)
    picked = early.sheet_text(path, "订单", LANG, pick=pick)
    assert cells_of(picked, keep) == cells_of(whole, keep)
    assert picked.first_row == whole.first_row
    assert len(asked) <= 1  # decided once, from the top rows
    last = max((row for row, _ in cells_of(whole, set(range(1, 20)))), default=0)
    if asked and last >= whole.first_row + 2 * rowblocks.HEAD_ROWS:  # the other columns' last rows are let go
        assert not [cell for cell in cells_of(picked, set(range(1, 20)) - keep) if cell[0] == last]
