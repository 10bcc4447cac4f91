"""`sheetsync init --from`: a team's own order workbook is used as it is; missing columns only on request, in place."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import xlsxwriter
from conftest import CliRun, read_sheet

import sheetsync
from sheetsync import load_config
from sheetsync.desk.adopt import adopt_workbook
from sheetsync.errors import ConfigError
from sheetsync.stores import open_store
from sheetsync.stores.table import read_table

DATA = Path(__file__).parent / "data"
NOW = dt.datetime(2026, 11, 23, 9, 0)


def team_workbook(path: Path, *, with_order_id: bool = True, notes_first: bool = False) -> Path:
    """A team's workbook: a title merged above the header row, its own header texts, a column of its own."""
    book = xlsxwriter.Workbook(str(path))
    if notes_first:
        book.add_worksheet("说明").write_string(0, 0, "本表由客服部维护，每天下班前更新。")
    sheet = book.add_worksheet("2024订单")
    bold = book.add_format({"bold": True})
    own = ["平台单号", "下单日期", "客户", "手机", "收货地址", "金额", "状态", "业务员", "备注"]
    headers = [*(["订单号"] if with_order_id else []), *own]
    sheet.merge_range(0, 0, 0, len(headers) - 1, "2024年订单登记", bold)
    for c, h in enumerate(headers):
        sheet.write_string(1, c, h, bold)
    rows = [["A001", "2024-01-05 10:00", "张三", "13812345678", "浙江省杭州市西湖区文三路90号", 199.0, "已发货", "小李", "加急"],
            ["A002", "2024-01-06 11:00", "李四", "13912345678", "上海市徐汇区宜山路700号", 99.5, "待确认", "小王", ""]]
    for r, row in enumerate(rows, start=2):
        values = ([f"T-{r}"] if with_order_id else []) + row
        for c, v in enumerate(values):
            if isinstance(v, float):
                sheet.write_number(r, c, v)
            elif v:
                sheet.write_string(r, c, v)
    book.close()
    return path


def test_a_team_workbook_is_used_with_its_own_headers(tmp_path: Path) -> None:
    book = team_workbook(tmp_path / "我们的订单.xlsx")
    before = book.read_bytes()
    result = adopt_workbook(book)
    assert result.sheet == "2024订单" and result.header_row == 2 and result.added == [] and result.backup is None
    assert result.headers == {
        "order_id": "订单号", "channel_order_id": "平台单号", "created_at": "下单日期", "customer_name": "客户", "phone": "手机",
        "address": "收货地址", "amount_payable": "金额", "status": "状态", "note": "备注"}
    assert result.unmatched == ["业务员"]
    assert result.missing == ["channel", "status_since", "promised_by", "sla", "anomalies"]
    assert book.read_bytes() == before  # nothing asked to be added: the workbook is not touched
    config = load_config(tmp_path / "sheetsync.yaml")
    table = read_table(open_store(config), config)
    assert table.header_row == 2 and len(table.frame) == 2 and list(table.extra_headers) == ["业务员"]
    assert sheetsync.sync(config, now=NOW).rows == 2


def test_missing_columns_are_appended_in_place_on_request(tmp_path: Path) -> None:
    book = tmp_path / "features.xlsx"
    shutil.copy(DATA / "features_xlsxwriter.xlsx", book)
    result = adopt_workbook(book, add_columns=True)
    assert result.added == ["渠道", "渠道订单号", "状态时间", "承诺时间", "时效", "异常"]
    assert result.backup is not None and Path(result.backup).read_bytes() == (DATA / "features_xlsxwriter.xlsx").read_bytes()
    header = read_sheet(book)[0]
    assert header[:10] == ["订单号", "手机", "金额", "下单时间", "状态", "备注", "含税", "成本", "", "备注区"]
    assert header[10:] == result.added
    with zipfile.ZipFile(DATA / "features_xlsxwriter.xlsx") as old, zipfile.ZipFile(book) as new:
        changed = {n for n in old.namelist() if old.read(n) != new.read(n)}
        assert set(new.namelist()) == set(old.namelist())
    assert changed <= {"xl/worksheets/sheet1.xml", "xl/styles.xml", "xl/workbook.xml"}  # the sheet, never a rebuild
    config = load_config(tmp_path / "sheetsync.yaml")
    synced = sheetsync.sync(config, now=NOW)
    assert synced.rows == 20 and not synced.assigned  # the sheet's own order ids are kept


def test_without_an_order_id_column_the_configuration_says_so_and_add_columns_adds_it(tmp_path: Path) -> None:
    book = team_workbook(tmp_path / "orders.xlsx", with_order_id=False)
    before = book.read_bytes()
    result = adopt_workbook(book)
    assert "order_id" in result.missing and "sync" in result.losses["order_id"]
    assert book.read_bytes() == before and (tmp_path / "sheetsync.yaml").exists()
    result = adopt_workbook(book, add_columns=True)  # the desk exists: its missing columns are added
    assert result.added[0] == "订单号" and result.headers["channel_order_id"] == "平台单号"
    synced = sheetsync.sync(load_config(tmp_path / "sheetsync.yaml"), now=NOW)
    assert [a["order_id"] for a in synced.assigned] == ["SS20261123-000001", "SS20261123-000002"]  # ids on the first sync


def test_an_existing_configuration_is_never_overwritten(tmp_path: Path) -> None:
    book = team_workbook(tmp_path / "orders.xlsx")
    (tmp_path / "sheetsync.yaml").write_text("# ours\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="已存在"):
        adopt_workbook(book)
    assert (tmp_path / "sheetsync.yaml").read_text(encoding="utf-8") == "# ours\n"


def test_the_best_matching_sheet_is_taken_unless_one_is_named(tmp_path: Path) -> None:
    book = team_workbook(tmp_path / "orders.xlsx", notes_first=True)
    assert adopt_workbook(book).sheet == "2024订单"
    (tmp_path / "sheetsync.yaml").unlink()
    with pytest.raises(ConfigError):
        adopt_workbook(book, sheet="说明")


def test_the_command_prints_the_match_and_json_is_the_result(tmp_path: Path, run_cli: Callable[..., CliRun]) -> None:
    book = team_workbook(tmp_path / "orders.xlsx")
    run = run_cli("init", "--from", book)
    assert run.code == 0 and "业务员" in run.out and "sheetsync.yaml" in run.out
    (tmp_path / "sheetsync.yaml").unlink()
    run = run_cli("init", "--from", book, "--json")
    assert run.json()["headers"]["phone"] == "手机"
    xls = tmp_path / "old.xls"
    shutil.copy(DATA / "legacy" / "old_erp.xls", xls)
    assert run_cli("init", "--from", xls).code == 2  # only an .xlsx can be written in place


def test_added_columns_take_the_teams_header_style_and_a_width_that_fits(tmp_path: Path) -> None:
    """The tool's columns added by `init --from --add-columns` look like the team's own: the header cell takes the
    style of the team's last header cell, and the column a width that fits a date and time (no `###`)."""
    import re
    import shutil
    import zipfile

    from sheetsync.desk.adopt import adopt_workbook

    book = tmp_path / "订单台.xlsx"
    shutil.copy(Path(__file__).parent.parent / "example_workbooks" / "shop_zh" / "订单台.xlsx", book)
    result = adopt_workbook(book, add_columns=True, lang="zh")
    assert result.added
    with zipfile.ZipFile(book) as package:
        sheet = package.read("xl/worksheets/sheet1.xml").decode()
    header = re.search(r'<row r="2".*?</row>', sheet, re.S)
    assert header, sheet[:2000]
    cells = re.findall(r'<c r="([A-Z]+)2"([^>]*)>', header[0])
    styles = [re.search(r'\bs="(\d+)"', attrs) for _, attrs in cells]
    team = len(cells) - len(result.added)
    assert styles[team - 1] and all(s and s[1] == styles[team - 1][1] for s in styles[team:]), cells
    cols = {}
    for col in re.findall(r"<col [^>]*>", sheet):  # LibreOffice writes max before min
        low, high, width = (re.search(rf'\b{name}="([\d.]+)"', col) for name in ("min", "max", "width"))
        assert low and high and width, col
        cols[(int(low[1]), int(high[1]))] = float(width[1])
    added = {col: float(w) for (lo, hi), w in cols.items() for col in range(lo, hi + 1) if col > team}
    since = team + 1 + result.added.index(next(h for h in result.added if "状态时间" in h))
    assert added.get(since, 0) >= 19, cols
    assert cols[(1, 1)] == 14.72 and cols[(5, 5)] == 40.71  # the team's own widths, as LibreOffice saved them
    last = re.search(r'<autoFilter ref="A2:([A-Z]+)\d+"', sheet)
    assert last and last[1] == "P", sheet[-800:]  # the team's filter takes in the added columns (L to P)
    with zipfile.ZipFile(book) as package:
        workbook = package.read("xl/workbook.xml").decode()
    assert re.search(r"_xlnm\._FilterDatabase[^>]*>[^<]*\$P\$\d+<", workbook), workbook


def test_the_teams_own_column_widths_are_kept_whatever_the_order_of_their_attributes() -> None:
    from sheetsync.stores.xlsx.ranges import widen_columns

    libreoffice = (b'<worksheet><cols><col collapsed="false" customWidth="true" max="1" min="1" width="14.72"/>'
                   b'<col max="3" min="2" width="8.71"/></cols>')
    widened = widen_columns(libreoffice, {2: 21.0, 5: 21.0})
    assert widened.count(b"<col ") == 3 and b'max="1" min="1" width="14.72"' in widened
    assert b'<col min="5" max="5" width="21.00" customWidth="1"/>' in widened  # 2 is the team's: kept
    bare = widen_columns(b"<worksheet><sheetFormatPr/>", {4: 12.0})
    assert bare.endswith(b'<cols><col min="4" max="4" width="12.00" customWidth="1"/></cols>')
