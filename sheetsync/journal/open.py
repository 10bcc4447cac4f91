"""Opening a desk's journal where its configuration keeps it: the SQLite file, or the desk's schema in PostgreSQL.

`current_db` is the light way in (the connection alone, at this version: no pandas or pipeline loaded), for the
console's quick paths.  `locked_journal` is how a command that writes opens it: under the desk's run lock (the file
lock beside a SQLite journal; the advisory lock of a PostgreSQL one, which holds across hosts), then migrated.
PostgreSQL's driver is imported only by a desk that uses it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sheetsync.config import Config
from sheetsync.errors import SheetsyncError
from sheetsync.journal.db import Db, HeldLock
from sheetsync.journal.schema import SCHEMA_VERSION
from sheetsync.journal.sqlite import connect as sqlite_connect
from sheetsync.runtime.locks import RunLock

if TYPE_CHECKING:
    from sheetsync.journal.core import Journal


def open_journal(config: Config, *, readonly: bool = False) -> Journal:
    """The desk's journal (a SQLite one is made when missing, unless `readonly`); a journal in PostgreSQL that holds
    another table's desk is refused (ConfigError)."""
    from sheetsync.journal.core import Journal

    target = config.journal_in_postgres
    if target is None:
        return Journal(config.journal_path, readonly=readonly)
    from sheetsync.journal.postgres import PostgresDb

    db = PostgresDb(target, readonly=readonly)
    try:
        journal = Journal(db, readonly=readonly)
        db.claim(config.table_identity, config.language)
    except BaseException:
        db.close()
        raise
    return journal


@contextmanager
def locked_journal(config: Config, *, readonly: bool = False) -> Iterator[tuple[Journal, HeldLock]]:
    """The desk's journal under its run lock (a second run, on this host or another, exits 4 naming the holder)."""
    from sheetsync.journal.core import Journal

    target = config.journal_in_postgres
    if target is None:
        with RunLock(config.state_dir, config.language) as lock, Journal(config.journal_path, readonly=readonly) as journal:
            yield journal, lock
        return
    from sheetsync.journal.postgres import PostgresDb

    db = PostgresDb(target, readonly=readonly)
    try:
        with db.lock(config.language) as held:
            journal = Journal(db, readonly=readonly)
            db.claim(config.table_identity, config.language)
            yield journal, held
    finally:
        db.close()


def journal_exists(config: Config) -> bool:
    """Whether the desk may have a journal to read: its SQLite file is there, or it is kept in PostgreSQL."""
    return config.journal_in_postgres is not None or config.journal_path.exists()


@contextmanager
def current_db(config: Config) -> Iterator[Db | None]:
    """The desk's journal connection when it is at this sheetsync's version, without the pipeline's libraries (the
    console's quick paths); None: none, another version, or one that cannot be read (the whole command line opens it
    as a `Journal` and says what is wrong with it)."""
    target = config.journal_in_postgres
    db: Db | None = None
    try:
        if target is not None:
            from sheetsync.journal.postgres import PostgresDb  # the driver only for a desk that uses it

            db = PostgresDb(target)
        elif config.journal_path.is_file():
            db = sqlite_connect(config.journal_path)
        version = db.version() if db is not None else None
    except (sqlite3.DatabaseError, SheetsyncError):
        version = None
    try:
        yield db if version == SCHEMA_VERSION else None
    finally:
        if db is not None:
            db.close()

