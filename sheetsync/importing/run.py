"""Writing imported rows into the order table: one sync run whose only pulls are the import's records.

An import is a sync whose only channels are the files it read: same lock, journal, person-edit
detection, `incorporate` (natural keys, three-way merge, appends with new order_ids), rules,
diff and atomic store write, so a later sync sees nothing new and every step the sync gains
(rules, workflow) applies to imported rows too.  The desk's own channels are not pulled.  An import that brings
no news (every record as its channel last said it) to a desk as its last calm run left it rests, as an untouched
sync does: the sheet is not read (`run/untouched.py`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sheetsync.channels.base import Pulled
from sheetsync.config import Config
from sheetsync.run.sync import RunResult, sync


def sync_pulls(config: Config, pulls: Sequence[Pulled], now: dt.datetime, *, force: bool = False) -> RunResult:
    """One sync run of `config` in which `pulls` are the only channels; their records are released
    by the run once they are in the table.  Raises what `sync` raises (TableLocked, ...)."""
    channels = [p.config.model_copy(update={"label": p.label}) for p in pulls]  # the promises go by these
    return sync(config.model_copy(update={"channels": channels, "logistics": []}), now=now, force=force, pulls=pulls,
                calm_config=config)
