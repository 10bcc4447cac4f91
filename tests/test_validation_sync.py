"""The rules inside a sync: the anomalies cell, its fill, a fixed row cleared, --strict, validate, check --rules."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable

from conftest import CliRun, read_sheet
from desks import OnStore, column_of, fill_of

import sheetsync
from sheetsync import load_config
from sheetsync.config import Config, load_preset
from sheetsync.model.cells import CellWrite
from sheetsync.stores import open_store
from sheetsync.stores.table import read_table

H = load_preset("zh")
NOW = dt.datetime(2026, 11, 23, 9, 30)
GOOD = {"order_id": "A1", "channel": "抖音", "channel_order_id": "D1", "customer_name": "王芳", "phone": "13812345678",
        "province": "浙江省", "city": "杭州市", "district": "西湖区", "address": "文三路 90 号东部软件园",
        "amount_payable": "199", "amount_paid": "199", "created_at": "2026-11-22 10:00:00"}


def _desk(make_desk: Callable[..., Config]) -> Config:
    wrong = {**GOOD, "order_id": "A2", "channel_order_id": "D2", "city": "南京市", "province": "江苏省", "phone": "1381234"}
    rural = {**GOOD, "order_id": "A3", "channel_order_id": "D3", "phone": None, "address": "桃洪镇张家村三组"}
    return make_desk([GOOD, wrong, rural], validate=True)


def _anomalies(config: Config) -> list[str]:
    rows = read_sheet(config.workbook_path)
    col = rows[0].index(H["anomalies"])
    return [r[col] for r in rows[1:]]


def test_findings_are_written_coloured_and_cleared_once_fixed(make_desk: Callable[..., Config], on_store: OnStore) -> None:
    desk = on_store(_desk(make_desk))
    config = desk.config
    result = sheetsync.sync(config, now=NOW)
    cells = [str(c) for c in column_of(desk, "anomalies")]
    assert cells[0] == ""
    assert cells[1].startswith("PHONE_INVALID") and "ADDR_MISMATCH 西湖区不属于江苏省南京市" in cells[1]
    assert cells[2].startswith("PHONE_MISSING") and "RURAL_NO_PHONE" in cells[2]
    assert result.anomalies["ADDR_MISMATCH"] == 1 and result.errors == 3  # PHONE_INVALID, ADDR_MISMATCH, PHONE_MISSING
    assert fill_of(desk, 3, "anomalies") == "FFC7CE" and fill_of(desk, 2, "anomalies") in (None, "FFFFFF")
    # a person fixes row 3's phone and city: the next run clears those findings
    columns = read_table(open_store(config), config).columns
    desk.edit(CellWrite(3, columns["phone"], "13900001111"), CellWrite(3, columns["province"], "浙江省"),
              CellWrite(3, columns["city"], "杭州市"))
    again = sheetsync.sync(config, now=NOW)
    assert column_of(desk, "anomalies")[1] == "" and "ADDR_MISMATCH" not in again.anomalies
    assert fill_of(desk, 3, "anomalies") in (None, "FFFFFF")  # the red goes with the findings


def test_strict_exits_3_only_for_errors_and_validate_writes_nothing(make_desk: Callable[..., Config],
                                                                    run_cli: Callable[..., CliRun], on_store: OnStore) -> None:
    desk = on_store(_desk(make_desk))
    config = desk.config
    before = desk.rows()
    assert run_cli("check", "-c", config.source).code == 0
    shown = run_cli("validate", "-c", config.source, "--now", "2026-11-23T09:30", "--json")
    assert shown.code == 3
    findings = json.loads(shown.out)["findings"]
    assert {(f["row"], f["code"]) for f in findings} >= {(3, "ADDR_MISMATCH"), (4, "RURAL_NO_PHONE")}
    assert desk.rows() == before
    assert run_cli("sync", "-c", config.source, "--strict", "--now", "2026-11-23T09:30").code == 3
    assert run_cli("sync", "-c", config.source, "--now", "2026-11-23T09:30").code == 0


def test_a_bad_custom_condition_fails_check_with_the_rule_and_position(make_desk: Callable[..., Config],
                                                                       run_cli: Callable[..., CliRun]) -> None:
    config = make_desk([GOOD])
    text = config.source.read_text(encoding="utf-8")
    assert "rules:" in text and text.rstrip().endswith("}")  # make_desk's one-line rules block
    config.source.write_text(re.sub(r"rules: \{.*\}\n", "rules:\n", text) + "  custom:\n    - {name: 大额, when:"
                             " \"amount_payable > 5000 AND amont > 1\", code: BIG, message: 大额}\n", encoding="utf-8")
    result = run_cli("check", "-c", config.source, "--rules")
    assert result.code == 2
    assert "大额" in result.err and "amont" in result.err and "^" in result.err
    load_config(config.source)  # the YAML itself is fine: the condition is what check refuses
