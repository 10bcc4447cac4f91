"""`sheetsync init --gsheet`: the tabs of an existing Google Sheet set up as a new desk's workbook is (headers, frozen
header row, filter, dropdowns, text-formatted id / phone / tracking columns), against the local Sheets API through
the real gspread and google-auth; a tab holding values is never written over; the desk then syncs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from gsheets_server import FakeSheets

from sheetsync import load_config
from sheetsync.config import Config, TableConfig, load_preset
from sheetsync.desk.new import STATUS_CHOICES
from sheetsync.errors import EXIT_USAGE
from sheetsync.model.fields import FIELDS
from sheetsync.stores.gsheets.api import SheetsApi


@pytest.fixture
def fake() -> Iterator[FakeSheets]:
    with FakeSheets() as server:
        yield server
        assert server.server_errors == []


def _init(run_cli: Callable[..., object], fake: FakeSheets, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
          sid: str, *more: str) -> object:
    monkeypatch.setenv("DESK_KEY", str(fake.key_file(tmp_path / "keys")))
    return run_cli("init", tmp_path / "desk", "--gsheet", f"https://docs.google.com/spreadsheets/d/{sid}/edit#gid=0",
                   "--endpoint", fake.base_url, "--credentials-env", "DESK_KEY", *more)


def test_init_sets_up_the_tabs_of_an_existing_spreadsheet(run_cli: Callable[..., object], fake: FakeSheets, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    sid = fake.create("门店订单", ["Sheet1"])
    done = _init(run_cli, fake, tmp_path, monkeypatch, sid)
    assert done.code == 0, done.out  # type: ignore[attr-defined]
    assert fake.sheet_titles(sid) == ["Sheet1", "订单", "售后", "售后原因"]
    headers = load_preset("zh")
    values = fake.values(sid, "订单")
    assert values == [[headers[f] for f in FIELDS]]
    props = fake.sheet_properties(sid, "订单")
    assert props["gridProperties"]["frozenRowCount"] == 1 and props["gridProperties"]["columnCount"] >= len(FIELDS)
    assert fake.basic_filter(sid, "订单")["range"]["endColumnIndex"] == len(FIELDS)
    col = {f: i for i, f in enumerate(FIELDS, start=1)}
    status = fake.data_validation(sid, "订单", 500, col["status"])
    assert status is not None and [v["userEnteredValue"] for v in status["condition"]["values"]] == STATUS_CHOICES["zh"]
    assert status["strict"] is False
    for field in ("order_id", "phone", "tracking_no", "channel_order_id", "postcode"):
        assert fake.format_of(sid, "订单", 2, col[field])["numberFormat"]["type"] == "TEXT", field
    assert fake.format_of(sid, "订单", 2, col["created_at"])["numberFormat"]["type"] == "DATE_TIME"
    assert fake.format_of(sid, "订单", 1, col["order_id"])["textFormat"]["bold"] is True
    assert fake.sheet_properties(sid, "售后原因").get("hidden") is True
    reason = fake.data_validation(sid, "售后", 2, 9)
    assert reason is not None and reason["condition"]["type"] == "ONE_OF_RANGE"
    assert len([r for r in fake.api_requests() if r.path.endswith(":batchUpdate")]) == 1  # one atomic batch
    config = load_config(tmp_path / "desk" / "sheetsync.yaml")
    assert config.table.backend == "gsheets" and config.table.spreadsheet.endswith(f"/d/{sid}/edit")
    assert config.aftersales is not None and (tmp_path / "desk" / "inbox").is_dir()
    assert "DESK_KEY" in done.out and str(tmp_path / "keys") not in (tmp_path / "desk" / "sheetsync.yaml").read_text()  # type: ignore[attr-defined]


def test_a_person_typing_into_the_set_up_tab_keeps_leading_zeros_and_the_desk_syncs(
        run_cli: Callable[..., object], fake: FakeSheets, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sid = fake.create("门店订单", ["订单"])  # the tab exists, empty: set up in place
    assert _init(run_cli, fake, tmp_path, monkeypatch, sid).code == 0  # type: ignore[attr-defined]
    col = {f: i for i, f in enumerate(FIELDS, start=1)}
    for field, typed in (("customer_name", "王芳"), ("phone", "013812345678"), ("postcode", "010010"),
                         ("address", "浙江省杭州市西湖区文三路 90 号"), ("items", "T恤 x1"), ("amount_payable", "88")):
        fake.set_cell(sid, "订单", 2, col[field], typed, as_typed=True)  # typed in the browser: Sheets parses it
    result = run_cli("sync", "--config", tmp_path / "desk" / "sheetsync.yaml", "--json")
    assert result.code in (0, 3), result.out  # type: ignore[attr-defined]
    row = fake.values(sid, "订单")[1]
    assert row[col["phone"] - 1] == "013812345678" and row[col["postcode"] - 1] == "010010"
    assert str(row[col["order_id"] - 1]).startswith("SS")  # the hand-typed row got its id
    before = len(fake.api_requests())
    again = run_cli("sync", "--config", tmp_path / "desk" / "sheetsync.yaml")
    assert again.code == result.code and len(fake.api_requests()) == before + 1  # a no-op run: one read


def test_a_tab_holding_values_is_refused_and_nothing_is_written(run_cli: Callable[..., object], fake: FakeSheets,
                                                                 tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sid = fake.create("门店订单", ["订单"])
    fake.set_cell(sid, "订单", 3, 2, "张三的订单")
    done = _init(run_cli, fake, tmp_path, monkeypatch, sid)
    assert done.code == EXIT_USAGE  # type: ignore[attr-defined]
    assert "订单" in done.err and "--from-gsheet" in done.err  # type: ignore[attr-defined]
    assert fake.values(sid, "订单") == [[], [], ["", "张三的订单"]]
    assert fake.sheet_titles(sid) == ["订单"]
    assert not (tmp_path / "desk" / "sheetsync.yaml").exists()  # no configuration left behind


def test_another_tab_name_and_a_spreadsheet_nobody_shared(run_cli: Callable[..., object], fake: FakeSheets, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    sid = fake.create("门店订单", ["订单"])
    fake.set_cell(sid, "订单", 1, 1, "旧表")
    done = _init(run_cli, fake, tmp_path, monkeypatch, sid, "--sheet", "订单 2026")
    assert done.code == 0, done.err  # type: ignore[attr-defined]
    assert "订单 2026" in fake.sheet_titles(sid) and fake.values(sid, "订单") == [["旧表"]]
    assert load_config(tmp_path / "desk" / "sheetsync.yaml").table.sheet == "订单 2026"
    missing = run_cli("init", tmp_path / "other", "--gsheet", "1" + "x" * 43, "--endpoint", fake.base_url,
                      "--credentials-env", "DESK_KEY")
    assert missing.code == EXIT_USAGE and "共享" in missing.err  # type: ignore[attr-defined]


TEAM = [["订单编号", "下单时间", "客户", "手机", "收货地址", "商品", "金额", "状态", "跟进人"],
        ["YT2611-0001", "2026-11-18 09:12", "王芳", "013812345678", "浙江省杭州市西湖区文三路 90 号", "T恤 x2", 199, "待发货",
         "小李"],
        ["YT2611-0002", "2026-11-18 10:40", "李雷", "13900001111", "江苏省南京市鼓楼区北京西路 6 号", "卫衣 x1", 259, "已发货",
         ""],
        ["YT2611-0003", "2026-11-19 15:02", "陈静", "18688889999", "广东省广州市天河区体育西路 1 号", "袜子 x5", 45, "已签收",
         "小张"]]


def _team_sheet(fake: FakeSheets, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A team's own order sheet, typed in the browser: its own headers, ids, status words and dropdown."""
    monkeypatch.setenv("DESK_KEY", str(fake.key_file(tmp_path / "keys")))
    sid = fake.create("门店订单", ["说明", "2026订单"])
    fake.set_cell(sid, "说明", 1, 1, "本表由门店维护")
    for r, row in enumerate(TEAM, start=1):
        for c, value in enumerate(row, start=1):
            if value != "":
                fake.set_cell(sid, "2026订单", r, c, value, as_typed=isinstance(value, str) and c == 2)
    api = SheetsApi(Config(table=TableConfig(backend="gsheets", spreadsheet=sid, endpoint=fake.base_url,
                                             credentials_env="DESK_KEY")))
    words = [{"userEnteredValue": w} for w in ("待发货", "已发货", "已签收", "退款中")]
    tab = fake.sheet_properties(sid, "2026订单")["sheetId"]
    api.batch_update([{"setDataValidation": {  # the team's status dropdown, made in the browser
        "range": {"sheetId": tab, "startRowIndex": 1, "startColumnIndex": 7, "endColumnIndex": 8},
        "rule": {"condition": {"type": "ONE_OF_LIST", "values": words}, "strict": True, "showCustomUi": True}}}])
    fake.requests.clear()
    return sid


def test_init_from_gsheet_adopts_a_teams_own_sheet_and_the_desk_syncs_on_it(
        run_cli: Callable[..., object], fake: FakeSheets, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sid = _team_sheet(fake, tmp_path, monkeypatch)
    before = fake.values(sid, "2026订单")
    done = run_cli("init", tmp_path / "desk", "--from-gsheet", sid, "--endpoint", fake.base_url,
                   "--credentials-env", "DESK_KEY", "--json")
    assert done.code == 0, done.err  # type: ignore[attr-defined]
    adopted = done.json()  # type: ignore[attr-defined]
    assert adopted["sheet"] == "2026订单" and adopted["order_id_column"] == "订单编号"
    assert adopted["headers"]["phone"] == "手机" and adopted["headers"]["customer_name"] == "客户"
    assert adopted["statuses"] == {"待发货": "paid", "已发货": "shipped", "已签收": "delivered", "退款中": "refunding"}
    assert adopted["dropdown"] == ["待发货", "已发货", "已签收", "退款中"]
    assert adopted["next_id"] == "YT2611-0004" and "sla" in adopted["missing"]
    assert fake.values(sid, "2026订单") == before  # adopting reads; it writes nothing
    config = load_config(tmp_path / "desk" / "sheetsync.yaml")
    assert (config.table.backend, config.table.sheet, config.table.credentials_env) == ("gsheets", "2026订单", "DESK_KEY")
    fake.set_cell(sid, "2026订单", 5, 3, "周敏")  # a new order typed by hand
    fake.set_cell(sid, "2026订单", 5, 4, "13770528813")
    synced = run_cli("sync", "-c", config.source, "--now", "2026-11-21T10:00", "--json")
    assert synced.code in (0, 3), synced.err  # type: ignore[attr-defined]
    rows = fake.values(sid, "2026订单")
    assert rows[4][0] == "YT2611-0004" and rows[1][3] == "013812345678" and rows[1][8] == "小李"
    assert rows[1:4] == before[1:4]  # the team's rows as they were


def test_init_from_gsheet_add_columns_appends_the_tool_columns_in_one_batch(
        run_cli: Callable[..., object], fake: FakeSheets, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sid = _team_sheet(fake, tmp_path, monkeypatch)
    done = run_cli("init", tmp_path / "desk", "--from-gsheet", f"https://docs.google.com/spreadsheets/d/{sid}/edit",
                   "--sheet", "2026订单", "--add-columns", "--endpoint", fake.base_url, "--credentials-env", "DESK_KEY")
    assert done.code == 0, done.err  # type: ignore[attr-defined]
    header = fake.values(sid, "2026订单")[0]
    assert header[:9] == TEAM[0] and {"渠道", "渠道订单号", "状态时间", "承诺时间", "时效", "异常"} <= set(header[9:])
    assert len([r for r in fake.api_requests() if r.path.endswith(":batchUpdate")]) == 1
    config = load_config(tmp_path / "desk" / "sheetsync.yaml")
    synced = run_cli("sync", "-c", config.source, "--now", "2026-11-21T10:00")
    assert synced.code in (0, 3), synced.err  # type: ignore[attr-defined]
    rows = fake.values(sid, "2026订单")
    flags = rows[0].index("异常")
    assert str(rows[1][flags]).startswith("PHONE_INVALID")  # the added columns are the tool's to write
    assert rows[2][8:] == []  # a row without findings: nothing written into its added cells
