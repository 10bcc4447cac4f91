"""The command line.

`run` is the console script.  A plain `sheetsync sync` first tries the untouched run (`cli/quick.py`): a cron run that
finds everything as the last run left it is answered in a fraction of a second, before the rest of the command line
and the pipeline's libraries are loaded; `sheetsync history ORDER_ID` is answered there too, from the journal alone.
Everything else is the whole command line (`cli/console.py`: `app`, and
`main`, the one place that turns a SheetsyncError into a message and an exit code).
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from typing import Any


def main(argv: list[str] | None = None) -> None:
    """Entry point: run a command and exit with its code (`cli/console.py`)."""
    from sheetsync.cli.console import main as whole

    whole(argv)


def run() -> None:
    """The console script: the quick path of an untouched `sync`, else the whole command line; then leave without
    the interpreter's teardown (`console.run`)."""
    from sheetsync.cli.quick import quick

    code = quick(sys.argv[1:])
    if code is None:
        from sheetsync.cli.console import run as whole

        whole()
    else:
        leave(code)


def leave(code: int) -> None:
    """Exit with `code` without the interpreter's teardown of pandas, Arrow and DuckDB (about 0.3 s, paid by every
    cron run); by then every file is written, synced and closed."""
    logging.shutdown()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe (`| head`): nothing more to say anyway
        pass
    os._exit(code)


def __getattr__(name: str) -> Any:
    """`app` and the rest of the whole command line, loaded when asked for."""
    if name.startswith("__") or name == "console":
        raise AttributeError(name)
    return getattr(importlib.import_module("sheetsync.cli.console"), name)
