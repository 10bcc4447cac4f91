"""The after-sales sheet in a sync: tickets get ids, their orders' fields and their anomalies, in the same atomic
write as the orders, journaled under the ticket's id; a run that finds nothing to do writes nothing."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from conftest import read_sheet

import sheetsync
from sheetsync import load_config
from sheetsync.config import Config
from sheetsync.desk.new import init_desk
from sheetsync.model.cells import CellWrite
from sheetsync.stores.xlsx.patch import SheetEdit, patch_xlsx

NOW = dt.datetime(2026, 11, 21, 10, 0)
ANOMALIES = 17  # the 异常 column of the after-sales sheet, 0-based


def _desk(tmp_path: Path) -> Config:
    """A new desk: one order typed in; three tickets typed in the after-sales sheet: one right, one for an order
    that does not exist with a reason of another first level, one with no order and an undescribed 其他."""
    init_desk(tmp_path / "desk", "zh")
    config = load_config(tmp_path / "desk" / "sheetsync.yaml")
    book = config.workbook_path
    typed = tmp_path / "typed.xlsx"
    patch_xlsx(book, typed, "订单", [CellWrite(2, 1, "SS20261120-000001"), CellWrite(2, 2, "抖音"),
                                    CellWrite(2, 3, "6912345678901234567"), CellWrite(2, 6, "王芳")],
               also=[SheetEdit("售后", [
                   CellWrite(2, 2, "SS20261120-000001"), CellWrite(2, 8, "退货"), CellWrite(2, 9, "物流问题"),
                   CellWrite(2, 10, "包装破损"),
                   CellWrite(3, 2, "SS-NOPE"), CellWrite(3, 9, "物流问题"), CellWrite(3, 10, "破损"),
                   CellWrite(4, 9, "其他")])])
    typed.replace(book)
    return config


def test_tickets_get_ids_their_orders_fields_and_their_anomalies(tmp_path: Path) -> None:
    config = _desk(tmp_path)
    result = sheetsync.sync(config, now=NOW)
    assert result.tickets["assigned"] == ["AS20261121-0001", "AS20261121-0002", "AS20261121-0003"]
    assert result.tickets["anomalies"] == {"REASON_MISMATCH": 1, "REASON_UNDESCRIBED": 1, "TICKET_ORDER_MISSING": 1,
                                           "TICKET_ORDER_UNKNOWN": 1}
    rows = read_sheet(config.workbook_path, "售后")
    assert rows[1][:6] == ["AS20261121-0001", "SS20261120-000001", "抖音", "", "6912345678901234567", "王芳"]
    assert rows[1][ANOMALIES] == ""
    assert rows[2][ANOMALIES] == "TICKET_ORDER_UNKNOWN 订单表里没有订单 SS-NOPE; REASON_MISMATCH 「破损」不是「物流问题」下的原因"
    assert rows[3][ANOMALIES].startswith("TICKET_ORDER_MISSING 没有填订单号; REASON_UNDESCRIBED")
    with zipfile.ZipFile(config.workbook_path) as package:
        names = [n for n in package.namelist() if n.startswith("xl/worksheets/sheet")]
        xml = next(package.read(n).decode() for n in names if "AS20261121-0002" in package.read(n).decode())
    assert 'r="R3" s="' in xml  # the flagged cell carries a fill
    history = sheetsync.history(config, "AS20261121-0001")
    said = [(e.field, e.new, e.source, e.detail) for e in history]
    assert said[0] == ("ticket_id", "AS20261121-0001", "tool", None)
    assert ("customer_name", "王芳", "tool", "SS20261120-000001") in said
    again = sheetsync.sync(load_config(config.source), now=NOW + dt.timedelta(minutes=5))
    assert not again.workbook_written and again.tickets["assigned"] == [] and again.tickets["changes"] == 0


def test_a_mended_ticket_is_clean_on_the_next_run_and_new_ones_number_on(tmp_path: Path) -> None:
    config = _desk(tmp_path)
    sheetsync.sync(config, now=NOW)
    book, typed = config.workbook_path, tmp_path / "mended.xlsx"
    patch_xlsx(book, typed, "订单", [], also=[SheetEdit("售后", [
        CellWrite(3, 2, "SS20261120-000001"), CellWrite(3, 10, "包装破损"),
        CellWrite(4, 2, "SS20261120-000001"), CellWrite(4, 19, "客户说箱子被雨淋湿"),
        CellWrite(5, 2, "SS20261120-000001")])])
    typed.replace(book)
    result = sheetsync.sync(load_config(config.source), now=NOW + dt.timedelta(hours=1))
    assert result.tickets["assigned"] == ["AS20261121-0004"] and result.tickets["anomalies"] == {}
    rows = read_sheet(book, "售后")
    assert [r[ANOMALIES] for r in rows[1:5]] == ["", "", "", ""]
    assert [r[5] for r in rows[1:5]] == ["王芳"] * 4


def test_a_desk_whose_after_sales_sheet_is_gone_syncs_its_orders_and_says_so(tmp_path: Path) -> None:
    config = _desk(tmp_path)
    text = config.source.read_text(encoding="utf-8").replace("sheet: 售后", "sheet: 退换货")
    config.source.write_text(text, encoding="utf-8")
    result = sheetsync.sync(load_config(config.source), now=NOW)
    assert result.tickets == {} and any("退换货" in n for n in result.notices)
    assert read_sheet(config.workbook_path, "售后")[1][0] == ""  # nothing written into the after-sales sheet


def test_a_dry_run_writes_no_ticket(tmp_path: Path) -> None:
    config = _desk(tmp_path)
    before = config.workbook_path.read_bytes()
    result = sheetsync.sync(config, now=NOW, dry_run=True)
    assert len(result.tickets["assigned"]) == 3 and config.workbook_path.read_bytes() == before


@pytest.mark.libreoffice
def test_libreoffice_opens_the_synced_workbook_with_the_tickets(tmp_path: Path, soffice: str) -> None:
    from xlsx_fixtures import libreoffice_csv

    config = _desk(tmp_path)
    sheetsync.sync(config, now=NOW)
    shown = libreoffice_csv(soffice, [config.workbook_path], tmp_path / "lo")
    tickets = shown[(config.workbook_path, "售后")]
    assert [r[0] for r in tickets[1:4]] == ["AS20261121-0001", "AS20261121-0002", "AS20261121-0003"]
    assert tickets[1][5] == "王芳" and tickets[2][ANOMALIES].startswith("TICKET_ORDER_UNKNOWN")
