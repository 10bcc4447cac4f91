"""The canonical order states: what a shop, a carrier or a team means by a status, whatever its words.

A channel mapping says what a shop's status means as one of these keys (`待发货: paid`); a workflow's
states say which keys each of them stands for (`待确认` is pending or paid, `异常关闭` is cancelled,
refunded or closed); a team's own words say the same in `sheetsync.yaml` (`statuses: {待发货: paid}`).
So one mapping serves every desk: the key is resolved to the desk's own word when the news arrives.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Final

STATE_KEYS: Final = ("pending", "paid", "review", "preparing", "shipped", "delivered", "completed", "cancelled",
                     "refunding", "refunded", "closed")
"""pending: placed, not paid or not confirmed; paid: paid, waiting to be handled; review: being checked or approved;
preparing: picked and packed; shipped: handed to a carrier; delivered: signed for; completed: done (the shop's
closing of a delivered order); cancelled: called off before shipping; refunding: a refund under way; refunded: the
money returned; closed: ended for another reason."""

FALLBACK: Final[dict[str, tuple[str, ...]]] = {
    "pending": ("pending",),
    "paid": ("paid", "pending"),
    "review": ("review", "paid", "pending"),
    "preparing": ("preparing", "paid", "review"),
    "shipped": ("shipped",),
    "delivered": ("delivered", "completed"),
    "completed": ("completed", "delivered"),
    "cancelled": ("cancelled", "closed", "refunded"),
    "refunding": ("refunding", "refunded", "cancelled", "closed"),
    "refunded": ("refunded", "cancelled", "closed"),
    "closed": ("closed", "cancelled"),
}
"""Where a key lands on a desk that has no state for it: the nearest state that has one of these keys."""

CLOSING: Final = frozenset({"cancelled", "refunding", "refunded", "closed"})
"""News of these always lands, from any open state: a cancelled order must never be shipped."""
DONE: Final = frozenset({"delivered", "completed"})
MONEY_BACK: Final = frozenset({"refunding", "refunded"})
"""News of these lands on a delivered (DONE) order too, though its state is final: after-sales reopens it."""

WORDS: Final[dict[str, str]] = {
    **dict.fromkeys(("待付款", "待支付", "未付款", "待确认", "新订单", "待处理", "待审核", "pending", "unpaid", "new", "on hold",
                     "awaiting payment", "open"), "pending"),
    **dict.fromkeys(("已付款", "已支付", "待发货", "待出库", "已确认", "paid", "processing", "to ship", "unfulfilled",
                     "awaiting shipment"), "paid"),
    **dict.fromkeys(("审核中", "审批中", "复核中", "in review", "review", "approval"), "review"),
    **dict.fromkeys(("备货中", "配货中", "拣货中", "打包中", "已打单", "已分仓", "待揽收", "picking", "packing", "packed",
                     "preparing", "ready to ship"), "preparing"),
    **dict.fromkeys(("已发货", "运输中", "配送中", "派送中", "发货", "shipped", "in transit", "fulfilled", "dispatched"),
                    "shipped"),
    **dict.fromkeys(("已签收", "已收货", "已送达", "签收", "delivered", "received"), "delivered"),
    **dict.fromkeys(("已完成", "完成", "交易成功", "已结束", "done", "completed", "complete", "finished"), "completed"),
    **dict.fromkeys(("已取消", "取消", "已作废", "作废", "cancelled", "canceled", "voided", "void"), "cancelled"),
    **dict.fromkeys(("退款中", "售后中", "退货中", "申请退款", "refunding", "refund requested", "returning"), "refunding"),
    **dict.fromkeys(("已退款", "退款成功", "已退货", "refunded", "returned"), "refunded"),
    **dict.fromkeys(("已关闭", "关闭", "异常关闭", "交易关闭", "closed", "failed"), "closed"),
}
"""A team's status word -> the key it most likely means (`init --from` guesses a desk's map with it)."""


def key_of_word(word: str) -> str | None:
    """The key a status word most likely means (`待发货` -> paid), None when it says nothing known."""
    text = " ".join(str(word).split()).casefold()
    return text if text in STATE_KEYS else WORDS.get(text)


def resolve(key: str, word_of: Callable[[str], str | None]) -> str | None:
    """The desk's word for `key`: its own state of the key, else of the nearest key (`FALLBACK`); None when the
    desk has none of them."""
    for candidate in FALLBACK.get(key, (key,)):
        found = word_of(candidate)
        if found is not None:
            return found
    return None


def words_by_key(pairs: Iterable[tuple[str, Iterable[str]]]) -> dict[str, str]:
    """key -> the first word (state) that stands for it, of (word, its keys) pairs in order."""
    out: dict[str, str] = {}
    for word, keys in pairs:
        for key in keys:
            out.setdefault(key, word)
    return out


def nearest(key: str, own: Mapping[str, str]) -> str | None:
    """The word (`own`: key -> word) of the open state nearest after `key` (a shop's `pending` on a desk whose first
    word means paid), else nearest before; None for a closing key (its `FALLBACK` says where it goes) or no open word."""
    if key in CLOSING:
        return None
    order = [k for k in STATE_KEYS if k not in CLOSING]
    at = order.index(key)
    for candidate in [*order[at + 1:], *reversed(order[:at])]:
        if candidate in own:
            return own[candidate]
    return None


def team_word(word: str, statuses: Mapping[str, str]) -> str | None:
    """The team's own word (`statuses`: word -> key) for a status word of another vocabulary (a preset state's
    `备货中`), by the key it means; None when it means nothing known."""
    key = key_of_word(word)
    if key is None:
        return None
    own = words_by_key((w, [k]) for w, k in statuses.items())
    return resolve(key, own.get) or nearest(key, own)
