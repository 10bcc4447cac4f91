"""One language rule: `--lang`, else SHEETSYNC_LANG, else the desk's `lang:` decides the messages; the sheet's own
words are the desk's and never change with them.  The configuration's problems are said in that language: our
validators' words, pydantic's common kinds, the YAML parser's commonest slips, a full-width colon named as such."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import read_sheet

from sheetsync.config import parse_duration
from sheetsync.desk.new import init_desk

NOW = "2026-11-21T10:00:00"


def sheetsync(*args: str, cwd: Path, lang: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SHEETSYNC_LANG"}
    if lang:
        env["SHEETSYNC_LANG"] = lang
    return subprocess.run([sys.executable, "-m", "sheetsync", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.mark.parametrize(("text", "hours"), [("48小时", 48), ("2天", 48), ("30分钟", 0.5), ("48h", 48), ("2d", 48),
                                             ("30m", 0.5), ("1.5 小时", 1.5)])
def test_durations_in_chinese_and_in_short(text: str, hours: float) -> None:
    assert parse_duration(text) == dt.timedelta(hours=hours)


def test_a_full_width_colon_is_named_with_its_line_and_column(tmp_path: Path) -> None:
    init_desk(tmp_path, "zh")
    config = tmp_path / "sheetsync.yaml"
    lines = config.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if line.startswith("lang:"))
    lines[number] = "lang：zh"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = sheetsync("check", cwd=tmp_path, lang="zh")
    assert run.returncode == 2
    assert f"sheetsync.yaml:{number + 1}:5:" in run.stderr and "全角" in run.stderr and "Traceback" not in run.stderr


def test_configuration_problems_are_said_in_the_messages_language(tmp_path: Path) -> None:
    init_desk(tmp_path, "zh")
    with (tmp_path / "sheetsync.yaml").open("a", encoding="utf-8") as fh:
        fh.write("timezone: Mars/Base\npromises: {default: 两天}\nrules: {phone: {level: loud}}\n")
    zh = sheetsync("check", cwd=tmp_path)
    assert zh.returncode == 2
    assert "不是时区名" in zh.stderr and "不是时长" in zh.stderr and "只能是" in zh.stderr
    assert "Value error" not in zh.stderr and "should be" not in zh.stderr
    en = sheetsync("check", cwd=tmp_path, lang="en")
    assert en.returncode == 2
    assert "is not a time zone name" in en.stderr and "is not a duration" in en.stderr and "should be one of" in en.stderr
    values = en.stderr
    for value in ("两天", "30分钟", "48小时", "2天"):  # the value given, and the Chinese forms a duration may take
        values = values.replace(value, "")
    assert not any("\u4e00" <= c <= "\u9fff" for c in values)
    assert sheetsync("--lang", "en", "check", cwd=tmp_path, lang="zh").stderr == en.stderr  # --lang beats the env


def test_the_sheets_words_are_the_desks_whatever_the_messages_language(tmp_path: Path) -> None:
    demo = Path(__file__).parent.parent / "example_workbooks" / "demo"
    runs = {}
    for lang in ("zh", "en"):
        desk = tmp_path / lang
        shutil.copytree(demo, desk)
        run = sheetsync("sync", "--now", NOW, cwd=desk, lang=lang)
        assert run.returncode in (0, 3), run.stderr
        report = sheetsync("report", "--dashboard", "--now", NOW, cwd=desk, lang=lang)
        assert report.returncode == 0, report.stderr
        runs[lang] = run
    assert "用时" in runs["zh"].stdout and "用时" not in runs["en"].stdout
    books = {lang: tmp_path / lang / "orders.xlsx" for lang in ("zh", "en")}
    assert read_sheet(books["zh"]) == read_sheet(books["en"])  # headers, flags, status words: the desk's
    assert read_sheet(books["zh"], "看板") == read_sheet(books["en"], "看板")
