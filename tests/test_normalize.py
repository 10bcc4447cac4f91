"""Cleaning values of legacy files: dates in every form at once, identifiers turned into floats, amounts."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from sheetsync import normalize

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
