"""Row selection through Arrow (`sheetsync.runtime.frames`) gives what pandas' own selection gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetsync.runtime.frames import counts, repeats, rows_where, series_where


def _frame() -> pd.DataFrame:
    index = [10, 11, 12, 13, 14, 15]
    return pd.DataFrame(
        {
            "text": pd.Series(["甲", None, "丙", "=1+1", "", "戊"], dtype="str", index=index),
            "number": [1.5, np.nan, 3.0, 4.0, 5.0, 6.0],
            "mixed": pd.Series([1, "b", None, 4.5, "e", "f"], dtype=object, index=index),
            "count": np.arange(6, dtype=np.int64),
            "text2": pd.Series(["a", "b", None, "d", "e", "f"], dtype="str", index=index),
        },
        index=index,
    )


@pytest.mark.parametrize("as_series", [False, True])
def test_rows_where_matches_pandas(as_series: bool) -> None:
    frame = _frame()
    mask = np.array([True, True, False, True, False, True])
    got = rows_where(frame, pd.Series(mask, index=frame.index) if as_series else mask)
    pd.testing.assert_frame_equal(got, frame[mask])
    assert got["text"].dtype == frame["text"].dtype
    assert got["text"].isna().tolist() == [False, True, False, False]
    assert [type(got[c].array) for c in got.columns] == [type(frame[c].array) for c in frame.columns]


def test_rows_where_keeps_repeated_column_names() -> None:
    frame = pd.DataFrame([["a", "b"], ["c", "d"], ["e", "f"]], columns=["x", "x"]).astype("str")
    got = rows_where(frame, np.array([False, True, True]))
    assert list(got.columns) == ["x", "x"]
    assert got.to_numpy().tolist() == [["c", "d"], ["e", "f"]]
    assert got.index.tolist() == [1, 2]


def test_rows_where_is_a_new_frame() -> None:
    frame = _frame()
    got = rows_where(frame, np.ones(len(frame), dtype=bool))
    got.loc[10, "text"] = "changed"
    assert frame.loc[10, "text"] == "甲"


def test_nothing_kept_and_wrong_length() -> None:
    frame = _frame()
    empty = rows_where(frame, np.zeros(len(frame), dtype=bool))
    assert empty.shape == (0, frame.shape[1]) and list(empty.dtypes) == list(frame.dtypes)
    with pytest.raises(ValueError):
        rows_where(frame, np.ones(3, dtype=bool))


def test_series_where() -> None:
    series = pd.Series(["a", None, "c"], dtype="str", index=[5, 6, 7], name="phone")
    got = series_where(series, np.array([False, True, True]))
    pd.testing.assert_series_equal(got, series[[False, True, True]])
    lines = pd.Series([3, 4, 5], index=[5, 6, 7])
    pd.testing.assert_series_equal(series_where(lines, np.array([True, False, True])), lines[[True, False, True]])


def test_a_column_of_many_pieces_comes_out_in_one() -> None:
    import pyarrow as pa

    pieces = pa.chunked_array([pa.array(["a", None], pa.large_string()), pa.array(["c", "d"], pa.large_string())])
    frame = pd.DataFrame({"text": pd.array(pieces, dtype="str")})
    got = rows_where(frame, np.array([True, True, False, True]))
    assert got["text"].tolist()[0] == "a" and got["text"].tolist()[2:] == ["d"] and got["text"].isna().tolist()[1]
    assert pa.chunked_array(pa.array(got["text"].array)).num_chunks == 1


def test_an_emptied_frame_keeps_its_columns_and_none_of_the_memory() -> None:
    import pyarrow as pa

    from sheetsync.runtime.frames import emptied

    frame = pd.DataFrame({"text": pd.Series(["文三路一号"] * 100_000, dtype="str"), "n": np.arange(100_000)},
                         index=pd.Index([f"K{i}" for i in range(100_000)], dtype="str"))
    sliced = frame.iloc[:0]
    held = pa.chunked_array(pa.array(sliced["text"].array)).chunks
    assert sum(b.size for c in held for b in c.buffers() if b is not None) > 500_000  # why `emptied` exists
    empty = emptied(frame)
    assert empty.shape == (0, 2) and list(empty.columns) == ["text", "n"] and list(empty.dtypes) == list(frame.dtypes)
    kept = pa.chunked_array(pa.array(empty["text"].array)).chunks
    assert sum(b.size for c in kept for b in c.buffers() if b is not None) < 1_000
    assert empty.index.dtype == frame.index.dtype and len(empty.index) == 0
    repeated = pd.DataFrame([["a", "b"]], columns=["x", "x"]).astype("str")
    assert list(emptied(repeated).columns) == ["x", "x"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", "c", "键", ""])), max_size=40))
def test_repeats_count_and_rank_every_value_as_pandas_does(values: list[str | None]) -> None:
    keys = pd.Series(values, dtype="str")
    count, rank = repeats(keys)
    present = keys.notna().to_numpy()
    assert ((count > 1) == (present & keys.duplicated(keep=False).to_numpy())).all()
    assert (count[~present] == 0).all() and (rank[~present] == 0).all()
    expected = keys.groupby(keys, sort=False).cumcount().reindex(keys.index).fillna(0).to_numpy(dtype=np.int64)
    assert rank.tolist() == expected.tolist()
    assert count[present].tolist() == keys[present].map(keys.value_counts()).tolist()
    half = len(values) // 2  # a column of two pieces (a concatenation's Arrow chunks), and one not of text
    pieces = pd.concat([keys.iloc[:half], keys.iloc[half:]], ignore_index=True)
    assert counts(pieces).tolist() == count.tolist() == counts(keys.astype(object)).tolist()


def test_rows_where_can_consume_its_frame_column_by_column() -> None:
    """`consume`: the result is the same, the source frame (every reference to it) has no column left, and
    Arrow's memory ends about where it began, not at twice the table."""
    import pyarrow as pa

    n = 200_000
    frame = pd.DataFrame({f"c{i}": pd.Series([f"value-{j}" for j in range(n)], dtype="str") for i in range(4)})
    frame.columns = ["a", "b", "a", "d"]  # a repeated name is taken like any other
    keep = np.arange(n) % 7 != 0
    expected = rows_where(frame, keep)
    same = frame
    before = pa.total_allocated_bytes()
    out = rows_where(frame, keep, consume=True)
    assert out.equals(expected) and list(out.columns) == ["a", "b", "a", "d"]
    assert same.shape == (n, 0)
    del expected
    assert pa.total_allocated_bytes() < 0.6 * before  # the rows kept (6/13 of before), not the frame beside them too
