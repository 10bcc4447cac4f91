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
