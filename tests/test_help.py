"""`--help` in the reader's language, whole sentences, no type placeholders, and no line wider than the terminal
(80 and 60 columns, a Chinese character counted two), through `main` and through the real console entry point."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from rich.cells import cell_len

from sheetsync.cli import app, main
from sheetsync.cli.help import missing_chinese

COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
CJK = re.compile(r"[\u4e00-\u9fff]")
ALLOWED_CJK_IN_ENGLISH = {"看", "板", "红", "黄", "绿", "历", "史", "导", "入"}
"""Words the English help names as they are in a Chinese sheet: the 看板 sheet, the 红/黄/绿 priority classes, the
历史导入 channel of imported rows."""


def _help(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, args: list[str], lang: str,
          columns: int) -> str:
    monkeypatch.setenv("SHEETSYNC_LANG", lang)
    monkeypatch.setenv("COLUMNS", str(columns))
    with pytest.raises(SystemExit) as done:
        main(args)
    assert done.value.code == 0
    return capsys.readouterr().out


def test_every_command_and_option_has_its_chinese_help() -> None:
    assert missing_chinese(typer.main.get_command(app)) == []


@pytest.mark.parametrize("columns", [80, 60])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_commands_help_is_in_the_language_and_fits_the_terminal(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, lang: str, columns: int) -> None:
    for args in ([], ["--help"], *([c, "--help"] for c in COMMANDS)):
        text = _help(capsys, monkeypatch, args, lang, columns)
        where = f"sheetsync {' '.join(args)} ({lang}, {columns} columns)"
        assert "<bool>" not in text and "<str>" not in text and "<path>" not in text, where
        wide = [line for line in text.splitlines() if cell_len(line) > columns]
        assert not wide, f"{where}: lines wider than the terminal: {wide}"
        chinese = set(CJK.findall(text))
        if lang == "zh":
            assert "用法：" in text and "选项：" in text, where
            english = [w for w in re.findall(r"\b[A-Za-z]{4,}\b", text)
                       if w not in {"sheetsync", "yaml", "json", "xlsx", "mappings", "douyin", "finance", "exports",
                                    "help", "version", "config", "force", "strict", "alerts", "dry", "preview", "auto",
                                    "mapping", "channel", "sheet", "rejects", "save", "from", "lang", "order", "column",
                                    "columns", "header", "dashboard", "group", "reason", "tolerance", "against", "rules",
                                    "legacy", "after", "sales", "gsheet", "Google", "endpoint", "credentials", "https", "sheets",
                                    "googleapis", "test", "PostgreSQL", "SQLite", "copy", "postgresql", "desk",
                                    "password", "desks"}  # values, as typed: a channel name, init --add-sheet's
                       and not w.isupper() and w not in COMMANDS]
            assert not english, f"{where}: English words in the Chinese help: {english}"
        else:
            assert "Usage: " in text and "Options:" in text, where
            assert chinese <= ALLOWED_CJK_IN_ENGLISH, f"{where}: Chinese in the English help: {chinese}"


def test_the_help_of_sync_says_what_each_option_does(capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    text = _help(capsys, monkeypatch, ["sync", "--help"], "zh", 80)
    assert "运行一次同步" in text and "-c, --config 文件" in text and "（默认：sheetsync.yaml）" in text
    assert "--dry-run" in text and "只显示会改什么" in text


def test_the_desks_language_decides_the_help_unless_the_command_line_or_the_environment_says(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "sheetsync.yaml").write_text("lang: en\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SHEETSYNC_LANG", raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    with pytest.raises(SystemExit):
        main(["sync", "--help"])
    assert "Usage: sheetsync sync" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--lang", "zh", "sync", "--help"])
    assert "用法：sheetsync sync" in capsys.readouterr().out
    monkeypatch.setenv("SHEETSYNC_LANG", "zh")
    with pytest.raises(SystemExit):
        main(["sync", "--help"])
    assert "用法：sheetsync sync" in capsys.readouterr().out


@pytest.mark.parametrize(("lang", "says"), [("zh", "用法：sheetsync report"), ("en", "Usage: sheetsync report")])
def test_help_through_the_console_entry_point(tmp_path: Path, lang: str, says: str) -> None:
    env = {**os.environ, "SHEETSYNC_LANG": lang, "COLUMNS": "80"}
    run = subprocess.run([sys.executable, "-m", "sheetsync", "report", "--help"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and says in run.stdout and run.stderr == ""
    bare = subprocess.run([sys.executable, "-m", "sheetsync"], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)
    assert bare.returncode == 0 and ("命令：" if lang == "zh" else "Commands:") in bare.stdout


@pytest.mark.parametrize(("text", "width", "lines"), [
    ("导入行的渠道，映射或某一列另有说明时除外（默认：legacy）", 52,
     ["导入行的渠道，映射或某一列另有说明时除外（默认：", "legacy）"]),
    ("字段用标准字段名，文字和日期加单引号", 16, ["字段用标准字段", "名，文字和日期加", "单引号"]),
    ("一二三四（五六", 10, ["一二三四", "（五六"]),
    ("Match headers by synonyms and content (default without --mapping).", 30,
     ["Match headers by synonyms and", "content (default without", "--mapping)."]),
])
def test_help_lines_break_where_chinese_and_english_typesetting_allow(text: str, width: int, lines: list[str]) -> None:
    """Never a closing bracket or punctuation at the start of a line, an opening one at its end, or a Latin word
    cut in two; a CJK character counts two columns."""
    from rich.cells import cell_len

    from sheetsync.cli.fit import wrap

    assert wrap(text, width) == lines
    assert all(cell_len(line) <= width for line in lines)
