"""Benchmark of the validation step: every built-in rule plus 20 custom rules over a 1,000,000-row order table.

    python benchmarks/validate_bench.py                 # 1,000,000 rows
    python benchmarks/validate_bench.py --rows 200000   # another size

The table is what the pipeline carries: canonical text in pandas `str` columns. Addresses come from a
pool of 30,000 (province, city, district, street, postcode) drawn from the real 民政部 divisions, some
in short forms (浙江 杭州), some wrong (a district of another city, unknown names, no district), some
villages; phones are mostly mobiles, with landlines, 400 numbers, masked and virtual numbers, foreign
numbers, garbage and a few `1.38e+10`; about 1-2% of amounts and date-times are garbage or wrong.
Figures, best and median of --repeat runs in this process (compile_rules is done once, as at config load):
- validate: `validate(frame, rules, now=...)`, all rules, anomalies built, and their anomalies cells
  rendered in Chinese (`anomaly_cells`: the messages are rendered where they are written, since the
  restructure; before it `validate` rendered them itself);
- frame.copy(): a deep copy of the same table, the yardstick asked for (pandas 3 copies Arrow
  strings lazily, so it costs little);
- peak RSS (resource.getrusage) while compiling and validating: on Linux the peak left by building the
  table is reset first (/proc/self/clear_refs), elsewhere it is the whole process's.
Target: validate >= 200,000 rows/s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable

import numpy as np
import pandas as pd
from fresh_process import timed

from sheetsync.divisions import POSTCODE_PROVINCE
from sheetsync.divisions.table import read_gazetteer
from sheetsync.model.records import Anomaly, anomaly_cells
from sheetsync.steps.rules import RulesConfig, compile_rules, validate

NOW = dt.datetime(2024, 2, 1, 12, 0, 0)
CUSTOM = {
    "大额抖音单": "amount_payable > 14000 AND channel = '抖音'",
    "村镇地址无电话": "address LIKE '%村%' AND phone IS NULL",
    "少付": "amount_paid < amount_payable - 100",
    "未付款": "created_at < '2024-01-10' AND paid_at IS NULL",
    "待发货超时": "hours_in_state > 46 AND status = '待发货'",
    "零元单": "amount_payable BETWEEN 0 AND 0.01",
    "已发货无快递": "carrier IS NULL AND status = '已发货'",
    "有单号无快递": "tracking_no IS NOT NULL AND carrier IS NULL",
    "加急": "LOWER(TRIM(note)) LIKE '%urgent%' OR note LIKE '%加急%'",
    "超时发货": "shipped_at > promised_by",
    "新客大单": "is_first_order AND amount_payable > 14000",
    "红色优先": "priority = '红' AND status = '待发货'",
    "未分仓": "COALESCE(warehouse, '') = '' AND status = '待发货'",
    "不含税过万": "ROUND(amount_payable / 1.13, 2) > 13000",
    "偏远省份": "province IN ('西藏自治区', '新疆维吾尔自治区', '青海省') AND carrier = '中通' AND amount_payable > 10000",
    "手机号位数": "LENGTH(phone) > 20",
    "审核久": "status = '审核中' AND hours_in_state > 40",
    "客户名过长": "LENGTH(customer_name) > 10",
    "拼多多大单": "channel = '拼多多' AND amount_payable >= 14500",
    "备注放门口": "note = '放门口' AND district IS NULL",
}


def build_table(rows: int, seed: int = 11) -> pd.DataFrame:
    """`rows` orders of canonical text, with realistic mistakes (see the module docstring)."""
    rng = np.random.default_rng(seed)

    def text(values: np.ndarray) -> pd.Series:
        return pd.Series(pd.array(values.astype(object), dtype="str"))

    def pick(pool: list[str | None], p: list[float] | None = None) -> pd.Series:
        return text(np.array(pool, dtype=object)[rng.choice(len(pool), size=rows, p=p)])

    def mix(base: np.ndarray, shares: dict[str, tuple[float, Callable[[int], np.ndarray]]]) -> np.ndarray:
        """Replace a share of `base` by each kind of value."""
        out = base.astype(object)
        roll, low = rng.random(len(out)), 0.0
        for share, make in shares.values():
            hit = (roll >= low) & (roll < low + share)
            out[hit] = make(int(hit.sum()))
            low += share
        return out

    def digits(n: int, width: int) -> np.ndarray:
        return np.char.zfill(rng.integers(0, 10**width, n).astype(str), width)

    addresses = _address_pool(rng, 30_000)
    pool_pick = rng.integers(0, len(addresses), rows)
    chosen = addresses.iloc[pool_pick].reset_index(drop=True)
    mobiles = np.char.add(rng.choice(["138", "139", "150", "186", "177", "199"], rows), digits(rows, 8))
    phones = mix(mobiles, {
        "missing": (0.03, lambda n: np.full(n, None)),
        "landline": (0.02, lambda n: np.char.add("0571-8", digits(n, 7))),
        "extension": (0.005, lambda n: np.char.add(np.char.add("(010)6", digits(n, 7)), "-123")),
        "service": (0.005, lambda n: np.char.add("400-800-", digits(n, 4))),
        "masked": (0.02, lambda n: np.char.add("138****", digits(n, 4))),
        "virtual": (0.01, lambda n: np.char.add(np.char.add("188", digits(n, 8)), "-1234")),
        "spaced": (0.01, lambda n: np.char.add("+86 138 1234 ", digits(n, 4))),
        "short": (0.01, lambda n: np.char.add("138", digits(n, 7))),
        "lost": (0.002, lambda n: np.full(n, "1.38e+10")),
        "us": (0.003, lambda n: np.char.add("+1 415 555 ", digits(n, 4))),
    })
    country = np.full(rows, None, dtype=object)
    country[np.char.startswith(np.asarray(phones, dtype=str), "+1 ")] = "美国"
    t0 = np.datetime64("2024-01-01T00:00:00")
    created = t0 + rng.integers(0, 19 * 86400, rows).astype("timedelta64[s]")
    paid = created + rng.integers(-3, 3600, rows).astype("timedelta64[s]")

    def stamp(values: np.ndarray) -> np.ndarray:
        return np.char.replace(np.datetime_as_string(values, unit="s").astype(str), "T", " ")

    cents = rng.integers(0, 1_500_000, rows)
    payable = np.char.add(np.char.add((cents // 100).astype(str), "."), np.char.zfill((cents % 100).astype(str), 2))
    paid_amount = mix(payable, {
        "less": (0.01, lambda n: np.full(n, "1.5")),
        "more": (0.005, lambda n: np.full(n, "99999.001")),
        "garbage": (0.005, lambda n: np.full(n, "abc")),
    })
    channel_ids = np.char.add("69", digits(rows, 15)).astype(object)
    again = rng.random(rows) < 0.001
    channel_ids[again] = channel_ids[np.flatnonzero(again) - 1]
    table = {
        "order_id": text(np.char.add("SS20240101-", np.char.zfill(np.arange(rows).astype(str), 7))),
        "channel": pick(["抖音", "淘宝", "拼多多", "微信小店", "手工"]),
        "channel_order_id": text(channel_ids),
        "created_at": text(mix(stamp(created), {"garbage": (0.005, lambda n: np.full(n, "5号")),
                                                "future": (0.002, lambda n: np.full(n, "2024-03-01 00:00:00"))})),
        "paid_at": text(mix(stamp(paid), {"missing": (0.01, lambda n: np.full(n, None)),
                                          "garbage": (0.003, lambda n: np.full(n, "2024-02-30 10:00:00"))})),
        "customer_name": pick(["王芳", "李雷", "韩梅梅", "张伟", "欧阳娜娜", None], p=[0.2, 0.2, 0.2, 0.2, 0.19, 0.01]),
        "phone": text(phones),
        "country": text(country),
        "province": text(chosen["province"].to_numpy(dtype=object)),
        "city": text(chosen["city"].to_numpy(dtype=object)),
        "district": text(chosen["district"].to_numpy(dtype=object)),
        "address": text(chosen["address"].to_numpy(dtype=object)),
        "postcode": text(chosen["postcode"].to_numpy(dtype=object)),
        "items": pick(["BB-001×2", "BB-002×1", "奶瓶×3"]),
        "amount_payable": text(mix(payable, {"garbage": (0.005, lambda n: np.full(n, "1,234")),
                                             "negative": (0.002, lambda n: np.full(n, "-5"))})),
        "amount_paid": text(paid_amount),
        "priority": pick(["绿", "黄", "红", None], p=[0.7, 0.2, 0.05, 0.05]),
        "status": pick(["待发货", "已发货", "已完成", "已取消", "审核中"], p=[0.3, 0.3, 0.3, 0.05, 0.05]),
        "warehouse": pick(["杭州仓", "广州仓", None], p=[0.49, 0.49, 0.02]),
        "carrier": pick(["顺丰", "中通", None], p=[0.49, 0.49, 0.02]),
        "tracking_no": pick(["SF0000000001", "ZT0000000002", None]),
        "shipped_at": text(stamp(paid + rng.integers(3600, 49 * 3600, rows).astype("timedelta64[s]"))),
        "promised_by": text(stamp(created + 2 * 86400)),
        "note": pick([None, " urgent ", "加急", "放门口"], p=[0.97, 0.01, 0.01, 0.01]),
        "hours_in_state": pd.Series(np.round(rng.random(rows) * 48, 3)),
        "is_first_order": pd.Series(rng.random(rows) < 0.3),
    }
    frame = pd.DataFrame(table)
    frame.index = pd.RangeIndex(2, rows + 2)
    return frame


def _address_pool(rng: np.random.Generator, size: int) -> pd.DataFrame:
    """`size` addresses on real divisions, as clerks and exports write them, a few of them wrong."""
    table = read_gazetteer()
    triples = sorted(table.district_code)
    prefixes = {province: prefix for prefix, province in sorted(POSTCODE_PROVINCE.items(), reverse=True)}
    k = rng.integers(0, len(triples), size)
    province = np.array([triples[i][0] for i in k], dtype=object)
    city = np.array([triples[i][1] for i in k], dtype=object)
    district = np.array([triples[i][2] for i in k], dtype=object)
    roll = rng.random(size)
    short = roll < 0.2
    province[short] = [p.removesuffix("省").removesuffix("市") for p in province[short]]
    city[short] = [c.removesuffix("市") for c in city[short]]
    district[(roll >= 0.2) & (roll < 0.22)] = None
    district[(roll >= 0.22) & (roll < 0.23)] = "西湖区"
    province[(roll >= 0.23) & (roll < 0.235)] = "火星省"
    streets = np.array(["文三路", "中山路", "人民南路", "解放大道", "建设街", "学府路", "滨江大道", "朝阳路"])
    detail = np.char.add(np.char.add(rng.choice(streets, size), rng.integers(1, 999, size).astype(str)), "号").astype(object)
    village = (roll >= 0.3) & (roll < 0.36)
    detail[village] = np.char.add(rng.choice(["马鞍镇石梁村", "下沙村", "王家屯", "城关镇"], int(village.sum())),
                                  np.char.add(rng.integers(1, 12, int(village.sum())).astype(str), "组"))
    detail[(roll >= 0.36) & (roll < 0.37)] = "自提"
    postcode = np.array([prefixes.get(triples[i][0], "10") + "0000" for i in k], dtype=object)
    postcode[(roll >= 0.4) & (roll < 0.41)] = "31001"
    postcode[(roll >= 0.41) & (roll < 0.42)] = "850000"
    postcode[roll >= 0.9] = None
    return pd.DataFrame({"province": province, "city": city, "district": district, "address": detail, "postcode": postcode})


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (ru_maxrss is KB on Linux, bytes on macOS)."""
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


def reset_peak_rss() -> bool:
    """Forget the peak so far (Linux: /proc/self/clear_refs), so the next reading is the validation's own."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    started = time.perf_counter()
    frame = build_table(args.rows)
    gc.collect()
    build_peak = peak_rss_mb()
    reset = reset_peak_rss()
    table_rss = peak_rss_mb()
    print(f"== {args.rows:,} rows x {frame.shape[1]} columns (built in {time.perf_counter() - started:.1f} s)")
    from sheetsync.conditions import FieldType, field_types

    config = RulesConfig.model_validate({"custom": [
        {"name": name, "when": when, "code": f"CUSTOM_{i:02d}", "message": name, "level": "info"}
        for i, (name, when) in enumerate(CUSTOM.items())
    ]})
    started = time.perf_counter()
    rules = compile_rules(config, lang="zh", fields=field_types({"hours_in_state": FieldType.NUMBER,
                                                                 "is_first_order": FieldType.BOOLEAN}))
    compile_time = time.perf_counter() - started
    def validated() -> list[Anomaly]:
        found = validate(frame, rules, now=NOW)
        anomaly_cells(frame.index, found, "zh")
        return found

    anomalies = validated()
    figures = [
        ("validate (all rules, 20 custom)", timed(validated, args.repeat)),
        ("frame.copy() (yardstick)", timed(frame.copy, args.repeat)),
    ]
    print(f"   compile_rules (incl. loading the divisions): {compile_time * 1000:.0f} ms")
    print(f"   {'':<34} {'best':>10} {'median':>10} {'rows/s (best)':>15}")
    for name, (best, median) in figures:
        print(f"   {name:<34} {best * 1000:7.1f} ms {median * 1000:7.1f} ms {args.rows / best:>15,.0f}")
    if reset:
        print(f"   peak RSS while compiling and validating {peak_rss_mb():,.0f} MB (the table alone: {table_rss:,.0f} MB;"
              f" building it peaked at {build_peak:,.0f} MB)")
    else:
        print(f"   peak RSS of the process {peak_rss_mb():,.0f} MB (includes building the table)")
    rows_hit = len({a.row for a in anomalies})
    print(f"   {len(anomalies):,} anomalies on {rows_hit:,} rows; by code:")
    for code, n in Counter(a.code for a in anomalies).most_common():
        print(f"     {code:<18} {n:>9,}")


if __name__ == "__main__":
    main()
