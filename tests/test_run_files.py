"""The files around a run, through the console entry point: inboxes given by absolute paths (empty ones
included), and the names of the files a run leaves, all on one clock: the desk's."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

DATA = Path(__file__).parent / "data" / "exports"


def sheetsync(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python -m sheetsync ARGS` in a fresh process, as cron runs it."""
    return subprocess.run([sys.executable, "-m", "sheetsync", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, check=False, timeout=300)


def _desk(tmp_path: Path, channels: str, timezone: str = "Asia/Shanghai") -> Path:
    made = sheetsync("init", tmp_path / "desk", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    config = tmp_path / "desk" / "sheetsync.yaml"
    with config.open("a", encoding="utf-8") as fh:
        fh.write(f"timezone: {timezone}\n{channels}")
    return config


def test_an_absolute_inbox_that_matches_nothing_is_an_empty_inbox(tmp_path: Path) -> None:
    empty = tmp_path / "srv" / "exports" / "pdd"
    empty.mkdir(parents=True)
    config = _desk(tmp_path, f"channels:\n  - {{name: pdd, path: '{empty.as_posix()}/*.csv', mapping: pinduoduo}}\n"
                             f"  - {{name: gone, path: '{(tmp_path / 'nowhere').as_posix()}/*/*.csv', mapping: douyin}}\n")
    run = sheetsync("sync", "-c", config, "--json", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["files"] == []
    shutil.copy(DATA / "pinduoduo_orders.csv", empty / "pdd.csv")
    run = sheetsync("sync", "-c", config, "--json", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    files = json.loads(run.stdout)["files"]
    assert [Path(f["path"]).name for f in files] == ["pdd.csv"] and files[0]["new"] > 0


def test_a_runs_backup_and_rejects_file_are_named_on_the_desks_clock(tmp_path: Path) -> None:
    inbox = tmp_path / "desk" / "inbox" / "douyin"
    config = _desk(tmp_path, "channels:\n  - {name: douyin, path: inbox/douyin/*, mapping: douyin}\n",
                   timezone="Pacific/Kiritimati")  # UTC+14: a name in UTC or in this machine's zone differs from it
    inbox.mkdir(parents=True)
    shutil.copy(DATA / "douyin_orders.csv", inbox / "douyin.csv")
    before = dt.datetime.now(dt.timezone(dt.timedelta(hours=14))).replace(tzinfo=None, microsecond=0)
    run = sheetsync("sync", "-c", config, "--json", "--now", "2026-01-02T03:04:05", cwd=tmp_path)
    after = dt.datetime.now(dt.timezone(dt.timedelta(hours=14))).replace(tzinfo=None)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["workbook_written"] and result["backup"] and result["rejects_file"]
    stamps = []
    for name in (Path(result["backup"]).name, Path(result["rejects_file"]).name):
        found = re.search(r"(\d{8}T\d{6})\d{6}\.xlsx$", name)
        assert found, name
        stamps.append(dt.datetime.strptime(found[1], "%Y%m%dT%H%M%S"))
    assert all(before <= stamp <= after for stamp in stamps), (stamps, before, after)  # not --now, not UTC
