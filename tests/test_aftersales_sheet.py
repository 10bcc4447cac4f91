"""`sheetsync init` makes the after-sales sheet: one row per ticket, its reason columns as dependent dropdowns whose
lists live on a hidden sheet under names, and LibreOffice opens it and resolves those lists."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CliRun, read_sheet

from sheetsync import load_config
from sheetsync.config import load_preset
from sheetsync.config.reasons import load_reasons
from sheetsync.desk.new import init_desk
from sheetsync.model.tickets import TICKET_FIELDS


def _names(book: Path) -> dict[str, str]:
    with zipfile.ZipFile(book) as package:
        workbook = package.read("xl/workbook.xml").decode()
    return dict(re.findall(r'<definedName[^>]* name="(sheetsync_[^"]+)"[^>]*>([^<]+)</definedName>', workbook))


def _range(book: Path, ref: str) -> list[str]:
    """The values a name's `'sheet'!$B$2:$B$6` covers, read back with python-calamine."""
    found = re.fullmatch(r"'?(.+?)'?!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", ref)
    assert found, ref
    sheet, col, top, _, bottom = found.groups()
    rows = read_sheet(book, sheet)
    index = ord(col) - ord("A")
    return [str(r[index]) for r in rows[int(top) - 1:int(bottom)] if index < len(r) and r[index] != ""]


@pytest.mark.parametrize(("lang", "sheet", "lists", "tree"), [("zh", "售后", "售后原因", "retail_zh"),
                                                              ("en", "After-sales", "Reasons", "retail_en")])
def test_a_new_desk_has_the_after_sales_sheet_with_dependent_reason_lists(
        tmp_path: Path, lang: str, sheet: str, lists: str, tree: str) -> None:
    init_desk(tmp_path / "desk", lang)  # type: ignore[arg-type]
    config = load_config(tmp_path / "desk" / "sheetsync.yaml")
    assert config.aftersales is not None and config.aftersales.sheet == sheet and config.aftersales.reasons == tree
    book = config.workbook_path
    headers = load_preset(f"aftersales_{lang}")
    assert read_sheet(book, sheet)[0] == [headers[f] for f in TICKET_FIELDS]
    with zipfile.ZipFile(book) as package:
        workbook = package.read("xl/workbook.xml").decode()
    assert re.search(rf'<sheet name="{lists}" sheetId="\d+" state="hidden"', workbook)
    reasons = load_reasons(tree, tmp_path, lang)  # type: ignore[arg-type]
    names = _names(book)
    assert _range(book, names["sheetsync_reasons"]) == list(reasons.firsts)
    for number, (first, seconds) in enumerate(reasons.levels.items(), start=1):
        assert _range(book, names[f"sheetsync_reason_{number}"]) == list(seconds), first


@pytest.mark.libreoffice
def test_libreoffice_keeps_the_dropdowns_and_resolves_the_dependent_list(tmp_path: Path, soffice: str) -> None:
    """A probe formula asks LibreOffice for the list the second dropdown shows beside 物流问题: the same INDIRECT
    of the name MATCH picks; after LibreOffice's save the names and both dropdowns are still there."""
    import openpyxl
    from xlsx_fixtures import libreoffice_csv

    init_desk(tmp_path / "desk", "zh")
    book = tmp_path / "desk" / "orders.xlsx"
    probe = tmp_path / "probe.xlsx"
    loaded = openpyxl.load_workbook(book)
    ws = loaded.create_sheet("探针")
    ws["A1"] = '=COUNTA(INDIRECT("sheetsync_reason_"&MATCH("物流问题",sheetsync_reasons,0)))'
    ws["A2"] = '=INDEX(INDIRECT("sheetsync_reason_"&MATCH("物流问题",sheetsync_reasons,0)),3)'
    loaded.save(probe)
    shown = libreoffice_csv(soffice, [probe, book], tmp_path / "lo")
    seconds = load_reasons("retail_zh", tmp_path, "zh").levels["物流问题"]
    assert shown[(probe, "探针")][:2] == [[str(len(seconds))], [seconds[2]]]
    assert shown[(book, "售后")][0][:2] == ["售后单号", "订单号"]

    from conftest import libreoffice_convert

    saved = libreoffice_convert(soffice, book, tmp_path / "saved")
    assert set(_names(saved)) >= {"sheetsync_reasons", "sheetsync_reason_1", "sheetsync_reason_5"}
    with zipfile.ZipFile(saved) as package:
        sheet = next(package.read(n).decode() for n in package.namelist()
                     if n.startswith("xl/worksheets/sheet") and "INDIRECT" in package.read(n).decode())
    assert "sheetsync_reasons" in sheet and re.search(r'INDIRECT\(&quot;sheetsync_reason_&quot;&amp;MATCH\(\$I2', sheet)


def test_one_patch_writes_the_order_sheet_and_the_after_sales_sheet_together(tmp_path: Path) -> None:
    """Orders and tickets change in one atomic write: both sheets patched in one pass over the package, each its
    filter grown with its rows, every other part copied as it was."""
    from sheetsync.model.cells import AppendBlock, CellWrite
    from sheetsync.stores.xlsx.patch import SheetEdit, patch_xlsx

    init_desk(tmp_path / "desk", "zh")
    book, out = tmp_path / "desk" / "orders.xlsx", tmp_path / "out.xlsx"
    stats = patch_xlsx(book, out, "订单", [CellWrite(2, 1, "SS20261121-000001")],
                       appends=AppendBlock(3, [1, 6], [["SS20261121-000002", "王芳"]]),
                       also=[SheetEdit("售后", [CellWrite(2, 1, "AS20261121-0001"), CellWrite(2, 2, "SS20261121-000001")],
                                       filter_to=(2, 19))])
    assert stats.cells_written == 3 and stats.rows_appended == 2  # the empty sheet: row 2 is a new row too
    assert [(s.sheet, s.cells_written, s.rows_appended, s.new_last_row) for s in stats.also] == [("售后", 2, 1, 2)]
    assert read_sheet(out, "订单")[1][0] == "SS20261121-000001" and read_sheet(out, "订单")[2][5] == "王芳"
    assert read_sheet(out, "售后")[1][:2] == ["AS20261121-0001", "SS20261121-000001"]
    with zipfile.ZipFile(book) as before, zipfile.ZipFile(out) as after:
        assert re.search(r"_FilterDatabase\"[^>]*>售后!\$A\$1:\$S\$2<", after.read("xl/workbook.xml").decode())
        untouched = [n for n in before.namelist() if n not in stats.parts_rewritten]
        assert "xl/worksheets/sheet3.xml" in untouched  # the reason lists
        assert all(before.read(n) == after.read(n) for n in untouched)
    with pytest.raises(ValueError, match="once"):
        patch_xlsx(book, tmp_path / "twice.xlsx", "订单", [], also=[SheetEdit("订单")])


@pytest.mark.libreoffice
def test_add_sheet_puts_the_after_sales_sheet_into_a_teams_own_workbook_in_place(
        tmp_path: Path, run_cli: Callable[..., CliRun], soffice: str) -> None:
    """`init --add-sheet after-sales` on the shop_zh desk (a workbook LibreOffice saved, with a summary sheet and
    charts): the two sheets come last, the lists sheet hidden, every part of the team's copied as it was except
    the workbook's list of sheets and names, its relationships, content types and styles; LibreOffice opens it,
    shows the new headers and resolves the dependent list; a second run refuses, naming the sheet."""
    import shutil

    from xlsx_fixtures import libreoffice_csv

    desk = tmp_path / "shop"
    shutil.copytree(Path(__file__).parent.parent / "example_workbooks" / "shop_zh", desk)
    book = desk / "订单台.xlsx"
    run = run_cli
    original = Path(__file__).parent.parent / "example_workbooks" / "shop_zh" / "订单台.xlsx"
    assert run("init", "--from", book).code == 0
    before = book.read_bytes()
    added = run("init", "--add-sheet", "after-sales", "-c", desk / "sheetsync.yaml", "--json")
    assert added.code == 0, added.err
    assert added.json()["added"] == ["售后", "售后原因"]
    config = load_config(desk / "sheetsync.yaml")
    assert config.aftersales is not None and config.aftersales.sheet == "售后"
    with zipfile.ZipFile(book) as after, zipfile.ZipFile(__import__("io").BytesIO(before)) as old:
        kept = [n for n in old.namelist() if n not in
                {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml"}]
        assert all(old.read(n) == after.read(n) for n in kept)
        workbook = after.read("xl/workbook.xml").decode()
    assert re.findall(r'<sheet name="([^"]+)"', workbook) == ["订单", "汇总", "售后", "售后原因"]
    assert re.search(r'<sheet name="售后原因"[^>]*state="hidden"', workbook)
    assert read_sheet(book, "订单") == read_sheet(original, "订单") and read_sheet(book, "汇总") == read_sheet(original, "汇总")
    probe = tmp_path / "probe.xlsx"
    import openpyxl

    loaded = openpyxl.load_workbook(book)
    loaded.create_sheet("探针")["A1"] = '=COUNTA(INDIRECT("sheetsync_reason_"&MATCH("客户原因",sheetsync_reasons,0)))'
    loaded.save(probe)
    shown = libreoffice_csv(soffice, [book, probe], tmp_path / "lo")
    assert shown[(book, "售后")][0][:3] == ["售后单号", "订单号", "渠道"]
    assert shown[(book, "订单")][2][0] == "HZ2611-001"  # the team's sheet as it was
    assert shown[(probe, "探针")][0] == [str(len(load_reasons("retail_zh", tmp_path, "zh").levels["客户原因"]))]
    again = run("init", "--add-sheet", "after-sales", "-c", desk / "sheetsync.yaml")
    assert again.code == 2 and "已有工作表「售后」" in again.err
    assert run("init", "--add-sheet", "returns", "-c", desk / "sheetsync.yaml").code == 2


def test_the_after_sales_sheet_reads_as_a_table_of_its_own(tmp_path: Path) -> None:
    """The tickets are read through the store as the orders are: found by their own headers wherever they sit,
    values canonical by the ticket fields' kinds (a refund amount as money, a request time as a time); a person's
    save between the order sheet's read and the tickets' stops the run (exit 4), never mixes two versions."""
    import datetime as dt
    import os

    from sheetsync.errors import TableChanged
    from sheetsync.model.cells import CellWrite
    from sheetsync.stores import open_store
    from sheetsync.stores.table import read_table, ticket_spec
    from sheetsync.stores.xlsx.patch import SheetEdit, patch_xlsx

    init_desk(tmp_path / "desk", "zh")
    config = load_config(tmp_path / "desk" / "sheetsync.yaml")
    book = config.workbook_path
    typed = tmp_path / "typed.xlsx"
    patch_xlsx(book, typed, "订单", [], also=[SheetEdit("售后", [
        CellWrite(2, 2, "SS20261121-000001"), CellWrite(2, 7, dt.datetime(2026, 11, 21, 9, 30)),
        CellWrite(2, 9, "物流问题"), CellWrite(2, 10, "包装破损"), CellWrite(2, 11, "¥1,299.50")])])
    typed.replace(book)
    spec = ticket_spec(config)
    assert spec is not None and spec.sheet == "售后"
    store = open_store(config)
    orders = read_table(store, config)
    tickets = read_table(store, config, spec)
    assert orders.frame.empty and tickets.header_row == 1 and tickets.row_numbers == [2]
    row = tickets.frame.iloc[0]
    assert row["order_id"] == "SS20261121-000001" and row["created_at"] == "2026-11-21 09:30:00"
    assert row["reason"] == "物流问题" and row["refund_amount"] == "1299.5"
    assert tickets.columns["refund_amount"] == 11
    fresh = open_store(config)
    read_table(fresh, config)
    os.utime(book, ns=(book.stat().st_atime_ns, book.stat().st_mtime_ns + 10**9))  # a person's save
    with pytest.raises(TableChanged):
        read_table(fresh, config, spec)
