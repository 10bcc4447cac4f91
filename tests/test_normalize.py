"""Cleaning values of legacy files: dates in every form at once, identifiers turned into floats, amounts."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetsync.model import normalize

NOW = dt.datetime(2026, 11, 23, 9, 0)


def dates(values: list[str | None], day_first: bool = False) -> list[str | None]:
    out, bad = normalize.datetimes(pd.Series(values, dtype="str"), [], NOW, day_first)
    return [None if b else (None if pd.isna(v) else v) for v, b in zip(out, bad, strict=True)]


def test_one_column_of_dates_in_every_form_reads_as_one_date() -> None:
    forms = ["2024/1/5", "2024-01-05 13:00", "20240105", "2024年1月5日", "45296", "1/5/2024", "２０２４／１／５",
             "2024.1.5", "Jan 5, 2024", "5-Jan-2024", "2024/1/5 下午 1:05", "1/5/2024 1:05 PM", "2024-01-05T13:00:00"]
    assert [d[:10] if d else d for d in dates(forms)] == ["2024-01-05"] * len(forms)
    assert dates(["2024/1/5 下午 1:05", "1/5/2024 1:05 PM", "2024-01-05 上午 12:10"]) == [
        "2024-01-05 13:05:00", "2024-01-05 13:05:00", "2024-01-05 00:10:00"]


def test_day_month_order_is_configurable_and_unambiguous_values_need_no_setting() -> None:
    assert dates(["1/5/2024", "05/01/2024 13:00"]) == ["2024-01-05 00:00:00", "2024-05-01 13:00:00"]
    assert dates(["1/5/2024", "05/01/2024 13:00"], day_first=True) == ["2024-05-01 00:00:00", "2024-01-05 13:00:00"]
    assert dates(["13/5/2024", "5/13/2024"]) == ["2024-05-13 00:00:00", "2024-05-13 00:00:00"]
    assert dates(["20.11.2026 09:15"]) == ["2026-11-20 09:15:00"]


def test_dates_that_do_not_exist_are_not_dates() -> None:
    out, bad = normalize.datetimes(pd.Series(["2024/2/30", "2024-13-45", "abc", None, ""], dtype="str"), [], NOW)
    assert bad.tolist() == [True, True, True, False, False]
    assert out.isna().all()


def test_a_million_distinct_times_in_mixed_forms_are_read_vectorised() -> None:
    base = dt.datetime(2023, 1, 1)
    forms = ["%Y/%m/%d %H:%M", "%Y%m%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S"]
    values = [(base + dt.timedelta(minutes=7 * i)).strftime(forms[i % 4]) for i in range(20_000)]
    out, bad = normalize.datetimes(pd.Series(values, dtype="str"), [], NOW)
    assert not bad.any() and out.iloc[0] == "2023-01-01 00:00:00" and out.iloc[3] == "2023-01-01 00:21:00"


@pytest.mark.parametrize("value, restored, lost", [
    ("1.3812345678E+10", "13812345678", False),
    ("13812345678.0", "13812345678", False),
    ("1.38e+10", "1.38e+10", True),
    ("6.93125E+18", "6.93125E+18", True),
    ("1.38123456789E+10", "1.38123456789E+10", True),  # not a whole number: not an identifier
    ("13812345678", "13812345678", False),
    ("XS-001", "XS-001", False),
])
def test_identifiers_stored_as_floats_are_restored_only_where_exact(value: str, restored: str, lost: bool) -> None:
    out, gone = normalize.restore_digits(pd.Series([value], dtype="str"))
    assert (out.iloc[0], bool(gone.iloc[0])) == (restored, lost)


def test_amounts_with_currency_signs_and_thousands_separators() -> None:
    values = ["￥1,299.00", "1,299元", "RMB 88.50", "  256.00  ", "-￥79.80", "$1,299.00", "１２９９", "1.299,00", "(5)"]
    out, bad = normalize.money(pd.Series(values, dtype="str"))
    assert out.tolist()[:8] == ["1299", "1299", "88.5", "256", "-79.8", "1299", "1299", "1299"]
    assert bad.tolist() == [False] * 8 + [True]


def _clean_one(value: str | None) -> str | None:
    """What `clean_text` does, value by value, as Python's own string methods do it."""
    if value is None:
        return None
    value = value.translate({i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)} | {0x3000: 0x20})
    value = re.sub("[\u200b\u200c\u200d\u2060\ufeff]", "", value)
    value = re.sub(r'^\s*="(.*)"\s*\Z', r"\1", value)
    value = value.strip()
    value = value.removeprefix("'").strip()
    return value or None


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(st.sampled_from(
    ["a", "1", "=", '"', "'", " ", "\t", "\n", "\u3000", "\u00a0", "\u2003", "\x1f", "\u200b", "\ufeff", "Ａ", "１",
     "（", "～", "①", "²", "杭", "…"]), max_size=8)), min_size=1, max_size=30))
def test_clean_text_is_what_python_does_value_by_value(values: list[str | None]) -> None:
    found = normalize.clean_text(pd.Series(values, dtype="str"))
    assert [None if pd.isna(v) else v for v in found] == [_clean_one(v) for v in values]


def test_clean_text_of_a_column_in_many_pieces_keeps_every_value_in_place() -> None:
    """A CSV read in blocks gives columns of many Arrow pieces: the cleaned values land where they were."""
    pieces = pa.chunked_array([['="1"', " b ", None], ["ｃ", "d"]], pa.large_string())
    column = pd.Series(pd.array(pieces, dtype="str"), index=[5, 6, 7, 8, 9], name="单号")
    found = normalize.clean_text(column)
    assert found.tolist()[:2] == ["1", "b"] and pd.isna(found.iloc[2]) and found.tolist()[3:] == ["c", "d"]
    assert found.index.tolist() == [5, 6, 7, 8, 9] and found.name == "单号"


@pytest.mark.parametrize("value, expected", [
    ("2024/02/29", "2024-02-29 00:00:00"), ("2023/02/29", None), ("0001/1/1", "0001-01-01 00:00:00"), ("0/1/1", None),
    ("2024-01-05 24:00", None), ("45296.5416667", "2024-01-05 13:00:00"), ("19999", None),
    ("80000", "2119-01-11 00:00:00"), ("80001", None), ("2024-1-5T3:4:5", "2024-01-05 03:04:05"),
    ("5.1.2024", "2024-01-05 00:00:00"), ("20241301", None), ("9999/12/31 23:59:59", "9999-12-31 23:59:59"),
])
def test_the_edges_of_the_vectorised_date_forms(value: str, expected: str | None) -> None:
    """Leap days, the first and last years, the serial-number range, clocks past 23:59 (the texts are
    written digit by digit, so every field is zero-padded)."""
    assert dates([value, "2024/1/5"]) == [expected, "2024-01-05 00:00:00"]
