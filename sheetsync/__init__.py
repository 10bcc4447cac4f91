"""sheetsync: a spreadsheet order table that people can trust.

The Python API is what the command line calls: `load_config`, `sync`, `check`, `history`.
"""

from sheetsync.config import Config, load_config
from sheetsync.errors import ChannelFailed, ConfigError, SheetsyncError, TableLocked, UnreadableInput
from sheetsync.run.sync import CheckResult, RunResult, check, history, sync

__all__ = [
    "ChannelFailed",
    "CheckResult",
    "Config",
    "ConfigError",
    "RunResult",
    "SheetsyncError",
    "TableLocked",
    "UnreadableInput",
    "check",
    "history",
    "load_config",
    "sync",
]
__version__ = "0.1.0"
