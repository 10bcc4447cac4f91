"""A shop's status is news, not a person's edit: it lands through the workflow's path, a cancellation always
lands, a contradiction is flagged; and every desk reads a shop's state key in its own words."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CliRun, read_sheet, use_workflow

from sheetsync.config import load_config
from sheetsync.desk.new import copy_demo
from sheetsync.model.states import FALLBACK, STATE_KEYS, key_of_word
from sheetsync.steps.workflow.load import desk_workflow, load_workflow, presets, presets_dir, status_words

DATA = Path(__file__).parent / "data"


def _rows(book: Path) -> dict[str, dict[str, object]]:
    sheet = read_sheet(book)
    header = sheet[0]
    return {str(r[header.index("渠道订单号")]): dict(zip(header, r, strict=False)) for r in sheet[1:]
            if r[header.index("渠道订单号")]}


def test_a_shops_later_export_moves_its_orders_as_news_not_as_a_persons_edit(tmp_path: Path,
                                                                             run_cli: Callable[..., CliRun]) -> None:
    desk = tmp_path / "d"
    assert run_cli("demo", desk, "--json").code == 0
    config = desk / "sheetsync.yaml"
    use_workflow(config, "default_zh")
    assert run_cli("sync", "-c", config, "--now", "2026-11-21T12:00").code == 0
    before = _rows(desk / "orders.xlsx")
    shutil.copy(DATA / "exports" / "douyin_orders_later.csv", desk / "inbox" / "douyin")
    run = run_cli("sync", "-c", config, "--now", "2026-11-21T12:30", "--json")
    assert run.code == 0, run.err
    result = run.json()
    assert result["put_back"] == []
    assert "ILLEGAL_MOVE" not in result["anomalies"] and "REASON_MISSING" not in result["anomalies"]
    after = _rows(desk / "orders.xlsx")
    closed = after["6931245078213467714"]  # 已关闭 in the shop: cancelled, from 待确认, without a note
    assert before["6931245078213467714"]["状态"] == "待确认" and closed["状态"] == "异常关闭"
    shipped = [k for k, r in after.items() if r["状态"] == "已发货" and before[k]["状态"] == "审核中"]
    assert shipped  # 审核中 -> 备货中 -> 已发货 along the workflow, though no approver signed
    history = json.loads(run_cli("history", closed["订单号"], "-c", config, "--json").out)
    change = next(e for e in history if e["field"] == "status" and e["new"] == "异常关闭")
    assert change["source"] == "channel" and change["detail"] == "douyin"


def test_news_that_contradicts_the_order_is_flagged_and_news_behind_it_is_let_go(
        tmp_path: Path, run_cli: Callable[..., CliRun]) -> None:
    desk = tmp_path / "d"
    assert run_cli("demo", desk, "--json").code == 0
    config = desk / "sheetsync.yaml"
    use_workflow(config, "default_zh")
    assert run_cli("sync", "-c", config, "--now", "2026-11-21T12:00").code == 0
    export = (DATA / "exports" / "douyin_orders_later.csv").read_text(encoding="utf-8-sig")
    lines = export.splitlines()
    header = lines[0].split(",")
    status_at = header.index("订单状态")
    # the order that was closed (已关闭) is reported shipped again; the rest say 待发货 (behind where the desk is)
    rebuilt = [lines[0]]
    for line in lines[1:]:
        cells = line.split(",")
        if cells[status_at] in ("已发货", "已完成"):
            cells[status_at] = "待发货"
        rebuilt.append(",".join(cells))
    (desk / "inbox" / "douyin" / "later.csv").write_text("\n".join(rebuilt) + "\n", encoding="utf-8")
    assert run_cli("sync", "-c", config, "--now", "2026-11-21T12:30").code == 0  # the closing lands
    again = [lines[0]] + [line.replace(",已关闭,", ",已发货,") for line in rebuilt[1:] if "6931245078213467714" in line]
    (desk / "inbox" / "douyin" / "again.csv").write_text("\n".join(again) + "\n", encoding="utf-8")
    run = run_cli("sync", "-c", config, "--now", "2026-11-21T13:00", "--json")
    assert run.code == 0, run.err
    result = run.json()
    assert result["anomalies"].get("CONFLICT") == 1 and result["conflicts"] == 1
    assert _rows(desk / "orders.xlsx")["6931245078213467714"]["状态"] == "异常关闭"  # the closed order stays closed
    assert run_cli("sync", "-c", config, "--now", "2026-11-21T13:05", "--json").json()["anomalies"].get("CONFLICT") == 1


@pytest.mark.parametrize("preset", presets())
def test_every_preset_has_a_state_for_every_key(preset: str) -> None:
    workflow = load_workflow(preset, presets_dir(), "zh")
    for key in STATE_KEYS:
        assert workflow.word_for(key) is not None, (preset, key)
    assert workflow.state(workflow.word_for("cancelled")).final  # type: ignore[union-attr]
    for key, chain in FALLBACK.items():
        assert chain[0] == key


def test_a_team_s_words_name_the_states_and_a_shops_keys_land_in_them(tmp_path: Path,
                                                                       run_cli: Callable[..., CliRun]) -> None:
    config = copy_demo(tmp_path / "d", "zh")  # the example desk, not synced yet
    desk = config.parent
    words = "statuses: {待发货: paid, 已发货: shipped, 已签收: delivered, 已取消: cancelled}\n"
    config.write_text(config.read_text(encoding="utf-8") + words, encoding="utf-8")
    loaded = load_config(config)
    assert status_words(loaded, None)["paid"] == "待发货" and status_words(loaded, None)["cancelled"] == "已取消"
    assert status_words(loaded, None)["review"] == "待发货"  # the nearest of the team's words
    use_workflow(config, "default_zh")
    workflow = desk_workflow(load_config(config))
    assert workflow is not None
    names = [s.name for s in workflow.states]
    assert names == ["待发货", "审核中", "备货中", "已发货", "已签收", "已取消", "退款中", "已退款"]
    assert workflow.entry_states == ("待发货",) and workflow.path("待发货", "已签收") is not None
    typed = set(_rows(desk / "orders.xlsx"))  # the example's own rows keep what people typed (已完成 ...)
    run = run_cli("sync", "-c", config, "--now", "2026-11-21T12:00", "--json")
    assert run.code == 0, run.err
    statuses = {r["状态"] for k, r in _rows(desk / "orders.xlsx").items() if k not in typed}
    assert statuses <= set(names) and "待发货" in statuses, statuses


@pytest.mark.parametrize("word,key", [("待发货", "paid"), ("已签收", "delivered"), ("退款中", "refunding"),
                                      ("已取消", "cancelled"), ("Shipped", "shipped"), ("in transit", "shipped")])
def test_team_words_are_read_as_keys(word: str, key: str) -> None:
    assert key_of_word(word) == key


def test_a_status_word_of_a_desk_without_a_workflow_is_the_language_s_default(tmp_path: Path) -> None:
    (tmp_path / "sheetsync.yaml").write_text("lang: en\n", encoding="utf-8")
    words = status_words(load_config(tmp_path / "sheetsync.yaml"), None)
    assert words["paid"] == "Pending" and words["refunded"] == "Refunded" and words["delivered"] == "Done"
    assert dt.date.today()  # the words are data of the shipped presets, not of the clock


def _douyin_with(desk: Path, status: str) -> None:
    """A 抖店 export of one order, in the shop's `status`."""
    export = (DATA / "exports" / "douyin_orders.csv").read_text(encoding="utf-8-sig").splitlines()
    header = export[0].split(",")
    cells = export[1].split(",")
    cells[header.index("订单状态")] = status
    (desk / "inbox").mkdir(exist_ok=True)
    (desk / "inbox" / "one.csv").write_text("\n".join([export[0], ",".join(cells)]) + "\n", encoding="utf-8")


@pytest.mark.parametrize("mode", ["extend", "keep"])
def test_a_status_word_the_team_lacks_extends_its_dropdown_or_is_not_written(
        mode: str, tmp_path: Path, run_cli: Callable[..., CliRun], soffice: str) -> None:
    from conftest import libreoffice_csv

    from sheetsync.stores.xlsx.validation import dropdowns

    desk = tmp_path / "shop"
    shutil.copytree(Path(__file__).resolve().parent.parent / "example_workbooks" / "shop_zh", desk)
    shutil.rmtree(desk / "inbox")
    book, config = desk / "订单台.xlsx", desk / "sheetsync.yaml"
    assert run_cli("init", "--from", book).code == 0
    text = config.read_text(encoding="utf-8").replace("  sheet: 订单\n", f"  sheet: 订单\n  status_list: {mode}\n")
    config.write_text(text, encoding="utf-8")
    use_workflow(config, "default_zh", "channels:\n  - {name: douyin, path: inbox/*.csv, mapping: douyin}\n")
    _douyin_with(desk, "备货中")  # preparing: 备货中 in default_zh, a word the team's dropdown lacks
    run = run_cli("sync", "-c", config, "--now", "2026-11-21T12:00", "--json")
    assert run.code == 0, run.err
    result = run.json()
    last = read_sheet(book)[-1]
    header = read_sheet(book)[1]
    listed = next(d for d in dropdowns(book, "订单") if d.covers(3, header.index("状态") + 1)).choices
    if mode == "extend":
        assert result["status_list_added"] == ["备货中"] and last[header.index("状态")] == "备货中"
        assert listed == ("待发货", "已发货", "已签收", "退款中", "已取消", "备货中")
        assert libreoffice_csv(soffice, [book], tmp_path / "lo")[book][-1][header.index("状态")] == "备货中"
    else:
        assert result["status_list_added"] == [] and result["anomalies"].get("STATUS_NOT_IN_LIST") == 1
        assert last[header.index("状态")] == "待发货" and listed == ("待发货", "已发货", "已签收", "退款中", "已取消")
