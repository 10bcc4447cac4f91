"""What a channel said of an order, kept as one number: a record brought again as it was is no news.

Every run keeps, beside each natural key, a hash of the record its channel last brought (its fields by name and
value: `said_hashes`).  A record whose hash is the one kept would come out of the three-way merge changing nothing:
each of its values is the channel's last word, which the merge never takes over a person's value and which the sheet
already holds where nobody changed it; and of an order a person deleted the merge only says it is not re-created.
Such a record is left out before the merge, before the sheet is even read (`quiet`; `standing_out` then names the
deleted orders among them), so a re-import of a million rows that changes nothing compares a million numbers instead
of merging a million rows; its account counts it unchanged.

A hash that cannot be trusted only costs a merge: one that changes (another DuckDB version, a mapping that brings
another field, a desk that now writes other words for the shop's states) or that is not known (a run rolled back
forgets the hashes it wrote) sends the record to the merge, which decides as before.  Two records of different
values sharing a 64-bit hash is the one way to skip news: at a
million orders, about one chance in 10^13 a run.

An import may hash what its file said *before* normalising it (`heard_hashes`: the file's row, every cell of it,
with what decides how a row becomes a record: the mapping, the headers, the channel, the year that completes a date
without one; `importing/hearing.py`).  Normalising is a function of those, so a row whose hash is the one kept
brings the record it brought last time: it is left out before it is normalised (a re-import of a million rows no
longer normalises a million rows to learn that they are the same).  Such a hash is kept as what the channel said;
it never equals a record's hash of the other kind (another seed), so a desk whose channel both syncs and imports
only merges once more where the kind changes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Final

import numpy as np
import pandas as pd

from sheetsync.model.fields import FIELDS
from sheetsync.model.values import among, positions
from sheetsync.runtime.textsql import row_hashes

SAID_HASH: Final = "_said"
"""The column of a pull's records carrying each one's hash into the run (a record's own bookkeeping, as `_line`)."""


def fitting(amount: str | None, default_country: str, status_words: Mapping[str, str] | None) -> str:
    """What of the desk decides how a record is fitted to the sheet (`steps.fold.fold`'s options: which amount the
    amount column shows, the default country, the desk's word for each state key), as text hashed with each record:
    a desk that changed them (another workflow's words) hears every record anew."""
    return json.dumps([amount, default_country, sorted((status_words or {}).items())], ensure_ascii=False)


def said_hashes(records: pd.DataFrame, fit: str = "") -> np.ndarray:
    """A signed 64-bit hash of each record's fields (columns in name order, their names hashed with them, so a
    record that brings a field more is another record) and of `fit` (`fitting`), by DuckDB in one pass."""
    fields = sorted(c for c in records.columns if c in FIELDS)
    return row_hashes(records[fields], seed="\x1f".join([fit, *fields]))


def heard_hashes(rows: np.ndarray, seed: str) -> np.ndarray:
    """The hash of each of a file's rows (`rows`: their hashes, cells only) under `seed` (what decides how a row
    becomes a record, as text): `rows` XOR a 64-bit digest of `seed`.  A one-to-one change of each row's hash, so
    rows that differ keep differing; two seeds give one row two hashes."""
    digest = np.frombuffer(hashlib.blake2b(seed.encode(), digest_size=8).digest(), dtype=np.int64)[0]
    return np.bitwise_xor(rows.astype(np.int64, copy=False), digest)


def quiet(keys: pd.Index, hashes: np.ndarray, known: pd.DataFrame) -> tuple[np.ndarray, pd.Series]:
    """Which records (`keys`, their `hashes`) are no news, and each record's order_id (NA: a key not known).

    `known`: the channel's natural keys (index: channel_order_id) with `order_id` and `said` (NA: not known).  A
    record is quiet when its key is known and its hash is the one its channel last said.  (Whether its order still
    stands in the sheet is asked later, of the quiet ones: `standing_out`.)"""
    at = positions(keys, known.index) if len(known) else np.full(len(keys), -1, dtype=np.int64)
    found = np.flatnonzero(at >= 0)
    order_ids = pd.Series(known["order_id"].array.take(at, allow_fill=True), dtype="str")  # Arrow text, not objects
    same = np.zeros(len(keys), dtype=bool)
    if len(found):
        kept = known["said"].iloc[at[found]]
        same[found] = kept.notna().to_numpy() & (kept.fillna(0).to_numpy(dtype=np.int64) == hashes[found])
    return same, order_ids


def standing_out(quiet_ids: pd.Series, sheet_ids: pd.Series) -> list[str]:
    """Of the orders of quiet records (`quiet_ids`), those not standing in the sheet (`sheet_ids`: the order_ids
    that do, deleted ones left out): a person deleted them, so their records are said not re-created, as the merge
    says of any record of a deleted order."""
    if not len(quiet_ids):
        return []
    return quiet_ids[~among(quiet_ids, sheet_ids)].tolist()
