"""Build the sample after-sales (售后 / 退款) exports of tests/data/exports/.

Run from anywhere:  python tests/data/exports/make_aftersales.py [OUT_DIR]

Writes douyin_aftersales.csv, douyin_aftersales_later.csv, taobao_refunds.csv and pinduoduo_aftersales.csv
(into OUT_DIR, by default the folder of this script).  `main(out_dir)` does the same from Python.

Deterministic: no clock; the one random part (the image names of the 抖店 voucher links) comes from a
seeded generator, so running it twice gives the same bytes.  Standard library only, plus the product
catalogue and the order tables of make_exports.py beside it, so that titles, SKUs, product ids and
amounts are the order exports' own.

Every ticket belongs to an order of the order samples (douyin_orders.csv, taobao_orders.csv,
pinduoduo_orders.csv) except one deliberate ticket per file whose order number is in no export.
The script checks this before it writes.  See README.md beside it for each file's quirks and rows.
"""

# Data tables with Chinese text: ruff counts a CJK character as two columns.
# ruff: noqa: E501

from __future__ import annotations

import random
import sys
from decimal import Decimal
from pathlib import Path

OUT = Path(__file__).resolve().parent
sys.path.insert(0, str(OUT))
from make_exports import (  # noqa: E402  (the order samples' catalogue and orders)
    CATALOGUE,
    DOUYIN,
    DOUYIN_NEW,
    DOUYIN_PRODUCT_ID,
    PDD,
    PDD_GOODS_ID,
    TAOBAO,
    csv_text,
    money,
    pdd_amounts,
)

PHOTO_SEED = 20261123


def douyin_order(order_id: str) -> dict | None:
    return next((o for o in [*DOUYIN, DOUYIN_NEW] if o["id"] == order_id), None)


def taobao_order(order_id: str) -> tuple | None:
    return next((t for t in TAOBAO if t[0] == order_id), None)


def pdd_order(order_id: str) -> tuple | None:
    return next((r for r in PDD if r[0] == order_id), None)


# --------------------------------------------------------------------------- 抖店 售后单

DOUYIN_HEADER = [
    "售后单号", "订单号", "子订单号", "商品名称", "商品ID", "商家编码", "商品规格", "售后数量", "售后类型", "售后原因", "问题描述",
    "凭证图片", "申请时间", "售后状态", "退款金额", "退款方式", "退货物流公司", "退货物流单号", "买家昵称", "售后完结时间", "商家备注",
]

# One dict per 售后单.  order/sub: 主订单编号 and 子订单编号 of douyin_orders.csv (sub = order for a one-product
# order); style: how the order export writes that order's ids (`eq` → ="…", `tab` → a leading tab); photos: how many
# voucher images; later: what changed by the second export (2026-11-24 ~18:00).
DOUYIN_TICKETS: list[dict] = [
    dict(id="7305186420913371011", order="6931245078213466630", sub="6931245078213466630", sku="BB-001", qty=1,
         kind="仅退款（未发货）", reason="不想要了", applied="2026-11-19 08:40:12", status="退款成功", amount="129.00",
         nick="用户5520913847", done="2026-11-19 08:40:15"),
    dict(id="7305186420913371024", order="6931245078213472260", sub="6931245078213472262", sku="BB-005", qty=2,
         kind="仅退款（未发货）", reason="多拍/拍错/不想要", desc="湿巾不要了，只发奶瓶", applied="2026-11-20 07:55:03",
         status="退款成功", amount="79.80", nick="强子2019", done="2026-11-20 08:10:41", memo="已拦截湿巾，奶瓶照发"),
    dict(id="7305186420913371037", order="6931245078213473384", sub="6931245078213473384", sku="AP-220", qty=1,
         kind="退货退款", reason="七天无理由退货", desc="多买了一个，没拆封", applied="2026-11-21 19:20:44", status="退款成功",
         amount="45.00", carrier="京东快递", tracking="JDX000123460215", nick="厦门马师傅", done="2026-11-23 16:05:30"),
    dict(id="7305186420913371040", order="6931245078213464477", sub="6931245078213464480", sku="AP-410", qty=1,
         kind="退货退款", reason="商品与页面描述不符", desc="页面写适配朗逸，实际装不上，孔位不对", photos=2,
         applied="2026-11-21 19:48:02", status="待商家收货", amount="248.00", carrier="圆通速递", tracking="YT7512345690318",
         nick="浦东刘工"),
    dict(id="7305186420913371053", order="6931245078213469905", sub="6931245078213469905", sku="AP-410", qty=1,
         kind="仅退款（已发货）", reason="快递一直未送达", desc="物流两天没动了", applied="2026-11-22 08:15:37", status="售后关闭",
         amount="258.00", nick="仪陇周杰", done="2026-11-22 17:32:09", memo="买家已收到货，主动撤销"),
    dict(id="7305186420913371066", order="6931245078213462188", sub="6931245078213462188", sku="BB-010", qty=1,
         kind="退货退款", reason="质量问题", desc="ISOFIX卡扣一边按不下去，装不上车", photos=3, applied="2026-11-22 09:30:55",
         status="待买家退货", amount="1199.00", nick="深圳张伟Z",
         later=dict(status="待商家收货", carrier="顺丰速运", tracking="SF1402345699901")),
    # the order is in no export (an October order, before the exports' window)
    dict(id="7305186420913371079", order="6931245078213400217", sub="6931245078213400217", sku="BB-001", qty=1,
         kind="退货退款", reason="发错货", desc="买的纸尿裤，发来的是拉拉裤", photos=1, applied="2026-11-22 14:05:10",
         status="待买家退货", amount="129.00", nick="用户8251637402"),
    dict(id="7305186420913371082", order="6931245078213461021", sub="6931245078213461023", sku="BB-005", qty=1,
         kind="补寄", reason="少件/漏发", desc="湿巾应该6包，只收到5包", photos=1, applied="2026-11-22 19:02:33",
         status="待商家处理", amount="0.00", nick="秀英宝妈"),
    dict(id="7305186420913371095", order="6931245078213463350", sub="6931245078213463350", sku="AP-512", qty=1,
         kind="换货", reason="功能故障/无法使用", desc="后摄像头没有画面，换了线也不行", photos=2, applied="2026-11-22 20:41:05",
         status="待买家退货", amount="0.00", nick="望京王芳"),
    dict(id="7305186420913371103", order="6931245078213465502", sub="6931245078213465502", sku="BB-002", qty=1,
         kind="仅退款（已发货）", reason="商品破损", desc="奶瓶收到时瓶身裂了，见图", photos=2, applied="2026-11-23 08:30:19",
         status="待商家处理", amount="89.00", nick="静静妈咪",
         later=dict(status="退款成功", done="2026-11-24 09:40:12", memo="破损，同意退款，不用退回")),
    # a reason the mapping does not translate
    dict(id="7305186420913371116", order="6931245078213475546", sub="6931245078213475548", sku="AP-305", qty=1,
         kind="仅退款（未发货）", reason="地址/电话信息填写错误", applied="2026-11-23 09:12:47", status="待商家处理",
         amount="68.00", nick="渝中胡哥"),
]
DOUYIN_TICKET_NEW = dict(
    id="7305186420913371129", order="6931245078213474415", sub="6931245078213474415", sku="BB-001", qty=1,
    kind="换货", reason="尺码拍错/不合适", desc="买成L码了，想换XL码", applied="2026-11-24 10:05:26", status="待商家处理",
    amount="0.00", nick="临沂朱红")
DOUYIN_UNKNOWN_ORDER = "6931245078213400217"


def douyin_style(order_id: str) -> str:
    order = douyin_order(order_id)
    return order["style"] if order else "eq"


def douyin_id(value: str, style: str) -> str:
    return f'="{value}"' if style == "eq" else "\t" + value


def photo_links(rng: random.Random, ticket_id: str, count: int) -> str:
    """Made-up voucher image links, `;`-separated as 抖店 joins them."""
    return ";".join(f"https://p3-aftersale.douyinpic.com/img/{ticket_id}/{rng.getrandbits(64):016x}~tplv-resize.jpeg"
                    for _ in range(count))


def douyin_rows(tickets: list[dict], later: bool) -> list[list[object]]:
    rng = random.Random(PHOTO_SEED)
    links = {t["id"]: photo_links(rng, t["id"], t.get("photos", 0)) for t in [*DOUYIN_TICKETS, DOUYIN_TICKET_NEW]}
    rows = []
    for ticket in sorted(tickets, key=lambda t: t["applied"], reverse=True):
        t = {**ticket, **(ticket.get("later", {}) if later else {})}
        style = douyin_style(t["order"])
        _, title, spec, _ = CATALOGUE[t["sku"]]
        rows.append([
            "\t" + t["id"], douyin_id(t["order"], style), douyin_id(t["sub"], style), title, "\t" + DOUYIN_PRODUCT_ID[t["sku"]],
            t["sku"], spec, t["qty"], t["kind"], t["reason"], t.get("desc", "-"), links[t["id"]], t["applied"], t["status"],
            t["amount"], "原路退回" if Decimal(t["amount"]) else "-", t.get("carrier", "-"), t.get("tracking", "-"), t["nick"],
            t.get("done", ""), t.get("memo", "-"),
        ])
    return rows


def douyin_texts() -> dict[str, bytes]:
    first = csv_text(DOUYIN_HEADER, douyin_rows(DOUYIN_TICKETS, later=False), newline="\n")
    second = csv_text(DOUYIN_HEADER, douyin_rows([*DOUYIN_TICKETS, DOUYIN_TICKET_NEW], later=True), newline="\n")
    return {"douyin_aftersales.csv": first.encode("utf-8-sig"), "douyin_aftersales_later.csv": second.encode("utf-8-sig")}


# --------------------------------------------------------------------------- 淘宝 / 千牛 退款管理

TAOBAO_HEADER = [
    "退款编号", "订单编号", "支付宝交易号", "订单付款时间", "商品编码", "退款完结时间", "买家会员名称", "买家实际支付金额", "宝贝标题",
    "买家退款金额", "手工退款/系统退款", "是否需要退货", "退款的申请时间", "超时时间", "退款状态", "货物状态", "退货物流信息",
    "发货物流信息", "客服介入状态", "卖家真实姓名", "卖家退货地址", "卖家邮编", "卖家电话", "卖家手机", "退货物流单号", "退货物流公司",
    "买家退款原因", "买家退款说明", "买家退货时间", "责任方", "售中或售后", "商家备注", "部分退款/全部退款", "退款操作人",
]
SELLER = ("周海峰", "浙江省 杭州市 余杭区 仓前街道 良睦路 1399 号 宜途优品退货仓", "311121", "'0571-88776655", "'13957112580")
OPERATOR = "宜途优品企业店:售后小美"

# One dict per 退款.  order: 订单编号 of taobao_orders.csv; sku: the refunded line; paid: 买家实际支付金额 of that line;
# back: 是否需要退货.  The unknown order carries its own buyer and payment time.
TAOBAO_TICKETS: list[dict] = [
    dict(id="203145612098765401", order="1987654321098765", sku="AP-305", paid="340.00", back="否", reason="少件/漏发",
         desc="雨刮少了一对，箱子里只有4对", applied="2026/11/18 9:40", status="卖家拒绝退款", amount="68.00", goods="买家已收到货",
         phase="售后", cs="需要客服介入", memo="出库称重和监控核对是5对，已拒绝并上传凭证"),
    dict(id="203145612098765402", order="3845120958712341399", sku="BB-001", paid="129.00", back="否", reason="多拍/拍错/不想要",
         desc="拍重复了", applied="2026/11/18 20:05", status="退款成功", amount="129.00", done="2026/11/18 20:06", goods="买家未收到货",
         phase="售中", how="系统退款", party="买家"),
    dict(id="203145612098765403", order="384512095871234099", sku="AP-410", paid="516.00", back="是", reason="质量问题",
         desc="一套刹车时有异响，另一套正常", applied="2026/11/19 10:12", status="退款成功", amount="258.00", done="2026/11/22 14:30",
         goods="买家已退货", carrier="圆通速递", tracking="YT7512345701234", returned="2026/11/19 16:40", phase="售后", party="卖家"),
    dict(id="203145612098765404", order="3845120958712341516", sku="BB-002", paid="178.00", back="是", reason="七天无理由退换货",
         applied="2026/11/20 21:10", status="卖家已经同意退款，等待买家退货", amount="89.00", timeout="2026/11/27 21:12",
         goods="买家已收到货", phase="售后", party="买家"),
    dict(id="203145612098765405", order="3845120958712340775", sku="AP-512", paid="399.00", back="否", reason="不喜欢/不想要",
         applied="2026/11/21 8:30", status="买家已经申请退款，等待卖家同意", amount="399.00", timeout="2026/11/26 8:30",
         goods="买家未收到货", phase="售中"),
    dict(id="203145612098765406", order="3845120958712340561", sku="AP-410", paid="258.00", back="是", reason="商品信息描述不符",
         desc="尺寸和描述的不一样，装不上", applied="2026/11/21 11:25", status="买家已经退货，等待卖家确认收货", amount="258.00",
         timeout="2026/11/29 9:48", goods="买家已退货", carrier="中通快递", tracking="78412345701234", returned="2026/11/22 9:48",
         phase="售中"),
    # the order is in no export
    dict(id="203145612098765407", order="3845120958712339876", sku="BB-003", paid="119.00", back="是", reason="卖家发错货",
         desc="要的XL发成L了", applied="2026/11/22 15:02", status="退款关闭", amount="119.00", done="2026/11/23 10:11",
         goods="买家已收到货", phase="售后", memo="买家撤销申请",
         nick="tb_hz_mama88", paid_at="2026/11/8 20:14"),
    # a reason the mapping does not translate
    dict(id="203145612098765408", order="3845120958712341150", sku="BB-005", paid="207.50", back="否", reason="退运费",
         desc="页面写的包邮，怎么收了8块邮费🙄", applied="2026/11/22 19:16", status="买家已经申请退款，等待卖家同意", amount="8.00",
         timeout="2026/11/27 19:16", goods="买家未收到货", phase="售中"),
]
TAOBAO_UNKNOWN_ORDER = "3845120958712339876"


def taobao_time(text: str) -> tuple[int, ...]:
    """`2026/11/18 9:40` as numbers, to sort by."""
    day, clock = text.split()
    return (*map(int, day.split("/")), *map(int, clock.split(":")))


def alipay_no(paid_at: str, refund_id: str) -> str:
    """A made-up 28-digit 支付宝交易号: the payment date, 2200, 16 digits."""
    year, month, day = taobao_time(paid_at)[:3]
    return f"{year}{month:02d}{day:02d}2200{1456781234560000 + int(refund_id[-3:]):016d}"


def taobao_text() -> bytes:
    rows = []
    for t in sorted(TAOBAO_TICKETS, key=lambda t: taobao_time(t["applied"]), reverse=True):
        order = taobao_order(t["order"])
        nick = order[1] if order else t["nick"]
        paid_at = order[13] if order else t["paid_at"]
        shipped = f"{order[15]} {order[14].removeprefix('No:')}" if order and order[14] else ""
        title = CATALOGUE[t["sku"]][1]
        returned_info = f"{t['carrier']} {t['tracking']}" if t.get("tracking") else ""
        seller = SELLER if t["back"] == "是" else ("", "", "", "", "")
        whole = "全部退款" if Decimal(t["amount"]) == Decimal(t["paid"]) else "部分退款"
        rows.append([
            t["id"], t["order"], alipay_no(paid_at, t["id"]), paid_at, t["sku"], t.get("done", ""), nick, t["paid"], title, t["amount"],
            t.get("how", "手工退款"), t["back"], t["applied"], t.get("timeout", ""), t["status"], t["goods"], returned_info, shipped,
            t.get("cs", "不需客服介入"), *seller, t.get("tracking", ""), t.get("carrier", ""), t["reason"], t.get("desc", ""),
            t.get("returned", ""), t.get("party", ""), t["phase"], t.get("memo", ""), whole, OPERATOR,
        ])
    data = csv_text(TAOBAO_HEADER, rows).encode("gb18030")
    try:
        data.decode("gbk")
    except UnicodeDecodeError:
        pass
    else:  # pragma: no cover - like taobao_orders.csv, the file must need GB18030
        raise SystemExit("taobao_refunds.csv should contain characters outside GBK")
    return data


# --------------------------------------------------------------------------- 拼多多 售后单

PDD_HEADER = [
    "售后编号", "订单号", "商品名称", "商品id", "商品规格", "商家编码", "申请数量", "用户实付金额(元)", "退款金额(元)", "售后类型",
    "售后原因", "售后说明", "售后状态", "申请时间", "收货状态", "退货快递公司", "退货快递单号", "售后完结时间", "商家备注",
]

# One dict per 售后单.  order: 订单号 of pinduoduo_orders.csv (each 拼多多 order holds one product).
PDD_TICKETS: list[dict] = [
    # a reason the mapping does not translate
    dict(id="12604518701", order="261118-858812345678909", kind="仅退款", reason="缺货", desc="商家说没货了，协商退款",
         status="退款成功", amount="1199.00", applied="2026-11-19 09:02:11", received="未收到货", done="2026-11-19 09:30:45",
         memo="缺货，协商退款"),
    dict(id="12604518702", order="261119-168812345678912", kind="退货退款", reason="七天无理由退货", status="退款成功",
         amount="90.00", applied="2026-11-21 09:30:12", received="已收到货", carrier="中通快递", tracking="78412345702233",
         done="2026-11-23 15:02:40"),
    # the order is in no export
    dict(id="12604518703", order="261117-758812345678999", sku="AP-305", paid="68.00", kind="退货退款", reason="质量问题",
         desc="刮不干净，有水痕", status="驳回", amount="68.00", applied="2026-11-21 10:02:33", received="已收到货",
         done="2026-11-22 11:00:00", memo="买家未提供视频，已驳回"),
    dict(id="12604518704", order="261119-158812345678902", kind="退货退款", reason="与商品描述不符", desc="型号和页面写的不一样",
         status="待商家收货", amount="248.00", applied="2026-11-21 13:20:05", received="已收到货", carrier="顺丰快递",
         tracking="SF1402345701122"),
    dict(id="12604518705", order="261119-558812345678906", kind="仅退款", reason="质量问题", desc="奶瓶盖子拧不紧, 漏水",
         status="待商家处理", amount="89.00", applied="2026-11-21 18:40:27", received="已收到货"),
    dict(id="12604518706", order="261120-058812345678901", kind="仅退款", reason="快递一直未送达", desc="两天了物流没更新",
         status="售后取消", amount="111.00", applied="2026-11-22 09:15:00", received="未收到货", done="2026-11-22 20:03:11",
         memo="买家已签收，撤销申请"),
    dict(id="12604518707", order="261120-458812345678905", kind="换货", reason="发错货", desc="下单L码，收到的是XL码",
         status="待买家退货", amount="0.00", applied="2026-11-22 16:48:09", received="已收到货"),
    dict(id="12604518708", order="261120-068812345678911", kind="补寄", reason="商品破损", desc="有一包湿巾包装破了，干了",
         status="已补寄", amount="0.00", applied="2026-11-22 19:26:40", received="已收到货", done="2026-11-23 10:15:22",
         memo="已补寄1包"),
]
PDD_UNKNOWN_ORDER = "261117-758812345678999"


def pdd_text() -> bytes:
    rows = []
    for t in sorted(PDD_TICKETS, key=lambda t: t["applied"], reverse=True):
        order = pdd_order(t["order"])
        sku = order[1] if order else t["sku"]
        qty = order[2] if order else 1
        paid = money(pdd_amounts(order)[1]) if order else t["paid"]
        spec = "，".join(part.split(":", 1)[1] for part in CATALOGUE[sku][2].split(";"))
        rows.append([
            t["id"], t["order"], CATALOGUE[sku][1], PDD_GOODS_ID[sku], spec, sku, qty, paid, t["amount"], t["kind"], t["reason"],
            t.get("desc", ""), t["status"], t["applied"], t["received"], t.get("carrier", ""), t.get("tracking", ""),
            t.get("done", ""), t.get("memo", ""),
        ])
    return csv_text(PDD_HEADER, rows).encode("gbk")


# --------------------------------------------------------------------------- checks and output


def check_links() -> None:
    """Every ticket names an order of its shop's order sample, except the one meant to name none."""
    for tickets, find, unknown in (([*DOUYIN_TICKETS, DOUYIN_TICKET_NEW], douyin_order, DOUYIN_UNKNOWN_ORDER),
                                   (TAOBAO_TICKETS, taobao_order, TAOBAO_UNKNOWN_ORDER),
                                   (PDD_TICKETS, pdd_order, PDD_UNKNOWN_ORDER)):
        missing = sorted({t["order"] for t in tickets if find(t["order"]) is None})
        if missing != [unknown]:  # pragma: no cover - the data tables above are wrong
            raise SystemExit(f"tickets without an order: {missing} (only {unknown} should be)")
    for t in [*DOUYIN_TICKETS, DOUYIN_TICKET_NEW]:
        order = douyin_order(t["order"])
        if order and t["sku"] not in [s[0] for s in order["subs"]]:  # pragma: no cover
            raise SystemExit(f"{t['id']}: {t['sku']} is not in order {t['order']}")
    for t in TAOBAO_TICKETS:
        order = taobao_order(t["order"])
        if order and t["sku"] not in [sku for sku, _ in order[3]]:  # pragma: no cover
            raise SystemExit(f"{t['id']}: {t['sku']} is not in order {t['order']}")


def build() -> dict[str, bytes]:
    """File name -> bytes of every after-sales sample."""
    check_links()
    return {**douyin_texts(), "taobao_refunds.csv": taobao_text(), "pinduoduo_aftersales.csv": pdd_text()}


def main(out_dir: Path | str = OUT) -> int:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, data in build().items():
        (out / name).write_bytes(data)
        print(f"{name:32} {len(data):7d} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else OUT))
