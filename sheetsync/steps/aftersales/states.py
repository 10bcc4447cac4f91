"""What a ticket's status means: the state keys of the after-sales sheet, and the desk's words for them (its tickets'
workflow's states, else the shipped presets' words)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from sheetsync.config import normalize_header
from sheetsync.model.tickets import TICKET_STATE_KEYS, TICKET_WORDS
from sheetsync.steps.workflow.compiled import Workflow

DEFAULT_WORDS: Final[dict[str, dict[str, str]]] = {
    "zh": {"requested": "待审核", "approved": "待退件", "awaiting_return": "待退件", "returning": "退件在途",
           "received": "已收货", "refunded": "已退款", "exchanged": "已换货", "resent": "已补发", "repaired": "已补发",
           "rejected": "已关闭", "closed": "已关闭"},
    "en": {"requested": "To review", "approved": "Awaiting return", "awaiting_return": "Awaiting return",
           "returning": "Return in transit", "received": "Received", "refunded": "Refunded", "exchanged": "Exchanged",
           "resent": "Resent", "repaired": "Resent", "rejected": "Closed", "closed": "Closed"},
}
"""The words of the ticket states on a desk whose tickets have no workflow (those of the shipped presets)."""
_WORDS = {normalize_header(word): key for word, key in TICKET_WORDS.items()}


def state_word(workflow: Workflow | None, lang: str) -> Callable[[str], str | None]:
    """The desk's word for a ticket state key: its workflow's state, else the shipped preset's word."""
    defaults = DEFAULT_WORDS["en" if lang == "en" else "zh"]
    if workflow is None:
        return defaults.get
    return lambda key: workflow.word_for(key)


def key_of(workflow: Workflow | None, word: object) -> str | None:
    """The ticket state key a status cell means (the state's first key; else what the word most likely means)."""
    if not isinstance(word, str):
        return None
    state = workflow.state(word) if workflow is not None else None
    if state is not None:
        return state.keys[0] if state.keys else None
    return word if word in TICKET_STATE_KEYS else _WORDS.get(normalize_header(word))
