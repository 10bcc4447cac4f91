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
from conftest import read_sheet

import sheetsync
from sheetsync.config import Config
from sheetsync.errors import TableChanged
from sheetsync.journal.sqlite import Journal
from sheetsync.model.cells import CellWrite
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

    def then_a_person_saves(self: XlsxStore) -> Any:
        done = real(self)
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
