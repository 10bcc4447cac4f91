"""The workflow inside `sheetsync sync`: moves, approval, a put-back, SLA colours and one alert per breach."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading
from collections.abc import Callable, Iterator

import pytest
from conftest import read_sheet
from desks import OnStore, column_of, fill_of

import sheetsync
from sheetsync import load_config
from sheetsync.config import Config, load_preset
from sheetsync.model.cells import CellWrite
from sheetsync.stores import open_store
from sheetsync.stores.table import read_table

H = load_preset("zh")
NOW = dt.datetime(2026, 11, 23, 9, 0)
BASE = {"channel": "抖音", "phone": "13812345678", "created_at": "2026-11-23 08:50:00", "paid_at": "2026-11-23 08:51:00"}


@pytest.fixture
def hook() -> Iterator[tuple[str, list[dict[str, object]]]]:
    received: list[dict[str, object]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()


def _desk(make_desk: Callable[..., Config], monkeypatch: pytest.MonkeyPatch, url: str) -> Config:
    """The desk of the workflow tests, on the .xlsx store (`on_store` moves it to a Google Sheet)."""
    rows = [
        {**BASE, "order_id": "A1", "channel_order_id": "D1", "customer_id": "C1", "status": "已完成", "amount_payable": "500",
         "created_at": "2026-10-01 10:00:00"},
        {**BASE, "order_id": "A2", "channel_order_id": "D2", "customer_id": "C1", "status": "待确认", "amount_payable": "1800"},
        {**BASE, "order_id": "A3", "channel_order_id": "D3", "customer_id": "C2", "status": "待确认", "amount_payable": "800"},
    ]
    config = make_desk(rows)
    with config.source.open("a", encoding="utf-8") as fh:
        fh.write("workflow: default_zh\nalerts:\n  - {name: default, kind: webhook, url_env: SHEETSYNC_TEST_HOOK}\n")
    monkeypatch.setenv("SHEETSYNC_TEST_HOOK", url)
    return load_config(config.source)


def _cells(config: Config, field: str) -> list[str]:
    rows = read_sheet(config.workbook_path)
    col = rows[0].index(H[field])
    return [r[col] for r in rows[1:]]


def test_orders_move_wait_for_signatures_and_a_wrong_move_is_put_back(
        make_desk: Callable[..., Config], monkeypatch: pytest.MonkeyPatch, hook: tuple[str, list[dict[str, object]]],
        on_store: OnStore) -> None:
    desk = on_store(_desk(make_desk, monkeypatch, hook[0]))
    config = desk.config
    first = sheetsync.sync(config, now=NOW)
    # A2: a known customer's 1,800 yuan order passes review by itself; A3: a first-time customer waits for two signatures
    assert column_of(desk, "status") == ["已完成", "备货中", "审核中"]
    assert first.moved == {"待确认→审核中": 2, "审核中→备货中": 1}
    assert column_of(desk, "sla")[1:] == ["正常", "正常"]
    # a person jumps A3 from 审核中 to 已发货: put back and flagged
    store = open_store(config)
    desk.edit(CellWrite(4, read_table(store, config).columns["status"], "已发货"))
    second = sheetsync.sync(config, now=NOW + dt.timedelta(minutes=5))
    assert column_of(desk, "status")[2] == "审核中"
    assert "ILLEGAL_MOVE 审核中→已发货" in str(column_of(desk, "anomalies")[2])
    assert [(m["old"], m["new"]) for m in second.put_back] == [("审核中", "已发货")]
    assert any(e.field == "status" and e.source == "person" for e in sheetsync.history(config, "A3"))


def test_sla_turns_yellow_then_red_and_alerts_once(
        make_desk: Callable[..., Config], monkeypatch: pytest.MonkeyPatch, hook: tuple[str, list[dict[str, object]]],
        on_store: OnStore) -> None:
    desk = on_store(_desk(make_desk, monkeypatch, hook[0]))
    config = desk.config
    sheetsync.sync(config, now=NOW)
    sheetsync.sync(config, now=NOW + dt.timedelta(minutes=95))  # 审核中 has 2 h: 95 min is past 75 %
    assert column_of(desk, "sla")[2] == "预警"
    yellow = fill_of(desk, 4, "sla")
    late = sheetsync.sync(config, now=NOW + dt.timedelta(hours=2, minutes=5))
    assert column_of(desk, "sla")[2] == "超时"
    assert fill_of(desk, 4, "sla") == "FFC7CE" != yellow  # the red of a breach
    assert [a["ok"] for a in late.alerts] == [True] and len(hook[1]) == 1
    assert "A3" in json.dumps(hook[1][0], ensure_ascii=False)
    sheetsync.sync(config, now=NOW + dt.timedelta(hours=2, minutes=10))
    assert len(hook[1]) == 1  # not again a minute later


def test_an_inconsistent_workflow_fails_check_with_exit_2(make_desk: Callable[..., Config], run_cli: Callable[..., object],
                                                          tmp_path: object) -> None:
    config = make_desk([{**BASE, "order_id": "A1"}])
    (config.base_dir / "flow.yaml").write_text(
        "states:\n  - {name: 新}\n  - {name: 孤岛}\ntransitions:\n  - {from: 新, to: 不存在, auto: true}\n", encoding="utf-8")
    with config.source.open("a", encoding="utf-8") as fh:
        fh.write("workflow: flow.yaml\n")
    result = run_cli("check", "-c", config.source)
    assert result.code == 2 and "flow.yaml" in result.err  # type: ignore[attr-defined]
