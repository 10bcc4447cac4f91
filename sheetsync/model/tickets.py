"""The canonical fields of the after-sales sheet (one row per ticket: a return, an exchange, a refund, a resend or a
repair, tied to its order), their types and owners, and the kinds of ticket in each language."""

from __future__ import annotations

from typing import Final

from sheetsync.i18n import Lang
from sheetsync.model.fields import Kind, Owner

TICKET_FIELDS: Final[dict[str, tuple[Kind, Owner]]] = {
    "ticket_id": (Kind.TEXT, Owner.TOOL),
    "order_id": (Kind.TEXT, Owner.CHANNEL),
    "channel": (Kind.TEXT, Owner.CHANNEL),
    "channel_ticket_id": (Kind.TEXT, Owner.CHANNEL),
    "channel_order_id": (Kind.TEXT, Owner.CHANNEL),
    "customer_name": (Kind.TEXT, Owner.TOOL),
    "created_at": (Kind.DATETIME, Owner.CHANNEL),
    "kind": (Kind.TEXT, Owner.CHANNEL),
    "reason": (Kind.TEXT, Owner.CHANNEL),
    "sub_reason": (Kind.TEXT, Owner.CHANNEL),
    "refund_amount": (Kind.MONEY, Owner.CHANNEL),
    "return_tracking_no": (Kind.TEXT, Owner.LOGISTICS),
    "photos": (Kind.TEXT, Owner.CHANNEL),
    "owner": (Kind.TEXT, Owner.RULE_PERSON),
    "status": (Kind.TEXT, Owner.TOOL_PERSON),
    "status_since": (Kind.DATETIME, Owner.TOOL_PERSON),
    "sla": (Kind.TEXT, Owner.TOOL),
    "anomalies": (Kind.TEXT, Owner.TOOL),
    "note": (Kind.TEXT, Owner.PERSON),
}
"""`customer_name`, `channel` and `channel_order_id` of a ticket a person typed are filled from its order."""

TICKET_REQUIRED: Final[tuple[str, ...]] = ("ticket_id", "order_id")
AFTERSALES_SHEETS: Final[dict[Lang, str]] = {"zh": "售后", "en": "After-sales"}
"""The after-sales sheet's name by the desk's language (`aftersales: {sheet: ...}` names another)."""

TICKET_KINDS: Final[dict[str, dict[Lang, str]]] = {
    "return": {"zh": "退货", "en": "Return"},
    "exchange": {"zh": "换货", "en": "Exchange"},
    "refund": {"zh": "仅退款", "en": "Refund only"},
    "resend": {"zh": "补发", "en": "Resend"},
    "repair": {"zh": "维修", "en": "Repair"},
}
"""The kind of a ticket by key, in the words a sheet of each language shows (the 类型 dropdown)."""


def kind_words(lang: Lang) -> list[str]:
    return [words[lang] for words in TICKET_KINDS.values()]
