"""The reports on the terminal (rich): reconcile's counts and first differences, the KPIs and the heat map."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from sheetsync.cli.common import safe
from sheetsync.cli.fit import show_rows, wrap
from sheetsync.i18n import Lang, code_said, field_said, t
from sheetsync.reports.aftersales import AftersalesReport
from sheetsync.reports.group import ROWS as GROUP_ROWS
from sheetsync.reports.group import GroupReport
from sheetsync.reports.group import figure as group_figure
from sheetsync.reports.kpi import KpiReport, cannot_say
from sheetsync.reports.reconcile import KINDS, ReconcileResult
from sheetsync.reports.reconcile_out import cells, headers

SHOWN = 20
"""How many differences the terminal lists; the --out file has them all."""


def show_reconcile(console: Console, result: ReconcileResult, lang: Lang, out: str | None = None) -> None:
    n = len(result.differences)
    grid = RichTable(title=t("reconcile.title", lang, rows=result.rows, n=n), title_justify="left", show_header=False)
    grid.add_column(style="bold")
    grid.add_column(justify="right")
    for kind in KINDS:
        count = result.counts.get(kind, 0)
        grid.add_row(t(f"reconcile.kind.{kind}", lang), Text(str(count), style="red" if count else "green"))
    console.print(grid)
    if result.totals:
        totals = RichTable(title=t("reconcile.totals", lang), title_justify="left")
        for name in ("source", "channel", "orders", "desk_paid", "source_paid", "difference"):
            totals.add_column(t(f"reconcile.total.{name}", lang), justify="right" if name != "source" else "left")
        for x in result.totals:
            style = "red" if x.difference != "0" else ""
            totals.add_row(safe(x.source), safe(x.channel or "—"), str(x.orders), x.desk_paid, x.source_paid,
                           Text(x.difference, style=style))
        console.print(totals)
    if not n:
        console.print(f"[green]✓[/green] {t('reconcile.none', lang)}")
    else:
        names = headers(lang)
        wanted = [0, 1, 2, 4, 5, 6, 7, 8]  # kind, source, order_id, key, field, the two values, delta; --out has the rest
        shown = [cells(d, lang) for d in first_of_each_kind(result.differences, SHOWN)]
        show_rows(console, t("reconcile.first", lang, n=len(shown)), [names[i] for i in wanted],
                  [[safe(values[i]) for i in wanted] for values in shown], wraps=(5, 6), right=(7,), lead=3)
    if result.rejected:
        console.print(f"[yellow]{t('reconcile.rejected', lang, n=len(result.rejected))}[/yellow]")
    if out:
        console.print(t("reconcile.written", lang, path=out))


def first_of_each_kind(differences: list[Any], most: int) -> list[Any]:
    """Up to `most` differences, every kind among them: taken in turns, one of each kind, so that twenty
    missing orders never hide the one amount that differs."""
    by_kind: dict[str, list[Any]] = {}
    for d in differences:
        by_kind.setdefault(d.kind, []).append(d)
    picked: list[Any] = []
    while len(picked) < most and any(by_kind.values()):
        for items in by_kind.values():
            if items and len(picked) < most:
                picked.append(items.pop(0))
    order = {id(d): i for i, d in enumerate(differences)}
    return sorted(picked, key=lambda d: order[id(d)])


def show_kpi(console: Console, report: KpiReport, lang: Lang) -> None:
    console.print(f"[bold]{t('kpi.title', lang, start=report.start, end=report.end, now=report.now)}[/bold]")
    for kpi in report.cannot:  # a KPI the sheet cannot give is said, never shown as 0 %
        console.print(cannot_say(report, kpi, lang) or kpi, style="yellow", markup=False, highlight=False)
    if report.on_time:
        _figures(console, "kpi.on_time", lang, [
            [t("kpi.all", lang) if o.channel == "*" else safe(o.channel or "—"), str(o.orders), str(o.on_time),
             str(o.late), str(o.open), _percent(o.rate), _percent(o.window_rate)] for o in report.on_time])
    if report.states:
        _figures(console, "kpi.states", lang, [[safe(s.state), str(s.stays), f"{s.median_hours:.2f}", f"{s.p90_hours:.2f}"]
                                               for s in report.states])
    if report.transitions:
        _figures(console, "kpi.transitions", lang, [
            [safe(x.from_state), safe(x.to_state), str(x.count), f"{x.median_hours:.2f}", f"{x.p90_hours:.2f}"]
            for x in report.transitions], words=2)
    if report.heatmap_states:
        for part in heatmap(report, lang, console.width):
            console.print(part)
    if report.anomalies:
        _figures(console, "kpi.anomalies", lang, [
            [a.code, code_said(a.code, lang), str(a.count), str(a.previous),
             Text(f"{a.change:+d}", style="red" if a.change > 0 else "green" if a.change < 0 else ""), str(a.open_now)]
            for a in report.anomalies], words=2)
    h = report.self_heal
    said = t("kpi.self_heal", lang, rate=_percent(h.rate), healed=h.healed, total=h.total, by_person=h.by_person,
             still_open=h.still_open)
    console.print(said + (t("kpi.self_heal.by_config", lang, n=h.by_config) if h.by_config else ""), highlight=False)
    if any(report.counts.values()):
        table = RichTable(title=t("kpi.counts", lang), title_justify="left", show_header=False)
        names = {name: safe(field_said(name, lang)) for name in report.counts}
        room = max(console.width - max(cell_len(n) for n in names.values()) - 7, 16)  # the borders and padding
        for name, counts in report.counts.items():
            shown = t("rule.list", lang).join(f"{k or t('kpi.unassigned', lang)} {v}" for k, v in counts.items())
            table.add_row(names[name], Text("\n".join(wrap(safe(shown or "-"), room))))
        console.print(table)
    elif report.counts:
        console.print(t("kpi.counts.none", lang))
    stuck_rows: list[list[str | Text]] = [[safe(s.group or t("kpi.unassigned", lang)), str(s.orders),
                                           safe(", ".join(s.order_ids), 2000)] for s in report.stuck]
    if stuck_rows:
        show_rows(console, t("kpi.stuck", lang), t("kpi.stuck.columns", lang).split(","), stuck_rows, wraps=(2,),
                  right=(1,))
    else:
        console.print(f"[green]✓[/green] {t('kpi.stuck.none', lang)}")
    if report.aftersales is not None:
        show_aftersales(console, report.aftersales, lang)


def show_aftersales(console: Console, a: AftersalesReport, lang: Lang) -> None:
    """The after-sales figures: the headline, return rates by channel, SKU and warehouse, reasons, time to close."""
    console.print(f"[bold]{t('kpi.as.title', lang)}[/bold]")
    if "return_rate" in a.cannot:
        console.print(t("kpi.as.cannot", lang, fields=", ".join(a.cannot["return_rate"])), style="yellow", markup=False,
                      highlight=False)
    console.print(t("kpi.as.summary", lang, tickets=a.tickets, shipped=a.shipped, rate=_percent(a.rate), open=a.open,
                    past=a.past_sla, closed=a.closed, median=_hours(a.close_median_hours),
                    p90=_hours(a.close_p90_hours), refunded=a.refunded, other=_percent(a.other_share)),
                  highlight=False, markup=False)
    for key, rates in (("kpi.as.by_channel", a.by_channel), ("kpi.as.by_sku", a.by_sku),
                       ("kpi.as.by_warehouse", a.by_warehouse)):
        if rates:
            _figures(console, key, lang, [[safe(r.group), str(r.tickets), str(r.orders), _percent(r.rate)] for r in rates])
    if a.reasons:
        _figures(console, "kpi.as.reasons", lang, [
            [safe(r.reason) if r.sub_reason is None else "", safe(r.sub_reason or ""), str(r.tickets), _percent(r.share),
             _percent(r.rate)]
            for r in a.reasons], words=2)


def _hours(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def heatmap(report: KpiReport, lang: Lang, width: int = 200) -> list[RichTable]:
    """States by hour of day, each cell coloured from white (none) to red (the busiest cell): one table of the 24
    hours when the terminal is wide enough, else the day in blocks (12, 8, 6 ... hours) one under the other, so
    that no state name and no figure is cut."""
    label = t("kpi.label.state", lang)
    names = [safe(s) for s in report.heatmap_states]
    first = max([cell_len(label), *(cell_len(Text.from_markup(n).plain) for n in names)]) + 1
    hours = next((n for n in (24, 12, 8, 6, 4, 3, 2, 1) if first + n * _CELL <= width), 1)
    top = max((v for row in report.heatmap for v in row), default=0.0) or 1.0
    tables = []
    for start in range(0, 24, hours):
        title = t("kpi.heatmap", lang) if start == 0 else None
        grid = RichTable(title=title, title_justify="left", padding=(0, 0), box=None)
        grid.add_column(label, no_wrap=True, min_width=first)
        for hour in range(start, start + hours):
            grid.add_column(f"{hour:02d}", justify="right", width=_CELL, no_wrap=True)
        for name, row in zip(names, report.heatmap, strict=True):
            grid.add_row(name, *(Text(_hour_cell(v), style=_heat(v / top)) for v in row[start:start + hours]))
        tables.append(grid)
    return tables


_CELL = 4
"""Columns of one hour's cell in the heat map: a figure up to 999 and a space."""


def _hour_cell(value: float) -> str:
    """An hour's average: `·` for none, one decimal under 10 (0.3 is no 0), whole above."""
    if not value:
        return " " * (_CELL - 1) + "·"
    return f"{value:{_CELL}.1f}" if value < 9.95 else f"{value:{_CELL}.0f}"


def _heat(share: float) -> str:
    """A background from pale yellow to deep red; dark text on light cells."""
    red, green, blue = 255, int(245 - 200 * share), int(220 - 200 * share)
    return f"{'white' if share > 0.6 else 'black'} on rgb({red},{max(green, 0)},{max(blue, 0)})"


def _figures(console: Console, key: str, lang: Lang, rows: list[list[str | Text]], words: int = 1) -> None:
    """A KPI table: its first `words` columns are names, the rest figures (right-aligned)."""
    headers = t(f"{key}.columns", lang).split(",")
    show_rows(console, t(key, lang), headers, rows, right=range(words, len(headers)), lead=words)


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def show_group(console: Console, report: GroupReport, lang: Lang) -> None:
    """The group view: a line per KPI, a column per desk; what a desk's sheet cannot give is said under it."""
    grid = RichTable(title=t("group.title", lang, start=report.start, end=report.end, now=report.now),
                     title_justify="left")
    grid.add_column(t("group.kpi", lang))
    for desk in report.desks:
        grid.add_column(safe(desk.desk), justify="right")
    for name, kind in GROUP_ROWS:
        cells = []
        for desk in report.desks:
            value = group_figure(desk, name)
            cells.append("—" if value is None else _percent(float(value)) if kind == "percent"
                         else f"{value:.1f}" if kind == "hours" else str(value))
        grid.add_row(t(f"group.{name}", lang), *cells)
    console.print(grid)
    for desk in report.desks:
        for kpi, fields in desk.cannot.items():
            console.print(t("group.cannot", lang, desk=desk.desk, kpi=t(f"group.{kpi}", lang),
                            fields=("、" if lang == "zh" else ", ").join(field_said(f, lang) for f in fields)),
                          style="yellow", markup=False, highlight=False)
