"""`sheetsync report --dashboard`: the KPIs, the heat map as a coloured grid and native charts, on a sheet
the tool owns inside the person's workbook (看板 / Dashboard), replaced on every run.

The sheet is made by XlsxWriter (its chart XML is what Excel itself accepts) in a workbook of its own,
then the store adds its parts to the person's package (`stores/xlsx/embed.py`, `XlsxStore.put_sheet`):
every part of theirs is copied byte for byte except the four that must list the new sheet (workbook,
its relationships, content types) or hold its cell formats (styles).  The write goes through the run's
protocol (`run/commands.write_dashboard`): under the run lock, after the journal is settled with the
workbook, atomic with a backup, refused while the workbook is open, and journaled as a `report` run.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from sheetsync.i18n import Lang, t
from sheetsync.reports.kpi import KpiReport

HEAT: tuple[str, ...] = ("#FFF5EB", "#FDD9B5", "#FDB57E", "#F98B4E", "#E8582A", "#C0281B")
"""Heat map fills from few orders to many (six steps)."""


def dashboard_book(report: KpiReport, lang: Lang, sheet: str) -> bytes:
    """A workbook holding only the dashboard sheet, as XlsxWriter writes it: in constant-memory mode, so its strings
    are inline (the person's shared strings part is never touched)."""
    import xlsxwriter

    folder = tempfile.TemporaryDirectory(prefix="sheetsync-dashboard-")
    made = Path(folder.name) / "dashboard.xlsx"
    book = xlsxwriter.Workbook(str(made), {"constant_memory": True, "tmpdir": folder.name, "strings_to_formulas": False,
                                           "strings_to_numbers": False, "strings_to_urls": False})
    ws = book.add_worksheet(sheet)
    title = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    percent = book.add_format({"num_format": "0.0%"})
    heat = [book.add_format({"bg_color": color, "align": "center", "num_format": "0.0",
                             "font_color": "#FFFFFF" if i >= 4 else "#000000"}) for i, color in enumerate(HEAT)]
    ws.set_column(0, 0, 16)
    ws.set_column(1, 25, 7)
    row = 0

    def line(values: list[Any], style: Any = None, styles: list[Any] | None = None) -> int:
        nonlocal row
        for col, value in enumerate(values):
            cell_style = styles[col] if styles else style
            if value is None:
                continue
            if isinstance(value, str):
                ws.write_string(row, col, value, cell_style)
            else:
                ws.write_number(row, col, value, cell_style)
        row += 1
        return row - 1

    line([t("kpi.title", lang, start=report.start, end=report.end, now=report.now)], title)
    row += 1
    overall = report.on_time[0] if report.on_time else None
    kpis: list[tuple[str, float | int | None, Any]] = [
        (t("kpi.label.rate", lang), overall.rate if overall else None, percent),
        (t("kpi.label.window", lang), overall.window_rate if overall else None, percent),
        (t("kpi.label.open", lang), sum(report.backlog.values()), None),
        (t("kpi.label.stuck", lang), sum(s.orders for s in report.stuck), None),
        (t("kpi.label.self_heal", lang), report.self_heal.rate, percent),
    ]
    for label, value, style in kpis:
        line([label, "—" if value is None else value], styles=[head, style])
    row += 1
    line(t("kpi.on_time.columns", lang).split(","), head)
    first_channel = row
    channels = [o for o in report.on_time if o.channel != "*"]
    for o in channels:
        line([o.channel or "—", o.orders, o.on_time, o.late, o.open, o.rate, o.window_rate],
             styles=[None, None, None, None, None, percent, percent])
    if channels:
        chart = book.add_chart({"type": "column"})
        chart.add_series({"name": t("kpi.label.rate", lang), "categories": [sheet, first_channel, 0, row - 1, 0],
                          "values": [sheet, first_channel, 5, row - 1, 5], "data_labels": {"value": True}})
        chart.set_title({"name": t("kpi.chart.on_time", lang)})
        chart.set_y_axis({"min": 0, "max": 1, "num_format": "0%"})
        chart.set_legend({"none": True})
        ws.insert_chart(2, 9, chart, {"x_scale": 1.1, "y_scale": 1.0})
    row += 1
    line([t("kpi.label.state", lang), t("kpi.label.orders", lang)], head)
    first_state = row
    for state, count in report.backlog.items():
        line([state, count])
    if report.backlog:
        chart = book.add_chart({"type": "bar"})
        chart.add_series({"name": t("kpi.label.orders", lang), "categories": [sheet, first_state, 0, row - 1, 0],
                          "values": [sheet, first_state, 1, row - 1, 1], "data_labels": {"value": True}})
        chart.set_title({"name": t("kpi.chart.backlog", lang)})
        chart.set_legend({"none": True})
        chart.set_y_axis({"reverse": True})
        ws.insert_chart(18, 9, chart, {"x_scale": 1.1, "y_scale": 1.0})
    row += 1
    line([t("kpi.heatmap", lang)], title)
    line([t("kpi.label.state", lang), *[f"{h:02d}" for h in range(24)]], head)
    top = max((v for values in report.heatmap for v in values), default=0.0) or 1.0
    for state, values in zip(report.heatmap_states, report.heatmap, strict=True):
        styles = [None, *(heat[min(int(v / top * len(HEAT)), len(HEAT) - 1)] for v in values)]
        line([state, *values], styles=styles)
    row += 1
    line(t("kpi.anomalies.columns", lang).split(","), head)
    for a in report.anomalies:
        line([a.code, a.count, a.previous, a.change, a.open_now])
    row += 1
    line(t("kpi.states.columns", lang).split(","), head)
    for s in report.states:
        line([s.state, s.stays, s.median_hours, s.p90_hours])
    row += 1
    line(t("kpi.stuck.columns", lang).split(","), head)
    for stuck in report.stuck:
        line([stuck.group or t("kpi.unassigned", lang), stuck.orders, ", ".join(stuck.order_ids)])
    book.close()
    with folder:
        return made.read_bytes()
