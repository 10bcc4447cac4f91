"""The journal in a SQLite file (WAL) beside the configuration: the embedded default.

One connection, autocommit outside the journal's explicit transactions (`BEGIN IMMEDIATE` takes the write lock at
once), `synchronous=FULL`: a committed run survives a power cut.  Many rows go in as JSON arrays that SQLite unpacks
itself (`json_each`), without the GIL.  A dry run reads the file into memory and works there.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final

from sheetsync.errors import UnreadableInput, explain_machine
from sheetsync.i18n import text
from sheetsync.journal.db import INT, TEXT, Columns, Db, batches, statements
from sheetsync.runtime.memory import LARGE_RUN
from sheetsync.runtime.threads import read_ahead

if TYPE_CHECKING:
    import pyarrow as pa

BIG_RUN_CACHE_KB: Final = 128 * 1024


def connect(path: Path, *, readonly: bool = False) -> SqliteDb:
    """The journal file at `path` (made when missing); `readonly`: a copy in memory (empty when there is no file)."""
    try:
        if readonly:
            db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            if path.exists():
                with sqlite3.connect(f"file:{path.resolve().as_posix()}?mode=ro", uri=True) as source:
                    source.backup(db)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
    except sqlite3.DatabaseError as exc:
        raise explain_machine(exc) or UnreadableInput(text("journal.unreadable", path=path, problem=exc)) from None
    return SqliteDb(db, str(path))


def set_aside_if_damaged(path: Path, now: dt.datetime) -> Path | None:
    """Rename the journal at `path` (with its -wal and -shm files) to `journal.db.damaged-TIME` when SQLite
    finds it damaged (`PRAGMA quick_check`, or it is no database at all); the new name, or None when it is
    sound or missing.  For `rebuild`: the damaged file is kept for whoever wants to look into it."""
    if not path.exists():
        return None
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path.resolve().as_posix()}?mode=ro", uri=True)) as db:
            verdict = db.execute("PRAGMA quick_check(1)").fetchone()[0]
    except sqlite3.DatabaseError:
        verdict = "damaged"
    if verdict == "ok":
        return None
    aside = path.with_name(f"{path.name}.damaged-{now:%Y%m%dT%H%M%S}")
    for suffix in ("", "-wal", "-shm"):
        part = path.with_name(path.name + suffix)
        if part.exists():
            part.rename(aside.with_name(aside.name + suffix))
    return aside


class SqliteDb(Db):
    """A `Db` on a SQLite connection opened with `isolation_level=None` (autocommit)."""

    kind = "sqlite"

    def __init__(self, connection: sqlite3.Connection, where: str) -> None:
        self.connection = connection
        self.where = where
        self._through = False

    def execute(self, sql: str, params: Sequence[object] = ()) -> sqlite3.Cursor:
        return self.connection.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        self.connection.executemany(sql, rows)

    def script(self, sql: str) -> None:
        for statement in statements(sql):
            self.connection.execute(statement)

    @property
    def in_transaction(self) -> bool:
        return self.connection.in_transaction

    def begin(self) -> None:
        self.connection.execute("BEGIN IMMEDIATE")

    def json_text(self, expr: str, key: str) -> str:
        return f"json_extract({expr}, '$.{key}')"

    def arrow(self, sql: str, params: Sequence[object], columns: Columns) -> pa.Table:
        """SQLite gathers each column into one JSON array (`json_group_array`, in C), which Python's json reads in C:
        a million natural keys in 0.7 s, where a tuple a row through `fetchmany` took 1.5 s.  The columns come in
        one row, so they are aligned; one column's values are Python objects at a time."""
        import pyarrow as pa

        names = ", ".join(f"c{i}" for i in range(len(columns)))
        gathered = ", ".join(f"json_group_array(c{i})" for i in range(len(columns)))
        texts = list(self.execute(f"WITH q({names}) AS ({sql}) SELECT {gathered} FROM q", params).fetchone())
        kinds = {TEXT: pa.large_string(), INT: pa.int64()}
        arrays = []
        for i, (_, kind) in enumerate(columns):
            arrays.append(pa.array(json.loads(texts[i]), kinds[kind]))
            texts[i] = ""
        return pa.table(arrays, names=[name for name, _ in columns])

    @staticmethod
    def _relation(columns: Columns) -> str:
        """The rows of one JSON array parameter, unpacked by SQLite."""
        if len(columns) == 1:
            return f"(SELECT value AS {columns[0][0]} FROM json_each(?))"
        items = ", ".join(f"json_extract(value, '$[{i}]') AS {name}" for i, (name, _) in enumerate(columns))
        return f"(SELECT {items} FROM json_each(?))"

    def bulk(self, statement: str, columns: Columns, rows: Iterable[object], *params: object) -> None:
        """SQLite unpacks each JSON array in C with the GIL released, so the journal's inserts really run beside the
        workbook's patch on the other thread; `executemany` binds every row in Python, holding the GIL, and measured
        no overlap at all."""
        sql = statement.format(rows=self._relation(columns))
        for batch in batches(rows):
            self.connection.execute(sql, (*params, batch))

    def bulk_encoded(self, statement: str, columns: Columns, batches: Iterable[str], *params: object) -> None:
        sql = statement.format(rows=self._relation(columns))
        for batch in read_ahead(batches, name="sheetsync-journal-encode"):
            self.connection.execute(sql, (*params, batch))

    def append(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]],
               first: Sequence[object] = ()) -> None:
        self.bulk(*self._appending(table, columns, first), rows, *first)

    def append_encoded(self, table: str, columns: Sequence[str], batches: Iterable[str],
                       first: Sequence[object] = ()) -> None:
        self.bulk_encoded(*self._appending(table, columns, first), batches, *first)

    @staticmethod
    def _appending(table: str, columns: Sequence[str], first: Sequence[object]) -> tuple[str, Columns]:
        own = columns[len(first):]
        given = ", ".join(["?"] * len(first) + [f"r.{name}" for name in own])
        return f"INSERT INTO {table}({', '.join(columns)}) SELECT {given} FROM {{rows}} r", [(n, TEXT) for n in own]

    def columns(self, table: str) -> list[str]:
        return [row[1] for row in self.connection.execute(f"PRAGMA table_info({table})")]

    def load(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
        marks = ", ".join("?" * len(columns))
        self.connection.executemany(f"INSERT INTO {table}({', '.join(columns)}) VALUES ({marks})", rows)

    def fit_cache(self, rows: int) -> None:
        """SQLite's page cache for a run of `rows` rows."""
        if rows >= LARGE_RUN:  # an import: SQLite's default 2 MB page cache thrashes on its indexes
            self.connection.execute(f"PRAGMA cache_size=-{BIG_RUN_CACHE_KB}")

    def write_through(self) -> bool:
        """Switch to a rollback journal for one large run (an import): its pages are then written once,
        into the file, instead of into the WAL and again when the WAL is checkpointed, on the run's
        critical path (a million-row import: 1.5 GB less to write, ~4 s less).  Other processes cannot
        read the journal while such a run commits.  False when another connection has the journal
        open (it stays in WAL mode); `back_to_wal` undoes it, and so does the next open."""
        if self._through:
            return True
        try:
            mode = self.connection.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
        except sqlite3.OperationalError:
            return False
        self._through = str(mode).lower() == "delete"
        return self._through

    def back_to_wal(self) -> None:
        if self._through and not self.connection.in_transaction:
            self.connection.execute("PRAGMA journal_mode=WAL")
            self._through = False

    def version(self) -> int:
        try:
            return int(self.connection.execute("PRAGMA user_version").fetchone()[0])
        except sqlite3.DatabaseError as exc:  # no database at all, or a damaged one
            raise explain_machine(exc) or UnreadableInput(text("journal.unreadable", path=self.where,
                                                               problem=exc)) from None

    def set_version(self, version: int) -> None:
        self.connection.execute(f"PRAGMA user_version={int(version)}")

    def close(self) -> None:
        self.back_to_wal()
        self.connection.close()


def __getattr__(name: str) -> object:
    """`Journal` and `SCHEMA_VERSION` where they were until the journal had two databases (`journal/core.py` now)."""
    if name in ("Journal", "SCHEMA_VERSION"):
        from sheetsync.journal import core

        return getattr(core, name)
    raise AttributeError(name)
