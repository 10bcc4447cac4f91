"""Build the legacy files of tests/data/legacy/: what a team has the day it adopts sheetsync.

Run from anywhere:  python tests/data/legacy/make_legacy.py [--xls]

Each file is written byte by byte in its real encoding (the text is encoded here, never by a
library that could smooth it over).  Deterministic: no clock, no randomness; the .xlsx files get
fixed zip and docProps timestamps.  `--xls` also rebuilds old_erp.xls, which LibreOffice makes
from an .xlsx (`soffice --headless --convert-to xls`); its bytes then change (LibreOffice writes
the time into the file), its content does not.  People, phones and order numbers are made up.

- pos_2023_gbk.csv: an old POS "销售明细" export.  GBK, CRLF.  One 收货地址 string (split by the
  divisions data).  销售时间 in every form at once: 2024/1/5, 2024-01-05 13:00, 20240105,
  2024年1月5日, the Excel serial 45296, 13/1/2024 (so day-month order is day first: 1/6/2024 is
  1 June), 2024/1/6 下午 3:05.  Amounts ￥1,299.00, 1,299元, RMB 88.50, "  256.00  ", -￥79.80.
  A phone in full-width digits, one with +86 and spaces, a landline.  Line 8 is an exact copy of
  line 7; line 9 repeats the order of line 5 with another 状态 (a disagreement).  Rejected: line
  10 (no 单据号; its 备注 is `=HYPERLINK(...)`, which must stay inert) and line 11 (2024-13-45).
- shop_export_utf8bom.csv: a shop export, UTF-8 with BOM, CRLF.  订单编号 wrapped as `="..."` or
  led by a tab; a 来源 column naming the channel of each row (抖音, 拼多多); 省份/城市/区县 columns;
  phones `+86 138 1234 5601`; ¥ amounts.  Line 5 is an exact copy of line 2.
- excel_unicode.txt: Excel's "Unicode text": UTF-16 LE with BOM, tab separated, CRLF; English
  headers, month-first dates with AM/PM, $ amounts with thousands separators.
- old_erp.xls: an old ERP's .xls (BIFF8): 订单号, 客户名称, 联系电话 as number cells, 金额 as number
  cells, 下单日期 as date cells.
- orders_two_sheets.xlsx: sheets 2023年 and 2024年, each with a title merged over A1:G1 above the
  header row; phones as number cells in 2023年.  Order 2023-0003 is on both sheets, the same
  (a duplicate that agrees).
- float_phones.csv: phones a spreadsheet turned into floats: 13812345678.0 and 1.3912345678E+10
  (restored), 1.38e+10 (digits lost: rejected); an order number 6.93125E+18 (rejected).
- useless_headers.csv: headers 列1 … 列6 that say nothing: the columns are found by content.
"""

# Data tables with Chinese text: ruff counts a CJK character as two columns.
# ruff: noqa: E501

from __future__ import annotations

import codecs
import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

OUT = Path(__file__).resolve().parent
sys.path.insert(0, str(OUT.parent / "exports"))
from make_exports import save_xlsx  # noqa: E402  (fixed zip and docProps timestamps, as for the exports)


def csv_line(values: list[str], sep: str = ",") -> str:
    """One CSV line, quoting only fields that need it (as the exporters do)."""
    out = []
    for value in values:
        if any(c in value for c in (sep, '"', "\n", "\r")) or value.startswith("="):
            value = '"' + value.replace('"', '""') + '"'
        out.append(value)
    return sep.join(out)


POS_HEADER = ["单据号", "销售时间", "会员姓名", "会员手机", "收货地址", "商品", "金额", "状态", "备注"]
POS_ROWS = [
    ["XS20230105-001", "2024/1/5", "王芳", "13812345678", "浙江省杭州市西湖区文三路90号", "BB-002 奶瓶×2", "￥1,299.00", "已完成", ""],
    ["XS20230105-002", "2024-01-05 13:00", "李伟", "１３９１２３４５６７８", "广东省深圳市南山区科技园高新南七道6号", "AP-410 刹车片×1", "1,299元", "已完成", ""],
    ["XS20230105-003", "20240105", " 张敏 ", "+86 137 0000 1111", "上海市徐汇区宜山路700号", "AP-220 机滤×3", "RMB 88.50", "已发货", ""],
    ["XS20230105-004", "2024年1月5日", "刘洋", "0571-86012345", "四川省成都市武侯区武侯祠大街231号", "BB-005 湿巾×4", "  256.00  ", "已发货", "老客户"],
    ["XS20230105-005", "45296", "陈静", "13812340005", "河南省周口市郸城县汲冢镇张庄村三组", "BB-001 纸尿裤×2", "-￥79.80", "已退款", "退货"],
    ["XS20230113-006", "13/1/2024", "杨磊", "13812340006", "湖南省邵阳市隆回县桃洪镇新民村5组", "AP-305 雨刮×1", "45.5", "已完成", ""],
    ["XS20230113-006", "13/1/2024", "杨磊", "13812340006", "湖南省邵阳市隆回县桃洪镇新民村5组", "AP-305 雨刮×1", "45.5", "已完成", ""],
    ["XS20230105-004", "2024年1月5日", "刘洋", "0571-86012345", "四川省成都市武侯区武侯祠大街231号", "BB-005 湿巾×4", "256.00", "已完成", "老客户"],
    ["", "2024/1/6", "赵丽", "13812340010", "江苏省苏州市姑苏区平江路112号", "BB-002 奶瓶×1", "99", "已完成", '=HYPERLINK("http://example.com","点我")'],
    ["XS20230106-011", "2024-13-45", "黄强", "13812340011", "江苏省苏州市姑苏区平江路113号", "BB-002 奶瓶×1", "99", "已完成", ""],
    ["XS20230106-012", "2024/1/6 下午 3:05", "周杰", "13812340012", "北京市朝阳区阜通东大街1号", "AP-512 记录仪×1", "￥12,345.60", "已完成", "+加急"],
    ["XS20230601-013", "1/6/2024", "吴霞", "13812340013", "浙江省宁波市鄞州区天童南路588号", "AP-220 机滤×1", "45", "已完成", "-"],
]

SHOP_HEADER = ["订单编号", "下单时间", "收货人", "收货人手机号", "省份", "城市", "区县", "详细地址", "商品名称", "购买数量", "订单金额", "订单状态", "来源"]
SHOP_ROWS = [
    ['="6931245078213460001"', "2024-02-01 10:00:00", "孙丽", "+86 138 1234 5601", "浙江省", "杭州市", "西湖区", "文三路1号", "奶瓶", "2", "¥129.00", "已发货", "抖音"],
    ["\t6931245078213460002", "2024-02-01 11:00:00", "钱伟", "+86 138 1234 5602", "广东省", "广州市", "天河区", "体育西路2号", "湿巾", "1", "¥39.90", "待发货", "拼多多"],
    ['="6931245078213460003"', "2024-02-02 09:30:00", "郑敏", "13812345603", "四川省", "成都市", "锦江区", "春熙路3号", "机滤", "3", "¥135.00", "已完成", "抖音"],
    ['="6931245078213460001"', "2024-02-01 10:00:00", "孙丽", "+86 138 1234 5601", "浙江省", "杭州市", "西湖区", "文三路1号", "奶瓶", "2", "¥129.00", "已发货", "抖音"],
]

UTF16_HEADER = ["Order No", "Order Date", "Customer", "Mobile", "Shipping Address", "Total", "Status"]
UTF16_ROWS = [
    ["W-1001", "1/5/2024 1:05 PM", "Wang Fang", "13812345611", "浙江省杭州市西湖区文三路90号", "$1,299.00", "paid"],
    ["W-1002", "1/6/2024 9:30 AM", "Li Wei", "13812345612", "上海市徐汇区宜山路700号", "$88.50", "shipped"],
    ["W-1003", "2/14/2024 12:15 PM", "Zhang Min", "13812345613", "广东省深圳市南山区科技园路1号", "$2,000", "paid"],
]

ERP_HEADER = ["订单号", "客户名称", "联系电话", "金额", "下单日期", "备注"]
ERP_ROWS = [
    ["ERP-0001", "宁波老陈汽修", 13905741122, 790, dt.datetime(2023, 11, 15, 10, 3), "月结"],
    ["ERP-0002", "上海阿杰", 13601234567, 1299.5, dt.datetime(2023, 11, 16, 14, 25), ""],
    ["ERP-0003", "杭州小王", 13812345699, 45, dt.date(2023, 11, 17), ""],
]

SHEET_HEADER = ["订单号", "日期", "客户", "电话", "地址", "金额", "状态"]
SHEET_2023 = [
    ["2023-0001", dt.datetime(2023, 3, 1, 9, 0), "冯凯", 13812348801, "江苏省南京市玄武区中山路1号", 199, "已完成"],
    ["2023-0002", "2023/3/2", "蒋丽", 13812348802, "江苏省南京市鼓楼区北京西路2号", 299.9, "已完成"],
    ["2023-0003", "2023-03-03 15:30", "韩雪", 13812348803, "四川省南充市仪陇县马鞍镇琳琅村二组", 58, "已完成"],
]
SHEET_2024 = [
    ["2023-0003", "2023-03-03 15:30", "韩雪", "13812348803", "四川省南充市仪陇县马鞍镇琳琅村二组", 58, "已完成"],
    ["2024-0001", dt.datetime(2024, 1, 2, 8, 30), "朱红", "13812348804", "安徽省阜阳市临泉县杨桥镇王寨村三组", 66, "已发货"],
]

FLOAT_HEADER = ["订单号", "客户", "手机", "金额"]
FLOAT_ROWS = [
    ["F-1", "王芳", "13812345678.0", "10"],
    ["F-2", "李伟", "1.38e+10", "20"],
    ["F-3", "张敏", "1.3912345678E+10", "30"],
    ["F-4", "刘洋", "13712345678", "40"],
    ["6.93125E+18", "陈静", "13812345679", "50"],
]

USELESS_HEADER = ["列1", "列2", "列3", "列4", "列5", "列6"]
USELESS_ROWS = [
    ["A100001", "2024-03-01 10:00", "王芳", "13812340101", "¥12.00", "浙江省杭州市西湖区文三路1号"],
    ["A100002", "2024-03-01 11:00", "李伟", "13812340102", "¥99.50", "上海市徐汇区宜山路2号"],
    ["A100003", "2024-03-02 09:00", "张敏", "13812340103", "¥1,280.00", "广东省深圳市南山区科技园3号"],
    ["A100004", "2024-03-02 12:30", "刘洋", "13812340104", "¥45.00", "四川省成都市武侯区武侯祠大街4号"],
    ["A100005", "2024-03-03 16:45", "陈静", "13812340105", "¥300.00", "北京市朝阳区阜通东大街5号"],
]


def text_file(name: str, header: list[str], rows: list[list[str]], encoding: str, bom: bytes = b"", sep: str = ",") -> None:
    text = "".join(csv_line(r, sep) + "\r\n" for r in [header, *rows])
    (OUT / name).write_bytes(bom + text.encode(encoding))


def fill_sheet(ws: Any, header: list[str], rows: list[list[object]], first_row: int) -> None:
    for c, name in enumerate(header, start=1):
        ws.cell(row=first_row, column=c, value=name).font = Font(bold=True)
    for r, row in enumerate(rows, start=first_row + 1):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, dt.date):
                cell.number_format = "yyyy/m/d"
            elif isinstance(value, int) and value > 10**9:
                cell.number_format = "0"


def two_sheets() -> None:
    wb = Workbook()
    first = wb.active
    first.title = "2023年"
    second = wb.create_sheet("2024年")
    for ws, year, rows in ((first, 2023, SHEET_2023), (second, 2024, SHEET_2024)):
        ws["A1"] = f"杭州小马母婴 {year}年订单明细"
        ws["A1"].font = Font(bold=True, size=14)
        ws["A1"].alignment = Alignment(horizontal="center")
        ws.merge_cells("A1:G1")
        fill_sheet(ws, SHEET_HEADER, rows, 2)
    save_xlsx(wb, OUT / "orders_two_sheets.xlsx")


def old_erp_xls() -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice") or sys.exit("--xls needs soffice (LibreOffice) on PATH")
    wb = Workbook()
    ws = wb.active
    ws.title = "销售单"
    fill_sheet(ws, ERP_HEADER, ERP_ROWS, 1)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "old_erp.xlsx"
        save_xlsx(wb, source)
        profile = (Path(tmp) / "profile").as_uri()
        subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "xls", "--outdir",
                        str(Path(tmp) / "out"), str(source)], check=True, capture_output=True, timeout=300)
        shutil.copyfile(Path(tmp) / "out" / "old_erp.xls", OUT / "old_erp.xls")


def main() -> None:
    text_file("pos_2023_gbk.csv", POS_HEADER, POS_ROWS, "gbk")
    text_file("shop_export_utf8bom.csv", SHOP_HEADER, SHOP_ROWS, "utf-8", codecs.BOM_UTF8)
    text_file("excel_unicode.txt", UTF16_HEADER, UTF16_ROWS, "utf-16-le", codecs.BOM_UTF16_LE, sep="\t")
    text_file("float_phones.csv", FLOAT_HEADER, FLOAT_ROWS, "utf-8")
    text_file("useless_headers.csv", USELESS_HEADER, USELESS_ROWS, "utf-8")
    two_sheets()
    if "--xls" in sys.argv[1:]:
        old_erp_xls()
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
