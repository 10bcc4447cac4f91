"""Matching a file's headers to canonical fields: synonyms as data (Chinese and English), content where headers say nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sheetsync.channels.automap import AutoMapping, automap, load_synonyms, save_mapping
from sheetsync.channels.mapping import find_mapping, load_mapping, shipped_mappings
from sheetsync.channels.readers import RawTable, read_file
from sheetsync.errors import ConfigError

LEGACY = Path(__file__).parent / "data" / "legacy"
EXPORTS = Path(__file__).parent / "data" / "exports"
NOW = dt.datetime(2026, 11, 23, 9, 0)


def match(path: Path, config_dir: Path | None = None, sheet: str | None = None, **kwargs: object) -> AutoMapping:
    raw = read_file(path, sheet=sheet)[0]
    return automap(raw, load_synonyms(config_dir, "zh"), now=NOW, **kwargs)  # type: ignore[arg-type]


def fields(found: AutoMapping) -> dict[str, tuple[str | None, str | None]]:
    return {c.header: (c.field, c.basis) for c in found.columns}


def test_chinese_headers_are_matched_by_synonyms() -> None:
    found = match(LEGACY / "pos_2023_gbk.csv")
    assert fields(found) == {
        "单据号": ("channel_order_id", "synonym"), "销售时间": ("created_at", "synonym"),
        "会员姓名": ("customer_name", "synonym"), "会员手机": ("phone", "synonym"), "收货地址": ("address", "synonym"),
        "商品": ("items", "header"),
        "金额": ("amount_payable", "synonym"), "状态": ("status", "header"), "备注": ("note", "header"),
    }
    assert found.mapping is not None and found.mapping.fields["address"].split  # one string: split into 省/市/区
    assert found.mapping.day_first  # 13/1/2024 can only be day first
    assert found.unmatched == []


def test_english_headers_and_phone_synonyms() -> None:
    found = match(LEGACY / "excel_unicode.txt")
    assert {h: f for h, (f, _) in fields(found).items()} == {
        "Order No": "channel_order_id", "Order Date": "created_at", "Customer": "customer_name", "Mobile": "phone",
        "Shipping Address": "address", "Total": "amount_payable", "Status": "status"}
    assert found.mapping is not None and not found.mapping.day_first


@pytest.mark.parametrize("header", ["手机", "电话", "联系电话", "收货人手机", "收件人手机号", "Mobile", "Phone", "ＴＥＬ"])
def test_every_phone_synonym_is_a_phone(header: str) -> None:
    assert [target for target, _ in load_synonyms(None, "zh").exact(header)] in (["phone"], ["phone", "phone"])


def test_columns_whose_headers_say_nothing_are_matched_by_their_values() -> None:
    found = match(LEGACY / "useless_headers.csv")
    assert {h: (f, b) for h, (f, b) in fields(found).items()} == {
        "列1": ("channel_order_id", "content"), "列2": ("created_at", "content"), "列3": ("customer_name", "content"),
        "列4": ("phone", "content"), "列5": ("amount_payable", "content"), "列6": ("address", "content")}
    phone = next(c for c in found.columns if c.field == "phone")
    assert phone.note == "mobile" and phone.confidence >= 0.85


def test_a_file_without_a_header_row_is_matched_by_content(tmp_path: Path) -> None:
    path = tmp_path / "bare.csv"
    path.write_text("".join(f"B{20000 + i},2024-03-0{i} 10:00,1381234000{i},¥{i}9.00\n" for i in range(1, 8)), encoding="utf-8")
    found = match(path)
    assert found.header_row is None
    assert [c.field for c in found.columns] == ["channel_order_id", "created_at", "phone", "amount_payable"]
    assert found.headers == ["#1", "#2", "#3", "#4"]


def test_a_title_row_above_the_headers_is_skipped() -> None:
    found = match(LEGACY / "orders_two_sheets.xlsx", sheet="2024年")
    assert found.header_row == 1
    assert fields(found)["电话"] == ("phone", "header")  # the zh preset's own header text


def test_row_numbers_are_not_taken_for_order_numbers(tmp_path: Path) -> None:
    path = tmp_path / "numbered.csv"
    path.write_text("序号,客户,手机\n" + "".join(f"{i},王芳,1381234567{i}\n" for i in range(1, 9)), encoding="utf-8")
    found = match(path)
    assert fields(found)["序号"] == (None, None)
    assert found.composed_key == ["phone", "customer_name"]


def test_without_an_order_number_the_key_is_made_of_time_phone_and_name() -> None:
    found = match(EXPORTS / "phone_orders.xlsx")
    assert found.composed_key == ["created_at", "phone", "customer_name"]
    assert found.mapping is not None and found.mapping.fields["channel_order_id"].fields == found.composed_key
    assert found.unmatched == ["接线员"]


def test_line_item_columns_make_an_items_rule() -> None:
    found = match(EXPORTS / "pos_export.csv")
    assert found.mapping is not None and found.mapping.items is not None
    assert (found.mapping.items.sku, found.mapping.items.name, found.mapping.items.qty) == (["商品条码"], ["商品名称"], ["数量"])
    assert found.mapping.fields["amount_payable"].per == "row"  # 应收 differs between a receipt's lines: summed


def test_a_desks_own_synonyms_extend_the_shipped_ones(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("流水码,客人,金额\nQ1,王芳,1\nQ2,李伟,2\n", encoding="utf-8")
    assert fields(match(path, tmp_path))["流水码"][0] is None
    (tmp_path / "mappings").mkdir()
    (tmp_path / "mappings" / "synonyms.yaml").write_text("fields:\n  channel_order_id: [流水码]\n  customer_name: [客人]\n",
                                                          encoding="utf-8")
    found = match(path, tmp_path)
    assert fields(found)["流水码"] == ("channel_order_id", "synonym") and fields(found)["客人"][0] == "customer_name"


def test_a_bad_team_synonym_file_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "mappings").mkdir()
    (tmp_path / "mappings" / "synonyms.yaml").write_text("fields:\n  colour: [颜色]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"synonyms\.yaml:2:3: fields\.colour"):
        load_synonyms(tmp_path, "zh")


def test_a_saved_match_is_a_mapping_load_mapping_reads(tmp_path: Path) -> None:
    found = match(LEGACY / "pos_2023_gbk.csv")
    path = save_mapping(found, "old_pos", tmp_path, "zh")
    assert path == tmp_path / "mappings" / "old_pos.yaml"
    loaded = load_mapping("old_pos", tmp_path, "zh")
    assert found.mapping is not None
    assert loaded.fields == found.mapping.fields and loaded.items == found.mapping.items and loaded.day_first
    assert "synonym 0.95" in path.read_text(encoding="utf-8")
    with pytest.raises(ConfigError):
        save_mapping(found, "old_pos", tmp_path, "zh")  # never overwritten


def test_a_match_without_an_order_number_cannot_be_saved(tmp_path: Path) -> None:
    names_and_addresses = read_file(LEGACY / "useless_headers.csv")[0].frame.iloc[:, [2, 5]]
    raw = RawTable(tmp_path / "x.csv", None, names_and_addresses, [1, 2, 3, 4, 5, 6])
    found = automap(raw, load_synonyms(None, "zh"), now=NOW)
    assert found.mapping is None and found.missing == ["channel_order_id"]
    with pytest.raises(ConfigError):
        save_mapping(found, "nope", tmp_path, "zh")


def test_the_synonym_table_is_not_offered_as_a_mapping(tmp_path: Path) -> None:
    assert "synonyms" not in shipped_mappings() and "douyin" in shipped_mappings()
    with pytest.raises(ConfigError) as raised:
        find_mapping("synonyms", tmp_path, "zh")
    assert "synonyms" in raised.value.message and "douyin" in raised.value.message
