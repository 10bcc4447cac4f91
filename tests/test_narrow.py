"""Every command's output stays readable on an 80- and a 60-column terminal (cmd.exe, a default PuTTY window):
no table wider than the terminal, no id, time or value cut with `…`, through the console entry point on the demo
desk.  `reconcile` shows every kind of difference in its first lines, `queue` the customer and the shop's order
number, a new order's `history` its fields by name."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len

NOW = "2026-11-21T10:00:00"
BOX = set("┃│┏┓┗┛┡┩└┘┌┐━─╇┼")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    desk = tmp_path_factory.mktemp("narrow") / "demo"
    shutil.copytree(Path(__file__).parent.parent / "example_workbooks" / "demo", desk)
    assert run(desk, 200, "sync", "--now", NOW).returncode in (0, 3)
    return desk


def run(desk: Path, columns: int, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SHEETSYNC_LANG": "zh", "COLUMNS": str(columns)}
    return subprocess.run([sys.executable, "-m", "sheetsync", *args], cwd=desk, env=env, capture_output=True, text=True,
                          timeout=300)


def _order_with_history(desk: Path) -> str:
    import python_calamine

    rows = python_calamine.CalamineWorkbook.from_path(str(desk / "orders.xlsx")).get_sheet_by_name("订单").to_python()
    return next(str(r[0]) for r in rows[1:] if str(r[0]).startswith("SS20261121-") and str(r[1]) == "抖音")  # made by the sync


@pytest.mark.parametrize("columns", [80, 60])
def test_every_commands_tables_fit_and_cut_nothing(demo: Path, columns: int) -> None:
    commands = [["report", "--now", NOW], ["queue", "--now", NOW], ["validate", "--now", NOW],
                ["reconcile", "--against", "douyin", "--now", NOW], ["history", _order_with_history(demo)],
                ["sync", "--dry-run", "--now", NOW], ["check"]]
    for args in commands:
        done = run(demo, columns, *args)
        where = f"{' '.join(args)} at {columns} columns"
        assert done.returncode in (0, 3), f"{where}: {done.stderr[-800:]}"
        assert "…" not in done.stdout, f"{where}: something was cut:\n{done.stdout}"
        wide = [line for line in done.stdout.splitlines() if set(line) & BOX and cell_len(line) > columns]
        assert not wide, f"{where}: a table wider than the terminal:\n" + "\n".join(wide)


def test_reconcile_shows_every_kind_queue_the_customer_history_the_fields(demo: Path) -> None:
    done = run(demo, 80, "reconcile", "--against", "douyin", "--now", NOW)
    summary, _, shown = done.stdout.partition("每类都有")
    kinds = [line.strip("│ ").split("│")[0].strip() for line in summary.splitlines()
             if "│" in line and not line.strip().endswith("0 │")]
    assert kinds and all(kind in shown for kind in kinds), done.stdout
    queue = run(demo, 200, "queue", "--now", NOW).stdout
    assert "客户" in queue and "渠道订单号" in queue
    history = run(demo, 80, "history", _order_with_history(demo)).stdout
    assert "客户姓名：" in history and '{"' not in history and "+08:00" in history


def test_validate_writes_every_finding_to_a_file_as_text(demo: Path, tmp_path: Path) -> None:
    import csv
    import json

    import python_calamine

    listed = json.loads(run(demo, 80, "validate", "--json", "--now", NOW).stdout)["findings"]
    for suffix in (".xlsx", ".csv", ".json"):
        target = tmp_path / f"findings{suffix}"
        done = run(demo, 80, "validate", "--now", NOW, "--out", str(target))
        assert done.returncode == 3 and "全部" in done.stdout and target.name in done.stdout, done.stderr
        if suffix == ".xlsx":
            rows = python_calamine.CalamineWorkbook.from_path(str(target)).get_sheet_by_name("校验结果").to_python()
        elif suffix == ".csv":
            rows = list(csv.reader(target.read_text(encoding="utf-8-sig").splitlines()))
        else:
            assert json.loads(target.read_text(encoding="utf-8")) == listed
            continue
        assert rows[0][:4] == ["行", "订单号", "代码", "级别"] and len(rows) == len(listed) + 1
        assert {r[2] for r in rows[1:]} == {f["code"] for f in listed} and "错误" in {r[3] for r in rows[1:]}
    bad = run(demo, 80, "validate", "--out", str(tmp_path / "findings.txt"))
    assert bad.returncode == 2 and ".xlsx" in bad.stderr
