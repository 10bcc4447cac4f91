"""Builds example_workbooks/demo/: the desk `sheetsync demo` copies.  Run: python example_workbooks/make_demo.py

orders.xlsx holds five orders a sync already knows, two phone orders a clerk typed
without an order id, one order id typed twice by mistake, and a column of the team's own
(跟进人) that sheetsync must never touch.
"""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

from sheetsync.config.reasons import load_reasons
from sheetsync.desk.new import create_order_workbook, init_desk

HERE = Path(__file__).resolve().parent / "demo"
T0 = dt.datetime(2026, 11, 20, 9, 15)

ROWS = [
    {"order_id": "SS20261120-000001", "channel": "抖音", "channel_order_id": "6912345678901234567", "created_at": T0,
     "customer_name": "王芳", "phone": "13812345678", "province": "浙江省", "city": "杭州市", "district": "西湖区",
     "address": "文三路 90 号 东部软件园 3 幢", "postcode": "310012", "items": "BB-001×2; BB-017×1",
     "amount_payable": Decimal("398.00"), "amount_paid": Decimal("398.00"), "priority": "绿", "status": "已发货",
     "carrier": "顺丰", "tracking_no": "SF1402345678901", "跟进人": "小李"},
    {"order_id": "SS20261120-000002", "channel": "拼多多", "channel_order_id": "241120-058812345678901",
     "created_at": T0 + dt.timedelta(minutes=40), "customer_name": "李强", "phone": "0571-87654321-123",
     "province": "江苏省", "city": "苏州市", "district": "吴中区", "address": "木渎镇 金山路 18 号", "postcode": "215101",
     "items": "AP-220×1", "amount_payable": Decimal("2150.00"), "amount_paid": Decimal("2150.00"), "priority": "黄",
     "status": "审核中"},
    {"order_id": "SS20261120-000003", "channel": "淘宝", "channel_order_id": "3928172635481920",
     "created_at": T0 + dt.timedelta(hours=2), "customer_name": "陈静", "phone": "13900001111", "province": "广东省",
     "city": "深圳市", "district": "南山区", "address": "科技园 高新南七道 6 号", "postcode": "518057",
     "items": "BB-003×4", "amount_payable": Decimal("156.80"), "amount_paid": Decimal("156.80"), "priority": "绿",
     "status": "备货中", "跟进人": "小张"},
    {"order_id": "SS20261120-000004", "channel": "微信小程序", "channel_order_id": "wx4200001234202611201234",
     "created_at": T0 + dt.timedelta(hours=3), "customer_name": "赵磊", "phone": "15012345678", "province": "北京市",
     "city": "北京市", "district": "朝阳区", "address": "望京 阜通东大街 1 号", "postcode": "100102",
     "items": "MC-900×1", "amount_payable": Decimal("12800.00"), "amount_paid": Decimal("12800.00"), "priority": "红",
     "status": "审核中", "approver": "周总"},
    {"order_id": "SS20261120-000004", "channel": "门店POS", "channel_order_id": "POS-0031-77812",
     "created_at": T0 + dt.timedelta(hours=4), "customer_name": "孙丽", "phone": "13600002222", "province": "四川省",
     "city": "成都市", "district": "武侯区", "address": "人民南路四段 12 号", "items": "BB-001×1",
     "amount_payable": Decimal("199.00"), "amount_paid": Decimal("199.00"), "status": "已完成"},
    {"channel": "", "created_at": T0 + dt.timedelta(hours=5), "customer_name": "刘洋", "phone": "18688889999",
     "province": "湖北省", "city": "武汉市", "district": "洪山区", "address": "珞喻路 1037 号", "items": "AP-220×2",
     "amount_payable": Decimal("4300.00"), "priority": "黄", "status": "待确认", "note": "400电话下单，周五前送达",
     "跟进人": "小李"},
    {"created_at": T0 + dt.timedelta(hours=6), "customer_name": "周敏", "phone": "021-64451234",
     "province": "上海市", "city": "上海市", "district": "徐汇区", "address": "漕溪北路 88 号 1201 室",
     "items": "BB-017×3", "amount_payable": Decimal("267.00"), "status": "待确认", "note": "电话订单"},
]


EXPORTS = Path(__file__).resolve().parent.parent / "tests" / "data" / "exports"
CHANNELS = """
# 渠道：把店铺后台导出的文件放进 inbox/ 对应的文件夹 / drop shop exports into inbox/
channels:
  - {name: douyin, path: inbox/douyin/*, mapping: douyin}
  - {name: pinduoduo, path: inbox/pinduoduo/*, mapping: pinduoduo}
  - {name: taobao, path: inbox/taobao/*, mapping: taobao}
logistics:
  - {name: sf, path: inbox/sf/*, mapping: sf_waybills}
promises: {抖音: 48h, 拼多多: 48h, default: 72h}
timezone: Asia/Shanghai
workflow: default_zh   # 状态、时效（SLA）、审批：见 templates/workflows/default_zh.yaml
"""
INBOX = {"douyin": "douyin_orders.csv", "pinduoduo": "pinduoduo_orders.csv", "taobao": "taobao_orders.csv",
         "sf": "sf_waybills.xlsx"}


def main() -> None:
    shutil.rmtree(HERE, ignore_errors=True)
    init_desk(HERE, "zh")
    (HERE / "orders.xlsx").unlink()
    create_order_workbook(HERE / "orders.xlsx", "zh", ROWS, extra_headers=["跟进人"],
                          aftersales=load_reasons("retail_zh", HERE, "zh"))  # and the after-sales sheet, empty
    with (HERE / "sheetsync.yaml").open("a", encoding="utf-8") as fh:
        fh.write(CHANNELS)
    for channel, export in INBOX.items():
        (HERE / "inbox" / channel).mkdir(parents=True, exist_ok=True)
        shutil.copy(EXPORTS / export, HERE / "inbox" / channel / export)
    print(f"wrote {HERE}")


if __name__ == "__main__":
    main()
