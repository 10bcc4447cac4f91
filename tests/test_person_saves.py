"""Never write over what a person saved: a save that lands while a sync works (before its patch, or between its
staging and its rename) stays the live workbook, nothing of the run lands, the journal is unchanged, exit 4, and
the next run completes on the person's version."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import RULES_OFF, read_sheet

import sheetsync
from sheetsync.config import Config
from sheetsync.errors import TableChanged
from sheetsync.journal.core import Journal
from sheetsync.model.cells import CellWrite
from sheetsync.reports import kpi
from sheetsync.run import commands
from sheetsync.stores.xlsx import XlsxStore
from sheetsync.stores.xlsx.patch import patch_xlsx

NOW = dt.datetime(2026, 11, 21, 10, 0)
DATA = Path(__file__).parent / "data"


def _person_saves(book: Path) -> bytes:
    """A person types a note into row 2 and saves (another application's save: another file at the path)."""
    other = book.with_name("person.xlsx")
    patch_xlsx(book, other, "订单", [CellWrite(2, 30, "客户来电改地址")])
    other.replace(book)
    return book.read_bytes()


@pytest.fixture
def desk(make_desk: Callable[..., Config]) -> Config:
    config = make_desk([{"order_id": f"SS-{i}", "customer_name": f"客户{i}", "status": "待确认"} for i in range(1, 6)])
    sheetsync.sync(config, now=NOW)  # the journal knows the desk
    folder = config.base_dir
    (folder / "inbox").mkdir(exist_ok=True)
    shutil.copy(DATA / "exports" / "douyin_orders.csv", folder / "inbox")
    with config.source.open("a", encoding="utf-8") as fh:
        fh.write("channels:\n  - {name: douyin, path: inbox/*.csv, mapping: douyin}\n")
    return sheetsync.load_config(config.source)


def _saves_after(monkeypatch: pytest.MonkeyPatch, method: str, book: Path) -> dict[str, bytes]:
    """A person saves `book` right after the store's `method` ran (`read`: before the patch; `_backup`: between the
    staging and the rename); the returned dict gets the bytes of the person's file."""
    saved: dict[str, bytes] = {}
    real = getattr(XlsxStore, method)

    def then_a_person_saves(self: XlsxStore, *args: Any) -> Any:
        done = real(self, *args)
        if "bytes" not in saved:  # once: after the order sheet's read (the after-sales sheet is read next)
            saved["bytes"] = _person_saves(book)
        return done

    monkeypatch.setattr(XlsxStore, method, then_a_person_saves)
    return saved


@pytest.mark.parametrize("moment", ["before the patch", "before the rename"])
def test_a_persons_save_during_a_sync_is_kept_and_the_run_writes_nothing(desk: Config, moment: str,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    book = desk.workbook_path
    saved = _saves_after(monkeypatch, "read" if moment == "before the patch" else "_backup", book)
    with Journal(desk.journal_path) as journal:
        runs_before = journal.db.execute("SELECT count(*) FROM runs WHERE state='done'").fetchone()[0]
    with pytest.raises(TableChanged):
        sheetsync.sync(desk, now=NOW)
    assert book.read_bytes() == saved["bytes"]  # the person's file is the live workbook, untouched
    with Journal(desk.journal_path) as journal:
        assert journal.db.execute("SELECT count(*) FROM runs WHERE state='done'").fetchone()[0] == runs_before
        assert journal.db.execute("SELECT count(*) FROM natural_keys").fetchone()[0] == 0  # nothing of the run kept
    monkeypatch.undo()
    again = sheetsync.sync(sheetsync.load_config(desk.source), now=NOW)
    assert again.workbook_written and again.rows_appended > 0
    rows = read_sheet(book)
    assert rows[1][29] == "客户来电改地址"  # the person's note survived, and the run's orders landed after it
    assert [e["field"] for e in again.person_edits] == ["note"]


def test_the_cli_says_exit_4_for_a_save_that_lands_during_the_run(desk: Config, monkeypatch: pytest.MonkeyPatch,
                                                                  run_cli: Callable[..., Any]) -> None:
    _saves_after(monkeypatch, "_backup", desk.workbook_path)
    run = run_cli("sync", "-c", desk.source, "--now", NOW.isoformat())
    assert run.code == 4 and "保存" in run.err


def test_a_workbook_that_is_a_symlink_is_written_through_to_its_target(make_desk: Callable[..., Config]) -> None:
    config = make_desk([{"order_id": "SS-1", "customer_name": "客户"}, {"customer_name": "新客户"}])
    shared = config.base_dir / "shared"
    shared.mkdir()
    target = shared / "orders.xlsx"
    config.workbook_path.replace(target)
    config.workbook_path.symlink_to(target)
    result = sheetsync.sync(config, now=NOW)
    assert result.workbook_written and config.workbook_path.is_symlink()
    assert read_sheet(target)[2][0] == result.assigned[0]["order_id"]  # the target has the new id
    assert not list(config.base_dir.glob(".*sheetsync-tmp")) and not list(shared.glob(".*sheetsync-tmp"))


def _journal_runs(config: Config) -> list[tuple[str, str]]:
    with Journal(config.journal_path) as journal:
        return journal.db.execute("SELECT command, state FROM runs ORDER BY id").fetchall()


def test_approve_abandons_its_write_when_a_person_saves_after_it_read(make_desk: Callable[..., Config],
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    desk = make_desk([{"order_id": "SS-1", "status": "审核中", "amount_payable": 12000, "warehouse": "杭州仓"}])
    sheetsync.sync(desk, now=NOW)
    runs = _journal_runs(desk)
    saved = _saves_after(monkeypatch, "read", desk.workbook_path)
    with pytest.raises(TableChanged):
        commands.approve_orders(desk, "李会计", ["SS-1"], now=NOW)
    assert desk.workbook_path.read_bytes() == saved["bytes"]
    assert [r for r in _journal_runs(desk) if r[1] == "done"] == [r for r in runs if r[1] == "done"]
    monkeypatch.undo()
    done = commands.approve_orders(desk, "李会计", ["SS-1"], now=NOW)
    assert [s.outcome for s in done.signatures] == ["signed"]
    row = read_sheet(desk.workbook_path)[1]
    assert "李会计" in row and "客户来电改地址" in row  # the signature and the person's note, both


def test_the_dashboard_abandons_its_write_when_a_person_saves_before_its_rename(make_desk: Callable[..., Config],
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    desk = make_desk([{"order_id": "SS-1", "status": "待确认"}])
    sheetsync.sync(desk, now=NOW)
    report = kpi.report(desk, now=NOW)
    saved = _saves_after(monkeypatch, "_backup", desk.workbook_path)
    with pytest.raises(TableChanged):
        commands.write_dashboard(desk, report, NOW)
    assert desk.workbook_path.read_bytes() == saved["bytes"]


def test_init_add_columns_abandons_its_write_when_a_person_saves_after_it_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sheetsync.desk import adopt

    book = tmp_path / "team.xlsx"
    shutil.copy(Path(__file__).parent.parent / "example_workbooks" / "shop_zh" / "订单台.xlsx", book)
    real = adopt.read_file
    saved: dict[str, bytes] = {}

    def then_a_person_saves(*args: Any, **kwargs: Any) -> Any:
        tables = real(*args, **kwargs)
        other = book.with_name("person.xlsx")
        patch_xlsx(book, other, "订单", [CellWrite(2, 40, "客户来电改地址")])
        other.replace(book)
        saved["bytes"] = book.read_bytes()
        return tables

    monkeypatch.setattr(adopt, "read_file", then_a_person_saves)
    with pytest.raises(TableChanged):
        adopt.adopt_workbook(book, add_columns=True, lang="zh")
    assert book.read_bytes() == saved["bytes"]


def _sorted_by_person(book: Path) -> bytes:
    """A person sorts the order rows (here: reverses them) and saves."""
    rows = read_sheet(book)
    width = max(len(r) for r in rows)
    data = [list(r) + [""] * (width - len(r)) for r in rows[1:]]
    writes = [CellWrite(i + 2, c + 1, None if v in ("", None) else v)
              for i, row in enumerate(reversed(data)) for c, v in enumerate(row)]
    other = book.with_name("person.xlsx")
    patch_xlsx(book, other, "订单", writes)
    other.replace(book)
    return book.read_bytes()


def _row_added_by_person(book: Path) -> bytes:
    """A person types a new order under the last row and saves."""
    last = len(read_sheet(book))
    other = book.with_name("person.xlsx")
    patch_xlsx(book, other, "订单", [CellWrite(last + 1, 2, "电话下单的客户")])
    other.replace(book)
    return book.read_bytes()


PERSON = {"an edit": _person_saves, "a sort": _sorted_by_person, "an added row": _row_added_by_person}


@pytest.fixture(scope="module")
def big_desk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 20,000-row desk after its first sync, which landed a shop's orders at the end (made once, copied per test)."""
    from sheetsync.desk.new import create_order_workbook, init_desk

    folder = tmp_path_factory.mktemp("big") / "desk"
    init_desk(folder, "zh")
    (folder / "orders.xlsx").unlink()
    create_order_workbook(folder / "orders.xlsx", "zh", [{"order_id": f"SS-{i:05d}", "customer_name": f"客户{i}",
                                                          "status": "待确认"} for i in range(1, 20_001)])
    (folder / "news").mkdir()
    shutil.copy(DATA / "exports" / "douyin_orders.csv", folder / "news")
    with (folder / "sheetsync.yaml").open("a", encoding="utf-8") as fh:
        fh.write(RULES_OFF + "channels:\n  - {name: douyin, path: news/*.csv, mapping: douyin}\n")
    sheetsync.sync(sheetsync.load_config(folder / "sheetsync.yaml"), now=NOW)
    return folder


@pytest.mark.parametrize("moment", ["read", "_backup"], ids=["before the patch", "before the rename"])
@pytest.mark.parametrize("action", list(PERSON))
def test_a_persons_save_during_a_20k_row_sync_keeps_every_value_on_its_order(
        big_desk: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, moment: str, action: str) -> None:
    """Shop news for orders at the end of a 20,000-row sheet (status changes: writes by row number) while a person
    edits, sorts or adds a row: the person's file stays, and once the next run has landed the news, every order
    still has its own customer and the news sits on the orders it is about."""
    folder = tmp_path / "desk"
    shutil.copytree(big_desk, folder)
    desk = sheetsync.load_config(folder / "sheetsync.yaml")
    shutil.copy(DATA / "exports" / "douyin_orders_later.csv", folder / "news")
    book = desk.workbook_path
    owners = {str(r[0]): r[1] for r in read_sheet(book)[1:]}
    saved: dict[str, bytes] = {}
    real = getattr(XlsxStore, moment)

    def then_a_person_saves(self: XlsxStore, *args: Any) -> Any:
        done = real(self, *args)
        if "bytes" not in saved:  # once: after the order sheet's read (the after-sales sheet is read next)
            saved["bytes"] = PERSON[action](book)
        return done

    monkeypatch.setattr(XlsxStore, moment, then_a_person_saves)
    with pytest.raises(TableChanged):
        sheetsync.sync(desk, now=NOW + dt.timedelta(hours=1))
    assert book.read_bytes() == saved["bytes"]
    monkeypatch.undo()
    again = sheetsync.sync(sheetsync.load_config(desk.source), now=NOW + dt.timedelta(hours=1))
    assert again.workbook_written
    rows = read_sheet(book)
    kept = {str(r[0]): r[1] for r in rows[1:] if r[0] not in ("", None)}
    assert {k: v for k, v in kept.items() if k in owners} == owners  # every order keeps its own customer
    news = {c["order_id"] for c in again.changes if c["field"] == "status"}
    assert news, "the later export's status news landed"
    by_id = {str(r[0]): r for r in rows[1:]}
    assert all(by_id[oid][1] == owners[oid] for oid in news)
