"""The reports on the terminal (rich): reconcile's counts and first differences, the KPIs and the heat map."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from sheetsync.cli.common import safe
from sheetsync.i18n import Lang, t
from sheetsync.reports.kpi import KpiReport
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
        first = RichTable(title=t("reconcile.first", lang, n=min(n, SHOWN)), title_justify="left")
        names = headers(lang)
        wanted = [0, 1, 2, 4, 5, 6, 7, 8]  # kind, source, order_id, key, field, the two values, delta; --out has the rest
        for i in wanted:
            first.add_column(names[i], no_wrap=i in (2, 4), overflow="fold")
        for d in result.differences[:SHOWN]:
            values = cells(d, lang)
            first.add_row(*(safe(values[i]) for i in wanted))
        console.print(first)
    if result.rejected:
        console.print(f"[yellow]{t('reconcile.rejected', lang, n=len(result.rejected))}[/yellow]")
    if out:
        console.print(t("reconcile.written", lang, path=out))


def show_kpi(console: Console, report: KpiReport, lang: Lang) -> None:
    console.print(f"[bold]{t('kpi.title', lang, start=report.start, end=report.end, now=report.now)}[/bold]")
    if report.on_time:
        table = _table(t("kpi.on_time", lang), t("kpi.on_time.columns", lang))
        for o in report.on_time:
            table.add_row(t("kpi.all", lang) if o.channel == "*" else o.channel or "—", str(o.orders), str(o.on_time),
                          str(o.late), str(o.open), _percent(o.rate), _percent(o.window_rate))
        console.print(table)
    if report.states:
        table = _table(t("kpi.states", lang), t("kpi.states.columns", lang))
        for s in report.states:
            table.add_row(safe(s.state), str(s.stays), f"{s.median_hours:.2f}", f"{s.p90_hours:.2f}")
        console.print(table)
    if report.transitions:
        table = _table(t("kpi.transitions", lang), t("kpi.transitions.columns", lang))
        for x in report.transitions:
            table.add_row(safe(x.from_state), safe(x.to_state), str(x.count), f"{x.median_hours:.2f}", f"{x.p90_hours:.2f}")
        console.print(table)
    if report.heatmap_states:
        console.print(heatmap(report, lang))
    if report.anomalies:
        table = _table(t("kpi.anomalies", lang), t("kpi.anomalies.columns", lang))
        for a in report.anomalies:
            change = Text(f"{a.change:+d}", style="red" if a.change > 0 else "green" if a.change < 0 else "")
            table.add_row(a.code, str(a.count), str(a.previous), change, str(a.open_now))
        console.print(table)
    h = report.self_heal
    console.print(t("kpi.self_heal", lang, rate=_percent(h.rate), healed=h.healed, total=h.total, by_person=h.by_person,
                    still_open=h.still_open))
    if report.counts:
        table = RichTable(title=t("kpi.counts", lang), title_justify="left", show_header=False)
        for name, counts in report.counts.items():
            table.add_row(safe(name), safe(", ".join(f"{k or t('kpi.unassigned', lang)} {v}" for k, v in counts.items())
                                           or "-"))
        console.print(table)
    table = _table(t("kpi.stuck", lang), t("kpi.stuck.columns", lang))
    for stuck in report.stuck:
        table.add_row(safe(stuck.group or t("kpi.unassigned", lang)), str(stuck.orders), safe(", ".join(stuck.order_ids), 2000))
    if not report.stuck:
        table.add_row(t("kpi.none", lang), "0", "")
    console.print(table)


def heatmap(report: KpiReport, lang: Lang) -> RichTable:
    """States by hour of day, each cell coloured from white (none) to red (the busiest cell)."""
    grid = RichTable(title=t("kpi.heatmap", lang), title_justify="left", padding=(0, 0), box=None)
    grid.add_column(t("kpi.label.state", lang), no_wrap=True)
    for hour in range(24):
        grid.add_column(f"{hour:02d}", justify="right", width=4)
    top = max((v for row in report.heatmap for v in row), default=0.0) or 1.0
    for state, row in zip(report.heatmap_states, report.heatmap, strict=True):
        grid.add_row(safe(state), *(Text(f"{v:4.0f}" if v else "   ·", style=_heat(v / top)) for v in row))
    return grid


def _heat(share: float) -> str:
    """A background from pale yellow to deep red; dark text on light cells."""
    red, green, blue = 255, int(245 - 200 * share), int(220 - 200 * share)
    return f"{'white' if share > 0.6 else 'black'} on rgb({red},{max(green, 0)},{max(blue, 0)})"


def _table(title: str, columns: str) -> RichTable:
    table = RichTable(title=title, title_justify="left")
    for i, name in enumerate(columns.split(",")):
        table.add_column(name, justify="left" if i == 0 else "right")
    return table


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"
