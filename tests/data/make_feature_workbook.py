"""Build tests/data/features_xlsxwriter.xlsx: an order workbook using the features a person's workbook has.

Run from the repository root:  python tests/data/make_feature_workbook.py

Sheet 订单 (orders, rows 2-21): text phones with leading zeros, money, datetimes, a status
dropdown, a person's formula column, a hidden column, autofilter, frozen header, comments,
a 2010 data bar and a cell rule, an Excel 2010 data validation in extLst (XlsxWriter cannot
write one, so it is injected into the XML afterwards), sparklines, merged cells, an image
and a chart.  Sheet 订单表 holds the same orders as an Excel table with a calculated column.
Sheet Lists holds the dropdown sources.  A defined name points at the amounts.

With `--libreoffice` it also builds tests/data/libreoffice_saved.xlsx: a small order
sheet made with openpyxl (text phones, money, datetimes, a formula column, a dropdown,
a conditional format, an autofilter, a second sheet summing the amounts) and then saved
again by LibreOffice (`soffice --headless --convert-to xlsx`), so it is a file as
LibreOffice writes it.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import NamedTuple

import xlsxwriter

OUT = Path(__file__).with_name("features_xlsxwriter.xlsx")
LIBREOFFICE_OUT = Path(__file__).with_name("libreoffice_saved.xlsx")
HEADERS = ["订单号", "手机", "金额", "下单时间", "状态", "备注", "含税", "成本"]
STATUSES = ["待发货", "已发货", "已签收", "退款"]
X14_DV = (
    '<ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    '<x14:dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1">'
    "<x14:formula1><xm:f>Lists!$B$1:$B$3</xm:f></x14:formula1><xm:sqref>F2:F21</xm:sqref>"
    "</x14:dataValidation></x14:dataValidations></ext>"
)
SPARKLINE_EXT = '<ext xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main" uri="{05C60535'


def tiny_png() -> bytes:
    """A 2x2 red PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


class Order(NamedTuple):
    order_id: str
    phone: str
    amount: float
    placed: dt.datetime
    status: str
    note: str
    cost: float


def orders() -> list[Order]:
    start = dt.datetime(2026, 11, 1, 9, 0)
    return [
        Order(
            f"SS20261101-{i:06d}",
            f"0{13800000000 + i}",
            round(19.9 * i, 2),
            start + dt.timedelta(hours=7 * i),
            STATUSES[i % 4],
            f"备注{i}",
            round(9.5 * i, 2),
        )
        for i in range(1, 21)
    ]


def build(path: Path) -> None:
    wb = xlsxwriter.Workbook(str(path))
    head = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1})
    text = wb.add_format({"num_format": "@", "border": 1})
    money = wb.add_format({"num_format": "#,##0.00", "border": 1})
    when = wb.add_format({"num_format": "yyyy-mm-dd hh:mm", "border": 1})
    plain = wb.add_format({"border": 1})
    red = wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})

    ws = wb.add_worksheet("订单")
    ws.write_row(0, 0, HEADERS, head)
    for r, order in enumerate(orders(), start=1):
        ws.write_string(r, 0, order.order_id, plain)
        ws.write_string(r, 1, order.phone, text)
        ws.write_number(r, 2, order.amount, money)
        ws.write_datetime(r, 3, order.placed, when)
        ws.write_string(r, 4, order.status, plain)
        ws.write_string(r, 5, order.note, plain)
        ws.write_formula(r, 6, f"=C{r + 1}*1.13", money, round(order.amount * 1.13, 2))
        ws.write_number(r, 7, order.cost, money)
    ws.set_column("A:A", 20)
    ws.set_column("B:B", 14)
    ws.set_column("D:D", 17)
    ws.set_column("H:H", 10, None, {"hidden": True})
    ws.autofilter("A1:H21")
    ws.freeze_panes(1, 0)
    ws.data_validation("E2:E21", {"validate": "list", "source": STATUSES})
    ws.conditional_format("C2:C21", {"type": "data_bar", "bar_color": "#63BE7B", "data_bar_2010": True})
    ws.conditional_format("E2:E21", {"type": "cell", "criteria": "==", "value": '"退款"', "format": red})
    ws.write_comment("A1", "订单号由渠道生成")
    ws.write_comment("B3", "客户要求晚上送")
    ws.merge_range("J1:L1", "备注区", head)
    ws.write_string("J3", "趋势")
    ws.add_sparkline("K3", {"range": "订单!C2:C21", "markers": True})
    ws.insert_image("J5", "dot.png", {"image_data": io.BytesIO(tiny_png())})
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"name": "金额", "categories": "=订单!$A$2:$A$21", "values": "=订单!$C$2:$C$21"})
    ws.insert_chart("J8", chart)

    table = wb.add_worksheet("订单表")
    data = [list(order[:6]) for order in orders()]
    table.add_table(
        "A1:G21",
        {
            "data": data,
            "name": "订单表格",
            "columns": [
                {"header": "订单号"},
                {"header": "手机", "format": text},
                {"header": "金额", "format": money},
                {"header": "下单时间", "format": when},
                {"header": "状态"},
                {"header": "备注"},
                {"header": "含税", "formula": "=[@金额]*1.13", "format": money},
            ],
        },
    )
    table.conditional_format("C2:C21", {"type": "3_color_scale"})

    lists = wb.add_worksheet("Lists")
    lists.write_column("A1", STATUSES)
    lists.write_column("B1", ["加急", "普通", "自提"])
    wb.define_name("订单金额", "=订单!$C$2:$C$21")
    wb.close()


def inject_x14_validation(path: Path) -> None:
    """Add an Excel 2010 list validation (source on another sheet) to 订单's extLst, before the sparklines."""
    buffer = io.BytesIO(path.read_bytes())
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                xml = data.decode()
                if SPARKLINE_EXT not in xml:
                    sys.exit("XlsxWriter did not write the sparkline extension where expected")
                data = xml.replace(SPARKLINE_EXT, X14_DV + SPARKLINE_EXT, 1).encode()
            dst.writestr(info, data)


def build_for_libreoffice(path: Path) -> None:
    """The workbook LibreOffice is asked to save again."""
    from openpyxl import Workbook
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "订单"
    ws.append(["订单号", "手机", "金额", "下单时间", "状态", "含税"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9E1F2")
    for i, order in enumerate(orders(), start=2):
        ws.append([*order[:5], f"=C{i}*1.13"])
        ws.cell(i, 2).number_format = "@"
        ws.cell(i, 3).number_format = "#,##0.00"
        ws.cell(i, 4).number_format = "yyyy-mm-dd hh:mm"
        ws.cell(i, 6).number_format = "#,##0.00"
    dropdown = DataValidation(type="list", formula1='"' + ",".join(STATUSES) + '"', allow_blank=True)
    ws.add_data_validation(dropdown)
    dropdown.add("E2:E21")
    big = PatternFill("solid", bgColor="FFC7CE")
    ws.conditional_formatting.add("C2:C21", CellIsRule(operator="greaterThan", formula=["200"], fill=big))
    ws.auto_filter.ref = "A1:F21"
    total = wb.create_sheet("汇总")
    total["A1"] = "合计"
    total["B1"] = "=SUM(订单!C2:C21)"
    wb.save(path)


def save_with_libreoffice(out: Path) -> None:
    soffice = shutil.which("soffice") or sys.exit("--libreoffice needs soffice (LibreOffice) on PATH")
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / out.name
        build_for_libreoffice(source)
        profile = (Path(tmp) / "profile").as_uri()
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={profile}",
                "--headless",
                "--convert-to",
                "xlsx",
                "--outdir",
                str(Path(tmp) / "saved"),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        shutil.copyfile(Path(tmp) / "saved" / out.name, out)


if __name__ == "__main__":
    build(OUT)
    inject_x14_validation(OUT)
    print(f"wrote {OUT}")
    if "--libreoffice" in sys.argv[1:]:
        save_with_libreoffice(LIBREOFFICE_OUT)
        print(f"wrote {LIBREOFFICE_OUT}")
