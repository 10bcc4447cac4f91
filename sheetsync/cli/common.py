"""What every command module shares: the consoles, the common options, loading the desk, printing JSON.

A command parses its flags, calls the library (`sheetsync`), renders the result with these and
returns its exit code; `cli.main` turns a `SheetsyncError` into a message and its exit code.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from sheetsync.config import Config, load_config
from sheetsync.i18n import Lang, asked_lang, default_lang, field_said, t
from sheetsync.runtime.logs import log_to_state_dir

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

ConfigOption = Annotated[Path, typer.Option("--config", "-c", help="The desk's sheetsync.yaml.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout and nothing else.")]
LangOption = Annotated[str, typer.Option("--lang", help="zh or en.")]
NowOption = Annotated[str | None, typer.Option("--now", help="The run's clock, ISO 8601 (tests, replays).")]
ForceOption = Annotated[bool, typer.Option("--force", help="Write even if a lock file says the workbook is open.")]

log_file: list[Path] = []
"""The log file of the desk the command loaded (its last entry), named when a bug is reported."""
desk_lang: list[Lang] = []
"""The language of the desk the command loaded (its last entry): errors are shown in it."""


def load(path: Path) -> Config:
    """The desk's configuration, with its log file set up: every command that reads a desk starts here."""
    config = load_config(path)
    log_file[:] = [log_to_state_dir(config.state_dir)]
    desk_lang[:] = [config.sheet_language]
    return config


def shown_lang() -> Lang:
    """The language messages are shown in: `--lang`, else SHEETSYNC_LANG, else the loaded desk's `lang:`, else the
    locale's (LC_ALL, LANG), else Chinese.  The sheet's own words (headers, flags) are the desk's whatever this is."""
    return asked_lang() or (desk_lang[-1] if desk_lang else default_lang())


def emit_json(data: Any) -> None:
    """One JSON document on stdout (`--json`): nothing else is printed there."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def parse_lang(value: str) -> Lang:
    if value not in ("zh", "en"):
        raise typer.BadParameter("zh | en", param_hint="--lang")
    return "en" if value == "en" else "zh"


def show_placement(console: Console, folded: dict[str, int], unplaced: dict[str, int], filled: dict[str, int],
                   lang: Lang) -> None:
    """Where a run put what the sheet has no column for: folded into another column, kept in the journal, filled
    into a column added since (each `省份 13、城市 13`: a field by its name in `lang`, with its count)."""
    for key, counts, style in (("report.folded", folded, ""), ("report.unplaced", unplaced, "yellow"),
                               ("report.filled", filled, "")):
        if counts:
            named = "、".join(f"{field_said(f, lang)} {n}" for f, n in counts.items())
            console.print(t(key, lang, fields=named), style=style or None, highlight=False)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
SHOWN_CHARACTERS = 300
"""The most characters of one value echoed to the terminal (a 20-million-character cell is not printed whole)."""


def safe(value: object, limit: int = SHOWN_CHARACTERS) -> str:
    """A value from a file, a channel or the configuration as printed: control characters shown as `\\x01`, cut at
    `limit` characters, and escaped so that `[red]` or `[/x]` in it is text, never terminal markup."""
    text = "" if value is None else str(value)
    text = _CONTROL.sub(lambda found: f"\\x{ord(found.group()):02x}", text)
    if len(text) > limit:
        text = f"{text[:limit]}…(+{len(text) - limit})"
    return escape(text)


def shown(render_it: Callable[[], None]) -> None:
    """Print a result; a failure while printing (a terminal that cannot show a character, a closed pipe) never
    changes the exit code of a run that is done: it is logged, and one plain line says where the result is."""
    try:
        render_it()
    except Exception as exc:  # the run is committed: its exit code stands
        logging.getLogger("sheetsync").warning("could not print the result: %s", exc, exc_info=exc)
        err.print(f"! {type(exc).__name__}: {str(exc)[:300]}", markup=False, highlight=False)
