"""The journal in PostgreSQL (psycopg 3): for a desk synced from several hosts, or many desks in one database.

Each desk keeps its journal in a PostgreSQL schema of its own (`journal: {url: ..., desk: NAME}`; `sheetsync` when
not named), holding the same tables as the SQLite file; the schema's first run records which table the desk is
(`meta`), and a desk of another table is refused there rather than mixed into its journal.

The connection is autocommit, with explicit transactions, as SQLite's: a run's records are one transaction, made
pending for its workbook and confirmed once the workbook is in place, so the crash protocol is the same.  Many rows go
in through COPY.  The run lock is a session advisory lock on the desk's schema, held on the journal's connection for
the whole run: PostgreSQL releases it when the connection ends, a process killed or a host gone (the server's TCP
keepalives, set for the session, notice a host that vanished within about a minute and a half).

The password is never in the YAML: libpq reads `PGPASSWORD` or `~/.pgpass`, or `password_env:` names a variable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import socket
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql as pgsql
from psycopg.pq import TransactionStatus

from sheetsync.errors import ChannelFailed, ConfigError, TableLocked
from sheetsync.i18n import Lang, Text, t
from sheetsync.journal.db import Columns, Db
from sheetsync.runtime.threads import read_ahead

if TYPE_CHECKING:
    from sheetsync.config import PostgresJournal

LOCK_SPACE: Final = 0x5348_5359  # "SHSY": the first half of the advisory lock's key, the desk's schema the second
KEEPALIVE: Final = {"tcp_keepalives_idle": "30", "tcp_keepalives_interval": "10", "tcp_keepalives_count": "6"}
"""The server's keepalives on the run's connection: a host that vanished (power, network) is noticed and its run
lock released within about a minute and a half (libpq's own keepalives do the same for the client's side)."""


def shown(url: str) -> str:
    """The URL as messages say it: scheme, user, host, port and database; never a password or parameters."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    netloc = (f"{parts.username}@" if parts.username else "") + host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


class JournalUnreachable(ChannelFailed):
    """The journal's PostgreSQL server could not be reached, or refused us (exit 5: an outside system failed)."""


def _failed(where: str, exc: psycopg.Error) -> JournalUnreachable:
    problem = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return JournalUnreachable(Text("journal.pg_unreachable", {"where": where, "problem": problem}),
                              Text("journal.pg_unreachable.hint"))


@contextmanager
def _said(where: str) -> Iterator[None]:
    """psycopg's connection failures as the journal's error (its other errors are bugs, raised as they are)."""
    try:
        yield
    except psycopg.OperationalError as exc:
        raise _failed(where, exc) from None


def _connect(target: PostgresJournal, where: str) -> psycopg.Connection[Any]:
    """An autocommit connection to the journal's database, the password from `password_env` when it names one (else
    libpq's PGPASSWORD or ~/.pgpass), with TCP keepalives on the client's side."""
    password = os.environ.get(target.password_env) if target.password_env else None
    options: dict[str, Any] = {"password": password} if password else {}
    with _said(where):
        return psycopg.connect(target.url, autocommit=True, connect_timeout=10, application_name="sheetsync",
                               keepalives=1, keepalives_idle=30, keepalives_interval=10, keepalives_count=6, **options)


class PostgresDb(Db):
    """A `Db` on one psycopg connection, in the desk's schema.

    `readonly` (dry runs, reports of a journal older than this sheetsync): everything runs inside one transaction that
    is rolled back when the journal is closed; its transactions are savepoints in it."""

    kind = "postgresql"

    def __init__(self, target: PostgresJournal, *, readonly: bool = False) -> None:
        self.target = target
        self.schema = target.desk
        self.where = f"{shown(target.url)} ({target.desk})"
        self.readonly = readonly
        self._sql: dict[str, str] = {}
        self._temp = 0
        self._depth = 0
        self.connection = _connect(target, self.where)
        try:
            with _said(self.where):
                for name, value in KEEPALIVE.items():
                    self.connection.execute(pgsql.SQL("SET {} = {}").format(pgsql.Identifier(name), pgsql.Literal(value)))
                if readonly:
                    self.connection.execute("BEGIN")
                # made when missing (in a dry run, inside its rolled-back transaction): a role that may only read
                # reads a journal that is there without needing the right to create anything
                if self.connection.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (self.schema,)).fetchone() is None:
                    self._create(pgsql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(pgsql.Identifier(self.schema)))
                self.connection.execute(pgsql.SQL("SET search_path TO {}").format(pgsql.Identifier(self.schema)))
                if self.connection.execute("SELECT to_regclass('meta')").fetchone() == (None,):
                    self._create(pgsql.SQL("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"))
        except BaseException:
            self.connection.close()
            raise

    def _create(self, statement: pgsql.SQL | pgsql.Composed) -> None:
        """A schema object made when missing; another process making it at the same moment made it (the `IF NOT
        EXISTS` of PostgreSQL does not cover a race between two transactions)."""
        try:
            self.connection.execute(statement)
        except psycopg.errors.UniqueViolation:
            if self.readonly:
                raise

    # statements ------------------------------------------------------

    def _text(self, sql: str) -> str:
        """The journal's SQL (`?` parameters) as psycopg's (`%s`)."""
        found = self._sql.get(sql)
        if found is None:
            found = self._sql[sql] = sql.replace("%", "%%").replace("?", "%s")
        return found

    def execute(self, sql: str, params: Sequence[object] = ()) -> psycopg.Cursor[Any]:
        with _said(self.where):
            return self.connection.execute(self._text(sql), list(params))

    def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        rows = [list(r) for r in rows]
        if rows:
            with _said(self.where), self.connection.cursor() as cursor:
                cursor.executemany(self._text(sql), rows)

    def script(self, sql: str) -> None:
        with _said(self.where):
            self.connection.execute(sql)  # a schema's DDL: no parameters

    # transactions ----------------------------------------------------

    @property
    def in_transaction(self) -> bool:
        if self.readonly:
            return self._depth > 0
        return self.connection.info.transaction_status != TransactionStatus.IDLE

    def begin(self) -> None:
        if self.readonly:
            self._depth += 1
            self.execute(f"SAVEPOINT sheetsync_{self._depth}")
        else:
            self.execute("BEGIN")

    def commit(self) -> None:
        if self.readonly:
            self.execute(f"RELEASE SAVEPOINT sheetsync_{self._depth}")
            self._depth -= 1
        else:
            self.execute("COMMIT")

    def rollback(self) -> None:
        if self.connection.closed:
            return
        if self.readonly:
            self.execute(f"ROLLBACK TO SAVEPOINT sheetsync_{self._depth}")
            self.execute(f"RELEASE SAVEPOINT sheetsync_{self._depth}")
            self._depth -= 1
        else:
            self.execute("ROLLBACK")

    def close(self) -> None:
        if not self.connection.closed:
            if self.readonly and self.connection.info.transaction_status != TransactionStatus.IDLE:
                self.connection.execute("ROLLBACK")
            self.connection.close()

    # many rows -------------------------------------------------------

    def json_text(self, expr: str, key: str) -> str:
        return f"(({expr})::jsonb ->> '{key}')"

    def bulk(self, statement: str, columns: Columns, rows: Iterable[object], *params: object) -> None:
        """The rows go through COPY into a temporary table, which the statement reads once."""
        self._temp += 1
        name = f"sheetsync_rows_{self._temp}"
        spec = ", ".join(f"{n} {kind}" for n, kind in columns)
        with _said(self.where):
            self.connection.execute(f"CREATE TEMPORARY TABLE {name} ({spec})")
            try:
                self._copy(name, [n for n, _ in columns],
                           rows if len(columns) > 1 else ((v,) for v in rows))  # type: ignore[arg-type]
                self.execute(statement.format(rows=name), params)
            finally:
                if not self.connection.closed and self.connection.info.transaction_status != TransactionStatus.INERROR:
                    self.connection.execute(f"DROP TABLE IF EXISTS {name}")

    def bulk_encoded(self, statement: str, columns: Columns, batches: Iterable[str], *params: object) -> None:
        self.bulk(statement, columns, _decoded(batches), *params)

    def append(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]],
               first: Sequence[object] = ()) -> None:
        """Straight into the table through COPY."""
        with _said(self.where):
            self._copy(table, columns, ((*first, *row) for row in rows) if first else rows)

    def append_encoded(self, table: str, columns: Sequence[str], batches: Iterable[str],
                       first: Sequence[object] = ()) -> None:
        self.append(table, columns, _decoded(batches), first)

    def columns(self, table: str) -> list[str]:
        return [str(r[0]) for r in self.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
            " AND table_name = ? ORDER BY ordinal_position", (table,)).fetchall()]

    def load(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
        with _said(self.where):
            self._copy(table, columns, rows)

    def restart_ids(self, table: str, columns: Sequence[str]) -> None:
        for column in ("id", "rowid"):
            if column in columns:
                self.execute(f"SELECT setval(pg_get_serial_sequence(?, ?), COALESCE(MAX({column}), 0) + 1, false)"
                             f" FROM {table}", (table, column))

    def _copy(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
        statement = pgsql.SQL("COPY {} ({}) FROM STDIN").format(
            pgsql.Identifier(table), pgsql.SQL(", ").join(pgsql.Identifier(c) for c in columns))
        with self.connection.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)

    # the schema ------------------------------------------------------

    def version(self) -> int:
        row = self.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        return int(row[0]) if row else 0

    def set_version(self, version: int) -> None:
        self.execute("INSERT INTO meta(key, value) VALUES ('version', ?) ON CONFLICT (key) DO UPDATE"
                     " SET value = excluded.value", (str(version),))

    def migration_lock(self) -> None:
        """Inside the migrating transaction: one process migrates the schema, the others wait for it."""
        self.execute("SELECT pg_advisory_xact_lock(?, ?)", (LOCK_SPACE, _lock_key(self.schema) ^ 1))

    def claim(self, table: str, lang: Lang) -> None:
        """Record the desk's table as this journal's, or refuse a desk of another table (ConfigError)."""
        row = self.execute("SELECT value FROM meta WHERE key = 'table'").fetchone()
        if row is None:
            self.execute("INSERT INTO meta(key, value) VALUES ('table', ?) ON CONFLICT (key) DO NOTHING", (table,))
        elif row[0] != table:
            raise ConfigError(t("journal.pg_other_desk", lang, where=self.where, table=row[0], mine=table),
                              t("journal.pg_other_desk.hint", lang))

    def lock(self, lang: Lang) -> AdvisoryLock:
        return AdvisoryLock(self, lang)


def desks_in(target: PostgresJournal) -> list[tuple[str, str]]:
    """(schema, its table) of every desk whose journal is in the database `target` names."""
    where = shown(target.url)
    with _said(where), _connect(target, where) as connection:
        schemas = [str(r[0]) for r in connection.execute(
            "SELECT n.nspname FROM pg_namespace n JOIN pg_class c ON c.relnamespace = n.oid"
            " WHERE c.relname = 'meta' AND c.relkind = 'r' AND has_schema_privilege(n.oid, 'USAGE')"
            " AND has_table_privilege(c.oid, 'SELECT') ORDER BY n.nspname").fetchall()]
        out = []
        for schema in schemas:
            found = connection.execute(pgsql.SQL("SELECT value FROM {}.meta WHERE key = 'table'").format(
                pgsql.Identifier(schema))).fetchone()
            if found is not None:
                out.append((schema, str(found[0])))
    return out


class AdvisoryLock:
    """The run lock of a desk whose journal is in PostgreSQL: one run at a time, whichever host it runs on.

    A session advisory lock on the journal's connection, taken at once or refused (TableLocked, exit 4, naming the
    host and process that hold it, from the `meta` row its holder wrote)."""

    def __init__(self, db: PostgresDb, lang: Lang) -> None:
        self.db, self.lang = db, lang
        self.stale: dict[str, str] | None = None
        self._key = _lock_key(db.schema)

    def __enter__(self) -> AdvisoryLock:
        db = self.db
        answer = db.execute("SELECT pg_try_advisory_lock(?, ?)", (LOCK_SPACE, self._key)).fetchone()
        taken = bool(answer and answer[0])
        found = db.execute("SELECT value FROM meta WHERE key = 'run_lock'").fetchone()
        holder = _holder(found[0]) if found else None
        if not taken:
            raise TableLocked(t("lock.held", self.lang, pid=holder.get("pid", "?") if holder else "?",
                                host=holder.get("host", "?") if holder else "?",
                                since=holder.get("since", "?") if holder else "?"),
                              t("lock.held.hint", self.lang))
        self.stale = holder  # its holder's row still there: that run ended without letting go (killed, host gone)
        mine = json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                           "since": dt.datetime.now().isoformat(timespec="seconds")})
        if not db.readonly:
            db.execute("INSERT INTO meta(key, value) VALUES ('run_lock', ?) ON CONFLICT (key) DO UPDATE"
                       " SET value = excluded.value", (mine,))
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        db = self.db
        if db.connection.closed:
            return
        try:
            if not db.readonly:
                db.execute("DELETE FROM meta WHERE key = 'run_lock'")
            db.execute("SELECT pg_advisory_unlock(?, ?)", (LOCK_SPACE, self._key))
        except (ChannelFailed, psycopg.Error):
            pass  # the connection is gone: so is the lock

    def stale_message(self) -> str | None:
        if self.stale is None:
            return None
        return t("lock.stale", self.lang, pid=self.stale.get("pid", "?"), since=self.stale.get("since", "?"))


def _holder(text: str) -> dict[str, str] | None:
    try:
        found = json.loads(text)
    except ValueError:
        return None
    return {k: str(v) for k, v in found.items()} if isinstance(found, dict) else None


def _lock_key(schema: str) -> int:
    """The second half of the desk's advisory lock key: a signed 32-bit number from its schema's name."""
    return int.from_bytes(hashlib.sha256(schema.encode()).digest()[:4], "big", signed=True)


def _decoded(batches: Iterable[str]) -> Iterator[Any]:
    """The rows of JSON array batches, decoded a batch ahead on a thread."""
    for batch in read_ahead((json.loads(b) for b in batches), name="sheetsync-journal-decode"):
        yield from batch
