"""The condition language: what each operator and function means on real-looking rows, what is
refused at configuration load (with the position), and the DuckDB result held row by row to the
Python reference evaluator on random expressions and tables."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheetsync.conditions import Condition, FieldType, compile_condition, evaluate, evaluate_reference, field_types
from sheetsync.conditions.reference import value_at
from sheetsync.errors import ConfigError
from sheetsync.model.fields import FIELDS, MONEY_FIELDS

DERIVED = {"hours_in_state": FieldType.NUMBER, "is_first_order": FieldType.BOOLEAN}
TYPES = field_types(DERIVED)
ALIASES = {"金额": "amount_payable", "省份": "province"}
Row = Mapping[str, object]


def table(rows: Sequence[Row], *, text_dtype: str = "str") -> pd.DataFrame:
    """Rows as the pipeline carries them: canonical text columns, derived ones as numbers / booleans."""
    frame = pd.DataFrame(list(rows), index=[10 + 3 * i for i in range(len(rows))])
    for column in frame.columns:
        kind = TYPES.get(column, FieldType.TEXT)
        if kind is FieldType.NUMBER:
            frame[column] = frame[column].astype("float64")
        elif kind is not FieldType.BOOLEAN:
            frame[column] = frame[column].astype(text_dtype) if text_dtype == "str" else frame[column].astype(object)
    return frame


def matches(text: str, rows: Sequence[Row], *, text_dtype: str = "str") -> list[bool]:
    """Which rows match, by DuckDB; asserts the reference evaluator agrees on every row."""
    condition = compile_condition(text, name="t", fields=TYPES, lang="en", aliases=ALIASES)
    frame = table(rows, text_dtype=text_dtype)
    got = evaluate(frame, [condition])["t"].tolist()
    assert got == [evaluate_reference(row, condition) is True for row in frame.to_dict("records")]
    return got


def refusal(text: str, lang: str = "en", **kw: object) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        compile_condition(text, name="rules.custom[2] 大额抖音单", fields=TYPES, lang=lang, aliases=ALIASES)  # type: ignore[arg-type]
    assert info.value.exit_code == 2
    return info.value


def col(value: object, field: str = "amount_payable") -> dict[str, object]:
    return {field: value}


MONEY_CASES = [
    ("amount_payable > 2000", ["2000.001", "2000.00", "2000", "2000.000001", "1999.999999"], [True, False, False, True, False]),
    ("amount_payable = 2000", ["2000.00", "2000", "2000.000001", "-2000"], [True, True, False, False]),
    ("amount_payable >= 2000.001", ["2000.001", "2000.0010", "2000.000999"], [True, True, False]),
    ("amount_payable < 0", ["-0.01", "0", "-0", "-5"], [True, False, False, True]),
    ("amount_payable != 5", ["5", "5.000000", "6"], [False, False, True]),
    ("amount_payable <> 5", ["5.00", "4.99"], [False, True]),
    ("amount_payable <= 1234", ["1,234", "¥1234", "1234 ", "abc", "", "1e3", "1234.5", "1234"], [False] * 7 + [True]),
    ("amount_payable * 3 > 20000000", ["6666666.666667", "6666666.666666", "999999999999.999999", "1"],
     [True, False, False, False]),
    ("amount_payable * amount_payable = 1000000", ["1000", "-1000", "999.999999", "1000.000001"], [True, True, False, False]),
    ("amount_payable * 0.5 = 500000", ["999999.999999", "1000000", "1000000.000001"], [True, True, False]),
    ("amount_payable * 0.5 = 0.000001", ["0.000001", "0.000002", "0.000003", "-0.000001"], [True, True, False, False]),
    ("amount_payable / 3 = 333333.333333", ["999999.999999", "1000000", "1000000.000001", "1000000.000003"],
     [True, True, True, False]),
    ("amount_payable / 0.000001 = 10000000", ["10", "10.000001", "999999999999"], [True, False, False]),
    ("1000000 / amount_payable = 0.1", ["10000000", "-10000000", "0", "10000001"], [True, False, False, False]),
    ("amount_payable > 0", ["12.", ".5", "0.0000001", "999999999999.999999", "1000000000000"],
     [False, False, False, True, False]),
]


@pytest.mark.parametrize(("text", "values", "expected"), MONEY_CASES)
def test_money_compares_exactly_and_unreadable_amounts_are_null(text: str, values: list[str], expected: list[bool]) -> None:
    assert matches(text, [col(v) for v in values]) == expected


ROWS: list[dict[str, object]] = [
    {"channel": "抖音", "amount_payable": "6000", "amount_paid": "6000", "province": "浙江省", "address": "西湖区某村 3 号",
     "phone": None, "created_at": "2024-01-05 13:00:00", "paid_at": "2024-01-05 13:02:00", "note": "  a  ",
     "country": "China", "hours_in_state": 4.5, "is_first_order": True},
    {"channel": "淘宝", "amount_payable": "100.01", "amount_paid": "100", "province": "江苏省", "address": "南京市鼓楼区",
     "phone": "13812345678", "created_at": "2024-01-05 00:00:00", "paid_at": "garbage", "note": "it's",
     "country": "china", "hours_in_state": 4.0, "is_first_order": False},
    {"channel": None, "amount_payable": "abc", "amount_paid": None, "province": None, "address": None,
     "phone": "138", "created_at": "2024/01/06", "paid_at": None, "note": "a\\b",
     "country": None, "hours_in_state": math.nan, "is_first_order": None},
    {"channel": "抖音", "amount_payable": "-2.5", "amount_paid": "2.45", "province": "上海市", "address": "村",
     "phone": "", "created_at": "2024-02-30 00:00:00", "paid_at": "2024-01-04 23:59:59", "note": None,
     "country": "CN", "hours_in_state": 12, "is_first_order": True},
]

CASES = [
    ("amount_payable > 5000 AND channel = '抖音'", [True, False, False, False]),
    ("channel = '抖音'", [True, False, False, True]),
    ("channel != '抖音'", [False, True, False, False]),
    ("address LIKE '%村%' AND phone IS NULL", [True, False, False, False]),
    ("address LIKE '%村%'", [True, False, False, True]),
    ("address NOT LIKE '%村%'", [False, True, False, False]),
    ("phone LIKE '138________'", [False, True, False, False]),
    ("country LIKE 'c%'", [False, True, False, False]),
    ("note LIKE 'it''s'", [False, True, False, False]),
    ("note = 'a\\b'", [False, False, True, False]),
    ("province IN ('浙江省','江苏省','上海市')", [True, True, False, True]),
    ("province NOT IN ('浙江省')", [False, True, False, True]),
    ("province NOT IN ('浙江省', NULL)", [False, False, False, False]),
    ("province IN ('浙江省', NULL)", [True, False, False, False]),
    ("amount_payable IN (6000, -2.5)", [True, False, False, True]),
    ("phone IS NULL", [True, False, False, False]),
    ("phone IS NOT NULL", [False, True, True, True]),
    ("NOT (phone = '138')", [False, True, False, True]),
    ("phone = '138' OR amount_payable > 1", [True, True, True, False]),
    ("NOT (phone = '1' AND amount_payable > 1)", [False, True, True, True]),
    ("NOT (phone = '1' OR amount_payable > 1)", [False, False, False, True]),
    ("amount_payable BETWEEN 100 AND 6000", [True, True, False, False]),
    ("amount_payable NOT BETWEEN 100.01 AND 6000", [False, False, False, True]),
    ("created_at > '2024-01-05'", [True, False, False, False]),
    ("created_at >= '2024-01-05 13:00:00'", [True, False, False, False]),
    ("created_at = '2024-01-05'", [False, True, False, False]),
    ("created_at BETWEEN '2024-01-01' AND '2024-01-05 12:59:59'", [False, True, False, False]),
    ("paid_at > created_at", [True, False, False, False]),
    ("created_at IS NULL", [False, False, True, True]),
    ("amount_payable - amount_paid > 0.005", [False, True, False, False]),
    ("amount_paid * 2 = 12000", [True, False, False, False]),
    ("amount_payable / 3 = 2000", [True, False, False, False]),
    ("amount_paid / 3 = 0.816666", [False, False, False, True]),
    ("amount_payable / 0 IS NULL", [True, True, True, True]),
    ("-amount_payable > 0", [False, False, False, True]),
    ("amount_payable + amount_paid = 12000", [True, False, False, False]),
    ("LENGTH(phone) = 11", [False, True, False, False]),
    ("LENGTH(province) = 3", [True, True, False, True]),
    ("LOWER(country) = 'china'", [True, True, False, False]),
    ("UPPER(country) = 'CHINA'", [True, True, False, False]),
    ("TRIM(note) = 'a'", [True, False, False, False]),
    ("COALESCE(phone, '无') = '无'", [True, False, False, False]),
    ("COALESCE(channel, province, '未知') = '未知'", [False, False, True, False]),
    ("ABS(amount_payable) = 2.5", [False, False, False, True]),
    ("ROUND(amount_paid, 1) = 2.5", [False, False, False, True]),
    ("ROUND(amount_payable) = -3", [False, False, False, True]),
    ("ROUND(amount_payable, 2) = 100.01", [False, True, False, False]),
    ("SUBSTR(phone, 1, 3) = '138'", [False, True, True, False]),
    ("SUBSTR(phone, 4) = '12345678'", [False, True, False, False]),
    ("SUBSTR(province, 1, 2) = '浙江'", [True, False, False, False]),
    ("hours_in_state > 4", [True, False, False, True]),
    ("hours_in_state >= 4 AND hours_in_state < 12", [True, True, False, False]),
    ("is_first_order", [True, False, False, True]),
    ("NOT is_first_order", [False, True, False, False]),
    ("is_first_order = FALSE", [False, True, False, False]),
    ("is_first_order IS NULL", [False, False, True, False]),
    ("TRUE", [True, True, True, True]),
    ('"金额" > 100', [True, True, False, False]),
    ("金额 > 100 AND 省份 = '浙江省'", [True, False, False, False]),
    ("Amount_Payable > 100 and not CHANNEL is null", [True, True, False, False]),
    ("postcode IS NULL AND shipped_at IS NULL", [True, True, True, True]),
    ("delivered_at > '2024-01-01' OR carrier = '顺丰'", [False, False, False, False]),
    ("note = '''); DROP TABLE frame; --'", [False, False, False, False]),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_operators_functions_and_nulls_on_real_rows(text: str, expected: list[bool]) -> None:
    assert matches(text, ROWS) == expected


@pytest.mark.parametrize(("text", "expected"), CASES[:12])
def test_object_columns_with_any_missing_marker_read_the_same(text: str, expected: list[bool]) -> None:
    rows = [{k: (pd.NA if v is None and i % 2 else v) for k, v in row.items()} for i, row in enumerate(ROWS)]
    assert matches(text, rows, text_dtype="object") == expected


def test_all_conditions_run_in_one_call_named_and_indexed_like_the_table() -> None:
    conditions = [compile_condition(text, name=f"rule {i}", fields=TYPES, lang="zh") for i, (text, _) in enumerate(CASES[:20])]
    frame = table(ROWS)
    result = evaluate(frame, conditions)
    assert list(result.columns) == [c.name for c in conditions]
    assert list(result.index) == list(frame.index)
    assert (result.dtypes == "bool").all()
    assert [result[c.name].tolist() for c in conditions] == [expected for _, expected in CASES[:20]]
    assert evaluate(frame, []).shape == (4, 0)
    assert evaluate(frame.iloc[:0], conditions).shape == (0, 20)


def test_row_order_survives_a_large_parallel_scan() -> None:
    n = 300_000
    amounts = np.arange(n) % 1000
    frame = pd.DataFrame({"amount_payable": pd.array([f"{a}.5" for a in amounts], dtype="str")})
    got = evaluate(frame, [compile_condition("amount_payable > 499", name="big", fields=TYPES, lang="en")])
    assert np.array_equal(got["big"].to_numpy(), amounts >= 499)


def test_derived_numbers_may_be_integers_and_out_of_range_numbers_are_null() -> None:
    frame = pd.DataFrame({"hours_in_state": pd.array([5, None, 10**14], dtype="Int64")})
    condition = compile_condition("hours_in_state > 4 OR hours_in_state IS NULL", name="late", fields=TYPES, lang="en")
    assert evaluate(frame, [condition])["late"].tolist() == [True, True, True]


def test_cells_of_other_types_are_read_without_crashing() -> None:
    """A datetime64 column (a reader that parsed dates), Decimal derived numbers, a year-999 literal."""
    frame = pd.DataFrame({"created_at": pd.to_datetime(["2024-01-05 13:00:00", None]),
                          "hours_in_state": pd.Series([Decimal("4.000001"), None], dtype=object)})
    condition = compile_condition("created_at > '0999-01-01' AND hours_in_state > 4", name="x", fields=TYPES, lang="en")
    assert evaluate(frame, [condition])["x"].tolist() == [True, False]
    assert [evaluate_reference(row, condition) for row in frame.to_dict("records")] == [True, None]


def test_nesting_is_fine_until_it_is_absurd() -> None:
    assert compile_condition("(" * 30 + "phone IS NULL" + ")" * 30, name="x", fields=TYPES, lang="en").fields == {"phone"}
    assert "nests parentheses or NOT too deeply" in refusal("(" * 200 + "phone IS NULL" + ")" * 200).message


def test_every_canonical_field_can_be_named() -> None:
    for field, (kind, _) in FIELDS.items():
        condition = compile_condition(f"{field} IS NULL", name=field, fields=TYPES, lang="en")
        assert condition.fields == {field}
        assert (field in MONEY_FIELDS) == (TYPES[field] is FieldType.MONEY) and kind.value == TYPES[field].value


def test_text_the_user_typed_never_appears_in_the_sql() -> None:
    condition = compile_condition("note = 'x'' OR 1=1 --' AND \"金额\" > 5", name="t", fields=TYPES, lang="en", aliases=ALIASES)
    assert "1=1" not in condition.sql and "金额" not in condition.sql
    assert condition.params == ("x' OR 1=1 --",)


def test_derived_field_cannot_shadow_a_canonical_one() -> None:
    with pytest.raises(ValueError, match="canonical"):
        field_types({"phone": FieldType.NUMBER})


REFUSALS = [
    ("amount_payable > 5000 AND amont > 1", "unknown field 'amont' (the fields are: order_id, channel,", 27),
    ("SYSTEM('ls')", "function SYSTEM is not supported", 1),
    ("phone = '1' OR __import__('os')", "function __import__ is not supported", 16),
    ("read_csv('x') IS NULL", "function read_csv is not supported", 1),
    ("(SELECT 1)", "SELECT is not allowed", 2),
    ("phone IN (SELECT phone)", "SELECT is not allowed", 11),
    ("EXISTS(SELECT 1)", "function EXISTS is not supported", 1),
    ("a.b = 1", "a.b is not allowed", 1),
    ("phone = orders.phone", "orders.phone is not allowed", 9),
    ("*", "* is not allowed", 1),
    ("CAST(amount_payable AS INT) > 1", "function CAST is not supported", 1),
    ("amount_payable::DOUBLE > 1", "function CAST is not supported", 1),
    ("phone = '1'; DROP TABLE t", "write one condition, without ';'", 12),
    ("phone = '1';", "write one condition, without ';'", 12),
    ("phone = '1' AND", "incomplete", 13),
    ("phone = '1' phone", "syntax error near 'phone'", 13),
    ("amount_payable > 'abc'", "the two sides of '>' have different types: a number and text", 18),
    ("created_at > 'not a date'", "'not a date' is not a date and time", 14),
    ("", "the condition is empty", 1),
    ("   ", "the condition is empty", 1),
    ("-- nothing", "the condition is empty", 1),
    ("amount_payable + 1", "a condition must be true or false; this one gives a number", 1),
    ("phone", "a condition must be true or false; this one gives text", 1),
    ("phone = 138", "the two sides of '=' have different types: text and a number", 9),
    ("phone = NULL", "'=' with NULL is never true", 9),
    ("is_first_order > FALSE", "true/false cannot be ordered with '>'", 1),
    ("LENGTH(amount_payable) > 1", "'LENGTH' needs text, not a number", 8),
    ("amount_payable * '2' > 1", "'*' needs a number, not text", 18),
    ("phone AND is_first_order", "'AND' needs true/false, not text", 1),
    ("phone || 'x' = 'y'", "|| is not allowed", 7),
    ("SUM(amount_payable) OVER () > 1", "OVER is not allowed", 21),
    ("amount_payable % 2 = 1", "% is not allowed", 16),
    ("ROUND(amount_payable, 7) > 1", "argument 2 of ROUND must be a whole number from 0 to 6", 23),
    ("SUBSTR(phone, 0, 2) = '1'", "argument 2 of SUBSTR must be a whole number from 1", 15),
    ("SUBSTR(phone, amount_payable) = '1'", "argument 2 of SUBSTR must be a whole number", 15),
    ("phone = 'abc", "a quote or a comment is not closed", 9),
    ('"phone = 1', "a quote or a comment is not closed", 1),
    ("amount_payable > 1e20", "the number 1e20 is out of range", 18),
    ("amount_payable > 0.0000001", "out of range", 18),
    ("phone LIKE 'a' ESCAPE '!'", "ESCAPE is not allowed", 16),
    ("phone IS TRUE", "IS is not allowed", 7),
    ("phone = ?", "? is not allowed", 9),
    ("phone = $1", "unknown field '$1'", 9),
    ("LOWER(phone, 'x') = 'a'", "wrong arguments to LOWER", 17),
    ("TRIM(BOTH 'x' FROM phone) = 'a'", "wrong arguments to TRIM", 1),
    ('"AMOUNT_PAYABLE" > 1', "unknown field 'AMOUNT_PAYABLE'", 1),
    ("amount_payable IN ()", "incomplete", 16),
    ("phone = x'41'", "syntax error near ''41''", 10),
]


@pytest.mark.parametrize(("text", "problem", "column"), REFUSALS)
def test_refused_at_compile_time_with_the_position(text: str, problem: str, column: int) -> None:
    error = refusal(text)
    assert problem in error.message
    assert f"at column {column}:" in error.message
    head, line, caret = error.message.split("\n")
    assert head.startswith("rule 'rules.custom[2] 大额抖音单': ")
    assert line == "  " + text.split("\n")[0]
    assert caret == " " * (column + 1) + "^"


def test_chinese_message_points_under_the_unknown_field_and_suggests_the_right_one() -> None:
    error = refusal("省份 = '浙江省' AND amont > 1", lang="zh")
    assert error.message == (
        "规则 'rules.custom[2] 大额抖音单' 的条件有误（第 16 列）：未知字段 'amont'（可用字段："
        + ", ".join([*TYPES, *ALIASES]) + "）\n"
        "  省份 = '浙江省' AND amont > 1\n"
        "  " + " " * 20 + "^"
    )
    assert error.hint == "是不是想写 amount_paid？"


def test_a_multi_line_condition_reports_line_and_column() -> None:
    error = refusal("amount_payable > 5000\n  AND amont > 1")
    assert "at line 2, column 7:" in error.message
    assert error.message.endswith("\n    AND amont > 1\n        ^")


# property: DuckDB equals the reference evaluator on random expressions and tables ------------------

PROPERTY_TYPES = {"t1": FieldType.TEXT, "t2": FieldType.TEXT, "m1": FieldType.MONEY, "m2": FieldType.MONEY,
                  "d1": FieldType.DATETIME, "d2": FieldType.DATETIME, "n1": FieldType.NUMBER, "b1": FieldType.BOOLEAN}
ALPHABET = "aAb村 %_'\\"
text_cells = st.sampled_from(["", "a", "A", " a ", "ab", "村", "浙江省", "%", "_", "it's", "a\\b"]) | st.text(
    ALPHABET, max_size=4)
money_cells = st.sampled_from(["0", "-0", "2000", "2000.00", "2000.001", "-5.5", "0.000001", "999999999999.999999",
                               "-999999999999.999999", "abc", "1,234", "", "1e3", " 12", "12.", ".5", "1.0000001",
                               "1000000000000", "３"]) | st.decimals(-3000, 3000, places=3).map(str) | st.decimals(
    -10, 10, places=6).map("{:f}".format) | st.decimals(-(10**12) + 1, 10**12 - 1, places=6).map("{:f}".format)
datetime_cells = st.sampled_from(["2024-01-05 00:00:00", "2024-01-05 13:00:00", "2024-02-29 23:59:59",
                                  "2023-02-29 00:00:00", "2024-01-05", "2024-01-05 24:00:00", "0999-01-01 00:00:00",
                                  "2024-01-05T13:00:00", "garbage", ""]) | st.datetimes(
    min_value=pd.Timestamp("2023-12-30").to_pydatetime(), max_value=pd.Timestamp("2024-01-10").to_pydatetime()
).map(lambda d: d.strftime("%Y-%m-%d %H:%M:%S"))
number_cells = st.integers(-10**6, 10**6).map(lambda i: i / 1000) | st.just(math.nan)


def _row() -> st.SearchStrategy[dict[str, object]]:
    maybe = lambda s: st.none() | s  # noqa: E731
    return st.fixed_dictionaries({
        "t1": maybe(text_cells), "t2": maybe(text_cells), "m1": maybe(money_cells), "m2": maybe(money_cells),
        "d1": maybe(datetime_cells), "d2": maybe(datetime_cells), "n1": number_cells, "b1": st.sampled_from([True, False, None]),
    })


def _quoted(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


text_literal = st.text(ALPHABET, max_size=3).map(_quoted)
number_literal = st.sampled_from(["0", "2000", "2000.001", "0.5", "1e3", "3", "999999999999"]) | st.one_of(
    st.decimals(-3000, 3000, places=3), st.decimals(-10, 10, places=6), st.decimals(-(10**7), 10**7, places=6)
).map(lambda d: f"({d:f})")
datetime_literal = st.sampled_from(["'2024-01-05'", "'2024-01-05 13:00:00'", "'2023-12-31 23:59:59'", "'20240106'"])

text_expr = st.recursive(
    st.sampled_from(["t1", "t2"]) | text_literal,
    lambda inner: st.one_of(
        inner.map("LOWER({})".format), inner.map("UPPER({})".format), inner.map("TRIM({})".format),
        st.tuples(inner, st.integers(1, 4), st.integers(0, 3)).map(lambda a: f"SUBSTR({a[0]}, {a[1]}, {a[2]})"),
        st.tuples(inner, st.integers(1, 4)).map(lambda a: f"SUBSTR({a[0]}, {a[1]})"),
        st.tuples(inner, inner).map(lambda a: f"COALESCE({a[0]}, {a[1]})"),
    ),
    max_leaves=3,
)
number_expr = st.recursive(
    st.sampled_from(["m1", "m2", "n1"]) | number_literal | text_expr.map("LENGTH({})".format),
    lambda inner: st.one_of(
        *[st.tuples(inner, st.just(op), inner).map(lambda a: f"({a[0]} {a[1]} {a[2]})") for op in "+-*/"],
        inner.map("ABS({})".format), inner.map("-({})".format),
        st.tuples(inner, st.integers(0, 6)).map(lambda a: f"ROUND({a[0]}, {a[1]})"), inner.map("ROUND({})".format),
        st.tuples(inner, inner).map(lambda a: f"COALESCE({a[0]}, {a[1]})"),
    ),
    max_leaves=4,
)
datetime_expr = st.sampled_from(["d1", "d2", "COALESCE(d1, '2024-01-05')", "COALESCE(d2, d1)"])
comparison = st.sampled_from(["=", "!=", "<>", "<", "<=", ">", ">="])


def _atoms() -> st.SearchStrategy[str]:
    cmp = lambda left, right: st.tuples(left, comparison, right).map(" ".join)  # noqa: E731
    lists = lambda items: st.lists(items, min_size=1, max_size=3).map(", ".join)  # noqa: E731
    return st.one_of(
        cmp(number_expr, number_expr), cmp(text_expr, text_expr),
        cmp(datetime_expr, datetime_expr | datetime_literal), cmp(datetime_literal, datetime_expr),
        st.tuples(number_expr, st.sampled_from(["IN", "NOT IN"]), lists(number_literal | st.just("NULL") | number_expr)).map(
            lambda a: f"{a[0]} {a[1]} ({a[2]})"),
        st.tuples(text_expr, st.sampled_from(["IN", "NOT IN"]), lists(text_literal | st.just("NULL") | text_expr)).map(
            lambda a: f"{a[0]} {a[1]} ({a[2]})"),
        st.tuples(datetime_expr, st.sampled_from(["IN", "NOT IN"]), lists(datetime_literal)).map(
            lambda a: f"{a[0]} {a[1]} ({a[2]})"),
        st.tuples(text_expr, st.sampled_from(["LIKE", "NOT LIKE"]), text_literal | text_expr).map(" ".join),
        st.tuples(number_expr | text_expr | datetime_expr | st.just("b1"), st.sampled_from(["IS NULL", "IS NOT NULL"])).map(
            " ".join),
        st.tuples(number_expr, st.sampled_from(["BETWEEN", "NOT BETWEEN"]), number_expr, number_expr).map(
            lambda a: f"{a[0]} {a[1]} {a[2]} AND {a[3]}"),
        st.tuples(datetime_expr, datetime_literal, datetime_literal).map(lambda a: f"{a[0]} BETWEEN {a[1]} AND {a[2]}"),
        st.sampled_from(["b1", "b1 = TRUE", "b1 <> FALSE", "TRUE", "FALSE"]),
    )


boolean_expr = st.recursive(
    _atoms(),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["AND", "OR"]), inner).map(lambda a: f"({a[0]} {a[1]} {a[2]})"),
        inner.map("NOT ({})".format),
    ),
    max_leaves=3,
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(texts=st.lists(boolean_expr, min_size=1, max_size=3), rows=st.lists(_row(), max_size=10),
       absent=st.sets(st.sampled_from(sorted(PROPERTY_TYPES)), max_size=2), text_dtype=st.sampled_from(["str", "object"]))
def test_duckdb_agrees_with_the_reference_evaluator(texts: list[str], rows: list[dict[str, object]], absent: set[str],
                                                     text_dtype: str) -> None:
    conditions = [compile_condition(text, name=f"c{i}", fields=PROPERTY_TYPES, lang="en") for i, text in enumerate(texts)]
    frame = _property_frame(rows, absent, text_dtype)
    got = evaluate(frame, conditions)
    records = frame.to_dict("records")
    for condition in conditions:
        expected = [evaluate_reference(record, condition) is True for record in records]
        assert got[condition.name].tolist() == expected, condition.text


def _literal(value: object) -> str:
    if isinstance(value, Decimal):
        return f"({value})"
    return _quoted(str(value))


def _property_frame(rows: list[dict[str, object]], absent: set[str], text_dtype: str) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(PROPERTY_TYPES)).drop(columns=sorted(absent))
    for name in frame.columns:
        if PROPERTY_TYPES[name] is FieldType.NUMBER:
            frame[name] = frame[name].astype("float64")
        elif PROPERTY_TYPES[name] is not FieldType.BOOLEAN:
            frame[name] = frame[name].astype(text_dtype)
    return frame


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(expression=number_expr | text_expr, rows=st.lists(_row(), min_size=1, max_size=8),
       absent=st.sets(st.sampled_from(sorted(PROPERTY_TYPES)), max_size=1), text_dtype=st.sampled_from(["str", "object"]))
def test_duckdb_computes_the_reference_value_exactly(expression: str, rows: list[dict[str, object]], absent: set[str],
                                                     text_dtype: str) -> None:
    """Row i is probed with `expression = <the reference's value on row i>`: it must hold there, exactly."""
    frame = _property_frame(rows, absent, text_dtype)
    records = frame.to_dict("records")
    plan = compile_condition(f"({expression}) IS NULL", name="v", fields=PROPERTY_TYPES, lang="en").plan
    values = [value_at(plan, plan.tree.this, record) for record in records]
    probes = [f"({expression}) IS NULL" if value is None else f"({expression}) = {_literal(value)}" for value in values]
    conditions = [compile_condition(probe, name=f"row{i}", fields=PROPERTY_TYPES, lang="en") for i, probe in enumerate(probes)]
    got = evaluate(frame, conditions)
    assert [bool(got.iloc[i, i]) for i in range(len(records))] == [True] * len(records), list(zip(probes, values, strict=True))


def test_reference_keeps_sql_null_apart_from_false() -> None:
    condition: Condition = compile_condition("phone = '1' AND amount_payable > 1", name="t", fields=TYPES, lang="en")
    assert evaluate_reference({"phone": None, "amount_payable": "2"}, condition) is None
    assert evaluate_reference({"phone": None, "amount_payable": "0"}, condition) is False
    assert evaluate_reference({"phone": "1", "amount_payable": "2"}, condition) is True
