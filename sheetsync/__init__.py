"""sheetsync: a spreadsheet order table that people can trust.

The library's one face: every command of the CLI is one of these functions, and returns its result as data
(`to_dict()` is what `--json` prints; `exit_code` is what cron sees).  Errors are `SheetsyncError`s, each
with its exit code.

    config = load_config("sheetsync.yaml")
    result = sync(config, dry_run=True)

The functions are imported when first asked for: a program that uses one part of the package (the xlsx
writer, the conditions) does not pay for loading all of it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from sheetsync.errors import ChannelFailed, ConfigError, HeaderMissing, SheetsyncError, TableLocked, UnreadableInput

if TYPE_CHECKING:
    from sheetsync.config import Config, load_config
    from sheetsync.importing.importer import ImportResult
    from sheetsync.importing.importer import import_files as import_
    from sheetsync.reports.kpi import KpiReport, report
    from sheetsync.reports.reconcile import ReconcileResult, reconcile
    from sheetsync.run.commands import ApproveResult
    from sheetsync.run.commands import approve_orders as approve
    from sheetsync.run.commands import queues as queue
    from sheetsync.run.commands import unlock_order as unlock
    from sheetsync.run.history import history
    from sheetsync.run.inspect import CheckResult, ValidateResult, check, validate
    from sheetsync.run.result import RunResult
    from sheetsync.run.sync import sync

_FACE: dict[str, tuple[str, str]] = {
    "Config": ("sheetsync.config", "Config"),
    "load_config": ("sheetsync.config", "load_config"),
    "ImportResult": ("sheetsync.importing.importer", "ImportResult"),
    "import_": ("sheetsync.importing.importer", "import_files"),
    "KpiReport": ("sheetsync.reports.kpi", "KpiReport"),
    "report": ("sheetsync.reports.kpi", "report"),
    "ReconcileResult": ("sheetsync.reports.reconcile", "ReconcileResult"),
    "reconcile": ("sheetsync.reports.reconcile", "reconcile"),
    "ApproveResult": ("sheetsync.run.commands", "ApproveResult"),
    "approve": ("sheetsync.run.commands", "approve_orders"),
    "queue": ("sheetsync.run.commands", "queues"),
    "unlock": ("sheetsync.run.commands", "unlock_order"),
    "CheckResult": ("sheetsync.run.inspect", "CheckResult"),
    "ValidateResult": ("sheetsync.run.inspect", "ValidateResult"),
    "check": ("sheetsync.run.inspect", "check"),
    "history": ("sheetsync.run.history", "history"),
    "validate": ("sheetsync.run.inspect", "validate"),
    "RunResult": ("sheetsync.run.result", "RunResult"),
    "sync": ("sheetsync.run.sync", "sync"),
}


def __getattr__(name: str) -> Any:
    if name not in _FACE:
        raise AttributeError(f"module 'sheetsync' has no attribute {name!r}")
    module, attribute = _FACE[name]
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


__all__ = [
    "ApproveResult",
    "ChannelFailed",
    "CheckResult",
    "Config",
    "ConfigError",
    "HeaderMissing",
    "ImportResult",
    "KpiReport",
    "ReconcileResult",
    "RunResult",
    "SheetsyncError",
    "TableLocked",
    "UnreadableInput",
    "ValidateResult",
    "approve",
    "check",
    "history",
    "import_",
    "load_config",
    "queue",
    "reconcile",
    "report",
    "sync",
    "unlock",
    "validate",
]
__version__ = "0.1.0"
