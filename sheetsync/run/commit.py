"""The one protocol of every command that writes the desk: open, stage, write, confirm, finish.

`opened` takes the run lock, throws away what a killed run left beside the workbook and settles the
journal with the workbook (`Journal.recover`); `Commit` stages the run's journal records on their own
thread, writes the workbook through the store, and confirms the run once the new workbook is in
place.  A kill at any moment leaves the workbook and the journal agreeing: the old workbook and the
journal as it was, or the new one and the run recorded.  `sync`, `import` (through `sync`),
`approve`, `unlock` and `report --dashboard` all go through here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import TracebackType

from sheetsync.config import Config
from sheetsync.errors import JournalLost, StoreFailed, TableChanged
from sheetsync.i18n import t
from sheetsync.journal.core import Journal
from sheetsync.journal.open import locked_journal
from sheetsync.journal.record import RunRecord
from sheetsync.journal.staged import StagedRun
from sheetsync.model.cells import AppendBlock, CellWrite, SheetWrites
from sheetsync.stores import open_store
from sheetsync.stores.base import Store, Written

log = logging.getLogger("sheetsync")


@dataclass(slots=True)
class Desk:
    """A desk opened for writing: its store, its journal (recovered), and what opening it found."""

    config: Config
    store: Store
    journal: Journal
    notices: list[str] = field(default_factory=list)


JOURNAL_MARK = "journal.id"
"""A file in `.sheetsync/` saying the desk's journal has recorded runs: with it, a missing or empty journal is a
lost one (never a fresh start that re-reads every inbox file and flags every order)."""


@contextmanager
def opened(config: Config, *, force: bool = False, dry_run: bool = False, rebuilding: bool = False) -> Iterator[Desk]:
    """The desk under its run lock (a second run exits 4), its journal settled with the workbook.

    `dry_run` opens the journal read-only and recovers nothing: a dry run changes no file.  A journal that is
    missing or empty on a desk that has run before is refused (JournalLost, exit 6) unless `rebuilding`."""
    lang = config.language
    store = open_store(config, force=force)
    mark = config.state_dir / JOURNAL_MARK
    with locked_journal(config, readonly=dry_run) as (journal, lock):
        if mark.exists() and not journal.has_runs() and not rebuilding:
            raise JournalLost(t("journal.lost", lang, path=journal.where),
                              t("journal.lost.hint", lang, config=config.source))
        notices = [m for m in [lock.stale_message()] if m]
        if not dry_run:
            store.discard_leftovers()
            for rec in journal.recover(store.sha256):
                outcome = t("journal.recovered.kept" if rec.kept else "journal.recovered.dropped", lang)
                notices.append(t("journal.recovered", lang, run=rec.run_id, outcome=outcome))
        yield Desk(config, store, journal, notices)
        if not dry_run and not mark.exists() and journal.has_runs():
            mark.write_text(f"{journal.where}\n", encoding="utf-8")


class Commit:
    """One run's journal records and workbook write, committed together.

    Created before the writes are computed when `staging` (the run will write cells): the journal's
    inserts of `early` (its cell changes) begin at once on a thread beside the rest of the run; `add`
    hands over the rest of the record, `write` writes the workbook and confirms the run.  Leaving the
    `with` block before `write` finished (an exception) rolls the staged records back."""

    def __init__(self, desk: Desk, run_id: int, *, staging: bool, early: RunRecord | None = None, rows: int = 0) -> None:
        self._desk, self._run_id = desk, run_id
        self._staged: StagedRun | None = desk.journal.stage(run_id, changes=early, rows=rows) if staging else None
        self._record: RunRecord | None = None
        self._done = False

    @property
    def staged(self) -> bool:
        return self._staged is not None

    def add(self, record: RunRecord) -> None:
        """The run's record: base rows, keys, flags, files ... (its changes too, unless given as `early`)."""
        if self._staged is not None:
            self._staged.add(record)
        self._record = record

    def write(self, writes: Sequence[CellWrite], block: AppendBlock | None = None, *, header_row: int = 0,
              lists: Mapping[tuple[int, int], Sequence[str]] | None = None,
              also: Sequence[SheetWrites] = ()) -> Written | None:
        """Write the workbook's cells (nothing when there is nothing to write) and commit the run's records with it;
        `also`: other sheets' cells, in the same write."""
        store = self._desk.store
        return self.apply(lambda staged: store.write(writes, block, staged, header_row=header_row, lists=lists,
                                                     also=also))

    def apply(self, write: Callable[[Callable[[str], None] | None], Written | None]) -> Written | None:
        """Any write of the workbook (`write(on_staged)`: the store calls `on_staged(sha256)` once the new
        version is complete), committed with the run's records as `write` does."""
        journal, staged = self._desk.journal, self._staged
        try:
            written = write(staged.commit if staged is not None else None)
        except TableChanged:
            # a person saved the workbook meanwhile: a run already committed as pending for a workbook that never
            # landed is rolled back at once (as the next run's recovery would), so the journal is as before
            self._done = staged is None
            if staged is not None and staged.committed:
                journal.recover(self._desk.store.sha256)
                self._done = True
            raise
        except StoreFailed:
            # the table's service gave up.  A Google Sheet's batch lands whole or not at all, but an answer lost on the
            # way back leaves open which: the sheet's own fingerprint tells (the journal's recovery keeps a pending run
            # whose version is in place and rolls back one whose is not); when the sheet cannot be read either, the
            # run stays pending and the next run's recovery decides
            self._done = staged is None
            if staged is not None and staged.committed:
                try:
                    journal.recover(self._desk.store.sha256)
                except StoreFailed:
                    log.warning("run %s left pending: the table could not be read to tell whether its write landed",
                                self._run_id)
                self._done = True
            raise
        self._done = True
        if written is not None:
            journal.confirm(self._run_id)
        elif staged is not None:
            staged.commit(None)
        else:
            journal.record(self._run_id, self._record or RunRecord(), workbook_sha256=None)
        return written

    def __enter__(self) -> Commit:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if not self._done and self._staged is not None:
            self._staged.abort()
