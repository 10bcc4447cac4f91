"""sheetsync: a spreadsheet order table that people can trust.

The library's one face: every command of the CLI is one of these functions, and returns its result as data
(`to_dict()` is what `--json` prints; `exit_code` is what cron sees).  Errors are `SheetsyncError`s, each
with its exit code.

    config = load_config("sheetsync.yaml")
    result = sync(config, dry_run=True)
"""

from sheetsync.config import Config, load_config
from sheetsync.errors import (
    ChannelFailed,
    ConfigError,
    HeaderMissing,
    SheetsyncError,
    TableLocked,
    UnreadableInput,
)
from sheetsync.importing.importer import ImportResult
from sheetsync.importing.importer import import_files as import_
from sheetsync.reports.kpi import KpiReport, report
from sheetsync.reports.reconcile import ReconcileResult, reconcile
from sheetsync.run.commands import ApproveResult
from sheetsync.run.commands import approve_orders as approve
from sheetsync.run.commands import queues as queue
from sheetsync.run.commands import unlock_order as unlock
from sheetsync.run.inspect import CheckResult, ValidateResult, check, history, validate
from sheetsync.run.sync import RunResult, sync

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
