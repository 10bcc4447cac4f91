"""Rows encoded by DuckDB decode to exactly the values they came from, for any text."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetsync.journal.created import _decoded, documents, parts
from sheetsync.runtime.jsonrows import json_lists, json_objects, row_batches
from sheetsync.steps.diff import created, created_record

cells = st.one_of(st.none(), st.text(st.characters(blacklist_categories=["Cs"]), max_size=12),
                  st.sampled_from(['"a":null', '="0123"', "a\\b", 'say "hi"', "line\nbreak\r\t", "\x01\x1f", "浙江省 杭州市"]))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(cells, cells, cells), min_size=1, max_size=20))
def test_lists_and_objects_decode_to_the_values(rows: list[tuple[str | None, ...]]) -> None:
    frame = pd.DataFrame(rows, columns=["a", "b 字段", "c"], dtype="str")
    plain = [tuple(None if pd.isna(v) else v for v in row) for row in frame.itertuples(index=False)]
    assert [json.loads(text) for text in json_lists(frame, list(frame.columns))] == [list(row) for row in plain]
    objects = [json.loads(text) for text in json_objects(frame, list(frame.columns))]
    expected = [{f: v for f, v in zip(frame.columns, row, strict=True) if v is not None} for row in plain]
    assert objects == expected
    assert [list(o) for o in objects] == [list(e) for e in expected]  # the fields in order


def test_object_columns_and_empty_frames() -> None:
    frame = pd.DataFrame({"n": pd.Series([1, None], dtype=object), "s": pd.Series(["x", None], dtype=object)})
    assert json_lists(frame, ["n", "s"]) == ['["1","x"]', "[null,null]"]
    assert json_objects(frame, ["n", "s"]) == ['{"n":"1","s":"x"}', "{}"]
    assert json_lists(frame.iloc[:0], ["n"]) == []


def test_column_cells_are_made_a_chunk_at_a_time_and_read_like_a_list() -> None:
    from sheetsync.model.values import ColumnCells, cell_values

    column = pd.Series([None if i % 5 == 0 else f"2026-01-{1 + i % 28:02d} 08:00:00" for i in range(20_000)], dtype="str")
    cells, plain = ColumnCells("created_at", column), cell_values("created_at", column)
    assert len(cells) == len(plain) and list(cells) == plain
    assert cells[8190:8200] == plain[8190:8200] and cells[19_999] == plain[-1] and cells[-1] == plain[-1]
    assert cells[:20_000] == plain and cells[5:50:7] == plain[5:50:7]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(cells, cells, st.one_of(st.none(), st.sampled_from(["douyin", "淘宝"]))), min_size=1, max_size=30),
       st.integers(1, 7))
def test_new_rows_entries_encoded_by_duckdb_are_the_ones_made_one_by_one(
        rows: list[tuple[str | None, str | None, str | None]], batch: int) -> None:
    frame = pd.DataFrame([(f"SS{i}", a, b) for i, (a, b, _) in enumerate(rows)], columns=["order_id", "note", "地址"],
                         dtype="str").set_axis(range(5, 5 + len(rows)))
    who = {5 + i: channel for i, (_, _, channel) in enumerate(rows) if channel}
    one_by_one = [[c.order_id, c.field, c.old, json.loads(c.new or ""), c.source, c.detail] for c in created(frame, who)]
    record = created_record(frame, who)  # as the journal keeps them: ids by channel, values in Arrow blocks
    values: dict[str, dict[str, str | None]] = {}
    for _, _, data in parts(record):
        values.update(documents(_decoded(data.to_pybytes(), None)))
    blocks = [[oid, "*", None, values[oid], "channel" if channel else "tool", channel]
              for channel, ids in record.id_batches() for oid in json.loads(ids)]
    assert sorted(blocks, key=lambda e: str(e[0])) == sorted(one_by_one, key=lambda e: str(e[0]))
    keep = np.array([i % 2 == 0 for i in range(len(rows))])
    kept = [row for part in row_batches(frame, list(frame.columns), "json_array(c0, c1, c2)", keep=keep, batch=batch)
            for row in json.loads(part)]
    assert kept == [json.loads(text) for text in json_lists(frame[keep], list(frame.columns))]


def test_duckdb_connections_never_draw_a_progress_bar_on_stdout() -> None:
    """DuckDB draws a progress bar on stdout for queries over two seconds: it broke `import --json`."""
    from sheetsync.runtime.textsql import connect

    with connect(threads=1) as con:
        assert con.execute("SELECT current_setting('enable_progress_bar')").fetchone() == (False,)
    package = Path(__file__).parent.parent / "sheetsync"
    direct = [str(p.relative_to(package)) for p in package.rglob("*.py")
              if "duckdb.connect(" in p.read_text(encoding="utf-8") and p.name != "textsql.py"]
    assert direct == [], "every DuckDB connection goes through textsql.connect"
