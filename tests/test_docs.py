"""Meta-tests: every command has help and is in the README; every error class has a documented exit code."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import typer.main
from conftest import CliRun

from sheetsync import cli, errors

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def commands() -> list[str]:
    group = typer.main.get_command(cli.app)
    return sorted(group.commands)  # type: ignore[attr-defined]


def test_every_command_has_help_and_is_in_the_readme(run_cli: Callable[..., CliRun]) -> None:
    assert {"init", "demo", "check", "sync", "history"} <= set(commands())
    for name in commands():
        result = run_cli(name, "--help")
        assert result.code == 0
        assert len(result.out.strip().splitlines()) > 3, name
        assert f"`sheetsync {name}" in README, f"{name} is missing from the README"


def test_every_error_class_has_a_documented_exit_code() -> None:
    classes = [c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, errors.SheetsyncError)]
    assert len(classes) >= 5
    table = README.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    for cls in classes:
        row = next((line for line in table.splitlines() if f"`{cls.__name__}`" in line), None)
        assert row is not None, f"{cls.__name__} is not in the README's exit code table"
        assert re.match(rf"\|\s*{cls.exit_code}\s*\|", row), f"{cls.__name__}: exit code {cls.exit_code} not documented"


def test_readme_shows_the_two_set_up_commands() -> None:
    first_screen = README[:2500]
    assert "pip install . && sheetsync demo" in first_screen
    assert "pip install '.[test]' && python3 -m pytest" in first_screen
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    test_command = re.search(r"python3 -m pip install '\.\[test\]' && python3 -m pytest[^\n`]*", README)
    assert test_command is not None and test_command.group(0) in ci


def test_the_public_api_is_exported_and_documented() -> None:
    import sheetsync

    for name in sheetsync.__all__:
        member = getattr(sheetsync, name)
        assert member.__doc__, f"sheetsync.{name} has no docstring"
    assert {"sync", "load_config", "check", "history", "SheetsyncError", "RunResult"} <= set(sheetsync.__all__)


def test_the_readme_layout_names_every_folder_and_module() -> None:
    import sheetsync

    layout = README.split("## Layout", 1)[1].split("\n## ", 1)[0]
    package = Path(sheetsync.__file__).parent
    for path in package.rglob("*.py"):
        folder = path.parent.relative_to(package)
        if str(folder) != ".":
            assert f"{folder.name}/" in layout, f"{folder}/ is missing from the README's Layout"
        if path.stem not in ("__init__", "__main__"):
            assert re.search(rf"\b{path.stem}\b", layout), f"{path.relative_to(package)} is missing from the README's Layout"
