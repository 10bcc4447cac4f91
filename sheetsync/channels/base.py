"""Channels: where orders (and waybills) come from.  A small interface and a plain registry.

A channel kind knows how to fetch; a mapping knows how the source names things.  A pull
returns canonical records (one per order, canonical text), the rows it could not take,
and an account of every input file, so that nothing read is ever unaccounted for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import pandas as pd

from sheetsync.channels.apply import Reject
from sheetsync.channels.mapping import Mapping
from sheetsync.config import ChannelConfig


@dataclass(slots=True)
class FileAccount:
    """One input file: rows read = new + updated + unchanged + rejected (lines, the header not counted)."""

    path: str
    channel: str
    sha256: str
    rows_read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    skipped: str | None = None
    error: str | None = None
    seen: bool = False
    """Skipped because a file of the same content was taken before (here or under another name)."""


@dataclass(slots=True)
class Foreheard:
    """What an import asked the journal of its channel before the run (`importing/hearing.py`): the records it
    left out as no news before normalising them, and what it was told, so that the run asks no second time."""

    as_of: int
    """The journal's last run when it was asked: the run takes this only while no other run came after it."""
    known: pd.DataFrame | None
    """The channel's natural keys, all of them, as `Journal.said_keys` gives them (None: it was asked of a few
    only, and the run asks of those of the records it keeps)."""
    quiet: pd.Series
    """The order_ids of the records left out (index: their channel_order_id)."""


class HeardChanged(Exception):
    """A run came after an import asked the journal what its channel last said (`Foreheard`): what the import
    left out as no news may be news now, so it reads its files again without asking (`importing/importer.py`)."""


@dataclass(slots=True)
class Pulled:
    """What one channel brought in one run."""

    config: ChannelConfig
    mapping: Mapping
    label: str
    records: pd.DataFrame
    sources: dict[str, list[tuple[int, list[int]]]] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)
    files: list[FileAccount] = field(default_factory=list)
    former_labels: tuple[str, ...] = ()
    """Channel cells its orders carried before (the legacy import's label in either language)."""
    cursor: str | None = None
    """An API channel's new cursor (JSON): committed with the run that writes what it read, never before."""
    failure: str | None = None
    """Why an API channel brought nothing (its service failed after the retries): said, and the run exits 5 once
    the other channels' orders are written."""
    foreheard: Foreheard | None = None
    """An import's records already left out as no news, with what the journal said (`Foreheard`)."""

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def labels(self) -> tuple[str, ...]:
        return (self.label, *self.former_labels)

    @property
    def kind(self) -> str:
        return self.mapping.kind

    @property
    def match(self) -> list[str]:
        return list(self.mapping.match)


class Known(Protocol):
    """What the journal tells a channel (the run hands it the desk's journal): where an API channel has read up to,
    and the waybills still on their way (a carrier's tracking kind asks about those)."""

    def cursor(self, channel: str) -> str | None: ...

    def open_waybills(self) -> list[dict[str, str | None]]: ...


class Channel(Protocol):
    """A kind of channel: files in a folder, or (later) an HTTP API."""

    channel: ChannelConfig
    mapping: Mapping

    def waiting(self) -> int:
        """How many inputs are there to look at (files in the inbox), for `sheetsync check`."""
        ...

    def pull(self, seen: Callable[[str], str | None], now: dt.datetime, known: Known | None = None) -> Pulled:
        """Fetch what is new; `seen(sha256)` says whether a file's content was imported before, `known` what the
        journal knows (None: nothing, as for the legacy import's files)."""
        ...
