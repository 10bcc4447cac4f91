"""The journal opened for reading only, by the reports: never written, never migrated on disk.

A SQLite journal at the current schema is read in place (SQLite's read-only mode); an older one is
copied into memory and migrated there (`Journal(readonly=True)`), so a report never changes it;
a desk without a journal yet reads as an empty one.  A journal in PostgreSQL is read inside a
transaction that is rolled back.  The reports ask `JournalView` for what they
need; none of them holds a connection or writes SQL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from sheetsync.config import Config, postgres_target
from sheetsync.errors import UnreadableInput
from sheetsync.i18n import Lang, text
from sheetsync.journal.core import Journal
from sheetsync.journal.db import Db
from sheetsync.journal.kpi_history import History, load_history, times
from sheetsync.journal.open import open_journal
from sheetsync.journal.schema import SCHEMA_VERSION
from sheetsync.journal.sqlite import SqliteDb


class JournalView:
    """What the reports read from the journal."""

    def __init__(self, db: Db) -> None:
        self._db = db

    def natural_keys(self, channel: str) -> dict[str, str]:
        """channel_order_id -> order_id for one channel (by its name in sheetsync.yaml)."""
        return dict(self._db.execute("SELECT channel_order_id, order_id FROM natural_keys WHERE channel=?", (channel,)))

    def run_pending(self) -> bool:
        """Whether a run wrote its workbook but was not confirmed (the next run settles it)."""
        return self._db.execute("SELECT 1 FROM runs WHERE state = 'pending' LIMIT 1").fetchone() is not None

    def ticket_moves(self) -> pd.DataFrame:
        """The after-sales tickets' changes a report needs, in the order made: each ticket's first change and every
        status change (ticket_id, at: the run's time, field, new)."""
        frame = self._db.frame(
            "SELECT c.ticket_id, r.started_at AS at, c.field, c.new FROM ticket_changes c JOIN runs r ON r.id = c.run_id"
            " WHERE r.state IN ('done', 'pending') AND (c.field = 'status' OR c.id IN"
            " (SELECT MIN(id) FROM ticket_changes GROUP BY ticket_id)) ORDER BY c.id")
        frame["at"] = times(frame["at"].str.replace("T", " ", regex=False))  # the run's clock, as it was given
        return frame

    def kpi_history(self, desk: pd.DataFrame | Callable[[], pd.DataFrame]) -> History:
        """Stays in states and anomalies raised and cleared (`journal/kpi_history.py`)."""
        return load_history(self._db, desk)


@contextmanager
def read_journal(config: Config) -> Iterator[JournalView]:
    """The desk's journal for reading; an empty one when the desk has none yet."""
    if config.journal_in_postgres is not None:
        with open_journal(config, readonly=True) as journal:
            yield JournalView(journal.db)
        return
    path = config.journal_path
    if not path.exists():
        with Journal(path, readonly=True) as empty:
            yield JournalView(empty.db)
        return
    with _connection(path) as db:
        yield JournalView(db)


@contextmanager
def _connection(path: Path) -> Iterator[Db]:
    """A read-only connection to the journal at `path` (which must exist)."""
    try:
        db = sqlite3.connect(f"file:{path.resolve().as_posix()}?mode=ro", uri=True)
        version = db.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise UnreadableInput(text("journal.unreadable", path=path, problem=exc)) from None
    if version == SCHEMA_VERSION:
        try:
            yield SqliteDb(db, str(path))
        finally:
            db.close()
        return
    db.close()
    with Journal(path, readonly=True) as journal:
        yield journal.db


def desk_as_left(journal: Journal) -> pd.DataFrame:
    """The desk's orders as its last run left them (the journal's base rows, in the columns the sheet had then)."""
    ids = [str(r[0]) for r in journal.db.execute("SELECT order_id FROM base ORDER BY order_id").fetchall()]
    fields = [f for f in journal.last_columns() or [] if f != "order_id"]
    values, _ = journal.base_frame(ids, fields)
    values.insert(0, "order_id", pd.Series(ids, dtype="str"))
    return values


DeskRead = tuple[str, str, pd.DataFrame, History, pd.DataFrame | None, pd.DataFrame | None]
"""A desk read from its journal alone: its name, its table, its orders as left, their history, its after-sales
tickets as left and their moves (None without after-sales)."""


def journal_desks(url: str, password_env: str | None, lang: Lang) -> Iterator[DeskRead]:
    """Every desk whose journal is in the PostgreSQL database `url`, read from the journal alone, read-only."""
    from sheetsync.journal.postgres import PostgresDb, desks_in  # the driver only for a desk that uses it

    for name, table in desks_in(postgres_target(url, None, password_env, lang)):
        db = PostgresDb(postgres_target(url, name, password_env, lang), readonly=True)
        with Journal(db, readonly=True) as journal:
            desk = desk_as_left(journal)
            view = JournalView(db)
            history = view.kpi_history(desk)
            rows = journal.ticket_memory().rows
            tickets = moves = None
            if rows:
                tickets = pd.DataFrame([{"ticket_id": k, **v} for k, v in rows.items()], dtype="str")
                moves = view.ticket_moves()
            yield name, table, desk, history, tickets, moves
