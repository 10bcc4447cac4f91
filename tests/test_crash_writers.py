"""The other writers of the workbook killed (SIGKILL) at any moment: `approve`, `unlock`, `report --dashboard` and
`init --from --add-columns` leave the old or the new workbook, a valid package, nothing beside it once the next
command ran, and a journal (or configuration) that agrees: the next command carries on as if nothing happened.

Each writer runs as `python -m sheetsync ...`, killed at moments spread from the end of its imports to the end of a
complete run (as long as the measured one), and killed at the steps of its write where a kill matters most (when it
calls them: `KILL_AT`), which a moment finds only now and then.  Two runs go at once, one per core, and a state
that two kills left alike is checked once."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import CliRun, read_sheet
from test_adopt_team import team_desk

from sheetsync.config import Config, load_config
from sheetsync.journal.core import Journal
from sheetsync.model.cells import CellWrite
from sheetsync.stores.xlsx.patch import patch_xlsx

pytestmark = pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")

REPO = Path(__file__).parent.parent
KILLS = 6
"""Kills at moments per writer (its steps come on top)."""
AT_ONCE = 2
NOW = dt.datetime(2026, 3, 2, 10, 0)
LATER = "2026-03-02T10:30"
SIGNER = "李会计"

KILL_AT = """
import importlib, os, signal, sys
module, _, name = sys.argv[1].partition(":")
owner = importlib.import_module(module)
*path, name = name.split(".")
for part in path:
    owner = getattr(owner, part)
setattr(owner, name, lambda *args, **kwargs: os.kill(os.getpid(), signal.SIGKILL))
from sheetsync.cli import run
sys.argv = ["sheetsync", *sys.argv[2:]]
run()
"""
"""`python -c KILL_AT module:attribute ARGS...`: the console's command, killed when it calls `attribute`."""

STAGED = "sheetsync.stores.xlsx.store:XlsxStore._backup"
"""The new workbook complete and synced beside the old one; the journal's records not committed."""
RENAMED = "sheetsync.stores.xlsx.store:fsync_dir"
"""The new workbook renamed into place; the run not confirmed (pending in the journal)."""
FINISHING = "sheetsync.journal.core:Journal.finish_run"
"""Everything written; the run not finished."""
CLOSING = "sheetsync.journal.core:Journal.close"
"""The run finished; the journal not closed."""


Args = Sequence[str | Path]
Run = Callable[..., CliRun]


# running and killing ---------------------------------------------------------------------------------------------

def start(args: Args, step: str | None = None) -> subprocess.Popen[bytes]:
    """The console's command; with `step`, killed when it calls that (`module:attribute`)."""
    head = ["-c", KILL_AT, step] if step else ["-m", "sheetsync"]
    return subprocess.Popen([sys.executable, *head, *map(str, args)], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def run_whole(args: Args) -> float:
    """Run the command to its end; the seconds it took."""
    started = time.perf_counter()
    assert start(args).wait() == 0
    return time.perf_counter() - started


@pytest.fixture(scope="module")
def startup(tmp_path_factory: pytest.TempPathFactory) -> float:
    """Seconds a run of the console takes before it does anything: its imports (then a configuration it can't find)."""
    missing = tmp_path_factory.mktemp("nothing") / "sheetsync.yaml"
    started = time.perf_counter()
    assert start(["check", "-c", missing]).wait() != 0
    return time.perf_counter() - started


def moments(startup: float, duration: float) -> list[float]:
    """KILLS moments from just before the imports end to just after a complete run ended."""
    first, last = 0.9 * startup, 1.1 * duration
    return [first + (last - first) * k / (KILLS - 1) for k in range(KILLS)]


def kill_each(commands: Sequence[tuple[Args, float | str]]) -> None:
    """Run each command, two at a time, and kill it: SIGKILL so many seconds after its start, or at a step."""
    waiting = list(commands)
    running: list[tuple[subprocess.Popen[bytes], float | str, float]] = []
    while waiting or running:
        while waiting and len(running) < AT_ONCE:
            args, when = waiting.pop(0)
            step = when if isinstance(when, str) else None
            running.append((start(args, step), when, time.perf_counter() + (0.0 if step else float(when))))
        for run in list(running):
            process, when, deadline = run
            if not isinstance(when, str) and time.perf_counter() >= deadline:
                process.send_signal(signal.SIGKILL)  # nothing is sent to a run that already ended
            if process.poll() is not None:
                assert process.returncode == -signal.SIGKILL or not isinstance(when, str), f"{when} was never called"
                running.remove(run)
        now = time.perf_counter()
        deadlines = [deadline for _, when, deadline in running if not isinstance(when, str) and deadline > now]
        time.sleep(min([0.005, *(deadline - now for deadline in deadlines)]))


def copies(pristine: Path, where: Path, count: int, name: str) -> list[Path]:
    out = []
    for i in range(count):
        shutil.copytree(pristine, where / f"{name}{i}")
        out.append(where / f"{name}{i}")
    return out


@dataclass
class Killed:
    """A desk as one or more kills left it (the same files)."""

    desk: Path
    kills: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"killed at {', '.join(self.kills)}"


def state(desk: Path) -> str:
    """A digest of every file of the desk but its logs, backups and SQLite's shared-memory index."""
    digest = hashlib.sha256()
    for path in sorted(p for p in desk.rglob("*") if p.is_file()):
        name = path.relative_to(desk).as_posix()
        if not name.startswith((".sheetsync/logs/", ".sheetsync/backups/")) and not name.endswith("-shm"):
            digest.update(name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def killed(pristine: Path, where: Path, startup: float, args_of: Callable[[Path], Args],
           steps: Sequence[str]) -> tuple[Path, list[Killed]]:
    """A desk as a complete run leaves it, and the desks that the kills at moments and at `steps` left (each state
    once)."""
    reference = copies(pristine, where, 1, "reference")[0]
    duration = run_whole(args_of(reference))
    kills: list[float | str] = [*moments(startup, duration), *steps]
    desks = copies(pristine, where, len(kills), "kill")
    kill_each([(args_of(desk), when) for desk, when in zip(desks, kills, strict=True)])
    seen: dict[str, Killed] = {}
    for desk, when in zip(desks, kills, strict=True):
        seen.setdefault(state(desk), Killed(desk)).kills.append(when if isinstance(when, str) else f"{when:.2f} s")
    return reference, list(seen.values())


# what must hold after a kill -------------------------------------------------------------------------------------

def landed(k: Killed, book: bytes, old: bytes, new: bytes) -> str:
    """"old" or "new": which whole workbook the kill `k` left (anything else fails the test)."""
    assert book in (old, new), f"{k}: the workbook is neither the old nor the new one"
    return "new" if book == new else "old"


def assert_valid(book: Path, sheets: Sequence[str]) -> None:
    """A whole package: every member's CRC right, and both python-calamine and openpyxl open every sheet."""
    with zipfile.ZipFile(book) as package:
        assert package.testzip() is None
    for sheet in sheets:
        read_sheet(book, sheet)
    opened = openpyxl.load_workbook(book)
    try:
        assert set(sheets) <= set(opened.sheetnames)
    finally:
        opened.close()


def leftovers(book: Path) -> list[Path]:
    """What a writer puts beside the workbook while it works (`.orders.xlsx.PID.sheetsync-tmp`)."""
    return sorted(book.parent.glob(f".{book.name}.*"))


def assert_sync_agrees(run_cli: Run, config: Path, edits: int = 0) -> dict[str, Any]:
    """`sync` exits 0, takes no cell for a person's edit (but the `edits` a person made since), flags no CONFLICT,
    and leaves nothing beside the workbook."""
    run = run_cli("sync", "-c", config, "--json", "--now", LATER)
    assert run.code == 0, run.out + run.err
    result: dict[str, Any] = run.json()
    assert len(result["person_edits"]) == edits, result["person_edits"]
    assert result["conflicts"] == 0 and "CONFLICT" not in result["anomalies"], result["anomalies"]
    assert not leftovers(Path(result["workbook"]))
    return result


# the workflow desk: approve, unlock, report --dashboard ----------------------------------------------------------

def at(hours_ago: float) -> dt.datetime:
    return NOW - dt.timedelta(hours=hours_ago)


def workflow_order(i: int) -> dict[str, Any]:
    """Every fourth order in review with 王总监's signature (李会计's makes the two it needs), every fourth shipped
    (its address locked), the others picking or waiting."""
    order: dict[str, Any] = {"order_id": f"SS-{i:03d}", "created_at": at(30), "status_since": at(0.5),
                             "customer_id": f"C{i % 9}", "customer_name": f"客户{i}", "phone": f"138{i:08d}",
                             "address": f"浙江省杭州市西湖区文三路{i}号", "amount_payable": 500,
                             "warehouse": "杭州仓" if i % 2 else "广州仓", "promised_by": at(-20)}
    kind = i % 4
    if kind == 0:
        order.update(status="审核中", amount_payable=12000, approver="王总监")
    elif kind == 1:
        order.update(status="已发货", tracking_no=f"SF{i:010d}")
    else:
        order.update(status="备货中" if kind == 2 else "待确认")
    return order


ORDERS = [workflow_order(i) for i in range(160)]
IN_REVIEW = [o["order_id"] for o in ORDERS if o["status"] == "审核中"]
LOCKED = next(o for o in ORDERS if o["status"] == "已发货")


@pytest.fixture
def workflow_desk(make_desk: Callable[..., Config], run_cli: Run) -> Path:
    """A desk with the default workflow that has run once (the journal knows every order); its folder."""
    config = make_desk(ORDERS, name="pristine")
    with config.source.open("a", encoding="utf-8") as fh:
        fh.write("workflow: default_zh\n")
    first = run_cli("sync", "-c", config.source, "--now", NOW.isoformat())
    assert first.code == 0, first.out + first.err
    return config.base_dir


def approve_args(desk: Path) -> Args:
    return ["approve", *IN_REVIEW, "--by", SIGNER, "-c", desk / "sheetsync.yaml",
            "--now", (NOW + dt.timedelta(minutes=5)).isoformat()]


def approver_history(run_cli: Run, config: Path, order_id: str) -> list[tuple[str, str, str]]:
    run = run_cli("history", order_id, "-c", config, "--json")
    assert run.code == 0, run.out + run.err
    return [(e["command"], e["new"], e["source"]) for e in run.json() if e["field"] == "approver"]


def test_killed_approve_leaves_old_or_new_workbook_and_no_signature_taken_for_a_persons_edit(
        workflow_desk: Path, tmp_path: Path, startup: float, run_cli: Run) -> None:
    old = (workflow_desk / "orders.xlsx").read_bytes()
    reference, desks = killed(workflow_desk, tmp_path, startup, approve_args, [STAGED, RENAMED, FINISHING])
    new = (reference / "orders.xlsx").read_bytes()
    assert new != old
    assert_sync_agrees(run_cli, reference / "sheetsync.yaml")
    settled = read_sheet(reference / "orders.xlsx")  # the signed orders left review
    signed = [("approve", f"王总监、{SIGNER}", "tool")]
    outcomes = {"old": 0, "new": 0}
    for k in desks:
        book, config = k.desk / "orders.xlsx", k.desk / "sheetsync.yaml"
        outcome = landed(k, book.read_bytes(), old, new)
        outcomes[outcome] += len(k.kills)
        assert_valid(book, ["订单"])
        assert_sync_agrees(run_cli, config)
        assert approver_history(run_cli, config, IN_REVIEW[0]) == (signed if outcome == "new" else []), k
        if outcome == "old":  # signed now, the desk carries on to the same sheet
            again = run_cli(*approve_args(k.desk))
            assert again.code == 0, again.out + again.err
            assert_sync_agrees(run_cli, config)
            assert approver_history(run_cli, config, IN_REVIEW[0]) == signed
        assert read_sheet(book) == settled, f"{k}: the signed orders did not carry on to the same sheet"
    assert outcomes["old"] > 0 and outcomes["new"] > 0, outcomes


def unlock_args(desk: Path) -> Args:
    return ["unlock", LOCKED["order_id"], "--by", "张三", "--reason", "客户来电改地址", "-c", desk / "sheetsync.yaml",
            "--now", (NOW + dt.timedelta(minutes=5)).isoformat()]


def unlocked(run_cli: Run, config: Path) -> tuple[bool, bool]:
    """Whether `history` shows the order unlocked, and whether the journal holds an unlock the next sync will use."""
    run = run_cli("history", LOCKED["order_id"], "-c", config, "--json")
    assert run.code == 0, run.out + run.err
    shown = any(e["command"] == "unlock" for e in run.json())
    with Journal(load_config(config).journal_path) as journal:
        open_now = LOCKED["order_id"] in journal.workflow.open_unlocks()
    return shown, open_now


ADDRESS = "详细地址"
TYPED = "浙江省杭州市西湖区文二路1号"


def address_after_a_persons_edit(run_cli: Run, config: Path) -> object:
    """A person types another address into the locked order and saves; the next sync keeps it only if unlocked.
    The address the sheet holds after that sync."""
    book = load_config(config).workbook_path
    rows = read_sheet(book)
    row = next(r for r, values in enumerate(rows) if values[0] == LOCKED["order_id"])
    saved = book.with_name("person.xlsx")
    patch_xlsx(book, saved, "订单", [CellWrite(row + 1, rows[0].index(ADDRESS) + 1, TYPED)])
    saved.replace(book)
    assert_sync_agrees(run_cli, config, edits=1)
    rows = read_sheet(book)
    return rows[row][rows[0].index(ADDRESS)]


def test_killed_unlock_leaves_the_workbook_as_it_was_and_an_unlock_that_works_exactly_when_history_shows_it(
        workflow_desk: Path, tmp_path: Path, startup: float, run_cli: Run) -> None:
    old = (workflow_desk / "orders.xlsx").read_bytes()
    recorded = "sheetsync.journal.workflow:DbWorkflowJournal.add_unlock"  # the run recorded, the unlock not yet
    reference, desks = killed(workflow_desk, tmp_path, startup, unlock_args, [recorded, FINISHING, CLOSING])
    assert (reference / "orders.xlsx").read_bytes() == old  # unlock writes the journal only
    outcomes = {"old": 0, "new": 0}
    for k in desks:
        config = k.desk / "sheetsync.yaml"
        assert (k.desk / "orders.xlsx").read_bytes() == old, f"{k}: the workbook changed"
        assert_valid(k.desk / "orders.xlsx", ["订单"])
        shown, open_now = unlocked(run_cli, config)
        assert shown == open_now, f"{k}: history shows an unlock the journal does not hold"
        outcomes["new" if shown else "old"] += len(k.kills)
        assert address_after_a_persons_edit(run_cli, config) == (TYPED if shown else LOCKED["address"]), k
    assert outcomes["old"] > 0 and outcomes["new"] > 0, outcomes


def dashboard_args(desk: Path) -> Args:
    return ["report", "--dashboard", "-c", desk / "sheetsync.yaml", "--now", (NOW + dt.timedelta(minutes=5)).isoformat()]


def test_killed_dashboard_leaves_old_or_new_workbook_and_the_next_sync_takes_nothing_for_an_edit(
        workflow_desk: Path, tmp_path: Path, startup: float, run_cli: Run) -> None:
    old = (workflow_desk / "orders.xlsx").read_bytes()
    orders = read_sheet(workflow_desk / "orders.xlsx")
    reference, desks = killed(workflow_desk, tmp_path, startup, dashboard_args, [STAGED, RENAMED])
    new = (reference / "orders.xlsx").read_bytes()
    assert new != old
    board = read_sheet(reference / "orders.xlsx", "看板")
    outcomes = {"old": 0, "new": 0}
    for k in desks:
        book, config = k.desk / "orders.xlsx", k.desk / "sheetsync.yaml"
        outcome = landed(k, book.read_bytes(), old, new)
        outcomes[outcome] += len(k.kills)
        assert_valid(book, ["订单", "看板"] if outcome == "new" else ["订单"])
        synced = assert_sync_agrees(run_cli, config)
        assert not synced["workbook_written"] and read_sheet(book) == orders, k
        again = run_cli(*dashboard_args(k.desk))
        assert again.code == 0, again.out + again.err
        assert read_sheet(book) == orders and read_sheet(book, "看板") == board, k
        assert not leftovers(book)
    assert outcomes["old"] > 0 and outcomes["new"] > 0, outcomes


# init --from --add-columns ---------------------------------------------------------------------------------------

TEAM_BOOK = "订单台.xlsx"


@pytest.fixture
def team(tmp_path: Path) -> Path:
    """A team's own workbook (200 orders) in a folder of its own, not adopted yet."""
    folder = tmp_path / "team"
    folder.mkdir()
    return team_desk(folder / TEAM_BOOK, rows=200).parent


@pytest.fixture
def adopted(team: Path, run_cli: Run) -> Path:
    """The team's workbook adopted as it is: sheetsync.yaml beside it, the tool's columns missing."""
    run = run_cli("init", "--from", team / TEAM_BOOK)
    assert run.code == 0, run.out + run.err
    return team


def add_columns_args(desk: Path) -> Args:
    return ["init", "--from", desk / TEAM_BOOK, "--add-columns"]


@dataclass(frozen=True)
class Adoption:
    """The workbook's bytes and the configuration's text (None: none yet)."""

    book: bytes
    config: str | None

    @classmethod
    def of(cls, desk: Path) -> Adoption:
        config = desk / "sheetsync.yaml"
        return cls((desk / TEAM_BOOK).read_bytes(), config.read_text(encoding="utf-8") if config.exists() else None)


def check_killed_adoptions(run_cli: Run, before: Adoption, reference: Path, desks: list[Killed]) -> None:
    """Each desk holds the old or the new workbook (a valid package) and the old, no or the new configuration; the
    same `init` run again exits 0 and gives what an uninterrupted run gave, with nothing left beside the workbook."""
    after = Adoption.of(reference)
    assert after.book != before.book and after.config not in (None, before.config)
    outcomes = {"old": 0, "new": 0}
    for k in desks:
        adoption = Adoption.of(k.desk)
        outcomes[landed(k, adoption.book, before.book, after.book)] += len(k.kills)
        assert_valid(k.desk / TEAM_BOOK, ["订单"])
        rerun = run_cli(*add_columns_args(k.desk))
        assert adoption.config in (before.config, after.config), f"{k}: sheetsync.yaml is neither the old nor the new one"
        assert rerun.code == 0, f"{k}: " + rerun.out + rerun.err
        assert Adoption.of(k.desk) == after, f"{k}: run again, init gave another workbook or configuration"
        assert not leftovers(k.desk / TEAM_BOOK), f"{k}: a killed writer's file is left beside the workbook"
    assert outcomes["old"] > 0 and outcomes["new"] > 0, outcomes


def test_killed_add_columns_on_an_adopted_desk_leaves_old_or_new_and_runs_again_to_the_same_result(
        adopted: Path, tmp_path: Path, startup: float, run_cli: Run) -> None:
    before = Adoption.of(adopted)
    dumping = "sheetsync.desk.adopt:_writer"  # sheetsync.yaml opened for writing, nothing written to it yet
    reference, desks = killed(adopted, tmp_path, startup, add_columns_args, [STAGED, RENAMED, dumping])
    check_killed_adoptions(run_cli, before, reference, desks)


def test_killed_add_columns_on_a_new_adoption_leaves_old_or_new_and_runs_again_to_the_same_result(
        team: Path, tmp_path: Path, startup: float, run_cli: Run) -> None:
    before = Adoption.of(team)
    assert before.config is None
    reference, desks = killed(team, tmp_path, startup, add_columns_args, [STAGED, RENAMED])
    check_killed_adoptions(run_cli, before, reference, desks)
