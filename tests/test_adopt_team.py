"""`sheetsync init --from` on a team's own workbook: its ids stay its own, a configuration is always written,
the header row is found below a title block or named, repeated headers and guarded workbooks are said."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import xlsxwriter
from conftest import CliRun, read_sheet

import sheetsync
from sheetsync import load_config
from sheetsync.desk.adopt import adopt_workbook
from sheetsync.desk.zones import desk_zone

NOW = dt.datetime(2026, 12, 6, 10, 0)
HEADERS = ["订单编号", "下单时间", "客户姓名", "手机", "收货地址", "金额", "状态", "快递单号", "备注", "大货单号", "急件标",
           "业务员", "批次号"]


def team_desk(path: Path, *, rows: int = 5, title: list[str] | None = None, extra: list[str] | None = None,
              protect: bool = False) -> Path:
    """An auto-parts team's own desk: its ids `YT2611-0001`..., a 大货单号 and 急件标 column, a 批次号 of its own
    (repeated values), a title block above the header row."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("订单")
    top = 0
    for r, line in enumerate(title or []):
        for c, text in enumerate(line.split("|")):
            sheet.write(r, c, float(text) if text.replace(".", "").isdigit() else text)
        top = r + 1
    headers = HEADERS + (extra or [])
    for c, h in enumerate(headers):
        sheet.write_string(top, c, h)
    for i in range(rows):
        values = [f"YT2611-{i + 1:04d}", f"2026-11-{i + 1:02d} 10:00", f"客户{i}", f"1381234{i:04d}",
                  f"浙江省杭州市西湖区文三路{i + 1}号", 100.0 + i, "待发货", "", "", f"DH{i // 2:03d}", "急" if i == 0 else "",
                  "小李", f"B{i // 3}"]
        values += [f"x{i}" for _ in extra or []]
        for c, v in enumerate(values):
            if isinstance(v, float):
                sheet.write_number(top + 1 + i, c, v)
            elif v:
                sheet.write_string(top + 1 + i, c, v)
    if protect:
        sheet.protect()
    book.close()
    return path


def test_the_teams_own_order_number_column_is_the_order_id_and_its_series_goes_on(tmp_path: Path) -> None:
    book = team_desk(tmp_path / "订单台.xlsx")
    result = adopt_workbook(book)
    assert result.order_id_column == "订单编号" and result.headers["order_id"] == "订单编号"
    assert "channel_order_id" not in result.headers  # 订单编号 is the team's, not a shop's number
    assert result.headers["priority"] == "急件标"
    assert "大货单号" in result.unmatched and "批次号" in result.unmatched  # never taken for the id
    assert result.id_format == "YT2611-{seq:04d}" and result.next_id == "YT2611-0006"
    assert result.timezone == desk_zone("zh")
    config = load_config(tmp_path / "sheetsync.yaml")
    assert config.timezone == result.timezone and config.order_id.format == "YT2611-{seq:04d}"
    rows = read_sheet(book)
    rows.append(["", "2026-12-06 09:00", "新客户", "13900001111", "浙江省杭州市西湖区文三路99号", "50"])
    _append_row(book, len(rows), rows[-1])
    synced = sheetsync.sync(config, now=NOW)
    assert [a["order_id"] for a in synced.assigned] == ["YT2611-0006"]
    ids = [r[0] for r in read_sheet(book)[1:]]
    assert ids == [f"YT2611-{i:04d}" for i in range(1, 7)]  # the team's ids unchanged, the new one next in the series


def _append_row(book: Path, row: int, values: list[str]) -> None:
    """Type a row under the data, as a clerk would (through the store's in-place writer)."""
    from sheetsync.model.cells import CellWrite
    from sheetsync.stores.xlsx.patch import patch_xlsx

    out = book.with_suffix(".tmp.xlsx")
    patch_xlsx(book, out, "订单", [CellWrite(row, c + 1, v) for c, v in enumerate(values) if v])
    out.replace(book)


def test_a_sheet_without_an_order_id_column_still_gets_a_configuration_saying_what_is_missing(
        tmp_path: Path, run_cli: Callable[..., CliRun]) -> None:
    book = team_desk(tmp_path / "orders.xlsx")
    _rename_header(book, "订单编号", "序号")  # no id column left
    before = book.read_bytes()
    run = run_cli("init", "--from", book)
    assert run.code == 0, run.out + run.err
    assert "订单号" in run.out and "--add-columns" in run.out and "承诺时间" in run.out
    assert book.read_bytes() == before
    text = (tmp_path / "sheetsync.yaml").read_text(encoding="utf-8")
    assert "timezone:" in text and "没有「时效」列" in text
    assert run_cli("check", "-c", tmp_path / "sheetsync.yaml").code == 2  # sync needs the id column: said by check
    run = run_cli("init", "--from", book, "--add-columns")  # the desk exists: the missing columns are added to it
    assert run.code == 0, run.out + run.err
    header = read_sheet(book)[0]
    assert header[len(HEADERS):] == ["订单号", "渠道", "渠道订单号", "状态时间", "承诺时间", "时效", "异常"]
    assert run_cli("check", "-c", tmp_path / "sheetsync.yaml").code == 0
    synced = sheetsync.sync(load_config(tmp_path / "sheetsync.yaml"), now=NOW)
    assert len(synced.assigned) == 5


def _rename_header(book: Path, old: str, new: str) -> None:
    from sheetsync.model.cells import CellWrite
    from sheetsync.stores.xlsx.patch import patch_xlsx

    header = read_sheet(book)[0]
    out = book.with_suffix(".tmp.xlsx")
    patch_xlsx(book, out, "订单", [CellWrite(1, header.index(old) + 1, new)])
    out.replace(book)


def test_the_order_id_column_can_be_named_and_an_unknown_name_is_a_usage_error(
        tmp_path: Path, run_cli: Callable[..., CliRun]) -> None:
    book = team_desk(tmp_path / "orders.xlsx")
    assert run_cli("init", "--from", book, "--order-id-column", "没有这列").code == 2
    assert not (tmp_path / "sheetsync.yaml").exists()
    run = run_cli("init", "--from", book, "--order-id-column", "大货单号", "--json")
    assert run.code == 0
    assert run.json()["headers"]["order_id"] == "大货单号"


def test_a_header_row_under_a_title_block_with_numbers_and_dates_is_found(tmp_path: Path) -> None:
    book = team_desk(tmp_path / "orders.xlsx", title=["杭州汽配 2026年11月订单|版本|3", "制表日期|2026-12-01"])
    result = adopt_workbook(book)
    assert result.header_row == 3 and result.headers["order_id"] == "订单编号"


def test_the_header_row_can_be_named_and_is_written_to_the_configuration(tmp_path: Path,
                                                                         run_cli: Callable[..., CliRun]) -> None:
    book = team_desk(tmp_path / "orders.xlsx", title=["a|b|c|d|e|f|g|h|i|j|k|l|m"])  # a title as wide as the table
    assert run_cli("init", "--from", book, "--header-row", "40").code == 2
    run = run_cli("init", "--from", book, "--header-row", "2", "--json")
    assert run.code == 0 and run.json()["header_row"] == 2
    assert load_config(tmp_path / "sheetsync.yaml").table.header_row == 2
    assert run_cli("check", "-c", tmp_path / "sheetsync.yaml").code == 0


def test_a_repeated_header_text_is_left_unmapped_and_the_desk_passes_its_own_check(
        tmp_path: Path, run_cli: Callable[..., CliRun]) -> None:
    book = team_desk(tmp_path / "orders.xlsx", extra=["备注"])
    run = run_cli("init", "--from", book, "--add-columns", "--json")
    assert run.code == 0
    assert run.json()["repeated"] == ["备注"] and run.json()["headers"]["note"] == "备注"
    assert run_cli("check", "-c", tmp_path / "sheetsync.yaml").code == 0
    assert run_cli("sync", "-c", tmp_path / "sheetsync.yaml", "--now", "2026-12-06T10:00").code == 0


def test_a_sheet_with_nothing_like_orders_gets_no_columns(tmp_path: Path, run_cli: Callable[..., CliRun]) -> None:
    path = tmp_path / "staff.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("员工")
    for r, row in enumerate([["工号", "部门", "入职年份"], ["E01", "仓库", "2019"], ["E02", "客服", "2021"]]):
        for c, v in enumerate(row):
            sheet.write_string(r, c, v)
    book.close()
    before = path.read_bytes()
    run = run_cli("init", "--from", path, "--add-columns")
    assert run.code == 2 and "不是订单表" in run.err
    assert path.read_bytes() == before and not (tmp_path / "sheetsync.yaml").exists()


def test_a_protected_sheet_is_said_at_adoption_and_sync_refuses_to_write_it_unless_allowed(
        tmp_path: Path, run_cli: Callable[..., CliRun]) -> None:
    book = team_desk(tmp_path / "orders.xlsx", protect=True)
    run = run_cli("init", "--from", book, "--add-columns")
    assert run.code == 0 and "保护" in run.out
    assert "订单号" not in read_sheet(book)[0][len(HEADERS):]  # nothing added to a protected sheet
    config = tmp_path / "sheetsync.yaml"
    assert "allow_protected: false" in config.read_text(encoding="utf-8")
    _append_row(book, 7, ["", "2026-12-06 09:00", "新客户"])
    before = book.read_bytes()
    run = run_cli("sync", "-c", config, "--now", "2026-12-06T10:00")
    assert run.code == 2 and "保护" in run.err and book.read_bytes() == before
    config.write_text(config.read_text(encoding="utf-8").replace("allow_protected: false", "allow_protected: true"),
                      encoding="utf-8")
    assert run_cli("sync", "-c", config, "--now", "2026-12-06T10:00").code == 0
    assert read_sheet(book)[6][0] == "YT2611-0006"


def test_a_signed_workbook_is_said_and_never_written_unless_allowed(tmp_path: Path, run_cli: Callable[..., CliRun]) -> None:
    plain = team_desk(tmp_path / "plain.xlsx")
    book = tmp_path / "orders.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("_xmlsignatures/sig1.xml", "<Signature xmlns='http://www.w3.org/2000/09/xmldsig#'/>")
    plain.unlink()
    run = run_cli("init", "--from", book, "--json")
    assert run.code == 0 and run.json()["guards"] == ["signed"]
    _append_row_zip(book)
    before = book.read_bytes()
    run = run_cli("sync", "-c", tmp_path / "sheetsync.yaml", "--now", "2026-12-06T10:00")
    assert run.code == 2 and "签名" in run.err and book.read_bytes() == before


def _append_row_zip(book: Path) -> None:
    """A new row typed in a signed workbook (the signature part kept, as an application would)."""
    _append_row(book, 7, ["", "2026-12-06 09:00", "新客户"])
    with zipfile.ZipFile(book) as package:
        assert "_xmlsignatures/sig1.xml" in package.namelist()


@pytest.mark.parametrize("zone,lang,expected", [("UTC", "zh", "Asia/Shanghai"), ("Europe/Berlin", "zh", "Europe/Berlin"),
                                                ("UTC", "en", "UTC")])
def test_the_desk_zone_is_the_machines_unless_it_is_a_utc_server(monkeypatch: pytest.MonkeyPatch, zone: str,
                                                                 lang: str, expected: str) -> None:
    monkeypatch.setenv("TZ", zone)
    assert desk_zone(lang) == expected  # type: ignore[arg-type]


def test_the_status_words_of_the_dropdown_and_in_use_are_mapped_and_check_says_what_can_never_happen(
        tmp_path: Path, run_cli: Callable[..., CliRun]) -> None:
    path = tmp_path / "orders.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("订单")
    lists = book.add_worksheet("Lists")
    for i, word in enumerate(["待发货", "已发货", "已签收", "退款中", "已取消"]):
        lists.write_string(i, 0, word)
    sheet.write_row(0, 0, ["订单编号", "下单时间", "客户姓名", "手机", "收货地址", "金额", "状态"])
    for i, status in enumerate(["待发货", "已发货", "已打包", "待发货"]):
        sheet.write_row(i + 1, 0, [f"A{i + 100}", "2026-11-01 10:00", f"客{i}", "13812345678", "浙江省杭州市西湖区文三路1号",
                                   10 + i, status])
    sheet.data_validation(1, 6, 500, 6, {"validate": "list", "source": "=Lists!$A$1:$A$5"})
    book.close()
    run = run_cli("init", "--from", path, "--json")
    assert run.code == 0, run.err
    adopted = run.json()
    assert adopted["dropdown"] == ["待发货", "已发货", "已签收", "退款中", "已取消"]
    assert adopted["statuses"] == {"待发货": "paid", "已发货": "shipped", "已签收": "delivered", "退款中": "refunding",
                                   "已取消": "cancelled"}
    assert adopted["unknown_statuses"] == ["已打包"]
    config = tmp_path / "sheetsync.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "workflow: default_zh\n", encoding="utf-8")
    run = run_cli("check", "-c", config, "--json")
    assert run.code == 0, run.err  # warnings, not errors
    checked = run.json()
    warned = "\n".join(checked["warnings"])
    assert "支付时间" in warned and "签收时间" in warned  # 待发货→审核中 needs paid_at; 已发货→已签收 delivered_at
    assert "审核中、备货中" in warned  # states the workflow may write that the dropdown forbids
    assert checked["state_unknown"] == 1 and "已打包" in warned
    assert "准时率" in warned
    run = run_cli("queue", "-c", config, "--json")
    assert run.json()[0]["unknown"] and [o["order_id"] for o in run.json()[0]["orders"]] == ["A102"]
