"""The values of the orders a run created, kept in the journal as compressed Arrow blocks.

Every new order gets a `*` change, which says which run created it and which channel did.  Up to
journal version 7 its `new` was a JSON object with the order's values, one row per order. A
million-row import then built and inserted a million JSON objects through SQLite's JSON functions:
about 9 s of CPU on the journal's threads, beside the workbook's patch on a 2-core machine, and the
run waited 3-4 s for it at the end (benchmarks/import_bench.py).

From version 8 the `*` change's `new` is NULL and the values are in `creations`. It holds one row per
block of up to `PART_ROWS` orders, stored as an Arrow IPC file (zstd). Its columns are `order_id`
followed by the run's fields, text or null. Each row also records the lowest and highest order_id in
its block, so looking up one order reads only the blocks whose range holds it. Writing them takes
well under a second for a million orders, and the `*` rows are plain ids (0.4 s).  A `*` change whose
`new` is set (an older journal, or a run recorded with `CellChange` objects) is read as before.
"""

from __future__ import annotations

import bisect
import json
from array import array
from collections.abc import Iterator, Sequence
from itertools import groupby
from operator import itemgetter
from typing import TYPE_CHECKING, Final

import pyarrow as pa
import pyarrow.compute as pc

from sheetsync.journal.db import TEXT, Db
from sheetsync.runtime.threads import read_ahead

if TYPE_CHECKING:
    import pandas as pd

    from sheetsync.model.changes import Created

PART_ROWS: Final = 65_536
_OPTIONS: Final = pa.ipc.IpcWriteOptions(compression="zstd")


def parts(created: Created) -> Iterator[tuple[str, str, pa.Buffer]]:
    """(lowest order_id, highest order_id, Arrow IPC file) per block of `PART_ROWS` rows, each made
    on a thread of its own while the caller inserts the one before (compression releases the GIL)."""
    from sheetsync.runtime.textsql import arrow_text  # DuckDB: the writing side only

    frame = created.frame
    columns = {str(f): arrow_text(frame[f], large=True) for f in frame.columns}
    columns.update({name: arrow_text(values.reindex(frame.index).astype("str"), large=True)
                    for name, values in created.extra.items() if name not in columns})
    table = pa.table(columns)
    return read_ahead((_encoded(table.slice(s, PART_ROWS)) for s in range(0, table.num_rows, PART_ROWS)),
                      name="sheetsync-journal-blocks", depth=2)


def _encoded(part: pa.Table) -> tuple[str, str, pa.Buffer]:
    span = pc.min_max(part.column("order_id"))
    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, part.schema, options=_OPTIONS) as writer:
        writer.write_table(part)
    return str(span["min"].as_py() or ""), str(span["max"].as_py() or ""), sink.getvalue()


def insert(db: Db, run_id: int, created: Created) -> None:
    """Record `created` as run `run_id`'s creations, inside the caller's transaction."""
    for channel, batches in groupby(created.id_batches(), key=itemgetter(0)):
        db.bulk_encoded("INSERT INTO changes(run_id, order_id, field, old, new, source, detail)"
                        " SELECT ?, r.id, '*', NULL, NULL, ?, ? FROM {rows} r", [("id", TEXT)],
                        (batch for _, batch in batches), run_id, "tool" if channel is None else "channel", channel)
    for part, (low, high, data) in enumerate(parts(created)):
        db.execute("INSERT INTO creations(run_id, part, low, high, data) VALUES (?, ?, ?, ?, ?)",
                   (run_id, part, low, high, memoryview(data)))


def read(db: Db, run_id: int, order_ids: Sequence[str] | None = None,
         fields: Sequence[str] | None = None) -> pa.Table:
    """What run `run_id` recorded of the orders it created: column `order_id`, then `fields` (all the
    run's fields when None; a field the run did not have is left out).  Only the rows of `order_ids`
    when given, read from the blocks whose range holds one of them."""
    wanted = sorted(set(order_ids)) if order_ids is not None else None
    tables = []
    for part, low, high in db.execute("SELECT part, low, high FROM creations WHERE run_id=? ORDER BY part",
                                      (run_id,)).fetchall():
        if wanted is not None and bisect.bisect_left(wanted, low) == bisect.bisect_right(wanted, high):
            continue  # none of the wanted ids falls within this block
        (data,) = db.execute("SELECT data FROM creations WHERE run_id=? AND part=?", (run_id, part)).fetchone()
        table = _decoded(data, fields)
        if wanted is not None:
            table = table.filter(pc.is_in(table.column("order_id"), value_set=_texts(wanted)))
        tables.append(table)
    if not tables:
        return pa.table({"order_id": pa.array([], pa.large_string())})
    return pa.concat_tables(tables, promote_options="default")


def _texts(values: Sequence[str]) -> pa.Array:
    """`values` as an Arrow text array made from its buffers: `pa.array` of Python objects first asks whether they
    are pandas', loading pandas (0.3 s of a `history` that has no other use for it)."""
    data = [value.encode() for value in values]
    offsets = array("q", [0])
    for item in data:
        offsets.append(offsets[-1] + len(item))
    return pa.Array.from_buffers(pa.large_string(), len(data), [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(data))])


def _decoded(data: bytes, fields: Sequence[str] | None) -> pa.Table:
    buffer = pa.py_buffer(data)
    if fields is None:
        return pa.ipc.open_file(buffer).read_all()
    names = pa.ipc.open_file(buffer).schema.names
    keep = [i for i, n in enumerate(names) if n == "order_id" or n in fields]
    return pa.ipc.open_file(buffer, options=pa.ipc.IpcReadOptions(included_fields=keep)).read_all()


def documents(table: pa.Table) -> dict[str, dict[str, str | None]]:
    """order_id -> its values without the empty ones (what the JSON object of a `*` change holds)."""
    return {str(row["order_id"]): {k: v for k, v in row.items() if v is not None} for row in table.to_pylist()}


def document_text(values: dict[str, str | None]) -> str:
    """The JSON object a `*` change's `new` held before version 8 (DuckDB's compact form)."""
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def every_creation(db: Db, fields: Sequence[str], runs: str) -> pd.DataFrame:
    """change id (`seq`), order_id, run_id, the run's start (`at`), source and `fields` of every `*` change whose
    values are in `creations`, of the runs `runs` selects (an SQL join on `runs r`, e.g. by state); text as Arrow-backed
    `str` columns.

    A million creations: the changes are read a batch at a time into Arrow, and each run's values are found in its
    blocks by Arrow's `index_in` on the order_id, not by a pandas merge (which made a Python string of every id and
    key, 1.2 GB at its peak for a report on a million-row desk)."""
    import pandas as pd

    from sheetsync.journal.db import INT

    columns = ["seq", "order_id", "run_id", "at", "source", *fields]
    star = db.arrow(f"SELECT c.id, c.order_id, c.run_id, r.started_at, c.source FROM changes c {runs}"
                    " WHERE c.field = '*' AND c.new IS NULL", (),
                    [("seq", INT), ("order_id", TEXT), ("run_id", INT), ("at", TEXT), ("source", TEXT)])
    if not star.num_rows:
        return pd.DataFrame(columns=columns)
    pieces = []
    for run_id in pc.unique(star.column("run_id")).to_pylist():
        mine = star.filter(pc.equal(star.column("run_id"), run_id))
        values = read(db, int(run_id), fields=fields)
        at = pc.index_in(mine.column("order_id"), value_set=values.column("order_id").combine_chunks())
        for name in fields:
            found = values.column(name).combine_chunks().take(at) if name in values.column_names \
                else pa.nulls(mine.num_rows, pa.large_string())
            mine = mine.append_column(name, found.cast(pa.large_string()))
        pieces.append(mine)
    return pa.concat_tables(pieces).to_pandas(types_mapper=_as_text, self_destruct=True)


def _as_text(kind: pa.DataType) -> pd.api.extensions.ExtensionDtype | None:
    import pandas as pd

    return pd.StringDtype("pyarrow", na_value=float("nan")) if pa.types.is_string(kind) or pa.types.is_large_string(kind) \
        else None  # pandas' own `str`
