"""Loading workflows: the shipped presets load; an inconsistent file fails with exit 2 naming the file,
the line and the problem (unknown state, unreachable state, a condition on an unknown field, no entry)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sheetsync.errors import ConfigError
from sheetsync.steps.workflow.load import check_targets, load_workflow, presets

GOOD = """\
states:
  - {name: 待确认, sla: 30m}
  - {name: 审核中, sla: {limit: 2h, warn: 50%}}
  - {name: 已完成, final: true}
transitions:
  - {from: 待确认, to: 审核中, auto: true, when: "paid_at IS NOT NULL"}
  - {from: 审核中, to: 已完成}
"""


def broken(tmp_path: Path, text: str, lang: str = "zh") -> ConfigError:
    (tmp_path / "wf.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_workflow("wf.yaml", tmp_path, lang)  # type: ignore[arg-type]
    assert info.value.exit_code == 2
    return info.value


def test_the_shipped_presets_load() -> None:
    assert presets() == ["default_en", "default_zh", "ecommerce_zh"]
    for name in presets():
        workflow = load_workflow(name, Path("."), "zh")
        assert workflow.entry_states and workflow.states[0].entry


def test_a_team_file_loads_relative_to_the_config(tmp_path: Path) -> None:
    (tmp_path / "wf.yaml").write_text(GOOD, encoding="utf-8")
    workflow = load_workflow("wf.yaml", tmp_path, "zh")
    review = workflow.state("审核中")
    assert review is not None and review.sla is not None and review.sla.hours == (1.0, 2.0, None)
    assert workflow.entry_states == ("待确认",)


def test_a_transition_to_an_unknown_state_names_the_line(tmp_path: Path) -> None:
    error = broken(tmp_path, GOOD.replace("to: 已完成}", "to: 已完成了}"))
    assert str(tmp_path / "wf.yaml") + ":7:" in error.message
    assert "transitions.1.to" in error.message and "未知的状态 '已完成了'" in error.message


def test_a_transition_from_an_unknown_state_names_the_line(tmp_path: Path) -> None:
    error = broken(tmp_path, GOOD.replace("{from: 审核中,", "{from: [审核, 待确认],"))
    assert "wf.yaml:7:" in error.message and "transitions.1.from.0" in error.message


def test_an_unreachable_state_names_its_line(tmp_path: Path) -> None:
    done = "  - {name: 已完成, final: true}\n"
    error = broken(tmp_path, GOOD.replace(done, done + "  - {name: 搁置}\n"))
    assert "wf.yaml:5:" in error.message and "'搁置' 永远到不了" in error.message


def test_a_condition_on_an_unknown_field_names_the_line_and_the_field(tmp_path: Path) -> None:
    error = broken(tmp_path, GOOD.replace("paid_at IS NOT NULL", "paid_time IS NOT NULL"), lang="en")
    assert "wf.yaml:6:" in error.message and "transitions.0.when" in error.message
    assert "unknown field 'paid_time'" in error.message


def test_no_entry_state_is_refused(tmp_path: Path) -> None:
    error = broken(tmp_path, GOOD.replace("{name: 待确认, sla: 30m}", "{name: 待确认, sla: 30m, entry: false}"))
    assert "wf.yaml:1:" in error.message and "没有入口状态" in error.message


def test_unknown_keys_and_bad_values_point_into_the_file(tmp_path: Path) -> None:
    error = broken(tmp_path, GOOD.replace("sla: 30m}", "sla: 30 minutes}"))
    assert "wf.yaml:2:" in error.message and "states.0.sla" in error.message
    error = broken(tmp_path, GOOD + "rules: []\n")
    assert "wf.yaml:8:" in error.message and "未知的配置项" in error.message


def test_a_lookup_field_needs_its_lookup(tmp_path: Path) -> None:
    error = broken(tmp_path, GOOD + "checks:\n  - {code: CREDIT_HOLD, when: \"outstanding > credit_limit\"}\n", lang="en")
    assert "wf.yaml:9:" in error.message and "lookups.customers" in error.message


def test_approval_tiers_need_signers_and_cannot_read_their_own_verdict(tmp_path: Path) -> None:
    tiers = "approval:\n  state: 审核中\n  tiers:\n    - {name: 大额, signatures: 2, signers: [甲]}\n"
    error = broken(tmp_path, GOOD + tiers, lang="en")
    assert "wf.yaml:11:" in error.message and "only 1 signer" in error.message
    tiers = "approval:\n  state: 审核中\n  tiers:\n    - {name: 怪, when: approved}\n"
    error = broken(tmp_path, GOOD + tiers, lang="en")
    assert "approval.tiers.0.when" in error.message and "cannot read approved" in error.message


def test_an_unknown_preset_lists_the_shipped_ones(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_workflow("defualt_zh", tmp_path, "en")
    assert "default_zh" in info.value.message and info.value.exit_code == 2


def test_notify_targets_must_be_declared_except_default(tmp_path: Path) -> None:
    workflow = load_workflow("crossborder.yaml", Path(__file__).parent / "data" / "workflows", "en")
    with pytest.raises(ConfigError, match="'ops'"):
        check_targets(workflow, ["sales"], "en")
    check_targets(workflow, ["ops", "sales"], "en")
    check_targets(load_workflow("default_zh", tmp_path, "en"), [], "en")
