"""Benchmark of pulling a 100k-row shop export into a 100k-row desk (half new orders, half updates).

    python benchmarks/pull_bench.py [--rows 100000]

Prints the wall time and peak RSS of the whole `sheetsync sync` process, next to the time of
python-calamine reading all values of the same desk in the same run (the yardstick).
Targets: the sync within 4x that read; peak RSS <= 600 MB.  Peak RSS is read with `resource` (POSIX).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import shutil
import tempfile
from pathlib import Path

from sync_bench import build_desk, measure

CHANNELS = """channels:
  - {name: douyin, path: inbox/*.csv, mapping: douyin}
promises: {抖音: 48h}
"""
HEADER = ["主订单编号", "子订单编号", "选购商品", "商品数量", "商家编码", "订单应付金额", "收件人", "收件人手机号", "省", "市",
          "区",
          "街道", "详细地址", "订单提交时间", "支付完成时间", "订单状态", "快递公司", "快递单号"]


def write_export(path: Path, rows: int) -> None:
    """Half the orders are already in the desk (now shipped, with a tracking number), half are new."""
    t0 = dt.datetime(2026, 1, 1, 8, 0)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for k in range(rows):
            i = 2 * k + 1 if k < rows // 2 else rows + k  # odd desk rows get updates; the rest are new orders
            when = t0 + dt.timedelta(minutes=i)
            shipped = k < rows // 2
            out.writerow([f'="{6912345678901234567 + i}"', f"{i}01", "奶瓶", "2", f"BB-{i % 100:03d}", f"{199 + i % 50}.00",
                          "王芳", f"138{i:08d}", "浙江省", "杭州市", "西湖区", "文新街道", f"文三路 {i % 500} 号",
                          when.strftime("%Y-%m-%d %H:%M:%S"), (when + dt.timedelta(minutes=3)).strftime("%Y-%m-%d %H:%M:%S"),
                          "已发货" if shipped else "待发货", "顺丰速运" if shipped else "", f"SF{i:013d}" if shipped else ""])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="sheetsync-pull-"))
    try:
        config = build_desk(workdir / "desk", args.rows, 0)
        with config.open("a", encoding="utf-8") as fh:
            fh.write(CHANNELS)
        (workdir / "desk" / "inbox").mkdir()
        measure("sync", config)  # the journal learns the desk
        write_export(workdir / "desk" / "inbox" / "douyin.csv", args.rows)
        yard = measure("calamine", workdir / "desk" / "orders.xlsx")
        pull = measure("sync", config)
        print(f"== pull {args.rows:,}-row export into a {args.rows:,}-row desk (half new, half updates)")
        print(f"   python-calamine read of the desk (yardstick) {yard['wall']:7.2f} s  {yard['rss_mb']:6.0f} MB")
        print(f"   sheetsync sync with the pull               {pull['wall']:7.2f} s  {pull['rss_mb']:6.0f} MB"
              f"   {pull['wall'] / yard['wall']:.2f}x calamine")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
