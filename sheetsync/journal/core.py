"""The journal: the audit trail and the merge's memory, in a SQLite file beside the configuration (the embedded
default, `journal/sqlite.py`) or a PostgreSQL schema (`journal/postgres.py`), through one connection door
(`journal/db.py`).

It records every run, every cell change (old -> new, with its source), the base value
of every tool-managed cell (what sheetsync last wrote or saw, for the next three-way
merge), processed input files by sha256, channel cursors and the order-id sequence.

Writing the workbook and committing the journal cannot be one transaction, so a run is
committed as *pending* with the sha256 of the workbook it is about to put in place,
then the workbook is renamed into place, then the run is marked done.  A run found
pending at the next start is completed if the workbook on disk is the one it wrote,
and rolled back (base values restored, changes dropped) if not: the journal always
agrees with the workbook, whenever the process was killed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from itertools import chain
from pathlib import Path
from typing import Any, Final

import pandas as pd
import pyarrow as pa

from sheetsync.errors import UnreadableInput
from sheetsync.i18n import text
from sheetsync.journal import created as journal_created
from sheetsync.journal import sqlite
from sheetsync.journal.base_reads import BaseReads, id_chunks
from sheetsync.journal.db import INT, TEXT, Db
from sheetsync.journal.history import changes_of
from sheetsync.journal.record import EncodedSnapshots, Recovery, RunRecord, TicketRecord
from sheetsync.journal.schema import SCHEMA_VERSION, migrations
from sheetsync.journal.staged import StagedRun
from sheetsync.journal.workflow import DbWorkflowJournal
from sheetsync.model.records import Flag, HistoryEntry, TicketMemory
from sheetsync.runtime.memory import LARGE_RUN
from sheetsync.runtime.textsql import row_hashes


class Journal(BaseReads):
    """One desk's journal, in a SQLite file or a PostgreSQL schema (`open_journal`); use as a context manager."""

    def __init__(self, target: Path | Db, *, readonly: bool = False) -> None:
        """`target`: the SQLite file, or a connection made by `open_journal`.  `readonly` (dry runs) never writes
        the journal: SQLite's is read into memory (an empty one when there is none yet), PostgreSQL's runs inside
        a transaction that is rolled back at the end."""
        self.readonly = readonly
        self._peeked: dict[str, int] = {}
        self._layouts: dict[int, list[str]] = {}
        self.db: Db = sqlite.connect(target, readonly=readonly) if isinstance(target, Path) else target
        self.path = target if isinstance(target, Path) else Path(self.db.where)
        try:
            self._migrate()
        except BaseException:
            self.db.close()
            raise

    @property
    def where(self) -> str:
        """The journal as messages name it: its file, or its database and desk."""
        return self.db.where

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def write_through(self) -> bool:
        """Write one large run (an import) straight into SQLite's file (`SqliteDb.write_through`)."""
        return not self.readonly and self.db.write_through()

    def back_to_wal(self) -> None:
        self.db.back_to_wal()

    def transaction(self) -> AbstractContextManager[Db]:
        return self.db.transaction()

    def _migrate(self) -> None:
        db = self.db
        version = db.version()
        if version > SCHEMA_VERSION:
            raise UnreadableInput(
                text("journal.newer", path=db.where, found=version, known=SCHEMA_VERSION),
                text("journal.newer.hint"),
            )
        if version == SCHEMA_VERSION:
            return
        with db.transaction():  # one commit (one fsync) for all the versions a journal lacks
            db.migration_lock()  # another process may have migrated it meanwhile: then there is less to do
            version = db.version()
            for target, script in migrations(db.kind, version):
                db.script(script)
                if target == 4:
                    self._rehash(db)
                db.set_version(target)

    def _rehash(self, db: Db) -> None:
        """Recompute every base row's hash from its snapshot (version 4 changed the hash function),
        so the first run of a new sheetsync does not take every row for a person's edit."""
        layouts: dict[int | None, list[str]] = {}
        for oid, layout in db.execute("SELECT order_id, layout FROM base").fetchall():
            layouts.setdefault(layout, []).append(oid)
        for layout, members in layouts.items():
            fields = (json.loads(db.execute("SELECT fields FROM layouts WHERE id=?", (layout,)).fetchone()[0])
                      if layout is not None else sorted({k for (v,) in db.execute(
                          "SELECT vals FROM base WHERE layout IS NULL") for k in json.loads(v)}))
            values, _ = self.base_frame(members, fields)
            db.executemany("UPDATE base SET row_hash=? WHERE order_id=?",
                           zip(row_hashes(values).tolist(), members, strict=True))

    # runs ---------------------------------------------------------------

    def start_run(self, command: str, now: dt.datetime) -> int:
        return self.db.insert_id("INSERT INTO runs(command, started_at, state) VALUES (?, ?, 'running')",
                                 (command, now.isoformat()))

    def finish_run(self, run_id: int, exit_code: int, counts: Mapping[str, object], now: dt.datetime) -> None:
        self.db.execute(
            "UPDATE runs SET ended_at=?, state=CASE state WHEN 'pending' THEN 'done' WHEN 'running' THEN 'done'"
            " ELSE state END, exit_code=?, counts=? WHERE id=?",
            (now.isoformat(), exit_code, json.dumps(counts, ensure_ascii=False, default=str), run_id),
        )

    def recover(self, workbook_sha256: Callable[[], str | None]) -> list[Recovery]:
        """Complete or roll back runs left pending by a process that died while writing;
        `workbook_sha256` gives the digest of the workbook on disk (called only if needed)."""
        done: list[Recovery] = []
        pending = self.db.execute("SELECT id, workbook_sha256 FROM runs WHERE state='pending' ORDER BY id").fetchall()
        current = workbook_sha256() if pending else None
        for run_id, sha in pending:
            kept = sha is not None and sha == current
            with self.transaction() as db:
                if kept:
                    db.execute("UPDATE runs SET state='done' WHERE id=?", (run_id,))
                else:
                    # the orders the run created had no base row before it (the few that had one are in base_undo)
                    db.execute("DELETE FROM base WHERE order_id IN"
                               " (SELECT order_id FROM changes WHERE run_id=? AND field='*')", (run_id,))
                    self._undo_base(db, run_id)
                    for name, value in db.execute(
                        "SELECT name, value FROM sequence_undo WHERE run_id=?", (run_id,)
                    ).fetchall():
                        if value is None:
                            db.execute("DELETE FROM sequences WHERE name=?", (name,))
                        else:
                            db.execute("UPDATE sequences SET value=? WHERE name=?", (value, name))
                    self._undo_small_tables(db, run_id)
                    db.execute("UPDATE runs SET state='rolled_back' WHERE id=?", (run_id,))
                self.drop_undo(db, run_id)
            done.append(Recovery(run_id, kept))
        with self.transaction() as db:  # a run that died before it finished: its unlock is none (history hides it)
            db.execute("DELETE FROM unlocks WHERE run_id IN (SELECT id FROM runs WHERE state='running')")
            db.execute("UPDATE runs SET state='rolled_back' WHERE state='running'")
        return done

    @staticmethod
    def _undo_small_tables(db: Db, run_id: int) -> None:
        # what the run's channels said is forgotten, not put back: their next records are merged again (never skipped)
        db.execute("UPDATE natural_keys SET said = NULL, said_run = NULL WHERE said_run=?", (run_id,))
        for table in ("changes", "creations", "deleted", "natural_keys", "flags", "files", "kept", "run_meta",
                      "ticket_changes", "ticket_keys", "cursors"):
            db.execute(f"DELETE FROM {table} WHERE run_id=?", (run_id,))
        for ticket_id, vals, said in db.execute("SELECT ticket_id, vals, said FROM tickets_undo WHERE run_id=?"
                                                " ORDER BY rowid DESC", (run_id,)).fetchall():
            db.execute("DELETE FROM tickets WHERE ticket_id=?", (ticket_id,))
            if vals is not None:
                db.execute("INSERT INTO tickets(ticket_id, vals, said) VALUES (?, ?, ?)", (ticket_id, vals, said))
        db.execute("UPDATE flags SET state='open', closed_run=NULL WHERE closed_run=?", (run_id,))
        db.execute("UPDATE unlocks SET used_run=NULL WHERE used_run=?", (run_id,))
        db.execute("DELETE FROM unlocks WHERE run_id=?", (run_id,))
        db.execute("DELETE FROM alerts_sent WHERE run_id=?", (run_id,))
        undo = db.execute("SELECT order_id, field, value, existed FROM merge_base_undo WHERE run_id=? ORDER BY rowid DESC",
                          (run_id,)).fetchall()
        for order_id, name, value, existed in undo:
            db.execute("DELETE FROM merge_base WHERE order_id=? AND field=?", (order_id, name))
            if existed:
                db.execute("INSERT INTO merge_base(order_id, field, value, run_id) VALUES (?, ?, ?, 0)",
                           (order_id, name, value))

    @staticmethod
    def _undo_base(db: Db, run_id: int) -> None:
        rows = db.execute(
            "SELECT order_id, row_hash, vals, layout FROM base_undo WHERE run_id=? ORDER BY rowid DESC", (run_id,)
        ).fetchall()
        for order_id, row_hash, vals, layout in rows:
            if vals is None:
                db.execute("DELETE FROM base WHERE order_id=?", (order_id,))
            else:
                db.execute(f"INSERT INTO base(order_id, row_hash, vals, layout) VALUES (?, ?, ?, ?) {_BASE_UPSERT}",
                           (order_id, row_hash, vals, layout))

    def record(self, run_id: int, rec: RunRecord, *, workbook_sha256: str | None) -> None:
        """Commit a run as one transaction.

        With `workbook_sha256` the run is left *pending* until `confirm`, and what it
        overwrote is kept so that `recover` can roll it back.
        """
        with self.transaction() as db:
            self.insert(db, run_id, rec, pending=workbook_sha256 is not None)
            self.mark(db, run_id, workbook_sha256)

    def stage(self, run_id: int, rec: RunRecord | None = None, *, changes: RunRecord | None = None,
              rows: int = 0) -> StagedRun:
        """Begin the transaction of a run that is about to write the workbook, and insert its records
        on a background thread while the workbook is written; `StagedRun.commit` finishes it.

        `changes` (only its changes are taken) starts the thread before the rest of the record is
        ready, which `StagedRun.add` hands over; `rows` (the table's) sizes SQLite's page cache."""
        if rows >= LARGE_RUN:
            self.write_through()
        return StagedRun(self, run_id, rec, changes, rows)

    @staticmethod
    def mark(db: Db, run_id: int, workbook_sha256: str | None) -> None:
        db.execute("UPDATE runs SET state=?, workbook_sha256=? WHERE id=?",
                   ("pending" if workbook_sha256 is not None else "running", workbook_sha256, run_id))

    def insert(self, db: Db, run_id: int, rec: RunRecord, *, pending: bool) -> None:
        """Everything of a run but its state, inside the caller's transaction; `pending` keeps undo data."""
        db.fit_cache(len(rec.base))
        self.insert_changes(db, run_id, rec)
        if pending:
            if isinstance(rec.base, EncodedSnapshots):
                self._save_undo(db, run_id, chain(rec.base.existing(), rec.deleted))
                # a created order had no base row before the run (a rollback deletes its new one, `recover`),
                # unless a person gave a new row an id the journal knew: only that base row is kept
                db.bulk_encoded("INSERT INTO base_undo(run_id, order_id, row_hash, vals, layout)"
                                " SELECT ?, b.order_id, b.row_hash, b.vals, b.layout FROM {rows} j"
                                " JOIN base b ON b.order_id = j.id", _ID, rec.base.created(), run_id)
            else:
                self._save_undo(db, run_id, chain(rec.base, rec.deleted))
            db.executemany(
                "INSERT INTO sequence_undo(run_id, name, value) SELECT ?, ?, (SELECT value FROM sequences WHERE name=?)",
                ((run_id, name, name) for name in self._peeked),
            )
            db.bulk("INSERT INTO merge_base_undo(run_id, order_id, field, value, existed)"
                    " SELECT ?, m.o, m.f, b.value, CASE WHEN b.order_id IS NULL THEN 0 ELSE 1 END"
                    " FROM {rows} m LEFT JOIN merge_base b ON b.order_id = m.o AND b.field = m.f",
                    [("o", TEXT), ("f", TEXT)], rec.merge_base, run_id)
        db.executemany("INSERT INTO sequences(name, value) VALUES (?, ?)"
                       " ON CONFLICT (name) DO UPDATE SET value = excluded.value", self._peeked.items())
        if rec.base:
            layout = self._layout_id(db, rec.layout)
            statement = ("INSERT INTO base(order_id, row_hash, vals, layout) SELECT r.order_id, r.row_hash, r.vals, ?"
                         f" FROM {{rows}} r WHERE true {_BASE_UPSERT}")
            if isinstance(rec.base, EncodedSnapshots):
                db.bulk_encoded(statement, _BASE_ROWS, rec.base.encoded(), layout)
            else:
                db.bulk(statement, _BASE_ROWS, ((oid, h, v) for oid, (h, v) in rec.base.items()), layout)
        for order_id, vals in rec.deleted.items():
            db.execute("DELETE FROM base WHERE order_id=?", (order_id,))
            db.execute("INSERT INTO deleted(order_id, run_id, vals) VALUES (?, ?, ?) ON CONFLICT (order_id) DO UPDATE"
                       " SET run_id = excluded.run_id, vals = excluded.vals",
                       (order_id, run_id, json.dumps(vals, ensure_ascii=False)))
        # a key known before keeps its order and its run; what its channel said now replaces what it said before
        keys = ("INSERT INTO natural_keys(channel, channel_order_id, order_id, run_id, said, said_run)"
                " SELECT r.channel, r.key, r.order_id, ?, r.said, ? FROM {rows} r WHERE true"
                " ON CONFLICT (channel, channel_order_id) DO UPDATE SET said = excluded.said, said_run = excluded.said_run")
        db.bulk(keys, _SAID_KEY_ROWS, rec.natural_keys, run_id, run_id)
        db.bulk_encoded(keys, _SAID_KEY_ROWS, rec.encoded_natural_keys, run_id, run_id)
        db.bulk("INSERT INTO merge_base(order_id, field, value, run_id) SELECT r.o, r.f, r.v, ? FROM {rows} r WHERE true"
                " ON CONFLICT (order_id, field) DO UPDATE SET value = excluded.value, run_id = excluded.run_id",
                [("o", TEXT), ("f", TEXT), ("v", TEXT)], ((o, f, v) for (o, f), v in rec.merge_base.items()), run_id)
        db.executemany(
            "INSERT INTO flags(order_id, code, field, sheet_value, other_value, run_id) VALUES (?, ?, ?, ?, ?, ?)",
            ((f.order_id, f.code, f.field, f.sheet_value, f.other_value, run_id) for f in rec.new_flags),
        )
        db.executemany("UPDATE flags SET state=?, closed_run=? WHERE id=?",
                       ((state, run_id, flag_id) for flag_id, state in rec.closed_flags.items()))
        db.executemany("UPDATE unlocks SET used_run=? WHERE order_id=? AND used_run IS NULL",
                       ((run_id, order_id) for order_id in rec.unlocks_used))
        db.executemany("INSERT INTO files(sha256, path, channel, run_id, rows) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                       ((sha, path, channel, run_id, rows) for sha, path, channel, rows in rec.files))
        db.executemany("INSERT INTO cursors(channel, cursor, run_id) VALUES (?, ?, ?)",
                       ((channel, cursor, run_id) for channel, cursor in rec.cursors.items()))
        db.executemany("INSERT INTO kept(order_id, field, value, run_id) VALUES (?, ?, ?, ?)",
                       ((oid, name, value, run_id) for oid, name, value in rec.kept))
        for key, value in (("columns", rec.columns), ("levels", rec.levels)):
            if value is not None:
                db.execute("INSERT INTO run_meta(run_id, key, value) VALUES (?, ?, ?) ON CONFLICT (run_id, key) DO UPDATE"
                           " SET value = excluded.value", (run_id, key, json.dumps(value)))
        if rec.tickets is not None:
            self._insert_tickets(db, run_id, rec.tickets, pending=pending)

    @staticmethod
    def _insert_tickets(db: Db, run_id: int, rec: TicketRecord, *, pending: bool) -> None:
        """The after-sales sheet's part of a run, inside the caller's transaction (a few thousand rows at most)."""
        db.append("ticket_changes", _TICKET_CHANGE_COLUMNS, ((c.order_id, c.field, c.old, c.new, c.source, c.detail)
                                                      for c in rec.changes), (run_id,))
        touched = [*rec.rows, *rec.gone]
        if pending:
            db.bulk("INSERT INTO tickets_undo(run_id, ticket_id, vals, said) SELECT ?, j.id, t.vals, t.said FROM {rows} j"
                    " LEFT JOIN tickets t ON t.ticket_id = j.id", _ID, touched, run_id)
        db.bulk("INSERT INTO tickets(ticket_id, vals, said) SELECT r.id, r.vals, r.said FROM {rows} r WHERE true"
                " ON CONFLICT (ticket_id) DO UPDATE SET vals = excluded.vals, said = excluded.said",
                [("id", TEXT), ("vals", TEXT), ("said", TEXT)],
                ((tid, vals, said) for tid, (vals, said) in rec.rows.items()))
        db.executemany("DELETE FROM tickets WHERE ticket_id=?", ((tid,) for tid in rec.gone))
        db.bulk("INSERT INTO ticket_keys(channel, channel_ticket_id, ticket_id, run_id) SELECT r.channel, r.key, r.order_id, ?"
                " FROM {rows} r WHERE true ON CONFLICT DO NOTHING", _KEY_ROWS, rec.keys, run_id)

    @staticmethod
    def insert_changes(db: Db, run_id: int, rec: RunRecord) -> None:
        """The changes of a run (and nothing else of `rec`), inside the caller's transaction."""
        db.append("changes", _CHANGE_COLUMNS, ((c.order_id, c.field, c.old, c.new, c.source, c.detail)
                                               for c in rec.changes), (run_id,))
        db.append_encoded("changes", _CHANGE_COLUMNS, rec.encoded_changes, (run_id,))
        if rec.created is not None and len(rec.created):
            journal_created.insert(db, run_id, rec.created)

    @staticmethod
    def _layout_id(db: Db, fields: list[str]) -> int:
        text = json.dumps(fields)
        found = db.execute("SELECT id FROM layouts WHERE fields=?", (text,)).fetchone()
        return int(found[0]) if found else db.insert_id("INSERT INTO layouts(fields) VALUES (?)", (text,))

    @staticmethod
    def _save_undo(db: Db, run_id: int, order_ids: Iterable[str]) -> None:
        """Each order's base row before the run (NULL: it had none), to put back if the run's workbook
        never lands.  `order_ids` name each order once (a run's snapshots and its deleted orders are
        never the same orders), so they join the base table straight from the JSON batch."""
        db.bulk("INSERT INTO base_undo(run_id, order_id, row_hash, vals, layout)"
                " SELECT ?, j.id, b.row_hash, b.vals, b.layout FROM {rows} j LEFT JOIN base b ON b.order_id = j.id",
                _ID, order_ids, run_id)

    def confirm(self, run_id: int) -> None:
        """The workbook is in place: the pending run no longer needs its undo data."""
        with self.transaction() as db:
            self.drop_undo(db, run_id)
            db.execute("UPDATE runs SET state='done' WHERE id=? AND state='pending'", (run_id,))
        self.back_to_wal()

    @staticmethod
    def drop_undo(db: Db, run_id: int) -> None:
        for table in ("base_undo", "sequence_undo", "merge_base_undo", "tickets_undo"):
            db.execute(f"DELETE FROM {table} WHERE run_id=?", (run_id,))

    # base values -------------------------------------------------------
    def natural_keys(self, channel: str) -> dict[str, str]:
        """channel_order_id -> order_id for one channel (by its name in sheetsync.yaml)."""
        return dict(self.db.execute("SELECT channel_order_id, order_id FROM natural_keys WHERE channel=?", (channel,)))

    def said_keys(self, channel: str, keys: Sequence[str] | None = None) -> pd.DataFrame:
        """`said_keys` of this journal."""
        return said_keys(self.db, channel, keys)

    def last_run(self, *, other_than: str | None = None) -> tuple[int, str] | None:
        """`last_run` of this journal."""
        return last_run(self.db, other_than=other_than)

    def has_any_run(self) -> bool:
        """Whether any run was ever started here (rolled back ones too): a history a copy must not mix with another."""
        return self.db.execute("SELECT 1 FROM runs LIMIT 1").fetchone() is not None

    def has_runs(self) -> bool:
        """Whether any run was recorded (done or pending)."""
        return self.db.execute("SELECT 1 FROM runs WHERE state IN ('done', 'pending') LIMIT 1").fetchone() is not None

    def last_columns(self) -> list[str] | None:
        """The fields the sheet had columns for at the last run that said (None: no run did)."""
        found: list[str] | None = self._last_meta("columns")
        return found

    def last_levels(self) -> dict[str, str] | None:
        """Each anomaly code's level at the last run that said (None: no run did)."""
        found: dict[str, str] | None = self._last_meta("levels")
        return found

    def _last_meta(self, key: str) -> Any:
        row = self.db.execute("SELECT m.value FROM run_meta m JOIN runs r ON r.id = m.run_id WHERE m.key = ?"
                              " AND r.state IN ('done', 'pending') ORDER BY m.run_id DESC LIMIT 1", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def kept_values(self, name: str, order_ids: Sequence[str] | None = None) -> dict[str, str]:
        """order_id -> the last value a channel brought for `name` while the sheet had no column for it: what a
        later run kept (`kept`), else what the order was created with; of `order_ids`, or of every order."""
        later: Iterable[tuple[str, str | None]]
        if order_ids is None:
            made = journal_created.every_creation(self.db, [name], "JOIN runs r ON r.id = c.run_id AND r.state IN"
                                                                   " ('done', 'pending')")
            out = {str(o): str(v) for o, v in zip(made["order_id"], made[name], strict=True) if isinstance(v, str)}
            later = self.db.execute("SELECT order_id, value FROM kept k JOIN runs r ON r.id = k.run_id"
                                    " WHERE k.field=? AND r.state IN ('done', 'pending') ORDER BY k.rowid", (name,))
        else:
            out = self.created_values(order_ids, name)
            later = self._where_in(f"SELECT order_id, value FROM kept WHERE field={_quoted(name)} AND order_id IN ({{}})",
                                   order_ids, order=" ORDER BY rowid")
        out.update((str(oid), str(value)) for oid, value in later if value is not None)
        return out

    def merge_bases(self) -> dict[tuple[str, str], str | None]:
        """Every (order_id, field) -> what the channel last said, where that differs from the sheet's snapshot
        (few: an entry is forgotten once the sheet agrees with the channel again)."""
        return {(order_id, name): value for order_id, name, value in
                self.db.execute("SELECT order_id, field, value FROM merge_base")}

    def open_flags(self) -> list[Flag]:
        rows = self.db.execute(
            "SELECT order_id, code, field, sheet_value, other_value, id FROM flags WHERE state='open' ORDER BY id"
        ).fetchall()
        return [Flag(*row) for row in rows]

    def seen_file(self, sha256: str) -> str | None:
        """The path under which a file with this content was already imported, if it was."""
        row = self.db.execute("SELECT path FROM files WHERE sha256=?", (sha256,)).fetchone()
        return row[0] if row else None

    def open_waybills(self) -> list[dict[str, str | None]]:
        """The orders' tracking numbers still on their way (`BaseReads.open_waybills`), then the after-sales tickets'
        return tracking numbers, under their ticket's order (a carrier's news of a return moves its ticket, and is
        taken out of the carriers' pulls before the orders see it)."""
        out = super().open_waybills()
        for (vals,) in self.db.execute("SELECT vals FROM tickets"):
            ticket = json.loads(vals)
            number, order = ticket.get("return_tracking_no"), ticket.get("order_id")
            if isinstance(number, str) and number.strip() and order:  # the ticket's order: how a waybill is matched
                out.append({"order_id": order, "tracking_no": number, "carrier": None, "phone": None,
                            "status": ticket.get("status"), "delivered_at": None})
        return out

    def cursor(self, channel: str) -> str | None:
        """Where the API channel has read up to (the JSON its kind wrote), None before its first run."""
        found = self.db.execute("SELECT cursor FROM cursors WHERE channel=? ORDER BY run_id DESC, rowid DESC LIMIT 1",
                                (channel,)).fetchone()
        return str(found[0]) if found else None

    def seen_files(self) -> dict[str, str]:
        """sha256 -> the path under which that content was imported, for every file ever imported."""
        return dict(self.db.execute("SELECT sha256, path FROM files").fetchall())

    def ticket_memory(self) -> TicketMemory:
        """What the journal keeps of the after-sales sheet's tickets (a few thousand rows: read whole)."""
        rows, said = {}, {}
        for ticket_id, vals, last in self.db.execute("SELECT ticket_id, vals, said FROM tickets"):
            rows[ticket_id] = json.loads(vals)
            if last:
                said[ticket_id] = json.loads(last)
        keys = {(c, k): tid for c, k, tid in self.db.execute("SELECT channel, channel_ticket_id, ticket_id FROM ticket_keys")}
        return TicketMemory(rows, said, keys)

    def deleted_ids(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT order_id FROM deleted")}

    # sequences and history --------------------------------------------

    @property
    def workflow(self) -> DbWorkflowJournal:
        """The workflow's tables: unlocks and the alerts already sent."""
        return DbWorkflowJournal(self.db)

    def last_number(self, name: str) -> int:
        """The last number sequence `name` gave (0: none yet), reserving nothing."""
        if name in self._peeked:
            return self._peeked[name]
        row = self.db.execute("SELECT value FROM sequences WHERE name=?", (name,)).fetchone()
        return int(row[0]) if row else 0

    def next_sequence(self, name: str, count: int) -> int:
        """Reserve `count` numbers of sequence `name`; returns the first.

        The reservation is committed with the run's changes (`record`): a run that dies
        before its workbook is in place gives its numbers back, since no sheet ever showed
        them; a number that reached a workbook is never given again.
        """
        if name not in self._peeked:
            row = self.db.execute("SELECT value FROM sequences WHERE name=?", (name,)).fetchone()
            self._peeked[name] = row[0] if row else 0
        first = self._peeked[name] + 1
        self._peeked[name] = first + count - 1
        return first

    def history(self, order_id: str) -> list[HistoryEntry]:
        """Every change of an order, or of a ticket (`order_id` is then its ticket_id), in the order made."""
        return changes_of(self.db, order_id)


WHOLE_KEYS: Final = 50_000
"""Asking of more orders than this, `said_keys` is asked for every natural key of the channel (one scan), else for
those orders only."""


def said_keys(db: Db, channel: str, keys: Sequence[str] | None = None) -> pd.DataFrame:
    """The natural keys of one channel with what it last said of each order (`natural_keys.said`, the hash of the
    record it brought; `steps/said.py`): of `keys` only when given (a pull of a few orders reads those, not the
    million a desk may know), else all of them.  Index: channel_order_id; columns `order_id` and `said` (Int64, NA
    where not known).  A function of the connection: an import asks it before its run opens the journal."""
    columns = [("channel_order_id", TEXT), ("order_id", TEXT), ("said", INT)]
    query = "SELECT channel_order_id, order_id, said FROM natural_keys WHERE channel=?"
    if keys is None:
        table = db.arrow(query, (channel,), columns)
    else:
        table = pa.concat_tables([db.arrow(query + f" AND channel_order_id IN ({','.join('?' * len(chunk))})",
                                           (channel, *chunk), columns)
                                  for chunk in id_chunks(list(dict.fromkeys(keys)))]
                                 or [db.arrow(query + " AND false", (channel,), columns)])
    return pd.DataFrame({"order_id": pd.array(table.column("order_id"), dtype="str"),
                         "said": pd.array(table.column("said"), dtype="Int64")},
                        index=pd.Index(pd.array(table.column("channel_order_id"), dtype="str"), name="channel_order_id"))


def last_run(db: Db, *, other_than: str | None = None) -> tuple[int, str] | None:
    """The journal's last run, as (id, state), of any command but `other_than` (None: no such run yet).  Every run
    takes a new id, so the same last run at two moments means no such run began between them."""
    row = db.execute("SELECT id, state FROM runs WHERE command <> ? ORDER BY id DESC LIMIT 1",
                     (other_than or "",)).fetchone()
    return None if row is None else (int(row[0]), str(row[1]))


_ID: Final = [("id", TEXT)]
_BASE_ROWS: Final = [("order_id", TEXT), ("row_hash", INT), ("vals", TEXT)]
_KEY_ROWS: Final = [("channel", TEXT), ("key", TEXT), ("order_id", TEXT)]
_SAID_KEY_ROWS: Final = [*_KEY_ROWS, ("said", INT)]
_CHANGE_COLUMNS: Final = ("run_id", "order_id", "field", "old", "new", "source", "detail")
_TICKET_CHANGE_COLUMNS: Final = ("run_id", "ticket_id", "field", "old", "new", "source", "detail")
_BASE_UPSERT: Final = ("ON CONFLICT (order_id) DO UPDATE SET row_hash = excluded.row_hash, vals = excluded.vals,"
                       " layout = excluded.layout")


def _quoted(text: str) -> str:
    """`text` as an SQL string literal (a field name: no parameter can stand where `_where_in` puts its list)."""
    return "'" + text.replace("'", "''") + "'"
