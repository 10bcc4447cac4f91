"""What every journal must do, whatever keeps it: the contract of the journal door.

Each test opens its journal through `open_journal`, parametrised over the backends (a SQLite file; a
schema in a real PostgreSQL server, `tests/postgres.py`), and uses only what the run calls: runs, the
staged protocol, recovery, base rows, natural keys, merge bases, flags, files, sequences, history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from postgres import PASSWORD_ENV, PgDesk

from sheetsync.config import PostgresJournal
from sheetsync.journal.core import Journal
from sheetsync.journal.postgres import PostgresDb
from sheetsync.journal.record import RunRecord
from sheetsync.model.records import CellChange, Flag

NOW = dt.datetime(2026, 11, 23, 9, 0)
OpenJournal = Callable[[], AbstractContextManager[Journal]]


@pytest.fixture(params=["sqlite", "postgresql"])
def open_journal(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OpenJournal]:
    """Opens the same journal each time it is called (a new connection, as a new run would)."""
    if request.param == "sqlite":
        yield lambda: Journal(tmp_path / "journal.db")
        return
    pg: PgDesk = request.getfixturevalue("pg")
    target = PostgresJournal(url=pg.url, desk=pg.desk, password_env=PASSWORD_ENV)
    yield lambda: Journal(PostgresDb(target))


def _base(journal: Journal, rows: dict[str, tuple[int, str]], layout: list[str], **more: object) -> int:
    run = journal.start_run("sync", NOW)
    journal.record(run, RunRecord(base=rows, layout=layout, **more), workbook_sha256=None)  # type: ignore[arg-type]
    journal.finish_run(run, 0, {}, NOW)
    return run


def test_a_recorded_run_is_what_the_next_run_reads(open_journal: OpenJournal) -> None:
    with open_journal() as journal:
        run = journal.start_run("sync", NOW)
        journal.record(run, RunRecord(
            changes=[CellChange("A", "status", "待发货", "已发货", "channel", "douyin")],
            base={"A": (7, '["A","已发货"]')}, layout=["order_id", "status"],
            natural_keys=[("douyin", "K1", "A", 7)], merge_base={("A", "phone"): "138"},
            new_flags=[Flag("A", "CONFLICT", "phone", "139", "138")], files=[("sha-1", "in/a.csv", "douyin", 3)],
        ), workbook_sha256=None)
        journal.finish_run(run, 0, {"rows": 1}, NOW)
    with open_journal() as journal:
        assert journal.base_hashes().to_dict() == {"A": 7}
        values, known = journal.base_frame(["A", "NOPE"], ["status", "phone"])
        assert values["status"].iloc[0] == "已发货" and values["status"].isna().iloc[1]
        assert known["status"].tolist() == [True, False] and known["phone"].tolist() == [False, False]
        assert journal.natural_keys("douyin") == {"K1": "A"} and journal.natural_keys("pdd") == {}
        said = journal.said_keys("douyin")
        assert said.index.tolist() == ["K1"] and said["order_id"].tolist() == ["A"] and said["said"].tolist() == [7]
        assert journal.said_keys("douyin", ["K1", "K2"]).index.tolist() == ["K1"] and journal.said_keys("pdd").empty
        assert journal.merge_bases() == {("A", "phone"): "138"}
        assert [(f.order_id, f.code, f.field) for f in journal.open_flags()] == [("A", "CONFLICT", "phone")]
        assert journal.seen_files() == {"sha-1": "in/a.csv"}
        assert [(h.run_id, h.field, h.old, h.new, h.source, h.detail) for h in journal.history("A")] == [
            (run, "status", "待发货", "已发货", "channel", "douyin")]


def test_a_staged_run_commits_with_its_workbook_and_is_confirmed(open_journal: OpenJournal) -> None:
    with open_journal() as journal:
        run = journal.start_run("sync", NOW)
        staged = journal.stage(run, changes=RunRecord(changes=[CellChange("A", "note", None, "x", "tool")]))
        staged.add(RunRecord(base={"A": (1, '["A"]')}, layout=["order_id"]))
        staged.commit("sha-new")
        journal.confirm(run)
    with open_journal() as journal:
        assert journal.recover(lambda: "sha-new") == []  # confirmed: nothing to settle
        assert [h.new for h in journal.history("A")] == ["x"] and journal.base_hashes().to_dict() == {"A": 1}


def test_an_aborted_stage_leaves_nothing(open_journal: OpenJournal) -> None:
    with open_journal() as journal:
        run = journal.start_run("sync", NOW)
        staged = journal.stage(run, changes=RunRecord(changes=[CellChange("A", "note", None, "x", "tool")]))
        staged.abort()
    with open_journal() as journal:
        assert journal.history("A") == [] and journal.base_hashes().empty


@pytest.mark.parametrize(("workbook", "kept"), [("sha-new", True), ("sha-old", False)])
def test_a_run_killed_after_staging_is_kept_or_undone_by_the_workbook_in_place(
        open_journal: OpenJournal, workbook: str, kept: bool) -> None:
    with open_journal() as journal:
        _base(journal, {"A": (1, '["A","x"]')}, ["order_id", "status"], natural_keys=[("dy", "K0", "A", None)])
        run = journal.start_run("sync", NOW)
        journal.next_sequence("order_id", 2)
        staged = journal.stage(run, changes=RunRecord(changes=[CellChange("A", "status", "x", "y", "tool")]))
        staged.add(RunRecord(base={"A": (2, '["A","y"]'), "B": (3, '["B","z"]')}, layout=["order_id", "status"],
                             natural_keys=[("dy", "K0", "A", 9), ("dy", "K1", "B", 5)], merge_base={("A", "status"): "y"}))
        staged.commit("sha-new")  # killed here: the workbook may or may not have been replaced
    with open_journal() as journal:
        assert [(r.run_id, r.kept) for r in journal.recover(lambda: workbook)] == [(run, kept)]
        if kept:
            assert journal.base_hashes().to_dict() == {"A": 2, "B": 3}
            assert journal.natural_keys("dy") == {"K0": "A", "K1": "B"} and journal.merge_bases() == {("A", "status"): "y"}
            assert journal.said_keys("dy")["said"].to_dict() == {"K0": 9, "K1": 5}
            assert journal.next_sequence("order_id", 1) == 3
        else:
            assert journal.base_hashes().to_dict() == {"A": 1} and journal.history("A") == []
            assert journal.natural_keys("dy") == {"K0": "A"} and journal.merge_bases() == {}
            assert journal.said_keys("dy")["said"].isna().tolist() == [True]  # what the undone run said is forgotten
            assert journal.next_sequence("order_id", 1) == 1  # numbers no workbook showed are given again


def test_sequence_numbers_are_never_given_twice_once_recorded(open_journal: OpenJournal) -> None:
    with open_journal() as journal:
        assert journal.last_number("order_id") == 0
        assert journal.next_sequence("order_id", 3) == 1
        journal.record(journal.start_run("sync", NOW), RunRecord(), workbook_sha256=None)
    with open_journal() as journal:
        assert journal.last_number("order_id") == 3 and journal.next_sequence("order_id", 1) == 4


def test_deleted_orders_and_closed_flags_are_remembered(open_journal: OpenJournal) -> None:
    with open_journal() as journal:
        _base(journal, {"A": (1, '["A","C1"]'), "B": (2, '["B","C2"]')}, ["order_id", "customer_id"],
              new_flags=[Flag("B", "TRACKING_CHANGED", "tracking_no", "SF1", "SF2")])
        flag = journal.open_flags()[0]
        run = journal.start_run("sync", NOW)
        journal.record(run, RunRecord(deleted=journal.base_values(["A"]), closed_flags={flag.id: "acknowledged"}),
                       workbook_sha256=None)
    with open_journal() as journal:
        assert journal.deleted_ids() == {"A"} and journal.open_flags() == []
        assert journal.workflow.earlier_orders()[["order_id", "customer_id"]].values.tolist() == [["A", "C1"]]


def test_unlocks_and_alerts_sent_are_kept_for_the_workflow(open_journal: OpenJournal) -> None:
    with open_journal() as journal:
        run = journal.start_run("unlock", NOW)
        journal.record(run, RunRecord(), workbook_sha256=None)
        journal.workflow.add_unlock("A", "王", "地址写错", NOW, run)
        journal.workflow.record_alerts([("A", "breach", "待发货", "ops")], run, NOW)
        assert journal.workflow.open_unlocks() == {}  # an unlock counts once its run is done
        journal.finish_run(run, 0, {}, NOW)
    with open_journal() as journal:
        assert [(u.order_id, u.by, u.reason) for u in journal.workflow.open_unlocks().values()] == [("A", "王", "地址写错")]
        assert journal.workflow.alerts_sent() == {("A", "breach", "待发货")}


def test_an_unlock_whose_run_died_is_no_unlock_and_recovery_drops_it(open_journal: OpenJournal) -> None:
    with open_journal() as journal:
        run = journal.start_run("unlock", NOW)
        journal.workflow.add_unlock("A", "王", "地址写错", NOW, run)  # killed here: the run never finished
    with open_journal() as journal:
        assert journal.workflow.open_unlocks() == {}
        journal.recover(lambda: None)
        assert journal.db.execute("SELECT count(*) FROM unlocks").fetchone()[0] == 0
        assert journal.db.execute("SELECT state FROM runs WHERE id=?", (run,)).fetchone()[0] == "rolled_back"
