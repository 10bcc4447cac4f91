"""The canonical fields of the order table: their names, types and owners (DESIGN.md, "The order table")."""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class Kind(StrEnum):
    """How a field's cells are read and compared."""

    TEXT = "text"
    MONEY = "money"
    DATETIME = "datetime"


class Owner(StrEnum):
    """Who writes a field: the journal's source of a change says which one did."""

    TOOL = "tool"
    CHANNEL = "channel"
    PERSON = "person"
    TOOL_PERSON = "tool+person"
    RULE_PERSON = "rule+person"
    LOGISTICS = "logistics"


FIELDS: Final[dict[str, tuple[Kind, Owner]]] = {
    "order_id": (Kind.TEXT, Owner.TOOL),
    "channel": (Kind.TEXT, Owner.CHANNEL),
    "channel_order_id": (Kind.TEXT, Owner.CHANNEL),
    "created_at": (Kind.DATETIME, Owner.CHANNEL),
    "paid_at": (Kind.DATETIME, Owner.CHANNEL),
    "customer_name": (Kind.TEXT, Owner.CHANNEL),
    "customer_id": (Kind.TEXT, Owner.CHANNEL),
    "phone": (Kind.TEXT, Owner.CHANNEL),
    "province": (Kind.TEXT, Owner.CHANNEL),
    "city": (Kind.TEXT, Owner.CHANNEL),
    "district": (Kind.TEXT, Owner.CHANNEL),
    "address": (Kind.TEXT, Owner.CHANNEL),
    "postcode": (Kind.TEXT, Owner.CHANNEL),
    "country": (Kind.TEXT, Owner.CHANNEL),
    "items": (Kind.TEXT, Owner.CHANNEL),
    "amount_payable": (Kind.MONEY, Owner.CHANNEL),
    "amount_paid": (Kind.MONEY, Owner.CHANNEL),
    "priority": (Kind.TEXT, Owner.PERSON),
    "status": (Kind.TEXT, Owner.TOOL_PERSON),
    "status_since": (Kind.DATETIME, Owner.TOOL_PERSON),
    "warehouse": (Kind.TEXT, Owner.RULE_PERSON),
    "approver": (Kind.TEXT, Owner.RULE_PERSON),
    "carrier": (Kind.TEXT, Owner.LOGISTICS),
    "tracking_no": (Kind.TEXT, Owner.LOGISTICS),
    "shipped_at": (Kind.DATETIME, Owner.LOGISTICS),
    "delivered_at": (Kind.DATETIME, Owner.LOGISTICS),
    "promised_by": (Kind.DATETIME, Owner.TOOL),
    "sla": (Kind.TEXT, Owner.TOOL),
    "anomalies": (Kind.TEXT, Owner.TOOL),
    "note": (Kind.TEXT, Owner.PERSON),
}

REQUIRED_COLUMNS: Final[tuple[str, ...]] = ("order_id",)
"""Columns a sheet must have for sheetsync to work at all; every other field is optional."""

MONEY_FIELDS: Final[frozenset[str]] = frozenset(f for f, (k, _) in FIELDS.items() if k is Kind.MONEY)
DATETIME_FIELDS: Final[frozenset[str]] = frozenset(f for f, (k, _) in FIELDS.items() if k is Kind.DATETIME)
