"""Every workbook the store wrote opens in a real LibreOffice with the values we expect."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import libreoffice_convert, libreoffice_csv, read_sheet

import sheetsync
from sheetsync import load_config
from sheetsync.config import Config

pytestmark = pytest.mark.libreoffice
NOW = dt.datetime(2026, 11, 23, 9, 30)


def test_synced_workbooks_open_in_libreoffice_with_the_same_values(
    make_desk: Callable[..., Config], soffice: str, tmp_path: Path
) -> None:
    made_by_init = make_desk([{"customer_name": "王芳", "phone": "0571-87654321", "postcode": "010010",
                               "amount_payable": 2000.5, "created_at": dt.datetime(2026, 11, 20, 9, 15)},
                              {"order_id": "A1", "customer_name": "李强"}, {"order_id": "A1", "customer_name": "陈静"}],
                             extra_headers=["跟进人"], name="init")

    # A desk whose workbook LibreOffice itself saved.
    source = make_desk([{"customer_name": "赵磊", "channel_order_id": "6912345678901234567"},
                        {"order_id": "B1", "customer_name": "孙丽"}], name="lo")
    converted = libreoffice_convert(soffice, source.workbook_path, tmp_path / "lo-saved")
    os.replace(converted, source.workbook_path)
    saved_by_libreoffice = load_config(source.source)

    desks = [made_by_init, saved_by_libreoffice]
    for config in desks:
        result = sheetsync.sync(config, now=NOW)
        assert result.workbook_written
    books = []
    for i, config in enumerate(desks):
        copy = tmp_path / "check" / f"book{i}.xlsx"
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(config.workbook_path, copy)
        books.append(copy)
    opened = libreoffice_csv(soffice, books, tmp_path / "csv")
    for book in books:
        ours = [[_as_text(v) for v in row] for row in read_sheet(book)]
        theirs = opened[book]
        assert [row[:2] for row in theirs] == [row[:2] for row in ours]
        assert [row[5] for row in theirs] == [row[5] for row in ours]
    first = opened[books[0]]
    assert first[1][0] == "SS20261123-000001" and first[1][1] == "手工"
    assert first[1][7] == "0571-87654321" and first[1][12] == "010010"
    assert first[2][28].startswith("DUP_ORDER_ID") and first[3][28].startswith("DUP_ORDER_ID")
    second = opened[books[1]]
    assert second[1][2] == "6912345678901234567"


def _as_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def test_the_filter_follows_appended_rows_through_a_libreoffice_save_and_a_second_sync(
        make_desk: Callable[..., Config], soffice: str, tmp_path: Path) -> None:
    """sync (rows appended), a person saves in LibreOffice, sync again, save again: the autofilter covers every
    order at each step (LibreOffice rebuilds it from `_xlnm._FilterDatabase`, which grows with it)."""
    import re
    import zipfile

    config = make_desk([{"order_id": f"SS-{i}", "customer_name": f"客户{i}"} for i in range(1, 4)])
    book = config.workbook_path

    def filter_end(path: Path) -> int:
        with zipfile.ZipFile(path) as package:
            found = re.search(r'<autoFilter ref="[A-Z]+\d+:[A-Z]+(\d+)"', package.read("xl/worksheets/sheet1.xml").decode())
        assert found, path
        return int(found[1])

    for step in range(2):
        rows = len(read_sheet(book))
        more = [{"customer_name": f"新客户{step}-{i}"} for i in range(3)]
        from sheetsync.model.cells import AppendBlock
        from sheetsync.stores.xlsx.patch import patch_xlsx

        typed = book.with_name("typed.xlsx")  # people type rows below the data; the sync gives them their ids
        patch_xlsx(book, typed, "订单", [], appends=AppendBlock(rows + 1, [2], [[r["customer_name"]] for r in more]))
        typed.replace(book)
        assert sheetsync.sync(load_config(config.source), now=dt.datetime(2026, 11, 21, 10, step)).workbook_written
        saved = libreoffice_convert(soffice, book, tmp_path / f"lo{step}")
        shutil.copy(saved, book)
        assert filter_end(book) == len(read_sheet(book)), f"step {step}: the filter shrank in LibreOffice's save"


def _team_book(path: Path) -> None:
    """A team's own desk: its header row styled, an autofilter, a data bar on 金额, red for 退款 rows, a 状态
    dropdown, and a 汇总 sheet whose formulas read the order sheet (cached values as the team last saw them)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("订单")
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7"})
    headers = ["订单编号", "下单时间", "客户姓名", "手机", "收货地址", "金额", "状态"]
    sheet.write_row(0, 0, headers, head)
    for i in range(4):
        sheet.write_row(i + 1, 0, [f"YT-{i + 1:04d}", f"2026-11-2{i} 10:00", f"客户{i}", f"1381234{i:04d}",
                                   f"浙江省杭州市西湖区文三路{i + 1}号", 100.0 + i, "待发货" if i % 2 else "退款"])
    sheet.autofilter(0, 0, 4, len(headers) - 1)
    red = book.add_format({"bg_color": "#FFC7CE"})
    sheet.conditional_format("F2:F5", {"type": "data_bar"})
    sheet.conditional_format("A2:G5", {"type": "formula", "criteria": '=$G2="退款"', "format": red})
    sheet.data_validation("G2:G5", {"validate": "list", "source": ["待发货", "已发货", "退款"]})
    summary = book.add_worksheet("汇总")
    summary.write_column(0, 0, ["订单数", "金额合计", "待发货"])
    summary.write_formula(0, 1, "=COUNTA(订单!A:A)-1", None, 4)
    summary.write_formula(1, 1, "=SUM(订单!F:F)", None, 406)
    summary.write_formula(2, 1, '=COUNTIF(订单!G:G,"待发货")', None, 2)
    book.close()


def test_the_team_sheet_stays_right_through_syncs_and_libreoffice_saves(
        soffice: str, tmp_path: Path, run_cli: Callable[..., object]) -> None:
    """sync, save in LibreOffice, sync again, save again, on a team's own workbook with rows people typed below
    the data each time: at every step the filter, the conditional formats and the dropdown cover every order,
    and the 汇总 sheet's values, recalculated by LibreOffice as Excel recalculates a workbook that asks it to,
    match the orders."""
    import re
    import zipfile

    from sheetsync.model.cells import CellWrite
    from sheetsync.stores.xlsx.patch import patch_xlsx

    book = tmp_path / "订单台.xlsx"
    _team_book(book)
    run = run_cli("init", "--from", book, "--add-columns")
    assert run.code == 0, run.out + run.err  # type: ignore[attr-defined]
    config = load_config(tmp_path / "sheetsync.yaml")

    def covered(ranges: list[str], last: int) -> bool:
        return any(int(r.rsplit(":", 1)[-1].lstrip("$ABCDEFGHIJKLMNOPQRSTUVWXYZ") or 0) >= last
                   for ref in ranges for r in ref.split())

    for step in range(2):
        rows = read_sheet(book)
        typed = book.with_name("typed.xlsx")  # a clerk types two orders below the data, with no order number
        writes = [CellWrite(len(rows) + 1 + i, c + 1, v) for i in range(2) for c, v in enumerate(
            ["", "2026-12-06 09:00", f"新客户{step}{i}", f"1390000{step}{i:03d}", "浙江省杭州市西湖区文三路99号",
             50.0 + i, "待发货"]) if v != ""]
        patch_xlsx(book, typed, "订单", writes)
        typed.replace(book)
        assert sheetsync.sync(load_config(config.source), now=dt.datetime(2026, 12, 6, 10, step)).workbook_written
        saved = libreoffice_convert(soffice, book, tmp_path / f"lo{step}", recalculate=True)
        shutil.copy(saved, book)

        orders = read_sheet(book)
        header, data = orders[0], [r for r in orders[1:] if any(v not in ("", None) for v in r)]
        last = len(orders)
        assert len(data) == 4 + 2 * (step + 1) and all(r[header.index("订单编号")] for r in data)
        amount, state = header.index("金额"), header.index("状态")
        summary = {r[0]: r[1] for r in read_sheet(book, "汇总")}
        assert summary == {"订单数": len(data), "金额合计": sum(float(r[amount]) for r in data),
                           "待发货": sum(r[state] == "待发货" for r in data)}, f"step {step}"
        with zipfile.ZipFile(book) as package:
            names = {n for n in package.namelist() if n.startswith("xl/worksheets/sheet")}
            xml = next(x for x in (package.read(n).decode() for n in sorted(names)) if "autoFilter" in x)
        filtered = re.search(r'<autoFilter ref="A1:([A-Z]+)(\d+)"', xml)
        assert filtered and int(filtered[2]) == last, f"step {step}: {filtered and filtered[0]}"
        width = len([h for h in header if h])
        assert width > 7 and filtered[1] == chr(ord("A") + width - 1), (header, filtered[0])  # with the added columns
        formats = re.findall(r'<conditionalFormatting sqref="([^"]+)"', xml)
        assert len(formats) >= 2 and all(covered([ref], last) for ref in formats), (step, formats)
        dropdowns = re.findall(r'<dataValidation [^>]*sqref="([^"]+)"', xml)
        assert dropdowns and covered(dropdowns, last), (step, dropdowns)
