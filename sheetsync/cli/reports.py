"""The report commands, `reconcile` and `report`: parse, call the library, render, return the exit code.

Registered by `sheetsync.cli` (`app.command("reconcile")(reconcile_command)`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer

from sheetsync.cli.common import ConfigOption, JsonOption, NowOption, emit_json, load
from sheetsync.cli.common import out as console
from sheetsync.cli.render_reports import show_group, show_kpi, show_reconcile
from sheetsync.config import DEFAULT_CONFIG
from sheetsync.errors import ConfigError
from sheetsync.i18n import Lang, default_lang, t
from sheetsync.reports import kpi, reconcile
from sheetsync.reports.group import group_report, write_group_book
from sheetsync.reports.reconcile_out import write_result
from sheetsync.run.clock import parse_now
from sheetsync.run.commands import write_dashboard

FromOption = Annotated[str | None, typer.Option("--from", help="First day (2026-11-01) or time of the period.")]
ToOption = Annotated[str | None, typer.Option("--to", help="Last day of the period (included), or the time it ends.")]


def reconcile_command(
    against: Annotated[list[str], typer.Option(
        "--against", "-a",
        help="A source: a channel or logistics name of the configuration (douyin), or MAPPING=FILE or a glob "
             "(finance=exports/fin.xlsx). Repeatable.")],
    config: ConfigOption = Path(DEFAULT_CONFIG),
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write every difference to FILE.xlsx, .csv or .json.")] = None,
    json_out: JsonOption = False,
    tolerance: Annotated[str, typer.Option("--tolerance", help="Largest amount difference taken as equal (0.01).")] = "0",
    start: FromOption = None,
    end: ToOption = None,
    now: NowOption = None,
) -> int:
    """Compare the sheet with shop exports, finance exports and carrier files; exit 3 when they differ. Writes nothing
    but --out."""
    loaded = load(config)
    lang = loaded.language
    window = _window(start, end, lang)
    result = reconcile.reconcile(loaded, against, tolerance=_amount(tolerance, lang), now=parse_now(now, loaded.tz),
                                 window=window if start or end else None)
    written = write_result(result, out, lang) if out else None
    if json_out:
        emit_json(result.to_dict())
    else:
        show_reconcile(console, result, lang, str(written) if written else None)
    return result.exit_code


def report_command(
    targets: Annotated[list[str] | None, typer.Argument(
        help="With --desks: the desks' sheetsync.yaml files, or a postgresql:// database (every desk in it).",
        show_default=False)] = None,
    desks: Annotated[bool, typer.Option(
        "--desks", help="Several desks side by side: orders, urgent share, on-time rate, hours to ship, backlog past "
                        "SLA, anomaly and return rates.")] = False,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="With --desks: write the side-by-side KPIs and a chart to a new FILE.xlsx (sheet 看板).")]
    = None,
    password_env: Annotated[str | None, typer.Option(
        "--password-env", help="With --desks postgresql://...: the variable holding the password.")] = None,
    config: ConfigOption = Path(DEFAULT_CONFIG),
    start: FromOption = None,
    end: ToOption = None,
    now: NowOption = None,
    json_out: JsonOption = False,
    dashboard: Annotated[bool, typer.Option(
        "--dashboard", help="Write the KPIs and native charts to the workbook's own sheet 看板 (replaced on each run).")] = False,
    png: Annotated[Path | None, typer.Option("--png", help="Write the heat map and the on-time chart as PNG files to DIR.")]
    = None,
) -> int:
    """KPIs: on-time delivery, time in each state, the backlog heat map, anomaly reasons, orders past their SLA.
    With --desks, several desks side by side."""
    if desks or targets:
        if dashboard or png is not None:  # a group's 看板 belongs to no one desk's workbook
            raise ConfigError(t("group.dashboard", default_lang()))
        return _group(targets or [], start, end, now, json_out, out, password_env)
    loaded = load(config)
    lang = loaded.language
    clock = parse_now(now, loaded.tz)
    first, last = _window(start, end, lang, default_end=clock)
    result = kpi.report(loaded, start=first if start else None, end=last if end else None, now=clock)
    notes = []
    if dashboard:
        sheet = write_dashboard(loaded, result, clock)
        notes.append(t("kpi.dashboard", lang, path=loaded.table_where, sheet=sheet))
    if png is not None:
        from sheetsync.reports.charts_png import write_pngs

        paths = write_pngs(result, png, lang)
        notes.append(t("kpi.png", lang, paths=", ".join(str(p) for p in paths)))
    if json_out:
        emit_json(result.to_dict())
    else:
        show_kpi(console, result, lang)
        for note in notes:
            console.print(note, markup=False, highlight=False)  # paths as typed: `img[charts]` is no markup
    return 0


def _group(targets: list[str], start: str | None, end: str | None, now: str | None, json_out: bool, out: Path | None,
           password_env: str | None) -> int:
    """`report --desks`: the group view."""
    lang = default_lang()
    if not targets:
        raise ConfigError(t("group.usage", lang))
    clock = parse_now(now)
    first, last = _window(start, end, lang, default_end=clock)
    result = group_report(targets, first, last, clock, lang, password_env)
    if not result.desks:
        raise ConfigError(t("group.none", lang, targets=", ".join(targets)))
    written = write_group_book(result, out, lang) if out is not None else None
    if json_out:
        emit_json(result.to_dict())
    else:
        show_group(console, result, lang)
        if written is not None:
            console.print(t("group.written", lang, path=written), markup=False, highlight=False)
    return 0


def _window(start: str | None, end: str | None, lang: Lang,
            default_end: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) from --from / --to: a date alone starts at midnight, and --to's date is included whole."""
    last = _when(end, "--to", lang, whole_day=True) if end else (default_end or dt.datetime.max)
    first = _when(start, "--from", lang) if start else (last - dt.timedelta(days=7) if default_end else dt.datetime.min)
    return first, last


def _when(text: str, option: str, lang: Lang, whole_day: bool = False) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(t("reconcile.bad_date", lang, option=option, value=text)) from None
    if whole_day and len(text.strip()) == 10:
        value += dt.timedelta(days=1)
    return value.replace(tzinfo=None)


def _amount(text: str, lang: Lang) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ConfigError(t("reconcile.bad_tolerance.text", lang, value=text)) from None
    if not value.is_finite():
        raise ConfigError(t("reconcile.bad_tolerance.text", lang, value=text))
    return value
