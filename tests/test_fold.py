"""Nothing a channel brings is dropped without a word: folding into the team's fewer columns, unplaced
values counted and kept in the journal, and filled in when the team adds the column."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from conftest import CliRun, read_sheet
from hypothesis import given, settings
from hypothesis import strategies as st
from test_adopt_team import team_desk

from sheetsync.model.fields import FIELDS
from sheetsync.steps.fold import fold
from sheetsync.steps.pull import JournalState, incorporate

DATA = Path(__file__).parent / "data"


def records(**columns: list[str | None]) -> pd.DataFrame:
    return pd.DataFrame(columns, dtype="str")


def test_a_chinese_address_is_joined_in_the_order_it_is_written_and_nothing_is_said_twice() -> None:
    got = fold(records(province=["江苏省", "浙江省"], city=["南京市", "杭州市"], district=["鼓楼区", "西湖区"],
                       address=["宁海路街道 北京西路6号", "浙江省杭州市西湖区文三路1号"], postcode=["210000", None]),
               ["order_id", "address"])
    assert got.records["address"].tolist() == ["江苏省南京市鼓楼区宁海路街道 北京西路6号", "浙江省杭州市西湖区文三路1号"]
    assert got.folded == {"province": 2, "city": 2, "district": 2}
    assert {f: v.tolist() for f, v in got.unplaced.items()} == {"postcode": ["210000"]}  # no column, no rule in China


def test_an_order_abroad_keeps_its_lines_postcode_and_country_and_its_phone_gets_its_country_code() -> None:
    got = fold(records(address=["1 Market St"], city=["San Francisco"], province=["CA"], postcode=["94105"],
                       country=["US"], phone=["(415) 555-0100"]), ["order_id", "address", "phone"])
    assert got.records["address"].iloc[0] == "1 Market St, San Francisco, CA, 94105, US"
    assert got.records["phone"].iloc[0] == "+1 415-555-0100"
    assert got.unplaced == {}


def test_one_amount_column_takes_the_amount_the_team_means() -> None:
    two = records(amount_payable=["12.00", None], amount_paid=["10.00", "20.00"])
    by_header = fold(two, ["order_id", "amount_payable"])
    assert by_header.records["amount_payable"].tolist() == ["12.00", "20.00"]  # its own, else the other: never nothing
    assert by_header.unplaced["amount_paid"].tolist() == ["10.00"]  # the paid amount that differs is counted
    paid = fold(two, ["order_id", "amount_payable"], amount="paid")
    assert paid.records["amount_payable"].tolist() == ["10.00", "20.00"]
    assert paid.unplaced["amount_payable"].tolist() == ["12.00"]


FIELD_VALUES = {"province": "浙江省", "city": "杭州市", "district": "西湖区", "address": "文三路90号", "postcode": "310012",
                "phone": "13812345678", "customer_name": "张三", "customer_id": "C1", "items": "AP-1×2",
                "amount_payable": "10.00", "amount_paid": "9.50", "created_at": "2026-11-20 10:00:00",
                "paid_at": "2026-11-20 10:05:00", "carrier": "顺丰", "tracking_no": "SF100", "status": "已发货",
                "channel_order_id": "K", "country": "US"}


@settings(max_examples=60, deadline=None)
@given(st.sets(st.sampled_from(sorted(FIELD_VALUES))), st.lists(st.sets(st.sampled_from(sorted(FIELD_VALUES)), min_size=1),
                                                                min_size=1, max_size=6))
def test_every_value_of_every_record_is_in_a_cell_or_counted_as_unplaced(columns: set[str], present: list[set[str]]) -> None:
    """For random layouts (random subsets of columns) and random records: after the pull, every non-empty
    canonical value of every record is in the sheet (its own cell, or folded into another) or unplaced."""
    rows = [{f: FIELD_VALUES[f] if f in fields else None for f in FIELD_VALUES} | {"channel_order_id": f"K{i}"}
            for i, fields in enumerate(present)]
    pulled = pd.DataFrame(rows, dtype="str").set_index(pd.Index([r["channel_order_id"] for r in rows], dtype="str"))
    pulled["channel"] = "抖音"

    class Pull:
        name, label, kind, match, records = "dy", "抖音", "orders", (), pulled

    layout = ["order_id", *sorted(columns)]
    work = pd.DataFrame({c: pd.Series([], dtype="str") for c in layout})
    counter = iter(range(1, 100))
    grown, out = incorporate(work, [Pull()], JournalState({}, {}, work),
                             lambda n: [f"SS-{next(counter)}" for _ in range(n)], 1, set())
    assert len(grown) == len(rows)
    for (row, cells), record in zip(grown.iterrows(), rows, strict=True):
        text = " ".join(str(v) for v in cells.dropna())
        for name, value in record.items():
            if value is None or name not in FIELDS:
                continue
            kept = out.kept_new.get(name)
            in_journal = kept is not None and row in kept.index and kept[row] == value
            in_sheet = value in str(cells[name]) if name in columns else value in text  # its own cell, or folded
            if name == "country" and "phone" in columns:  # a phone abroad carries its country as its code
                in_sheet = in_sheet or str(cells["phone"]).startswith("+1")
            assert in_sheet or in_journal, (name, value, layout)


def test_a_team_desk_gets_whole_addresses_and_amounts_and_a_count_of_what_has_no_column(
        tmp_path: Path, run_cli: Callable[..., CliRun]) -> None:
    book = team_desk(tmp_path / "orders.xlsx")  # one 收货地址, one 金额, no 渠道订单号, 商品, 支付时间
    assert run_cli("init", "--from", book).code == 0
    config = tmp_path / "sheetsync.yaml"
    channel = "channels:\n  - {name: douyin, path: inbox/douyin/*, mapping: douyin}\n"
    config.write_text(config.read_text(encoding="utf-8") + channel, encoding="utf-8")
    (tmp_path / "inbox" / "douyin").mkdir(parents=True)
    shutil.copy(DATA / "exports" / "douyin_orders.csv", tmp_path / "inbox" / "douyin")
    run = run_cli("sync", "-c", config, "--now", "2026-11-21T10:00", "--json")
    assert run.code == 0, run.err
    result = run.json()
    assert result["folded"]["province"] == result["folded"]["city"] == 13
    assert result["unplaced"]["channel_order_id"] == 13 and result["unplaced"]["items"] == 13
    assert "ADDR_INCOMPLETE" not in result["anomalies"]
    sheet = read_sheet(book)
    header = sheet[0]
    pulled = [dict(zip(header, r, strict=False)) for r in sheet[6:]]
    assert pulled[0]["收货地址"] == "江苏省南京市鼓楼区宁海路街道 北京西路6号"
    assert all(r["金额"] not in ("", None) for r in pulled)
    run = run_cli("sync", "-c", config, "--now", "2026-11-21T10:05")
    assert run.code == 0 and "渠道订单号" not in run.out  # nothing new: nothing said again

    _add_columns(book, {14: "渠道订单号", 15: "商品"})
    text = config.read_text(encoding="utf-8").replace("    note: 备注\n", "    note: 备注\n    channel_order_id: 渠道订单号\n"
                                                                          "    items: 商品\n")
    config.write_text(text, encoding="utf-8")
    run = run_cli("sync", "-c", config, "--now", "2026-11-21T10:10", "--json")
    assert run.code == 0, run.err
    assert run.json()["filled"] == {"channel_order_id": 13, "items": 13}
    rows = [dict(zip(read_sheet(book)[0], r, strict=False)) for r in read_sheet(book)[6:]]
    assert rows[0]["渠道订单号"] == "6931245078213467714" and rows[0]["商品"] == "AP-305×2"
    history = run_cli("history", rows[0]["订单编号"], "-c", config, "--json").json()
    assert any(e["field"] == "items" and e["detail"] == "journal" for e in history)
    assert run_cli("sync", "-c", config, "--now", "2026-11-21T10:15", "--json").json()["filled"] == {}


def _add_columns(book: Path, headers: dict[int, str]) -> None:
    """A person adds header cells at the right (through the in-place writer, as an application would keep them)."""
    from sheetsync.model.cells import CellWrite
    from sheetsync.stores.xlsx.patch import patch_xlsx

    out = book.with_suffix(".tmp.xlsx")
    patch_xlsx(book, out, "订单", [CellWrite(1, col, text) for col, text in headers.items()])
    out.replace(book)


def test_a_legacy_import_s_paid_amount_lands_in_the_one_amount_column(tmp_path: Path,
                                                                      run_cli: Callable[..., CliRun]) -> None:
    book = team_desk(tmp_path / "orders.xlsx")
    assert run_cli("init", "--from", book).code == 0
    legacy = tmp_path / "legacy.csv"
    legacy.write_text("单据号,销售时间,会员姓名,会员手机,收货地址,商品,实付金额\n"
                      "XS-001,2024/1/5,王芳,13812345678,浙江省杭州市西湖区文三路90号,BB-002×2,199.00\n"
                      "XS-002,2024/1/6,李伟,13912345678,广东省深圳市南山区科技园6号,AP-410×1,88.50\n", encoding="utf-8")
    run = run_cli("import", legacy, "-c", tmp_path / "sheetsync.yaml", "--now", "2026-11-21T10:00", "--json")
    assert run.code == 0, run.err
    rows = [dict(zip(read_sheet(book)[0], r, strict=False)) for r in read_sheet(book)[6:]]
    assert [r["金额"] for r in rows] == [199.0, 88.5]
    created = json.loads(run_cli("history", rows[0]["订单编号"], "-c", tmp_path / "sheetsync.yaml", "--json").out)
    assert "BB-002×2" in json.dumps(created, ensure_ascii=False)  # the items, which have no column, are in the journal


def test_the_run_s_count_is_said_on_the_terminal(tmp_path: Path, run_cli: Callable[..., CliRun]) -> None:
    book = team_desk(tmp_path / "orders.xlsx")
    assert run_cli("init", "--from", book).code == 0
    config = tmp_path / "sheetsync.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "channels:\n  - {name: douyin, path: inbox/*, mapping: douyin}\n",
                      encoding="utf-8")
    (tmp_path / "inbox").mkdir()
    shutil.copy(DATA / "exports" / "douyin_orders.csv", tmp_path / "inbox")
    run = run_cli("sync", "-c", config, "--now", dt.datetime(2026, 11, 21, 10).isoformat())
    assert run.code == 0 and "值已记在日志里" in run.out and "渠道订单号 13" in run.out


SYNC_FIELDS = {"created_at": ("下单时间", "2026-11-20 10:00:00"), "customer_name": ("收货人", "张三"),
               "phone": ("手机", "13812345678"), "province": ("省", "浙江省"), "city": ("市", "杭州市"),
               "district": ("区", "西湖区"), "address": ("详细地址", "文三路90号"), "postcode": ("邮编", "310012"),
               "items": ("商品", "AP-1×2"), "amount_payable": ("应付", "10.5"), "amount_paid": ("实付", "9.5"),
               "status": ("状态", "已发货"), "carrier": ("快递", "顺丰"), "tracking_no": ("运单号", "SF100200300"),
               "customer_id": ("会员", "C9")}


@settings(max_examples=12, deadline=None)
@given(st.sets(st.sampled_from(sorted(SYNC_FIELDS))), st.lists(st.sets(st.sampled_from(sorted(SYNC_FIELDS)), min_size=1),
                                                               min_size=1, max_size=4))
def test_a_sync_places_or_counts_every_value_whatever_the_layout(columns: set[str], present: list[set[str]]) -> None:
    """Through a whole sync: a random layout (a random subset of the columns), random records from a shop file;
    every non-empty value is in its order's row (its cell, or folded into another) or counted in `unplaced`."""
    import tempfile

    import xlsxwriter

    import sheetsync
    from sheetsync.config import load_config as load
    from sheetsync.journal.core import Journal
    from sheetsync.stores import open_store
    from sheetsync.stores.table import read_table

    with tempfile.TemporaryDirectory() as folder:
        desk = Path(folder)
        layout = ["order_id", *sorted(columns)]
        book = xlsxwriter.Workbook(str(desk / "orders.xlsx"))
        book.add_worksheet("订单").write_row(0, 0, ["单号", *(f"列{f}" for f in layout[1:])])
        book.close()
        headers = "\n".join(f"    {f}: 列{f}" for f in layout[1:])
        mapping = "\n".join(f"  {f}: {SYNC_FIELDS[f][0]}" for f in SYNC_FIELDS if f != "status")
        (desk / "mappings").mkdir()
        status = "  status: {column: 状态, values: {已发货: shipped}}\n"
        (desk / "mappings" / "shop.yaml").write_text(f"label: 店\nfields:\n  channel_order_id: 订单号\n{mapping}\n{status}",
                                                     encoding="utf-8")
        (desk / "sheetsync.yaml").write_text(
            f"table:\n  path: orders.xlsx\n  sheet: 订单\n  headers:\n    order_id: 单号\n{headers}\n"
            "lang: zh\nchannels:\n  - {name: shop, path: in/*.csv, mapping: shop}\n", encoding="utf-8")
        (desk / "in").mkdir()
        lines = ["订单号," + ",".join(SYNC_FIELDS[f][0] for f in SYNC_FIELDS)]
        for i, fields in enumerate(present):
            lines.append(f"K{i}," + ",".join(SYNC_FIELDS[f][1] if f in fields else "" for f in SYNC_FIELDS))
        (desk / "in" / "shop.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        config = load(desk / "sheetsync.yaml")
        result = sheetsync.sync(config, now=dt.datetime(2026, 11, 21, 10))
        reported = {**result.unplaced, **result.folded}
        frame = read_table(open_store(config), config).frame.set_index("order_id")
        with Journal(config.journal_path, readonly=True) as journal:
            keys = journal.natural_keys("shop")
        for i, fields in enumerate(present):
            row = " ".join(str(v) for v in frame.loc[keys[f"K{i}"]].dropna().tolist())
            for name in fields:
                value = SYNC_FIELDS[name][1]
                shown = {"status": "已发货", "amount_payable": "10.5", "amount_paid": "9.5"}.get(name, value)
                assert shown in row or name in reported, (name, value, layout, row, reported)
            assert "channel" in reported or "channel" in columns
