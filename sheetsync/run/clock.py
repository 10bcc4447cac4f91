"""The run's clock: steps are given `now`; only the edge reads the time."""

from __future__ import annotations

import datetime as dt

from sheetsync.errors import ConfigError


def parse_now(text: str | None, tz: dt.tzinfo | None = None) -> dt.datetime:
    """The run's clock, as naive local time of the desk (`tz`, else this machine): `--now` (ISO 8601;
    a time with an offset is turned into local time) or the time now."""
    if text is None:
        return dt.datetime.now(tz).replace(microsecond=0, tzinfo=None)
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"--now: '{text}' is not an ISO 8601 time (2026-11-23T09:30)") from None
    return value.astimezone(tz).replace(tzinfo=None) if value.tzinfo else value
