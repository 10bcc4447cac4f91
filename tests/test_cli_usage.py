"""Usage mistakes are usage errors, through the console entry point as cron and a clerk run it: exit 2, one line
naming the mistake and the fix, no traceback, no log; a bare `sheetsync` shows the help; `--version` works."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def sheetsync(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SHEETSYNC_LANG": "zh"}
    return subprocess.run([sys.executable, "-m", "sheetsync", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize(("args", "said"), [
    (["syncc"], "syncc"),
    (["sync", "--bogus"], "--bogus"),
    (["approve", "X", "--by"], "--by"),
    (["reconcile"], "--against"),
    (["queue", "--now"], "--now"),
])
def test_a_usage_mistake_is_exit_2_in_one_line_with_the_fix(args: list[str], said: str, tmp_path: Path) -> None:
    run = sheetsync(*args, cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert said in run.stderr and "--help" in run.stderr
    assert "Traceback" not in run.stderr and "缺陷" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 2
    assert not list(tmp_path.rglob("*.log"))


def test_a_bare_sheetsync_shows_the_help_and_version_prints_the_version(tmp_path: Path) -> None:
    run = sheetsync(cwd=tmp_path)
    assert run.returncode == 0 and "sync" in run.stdout and "用法" in run.stdout
    run = sheetsync("--version", cwd=tmp_path)
    assert run.returncode == 0 and run.stdout.startswith("sheetsync ")


def test_values_that_look_like_terminal_markup_are_printed_as_they_are(tmp_path: Path) -> None:
    from sheetsync.desk.new import init_desk

    init_desk(tmp_path, "zh")
    (tmp_path / "inbox" / "shop").mkdir(parents=True)
    (tmp_path / "inbox" / "shop" / "[red]x.csv").write_text("订单号,收货人,手机\nP-1,[/x] 王芳,1381234[bold]\n",
                                                             encoding="utf-8")
    (tmp_path / "mappings").mkdir()
    (tmp_path / "mappings" / "shop.yaml").write_text(
        "label: 店\nfields:\n  channel_order_id: 订单号\n  customer_name: 收货人\n  phone: 手机\n", encoding="utf-8")
    with (tmp_path / "sheetsync.yaml").open("a", encoding="utf-8") as fh:
        fh.write("channels:\n  - {name: shop, path: inbox/shop/*, mapping: shop}\n")
    run = sheetsync("sync", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "[red]x.csv" in run.stdout
    run = sheetsync("validate", cwd=tmp_path)
    assert run.returncode == 3 and "Traceback" not in run.stderr and "PHONE_INVALID" in run.stdout
    run = sheetsync("sync", "--dry-run", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
