"""The after-sales reason tree as data: the shipped presets load, a team's own tree is checked with errors that
name the file and line, and a ticket's two levels are judged against it."""

from __future__ import annotations

from pathlib import Path

import pytest

from sheetsync.config.reasons import load_reasons, presets
from sheetsync.errors import ConfigError
from sheetsync.model.tickets import TICKET_FIELDS, TICKET_KINDS, kind_words


def test_the_shipped_trees_load_and_every_first_level_keeps_its_own_reasons(tmp_path: Path) -> None:
    assert {"autoparts_zh", "retail_zh", "retail_en"} <= set(presets())
    parts = load_reasons("autoparts_zh", tmp_path, "zh")
    assert parts.firsts[:3] == ("安装类", "产品类", "物流类") and parts.other == "其他"
    assert {"扭矩错误", "方向装反", "配件不匹配"} <= set(parts.levels["安装类"])
    assert parts.levels["其他"] == ()
    for name in presets():
        tree = load_reasons(name, tmp_path, "zh")
        assert tree.name == name and tree.other in tree.levels
        assert all(seconds for first, seconds in tree.levels.items() if first != tree.other), name


@pytest.mark.parametrize(("first", "second", "described", "code"), [
    ("安装类", "扭矩错误", False, None),
    ("安装类", None, False, None),                       # the first level alone: a ticket not yet looked into
    (None, None, False, None),
    ("安装类", "异响", False, "REASON_MISMATCH"),          # 异响 is a 产品类 reason, typed past the dropdown
    (None, "扭矩错误", False, "REASON_MISMATCH"),
    ("质量", "扭矩错误", False, "REASON_UNKNOWN"),
    ("安装类", "其他", False, "REASON_UNDESCRIBED"),
    ("安装类", "其他", True, None),
    ("其他", None, False, "REASON_UNDESCRIBED"),
])
def test_a_tickets_reason_is_judged_against_the_tree(tmp_path: Path, first: str | None, second: str | None,
                                                    described: bool, code: str | None) -> None:
    assert load_reasons("autoparts_zh", tmp_path, "zh").problem(first, second, described) == code


@pytest.mark.parametrize(("text", "said"), [
    ("levels:\n  安装类: [扭矩错误, 扭矩错误]\n", "reasons.yaml:2:3: levels.安装类: 同一大类下的原因重复了：扭矩错误"),
    ("levels:\n  安装类: [' 扭矩错误']\n", "reasons.yaml:2"),
    ("levels:\n  安装类: [' 扭矩错误']\n", "首尾不能有空格"),
    ("other: 其它\nlevels:\n  安装类: [其他]\n", "“其它”不是树里的任何一个原因"),
    ("levels: {}\n", "levels"),
    ("levles:\n  安装类: []\n", "levles"),
])
def test_a_teams_own_tree_is_checked_and_the_error_names_file_and_line(tmp_path: Path, text: str, said: str) -> None:
    (tmp_path / "reasons.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_reasons("reasons.yaml", tmp_path, "zh")
    message = caught.value.render("zh")[0]
    assert "reasons.yaml:" in message and said in message, message


def test_an_unknown_tree_names_the_presets(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_reasons("autoparts", tmp_path, "zh")
    assert "autoparts_zh" in caught.value.render("zh")[0]


def test_tickets_have_their_fields_and_kinds_in_both_languages() -> None:
    from sheetsync.config import load_preset

    for lang in ("zh", "en"):
        headers = load_preset(f"aftersales_{lang}")
        assert list(headers) == list(TICKET_FIELDS), lang
        assert len(set(headers.values())) == len(headers)
    assert kind_words("zh") == ["退货", "换货", "仅退款", "补发", "维修"] and len(kind_words("en")) == len(TICKET_KINDS)


def test_check_names_a_bad_reason_tree_of_the_desk(tmp_path: Path) -> None:
    """`sheetsync check` loads the desk's tree: a team's tree with a repeated reason stops it (exit 2), naming the
    tree's file and line."""
    import subprocess
    import sys

    from sheetsync.desk.new import init_desk

    init_desk(tmp_path / "desk", "zh")
    config = tmp_path / "desk" / "sheetsync.yaml"
    ok = subprocess.run([sys.executable, "-m", "sheetsync", "check", "-c", str(config)], capture_output=True, text=True,
                        timeout=120)
    assert ok.returncode == 0, ok.stderr
    (tmp_path / "desk" / "reasons.yaml").write_text("levels:\n  安装类: [扭矩错误, 扭矩错误]\n", encoding="utf-8")
    config.write_text(config.read_text(encoding="utf-8").replace("reasons: retail_zh", "reasons: reasons.yaml"),
                      encoding="utf-8")
    bad = subprocess.run([sys.executable, "-m", "sheetsync", "check", "-c", str(config)], capture_output=True,
                         text=True, timeout=120)
    assert bad.returncode == 2 and "reasons.yaml:2" in bad.stderr and "扭矩错误" in bad.stderr, bad.stderr


def test_the_reason_step_over_a_table_says_what_the_tree_says_of_each_ticket(tmp_path: Path) -> None:
    """Every combination of first level, second level and description, judged at once over a table, agrees with
    the tree's judgement of the one ticket (the step is vectorised; the tree's rule is the reference)."""
    import itertools

    import pandas as pd

    from sheetsync.steps.aftersales.reasons import reason_codes

    tree = load_reasons("autoparts_zh", tmp_path, "zh")
    firsts = [None, "", "安装类", "产品类", "其他", "质量"]
    seconds = [None, " ", "扭矩错误", "异响", "其他", "随便"]
    notes = [None, "装反了，客户说明书没看", "  "]
    combos = list(itertools.product(firsts, seconds, notes))
    frame = pd.DataFrame(combos, columns=["reason", "sub_reason", "note"], dtype="str")
    got = reason_codes(frame, tree)
    for (first, second, note), code in zip(combos, got.tolist(), strict=True):
        blank = lambda v: v if v and v.strip() else None  # noqa: E731 - a cell of white space is empty
        expected = tree.problem(blank(first), blank(second), bool(blank(note)))
        assert (None if pd.isna(code) else code) == expected, (first, second, note)
    assert reason_codes(pd.DataFrame({"x": ["a"]}), tree).isna().all()  # a sheet without the columns: nothing to say
