"""The journal's connection door: the few things SQLite and PostgreSQL say differently, behind one small class.

The journal's SQL is written once, in the dialect both databases accept (`?` parameters, `INSERT ... ON CONFLICT`,
`RETURNING`), and runs on a `Db`.  What cannot be said alike is a method here:

- `bulk` / `append`: many rows in one statement.  SQLite takes them as JSON arrays unpacked by `json_each`, in C with
  the GIL released (the journal's inserts run beside the workbook's patch); PostgreSQL takes them through COPY, into
  the table itself (`append`) or into a temporary table the statement then reads (`bulk`).
- `json_text`: one key of a JSON object held as text.
- the schema's version, transactions, and the run lock (`journal/postgres.py`: an advisory lock; SQLite's is a file).

Every query's `?` marks a parameter; a statement's rows relation (`{rows}`) comes after all of its other parameters.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Final, Protocol

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

TEXT: Final = "text"
INT: Final = "bigint"
Columns = Sequence[tuple[str, str]]
"""A relation's columns: (name, TEXT or INT)."""

BULK_ROWS: Final = 2048
ARROW_ROWS: Final = 65_536


class HeldLock(Protocol):
    """A desk's run lock, held (`runtime.locks.RunLock`, `postgres.AdvisoryLock`)."""

    def stale_message(self) -> str | None: ...


class Cursor(Protocol):
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def fetchmany(self, size: int) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...


class Db:
    """A journal's connection (autocommit outside `transaction`); `SqliteDb` and `PostgresDb` implement it."""

    kind: str
    """`sqlite` or `postgresql`."""
    where: str
    """The journal as messages name it: its file, or its database and schema (never a password)."""

    def execute(self, sql: str, params: Sequence[object] = ()) -> Cursor:
        raise NotImplementedError

    def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        raise NotImplementedError

    def script(self, sql: str) -> None:
        """Run every statement of an SQL script (a schema's)."""
        raise NotImplementedError

    def insert_id(self, sql: str, params: Sequence[object]) -> int:
        """Run an INSERT of one row and return its new `id`."""
        row = self.execute(sql + " RETURNING id", params).fetchone()
        return int(row[0])

    def frame(self, sql: str, params: Sequence[object] = (), *, text: bool = False) -> pd.DataFrame:
        """The rows of a query as a DataFrame (`text`: every column as text)."""
        import pandas as pd  # here: the untouched run reads the journal without loading pandas (`run/untouched.py`)

        cursor = self.execute(sql, params)
        rows = cursor.fetchall()
        names = [d[0] for d in cursor.description]  # type: ignore[attr-defined]
        frame = pd.DataFrame.from_records(rows, columns=names)
        return frame.astype("str") if text else frame

    def arrow(self, sql: str, params: Sequence[object], columns: Columns) -> pa.Table:
        """The rows of a query as Arrow columns named and typed by `columns` (TEXT: text, INT: int64, null where
        NULL), a column at a time: a million rows of three columns took 2.3 s through `zip(*rows)` and pandas."""
        import pyarrow as pa

        cursor = self.execute(sql, params)
        kinds = {TEXT: pa.large_string(), INT: pa.int64()}
        schema = pa.schema([(name, kinds[kind]) for name, kind in columns])
        parts = []
        while rows := cursor.fetchmany(ARROW_ROWS):  # a batch of tuples at a time, not a million at once
            parts.append(pa.record_batch([pa.array([row[i] for row in rows], schema.field(i).type)
                                          for i in range(len(columns))], schema=schema))
        return pa.Table.from_batches(parts, schema=schema).combine_chunks()

    @property
    def in_transaction(self) -> bool:
        raise NotImplementedError

    def begin(self) -> None:
        """Begin a transaction that writes (SQLite takes its write lock at once)."""
        raise NotImplementedError

    def commit(self) -> None:
        self.execute("COMMIT")

    def rollback(self) -> None:
        self.execute("ROLLBACK")

    @contextmanager
    def transaction(self) -> Iterator[Db]:
        self.begin()
        try:
            yield self
        except BaseException:
            self.rollback()
            raise
        self.commit()

    def json_text(self, expr: str, key: str) -> str:
        """SQL for the text at `key` of the JSON object in `expr` (NULL when absent)."""
        raise NotImplementedError

    def bulk(self, statement: str, columns: Columns, rows: Iterable[object], *params: object) -> None:
        """Run `statement` over `rows`: its `{rows}` is a relation of `columns` holding them (a row is a sequence, or
        the value itself when there is one column); `params` fill the statement's other `?`, all before `{rows}`."""
        raise NotImplementedError

    def bulk_encoded(self, statement: str, columns: Columns, batches: Iterable[str], *params: object) -> None:
        """`bulk` with the rows already encoded: each batch a JSON array of rows (made by DuckDB, a few batches
        ahead while the database inserts the one before)."""
        raise NotImplementedError

    def append(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]],
               first: Sequence[object] = ()) -> None:
        """Insert `rows` into `table`: `columns` name `first` (the same in every row), then each row's values."""
        raise NotImplementedError

    def append_encoded(self, table: str, columns: Sequence[str], batches: Iterable[str],
                       first: Sequence[object] = ()) -> None:
        """`append` with the rows already encoded, as `bulk_encoded`."""
        raise NotImplementedError

    def columns(self, table: str) -> list[str]:
        """The names of `table`'s columns, in order."""
        raise NotImplementedError

    def load(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
        """Insert rows of any values (bytes too) into `table`: a journal being copied."""
        raise NotImplementedError

    def restart_ids(self, table: str, columns: Sequence[str]) -> None:
        """After `load`: the ids the database gives next come after the rows loaded."""

    def fit_cache(self, rows: int) -> None:
        """Get ready for a run of `rows` rows (SQLite sizes its page cache)."""

    def write_through(self) -> bool:
        """Write one large run straight into the database's file, where that is faster (SQLite); whether it does."""
        return False

    def back_to_wal(self) -> None:
        """Undo `write_through`."""

    def migration_lock(self) -> None:
        """Inside the migrating transaction: one process migrates the schema, the others wait for it (SQLite's
        `BEGIN IMMEDIATE` already does)."""

    def version(self) -> int:
        """The schema version applied (0: none)."""
        raise NotImplementedError

    def set_version(self, version: int) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


def batches(rows: Iterable[object]) -> Iterator[str]:
    """`rows` as JSON arrays of up to `BULK_ROWS` rows each."""
    batch: list[object] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BULK_ROWS:
            yield json.dumps(batch, ensure_ascii=False)
            batch.clear()
    if batch:
        yield json.dumps(batch, ensure_ascii=False)


def statements(script: str) -> Iterator[str]:
    """The statements of an SQL script (a `;` inside a comment or a string does not end one)."""
    pending = ""
    for part in script.split(";"):
        pending += part + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                yield pending
            pending = ""
