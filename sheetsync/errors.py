"""The one error hierarchy of sheetsync; each class carries the exit code cron sees.

    SheetsyncError (1)            an error we expected and can explain
     ├── ConfigError (2)          usage or configuration error
     │    └── HeaderMissing (2)   a mapped header is not in the sheet
     ├── TableLocked (4)          another run holds the lock, or the workbook is open
     │   └── TableChanged (4)     a person saved the workbook while the run worked on it: nothing written
     ├── JournalLost (6)          the journal of a desk that has run before is missing or empty
     ├── ChannelFailed (5)        an external system failed after retries
     └── UnreadableInput (6)      an input file is unreadable or corrupt

Findings (reconciliation differences, anomalies with --strict) are not errors:
`RunResult.exit_code` returns 3 for them.  `sheetsync.cli.main` is the only place that turns
a `SheetsyncError` into a message and an exit code.
"""

from __future__ import annotations

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


class UnreadableInput(SheetsyncError):
    """A file we must read is unreadable or corrupt; it is named in the message."""

    exit_code = EXIT_UNREADABLE
