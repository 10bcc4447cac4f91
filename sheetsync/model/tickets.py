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
TICKET_MONEY: Final = frozenset(f for f, (k, _) in TICKET_FIELDS.items() if k is Kind.MONEY)
TICKET_DATETIMES: Final = frozenset(f for f, (k, _) in TICKET_FIELDS.items() if k is Kind.DATETIME)
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


TICKET_STATE_KEYS: Final = ("requested", "approved", "awaiting_return", "returning", "received", "refunded", "exchanged",
                            "resent", "repaired", "rejected", "closed")
"""What a shop's or a team's after-sales status means, whatever its words: requested (asked, not yet handled), approved
(agreed, nothing to send back), awaiting_return (the customer is to send the goods back), returning (sent back, on its
way), received (back in the warehouse), refunded, exchanged, resent, repaired (done), rejected (refused), closed
(ended otherwise: withdrawn by the customer, timed out)."""

TICKET_WORDS: Final[dict[str, str]] = {
    **dict.fromkeys(("待审核", "待处理", "待商家处理", "待卖家处理", "申请中", "买家已申请", "待商家同意", "requested", "open",
                     "pending"), "requested"),
    **dict.fromkeys(("已同意", "同意退款", "待退款", "商家已同意", "approved"), "approved"),
    **dict.fromkeys(("待退件", "待买家退货", "等待买家退货", "待寄回", "awaiting return"), "awaiting_return"),
    **dict.fromkeys(("退件在途", "买家已退货", "待商家收货", "退货中", "returning", "in transit"), "returning"),
    **dict.fromkeys(("已收货", "商家已收货", "已收到退货", "received"), "received"),
    **dict.fromkeys(("已退款", "退款成功", "退款完成", "refunded"), "refunded"),
    **dict.fromkeys(("已换货", "换货成功", "exchanged"), "exchanged"),
    **dict.fromkeys(("已补发", "补发成功", "resent"), "resent"),
    **dict.fromkeys(("已维修", "维修完成", "repaired"), "repaired"),
    **dict.fromkeys(("已拒绝", "商家拒绝", "拒绝退款", "rejected", "refused"), "rejected"),
    **dict.fromkeys(("已关闭", "售后关闭", "退款关闭", "已撤销", "买家撤销", "closed", "cancelled", "withdrawn"), "closed"),
}
"""A shop's or a team's after-sales status word -> the key it most likely means."""

ORDER_FOLLOWS: Final[dict[str, str]] = {
    "requested": "refunding", "approved": "refunding", "awaiting_return": "refunding", "returning": "refunding",
    "received": "refunding", "refunded": "refunded",
}
"""The order state key a return or refund ticket entering a state of each key gives its order (an event: 退款中 while
the refund is open, 已退款 once it is paid); exchanges, resends and repairs leave their order's status alone, and so
does a ticket refused or withdrawn (the order stays where the desk put it)."""
MONEY_BACK: Final = frozenset({"return", "refund"})
"""The kinds of ticket (`TICKET_KINDS` keys) that give money back: only these move their order's status."""


def kind_words(lang: Lang) -> list[str]:
    return [words[lang] for words in TICKET_KINDS.values()]
