"""`report --dashboard` lays its sheet out from the sizes of its tables: read back from the .xlsx XlsxWriter wrote, no
chart (its drawing anchor, from and to cell) covers a cell of any table or another chart, and the on-time chart
stays legible with many channels."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from lxml import etree

from sheetsync.config import Config
from sheetsync.i18n import Lang, t
from sheetsync.reports.dashboard import dashboard_book
from sheetsync.reports.kpi import KpiReport, report

START, END, NOW = dt.datetime(2026, 11, 16), dt.datetime(2026, 11, 23, 12), dt.datetime(2026, 11, 23, 9)
CHANNELS = ("抖音", "拼多多", "淘宝", "微信小程序", "门店POS", "400电话", "京东", "快手", "小红书", "Shopify", "WooCommerce",
            "Amazon")
OPEN = ("待确认", "审核中", "备货中", "已发货")
NS = {"xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
      "main": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
      "a": "http://schemas.openxmlformats.org/drawingml/2006/main"}


@dataclass(frozen=True)
class Box:
    """Rows top..bottom and columns left..right, 0-based and inclusive."""

    top: int
    bottom: int
    left: int
    right: int

    def meets(self, other: Box) -> bool:
        return (self.top <= other.bottom and other.top <= self.bottom
                and self.left <= other.right and other.left <= self.right)


def _desk_rows(channels: int, orders: int) -> list[dict[str, object]]:
    """Orders of `channels` shops over the week: delivered on time, late or not yet, open ones in each state since an
    hour of the week (so the heat map fills its 24 hours, unevenly), some past their SLA, some with anomalies."""
    rows: list[dict[str, object]] = []
    for i in range(orders):
        created = START - dt.timedelta(days=1) + dt.timedelta(minutes=97 * i)
        promised = created + dt.timedelta(hours=48)
        row: dict[str, object] = {"order_id": f"SS{i:05d}", "channel": CHANNELS[i % channels], "created_at": created,
                                  "promised_by": promised, "warehouse": ("杭州仓", "上海仓", "广州仓")[i % 3]}
        if i % 4 == 0:
            row |= {"status": OPEN[i // 4 % len(OPEN)], "status_since": START + dt.timedelta(hours=5 * i % 150),
                    "sla": ("正常", "超时", "严重")[i % 3], "anomalies": "ADDR_INCOMPLETE 地址缺少区县" if i % 8 else None}
        else:
            row |= {"status": "已完成", "delivered_at": promised + dt.timedelta(hours=(i % 7) - 4)}
        rows.append(row)
    return rows


@pytest.fixture
def make_report(make_desk: Callable[..., Config]) -> Callable[[int, int], KpiReport]:
    def make(channels: int, orders: int) -> KpiReport:
        return report(make_desk(_desk_rows(channels, orders), name=f"desk{channels}"), start=START, end=END, now=NOW)

    return make


def _cells(package: zipfile.ZipFile) -> dict[int, set[int]]:
    """The written cells of the sheet: row -> columns, 0-based."""
    sheet = etree.fromstring(package.read("xl/worksheets/sheet1.xml"))
    cells: dict[int, set[int]] = {}
    for cell in sheet.iterfind(".//main:sheetData/main:row/main:c", NS):
        found = re.fullmatch(r"([A-Z]+)(\d+)", cell.get("r", ""))
        assert found, cell.get("r")
        col = 0
        for letter in found[1]:
            col = col * 26 + ord(letter) - 64
        cells.setdefault(int(found[2]) - 1, set()).add(col - 1)
    return cells


def _tables(cells: dict[int, set[int]]) -> list[Box]:
    """Each run of consecutive rows with written cells is one table (a title line joins the table under it)."""
    boxes: list[Box] = []
    for row in sorted(cells):
        if boxes and boxes[-1].bottom == row - 1:
            last = boxes.pop()
            boxes.append(Box(last.top, row, min(last.left, *cells[row]), max(last.right, *cells[row])))
        else:
            boxes.append(Box(row, row, min(cells[row]), max(cells[row])))
    return boxes


def _charts(package: zipfile.ZipFile) -> list[Box]:
    """Each chart's anchor: from its `from` cell to its `to` cell, the latter counted whole."""
    drawing = etree.fromstring(package.read("xl/drawings/drawing1.xml"))
    boxes = []
    for anchor in drawing.iterfind("xdr:twoCellAnchor", NS):
        start, end = (anchor.find(f"xdr:{end}", NS) for end in ("from", "to"))
        assert start is not None and end is not None
        at = {(side, part): int(node.findtext(f"xdr:{part}", namespaces=NS) or "")
              for side, node in (("from", start), ("to", end)) for part in ("row", "col")}
        boxes.append(Box(at["from", "row"], at["to", "row"], at["from", "col"], at["to", "col"]))
    return boxes


@pytest.mark.parametrize(("channels", "orders", "lang"), [(12, 480, "zh"), (12, 480, "en"), (2, 24, "zh")],
                         ids=["12 channels", "12 channels en", "2 channels: charts taller than tables"])
def test_no_chart_covers_a_table_or_another_chart(make_report: Callable[[int, int], KpiReport], channels: int,
                                                  orders: int, lang: Lang) -> None:
    found = make_report(channels, orders)
    assert len([o for o in found.on_time if o.channel != "*"]) == channels and len(found.backlog) == len(OPEN)
    assert all(any(values[hour] > 0 for values in found.heatmap) for hour in range(24)), "a full 24-hour heat map"
    package = zipfile.ZipFile(io.BytesIO(dashboard_book(found, lang, t("kpi.dashboard.sheet", lang))))
    tables, charts = _tables(_cells(package)), _charts(package)
    assert len(charts) == 2
    assert any(table.right == 24 for table in tables), "the heat map's 24 hours are written"
    for chart in charts:
        covered = [table for table in tables if chart.meets(table)]
        assert not covered, (chart, covered)
    assert not charts[0].meets(charts[1]), charts
    heatmap = next(table for table in tables if table.right == 24)
    assert all(chart.bottom < heatmap.top for chart in charts), "the wide tables start below the charts"


def test_the_on_time_chart_of_many_channels_slants_their_names_and_shows_no_value_per_column(
        make_report: Callable[[int, int], KpiReport]) -> None:
    package = zipfile.ZipFile(io.BytesIO(dashboard_book(make_report(12, 480), "zh", "看板")))
    chart = etree.fromstring(package.read("xl/charts/chart1.xml"))
    assert chart.find(".//c:barChart/c:barDir", NS).get("val") == "col"
    assert chart.find(".//c:ser/c:dLbls", NS) is None
    rotation = chart.find(".//c:catAx/c:txPr/a:bodyPr", NS)
    assert rotation is not None and rotation.get("rot") == "-2700000"
    value_axis = chart.find(".//c:valAx", NS)
    assert value_axis is not None
    assert value_axis.find("c:scaling/c:max", NS).get("val") == "1"
    assert value_axis.find("c:majorUnit", NS).get("val") == "0.25"


def test_the_on_time_chart_of_few_channels_shows_each_rate(make_report: Callable[[int, int], KpiReport]) -> None:
    package = zipfile.ZipFile(io.BytesIO(dashboard_book(make_report(2, 24), "zh", "看板")))
    chart = etree.fromstring(package.read("xl/charts/chart1.xml"))
    labels = chart.find(".//c:ser/c:dLbls", NS)
    assert labels is not None and labels.find("c:showVal", NS).get("val") == "1"
    assert labels.find("c:numFmt", NS).get("formatCode") == "0%"


def test_the_dashboard_leaves_empty_what_is_empty_and_its_words_where_they_can_run_on(
        make_report: Callable[[int, int], KpiReport]) -> None:
    """Found by looking at the sheet in LibreOffice: an hour with no backlog is an empty cell, not 0.0 on a coloured
    fill; the anomaly words are the last column (a narrow middle column cut them); no stuck order is said in a line,
    not drawn as an empty table."""
    import dataclasses

    import python_calamine

    found = make_report(2, 24)
    quiet = dataclasses.replace(found, heatmap=[[0.0] * 24 for _ in found.heatmap_states], stuck=[])
    book = dashboard_book(quiet, "zh", "看板")
    rows = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(book)).get_sheet_by_name("看板").to_python()
    heat = next(i for i, r in enumerate(rows) if r and r[0] == t("kpi.heatmap", "zh"))
    assert rows[heat + 1][1:25] == [f"{h:02d}" for h in range(24)]
    assert all(v == "" for r in rows[heat + 2:heat + 2 + len(found.heatmap_states)] for v in r[1:25])
    header = next(r for r in rows if r and r[0] == "代码")
    assert [v for v in header if v][-1] == "说明"
    codes = next(r for r in rows if r and r[0] == "ADDR_INCOMPLETE")
    assert [v for v in codes if v != ""][-1] == "地址不全"
    assert [t("kpi.stuck.none", "zh")] in [[v for v in r if v != ""] for r in rows]
    assert not any(r and r[0] == "组" for r in rows)


@pytest.mark.parametrize(("channels", "orders", "reasons"), [(12, 480, 5), (2, 24, 12)],
                         ids=["many channels, few reasons", "few channels, many reasons"])
def test_the_after_sales_reasons_chart_covers_no_table_and_no_chart(make_report: Callable[[int, int], KpiReport],
                                                                     channels: int, orders: int, reasons: int) -> None:
    from sheetsync.reports.aftersales import AftersalesReport, ReasonShare

    found = make_report(channels, orders)
    pairs = [(ReasonShare(f"原因{i}", None, 10, 0.1), ReasonShare(f"原因{i}", "其他", 3, 0.03)) for i in range(reasons)]
    found.aftersales = AftersalesReport(tickets=10 * reasons, reasons=[share for pair in pairs for share in pair])
    package = zipfile.ZipFile(io.BytesIO(dashboard_book(found, "zh", t("kpi.dashboard.sheet", "zh"))))
    tables, charts = _tables(_cells(package)), _charts(package)
    assert len(charts) == 3
    for chart in charts:
        assert not [table for table in tables if chart.meets(table)], chart
    assert not any(a.meets(b) for i, a in enumerate(charts) for b in charts[i + 1:]), charts
    sheet = package.read("xl/worksheets/sheet1.xml").decode()
    assert "原因0" in sheet and f"原因{reasons - 1}" in sheet and sheet.count("其他") == 0  # the first levels only
    chart_xml = [package.read(n).decode() for n in package.namelist() if n.startswith("xl/charts/chart")]
    assert any("售后原因分布" in x for x in chart_xml)
