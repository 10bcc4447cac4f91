"""After-sales tickets through syncs: a shop's after-sales export as a channel (linked to its orders by the shop's
order number, merged three ways, never re-created once deleted), the tickets' own workflow (SLA, required fields,
people's moves judged), the orders' statuses following their tickets, and return tracking from a carrier's file."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CliRun, read_sheet, use_workflow
from desks import Desk, OnStore, XlsxDesk

import sheetsync
from sheetsync import load_config
from sheetsync.config import Config
from sheetsync.desk.new import init_desk
from sheetsync.model.cells import CellWrite

NOW = dt.datetime(2026, 11, 22, 10, 0)
EXPORTS = Path(__file__).parent / "data" / "exports"
COLUMNS = ["售后单号", "订单号", "渠道", "渠道售后单号", "渠道订单号", "客户姓名", "申请时间", "类型", "原因大类", "具体原因",
           "退款金额", "退件快递单号", "照片", "负责人", "状态", "状态时间", "时效", "异常", "备注"]
C = {name: i for i, name in enumerate(COLUMNS)}
MAPPING = """\
label: 抖音
kind: tickets
key: channel_ticket_id
fields:
  channel_ticket_id: 售后单号
  channel_order_id: 订单号
  created_at: 申请时间
  kind: {column: 售后类型, values: {仅退款: refund, 退货退款: return, 换货: exchange}}
  reason: {column: 售后原因, values: {包装破损: 物流问题, 七天无理由: 客户原因}}
  sub_reason: {column: 售后原因, values: {包装破损: 包装破损, 七天无理由: 七天无理由}}
  refund_amount: 退款金额
  return_tracking_no: 退货物流单号
  status:
    column: 售后状态
    values: {待商家处理: requested, 待买家退货: awaiting_return, 待商家收货: returning, 退款成功: refunded, 售后关闭: closed}
"""
HEADER = "售后单号,订单号,售后类型,售后原因,申请时间,退款金额,退货物流单号,售后状态"
LIU_YANG, ZHANG_WEI, MA_CHAO = "6931245078213464477", "6931245078213462188", "6931245078213473384"
FIRST = [  # 刘洋's order is 已完成, 张伟's 已发货; the third names an order no export has
    f"AS7001,{LIU_YANG},退货退款,七天无理由,2026-11-21 09:00:00,129.00,,待商家处理",
    f"AS7002,{ZHANG_WEI},仅退款,包装破损,2026-11-21 09:30:00,59.90,,退款成功",
    "AS7003,6931245078299999999,退货退款,包装破损,2026-11-21 10:00:00,88.00,,待商家处理",
]


def _desk(tmp_path: Path) -> Config:
    """A new desk on the default workflow, its 抖店 orders from the sample export, and a 抖店 after-sales channel."""
    init_desk(tmp_path / "desk", "zh")
    source = tmp_path / "desk" / "sheetsync.yaml"
    use_workflow(source, "default_zh", "channels:\n  - {name: douyin, path: inbox/douyin/*, mapping: douyin}\n"
                                       "  - {name: douyin_as, path: inbox/douyin_as/*, mapping: mappings/as.yaml}\n"
                                       "logistics:\n  - {name: sf, path: inbox/sf/*, mapping: carrier_generic}\n")
    (tmp_path / "desk" / "mappings").mkdir()
    (tmp_path / "desk" / "mappings" / "as.yaml").write_text(MAPPING, encoding="utf-8")
    (tmp_path / "desk" / "inbox" / "douyin").mkdir(parents=True)
    shutil.copy(EXPORTS / "douyin_orders.csv", tmp_path / "desk" / "inbox" / "douyin")
    return load_config(source)


def _drop(config: Config, name: str, lines: list[str], channel: str = "douyin_as", header: str = HEADER) -> None:
    folder = config.base_dir / "inbox" / channel
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")


def _on(desk: Config | Desk) -> Desk:
    return XlsxDesk(desk) if isinstance(desk, Config) else desk


def _tickets(config: Config | Desk) -> dict[str, list[object]]:
    """The after-sales sheet's rows by the shop's after-sales number (or ticket id), as another reader sees them."""
    rows = _on(config).rows("售后")[1:]
    return {str(r[C["渠道售后单号"]] or r[C["售后单号"]]): r for r in rows if r[0]}


def _order_status(config: Config | Desk, number: str) -> str:
    rows = _on(config).rows()
    header = rows[0]
    return next(str(r[header.index("状态")]) for r in rows[1:] if str(r[header.index("渠道订单号")]) == number)


def _edit(config: Config | Desk, writes: list[CellWrite], sheet: str = "售后") -> None:
    """A person's edit saved into the workbook (through the in-place writer, as a spreadsheet would keep the rest)."""
    _on(config).edit(*writes, sheet=sheet)


def _row_of(config: Config | Desk, key: str) -> int:
    rows = _on(config).rows("售后")
    return next(i + 1 for i, r in enumerate(rows) if key in (str(r[C["渠道售后单号"]]), str(r[0])))


def test_shop_tickets_link_to_their_orders_move_them_and_re_pulling_changes_nothing(tmp_path: Path,
                                                                                     on_store: OnStore) -> None:
    desk = on_store(_desk(tmp_path))
    config = desk.config
    _drop(config, "as_1121.csv", FIRST)
    result = sheetsync.sync(config, now=NOW)
    assert result.tickets["new"] == 3 and len(result.tickets["assigned"]) == 0
    tickets = _tickets(desk)
    liu, zhang, unknown = tickets["AS7001"], tickets["AS7002"], tickets["AS7003"]
    assert str(liu[C["售后单号"]]).startswith("AS20261122-")
    assert liu[C["订单号"]] and liu[C["渠道"]] == "抖音" and liu[C["客户姓名"]] == "刘洋"
    assert (liu[C["类型"]], liu[C["原因大类"]], liu[C["具体原因"]]) == ("退货", "客户原因", "七天无理由")
    assert liu[C["状态"]] == "待审核"
    assert liu[C["退款金额"]] == 129.0 and liu[C["申请时间"]] == dt.datetime(2026, 11, 21, 9, 0)
    assert (zhang[C["类型"]], zhang[C["状态"]], zhang[C["客户姓名"]]) == ("仅退款", "已退款", "张伟")
    assert unknown[C["订单号"]] == "" and unknown[C["异常"]].startswith("TICKET_ORDER_UNKNOWN")
    assert "6931245078299999999" in unknown[C["异常"]]
    # the orders follow their tickets: a delivered order with a return under way, a shipped one refunded
    assert _order_status(desk, LIU_YANG) == "退款中" and _order_status(desk, ZHANG_WEI) == "已退款"
    accounts = [f for f in result.files if f["channel"] == "douyin_as"]
    assert [(f["rows_read"], f["new"], f["unchanged"]) for f in accounts] == [(3, 3, 0)]

    _drop(config, "as_1121_again.csv", [*FIRST, ""])  # the same export again (another file: one more blank line)
    again = sheetsync.sync(load_config(config.source), now=NOW + dt.timedelta(minutes=5))
    assert again.tickets["new"] == 0 and again.tickets["changes"] == 0 and not again.workbook_written
    assert [(f["new"], f["updated"], f["unchanged"]) for f in again.files if f["channel"] == "douyin_as"][-1] == (0, 0, 3)


def test_a_persons_edit_to_a_shop_ticket_is_never_overwritten(tmp_path: Path, on_store: OnStore) -> None:
    desk = on_store(_desk(tmp_path))
    config = desk.config
    _drop(config, "as_1121.csv", FIRST)
    sheetsync.sync(config, now=NOW)
    row = _row_of(desk, "AS7001")
    _edit(desk, [CellWrite(row, C["退款金额"] + 1, 100.0), CellWrite(row, C["负责人"] + 1, "小李")])
    later = [f"AS7001,{LIU_YANG},退货退款,七天无理由,2026-11-21 09:00:00,139.00,YT9988776655,待商家收货"]
    _drop(config, "as_1122.csv", later)
    result = sheetsync.sync(load_config(config.source), now=NOW + dt.timedelta(hours=1))
    liu = _tickets(desk)["AS7001"]
    assert liu[C["退款金额"]] == 100.0 and liu[C["负责人"]] == "小李"  # the person's amount and owner stand
    assert liu[C["退件快递单号"]] == "YT9988776655" and liu[C["状态"]] == "退件在途"  # the shop's news the person left
    assert "CONFLICT" in liu[C["异常"]] and "139" in liu[C["异常"]] and result.tickets["anomalies"]["CONFLICT"] == 1
    ticket = str(liu[C["售后单号"]])
    said = [(e.field, e.old, e.new, e.source) for e in sheetsync.history(load_config(config.source), ticket)]
    assert ("refund_amount", "129", "100", "person") in said and ("owner", None, "小李", "person") in said
    # the conflict lasts until the person changes the cell; then it is resolved
    again = sheetsync.sync(load_config(config.source), now=NOW + dt.timedelta(hours=2))
    assert again.tickets["anomalies"].get("CONFLICT") == 1
    _edit(desk, [CellWrite(row, C["退款金额"] + 1, 139.0)])
    mended = sheetsync.sync(load_config(config.source), now=NOW + dt.timedelta(hours=3))
    assert "CONFLICT" not in mended.tickets["anomalies"] and _tickets(desk)["AS7001"][C["异常"]] == ""


def test_a_deleted_ticket_is_never_re_created(tmp_path: Path) -> None:
    config = _desk(tmp_path)
    _drop(config, "as_1121.csv", FIRST)
    sheetsync.sync(config, now=NOW)
    row = _row_of(config, "AS7003")
    ticket = _tickets(config)["AS7003"][0]
    _edit(config, [CellWrite(row, c + 1, None) for c in range(len(COLUMNS))])
    sheetsync.sync(load_config(config.source), now=NOW + dt.timedelta(hours=1))
    _drop(config, "as_1122.csv", [FIRST[2].replace("待商家处理", "售后关闭")])
    result = sheetsync.sync(load_config(config.source), now=NOW + dt.timedelta(hours=2))
    assert "AS7003" not in _tickets(config) and result.tickets["new"] == 0
    assert any(e.field == "*" and e.source == "person" for e in sheetsync.history(load_config(config.source), str(ticket)))


def test_the_ticket_workflow_grades_sla_and_puts_back_a_move_without_its_required_field(tmp_path: Path) -> None:
    config = _desk(tmp_path)
    _drop(config, "as_1121.csv", FIRST[:1])
    sheetsync.sync(config, now=NOW)
    assert _tickets(config)["AS7001"][C["时效"]] == "正常"
    sheetsync.sync(load_config(config.source), now=NOW + dt.timedelta(hours=20))
    assert _tickets(config)["AS7001"][C["时效"]] == "预警"  # 75 % of 待审核's 24 h
    row = _row_of(config, "AS7001")
    _edit(config, [CellWrite(row, C["状态"] + 1, "已退款"), CellWrite(row, C["退款金额"] + 1, None)])
    result = sheetsync.sync(load_config(config.source), now=NOW + dt.timedelta(hours=25))
    liu = _tickets(config)["AS7001"]
    assert liu[C["状态"]] == "待审核" and liu[C["时效"]] == "超时"
    assert "退款金额" in liu[C["异常"]] and result.tickets["anomalies"]
    _edit(config, [CellWrite(row, C["状态"] + 1, "已退款"), CellWrite(row, C["退款金额"] + 1, 129.0)])
    sheetsync.sync(load_config(config.source), now=NOW + dt.timedelta(hours=26))
    liu = _tickets(config)["AS7001"]
    assert liu[C["状态"]] == "已退款" and _order_status(config, LIU_YANG) == "已退款"
    history = sheetsync.history(load_config(config.source), str(liu[C["订单号"]]))
    assert any(e.field == "status" and (e.old, e.new) == ("退款中", "已退款") and e.source == "channel"
               and "售后" in str(e.detail) for e in history)


def test_a_return_tracked_by_the_carrier_moves_the_ticket_and_not_the_order(tmp_path: Path) -> None:
    config = _desk(tmp_path)
    _drop(config, "as_1121.csv", [f"AS7009,{MA_CHAO},退货退款,包装破损,2026-11-21 11:00:00,66.00,,待买家退货"])
    sheetsync.sync(config, now=NOW)
    row = _row_of(config, "AS7009")
    assert _tickets(config)["AS7009"][C["状态"]] == "待退件"
    _edit(config, [CellWrite(row, C["退件快递单号"] + 1, "SF7700000000123")])  # the customer sent it back
    sheetsync.sync(load_config(config.source), now=NOW + dt.timedelta(hours=1))
    assert _tickets(config)["AS7009"][C["状态"]] == "退件在途"
    order_before = _order_status(config, MA_CHAO)
    _drop(config, "sf_1123.csv", [f",{MA_CHAO},SF,SF7700000000123,2026-11-22 12:00:00,2026-11-23 09:30:00,马超,"],
          channel="sf", header="order_id,channel_order_id,carrier,tracking_no,shipped_at,delivered_at,receiver_name,"
                               "receiver_phone")
    result = sheetsync.sync(load_config(config.source), now=NOW + dt.timedelta(days=1))
    assert _tickets(config)["AS7009"][C["状态"]] == "已收货" and result.tickets["returns"] == 1
    rows = read_sheet(config.workbook_path)
    header = rows[0]
    ma = next(r for r in rows[1:] if str(r[header.index("渠道订单号")]) == MA_CHAO)
    assert ma[header.index("快递单号")] == "JDX000123456789"  # the order's own shipment is untouched
    assert _order_status(config, MA_CHAO) == order_before and result.unmatched_waybills == []


GOLDEN = Path(__file__).parent / "golden" / "aftersales_report.json"


def test_the_report_gives_the_after_sales_figures_as_the_golden_ones(tmp_path: Path, run_cli: Callable[..., CliRun]) -> None:
    """Return rates by channel, SKU and warehouse against the orders shipped, the reasons and the share of "other",
    time to close from the journal's moves, tickets past their SLA, the money refunded: on a desk made by syncs."""
    config = _desk(tmp_path)
    _drop(config, "as_1121.csv", FIRST)
    sheetsync.sync(config, now=NOW)
    later = [f"AS7001,{LIU_YANG},退货退款,七天无理由,2026-11-21 09:00:00,129.00,YT9988776655,退款成功"]
    _drop(config, "as_1122.csv", later)
    sheetsync.sync(load_config(config.source), now=NOW + dt.timedelta(hours=30))
    run = run_cli("report", "-c", config.source, "--from", "2026-11-15", "--to", "2026-11-24", "--now",
                  "2026-11-23T17:00", "--json")
    assert run.code == 0, run.err
    figures = run.json()["aftersales"]
    if os.environ.get("SHEETSYNC_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(figures, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    assert figures == json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert (figures["tickets"], figures["closed"], figures["past_sla"], figures["refunded"]) == (3, 2, 1, "188.9")
    shown = run_cli("report", "-c", config.source, "--from", "2026-11-15", "--to", "2026-11-24", "--now",
                    "2026-11-23T17:00")
    assert shown.code == 0 and "售后" in shown.out and "各渠道退货率" in shown.out and "七天无理由" in shown.out


def test_reconcile_compares_the_finance_exports_refunds_with_the_refunded_tickets(tmp_path: Path,
                                                                                  run_cli: Callable[..., CliRun]) -> None:
    """The sample finance export refunds 孙强's order 79.80 and not 张伟's; the sheet refunded 张伟 59.90 and not 孙强."""
    config = _desk(tmp_path)
    _drop(config, "as_1121.csv", FIRST)
    sheetsync.sync(config, now=NOW)
    shutil.copy(EXPORTS / "finance_export.csv", config.base_dir / "finance_export.csv")
    run = run_cli("reconcile", "-c", config.source, "--against", "finance_refunds=finance_export.csv", "--json")
    assert run.code == 3, run.err
    found = [d for d in run.json()["differences"] if d["kind"] == "refund"]
    by_key = {d["key"]: (d["desk"], d["other"], d["note"]) for d in found}
    assert by_key == {"6931245078213472260": (None, "79.8", "missing_on_desk"),
                      ZHANG_WEI: ("59.9", None, "missing_in_source")}
    assert run.json()["counts"] == {"refund": 2}
    shown = run_cli("reconcile", "-c", config.source, "--against", "finance_refunds=finance_export.csv")
    assert shown.code == 3 and "退款不符" in shown.out


def test_the_three_shops_after_sales_exports_sync_into_the_sheet(tmp_path: Path) -> None:
    """The shipped samples of 抖店, 千牛 and 拼多多 after-sales exports, beside those shops' order exports: every ticket
    is linked to its order but the one per shop whose order is in no export (flagged, kept), the reasons a mapping
    does not translate are flagged, and the later 抖店 export moves its tickets on and adds one."""
    init_desk(tmp_path / "desk", "zh")
    source = tmp_path / "desk" / "sheetsync.yaml"
    shops = {"douyin": ("douyin", "douyin_orders.csv"), "taobao": ("taobao", "taobao_orders.csv"),
             "pinduoduo": ("pinduoduo", "pinduoduo_orders.csv"),
             "douyin_as": ("douyin_aftersales", "douyin_aftersales.csv"),
             "taobao_as": ("taobao_refunds", "taobao_refunds.csv"),
             "pinduoduo_as": ("pinduoduo_aftersales", "pinduoduo_aftersales.csv")}
    lines = "".join(f"  - {{name: {name}, path: inbox/{name}/*, mapping: {mapping}}}\n" for name, (mapping, _) in shops.items())
    use_workflow(source, "default_zh", "channels:\n" + lines)
    for name, (_, export) in shops.items():
        (tmp_path / "desk" / "inbox" / name).mkdir(parents=True)
        shutil.copy(EXPORTS / export, tmp_path / "desk" / "inbox" / name)
    config = load_config(source)
    result = sheetsync.sync(config, now=dt.datetime(2026, 11, 24, 9, 0))
    assert result.tickets["new"] == 11 + 8 + 8
    rows = read_sheet(config.workbook_path, "售后")[1:]
    unknown = {str(r[C["渠道订单号"]]) for r in rows if str(r[C["异常"]]).startswith("TICKET_ORDER_UNKNOWN")}
    assert unknown == {"6931245078213400217", "3845120958712339876", "261117-758812345678999"}
    linked = [r for r in rows if str(r[C["渠道订单号"]]) not in unknown]
    assert all(r[C["订单号"]] and r[C["客户姓名"]] for r in linked)
    assert result.tickets["anomalies"].get("REASON_UNKNOWN") == 3
    assert {r[C["渠道"]] for r in rows} == {"抖音", "淘宝", "拼多多"}
    douyin = {str(r[C["渠道售后单号"]]): r for r in rows if r[C["渠道"]] == "抖音"}
    assert douyin["7305186420913371066"][C["状态"]] == "待退件"
    shutil.copy(EXPORTS / "douyin_aftersales_later.csv", tmp_path / "desk" / "inbox" / "douyin_as")
    later = sheetsync.sync(load_config(source), now=dt.datetime(2026, 11, 24, 19, 0))
    assert later.tickets["new"] == 1
    douyin = {str(r[C["渠道售后单号"]]): r for r in read_sheet(config.workbook_path, "售后")[1:] if r[C["渠道"]] == "抖音"}
    assert douyin["7305186420913371066"][C["状态"]] == "退件在途"
    assert douyin["7305186420913371066"][C["退件快递单号"]] == "SF1402345699901"
    assert douyin["7305186420913371103"][C["状态"]] == "已退款" and "7305186420913371129" in douyin


def test_a_return_tracked_through_kuaidi100_moves_its_ticket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kuaidi100_server import FakeKuaidi100

    with FakeKuaidi100() as fake:
        config = _desk(tmp_path)
        text = config.source.read_text(encoding="utf-8").replace(
            "logistics:\n", "logistics:\n  - {name: kd, kind: kuaidi100, customer_env: KD_CUSTOMER, key_env: KD_KEY, "
                            f"endpoint: '{fake.base_url}'}}\n")
        config.source.write_text(text, encoding="utf-8")
        monkeypatch.setenv("KD_CUSTOMER", "TESTCUSTOMER")
        monkeypatch.setenv("KD_KEY", "testkey")
        monkeypatch.setattr("sheetsync.channels.api._sleep", lambda s: None)
        _drop(config, "as_1121.csv", [f"AS7009,{MA_CHAO},退货退款,包装破损,2026-11-21 11:00:00,66.00,,待买家退货"])
        sheetsync.sync(load_config(config.source), now=NOW)
        _edit(config, [CellWrite(_row_of(config, "AS7009"), C["退件快递单号"] + 1, "YT7700000000123")])
        sheetsync.sync(load_config(config.source), now=NOW + dt.timedelta(hours=1))
        assert _tickets(config)["AS7009"][C["状态"]] == "退件在途"
        fake.add_waybill("yuantong", "YT7700000000123", [(NOW + dt.timedelta(hours=2), "已揽收", 1),
                                                         (NOW + dt.timedelta(hours=20), "【杭州市】已签收", 3)])
        order_before = _order_status(config, MA_CHAO)
        result = sheetsync.sync(load_config(config.source), now=NOW + dt.timedelta(days=1))
        assert "YT7700000000123" in fake.queries
        assert _tickets(config)["AS7009"][C["状态"]] == "已收货" and result.tickets["returns"] == 1
        assert _order_status(config, MA_CHAO) == order_before and fake.server_errors == []
