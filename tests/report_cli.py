"""Shared by the report tests: the CLI with the `reconcile` and `report` commands, and golden files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import typer

from sheetsync import cli
from sheetsync.cli.reports import reconcile_command, report_command

GOLDEN = Path(__file__).parent / "golden"


def with_report_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    """`cli.main` with the report commands, whether or not cli.py registers them itself."""
    callbacks = {command.callback for command in cli.app.registered_commands}
    if reconcile_command in callbacks and report_command in callbacks:
        return
    app = typer.Typer(name="sheetsync", no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
    app.registered_commands.extend(cli.app.registered_commands)
    app.command("reconcile")(reconcile_command)
    app.command("report")(report_command)
    monkeypatch.setattr(cli, "app", app)


def assert_golden(name: str, text: str) -> None:
    """`text` equals tests/golden/NAME; SHEETSYNC_UPDATE_GOLDEN=1 rewrites the file (review the diff)."""
    path = GOLDEN / name
    if os.environ.get("SHEETSYNC_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8", newline="")
    assert text == path.read_text(encoding="utf-8-sig" if name.endswith(".csv") else "utf-8"), f"differs from {path}"
