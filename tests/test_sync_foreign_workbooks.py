"""Sync on workbooks other applications made: everything but the changed cells survives, byte for byte."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import libreoffice_csv, read_sheet

import sheetsync
from sheetsync import load_config
from sheetsync.model.cells import CellWrite
from sheetsync.stores.xlsx.patch import patch_xlsx, read_book

DATA = Path(__file__).parent / "data"
NOW = dt.datetime(2026, 11, 23, 9, 30)
CONFIG = """\
table:
  path: orders.xlsx
  sheet: {sheet}
  headers: {{order_id: 订单号, phone: 手机, amount_payable: 金额, created_at: 下单时间, status: 状态}}
lang: zh
"""
FEATURES = ("<extLst>", "x14:dataValidation", "sparklineGroup", "<dataValidations", "<conditionalFormatting",
            "<legacyDrawing", "<mergeCells", "<pane ", "<drawing ", "<autoFilter", 'hidden="1"')


def desk_from(tmp_path: Path, workbook: str, sheet: str = "订单") -> Path:
    folder = tmp_path / workbook.replace(".xlsx", "")
    folder.mkdir()
    shutil.copy(DATA / workbook, folder / "orders.xlsx")
    (folder / "sheetsync.yaml").write_text(CONFIG.format(sheet=sheet), encoding="utf-8")
    return folder / "sheetsync.yaml"


def person_types_rows(path: Path, sheet: str, writes: list[CellWrite]) -> None:
    tmp = path.with_suffix(".typing.xlsx")
    patch_xlsx(path, tmp, sheet, writes)
    os.replace(tmp, path)


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {info.filename: package.read(info) for info in package.infolist()}


@pytest.mark.parametrize("workbook", ["features_xlsxwriter.xlsx", "libreoffice_saved.xlsx"])
def test_sync_changes_only_its_cells_in_a_foreign_workbook(tmp_path: Path, workbook: str, soffice: str) -> None:
    config = load_config(desk_from(tmp_path, workbook))
    path = config.workbook_path
    person_types_rows(path, "订单", [CellWrite(5, 1, None), CellWrite(22, 2, "013912345678"), CellWrite(22, 5, "待发货")])
    sheetsync.sync(config, now=NOW)  # the journal learns the table; ids for rows 5 and 22
    with zipfile.ZipFile(path) as package:
        sheet_part = read_book(package, str(path)).sheets["订单"]
    person_types_rows(path, "订单", [CellWrite(23, 2, "02161234567")])
    before = parts(path)
    result = sheetsync.sync(config, now=NOW)
    assert result.workbook_written and [a["row"] for a in result.assigned] == [23]
    after = parts(path)
    assert after.keys() == before.keys()
    changed = {name for name in after if after[name] != before[name]}
    assert changed <= {sheet_part, "xl/workbook.xml"}, changed
    sheet_xml = after[sheet_part].decode()
    for feature in FEATURES:
        if feature in before[sheet_part].decode():
            assert feature in sheet_xml, feature
    rows = read_sheet(path)
    assert rows[22][0] == "SS20261123-000003" and rows[22][1] == "02161234567"
    assert rows[4][0] == "SS20261123-000001" and rows[21][0] == "SS20261123-000002"
    assert rows[1][1] == "013800000001"
    opened = libreoffice_csv(soffice, [path], tmp_path / "csv")[path]
    assert opened[22][:2] == ["SS20261123-000003", "02161234567"]
    assert opened[1][1] == "013800000001"


def test_orders_appended_into_rows_a_person_formatted_ahead_take_the_formats_of_the_data_above(
        tmp_path: Path) -> None:
    """LibreOffice keeps the rows of a dropdown's range (here 1,000 below the data) as rows holding only a
    formatted empty cell; the orders a sync appends land in them and must show as the team's rows do: the amount as
    `#,##0.00`, the time in the team's date format, the names in the team's font (found by rendering the
    shop_zh example after a sync: the new amounts showed `89` among `333.88`)."""
    import re

    import python_calamine

    desk = tmp_path / "shop"
    shutil.copytree(Path(__file__).parent.parent / "example_workbooks" / "shop_zh", desk)
    book = desk / "订单台.xlsx"
    with zipfile.ZipFile(book) as package:
        before = package.read("xl/worksheets/sheet1.xml").decode()
    assert re.search(r'<row r="1032"[^>]*><c r="G1032" s="\d+"/></row>', before)  # formatted ahead, empty
    from sheetsync.desk.adopt import adopt_workbook

    adopt_workbook(book)
    config = desk / "sheetsync.yaml"
    with config.open("a", encoding="utf-8") as fh:
        fh.write("channels:\n  - {name: douyin, path: inbox/*.csv, mapping: douyin}\n")
    result = sheetsync.sync(load_config(config), now=NOW)
    assert result.rows_appended == 8
    with zipfile.ZipFile(book) as package:
        xml = package.read("xl/worksheets/sheet1.xml").decode()

    def style(ref: str) -> str | None:
        found = re.search(rf'<c r="{ref}"(?: s="(\d+)")?', xml)
        assert found, ref
        return found[1]

    header = python_calamine.CalamineWorkbook.from_path(str(book)).get_sheet_by_name("订单").to_python()[1]
    last, first_new = 32, 33
    for name in ("下单时间", "客户姓名", "收货地址", "金额"):
        letter = chr(ord("A") + header.index(name))
        assert style(f"{letter}{first_new}") == style(f"{letter}{last}") is not None, name
        assert style(f"{letter}{first_new + 7}") == style(f"{letter}{last}"), name
