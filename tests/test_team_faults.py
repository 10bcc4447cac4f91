"""The smaller faults a team's own workbook and exports found, each with its test."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
from conftest import CliRun

import sheetsync
from sheetsync.config import Config, load_config
from sheetsync.desk.new import init_desk
from sheetsync.steps.rules.rural import villages
from sheetsync.stores import open_store
from sheetsync.stores.table import read_table

DATA = Path(__file__).parent / "data"
NOW = dt.datetime(2026, 12, 6, 10, 0)


def test_dates_in_a_built_in_east_asian_format_are_dates_and_a_second_sync_changes_nothing(tmp_path: Path) -> None:
    init_desk(tmp_path, "zh")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "订单"
    sheet.append(["订单号", "下单时间", "支付时间", "客户姓名", "电话", "状态"])
    sheet.append(["A1", dt.datetime(2026, 11, 3, 10, 30), dt.datetime(2026, 11, 3, 10, 31), "张三", "13812345678", "待确认"])
    for cell in ("B2", "C2"):
        sheet[cell].number_format = "yyyy-mm-dd hh:mm"
    plain = tmp_path / "plain.xlsx"
    book.save(plain)
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(tmp_path / "orders.xlsx", "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/styles.xml":  # the cells' format becomes built-in 57 (yyyy"年"m"月"), as zh Excel saves it
                data = re.sub(rb'(<xf [^>]*numFmtId=")(16[4-9])"', rb'\g<1>57"', data)
            dst.writestr(info, data)
    config = load_config(tmp_path / "sheetsync.yaml")
    table = read_table(open_store(config), config)
    assert table.frame["created_at"].tolist() == ["2026-11-03 10:30:00"]
    first = sheetsync.sync(config, now=NOW)
    assert "DATE_INVALID" not in first.anomalies
    before = config.workbook_path.read_bytes()
    second = sheetsync.sync(config, now=NOW)
    assert not second.workbook_written and second.person_edits == [] and config.workbook_path.read_bytes() == before


def test_a_phone_in_scientific_notation_that_shows_every_digit_is_the_phone(tmp_path: Path) -> None:
    init_desk(tmp_path, "zh")
    (tmp_path / "inbox" / "shop").mkdir(parents=True)
    (tmp_path / "inbox" / "shop" / "orders.csv").write_text(
        "订单号,收货人,手机,收货地址,金额\nP-1,王芳,1.3712345678e+10,浙江省杭州市西湖区文三路1号,10\n"
        "P-2,李伟,1.37e+10,浙江省杭州市西湖区文三路2号,20\n", encoding="utf-8")
    (tmp_path / "mappings").mkdir()
    (tmp_path / "mappings" / "shop.yaml").write_text(
        "label: 店\nfields:\n  channel_order_id: 订单号\n  customer_name: 收货人\n  phone: 手机\n"
        "  address: {column: 收货地址, split: true}\n  amount_payable: 金额\n", encoding="utf-8")
    with (tmp_path / "sheetsync.yaml").open("a", encoding="utf-8") as fh:
        fh.write("channels:\n  - {name: shop, path: inbox/shop/*, mapping: shop}\n")
    config = load_config(tmp_path / "sheetsync.yaml")
    sheetsync.sync(config, now=NOW)
    frame = read_table(open_store(config), config).frame.set_index("channel_order_id")
    assert frame.at["P-1", "phone"] == "13712345678"
    assert frame.at["P-2", "phone"] == "1.37e+10" and "PHONE_INVALID" in str(frame.at["P-2", "anomalies"])
    assert "PHONE_INVALID" not in str(frame.at["P-1", "anomalies"])


def _fill(book: Path, row: int, col: int) -> str | None:
    cell = openpyxl.load_workbook(book)["订单"].cell(row, col)
    colour = cell.fill.fgColor.rgb if cell.fill and cell.fill.fill_type else None
    return str(colour)[-6:] if colour else None


def test_a_rule_moved_from_warn_to_error_repaints_its_cells(make_desk: Callable[..., Config]) -> None:
    config = make_desk([{"order_id": "A1", "customer_name": "张三", "phone": "12345", "province": "浙江省", "city": "杭州市",
                         "district": "西湖区", "address": "文三路1号", "created_at": "2026-11-01 10:00:00"}],
                       validate=True)
    source = config.source
    source.write_text(source.read_text(encoding="utf-8") + "rules: {phone: {level: warn}}\n", encoding="utf-8")
    first = sheetsync.sync(load_config(source), now=NOW)
    assert "PHONE_INVALID" in first.anomalies
    table = read_table(open_store(config), config)
    row, col = table.frame.index[0], table.columns["anomalies"]
    assert _fill(config.workbook_path, row, col) == "FFEB9C"  # warn: yellow
    source.write_text(source.read_text(encoding="utf-8").replace("{phone: {level: warn}}", "{phone: {level: error}}"),
                      encoding="utf-8")
    second = sheetsync.sync(load_config(source), now=NOW)
    assert second.workbook_written
    assert _fill(config.workbook_path, row, col) == "FFC7CE"  # the same text, now red
    assert not sheetsync.sync(load_config(source), now=NOW).workbook_written


def test_approve_signs_only_orders_in_review_and_an_unknown_order_is_a_usage_error(
        make_desk: Callable[..., Config], run_cli: Callable[..., CliRun]) -> None:
    config = make_desk([{"order_id": "R1", "status": "审核中", "amount_payable": 5000, "customer_id": "C1"},
                        {"order_id": "N1", "status": "待确认", "amount_payable": 5000, "customer_id": "C2"}])
    with config.source.open("a", encoding="utf-8") as fh:
        fh.write("workflow: default_zh\n")
    before = config.workbook_path.read_bytes()
    run = run_cli("approve", "N1", "--by", "华东经理", "-c", config.source, "--json")
    assert run.code == 3 and run.json()["signatures"][0]["outcome"] == "not_in_review"
    assert config.workbook_path.read_bytes() == before  # no name written on an order not in review
    assert run_cli("approve", "NOPE", "--by", "华东经理", "-c", config.source).code == 2
    run = run_cli("approve", "R1", "--by", "华东经理", "-c", config.source, "--json")
    assert run.code == 0 and run.json()["signatures"][0]["approver"] == "华东经理"  # in review: written
    assert run_cli("history", "NOPE", "-c", config.source).code == 2
    assert run_cli("history", "R1", "-c", config.source).code == 0


def test_a_city_quarter_named_after_a_village_is_no_village() -> None:
    found = villages(pd.Series(["中关村大街1号", "海淀区中关村南大街5号", "魏公村路2号", "石梁村3组"], dtype="str"))
    assert found.isna().tolist() == [True, True, True, False]


def test_taobao_tracking_numbers_lose_their_label(tmp_path: Path) -> None:
    init_desk(tmp_path, "zh")
    (tmp_path / "inbox").mkdir(exist_ok=True)
    shutil.copy(DATA / "exports" / "taobao_orders.csv", tmp_path / "inbox")
    with (tmp_path / "sheetsync.yaml").open("a", encoding="utf-8") as fh:
        fh.write("channels:\n  - {name: taobao, path: inbox/*.csv, mapping: taobao}\n")
    config = load_config(tmp_path / "sheetsync.yaml")
    sheetsync.sync(config, now=NOW)
    numbers = read_table(open_store(config), config).frame["tracking_no"].dropna().tolist()
    assert numbers and not any(n.lower().startswith("no") for n in numbers)
    assert "SF1402345684410" in numbers


def test_a_date_without_a_year_says_how_to_write_it(make_desk: Callable[..., Config]) -> None:
    config = make_desk([{"order_id": "A1", "created_at": "11月3日"}], validate=True)
    result = sheetsync.validate(config, now=NOW)
    finding = next(f for f in result.findings if f["code"] == "DATE_INVALID")
    assert "没有年份" in finding["message"] and "2026-11-03" in finding["message"]


def test_a_dash_is_a_blank_not_a_bad_date_nor_a_tracking_number(tmp_path: Path) -> None:
    init_desk(tmp_path, "zh")
    export = (DATA / "exports" / "douyin_orders.csv").read_text(encoding="utf-8-sig").splitlines()
    header = export[0].split(",")
    cells = export[1].split(",")
    cells[header.index("发货时间")] = "-"
    cells[header.index("快递单号")] = "-"
    cells[header.index("订单状态")] = "待发货"
    (tmp_path / "inbox" / "douyin").mkdir(parents=True, exist_ok=True)
    (tmp_path / "inbox" / "douyin" / "one.csv").write_text("\n".join([export[0], ",".join(cells)]) + "\n", encoding="utf-8")
    with (tmp_path / "sheetsync.yaml").open("a", encoding="utf-8") as fh:
        fh.write("workflow: default_zh\nchannels:\n  - {name: douyin, path: inbox/douyin/*, mapping: douyin}\n")
    config = load_config(tmp_path / "sheetsync.yaml")
    result = sheetsync.sync(config, now=NOW)
    assert [f["rejected"] for f in result.files] == [0]  # `-` for no shipping time yet: the order is taken
    frame = read_table(open_store(config), config).frame
    assert frame["tracking_no"].isna().all() and frame["shipped_at"].isna().all()
    assert frame["status"].tolist() != ["已发货"]


def test_an_inbox_file_with_an_odd_name_or_thousands_of_columns_never_blocks_the_desk(tmp_path: Path) -> None:
    from sheetsync.reports.rejects import SOURCE_COLUMNS

    init_desk(tmp_path, "zh")
    folder = tmp_path / "inbox" / "shop"
    folder.mkdir(parents=True)
    wide = ["订单号", "收货人", *(f"c{i}" for i in range(SOURCE_COLUMNS + 50))]
    (folder / "'x\x01.csv").write_text(",".join(wide) + "\n,无单号," + ",".join("v" for _ in wide[2:]) + "\nP-1,王芳\n",
                                       encoding="utf-8")
    (tmp_path / "mappings").mkdir()
    (tmp_path / "mappings" / "shop.yaml").write_text("label: 店\nfields:\n  channel_order_id: 订单号\n  customer_name: 收货人\n",
                                                     encoding="utf-8")
    with (tmp_path / "sheetsync.yaml").open("a", encoding="utf-8") as fh:
        fh.write("channels:\n  - {name: shop, path: inbox/shop/*, mapping: shop}\n")
    config = load_config(tmp_path / "sheetsync.yaml")
    result = sheetsync.sync(config, now=NOW)
    assert result.rows_appended == 1 and result.rejects_file is not None, (result.notices, result.files)
    book = openpyxl.load_workbook(result.rejects_file)
    sheet = book.worksheets[0]
    assert sheet.title == "x_" and sheet.max_column == 3 + SOURCE_COLUMNS + 1
    assert str(sheet.cell(2, 3 + SOURCE_COLUMNS + 1).value).startswith(f"c{SOURCE_COLUMNS - 2}=v")
    assert not sheetsync.sync(config, now=NOW).workbook_written  # the next run goes on: the file is seen
