"""`sheetsync journal copy`: a desk's journal moved from SQLite to PostgreSQL and back gives the same history, report and
next sync; a copy killed at any moment leaves no half journal behind, and the source as it was."""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from conftest import CliRun, read_sheet
from postgres import PASSWORD_ENV, PgDesk, set_journal

from sheetsync.desk.new import init_desk

EXPORTS = Path(__file__).parent / "data" / "exports"
REPO = Path(__file__).parent.parent
CHANNELS = "channels:\n  - {name: douyin, path: inbox/douyin/*, mapping: douyin}\ntimezone: Asia/Shanghai\n"
Run = Callable[..., CliRun]


def desk_with_history(folder: Path, run_cli: Run) -> Path:
    """A SQLite desk after two runs: the douyin export pulled, then a run with nothing new."""
    init_desk(folder, "zh")
    config = folder / "sheetsync.yaml"
    with config.open("a", encoding="utf-8") as fh:
        fh.write(CHANNELS)
    (folder / "inbox" / "douyin").mkdir(parents=True)
    shutil.copy(EXPORTS / "douyin_orders.csv", folder / "inbox" / "douyin")
    for now in ("2026-11-21T08:00", "2026-11-21T09:00"):
        assert run_cli("sync", "-c", config, "--now", now).code in (0, 3)
    return config


def same_desk_elsewhere(config: Path, name: str, journal_yaml: str) -> Path:
    """A copy of the desk's folder (workbook, inbox, state) whose journal is `journal_yaml`."""
    twin = config.parent.parent / name
    shutil.copytree(config.parent, twin, ignore=shutil.ignore_patterns("journal.db*"))
    set_journal(twin / "sheetsync.yaml", journal_yaml)
    return twin / "sheetsync.yaml"


def test_a_journal_copied_to_postgresql_and_back_gives_the_same_history_report_and_next_sync(
        tmp_path: Path, pg: PgDesk, run_cli: Run) -> None:
    config = desk_with_history(tmp_path / "desk", run_cli)
    copied = run_cli("journal", "copy", "--to", pg.url, "--desk", pg.desk, "--password-env", PASSWORD_ENV,
                     "-c", config, "--json")
    assert copied.code == 0, copied.err
    found = copied.json()
    assert found["yaml"] == pg.journal_yaml()
    tables = {t["table"]: t["rows"] for t in found["tables"]}
    assert tables["runs"] == 2 and tables["base"] == 13 and tables["changes"] >= 13 and tables["natural_keys"] == 13
    on_pg = same_desk_elsewhere(config, "on_pg", found["yaml"])

    back = run_cli("journal", "copy", "--to", tmp_path / "back.db", "-c", on_pg, "--json")
    assert back.code == 0, back.err
    assert [t["checksum"] for t in back.json()["tables"]] == [t["checksum"] for t in found["tables"]]
    on_file = same_desk_elsewhere(config, "on_file", f"journal: {tmp_path / 'back.db'}\n")

    desks = (config, on_pg, on_file)
    order_id = str(read_sheet(config.parent / "orders.xlsx")[4][0])
    for what in (("history", order_id, "--json"), ("report", "--json", "--now", "2026-11-22T09:00")):
        runs = [run_cli(*what, "-c", c) for c in desks]
        assert all(r.code == 0 for r in runs), [r.err for r in runs]
        assert runs[0].json() == runs[1].json() == runs[2].json() and runs[0].json()
    for c in desks:
        shutil.copy(EXPORTS / "douyin_orders_later.csv", c.parent / "inbox" / "douyin")
    runs = [run_cli("sync", "-c", c, "--now", "2026-11-22T08:00", "--json") for c in desks]
    assert all(r.code in (0, 3) for r in runs), [r.err for r in runs]
    clocked = ("seconds", "backup", "rejects_file")  # named by the wall clock
    results = [{k: v for k, v in json.loads(r.out.replace(str(c.parent), "DESK")).items() if k not in clocked}
               for r, c in zip(runs, desks, strict=True)]
    for result in results:  # a file seen before is named by where the first desk read it: the twins are elsewhere
        result["files"] = [{**f, "skipped": bool(f["skipped"])} for f in result["files"]]
    for key in results[0]:
        assert results[0][key] == results[1][key] == results[2][key], (key, results[0][key], results[1][key], results[2][key])
    assert results[0]["changes"] and results[0]["person_edits"] == []


def test_a_copy_goes_only_where_there_is_no_history(tmp_path: Path, pg: PgDesk, run_cli: Run) -> None:
    config = desk_with_history(tmp_path / "desk", run_cli)
    assert run_cli("journal", "copy", "--to", tmp_path / "copy.db", "-c", config).code == 0
    again = run_cli("journal", "copy", "--to", tmp_path / "copy.db", "-c", config)
    assert again.code == 2 and "copy.db" in again.err
    bad = run_cli("journal", "copy", "--to", pg.url.replace("@", ":pw-in-url@"), "-c", config)
    assert bad.code == 2 and "pw-in-url" not in bad.err


def test_the_copy_prints_the_journal_to_put_in_the_yaml(tmp_path: Path, run_cli: Run) -> None:
    config = desk_with_history(tmp_path / "desk", run_cli)
    run = run_cli("journal", "copy", "--to", tmp_path / "moved.db", "-c", config)
    assert run.code == 0, run.err
    assert "逐表核对一致" in run.out and f"journal: {tmp_path / 'moved.db'}" in run.out


@pytest.mark.parametrize("target", ["postgresql", "sqlite"])
def test_a_copy_killed_at_any_moment_leaves_no_half_journal_and_the_next_copy_completes(
        tmp_path: Path, pg: PgDesk, run_cli: Run, target: str) -> None:
    config = desk_with_history(tmp_path / "desk", run_cli)
    source = (config.parent / ".sheetsync" / "journal.db").read_bytes()
    order_id = str(read_sheet(config.parent / "orders.xlsx")[4][0])
    history = run_cli("history", order_id, "-c", config, "--json").out
    to = [pg.url, "--desk", pg.desk, "--password-env", PASSWORD_ENV] if target == "postgresql" \
        else [str(tmp_path / "copy.db")]
    command = [sys.executable, "-m", "sheetsync", "journal", "copy", "-c", str(config), "--to", *to]
    started = time.perf_counter()
    assert subprocess.run(command, cwd=REPO, capture_output=True).returncode == 0
    whole = time.perf_counter() - started
    copies = []
    for k in range(1, 6):
        if target == "postgresql":
            pg.execute(f"DROP SCHEMA IF EXISTS {pg.desk} CASCADE")
        else:
            (tmp_path / "copy.db").unlink(missing_ok=True)
        process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(whole * k / 5)
        process.send_signal(signal.SIGKILL)
        process.wait()
        if target == "postgresql":
            there = pg.rows("SELECT count(*) FROM pg_tables WHERE schemaname = %s AND tablename = 'runs'", pg.desk)
            runs = pg.rows("SELECT count(*) FROM runs")[0][0] if there[0][0] else 0
        elif (tmp_path / "copy.db").exists():
            with closing(sqlite3.connect(tmp_path / "copy.db")) as db:
                runs = db.execute("SELECT count(*) FROM runs").fetchone()[0]
        else:
            runs = 0
        assert runs in (0, 2), f"killed at {whole * k / 5:.2f}s: {runs} runs copied"
        copies.append(runs)
        assert (config.parent / ".sheetsync" / "journal.db").read_bytes() == source
        done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
        assert done.returncode == (0 if runs == 0 else 2), done.stderr
    assert 0 in copies  # some kill came before the copy was complete
    assert run_cli("history", order_id, "-c", config, "--json").out == history
