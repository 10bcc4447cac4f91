"""Asking the journal, before an import's run, what its channel last said of the file's rows.

A re-import of a million-row file that changes nothing spent a third of its time normalising rows only to learn, by
`steps/said.py`'s hashes, that each brought what its channel last said.  A row becomes its record through the
mapping alone, so the row itself can be compared: each row's hash, taken before the mapping is applied
(`steps.said.heard_hashes`, under a seed naming what decides how a row becomes a record), is compared with what the
journal keeps for its order number, and a row that says what was said is left out unnormalised and accounted as
unchanged (`importing/parse.py`).  The rows that are news carry their hash into the run, which keeps it as what the
channel said.

The journal is asked before the run takes its lock (the parse takes seconds, and cron's runs go on meanwhile): what
it said holds while no run that may change it comes after the asking, which the run checks under its lock
(`run.gather.hear`); one that came between sends the import back to read its files without asking
(`HeardChanged`).  Only an import of one table asks: of several, a row left out could be the first of an order whose
later copies are compared with it (`importer._duplicates`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Final

import pandas as pd

from sheetsync.channels.mapping import Mapping
from sheetsync.config import Config
from sheetsync.journal.core import WHOLE_KEYS, last_run, said_keys
from sheetsync.journal.db import Db
from sheetsync.journal.open import current_db
from sheetsync.run.gather import desk_fit
from sheetsync.run.untouched import UNTOUCHED, sheetsync_version
from sheetsync.steps.workflow.load import desk_workflow

SETTLED: Final = ("done", "rolled_back")
"""States of a last run whose word the journal holds whole (a run in progress or left pending may still change it)."""


@dataclass(slots=True)
class Hearing:
    """The journal as an import's parse asks it (`hearing`)."""

    db: Db | None
    """The journal to ask (None: none yet, or its last run is not settled: nothing is left out, the rows that are
    news are still hashed)."""
    as_of: int
    """The journal's last run that may change what a channel said (untouched runs change nothing of it; 0: none)."""
    desk: str
    """What decides how any row becomes a record on this desk and at this moment, as text (`seed`)."""
    told: dict[str, pd.DataFrame | None] = field(default_factory=dict)
    """channel -> all its natural keys as the journal gave them (`said_keys`), for the run to take; None: it was
    asked of a few only, and the run asks of those of the records it keeps."""

    def seed(self, mapping: Mapping, headers: list[str], name: str, label: str) -> str:
        """What decides how a row of one table becomes its record: the desk's part, the mapping (as applied: an
        automatic one is made from the file's content, its description naming the file left out), the table's
        headers and the channel it is heard from."""
        rules = mapping.model_dump(mode="json", exclude={"description"})
        return json.dumps([self.desk, rules, headers, name, label], ensure_ascii=False, sort_keys=True, default=str)

    def known(self, channel: str, keys: pd.Series) -> pd.DataFrame | None:
        """What `channel` last said of the orders `keys` (of all its orders when they are many; None: the journal
        cannot be asked)."""
        if self.db is None:
            return None
        whole = len(keys) > WHOLE_KEYS
        found = said_keys(self.db, channel, None if whole else keys.dropna().tolist())
        self.told[channel] = found if whole else None
        return found


@contextmanager
def hearing(config: Config, now: dt.datetime) -> Iterator[Hearing]:
    """The desk's journal to ask while the import parses."""
    fit = desk_fit(config, desk_workflow(config))
    desk = json.dumps([sheetsync_version(), fit, now.year, str(config.tz), config.sheet_language])
    with current_db(config) as db:
        last = last_run(db, other_than=UNTOUCHED) if db is not None else None
        settled = last is None or last[1] in SETTLED
        yield Hearing(db if settled else None, last[0] if last is not None else 0, desk)
