"""The early read: when a cron `sync` cannot stay untouched, the console's quick path reads the order sheet before the
pipeline's libraries load, and the store takes that read only if the workbook is still the file it was read from.
A person's save in between, a workbook that does not read, and a sheet that is not there all meet the store's own
read and its own message; the run's result is the same as without the early read."""

from __future__ import annotations

import datetime as dt
import io
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pandas as pd
import pytest
from conftest import read_sheet

from sheetsync import load_config
from sheetsync.config import Config
from sheetsync.desk.new import init_desk
from sheetsync.errors import ConfigError, UnreadableInput
from sheetsync.importing.importer import import_files
from sheetsync.model.cells import CellWrite
from sheetsync.stores import open_store
from sheetsync.stores.table import read_table
from sheetsync.stores.xlsx import early
from sheetsync.stores.xlsx.patch import patch_xlsx

REPO = Path(__file__).resolve().parents[1]
ROWS = [{"order_id": f"A{i}", "channel": "抖音", "phone": f"1381234567{i}", "status": "备货中",
         "created_at": "2026-11-23 08:50:00"} for i in range(1, 6)]


def frame_of(config: Config) -> pd.DataFrame:
    sheet = open_store(config).read()
    return sheet.cells.assign(_first=f"{sheet.first_row},{sheet.first_col}")


def test_the_store_takes_the_early_read_of_the_file_it_finds(make_desk: Callable[..., Config],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    config = make_desk(ROWS)
    plain = frame_of(config)
    early.read_early(config.workbook_path, config.table.sheet, config.language)
    read_again = []
    monkeypatch.setattr("sheetsync.stores.xlsx.store.sheet_text", lambda *a, **k: read_again.append(a))
    taken = frame_of(config)
    assert read_again == [] and taken.equals(plain)
    assert early.take_early(config.workbook_path, config.table.sheet, early.stamp_of(config.workbook_path)) is None


def test_a_save_after_the_early_read_is_what_the_store_reads(make_desk: Callable[..., Config]) -> None:
    config = make_desk(ROWS)
    early.read_early(config.workbook_path, config.table.sheet, config.language)
    saved = config.workbook_path.with_suffix(".saved")
    with saved.open("wb") as out:  # a person's save: a new file put in place (another inode, size and time)
        patch_xlsx(config.workbook_path, out, config.table.sheet, [CellWrite(3, 1, "B-typed")])
    os.replace(saved, config.workbook_path)
    sheet = open_store(config).read()
    assert "B-typed" in sheet.cells.iloc[:, 0].tolist()
    assert read_sheet(config.workbook_path)[2][0] == "B-typed"


def test_an_early_read_that_fails_leaves_the_message_to_the_store(make_desk: Callable[..., Config],
                                                                  tmp_path: Path) -> None:
    config = make_desk(ROWS)
    early.read_early(config.workbook_path, "没有这个表", config.language)  # a sheet the workbook does not have
    with pytest.raises(ConfigError, match="没有这个表"):
        early.sheet_text(config.workbook_path, "没有这个表", config.language)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a workbook")
    early.read_early(broken, "订单", config.language)  # nothing held, nothing raised
    assert early.take_early(broken, "订单", early.stamp_of(broken)) is None
    config.workbook_path.write_bytes(broken.read_bytes())
    with pytest.raises(UnreadableInput, match=r"orders\.xlsx"):
        open_store(config).read()


CHILD = """
import sys
from sheetsync.cli.quick import quick_sync
code = quick_sync(["sync", "-c", sys.argv[1]])
assert code is None, code
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("pandas", "duckdb", "sqlglot"))
from sheetsync.stores.xlsx import early
held = early._early
print(len(loaded), held is not None and held[3].table is not None and held[3].table.num_rows)
"""


def test_the_quick_path_reads_the_sheet_before_pandas_when_the_run_goes_the_full_path(
        make_desk: Callable[..., Config]) -> None:
    config = make_desk(ROWS)  # never synced: no calm to rest on
    done = subprocess.run([sys.executable, "-c", CHILD, str(config.source)], capture_output=True, text=True,
                          cwd=REPO, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", str(1 + len(ROWS))]  # the header and the five orders; no pandas loaded


def test_no_early_read_while_another_run_holds_the_desk(make_desk: Callable[..., Config]) -> None:
    from sheetsync.runtime.locks import RunLock

    config = make_desk(ROWS)
    with RunLock(config.state_dir, config.language):  # the full path will stop at the lock: nothing to read for
        done = subprocess.run([sys.executable, "-c", CHILD, str(config.source)], capture_output=True, text=True,
                              cwd=REPO, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "False"]


HISTORY = """
import sys
from sheetsync.cli.quick import quick_history
code = quick_history(sys.argv[1:])
print("EXIT", code, sorted(m for m in sys.modules if m.split(".")[0] in ("pandas", "duckdb", "sqlglot")))
"""


@pytest.mark.parametrize("extra", [[], ["--json"]])
def test_history_is_answered_from_the_journal_alone_as_the_whole_command_line_answers_it(
        make_desk: Callable[..., Config], run_cli: Callable[..., object], extra: list[str]) -> None:
    config = make_desk(ROWS)
    sheetsync_sync(config)
    edited = config.workbook_path.with_suffix(".edited")
    with edited.open("wb") as out:  # a person types a new phone number for A2: a change the journal records
        patch_xlsx(config.workbook_path, out, config.table.sheet, [CellWrite(3, 8, "13900000000")])
    os.replace(edited, config.workbook_path)
    sheetsync_sync(config)
    for order_id, code in (("A2", 0), ("NOPE", 2)):
        args = ["history", order_id, "-c", str(config.source), *extra]
        quick = subprocess.run([sys.executable, "-c", HISTORY, *args], capture_output=True, text=True, cwd=REPO,
                               check=False, env={**os.environ, "SHEETSYNC_LANG": "zh"})
        assert quick.returncode == 0, quick.stderr
        said, _, last = quick.stdout.rpartition("EXIT ")
        assert last.strip() == f"{code} []"  # answered, and nothing of the pipeline loaded
        whole = run_cli(*args)
        assert whole.code == code and whole.out == said  # type: ignore[attr-defined]


def sheetsync_sync(config: Config) -> None:
    import sheetsync

    sheetsync.sync(config)


class BrokenPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError("the reader went away")


def test_an_untouched_run_that_cannot_print_is_not_run_again(make_desk: Callable[..., Config],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from test_untouched import NOW, calm_desk

    from sheetsync.cli.quick import quick_sync

    config = calm_desk(make_desk)
    monkeypatch.setattr(sys, "stdout", BrokenPipe())
    code = quick_sync(["sync", "-c", str(config.source), "--json", "--now", NOW.isoformat()])
    monkeypatch.undo()
    assert code == 0  # answered: the whole command line is not asked to run it a second time
    with closing(sqlite3.connect(config.journal_path)) as db:
        assert db.execute("SELECT count(*) FROM runs WHERE command = 'sync:untouched'").fetchone()[0] == 1


def test_the_history_of_an_imported_order_reads_its_creation_without_pandas(tmp_path: Path) -> None:
    """An order a run created shows what it was created with: read from the run's creation blocks by Arrow alone."""
    init_desk(tmp_path / "desk", "zh")
    config = load_config(tmp_path / "desk" / "sheetsync.yaml")
    data = tmp_path / "pos.csv"
    data.write_text("单据号,会员姓名,会员手机,收货地址,金额\nXS-1,王芳,13812345678,浙江省杭州市西湖区文三路90号,12.50\n",
                    encoding="utf-8")
    assert import_files(config, [str(data)], now=dt.datetime(2026, 11, 23, 9, 0)).imported == 1
    order_id = str(read_table(open_store(config), config).frame["order_id"].iloc[0])
    quick = subprocess.run([sys.executable, "-c", HISTORY, "history", order_id, "-c", str(config.source), "--json"],
                           capture_output=True, text=True, cwd=REPO, check=False, env={**os.environ, "SHEETSYNC_LANG": "zh"})
    said, _, last = quick.stdout.rpartition("EXIT ")
    assert last.strip() == "0 []", quick.stderr
    assert "王芳" in said and "13812345678" in said
