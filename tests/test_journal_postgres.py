"""A desk whose journal is in PostgreSQL: the same sync, history and reports as on SQLite, through a real server;
one run at a time across processes (an advisory lock, released when its holder dies); the password never in the
YAML or a message; a desk of another table refused."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CliRun, read_sheet
from postgres import PASSWORD_ENV, PgDesk

import sheetsync
from sheetsync import load_config
from sheetsync.desk.new import init_desk
from sheetsync.errors import TableLocked
from sheetsync.journal.open import locked_journal, open_journal

EXPORTS = Path(__file__).parent / "data" / "exports"
REPO = Path(__file__).parent.parent
CHANNELS = "channels:\n  - {name: douyin, path: inbox/douyin/*, mapping: douyin}\ntimezone: Asia/Shanghai\n"
NOW = "2026-11-21T08:00"

Run = Callable[..., CliRun]


def pg_desk(tmp_path: Path, pg: PgDesk, name: str = "desk", schema: str | None = None) -> Path:
    """A desk made by `init`, its journal in the test's PostgreSQL schema, the douyin export in its inbox."""
    folder = tmp_path / name
    init_desk(folder, "zh")
    config = folder / "sheetsync.yaml"
    with config.open("a", encoding="utf-8") as fh:
        fh.write(CHANNELS)
    pg.use(config, schema)
    (folder / "inbox" / "douyin").mkdir(parents=True)
    shutil.copy(EXPORTS / "douyin_orders.csv", folder / "inbox" / "douyin" / "douyin_orders.csv")
    return config


def test_a_desk_runs_on_its_postgresql_journal_as_on_sqlite(tmp_path: Path, pg: PgDesk, run_cli: Run) -> None:
    config = pg_desk(tmp_path, pg)
    twin = tmp_path / "twin" / "sheetsync.yaml"  # the same desk on the SQLite journal
    shutil.copytree(config.parent, twin.parent)
    twin.write_text(config.read_text(encoding="utf-8").split("journal:\n")[0], encoding="utf-8")

    def both(*args: str) -> list[CliRun]:
        return [run_cli(*args, "-c", desk) for desk in (config, twin)]

    first = both("sync", "--now", NOW, "--json")
    assert all(r.code in (0, 3) for r in first), first[0].err
    assert first[0].json()["rows_appended"] == 13
    assert not (config.parent / ".sheetsync" / "journal.db").exists()  # nothing of the journal on this machine
    assert pg.rows("SELECT count(*) FROM runs WHERE state = 'done'")[0][0] == 1
    assert pg.rows("SELECT count(*) FROM base")[0][0] == 13

    # a person's edit and the later export: the same sheet, history and report on both journals
    for desk in (config, twin):
        shutil.copy(EXPORTS / "douyin_orders_later.csv", desk.parent / "inbox" / "douyin")
    second = both("sync", "--now", "2026-11-22T08:00", "--json")
    assert all(r.code in (0, 3) for r in second), second[0].err
    assert second[0].json()["changes"] == second[1].json()["changes"]
    assert read_sheet(config.parent / "orders.xlsx") == read_sheet(twin.parent / "orders.xlsx")
    order_id = next(r[0] for r in read_sheet(config.parent / "orders.xlsx") if r[2] == "6931245078213461021")
    history = both("history", order_id, "--json")
    assert history[0].code == 0 and history[0].json() == history[1].json()
    fields = [e["field"] for e in history[0].json()]
    assert fields[0] == "*" and "status" in fields and "tracking_no" in fields
    report = both("report", "--json", "--now", "2026-11-22T09:00")
    assert report[0].code == 0 and report[0].json() == report[1].json()
    again = run_cli("sync", "-c", config, "--now", "2026-11-22T08:00", "--json")
    assert again.code in (0, 3) and again.json()["changes"] == []


def test_the_password_is_never_in_the_yaml_nor_in_a_message(tmp_path: Path, pg: PgDesk, run_cli: Run) -> None:
    config = pg_desk(tmp_path, pg)
    url = pg.url.replace("sheetsync@", "sheetsync:hunter2-secret@")
    text = config.read_text(encoding="utf-8").replace(f"url: {pg.url}", f"url: {url}")
    config.write_text(text, encoding="utf-8")
    run = run_cli("sync", "-c", config)
    assert run.code == 2 and "hunter2-secret" not in run.out + run.err
    assert "PGPASSWORD" in run.err and "password_env" in run.err


def test_a_wrong_password_exits_5_naming_the_server_and_the_table_is_untouched(
        tmp_path: Path, pg: PgDesk, run_cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    config = pg_desk(tmp_path, pg)
    before = (config.parent / "orders.xlsx").read_bytes()
    monkeypatch.setenv(PASSWORD_ENV, "not-the-password")
    run = run_cli("sync", "-c", config)
    assert run.code == 5, run.err
    assert "127.0.0.1" in run.err and "not-the-password" not in run.err and "日志数据库" in run.err
    assert (config.parent / "orders.xlsx").read_bytes() == before
    logs = "".join(p.read_text(encoding="utf-8") for p in (config.parent / ".sheetsync").rglob("*.log"))
    assert "not-the-password" not in logs and pg.server.password not in logs


def test_pgpassword_serves_when_no_variable_is_named(tmp_path: Path, pg: PgDesk, run_cli: Run,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    config = pg_desk(tmp_path, pg)
    text = config.read_text(encoding="utf-8").replace(f"  password_env: {PASSWORD_ENV}\n", "")
    config.write_text(text, encoding="utf-8")
    monkeypatch.setenv("PGPASSWORD", pg.server.password)
    run = run_cli("sync", "-c", config, "--now", NOW)
    assert run.code in (0, 3), run.err


def test_a_pgpass_file_serves_too(tmp_path: Path, pg: PgDesk, run_cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    config = pg_desk(tmp_path, pg)
    config.write_text(config.read_text(encoding="utf-8").replace(f"  password_env: {PASSWORD_ENV}\n", ""),
                      encoding="utf-8")
    monkeypatch.delenv("PGPASSWORD", raising=False)
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"*:*:*:*:{pg.server.password}\n", encoding="utf-8")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    assert run_cli("sync", "-c", config, "--now", NOW).code in (0, 3)


def test_a_desk_of_another_table_is_refused_in_a_journal_that_holds_one(tmp_path: Path, pg: PgDesk, run_cli: Run) -> None:
    first = pg_desk(tmp_path, pg, "first")
    assert run_cli("sync", "-c", first, "--now", NOW).code in (0, 3)
    other = pg_desk(tmp_path, pg, "other")
    os.replace(other.parent / "orders.xlsx", other.parent / "store.xlsx")
    text = other.read_text(encoding="utf-8").replace("path: orders.xlsx", "path: store.xlsx")
    other.write_text(text, encoding="utf-8")
    before = (other.parent / "store.xlsx").read_bytes()
    run = run_cli("sync", "-c", other, "--now", NOW)
    assert run.code == 2 and "desk:" in run.err and "store.xlsx" in run.err
    assert (other.parent / "store.xlsx").read_bytes() == before
    named = pg.use(other, pg.desk + "_other")  # a desk of its own: runs
    assert run_cli("sync", "-c", named, "--now", NOW).code in (0, 3)
    assert pg.rows("SELECT count(*) FROM base")[0][0] == 13  # the first desk's journal as it was


HOLD = """
import sys, time
from sheetsync import load_config
from sheetsync.journal.open import locked_journal
with locked_journal(load_config(sys.argv[1])):
    print("held", flush=True)
    time.sleep(60)
"""


def test_one_run_at_a_time_across_processes_and_a_killed_holders_lock_is_released(
        tmp_path: Path, pg: PgDesk) -> None:
    config = pg_desk(tmp_path, pg)
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(config)], cwd=REPO, stdout=subprocess.PIPE,
                              env={**os.environ})
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"held"
        second = subprocess.run([sys.executable, "-m", "sheetsync", "sync", "-c", str(config)], cwd=REPO,
                                capture_output=True, text=True, env={**os.environ, "SHEETSYNC_LANG": "en"})
        assert second.returncode == 4, second.stderr
        assert f"process {holder.pid} on {socket.gethostname()}" in second.stderr
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    after = subprocess.run([sys.executable, "-m", "sheetsync", "sync", "-c", str(config), "--now", NOW], cwd=REPO,
                           capture_output=True, text=True)
    assert after.returncode in (0, 3), after.stderr  # the server let go of the dead process's lock
    assert "没有正常结束" in after.stdout + after.stderr  # and the run says its holder never finished


SLOW = """
import sys, time
import sheetsync.run.sync as s
slow = s.decide
def decide(*args, **kwargs):
    time.sleep(2)
    return slow(*args, **kwargs)
s.decide = decide
from sheetsync.cli import run
sys.argv = ["sheetsync", *sys.argv[1:]]
run()
"""


def test_two_syncs_started_together_one_runs_the_other_exits_4(tmp_path: Path, pg: PgDesk) -> None:
    config = pg_desk(tmp_path, pg)
    both = [subprocess.Popen([sys.executable, "-c", SLOW, "sync", "-c", str(config), "--now", NOW], cwd=REPO,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outcomes = sorted(p.wait(timeout=120) for p in both)
    assert outcomes[1] == 4 and outcomes[0] in (0, 3), [p.communicate() for p in both]
    assert pg.rows("SELECT count(*) FROM runs WHERE state = 'done'")[0][0] == 1


def test_a_dry_run_writes_nothing_to_the_journal(tmp_path: Path, pg: PgDesk, run_cli: Run) -> None:
    config = pg_desk(tmp_path, pg)
    assert run_cli("sync", "-c", config, "--dry-run", "--now", NOW).code in (0, 3)
    assert pg.rows("SELECT count(*) FROM pg_namespace WHERE nspname = %s", pg.desk)[0][0] == 0  # not even its schema
    assert run_cli("sync", "-c", config, "--now", NOW).code in (0, 3)
    assert pg.rows("SELECT count(*) FROM runs")[0][0] == 1


def test_a_journal_in_postgresql_is_opened_through_the_config(tmp_path: Path, pg: PgDesk) -> None:
    config = load_config(pg_desk(tmp_path, pg))
    sheetsync.sync(config)
    with open_journal(config, readonly=True) as journal:
        assert journal.has_runs() and journal.where.startswith(pg.url) and pg.desk in journal.where
    with locked_journal(config) as (journal, lock):
        assert lock.stale_message() is None and len(journal.base_hashes()) == 13
    started = time.perf_counter()
    with locked_journal(config), pytest.raises(TableLocked), locked_journal(config):
        pass
    assert time.perf_counter() - started < 5  # refused at once, not waited for
