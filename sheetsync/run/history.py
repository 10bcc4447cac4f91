"""`sheetsync history ORDER_ID`: every recorded change of one order, from the journal alone.

Loads no pandas and no pipeline: the console answers it on its quick path (`cli/quick.py`), in a fraction of a second
on a desk of a million rows (the journal's index finds the order's changes).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import replace

from sheetsync.config import Config
from sheetsync.journal.history import changes_of
from sheetsync.journal.open import current_db, open_journal
from sheetsync.model.records import HistoryEntry


def history(config: Config, order_id: str) -> list[HistoryEntry]:
    """Every recorded change of one order, oldest first; each time with the desk's UTC offset when the desk names
    its time zone (`2026-12-06T10:00:00+08:00`): runs are recorded in the desk's local time."""
    entries = _read(config, order_id)
    zone = config.tz
    if zone is None:
        return entries
    return [replace(e, at=_zoned(e.at, zone)) for e in entries]


def _zoned(at: str, zone: dt.tzinfo) -> str:
    try:
        moment = dt.datetime.fromisoformat(at)
    except ValueError:
        return at
    return moment.isoformat(timespec="seconds") if moment.tzinfo else moment.replace(tzinfo=zone).isoformat(timespec="seconds")


def _read(config: Config, order_id: str) -> list[HistoryEntry]:
    """A SQLite journal at this version is read through its connection alone; any other (in PostgreSQL, whose schema
    must first be checked against the desk's table; to be migrated; damaged) through the journal itself, which says
    what is wrong."""
    if config.journal_in_postgres is None:
        if not config.journal_path.exists():
            return []
        with current_db(config) as db:
            if db is not None:
                try:
                    return changes_of(db, order_id)
                except sqlite3.DatabaseError:
                    pass
    with open_journal(config) as journal:
        return journal.history(order_id)
