"""Shared fixtures: fresh desks made by `sheetsync init`, and the CLI run in-process with its real exit code."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sheetsync import cli
from sheetsync.config import Config, load_config
from sheetsync.desk import create_order_workbook, init_desk


@dataclass
class CliRun:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture(autouse=True)
def _chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHEETSYNC_LANG", "zh")


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliRun]:
    def run(*args: str | Path) -> CliRun:
        capsys.readouterr()
        with pytest.raises(SystemExit) as exit_info:
            cli.main([str(a) for a in args])
        captured = capsys.readouterr()
        return CliRun(int(exit_info.value.code or 0), captured.out, captured.err)

    return run


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    """An empty desk made by `sheetsync init`; returns its sheetsync.yaml."""
    init_desk(tmp_path / "desk", "zh")
    return tmp_path / "desk" / "sheetsync.yaml"


@pytest.fixture
def make_desk(tmp_path: Path) -> Callable[..., Config]:
    """A desk whose orders.xlsx holds `rows` (field -> value); returns the loaded config."""

    def make(rows: Sequence[dict[str, Any]], extra_headers: Sequence[str] = (), name: str = "desk") -> Config:
        folder = tmp_path / name
        init_desk(folder, "zh")
        (folder / "orders.xlsx").unlink()
        create_order_workbook(folder / "orders.xlsx", "zh", rows, extra_headers)
        return load_config(folder / "sheetsync.yaml")

    return make


@pytest.fixture
def soffice() -> str:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs it")
    return path
