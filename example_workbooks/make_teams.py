"""Builds the three team desks of example_workbooks/: workbooks as real teams keep them, not as sheetsync makes them.

Run: python example_workbooks/make_teams.py   (needs LibreOffice: every workbook is saved by it, as a team's is)

- shop_zh/       a Chinese shop's desk: a merged title row, the team's own headers (订单编号 下单时间 客户姓名 手机
                 收货地址 金额 状态 快递单号 备注 业务员 来源), a status dropdown of its own words (待发货 已发货 已签收
                 退款中 已取消), a 汇总 sheet of COUNTIF formulas with two charts; a 抖店 export, a later one, and
                 a year of the old shop system's sales (实付金额, GBK).
- autoparts_zh/  an auto-parts wholesaler: its own ids (YT2611-0001), 大货单号 and 急件标, province / city / district
                 columns, an approver column, a 客户 sheet; 微信小店 exports (now and later) and an old ERP export.
- crossborder_en/ an English cross-border shop: Order No, one Address column, Country, Total, a status dropdown
                 (Pending Paid Shipped Delivered Refunded Cancelled); Shopify and WooCommerce exports, a later
                 Shopify export with a refund, and an old store's CSV.

Each folder holds the workbook, `inbox/` (today's exports), `later/` (an export of the same shop a day later) and
`legacy/` (old data to import).  There is no sheetsync.yaml: the first hour starts with `sheetsync init --from`.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import shutil
import subprocess
import tempfile
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).resolve().parent
T0 = dt.datetime(2026, 11, 18, 9, 0)
PLACES = [
    ("浙江省", "杭州市", "西湖区", "文三路90号"),
    ("江苏省", "南京市", "鼓楼区", "宁海路街道 北京西路6号"),
    ("广东省", "深圳市", "南山区", "科技园 高新南七道6号"),
    ("上海市", "上海市", "徐汇区", "宜山路700号"),
    ("四川省", "成都市", "武侯区", "武侯祠大街231号"),
    ("山东省", "临沂市", "沂南县", "依汶镇 东辛庄村3组"),
    ("北京市", "北京市", "海淀区", "中关村大街27号"),
    ("湖北省", "武汉市", "洪山区", "珞喻路1037号"),
]
NAMES = ["王芳", "李伟", "张敏", "刘洋", "陈静", "杨磊", "赵敏", "黄丽", "周杰", "吴霞", "徐强", "孙丽", "马超", "朱红", "胡军"]


def main() -> None:
    rng = random.Random(20261118)
    shop(HERE / "shop_zh", rng)
    autoparts(HERE / "autoparts_zh", rng)
    crossborder(HERE / "crossborder_en", rng)


def _fresh(folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    for part in ("inbox", "later", "legacy"):
        (folder / part).mkdir(parents=True)


def _phone(rng: random.Random) -> str:
    return f"{rng.choice(['138', '139', '150', '186', '177', '135'])}{rng.randint(10000000, 99999999)}"


def saved_by_libreoffice(made: Path, target: Path) -> None:
    """Open `made` in LibreOffice (headless) and save it as `target`: the package LibreOffice writes."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("LibreOffice (soffice) is needed: apt-get install libreoffice-calc-nogui")
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(
            [soffice, "--headless", "--norestore", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", out, str(made)],
            check=True,
            capture_output=True,
            timeout=180,
        )
        shutil.move(str(Path(out) / f"{made.stem}.xlsx"), target)


def _write_csv(path: Path, header: list[str], rows: list[list[object]], encoding: str = "utf-8-sig") -> None:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


# 1. a Chinese shop ------------------------------------------------------------------------------------------------

SHOP_STATUSES = ["待发货", "已发货", "已签收", "退款中", "已取消"]


def shop(folder: Path, rng: random.Random) -> None:
    _fresh(folder)
    with tempfile.TemporaryDirectory() as tmp:
        made = Path(tmp) / "订单台.xlsx"
        book = xlsxwriter.Workbook(str(made))
        sheet = book.add_worksheet("订单")
        title = book.add_format({"bold": True, "font_size": 14, "align": "center"})
        head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        date = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        money = book.add_format({"num_format": "#,##0.00"})
        headers = ["订单编号", "下单时间", "客户姓名", "手机", "收货地址", "金额", "状态", "快递单号", "备注", "业务员", "来源"]
        sheet.merge_range(0, 0, 0, len(headers) - 1, "杭州小店 订单登记（2026 年 11 月）", title)
        sheet.write_row(1, 0, headers, head)
        widths = [14, 18, 10, 14, 40, 10, 8, 18, 16, 8, 8]
        for c, w in enumerate(widths):
            sheet.set_column(c, c, w)
        for i in range(30):
            province, city, district, street = PLACES[i % len(PLACES)]
            status = SHOP_STATUSES[[0, 1, 1, 2, 2, 2, 0, 3, 4, 2][i % 10]]
            r = i + 2
            sheet.write_string(r, 0, f"HZ2611-{i + 1:03d}")
            sheet.write_datetime(r, 1, T0 - dt.timedelta(days=30 - i, hours=i % 7), date)
            sheet.write_string(r, 2, NAMES[i % len(NAMES)])
            sheet.write_string(r, 3, _phone(rng))
            sheet.write_string(r, 4, f"{province}{city}{district}{street}")
            sheet.write_number(r, 5, round(rng.uniform(39, 899), 2), money)
            sheet.write_string(r, 6, status)
            if status in ("已发货", "已签收"):
                sheet.write_string(r, 7, f"SF14023{rng.randint(10000000, 99999999)}")
            if i % 9 == 4:
                sheet.write_string(r, 8, "客户要求周末送")
            sheet.write_string(r, 9, ["小李", "小王"][i % 2])
            sheet.write_string(r, 10, ["抖音", "门店", "电话"][i % 3])
        sheet.data_validation(
            2,
            6,
            2000,
            6,
            {"validate": "list", "source": SHOP_STATUSES, "error_type": "stop", "error_message": "请从下拉列表选择状态"},
        )
        sheet.freeze_panes(2, 0)
        sheet.autofilter(1, 0, 31, len(headers) - 1)
        summary = book.add_worksheet("汇总")
        summary.write_row(0, 0, ["状态", "单数", "金额"], head)
        for i, status in enumerate(SHOP_STATUSES, start=1):
            summary.write_string(i, 0, status)
            summary.write_formula(i, 1, f"=COUNTIF(订单!$G:$G,A{i + 1})")
            summary.write_formula(i, 2, f"=SUMIF(订单!$G:$G,A{i + 1},订单!$F:$F)", money)
        summary.write_string(7, 0, "合计")
        summary.write_formula(7, 1, "=SUM(B2:B6)")
        summary.write_formula(7, 2, "=SUM(C2:C6)", money)
        bars = book.add_chart({"type": "column"})
        bars.add_series({"name": "单数", "categories": "=汇总!$A$2:$A$6", "values": "=汇总!$B$2:$B$6"})
        bars.set_title({"name": "各状态订单数"})
        summary.insert_chart("E2", bars)
        pie = book.add_chart({"type": "pie"})
        pie.add_series({"name": "金额", "categories": "=汇总!$A$2:$A$6", "values": "=汇总!$C$2:$C$6"})
        pie.set_title({"name": "各状态金额"})
        summary.insert_chart("E18", pie)
        book.close()
        saved_by_libreoffice(made, folder / "订单台.xlsx")
    header = [
        "主订单编号",
        "子订单编号",
        "选购商品",
        "商品数量",
        "商家编码",
        "订单应付金额",
        "收件人",
        "收件人手机号",
        "省",
        "市",
        "区",
        "街道",
        "详细地址",
        "订单提交时间",
        "支付完成时间",
        "订单状态",
        "发货时间",
        "快递公司",
        "快递单号",
        "取消原因",
    ]
    orders = []
    for i in range(8):
        province, city, district, street = PLACES[(i + 3) % len(PLACES)]
        town, _, detail = street.partition(" ") if " " in street else ("", "", street)
        key = f"69312450782134{60000 + i * 37}"
        created = T0 + dt.timedelta(hours=i * 3)
        orders.append(
            [
                key,
                key,
                ["宽口径玻璃奶瓶240ml", "婴儿湿巾80抽", "儿童安全座椅"][i % 3],
                1 + i % 3,
                ["BB-002", "BB-005", "BB-010"][i % 3],
                f"{[89, 29.9, 1299][i % 3] * (1 + i % 3):.2f}",
                NAMES[(i + 5) % len(NAMES)],
                _phone(rng),
                province,
                city,
                district,
                town,
                detail,
                created.strftime("%Y-%m-%d %H:%M:%S"),
                (created + dt.timedelta(minutes=2)).strftime("%Y-%m-%d %H:%M:%S"),
                "待发货",
                "",
                "",
                "",
                "",
            ]
        )
    _write_csv(folder / "inbox" / "抖店订单_1118.csv", header, orders)
    later = [list(row) for row in orders]
    for i, row in enumerate(later):
        if i in (0, 1, 2):
            row[15], row[16], row[17], row[18] = (
                "已发货",
                "2026-11-19 16:00:00",
                "顺丰速运",
                f"SF15{rng.randint(10**10, 10**11 - 1)}",
            )
        elif i == 3:
            row[15], row[19] = "已取消", "买家不想要了"
        elif i == 4:
            row[15], row[16], row[17], row[18] = (
                "已完成",
                "2026-11-19 10:00:00",
                "中通快递",
                f"7841{rng.randint(10**9, 10**10 - 1)}",
            )
    _write_csv(folder / "later" / "抖店订单_1119.csv", header, later)
    legacy = []
    for i in range(12):
        province, city, district, street = PLACES[i % len(PLACES)]
        legacy.append(
            [
                f"MD2025{i + 1:04d}",
                f"2025/{1 + i % 12}/{5 + i}",
                NAMES[(i + 2) % len(NAMES)],
                _phone(rng),
                f"{province}{city}{district}{street}",
                ["奶瓶×2", "湿巾×5", "安全座椅×1"][i % 3],
                f"{rng.uniform(20, 900):.2f}",
                "已完成",
            ]
        )
    _write_csv(
        folder / "legacy" / "门店2025销售.csv",
        ["单据号", "销售时间", "会员姓名", "会员手机", "收货地址", "商品", "实付金额", "状态"],
        legacy,
        encoding="gb18030",
    )


# 2. an auto-parts wholesaler --------------------------------------------------------------------------------------

PARTS_STATUSES = ["待确认", "审核中", "备货中", "已发货", "已签收", "已取消"]


def autoparts(folder: Path, rng: random.Random) -> None:
    _fresh(folder)
    with tempfile.TemporaryDirectory() as tmp:
        made = Path(tmp) / "汽配订单.xlsx"
        book = xlsxwriter.Workbook(str(made))
        sheet = book.add_worksheet("订单")
        head = book.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1})
        date = book.add_format({"num_format": "yyyy-mm-dd"})
        headers = [
            "单号",
            "下单日期",
            "客户",
            "联系电话",
            "省",
            "市",
            "区",
            "详细地址",
            "配件明细",
            "金额",
            "状态",
            "审批人",
            "大货单号",
            "急件标",
            "快递公司",
            "快递单号",
            "签收时间",
            "备注",
        ]
        sheet.write_row(0, 0, headers, head)
        for i in range(24):
            province, city, district, street = PLACES[(i * 3) % len(PLACES)]
            status = PARTS_STATUSES[[0, 1, 1, 2, 3, 4, 4, 3][i % 8]]
            row = [
                f"YT2611-{i + 1:04d}",
                None,
                f"{city[:2]}{['老陈', '阿杰', '小王', '大刘'][i % 4]}汽修",
                _phone(rng),
                province,
                city,
                district,
                street,
                ["AP-305 雨刮×2", "AP-220 机滤×10", "AP-410 刹车片×4", "AP-512 记录仪×1"][i % 4],
                [136, 450, 3280, 12800][i % 4],
                status,
                "",
                f"DH-{2611 + i // 5}",
                "急" if i % 6 == 0 else "",
                "顺丰" if status in ("已发货", "已签收") else "",
                "",
                "",
                "",
            ]
            for c, value in enumerate(row):
                if c == 1:
                    sheet.write_datetime(i + 1, c, T0 - dt.timedelta(days=24 - i), date)
                elif isinstance(value, int):
                    sheet.write_number(i + 1, c, value)
                elif value:
                    sheet.write_string(i + 1, c, value)
            if status in ("已发货", "已签收"):
                sheet.write_string(i + 1, 15, f"SF16{rng.randint(10**10, 10**11 - 1)}")
            if status == "已签收":
                sheet.write_datetime(i + 1, 16, T0 - dt.timedelta(days=20 - i), date)
        sheet.data_validation(1, 10, 3000, 10, {"validate": "list", "source": PARTS_STATUSES})
        sheet.data_validation(1, 13, 3000, 13, {"validate": "list", "source": ["急", ""]})
        sheet.freeze_panes(1, 1)
        customers = book.add_worksheet("客户")
        customers.write_row(0, 0, ["客户编号", "客户名称", "信用额度", "欠款"], head)
        for i, name in enumerate(["杭州老陈汽修", "南京阿杰汽修", "深圳小王汽修", "上海大刘汽修"]):
            customers.write_row(i + 1, 0, [f"C{i + 1:03d}", name, 50000, [0, 12000, 0, 48000][i]])
        book.close()
        saved_by_libreoffice(made, folder / "汽配订单.xlsx")
    header = [
        "订单号",
        "下单时间",
        "支付时间",
        "收货人",
        "联系电话",
        "省份",
        "城市",
        "区县",
        "详细地址",
        "实付金额",
        "订单状态",
        "物流公司",
        "物流单号",
        "商品编码",
        "商品名称",
        "数量",
    ]
    orders = []
    for i in range(6):
        province, city, district, street = PLACES[(i + 1) % len(PLACES)]
        created = T0 + dt.timedelta(hours=2 * i)
        orders.append(
            [
                f"wx42000012342026111{80 + i}",
                created.strftime("%Y-%m-%d %H:%M:%S"),
                (created + dt.timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M:%S"),
                NAMES[i + 3],
                _phone(rng),
                province,
                city,
                district,
                street,
                f"{[68, 190, 820][i % 3]:.2f}",
                "待发货",
                "",
                "",
                ["AP-305", "AP-220", "AP-410"][i % 3],
                ["雨刮", "机滤", "刹车片"][i % 3],
                1 + i % 2,
            ]
        )
    _write_csv(folder / "inbox" / "微信小店_1118.csv", header, orders)
    later = [list(row) for row in orders]
    later[0][10:13] = ["已发货", "顺丰速运", f"SF17{rng.randint(10**10, 10**11 - 1)}"]
    later[1][10] = "已取消"
    later[2][10:13] = ["已完成", "中通快递", f"7842{rng.randint(10**9, 10**10 - 1)}"]
    _write_csv(folder / "later" / "微信小店_1119.csv", header, later)
    legacy = [
        [
            f"ERP-{i + 1:04d}",
            f"2023-{1 + i % 12:02d}-{10 + i}",
            ["宁波老陈汽修", "上海阿杰", "杭州小王"][i % 3],
            _phone(rng),
            f"{PLACES[i % 8][0]}{PLACES[i % 8][1]}{PLACES[i % 8][2]}{PLACES[i % 8][3]}",
            f"{rng.randint(40, 5000)}.00",
            "月结" if i % 4 == 0 else "",
        ]
        for i in range(10)
    ]
    _write_csv(
        folder / "legacy" / "旧ERP导出.csv",
        ["单据编号", "开单日期", "客户名称", "客户电话", "送货地址", "应收金额", "备注"],
        legacy,
    )


# 3. a cross-border shop -------------------------------------------------------------------------------------------

EN_STATUSES = ["Pending", "Paid", "Shipped", "Delivered", "Refunded", "Cancelled"]
ABROAD = [
    ("1 Market St", "San Francisco", "CA", "94105", "US", "(415) 555-0100"),
    ("221B Baker Street", "London", "", "NW1 6XE", "GB", "020 7946 0958"),
    ("350 Fifth Avenue", "New York", "NY", "10118", "US", "(212) 555-0175"),
    ("10 Downing St", "London", "", "SW1A 2AA", "GB", "020 7946 0123"),
    ("1 Queen St", "Toronto", "ON", "M5C 2W5", "CA", "(416) 555-0199"),
]


def crossborder(folder: Path, rng: random.Random) -> None:
    _fresh(folder)
    with tempfile.TemporaryDirectory() as tmp:
        made = Path(tmp) / "orders.xlsx"
        book = xlsxwriter.Workbook(str(made))
        sheet = book.add_worksheet("Orders")
        head = book.add_format({"bold": True, "bg_color": "#E2EFDA", "border": 1})
        date = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        headers = [
            "Order No",
            "Order Date",
            "Customer",
            "Email",
            "Phone",
            "Address",
            "City",
            "State",
            "Zip",
            "Country",
            "Items",
            "Total",
            "Status",
            "Tracking",
            "Notes",
        ]
        sheet.write_row(0, 0, headers, head)
        for i in range(16):
            street, city, state, zipcode, country, phone = ABROAD[i % len(ABROAD)]
            status = EN_STATUSES[[1, 2, 3, 3, 2, 0, 3, 4][i % 8]]
            sheet.write_string(i + 1, 0, f"CB-{1001 + i}")
            sheet.write_datetime(i + 1, 1, T0 - dt.timedelta(days=16 - i, hours=i), date)
            sheet.write_string(i + 1, 2, ["Emma Brown", "Liam Smith", "Olivia Jones", "Noah Wilson"][i % 4])
            sheet.write_string(i + 1, 3, f"buyer{i}@example.com")
            sheet.write_string(i + 1, 4, phone)
            sheet.write_row(i + 1, 5, [street, city, state, zipcode, country])
            sheet.write_string(i + 1, 10, ["Baby bottle x2", "Wiper blades x1", "Car seat x1"][i % 3])
            sheet.write_number(i + 1, 11, [24.5, 39.0, 219.0][i % 3])
            sheet.write_string(i + 1, 12, status)
            if status in ("Shipped", "Delivered"):
                sheet.write_string(i + 1, 13, f"1Z999AA1{rng.randint(10**9, 10**10 - 1)}")
        sheet.data_validation(1, 12, 5000, 12, {"validate": "list", "source": EN_STATUSES})
        sheet.freeze_panes(1, 0)
        book.close()
        saved_by_libreoffice(made, folder / "orders.xlsx")
    header = [
        "Name",
        "Email",
        "Financial Status",
        "Paid at",
        "Fulfillment Status",
        "Created at",
        "Total",
        "Lineitem quantity",
        "Lineitem name",
        "Lineitem sku",
        "Shipping Name",
        "Shipping Address1",
        "Shipping Address2",
        "Shipping City",
        "Shipping Zip",
        "Shipping Province",
        "Shipping Country",
        "Shipping Phone",
    ]
    orders = []
    for i in range(5):
        street, city, state, zipcode, country, phone = ABROAD[(i + 2) % len(ABROAD)]
        created = T0 + dt.timedelta(hours=5 * i)
        orders.append(
            [
                f"#{2001 + i}",
                f"shopper{i}@example.com",
                "paid",
                (created + dt.timedelta(minutes=3)).strftime("%Y-%m-%d %H:%M:%S -0500"),
                "unfulfilled",
                created.strftime("%Y-%m-%d %H:%M:%S -0500"),
                f"{[49.0, 78.0, 219.0][i % 3]:.2f}",
                1 + i % 2,
                ["Baby bottle", "Wiper blades", "Car seat"][i % 3],
                ["BB-002", "AP-305", "BB-010"][i % 3],
                ["Ava Taylor", "Mia Clark", "Lucas Hall", "Ella King", "Jack Wright"][i],
                street,
                "",
                city,
                zipcode,
                state,
                country,
                phone,
            ]
        )
    _write_csv(folder / "inbox" / "shopify_orders.csv", header, orders, encoding="utf-8")
    later = [list(row) for row in orders]
    later[0][2] = "refunded"
    later[1][2] = "voided"
    _write_csv(folder / "later" / "shopify_orders_later.csv", header, later, encoding="utf-8")
    woo_header = [
        "Order Number",
        "Order Status",
        "Order Date",
        "Paid Date",
        "Billing Email",
        "Shipping First Name",
        "Shipping Last Name",
        "Billing Phone",
        "Shipping Address 1",
        "Shipping Address 2",
        "Shipping City",
        "Shipping State",
        "Shipping Postcode",
        "Shipping Country",
        "Order Total",
        "SKU",
        "Item Name",
        "Quantity",
    ]
    woo = []
    for i in range(4):
        street, city, state, zipcode, country, phone = ABROAD[i % len(ABROAD)]
        day = T0 + dt.timedelta(hours=3 * i)
        woo.append(
            [
                f"{7001 + i}",
                "wc-processing",
                day.strftime("%d/%m/%Y %H:%M"),
                day.strftime("%d/%m/%Y %H:%M"),
                f"woo{i}@example.com",
                ["Grace", "Henry", "Isla", "Leo"][i],
                ["Lee", "Moore", "Young", "Scott"][i],
                phone,
                street,
                "",
                city,
                state,
                zipcode,
                country,
                f"{[35.0, 120.0, 64.5, 19.9][i]:.2f}",
                f"SKU-{i}",
                ["Sun shade", "Dash cam", "Seat cover", "Air freshener"][i],
                1,
            ]
        )
    _write_csv(folder / "inbox" / "woocommerce_orders.csv", woo_header, woo, encoding="utf-8")
    legacy = [
        [
            f"OLD-{i + 1:03d}",
            f"2024-0{1 + i % 9}-1{i % 9}",
            ["Emma Brown", "Liam Smith"][i % 2],
            ABROAD[i % 5][5],
            f"{ABROAD[i % 5][0]}, {ABROAD[i % 5][1]}",
            ABROAD[i % 5][4],
            f"{rng.uniform(10, 300):.2f}",
            "Delivered",
        ]
        for i in range(8)
    ]
    _write_csv(
        folder / "legacy" / "old_store_2024.csv",
        ["Order Number", "Order Date", "Customer Name", "Phone", "Address", "Country", "Amount Paid", "Status"],
        legacy,
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
