"""How the tool waits before trying a service again (the Google Sheets API, the shops' APIs): what the service asked
(`Retry-After`), else exponential backoff with full jitter, so that many desks failing together do not come back
together."""

from __future__ import annotations

import random
from collections.abc import Mapping


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
