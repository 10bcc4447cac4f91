"""DuckDB over the pipeline's text columns: one vectorised (and multi-threaded) pass over whole rows.

pandas and Arrow work column by column; what needs all the fields of a row at once (its hash, its
JSON snapshot) is a single SQL expression here, run on the Arrow buffers without copying them.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa


def connect(**settings: str | bool | int | float | list[str]) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection as sheetsync uses them (`settings` as DuckDB's config), its progress bar off:
    DuckDB draws one on stdout for a query over two seconds, which broke `sheetsync import --json`."""
    con = duckdb.connect(config=settings)
    con.execute("SET enable_progress_bar = false")
    return con


def select_rows(frame: pd.DataFrame, fields: Sequence[str], expression: str, *, threads: int = 0) -> pa.ChunkedArray:
    """`expression` evaluated on every row of `frame`, in order; it names `fields` as c0, c1, ...

    `threads` > 0 limits DuckDB's threads (for work that runs beside other work)."""
    table = pa.table({f"c{i}": arrow_text(frame[f], large=True) for i, f in enumerate(fields)})
    with connect(**({"threads": threads} if threads else {})) as con:
        con.register("rows_", table)
        return con.sql(f"SELECT {expression} FROM rows_").to_arrow_table().column(0)


def row_hashes(frame: pd.DataFrame, seed: str | None = None) -> np.ndarray:
    """A signed 64-bit hash of each row's values, columns taken in name order (`seed`: text hashed before them)."""
    fields = sorted(frame.columns)
    if not len(frame):
        return np.zeros(0, dtype=np.int64)
    arguments = columns(fields) if seed is None else ", ".join([sql_text(seed), columns(fields)])
    hashed: np.ndarray = select_rows(frame, fields, f"hash({arguments})").to_numpy()
    return hashed.view(np.int64)


def columns(fields: Sequence[str]) -> str:
    """The argument list naming `fields` in `select_rows`: `c0, c1, ...`."""
    return ", ".join(f"c{i}" for i in range(len(fields)))


def sql_text(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def arrow_text(column: pd.Series, *, large: bool = False) -> pa.Array | pa.ChunkedArray:
    """A text column as an Arrow string array; values that are not text are written as text.
    `large` keeps a large_string column as it is (pandas' own buffers, no copy)."""
    try:
        values = pa.array(column.array, from_pandas=True)  # not the Series: see `textops.arrow_of`
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        values = None
    if values is None or not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)
                              or pa.types.is_null(values.type)):
        mask = column.isna().to_numpy()
        values = pa.array([None if m else str(v) for v, m in zip(column.to_numpy(dtype=object), mask, strict=True)],
                          pa.string())
    return values if large and pa.types.is_large_string(values.type) else values.cast(pa.string())


def json_fields(documents: Sequence[str], paths: dict[str, str]) -> dict[str, tuple[list[str | None], list[bool]]]:
    """For each name in `paths` (a JSONPath such as `$[3]` or `$."phone"`), every document's text at
    that path (None for JSON null or nothing there) and whether the path exists in it."""
    if not paths:
        return {}
    table = pa.table({"doc": pa.array(documents, pa.string())})
    names = list(paths)
    selects = [f"json_extract_string(doc, {sql_text(paths[n])}), json_exists(doc, {sql_text(paths[n])})" for n in names]
    with connect() as con:
        con.register("docs_", table)
        out = con.sql(f"SELECT {', '.join(selects)} FROM docs_").to_arrow_table()
    return {n: (out.column(2 * i).to_pylist(), out.column(2 * i + 1).to_pylist()) for i, n in enumerate(names)}
