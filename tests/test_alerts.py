"""Alerts reach a real HTTP server on 127.0.0.1: the 企业微信 and 钉钉 robots' payloads (DingTalk's signature
checked the way DingTalk checks it), a generic JSON webhook, retries on 500, and no exception when nothing
listens; a breached order is delivered once, not twice."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import socket
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest

from sheetsync.config.workflow import AlertTarget
from sheetsync.model.records import Alert, WorkflowHistory
from sheetsync.notify.alerts import send_alerts
from sheetsync.steps.workflow.advance import advance
from sheetsync.steps.workflow.load import load_workflow

SECRET = "SEC0123456789abcdef"
TOKEN = "robot-token-do-not-log"


@dataclass
class Received:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict[str, object]:
        return json.loads(self.body)  # type: ignore[no-any-return]


@dataclass
class Server:
    url: str
    received: list[Received] = field(default_factory=list)
    failures: int = 0
    """Answer this many requests with 500 first."""
    answer: dict[str, object] = field(default_factory=lambda: {"errcode": 0, "errmsg": "ok"})


@pytest.fixture
def server() -> Iterator[Server]:
    state = Server("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            parsed = urllib.parse.urlsplit(self.path)
            state.received.append(Received(parsed.path, dict(urllib.parse.parse_qsl(parsed.query)),
                                           dict(self.headers.items()), self.rfile.read(length)))
            status = 500 if state.failures > 0 else 200
            state.failures -= 1
            body = json.dumps(state.answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()


def alerts(target: str, n: int = 2) -> list[Alert]:
    return [Alert(f"SS-{i}", "breach", "审核中", target, "", 2.5) for i in range(n)]


def test_wecom_robot_gets_a_markdown_message(server: Server) -> None:
    target = AlertTarget(name="ops", kind="wecom", url_env="WECOM_URL")
    outcomes = send_alerts(alerts("ops"), [target], {"WECOM_URL": f"{server.url}/cgi-bin/webhook/send?key={TOKEN}"}, "zh")
    assert [(o.ok, o.attempts, len(o.delivered)) for o in outcomes] == [(True, 1, 2)]
    got = server.received[0]
    assert got.query == {"key": TOKEN}
    message = got.json()
    assert message["msgtype"] == "markdown"
    content = message["markdown"]["content"]  # type: ignore[index]
    assert "订单提醒（2 单）" in content and "SS-0｜审核中｜超时（在此状态 2.5 小时）" in content


def test_dingtalk_robot_is_signed_as_dingtalk_verifies(server: Server) -> None:
    target = AlertTarget(name="ops", kind="dingtalk", url_env="DING_URL", secret_env="DING_SECRET")
    env = {"DING_URL": f"{server.url}/robot/send?access_token={TOKEN}", "DING_SECRET": SECRET}
    outcomes = send_alerts(alerts("ops"), [target], env, "zh", clock=lambda: 1_767_000_000.123)
    assert outcomes[0].ok
    got = server.received[0]
    assert got.query["access_token"] == TOKEN and got.query["timestamp"] == "1767000000123"
    expected = base64.b64encode(hmac.new(SECRET.encode(), f"{got.query['timestamp']}\n{SECRET}".encode(),
                                         hashlib.sha256).digest()).decode()
    assert got.query["sign"] == expected
    message = got.json()
    assert message["msgtype"] == "markdown" and message["markdown"]["title"] == "订单提醒（2 单）"  # type: ignore[index]


def test_generic_webhook_gets_json_with_every_alert_and_an_hmac(server: Server) -> None:
    target = AlertTarget(name="hook", kind="webhook", url_env="HOOK_URL", secret_env="HOOK_SECRET")
    send_alerts(alerts("hook", 3), [target], {"HOOK_URL": f"{server.url}/in", "HOOK_SECRET": SECRET}, "en")
    got = server.received[0]
    data = got.json()
    assert [a["order_id"] for a in data["alerts"]] == ["SS-0", "SS-1", "SS-2"]  # type: ignore[union-attr, index]
    assert data["alerts"][0]["text"] == "SS-0 | 审核中 | breach (2.5 h in this state)"  # type: ignore[index]
    signature = hmac.new(SECRET.encode(), got.body, hashlib.sha256).hexdigest()
    assert got.headers["X-Sheetsync-Signature"] == f"sha256={signature}"


def test_a_500_is_retried_and_then_delivered(server: Server) -> None:
    server.failures = 2
    target = AlertTarget(name="hook", kind="webhook", url_env="HOOK_URL")
    outcomes = send_alerts(alerts("hook"), [target], {"HOOK_URL": f"{server.url}/in"}, "en", backoff=0.01)
    assert [(o.ok, o.attempts) for o in outcomes] == [(True, 3)]
    assert len(server.received) == 3


def test_a_refusal_is_reported_without_retrying(server: Server) -> None:
    server.answer = {"errcode": 93000, "errmsg": "invalid webhook url"}
    target = AlertTarget(name="ops", kind="wecom", url_env="WECOM_URL")
    outcomes = send_alerts(alerts("ops"), [target], {"WECOM_URL": f"{server.url}/send?key={TOKEN}"}, "en", backoff=0.01)
    assert [(o.ok, o.attempts, o.delivered) for o in outcomes] == [(False, 1, [])]
    assert "93000" in (outcomes[0].error or "")


def test_a_dead_port_is_reported_never_raised_and_the_token_never_shown(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    target = AlertTarget(name="ops", kind="dingtalk", url_env="DING_URL", secret_env="DING_SECRET")
    env = {"DING_URL": f"http://127.0.0.1:{port}/robot/send?access_token={TOKEN}", "DING_SECRET": SECRET}
    with caplog.at_level(logging.WARNING, logger="sheetsync"):
        outcomes = send_alerts(alerts("ops"), [target], env, "en", attempts=3, backoff=0.01)
    assert [(o.ok, o.attempts) for o in outcomes] == [(False, 3)]
    shown = json.dumps([o.to_dict() for o in outcomes]) + caplog.text
    assert "could not connect" in shown
    assert TOKEN not in shown and SECRET not in shown and str(port) not in shown


def test_missing_environment_and_undeclared_targets() -> None:
    target = AlertTarget(name="ops", kind="wecom", url_env="WECOM_URL")
    outcomes = send_alerts(alerts("ops") + alerts("default") + alerts("typo"), [target], {}, "en")
    assert [(o.target, o.ok, o.error) for o in outcomes] == [
        ("ops", False, "environment variable WECOM_URL is not set"),
        ("typo", False, "alert target 'typo' is not configured"),
    ]


def test_a_breached_order_alerts_the_local_server_once_not_twice(server: Server) -> None:
    workflow = load_workflow("default_zh", Path("."), "zh")
    target = AlertTarget(name="default", kind="webhook", url_env="HOOK_URL")
    env = {"HOOK_URL": f"{server.url}/in"}
    row = {"order_id": "SS-9", "status": "审核中", "status_since": "2026-03-02 07:00:00", "amount_payable": "12000",
           "customer_id": "C1", "created_at": "2026-03-01 07:00:00", "sla": None, "approver": None}
    sent: set[tuple[str, str, str]] = set()
    for minute in (0, 1):
        work = pd.DataFrame([row], index=[2]).astype("str")
        now = dt.datetime(2026, 3, 2, 10, minute)
        result = advance(work, workflow=workflow, previous=None, added=pd.Index([]), now=now,
                         history=WorkflowHistory(alerts_sent=sent))
        for outcome in send_alerts(result.alerts, [target], env, "zh"):
            sent |= set(outcome.delivered)
    assert len(server.received) == 1
    assert [a["order_id"] for a in server.received[0].json()["alerts"]] == ["SS-9"]  # type: ignore[union-attr, index]
    assert sent == {("SS-9", "breach", "审核中")}


def test_a_robot_echoing_its_url_and_token_never_puts_the_token_in_the_log_or_the_outcome(
        server: Server, caplog: pytest.LogCaptureFixture) -> None:
    url = f"{server.url}/cgi-bin/webhook/send?key={TOKEN}"
    server.answer = {"errcode": 93000, "errmsg": f"invalid webhook url {url}, hint: key={TOKEN}"}
    target = AlertTarget(name="ops", kind="wecom", url_env="WECOM_URL")
    with caplog.at_level(logging.WARNING, logger="sheetsync"):
        outcomes = send_alerts(alerts("ops"), [target], {"WECOM_URL": url}, "en", backoff=0.01)
    shown = json.dumps([o.to_dict() for o in outcomes]) + caplog.text
    assert "93000" in shown and TOKEN not in shown


def test_a_malformed_webhook_url_is_an_outcome_never_an_exception() -> None:
    target = AlertTarget(name="ops", kind="webhook", url_env="HOOK_URL")
    outcomes = send_alerts(alerts("ops"), [target], {"HOOK_URL": "htp:/broken url with spaces"}, "en", attempts=1)
    assert [(o.ok, o.target) for o in outcomes] == [(False, "ops")] and outcomes[0].error


def test_a_ticket_past_its_sla_alerts_once_under_the_after_sales_title(server: Server, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A sync: a ticket left in 待审核 past its 24 h is sent to the desk's target as a 售后提醒, and not again."""
    from test_aftersales_flow import FIRST, NOW, _desk, _drop

    import sheetsync
    from sheetsync import load_config

    config = _desk(tmp_path)
    text = config.source.read_text(encoding="utf-8")
    config.source.write_text(text + "alerts:\n  - {name: default, kind: wecom, url_env: WECOM_URL}\n", encoding="utf-8")
    monkeypatch.setenv("WECOM_URL", f"{server.url}/cgi-bin/webhook/send?key={TOKEN}")
    _drop(config, "as_1121.csv", FIRST[:1])
    sheetsync.sync(load_config(config.source), now=NOW)
    tickets = [r for r in server.received if "售后提醒" in r.body.decode()]
    assert tickets == []
    for hours in (30, 31):
        sheetsync.sync(load_config(config.source), now=NOW + dt.timedelta(hours=hours))
    tickets = [r for r in server.received if "售后提醒" in r.body.decode()]
    assert len(tickets) == 1
    content = tickets[0].json()["markdown"]["content"]  # type: ignore[index]
    assert "AS20261122-0001｜待审核｜超时" in content
