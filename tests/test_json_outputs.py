"""The `--json` documents of demo, sync, import, reconcile, report, approve and history on the shipped samples
equal the golden files: a change of structure must not change what cron and scripts read.

Regenerate with SHEETSYNC_UPDATE_GOLDEN=1 only for a change of behaviour made on purpose, and review the diff.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import time_machine
from conftest import CliRun, use_workflow
from report_cli import assert_golden

DATA = Path(__file__).parent / "data"
CLOCK = "2026-11-23T08:00:00+00:00"  # 16:00 at the demo desk (Asia/Shanghai)


def _normalised(value: Any, tmp: str) -> Any:
    """The document without what differs from run to run and machine to machine: the temporary folder,
    where the repository is, and the seconds taken."""
    if isinstance(value, dict):
        return {k: _normalised(v, tmp) for k, v in value.items() if k != "seconds"}
    if isinstance(value, list):
        return [_normalised(v, tmp) for v in value]
    if isinstance(value, str):
        return value.replace(tmp, "<tmp>").replace(str(DATA), "<data>")
    return value


def test_json_documents_of_the_shipped_samples_are_the_golden_ones(
        tmp_path: Path, run_cli: Callable[..., CliRun]) -> None:
    desk = tmp_path / "desk"
    config = desk / "sheetsync.yaml"
    documents: dict[str, Any] = {}

    def step(name: str, *args: str | Path, code: int = 0) -> None:
        run = run_cli(*args, "--json")
        assert run.code == code, (name, run.err)
        documents[name] = _normalised(run.json(), str(tmp_path))

    with time_machine.travel(CLOCK, tick=False):
        step("demo", "demo", desk)
        step("sync_again", "sync", "-c", config)
        shutil.copy(DATA / "exports" / "douyin_orders_later.csv", desk / "inbox" / "douyin" / "douyin_later.csv")
        step("sync_later_export", "sync", "-c", config, "--now", "2026-11-24T10:00")
        step("import", "import", DATA / "legacy" / "pos_2023_gbk.csv", "-c", config, "--now", "2026-11-24T11:00")
        use_workflow(config, "default_zh")
        step("sync_workflow", "sync", "-c", config, "--now", "2026-11-25T10:00")
        step("sync_workflow_later", "sync", "-c", config, "--now", "2026-11-28T10:00")
        step("queue", "queue", "-c", config, "--now", "2026-11-28T10:00")
        step("reconcile", "reconcile", "-c", config, "--against", "douyin", "--against", "sf",
             "--against", f"finance={DATA / 'exports' / 'finance_export.csv'}", "--now", "2026-11-28T10:00", code=3)
        step("report", "report", "-c", config, "--from", "2026-11-20", "--now", "2026-11-28T10:00")
        first = documents["demo"]["assigned"][0]["order_id"]
        step("history", "history", first, "-c", config)
    assert_golden("json_outputs.json", json.dumps(documents, ensure_ascii=False, indent=1, sort_keys=True) + "\n")

