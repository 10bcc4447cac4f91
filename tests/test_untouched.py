"""The untouched run: a sync that finds the workbook, the inboxes, the configuration and the journal as the last calm
run left them, before the clock changes any cell, reads nothing and writes nothing; anything else takes the full path,
and both paths leave the same workbook, journal and result (a property test over random edits and clocks)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import zipfile
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from conftest import CliRun, read_sheet
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from postgres import PgDesk

import sheetsync
from sheetsync import load_config
from sheetsync.config import Config, load_preset
from sheetsync.errors import TableLocked
from sheetsync.journal.core import Journal
from sheetsync.model.cells import CellWrite
from sheetsync.run import untouched as quiet
from sheetsync.run.commands import unlock_order
from sheetsync.run.sync import RunResult
from sheetsync.runtime.locks import RunLock
from sheetsync.steps.rules.values import dates_horizon
from sheetsync.stores import open_store
from sheetsync.stores.table import read_table
from sheetsync.stores.xlsx.patch import patch_xlsx

H = load_preset("zh")
NOW = dt.datetime(2026, 11, 23, 9, 0)
BASE = {"channel": "抖音", "phone": "13812345678", "created_at": "2026-11-23 08:50:00", "paid_at": "2026-11-23 08:51:00"}
ROWS = [
    {**BASE, "order_id": "A1", "status": "已完成", "created_at": "2026-10-01 10:00:00"},
    {**BASE, "order_id": "A2", "status": "待确认", "paid_at": None},  # 30 min: warns at 09:22:30 (75 %)
    {**BASE, "order_id": "A3", "status": "备货中", "status_since": "2026-11-23 08:55:00"},  # 4 h: warns at 11:55
    {**BASE, "order_id": "A4", "status": "备货中", "promised_by": "2026-11-24 18:00:00"},
    {**BASE, "order_id": "A5", "status": "备货中", "created_at": "2026-11-23 12:00:00", "paid_at": "2026-11-23 12:01:00"},
]
"""A5 was made later than now: DATE_INVALID until 11:50 (the rule's ten minutes' tolerance)."""
UNTOUCHED = "本次没有读表"


def calm_desk(make_desk: Callable[..., Config], name: str = "desk") -> Config:
    """A desk with the default workflow and the date rule, synced to a fixed point at NOW (its calm recorded)."""
    config = make_desk(ROWS, name=name)
    text = config.source.read_text(encoding="utf-8").replace("dates: {level: 'off'}", "dates: {level: 'warn'}")
    config.source.write_text(text + "workflow: default_zh\n", encoding="utf-8")
    config = load_config(config.source)
    sheetsync.sync(config, now=NOW)
    again = sheetsync.sync(config, now=NOW)
    assert not again.workbook_written and again.changes_total == 0
    return config


def untouched(result: RunResult) -> bool:
    return any(UNTOUCHED in n for n in result.notices)


def test_a_calm_desk_is_not_read_until_the_clock_changes_a_cell(make_desk: Callable[..., Config],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    config = calm_desk(make_desk)
    asked = []
    original = quiet.rest
    monkeypatch.setattr(quiet, "rest", lambda *a, **k: asked.append(1) or original(*a, **k))
    before = config.workbook_path.read_bytes()
    calm = sheetsync.sync(config, now=NOW)
    rested = sheetsync.sync(config, now=NOW + dt.timedelta(minutes=5))
    assert untouched(rested) and rested.run_id == calm.run_id + 1 and rested.rows == 5 and not rested.workbook_written
    assert rested.anomalies == calm.anomalies and rested.anomalies.get("DATE_INVALID")
    assert config.workbook_path.read_bytes() == before and asked == [1, 1]
    # 待确认 warns at 75 % of its 30 minutes: a full run then, and A2's sla cell is written
    warned = sheetsync.sync(config, now=dt.datetime(2026, 11, 23, 9, 23))
    assert not untouched(warned) and warned.workbook_written
    assert read_sheet(config.workbook_path)[2][list(H).index("sla")] == "预警"


def test_each_kind_of_touch_takes_the_full_path(make_desk: Callable[..., Config], tmp_path: Path,
                                                run_cli: Callable[..., CliRun]) -> None:
    pristine = calm_desk(make_desk).base_dir
    later = NOW + dt.timedelta(minutes=1)

    def copy(name: str) -> Config:
        shutil.copytree(pristine, tmp_path / name)
        return load_config(tmp_path / name / "sheetsync.yaml")

    assert untouched(sheetsync.sync(copy("same"), now=later))

    zipped = copy("rezipped")  # the same cells, the package written again: other bytes
    book = zipped.workbook_path
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(book.with_suffix(".new"), "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            info.date_time = (2026, 11, 23, 9, 30, 0)
            dst.writestr(info, src.read(info))
    os.replace(book.with_suffix(".new"), book)
    result = sheetsync.sync(zipped, now=later)
    assert not untouched(result) and not result.workbook_written  # read, and found nothing to change

    edited = copy("edited")
    patch_xlsx(edited.workbook_path, edited.workbook_path.with_suffix(".tmp"), "订单", [CellWrite(3, 5, "王五")])
    os.replace(edited.workbook_path.with_suffix(".tmp"), edited.workbook_path)
    result = sheetsync.sync(edited, now=later)
    assert not untouched(result) and [e["new"] for e in result.person_edits] == ["王五"]

    dropped = copy("dropped")  # a file in a channel's inbox
    (dropped.base_dir / "inbox" / "douyin").mkdir(parents=True, exist_ok=True)
    (dropped.base_dir / "inbox" / "douyin" / "new.csv").write_text("主订单编号,收件人\n", encoding="utf-8")
    text = dropped.source.read_text(encoding="utf-8")
    dropped.source.write_text(text + "channels:\n  - {name: douyin, path: inbox/douyin/*, mapping: douyin}\n",
                              encoding="utf-8")
    assert not untouched(sheetsync.sync(load_config(dropped.source), now=later))

    configured = copy("configured")  # the configuration edited (a comment is enough)
    configured.source.write_text(configured.source.read_text(encoding="utf-8") + "# 改了\n", encoding="utf-8")
    assert not untouched(sheetsync.sync(load_config(configured.source), now=later))

    unlocked = copy("unlocked")  # another command's run since the calm one
    sheetsync.sync(unlocked, now=later)
    unlock_order(unlocked, "A4", "张三", "改地址", later)
    assert not untouched(sheetsync.sync(unlocked, now=later))

    dry = copy("dry")
    assert not untouched(sheetsync.sync(dry, now=later, dry_run=True))

    english = copy("english")  # the messages asked in another language: the calm run's words would be wrong
    asked = run_cli("sync", "-c", english.source, "--now", "2026-11-23T09:01", "--lang", "en", "--json")
    assert asked.code in (0, 3) and not any("not read" in n for n in asked.json()["notices"])
    again = run_cli("sync", "-c", english.source, "--now", "2026-11-23T09:01", "--lang", "en", "--json")
    assert any("the sheet was not read" in n for n in again.json()["notices"])


def test_a_desk_whose_journal_is_in_postgresql_rests_too(make_desk: Callable[..., Config], pg: PgDesk,
                                                         run_cli: Callable[..., CliRun]) -> None:
    config = make_desk(ROWS)
    pg.use(config.source)
    for _ in range(2):
        assert run_cli("sync", "-c", config.source, "--now", "2026-11-23T09:00").code in (0, 3)
    rested = run_cli("sync", "-c", config.source, "--now", "2026-11-23T09:01", "--json")
    assert UNTOUCHED in " ".join(rested.json()["notices"]) and rested.json()["run_id"] == 3
    assert pg.rows("SELECT command FROM runs ORDER BY id") == [("sync",), ("sync:untouched",), ("sync:untouched",)]


def test_a_second_run_meets_the_lock_even_when_untouched(make_desk: Callable[..., Config]) -> None:
    config = calm_desk(make_desk)
    with RunLock(config.state_dir, "zh"), pytest.raises(TableLocked):
        sheetsync.sync(config, now=NOW + dt.timedelta(minutes=1))


def test_an_api_channel_desk_always_asks(make_desk: Callable[..., Config]) -> None:
    config = make_desk(ROWS)
    config.source.write_text(config.source.read_text(encoding="utf-8") + "channels:\n  - {name: shop, kind: shopify,"
                             " url: https://x.myshopify.com, token_env: T}\n", encoding="utf-8")
    assert not quiet.eligible(load_config(config.source))


EDITS = st.sampled_from(["none", "cell", "status", "rezip", "yaml"])


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edit=EDITS, minutes=st.integers(min_value=0, max_value=60 * 40))
def test_the_untouched_path_leaves_what_the_full_path_leaves(
        make_desk: Callable[..., Config], tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
        edit: str, minutes: int) -> None:
    root = tmp_path_factory.mktemp("prop")
    pristine = calm_desk(lambda rows, name: make_desk(rows, name=f"{root.name}-{name}"), "calm").base_dir
    runs = []
    for path in ("maybe", "full"):
        desk = root / path
        shutil.copytree(pristine, desk)
        config = load_config(desk / "sheetsync.yaml")
        _touch(config, edit)
        with monkeypatch.context() as m:
            if path == "full":
                m.setattr(quiet, "eligible", lambda config: False)
            result = sheetsync.sync(load_config(config.source), now=NOW + dt.timedelta(minutes=minutes))
        runs.append((result, read_sheet(config.workbook_path), _journal(config)))
    (rested, sheet_a, journal_a), (full, sheet_b, journal_b) = runs
    assert sheet_a == sheet_b
    assert journal_a == journal_b
    for key in ("rows", "anomalies", "errors", "duplicates", "changes_total", "person_edits", "workbook_written",
                "assigned", "conflicts", "moved"):
        assert getattr(rested, key) == getattr(full, key), key
    if untouched(rested):
        assert edit == "none" and not full.workbook_written


def _touch(config: Config, edit: str) -> None:
    book = config.workbook_path
    if edit in ("cell", "status"):
        value = "王五" if edit == "cell" else "已发货"
        column = list(H).index("customer_name" if edit == "cell" else "status") + 1
        patch_xlsx(book, book.with_suffix(".tmp"), "订单", [CellWrite(4, column, value)])
        os.replace(book.with_suffix(".tmp"), book)
    elif edit == "rezip":
        with zipfile.ZipFile(book) as src, zipfile.ZipFile(book.with_suffix(".new"), "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                dst.writestr(info, src.read(info))
        os.replace(book.with_suffix(".new"), book)
    elif edit == "yaml":
        config.source.write_text(config.source.read_text(encoding="utf-8") + "# 改了\n", encoding="utf-8")


def _journal(config: Config) -> dict[str, list[tuple[object, ...]]]:
    """The journal's tables of orders (the runs themselves, their times and the calm aside)."""
    with closing(sqlite3.connect(config.journal_path)) as db:
        return {table: sorted(db.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
                for table in ("base", "changes", "flags", "natural_keys", "merge_base", "sequences", "alerts_sent")}


def test_the_calm_horizon_is_the_next_level_and_the_next_date(make_desk: Callable[..., Config]) -> None:
    config = calm_desk(make_desk)
    with Journal(config.journal_path) as journal:
        calm = quiet.calm_of(journal.db)
    assert calm is not None and calm.until is not None
    # A2 待确认 since the first run (09:00) with 30 min warns at 09:22:30; the rest comes later
    assert calm.until == "2026-11-23 09:22:30"
    frame = read_table(open_store(config), config).frame
    assert dates_horizon(frame, config.rules.dates, NOW) == dt.datetime(2026, 11, 23, 11, 50)
