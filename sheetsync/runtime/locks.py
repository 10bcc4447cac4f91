"""One run at a time per table, and no writing while a person has the workbook open.

The run lock is an OS file lock (filelock): the operating system releases it when the
holding process dies, so a lock can never be left stale.  Beside it a small JSON file
says who holds it and since when; finding that file when we acquire the lock means the
previous holder died without cleaning up, and the report says so.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from filelock import FileLock, Timeout

from sheetsync.errors import TableLocked
from sheetsync.i18n import Lang, t


@dataclass(frozen=True, slots=True)
class Holder:
    pid: int
    host: str
    since: str


class RunLock:
    """Held for the whole run, dry runs included; a second run fails at once with TableLocked."""

    def __init__(self, state_dir: Path, lang: Lang) -> None:
        state_dir.mkdir(parents=True, exist_ok=True)
        self.lock_path = state_dir / "run.lock"
        self.info_path = state_dir / "run.lock.json"
        self.lang = lang
        self._lock = FileLock(self.lock_path, timeout=0)
        self.stale: Holder | None = None

    def __enter__(self) -> RunLock:
        try:
            self._lock.acquire()
        except Timeout:
            holder = self._read_holder()
            raise TableLocked(
                t("lock.held", self.lang, pid=holder.pid if holder else "?", host=holder.host if holder else "?",
                  since=holder.since if holder else "?"),
                t("lock.held.hint", self.lang),
            ) from None
        self.stale = self._read_holder()
        info = {"pid": os.getpid(), "host": socket.gethostname(), "since": dt.datetime.now().isoformat(timespec="seconds")}
        self.info_path.write_text(json.dumps(info), encoding="utf-8")
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.info_path.unlink(missing_ok=True)
        self._lock.release()

    def stale_message(self) -> str | None:
        if self.stale is None:
            return None
        return t("lock.stale", self.lang, pid=self.stale.pid, since=self.stale.since)

    def _read_holder(self) -> Holder | None:
        try:
            info = json.loads(self.info_path.read_text(encoding="utf-8"))
            return Holder(int(info["pid"]), str(info["host"]), str(info["since"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None


def office_lock_files(workbook: Path) -> list[tuple[Path, str]]:
    """Lock files that say a spreadsheet application has `workbook` open right now."""
    name = workbook.name
    candidates = [
        (workbook.with_name("~$" + name), "Excel / WPS"),
        (workbook.with_name("~$" + name[2:]), "Excel / WPS"),
        (workbook.with_name(".~lock." + name + "#"), "LibreOffice"),
    ]
    return [(path, app) for path, app in candidates if path.name != "~$" and path.exists()]


def refuse_if_open(workbook: Path, lang: Lang) -> None:
    found = office_lock_files(workbook)
    if found:
        path, app = found[0]
        raise TableLocked(
            t("table.open_in_app", lang, path=workbook, app=app, lock=path.name), t("table.open_in_app.hint", lang)
        )
