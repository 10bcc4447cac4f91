"""The time zone a new desk is written with (`sheetsync init`, `init --from`)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sheetsync.i18n import Lang

LANG_ZONES: Final = {"zh": "Asia/Shanghai"}
"""The time zone of a desk in this language, when this machine's own is UTC or unknown (a server)."""


def desk_zone(lang: Lang) -> str:
    """The time zone a new desk is written with: this machine's, unless it is UTC or unknown (a server),
    then the language's (Asia/Shanghai for zh), else UTC: a desk always names its zone."""
    zone = machine_zone()
    if zone is not None and zone not in ("UTC", "Etc/UTC", "Etc/Universal", "Universal", "Zulu", "GMT", "Etc/GMT"):
        return zone
    return LANG_ZONES.get(lang, zone or "UTC")


def machine_zone() -> str | None:
    """This machine's IANA time zone name (`TZ`, `/etc/localtime`'s link, `/etc/timezone`), None when unknown."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError):
        link = os.readlink("/etc/localtime")
        candidates.append(link.split("zoneinfo/", 1)[1] if "zoneinfo/" in link else "")
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    for name in candidates:
        if name:
            try:
                ZoneInfo(name)
            except (ValueError, ZoneInfoNotFoundError):
                continue
            return name
    return None
