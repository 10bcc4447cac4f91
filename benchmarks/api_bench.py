"""Benchmark of the `shopify` channel's pacing: pull 20,000 orders from the local GraphQL Admin API
(tests/shopify_server.py: Shopify's cost rules and leaky bucket) with a standard plan's bucket (1,000 points,
restored at 100 a second), against the bucket's own floor.

    python benchmarks/api_bench.py                   # 20,000 orders, 3 turns
    python benchmarks/api_bench.py --orders 5000 --turns 1

Time here is Shopify's clock: the fake's bucket restores by the seconds the channel waits (the waits are not slept,
they move the fake's clock), plus the real seconds the requests took.  The floor is what the bucket itself allows:
(the points the pull spent - the bucket's first 1,000) / 100 per second.  Target: within 1.3x of the floor.  Also
printed: the requests made, the real wall time and the process's peak RSS (the fake runs in the same process here,
so the RSS is an upper bound of the channel's).  Medians of the turns; each turn a fresh channel over the same store.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

BUCKET, RESTORE = 1000, 100


def turn(orders: int) -> dict[str, float]:
    from shopify_server import FakeShopify

    from sheetsync import load_config
    from sheetsync.channels.mapping import load_mapping
    from sheetsync.channels.shopify import ShopifyChannel

    waited: list[float] = []
    started_real = time.perf_counter()
    with FakeShopify(bucket=BUCKET, restore_rate=RESTORE, clock=lambda: 1e6 + sum(waited) + time.perf_counter()) as fake:
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        for i in range(orders):
            when = now - dt.timedelta(days=2) + dt.timedelta(seconds=7 * i)
            fake.add_order(name=f"#{10000 + i}", created_at=when, updated_at=when, financial_status="PAID",
                           fulfillment_status="UNFULFILLED", total="10.00", currency="USD",
                           shipping_address={"name": "Ada", "city": "London", "country_code": "GB"},
                           line_items=[{"title": "Mug", "sku": "MUG", "quantity": 1, "price": "10.00"}])
        loaded = time.perf_counter()
        with tempfile.TemporaryDirectory() as folder:
            Path(folder, "sheetsync.yaml").write_text(
                "lang: zh\nchannels:\n  - {name: shop, kind: shopify, shop: x.myshopify.com, token_env: BENCH_TOKEN, "
                f"api_version: '2026-10', endpoint: '{fake.base_url}', since: 3d}}\n", encoding="utf-8")
            import os

            os.environ["BENCH_TOKEN"] = "shpat_test"
            config = load_config(Path(folder, "sheetsync.yaml"))
            channel = ShopifyChannel(config, config.channels[0], load_mapping("shopify_api", Path(folder), "zh"),
                                     lambda s: s)  # type: ignore[arg-type,return-value]
            channel.sleep = waited.append
            begun = time.perf_counter()
            got = channel.fetch(channel.window(None, now))
            real = time.perf_counter() - begun
        spent = sum(c.actual or 0 for c in fake.cost_log)
        requests = len(fake.requests)
    assert len(got) == orders, f"{len(got)} of {orders} orders"
    floor = max(spent - BUCKET, 0) / RESTORE
    return {"shopify_seconds": sum(waited) + real, "floor": floor, "real": real, "requests": requests,
            "points": spent, "load": loaded - started_real,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--turns", type=int, default=3)
    args = parser.parse_args()
    results: list[dict[str, Any]] = []
    for n in range(args.turns):
        results.append(turn(args.orders))
        r = results[-1]
        print(f"   turn {n + 1}: {r['shopify_seconds']:.1f} s on Shopify's clock, floor {r['floor']:.1f} s, "
              f"{r['requests']} requests, {r['real']:.1f} s real", flush=True)
    med = {k: statistics.median(r[k] for r in results) for k in results[0]}
    ratio = med["shopify_seconds"] / med["floor"] if med["floor"] else float("nan")
    print(f"\n== {args.orders:,} orders, bucket {BUCKET} points restored at {RESTORE}/s; medians of {args.turns} turns")
    print(f"   points spent (actual costs):      {med['points']:,.0f}")
    print(f"   the bucket's floor:               {med['floor']:.1f} s  ((points - {BUCKET}) / {RESTORE})")
    print(f"   the pull, on Shopify's clock:     {med['shopify_seconds']:.1f} s  ({ratio:.2f}x the floor; target <= 1.3x: "
          f"{'pass' if ratio <= 1.3 else 'FAIL'})")
    print(f"   requests: {med['requests']:.0f}; real time of the pull {med['real']:.1f} s (the fake answering in Python);"
          f" peak RSS of the process (fake included) {med['rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
