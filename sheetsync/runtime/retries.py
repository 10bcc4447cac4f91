"""How the tool tries a service again (the Google Sheets API, the shops' APIs): a call that raises `Transient` is
tried again after what the service asked (`Retry-After`), else exponential backoff with full jitter, so that many
desks failing together do not come back together."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from typing import TypeVar

T = TypeVar("T")


class Transient(Exception):
    """A fault worth another try: its words, and how long the service asked to wait (Retry-After)."""

    def __init__(self, said: str, retry_after: float | None = None) -> None:
        super().__init__(said)
        self.retry_after = retry_after


def retried(once: Callable[[], T], *, attempts: int, sleep: Callable[[float], None],
            said: Callable[[BaseException | None, int], None]) -> T:
    """`once()`'s answer, tried up to `attempts` times while it raises `Transient` (the last one is raised); `said(fault,
    attempt)` before each wait (the caller's log line), `sleep` the wait itself (a test's clock)."""
    from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

    def wait(state: RetryCallState) -> float:
        fault = state.outcome.exception() if state.outcome is not None else None
        given = fault.retry_after if isinstance(fault, Transient) else None
        return given if given is not None else backoff(state.attempt_number)

    def before_sleep(state: RetryCallState) -> None:
        said(state.outcome.exception() if state.outcome is not None else None, state.attempt_number)

    for attempt in Retrying(stop=stop_after_attempt(attempts), wait=wait, sleep=sleep, reraise=True,
                            retry=retry_if_exception_type(Transient), before_sleep=before_sleep):
        with attempt:
            return once()
    raise AssertionError("unreachable")  # pragma: no cover


def retry_after(headers: Mapping[str, str]) -> float | None:
    """The seconds a `Retry-After` header asks for (at most a minute), None when there is none or it is a date."""
    value = headers.get("Retry-After")
    try:
        return min(float(value), 60.0) if value is not None else None
    except ValueError:
        return None


def backoff(attempt: int) -> float:
    """Exponential backoff with full jitter: up to 0.5, 1, 2, 4 ... seconds."""
    return random.uniform(0, 0.5 * 2 ** (attempt - 1))
