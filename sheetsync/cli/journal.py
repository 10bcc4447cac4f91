"""`sheetsync journal copy --to ...`: move a desk's journal between SQLite and PostgreSQL without losing history."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table as RichTable

from sheetsync.cli.common import ConfigOption, JsonOption, emit_json, load, out, safe
from sheetsync.config import DEFAULT_CONFIG
from sheetsync.errors import ConfigError
from sheetsync.i18n import Lang, t
from sheetsync.run import commands


def journal(
    action: Annotated[str, typer.Argument(help="copy: copy the desk's whole journal to --to, verified.")],
    to: Annotated[str, typer.Option("--to", help="postgresql://user@host/db, or a new SQLite file.")],
    desk: Annotated[str | None, typer.Option("--desk", help="The desk's name (schema) in PostgreSQL.")] = None,
    password_env: Annotated[str | None, typer.Option(
        "--password-env", help="The environment variable holding the PostgreSQL password.")] = None,
    config: ConfigOption = Path(DEFAULT_CONFIG),
    json_out: JsonOption = False,
) -> int:
    """Copy the desk's whole journal (every run, change, base value, key and cursor) to PostgreSQL or to a SQLite file,
    checked table by table (rows and checksums), under the desk's run lock.  The target must hold no runs.  The
    desk keeps its journal until you point `journal:` in sheetsync.yaml at the copy (the lines to use are printed)."""
    loaded = load(config)
    if action != "copy":
        raise ConfigError(t("journal.action", loaded.language, action=action))
    copied = commands.copy_journal(loaded, to, desk, password_env)
    if json_out:
        emit_json(copied)
    else:
        show_copy(out, copied, loaded.language)
    return 0


def show_copy(console: Console, copied: dict[str, Any], lang: Lang) -> None:
    grid = RichTable(title=t("journal.copied", lang, source=safe(copied["from"]), target=safe(copied["to"])),
                     title_justify="left")
    for column in t("journal.copied.columns", lang).split(","):
        grid.add_column(column)
    for table in copied["tables"]:
        grid.add_row(table["table"], str(table["rows"]), table["checksum"][:16])
    console.print(grid)
    console.print(t("journal.copied.use", lang), highlight=False)
    console.print(safe(copied["yaml"]).rstrip(), highlight=False, soft_wrap=True)
