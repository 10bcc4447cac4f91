"""Opening a desk's journal where its configuration keeps it: the SQLite file, or the desk's schema in PostgreSQL.

`locked_journal` is how a command that writes opens it: under the desk's run lock (the file lock beside a SQLite
journal; the advisory lock of a PostgreSQL one, which holds across hosts), then migrated.  PostgreSQL's driver is
imported only by a desk that uses it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sheetsync.config import Config
from sheetsync.journal.core import Journal
from sheetsync.journal.db import HeldLock
from sheetsync.runtime.locks import RunLock


def open_journal(config: Config, *, readonly: bool = False) -> Journal:
    """The desk's journal (a SQLite one is made when missing, unless `readonly`); a journal in PostgreSQL that holds
    another table's desk is refused (ConfigError)."""
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
