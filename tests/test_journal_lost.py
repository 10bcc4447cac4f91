"""A lost journal never floods the sheet: a desk that has run before refuses to run on a missing or empty journal
(exit 6, saying how to rebuild), and `sheetsync rebuild` rebuilds it from the sheet without flagging anything."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CliRun


@pytest.mark.parametrize("loss", ["deleted", "emptied"])
def test_a_lost_journal_stops_the_run_and_rebuild_brings_the_desk_back_without_a_flag(
        loss: str, tmp_path: Path, run_cli: Callable[..., CliRun]) -> None:
    desk = tmp_path / "d"
    assert run_cli("demo", desk, "--json").code == 0
    config = desk / "sheetsync.yaml"
    journal = desk / ".sheetsync" / "journal.db"
    for extra in journal.parent.glob("journal.db-*"):
        extra.unlink()
    if loss == "deleted":
        journal.unlink()
    else:
        journal.write_bytes(b"")
    before = (desk / "orders.xlsx").read_bytes()
    run = run_cli("sync", "-c", config)
    assert run.code == 6 and "rebuild" in run.err
    assert (desk / "orders.xlsx").read_bytes() == before
    run = run_cli("rebuild", "-c", config, "--json")
    assert run.code == 0, run.err
    rebuilt = run.json()
    assert rebuilt["rows"] > 0 and rebuilt["files"] == 4 and rebuilt["natural_keys"] > 0
    run = run_cli("sync", "-c", config, "--json")
    assert run.code == 0, run.err
    result = run.json()
    assert result["person_edits"] == [] and result["conflicts"] == 0 and result["rows_appended"] == 0
    assert all(f["skipped"] for f in result["files"])  # no inbox file is read again
    assert "CONFLICT" not in result["anomalies"]


def test_a_fresh_desk_is_no_lost_journal(tmp_path: Path, run_cli: Callable[..., CliRun]) -> None:
    desk = tmp_path / "d"
    assert run_cli("init", desk).code == 0
    assert run_cli("sync", "-c", desk / "sheetsync.yaml").code == 0
    shutil.rmtree(desk / ".sheetsync")  # everything of the tool gone: the desk starts afresh, as when adopted
    assert run_cli("sync", "-c", desk / "sheetsync.yaml").code == 0
