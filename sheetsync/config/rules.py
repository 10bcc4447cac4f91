"""The `rules:` mapping of sheetsync.yaml: which built-in checks run, at which level, plus custom rules.

Every rule is optional and has a default; `level: off` (or YAML 1.1's `off` = false) turns a rule off,
and a whole rule may be written as just `off`: `rural: off`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from sheetsync.i18n import Worded
from sheetsync.model.fields import DATETIME_FIELDS, FIELDS


def first_repeated(names: Sequence[str]) -> str | None:
    """The first name that stands more than once in `names` (for "used twice" configuration errors)."""
    return next((n for n in names if names.count(n) > 1), None)

Level = Literal["error", "warn", "info", "off"]

BUILTIN_CODES: Final[frozenset[str]] = frozenset({
    "REQUIRED_MISSING", "PHONE_MISSING", "PHONE_INVALID", "ADDR_INCOMPLETE", "ADDR_UNKNOWN", "ADDR_MISMATCH",
    "POSTCODE_INVALID", "RURAL_NO_PHONE", "AMOUNT_INVALID", "DATE_INVALID", "DUP_CHANNEL_ORDER",
    "DUP_ORDER_ID", "CONFLICT", "TRACKING_CHANGED",
})  # fmt: skip
"""Codes of the built-in rules and of the other steps' anomalies: a custom rule may not reuse one."""

ADDRESS_LEVELS: Final = ("province", "city", "district", "address")
CN_NAMES: Final[frozenset[str]] = frozenset(
    {"cn", "chn", "china", "prc", "中国", "中华人民共和国", "中国大陆", "大陆", "people's republic of china"}
)
"""What a `country` cell holds for China (compared case-folded)."""
_CODE: Final = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*")


def _off(value: Any) -> Any:
    """YAML 1.1 reads `off` as false: take it, and a rule written as just `off`, as level off."""
    if value is False:
        return "off"
    return value


LevelField = Annotated[Level, BeforeValidator(_off)]


class Rule(BaseModel):
    """A built-in rule: its level, and `unless`, a condition (condition language) exempting the rows where it
    holds, e.g. `unless: "channel = '门店POS'"` for orders handed over in a shop."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    level: LevelField = "error"
    unless: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return {"level": "off"} if value is False or value == "off" else value


class RequiredRule(Rule):
    """REQUIRED_MISSING for each listed field left empty (a field whose column the sheet lacks is skipped)."""

    fields: list[str] = ["customer_name", "phone", "address"]

    @model_validator(mode="before")
    @classmethod
    def _as_list(cls, value: Any) -> Any:
        return {"fields": value} if isinstance(value, list) else value

    @field_validator("fields")
    @classmethod
    def _canonical(cls, value: list[str]) -> list[str]:
        for name in value:
            if name not in FIELDS:
                raise Worded("v.field", value=name, fields=", ".join(FIELDS))
        return list(dict.fromkeys(value))


class PhoneRule(Rule):
    """PHONE_MISSING and PHONE_INVALID; the row's country (column `country_field`, empty = `default_country`)
    picks Chinese rules or the `phonenumbers` metadata of that country. The address rules use the same country."""

    country_field: str = "country"
    default_country: str = "CN"

    @field_validator("country_field")
    @classmethod
    def _canonical(cls, value: str) -> str:
        if value not in FIELDS:
            raise Worded("v.field", value=value, fields=", ".join(FIELDS))
        return value


class AddressRule(Rule):
    """ADDR_INCOMPLETE / ADDR_UNKNOWN / ADDR_MISMATCH against the 民政部 divisions, for rows in China."""

    country: Literal["CN"] = "CN"
    require: list[Literal["province", "city", "district", "address"]] = list(ADDRESS_LEVELS)
    min_detail: int = Field(default=4, ge=0)


class PostcodeRule(Rule):
    """POSTCODE_INVALID: not 6 digits at `level`; a prefix of another province at `province_level`
    (China Post has exceptions, so it is never worse than a warning)."""

    province_level: LevelField = "warn"


class DatesRule(Rule):
    """DATE_INVALID: not a date, paid_at before created_at, later than now + `future_tolerance`."""

    future_tolerance: dt.timedelta = dt.timedelta(minutes=10)
    fields: list[str] = ["created_at", "paid_at"]
    """The date-times checked; shipped_at and delivered_at may be added (their times come from carriers' clocks)."""

    @field_validator("future_tolerance", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        if isinstance(value, str):
            from sheetsync.config import parse_duration  # config will import this module: import at call time

            return parse_duration(value)
        return value

    @field_validator("fields")
    @classmethod
    def _datetimes(cls, value: list[str]) -> list[str]:
        for name in value:
            if name not in DATETIME_FIELDS:
                raise Worded("v.datetime_field", value=name, fields=", ".join(sorted(DATETIME_FIELDS)))
        return list(dict.fromkeys(value))


class RuralRule(Rule):
    """RURAL_NO_PHONE: a village address (村, 组, 屯) with no usable phone."""

    level: LevelField = "warn"


class CustomRule(BaseModel):
    """A condition (the condition language of sheetsync.conditions) and what to write where it holds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    when: str
    code: str
    message: str | dict[Literal["zh", "en"], str]
    level: LevelField = "warn"
    column: str | None = None

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if not _CODE.fullmatch(value):
            raise Worded("v.code", value=value)
        if value in BUILTIN_CODES:
            raise Worded("v.builtin_code", value=value)
        return value

    @field_validator("message")
    @classmethod
    def _both(cls, value: str | dict[str, str]) -> str | dict[str, str]:
        if isinstance(value, dict) and set(value) != {"zh", "en"}:
            raise Worded("v.message_both")
        if any("; " in text for text in ([value] if isinstance(value, str) else value.values())):
            raise Worded("v.message_semicolon")
        return value

    @field_validator("column")
    @classmethod
    def _canonical(cls, value: str | None) -> str | None:
        if value is not None and value not in FIELDS:
            raise Worded("v.field", value=value, fields=", ".join(FIELDS))
        return value


class RulesConfig(BaseModel):
    """The `rules:` mapping; every built-in rule runs at its default level unless set otherwise."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    required: RequiredRule = RequiredRule()
    phone: PhoneRule = PhoneRule()
    address: AddressRule = AddressRule()
    postcode: PostcodeRule = PostcodeRule()
    amounts: Rule = Rule()
    dates: DatesRule = DatesRule()
    rural: RuralRule = RuralRule()
    duplicates: Rule = Rule()
    custom: list[CustomRule] = []

    @field_validator("custom")
    @classmethod
    def _unique_names(cls, value: list[CustomRule]) -> list[CustomRule]:
        dup = first_repeated([rule.name for rule in value])
        if dup:
            raise Worded("v.dup_rule", name=dup)
        return value
