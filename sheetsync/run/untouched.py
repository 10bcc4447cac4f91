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
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Final

from sheetsync.config import Config
from sheetsync.journal.core import Journal

CALM: Final = "calm"
"""The `run_meta` key of a calm run's state."""
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
    """A digest of what a run reads besides the workbook and the journal: sheetsync's version, the desk's YAML files
    (sheetsync.yaml, its workflow, mappings and reasons beside it or one folder down), and every file its channels'
    inboxes hold, by path, size and modification time."""
    h = hashlib.sha256()
    h.update(_version().encode())
    base = config.base_dir
    configs = sorted({*base.glob("*.y*ml"), *base.glob("*/*.y*ml")} - set(base.glob(".sheetsync/**/*")))
    for path in configs:
        h.update(b"\0c" + str(path.relative_to(base)).encode() + b"\0" + path.read_bytes())
    for path in sorted(_inbox_files(config)):
        stat = path.stat()
        h.update(b"\0f%s\0%d\0%d" % (str(path).encode(), stat.st_size, stat.st_mtime_ns))
    return h.hexdigest()


def _inbox_files(config: Config) -> Iterable[Path]:
    for channel in (*config.channels, *config.logistics):
        if channel.path:
            found = channel.path if Path(channel.path).is_absolute() else str(config.base_dir / channel.path)
            yield from (p for p in _glob(found) if p.is_file())


def _glob(pattern: str) -> list[Path]:
    path = Path(pattern)
    anchor = Path(path.anchor)
    return list(anchor.glob(str(path.relative_to(anchor)))) if path.is_absolute() else list(Path().glob(pattern))


def _version() -> str:
    try:
        return version("sheetsync")
    except PackageNotFoundError:
        return "unknown"


def calm_of(journal: Journal) -> Calm | None:
    """The calm the journal's last run left (None: it left none, or another run came after it)."""
    row = journal.db.execute("SELECT m.value FROM run_meta m WHERE m.key = ? AND m.run_id ="
                             " (SELECT MAX(id) FROM runs)", (CALM,)).fetchone()
    if row is None:
        return None
    found = json.loads(row[0])
    return Calm(found["workbook"], found["inputs"], found["until"], found["result"])


def untouched(journal: Journal, config: Config, workbook: str | None, now: dt.datetime) -> Calm | None:
    """The calm this run may rest on: the journal's last, when the workbook, the inputs and the clock are still
    within it; None: the full path."""
    calm = calm_of(journal)
    if calm is None or workbook is None or calm.workbook != workbook:
        return None
    if calm.until is not None and now >= dt.datetime.fromisoformat(calm.until):
        return None
    return calm if calm.inputs == inputs_digest(config) else None


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
