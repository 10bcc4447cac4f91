"""What the workflow needs from the journal, as data for the pure step, and the two tables that hold it.

`WorkflowHistory` is read from the journal before `advance`; `WorkflowJournal` is the small
interface the `unlock` command and the sync write through.  `DbWorkflowJournal` implements it on
the journal's connection with the tables in `SCHEMA_SQL` (journal schema version 5).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Final, Protocol

from sheetsync.journal.db import Db
from sheetsync.model.records import Unlock

if TYPE_CHECKING:
    import pandas as pd

SCHEMA_SQL: Final = """
CREATE TABLE IF NOT EXISTS unlocks (      -- sheetsync unlock ORDER_ID --by NAME --reason TEXT
    id INTEGER PRIMARY KEY,
    order_id TEXT NOT NULL,
    unlocked_by TEXT NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL,
    run_id INTEGER,                       -- the unlock command's run
    used_run INTEGER                      -- the sync that kept a person's change under it; NULL: still open
);
CREATE INDEX IF NOT EXISTS unlocks_open ON unlocks(used_run, order_id);
CREATE TABLE IF NOT EXISTS alerts_sent (  -- one alert per order, level and state
    order_id TEXT NOT NULL,
    level TEXT NOT NULL,
    state TEXT NOT NULL,
    target TEXT NOT NULL,
    run_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (order_id, level, state)
);
"""


class WorkflowJournal(Protocol):
    """What the workflow reads from and writes to the journal."""

    def add_unlock(self, order_id: str, by: str, reason: str, at: dt.datetime, run_id: int | None) -> int: ...
    def open_unlocks(self) -> dict[str, Unlock]: ...
    def use_unlocks(self, order_ids: Iterable[str], run_id: int) -> None: ...
    def alerts_sent(self) -> set[tuple[str, str, str]]: ...
    def record_alerts(self, sent: Iterable[tuple[str, str, str, str]], run_id: int, at: dt.datetime) -> None: ...


class DbWorkflowJournal:
    """`WorkflowJournal` on the journal's connection (autocommit: each call is its own transaction)."""

    def __init__(self, db: Db) -> None:
        self.db = db

    def add_unlock(self, order_id: str, by: str, reason: str, at: dt.datetime, run_id: int | None) -> int:
        return self.db.insert_id("INSERT INTO unlocks(order_id, unlocked_by, reason, at, run_id) VALUES (?, ?, ?, ?, ?)",
                                 (order_id, by, reason, at.isoformat(sep=" ", timespec="seconds"), run_id))

    def earlier_orders(self) -> pd.DataFrame:
        """Orders deleted from the sheet (order_id, customer_id, phone, created_at as canonical text): a
        customer with one of them is not a first-time customer."""
        db = self.db
        found = db.frame(f"SELECT order_id, {db.json_text('vals', 'customer_id')} AS customer_id,"
                         f" {db.json_text('vals', 'phone')} AS phone, {db.json_text('vals', 'created_at')} AS created_at"
                         " FROM deleted")
        columns = ["order_id", "customer_id", "phone", "created_at"]
        if not len(found):
            found = found.reindex(columns=columns)
        return found[columns].astype("str")

    def open_unlocks(self) -> dict[str, Unlock]:
        # an unlock counts once its run is done: one whose run died before it finished is no unlock (recovery drops it)
        rows = self.db.execute("SELECT order_id, unlocked_by, reason, id FROM unlocks WHERE used_run IS NULL AND"
                               " (run_id IS NULL OR run_id IN (SELECT id FROM runs WHERE state='done')) ORDER BY id"
                               ).fetchall()
        return {row[0]: Unlock(*row) for row in rows}

    def use_unlocks(self, order_ids: Iterable[str], run_id: int) -> None:
        self.db.executemany("UPDATE unlocks SET used_run=? WHERE order_id=? AND used_run IS NULL",
                            ((run_id, oid) for oid in order_ids))

    def alerts_sent(self) -> set[tuple[str, str, str]]:
        return {(o, lv, s) for o, lv, s in self.db.execute("SELECT order_id, level, state FROM alerts_sent")}

    def record_alerts(self, sent: Iterable[tuple[str, str, str, str]], run_id: int, at: dt.datetime) -> None:
        """`sent`: (order_id, level, state, target) of delivered alerts."""
        stamp = at.isoformat(sep=" ", timespec="seconds")
        self.db.executemany("INSERT INTO alerts_sent(order_id, level, state, target, run_id, at) VALUES (?, ?, ?, ?, ?, ?)"
                            " ON CONFLICT DO NOTHING",
                            ((o, lv, s, target, run_id, stamp) for o, lv, s, target in sent))
