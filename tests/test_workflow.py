"""The workflow step on the scenarios our users describe, with a fixed clock: approvals, illegal moves,
locks, SLA colours, routing, checks against lookup sheets, and alerts asked for once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from sheetsync.i18n import Lang, render
from sheetsync.model.records import Unlock, WorkflowHistory
from sheetsync.steps.workflow.advance import Advanced, advance
from sheetsync.steps.workflow.compiled import Workflow
from sheetsync.steps.workflow.load import load_workflow

NOW = dt.datetime(2026, 3, 2, 10, 0, 0)
DATA = Path(__file__).parent / "data" / "workflows"
COLUMNS = ("order_id", "status", "status_since", "sla", "approver", "note", "warehouse", "customer_id", "phone",
           "amount_payable", "created_at", "paid_at", "tracking_no", "shipped_at", "delivered_at", "promised_by",
           "country", "province", "city", "district", "address", "items", "priority")
KNOWN_CUSTOMER = pd.DataFrame([{"order_id": "OLD-1", "customer_id": "C-OLD", "phone": None, "created_at": "2025-01-01 09:00:00"}])


def stamp(hours_ago: float) -> str:
    return (NOW - dt.timedelta(hours=hours_ago)).strftime("%Y-%m-%d %H:%M:%S")


def table(*rows: Mapping[str, Any], first_row: int = 2) -> pd.DataFrame:
    """Rows as the pipeline carries them: canonical text, index = sheet row numbers."""
    frame = pd.DataFrame([{c: r.get(c) for c in COLUMNS} for r in rows], index=range(first_row, first_row + len(rows)))
    return frame.astype("str")


def order(**values: Any) -> dict[str, Any]:
    base = {"order_id": "SS-1", "status": "审核中", "status_since": stamp(0.5), "customer_id": "C-OLD",
            "amount_payable": "1800", "created_at": stamp(3), "paid_at": stamp(1)}
    return {**base, **values}


def run(work: pd.DataFrame, workflow: Workflow, *, previous: pd.DataFrame | None = None, new: Sequence[int] = (),
        now: dt.datetime = NOW, history: WorkflowHistory | None = None, lookups: Mapping[str, pd.DataFrame] | None = None,
        lang: Lang = "zh") -> Advanced:
    """`advance`, its anomalies and the journal's reasons rendered in `lang` as the desk would show and write them."""
    history = history or WorkflowHistory(earlier_orders=KNOWN_CUSTOMER)
    result = advance(work, workflow=workflow, previous=previous, added=pd.Index(list(new)), now=now, history=history,
                     lookups=lookups)
    result.anomalies = [replace(a, message=a.text(lang)) for a in result.anomalies]
    result.details = {name: {row: render(words, lang) for row, words in rows.items()} for name, rows in result.details.items()}
    return result


def codes(result: Advanced) -> list[tuple[int, str]]:
    return [(a.row, a.code) for a in result.anomalies]


@pytest.fixture(scope="module")
def default_zh() -> Workflow:
    return load_workflow("default_zh", Path("."), "zh")


@pytest.fixture(scope="module")
def ecommerce() -> Workflow:
    return load_workflow("ecommerce_zh", Path("."), "zh")


@pytest.fixture(scope="module")
def crossborder() -> Workflow:
    return load_workflow("crossborder.yaml", DATA, "en")


# approval tiers ---------------------------------------------------------------------------------

def test_small_order_of_a_known_customer_passes_review_by_itself(default_zh: Workflow) -> None:
    work = table(order(amount_payable="1800"))
    result = run(work, default_zh)
    assert work.at[2, "status"] == "备货中"
    assert work.at[2, "status_since"] == "2026-03-02 10:00:00"
    assert result.anomalies == []
    assert "审核中→备货中" in result.details["status"][2] and "小额自动" in result.details["status"][2]
    assert result.moved == {("审核中", "备货中"): 1} and result.moves == []


def test_large_order_waits_for_two_signatures_and_flags_a_wrong_signer(default_zh: Workflow) -> None:
    work = table(order(amount_payable="12000", approver="王总监、张三"))
    result = run(work, default_zh)
    assert work.at[2, "status"] == "审核中"
    assert codes(result) == [(2, "APPROVER_INVALID")]
    assert "张三" in result.anomalies[0].message and "大额双签" in result.anomalies[0].message

    same_role = table(order(amount_payable="12000", approver="李会计，赵会计"))
    assert run(same_role, default_zh).anomalies == [] and same_role.at[2, "status"] == "审核中"

    signed = table(order(amount_payable="12000", approver="王总监 / 李会计"))
    result = run(signed, default_zh)
    assert signed.at[2, "status"] == "备货中"
    assert "王总监、李会计" in result.details["status"][2]


def test_mid_sized_order_needs_one_regional_manager(default_zh: Workflow) -> None:
    waiting = table(order(amount_payable="10000"))
    run(waiting, default_zh)
    assert waiting.at[2, "status"] == "审核中"
    signed = table(order(amount_payable="10000", approver="华南经理"))
    run(signed, default_zh)
    assert signed.at[2, "status"] == "备货中"


def test_first_time_customer_small_order_needs_two_signatures(default_zh: Workflow) -> None:
    work = table(order(amount_payable="800", customer_id="C-NEW"))
    run(work, default_zh)
    assert work.at[2, "status"] == "审核中"
    signed = table(order(amount_payable="800", customer_id="C-NEW", approver="王总监,赵会计"))
    run(signed, default_zh)
    assert signed.at[2, "status"] == "备货中"


def test_first_order_is_judged_by_phone_when_there_is_no_customer_id(default_zh: Workflow) -> None:
    work = table(order(order_id="SS-1", customer_id=None, phone="13800000000", created_at=stamp(50), status="已完成"),
                 order(order_id="SS-2", customer_id=None, phone="13800000000", amount_payable="800"))
    run(work, default_zh)
    assert work.at[3, "status"] == "备货中"


# people's moves -----------------------------------------------------------------------------------

def test_a_person_jumping_from_review_to_shipped_is_put_back_and_flagged(default_zh: Workflow) -> None:
    work = table(order(amount_payable="12000", status="已发货"))
    previous = table(order(amount_payable="12000", status="审核中"))[["status", "status_since"]]
    result = run(work, default_zh, previous=previous)
    assert work.at[2, "status"] == "审核中"
    assert codes(result) == [(2, "ILLEGAL_MOVE")]
    assert "审核中→已发货" in result.anomalies[0].message
    assert result.details["status"][2].startswith("ILLEGAL_MOVE")
    assert [(m.old, m.new, m.accepted, m.code) for m in result.moves] == [("审核中", "已发货", False, "ILLEGAL_MOVE")]


def test_a_person_cannot_skip_the_signatures_by_typing_the_next_state(default_zh: Workflow) -> None:
    work = table(order(amount_payable="12000", status="备货中"))
    result = run(work, default_zh, previous=table(order(amount_payable="12000"))[["status"]])
    assert work.at[2, "status"] == "审核中"
    assert "需要 2 个有效签名" in result.anomalies[0].message


def test_closing_needs_a_reason_in_the_note(default_zh: Workflow) -> None:
    previous = table(order(status="备货中"))[["status", "status_since"]]
    work = table(order(status="异常关闭"))
    result = run(work, default_zh, previous=previous)
    assert work.at[2, "status"] == "备货中" and codes(result) == [(2, "REASON_MISSING")]
    said = result.anomalies[0].text("zh")
    assert "备注" in said and "note" not in said  # the field as people call it, not its key

    work = table(order(status="异常关闭", note="客户取消"))
    result = run(work, default_zh, previous=previous)
    assert work.at[2, "status"] == "异常关闭" and result.anomalies == []
    assert work.at[2, "status_since"] == "2026-03-02 10:00:00"
    assert [(m.by, m.accepted) for m in result.moves] == [("person", True)]


def test_a_new_row_starts_in_an_entry_state(default_zh: Workflow) -> None:
    work = table(order(order_id="SS-1", status=None, paid_at=None, status_since=None),
                 order(order_id="SS-2", status="已发货", paid_at=None, status_since=None))
    result = run(work, default_zh, new=[2, 3])
    assert work["status"].tolist() == ["待确认", "待确认"]
    assert work["status_since"].tolist() == ["2026-03-02 10:00:00"] * 2
    assert codes(result) == [(3, "ENTRY_STATE_INVALID")]


def test_rows_a_channel_appended_or_the_journal_never_saw_keep_their_state(default_zh: Workflow) -> None:
    work = table(order(order_id="SS-1", status="已发货", tracking_no="SF1", status_since=None),
                 order(order_id="SS-2", status=None, paid_at=None, status_since=None))
    result = run(work, default_zh)
    assert work["status"].tolist() == ["已发货", "待确认"] and result.anomalies == []
    assert work["status_since"].tolist() == ["2026-03-02 10:00:00"] * 2


def test_automatic_moves_chain_until_nothing_moves(default_zh: Workflow) -> None:
    work = table(order(status="待确认", tracking_no="SF123"))
    result = run(work, default_zh)
    assert work.at[2, "status"] == "已发货"
    assert result.moved == {("待确认", "审核中"): 1, ("审核中", "备货中"): 1, ("备货中", "已发货"): 1}
    assert result.details["status"][2] == "自动流转 备货中→已发货"


def test_an_unknown_status_is_flagged_and_left_alone(default_zh: Workflow) -> None:
    work = table(order(status="已付款"))
    result = run(work, default_zh)
    assert work.at[2, "status"] == "已付款" and codes(result) == [(2, "STATE_UNKNOWN")]


def test_a_persons_own_word_typed_over_a_state_is_kept_and_flagged_not_put_back(default_zh: Workflow) -> None:
    work = table(order(status="已打包"))
    previous = table(order(status="备货中"))[["status", "status_since"]]
    result = run(work, default_zh, previous=previous)
    assert work.at[2, "status"] == "已打包" and codes(result) == [(2, "STATE_UNKNOWN")]
    assert [m for m in result.moves if not m.accepted] == [] and "status" not in result.details


# locks ---------------------------------------------------------------------------------------------

def test_an_address_edit_after_printing_is_put_back_and_kept_after_an_unlock(ecommerce: Workflow) -> None:
    printed = order(status="已打单", warehouse="杭州仓", tracking_no="SF1", province="浙江省", city="杭州市",
                    district="西湖区", address="文三路 1 号")
    previous = table(printed)[["status", "status_since", "province", "city", "district", "address"]]
    work = table({**printed, "address": "文三路 99 号"})
    result = run(work, ecommerce, previous=previous)
    assert work.at[2, "address"] == "文三路 1 号"
    assert codes(result) == [(2, "ADDR_LOCKED")] and "文三路 99 号" in result.anomalies[0].message
    assert "详细地址 已锁定" in result.anomalies[0].text("zh")  # the field as people call it, not its key

    work = table({**printed, "address": "文三路 99 号"})
    history = WorkflowHistory(earlier_orders=KNOWN_CUSTOMER, unlocks={"SS-1": Unlock("SS-1", "张三", "客户来电改地址")})
    result = run(work, ecommerce, previous=previous, history=history)
    assert work.at[2, "address"] == "文三路 99 号" and result.anomalies == []
    assert result.unlocks_used == ["SS-1"]


def test_before_the_lock_state_the_address_may_change(ecommerce: Workflow) -> None:
    before = order(status="已分仓", warehouse="杭州仓", address="文三路 1 号")
    work = table({**before, "address": "文三路 2 号"})
    assert run(work, ecommerce, previous=table(before)[["status", "address"]]).anomalies == []
    assert work.at[2, "address"] == "文三路 2 号"


# SLA ---------------------------------------------------------------------------------------------

def test_sla_turns_yellow_then_red_as_now_advances(default_zh: Workflow) -> None:
    pending = order(status="待确认", status_since="2026-03-02 10:00:00", paid_at=None)
    seen = []
    for minutes in (10, 25, 31):
        work = table(pending)
        result = run(work, default_zh, now=NOW + dt.timedelta(minutes=minutes))
        seen.append((work.at[2, "sla"], result.fills.get((2, "sla"))))
    assert seen == [("正常", "C6EFCE"), ("预警", "FFEB9C"), ("超时", "FFC7CE")]


def test_sla_is_written_in_the_desks_language_and_only_when_it_changes() -> None:
    workflow = load_workflow("default_en", Path("."), "en")
    work = table(order(status="Pending", paid_at=None, status_since=stamp(0.4), sla="ok"))
    result = run(work, workflow, lang="en")
    assert work.at[2, "sla"] == "warn" and result.fills == {(2, "sla"): "FFEB9C"}
    again = run(work, workflow, lang="en")
    assert again.fills == {}


def test_a_passed_promise_is_a_breach_whatever_the_state(default_zh: Workflow) -> None:
    work = table(order(status="已发货", tracking_no="SF1", promised_by=stamp(1)),
                 order(order_id="SS-2", status="已发货", tracking_no="SF1", created_at=stamp(9), promised_by=stamp(-1)))
    run(work, default_zh)
    assert work["sla"].tolist() == ["超时", "预警"]


def test_ecommerce_three_levels_are_yellow_orange_red(ecommerce: Workflow) -> None:
    work = table(order(order_id="A", status="已分仓", warehouse="杭州仓", created_at=stamp(2.5), status_since=stamp(1)),
                 order(order_id="B", status="已打单", warehouse="杭州仓", tracking_no="SF1", status_since=stamp(5)),
                 order(order_id="C", status="已发货", warehouse="杭州仓", tracking_no="SF2", status_since=stamp(25)),
                 order(order_id="D", status="已发货", warehouse="杭州仓", tracking_no="SF3", status_since=stamp(25),
                       shipped_at=stamp(24)))
    result = run(work, ecommerce)
    assert work["sla"].tolist() == ["预警", "超时", "严重", "正常"]
    assert [result.fills[(r, "sla")] for r in (2, 3, 4, 5)] == ["FFEB9C", "F8CBAD", "FFC7CE", "C6EFCE"]
    assert sorted((a.order_id, a.level) for a in result.alerts) == [("B", "breach"), ("C", "breach"), ("C", "critical")]


# routing, checks, lookups --------------------------------------------------------------------------

def test_orders_are_routed_by_country_and_a_persons_warehouse_stays(crossborder: Workflow) -> None:
    work = table(order(order_id="US1", status="New", paid_at=None, country="US"),
                 order(order_id="DE1", status="New", paid_at=None, country="DE"),
                 order(order_id="BR1", status="New", paid_at=None, country="BR"),
                 order(order_id="US2", status="New", paid_at=None, country="US", warehouse="LA-own"))
    result = run(work, crossborder, lang="en")
    assert work["warehouse"].tolist() == ["NA-Reno", "EU-Venlo", "manual review", "LA-own"]
    assert result.details["warehouse"] == {2: "routing rule 'North America'", 3: "routing rule 'Europe'",
                                           4: "routing rule 'manual'"}


def test_manual_review_orders_wait_and_routed_ones_move_on(crossborder: Workflow) -> None:
    work = table(order(order_id="US1", status="Review", country="US", customer_id="C-OLD"),
                 order(order_id="BR1", status="Review", country="BR", customer_id="C-OLD"))
    run(work, crossborder, lang="en")
    assert work["status"].tolist() == ["Picking", "Review"]


CUSTOMERS = pd.DataFrame({"customer": ["C-NEW", "C-OLD"], "credit limit": ["5,000", "100000"], "outstanding": ["4000", "0"]})
INVENTORY = pd.DataFrame({"SKU": ["A-1", "B-2"], "on hand": ["10", "1"]})


def test_credit_exceeded_on_a_first_order_holds_it_and_alerts_sales(crossborder: Workflow) -> None:
    work = table(order(order_id="N1", status="Review", country="US", customer_id="C-NEW", amount_payable="1500"),
                 order(order_id="O1", status="Review", country="US", customer_id="C-OLD", amount_payable="1500"))
    result = run(work, crossborder, lookups={"customers": CUSTOMERS, "inventory": INVENTORY}, lang="en")
    assert work["status"].tolist() == ["Review", "Picking"]
    assert codes(result) == [(2, "CREDIT_HOLD")]
    assert [(a.order_id, a.level, a.target) for a in result.alerts] == [("N1", "CREDIT_HOLD", "sales")]


def test_not_enough_stock_for_a_sku_is_flagged(crossborder: Workflow) -> None:
    work = table(order(order_id="S1", status="Picking", warehouse="NA-Reno", items="A-1×2; B-2×3"),
                 order(order_id="S2", status="Picking", warehouse="NA-Reno", items="A-1×10"),
                 order(order_id="S3", status="Picking", warehouse="NA-Reno", items="Z-9×1"))
    result = run(work, crossborder, lookups={"customers": CUSTOMERS, "inventory": INVENTORY}, lang="en")
    assert codes(result) == [(2, "STOCK_SHORT")]


def test_a_transition_notify_and_a_state_colour(crossborder: Workflow) -> None:
    work = table(order(order_id="P1", status="Picking", warehouse="NA-Reno", tracking_no="1Z"))
    result = run(work, crossborder, lang="en")
    assert [(a.level, a.state, a.target) for a in result.alerts] == [("move", "Shipped", "ops")]
    assert crossborder.fill_of("status", "Picking") == "DDEBF7"


# alerts are asked for once ------------------------------------------------------------------------

def test_a_breached_order_is_alerted_once_per_level_and_state(default_zh: Workflow) -> None:
    work = table(order(status="待确认", paid_at=None, status_since=stamp(1)))
    first = run(work, default_zh)
    assert [(a.order_id, a.level, a.state, a.target) for a in first.alerts] == [("SS-1", "breach", "待确认", "default")]
    history = WorkflowHistory(earlier_orders=KNOWN_CUSTOMER, alerts_sent={a.key for a in first.alerts})
    assert run(table(order(status="待确认", paid_at=None, status_since=stamp(1))), default_zh, history=history).alerts == []
