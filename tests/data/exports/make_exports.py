"""Build the sample shop / carrier / finance export files in tests/data/exports/.

Run from anywhere:  python tests/data/exports/make_exports.py

Deterministic: no clock, no unseeded randomness; .xlsx files get fixed zip timestamps and
fixed docProps dates, so running it twice gives the same bytes.  Needs only the standard
library and openpyxl.  No .xls file is made (none is needed here, so no xlwt).

Every file imitates one real export (see README.md beside this script for the quirks and the
deliberate mess in each).  The people, phones and addresses are made up; the provinces,
cities, districts, towns and roads exist.  One fictional company sells baby goods (BB-…)
and car parts (AP-…) on every channel.

Cross-file links (kept consistent on purpose):
- douyin_orders.csv / douyin_orders_later.csv: the same 抖店 orders one day apart.
- sf_waybills.xlsx: 客户订单号 = 抖店 主订单编号 or 拼多多 订单号; 收件人 and phone equal the
  order's (masked the same way where SF masks); 运单号 = the order's 快递单号.
- finance_export.csv: 订单号 = order ids from the 抖店 / 拼多多 / 淘宝 / 400 files, amounts equal.
"""

# Data tables with Chinese text: ruff counts a CJK character as two columns.
# ruff: noqa: E501

from __future__ import annotations

import datetime as dt
import io
import random
import re
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

OUT = Path(__file__).resolve().parent
ZIP_TIME = (2026, 11, 21, 20, 0, 0)
CORE_TIME = b"2026-11-21T12:00:00Z"


# --------------------------------------------------------------------------- helpers


def money(value: Decimal | str | int) -> str:
    return f"{Decimal(value):.2f}"


def csv_field(value: object, delimiter: str = ",") -> str:
    """Quote like the exporters do: only when needed, plus fields starting with a tab or '='."""
    text = "" if value is None else str(value)
    if any(ch in text for ch in (delimiter, '"', "\n", "\r", "\t")) or text.startswith("="):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_text(header: list[str], rows: list[list[object]], delimiter: str = ",", newline: str = "\r\n") -> str:
    lines = [delimiter.join(csv_field(v, delimiter) for v in row) for row in [header, *rows]]
    return newline.join(lines) + newline


def write_bytes(name: str, data: bytes) -> None:
    (OUT / name).write_bytes(data)


def save_xlsx(wb: Workbook, path: Path) -> None:
    """Save with fixed timestamps so the bytes do not depend on when the script ran (make_legacy.py uses it too)."""
    wb.properties.creator = "sheetsync test data"
    wb.properties.created = dt.datetime(2026, 11, 21, 12, 0, 0)
    raw = io.BytesIO()
    wb.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + CORE_TIME, data)
            zi = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            zout.writestr(zi, data)
    path.write_bytes(out.getvalue())


def text_cell(ws, row: int, col: int, value: str):
    """A string cell that stays a string even when it starts with '=' (openpyxl would make a formula)."""
    cell = ws.cell(row=row, column=col, value=value)
    cell.data_type = "s"
    return cell


def ean13(first12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


def mask(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:]


# --------------------------------------------------------------------------- catalogue

# sku: (short name, 抖店/拼多多 style title, spec, price)
CATALOGUE = {
    "BB-001": ("婴儿纸尿裤L码52片", "【官方正品】超薄透气婴儿纸尿裤L码52片 男女宝宝通用尿不湿", "尺码:L;包装:52片", Decimal("129.00")),
    "BB-002": ("宽口径玻璃奶瓶240ml", "宽口径防胀气玻璃奶瓶240ml 新生儿婴儿奶瓶", "容量:240ml;颜色:透明", Decimal("89.00")),
    "BB-003": ("婴儿拉拉裤XL码42片", "婴儿拉拉裤XL码42片 成长裤 学步裤 夜用", "尺码:XL;包装:42片", Decimal("119.00")),
    "BB-005": ("婴儿手口湿巾80抽×6包", "婴儿手口专用湿巾80抽×6包 加厚 无香", "规格:80抽×6包", Decimal("39.90")),
    "BB-010": ("儿童安全座椅ISOFIX", "儿童安全座椅ISOFIX接口 0-12岁 360度旋转 汽车用", "颜色:曜石黑;接口:ISOFIX", Decimal("1299.00")),
    "AP-220": ("机油滤清器", "机油滤清器 机滤 适配大众EA211 朗逸/速腾/高尔夫", "适配:EA211", Decimal("45.00")),
    "AP-305": ("无骨雨刮片一对", "无骨雨刮片 前雨刷器 一对装 26+16寸", "尺寸:26+16寸", Decimal("68.00")),
    "AP-410": ("前刹车片陶瓷", "前刹车片 陶瓷配方 低粉尘 静音 一套4片", "位置:前轮;配方:陶瓷", Decimal("258.00")),
    "AP-512": ("行车记录仪4K", "行车记录仪 4K超清 前后双录 停车监控 免走线", "版本:前后双录;内存:64G", Decimal("399.00")),
}
DOUYIN_PRODUCT_ID = {
    "BB-001": "3612045899120345601",
    "BB-002": "3612045899120345602",
    "BB-003": "3612045899120345603",
    "BB-005": "3612045899120345605",
    "BB-010": "3612045899120345610",
    "AP-220": "3612045899120345720",
    "AP-305": "3612045899120345805",
    "AP-410": "3612045899120345910",
    "AP-512": "3612045899120346012",
}
PDD_GOODS_ID = {
    "BB-001": "458812340001",
    "BB-002": "458812340002",
    "BB-003": "458812340003",
    "BB-005": "458812340005",
    "BB-010": "458812340010",
    "AP-220": "458812340220",
    "AP-305": "458812340305",
    "AP-410": "458812340410",
    "AP-512": "458812340512",
}

# --------------------------------------------------------------------------- 抖店 (Douyin shop)

# Each order: the fields of the first export (2026-11-20 18:00) and, under "later", what changed
# by the second export (2026-11-21 18:00).  subs: (sku, qty, discount, row status override, 售后状态).
DOUYIN: list[dict] = [
    dict(id="6931245078213461021", style="eq", name="李秀英", phone="13812345678", shown="138****5678",
         addr=("浙江省", "杭州市", "西湖区", "文新街道", "文三路90号东部软件园2号楼301"),
         subs=[("BB-001", 2, "0.00"), ("BB-005", 1, "0.00")], freight="0.00",
         submit="2026-11-20 09:15:33", paid="2026-11-20 09:15:51", status="待发货", pay="抖音支付",
         later=dict(status="已发货", shipped="2026-11-21 10:02:17", carrier="顺丰速运", tracking="SF1402345678913")),
    dict(id="6931245078213462188", style="eq", name="张伟", phone="13926051847", shown="13926051847",
         addr=("广东省", "深圳市", "南山区", "粤海街道", "科技南十二路2号金蝶软件园A座"),
         subs=[("BB-010", 1, "100.00")], freight="0.00",
         submit="2026-11-19 21:40:08", paid="2026-11-19 21:40:30", status="已发货", pay="微信",
         shipped="2026-11-20 10:31:45", carrier="顺丰速运", tracking="SF1402345671206", memo="优先发货，客户催过",
         later=dict(status="已完成", done="2026-11-21 15:10:02")),
    dict(id="6931245078213463350", style="eq", name="王芳", phone="18812345678-1234", shown="18812345678-1234",
         addr=("北京市", "北京市", "朝阳区", "望京街道", "阜通东大街1号望京SOHO T2 1503"),
         subs=[("AP-512", 1, "20.00")], freight="0.00",
         submit="2026-11-20 11:02:47", paid="2026-11-20 11:03:05", status="待发货", pay="抖音支付",
         later=dict(status="已发货", shipped="2026-11-21 09:40:10", carrier="中通快递", tracking="78412345678901")),
    dict(id="6931245078213464477", style="tab", name="刘洋", phone="15021457789", shown="15021457789",
         addr=("上海市", "上海市", "浦东新区", "张江镇", "祖冲之路887弄12号601室"),
         subs=[("AP-220", 2, "0.00"), ("AP-305", 1, "0.00"), ("AP-410", 1, "10.00")], freight="0.00",
         submit="2026-11-17 14:22:10", paid="2026-11-17 14:22:41", status="已完成", pay="支付宝",
         shipped="2026-11-17 17:05:00", carrier="顺丰速运", tracking="SF1401987654320", done="2026-11-19 19:30:12"),
    dict(id="6931245078213465502", style="eq", name="陈静", phone="13783942165", shown="137****2165",
         addr=("河南省", "周口市", "郸城县", "汲冢镇", "张庄村三组18号"),
         subs=[("BB-002", 1, "0.00")], freight="10.00",
         submit="2026-11-20 13:48:22", paid="2026-11-20 13:48:40", status="待发货", pay="抖音支付",
         msg='=HYPERLINK("http://x","点我")',
         later=dict(status="已发货", shipped="2026-11-21 11:20:33", carrier="中通快递", tracking="78412345678925")),
    dict(id="6931245078213466630", style="eq", name="杨磊", phone="18980634521", shown="18980634521",
         addr=("四川省", "成都市", "武侯区", "玉林街道", "玉林西路55号2单元4楼"),
         subs=[("BB-001", 1, "0.00")], freight="0.00",
         submit="2026-11-19 08:12:09", paid="2026-11-19 08:12:30", status="已关闭", pay="抖音支付",
         cancel="买家不想要了", after="退款成功"),
    dict(id="6931245078213467714", style="eq", name="赵敏", phone="13770528813", shown="13770528813",
         addr=("江苏省", "南京市", "鼓楼区", "宁海路街道", "北京西路6号"),
         subs=[("AP-305", 2, "0.00")], freight="0.00",
         submit="2026-11-20 17:51:03", paid="", status="待支付", pay="",
         msg="+86 请发顺丰，谢谢",
         later=dict(status="已关闭", cancel="超时未支付")),
    dict(id="6931245078213468839", style="tab", name="黄丽", phone="13560217788", shown="13560217788",
         addr=("广东省", "广州市", "天河区", "天河南街道", "天河路208号粤海天河城大厦12楼"),
         subs=[("BB-005", 3, "0.00")], freight="0.00",
         submit="2026-11-20 15:30:44", paid="2026-11-20 15:31:02", status="待发货", pay="微信",
         msg="@商家 周末不在家，放丰巢快递柜",
         later=dict(status="已发货", shipped="2026-11-21 14:05:51", carrier="顺丰速运", tracking="SF1402345679018")),
    dict(id="6931245078213469905", style="eq", name="周杰", phone="15182934470", shown="15182934470",
         addr=("四川省", "南充市", "仪陇县", "马鞍镇", "琳琅村二组"),
         subs=[("AP-410", 1, "0.00")], freight="0.00",
         submit="2026-11-19 19:05:26", paid="2026-11-19 19:05:49", status="已发货", pay="抖音支付",
         shipped="2026-11-20 08:50:00", carrier="圆通速递", tracking="YT7512345678901", msg="村里只有圆通能到"),
    # to be rejected: 主订单编号 missing
    dict(id="", sub_id="6931245078213470012", style="eq", name="吴桂英", phone="13601234598", shown="13601234598",
         addr=("湖南省", "邵阳市", "隆回县", "桃洪镇", "新民村5组"),
         subs=[("BB-003", 1, "0.00")], freight="0.00",
         submit="2026-11-20 10:11:19", paid="2026-11-20 10:11:37", status="待发货", pay="抖音支付"),
    # to be rejected: 订单应付金额 unparseable
    dict(id="6931245078213471136", style="eq", name="徐明", phone="18657193320", shown="18657193320",
         addr=("浙江省", "杭州市", "余杭区", "五常街道", "文一西路969号"),
         subs=[("AP-220", 1, "0.00")], freight="0.00", bad_amount="#VALUE!",
         submit="2026-11-20 12:30:05", paid="2026-11-20 12:30:26", status="待发货", pay="抖音支付"),
    dict(id="6931245078213472260", style="eq", name="孙强", phone="13871236654", shown="13871236654",
         addr=("湖北省", "武汉市", "洪山区", "珞南街道", "珞喻路129号"),
         subs=[("BB-002", 2, "0.00"), ("BB-005", 2, "0.00", "已关闭", "退款成功")], freight="0.00",
         submit="2026-11-19 22:18:40", paid="2026-11-19 22:19:01", status="已发货", pay="抖音支付",
         shipped="2026-11-20 16:00:12", carrier="顺丰速运", tracking="SF1402345673377", msg="湿巾不要了，只发奶瓶"),
    dict(id="6931245078213473384", style="eq", name="马超", phone="15959201234", shown="15959201234",
         addr=("福建省", "厦门市", "思明区", "鹭江街道", "鹭江道8号国际银行大厦20楼"),
         subs=[("AP-220", 4, "0.00")], freight="0.00",
         submit="2026-11-18 10:05:55", paid="2026-11-18 10:06:11", status="已完成", pay="抖音月付",
         shipped="2026-11-18 15:30:00", carrier="京东快递", tracking="JDX000123456789", done="2026-11-20 09:12:40"),
    dict(id="6931245078213474415", style="tab", name="朱红", phone="15966210011", shown="159****0011",
         addr=("山东省", "临沂市", "沂南县", "依汶镇", "东辛庄村"),
         subs=[("BB-001", 2, "10.00")], freight="0.00",
         submit="2026-11-20 16:44:18", paid="2026-11-20 16:44:35", status="待发货", pay="抖音支付",
         msg="宝宝急用🙏",
         later=dict(status="已发货", shipped="2026-11-21 16:22:09", carrier="顺丰速运", tracking="SF1402345679105")),
    dict(id="6931245078213475546", style="eq", name="胡军", phone="13983456120", shown="13983456120",
         addr=("重庆市", "重庆市", "渝中区", "解放碑街道", "民族路188号"),
         subs=[("AP-512", 1, "0.00"), ("AP-305", 1, "0.00")], freight="0.00",
         submit="2026-11-20 08:02:13", paid="2026-11-20 08:02:39", status="待发货", pay="抖音支付"),
]
DOUYIN_NEW = dict(id="6931245078213476671", style="eq", name="林晓燕", phone="18192345678", shown="18192345678",
                  addr=("陕西省", "西安市", "雁塔区", "小寨路街道", "长安中路38号2栋1单元502"),
                  subs=[("BB-010", 1, "50.00")], freight="0.00",
                  submit="2026-11-21 10:26:37", paid="2026-11-21 10:27:02", status="待发货", pay="抖音支付",
                  msg="座椅要黑色")

DOUYIN_HEADER = [
    "主订单编号", "子订单编号", "选购商品", "商品规格", "商品数量", "商品ID", "商家编码", "商品单价", "订单应付金额", "运费",
    "优惠总金额", "收件人", "收件人手机号", "省", "市", "区", "街道", "详细地址", "买家留言", "订单提交时间", "支付完成时间",
    "订单完成时间", "订单状态", "售后状态", "取消原因", "发货时间", "快递公司", "快递单号", "商家备注", "支付方式",
]


def douyin_total(order: dict) -> Decimal:
    total = Decimal(order["freight"])
    for sku, qty, disc, *_ in order["subs"]:
        total += CATALOGUE[sku][3] * qty - Decimal(disc)
    return total


def douyin_id(value: str, style: str) -> str:
    if not value:
        return ""
    return f'="{value}"' if style == "eq" else "\t" + value


def douyin_rows(orders: list[dict], later: bool) -> list[list[object]]:
    rows = []
    for order in sorted(orders, key=lambda o: o["submit"], reverse=True):
        o = {**order, **(order.get("later", {}) if later else {})}
        main_id = o["id"]
        base_sub = o.get("sub_id") or main_id
        for n, sub in enumerate(o["subs"]):
            sku, qty, disc = sub[:3]
            row_status = sub[3] if len(sub) > 3 else o["status"]
            after = sub[4] if len(sub) > 4 else o.get("after", "-")
            sub_id = base_sub if len(o["subs"]) == 1 else str(int(base_sub) + n + 1)
            _, title, spec, price = CATALOGUE[sku]
            freight = Decimal(o["freight"]) if n == 0 else Decimal("0.00")
            amount = o.get("bad_amount") or money(price * qty - Decimal(disc) + freight)
            prov, city, dist, street, detail = o["addr"]
            rows.append([
                douyin_id(main_id, o["style"]), douyin_id(sub_id, o["style"]), title, spec, qty,
                "\t" + DOUYIN_PRODUCT_ID[sku], sku, money(price), amount, money(freight), money(disc),
                o["name"], o["shown"], prov, city, dist, street, detail, o.get("msg", ""), o["submit"], o["paid"],
                o.get("done", ""), row_status, after, o.get("cancel", "-"), o.get("shipped", ""), o.get("carrier", ""),
                o.get("tracking", ""), o.get("memo", "-"), o["pay"],
            ])
    return rows


def make_douyin() -> None:
    text = csv_text(DOUYIN_HEADER, douyin_rows(DOUYIN, later=False), newline="\n")
    write_bytes("douyin_orders.csv", text.encode("utf-8-sig"))
    text = csv_text(DOUYIN_HEADER, douyin_rows([*DOUYIN, DOUYIN_NEW], later=True), newline="\n")
    write_bytes("douyin_orders_later.csv", text.encode("utf-8-sig"))


# --------------------------------------------------------------------------- 拼多多 (Pinduoduo)

PDD_HEADER = [
    "商品", "订单号", "订单状态", "商品总价(元)", "店铺优惠折扣(元)", "平台优惠折扣(元)", "邮费(元)", "用户实付金额(元)",
    "商家实收金额(元)", "商品数量(件)", "收货人", "手机", "省", "市", "区", "街道", "收货地址", "支付时间", "承诺发货时间",
    "发货时间", "确认收货时间", "商品id", "商品规格", "商家编码-规格维度", "售后状态", "快递单号", "快递公司", "商家备注",
]

# (订单号, sku, qty, 店铺优惠, 平台优惠, 邮费, 收货人, 手机 as exported, real phone or None, (省,市,区,街道), 收货地址,
#  支付时间, 订单状态, 发货时间, 确认收货时间, 售后状态, 快递单号, 快递公司, 商家备注)
PDD: list[tuple] = [
    ("261120-058812345678901", "BB-003", 1, "5.00", "3.00", "0.00", "高秀兰", "13645678012", "13645678012",
     ("广东省", "广州市", "白云区", "京溪街道"), "沙太南路1098号京溪花园7栋203", "2026-11-20 09:15:33",
     "已发货，待收货", "2026-11-20 15:42:10", "", "无售后或售后取消", "SF1402345681234", "顺丰快递", ""),
    ("261119-158812345678902", "AP-410", 1, "10.00", "0.00", "0.00", "何志强", "15312340987", "15312340987",
     ("江苏省", "苏州市", "姑苏区", "平江街道"), "平江路112号", "2026-11-19 10:20:05",
     "已签收", "2026-11-19 16:03:44", "2026-11-21 11:08:30", "无售后或售后取消", "SF1402345680977", "顺丰快递", "老客户"),
    ("261120-258812345678903", "BB-005", 2, "0.00", "2.00", "0.00", "罗春梅", "1.38e+10", None,
     ("湖南省", "邵阳市", "隆回县", "桃洪镇"), "新民村5组", "2026-11-20 11:47:21",
     "待发货", "", "", "无售后或售后取消", "", "", ""),
    ("261120-358812345678904", "AP-220", 3, "0.00", "5.00", "0.00", "郭建平", "13512349876", "13512349876",
     ("河北省", "保定市", "莲池区", "五四路街道"), "东风中路1155号", "2026-11-20 12:03:59",
     "待发货", "", "", "无售后或售后取消", "", "", ""),
    ("261120-458812345678905", "BB-001", 1, "0.00", "0.00", "0.00", "梁淑芬", "13698765432.0", "13698765432",
     ("广西壮族自治区", "南宁市", "青秀区", "新竹街道"), "民族大道100号", "2026-11-20 13:30:12",
     "已发货，待收货", "2026-11-20 17:20:00", "", "无售后或售后取消", "JT5012345678901", "极兔速递", ""),
    ("261119-558812345678906", "BB-002", 1, "0.00", "0.00", "0.00", "宋丽娟", "13905312233", "13905312233",
     ("山东省", "济南市", "历下区", "泉城路街道"), "泉城路180号", "2026-11-19 20:55:47",
     "已签收", "2026-11-20 09:11:28", "2026-11-21 18:02:55", "无售后或售后取消", "4312345678901", "韵达快递", ""),
    ("261120-658812345678907", "AP-305", 1, "0.00", "3.00", "0.00", "唐小龙", "１３５７１２３９８７６", "13571239876",
     ("陕西省", "西安市", "雁塔区", "小寨路街道"), "小寨东路126号", "2026-11-20 14:22:36",
     "待发货", "", "", "无售后或售后取消", "", "", ""),
    ("261120-758812345678908", "BB-003", 2, "10.00", "0.00", "0.00", "韩雪", "18729001234", "18729001234",
     ("四川省", "南充市", "仪陇县", "马鞍镇"), "四川省南充市仪陇县马鞍镇琳琅村二组", "2026-11-20 15:09:01",
     "待发货", "", "", "无售后或售后取消", "", "", "地址重复了省市区"),
    ("261118-858812345678909", "BB-010", 1, "100.00", "0.00", "0.00", "冯凯", "15800001234", "15800001234",
     ("上海市", "上海市", "闵行区", "莘庄镇"), "莘东路505号", "2026-11-18 21:13:48",
     "已取消", "", "", "退款成功", "", "", "缺货，协商退款"),
    ("261120-958812345678910", "AP-512", 1, "0.00", "20.00", "0.00", "曹静怡", "17710245566", "17710245566",
     ("北京市", "北京市", "海淀区", "中关村街道"), "中关村大街27号", "2026-11-20 16:40:20",
     "待发货", "", "", "无售后或售后取消", "", "", ""),
    ("261120-068812345678911", "BB-005", 1, "0.00", "0.00", "6.00", "许海燕", "13087654321", "13087654321",
     ("安徽省", "阜阳市", "临泉县", "杨桥镇"), "王寨村三组", "2026-11-20 17:05:44",
     "待发货", "", "", "无售后或售后取消", "", "", "偏远加邮费"),
    ("261119-168812345678912", "AP-220", 2, "0.00", "0.00", "0.00", "邓超", "13312345670", "13312345670",
     ("云南省", "昆明市", "五华区", "华山街道"), "南屏街88号", "2026-11-19 09:38:27",
     "已发货，待收货", "2026-11-19 18:25:36", "", "无售后或售后取消", "78412345679013", "中通快递", ""),
    ("261120-268812345678913", "BB-002", 2, "0.00", "4.00", "0.00", "彭丽", "18611229900", "18611229900",
     ("辽宁省", "沈阳市", "和平区", "太原街街道"), "中华路128号", "2026-11-20 18:01:15",
     "待发货", "", "", "无售后或售后取消", "", "", ""),
    ("261120-368812345678914", "AP-410", 1, "0.00", "8.00", "0.00", "蒋文", "13945671234", "13945671234",
     ("黑龙江省", "哈尔滨市", "南岗区", "花园街道"), "红军街66号", "2026-11-20 19:22:08",
     "待发货", "", "", "无售后或售后取消", "", "", ""),
]
PDD_DUPLICATE_OF = "261120-358812345678904"  # this row appears twice in the file (page overlap)


def pdd_amounts(row: tuple) -> tuple[Decimal, Decimal, Decimal]:
    _, sku, qty, shop_disc, plat_disc, post = row[:6]
    goods = CATALOGUE[sku][3] * qty
    paid = goods - Decimal(shop_disc) - Decimal(plat_disc) + Decimal(post)
    received = goods - Decimal(shop_disc) + Decimal(post)
    return goods, paid, received


def make_pdd() -> None:
    rows = []
    for r in PDD:
        (oid, sku, qty, shop_disc, plat_disc, post, name, phone_shown, _real, (prov, city, dist, street), detail, paid_at,
         status, shipped, received_at, after, tracking, carrier, memo) = r
        goods, paid, received = pdd_amounts(r)
        promise = (dt.datetime.fromisoformat(paid_at) + dt.timedelta(hours=48)).strftime("%Y-%m-%d %H:%M:%S")
        line = [CATALOGUE[sku][1], oid, status, money(goods), shop_disc, plat_disc, post, money(paid), money(received), qty,
                name, phone_shown, prov, city, dist, street, detail, paid_at, promise, shipped, received_at,
                PDD_GOODS_ID[sku], "，".join(part.split(":", 1)[1] for part in CATALOGUE[sku][2].split(";")), sku, after, tracking, carrier, memo]
        rows.append(line)
        if oid == PDD_DUPLICATE_OF:
            rows.append(list(line))
    write_bytes("pinduoduo_orders.csv", csv_text(PDD_HEADER, rows).encode("gbk"))


# --------------------------------------------------------------------------- 淘宝 / 千牛

TAOBAO_HEADER = [
    "订单编号", "买家会员名", "买家支付宝账号", "买家应付货款", "买家应付邮费", "买家支付积分", "总金额", "返点积分",
    "买家实际支付金额", "买家实际支付积分", "订单状态", "买家留言", "收货人姓名", "收货地址", "运送方式", "联系电话", "联系手机",
    "订单创建时间", "订单付款时间", "宝贝标题", "宝贝种类", "物流单号", "物流公司", "订单备注", "宝贝总数量", "店铺Id", "店铺名称",
    "订单关闭原因",
]
SHOP_ID, SHOP_NAME = "57301248", "宜途优品企业店"

# (订单编号, 会员名, 支付宝, items [(sku, qty)], 邮费, 状态, 买家留言, 收货人, 收货地址, 运送方式, 联系电话, 联系手机,
#  创建, 付款, 物流单号, 物流公司, 订单备注, 关闭原因)
TAOBAO: list[tuple] = [
    ("3845120958712340561", "tb_lixiaoyan", "li***@163.com", [("AP-410", 1)], "0.00", "卖家已发货，等待买家确认", "",
     "李晓燕", "浙江省 杭州市 余杭区 五常街道 文一西路 969 号(311121)", "快递", "", "'13857101234",
     "2026/11/19 20:41", "2026/11/19 20:42", "No:SF1402345684410", "顺丰速运", "", ""),
    ("3845120958712340562", "小鱼儿妈妈2019", "138****6677", [("BB-001", 2), ("BB-005", 2)], "0.00", "买家已付款，等待卖家发货",
     "麻烦快点发货🙏", "刘䶮", "江苏省 苏州市 姑苏区 平江街道 平江路 112 号", "快递", "", "'13862106677",
     "2026/11/20 9:15", "2026/11/20 9:16", "", "", "", ""),
    ("1987654321098765", "宁波老陈汽修", "chen***@qq.com", [("AP-220", 10), ("AP-305", 5)], "0.00", "交易成功",
     "", "陈国栋", "浙江省 宁波市 鄞州区 首南街道 天童南路 588 号(315100)", "快递", "'0574-88123456", "'13905741122",
     "2026/11/15 10:03", "2026/11/15 10:05", "No:78412345670011", "中通快递", "月结老客户", ""),
    ("3845120958712340775", "tb3382911_22", "186****0932", [("AP-512", 1)], "0.00", "买家已付款，等待卖家发货",
     "", "赵雅琪", "广东省深圳市南山区科技园高新南七道6号", "快递", "", "18620150932",
     "2026/11/20 10:47", "2026/11/20 10:48", "", "", "", ""),
    ("3845120958712340813", "beijing_wangjing", "wj***@126.com", [("BB-010", 1)], "0.00", "卖家已发货，等待买家确认",
     "下午送", "孙海涛", "北京 北京市 朝阳区 望京 阜通东大街 1 号(100102)", "快递", "", "'13601087766",
     "2026/11/18 22:10", "2026/11/18 22:11", "No:JDX000123457001", "京东快递", "", ""),
    ("384512095871234099", "上海阿杰", "jie***@outlook.com", [("AP-410", 2)], "0.00", "交易成功",
     "", "杜俊杰", "上海 上海市 徐汇区 漕河泾街道 宜山路 700 号(200233)", "快递", "'021-64871234", "",
     "2026/11/16 14:25", "2026/11/16 14:26", "No:YT7512345670022", "圆通速递", "只留了座机", ""),
    ("3845120958712341027", "tb_chengdu_yl", "135****2208", [("BB-002", 1), ("BB-003", 1)], "0.00", "买家已付款，等待卖家发货",
     "", "袁媛", "四川省 成都市 武侯区 玉林街道 玉林西路 55 号(000000)", "快递", "", "'13550282208",
     "2026/11/20 13:02", "2026/11/20 13:02", "", "", "", ""),
    ("3845120958712341150", "桃洪镇小王", "150****3317", [("BB-005", 5)], "8.00", "买家已付款，等待卖家发货",
     "村口小卖部代收", "王秀梅", "湖南省 邵阳市 隆回县 桃洪镇 新民村 5 组(422200)", "EMS", "", "'15073903317",
     "2026/11/20 15:40", "2026/11/20 15:41", "", "", "", ""),
    ("3845120958712341288", "tb_tianjin88", "tj***@sina.com", [("AP-305", 1)], "0.00", "交易关闭",
     "", "马丽", "天津 天津市 南开区 学府街道 卫津路 94 号(300071)", "快递", "", "'13821106543",
     "2026/11/19 08:30", "", "", "", "", "买家未付款"),
    ("3845120958712341399", "厦门小林", "lin***@163.com", [("BB-001", 1)], "0.00", "交易关闭",
     "", "林志明", "福建省 厦门市 思明区 鹭江街道 鹭江道 8 号(361001)", "快递", "", "'15960201188",
     "2026/11/18 19:22", "2026/11/18 19:22", "", "", "买家申请退款，已退", "买家申请退款"),
    ("3845120958712341404", "tb_gz_tianhe", "gz***@qq.com", [("AP-220", 2), ("AP-410", 1)], "0.00", "卖家已发货，等待买家确认",
     "", "冯晓东", "广东省 广州市 天河区 天河南街道 天河路 208 号", "快递", "", "13711802345",
     "2026/11/19 11:05", "2026/11/19 11:06", "No:SF1402345684521", "顺丰速运", "", ""),
    ("3845120958712341516", "望京宝妈", "wjbm***@163.com", [("BB-002", 2)], "0.00", "交易成功",
     "", "郑欣怡", "北京 北京市 朝阳区 望京街道 广顺北大街 33 号(100102)", "快递", "", "'13910203344",
     "2026/11/14 21:48", "2026/11/14 21:49", "No:SF1402345670334", "顺丰速运", "", ""),
]


def taobao_goods(items: list[tuple[str, int]]) -> Decimal:
    return sum((CATALOGUE[sku][3] * qty for sku, qty in items), Decimal("0"))


def make_taobao() -> None:
    rows = []
    for (oid, nick, alipay, items, post, status, msg, name, addr, ship, tel, mobile, created, paid_at, tracking, carrier,
         memo, close) in TAOBAO:
        goods = taobao_goods(items)
        total = goods + Decimal(post)
        paid = total if paid_at and status != "交易关闭" else Decimal("0")
        titles = "，".join(CATALOGUE[sku][1] for sku, _ in items)
        rows.append([oid, nick, alipay, money(goods), post, 0, money(total), 0, money(paid), 0, status, msg, name, addr, ship,
                     tel, mobile, created, paid_at, titles, len(items), tracking, carrier, memo,
                     sum(q for _, q in items), SHOP_ID, SHOP_NAME, close])
    data = csv_text(TAOBAO_HEADER, rows).encode("gb18030")
    try:
        data.decode("gbk")
    except UnicodeDecodeError:
        pass
    else:  # pragma: no cover - the file must need GB18030
        raise SystemExit("taobao_orders.csv should contain characters outside GBK")
    write_bytes("taobao_orders.csv", data)


# --------------------------------------------------------------------------- 微信小店 (WeChat shop), .xlsx

WECHAT_HEADER = [
    "订单号", "下单时间", "支付时间", "订单状态", "商品名称", "商品编码", "数量", "商品总价", "运费", "实付金额", "收货人",
    "联系电话", "省份", "城市", "区县", "详细地址", "物流公司", "物流单号", "买家备注",
]

# (订单号, 下单, 支付, 状态, [(sku, qty)], 运费, 优惠, 收货人, 电话 (int = numeric cell), (省,市,区), 详细地址,
#  物流公司, 物流单号, 备注, dates_as_text)
WECHAT: list[tuple] = [
    ("3719826011234567890", "2026-11-20 08:45:12", "2026-11-20 08:45:30", "待发货", [("BB-001", 1)], "0.00", "0.00",
     "邱雨桐", 13916702233, ("上海市", "上海市", "浦东新区"), "张江镇科苑路88号3号楼", "", "", "", False),
    ("3719826011234567891", "2026-11-20 09:30:05", "2026-11-20 09:30:21", "已发货", [("AP-410", 1), ("AP-220", 2)], "0.00",
     "20.00", "钱伟", "13858063344", ("浙江省", "杭州市", "西湖区"), "文新街道文三路90号", "顺丰速运", "SF1402345690012",
     "", True),
    ("3719826011234567892", "2026-11-19 20:12:44", "2026-11-19 20:13:02", "已完成", [("BB-002", 1)], "0.00", "0.00",
     "谢婉婷", 2087654321, ("广东省", "广州市", "越秀区"), "北京街道北京路238号", "中通快递", "78412345690023",
     "座机，白天有人", False),
    ("3719826011234567893", "2026-11-20 11:18:36", "2026-11-20 11:18:50", "待发货", [("BB-010", 1)], "0.00", "0.00",
     "宋建军", "15100812345", ("河北省", "保定市", "莲池区"), "五四路街道东风中路1155号", "", "", "", True),
    ("3719826011234567894", "2026-11-20 12:02:09", "", "已取消", [("AP-512", 1)], "0.00", "0.00",
     "方琳", 18701234567, ("江苏省", "南京市", "玄武区"), "玄武门街道中山路18号", "", "", "不要了", False),
    ("3719826011234567895", "2026-11-20 13:44:51", "2026-11-20 13:45:10", "待发货", [("BB-003", 2), ("BB-005", 1)], "8.00",
     "0.00", "潘桂芳", "13707451122", ("湖南省", "邵阳市", "隆回县"), "桃洪镇新民村5组", "", "", "农村地址，走邮政", True),
    ("3719826011234567896", "2026-11-18 10:20:33", "2026-11-18 10:20:49", "已完成", [("AP-305", 2)], "0.00", "6.00",
     "戴明", 13608123456, ("四川省", "成都市", "武侯区"), "玉林街道玉林西路55号", "韵达快递", "4312345690045", "", False),
    ("3719826011234567897", "2026-11-20 15:05:27", "2026-11-20 15:05:44", "已发货", [("BB-001", 2)], "0.00", "0.00",
     "夏天", "+86 13512345611", ("北京市", "北京市", "朝阳区"), "望京街道阜通东大街1号", "京东快递", "JDX000123458002",
     "", True),
    ("3719826011234567898", "2026-11-20 16:30:00", "2026-11-20 16:30:15", "待发货", [("AP-220", 1)], "0.00", "0.00",
     "姜涛", 15927183344, ("湖北省", "武汉市", "洪山区"), "珞南街道珞喻路129号", "", "", "", False),
]


def make_wechat() -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "订单列表"
    ws.append(WECHAT_HEADER)
    r = 1
    for (oid, created, paid_at, status, items, freight, discount, name, phone, (prov, city, dist), detail, carrier,
         tracking, note, dates_text) in WECHAT:
        total = taobao_goods(items) + Decimal(freight) - Decimal(discount)
        for sku, qty in items:
            r += 1
            text_cell(ws, r, 1, oid)
            for col, value in ((2, created), (3, paid_at)):
                if not value:
                    continue
                if dates_text:
                    text_cell(ws, r, col, value)
                else:
                    ws.cell(row=r, column=col, value=dt.datetime.fromisoformat(value)).number_format = "yyyy-mm-dd hh:mm:ss"
            ws.cell(row=r, column=4, value=status)
            ws.cell(row=r, column=5, value=CATALOGUE[sku][1])
            text_cell(ws, r, 6, sku)
            ws.cell(row=r, column=7, value=qty)
            ws.cell(row=r, column=8, value=float(CATALOGUE[sku][3] * qty)).number_format = "0.00"
            ws.cell(row=r, column=9, value=float(Decimal(freight))).number_format = "0.00"
            ws.cell(row=r, column=10, value=float(total) if paid_at else 0.0).number_format = "0.00"
            ws.cell(row=r, column=11, value=name)
            if isinstance(phone, int):
                ws.cell(row=r, column=12, value=phone)
            else:
                text_cell(ws, r, 12, phone)
            for col, value in ((13, prov), (14, city), (15, dist), (16, detail), (17, carrier), (18, tracking), (19, note)):
                if value:
                    text_cell(ws, r, col, value)
    for col, width in zip("ABCDEFGHIJKLMNOPQRS", (22, 20, 20, 8, 24, 10, 6, 10, 8, 10, 8, 14, 10, 8, 8, 28, 10, 18, 16),
                          strict=True):
        ws.column_dimensions[col].width = width
    save_xlsx(wb, OUT / "wechat_shop_orders.xlsx")


# --------------------------------------------------------------------------- 门店 POS

POS_HEADER = ["门店", "单据号", "销售时间", "会员卡号", "会员姓名", "会员手机", "商品条码", "商品名称", "数量", "应收", "实收", "支付方式"]
BARCODE = {sku: ean13("69" + "5123" + f"{i:06d}") for i, sku in enumerate(CATALOGUE, start=101)}

# (门店, 单据号, 销售时间, 会员卡号, 会员姓名, 会员手机, [(sku, qty)], 折扣率, 支付方式)
POS: list[tuple] = [
    ("杭州文三路店", "XS0101-20261120-0007", "20261120 101502", "0008812345", "李秀英", "13812345678",
     [("BB-001", 1), ("BB-005", 2), ("BB-002", 1)], "0.95", "微信支付"),
    ("杭州文三路店", "XS0101-20261120-0008", "2026-11-20 10:42", "", "", "", [("AP-305", 1), ("AP-220", 1)], "1", "现金"),
    ("成都玉林店", "XS0203-20261120-0015", "20261120 143011", "0020456789", "戴明", "13608123456",
     [("AP-410", 1), ("AP-220", 2), ("AP-305", 1), ("AP-512", 1)], "0.95", "支付宝"),
    ("成都玉林店", "XS0203-20261120-0016", "20261120 151200", "0020456789", "戴明", "13608123456",
     [("BB-001", -1)], "1", "原路退回"),
    ("杭州文三路店", "XS0101-20261121-0002", "2026-11-21 09:05", "0008800071", "钱伟", "13858063344",
     [("BB-010", 1), ("BB-003", 2), ("BB-005", 1)], "0.95", "储值卡+微信支付"),
    ("成都玉林店", "XS0203-20261121-0001", "20261121 100830", "", "", "", [("BB-002", 2), ("BB-005", 1)], "1", "银联卡"),
]


def make_pos() -> None:
    rows = []
    for store, doc, at, card, member, phone, items, rate, pay in POS:
        for sku, qty in items:
            due = CATALOGUE[sku][3] * qty
            got = (due * Decimal(rate)).quantize(Decimal("0.01"))
            rows.append([store, doc, at, card, member, phone, BARCODE[sku], CATALOGUE[sku][0], qty, money(due), money(got), pay])
    write_bytes("pos_export.csv", csv_text(POS_HEADER, rows).encode("gbk"))


# --------------------------------------------------------------------------- 400 电话订单登记表

PHONE_HEADER = ["日期", "来电号码", "客户姓名", "收货地址", "商品及数量", "金额", "接线员", "备注"]
BLANK = None
PHONE_ROWS: list[tuple | None] = [
    ("2026/11/20", "0571-86012345", "王建国", "浙江省杭州市拱墅区祥符街道莫干山路1418号", "AP-220 x10，AP-410 x2", 966, "小刘", "月结客户"),
    (dt.datetime(2026, 11, 20), 13905710001, "陈美玲", "浙江省杭州市西湖区文新街道文三路90号3幢502", "BB-001 x2，BB-005 x1", 297.9,
     "小刘", ""),
    ("11月21日", "15857112345", "周建华", "河南省周口市郸城县汲冢镇张庄村三组", "BB-010 x1", "¥1,299", "小王", "货到付款"),
    BLANK,
    ("2026/11/21", "18612345678", "刘德明", "广东省深圳市南山区粤海街道高新南七道6号", "AP-512×1", 399, "小王", "要开专票"),
    ("11月21日", "021-64871234", "上海明悦汽车配件有限公司", "上海市徐汇区漕河泾街道宜山路700号", "AP-410 x20，AP-220 x20", 6060,
     "小刘", "大客户，金额超5000需审批"),
    (dt.datetime(2026, 11, 22), 13700001111, "赵大勇", "浙江省杭州市文三路90号", "BB-002 X2", 178, "小王", ""),
    ("2026/11/22", "0838-2201234", "李桂兰", "四川省德阳市旌阳区旌阳街道长江西路二段2号", "BB-005 x4", 159.6, "小刘", ""),
    BLANK,
    ("11月22日", "13512340000", "王先生", "", "", "", "小王", "咨询安全座椅价格，未下单"),
    (dt.datetime(2026, 11, 23, 10, 30), 17755551234, "孙丽", "安徽省阜阳市临泉县杨桥镇王寨村", "BB-001 x3，BB-003 x1", 506, "小刘",
     "村里没有快递，发邮政"),
    ("2026/11/23", "+86 139 0000 2222", "郑小川", "重庆市重庆市渝中区解放碑街道民族路188号", "AP-305 x2", 136, "小王", ""),
    ("11月23日", "13988887777", "何敏", "北京市朝阳区望京街道阜通东大街1号", "BB-002 x1，BB-005 x2", 168.8, "小刘", "--加急--"),
]


def make_phone_orders() -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "11月"
    ws.merge_cells("A1:H1")
    title = ws.cell(row=1, column=1, value="400电话订单登记表 2026年11月")
    title.font = Font(bold=True, size=14)
    title.alignment = Alignment(horizontal="center")
    for col, name in enumerate(PHONE_HEADER, start=1):
        ws.cell(row=2, column=col, value=name).font = Font(bold=True)
    r = 2
    for entry in PHONE_ROWS:
        r += 1
        if entry is None:
            continue
        for col, value in enumerate(entry, start=1):
            if value == "":
                continue
            if isinstance(value, str):
                text_cell(ws, r, col, value)
            else:
                cell = ws.cell(row=r, column=col, value=value)
                if isinstance(value, dt.datetime):
                    cell.number_format = "yyyy/m/d" if value.hour == 0 else "yyyy/m/d h:mm"
    for col, width in zip("ABCDEFGH", (12, 16, 22, 42, 26, 10, 8, 26), strict=True):
        ws.column_dimensions[col].width = width
    save_xlsx(wb, OUT / "phone_orders.xlsx")


# --------------------------------------------------------------------------- Shopify

SHOPIFY_HEADER = [
    "Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Fulfilled at", "Accepts Marketing", "Currency",
    "Subtotal", "Shipping", "Taxes", "Total", "Discount Code", "Discount Amount", "Shipping Method", "Created at",
    "Lineitem quantity", "Lineitem name", "Lineitem price", "Lineitem compare at price", "Lineitem sku",
    "Lineitem requires shipping", "Lineitem taxable", "Lineitem fulfillment status", "Billing Name", "Billing Street",
    "Billing Address1", "Billing Address2", "Billing Company", "Billing City", "Billing Zip", "Billing Province",
    "Billing Country", "Billing Phone", "Shipping Name", "Shipping Street", "Shipping Address1", "Shipping Address2",
    "Shipping Company", "Shipping City", "Shipping Zip", "Shipping Province", "Shipping Country", "Shipping Phone", "Notes",
    "Note Attributes", "Cancelled at", "Payment Method", "Payment Reference", "Refunded Amount", "Vendor",
    "Outstanding Balance", "Employee", "Location", "Device ID", "Id", "Tags", "Risk Level", "Source", "Lineitem discount",
    "Tax 1 Name", "Tax 1 Value", "Tax 2 Name", "Tax 2 Value", "Tax 3 Name", "Tax 3 Value", "Tax 4 Name", "Tax 4 Value",
    "Tax 5 Name", "Tax 5 Value", "Phone", "Receipt Number", "Duties", "Billing Province Name", "Shipping Province Name",
    "Payment ID", "Payment Terms Name", "Next Payment Due At", "Payment References",
]
EN_NAME = {
    "BB-001": "Ultra-thin Baby Diapers Size L (52 ct)",
    "BB-002": "Wide-neck Glass Baby Bottle 240 ml",
    "BB-003": "Baby Pull-up Pants XL (42 ct)",
    "BB-005": "Baby Hand & Mouth Wipes 80 ct x 6",
    "BB-010": "ISOFIX Child Car Seat 0-12 yrs",
    "AP-220": "Oil Filter for VW EA211",
    "AP-305": "Frameless Wiper Blades 26\"+16\" (pair)",
    "AP-410": "Ceramic Front Brake Pads (set of 4)",
    "AP-512": "4K Dash Cam Front + Rear",
}
USD = {"BB-001": "32.00", "BB-002": "24.00", "BB-003": "29.90", "BB-005": "12.50", "BB-010": "289.00",
       "AP-220": "14.50", "AP-305": "19.90", "AP-410": "79.90", "AP-512": "129.00"}

SHOPIFY: list[dict] = [
    dict(name="#1001", email="emily.johnson@example.com", fin="paid", paid="2026-11-20 09:15:40 +0800", ful="fulfilled",
         fulfilled="2026-11-21 10:02:00 +0800", marketing="yes", created="2026-11-20 09:15:33 +0800",
         lines=[("BB-002", 2), ("BB-005", 1)], shipping="8.00", tax=("San Francisco County Tax 8.625%", "0.08625", False),
         method="Standard Shipping", who="Emily Johnson", street="500 Howard St", addr2="Apt 12B", city="San Francisco",
         zip="94105", prov="CA", prov_name="California", country="US", phone="+1 415-555-0134",
         pay="Shopify Payments", id="5612345678901", tags="", source="web"),
    dict(name="#1002", email="lukas.schneider@example.de", fin="paid", paid="2026-11-20 15:02:11 +0800", ful="",
         fulfilled="", marketing="no", created="2026-11-20 15:01:58 +0800", lines=[("AP-512", 1)], shipping="15.00",
         tax=("DE VAT 19%", "0.19", True), method="DHL Express", who="Lukas Schneider", street="Friedrichstraße 68",
         addr2="", city="Berlin", zip="10117", prov="", prov_name="", country="DE", phone="+49 30 901820",
         pay="PayPal Express Checkout", id="5612345678902", tags="EU", source="web"),
    dict(name="#1003", email="oliver.smith@example.co.uk", fin="partially_refunded", paid="2026-11-19 18:40:22 +0800",
         ful="partial", fulfilled="", marketing="yes", created="2026-11-19 18:40:05 +0800",
         lines=[("BB-001", 2), ("BB-003", 1), ("BB-005", 2)], shipping="12.00", tax=("GB VAT 20%", "0.20", True),
         discount=("WELCOME10", "0.10"), method="Royal Mail Tracked 48", who="Oliver Smith", street="48 Leicester Square",
         addr2="Flat 3", city="London", zip="WC2H 7LU", prov="", prov_name="", country="GB", phone="+44 20 7946 0958",
         pay="Shopify Payments", id="5612345678903", tags="UK, repeat", source="web", refunded="25.00",
         notes="Please leave with the concierge, not at the door.\nThanks, Oliver",
         ful_lines=["fulfilled", "pending", "fulfilled"]),
    dict(name="#1004", email="sophie.tremblay@example.ca", fin="refunded", paid="2026-11-18 23:10:09 +0800", ful="",
         fulfilled="", marketing="no", created="2026-11-18 23:09:51 +0800", lines=[("BB-010", 1)], shipping="25.00",
         tax=("ON HST 13%", "0.13", False), method="Canada Post Expedited", who="Sophie Tremblay", street="290 Bremner Blvd",
         addr2="", city="Toronto", zip="M5V 3L9", prov="ON", prov_name="Ontario", country="CA", phone="+1 416-555-0199",
         pay="Shopify Payments", id="5612345678904", tags="", source="web", cancelled="2026-11-19 09:30:00 +0800",
         refunded="all"),
    dict(name="#1005", email="michael.brown@example.com", fin="pending", paid="", ful="", fulfilled="", marketing="no",
         created="2026-11-20 21:47:16 +0800", lines=[("AP-410", 1), ("AP-220", 2)], shipping="0.00",
         tax=("MA State Tax 6.25%", "0.0625", False), method="Free Shipping", who="Michael Brown",
         street="12 Brighton Ave", addr2="", city="Allston", zip="02134", prov="MA", prov_name="Massachusetts",
         country="US", phone="+1 617-555-0172", pay="Bank Deposit", id="5612345678905", tags="wholesale", source="web",
         notes="PO 4471, net 30 — ship together, deliver to side door", attrs="gift: no\nPO: 4471"),
    dict(name="#1006", email="ana.garcia@example.com", fin="paid", paid="2026-11-20 11:20:45 +0800", ful="fulfilled",
         fulfilled="2026-11-21 08:30:00 +0800", marketing="yes", created="2026-11-20 11:20:30 +0800",
         lines=[("AP-305", 1)], shipping="6.00", tax=("NJ State Tax 6.625%", "0.06625", False), method="USPS Priority Mail",
         who="Ana Garcia", street="221 River St", addr2="", city="Hoboken", zip="07030", prov="NJ", prov_name="New Jersey",
         country="US", phone="", customer_phone="+1 201-555-0147", pay="Shopify Payments", id="5612345678906",
         tags="", source="shopify_draft_order", notes="Gift wrap please"),
]


def shopify_order_money(o: dict) -> dict:
    subtotal_before = sum((Decimal(USD[sku]) * q for sku, q in o["lines"]), Decimal("0"))
    code, rate = o.get("discount", ("", "0"))
    discount = (subtotal_before * Decimal(rate)).quantize(Decimal("0.01"))
    subtotal = subtotal_before - discount
    shipping = Decimal(o["shipping"])
    _, tax_rate, included = o["tax"]
    if included:
        base = subtotal + shipping
        tax = (base - base / (1 + Decimal(tax_rate))).quantize(Decimal("0.01"))
        total = base
    else:
        tax = (subtotal * Decimal(tax_rate)).quantize(Decimal("0.01"))
        total = subtotal + shipping + tax
    refunded = o.get("refunded", "0.00")
    refunded = total if refunded == "all" else Decimal(refunded)
    outstanding = total if o["fin"] == "pending" else Decimal("0")
    return dict(subtotal=subtotal, shipping=shipping, tax=tax, total=total, code=code, discount=discount,
                refunded=refunded, outstanding=outstanding)


def make_shopify() -> None:
    rows = []
    col = {h: i for i, h in enumerate(SHOPIFY_HEADER)}
    for o in SHOPIFY:
        m = shopify_order_money(o)
        for n, (sku, qty) in enumerate(o["lines"]):
            row = [""] * len(SHOPIFY_HEADER)

            def put(header: str, value: object, row: list = row) -> None:
                row[col[header]] = value

            put("Name", o["name"])
            put("Email", o["email"])
            put("Created at", o["created"])
            put("Lineitem quantity", qty)
            put("Lineitem name", EN_NAME[sku])
            put("Lineitem price", USD[sku])
            put("Lineitem sku", sku)
            put("Lineitem requires shipping", "true")
            put("Lineitem taxable", "true")
            ful_lines = o.get("ful_lines")
            put("Lineitem fulfillment status", ful_lines[n] if ful_lines else (o["ful"] or "pending"))
            put("Vendor", "Yitu Baby & Auto")
            put("Lineitem discount", "0.00")
            if n == 0:
                put("Financial Status", o["fin"])
                put("Paid at", o["paid"])
                put("Fulfillment Status", o["ful"] or "unfulfilled")
                put("Fulfilled at", o["fulfilled"])
                put("Accepts Marketing", o["marketing"])
                put("Currency", "USD")
                put("Subtotal", money(m["subtotal"]))
                put("Shipping", money(m["shipping"]))
                put("Taxes", money(m["tax"]))
                put("Total", money(m["total"]))
                put("Discount Code", m["code"])
                put("Discount Amount", money(m["discount"]))
                put("Shipping Method", o["method"])
                for side in ("Billing", "Shipping"):
                    put(f"{side} Name", o["who"])
                    put(f"{side} Street", f"{o['street']}, {o['addr2']}" if o["addr2"] else o["street"])
                    put(f"{side} Address1", o["street"])
                    put(f"{side} Address2", o["addr2"])
                    put(f"{side} City", o["city"])
                    put(f"{side} Zip", o["zip"])
                    put(f"{side} Province", o["prov"])
                    put(f"{side} Country", o["country"])
                    put(f"{side} Phone", o["phone"])
                    put(f"{side} Province Name", o["prov_name"])
                put("Notes", o.get("notes", ""))
                put("Note Attributes", o.get("attrs", ""))
                put("Cancelled at", o.get("cancelled", ""))
                put("Payment Method", o["pay"])
                put("Payment Reference", f"c{o['id'][-8:]}.1" if o["paid"] else "")
                put("Refunded Amount", money(m["refunded"]))
                put("Outstanding Balance", money(m["outstanding"]))
                put("Id", o["id"])
                put("Tags", o["tags"])
                put("Risk Level", "Low")
                put("Source", o["source"])
                put("Tax 1 Name", o["tax"][0])
                put("Tax 1 Value", money(m["tax"]))
                put("Phone", o.get("customer_phone", o["phone"]))
                put("Payment ID", f"c{o['id'][-8:]}.1" if o["paid"] else "")
                put("Payment References", f"c{o['id'][-8:]}.1" if o["paid"] else "")
            rows.append(row)
    write_bytes("shopify_orders.csv", csv_text(SHOPIFY_HEADER, rows, newline="\n").encode("utf-8"))


# --------------------------------------------------------------------------- WooCommerce

WOO_HEADER = [
    "Order ID", "Order Number", "Order Status", "Order Date", "Paid Date", "Customer Note", "Billing First Name",
    "Billing Last Name", "Billing Phone", "Billing Email", "Shipping First Name", "Shipping Last Name", "Shipping Address 1",
    "Shipping Address 2", "Shipping City", "Shipping State", "Shipping Postcode", "Shipping Country", "Order Total",
    "Order Shipping", "Cart Discount", "SKU", "Item Name", "Quantity", "Item Cost",
]
EUR = {"BB-001": "34,90", "BB-002": "24,00", "BB-003": "29,90", "BB-005": "12,50", "BB-010": "1.299,00",
       "AP-220": "14,50", "AP-305": "19,90", "AP-410": "79,90", "AP-512": "129,00"}
WOO: list[dict] = [
    dict(id=4821, status="wc-processing", date="20.11.2026 09:15", paid="20.11.2026 09:16", note="", first="Anna",
         last="Müller", phone="+49 170 1234567", email="anna.mueller@example.de", a1="Prager Straße 12", a2="",
         city="Dresden", state="", pc="01069", country="DE", shipping="0,00", discount="0,00", lines=[("BB-010", 1)]),
    dict(id=4822, status="wc-completed", date="19.11.2026 14:02", paid="19.11.2026 14:03", note="", first="Thomas",
         last="Gruber", phone="+43 1 5321234", email="t.gruber@example.at", a1="Mariahilfer Straße 45/3/12", a2="",
         city="Wien", state="", pc="1060", country="AT", shipping="9,90", discount="0,00",
         lines=[("AP-410", 2), ("AP-220", 1)]),
    dict(id=4825, status="wc-on-hold", date="20.11.2026 11:40", paid="", note="Livraison après 18h; sonner 2 fois",
         first="Camille", last="Dubois", phone="+33 6 12 34 56 78", email="camille.dubois@example.fr",
         a1="12 Rue du Faubourg Saint-Honoré", a2="Bât. B", city="Paris", state="", pc="75008", country="FR",
         shipping="6,90", discount="5,00", lines=[("BB-002", 1), ("BB-005", 2)]),
    dict(id=4826, status="wc-processing", date="20.11.2026 16:25", paid="20.11.2026 16:25", note="", first="Jan",
         last="de Vries", phone="+31 20 123 4567", email="jan.devries@example.nl", a1="Herengracht 182", a2="3 hoog",
         city="Amsterdam", state="", pc="1016 BR", country="NL", shipping="0,00", discount="0,00", lines=[("AP-512", 1)]),
    dict(id=4830, status="wc-completed", date="18.11.2026 08:55", paid="18.11.2026 08:56", note='Citofono "Rossi G."',
         first="Giulia", last="Rossi", phone="+39 02 1234 5678", email="giulia.rossi@example.it", a1="Via Dante 7", a2="",
         city="Milano", state="MI", pc="20121", country="IT", shipping="12,00", discount="0,00",
         lines=[("BB-001", 3), ("AP-305", 1)]),
    dict(id=4831, status="wc-processing", date="21.11.2026 07:48", paid="21.11.2026 07:49", note="Bitte beim Nachbarn abgeben",
         first="Lukas", last="Weber", phone="0171 2345678", email="lukas.weber@example.de", a1="Sendlinger Straße 3", a2="",
         city="München", state="", pc="80331", country="DE", shipping="4,90", discount="0,00",
         lines=[("BB-003", 2), ("BB-005", 1)]),
]


def eur(text: str) -> Decimal:
    return Decimal(text.replace(".", "").replace(",", "."))


def eur_text(value: Decimal) -> str:
    whole, frac = f"{value:.2f}".split(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return ".".join(groups) + "," + frac


def woo_total(o: dict) -> Decimal:
    goods = sum((eur(EUR[sku]) * q for sku, q in o["lines"]), Decimal("0"))
    return goods + eur(o["shipping"]) - eur(o["discount"])


def make_woo() -> None:
    rows = []
    for o in WOO:
        total = eur_text(woo_total(o))
        for sku, qty in o["lines"]:
            rows.append([o["id"], o["id"], o["status"], o["date"], o["paid"], o["note"], o["first"], o["last"], o["phone"],
                         o["email"], o["first"], o["last"], o["a1"], o["a2"], o["city"], o["state"], o["pc"], o["country"],
                         total, o["shipping"], o["discount"], sku, EN_NAME[sku], qty, EUR[sku]])
    write_bytes("woocommerce_orders.csv", csv_text(WOO_HEADER, rows, delimiter=";").encode("utf-8-sig"))


# --------------------------------------------------------------------------- 顺丰 waybills

SF_HEADER = ["运单号", "寄件日期", "寄件时间", "收件人", "收件电话", "收件地址", "客户订单号", "托寄物", "件数", "计费重量", "运费",
             "签收时间", "状态"]


def douyin_by_id(order_id: str) -> dict:
    return next(o for o in [*DOUYIN, DOUYIN_NEW] if o["id"] == order_id)


def pdd_by_id(order_id: str) -> tuple:
    return next(r for r in PDD if r[0] == order_id)


def make_sf() -> None:
    rows: list[list[object]] = []
    # (douyin id, masked?, weight, fee, signed, status, goods)
    for oid, masked, weight, fee, signed, status, goods in (
        ("6931245078213464477", False, 2.5, 16.0, "2026-11-19 11:42:05", "已签收", "汽车配件"),
        ("6931245078213462188", True, 9.8, 45.0, "2026-11-21 14:22:37", "已签收", "儿童安全座椅"),
        ("6931245078213472260", True, 1.2, 13.0, "", "运送中", "母婴用品"),
        ("6931245078213461021", False, 3.1, 18.0, "", "运送中", "母婴用品"),
        ("6931245078213468839", False, 1.5, 13.0, "", "已揽收", "母婴用品"),
        ("6931245078213474415", True, 2.8, 15.0, "", "已揽收", "母婴用品"),
    ):
        o = {**douyin_by_id(oid), **douyin_by_id(oid).get("later", {})}
        shipped = dt.datetime.fromisoformat(o["shipped"])
        phone = o["shown"] if "*" in o["shown"] else (mask(o["phone"]) if masked else o["phone"])
        rows.append([o["tracking"], shipped.date(), shipped.strftime("%H:%M"), o["name"], phone, "".join(o["addr"]), oid, goods,
                     1, weight, fee, dt.datetime.fromisoformat(signed) if signed else None, status])
    for oid, weight, fee, signed, status in (
        ("261120-058812345678901", 2.0, 12.0, "", "运送中"),
        ("261119-158812345678902", 1.6, 12.0, "2026-11-21 10:15:48", "已签收"),
    ):
        r = pdd_by_id(oid)
        shipped = dt.datetime.fromisoformat(r[13])
        prov, city, dist, street = r[9]
        rows.append([r[16], shipped.date(), shipped.strftime("%H:%M"), r[6], mask(r[8]), prov + city + dist + street + r[10], oid,
                     "汽车配件" if r[1].startswith("AP") else "母婴用品", 1, weight, fee,
                     dt.datetime.fromisoformat(signed) if signed else None, status])
    # a waybill for an order that is in no export (looks like a 抖店 id, is not one of ours)
    rows.append(["SF1402345670001", dt.date(2026, 11, 20), "17:48", "蔡文博", "136****5120", "江西省赣州市于都县贡江镇长征大道66号",
                 "6931245078299990001", "汽车配件", 1, 0.8, 12.0, None, "运送中"])
    rows.sort(key=lambda row: (row[1], row[2]))
    wb = Workbook()
    ws = wb.active
    ws.title = "运单明细"
    ws.append(SF_HEADER)
    for r_i, row in enumerate(rows, start=2):
        for c_i, value in enumerate(row, start=1):
            if value is None:
                continue
            if isinstance(value, str):
                text_cell(ws, r_i, c_i, value)
                continue
            cell = ws.cell(row=r_i, column=c_i, value=value)
            if isinstance(value, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
            elif isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            elif c_i in (10, 11):
                cell.number_format = "0.0" if c_i == 10 else "0.00"
    for col, width in zip("ABCDEFGHIJKLM", (18, 12, 8, 8, 14, 48, 24, 12, 6, 8, 8, 20, 8), strict=True):
        ws.column_dimensions[col].width = width
    save_xlsx(wb, OUT / "sf_waybills.xlsx")


# --------------------------------------------------------------------------- generic carrier CSV

CARRIER_HEADER = ["order_id", "carrier", "tracking_no", "shipped_at", "delivered_at", "receiver_name", "receiver_phone"]
CARRIER_ROWS = [
    ["SS20261120-000001", "SF", "SF1402345700011", "2026-11-20T16:05:00+08:00", "2026-11-21T13:40:12+08:00", "王建国",
     "0571-86012345"],
    ["SS20261120-000002", "ZTO", "78412345700022", "2026-11-20T17:30:00+08:00", "", "陈美玲", "13905710001"],
    ["SS20261121-000001", "SF", "SF1402345700033", "2026-11-21T18:10:00+08:00", "", "周建华", "15857112345"],
    ["SS20261121-000002", "JD", "JDX000123459001", "2026-11-21T19:20:00+08:00", "", "刘德明", "18612345678"],
    ["SS20261121-000003", "SF", "SF1402345700044", "2026-11-22T10:00:00+08:00", "", "上海明悦汽车配件有限公司", "021-64871234"],
    ["SS20261120-000002", "ZTO", "78412345700022", "2026-11-20T17:30:00+08:00", "2026-11-22T09:05:33+08:00", "陈美玲",
     "13905710001"],
    ["SS20261122-000001", "YTO", "YT7512345700055", "2026-11-22T15:45:00+08:00", "", "赵大勇", "+86 13700001111"],
    ["", "EMS", "1189012345678", "2026-11-23T15:00:00+08:00", "", "孙丽", "17755551234"],
    ["SS20261122-000002", "YTO", "YT7512345700066", "2026-11-22T16:20:00+08:00", "", "李桂兰", "0838-2201234"],
    ["SS20261123-000002", "SF", "SF1402345700077", "2026-11-23T17:05:00+08:00", "", "郑小川", "139****2222"],
]


def make_carrier() -> None:
    write_bytes("carrier_generic.csv", csv_text(CARRIER_HEADER, CARRIER_ROWS, newline="\n").encode("utf-8"))


# --------------------------------------------------------------------------- finance / ERP receivables

FINANCE_HEADER = ["单据日期", "订单号", "客户", "应收金额", "实收金额", "开票状态", "备注"]


def cny(value: Decimal, symbol: bool = True) -> str:
    sign = "-" if value < 0 else ""
    return f"{sign}{'￥' if symbol else ''}{abs(value):,.2f}"


def make_finance() -> None:
    d2, d4, d12, d13 = (douyin_by_id(i) for i in ("6931245078213462188", "6931245078213464477", "6931245078213472260",
                                                 "6931245078213473384"))
    p2, p6 = pdd_by_id("261119-158812345678902"), pdd_by_id("261119-558812345678906")
    t3 = next(t for t in TAOBAO if t[0] == "1987654321098765")
    t6 = next(t for t in TAOBAO if t[0] == "384512095871234099")
    refund = CATALOGUE["BB-005"][3] * 2
    phone_big = Decimal(6060)
    rows = [
        ["2026-11-17", d4["id"], d4["name"], cny(douyin_total(d4)), cny(douyin_total(d4)), "已开票", ""],
        ["2026-11-18", d13["id"], d13["name"], cny(douyin_total(d13)), cny(douyin_total(d13)), "未开票", "抖音月付，平台结算后到账"],
        ["2026-11-19", d2["id"], d2["name"], cny(douyin_total(d2)), cny(douyin_total(d2)), "已开票", "电子普票"],
        ["2026-11-19", d12["id"], d12["name"], cny(douyin_total(d12)), cny(douyin_total(d12)), "未开票", ""],
        ["2026-11-20", d12["id"], d12["name"], cny(-refund), cny(-refund), "未开票", "售后退款（湿巾）"],
        ["2026-11-19", p2[0], p2[6], money(pdd_amounts(p2)[2]), money(pdd_amounts(p2)[2]), "未开票", ""],
        ["2026-11-19", p6[0], p6[6], cny(pdd_amounts(p6)[2], symbol=False), cny(pdd_amounts(p6)[2], symbol=False), "未开票", ""],
        ["2026-11-15", t3[0], "宁波老陈汽修（陈国栋）", cny(taobao_goods(t3[3])), cny(taobao_goods(t3[3])), "已开票", "月结老客户"],
        ["2026-11-16", t6[0], t6[7], cny(taobao_goods(t6[3]), symbol=False), cny(taobao_goods(t6[3]), symbol=False), "未开票", ""],
        ["2026-11-21", "SS20261121-000003", "上海明悦汽车配件有限公司", cny(phone_big), cny(Decimal(3000)), "已开票",
         "400电话大客户，预付3000，余款月结"],
        ["2026-11-20", "6.93125E+18", "李秀英", cny(douyin_total(douyin_by_id("6931245078213461021"))), "", "未开票",
         "订单号被Excel改成科学计数"],
        ["2026-11-20", "SS20261120-000001", "杭州顺达汽车维修有限公司（王建国）", cny(Decimal("966")), cny(Decimal("0")), "未开票",
         "400电话月结客户，月底统一收款"],
    ]
    due_total = Decimal(0)
    got_total = Decimal(0)
    for row in rows:
        due_total += Decimal(row[3].replace("￥", "").replace(",", "") or 0)
        got_total += Decimal(row[4].replace("￥", "").replace(",", "") or 0)
    rows.append(["合计", "", "", cny(due_total), cny(got_total), "", f"共{len(rows)}笔"])
    write_bytes("finance_export.csv", csv_text(FINANCE_HEADER, rows).encode("gbk"))


# --------------------------------------------------------------------------- broken files


def make_broken() -> None:
    write_bytes("corrupt_export.xlsx", random.Random(20261120).randbytes(4096))
    header = ["订单号", "商品", "收货人", "手机", "收货地址", "商家实收金额(元)"]
    rows = []
    for r in PDD[:6]:
        prov, city, dist, street = r[9]
        rows.append([r[0], CATALOGUE[r[1]][0], r[6], r[8] or "", prov + city + dist + street + r[10], money(pdd_amounts(r)[2])])
    data = csv_text(header, rows).encode("gbk")
    # cut the last line right after the first byte of a two-byte character in its address (济南市 → 济 + half of 南)
    last_line_start = data.rstrip(b"\r\n").rfind(b"\r\n") + 2
    cut = data.index("济南市".encode("gbk"), last_line_start) + 3
    truncated = data[:cut]
    try:
        truncated.decode("gbk")
    except UnicodeDecodeError:
        pass
    else:  # pragma: no cover
        raise SystemExit("truncated_export.csv should end inside a multibyte character")
    write_bytes("truncated_export.csv", truncated)


def main() -> int:
    make_douyin()
    make_pdd()
    make_taobao()
    make_wechat()
    make_pos()
    make_phone_orders()
    make_shopify()
    make_woo()
    make_sf()
    make_carrier()
    make_finance()
    make_broken()
    for path in sorted(OUT.iterdir()):
        if path.suffix in (".csv", ".xlsx"):
            print(f"{path.name:32} {path.stat().st_size:7d} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
