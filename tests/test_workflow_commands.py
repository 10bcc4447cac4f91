"""The workflow's commands on a real desk: `queue` in working order (its --json equals the library's
result), `approve` signing orders through the store (journaled), `unlock` recorded for the next sync."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from desks import OnStore

import sheetsync
from sheetsync.cli import workflow as cli_workflow
from sheetsync.config import Config
from sheetsync.errors import ConfigError
from sheetsync.journal.core import Journal
from sheetsync.journal.workflow import DbWorkflowJournal
from sheetsync.run import commands
from sheetsync.stores import open_store
from sheetsync.stores.table import read_table

NOW = dt.datetime(2026, 3, 2, 10, 0, 0)


def at(hours_ago: float) -> dt.datetime:
    return NOW - dt.timedelta(hours=hours_ago)


def order(oid: str, status: str, **values: Any) -> dict[str, Any]:
    return {"order_id": oid, "status": status, "status_since": at(0.5), "created_at": at(30), "customer_id": "C1",
            "amount_payable": 500, "warehouse": "杭州仓", **values}


@pytest.fixture
def desk(make_desk: Callable[..., Config], on_store: OnStore) -> Config:
    """The workflow's desk on the test's store: an .xlsx workbook or a Google Sheet."""
    return on_store(make_desk([
        order("SS-1", "备货中", status_since=at(1), promised_by=at(-20), priority="绿"),
        order("SS-2", "备货中", status_since=at(5), promised_by=at(-20)),                 # breached: 5 h of 4
        order("SS-3", "备货中", status_since=at(1), promised_by=at(-2), priority="红"),
        order("SS-4", "备货中", status_since=at(1), promised_by=at(-2), priority="黄"),
        order("SS-5", "审核中", amount_payable=12000, approver="王总监", warehouse="广州仓"),
        order("SS-6", "审核中", amount_payable=12000, warehouse="杭州仓"),
        order("SS-7", "审核中", amount_payable=500, customer_id="C7", warehouse="杭州仓"),
        order("SS-8", "已完成", warehouse="杭州仓"),
    ])).config


def test_queue_lists_open_orders_per_group_in_working_order(desk: Config, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli_workflow.queue(desk.source, group=None, json_out=True, now="2026-03-02T10:00:00")
    shown = json.loads(capsys.readouterr().out)
    assert code == 0
    assert shown == [g.to_dict() for g in commands.queues(desk, NOW)]
    assert [(g["group"], [o["order_id"] for o in g["orders"]]) for g in shown] == [
        ("广州仓", ["SS-5"]),
        ("杭州仓", ["SS-2", "SS-3", "SS-4", "SS-1", "SS-6", "SS-7"]),
    ]
    first = shown[1]["orders"][0]
    assert (first["sla"], first["level"]) == ("超时", 2)


def test_orders_whose_status_is_no_state_are_a_group_of_their_own_first(make_desk: Callable[..., Config],
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    desk = make_desk([order("SS-1", "待确认"), order("SS-2", "待发货"), order("SS-3", "挂起", warehouse=None)],
                     name="words")
    groups = commands.queues(desk, NOW)
    assert [(g.name, g.unknown, [e.order_id for e in g.entries]) for g in groups] == [
        ("STATE_UNKNOWN", True, ["SS-2", "SS-3"]), ("杭州仓", False, ["SS-1"])]
    assert cli_workflow.queue(desk.source, group=None, json_out=False, now="2026-03-02T10:00:00") == 0
    assert "STATE_UNKNOWN" in capsys.readouterr().out


def test_queue_of_one_group_prints_a_table(desk: Config, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_workflow.queue(desk.source, group="广州仓", json_out=False, now="2026-03-02T10:00:00") == 0
    out = capsys.readouterr().out
    assert "广州仓：1 单" in out and "SS-5" in out and "SS-1" not in out


def test_approve_signs_orders_through_the_store_and_the_journal(desk: Config, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli_workflow.approve(["SS-5", "SS-6", "SS-404"], by="李会计", config=desk.source, group=None, all_orders=False,
                                json_out=True, now="2026-03-02T10:00:00", force=False)
    result = json.loads(capsys.readouterr().out)
    assert code == 2  # an order that does not exist is a usage error; the others are signed all the same
    assert [(s["order_id"], s["outcome"], s["approver"]) for s in result["signatures"]] == [
        ("SS-5", "signed", "王总监、李会计"), ("SS-6", "signed", "李会计"), ("SS-404", "not_found", None)]
    frame = read_table(open_store(desk), desk).frame.set_index("order_id")
    assert frame.loc["SS-5", "approver"] == "王总监、李会计" and frame.loc["SS-6", "approver"] == "李会计"
    history = sheetsync.history(desk, "SS-5")
    assert [(e.command, e.field, e.old, e.new, e.source, e.detail) for e in history] == [
        ("approve", "approver", "王总监", "王总监、李会计", "tool", "approve --by 李会计")]
    again = commands.approve_orders(desk, "李会计", ["SS-5"], now=NOW)
    assert [s.outcome for s in again.signatures] == ["already"] and again.run_id is None


def test_a_signature_is_journaled_once_as_the_tools_and_the_next_sync_takes_it_for_no_persons_edit(
        desk: Config) -> None:
    first = sheetsync.sync(desk, now=NOW)
    assert first.person_edits == []
    commands.approve_orders(desk, "李会计", ["SS-6"], now=NOW + dt.timedelta(minutes=1))
    after = sheetsync.sync(desk, now=NOW + dt.timedelta(minutes=2))
    assert after.person_edits == [] and not [c for c in after.changes if c["field"] == "approver"]
    signed = [(e.command, e.old, e.new, e.source) for e in sheetsync.history(desk, "SS-6") if e.field == "approver"]
    assert signed == [("approve", None, "李会计", "tool")]
    again = sheetsync.sync(desk, now=NOW + dt.timedelta(minutes=3))
    assert again.person_edits == [] and not again.workbook_written


def test_approve_a_whole_group_signs_only_what_the_name_may_sign(desk: Config) -> None:
    result = commands.approve_orders(desk, "王总监", group="杭州仓", all_in_group=True, now=NOW)
    assert [(s.order_id, s.outcome) for s in result.signatures] == [("SS-6", "signed"), ("SS-7", "signed")]
    result = commands.approve_orders(desk, "华东经理", ["SS-6"], now=NOW)
    assert [(s.outcome, s.tier) for s in result.signatures] == [("not_signer", "大额双签")]
    with pytest.raises(ConfigError):
        commands.approve_orders(desk, "王总监", now=NOW)


def test_unlock_is_journaled_for_the_next_sync(desk: Config, capsys: pytest.CaptureFixture[str]) -> None:
    sheetsync.sync(desk, now=NOW)
    code = cli_workflow.unlock("SS-1", by="张三", reason="客户来电改地址", config=desk.source, json_out=False,
                               now="2026-03-02T10:05:00")
    assert code == 0 and "SS-1 已解锁" in capsys.readouterr().out
    with Journal(desk.journal_path) as journal:
        unlocks = journal.workflow.open_unlocks()
    assert {k: (u.by, u.reason) for k, u in unlocks.items()} == {"SS-1": ("张三", "客户来电改地址")}
    assert [(e.command, e.field, e.new, e.detail) for e in sheetsync.history(desk, "SS-1")][-1] == \
        ("unlock", "unlock", "客户来电改地址", "张三")
    with pytest.raises(ConfigError):
        commands.unlock_order(desk, "SS-404", "张三", "x", NOW)


def test_the_journal_tables_are_created_once(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.db") as whole:
        journal = DbWorkflowJournal(whole.db)
        DbWorkflowJournal(whole.db)
        journal.record_alerts([("SS-1", "breach", "审核中", "default")] * 2, 7, NOW)
        journal.add_unlock("SS-1", "张三", "改地址", NOW, 8)
        journal.use_unlocks(["SS-1"], 9)
        assert journal.alerts_sent() == {("SS-1", "breach", "审核中")}
        assert journal.open_unlocks() == {}
