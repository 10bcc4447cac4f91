"""Custom rules: a condition of the condition language, and the code, message and level it writes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sheetsync.conditions import Condition, FieldType, compile_condition, evaluate, field_types
from sheetsync.config.rules import CustomRule
from sheetsync.i18n import Lang, Localized, Words
from sheetsync.steps.rules.findings import Findings, found


@dataclass(frozen=True)
class CompiledCustom:
    rule: CustomRule
    condition: Condition

    def message(self) -> Words:
        said = self.rule.message
        return said if isinstance(said, str) else Localized(said["zh"], said["en"])


def compile_custom(rules: Sequence[CustomRule], *, lang: Lang, fields: Mapping[str, FieldType] | None,
                   aliases: Mapping[str, str] | None) -> tuple[CompiledCustom, ...]:
    """Every rule's condition checked once (rules that are off too); ConfigError names the rule and the position."""
    types = dict(fields) if fields is not None else field_types()
    return tuple(CompiledCustom(rule, compile_condition(rule.when, name=rule.name, fields=types, lang=lang, aliases=aliases))
                 for rule in rules)


def compile_exemptions(unless: Mapping[str, str], *, lang: Lang, fields: Mapping[str, FieldType] | None,
                       aliases: Mapping[str, str] | None) -> dict[str, Condition]:
    """Built-in rule name -> its `unless` condition, checked once."""
    types = dict(fields) if fields is not None else field_types()
    return {name: compile_condition(text, name=f"rules.{name}.unless", fields=types, lang=lang, aliases=aliases)
            for name, text in unless.items()}


def run(frame: pd.DataFrame, rules: Sequence[CompiledCustom],
        exemptions: Mapping[str, Condition]) -> tuple[list[Findings], dict[str, np.ndarray]]:
    """The custom rules' findings and the rows each exemption covers: all conditions evaluated in one scan."""
    active = [(r, r.rule.level) for r in rules if r.rule.level != "off"]
    conditions = [*(r.condition for r, _ in active), *exemptions.values()]
    if not conditions:
        return [], {}
    holds = evaluate(frame, conditions)
    masks = [np.asarray(holds.iloc[:, k].to_numpy(), dtype=bool) for k in range(len(conditions))]
    out: list[Findings] = []
    for (compiled, level), mask in zip(active, masks, strict=False):
        out += found(mask, compiled.rule.code, compiled.rule.column, compiled.message(), level)
    return out, dict(zip(exemptions, masks[len(active):], strict=True))
