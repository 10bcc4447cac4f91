"""Files on disk: their content hash, and making a rename durable."""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import os
from pathlib import Path


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fsync_dir(folder: Path) -> None:
    """Make the rename durable; Windows has no directory handles to sync."""
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def matching(pattern: str, base: Path) -> list[Path]:
    """The paths `pattern` names, in name order: a glob (`*`, `?`, `[...]`, `**`) or a plain path, relative to
    `base` or absolute; none when nothing matches (an empty inbox is the usual state of a cron desk)."""
    absolute = Path(pattern).expanduser()
    if absolute.is_absolute():
        return sorted(Path(p) for p in glob.glob(str(absolute), recursive=True))
    return sorted(base / p for p in glob.glob(pattern, root_dir=base, recursive=True))


def file_stamp(tz: dt.tzinfo | None) -> str:
    """The time in the names of the files a run leaves (backups, rejects): the wall clock in the desk's zone
    (`timezone:`; this machine's without one), to the microsecond, so that names sort in the order made."""
    return dt.datetime.now(tz).strftime("%Y%m%dT%H%M%S%f")
