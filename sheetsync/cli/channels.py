"""`sheetsync channels test [NAME]`: what each channel would bring, asked without writing anything."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table as RichTable

from sheetsync.cli.common import ConfigOption, JsonOption, NowOption, emit_json, load, out, safe
from sheetsync.config import DEFAULT_CONFIG
from sheetsync.errors import EXIT_EXTERNAL, ConfigError
from sheetsync.i18n import Lang, t
from sheetsync.run import commands
from sheetsync.run.clock import parse_now


def channels(
    action: Annotated[str, typer.Argument(help="test: check each channel's credentials and read one page.")] = "test",
    name: Annotated[str | None, typer.Argument(help="Only this channel.")] = None,
    config: ConfigOption = Path(DEFAULT_CONFIG),
    json_out: JsonOption = False,
    now: NowOption = None,
) -> int:
    """Check the channels: an API channel's credentials, permissions and one page of its orders (how many, the newest
    update, the rate limit's state); a file channel's inbox.  Writes nothing.  Exit 5 when a channel fails."""
    loaded = load(config)
    if action != "test":
        raise ConfigError(t("channels.action", loaded.language, action=action))
    found = commands.test_channels(loaded, name, parse_now(now, loaded.tz))
    if json_out:
        emit_json(found)
    else:
        show_channels(out, found, loaded.language)
    return EXIT_EXTERNAL if any(not c["ok"] for c in found) else 0


def show_channels(console: Console, found: list[dict[str, Any]], lang: Lang) -> None:
    grid = RichTable(title=t("channels.title", lang), title_justify="left")
    for column in t("channels.columns", lang).split(","):
        grid.add_column(column)
    for c in found:
        orders = str(c["orders"]) if "orders" in c else t("channels.files", lang, n=c.get("files", 0))
        result = f"[green]{t('channels.ok', lang)}[/green]" if c["ok"] else f"[red]{t('channels.failed', lang)}[/red]"
        grid.add_row(safe(c["channel"]), c["kind"], result, orders if c["ok"] else "", safe(c.get("newest") or ""),
                     safe(c.get("rate") or ""), safe(c.get("problem") or ""))
    console.print(grid)
