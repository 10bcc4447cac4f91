"""A run's journal transaction, filled on a thread while the workbook is written (`Journal.stage`)."""

from __future__ import annotations

import queue
import threading
from typing import TYPE_CHECKING

from sheetsync.journal.record import RunRecord

if TYPE_CHECKING:
    from sheetsync.journal.core import Journal


class StagedRun:
    """A run's journal transaction, begun and filled on a background thread while the workbook is
    written (SQLite does its work without the GIL, PostgreSQL on its server), committed once the workbook's sha256
    is known.

    Until `commit`, nothing of the run is visible: a kill leaves the journal as it was.  The
    connection is used by one thread at a time: the worker until it ends, then the caller.
    """

    def __init__(self, journal: Journal, run_id: int, rec: RunRecord | None, changes: RunRecord | None,
                 rows: int) -> None:
        self._journal, self._run_id = journal, run_id
        self._error: BaseException | None = None
        self._begun = False
        self._rest: queue.SimpleQueue[RunRecord | None] = queue.SimpleQueue()
        self._given = rec is not None
        self.committed = False
        """Whether `commit` committed the run (as pending for its workbook, until the journal confirms it)."""
        if rec is not None:
            self._rest.put(rec)
        self._worker = threading.Thread(target=self._fill, args=(changes, rows), name="sheetsync-journal", daemon=True)
        self._worker.start()

    def add(self, rec: RunRecord) -> None:
        """The run's record (staged with only its `changes` first)."""
        if self._given:
            raise RuntimeError("the run's record was already given")
        self._given = True
        self._rest.put(rec)

    def _fill(self, changes: RunRecord | None, rows: int) -> None:
        db = self._journal.db
        try:
            db.begin()
            self._begun = True
            db.fit_cache(rows)
            if changes is not None:
                self._journal.insert_changes(db, self._run_id, changes)
            rec = self._rest.get()
            if rec is not None:  # None: aborted
                self._journal.insert(db, self._run_id, rec, pending=True)
        except BaseException as exc:  # raised by commit or abort, in the caller's thread
            self._error = exc

    def commit(self, workbook_sha256: str | None) -> None:
        """Mark the run pending for the workbook `workbook_sha256` (None: no workbook was written) and commit."""
        if not self._given:
            self.abort()
            raise RuntimeError("a staged run was committed before its record was given")
        self._worker.join()
        db = self._journal.db
        if self._error is not None:
            self.abort()
            raise self._error
        try:
            self._journal.mark(db, self._run_id, workbook_sha256)
            if workbook_sha256 is None:
                self._journal.drop_undo(db, self._run_id)
        except BaseException:
            db.rollback()
            raise
        db.commit()
        self.committed = True

    def abort(self) -> None:
        """Roll the transaction back (the workbook was not written)."""
        if not self._given:
            self._given = True
            self._rest.put(None)
        self._worker.join()
        if self._begun and self._journal.db.in_transaction:
            self._journal.db.rollback()
