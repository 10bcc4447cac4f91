"""`sheetsync journal copy`: a desk's whole journal into another database (SQLite to PostgreSQL, or back), verified.

Every table is copied row for row, ids included (the order of changes is their id), and then counted and
checksummed on both sides: the checksum of a table is the SHA-256 of its rows' own digests, sorted, so that two
databases that order text differently still agree.  Nothing is left half-copied: into PostgreSQL the copy is one
transaction, verified before it commits; into SQLite it is written to a file beside the target, verified, and renamed
into place.  The target must hold no runs yet: a copy never mixes two histories.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

from sheetsync.config import Config, is_postgres_url, postgres_target
from sheetsync.errors import ConfigError, UnreadableInput
from sheetsync.i18n import Lang, t
from sheetsync.journal.core import Journal
from sheetsync.journal.db import Db

TABLES: Final = ("runs", "changes", "layouts", "base", "base_undo", "deleted", "files", "sequences", "sequence_undo",
                 "natural_keys", "merge_base", "flags", "merge_base_undo", "unlocks", "alerts_sent", "creations", "kept",
                 "run_meta", "ticket_changes", "tickets", "ticket_keys", "tickets_undo", "cursors")
"""Every table of the journal at version 12 (`runs` first: the changes refer to it)."""
ROWID_TABLES: Final = frozenset({"base_undo", "merge_base_undo", "kept", "tickets_undo", "cursors"})
"""Tables whose rows keep the order they were made in: SQLite's implicit `rowid`, a column of that name in PostgreSQL."""
_CHUNK: Final = 10_000


@dataclass(frozen=True, slots=True)
class Copied:
    """One table as copied: its rows and its checksum, the same on both sides."""

    table: str
    rows: int
    checksum: str


def copy_journal(source: Journal, target: Journal, lang: Lang) -> list[Copied]:
    """Copy every table of `source` into `target` (migrated, without runs) inside one transaction of `target`'s,
    verified before it commits (UnreadableInput, nothing kept, when a table differs)."""
    if target.has_any_run():
        raise ConfigError(t("journal.copy_not_empty", lang, where=target.where), t("journal.copy_not_empty.hint", lang))
    out = []
    columns_of = {table: _columns(source.db, table) for table in TABLES}
    with target.transaction() as db:
        for table, columns in columns_of.items():
            db.execute(f"DELETE FROM {table}")  # a fresh journal may hold rows its migrations made (none at version 12)
            db.load(table, columns, _rows(source.db, table, columns))
            db.restart_ids(table, columns)
        for table, columns in columns_of.items():
            mine, theirs = _summary(source.db, table, columns), _summary(db, table, columns)
            if mine != theirs:
                raise UnreadableInput(t("journal.copy_differs", lang, table=table, source=source.where,
                                        target=target.where, rows=mine[0], copied=theirs[0]))
            out.append(Copied(table, mine[0], mine[1]))
    return out


def copy_to_file(source: Journal, path: Path, lang: Lang) -> list[Copied]:
    """`copy_journal` into a new SQLite file at `path`: written beside it, verified, fsynced and renamed into place."""
    if path.exists():
        with Journal(path, readonly=True) as existing:
            if existing.has_any_run():
                raise ConfigError(t("journal.copy_not_empty", lang, where=path), t("journal.copy_not_empty.hint", lang))
    partial = path.with_name(f".{path.name}.copying")
    for leftover in (partial, partial.with_name(partial.name + "-wal"), partial.with_name(partial.name + "-shm")):
        leftover.unlink(missing_ok=True)  # what a copy killed before left
    try:
        with Journal(partial) as target:
            copied = copy_journal(source, target, lang)
        with partial.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return copied


def copy_desk(config: Config, source: Journal, to: str, desk: str | None, password_env: str | None) -> dict[str, Any]:
    """The desk's journal `source` (held under its run lock) copied to `to`: a PostgreSQL URL (the desk's schema
    `desk`, under its own run lock there) or a new SQLite file; what was copied and the `journal:` that uses it."""
    lang = config.language
    if is_postgres_url(to):
        from sheetsync.journal.postgres import PostgresDb, shown  # the driver only for a desk that uses it

        target = postgres_target(to, desk, password_env, lang)
        db = PostgresDb(target)
        try:
            with db.lock(lang):
                journal = Journal(db)
                db.claim(config.table_identity, lang)
                copied = copy_journal(source, journal, lang)
        finally:
            db.close()
        where = db.where
        yaml = f"journal:\n  url: {shown(to)}\n  desk: {target.desk}\n" + (
            f"  password_env: {password_env}\n" if password_env else "")
    else:
        path = Path(to).resolve()
        copied = copy_to_file(source, path, lang)
        where, yaml = str(path), f"journal: {path}\n"
    return {"from": source.where, "to": where, "tables": [asdict(c) for c in copied],
            "rows": sum(c.rows for c in copied), "yaml": yaml}


def _columns(db: Db, table: str) -> list[str]:
    names = db.columns(table)
    return ["rowid", *names] if table in ROWID_TABLES and "rowid" not in names else names


def _rows(db: Db, table: str, columns: Sequence[str]) -> Iterator[Sequence[Any]]:
    cursor = db.execute(f"SELECT {', '.join(columns)} FROM {table}")
    while True:
        chunk = cursor.fetchmany(_CHUNK)
        if not chunk:
            return
        yield from chunk


def _summary(db: Db, table: str, columns: Sequence[str]) -> tuple[int, str]:
    """(rows, checksum) of a table: the SHA-256 of its rows' digests, sorted (the order of text is the database's)."""
    digests = sorted(_digest(row) for row in _rows(db, table, columns))
    whole = hashlib.sha256()
    for digest in digests:
        whole.update(digest)
    return len(digests), whole.hexdigest()


def _digest(row: Iterable[Any]) -> bytes:
    h = hashlib.sha256()
    for value in row:
        if value is None:
            h.update(b"n;")
        elif isinstance(value, bool | int):
            h.update(b"i%d;" % int(value))
        elif isinstance(value, bytes | bytearray | memoryview):
            data = bytes(value)
            h.update(b"b%d:" % len(data) + data)
        else:
            text = str(value).encode("utf-8")
            h.update(b"s%d:" % len(text) + text)
    return h.digest()
