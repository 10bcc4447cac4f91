"""The commands that make a desk: `init` (a new one, or `--from` a team's own workbook) and `demo`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table as RichTable

import sheetsync
from sheetsync.cli import render
from sheetsync.cli.common import ConfigOption, JsonOption, LangOption, emit_json, load, out, parse_lang, safe
from sheetsync.cli.importing import basis
from sheetsync.config import DEFAULT_CONFIG, load_preset
from sheetsync.desk.adopt import AdoptResult, adopt_workbook
from sheetsync.desk.aftersales import add_aftersales
from sheetsync.desk.gsheet import adopt_gsheet, init_gsheet
from sheetsync.desk.new import DEMO_NOW, copy_demo, init_desk
from sheetsync.errors import ConfigError
from sheetsync.i18n import Lang, default_lang, t
from sheetsync.run.clock import parse_now


def init(
    directory: Annotated[Path, typer.Argument(help="Where to create the desk.")] = Path("."),
    lang: LangOption = "zh",
    from_: Annotated[Path | None, typer.Option("--from", help="Adopt this existing .xlsx order workbook as it is.")] = None,
    gsheet: Annotated[str | None, typer.Option(
        "--gsheet", help="Set up the order tab (created if missing) of this existing Google Sheet (its address or id) "
        "and write sheetsync.yaml for it.")] = None,
    from_gsheet: Annotated[str | None, typer.Option(
        "--from-gsheet", help="Adopt this existing Google Sheet (its address or id) as it is; sheetsync.yaml goes in "
        "DIRECTORY.")] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="With --from / --gsheet: the order sheet (tab).")] = None,
    endpoint: Annotated[str | None, typer.Option(
        "--endpoint",
        help="With --gsheet / --from-gsheet: the Sheets API's base URL (default https://sheets.googleapis.com).")] = None,
    credentials_env: Annotated[str | None, typer.Option(
        "--credentials-env",
        help="With --gsheet / --from-gsheet: the environment variable holding the service account key file's path "
        "(default GOOGLE_APPLICATION_CREDENTIALS).")] = None,
    add_columns: Annotated[bool, typer.Option("--add-columns", help="With --from: append missing columns at the right.")] = False,
    header_row: Annotated[int | None, typer.Option("--header-row", min=1,
                                                   help="With --from: the row holding the headers (1 = the first).")] = None,
    order_id_column: Annotated[str | None, typer.Option("--order-id-column",
                                                        help="With --from: your own order number column.")] = None,
    add_sheet: Annotated[str | None, typer.Option(
        "--add-sheet", help="Add a sheet to the desk of --config: after-sales (the after-sales sheet and its reason "
        "lists).")] = None,
    config: ConfigOption = Path(DEFAULT_CONFIG),
    json_out: JsonOption = False,
) -> int:
    """Create a new order desk, or with --from adopt an existing workbook (sheetsync.yaml beside it)."""
    language = parse_lang(lang)
    if add_sheet is not None:
        if add_sheet != "after-sales":
            raise ConfigError(t("init.add_sheet.unknown", language, name=add_sheet), t("init.add_sheet.hint", language))
        added = add_aftersales(config, dt.datetime.now())
        if json_out:
            emit_json({"added": added, "config": str(config)})
        else:
            said = t("init.add_sheet.done" if added else "init.add_sheet.config_only", language,
                     sheets=t("rule.list", language).join(added), config=safe(str(config)))
            out.print(f"[green]✓[/green] {said}", highlight=False)
        return 0
    if sum(x is not None for x in (gsheet, from_gsheet, from_)) > 1:
        raise ConfigError(t("init.gsheet.both", language))
    if from_gsheet is not None:
        return _shown(adopt_gsheet(directory, from_gsheet, language, sheet=sheet, endpoint=endpoint,
                                   credentials_env=credentials_env, add_columns=add_columns, header_row=header_row,
                                   order_id_column=order_id_column), language, json_out)
    if gsheet is not None:
        made = init_gsheet(directory, gsheet, language, sheet=sheet, endpoint=endpoint, credentials_env=credentials_env)
        if json_out:
            emit_json(made.to_dict())
        else:
            said = t("init.gsheet.done", language, where=safe(made.spreadsheet), config=safe(made.config),
                     sheets=t("rule.list", language).join(made.added + made.formatted))
            out.print(f"[green]✓[/green] {said}", highlight=False)
            out.print(t("init.gsheet.next", language, var=credentials_env or "GOOGLE_APPLICATION_CREDENTIALS"), style="dim")
        return 0
    if from_ is not None:
        return _shown(adopt_workbook(from_, sheet=sheet, add_columns=add_columns, lang=language, header_row=header_row,
                                     order_id_column=order_id_column), language, json_out)
    for path in init_desk(directory, language):
        out.print(f"  {path}")
    out.print(t("init.done", language, dir=directory))
    return 0


def demo(
    directory: Annotated[Path, typer.Argument(help="Where to copy the example desk.")] = Path("sheetsync-demo"),
    json_out: JsonOption = False,
    now: Annotated[str | None, typer.Option(
        "--now", help=f"The demo run's clock, ISO 8601; by default the morning after its data, {DEMO_NOW}.")] = None,
) -> int:
    """Copy the bundled example desk to a new folder and run a sync on it."""
    lang = default_lang()
    config_file = copy_demo(directory, lang)
    config = load(config_file)
    clock = parse_now(now or DEMO_NOW, config.tz)
    if not json_out:
        out.print(t("demo.copied", config.language, dir=directory, now=clock.strftime("%Y-%m-%d %H:%M")))
    result = sheetsync.sync(config, now=clock)
    if json_out:
        emit_json(result.to_dict())
    else:
        render.show_sync(out, result, config.language)
    return result.exit_code


def _shown(result: AdoptResult, language: Lang, json_out: bool) -> int:
    """What adopting a team's workbook or Google Sheet found and wrote, as JSON or for a person."""
    if json_out:
        emit_json(result.to_dict())
    else:
        show_adopt(out, result, language)
    return 0


def show_adopt(console: Console, result: AdoptResult, lang: Lang) -> None:
    shown = result.workbook if result.workbook.startswith("https://") else Path(result.workbook).name
    grid = RichTable(title=t("adopt.title", lang, path=shown, sheet=result.sheet, row=result.header_row),
                     title_justify="left")
    for name in t("adopt.columns", lang).split(","):
        grid.add_column(name)
    for c in result.columns:
        if c["field"]:
            grid.add_row(safe(c["header"]), c["field"], basis(c, lang), f"{c['confidence']:.2f}")
    console.print(grid)
    if result.order_id_column:
        console.print(t("adopt.order_id", lang, header=result.order_id_column), highlight=False)
    if result.next_id:
        console.print(t("adopt.id_format", lang, example=result.next_id), highlight=False)
    if result.timezone:
        console.print(t("adopt.timezone", lang, zone=result.timezone), highlight=False)
    if result.statuses:
        pairs = "、".join(f"{word}={key}" for word, key in result.statuses.items())
        console.print(t("adopt.statuses", lang, pairs=pairs), highlight=False)
    if result.unknown_statuses:
        console.print(f"[yellow]{t('adopt.unknown_statuses', lang, words='、'.join(result.unknown_statuses))}[/yellow]",
                      highlight=False)
    if result.unmatched:
        console.print(t("adopt.unmatched", lang, headers=", ".join(result.unmatched)), highlight=False)
    if result.repeated:
        console.print(f"[yellow]{t('adopt.repeated', lang, headers=', '.join(result.repeated))}[/yellow]", highlight=False)
    for what in result.guards:
        said = t("adopt.guarded", lang, what=t(f"adopt.guard.{what}", lang, sheet=result.sheet), key=f"allow_{what}")
        console.print(f"[yellow]{said}[/yellow]", highlight=False)
    if result.unnamed:
        console.print(f"[yellow]{t('adopt.unnamed', lang, columns=', '.join(result.unnamed))}[/yellow]", highlight=False)
    if result.added:
        console.print(f"[green]{t('adopt.added', lang, headers=', '.join(result.added))}[/green]", highlight=False)
    if result.missing:
        preset = load_preset(lang)
        headline = "adopt.not_added" if result.guards else "adopt.missing"
        console.print(f"[yellow]{t(headline, lang, headers=', '.join(preset[f] for f in result.missing))}[/yellow]",
                      highlight=False)
        for loss in result.losses.values():
            console.print(f"  [yellow]·[/yellow] {loss}", highlight=False)
        if "order_id" in result.missing:
            console.print(f"[red]{t('adopt.no_order_id', lang, sheet=result.sheet)}[/red]", highlight=False)
            console.print(t("adopt.no_order_id.hint", lang), style="dim", highlight=False)
    console.print(f"[green]✓[/green] {t('adopt.written', lang, path=result.config)}")
    console.print(t("adopt.next", lang, config=result.config), style="dim")
