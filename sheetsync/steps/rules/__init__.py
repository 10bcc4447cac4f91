"""The validation rules: `compile_rules` once at configuration load, `validate` once per run (a pure step).

Built-in rules and their codes (each with `level: error|warn|info|off`):

    required    REQUIRED_MISSING                           a required field left empty
    phone       PHONE_MISSING, PHONE_INVALID               phone.py says what is valid
    address     ADDR_INCOMPLETE, ADDR_UNKNOWN, ADDR_MISMATCH   rows in China, against the 民政部 divisions
    postcode    POSTCODE_INVALID                           not 6 digits; another province's prefix (warn)
    rural       RURAL_NO_PHONE                             a village address with no usable phone (warn)
    amounts     AMOUNT_INVALID                             not an amount, negative, paid > payable
    dates       DATE_INVALID                               not a date-time, in the future, paid before created
    duplicates  DUP_CHANNEL_ORDER                          one (channel, channel_order_id) on several rows
    custom      the rule's own code                        where its condition holds

A rule on a field whose column the sheet lacks is skipped (the sheet does not track that field);
`required` skips such fields too, and a field that a more specific rule reports empty (PHONE_MISSING,
ADDR_INCOMPLETE on rows in China) is not reported again as REQUIRED_MISSING. A built-in rule's `unless`
condition exempts rows from it (`address: {unless: "channel = '门店POS'"}`); a row exempted from the phone
or address rule is not asked for those fields by `required` either.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from sheetsync.conditions import Condition, FieldType
from sheetsync.config.rules import ADDRESS_LEVELS, BUILTIN_CODES, CustomRule, Level, RulesConfig
from sheetsync.divisions import Divisions, load_divisions
from sheetsync.i18n import Lang
from sheetsync.model.records import Anomaly
from sheetsync.steps.rules import address, custom, duplicates, phone, rural, values
from sheetsync.steps.rules.findings import Columns, Findings, assemble

__all__ = ["BUILTIN_CODES", "CompiledRules", "CustomRule", "Level", "RulesConfig", "compile_rules", "validate"]

_CODES_OF: Final = {
    "required": ("REQUIRED_MISSING",), "phone": ("PHONE_MISSING", "PHONE_INVALID"),
    "address": ("ADDR_INCOMPLETE", "ADDR_UNKNOWN", "ADDR_MISMATCH"), "postcode": ("POSTCODE_INVALID",),
    "rural": ("RURAL_NO_PHONE",), "amounts": ("AMOUNT_INVALID",), "dates": ("DATE_INVALID",),
    "duplicates": ("DUP_CHANNEL_ORDER",),
}  # fmt: skip


@dataclass(frozen=True)
class CompiledRules:
    """The rules of one desk, ready to run: custom conditions compiled, divisions loaded if needed."""

    config: RulesConfig
    custom: tuple[custom.CompiledCustom, ...]
    exemptions: Mapping[str, Condition]
    """Built-in rule name -> its compiled `unless`."""
    divisions: Divisions | None

    @property
    def levels(self) -> dict[str, str]:
        """Code -> level of the rules that are on, for `steps.anomalies.fill_for` (POSTCODE_INVALID's
        prefix warnings are at `postcode.province_level`, below this)."""
        out = {code: getattr(self.config, name).level for name, codes in _CODES_OF.items() for code in codes}
        for compiled in self.custom:
            out.setdefault(compiled.rule.code, compiled.rule.level)
        return {code: level for code, level in out.items() if level != "off"}


def compile_rules(config: RulesConfig, *, lang: Lang, fields: Mapping[str, FieldType] | None = None,
                  aliases: Mapping[str, str] | None = None) -> CompiledRules:
    """Check every custom condition once and load what the built-in rules need.

    `fields`: the fields conditions may name with their types (`conditions.field_types(derived)`;
    None: the canonical fields); `aliases`: header text -> field. A bad condition raises ConfigError
    naming the rule, the expression and the position, in `lang` (the desk's: loading the configuration is
    where its errors are shown).  What the rules find later carries no language: it is rendered where shown.
    """
    compiled = custom.compile_custom(config.custom, lang=lang, fields=fields, aliases=aliases)
    unless = {name: rule.unless for name in _CODES_OF if (rule := getattr(config, name)).unless and rule.level != "off"}
    exemptions = custom.compile_exemptions(unless, lang=lang, fields=fields, aliases=aliases)
    needs_divisions = config.address.level != "off" or config.postcode.level != "off"
    return CompiledRules(config, compiled, exemptions, load_divisions() if needs_divisions else None)


def validate(frame: pd.DataFrame, rules: CompiledRules, *, now: dt.datetime) -> list[Anomaly]:
    """The anomalies of every row of `frame` (index: sheet rows; columns: canonical fields as canonical text),
    in row order. `now` is the desk's local wall-clock time (an aware datetime is read as its wall clock).
    Custom conditions run in DuckDB on a second thread while the built-in rules run on this one."""
    config = rules.config
    cols = Columns(frame)
    exempt: dict[str, np.ndarray] = {}
    if rules.exemptions or any(c.rule.level != "off" for c in rules.custom):
        with ThreadPoolExecutor(max_workers=1) as pool:
            conditions = pool.submit(custom.run, frame, rules.custom, rules.exemptions)
            owned, found = _builtin(cols, rules, now)
            written, exempt = conditions.result()
    else:
        owned, found, written = *_builtin(cols, rules, now), []
    found = [*values.required(cols, config.required, owned), *found]
    for name, rows in exempt.items():
        found = [_without(batch, rows) if batch.code in _CODES_OF[name] else batch for batch in found]
    return assemble(frame, [*found, *written])


def _without(batch: Findings, exempt: np.ndarray) -> Findings:
    keep = ~exempt[batch.positions]
    messages = batch.messages[keep] if isinstance(batch.messages, np.ndarray) else batch.messages
    return Findings(batch.positions[keep], batch.code, batch.column, messages, batch.level)


def _builtin(cols: Columns, rules: CompiledRules, now: dt.datetime) -> tuple[dict[str, np.ndarray], list[Findings]]:
    """The built-in rules' findings (but `required`), and the rows on which each field's emptiness is already reported."""
    config = rules.config
    owned: dict[str, np.ndarray] = {}
    found: list[Findings] = []
    region = phone.regions(cols.frame, config.phone)
    in_china = np.flatnonzero(region == "CN")
    checked = None
    if "phone" in cols and (config.phone.level != "off" or config.rural.level != "off"):
        checked = phone.classify(cols, region)
        if config.phone.level != "off":
            found += phone.findings(cols, checked, config.phone)
            owned["phone"] = np.ones(len(cols), dtype=bool)
    place = address.locate(cols, in_china, rules.divisions) if rules.divisions is not None else None
    if place is not None and rules.divisions is not None:
        found += address.findings(place, config.address, config.postcode, rules.divisions)
        if config.address.level != "off":
            for name in ADDRESS_LEVELS:
                owned[name] = region == "CN"
    if config.rural.level != "off" and checked is not None and "address" in cols:
        detail = place.detail if place is not None and place.detail is not None else cols.text("address").iloc[in_china]
        unusable = ~checked.usable[in_china]
        found += rural.findings(detail[unusable], in_china[unusable], config.rural.level)
    if config.amounts.level != "off":
        found += values.amounts(cols, config.amounts.level)
    found += values.dates(cols, config.dates, now)
    if config.duplicates.level != "off":
        found += duplicates.findings(cols, config.duplicates.level)
    return owned, found
