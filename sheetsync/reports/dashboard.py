"""`sheetsync report --dashboard`: the KPIs, the heat map as a coloured grid and native charts, on a sheet
the tool owns inside the person's workbook (看板 / Dashboard), replaced on every run.

The sheet is made by XlsxWriter (its chart XML is what Excel itself accepts) in a workbook of its own,
then the store adds its parts to the person's package (`stores/xlsx/embed.py`, `XlsxStore.put_sheet`):
every part of theirs is copied byte for byte except the four that must list the new sheet (workbook,
its relationships, content types) or hold its cell formats (styles).  The write goes through the run's
protocol (`run/commands.write_dashboard`): under the run lock, after the journal is settled with the
workbook, atomic with a backup, refused while the workbook is open, and journaled as a `report` run.

Layout: the narrow tables (KPIs, on-time by channel, backlog by state) go down the left, each chart beside its
table, right of everything those rows show; the wide tables (the 24-hour heat map, anomalies, time in state,
stuck orders) start below both.  Every position is computed from the tables' lengths and the charts' sizes in
pixels, given the columns' widths and the rows' height, so no chart covers a cell or another chart.
"""

from __future__ import annotations

import math
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from sheetsync.i18n import Lang, code_said, t
from sheetsync.reports.kpi import KpiReport, cannot_say

HEAT: tuple[str, ...] = ("#FFF5EB", "#FDD9B5", "#FDB57E", "#F98B4E", "#E8582A", "#C0281B")
"""Heat map fills from few orders to many (six steps)."""
NAME_WIDTH: Final = 16
"""Column A (names), in characters; every other column is CELL_WIDTH (hours and figures)."""
CELL_WIDTH: Final = 7
ROW_PX: Final = 20
"""Every row keeps Excel's default height: 15 points, 20 pixels."""
CHAR_PX: Final = 7
"""Calibri 11's digit width: XlsxWriter makes a column of w characters int(w * 7 + 0.5) + 5 pixels wide."""
CHART_PX: Final = (480, 288)
"""A chart's smallest size (Excel's default), in pixels; the on-time chart widens with the channels."""
SLANT_AFTER: Final = 6
"""More channels than this: the on-time chart slants their names and drops the value on each column."""


@dataclass(frozen=True, slots=True)
class Table:
    """Rows of cells (None: left empty) and their formats, as written from the table's first row in column A."""

    rows: list[list[Any]]
    styles: list[list[Any]]

    def reach(self) -> int:
        """The first column right of everything the table shows: text runs on into empty cells to its right."""
        end = 0
        for values in self.rows:
            filled = [col for col, value in enumerate(values) if value is not None]
            if not filled:
                continue
            col, last = filled[-1] + 1, values[filled[-1]]
            over = text_px(last) - column_px(col - 1) if isinstance(last, str) else 0
            while over > 0:
                over -= column_px(col)
                col += 1
            end = max(end, col)
        return end


def column_px(col: int) -> int:
    """The width of column `col` in pixels, as XlsxWriter sets it."""
    return int((NAME_WIDTH if col == 0 else CELL_WIDTH) * CHAR_PX + 0.5) + 5


def text_px(text: str) -> int:
    """About how wide `text` shows in Calibri 11: a narrow character one digit, a wide one (汉字, full-width) two."""
    return sum(CHAR_PX * (2 if unicodedata.east_asian_width(ch) in "WF" else 1) for ch in text)


def rows_spanned(height_px: int) -> int:
    """How many rows a chart `height_px` tall reaches into, from the top of its first."""
    return math.ceil(height_px / ROW_PX)


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
    ws.set_column(0, 0, NAME_WIDTH)
    ws.set_column(1, 25, CELL_WIDTH)

    def write(table: Table, row: int) -> int:
        """`table` from `row` (rows only ever go down: constant-memory mode); the row after its last."""
        for values, styles in zip(table.rows, table.styles, strict=True):
            for col, (value, style) in enumerate(zip(values, styles, strict=True)):
                if isinstance(value, str):
                    ws.write_string(row, col, value, style)
                elif value is not None:
                    ws.write_number(row, col, value, style)
            row += 1
        return row

    channels = [o for o in report.on_time if o.channel != "*"]
    overall = report.on_time[0] if report.on_time else None
    figures: list[tuple[str, float | int | None, Any]] = [
        (t("kpi.label.rate", lang), overall.rate if overall else None, percent),
        (t("kpi.label.window", lang), overall.window_rate if overall else None, percent),
        (t("kpi.label.open", lang), sum(report.backlog.values()), None),
        (t("kpi.label.stuck", lang), sum(s.orders for s in report.stuck), None),
        (t("kpi.label.self_heal", lang), report.self_heal.rate, percent),
    ]
    kpis = Table([[label, "—" if value is None else value] for label, value, _ in figures],
                 [[head, style] for _, _, style in figures])
    on_time = _table(t("kpi.on_time.columns", lang).split(","), head,
                     [[o.channel or "—", o.orders, o.on_time, o.late, o.open, o.rate, o.window_rate] for o in channels],
                     [None, None, None, None, None, percent, percent])
    backlog = _table([t("kpi.label.state", lang), t("kpi.label.orders", lang)], head,
                     [[state, count] for state, count in report.backlog.items()], [None, None])

    row = write(_rows([[t("kpi.title", lang, start=report.start, end=report.end, now=report.now)]], [title]), 0) + 1
    for kpi in report.cannot:  # a KPI the sheet cannot give is said, never shown as 0 %
        row = write(_rows([[cannot_say(report, kpi, lang) or kpi]], [None]), row) + 1
    row = write(kpis, row) + 1
    chart_col = max(kpis.reach(), on_time.reach(), backlog.reach()) + 1  # one empty column between
    charts_end = row
    if channels:
        chart = _on_time_chart(book, sheet, lang, row + 1, len(channels))
        ws.insert_chart(row, chart_col, chart)
        charts_end = row + rows_spanned(chart.height) + 1
    row = write(on_time, row) + 1
    if report.backlog:
        top = max(row, charts_end)  # beside its table, or below the chart above
        chart = _backlog_chart(book, sheet, lang, row + 1, len(report.backlog))
        ws.insert_chart(top, chart_col, chart)
        charts_end = top + rows_spanned(chart.height) + 1
    row = write(backlog, row) + 1
    firsts = [r for r in report.aftersales.reasons if r.sub_reason is None] if report.aftersales is not None else []
    if firsts:  # the after-sales reasons by first level, their chart beside them
        reasons = _table([t("kpi.label.reason", lang), t("kpi.label.tickets", lang), t("kpi.label.share", lang)], head,
                         [[r.reason, r.tickets, r.share] for r in firsts], [None, None, percent])
        top = max(row, charts_end)
        chart = _reasons_chart(book, sheet, lang, row + 1, len(firsts))
        ws.insert_chart(top, max(chart_col, reasons.reach() + 1), chart)
        charts_end = top + rows_spanned(chart.height) + 1
        row = write(reasons, row) + 1

    row = max(row, charts_end)  # the wide tables: below the charts
    top_value = max((v for values in report.heatmap for v in values), default=0.0) or 1.0
    heatmap = _table([t("kpi.label.state", lang), *(f"{h:02d}" for h in range(24))], head,
                     [[state, *values] for state, values in zip(report.heatmap_states, report.heatmap, strict=True)], [])
    for values, styles in zip(heatmap.rows[1:], heatmap.styles[1:], strict=True):
        styles[1:] = [heat[min(int(v / top_value * len(HEAT)), len(HEAT) - 1)] for v in values[1:]]
        values[1:] = [v or None for v in values[1:]]  # no backlog at that hour: an empty white cell, not a 0.0
    row = write(_rows([[t("kpi.heatmap", lang)]], [title]), row)
    row = write(heatmap, row) + 1
    if report.anomalies:  # the words last: a long one runs on into the empty cells beside it
        code, words, *counted = t("kpi.anomalies.columns", lang).split(",")
        row = write(_table([code, *counted, words], head,
                           [[a.code, a.count, a.previous, a.change, a.open_now, code_said(a.code, lang)]
                            for a in report.anomalies], []), row) + 1
    if report.states:
        row = write(_table(t("kpi.states.columns", lang).split(","), head,
                           [[s.state, s.stays, s.median_hours, s.p90_hours] for s in report.states], []), row) + 1
    if report.stuck:
        write(_table(t("kpi.stuck.columns", lang).split(","), head,
                     [[s.group or t("kpi.unassigned", lang), s.orders, ", ".join(s.order_ids)] for s in report.stuck], []),
              row)
    else:
        write(_rows([[t("kpi.stuck.none", lang)]], [None]), row)
    book.close()
    with folder:
        return made.read_bytes()


def _rows(rows: list[list[Any]], styles: Sequence[Any]) -> Table:
    return Table(rows, [[styles[col] if col < len(styles) else None for col in range(len(values))] for values in rows])


def _table(header: list[str], head: Any, body: list[list[Any]], styles: Sequence[Any]) -> Table:
    """A header row in `head` over `body`, each column of the body in its style of `styles` (none past its end)."""
    heading = _rows([list(header)], [head] * len(header))
    cells = _rows(body, styles)
    return Table(heading.rows + cells.rows, heading.styles + cells.styles)


def _on_time_chart(book: Any, sheet: str, lang: Lang, first: int, count: int) -> Any:
    """On-time rate per channel from the table's rows `first`.. : a column each, values on the columns only while few,
    names slanted when many, a 0-100 % axis with a line every 25 %."""
    many = count > SLANT_AFTER
    chart = book.add_chart({"type": "column"})
    series: dict[str, Any] = {"name": t("kpi.label.rate", lang), "categories": [sheet, first, 0, first + count - 1, 0],
                              "values": [sheet, first, 5, first + count - 1, 5], "fill": {"color": "#4472C4"}, "gap": 60}
    if not many:
        series["data_labels"] = {"value": True, "num_format": "0%"}
    chart.add_series(series)
    chart.set_title({"name": t("kpi.chart.on_time", lang), "name_font": {"size": 12, "bold": True}})
    chart.set_x_axis({"num_font": {"rotation": -45} if many else {}, "major_tick_mark": "none"})
    chart.set_y_axis({"min": 0, "max": 1, "major_unit": 0.25, "num_format": "0%",
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_legend({"none": True})
    chart.set_size({"width": min(max(CHART_PX[0], 48 * count + 120), 800), "height": CHART_PX[1] + (40 if many else 0)})
    return chart


def _backlog_chart(book: Any, sheet: str, lang: Lang, first: int, count: int) -> Any:
    """Open orders per state from the table's rows `first`.. : a bar each, in the table's order, the count on it."""
    return _bars(book, sheet, first, count, t("kpi.label.orders", lang), t("kpi.chart.backlog", lang), "#ED7D31")


def _reasons_chart(book: Any, sheet: str, lang: Lang, first: int, count: int) -> Any:
    """After-sales tickets per first-level reason from the table's rows `first`.. : a bar each, the count on it."""
    return _bars(book, sheet, first, count, t("kpi.label.tickets", lang), t("kpi.chart.reasons", lang), "#A5A5A5")


def _bars(book: Any, sheet: str, first: int, count: int, name: str, title: str, colour: str) -> Any:
    """A bar chart of the counts in column B beside the names in column A, rows `first`.. , in the table's order."""
    chart = book.add_chart({"type": "bar"})
    chart.add_series({"name": name, "categories": [sheet, first, 0, first + count - 1, 0],
                      "values": [sheet, first, 1, first + count - 1, 1], "data_labels": {"value": True},
                      "fill": {"color": colour}, "gap": 60})
    chart.set_title({"name": title, "name_font": {"size": 12, "bold": True}})
    chart.set_legend({"none": True})
    chart.set_x_axis({"min": 0, "num_format": "0", "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_y_axis({"reverse": True, "major_tick_mark": "none"})
    chart.set_size({"width": CHART_PX[0], "height": min(max(CHART_PX[1], 30 * count + 120), 480)})
    return chart
