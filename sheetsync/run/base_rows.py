"""The base rows a run leaves in the journal: each order's row as the sheet holds it after the run.

The next run compares the sheet with them (a 64-bit hash per row) to find what people changed, and
merges channels against them.  Every command that writes cells records them, so that its own writes
are never taken for a person's edit.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from sheetsync.journal.record import AS_CREATED
from sheetsync.model.values import positions
from sheetsync.runtime.jsonrows import list_sql, row_batches
from sheetsync.runtime.textsql import sql_text
from sheetsync.steps.diff import texts
from sheetsync.steps.edits import row_hashes


def final_hashes(final: pd.DataFrame, before: pd.Series, changed: np.ndarray) -> pd.Series:
    """Row hashes after the run: the ones computed on reading, recomputed only for rows this run changed or added."""
    out = pd.Series(np.zeros(len(final), dtype=np.int64), index=final.index)
    kept = final.index.isin(before.index) & ~final.index.isin(changed)
    out[kept] = before.reindex(final.index[kept]).to_numpy(dtype=np.int64)
    redo = final.index[~kept]
    if len(redo) > len(final) // 2:  # an import: hashing every row costs less than copying most of them
        out[redo] = row_hashes(final).to_numpy(dtype=np.int64)[~kept]
    elif len(redo):
        out[redo] = row_hashes(final.loc[redo]).to_numpy(dtype=np.int64)
    return out


class Snapshots:
    """The journal's base rows of a run, encoded a batch at a time as the journal inserts them
    (`EncodedSnapshots`): 100,000 JSON rows held at once would cost more memory than the table
    they come from."""

    CHUNK = 2048

    def __init__(self, final: pd.DataFrame, positions: np.ndarray, hashes: np.ndarray, created: np.ndarray) -> None:
        """`created` marks the rows of `final` whose values the run records as their creation: their
        base row refers to it (`journal.AS_CREATED`) instead of repeating it."""
        self._final, self._positions, self._hashes, self._created = final, positions, hashes, created

    def __len__(self) -> int:
        return len(self._positions)

    def __iter__(self) -> Iterator[str]:
        """The rows' order_ids, made a batch at a time (a million as one list: 70 MB through the write)."""
        return self._ids(np.ones(len(self._positions), dtype=bool))

    def existing(self) -> Iterator[str]:
        return self._ids(~self._created[self._positions])

    def created(self) -> Iterator[str]:
        keep = np.zeros(len(self._final), dtype=bool)
        keep[self._positions[self._created[self._positions]]] = True
        yield from row_batches(self._final, ["order_id"], "to_json(c0)", keep=keep, batch=self.CHUNK * 8)

    def _ids(self, which: np.ndarray) -> Iterator[str]:
        ids, positions = self._final["order_id"], self._positions[which]
        for start in range(0, len(positions), self.CHUNK * 8):
            yield from texts(ids.iloc[positions[start : start + self.CHUNK * 8]]).tolist()

    def encoded(self) -> Iterator[str]:
        """The rows as `[order_id, hash, values]` JSON arrays, a JSON array of them per batch (`EncodedSnapshots`)."""
        fields = list(self._final.columns)
        keep = np.zeros(len(self._final), dtype=bool)
        keep[self._positions] = True
        order_id = f"c{fields.index('order_id')}"
        values = f"CASE WHEN created_ THEN {sql_text(AS_CREATED)} ELSE {list_sql(fields)}::VARCHAR END"
        yield from row_batches(self._final, fields, f"json_array({order_id}, hash_, {values})",
                               extra={"hash_": self._hashes, "created_": self._created}, keep=keep, batch=self.CHUNK)


def base_rows(final: pd.DataFrame, hashes: pd.Series, stored: pd.Series, created: pd.Index) -> Snapshots:
    """The snapshot (JSON) of every row whose hash differs from the journal's: what the sheet holds after
    this run; `created` labels the rows the run appends, whose creation the journal records with these values."""
    values = hashes.to_numpy()
    return Snapshots(final, np.flatnonzero(unlike_journal(final["order_id"], values, stored)), values,
                      final.index.isin(created) if len(created) else np.zeros(len(final), dtype=bool))


def unlike_journal(order_ids: pd.Series, hashes: np.ndarray, stored: pd.Series) -> np.ndarray:
    """Whether each row's hash differs from its base row in the journal (`stored`: order_id -> hash), or it has none."""
    if not len(stored):
        return np.ones(len(order_ids), dtype=bool)
    at = positions(order_ids, stored.index)
    return ~((at >= 0) & (stored.to_numpy()[at] == hashes))
