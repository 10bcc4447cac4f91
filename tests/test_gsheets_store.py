"""The Google Sheets store against a local Sheets API (`gsheets_server.FakeSheets`), through the real gspread and
google-auth: typed reads, one atomic batch per write, rows re-located by order_id while people edit and sort, text
kept text, faults retried and given up on with exit 5, and a sync on a Sheets desk."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from gsheets_server import FakeSheets

import sheetsync
from sheetsync import load_config
from sheetsync.config import Config
from sheetsync.errors import EXIT_EXTERNAL, StoreFailed
from sheetsync.journal.core import Journal
from sheetsync.model.cells import AppendBlock, CellWrite
from sheetsync.stores import open_store
from sheetsync.stores.table import read_table

HEADERS = ["订单号", "渠道", "渠道订单号", "客户姓名", "电话", "邮编", "应付金额", "状态", "备注"]
ROWS = [["SS-1", "抖音", "6912345678901234567", "王芳", "013812345678", "010010", 199.9, "待确认", ""],
        ["SS-2", "淘宝", "3845120958712340561", "李雷", "0571-87654321", "", 88, "已发货", "老客户"]]


@pytest.fixture
def fake() -> Iterator[FakeSheets]:
    with FakeSheets() as server:
        yield server
        assert server.server_errors == []


def _desk(tmp_path: Path, fake: FakeSheets, monkeypatch: pytest.MonkeyPatch,
          rows: list[list[object]] = ROWS, more: str = "") -> tuple[Config, str]:
    sid = fake.create("订单台", ["订单"])
    for c, header in enumerate(HEADERS, start=1):
        fake.set_cell(sid, "订单", 1, c, header)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            if value != "":
                fake.set_cell(sid, "订单", r, c, value)
    monkeypatch.setenv("SHEETS_KEY", str(fake.key_file(tmp_path)))
    (tmp_path / "sheetsync.yaml").write_text(
        f"table:\n  backend: gsheets\n  spreadsheet: https://docs.google.com/spreadsheets/d/{sid}/edit\n"
        f"  sheet: 订单\n  headers: zh\n  credentials_env: SHEETS_KEY\n  endpoint: {fake.base_url}\n{more}"
        "lang: zh\n", encoding="utf-8")
    return load_config(tmp_path / "sheetsync.yaml"), sid


def test_the_read_is_one_request_and_keeps_text_as_text(tmp_path: Path, fake: FakeSheets,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    config, _ = _desk(tmp_path, fake, monkeypatch)
    store = open_store(config)
    table = read_table(store, config)
    frame = table.frame
    assert frame["order_id"].tolist() == ["SS-1", "SS-2"]
    assert frame["phone"].tolist() == ["013812345678", "0571-87654321"]
    assert frame["channel_order_id"].tolist() == ["6912345678901234567", "3845120958712340561"]
    assert frame["postcode"].tolist()[0] == "010010" and frame["amount_payable"].tolist() == ["199.9", "88"]
    assert len(fake.api_requests()) == 1  # the values, typed: nothing else


def test_a_write_is_one_batch_of_typed_cells_fills_and_appended_rows(tmp_path: Path, fake: FakeSheets,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    config, sid = _desk(tmp_path, fake, monkeypatch)
    store = open_store(config)
    table = read_table(store, config)
    note, status = table.columns["note"], table.columns["status"]
    block = AppendBlock(4, [1, 5, 9], rows=[["SS-3", "+86 138 0013 8000", "=HYPERLINK(\"http://x\")"],
                                           ["SS-4", "0012", None]])
    staged: list[str] = []
    written = store.write([CellWrite(2, note, "=SUM(1,2)"), CellWrite(3, status, "已完成", "FFC7CE")], block,
                          staged.append)
    assert written is not None and written.cells == 7 and written.dropped == 0
    batches = [r for r in fake.api_requests() if r.path.endswith(":batchUpdate")]
    assert len(batches) == 1
    values = fake.values(sid, "订单")
    assert values[1][8] == "=SUM(1,2)" and values[2][7] == "已完成"  # text from outside stays text
    assert values[3][:1] == ["SS-3"] and values[3][4] == "+86 138 0013 8000" and values[4][4] == "0012"
    assert fake.format_of(sid, "订单", 3, status).get("backgroundColor", {}).get("red") == pytest.approx(1.0)
    assert staged == [store.sha256()]  # the fingerprint staged is the version in place


def test_a_sort_between_the_read_and_the_write_moves_no_write_into_another_order(tmp_path: Path, fake: FakeSheets,
                                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    config, sid = _desk(tmp_path, fake, monkeypatch)
    store = open_store(config)
    table = read_table(store, config)
    status = table.columns["status"]
    # a person sorts by name descending (王芳 moves below 李雷? by code point 王 > 李) and inserts a row on top
    fake.before_next(lambda: (fake.sort_rows(sid, "订单", 2, 1, descending=True), fake.insert_rows(sid, "订单", 2)),
                     match="/values")
    store.write([CellWrite(2, status, "审核中")])  # SS-1's status, found by its order id wherever it went
    rows = {r[0]: r for r in fake.values(sid, "订单")[1:] if r and r[0]}
    assert rows["SS-1"][status - 1] == "审核中" and rows["SS-2"][status - 1] == "已发货"


def test_a_persons_edit_between_the_read_and_the_write_wins(tmp_path: Path, fake: FakeSheets,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    config, sid = _desk(tmp_path, fake, monkeypatch)
    store = open_store(config)
    table = read_table(store, config)
    note, status = table.columns["note"], table.columns["status"]
    fake.before_next(lambda: fake.set_cell(sid, "订单", 3, note, "客户改了地址"), match="/values")
    written = store.write([CellWrite(3, note, "工具写的"), CellWrite(3, status, "已完成")])
    assert written is not None and written.dropped == 1
    values = fake.values(sid, "订单")
    assert values[2][note - 1] == "客户改了地址" and values[2][status - 1] == "已完成"


def test_a_429_is_waited_out_and_500s_end_in_exit_5_with_nothing_written(tmp_path: Path, fake: FakeSheets,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    config, sid = _desk(tmp_path, fake, monkeypatch)
    store = open_store(config)
    slept: list[float] = []
    store.api._sleep = slept.append  # the waits are asserted, not slept
    fake.fail_next(429, retry_after=2)
    table = read_table(store, config)
    assert slept == [2.0] and len(table.frame) == 2
    fake.fail_next(500, times=10, match=":batchUpdate")
    with pytest.raises(StoreFailed) as failed:
        store.write([CellWrite(2, table.columns["status"], "已完成")])
    assert failed.value.exit_code == EXIT_EXTERNAL and "500" in failed.value.message
    assert fake.values(sid, "订单")[1][table.columns["status"] - 1] == "待确认"


def test_a_sync_on_a_sheets_desk_gives_ids_and_a_no_op_run_is_one_read(tmp_path: Path, fake: FakeSheets,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [*ROWS, ["", "电话", "", "周建华", "13905710001", "", 300, "", "400 电话下单"]]
    config, sid = _desk(tmp_path, fake, monkeypatch, rows)
    result = sheetsync.sync(config, now=dt.datetime(2026, 11, 21, 10, 0))
    assert [a["order_id"] for a in result.assigned] == ["SS20261121-000001"] and result.workbook_written
    assert fake.values(sid, "订单")[3][0] == "SS20261121-000001"
    before = len(fake.api_requests())
    again = sheetsync.sync(load_config(config.source), now=dt.datetime(2026, 11, 21, 10, 5))
    assert not again.workbook_written and len(fake.api_requests()) - before == 1


def test_a_slow_answer_is_waited_for_and_a_timed_out_write_is_sent_again_landing_once(
        tmp_path: Path, fake: FakeSheets, monkeypatch: pytest.MonkeyPatch) -> None:
    config, sid = _desk(tmp_path, fake, monkeypatch, more="  timeout: 1\n")
    store = open_store(config)
    store.api._sleep = lambda seconds: None
    fake.delay_next(0.5, match="/values")  # slow, within the timeout
    table = read_table(store, config)
    fake.delay_next(2, match=":batchUpdate")  # applied at once, its answer lost to the timeout: sent again
    block = AppendBlock(4, [1, 5], rows=[["SS-3", "0012"]])
    written = store.write([CellWrite(2, table.columns["status"], "审核中")], block)
    assert written is not None
    values = fake.values(sid, "订单")
    assert [r[0] for r in values[1:]] == ["SS-1", "SS-2", "SS-3"]  # the appended row once, though the batch came twice
    assert values[1][table.columns["status"] - 1] == "审核中" and values[3][4] == "0012"
    assert len([r for r in fake.api_requests() if r.path.endswith(":batchUpdate")]) == 2


def test_a_write_whose_answer_never_came_back_but_landed_is_kept_and_the_journal_agrees(
        tmp_path: Path, fake: FakeSheets, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [*ROWS, ["", "电话", "", "周建华", "13905710001", "", 300, "", ""]]
    config, sid = _desk(tmp_path, fake, monkeypatch, rows, more="  timeout: 0.3\n")
    monkeypatch.setattr("sheetsync.runtime.retries.backoff", lambda attempt: 0.0)
    for _ in range(5):  # every try lands (the same cells each time) and its answer is lost to the timeout
        fake.delay_next(0.6, match=":batchUpdate")
    result = sheetsync.sync(config, now=dt.datetime(2026, 11, 21, 10, 0))
    assert result.workbook_written and fake.values(sid, "订单")[3][0] == "SS20261121-000001"
    again = sheetsync.sync(load_config(config.source), now=dt.datetime(2026, 11, 21, 10, 5))
    assert again.person_edits == [] and again.changes == [] and not again.workbook_written
    assert {h.source for h in sheetsync.history(config, "SS20261121-000001")} <= {"tool", "channel"}  # no edit of a person


def test_a_sync_whose_write_fails_exits_5_leaves_the_journal_as_before_and_the_next_run_writes_it(
        tmp_path: Path, fake: FakeSheets, monkeypatch: pytest.MonkeyPatch, run_cli: Callable[..., object]) -> None:
    rows = [*ROWS, ["", "电话", "", "周建华", "13905710001", "", 300, "", ""]]
    config, sid = _desk(tmp_path, fake, monkeypatch, rows)
    monkeypatch.setattr("sheetsync.runtime.retries.backoff", lambda attempt: 0.0)
    fake.fail_next(500, times=5, match=":batchUpdate")  # every try of this run's write
    failed = run_cli("sync", "-c", config.source, "--now", "2026-11-21T10:00")
    assert failed.code == EXIT_EXTERNAL and "500" in failed.err  # type: ignore[attr-defined]
    assert fake.values(sid, "订单")[3][0] == ""  # nothing written
    with Journal(config.journal_path) as journal:
        assert journal.db.execute("SELECT count(*) FROM runs WHERE state='pending'").fetchone()[0] == 0
        assert journal.db.execute("SELECT count(*) FROM base").fetchone()[0] == 0  # no order journaled
    fake.requests.clear()
    mended = sheetsync.sync(load_config(config.source), now=dt.datetime(2026, 11, 21, 10, 5))
    assert [a["order_id"] for a in mended.assigned] == ["SS20261121-000001"]  # the same id: none was used up
    assert fake.values(sid, "订单")[3][0] == "SS20261121-000001"


def test_formula_like_values_from_a_shop_stay_text_in_the_sheet(tmp_path: Path, fake: FakeSheets,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    config, sid = _desk(tmp_path, fake, monkeypatch, more="")
    with config.source.open("a", encoding="utf-8") as fh:
        fh.write("channels:\n  - {name: douyin, path: inbox/*.csv, mapping: douyin}\n")
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "tricky.csv").write_text(
        "主订单编号,收件人,收件人手机号,省,市,区,详细地址,商家编码,商品数量,订单应付金额,订单提交时间\n"
        '6931245078213460101,"=HYPERLINK(""http://x"",""点我"")",+86 138 0013 8000,浙江省,杭州市,西湖区,-2+3,'
        "@SUM(A1),1,10,2026-11-20 09:00:00\n", encoding="utf-8")
    sheetsync.sync(load_config(config.source), now=dt.datetime(2026, 11, 21, 10, 0))
    values = fake.values(sid, "订单")
    row = next(i for i, r in enumerate(values, start=1) if "6931245078213460101" in r)
    cells = {HEADERS[c - 1]: fake.cell(sid, "订单", row, c) for c in range(1, len(HEADERS) + 1)}
    assert cells["客户姓名"]["userEnteredValue"] == {"stringValue": '=HYPERLINK("http://x","点我")'}
    assert cells["渠道订单号"]["userEnteredValue"] == {"stringValue": "6931245078213460101"}  # 19 digits, every one
    assert cells["电话"]["userEnteredValue"]["stringValue"].replace(" ", "").endswith("13800138000")
    assert all("formulaValue" not in c.get("userEnteredValue", {}) for c in cells.values())


def test_rows_appended_go_below_a_row_a_person_typed_meanwhile_and_below_what_deletions_moved_up(
        tmp_path: Path, fake: FakeSheets, monkeypatch: pytest.MonkeyPatch) -> None:
    config, sid = _desk(tmp_path, fake, monkeypatch)
    store = open_store(config)
    read_table(store, config)
    fake.before_next(lambda: fake.set_cell(sid, "订单", 4, 4, "赵六（手工新单）"), match="/values")
    store.write([], AppendBlock(4, [1, 4], rows=[["SS-3", "周七"]]))
    values = fake.values(sid, "订单")
    assert values[3][3] == "赵六（手工新单）" and values[4][:1] == ["SS-3"] and values[4][3] == "周七"
    # a sheet read long, then most of it deleted and a row typed at its new bottom: the re-read takes it all again
    monkeypatch.setattr("sheetsync.stores.gsheets.TAIL", 2)
    read_table(store, config)
    fake.before_next(lambda: (fake.delete_rows(sid, "订单", 2, 3), fake.set_cell(sid, "订单", 3, 4, "孙八")),
                     match="/values")
    store.write([], AppendBlock(6, [1, 4], rows=[["SS-4", "吴九"]]))
    values = fake.values(sid, "订单")
    assert [r[3] if len(r) > 3 else "" for r in values[1:]] == ["周七", "孙八", "吴九"]


def test_rows_appended_past_the_grid_take_the_formats_of_the_last_row(tmp_path: Path, fake: FakeSheets,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    config, sid = _desk(tmp_path, fake, monkeypatch)
    store = open_store(config)
    api = store.api
    tab = fake.sheet_properties(sid, "订单")["sheetId"]
    api.batch_update([{"updateSheetProperties": {"properties": {"sheetId": tab, "gridProperties": {"rowCount": 3}},
                                                 "fields": "gridProperties.rowCount"}},
                      {"repeatCell": {"range": {"sheetId": tab, "startRowIndex": 1, "endRowIndex": 3,
                                                "startColumnIndex": 4, "endColumnIndex": 5},
                                      "cell": {"userEnteredFormat": {"numberFormat": {"type": "TEXT"}}},
                                      "fields": "userEnteredFormat.numberFormat"}}])
    read_table(store, config)
    store.write([], AppendBlock(4, [1, 5], rows=[["SS-3", "0571-1"], ["SS-4", None]]))
    assert fake.sheet_properties(sid, "订单")["gridProperties"]["rowCount"] == 5
    assert fake.format_of(sid, "订单", 5, 5)["numberFormat"]["type"] == "TEXT"  # a person typing 0012 there keeps it
    assert fake.values(sid, "订单")[3][:1] == ["SS-3"]
