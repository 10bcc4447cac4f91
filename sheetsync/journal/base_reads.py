"""Reading the journal's base rows: each order's row as the sheet held it after the last run.

A base row holds its values as JSON in the layout of its run, or refers to the values its creation
recorded (`AS_CREATED`: a row in `creations`, `journal/created.py`).  `Journal` reads them through
these methods; they are decoded by DuckDB or Arrow a batch at a time, never a Python object per cell.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sheetsync.errors import UnreadableInput
from sheetsync.i18n import text
from sheetsync.journal import created as journal_created
from sheetsync.journal.db import INT, TEXT, Db
from sheetsync.journal.record import AS_CREATED
from sheetsync.runtime.textsql import json_fields


class BaseReads:
    """The base-row reads of `Journal`, on its connection."""

    db: Db
    path: Path
    _layouts: dict[int, list[str]]


    def base_hashes(self) -> pd.Series:
        """order_id -> row hash of every base row, as one int64 array on an Arrow text index (a dict of
        100,000 of them holds about 20 MB of Python objects through the whole run)."""
        table = self.db.arrow("SELECT order_id, row_hash FROM base", (), [("order_id", TEXT), ("row_hash", INT)])
        ids = pd.Index(pd.array(table.column("order_id"), dtype="str"), name="order_id")
        return pd.Series(table.column("row_hash").to_numpy(), index=ids)

    def base_values(self, order_ids: Iterable[str]) -> dict[str, dict[str, str | None]]:
        out: dict[str, dict[str, str | None]] = {}
        created: dict[str, int | None] = {}
        for order_id, vals, layout in self._base_rows(list(order_ids)):
            if vals == AS_CREATED:
                created[order_id] = layout
            else:
                out[order_id] = self._decode(vals, layout)
        for order_id, values in self._creations(list(created)).items():
            layout = created[order_id]
            out[order_id] = {f: values.get(f) for f in self._layout(layout)} if layout is not None else values
        return out

    def _base_rows(self, order_ids: Sequence[str]) -> Iterator[tuple[str, str, int | None]]:
        """(order_id, vals, layout) of the base rows of `order_ids` that exist."""
        return self._where_in("SELECT order_id, vals, layout FROM base WHERE order_id IN ({})", order_ids)

    def _where_in(self, query: str, order_ids: Sequence[str], *, order: str = "") -> Iterator[Any]:
        """The rows of `query` (whose `{}` takes the list of ids) for `order_ids`, read `id_chunks` at a time;
        `order` is the query's ORDER BY, within each chunk."""
        for chunk in id_chunks(order_ids):
            yield from self.db.execute(query.format(",".join("?" * len(chunk))) + order, chunk)

    def _latest_creations(self, order_ids: Sequence[str]) -> dict[str, tuple[int, str | None]]:
        """order_id -> (run_id, new) of each order's latest `*` change (new is None when its values are in
        `creations`); raises UnreadableInput when one of `order_ids` has none."""
        out: dict[str, tuple[int, str | None]] = {}
        for order_id, run_id, new in self._where_in("SELECT order_id, run_id, new FROM changes WHERE field='*'"
                                                    " AND order_id IN ({})", order_ids, order=" ORDER BY id"):
            out[order_id] = (run_id, new)
        missing = set(order_ids) - out.keys()
        if missing:
            named = ", ".join(sorted(missing)[:3])
            raise UnreadableInput(text("journal.unreadable", path=self.path,
                                    problem=f"no creation recorded for the base rows of {named}"))
        return out

    def _creations(self, order_ids: Sequence[str]) -> dict[str, dict[str, str | None]]:
        """The values each order's creation recorded (its latest `*` change), empty fields left out."""
        out: dict[str, dict[str, str | None]] = {}
        for run_id, (texts, ids) in _by_run(self._latest_creations(order_ids)).items():
            out.update((oid, json.loads(text)) for oid, text in texts.items())
            if ids:
                out.update(journal_created.documents(journal_created.read(self.db, run_id, ids)))
        return out

    def created_values(self, order_ids: Sequence[str], field: str) -> dict[str, str]:
        """The value of `field` each of `order_ids` was created with (orders created without one, or never
        created by a run, left out): what a channel first said of an order it brought."""
        out: dict[str, str] = {}
        for ids, found in self._creation_fields(order_ids, [field]):
            values, present = found[field]
            out.update((oid, str(v)) for oid, v, p in zip(ids, values.tolist(), present.tolist(), strict=True)
                       if p and v is not None)
        return out

    def open_waybills(self) -> list[dict[str, str | None]]:
        """The orders whose row, as the last run left it, has a tracking number and no delivery time: order_id,
        tracking_no, carrier, phone, status (what a carrier's tracking is still asked for)."""
        ids = [str(r[0]) for r in self.db.execute("SELECT order_id FROM base")]
        if not ids:
            return []
        fields = ["tracking_no", "carrier", "phone", "status", "delivered_at"]
        frame, _ = self.base_frame(ids, fields)
        out = []
        for order_id, row in zip(ids, frame.itertuples(index=False), strict=True):
            values = dict(zip(fields, row, strict=True))
            number, delivered = values["tracking_no"], values["delivered_at"]
            if isinstance(number, str) and number.strip() and not (isinstance(delivered, str) and delivered.strip()):
                out.append({"order_id": order_id, **{f: v if isinstance(v, str) else None for f, v in values.items()}})
        return out

    def base_frame(self, order_ids: Sequence[str], fields: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The snapshot values of `fields` for `order_ids` (row i of the frame is `order_ids[i]`), and
        beside them whether the snapshot has the field at all (an order without a snapshot has none).

        The JSON is decoded by DuckDB, so that a run where a person changed 100,000 rows (or the
        first run of a new sheetsync whose row hash differs) still takes a second, not a minute."""
        position = {oid: i for i, oid in enumerate(order_ids)}
        by_layout: dict[int | None, tuple[list[int], list[str]]] = {}
        created: dict[int | None, list[str]] = {}
        for order_id, vals, layout in self._base_rows(order_ids):
            if vals == AS_CREATED:
                created.setdefault(layout, []).append(order_id)
                continue
            rows, docs = by_layout.setdefault(layout, ([], []))
            rows.append(position[order_id])
            docs.append(vals)
        n = len(order_ids)
        values = {f: np.full(n, None, dtype=object) for f in fields}
        known = {f: np.zeros(n, dtype=bool) for f in fields}
        for layout, (rows, docs) in by_layout.items():
            if layout is None:  # version 1: a JSON object per row
                paths = {f: f'$."{f}"' for f in fields}
            else:
                index = self._layout(layout)
                paths = {f: f"$[{index[f]}]" for f in fields if f in index}
            at = np.asarray(rows)
            for f, (texts, exists) in json_fields(docs, paths).items():
                values[f][at] = texts
                known[f][at] = exists
        for layout, ids in created.items():  # a creation leaves out empty fields: its layout has them all
            laid_out = self._layout(layout) if layout is not None else None
            for found_ids, found in self._creation_fields(ids, fields):
                at = np.asarray([position[oid] for oid in found_ids], dtype=np.int64)
                for f, (column, present) in found.items():
                    values[f][at] = column
                    known[f][at] = f in laid_out if laid_out is not None else present
        return (pd.DataFrame(values, index=pd.RangeIndex(n), columns=list(fields), dtype="str"),
                pd.DataFrame(known, index=pd.RangeIndex(n), columns=list(fields)))

    def _creation_fields(self, order_ids: Sequence[str], fields: Sequence[str],
                         ) -> Iterator[tuple[list[str], dict[str, tuple[np.ndarray, np.ndarray]]]]:
        """`fields` of the values each order's creation recorded, a group of orders at a time: (their
        ids, field -> (each one's text, whether it had one)); decoded by DuckDB or Arrow, not per row."""
        for run_id, (texts, ids) in _by_run(self._latest_creations(order_ids)).items():
            if texts:
                found = json_fields(list(texts.values()), {f: f'$."{f}"' for f in fields})
                yield list(texts), {f: (np.asarray(v, dtype=object), np.asarray(e, dtype=bool)) for f, (v, e) in found.items()}
            if ids:
                table = journal_created.read(self.db, run_id, ids, fields)
                columns: dict[str, np.ndarray] = {
                    f: table.column(f).to_numpy(zero_copy_only=False) if f in table.column_names
                    else np.full(table.num_rows, None, dtype=object) for f in fields}
                yield table.column("order_id").to_pylist(), {f: (c, pd.notna(c)) for f, c in columns.items()}

    def _layout(self, layout: int) -> dict[str, int]:
        if layout not in self._layouts:
            row = self.db.execute("SELECT fields FROM layouts WHERE id=?", (layout,)).fetchone()
            self._layouts[layout] = json.loads(row[0])
        return {f: i for i, f in enumerate(self._layouts[layout])}

    def _decode(self, vals: str, layout: int | None) -> dict[str, str | None]:
        if layout is None:
            decoded: dict[str, str | None] = json.loads(vals)
            return decoded
        if layout not in self._layouts:
            row = self.db.execute("SELECT fields FROM layouts WHERE id=?", (layout,)).fetchone()
            self._layouts[layout] = json.loads(row[0])
        return dict(zip(self._layouts[layout], json.loads(vals), strict=True))


def id_chunks(ids: Sequence[str]) -> Iterator[list[str]]:
    """`ids` 900 at a time: the list of one `IN (...)` (SQLite's limit on parameters was 999)."""
    for start in range(0, len(ids), 900):
        yield list(ids[start : start + 900])


def _by_run(latest: Mapping[str, tuple[int, str | None]]) -> dict[int, tuple[dict[str, str], list[str]]]:
    """`Journal._latest_creations` per run: (order_id -> JSON object of the orders whose `*` change holds
    one, the ids of those whose values are in `creations`)."""
    out: dict[int, tuple[dict[str, str], list[str]]] = {}
    for order_id, (run_id, new) in latest.items():
        texts, ids = out.setdefault(run_id, ({}, []))
        if new is None:
            ids.append(order_id)
        else:
            texts[order_id] = new
    return out
