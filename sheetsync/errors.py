"""The one error hierarchy of sheetsync; each class carries the exit code cron sees.

    SheetsyncError (1)            an error we expected and can explain
     ├── ConfigError (2)          usage or configuration error
     │    └── HeaderMissing (2)   a mapped header is not in the sheet
     ├── TableLocked (4)          another run holds the lock, or the workbook is open
     │   └── TableChanged (4)     a person saved the workbook while the run worked on it: nothing written
     ├── JournalLost (6)          the journal of a desk that has run before is missing or empty
     ├── ChannelFailed (5)        an external system failed after retries
     ├── MachineTrouble (5)       the machine refused: no space left, a read-only folder, no permission, no memory
     └── UnreadableInput (6)      an input file is unreadable or corrupt
          └── JournalDamaged (6)  the journal's file is damaged (a corrupt page, not a database)

Findings (reconciliation differences, anomalies with --strict) are not errors:
`RunResult.exit_code` returns 3 for them.  `sheetsync.cli.main` is the only place that turns
a `SheetsyncError` into a message and an exit code.
"""

from __future__ import annotations

import errno
import sqlite3

from sheetsync.i18n import Lang, Text, default_lang

EXIT_OK = 0
EXIT_BUG = 1
EXIT_USAGE = 2
EXIT_FINDINGS = 3
EXIT_LOCKED = 4
EXIT_EXTERNAL = 5
EXIT_UNREADABLE = 6


class SheetsyncError(Exception):
    """An error we expected and can explain; `exit_code` is what cron sees.

    `message` is the text a person reads and `hint` says how to fix it, when we know.  Each is text
    already in the desk's language, or a `Text` (a key and its values) that `render` puts in the
    language of the desk where it is shown (`cli.main`); `message` and `hint` render such a `Text` in
    the language before any desk says which (`SHEETSYNC_LANG`).
    """

    exit_code = EXIT_BUG

    def __init__(self, message: str | Text, hint: str | Text | None = None) -> None:
        super().__init__(message)
        self._message, self._hint = message, hint

    @property
    def message(self) -> str:
        return self.render(default_lang())[0]

    @property
    def hint(self) -> str | None:
        return self.render(default_lang())[1]

    def render(self, lang: Lang) -> tuple[str, str | None]:
        """(message, hint) in `lang`."""
        message = self._message.render(lang) if isinstance(self._message, Text) else self._message
        hint = self._hint.render(lang) if isinstance(self._hint, Text) else self._hint
        return message, hint

    def __str__(self) -> str:
        message, hint = self.render(default_lang())
        return message if not hint else f"{message}\n  → {hint}"


class ConfigError(SheetsyncError):
    """The configuration or the command line is wrong; nothing was written."""

    exit_code = EXIT_USAGE


class HeaderMissing(ConfigError):
    """A header the configuration maps is not in the sheet."""


class TableLocked(SheetsyncError):
    """Another run holds the table, or the workbook is open in a spreadsheet application."""

    exit_code = EXIT_LOCKED


class TableChanged(TableLocked):
    """The workbook was saved by someone else while the run was working on it: nothing was written (exit 4)."""


class JournalLost(SheetsyncError):
    """The journal of a desk that has run before is missing or empty: refused, never a fresh start (exit 6)."""

    exit_code = EXIT_UNREADABLE


class ChannelFailed(SheetsyncError):
    """An external system (shop API, Google Sheets, webhook) failed after retries."""

    exit_code = EXIT_EXTERNAL


class StoreFailed(SheetsyncError):
    """The table's service (the Google Sheets API) failed or refused after the retries: nothing was half-written."""

    exit_code = EXIT_EXTERNAL


class UnreadableInput(SheetsyncError):
    """A file we must read is unreadable or corrupt; it is named in the message."""

    exit_code = EXIT_UNREADABLE


class MachineTrouble(SheetsyncError):
    """The machine refused what the run needed (no space left, a read-only folder, no permission, no memory):
    not a bug of sheetsync, and the workbook is as it was (every write is staged beside it and renamed last)."""

    exit_code = EXIT_EXTERNAL


class JournalDamaged(UnreadableInput):
    """The journal's file is damaged: `sheetsync rebuild` sets it aside and rebuilds it from the sheet."""


_NO_ROOM = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG}
_NOT_ALLOWED = {errno.EROFS, errno.EACCES, errno.EPERM}
_SQLITE_DAMAGED = ("malformed", "not a database", "file is encrypted")
_SQLITE_NO_ROOM = ("database or disk is full",)
_SQLITE_NOT_ALLOWED = ("readonly database", "unable to open database file")


def explain_machine(exc: BaseException) -> SheetsyncError | None:
    """The error the machine's refusal `exc` (or an exception it caused) means for a person, with the fix; None
    when `exc` is nothing of the kind (then it is a bug).  Walks the chain of causes: a library may wrap it."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        found = _explain_one(current)
        if found is not None:
            return found
        current = current.__cause__ or current.__context__
    return None


def _explain_one(exc: BaseException) -> SheetsyncError | None:
    if isinstance(exc, MemoryError):
        return MachineTrouble(Text("machine.memory"), Text("machine.memory.hint"))
    if isinstance(exc, OSError) and exc.errno is not None:
        where = exc.filename or "?"
        if exc.errno in _NO_ROOM:
            return MachineTrouble(Text("machine.no_room", {"path": where, "problem": exc.strerror or ""}),
                                  Text("machine.unchanged.hint"))
        if exc.errno in _NOT_ALLOWED:
            return MachineTrouble(Text("machine.not_allowed", {"path": where, "problem": exc.strerror or ""}),
                                  Text("machine.not_allowed.hint"))
    if isinstance(exc, sqlite3.DatabaseError):
        text = str(exc).lower()
        if any(word in text for word in _SQLITE_NO_ROOM):
            return MachineTrouble(Text("machine.no_room", {"path": "journal.db", "problem": str(exc)}),
                                  Text("machine.unchanged.hint"))
        if any(word in text for word in _SQLITE_NOT_ALLOWED):
            return MachineTrouble(Text("machine.not_allowed", {"path": "journal.db", "problem": str(exc)}),
                                  Text("machine.not_allowed.hint"))
        if "disk i/o error" in text:  # a full disk, a file size limit, a failing disk: not a damaged journal
            return MachineTrouble(Text("machine.io", {"problem": str(exc)}), Text("machine.io.hint"))
        if any(word in text for word in _SQLITE_DAMAGED):
            return JournalDamaged(Text("journal.damaged", {"problem": str(exc)}), Text("journal.damaged.hint"))
    return None
