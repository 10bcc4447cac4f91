"""Pulling shop exports and carrier files into the sheet: real files in their real encodings."""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from conftest import CliRun, read_sheet
from desks import Desk, OnStore, by_channel_order
from desks import records as sheet

import sheetsync
from sheetsync import load_config
from sheetsync.config import Config, load_preset
from sheetsync.desk.new import init_desk
from sheetsync.journal.core import Journal
from sheetsync.journal.record import AS_CREATED
from sheetsync.model.cells import CellWrite
from sheetsync.stores.xlsx.patch import patch_xlsx

EXPORTS = Path(__file__).parent / "data" / "exports"
GOLDEN = Path(__file__).parent / "golden"
H = load_preset("zh")
DAY1 = dt.datetime(2026, 11, 21, 8, 0)
DAY2 = dt.datetime(2026, 11, 22, 8, 0)
CHANNELS = """
channels:
  - {name: douyin, path: inbox/douyin/*, mapping: douyin}
  - {name: pdd, path: inbox/pdd/*, mapping: pinduoduo}
  - {name: shopify, path: inbox/shopify/*, mapping: shopify_csv}
  - {name: woo, path: inbox/woo/*, mapping: woocommerce_csv}
  - {name: wechat, path: inbox/wechat/*, mapping: wechat_shop}
  - {name: pos, path: inbox/pos/*, mapping: pos_csv}
logistics:
  - {name: sf, path: inbox/sf/*, mapping: sf_waybills}
  - {name: carrier, path: inbox/carrier/*, mapping: carrier_generic}
promises: {抖音: 48h, 拼多多: 48h, default: 72h}
timezone: Asia/Shanghai
"""


@pytest.fixture
def desk(tmp_path: Path) -> Config:
    folder = tmp_path / "desk"
    init_desk(folder, "zh")
    with (folder / "sheetsync.yaml").open("a", encoding="utf-8") as fh:
        fh.write(CHANNELS)
    return load_config(folder / "sheetsync.yaml")


def drop(config: Config, channel: str, export: str, name: str | None = None) -> Path:
    folder = config.base_dir / "inbox" / channel
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (name or export)
    shutil.copy(EXPORTS / export, target)
    return target


@pytest.fixture
def any_desk(desk: Config, on_store: OnStore) -> Desk:
    """The pull desk on the test's store: an .xlsx workbook or a Google Sheet."""
    return on_store(desk)


def account(result: sheetsync.RunResult, name: str) -> dict[str, object]:
    return next(f for f in result.files if Path(str(f["path"])).name == name)


def test_douyin_export_becomes_one_row_per_order_with_rejects_kept(any_desk: Desk) -> None:
    desk = any_desk.config
    drop(desk, "douyin", "douyin_orders.csv")
    result = sheetsync.sync(desk, now=DAY1)
    counts = account(result, "douyin_orders.csv")
    assert (counts["rows_read"], counts["new"], counts["updated"], counts["unchanged"], counts["rejected"]) == (20, 18, 0, 0, 2)
    orders = by_channel_order(any_desk)
    assert len(orders) == 13
    liu = orders["6931245078213464477"]  # three sub-orders, the number wrapped with a leading tab
    assert liu["channel"] == "抖音" and liu["items"].count("×") == 3
    assert liu["promised_by"] - liu["created_at"] == dt.timedelta(hours=48)
    assert orders["6931245078213463350"]["phone"] == "18812345678-1234"
    assert orders["6931245078213461021"]["phone"] == "138****5678"
    assert result.rejects_file is not None
    rejects = read_sheet(Path(result.rejects_file), "douyin_orders")
    assert [(r[1], r[2]) for r in rejects[1:]] == [("6", "金额无法识别（订单应付金额）"), ("8", "缺少订单号（主订单编号）")]
    assert all(isinstance(v, str) for row in rejects for v in row)
    assert "#VALUE!" in rejects[1]


def test_multi_row_orders_sum_per_row_amounts_and_join_items(any_desk: Desk) -> None:
    desk = any_desk.config
    drop(desk, "douyin", "douyin_orders.csv")
    drop(desk, "shopify", "shopify_orders.csv")
    sheetsync.sync(desk, now=DAY1)
    orders = by_channel_order(any_desk)
    liu = orders["6931245078213464477"]
    with (EXPORTS / "douyin_orders.csv").open(encoding="utf-8-sig") as fh:
        rows = [r for r in csv.DictReader(fh) if r["主订单编号"].strip().strip('="\t') == "6931245078213464477"]
    assert len(rows) == 3
    assert liu["amount_payable"] == pytest.approx(sum(float(r["订单应付金额"]) for r in rows))
    shop = orders["#1003"]
    assert shop["items"].count("; ") == 2 and shop["country"] == "GB"
    assert shop["amount_payable"] == pytest.approx(float(_shopify_total("#1003")))


def _shopify_total(name: str) -> str:
    with (EXPORTS / "shopify_orders.csv").open(encoding="utf-8") as fh:
        return next(r["Total"] for r in csv.DictReader(fh) if r["Name"] == name and r["Total"])


def test_the_same_export_twice_even_renamed_imports_nothing_twice(desk: Config) -> None:
    drop(desk, "douyin", "douyin_orders.csv")
    sheetsync.sync(desk, now=DAY1)
    path = desk.workbook_path
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    drop(desk, "douyin", "douyin_orders.csv", name="抖店导出 (1).csv")
    again = sheetsync.sync(desk, now=DAY1)
    assert again.changes == [] and not again.workbook_written
    renamed = account(again, "抖店导出 (1).csv")
    assert renamed["seen"] and renamed["skipped"] == "内容相同的文件已导入过（inbox/douyin/douyin_orders.csv）"
    assert account(again, "douyin_orders.csv")["skipped"] == "已导入过，内容没有变"  # the file itself, found again
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert len(sheet(desk)) == 13


def test_a_later_export_updates_only_the_changed_cells_and_adds_the_new_order(any_desk: Desk) -> None:
    desk = any_desk.config
    drop(desk, "douyin", "douyin_orders.csv")
    sheetsync.sync(desk, now=DAY1)
    first = by_channel_order(any_desk)
    drop(desk, "douyin", "douyin_orders_later.csv")
    result = sheetsync.sync(desk, now=DAY2)
    later = by_channel_order(any_desk)
    assert set(later) - set(first) == {"6931245078213476671"}
    li = later["6931245078213461021"]
    assert li["status"] == "已发货" and li["tracking_no"] == "SF1402345678913" and li["carrier"] == "顺丰速运"
    updates = {c["field"] for c in result.changes if c["source"] == "channel" and c["field"] != "*"}
    assert updates == {"status", "carrier", "tracking_no", "shipped_at"}
    assert [c["order_id"] for c in result.changes if c["field"] == "*"] == [later["6931245078213476671"]["order_id"]]
    unchanged = later["6931245078213469905"]  # 杨磊's order did not change between the exports
    assert unchanged == first["6931245078213469905"]
    counts = account(result, "douyin_orders_later.csv")
    assert counts["rows_read"] == counts["new"] + counts["updated"] + counts["unchanged"] + counts["rejected"]
    assert counts["new"] == 1 and counts["rejected"] == 2 and counts["updated"] >= 6


def test_a_persons_edit_survives_a_later_export_and_the_conflict_is_flagged(desk: Config) -> None:
    drop(desk, "douyin", "douyin_orders.csv")
    sheetsync.sync(desk, now=DAY1)
    rows = read_sheet(desk.workbook_path)
    row = next(i for i, r in enumerate(rows) if r[2] == "6931245078213461021") + 1
    order_id = rows[row - 1][0]
    stored = "SELECT vals FROM base WHERE order_id=?"
    with Journal(desk.journal_path) as journal:  # the new order's base row is its creation's values, stored once
        assert journal.db.execute(stored, (order_id,)).fetchone()[0] == AS_CREATED
    status_col = rows[0].index(H["status"]) + 1
    tmp = desk.workbook_path.with_suffix(".tmp.xlsx")
    patch_xlsx(desk.workbook_path, tmp, "订单", [CellWrite(row, status_col, "备货中")])
    os.replace(tmp, desk.workbook_path)
    drop(desk, "douyin", "douyin_orders_later.csv")
    result = sheetsync.sync(desk, now=DAY2)
    li = by_channel_order(desk)["6931245078213461021"]
    assert li["status"] == "备货中"
    assert li["tracking_no"] == "SF1402345678913"
    assert "CONFLICT" in li["anomalies"] and "备货中" in li["anomalies"] and "已发货" in li["anomalies"]
    assert result.conflicts == 1
    assert any(e["field"] == "status" and e["new"] == "备货中" for e in result.person_edits)
    with Journal(desk.journal_path) as journal:
        assert journal.base_values([order_id])[order_id]["status"] == "备货中"
        assert journal.db.execute(stored, (order_id,)).fetchone()[0] != AS_CREATED
    again = sheetsync.sync(desk, now=DAY2)
    assert again.changes == [] and "CONFLICT" in by_channel_order(desk)["6931245078213461021"]["anomalies"]


def test_values_that_look_like_formulas_are_written_as_text(desk: Config, tmp_path: Path) -> None:
    export = desk.base_dir / "inbox" / "douyin" / "tricky.csv"
    export.parent.mkdir(parents=True)
    export.write_text(
        "主订单编号,收件人,收件人手机号,省,市,区,详细地址,商家编码,商品数量,订单应付金额,订单提交时间\n"
        '1001,"=HYPERLINK(""http://x"",""点我"")",13812345678,浙江省,杭州市,西湖区,+86 请发顺丰,@SUM(A1),1,10,'
        "2026-11-20 09:00:00\n"
        '1002,-2+3,13812345679,浙江省,杭州市,西湖区,"\r=1+1",=cmd|x,1,10,2026-11-20 09:00:00\n',
        encoding="utf-8",
    )
    sheetsync.sync(desk, now=DAY1)
    with zipfile.ZipFile(desk.workbook_path) as package:
        xml = package.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml
    orders = by_channel_order(desk)
    assert orders["1001"]["customer_name"] == '=HYPERLINK("http://x","点我")'
    assert orders["1001"]["address"] == "+86 请发顺丰"
    assert orders["1001"]["items"] == "@SUM(A1)×1"
    assert orders["1002"]["customer_name"] == "-2+3"
    assert 't="inlineStr"><is><t xml:space="preserve">=HYPERLINK' in xml or "=HYPERLINK" in xml


def test_gbk_pinduoduo_export_with_float_and_full_width_phones(any_desk: Desk) -> None:
    desk = any_desk.config
    drop(desk, "pdd", "pinduoduo_orders.csv")
    result = sheetsync.sync(desk, now=DAY1)
    orders = by_channel_order(any_desk)
    assert len(orders) == 14  # an exact duplicate row collapses into its order
    phones = {o["customer_name"]: o["phone"] for o in orders.values()}
    assert phones["梁淑芬"] == "13698765432"
    assert phones["唐小龙"] == "13571239876"
    assert phones["罗春梅"] == "1.38e+10"
    luo = next(o for o in orders.values() if o["customer_name"] == "罗春梅")
    assert "PHONE_INVALID" in luo["anomalies"]
    assert result.anomalies.get("PHONE_INVALID") == 1
    assert orders["261120-058812345678901"]["status"] == "已发货"


def test_waybills_fill_tracking_numbers_and_report_the_unmatched_one(any_desk: Desk) -> None:
    desk = any_desk.config
    drop(desk, "douyin", "douyin_orders.csv")
    drop(desk, "pdd", "pinduoduo_orders.csv")
    drop(desk, "sf", "sf_waybills.xlsx")
    result = sheetsync.sync(desk, now=DAY1)
    orders = by_channel_order(any_desk)
    assert orders["261119-158812345678902"]["tracking_no"] == "SF1402345680977"
    assert orders["261119-158812345678902"]["delivered_at"] == dt.datetime(2026, 11, 21, 10, 15, 48)
    assert orders["6931245078213468839"]["tracking_no"] == "SF1402345679018"
    assert [w["tracking_no"] for w in result.unmatched_waybills] == ["SF1402345670001"]
    counts = account(result, "sf_waybills.xlsx")
    assert (counts["rows_read"], counts["updated"] + counts["unchanged"]) == (9, 9)


def test_a_changed_tracking_number_on_a_shipped_order_is_flagged(desk: Config) -> None:
    drop(desk, "douyin", "douyin_orders.csv")
    sheetsync.sync(desk, now=DAY1)
    order_id = next(r["order_id"] for r in sheet(desk) if r["channel_order_id"] == "6931245078213462188")
    feed = desk.base_dir / "inbox" / "carrier" / "feed.csv"
    feed.parent.mkdir(parents=True)
    feed.write_text(f"order_id,carrier,tracking_no,shipped_at\n{order_id},SF,SF9999999999999,2026-11-21T09:00:00\n",
                    encoding="utf-8")
    result = sheetsync.sync(desk, now=DAY2)
    row = by_channel_order(desk)["6931245078213462188"]
    assert row["tracking_no"] == "SF9999999999999"
    assert "TRACKING_CHANGED" in row["anomalies"] and "SF1402345671206" in row["anomalies"]
    assert result.anomalies["TRACKING_CHANGED"] == 1


def test_an_unreadable_file_exits_6_after_the_others_are_taken(desk: Config, run_cli: Callable[..., CliRun]) -> None:
    drop(desk, "douyin", "douyin_orders.csv")
    drop(desk, "wechat", "corrupt_export.xlsx")
    result = run_cli("sync", "-c", desk.source, "--now", "2026-11-21T08:00")
    assert result.code == 6 and "corrupt_export.xlsx" in result.err
    assert len(sheet(desk)) == 13
    aside = desk.state_dir / "set-aside" / "wechat"
    assert (aside / "corrupt_export.xlsx").exists() and (aside / "corrupt_export.xlsx.reason.txt").read_text(encoding="utf-8")
    assert str(aside) in result.err  # said once, with where it went
    again = run_cli("sync", "-c", desk.source, "--now", "2026-11-21T08:00")
    assert again.code == 0 and len(sheet(desk)) == 13  # it never blocks the next runs


def test_a_file_cut_mid_character_keeps_its_complete_lines(desk: Config) -> None:
    drop(desk, "pdd", "truncated_export.csv")
    result = sheetsync.sync(desk, now=DAY1)
    counts = account(result, "truncated_export.csv")
    assert (counts["rows_read"], counts["new"], counts["rejected"]) == (6, 5, 1)
    assert all("�" not in str(v) for r in sheet(desk) for v in r.values())


def test_an_order_a_person_deleted_is_not_recreated(desk: Config) -> None:
    drop(desk, "douyin", "douyin_orders.csv")
    sheetsync.sync(desk, now=DAY1)
    rows = read_sheet(desk.workbook_path)
    row = next(i for i, r in enumerate(rows) if r[2] == "6931245078213469905") + 1
    tmp = desk.workbook_path.with_suffix(".tmp.xlsx")
    patch_xlsx(desk.workbook_path, tmp, "订单", [CellWrite(row, c, None) for c in range(1, len(rows[0]) + 1)])
    os.replace(tmp, desk.workbook_path)
    gone = sheetsync.sync(desk, now=DAY2)
    assert len(gone.deleted) == 1
    drop(desk, "douyin", "douyin_orders_later.csv")
    later = sheetsync.sync(desk, now=DAY2)
    assert gone.deleted == later.not_recreated
    assert "6931245078213469905" not in by_channel_order(desk)


def test_every_sample_export_lands_as_the_golden_table(any_desk: Desk) -> None:
    desk = any_desk.config
    for channel, export in [("douyin", "douyin_orders.csv"), ("pdd", "pinduoduo_orders.csv"),
                            ("shopify", "shopify_orders.csv"), ("woo", "woocommerce_orders.csv"),
                            ("wechat", "wechat_shop_orders.xlsx"), ("pos", "pos_export.csv"), ("sf", "sf_waybills.xlsx")]:
        drop(desk, channel, export)
    result = sheetsync.sync(desk, now=DAY1)
    for f in result.files:
        assert f["rows_read"] == f["new"] + f["updated"] + f["unchanged"] + f["rejected"], f
    got = [[_text(v) for v in row] for row in any_desk.rows()]
    golden = GOLDEN / "pull_all_samples.csv"
    if os.environ.get("SHEETSYNC_REGEN_GOLDEN"):
        with golden.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(got)
    with golden.open(encoding="utf-8", newline="") as fh:
        assert got == list(csv.reader(fh))


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return "" if value is None else str(value)


def test_one_string_addresses_are_split_with_real_divisions(tmp_path: Path) -> None:
    folder = tmp_path / "tb"
    init_desk(folder, "zh")
    with (folder / "sheetsync.yaml").open("a", encoding="utf-8") as fh:
        fh.write("channels:\n  - {name: taobao, path: inbox/*.csv, mapping: taobao}\n"
                 "  - {name: phone, path: inbox/*.xlsx, mapping: phone_orders}\n")
    shutil.copy(EXPORTS / "taobao_orders.csv", folder / "inbox")
    shutil.copy(EXPORTS / "phone_orders.xlsx", folder / "inbox")
    config = load_config(folder / "sheetsync.yaml")
    result = sheetsync.sync(config, now=DAY1)
    rows = sheet(config)
    taobao = {r["channel_order_id"]: r for r in rows if r["channel"] == "淘宝"}
    assert len(taobao) == 12
    first = taobao["3845120958712340561"]
    assert (first["province"], first["city"], first["district"], first["postcode"]) == ("浙江省", "杭州市", "余杭区", "311121")
    assert first["address"] == "五常街道 文一西路 969 号"
    nospace = next(r for r in taobao.values() if str(r["address"]).startswith("科技园"))
    assert (nospace["province"], nospace["city"], nospace["district"]) == ("广东省", "深圳市", "南山区")
    beijing = next(r for r in taobao.values() if r["district"] == "朝阳区")
    assert (beijing["province"], beijing["city"]) == ("北京市", "北京市")
    assert next(r for r in taobao.values() if r["customer_name"] == "刘䶮")  # a GB18030-only character
    phone = [r for r in rows if r["channel"] == "400电话"]
    assert len(phone) == 10
    counts = account(result, "phone_orders.xlsx")
    assert (counts["rows_read"], counts["rejected"]) == (11, 1)
    no_district = next(r for r in phone if str(r["address"]).startswith("文三路"))
    assert (no_district["province"], no_district["city"], no_district["district"]) == ("浙江省", "杭州市", "")
    assert all(r["items"] and "×" in r["items"] for r in phone)
    assert all(r["channel_order_id"] in ("", None) for r in phone)  # a made-up key (when / who called) is no order number
    (folder / "inbox" / "again").mkdir()
    book = openpyxl.load_workbook(EXPORTS / "phone_orders.xlsx")  # the same calls saved again: other bytes
    book.save(folder / "inbox" / "again" / "phone_orders_copy.xlsx")
    config = config.model_copy(update={"channels": [c.model_copy(update={"path": "inbox/again/*.xlsx"})
                                                    for c in config.channels if c.name == "phone"]})
    again = sheetsync.sync(config, now=DAY1)
    assert account(again, "phone_orders_copy.xlsx")["new"] == 0 and not again.rows_appended  # known by the journal's key


def test_channel_configuration_errors_exit_2_and_say_what_to_fix(tmp_path: Path, run_cli: Callable[..., CliRun]) -> None:
    folder = tmp_path / "bad"
    init_desk(folder, "zh")
    config = folder / "sheetsync.yaml"
    base = config.read_text(encoding="utf-8")
    config.write_text(base + "channels:\n  - {name: dy, mapping: douyinn}\n", encoding="utf-8")
    result = run_cli("sync", "-c", config)
    assert result.code == 2 and "douyinn" in result.err and "douyin" in result.err
    config.write_text(base + "channels:\n  - {name: sf, mapping: sf_waybills}\n", encoding="utf-8")
    result = run_cli("sync", "-c", config)
    assert result.code == 2 and "logistics" in result.err
    (folder / "mappings").mkdir()
    (folder / "mappings" / "mine.yaml").write_text("label: 我的店\nfields:\n  channel_order_id: 单号\n  colour: 颜色\n",
                                                   encoding="utf-8")
    config.write_text(base + "channels:\n  - {name: mine, mapping: mine}\n", encoding="utf-8")
    result = run_cli("sync", "-c", config)
    assert result.code == 2 and "mine.yaml:2:1: fields" in result.err and "colour" in result.err


def test_a_team_mapping_may_extend_a_shipped_one(desk: Config) -> None:
    folder = desk.base_dir / "mappings"
    folder.mkdir()
    (folder / "douyin_shop2.yaml").write_text("extends: douyin\nlabel: 抖音二店\nfields:\n  customer_name: 收件人姓名\n",
                                              encoding="utf-8")
    text = desk.source.read_text(encoding="utf-8").replace("mapping: douyin}", "mapping: douyin_shop2}")
    desk.source.write_text(text, encoding="utf-8")
    export = desk.base_dir / "inbox" / "douyin" / "shop2.csv"
    export.parent.mkdir(parents=True)
    export.write_text("主订单编号,收件人姓名,收件人手机号,订单应付金额\n9001,周敏,13812345678,10\n", encoding="utf-8")
    sheetsync.sync(load_config(desk.source), now=DAY1)
    row = by_channel_order(desk)["9001"]
    assert (row["channel"], row["customer_name"], row["phone"]) == ("抖音二店", "周敏", "13812345678")


def test_check_validates_the_channels_mappings(tmp_path: Path, run_cli: Callable[..., CliRun]) -> None:
    folder = tmp_path / "chk"
    init_desk(folder, "zh")
    config = folder / "sheetsync.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "channels:\n  - {name: dy, mapping: nosuch}\n", encoding="utf-8")
    result = run_cli("check", "-c", config)
    assert result.code == 2 and "nosuch" in result.err


def test_archive_moves_the_files_taken_and_nothing_else_is_moved(desk: Config) -> None:
    text = desk.source.read_text(encoding="utf-8").replace("mapping: pinduoduo}", "mapping: pinduoduo, archive: done}")
    desk.source.write_text(text, encoding="utf-8")
    config = load_config(desk.source)
    pdd = drop(config, "pdd", "pinduoduo_orders.csv")
    dy = drop(config, "douyin", "douyin_orders.csv")
    sheetsync.sync(config, now=DAY1)
    assert not pdd.exists() and (config.base_dir / "done" / "pinduoduo_orders.csv").exists()
    assert dy.exists()


def test_an_xls_export_saved_by_libreoffice_is_pulled(desk: Config, soffice: str, tmp_path: Path) -> None:
    import subprocess

    profile = (tmp_path / "lo").resolve().as_uri()
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "xls",
                    "--outdir", str(tmp_path / "xls"), str(EXPORTS / "wechat_shop_orders.xlsx")],
                   check=True, capture_output=True, timeout=180)
    folder = desk.base_dir / "inbox" / "wechat"
    folder.mkdir(parents=True)
    shutil.copy(tmp_path / "xls" / "wechat_shop_orders.xls", folder)
    result = sheetsync.sync(desk, now=DAY1)
    counts = account(result, "wechat_shop_orders.xls")
    assert (counts["rows_read"], counts["new"], counts["rejected"]) == (11, 11, 0)
    orders = by_channel_order(desk)
    assert len(orders) == 9 and orders["3719826011234567890"]["phone"] == "13916702233"


def test_appended_rows_get_the_fill_of_their_anomalies(desk: Config) -> None:
    import openpyxl

    folder = desk.base_dir / "inbox" / "douyin"
    folder.mkdir(parents=True)
    (folder / "two.csv").write_text(
        "主订单编号,选购商品,商品数量,订单应付金额,收件人,收件人手机号,省,市,区,详细地址,订单提交时间,订单状态\n"
        "6931245078213460101,雨刮片,1,68.00,赵敏,13770528813,江苏省,南京市,鼓楼区,北京西路6号,2026-11-20 17:51:03,待发货\n"
        "6931245078213460102,雨刮片,1,68.00,钱多,12345,江苏省,南京市,鼓楼区,北京西路8号,2026-11-20 17:52:03,待发货\n",
        encoding="utf-8")
    result = sheetsync.sync(desk, now=DAY1)
    assert result.rows_appended == 2 and result.anomalies.get("PHONE_INVALID") == 1
    book = openpyxl.load_workbook(desk.workbook_path)
    ws = book.worksheets[0]
    header = [c.value for c in ws[1]]
    col = header.index(H["anomalies"]) + 1
    flagged = plain = 0
    for row in range(2, ws.max_row + 1):
        cell = ws.cell(row, col)
        filled = cell.fill.fill_type == "solid"
        if cell.value:
            flagged += 1
            assert filled, f"row {row}: {cell.value} has no fill"
        else:
            plain += 1
            assert not filled, f"row {row}: an empty anomalies cell is filled"
    assert flagged and plain
