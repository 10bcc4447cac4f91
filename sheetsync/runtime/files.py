"""Files on disk: their content hash, making a rename durable, and writing a file whole or not at all."""

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


def write_whole(path: Path, text: str) -> None:
    """Write `text` to `path` so that a kill at any moment leaves the old file or the new one, never a part of it:
    beside it first (`.NAME.part`), synced, then renamed over it.  A `.part` a killed writer left is overwritten."""
    part = path.with_name(f".{path.name}.part")
    with part.open("w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(part, path)
    fsync_dir(path.parent)


def copy_whole(source: Path, target: Path) -> None:
    """`source` copied to `target` whole or not at all (a backup that exists is a complete one)."""
    import shutil

    part = target.with_name(f".{target.name}.part")
    shutil.copy2(source, part)
    with part.open("rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(part, target)


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


def shown_path(path: str | Path, base: Path) -> str:
    """`path` as a person finds it from the desk's folder: relative to `base` when it lies under it."""
    try:
        return str(Path(path).resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)
