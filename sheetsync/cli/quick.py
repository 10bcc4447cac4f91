"""The console's quick paths: a plain `sheetsync sync` on a desk the untouched run can answer (`run/untouched.py`),
and `sheetsync history ORDER_ID`, which needs only the journal.

It loads the configuration, the journal's last calm and the workbook's digest, and nothing of the pipeline (no
pandas, Arrow or DuckDB, and not the rest of the command line): a cron run every minute that finds nothing new costs
a fraction of a second.  Any other command or option, and any doubt at all (a configuration that does not load, a
journal it cannot read, a calm that does not hold), goes to the whole command line, which says what is wrong.  When
the run cannot stay untouched, the order sheet is read here first (`stores/xlsx/early.py`): the read's memory is
gone before the pipeline's libraries load.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from sheetsync.config import Config

FLAGS: Final = frozenset({"--json", "--strict", "--strict-alerts", "--force"})
VALUED: Final = frozenset({"-c", "--config", "--now", "--lang"})
HISTORY_FLAGS: Final = frozenset({"--json"})
HISTORY_VALUED: Final = frozenset({"-c", "--config", "--lang"})


def quick(args: list[str]) -> int | None:
    """The exit code of the command `args` answered on a quick path, or None: the whole command line runs it."""
    code = quick_sync(args)
    return quick_history(args) if code is None else code


def quick_sync(args: list[str]) -> int | None:
    """The exit code of `sheetsync sync ARGS` answered by the untouched run, or None: the whole command line runs."""
    options = _options(args, "sync", FLAGS, VALUED)
    return None if options is None else _quick(options, _answered)


def quick_history(args: list[str]) -> int | None:
    """The exit code of `sheetsync history ORDER_ID ARGS`, or None: the whole command line runs (and says what is
    wrong: a configuration that does not load, a journal it cannot read)."""
    options = _options(args, "history", HISTORY_FLAGS, HISTORY_VALUED, positional=True)
    return None if options is None else _quick(options, _history)


def _quick(options: dict[str, str], answer: Callable[[dict[str, str]], int | None]) -> int | None:
    from sheetsync.i18n import ask_lang, unask

    asked = options.get("--lang") or os.environ.get("SHEETSYNC_LANG", "").lower()[:2]
    token = ask_lang("en" if asked == "en" else "zh" if asked == "zh" else None)
    try:
        return answer(options)
    except Exception:  # whatever it is, the whole command line meets it again and says it
        return None
    finally:
        unask(token)


def _options(args: list[str], command: str, flags: frozenset[str], valued: frozenset[str], *,
             positional: bool = False) -> dict[str, str] | None:
    """`command`'s options as given (`--json`: ""; its one argument under ""), or None when anything else is asked
    (another command, --dry-run, --help, an option of the future)."""
    if not args or args[0] != command:
        return None
    out: dict[str, str] = {}
    rest = iter(args[1:])
    for word in rest:
        name, equals, value = word.partition("=")
        if name in flags and not equals:
            out[name] = ""
        elif name in valued:
            if not equals:
                value = next(rest, "")
            if not value or value.startswith("-"):
                return None
            out["--config" if name == "-c" else name] = value
        elif positional and "" not in out and word and not word.startswith("-"):
            out[""] = word
        else:
            return None
    if positional and "" not in out:
        return None
    return out


def _history(options: dict[str, str]) -> int:
    from sheetsync.cli.common import emit_json, load, out, shown
    from sheetsync.cli.render import history_json, show_history
    from sheetsync.config import DEFAULT_CONFIG
    from sheetsync.errors import EXIT_USAGE
    from sheetsync.run.history import history

    config = load(Path(options.get("--config", DEFAULT_CONFIG)))
    order_id = options[""]
    entries = history(config, order_id)
    # answered: from here nothing goes back to the whole command line, which would answer a second time
    if "--json" in options:
        shown(lambda: emit_json(history_json(entries)))
    else:
        shown(lambda: show_history(out, order_id, entries, config.language))
    return 0 if entries else EXIT_USAGE


def _answered(options: dict[str, str]) -> int | None:
    from sheetsync.cli.common import emit_json, load, out, shown
    from sheetsync.cli.render import show_sync
    from sheetsync.config import DEFAULT_CONFIG
    from sheetsync.run.clock import parse_now
    from sheetsync.run.untouched import rest

    config = load(Path(options.get("--config", DEFAULT_CONFIG)))
    result = rest(config, parse_now(options.get("--now"), config.tz), strict="--strict" in options,
                  strict_alerts="--strict-alerts" in options)
    if result is None:
        if config.table.backend == "xlsx" and not _held(config):  # the full path follows: its read, first
            from sheetsync.stores.xlsx.early import read_early

            read_early(config.workbook_path, config.table.sheet, config.language)
        return None
    # the untouched run is recorded: from here nothing goes back to the whole command line, which would run again
    logging.getLogger("sheetsync").info("sync untouched: the workbook and the inputs are as the last run left them")
    if "--json" in options:
        shown(lambda: emit_json(result.to_dict()))
    else:
        shown(lambda: show_sync(out, result, config.language))
    return result.exit_code


def _held(config: Config) -> bool:
    """Whether another run holds the desk's run lock (a SQLite journal's): the full path then stops at the lock
    (exit 4), and reading the sheet first would be for nothing."""
    if config.journal_in_postgres is not None:
        return False
    from sheetsync.errors import TableLocked
    from sheetsync.runtime.locks import RunLock

    try:
        with RunLock(config.state_dir, config.language):
            return False
    except TableLocked:
        return True

