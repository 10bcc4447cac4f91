"""Writing imported rows into the order table: one `api.sync` run whose channels hand over the
import's records.

An import is a sync whose only channels are the files it read: same lock, journal, person-edit
detection, `incorporate` (natural keys, three-way merge, appends with new order_ids), rules,
diff and atomic store write, so a later sync sees nothing new and every step the sync gains
(rules, workflow) applies to imported rows too.  The records are handed over through the channel
registry: a kind registered for this one run, whose `pull` returns what the import prepared; the
desk's own channels are not pulled.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import threading
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

from sheetsync.channels import CHANNELS, Pulled
from sheetsync.channels.file import FileChannel
from sheetsync.config import ChannelConfig, Config
from sheetsync.run.sync import RunResult, sync

_STUB_MAPPING = "description: records prepared by sheetsync import\nfields: {channel_order_id: '-'}\n"
"""The mapping `open_channels` loads for the run's channel kind; the prepared records need none."""
_registry_lock = threading.Lock()


def sync_pulls(config: Config, pulls: Sequence[Pulled], now: dt.datetime, *, force: bool = False) -> RunResult:
    """One sync run of `config` in which `pulls` are the only channels; their records are released
    by the run once they are in the table.  Raises what `sync` raises (TableLocked, ...)."""
    kind = f"import-{uuid.uuid4().hex}"
    prepared = {p.config.name: p for p in pulls}
    with tempfile.TemporaryDirectory(prefix="sheetsync-import-") as folder:
        stub = Path(folder) / "import.yaml"
        stub.write_text(_STUB_MAPPING, encoding="utf-8")
        specs = [ChannelConfig(name=p.config.name, kind=kind, label=p.label, mapping=str(stub)) for p in pulls]
        with _registry_lock:
            CHANNELS[kind] = _prepared_channel(prepared)
        try:
            return sync(config.model_copy(update={"channels": specs, "logistics": []}), now=now, force=force)
        finally:
            with _registry_lock:
                CHANNELS.pop(kind, None)
            prepared.clear()


def _prepared_channel(prepared: dict[str, Pulled]) -> type[FileChannel]:
    class Prepared(FileChannel):
        """A channel whose records were read and normalised by the import."""

        def files(self) -> list[Path]:
            return []

        def pull(self, seen: Callable[[str], str | None], now: dt.datetime) -> Pulled:
            return prepared.pop(self.channel.name)

    return Prepared
