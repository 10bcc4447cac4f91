"""Rows of a text table as JSON strings, built by DuckDB's JSON functions over the Arrow columns.

A sync of 100,000 new or changed rows writes a JSON snapshot of each into the journal; encoding them
one row at a time with `json.dumps` costs about a second, DuckDB builds the same rows (valid JSON,
text kept as it is, `json.loads` gives the values back exactly) in a fifth of that.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

import pandas as pd
import pyarrow as pa

from .textsql import columns, select_rows, sql_text


def json_lists(frame: pd.DataFrame, fields: Sequence[str]) -> list[str]:
    """Each row's values of `fields` as a JSON list, null where a value is missing."""
    if not len(frame):
        return []
    if not fields:
        return ["[]"] * len(frame)
    return _strings(select_rows(frame, fields, f"json_array({columns(fields)})::VARCHAR", threads=1))


def json_objects(frame: pd.DataFrame, fields: Sequence[str]) -> list[str]:
    """Each row as a JSON object of its non-missing values of `fields`, in that order."""
    if not len(frame):
        return []
    if not fields:
        return ["{}"] * len(frame)
    names = [json.dumps(f, ensure_ascii=False) for f in fields]
    pairs = ", ".join(f"{sql_text(f)}, c{i}" for i, f in enumerate(fields))
    # `"field":null` can only be a key and its missing value: a quote inside a JSON string is escaped
    nulls = "(?:" + "|".join(re.escape(n) for n in names) + "):null"
    dropped = f"regexp_replace(json_object({pairs})::VARCHAR, {sql_text(nulls + ',?')}, '', 'g')"
    # a dropped last pair leaves `,}`; a value's own text never ends the object like that (it ends in `"`)
    return [text[:-2] + "}" if text.endswith(",}") else text for text in _strings(select_rows(frame, fields, dropped, threads=1))]


def _strings(values: pa.ChunkedArray) -> list[str]:
    out: list[str] = values.to_pylist()
    return out



