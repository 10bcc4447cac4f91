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
TITLE, HEAD, PERCENT, HEAT_STYLE = "title", "head", "percent", "heat"
"""The cell styles of the layout (`heat0`..`heat5`: the heat map's steps); each renderer gives them its own form."""
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
    """Rows of cells (None: left empty) and their styles (TITLE, HEAD ...; None: plain), as written from the table's
    first row in column A."""

    rows: list[list[Any]]
    styles: list[list[str | None]]

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


@dataclass(frozen=True, slots=True)
class Chart:
    """A native chart of the dashboard: its kind (`column`: on-time rate per channel, `bar`: counts per name), the cell
    its top-left corner is anchored to, the table rows it draws (names in column A, values in `value_col`), and its
    look.  Both renderers draw it from this: XlsxWriter's chart in a workbook, a Sheets `addChart`."""

    kind: str
    row: int
    col: int
    first: int
    count: int
    value_col: int
    name: str
    title: str
    colour: str
    width: int
    height: int
    percent: bool = False
    """A 0-100 % value axis with a line every 25 % (the on-time rate)."""
    labels: bool = True
    """The value on each column or bar."""
    slant: bool = False
    """The names slanted (many channels)."""


@dataclass(slots=True)
class Layout:
    """The dashboard sheet: tables by the row they start at (column A), and the charts."""

    tables: list[tuple[int, Table]]
    charts: list[Chart]


def dashboard_layout(report: KpiReport, lang: Lang) -> Layout:
    """Where every table and chart of the dashboard goes (see the module's docstring)."""
    layout = Layout([], [])

    def write(table: Table, row: int) -> int:
        """`table` placed from `row`; the row after its last."""
        layout.tables.append((row, table))
        return row + len(table.rows)

    channels = [o for o in report.on_time if o.channel != "*"]
    overall = report.on_time[0] if report.on_time else None
    figures: list[tuple[str, float | int | None, str | None]] = [
        (t("kpi.label.rate", lang), overall.rate if overall else None, PERCENT),
        (t("kpi.label.window", lang), overall.window_rate if overall else None, PERCENT),
        (t("kpi.label.open", lang), sum(report.backlog.values()), None),
        (t("kpi.label.stuck", lang), sum(s.orders for s in report.stuck), None),
        (t("kpi.label.self_heal", lang), report.self_heal.rate, PERCENT),
    ]
    kpis = Table([[label, "—" if value is None else value] for label, value, _ in figures],
                 [[HEAD, style] for _, _, style in figures])
    on_time = _table(t("kpi.on_time.columns", lang).split(","),
                     [[o.channel or "—", o.orders, o.on_time, o.late, o.open, o.rate, o.window_rate] for o in channels],
                     [None, None, None, None, None, PERCENT, PERCENT])
    backlog = _table([t("kpi.label.state", lang), t("kpi.label.orders", lang)],
                     [[state, count] for state, count in report.backlog.items()], [None, None])

    row = write(_rows([[t("kpi.title", lang, start=report.start, end=report.end, now=report.now)]], [TITLE]), 0) + 1
    for kpi in report.cannot:  # a KPI the sheet cannot give is said, never shown as 0 %
        row = write(_rows([[cannot_say(report, kpi, lang) or kpi]], [None]), row) + 1
    row = write(kpis, row) + 1
    chart_col = max(kpis.reach(), on_time.reach(), backlog.reach()) + 1  # one empty column between
    charts_end = row
    if channels:
        chart = _on_time_chart(lang, row, chart_col, row + 1, len(channels))
        layout.charts.append(chart)
        charts_end = row + rows_spanned(chart.height) + 1
    row = write(on_time, row) + 1
    if report.backlog:
        top = max(row, charts_end)  # beside its table, or below the chart above
        chart = _bars(top, chart_col, row + 1, len(report.backlog), t("kpi.label.orders", lang),
                      t("kpi.chart.backlog", lang), "#ED7D31")
        layout.charts.append(chart)
        charts_end = top + rows_spanned(chart.height) + 1
    row = write(backlog, row) + 1
    firsts = [r for r in report.aftersales.reasons if r.sub_reason is None] if report.aftersales is not None else []
    if firsts:  # the after-sales reasons by first level, their chart beside them
        reasons = _table([t("kpi.label.reason", lang), t("kpi.label.tickets", lang), t("kpi.label.share", lang)],
                         [[r.reason, r.tickets, r.share] for r in firsts], [None, None, PERCENT])
        top = max(row, charts_end)
        chart = _bars(top, max(chart_col, reasons.reach() + 1), row + 1, len(firsts), t("kpi.label.tickets", lang),
                      t("kpi.chart.reasons", lang), "#A5A5A5")
        layout.charts.append(chart)
        charts_end = top + rows_spanned(chart.height) + 1
        row = write(reasons, row) + 1

    row = max(row, charts_end)  # the wide tables: below the charts
    top_value = max((v for values in report.heatmap for v in values), default=0.0) or 1.0
    heatmap = _table([t("kpi.label.state", lang), *(f"{h:02d}" for h in range(24))],
                     [[state, *values] for state, values in zip(report.heatmap_states, report.heatmap, strict=True)], [])
    for values, styles in zip(heatmap.rows[1:], heatmap.styles[1:], strict=True):
        styles[1:] = [f"{HEAT_STYLE}{min(int(v / top_value * len(HEAT)), len(HEAT) - 1)}" for v in values[1:]]
        values[1:] = [v or None for v in values[1:]]  # no backlog at that hour: an empty white cell, not a 0.0
    row = write(_rows([[t("kpi.heatmap", lang)]], [TITLE]), row)
    row = write(heatmap, row) + 1
    if report.anomalies:  # the words last: a long one runs on into the empty cells beside it
        code, words, *counted = t("kpi.anomalies.columns", lang).split(",")
        row = write(_table([code, *counted, words],
                           [[a.code, a.count, a.previous, a.change, a.open_now, code_said(a.code, lang)]
                            for a in report.anomalies], []), row) + 1
    if report.states:
        row = write(_table(t("kpi.states.columns", lang).split(","),
                           [[s.state, s.stays, s.median_hours, s.p90_hours] for s in report.states], []), row) + 1
    if report.stuck:
        write(_table(t("kpi.stuck.columns", lang).split(","),
                     [[s.group or t("kpi.unassigned", lang), s.orders, ", ".join(s.order_ids)] for s in report.stuck], []),
              row)
    else:
        write(_rows([[t("kpi.stuck.none", lang)]], [None]), row)
    return layout


def dashboard_book(report: KpiReport, lang: Lang, sheet: str) -> bytes:
    """A workbook holding only the dashboard sheet, as XlsxWriter writes it: in constant-memory mode, so its strings
    are inline (the person's shared strings part is never touched)."""
    import xlsxwriter

    layout = dashboard_layout(report, lang)
    folder = tempfile.TemporaryDirectory(prefix="sheetsync-dashboard-")
    made = Path(folder.name) / "dashboard.xlsx"
    book = xlsxwriter.Workbook(str(made), {"constant_memory": True, "tmpdir": folder.name, "strings_to_formulas": False,
                                           "strings_to_numbers": False, "strings_to_urls": False})
    ws = book.add_worksheet(sheet)
    formats: dict[str | None, Any] = {
        None: None, TITLE: book.add_format({"bold": True, "font_size": 14}),
        HEAD: book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1}),
        PERCENT: book.add_format({"num_format": "0.0%"})}
    formats |= {f"{HEAT_STYLE}{i}": book.add_format({"bg_color": color, "align": "center", "num_format": "0.0",
                                                      "font_color": "#FFFFFF" if i >= 4 else "#000000"})
                for i, color in enumerate(HEAT)}
    ws.set_column(0, 0, NAME_WIDTH)
    ws.set_column(1, 25, CELL_WIDTH)
    for top, table in layout.tables:  # rows only ever go down: constant-memory mode
        for row, (values, styles) in enumerate(zip(table.rows, table.styles, strict=True), start=top):
            for col, (value, style) in enumerate(zip(values, styles, strict=True)):
                if isinstance(value, str):
                    ws.write_string(row, col, value, formats[style])
                elif value is not None:
                    ws.write_number(row, col, value, formats[style])
    for chart in layout.charts:
        ws.insert_chart(chart.row, chart.col, _xlsx_chart(book, sheet, chart))
    book.close()
    with folder:
        return made.read_bytes()


def dashboard_requests(report: KpiReport, lang: Lang, sheet_id: int) -> list[dict[str, Any]]:
    """The dashboard as Google Sheets requests on the (new, empty) sheet `sheet_id`: the same layout, its cells typed
    and formatted with `updateCells`, the columns' widths and rows' heights of the workbook's (so the charts cover the
    same cells), and each chart a native `addChart` anchored where the workbook's is."""
    layout = dashboard_layout(report, lang)
    bottom = max((top + len(table.rows) for top, table in layout.tables), default=1)
    bottom = max([bottom, *(c.row + rows_spanned(c.height) + 1 for c in layout.charts)])
    widths = [(0, 1, column_px(0)), (1, 26, column_px(1))]
    out: list[dict[str, Any]] = [{"updateDimensionProperties": {
        "range": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": a, "endIndex": b},
        "properties": {"pixelSize": px}, "fields": "pixelSize"}} for a, b, px in widths]
    out.append({"updateDimensionProperties": {
        "range": {"sheetId": sheet_id, "dimension": "ROWS", "startIndex": 0, "endIndex": min(bottom, 1000)},
        "properties": {"pixelSize": ROW_PX}, "fields": "pixelSize"}})
    for top, table in layout.tables:
        rows = [{"values": [_sheets_cell(v, s) for v, s in zip(values, styles, strict=True)]}
                for values, styles in zip(table.rows, table.styles, strict=True)]
        out.append({"updateCells": {"start": {"sheetId": sheet_id, "rowIndex": top, "columnIndex": 0}, "rows": rows,
                                    "fields": "userEnteredValue,userEnteredFormat"}})
    out += [_sheets_chart(chart, sheet_id) for chart in layout.charts]
    return out


def _colour(hex_colour: str) -> dict[str, float]:
    code = hex_colour.lstrip("#")
    return {"red": int(code[0:2], 16) / 255, "green": int(code[2:4], 16) / 255, "blue": int(code[4:6], 16) / 255}


def _sheets_cell(value: Any, style: str | None) -> dict[str, Any]:
    """One cell as Sheets' CellData: text as text (never parsed), numbers as numbers, in the style's format."""
    cell: dict[str, Any] = {}
    if isinstance(value, str):
        cell["userEnteredValue"] = {"stringValue": value}
    elif value is not None:
        cell["userEnteredValue"] = {"numberValue": float(value)}
    if style == TITLE:
        cell["userEnteredFormat"] = {"textFormat": {"bold": True, "fontSize": 14}}
    elif style == HEAD:
        cell["userEnteredFormat"] = {"textFormat": {"bold": True}, "backgroundColor": _colour("#DDEBF7")}
    elif style == PERCENT:
        cell["userEnteredFormat"] = {"numberFormat": {"type": "PERCENT", "pattern": "0.0%"}}
    elif style is not None and style.startswith(HEAT_STYLE):
        step = int(style[len(HEAT_STYLE):])
        cell["userEnteredFormat"] = {"backgroundColor": _colour(HEAT[step]), "horizontalAlignment": "CENTER",
                                     "numberFormat": {"type": "NUMBER", "pattern": "0.0"},
                                     "textFormat": {"foregroundColor": _colour("#FFFFFF" if step >= 4 else "#000000")}}
    return cell


def _sheets_chart(chart: Chart, sheet_id: int) -> dict[str, Any]:
    """The chart as a Sheets `addChart`: a basic COLUMN or BAR chart over the table's rows, anchored at its cell."""
    def cells(col: int) -> dict[str, Any]:
        return {"sourceRange": {"sources": [{"sheetId": sheet_id, "startRowIndex": chart.first,
                                             "endRowIndex": chart.first + chart.count, "startColumnIndex": col,
                                             "endColumnIndex": col + 1}]}}

    bar = chart.kind == "bar"
    values_axis, names_axis = ("BOTTOM_AXIS", "LEFT_AXIS") if bar else ("LEFT_AXIS", "BOTTOM_AXIS")
    series: dict[str, Any] = {"series": cells(chart.value_col), "targetAxis": values_axis,
                              "colorStyle": {"rgbColor": _colour(chart.colour)}}
    if chart.labels:
        series["dataLabel"] = {"type": "DATA", "placement": "OUTSIDE_END"}
    value_axis: dict[str, Any] = {"position": values_axis}
    if chart.percent:
        value_axis["viewWindowOptions"] = {"viewWindowMode": "EXPLICIT", "viewWindowMin": 0, "viewWindowMax": 1}
    spec = {"title": chart.title, "titleTextFormat": {"bold": True, "fontSize": 12},
            "basicChart": {"chartType": "BAR" if bar else "COLUMN", "legendPosition": "NO_LEGEND",
                           "axis": [{"position": names_axis}, value_axis], "domains": [{"domain": cells(0)}],
                           "series": [series], "headerCount": 0}}
    anchor = {"sheetId": sheet_id, "rowIndex": chart.row, "columnIndex": chart.col}
    return {"addChart": {"chart": {"spec": spec, "position": {"overlayPosition": {
        "anchorCell": anchor, "widthPixels": chart.width, "heightPixels": chart.height}}}}}


def _rows(rows: list[list[Any]], styles: Sequence[str | None]) -> Table:
    return Table(rows, [[styles[col] if col < len(styles) else None for col in range(len(values))] for values in rows])


def _table(header: list[str], body: list[list[Any]], styles: Sequence[str | None]) -> Table:
    """A header row over `body`, each column of the body in its style of `styles` (none past its end)."""
    heading = _rows([list(header)], [HEAD] * len(header))
    cells = _rows(body, styles)
    return Table(heading.rows + cells.rows, heading.styles + cells.styles)


def _on_time_chart(lang: Lang, row: int, col: int, first: int, count: int) -> Chart:
    """On-time rate per channel from the table's rows `first`.. : a column each, values on the columns only while few,
    names slanted when many, a 0-100 % axis with a line every 25 %."""
    many = count > SLANT_AFTER
    return Chart("column", row, col, first, count, 5, t("kpi.label.rate", lang), t("kpi.chart.on_time", lang), "#4472C4",
                 min(max(CHART_PX[0], 48 * count + 120), 800), CHART_PX[1] + (40 if many else 0), percent=True,
                 labels=not many, slant=many)


def _bars(row: int, col: int, first: int, count: int, name: str, title: str, colour: str) -> Chart:
    """A bar chart of the counts in column B beside the names in column A, rows `first`.. , in the table's order."""
    return Chart("bar", row, col, first, count, 1, name, title, colour, CHART_PX[0],
                 min(max(CHART_PX[1], 30 * count + 120), 480))


def _xlsx_chart(book: Any, sheet: str, chart: Chart) -> Any:
    """The chart as XlsxWriter draws it."""
    made = book.add_chart({"type": chart.kind})
    last = chart.first + chart.count - 1
    series: dict[str, Any] = {"name": chart.name, "categories": [sheet, chart.first, 0, last, 0],
                              "values": [sheet, chart.first, chart.value_col, last, chart.value_col],
                              "fill": {"color": chart.colour}, "gap": 60}
    if chart.labels:
        series["data_labels"] = {"value": True, "num_format": "0%"} if chart.percent else {"value": True}
    made.add_series(series)
    made.set_title({"name": chart.title, "name_font": {"size": 12, "bold": True}})
    made.set_legend({"none": True})
    grid = {"visible": True, "line": {"color": "#D9D9D9"}}
    if chart.kind == "column":
        made.set_x_axis({"num_font": {"rotation": -45} if chart.slant else {}, "major_tick_mark": "none"})
        made.set_y_axis({"min": 0, "max": 1, "major_unit": 0.25, "num_format": "0%", "major_gridlines": grid})
    else:
        made.set_x_axis({"min": 0, "num_format": "0", "major_gridlines": grid})
        made.set_y_axis({"reverse": True, "major_tick_mark": "none"})
    made.set_size({"width": chart.width, "height": chart.height})
    return made
