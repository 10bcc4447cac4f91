"""The journal: migrations, the order-id sequence, and recovery of a run killed while writing."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from sheetsync.errors import UnreadableInput
from sheetsync.journal import created as journal_created
from sheetsync.journal.core import SCHEMA_VERSION, Journal
from sheetsync.journal.record import AS_CREATED, RunRecord
from sheetsync.model.changes import Created
from sheetsync.model.records import CellChange, Flag

NOW = dt.datetime(2026, 11, 23, 9, 0)


def test_new_journal_is_at_the_current_schema_in_wal_mode(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.db") as journal:
        assert journal.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert journal.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_journal_from_a_newer_sheetsync_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    with pytest.raises(UnreadableInput, match=r"upgrade|升级"):
        Journal(path)


def test_sequence_numbers_recorded_with_a_run_are_never_reused(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.db") as journal:
        assert journal.next_sequence("order_id", 3) == 1
        assert journal.next_sequence("order_id", 1) == 4
        journal.record(journal.start_run("sync", NOW), RunRecord(), workbook_sha256=None)
    with Journal(tmp_path / "j.db") as journal:
        assert journal.next_sequence("order_id", 2) == 5


def test_sequence_numbers_of_a_run_that_never_recorded_are_given_again(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.db") as journal:
        assert journal.next_sequence("order_id", 3) == 1
    with Journal(tmp_path / "j.db") as journal:
        assert journal.next_sequence("order_id", 1) == 1


def test_rolled_back_run_gives_its_sequence_numbers_back(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.db") as journal:
        journal.next_sequence("order_id", 2)
        journal.record(journal.start_run("sync", NOW), RunRecord(), workbook_sha256=None)
        journal.next_sequence("order_id", 5)
        journal.record(journal.start_run("sync", NOW), RunRecord(), workbook_sha256="never-in-place")
    with Journal(tmp_path / "j.db") as journal:
        journal.recover(lambda: "old")
        assert journal.next_sequence("order_id", 1) == 3


def test_readonly_journal_peeks_at_sequences_and_creates_no_file(tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    with Journal(path, readonly=True) as journal:
        assert journal.next_sequence("order_id", 2) == 1
        assert journal.next_sequence("order_id", 1) == 3
    assert not path.exists()


def _pending_run(journal: Journal, sha: str) -> int:
    run = journal.start_run("sync", NOW)
    journal.record(run, RunRecord([CellChange("A", "status", "x", "y", "tool")], {"A": (2, '["y"]')}, layout=["status"]),
                   workbook_sha256=sha)
    return run


def test_pending_run_is_kept_when_the_workbook_was_replaced(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.db") as journal:
        first = journal.start_run("sync", NOW)
        journal.record(first, RunRecord(base={"A": (1, '["x"]')}, layout=["status"]), workbook_sha256=None)
        journal.finish_run(first, 0, {}, NOW)
        run = _pending_run(journal, "new-sha")
        recovered = journal.recover(lambda: "new-sha")
        assert [(r.run_id, r.kept) for r in recovered] == [(run, True)]
        assert journal.base_values(["A"]) == {"A": {"status": "y"}}
        assert [h.new for h in journal.history("A")] == ["y"]


def test_pending_run_is_rolled_back_when_the_workbook_was_not_replaced(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.db") as journal:
        first = journal.start_run("sync", NOW)
        journal.record(first, RunRecord(base={"A": (1, '["x"]')}, layout=["status"]), workbook_sha256=None)
        journal.finish_run(first, 0, {}, NOW)
        run = _pending_run(journal, "new-sha")
        recovered = journal.recover(lambda: "old-sha")
        assert [(r.run_id, r.kept) for r in recovered] == [(run, False)]
        assert journal.base_values(["A"]) == {"A": {"status": "x"}}
        assert journal.base_hashes().to_dict() == {"A": 1}
        assert journal.history("A") == []


def test_rollback_removes_base_rows_the_run_created(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.db") as journal:
        run = journal.start_run("sync", NOW)
        journal.record(run, RunRecord(base={"NEW": (5, '["NEW"]')}, layout=["order_id"]), workbook_sha256="sha")
        journal.recover(lambda: None)
        assert journal.base_hashes().empty


def test_rollback_undoes_keys_merge_base_flags_and_files(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.db") as journal:
        first = journal.start_run("sync", NOW)
        journal.record(first, RunRecord(merge_base={("A", "phone"): "1"}, new_flags=[Flag("A", "CONFLICT", "phone", "2", "1")]),
                       workbook_sha256=None)
        flag_id = journal.open_flags()[0].id
        run = journal.start_run("sync", NOW)
        journal.record(run, RunRecord(natural_keys=[("dy", "K1", "A", None)], merge_base={("A", "phone"): "3", ("B", "x"): "y"},
                                      closed_flags={flag_id: "resolved"}, files=[("sha", "f.csv", "dy", 3)]),
                       workbook_sha256="never-in-place")
        assert journal.open_flags() == [] and journal.natural_keys("dy") == {"K1": "A"}
        journal.recover(lambda: "old")
        assert journal.natural_keys("dy") == {}
        assert {key: v for key, v in journal.merge_bases().items() if key[0] in ("A", "B")} == {("A", "phone"): "1"}
        assert [f.code for f in journal.open_flags()] == ["CONFLICT"]
        assert journal.seen_file("sha") is None


def test_a_version_1_journal_is_migrated(tmp_path: Path) -> None:
    import sqlite3 as sq

    from sheetsync.journal.schema import MIGRATIONS

    path = tmp_path / "old.db"
    with sq.connect(path) as db:
        db.executescript(MIGRATIONS[1])
        db.execute("INSERT INTO base VALUES ('A', 1, '{\"phone\": \"0571\"}')")
        db.execute("PRAGMA user_version=1")
    with Journal(path) as journal:
        assert journal.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        from sheetsync.steps.edits import row_hashes

        rehashed = int(row_hashes(pd.DataFrame({"phone": ["0571"]}, dtype="str")).iloc[0])  # version 4 rehashes
        assert journal.base_hashes().to_dict() == {"A": rehashed}
        assert journal.base_values(["A"]) == {"A": {"phone": "0571"}}
        assert journal.natural_keys("dy") == {}


def test_a_version_5_journal_keeps_its_base_and_keys_in_tables_without_rowid(tmp_path: Path) -> None:
    import sqlite3 as sq

    from sheetsync.journal.db import statements as _statements
    from sheetsync.journal.schema import MIGRATIONS

    path = tmp_path / "v5.db"
    with sq.connect(path) as db:
        for version in range(1, 6):
            for statement in _statements(MIGRATIONS[version]):
                db.execute(statement)
        db.execute("INSERT INTO base VALUES ('A', 7, '[\"A\",\"0571\"]', NULL)")
        db.execute("INSERT INTO layouts(fields) VALUES ('[\"order_id\",\"phone\"]')")
        db.execute("UPDATE base SET layout = 1")
        db.execute("INSERT INTO natural_keys VALUES ('dy', '6912', 'A', 1)")
        db.execute("PRAGMA user_version=5")
    with Journal(path) as journal:
        for table in ("base", "natural_keys"):
            sql = journal.db.execute("SELECT sql FROM sqlite_master WHERE name=?", (table,)).fetchone()[0]
            assert sql.rstrip().endswith("WITHOUT ROWID")
        assert journal.base_hashes().to_dict() == {"A": 7}
        assert journal.base_values(["A"]) == {"A": {"order_id": "A", "phone": "0571"}}
        assert journal.natural_keys("dy") == {"6912": "A"}


def test_a_staged_run_is_invisible_until_committed_and_gone_when_aborted(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.db") as journal:
        run = journal.start_run("sync", NOW)
        record = RunRecord([CellChange("A", "status", None, "y", "tool")], {"A": (2, '["A"]')}, layout=["order_id"])
        staged = journal.stage(run, record)
        with sqlite3.connect(tmp_path / "j.db") as other:  # another reader sees nothing of it yet
            staged._worker.join()
            assert other.execute("SELECT count(*) FROM base").fetchone()[0] == 0
        staged.commit("sha-of-the-new-workbook")
        assert journal.base_hashes().to_dict() == {"A": 2}
        assert journal.db.execute("SELECT state, workbook_sha256 FROM runs WHERE id=?", (run,)).fetchone() == (
            "pending", "sha-of-the-new-workbook")
        second = journal.start_run("sync", NOW)
        journal.stage(second, RunRecord(base={"B": (3, '["B"]')}, layout=["order_id"])).abort()
        assert journal.base_hashes().to_dict() == {"A": 2}


def test_a_staged_run_that_fails_while_inserting_raises_on_commit(tmp_path: Path) -> None:
    def broken() -> Iterator[CellChange]:
        yield CellChange("A", "status", None, "y", "tool")
        raise RuntimeError("encoding failed")

    with Journal(tmp_path / "j.db") as journal:
        run = journal.start_run("sync", NOW)
        staged = journal.stage(run, RunRecord(broken()))
        with pytest.raises(RuntimeError, match="encoding failed"):
            staged.commit("sha")
        assert journal.history("A") == []
        journal.record(journal.start_run("sync", NOW), RunRecord(), workbook_sha256=None)  # the journal is usable


def test_a_run_staged_with_its_changes_first_takes_the_rest_later_in_order(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.db") as journal:
        run = journal.start_run("sync", NOW)
        staged = journal.stage(run, changes=RunRecord([CellChange("A", "status", None, "y", "tool")],
                                                      encoded_changes=['[["A","*",null,"{}","tool",null]]']))
        staged.add(RunRecord([CellChange("A", "note", None, "later", "tool")], {"A": (2, '["A"]')}, layout=["order_id"]))
        with pytest.raises(RuntimeError):
            staged.add(RunRecord())
        staged.commit("sha")
        assert [(e.field, e.new) for e in journal.history("A")] == [("status", "y"), ("*", "{}"), ("note", "later")]
        assert journal.base_hashes().to_dict() == {"A": 2}
        # aborted before the rest came: nothing of it stays, and the journal is usable
        second = journal.start_run("sync", NOW)
        journal.stage(second, changes=RunRecord([CellChange("B", "status", None, "y", "tool")])).abort()
        assert journal.history("B") == []
        third = journal.stage(journal.start_run("sync", NOW), changes=RunRecord([CellChange("C", "status", None, "y", "tool")]))
        with pytest.raises(RuntimeError, match="before its record"):
            third.commit("sha")
        assert journal.history("C") == []
        journal.record(journal.start_run("sync", NOW), RunRecord(), workbook_sha256=None)


def test_a_large_run_is_written_through_a_rollback_journal_and_wal_comes_back(tmp_path: Path) -> None:
    from sheetsync.runtime.memory import LARGE_RUN

    def mode(path: Path) -> str:
        with sqlite3.connect(path) as db:
            return str(db.execute("PRAGMA journal_mode").fetchone()[0])

    path = tmp_path / "j.db"
    with Journal(path) as journal:
        run = journal.start_run("import", NOW)
        staged = journal.stage(run, RunRecord([CellChange("A", "*", None, "{}", "tool")], {"A": (2, '["A"]')},
                                              layout=["order_id"]), rows=LARGE_RUN)
        staged.commit("sha")
        assert journal.db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        journal.confirm(run)
        assert journal.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert journal.base_hashes().to_dict() == {"A": 2}
        second = journal.start_run("import", NOW)
        journal.stage(second, RunRecord(base={"B": (3, '["B"]')}, layout=["order_id"]), rows=LARGE_RUN).abort()
        assert journal.base_hashes().to_dict() == {"A": 2}
    assert mode(path) == "wal"  # an aborted run's switch is undone when the journal is closed
    with Journal(path) as journal, sqlite3.connect(path) as reader:
        reader.execute("SELECT count(*) FROM base").fetchone()  # another process has the journal open
        assert journal.write_through() is False
        assert journal.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_base_frame_decodes_snapshots_of_every_layout(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.db") as journal:
        journal.record(journal.start_run("sync", NOW), RunRecord(base={"A": (1, '["A","0571-8765",null]')},
                                                               layout=["order_id", "phone", "note"]), workbook_sha256=None)
        journal.record(journal.start_run("sync", NOW), RunRecord(base={"B": (2, '["B","引号\\"和\\\\"]')},
                                                               layout=["order_id", "phone"]), workbook_sha256=None)
        journal.db.execute("""INSERT INTO base VALUES ('C', 3, '{"order_id": "C", "note": "v1"}', NULL)""")
        values, known = journal.base_frame(["C", "missing", "B", "A"], ["phone", "note"])
        assert values.astype(object).where(values.notna(), None).to_numpy().tolist() == [
            [None, "v1"], [None, None], ['引号"和\\', None], ["0571-8765", None]]
        assert known.to_numpy().tolist() == [[False, True], [False, False], [True, False], [True, True]]


def test_version_4_recomputes_row_hashes_from_the_snapshots(tmp_path: Path) -> None:
    from sheetsync.steps.edits import row_hashes

    with Journal(tmp_path / "j.db") as journal:
        journal.record(journal.start_run("sync", NOW), RunRecord(base={"A": (123, '["A","0571-8765",null]')},
                                                               layout=["order_id", "phone", "note"]), workbook_sha256=None)
        journal.db.execute("PRAGMA user_version=3")
    with Journal(tmp_path / "j.db") as journal:
        sheet_row = pd.DataFrame({"order_id": ["A"], "phone": ["0571-8765"], "note": [None]}, dtype="str")
        assert journal.base_hashes().to_dict() == {"A": int(row_hashes(sheet_row).iloc[0])}


def test_a_created_orders_base_row_is_the_values_its_creation_recorded(tmp_path: Path) -> None:
    """A base row marked AS_CREATED reads as the `*` change of its run: every field of the layout is
    known, those the creation left out (empty) are None; a later snapshot replaces it, and rolling
    back the run that created the order removes both."""
    layout = ["order_id", "phone", "note"]
    created = CellChange("N1", "*", None, '{"order_id":"N1","phone":"138 0000"}', "channel", "抖店")
    with Journal(tmp_path / "j.db") as journal:
        run = journal.start_run("sync", NOW)
        journal.record(run, RunRecord(changes=[created, CellChange("N0", "*", None, '{"order_id":"N0"}', "tool")],
                                      base={"N1": (7, AS_CREATED), "N0": (8, '["N0",null,"旧"]')}, layout=layout),
                       workbook_sha256=None)
        assert journal.db.execute("SELECT vals FROM base WHERE order_id='N1'").fetchone()[0] == ""
        assert journal.base_values(["N1", "N0"]) == {"N1": {"order_id": "N1", "phone": "138 0000", "note": None},
                                                     "N0": {"order_id": "N0", "phone": None, "note": "旧"}}
        values, known = journal.base_frame(["N0", "N1", "gone"], ["phone", "note"])
        assert values.astype(object).where(values.notna(), None).to_numpy().tolist() == [
            [None, "旧"], ["138 0000", None], [None, None]]
        assert known.to_numpy().tolist() == [[True, True], [True, True], [False, False]]

        later = journal.start_run("sync", NOW)
        journal.record(later, RunRecord(base={"N1": (9, '["N1","138 0000","加急"]')}, layout=layout), workbook_sha256="sha")
        journal.recover(lambda: "other")  # the later run's workbook never landed: the creation's values are back
        assert journal.base_values(["N1"])["N1"]["note"] is None

        pending = journal.start_run("sync", NOW)
        again = CellChange("N2", "*", None, '{"order_id":"N2"}', "tool")
        journal.record(pending, RunRecord(changes=[again], base={"N2": (3, AS_CREATED)}, layout=layout),
                       workbook_sha256="sha")
        assert journal.base_values(["N2"]) == {"N2": {"order_id": "N2", "phone": None, "note": None}}
        journal.recover(lambda: "other")
        assert journal.base_values(["N2"]) == {} and journal.history("N2") == []


def test_a_created_base_row_without_its_creation_is_an_unreadable_journal(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.db") as journal:
        journal.record(journal.start_run("sync", NOW), RunRecord(base={"X": (1, AS_CREATED)}, layout=["order_id"]),
                       workbook_sha256=None)
        with pytest.raises(UnreadableInput, match="X"):
            journal.base_values(["X"])
        with pytest.raises(UnreadableInput, match="X"):
            journal.base_frame(["X"], ["order_id"])


class _Encoded:
    """Snapshots as a run hands them over (`EncodedSnapshots`): the rows, which of them it created."""

    def __init__(self, rows: dict[str, tuple[int, str]], created: set[str]) -> None:
        self.rows, self.made = rows, created

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[str]:
        return iter(self.rows)

    def encoded(self) -> Iterator[str]:
        yield json.dumps([[oid, h, v] for oid, (h, v) in self.rows.items()], ensure_ascii=False)

    def existing(self) -> Iterator[str]:
        return (oid for oid in self.rows if oid not in self.made)

    def created(self) -> Iterator[str]:
        yield json.dumps(sorted(self.made))


def test_a_rolled_back_run_takes_back_the_base_rows_of_the_orders_it_created(tmp_path: Path) -> None:
    """No undo row is kept for a created order (a million-row import: a million fewer), unless the
    journal already had a base row under its id: that one comes back."""
    layout = ["order_id", "note"]
    with Journal(tmp_path / "j.db") as journal:
        first = journal.start_run("sync", NOW)
        journal.record(first, RunRecord(base={"OLD": (1, '["OLD","旧"]'), "TYPED": (2, '["TYPED","手填"]')}, layout=layout),
                       workbook_sha256=None)
        run = journal.start_run("import", NOW)
        creations = [CellChange(oid, "*", None, json.dumps({"order_id": oid}), "channel", "legacy")
                     for oid in ("N1", "N2", "TYPED")]
        snapshots = _Encoded({"N1": (5, AS_CREATED), "N2": (6, AS_CREATED), "TYPED": (7, AS_CREATED),
                              "OLD": (8, '["OLD","改"]')}, {"N1", "N2", "TYPED"})
        journal.record(run, RunRecord(changes=creations, base=snapshots, layout=layout), workbook_sha256="sha")
        undo = journal.db.execute("SELECT order_id FROM base_undo WHERE run_id=? ORDER BY order_id", (run,)).fetchall()
        assert [u[0] for u in undo] == ["OLD", "TYPED"]
        assert journal.base_values(["N1"]) == {"N1": {"order_id": "N1", "note": None}}
        journal.recover(lambda: "other")
        assert journal.base_hashes().to_dict() == {"OLD": 1, "TYPED": 2}
        assert journal.base_values(["OLD", "TYPED"]) == {"OLD": {"order_id": "OLD", "note": "旧"},
                                                          "TYPED": {"order_id": "TYPED", "note": "手填"}}


def test_created_orders_values_are_kept_in_compressed_blocks_and_read_back_by_range(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run's new orders: a `*` change each (new NULL, the channel or the tool as its source) and their
    values once, in Arrow blocks; history, base values and base frames read them back, a lookup decodes
    only the blocks whose order_id range holds the wanted ids, and a rollback takes the blocks away."""
    monkeypatch.setattr(journal_created, "PART_ROWS", 2)
    decoded: list[int] = []
    real_decoded = journal_created._decoded
    monkeypatch.setattr(journal_created, "_decoded", lambda data, fields: decoded.append(1) or real_decoded(data, fields))
    layout = ["order_id", "phone", "note"]
    frame = pd.DataFrame({"order_id": ["N1", "N2", "N3", "N4", "N5"], "phone": ["138 0000", None, "", "139", None],
                          "note": [None, "加急", None, "=1+1", None]}, dtype="str")
    channel = pd.Series(["抖店", "抖店", None, "抖店", None], dtype="str")
    with Journal(tmp_path / "j.db") as journal:
        run = journal.start_run("sync", NOW)
        base = {oid: (i, AS_CREATED) for i, oid in enumerate(frame["order_id"])}
        journal.record(run, RunRecord(base=base, layout=layout, created=Created(frame, channel)), workbook_sha256="sha")
        stars = journal.db.execute(
            "SELECT order_id, new, source, detail FROM changes WHERE field='*' ORDER BY order_id").fetchall()
        assert stars == [("N1", None, "channel", "抖店"), ("N2", None, "channel", "抖店"), ("N3", None, "tool", None),
                         ("N4", None, "channel", "抖店"), ("N5", None, "tool", None)]
        assert journal.db.execute("SELECT part, low, high FROM creations ORDER BY part").fetchall() == [
            (0, "N1", "N2"), (1, "N3", "N4"), (2, "N5", "N5")]
        assert [(e.field, e.source, json.loads(e.new or "")) for e in journal.history("N4")] == [
            ("*", "channel", {"order_id": "N4", "phone": "139", "note": "=1+1"})]
        assert len(decoded) == 1  # N4's block only
        decoded.clear()
        assert journal.base_values(["N2", "N3"]) == {"N2": {"order_id": "N2", "phone": None, "note": "加急"},
                                                     "N3": {"order_id": "N3", "phone": "", "note": None}}
        assert len(decoded) == 2  # N2's block and N3's; not N5's
        values, known = journal.base_frame(["N5", "N1", "gone"], ["phone", "note"])
        assert values.astype(object).where(values.notna(), None).to_numpy().tolist() == [
            [None, None], ["138 0000", None], [None, None]]
        assert known.to_numpy().tolist() == [[True, True], [True, True], [False, False]]
        journal.recover(lambda: "other")  # the run's workbook never landed
        assert journal.db.execute("SELECT count(*) FROM creations").fetchone()[0] == 0
        assert journal.base_hashes().empty and journal.history("N4") == []


def test_a_sync_records_its_new_rows_in_blocks(tmp_path: Path) -> None:
    """End to end through `record`'s staged path: the journal file holds no JSON object per new order."""
    frame = pd.DataFrame({"order_id": [f"SS-{i:05d}" for i in range(3000)], "city": ["杭州"] * 3000}, dtype="str")
    with Journal(tmp_path / "j.db") as journal:
        run = journal.start_run("import", NOW)
        staged = journal.stage(run, changes=RunRecord(created=Created(frame, pd.Series(["legacy"] * 3000, dtype="str"))))
        staged.add(RunRecord(base={oid: (1, AS_CREATED) for oid in frame["order_id"]}, layout=["order_id", "city"]))
        staged.commit("sha")
        journal.confirm(run)
        assert journal.db.execute("SELECT count(*), count(new) FROM changes WHERE field='*'").fetchone() == (3000, 0)
        assert journal.base_values(["SS-02999"]) == {"SS-02999": {"order_id": "SS-02999", "city": "杭州"}}


def test_a_rolled_back_run_puts_the_tickets_memory_back(tmp_path: Path) -> None:
    """The after-sales sheet's memory follows the crash protocol: a pending run whose workbook never landed leaves the
    tickets, their shop keys and their changes as they were before it."""
    from sheetsync.journal.record import TicketRecord

    with Journal(tmp_path / "j.db") as journal:
        first = journal.start_run("sync", NOW)
        journal.record(first, RunRecord(tickets=TicketRecord(
            changes=[CellChange("AS1", "status", None, "待审核", "tool")], rows={"AS1": ('{"status": "待审核"}', None)},
            keys=[("dy", "7001", "AS1")])), workbook_sha256=None)
        journal.finish_run(first, 0, {}, NOW)
        second = journal.start_run("sync", NOW)
        journal.record(second, RunRecord(tickets=TicketRecord(
            changes=[CellChange("AS1", "status", "待审核", "已退款", "channel"),
                     CellChange("AS2", "ticket_id", None, "AS2", "tool")],
            rows={"AS1": ('{"status": "已退款"}', '{"status": "已退款"}'), "AS2": ('{"status": "待审核"}', None)},
            keys=[("dy", "7002", "AS2")])), workbook_sha256="new-sha")
        memory = journal.ticket_memory()
        assert memory.rows["AS1"] == {"status": "已退款"} and "AS2" in memory.rows and ("dy", "7002") in memory.keys
        journal.recover(lambda: "old-sha")  # the workbook on disk is not the one the run wrote
        memory = journal.ticket_memory()
        assert dict(memory.rows) == {"AS1": {"status": "待审核"}} and dict(memory.said) == {}
        assert dict(memory.keys) == {("dy", "7001"): "AS1"}
        assert [(e.field, e.new) for e in journal.history("AS1")] == [("status", "待审核")] and journal.history("AS2") == []


def test_a_ticket_a_person_deleted_is_forgotten_but_its_shop_key_kept(tmp_path: Path) -> None:
    from sheetsync.journal.record import TicketRecord

    with Journal(tmp_path / "j.db") as journal:
        run = journal.start_run("sync", NOW)
        journal.record(run, RunRecord(tickets=TicketRecord(rows={"AS1": ('{"status": "待审核"}', None)},
                                                           keys=[("dy", "7001", "AS1")])), workbook_sha256=None)
        later = journal.start_run("sync", NOW)
        journal.record(later, RunRecord(tickets=TicketRecord(gone=["AS1"])), workbook_sha256=None)
        memory = journal.ticket_memory()
        assert dict(memory.rows) == {} and dict(memory.keys) == {("dy", "7001"): "AS1"}
