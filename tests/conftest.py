"""Shared fixtures: fresh desks made by `sheetsync init`, and the CLI run in-process with its real exit code."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from desks import on_store, sheets_api, to_gsheets  # noqa: F401  (fixtures: a desk on either store)
from postgres import pg, pg_server  # noqa: F401  (fixtures: a desk's schema in a real PostgreSQL server)

from sheetsync import cli
from sheetsync.config import Config, load_config
from sheetsync.desk.new import create_order_workbook, init_desk


def _own_home(worker: str) -> None:
    """Give this pytest-xdist worker a home of its own: the two workers run test files side by side, and a program
    that keeps its state in the home (LibreOffice's profile: a second soffice on one profile hands its work to the
    first, or fails) must not meet the other's.  Caches that only gain from sharing stay where they were."""
    home = Path.home()
    os.environ.setdefault("XDG_CACHE_HOME", str(home / ".cache"))
    os.environ.setdefault("MPLCONFIGDIR", str(home / ".config" / "matplotlib"))
    os.environ["HOME"] = tempfile.mkdtemp(prefix=f"sheetsync-tests-{worker}-home-")


if os.environ.get("PYTEST_XDIST_WORKER"):
    _own_home(os.environ["PYTEST_XDIST_WORKER"])


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

    def make(rows: Sequence[dict[str, Any]], extra_headers: Sequence[str] = (), name: str = "desk",
             validate: bool = False) -> Config:
        """`validate` False turns the built-in rules off: the sync mechanics are tested on bare rows."""
        folder = tmp_path / name
        init_desk(folder, "zh")
        (folder / "orders.xlsx").unlink()
        create_order_workbook(folder / "orders.xlsx", "zh", rows, extra_headers)
        if not validate:
            with (folder / "sheetsync.yaml").open("a", encoding="utf-8") as fh:
                fh.write(RULES_OFF)
        return load_config(folder / "sheetsync.yaml")

    return make


RULES_OFF = "rules: {" + ", ".join(f"{name}: {{level: 'off'}}" for name in (
    "required", "phone", "address", "postcode", "amounts", "dates", "rural", "duplicates")) + "}\n"
"""A desk's rules all off, for tests of the sync itself."""


@pytest.fixture
def soffice() -> str:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs it")
    return path


def write_sheet(path: Path, rows: Sequence[Sequence[object]], sheet: str = "订单", start_row: int = 0) -> None:
    """A workbook whose sheet holds `rows` as given (the first is the header), from `start_row` (0-based)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, str):
                ws.write_string(start_row + r, c, value)
            elif value is not None:
                ws.write(start_row + r, c, value)
    book.close()


def read_sheet(path: Path, sheet: str = "订单") -> list[list[object]]:
    """All values of a sheet as python-calamine reads them (a reader other than ours)."""
    import python_calamine

    return python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def libreoffice_csv(soffice: str, workbooks: Sequence[Path], outdir: Path) -> dict[Path, list[list[str]]]:
    """Open each workbook in a real LibreOffice (headless) and read back its first sheet as CSV rows."""
    import csv
    import subprocess

    outdir.mkdir(parents=True, exist_ok=True)
    profile = (outdir / "lo-profile").resolve().as_uri()
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to",
         "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", str(outdir), *map(str, workbooks)],
        check=True, capture_output=True, timeout=180,
    )
    out: dict[Path, list[list[str]]] = {}
    for book in workbooks:
        produced = outdir / (book.stem + ".csv")
        assert produced.exists(), f"LibreOffice could not open {book}"
        with produced.open(encoding="utf-8", newline="") as fh:
            out[book] = list(csv.reader(fh))
    return out


def libreoffice_convert(soffice: str, workbook: Path, outdir: Path, *, recalculate: bool = False) -> Path:
    """Save `workbook` again as .xlsx from LibreOffice: a file as LibreOffice writes it.  `recalculate`: every
    formula is recalculated on opening, as Excel does for a workbook that asks it to."""
    import subprocess

    from xlsx_fixtures import recalculating_profile

    outdir.mkdir(parents=True, exist_ok=True)
    folder = outdir / "lo-profile"
    profile = (recalculating_profile(folder) if recalculate else folder).resolve().as_uri()
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "xlsx:Calc MS Excel 2007 XML",
                    "--outdir", str(outdir), str(workbook)], check=True, capture_output=True, timeout=180)
    return outdir / workbook.name


def use_workflow(config: Path, preset: str, more: str = "") -> None:
    """Set the desk's `workflow:` to `preset` (in place of the one it names, as the demo desk names default_zh),
    with `more` YAML after it."""
    import re

    text = re.sub(r"(?m)^workflow:.*\n?", "", config.read_text(encoding="utf-8"))
    config.write_text(text.rstrip("\n") + f"\nworkflow: {preset}\n{more}", encoding="utf-8")
