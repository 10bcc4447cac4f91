"""The `file` channel: exports dropped in a folder (.csv, .tsv, .txt, .xlsx, .xls).

Files are taken in name order and recorded by the sha256 of their content, so the same
export dropped twice, even under another name, imports nothing twice.  Nothing is moved
or deleted unless the channel names an `archive:` folder.  A file that cannot be read is
reported and the others are still taken; the run then exits 6 naming it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from sheetsync.channels.apply import Splitter, apply_mapping
from sheetsync.channels.base import FileAccount, Known, Pulled
from sheetsync.channels.mapping import Mapping
from sheetsync.channels.readers import read_file
from sheetsync.config import ChannelConfig, Config
from sheetsync.errors import UnreadableInput
from sheetsync.i18n import t
from sheetsync.runtime.files import file_sha256, matching, shown_path

SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")


class FileChannel:
    def __init__(self, config: Config, channel: ChannelConfig, mapping: Mapping, split_address: Splitter) -> None:
        self.config = config
        self.channel = channel
        self.mapping = mapping
        self.label = channel.label or mapping.label or channel.name
        self.split_address = split_address

    def files(self) -> list[Path]:
        pattern = self.channel.path or f"inbox/{self.channel.name}/*"
        found = matching(pattern, self.config.base_dir)
        return [p for p in found if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith(("~$", ".~lock"))]

    def waiting(self) -> int:
        return len(self.files())

    def pull(self, seen: Callable[[str], str | None], now: dt.datetime, known: Known | None = None) -> Pulled:
        lang = self.config.language
        pulled = Pulled(self.channel, self.mapping, self.label, pd.DataFrame())
        parts: list[pd.DataFrame] = []
        for path in self.files():
            digest = file_sha256(path)
            account = FileAccount(str(path), self.channel.name, digest)
            pulled.files.append(account)
            before = seen(digest)
            if before is not None:
                account.seen = True
                account.skipped = (t("pull.seen.same", lang) if before == str(path)
                                   else t("pull.seen", lang, path=shown_path(before, self.config.base_dir)))
                continue
            try:
                for raw in read_file(path, sheet=self.mapping.sheet, encoding=self.mapping.encoding,
                                     delimiter=self.mapping.delimiter):
                    mapped = apply_mapping(raw, self.mapping, self.label, now, lang, self.split_address, self.config.tz)
                    account.rows_read += mapped.rows_read
                    account.rejected += len(mapped.rejects)
                    pulled.rejects.extend(mapped.rejects)
                    parts.append(mapped.records)
                    for key, lines in mapped.lines.items():
                        pulled.sources.setdefault(key, []).append((len(pulled.files) - 1, lines))
            except UnreadableInput as exc:
                account.error = exc.message
        if parts:
            pulled.records = _latest(parts, self.mapping.key)
        return pulled


def _latest(parts: list[pd.DataFrame], key: str) -> pd.DataFrame:
    """Records of several files, one per key: a later file's values override an earlier one's."""
    combined = pd.concat(parts)
    if not combined.index.duplicated().any():
        return combined
    return combined.groupby(level=0, sort=False).last()
