"""Benchmark of the workflow step: advance + SLA + routing over a 1,000,000-row order table.

    python benchmarks/workflow_bench.py                  # 1,000,000 rows, both presets
    python benchmarks/workflow_bench.py --rows 200000    # another size

The table is what the pipeline carries (canonical text in pandas `str` columns).  Most orders
are closed, as in a desk that has run for a year; about 8% are open and spread over the states,
with half of the open ones waiting for their automatic move (paid, signed, tracking number in),
so each run moves tens of thousands of rows (`--open 1.0`: every order open, the worst case).
1,000 rows were changed by people since the last run (half of them illegal jumps, a few address
edits after the lock state) and people added 1,000 rows.
Each preset runs on a fresh copy of the table:
- `default_zh`: approval tiers with first-order detection over the whole table, signatures in the
  approver cell, SLA on three states, person moves checked, locks;
- `ecommerce_zh`: routing to warehouses, SLA measured since created and in state (three levels),
  an SLA condition, locks.
Figures, best and median of --repeat runs in this process, next to the yardstick asked for:
`frame.copy()` of the same table (pandas 3 copies Arrow strings lazily, so it costs next to nothing),
and one whole-column pandas date parse for scale.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

import numpy as np
import pandas as pd
from fresh_process import timed

from sheetsync.model.records import WorkflowHistory
from sheetsync.steps.workflow.advance import Advanced, advance
from sheetsync.steps.workflow.compiled import Workflow
from sheetsync.steps.workflow.load import load_workflow

NOW = dt.datetime(2026, 3, 2, 10, 0, 0)
STATES = {
    "default_zh": (["待确认", "审核中", "备货中", "已发货"], ["已完成", "异常关闭"]),
    "ecommerce_zh": (["待支付", "已支付", "已分仓", "已打单", "已发货"], ["已签收", "已关闭"]),
}


def build_table(rows: int, preset: str, open_share: float = 0.08,
                seed: int = 11) -> tuple[pd.DataFrame, pd.DataFrame, pd.Index]:
    """The table, the `previous` values of the rows people changed, and the new rows."""
    rng = np.random.default_rng(seed)
    open_states, closed_states = STATES[preset]

    def text(values: np.ndarray) -> pd.Series:
        return pd.Series(pd.array(values.astype(object), dtype="str"))

    def pick(pool: list[str | None], p: list[float] | None = None) -> pd.Series:
        return text(np.array(pool, dtype=object)[rng.choice(len(pool), size=rows, p=p)])

    def stamp(seconds_ago: np.ndarray) -> np.ndarray:
        moments = np.datetime64(NOW, "s") - seconds_ago.astype("timedelta64[s]")
        return np.char.replace(np.datetime_as_string(moments, unit="s"), "T", " ").astype(object)

    def sometimes(values: np.ndarray, share: float) -> np.ndarray:
        out = values.astype(object)
        out[rng.random(rows) >= share] = None
        return out

    is_open = rng.random(rows) < open_share
    status = np.where(is_open, np.array(open_states, dtype=object)[rng.integers(0, len(open_states), rows)],
                      np.array(closed_states, dtype=object)[(rng.random(rows) < 0.05).astype(int)])
    created_ago = np.where(is_open, rng.integers(600, 3 * 86400, rows), rng.integers(3 * 86400, 365 * 86400, rows))
    since_ago = (created_ago * rng.random(rows)).astype("int64")
    cents = rng.integers(1_000, 1_500_000, rows)
    customers = rng.integers(0, rows // 3, rows)
    ready = rng.random(rows) < 0.5
    table = pd.DataFrame({
        "order_id": text(np.char.add("SS20260101-", np.char.zfill(np.arange(rows).astype(str), 7))),
        "channel": pick(["抖音", "淘宝", "拼多多", "微信小店", "手工"]),
        "created_at": text(stamp(created_ago)),
        "paid_at": text(np.where(ready | ~is_open, stamp(created_ago - 60), None)),
        "customer_id": text(np.char.add("C", customers.astype(str))),
        "phone": text(np.char.add("138", np.char.zfill(customers.astype(str), 8))),
        "country": pick(["CN"] * 8 + ["US", "DE"]),
        "province": pick(["浙江省", "江苏省", "上海市", "广东省", "四川省", None]),
        "city": pick(["杭州市", "南京市", "上海市", "广州市", "成都市"]),
        "district": pick(["西湖区", "鼓楼区", "浦东新区", "天河区"]),
        "address": pick(["文三路 100 号", "某某村 3 组", "中山路 1 号 2 单元", "下沙村 12 号"]),
        "items": pick(["BB-001×2", "BB-002×1; BB-003×2", "奶瓶×3"]),
        "amount_payable": text(np.char.add(np.char.add((cents // 100).astype(str), "."),
                                           np.char.zfill((cents % 100).astype(str), 2))),
        "priority": pick(["绿", "黄", "红", None], p=[0.7, 0.2, 0.05, 0.05]),
        "status": text(status),
        "status_since": text(stamp(since_ago)),
        "warehouse": text(sometimes(np.array(["杭州仓"] * rows, dtype=object), 0.5)),
        "approver": text(sometimes(np.array(["王总监、李会计", "华东经理", "张三"], dtype=object)[rng.integers(0, 3, rows)],
                                   0.3)),
        "tracking_no": text(np.where(ready | ~is_open, np.char.add("SF", np.arange(rows).astype(str)), None)),
        "shipped_at": text(sometimes(stamp(since_ago // 2), 0.5)),
        "delivered_at": text(np.where(~is_open, stamp(since_ago // 3), None)),
        "promised_by": text(stamp(created_ago - 2 * 86400)),
        "sla": pick(["正常", None]),
        "anomalies": text(np.full(rows, None, dtype=object)),
        "note": pick([None, None, None, "加急", "放门口"]),
    })
    table.index = pd.RangeIndex(2, rows + 2)
    changed = rng.choice(table.index.to_numpy()[:-1000], size=1000, replace=False)
    previous = table.loc[changed, ["status", "status_since", "province", "city", "district", "address"]].copy()
    jumps = changed[:500]
    table.loc[jumps, "status"] = closed_states[0]
    table.loc[changed[500:600], "address"] = "改过的地址 1 号"
    new_rows = table.index[-1000:]
    table.loc[new_rows, ["status", "status_since", "sla"]] = None
    return table, previous, new_rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--preset", action="append", choices=sorted(STATES))
    parser.add_argument("--open", type=float, default=0.08, help="share of open orders (1.0: every order is live)")
    args = parser.parse_args()
    history = WorkflowHistory(alerts_sent=set())
    print(f"   {'':<44} {'best':>9} {'median':>9} {'rows/s (best)':>16}")
    for preset in args.preset or sorted(STATES):
        started = time.perf_counter()
        table, previous, new_rows = build_table(args.rows, preset, args.open)
        workflow: Workflow = load_workflow(preset, Path("."), "zh")
        print(f"== {preset}: {args.rows:,} rows x {table.shape[1]} columns, {args.open:.0%} open"
              f" (built in {time.perf_counter() - started:.1f} s)")
        results: list[Advanced] = []

        def step(table: pd.DataFrame = table, previous: pd.DataFrame = previous, new_rows: pd.Index = new_rows,
                 workflow: Workflow = workflow, results: list[Advanced] = results) -> None:
            work = table.copy()
            results.append(advance(work, workflow=workflow, previous=previous, added=new_rows, now=NOW,
                                   history=history))

        figures = [("advance + SLA + routing (incl. its copy)", timed(step, args.repeat)),
                   ("frame.copy() (yardstick)", timed(table.copy, args.repeat)),
                   ("pd.to_datetime(status_since) (yardstick)", timed(
                       lambda t=table: pd.to_datetime(t["status_since"], format="%Y-%m-%d %H:%M:%S"), args.repeat))]
        for name, (best, median) in figures:
            print(f"   {name:<44} {best * 1000:7.0f} ms {median * 1000:7.0f} ms {args.rows / best:>16,.0f}")
        last = results[-1]
        moved = sum(last.moved.values())
        put_back = sum(1 for m in last.moves if not m.accepted)
        levels = last.levels.value_counts().sort_index().to_dict() if last.levels is not None else {}
        print(f"   moved by the tool {moved:,}; person moves put back {put_back:,}; anomalies {len(last.anomalies):,};"
              f" alerts {len(last.alerts):,}; SLA levels {levels}")


if __name__ == "__main__":
    main()
