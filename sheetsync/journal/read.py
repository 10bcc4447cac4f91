"""The journal opened for reading only, by the reports: never written, never migrated on disk.

A journal at the current schema is read in place (SQLite's read-only mode); an older one is
copied into memory and migrated there (`Journal(readonly=True)`), so a report never changes it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sheetsync.errors import UnreadableInput
from sheetsync.i18n import Lang, t
from sheetsync.journal.schema import SCHEMA_VERSION
from sheetsync.journal.sqlite import Journal


@contextmanager
def read_journal(path: Path, lang: Lang) -> Iterator[sqlite3.Connection]:
    """A read-only connection to the journal at `path` (which must exist)."""
    try:
        db = sqlite3.connect(f"file:{path.resolve().as_posix()}?mode=ro", uri=True)
        version = db.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise UnreadableInput(t("journal.unreadable", lang, path=path, problem=exc)) from None
    if version == SCHEMA_VERSION:
        try:
            yield db
        finally:
            db.close()
        return
    db.close()
    with Journal(path, lang, readonly=True) as journal:
        yield journal.db
