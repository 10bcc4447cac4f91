"""One order's (or ticket's) recorded changes, read from the journal's connection alone.

No pandas: `sheetsync history` is answered from here before the pipeline's libraries are loaded (`run/history.py`).
Arrow is loaded only for an order a run created, whose values the run kept in its `creations` blocks.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sheetsync.journal.db import Db
from sheetsync.model.records import HistoryEntry


def changes_of(db: Db, order_id: str) -> list[HistoryEntry]:
    """Every change of an order, or of a ticket (`order_id` is then its ticket_id), in the order made."""
    rows: list[Any] = []
    for table, key in (("changes", "order_id"), ("ticket_changes", "ticket_id")):  # an order's, else a ticket's
        rows = db.execute(
            "SELECT c.run_id, r.started_at, r.command, c.field, c.old, c.new, c.source, c.detail"
            f" FROM {table} c JOIN runs r ON r.id = c.run_id"
            f" WHERE c.{key}=? AND r.state IN ('done', 'pending') ORDER BY c.id",
            (order_id,),
        ).fetchall()
        if rows:
            break
    entries = [HistoryEntry(*row) for row in rows]
    return [replace(e, new=_created_text(db, e.run_id, order_id)) if e.field == "*" and e.new is None else e
            for e in entries]


def _created_text(db: Db, run_id: int, order_id: str) -> str | None:
    """The JSON object of the values run `run_id` recorded for `order_id` when it created it."""
    from sheetsync.journal import created

    found = created.documents(created.read(db, run_id, [order_id]))
    return created.document_text(found[order_id]) if order_id in found else None
