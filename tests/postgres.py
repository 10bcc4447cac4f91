"""A real PostgreSQL server for the tests, and a fresh desk schema in it per test.

`.ci/run` starts Debian's server and names it in SHEETSYNC_TEST_POSTGRES (a URL without the password) and
SHEETSYNC_TEST_POSTGRES_PASSWORD.  Without them, a private server is made for the session with the PostgreSQL
programs of this machine (`initdb`, `pg_ctl`: Debian's `postgresql` package), in a temporary folder, listening on
127.0.0.1 with a password, and stopped at the end.  A machine without either fails these tests: the PostgreSQL
journal is tested against a real server or not at all.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

PASSWORD_ENV = "SHEETSYNC_TEST_PG_PASSWORD"
"""The variable the tests' desks name in `password_env:` (set by the `pg` fixture)."""


@dataclass(frozen=True)
class Server:
    url: str
    """postgresql://user@host:port/db, without the password."""
    password: str

    def connect(self) -> psycopg.Connection:
        return psycopg.connect(self.url, password=self.password, autocommit=True)


@dataclass(frozen=True)
class PgDesk:
    """One test's place in the server: a schema of its own, named as a desk's `journal: {desk: ...}`."""

    server: Server
    desk: str

    @property
    def url(self) -> str:
        return self.server.url

    def journal_yaml(self, desk: str | None = None) -> str:
        """The `journal:` mapping of a desk kept in this schema (or `desk`)."""
        return (f"journal:\n  url: {self.url}\n  desk: {desk or self.desk}\n  password_env: {PASSWORD_ENV}\n")

    def use(self, config: Path, desk: str | None = None) -> Path:
        """Point the desk of `config` (its sheetsync.yaml) at this server: its `journal:` replaced."""
        set_journal(config, self.journal_yaml(desk))
        return config

    def execute(self, query: str) -> None:
        with self.server.connect() as connection:
            connection.execute(query)  # type: ignore[arg-type]

    def rows(self, query: str, *params: object) -> list[tuple[object, ...]]:
        with self.server.connect() as connection:
            connection.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(self.desk)))
            return connection.execute(query, params).fetchall()  # type: ignore[arg-type]


def set_journal(config: Path, journal_yaml: str) -> None:
    """Replace the `journal:` of the desk's sheetsync.yaml (a line, or a mapping's block) with `journal_yaml`."""
    kept, inside = [], False
    for line in config.read_text(encoding="utf-8").splitlines(keepends=True):
        inside = line.startswith("journal:") or (inside and line.startswith(" "))
        if not inside:
            kept.append(line)
    config.write_text("".join(kept) + journal_yaml, encoding="utf-8")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _programs() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    return Path(versions[-1]).parent if versions else None


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    url = os.environ.get("SHEETSYNC_TEST_POSTGRES")
    if url:
        yield Server(url, os.environ.get("SHEETSYNC_TEST_POSTGRES_PASSWORD", ""))
        return
    programs = _programs()
    if programs is None:
        pytest.fail("PostgreSQL is needed for the journal's PostgreSQL tests: apt-get install postgresql "
                    "(or name a server in SHEETSYNC_TEST_POSTGRES)")
    home = Path(tempfile.mkdtemp(prefix="sheetsync-pg-"))
    as_root = os.geteuid() == 0  # initdb refuses root: the server runs as Debian's `postgres` user
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    password = "test-" + uuid.uuid4().hex
    (home / "pw").write_text(password, encoding="utf-8")
    if as_root:
        shutil.chown(home, "postgres")
        shutil.chown(home / "pw", "postgres")
    data, port = home / "data", _free_port()
    subprocess.run([*prefix, str(programs / "initdb"), "-D", str(data), "-U", "sheetsync", "--auth=scram-sha-256",
                    f"--pwfile={home / 'pw'}", "-E", "UTF8", "--locale=C"], check=True, capture_output=True)
    subprocess.run([*prefix, str(programs / "pg_ctl"), "-D", str(data), "-l", str(home / "log"), "-w", "-o",
                    f"-k {home} -h 127.0.0.1 -p {port} -c fsync=off", "start"], check=True, capture_output=True)
    try:
        yield Server(f"postgresql://sheetsync@127.0.0.1:{port}/postgres", password)
    finally:
        subprocess.run([*prefix, str(programs / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def pg(pg_server: Server, monkeypatch: pytest.MonkeyPatch) -> Iterator[PgDesk]:
    """A schema of this test's own in the server (dropped after it), its password in `PASSWORD_ENV`."""
    monkeypatch.setenv(PASSWORD_ENV, pg_server.password)
    desk = PgDesk(pg_server, "t_" + uuid.uuid4().hex[:12])
    yield desk
    with pg_server.connect() as connection:
        for (name,) in connection.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s",
                                          (desk.desk + "%",)).fetchall():
            connection.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))
