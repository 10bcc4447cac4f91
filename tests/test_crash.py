"""A sync killed (SIGKILL) at any moment leaves the old or the new workbook, never a broken one,
and the journal agrees with whichever it is: the next run carries on as if nothing happened."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import read_sheet
from postgres import PgDesk

import sheetsync
from sheetsync import load_config
from sheetsync.config import Config
from sheetsync.run.clock import parse_now

pytestmark = pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")

ROWS = 3000
NOW = "2026-11-23T09:30"


# the same sync, with every run as large as an import: the journal is written through a rollback journal
WRITE_THROUGH = ("import sys; import sheetsync.journal.core as j; j.LARGE_RUN = 0; from sheetsync.cli import main;"
                 " sys.argv[0] = 'sheetsync'; main()")


def start_sync(config_file: Path, through: bool = False) -> subprocess.Popen[bytes]:
    head = [sys.executable, "-c", WRITE_THROUGH] if through else [sys.executable, "-m", "sheetsync"]
    return subprocess.Popen([*head, "sync", "-c", str(config_file), "--now", NOW],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=Path(__file__).parent.parent)


@pytest.mark.parametrize("journal", ["wal", "write-through", "postgresql"])
def test_killed_sync_leaves_old_or_new_workbook_and_a_journal_that_agrees(
    make_desk: Callable[..., Config], tmp_path: Path, journal: str, request: pytest.FixtureRequest
) -> None:
    """`write-through`: every run as large as an import (SQLite's rollback journal); `postgresql`: each desk's
    journal in a schema of its own in a real server."""
    through = journal == "write-through"
    pg: PgDesk | None = request.getfixturevalue("pg") if journal == "postgresql" else None
    rows = [{"order_id": None if i % 3 == 0 else f"A{i}", "customer_name": f"客户{i}", "phone": f"138{i:08d}"}
            for i in range(ROWS)]
    pristine = make_desk(rows, name="pristine").base_dir
    old_values = read_sheet(pristine / "orders.xlsx")

    def copy(name: str) -> Path:
        shutil.copytree(pristine, tmp_path / name)
        if pg is not None:
            pg.use(tmp_path / name / "sheetsync.yaml", f"{pg.desk}_{name}")
        return tmp_path / name

    reference = copy("reference")
    started = time.perf_counter()
    assert start_sync(reference / "sheetsync.yaml", through).wait() == 0
    duration = time.perf_counter() - started
    new_values = read_sheet(reference / "orders.xlsx")
    assert new_values != old_values

    outcomes = {"old": 0, "new": 0}
    moments = [duration * k / 14 for k in range(1, 15)]
    for i, moment in enumerate(moments):
        desk = copy(f"kill{i}")
        process = start_sync(desk / "sheetsync.yaml", through)
        time.sleep(moment)
        process.send_signal(signal.SIGKILL)
        process.wait()
        workbook = desk / "orders.xlsx"
        with zipfile.ZipFile(workbook) as package:
            assert package.testzip() is None
        values = read_sheet(workbook)
        assert values in (old_values, new_values), f"killed at {moment:.2f}s: the workbook is neither old nor new"
        outcomes["old" if values == old_values else "new"] += 1

        config = load_config(desk / "sheetsync.yaml")
        after = sheetsync.sync(config, now=parse_now(NOW))
        assert after.person_edits == [], f"killed at {moment:.2f}s: the journal disagrees with the workbook"
        assert read_sheet(workbook) == new_values
        again = sheetsync.sync(config, now=parse_now(NOW))
        assert again.changes == [] and not again.workbook_written
        assert not list(desk.glob(".orders.xlsx.*"))
    assert outcomes["old"] > 0, outcomes
