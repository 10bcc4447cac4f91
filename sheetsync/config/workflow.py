"""What a workflow file may say: pydantic models, unknown keys refused (the loader points errors into the file).

A workflow file is YAML, shipped as presets in `templates/workflows/` and copied by teams:

    states:       [{name, color, entry, final, requires, sla, notify}]
    transitions:  [{from, to, when, auto, requires, set, notify}]
    sla:          {warn: 75%, breach: 100%, critical, promise, notify, colors}
    approval:     {state, tiers: [{name, when, up_to, signatures, signers | roles}]}
    routing:      [{name, when, set}]
    locks:        {from, fields}
    checks:       [{code, when, states, hold, level, message, notify}]
    lookups:      {customers: {sheet, key, credit_limit, outstanding}, inventory: {sheet, key, on_hand}}
    queue:        {group_by}

`AlertTarget` is the model of one entry of `alerts:` in sheetsync.yaml.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sheetsync.i18n import Worded
from sheetsync.model.states import STATE_KEYS
from sheetsync.model.tickets import TICKET_STATE_KEYS

PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")
COLOUR = re.compile(r"^[0-9A-Fa-f]{6}$")
LEVELS = ("warn", "breach", "critical")
"""SLA levels above ok, in rising order."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _duration(text: str) -> None:
    """Raise ValueError unless `text` is a duration like 30m, 2h or 1d (imported here: config imports this module)."""
    from sheetsync.config import parse_duration

    parse_duration(text)


def _threshold(value: str | None) -> str | None:
    """`75%` or a duration (`30m`, `2h`, `1d`); anything else raises ValueError."""
    if value is None or PERCENT.match(str(value)):
        return value
    _duration(str(value))
    return str(value)


def _colour(value: str | None) -> str | None:
    if value is not None and not COLOUR.match(value):
        raise Worded("v.colour", value=value)
    return value.upper() if value else value


def _names(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


class SlaSpec(_Model):
    """A state's SLA: a `limit` (levels as percentages of it) or levels as durations.

    `since: created` measures from created_at instead of from entering the state; `when` limits
    the SLA to rows where the condition holds (e.g. `shipped_at IS NULL`: no first carrier scan)."""

    limit: str | None = None
    warn: str | None = None
    breach: str | None = None
    critical: str | None = None
    since: Literal["state", "created"] = "state"
    when: str | None = None

    @field_validator("limit")
    @classmethod
    def _limit(cls, value: str | None) -> str | None:
        if value is not None:
            _duration(value)
        return value

    @field_validator("warn", "breach", "critical")
    @classmethod
    def _level(cls, value: str | None) -> str | None:
        return _threshold(value)

    @model_validator(mode="after")
    def _percent_needs_limit(self) -> SlaSpec:
        for level in LEVELS:
            value = getattr(self, level)
            if value is not None and PERCENT.match(value) and self.limit is None:
                raise ValueError(f"{level}: a percentage needs limit: (e.g. limit: 2h, {level}: {value})")
        return self


class StateSpec(_Model):
    name: str = Field(min_length=1)
    color: str | None = None
    entry: bool | None = None
    final: bool = False
    requires: list[str] = []
    sla: str | SlaSpec | None = None
    notify: dict[Literal["warn", "breach", "critical"], str] = {}
    keys: list[str] = []
    """The canonical state keys this state stands for (`model/states.py`): a shop's `paid` lands here."""

    @field_validator("keys")
    @classmethod
    def _known_keys(cls, value: list[str]) -> list[str]:
        known = (*STATE_KEYS, *TICKET_STATE_KEYS)  # an order's or an after-sales ticket's
        unknown = [k for k in value if k not in known]
        if unknown:
            raise ValueError(f"'{unknown[0]}' is not a state key (the keys are: {', '.join(known)})")
        return value

    @field_validator("color")
    @classmethod
    def _fill(cls, value: str | None) -> str | None:
        return _colour(value)

    @field_validator("sla")
    @classmethod
    def _sla(cls, value: str | SlaSpec | None) -> str | SlaSpec | None:
        if isinstance(value, str):
            _duration(value)
        return value

    def sla_spec(self) -> SlaSpec | None:
        """A bare duration is the limit (levels from the workflow's percentages)."""
        return SlaSpec(limit=self.sla) if isinstance(self.sla, str) else self.sla


class TransitionSpec(_Model):
    """A move from one of `from` (a name, a list, or `*` for every open state) to `to`.

    `auto`: sheetsync moves the row when `when` holds; otherwise only a person does, and `when`
    (if given) must hold for the person's move to stand."""

    from_: list[str] = Field(alias="from")
    to: str
    when: str | None = None
    auto: bool = False
    requires: list[str] = []
    set: dict[str, str] = {}
    notify: str | None = None
    name: str | None = None

    @field_validator("from_", mode="before")
    @classmethod
    def _one_or_many(cls, value: str | list[str]) -> list[str]:
        return _names(value)


class SlaDefaults(_Model):
    """Workflow-wide SLA settings: the default levels as percentages of a state's limit, whether
    promised_by counts too, who is told at which level, and the fill of each level."""

    warn: str | None = "75%"
    breach: str | None = "100%"
    critical: str | None = None
    promise: bool = True
    notify: dict[Literal["warn", "breach", "critical"], str] = {}
    colors: dict[Literal["ok", "warn", "breach", "critical"], str] = {}

    @field_validator("warn", "breach", "critical")
    @classmethod
    def _percent(cls, value: str | None) -> str | None:
        if value is not None and not PERCENT.match(value):
            raise ValueError(f"'{value}' is not a percentage like 75%")
        return value

    @field_validator("colors")
    @classmethod
    def _colours(cls, value: dict[str, str]) -> dict[str, str]:
        return {k: _colour(v) or v for k, v in value.items()}


class TierSpec(_Model):
    """An approval tier; the first whose `when` and `up_to` (amount_payable <= up_to) hold applies.

    `signers`: names whose signature counts; `roles`: role -> names, where each role counts once
    (two signatures from roles = two different roles)."""

    name: str = Field(min_length=1)
    when: str | None = None
    up_to: Decimal | None = None
    signatures: int = Field(default=0, ge=0, le=10)
    signers: list[str] = []
    roles: dict[str, list[str]] = {}

    @model_validator(mode="after")
    def _enough_signers(self) -> TierSpec:
        if self.signers and self.roles:
            raise ValueError("list signers: or roles:, not both")
        if self.signatures and not (self.signers or self.roles):
            raise ValueError(f"{self.signatures} signature(s) needed but no signers: or roles: listed")
        if self.roles and len(self.roles) < self.signatures:
            raise ValueError(f"{self.signatures} signatures from different roles, but only {len(self.roles)} role(s)")
        if self.signers and len(set(self.signers)) < self.signatures:
            raise ValueError(f"{self.signatures} signatures, but only {len(set(self.signers))} signer(s)")
        return self


class ApprovalSpec(_Model):
    """Orders in `state` leave it for an open state only with enough valid signatures."""

    state: str
    tiers: list[TierSpec] = Field(min_length=1)


class RouteSpec(_Model):
    name: str = Field(min_length=1)
    when: str | None = None
    set: dict[str, str] = Field(min_length=1)


class LockSpec(_Model):
    """From state `from` on (it and every state reachable from it), `fields` are read-only for people."""

    from_: str = Field(alias="from")
    fields: list[str] = ["province", "city", "district", "address"]


class CheckSpec(_Model):
    """A finding the workflow raises while `when` holds (in `states`, or every open state); `hold`
    keeps the order where it is."""

    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    when: str
    states: list[str] = []
    hold: bool = False
    level: Literal["error", "warn", "info"] = "warn"
    message: str | None = None
    column: str | None = None
    notify: str | None = None


class CustomersLookup(_Model):
    """A sheet of the same workbook with one row per customer: header text of each column."""

    sheet: str
    key: str
    credit_limit: str | None = None
    outstanding: str | None = None


class InventoryLookup(_Model):
    """A sheet of the same workbook with one row per SKU: header text of each column."""

    sheet: str
    key: str
    on_hand: str


class Lookups(_Model):
    customers: CustomersLookup | None = None
    inventory: InventoryLookup | None = None


class QueueSpec(_Model):
    group_by: str = "warehouse"


class WorkflowFile(_Model):
    """One workflow file, as written."""

    name: str | None = None
    states: list[StateSpec] = Field(min_length=1)
    transitions: list[TransitionSpec] = []
    sla: SlaDefaults = SlaDefaults()
    approval: ApprovalSpec | None = None
    routing: list[RouteSpec] = []
    locks: LockSpec | None = None
    checks: list[CheckSpec] = []
    lookups: Lookups = Lookups()
    queue: QueueSpec = QueueSpec()


class AlertTarget(_Model):
    """One entry of `alerts:` in sheetsync.yaml: where alerts go; URL and secret come from the environment."""

    name: str = Field(min_length=1)
    kind: Literal["wecom", "dingtalk", "webhook"]
    url_env: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    secret_env: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
