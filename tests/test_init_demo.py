"""`sheetsync init` makes a working desk; `sheetsync demo` copies the example desk and syncs it."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable
from pathlib import Path

from conftest import CliRun, read_sheet

import sheetsync
from sheetsync import load_config
from sheetsync.config import load_preset
from sheetsync.model.fields import FIELDS


def test_init_creates_a_desk_that_checks_and_syncs(tmp_path: Path, run_cli: Callable[..., CliRun]) -> None:
    result = run_cli("init", tmp_path / "d")
    assert result.code == 0
    assert (tmp_path / "d" / "inbox").is_dir()
    rows = read_sheet(tmp_path / "d" / "orders.xlsx")
    headers = load_preset("zh")
    assert rows[0] == [headers[f] for f in FIELDS]
    assert run_cli("check", "-c", tmp_path / "d" / "sheetsync.yaml").code == 0
    synced = run_cli("sync", "-c", tmp_path / "d" / "sheetsync.yaml", "--json")
    assert synced.code == 0 and synced.json()["rows"] == 0


def test_init_workbook_has_frozen_header_filter_widths_and_dropdowns(tmp_path: Path,
                                                                      run_cli: Callable[..., CliRun]) -> None:
    run_cli("init", tmp_path / "d")
    with zipfile.ZipFile(tmp_path / "d" / "orders.xlsx") as package:
        sheet = package.read("xl/worksheets/sheet1.xml").decode()
        workbook = package.read("xl/workbook.xml").decode()
    assert 'state="frozen"' in sheet and 'ySplit="1"' in sheet
    assert "<autoFilter " in sheet
    assert sheet.count("<dataValidation ") == 2 and "待确认" in sheet and "红" in sheet
    assert "<cols>" in sheet and 'customWidth="1"' in sheet
    assert 'name="订单"' in workbook


def test_init_in_english(tmp_path: Path, run_cli: Callable[..., CliRun]) -> None:
    assert run_cli("init", tmp_path / "e", "--lang", "en").code == 0
    config = load_config(tmp_path / "e" / "sheetsync.yaml")
    assert config.language == "en" and config.table.sheet == "Orders"
    assert read_sheet(tmp_path / "e" / "orders.xlsx", "Orders")[0][0] == "Order ID"


def test_init_never_overwrites(tmp_path: Path, run_cli: Callable[..., CliRun]) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "orders.xlsx").write_bytes(b"a person's workbook")
    result = run_cli("init", folder)
    assert result.code == 2 and "orders.xlsx" in result.err
    assert (folder / "orders.xlsx").read_bytes() == b"a person's workbook"
    assert not (folder / "sheetsync.yaml").exists()


def test_demo_copies_the_example_and_syncs_it(tmp_path: Path, run_cli: Callable[..., CliRun]) -> None:
    target = tmp_path / "demo"
    result = run_cli("demo", target)
    assert result.code == 0, result.err
    config = load_config(target / "sheetsync.yaml")
    rows = read_sheet(config.workbook_path)
    ids = [r[0] for r in rows[1:]]
    assert all(ids) and len(set(ids)) == len(ids) - 1
    assert sum(1 for r in rows[1:] if str(r[28]).startswith("DUP_ORDER_ID")) == 2
    assert rows[0][-1] == "跟进人"
    assert sheetsync.sync(config, now=dt.datetime(2026, 11, 21, 10, 5)).changes == []  # the demo's clock, 5 min on
    assert run_cli("demo", target).code == 2
