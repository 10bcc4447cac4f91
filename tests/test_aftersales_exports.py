"""The sample after-sales exports (抖店 售后单, 淘宝 退款, 拼多多 售后单) read by sheetsync's own reader and their shipped
mappings: one canonical ticket per row, ids kept whole, the shops' kinds, statuses and reasons in the desk's keys and
the retail reason tree, every ticket tied to an order of the order samples but the one meant to be unknown."""

from __future__ import annotations

import datetime as dt
import importlib
from pathlib import Path

import pandas as pd
import pytest

from sheetsync.channels.apply import Mapped, apply_mapping
from sheetsync.channels.mapping import load_mapping
from sheetsync.channels.readers import read_file
from sheetsync.config.reasons import load_reasons
from sheetsync.model.tickets import TICKET_KINDS, TICKET_STATE_KEYS

REPO = Path(__file__).parents[1]
EXPORTS = Path(__file__).parent / "data" / "exports"
NOW = dt.datetime(2026, 11, 25, 9, 0)
SAMPLES = {  # file -> (mapping, tickets, the order sample's mapping)
    "douyin_aftersales.csv": ("douyin_aftersales", 11, "douyin"),
    "douyin_aftersales_later.csv": ("douyin_aftersales", 12, "douyin"),
    "taobao_refunds.csv": ("taobao_refunds", 8, "taobao"),
    "pinduoduo_aftersales.csv": ("pinduoduo_aftersales", 8, "pinduoduo"),
}
ORDER_SAMPLES = {"douyin": "douyin_orders_later.csv", "taobao": "taobao_orders.csv", "pinduoduo": "pinduoduo_orders.csv"}
UNKNOWN_ORDERS = {"douyin_aftersales.csv": "6931245078213400217", "douyin_aftersales_later.csv": "6931245078213400217",
                  "taobao_refunds.csv": "3845120958712339876", "pinduoduo_aftersales.csv": "261117-758812345678999"}
UNTRANSLATED = {"douyin_aftersales.csv": ("7305186420913371116", "地址/电话信息填写错误"),
                "douyin_aftersales_later.csv": ("7305186420913371116", "地址/电话信息填写错误"),
                "taobao_refunds.csv": ("203145612098765408", "退运费"),
                "pinduoduo_aftersales.csv": ("12604518701", "缺货")}


def read(mapping_name: str, file: str) -> Mapped:
    mapping = load_mapping(mapping_name, REPO, "zh")
    [raw] = read_file(EXPORTS / file, sheet=mapping.sheet, encoding=mapping.encoding, delimiter=mapping.delimiter)
    return apply_mapping(raw, mapping, mapping.label or mapping_name, NOW, "zh")


def tickets(file: str) -> pd.DataFrame:
    mapped = read(SAMPLES[file][0], file)
    assert mapped.rejects == []
    return mapped.records


def row(file: str, ticket: str) -> dict[str, str | None]:
    record = tickets(file).loc[ticket]
    return {k: (None if pd.isna(v) else str(v)) for k, v in record.items()}


@pytest.mark.parametrize("file", list(SAMPLES))
def test_every_row_is_one_ticket_keyed_by_the_shops_number(file: str) -> None:
    mapping_name, count, orders_mapping = SAMPLES[file]
    records = tickets(file)
    assert len(records) == count
    assert list(records.index) == list(records["channel_ticket_id"])
    assert records.index.is_unique
    label = load_mapping(orders_mapping, REPO, "zh").label
    assert label is not None and set(records["channel"]) == {label}  # the order mapping's label: tickets find its orders
    assert load_mapping(mapping_name, REPO, "zh").kind == "tickets"
    assert records["created_at"].str.match(r"^2026-11-\d\d \d\d:\d\d:\d\d$").all()
    assert set(records["kind"]) <= set(TICKET_KINDS)
    assert set(records["status"]) <= set(TICKET_STATE_KEYS)
    assert records["refund_amount"].notna().all()


@pytest.mark.parametrize("file", list(SAMPLES))
def test_every_ticket_names_an_order_of_the_samples_but_one(file: str) -> None:
    orders_mapping = SAMPLES[file][2]
    orders = read(orders_mapping, ORDER_SAMPLES[orders_mapping]).records
    known = set(orders["channel_order_id"].dropna())
    named = set(tickets(file)["channel_order_id"])
    assert named - known == {UNKNOWN_ORDERS[file]}
    assert UNKNOWN_ORDERS[file] in named


@pytest.mark.parametrize("file", list(SAMPLES))
def test_reasons_are_pairs_of_the_retail_tree_but_the_untranslated_one(file: str) -> None:
    tree = load_reasons("retail_zh", REPO, "zh")
    records = tickets(file)
    problems = {key: tree.problem(r["reason"], r["sub_reason"], pd.notna(r["note"])) for key, r in records.iterrows()}
    ticket, words = UNTRANSLATED[file]
    assert {k: p for k, p in problems.items() if p is not None} == {ticket: "REASON_UNKNOWN"}
    assert (records.at[ticket, "reason"], records.at[ticket, "sub_reason"]) == (words, words)  # as the shop wrote it


@pytest.mark.parametrize("mapping_name", ["douyin_aftersales", "taobao_refunds", "pinduoduo_aftersales"])
def test_the_mappings_give_canonical_keys_and_tree_pairs(mapping_name: str) -> None:
    mapping = load_mapping(mapping_name, REPO, "zh")
    tree = load_reasons("retail_zh", REPO, "zh")
    fields = mapping.fields
    assert set(fields["kind"].values.values()) <= set(TICKET_KINDS)
    assert set(fields["status"].values.values()) <= set(TICKET_STATE_KEYS)
    assert fields["reason"].column == fields["sub_reason"].column
    assert set(fields["reason"].values) == set(fields["sub_reason"].values)
    for said, first in fields["reason"].values.items():
        assert fields["sub_reason"].values[said] in tree.levels[first], said


def test_douyin_tickets() -> None:
    file = "douyin_aftersales.csv"
    # 售后单号 led by a tab, 订单号 as ="…" or led by a tab (as the order export writes that order): all 19 digits
    liu = row(file, "7305186420913371040")
    assert liu["channel_ticket_id"] == "7305186420913371040"
    assert liu["channel_order_id"] == "6931245078213464477"  # a tab-led order (刘洋), its sub-order …4480
    assert (liu["kind"], liu["status"], liu["refund_amount"]) == ("return", "returning", "248")
    assert (liu["reason"], liu["sub_reason"]) == ("描述不符", "其他")
    assert liu["return_tracking_no"] == "YT7512345690318"
    assert liu["created_at"] == "2026-11-21 19:48:02"
    assert liu["photos"] is not None and len(liu["photos"].split(";")) == 2
    assert liu["note"] == "页面写适配朗逸,实际装不上,孔位不对"  # full-width punctuation folded, as every text field
    sun = row(file, "7305186420913371024")
    assert (sun["channel_order_id"], sun["kind"], sun["status"], sun["refund_amount"]) == \
        ("6931245078213472260", "refund", "refunded", "79.8")  # 仅退款（未发货）
    assert (sun["reason"], sun["sub_reason"]) == ("客户原因", "拍错了")
    ma = row(file, "7305186420913371037")
    assert (ma["status"], ma["return_tracking_no"], ma["refund_amount"]) == ("refunded", "JDX000123460215", "45")
    assert (ma["reason"], ma["sub_reason"]) == ("客户原因", "七天无理由")
    assert (row(file, "7305186420913371082")["kind"], row(file, "7305186420913371082")["refund_amount"]) == ("resend", "0")
    wang = row(file, "7305186420913371095")
    assert (wang["kind"], wang["status"], wang["reason"], wang["sub_reason"]) == \
        ("exchange", "awaiting_return", "质量问题", "功能故障")
    zhou = row(file, "7305186420913371053")
    assert (zhou["status"], zhou["reason"], zhou["sub_reason"]) == ("closed", "物流问题", "长时间未到")
    yang = row(file, "7305186420913371011")
    assert (yang["note"], yang["photos"], yang["return_tracking_no"]) == (None, None, None)  # `-` and empty cells
    unknown = row(file, "7305186420913371079")
    assert (unknown["channel_order_id"], unknown["status"], unknown["reason"], unknown["sub_reason"]) == \
        ("6931245078213400217", "awaiting_return", "物流问题", "发错货")
    assert tickets(file)["return_tracking_no"].notna().sum() == 2


def test_the_later_douyin_export_moves_two_tickets_and_adds_one() -> None:
    before = tickets("douyin_aftersales.csv")
    after = tickets("douyin_aftersales_later.csv")
    assert set(after.index) - set(before.index) == {"7305186420913371129"}
    assert set(before.index) <= set(after.index)
    both = after.loc[before.index]
    changed = both.ne(before) & ~(both.isna() & before.isna())
    moved = {key: sorted(changed.columns[changed.loc[key]]) for key in before.index if changed.loc[key].any()}
    assert moved == {"7305186420913371066": ["return_tracking_no", "status"], "7305186420913371103": ["status"]}
    assert (before.at["7305186420913371066", "status"], after.at["7305186420913371066", "status"]) == \
        ("awaiting_return", "returning")
    assert after.at["7305186420913371066", "return_tracking_no"] == "SF1402345699901"
    assert (before.at["7305186420913371103", "status"], after.at["7305186420913371103", "status"]) == ("requested", "refunded")
    new = row("douyin_aftersales_later.csv", "7305186420913371129")
    assert (new["channel_order_id"], new["kind"], new["status"], new["reason"], new["sub_reason"], new["created_at"]) == \
        ("6931245078213474415", "exchange", "requested", "客户原因", "尺码不合适", "2026-11-24 10:05:26")


def test_taobao_refunds() -> None:
    file = "taobao_refunds.csv"
    records = tickets(file)
    assert set(records["channel_order_id"]) >= {"384512095871234099", "1987654321098765"}  # 18 and 16 digits, whole
    du = row(file, "203145612098765403")
    assert (du["channel_order_id"], du["kind"], du["status"], du["refund_amount"]) == \
        ("384512095871234099", "return", "refunded", "258")  # 是否需要退货 是
    assert (du["return_tracking_no"], du["reason"], du["sub_reason"]) == ("YT7512345701234", "质量问题", "其他")
    chen = row(file, "203145612098765401")
    assert (chen["channel_order_id"], chen["kind"], chen["status"], chen["created_at"]) == \
        ("1987654321098765", "refund", "rejected", "2026-11-18 09:40:00")  # `2026/11/18 9:40`: no seconds, no zero
    assert (chen["reason"], chen["sub_reason"]) == ("物流问题", "少发漏发")
    li = row(file, "203145612098765406")
    assert (li["status"], li["return_tracking_no"], li["created_at"]) == ("returning", "78412345701234", "2026-11-21 11:25:00")
    assert dict(records["status"].value_counts()) == {"requested": 2, "refunded": 2, "awaiting_return": 1, "returning": 1,
                                                      "rejected": 1, "closed": 1}
    assert row(file, "203145612098765408")["note"] == "页面写的包邮,怎么收了8块邮费🙄"  # GB18030's 4-byte emoji kept
    assert row(file, "203145612098765408")["refund_amount"] == "8"
    unknown = row(file, "203145612098765407")
    assert (unknown["channel_order_id"], unknown["status"], unknown["reason"]) == ("3845120958712339876", "closed", "物流问题")


def test_pinduoduo_aftersales() -> None:
    file = "pinduoduo_aftersales.csv"
    he = row(file, "12604518704")
    assert (he["channel_order_id"], he["kind"], he["status"], he["refund_amount"], he["return_tracking_no"]) == \
        ("261119-158812345678902", "return", "returning", "248", "SF1402345701122")
    assert he["created_at"] == "2026-11-21 13:20:05"
    deng = row(file, "12604518702")
    assert (deng["status"], deng["return_tracking_no"], deng["reason"], deng["sub_reason"], deng["note"]) == \
        ("refunded", "78412345702233", "客户原因", "七天无理由", None)
    feng = row(file, "12604518701")
    assert (feng["channel_order_id"], feng["kind"], feng["status"], feng["refund_amount"]) == \
        ("261118-858812345678909", "refund", "refunded", "1199")
    assert (row(file, "12604518708")["kind"], row(file, "12604518708")["status"]) == ("resend", "resent")
    assert (row(file, "12604518707")["kind"], row(file, "12604518707")["status"]) == ("exchange", "awaiting_return")
    assert row(file, "12604518706")["status"] == "closed"  # 售后取消
    assert row(file, "12604518705")["note"] == "奶瓶盖子拧不紧, 漏水"  # a comma inside a quoted cell
    unknown = row(file, "12604518703")
    assert (unknown["channel_order_id"], unknown["status"]) == ("261117-758812345678999", "rejected")  # 驳回


def test_each_file_has_its_platforms_bytes() -> None:
    douyin = (EXPORTS / "douyin_aftersales.csv").read_bytes()
    assert douyin.startswith(b"\xef\xbb\xbf") and b"\r\n" not in douyin
    lines = douyin.decode("utf-8-sig").split("\n")
    assert lines[1].startswith('"\t7305186420913371116","=""6931245078213475546""","=""6931245078213475548"""')
    assert '"\t7305186420913371040","\t6931245078213464477","\t6931245078213464480"' in lines[8]  # 刘洋: tab-led
    taobao = (EXPORTS / "taobao_refunds.csv").read_bytes()
    assert taobao.count(b"\r\n") == 9 and taobao.count(b"\n") == 9
    with pytest.raises(UnicodeDecodeError):
        taobao.decode("gbk")  # like taobao_orders.csv: GB18030 only
    pdd = (EXPORTS / "pinduoduo_aftersales.csv").read_bytes()
    assert pdd.count(b"\r\n") == 9 and pdd.decode("gbk").startswith("售后编号,订单号,")


def test_the_script_is_deterministic_and_made_the_committed_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(EXPORTS))
    script = importlib.import_module("make_aftersales")
    names = ["douyin_aftersales.csv", "douyin_aftersales_later.csv", "taobao_refunds.csv", "pinduoduo_aftersales.csv"]
    for out in ("one", "two"):
        assert script.main(tmp_path / out) == 0
        assert sorted(p.name for p in (tmp_path / out).iterdir()) == sorted(names)
    for name in names:
        made = (tmp_path / "one" / name).read_bytes()
        assert made == (tmp_path / "two" / name).read_bytes(), name
        assert made == (EXPORTS / name).read_bytes(), f"{name}: run make_aftersales.py again"
