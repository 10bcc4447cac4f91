"""The untouched run: most cron runs find the workbook as the last run left it and nothing new in the inboxes.

A full sync that found nothing to change (a fixed point: the workbook, the inputs and the clock gave no write) leaves
its *calm* in the journal: the workbook's SHA-256, a digest of the desk's inputs (its configuration files, every
file in its channels' inboxes by name, size and time, sheetsync's version), the moment until which the clock alone
changes no cell (`calm_until`: the next SLA level a row reaches, a future date the date rule stops flagging; none
when a workflow condition reads a measure of time), and its result.  The next run compares: the same workbook bytes,
the same inputs, no run recorded since, and the clock still before `calm_until` means the full path would decide
exactly what the calm run decided, so it is not taken: the run neither parses the sheet nor writes anything, and
says so with the calm run's figures.  Anything else (a byte of the workbook, a file dropped or touched in an inbox,
an edited sheetsync.yaml, another command's run, the clock reaching a level) takes the full path, which leaves a new
calm once it finds nothing to change.

Only a desk on an .xlsx workbook whose channels are all files takes it: an API channel must be asked to know it has
nothing new, and a Google Sheet's fingerprint is a read of the whole sheet.

The check reads the journal without the pipeline's libraries (no pandas, Arrow or DuckDB is loaded: the command
line tries it first, `cli/quick.py`); a run in progress, or one a kill left pending, is the journal's last run and
left no calm, so the full path takes over.  An untouched run takes the run lock and is recorded as a run
(`sync:untouched`, nothing else written): the journal still holds every run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, fields
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, cast

from sheetsync.config import Config
from sheetsync.i18n import t
from sheetsync.journal.db import Db, HeldLock
from sheetsync.journal.open import current_db
from sheetsync.run.result import RunResult
from sheetsync.runtime.files import file_sha256, matching
from sheetsync.runtime.locks import RunLock

if TYPE_CHECKING:
    from sheetsync.journal.core import Journal
    from sheetsync.journal.postgres import PostgresDb

CALM: Final = "calm"
"""The `run_meta` key of a calm run's state."""
UNTOUCHED: Final = "sync:untouched"
"""The command an untouched run is recorded under (its runs leave the calm they rested on standing)."""
SKIPPED_RESULT: Final = ("run_id", "seconds", "notices", "backup", "rejects_file", "workbook_written", "exit_code")
"""What of a calm run's result is its own, not the state it found."""


@dataclass(frozen=True, slots=True)
class Calm:
    workbook: str
    """The workbook's SHA-256 as the calm run left it."""
    inputs: str
    """`inputs_digest` when it ran."""
    until: str | None
    """ISO moment until which the clock alone changes no cell (None: it never will)."""
    result: dict[str, Any]
    """The calm run's result, without what was its own (`SKIPPED_RESULT`)."""


def eligible(config: Config) -> bool:
    """Whether the desk can take the untouched run at all: an .xlsx workbook, and channels that are all files."""
    return config.table.backend == "xlsx" and all(c.kind == "file" for c in (*config.channels, *config.logistics))


def inputs_digest(config: Config) -> str:
    """A digest of what a run reads besides the workbook and the journal: sheetsync's version and the messages'
    language, the desk's YAML files (sheetsync.yaml, its workflow, mappings and reasons beside it or one folder
    down, or named from elsewhere), and every file its channels' inboxes hold, by path, size and modification
    time."""
    h = hashlib.sha256()
    h.update(f"{sheetsync_version()}\0{config.language}".encode())  # the result's words are in the messages' language
    base = config.base_dir
    named = [config.workflow, *(c.mapping for c in (*config.channels, *config.logistics))]
    if config.aftersales is not None:
        named += [config.aftersales.reasons, config.aftersales.workflow]
    referred = {config.resolve(n) for n in named if n} | {config.source}  # a file named from elsewhere counts too
    beside = (p for p in (*base.glob("*.y*ml"), *base.glob("*/*.y*ml")) if p.relative_to(base).parts[0] != ".sheetsync")
    configs = sorted({*beside, *(p for p in referred if p.is_file())})
    for path in configs:
        h.update(b"\0c" + _named(path, base) + b"\0" + path.read_bytes())
    for path in sorted(_inbox_files(config)):
        stat = path.stat()
        h.update(b"\0f%s\0%d\0%d" % (_named(path, base), stat.st_size, stat.st_mtime_ns))
    return h.hexdigest()


def _named(path: Path, base: Path) -> bytes:
    """A file as the digest names it: relative to the desk's folder when inside it (a desk moved whole is the same)."""
    return str(path.relative_to(base) if path.is_relative_to(base) else path).encode()


def _inbox_files(config: Config) -> Iterable[Path]:
    """Every file the channels' inbox patterns name (the file channel's default `inbox/NAME/*` too): more than a
    channel reads (a file of another kind) only ever sends a run down the full path."""
    for channel in (*config.channels, *config.logistics):
        pattern = channel.path or f"inbox/{channel.name}/*"
        yield from (p for p in matching(pattern, config.base_dir) if p.is_file())


def sheetsync_version() -> str:
    """The installed sheetsync's version ("unknown" when it runs from a folder that was not installed)."""
    try:
        return version("sheetsync")
    except PackageNotFoundError:
        return "unknown"


def calm_of(db: Db) -> Calm | None:
    """The calm the journal's last run left (None: it left none, or another run came after it; an untouched run
    leaves the calm it rested on in place)."""
    row = db.execute("SELECT m.value FROM run_meta m WHERE m.key = ? AND m.run_id = (SELECT MAX(id) FROM runs"
                     " WHERE command <> ?)", (CALM, UNTOUCHED)).fetchone()
    if row is None:
        return None
    found = json.loads(row[0])
    return Calm(found["workbook"], found["inputs"], found["until"], found["result"])


def rest(config: Config, now: dt.datetime, *, strict: bool = False, strict_alerts: bool = False,
         started: float | None = None) -> RunResult | None:
    """The untouched run's result (the calm run's, with a line saying so; recorded in the journal as a run of its
    own) when the workbook, the inputs, the journal and the clock are within the journal's last calm; None: the
    full path must run.  A second run holding the desk is refused as the full path would refuse it (TableLocked)."""
    started = time.perf_counter() if started is None else started
    if not eligible(config) or not config.workbook_path.is_file():
        return None
    with current_db(config) as db:
        if db is None or _until(calm_of(db), now) is None:  # nothing to rest on: no lock taken, no file read
            return None
        with _run_lock(config, db) as lock:
            calm = within(config, db, now)  # again, under the lock: a run may have ended meanwhile
            if calm is None:
                return None
            stale = lock.stale_message()
            result = rested(calm, config, [stale] if stale else [], strict=strict, strict_alerts=strict_alerts,
                            started=started)
            result.run_id = record_untouched(db, result, now)
    return result


def within(config: Config, db: Db, now: dt.datetime) -> Calm | None:
    """The journal's last calm, when the workbook, the inputs and the clock are still within it (the caller holds
    the run lock); None: the full path must run."""
    if not eligible(config) or not config.workbook_path.is_file():
        return None
    calm = _until(calm_of(db), now)
    if calm is None or calm.workbook != file_sha256(config.workbook_path) or calm.inputs != inputs_digest(config):
        return None
    return calm


def rested(calm: Calm, config: Config, notices: list[str], *, strict: bool, strict_alerts: bool,
           started: float, said: str = "run.untouched") -> RunResult:
    """The result of a run that rests on `calm`: the calm run's, with `notices` and a line saying so (`said`)."""
    known = {f.name for f in fields(RunResult)} - {"run_id", "strict", "strict_alerts"}
    result = RunResult(run_id=None, **{k: v for k, v in calm.result.items() if k in known})
    result.strict, result.strict_alerts = strict, strict_alerts
    result.notices = [*notices, t(said, config.language)]
    result.seconds = round(time.perf_counter() - started, 3)
    return result


def record_untouched(db: Db, result: RunResult, now: dt.datetime) -> int:
    """Record a run that rested as a run of its own (`UNTOUCHED`: the calm it rested on stays standing); its id."""
    stamp = now.isoformat()
    return db.insert_id(
        "INSERT INTO runs(command, started_at, ended_at, state, exit_code, counts) VALUES (?, ?, ?, 'done', ?, ?)",
        (UNTOUCHED, stamp, stamp, result.exit_code, json.dumps({"rows": result.rows, "untouched": True})))


def _until(calm: Calm | None, now: dt.datetime) -> Calm | None:
    """`calm` while the clock is before its moment (None after it, or without one)."""
    if calm is None or (calm.until is not None and now >= dt.datetime.fromisoformat(calm.until)):
        return None
    return calm


def _run_lock(config: Config, db: Db) -> AbstractContextManager[HeldLock]:
    """The desk's run lock, as the full path takes it (`journal/open.py`)."""
    if db.kind == "postgresql":  # the driver is loaded only when it is this one
        return cast("PostgresDb", db).lock(config.language)
    return RunLock(config.state_dir, config.language)


def record_calm(journal: Journal, run_id: int, calm: Calm) -> None:
    """Leave `calm` as run `run_id`'s (the run found nothing to change)."""
    text = json.dumps({"workbook": calm.workbook, "inputs": calm.inputs, "until": calm.until, "result": calm.result},
                      ensure_ascii=False, default=str)
    journal.db.execute("INSERT INTO run_meta(run_id, key, value) VALUES (?, ?, ?) ON CONFLICT (run_id, key)"
                       " DO UPDATE SET value = excluded.value", (run_id, CALM, text))


def calm_until(now: dt.datetime, hours: Sequence[float | None], moments: Sequence[dt.datetime | None]) -> str | None:
    """The moment until which the clock alone changes nothing: the nearest of `now + hours` (an SLA level; 0: every
    run must look) and `moments` (None among them: never); None when nothing will."""
    found = [now + dt.timedelta(hours=h) for h in hours if h is not None] + [m for m in moments if m is not None]
    return min(found).isoformat(sep=" ", timespec="seconds") if found else None


def steady(result: dict[str, Any]) -> dict[str, Any]:
    """A result's state, without what was the run's own."""
    return {k: v for k, v in result.items() if k not in SKIPPED_RESULT}
