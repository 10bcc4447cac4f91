"""Benchmark of the condition language: 22 realistic conditions over a 1,000,000-row order table.

    python benchmarks/conditions_bench.py                 # 1,000,000 rows
    python benchmarks/conditions_bench.py --rows 200000   # another size

The table is what the pipeline carries: canonical text in pandas `str` columns (money as
`1234.5`, datetimes as `YYYY-MM-DD HH:MM:SS`), with missing values and some garbage a person
typed (`1,234`, `5号`), plus two derived columns (hours_in_state, is_first_order).
Figures, best and median of --repeat runs in this process:
- compile: all conditions parsed, checked and turned into SQL (done once at config load);
- evaluate all: `evaluate(frame, conditions)`, one DuckDB query;
- evaluate one: the first condition alone, to show what the shared scan saves;
- frame.copy(): a deep copy of the same table, the yardstick asked for; with pandas 3's
  copy-on-write and Arrow-backed strings it copies little, so a second yardstick:
- pandas to_numeric: one money comparison done the pandas way.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from fresh_process import timed

from sheetsync.conditions import Condition, FieldType, compile_condition, evaluate, field_types

CONDITIONS = {
    "大额抖音单": "amount_payable > 5000 AND channel = '抖音'",
    "村镇地址无电话": "address LIKE '%村%' AND phone IS NULL",
    "江浙沪": "province IN ('浙江省','江苏省','上海市')",
    "待发货超时": "hours_in_state > 4 AND status = '待发货'",
    "少付": "amount_paid < amount_payable",
    "差额": "amount_payable - amount_paid > 0.01",
    "未付款": "created_at > '2024-01-05' AND paid_at IS NULL",
    "付款早于下单": "paid_at < created_at",
    "手机号位数": "LENGTH(phone) <> 11",
    "手机号格式": "phone NOT LIKE '1__________'",
    "杭州邮编": "SUBSTR(postcode, 1, 2) = '31'",
    "未分仓": "COALESCE(warehouse, '') = '' AND status = '待发货'",
    "零元单": "amount_payable BETWEEN 0 AND 0.01",
    "不含税过千": "ROUND(amount_payable / 1.13, 2) > 1000",
    "新客大单": "is_first_order AND amount_payable > 2000",
    "已发货无快递": "carrier IS NULL AND status = '已发货'",
    "有单号无快递": "tracking_no IS NOT NULL AND carrier IS NULL",
    "加急": "LOWER(TRIM(note)) LIKE '%urgent%' OR note LIKE '%加急%'",
    "久未完结": "status_since < '2024-01-01 00:00:00' AND status NOT IN ('已完成', '已取消')",
    "金额异常": "ABS(amount_paid - amount_payable) > amount_payable * 0.5",
    "优先": "priority = '红' OR amount_payable >= 10000",
    "超时发货": "shipped_at > promised_by",
}
DERIVED = {"hours_in_state": FieldType.NUMBER, "is_first_order": FieldType.BOOLEAN}


def build_table(rows: int, seed: int = 7) -> pd.DataFrame:
    """`rows` orders of canonical text; about 2% of money and datetime cells are missing or garbage."""
    rng = np.random.default_rng(seed)

    def pick(pool: list[str | None], p: list[float] | None = None) -> pd.Series:
        values = np.array(pool, dtype=object)[rng.choice(len(pool), size=rows, p=p)]
        return pd.Series(pd.array(values, dtype="str"))

    def spoil(values: np.ndarray, garbage: str) -> pd.Series:
        roll = rng.random(rows)
        out = values.astype(object)
        out[roll < 0.01] = None
        out[(roll >= 0.01) & (roll < 0.02)] = garbage
        return pd.Series(pd.array(out, dtype="str"))

    t0 = np.datetime64("2023-12-01T00:00:00")
    created = t0 + rng.integers(0, 40 * 86400, rows).astype("timedelta64[s]")
    paid = created + rng.integers(-60, 3600, rows).astype("timedelta64[s]")
    cents = rng.integers(0, 1_200_000, rows)
    paid_cents = np.where(rng.random(rows) < 0.9, cents, cents - rng.integers(0, 5000, rows))

    def stamp(values: np.ndarray) -> np.ndarray:
        return np.datetime_as_string(values, unit="s").astype(object).astype(str)

    def money(values: np.ndarray) -> np.ndarray:
        return np.char.add(np.char.add((values // 100).astype(str), "."), np.char.zfill((values % 100).astype(str), 2))

    phones = np.char.add("138", np.char.zfill(rng.integers(0, 10**8, rows).astype(str), 8)).astype(object)
    roll = rng.random(rows)
    phones[roll < 0.05] = None
    phones[(roll >= 0.05) & (roll < 0.06)] = "1381234567"
    table = {
        "order_id": pd.Series(pd.array([f"SS20240101-{i:07d}" for i in range(rows)], dtype="str")),
        "channel": pick(["抖音", "淘宝", "拼多多", "微信小店", "手工"]),
        "created_at": spoil(np.char.replace(stamp(created), "T", " "), "5号"),
        "paid_at": spoil(np.char.replace(stamp(paid), "T", " "), "昨天"),
        "customer_name": pick(["王芳", "李雷", "韩梅梅", "张伟", None]),
        "phone": pd.Series(pd.array(phones, dtype="str")),
        "province": pick(["浙江省", "江苏省", "上海市", "广东省", "四川省", None]),
        "city": pick(["杭州市", "南京市", "上海市", "广州市", "成都市"]),
        "district": pick(["西湖区", "鼓楼区", "浦东新区", "天河区", None]),
        "address": pick(["文三路 100 号", "某某村 3 组", "中山路 1 号 2 单元", "下沙村 12 号", None]),
        "postcode": pick(["310012", "210000", "200120", "510000", None]),
        "items": pick(["BB-001×2", "BB-002×1", "奶瓶×3"]),
        "amount_payable": spoil(money(cents), "1,234"),
        "amount_paid": spoil(money(paid_cents), "abc"),
        "priority": pick(["绿", "黄", "红", None], p=[0.7, 0.2, 0.05, 0.05]),
        "status": pick(["待发货", "已发货", "已完成", "已取消", "审核中"]),
        "status_since": spoil(np.char.replace(stamp(paid), "T", " "), ""),
        "warehouse": pick(["杭州仓", "广州仓", None]),
        "carrier": pick(["顺丰", "中通", None]),
        "tracking_no": pick(["SF0000000001", "ZT0000000002", None]),
        "shipped_at": spoil(np.char.replace(stamp(paid + rng.integers(3600, 3 * 86400, rows).astype("timedelta64[s]")), "T", " "),
                            "x"),
        "promised_by": spoil(np.char.replace(stamp(created + 2 * 86400), "T", " "), "x"),
        "note": pick([None, None, None, " urgent ", "加急", "放门口"]),
        "hours_in_state": pd.Series(np.round(rng.random(rows) * 48, 3)),
        "is_first_order": pd.Series(rng.random(rows) < 0.3),
    }
    return pd.DataFrame(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    started = time.perf_counter()
    frame = build_table(args.rows)
    print(f"== {args.rows:,} rows x {frame.shape[1]} columns (built in {time.perf_counter() - started:.1f} s)")
    fields = field_types(DERIVED)

    def compile_all() -> list[Condition]:
        return [compile_condition(text, name=name, fields=fields, lang="zh") for name, text in CONDITIONS.items()]

    conditions = compile_all()
    result = evaluate(frame, conditions)
    figures = [
        (f"compile {len(conditions)} conditions", timed(compile_all, args.repeat), None),
        (f"evaluate all {len(conditions)} conditions", timed(lambda: evaluate(frame, conditions), args.repeat), args.rows),
        ("evaluate one condition", timed(lambda: evaluate(frame, conditions[:1]), args.repeat), args.rows),
        ("frame.copy() (yardstick)", timed(frame.copy, args.repeat), args.rows),
        ("pandas to_numeric(amount_payable) > 5000", timed(
            lambda: pd.to_numeric(frame["amount_payable"], errors="coerce") > 5000, args.repeat), args.rows),
    ]
    print(f"   {'':<42} {'best':>9} {'median':>9} {'rows/s (best)':>16}")
    for name, (best, median), rows in figures:
        rate = f"{rows / best:>16,.0f}" if rows else ""
        print(f"   {name:<42} {best * 1000:6.1f} ms {median * 1000:6.1f} ms {rate}")
    print(f"   matches per condition (of {args.rows:,}):")
    for name in result.columns:
        print(f"     {name:<12} {int(result[name].sum()):>9,}")


if __name__ == "__main__":
    main()
