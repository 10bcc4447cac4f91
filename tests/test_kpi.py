"""`sheetsync report`: KPI figures for a fixed journal history and clock, the dashboard sheet, the PNGs."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from conftest import CliRun, libreoffice_convert, read_sheet
from desks import GsheetDesk, OnStore
from gsheets_server import FakeSheets
from report_cli import assert_golden, with_report_commands

from sheetsync.config import Config, load_config
from sheetsync.errors import ConfigError
from sheetsync.i18n import t
from sheetsync.journal.core import Journal
from sheetsync.journal.record import RunRecord
from sheetsync.model.changes import Created
from sheetsync.model.records import CellChange
from sheetsync.reports.dashboard import dashboard_layout
from sheetsync.reports.kpi import report
from sheetsync.run.commands import write_dashboard
from sheetsync.stores import open_store
from sheetsync.stores.gsheets.api import SheetsApi

START, END, NOW = dt.datetime(2026, 11, 16), dt.datetime(2026, 11, 23, 12), dt.datetime(2026, 11, 23, 9)


def _at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute)


DESK = [
    {"order_id": "O1", "channel": "抖音", "created_at": _at(17, 10), "promised_by": _at(19, 10), "delivered_at": _at(19, 9),
     "status": "已完成", "warehouse": "杭州仓", "sla": "正常"},
    {"order_id": "O2", "channel": "抖音", "created_at": _at(18, 10), "promised_by": _at(20, 10),
     "delivered_at": _at(20, 11, 30), "status": "已发货", "warehouse": "上海仓", "sla": "严重", "anomalies": "CONFLICT 冲突"},
    {"order_id": "O3", "channel": "抖音", "created_at": _at(19, 10), "promised_by": _at(21, 10), "status": "已发货",
     "warehouse": "杭州仓", "sla": "超时"},
    {"order_id": "O4", "channel": "拼多多", "created_at": _at(20, 12), "promised_by": _at(22, 12), "delivered_at": _at(22, 15),
     "status": "已完成", "status_since": _at(22, 15), "warehouse": "杭州仓", "sla": "超时"},
    {"order_id": "O5", "channel": "拼多多", "created_at": _at(21, 8), "promised_by": _at(23, 10), "status": "待确认",
     "warehouse": "杭州仓", "sla": "breach", "anomalies": "PHONE_INVALID 电话无效"},
    {"order_id": "O6", "channel": "400电话", "created_at": _at(21, 9), "promised_by": _at(22, 9), "status": "异常关闭"},
    {"order_id": "O7", "channel": "抖音", "created_at": _at(10, 10), "promised_by": _at(12, 10), "delivered_at": _at(12, 9),
     "status": "已完成"},
]


def _created(order_id: str, **values: str) -> CellChange:
    return CellChange(order_id, "*", None, json.dumps({"order_id": order_id, **values}, ensure_ascii=False), "channel", "douyin")


RUNS: list[tuple[dt.datetime, list[CellChange]]] = [
    (_at(12, 10), [_created("O7", status="已完成", anomalies="ADDR_INCOMPLETE 地址缺少区县")]),
    (_at(17, 10, 5), [_created("O1", status="待确认", anomalies="ADDR_INCOMPLETE 地址缺少区县")]),
    (_at(18, 10, 5), [_created("O2", status="待确认"), CellChange("O1", "status", "待确认", "备货中", "rule")]),
    (_at(19, 10, 5), [_created("O3", status="待确认"), CellChange("O1", "status", "备货中", "已发货", "rule"),
                      CellChange("O2", "status", "待确认", "备货中", "rule"),
                      CellChange("O1", "anomalies", "ADDR_INCOMPLETE 地址缺少区县", None, "rule")]),
    (_at(20, 10, 5), [CellChange("O2", "status", "备货中", "已发货", "channel", "douyin"),
                      CellChange("O3", "status", "待确认", "备货中", "rule"),
                      CellChange("O3", "status_since", None, "2026-11-20 08:00:00", "rule"),
                      CellChange("O3", "address", "文三路", "文三路 1 号", "person"),
                      CellChange("O3", "anomalies", None, "PHONE_INVALID 电话无效", "rule")]),
    (_at(21, 10, 5), [CellChange("O1", "status", "已发货", "已完成", "channel", "douyin"),
                      CellChange("O3", "phone", "138", "13812345678", "person"),
                      CellChange("O3", "anomalies", "PHONE_INVALID 电话无效", None, "rule"),
                      CellChange("O3", "status", "备货中", "已发货", "channel", "douyin")]),
    (_at(22, 10, 5), [CellChange("O2", "anomalies", None, "CONFLICT 冲突", "rule"),
                      _created("O5", status="待确认", anomalies="PHONE_INVALID 电话无效")]),
]


def _as_blocks(changes: list[CellChange]) -> RunRecord:
    """The run as a sync records it since journal version 8: new orders' values in `creations`."""
    made = [json.loads(c.new or "{}") for c in changes if c.field == "*"]
    fields = list(dict.fromkeys(f for values in made for f in values))
    frame = pd.DataFrame([[values.get(f) for f in fields] for values in made], columns=fields, dtype="str")
    channel = pd.Series([c.detail for c in changes if c.field == "*"], dtype="str")
    return RunRecord(changes=[c for c in changes if c.field != "*"], created=Created(frame, channel) if made else None)


@pytest.fixture(params=["objects", "blocks"])
def desk(make_desk: Callable[..., Config], request: pytest.FixtureRequest) -> Config:
    """The same history recorded with each new order's values as a JSON object (journals before version
    8, and `CellChange` records) and as Arrow blocks (`journal_created`): the figures must not differ."""
    config = make_desk(DESK)
    with Journal(config.journal_path) as journal:
        for at, changes in RUNS:
            run = journal.start_run("sync", at)
            record = RunRecord(changes=changes) if request.param == "objects" else _as_blocks(changes)
            journal.record(run, record, workbook_sha256=None)
            journal.finish_run(run, 0, {}, at)
    if request.param == "blocks":
        with Journal(config.journal_path) as journal:
            assert journal.db.execute("SELECT count(*) FROM changes WHERE field='*' AND new IS NULL").fetchone()[0] == 5
            assert journal.db.execute("SELECT count(*) FROM creations").fetchone()[0] == 5
    return config


def test_kpis_of_a_fixed_history_are_the_golden_figures(desk: Config, on_store: OnStore) -> None:
    found = report(on_store(desk).config, start=START, end=END, now=NOW)  # the same figures from a Google Sheet
    assert_golden("kpi_report.json", json.dumps(found.to_dict(), ensure_ascii=False, indent=2) + "\n")
    overall, douyin, pdd = found.on_time
    assert (overall.orders, overall.on_time, overall.late, overall.open, overall.rate) == (5, 1, 3, 1, 0.25)
    assert (overall.within_window, overall.window_rate) == (2, 0.5)
    assert (douyin.channel, douyin.rate, douyin.window_rate) == ("抖音", 0.3333, 0.6667)
    assert (pdd.channel, pdd.late, pdd.open, pdd.rate) == ("拼多多", 1, 1, 0.0)
    states = {s.state: s for s in found.states}
    assert (states["待确认"].stays, states["待确认"].median_hours) == (3, 24.0)
    assert (states["备货中"].median_hours, states["备货中"].p90_hours) == (24.0, 25.67)
    assert found.transitions[0].from_state == "已发货" and found.transitions[0].median_hours == 48.0
    assert found.heatmap_states == ["待确认", "备货中", "已发货"]
    assert found.heatmap[2][12] == 1.0  # 已发货 at noon: 0, 0, 0, 1, 2, 2, 2 over the seven days
    assert [(a.code, a.count, a.previous, a.open_now) for a in found.anomalies] == [
        ("PHONE_INVALID", 2, 0, 1), ("ADDR_INCOMPLETE", 1, 1, 0), ("CONFLICT", 1, 0, 1)]
    heal = found.self_heal
    assert (heal.total, heal.healed, heal.by_person, heal.still_open, heal.rate) == (4, 1, 1, 2, 0.25)
    assert found.counts["channel"] == {"抖音": 3, "拼多多": 2, "400电话": 1}
    assert [(s.group, s.orders, s.order_ids) for s in found.stuck] == [("杭州仓", 2, ["O3", "O5"]), ("上海仓", 1, ["O2"])]
    assert found.backlog == {"待确认": 1, "已发货": 2}


def test_report_json_equals_the_api_and_the_terminal_shows_the_heat_map(
        desk: Config, run_cli: Callable[..., CliRun], monkeypatch: pytest.MonkeyPatch) -> None:
    with_report_commands(monkeypatch)
    args = ["report", "-c", desk.source, "--from", "2026-11-16", "--to", "2026-11-23T12:00", "--now", NOW.isoformat()]
    shown = run_cli(*args, "--json")
    assert shown.code == 0
    assert shown.json() == report(desk, start=START, end=END, now=NOW).to_dict()
    text = run_cli(*args)
    assert text.code == 0 and "积压热力图" in text.out and "异常自愈率" in text.out and "杭州仓" in text.out


def test_a_report_without_a_journal_still_counts_the_sheet(make_desk: Callable[..., Config]) -> None:
    config = make_desk(DESK)
    found = report(config, start=START, end=END, now=NOW)
    assert not config.journal_path.exists()
    assert found.on_time[0].orders == 5 and found.self_heal.total == 0
    assert found.heatmap_states == ["待确认", "已发货"]


def test_the_period_must_end_after_it_starts(desk: Config) -> None:
    with pytest.raises(ConfigError):
        report(desk, start=END, end=START, now=NOW)


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {info.filename: package.read(info) for info in package.infolist()}


def test_dashboard_adds_one_sheet_with_charts_and_leaves_every_other_part_as_it_was(desk: Config) -> None:
    found = report(desk, start=START, end=END, now=NOW)
    before = _parts(desk.workbook_path)
    assert write_dashboard(desk, found, NOW) == "看板"
    after = _parts(desk.workbook_path)
    touched = {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"}
    assert {name for name in before if before[name] != after[name]} == touched
    added = sorted(set(after) - set(before))
    assert added == ["xl/charts/sheetsync_dashboard_chart1.xml", "xl/charts/sheetsync_dashboard_chart2.xml",
                     "xl/drawings/_rels/sheetsync_dashboard.xml.rels", "xl/drawings/sheetsync_dashboard.xml",
                     "xl/worksheets/_rels/sheetsync_dashboard.xml.rels", "xl/worksheets/sheetsync_dashboard.xml"]
    assert b'name="\xe7\x9c\x8b\xe6\x9d\xbf"' in after["xl/workbook.xml"]
    assert read_sheet(desk.workbook_path) == read_sheet(desk.state_dir / "backups" / next(
        p.name for p in (desk.state_dir / "backups").iterdir()))
    cells = read_sheet(desk.workbook_path, "看板")
    assert cells[0][0].startswith("订单看板") and ["待确认", 1.0] in [row[:2] for row in cells]
    write_dashboard(desk, found, NOW)  # a second run replaces only the tool's own parts
    again = _parts(desk.workbook_path)
    assert again == after


def test_dashboard_never_replaces_a_sheet_a_person_made(make_desk: Callable[..., Config], tmp_path: Path) -> None:
    import xlsxwriter

    config = make_desk(DESK)
    book = xlsxwriter.Workbook(str(config.workbook_path))
    book.add_worksheet("订单").write_string(0, 0, "订单号")
    book.add_worksheet("看板").write_string(0, 0, "我们自己的看板")
    book.close()
    with pytest.raises(ConfigError, match="看板"):
        write_dashboard(config, report(config, start=START, end=END, now=NOW), NOW)
    assert read_sheet(config.workbook_path, "看板") == [["我们自己的看板"]]


def test_dashboard_on_a_google_sheet_is_native_charts_beside_their_tables_and_replaced_on_each_run(
        desk: Config, to_gsheets: OnStore, sheets_api: FakeSheets) -> None:
    moved = to_gsheets(desk)
    assert isinstance(moved, GsheetDesk)
    config, sid = moved.config, moved.spreadsheet
    found = report(config, start=START, end=END, now=NOW)
    before = open_store(config).sha256()
    assert write_dashboard(config, found, NOW) == "看板"
    charts = sheets_api.charts(sid, "看板")
    board = next(p for p in (sheets_api.sheet_properties(sid, n) for n in sheets_api.sheet_titles(sid)) if p["title"] == "看板")
    layout = dashboard_layout(found, "zh")
    assert [c["spec"]["basicChart"]["chartType"] for c in charts] == ["COLUMN", "BAR"] == \
        [{"column": "COLUMN", "bar": "BAR"}[c.kind] for c in layout.charts]
    values = sheets_api.values(sid, "看板")
    for chart, placed in zip(charts, layout.charts, strict=True):
        anchor = chart["position"]["overlayPosition"]["anchorCell"]
        assert (anchor["sheetId"], anchor["rowIndex"], anchor["columnIndex"]) == (board["sheetId"], placed.row, placed.col)
        source = chart["spec"]["basicChart"]["domains"][0]["domain"]["sourceRange"]["sources"][0]
        names = [values[r][0] for r in range(source["startRowIndex"], source["endRowIndex"])]
        assert source["sheetId"] == board["sheetId"] and all(isinstance(n, str) and n for n in names)
        for top, table in layout.tables:  # no chart's anchor cell holds a value of a table
            if top <= placed.row < top + len(table.rows):
                row = table.rows[placed.row - top]
                assert placed.col >= len(row) or row[placed.col] is None
    assert [o.channel for o in found.on_time if o.channel != "*"] == \
        [values[r][0] for r in range(layout.charts[0].first, layout.charts[0].first + layout.charts[0].count)]
    assert values[0][0] == t("kpi.title", "zh", start=found.start, end=found.end, now=found.now)
    assert sheets_api.format_of(sid, "看板", layout.tables[2][0] + 1, 1)["textFormat"]["bold"] is True  # a table's header
    assert open_store(config).sha256() == before  # the order sheet untouched
    write_dashboard(config, found, NOW)  # replaced whole: one sheet, the same charts
    assert sheets_api.sheet_titles(sid).count("看板") == 1 and len(sheets_api.charts(sid, "看板")) == len(charts)
    with Journal(config.journal_path) as journal:
        assert journal.db.execute("SELECT count(*) FROM runs WHERE command='report' AND state='done'").fetchone()[0] == 2


def test_dashboard_never_replaces_a_google_sheet_tab_a_person_made(desk: Config, to_gsheets: OnStore,
                                                                   sheets_api: FakeSheets) -> None:
    moved = to_gsheets(desk)
    assert isinstance(moved, GsheetDesk)
    book = sheets_api.sheet_titles(moved.spreadsheet)
    assert "看板" not in book
    api = SheetsApi(moved.config)
    api.batch_update([{"addSheet": {"properties": {"title": "看板"}}}])
    sheets_api.set_cell(moved.spreadsheet, "看板", 1, 1, "我们自己的看板")
    with pytest.raises(ConfigError, match="看板"):
        write_dashboard(moved.config, report(moved.config, start=START, end=END, now=NOW), NOW)
    assert sheets_api.values(moved.spreadsheet, "看板") == [["我们自己的看板"]]


@pytest.mark.libreoffice
def test_dashboard_workbook_opens_in_libreoffice_with_its_charts(desk: Config, soffice: str, tmp_path: Path) -> None:
    write_dashboard(desk, report(desk, start=START, end=END, now=NOW), NOW)
    copy = tmp_path / "check" / "dashboard.xlsx"
    copy.parent.mkdir()
    shutil.copy(desk.workbook_path, copy)
    saved = libreoffice_convert(soffice, copy, tmp_path / "lo")
    parts = _parts(saved)
    assert len([n for n in parts if n.startswith("xl/charts/chart")]) == 2
    assert b"\xe7\x9c\x8b\xe6\x9d\xbf" in parts["xl/workbook.xml"]
    assert read_sheet(saved)[1][0] == "O1"


def test_png_writes_the_heat_map_and_the_on_time_chart(desk: Config, run_cli: Callable[..., CliRun],
                                                       monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    with_report_commands(monkeypatch)
    result = run_cli("report", "-c", desk.source, "--from", "2026-11-16", "--now", NOW.isoformat(), "--png", tmp_path / "png")
    assert result.code == 0, result.err
    for name in ("heatmap.png", "on_time.png"):
        assert (tmp_path / "png" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_sheet_without_its_delivery_time_says_the_on_time_rate_cannot_be_computed(
        make_desk: Callable[..., Config], run_cli: Callable[..., CliRun], tmp_path: Path) -> None:
    """Without 签收时间 every promise would count as broken: the report says it cannot know, never 0 %."""
    config = make_desk(DESK, name="no_delivery")
    text = config.source.read_text(encoding="utf-8").replace(
        "headers: zh ", "headers: {order_id: 订单号, channel: 渠道, status: 状态, created_at: 下单时间, promised_by: 承诺时间} ")
    config.source.write_text(text, encoding="utf-8")
    config = load_config(config.source)
    assert "delivered_at" not in config.header_map()[0]
    found = report(config, start=START, end=END, now=NOW)
    assert found.on_time == [] and found.cannot == {"on_time": ["delivered_at"]}
    shown = run_cli("report", "-c", config.source, "--now", NOW.isoformat(), "--png", str(tmp_path / "png"))
    assert shown.code == 0 and "表格没有签收时间列，无法计算准时率" in shown.out and "0.0%" not in shown.out
    write_dashboard(config, found, NOW)
    import python_calamine

    rows = python_calamine.CalamineWorkbook.from_path(str(config.workbook_path)).get_sheet_by_name("看板").to_python()
    assert any("无法计算准时率" in str(v) for row in rows for v in row)


def test_a_status_the_tool_put_back_is_no_state_in_the_report(make_desk: Callable[..., Config]) -> None:
    """A person typed 已完成 over 审核中, the workflow put it back in the same run: the order was never 已完成, so
    no stay, transition or heat-map row of it (the two changes stay in `history`, as they happened)."""
    config = make_desk([{"order_id": "O9", "channel": "抖音", "created_at": _at(20, 9), "status": "审核中",
                         "status_since": _at(20, 9)}], name="put_back")
    with Journal(config.journal_path) as journal:
        run = journal.start_run("sync", _at(20, 10))
        journal.record(run, RunRecord(changes=[
            CellChange("O9", "status", "审核中", "已完成", "person"),
            CellChange("O9", "status", "已完成", "审核中", "tool", "ILLEGAL_MOVE：改回 审核中")]), workbook_sha256=None)
        journal.finish_run(run, 0, {}, _at(20, 10))
    found = report(config, start=START, end=END, now=NOW)
    assert "已完成" not in {s.state for s in found.states} | set(found.heatmap_states)
    assert not [x for x in found.transitions if "已完成" in (x.from_state, x.to_state)]
    assert "审核中" in found.heatmap_states


def test_a_flag_a_configuration_change_cleared_is_neither_healed_nor_open(make_desk: Callable[..., Config]) -> None:
    """The self-heal rate counts flags cleared by a change in the data (a shop's correction); one cleared while
    nothing of the order changed (a rule turned off) is counted apart, not as healed."""
    config = make_desk([{"order_id": "O1", "channel": "抖音", "created_at": _at(20, 9)},
                        {"order_id": "O2", "channel": "抖音", "created_at": _at(20, 9)}], name="config_cleared")
    runs = [
        (_at(20, 10), [CellChange("O1", "anomalies", None, "PHONE_INVALID 电话无效", "rule"),
                       CellChange("O2", "anomalies", None, "PHONE_INVALID 电话无效", "rule")]),
        (_at(20, 11), [CellChange("O1", "anomalies", "PHONE_INVALID 电话无效", None, "rule"),  # the rule was turned off
                       CellChange("O2", "phone", "138", "13812345678", "channel", "douyin"),  # the shop corrected it
                       CellChange("O2", "anomalies", "PHONE_INVALID 电话无效", None, "rule")]),
    ]
    with Journal(config.journal_path) as journal:
        for at, changes in runs:
            run = journal.start_run("sync", at)
            journal.record(run, RunRecord(changes=changes), workbook_sha256=None)
            journal.finish_run(run, 0, {}, at)
    heal = report(config, start=START, end=END, now=NOW).self_heal
    assert (heal.total, heal.healed, heal.by_person, heal.by_config, heal.still_open) == (1, 1, 0, 1, 0)
    assert heal.rate == 1.0
