"""The one error hierarchy of sheetsync; each class carries the exit code cron sees.

    SheetsyncError (1)            an error we expected and can explain
     ├── ConfigError (2)          usage or configuration error
     │    └── HeaderMissing (2)   a mapped header is not in the sheet
     ├── TableLocked (4)          another run holds the lock, or the workbook is open
     ├── ChannelFailed (5)        an external system failed after retries
     └── UnreadableInput (6)      an input file is unreadable or corrupt

Findings (reconciliation differences, anomalies with --strict) are not errors:
`RunResult.exit_code` returns 3 for them.  `sheetsync.cli.main` is the only place that turns
a `SheetsyncError` into a message and an exit code.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_BUG = 1
EXIT_USAGE = 2
EXIT_FINDINGS = 3
EXIT_LOCKED = 4
EXIT_EXTERNAL = 5
EXIT_UNREADABLE = 6


class SheetsyncError(Exception):
    """An error we expected and can explain; `exit_code` is what cron sees.

    `message` is the text a person reads (already in the desk's language);
    `hint` says how to fix it, when we know.
    """

    exit_code = EXIT_BUG

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  → {self.hint}"


class ConfigError(SheetsyncError):
    """The configuration or the command line is wrong; nothing was written."""

    exit_code = EXIT_USAGE


class HeaderMissing(ConfigError):
    """A header the configuration maps is not in the sheet."""


class TableLocked(SheetsyncError):
    """Another run holds the table, or the workbook is open in a spreadsheet application."""

    exit_code = EXIT_LOCKED


class ChannelFailed(SheetsyncError):
    """An external system (shop API, Google Sheets, webhook) failed after retries."""

    exit_code = EXIT_EXTERNAL


class UnreadableInput(SheetsyncError):
    """A file we must read is unreadable or corrupt; it is named in the message."""

    exit_code = EXIT_UNREADABLE
