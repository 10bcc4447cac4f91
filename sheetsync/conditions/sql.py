"""Checked conditions as DuckDB SQL, and all of them run in one query over the table.

The SQL is written from the checked tree: identifiers are the canonical field names,
quoted; text literals travel as parameters; numbers and date-times are re-rendered
from their parsed values.  Nothing the user typed reaches DuckDB as SQL text.
Numbers are DECIMAL(18,6) (|x| < 10**12, 6 places: an int64) at every step, so money compares
exactly; an arithmetic result out of range, or a division by zero, is NULL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
from sqlglot import exp

from sheetsync.conditions.check import ARITHMETIC, COMPARISONS, DATETIME_PATTERN, NUMBER_PATTERN, FieldType, Plan
from sheetsync.model.values import text_or_none
from sheetsync.runtime.textsql import connect

DECIMAL: Final = "DECIMAL(18,6)"
SQL_TYPES: Final = {FieldType.TEXT: "VARCHAR", FieldType.MONEY: DECIMAL, FieldType.NUMBER: DECIMAL,
                    FieldType.DATETIME: "TIMESTAMP", FieldType.BOOLEAN: "BOOLEAN"}
_WIDE: Final = "DECIMAL(38,6)"
_PRODUCT: Final = f"TRY_CAST(CAST({{a}} AS {_WIDE}) * {{b}} AS {DECIMAL})"
_QUOTIENT: Final = (f"(CAST(CAST({{a}} AS {_WIDE}) * 1000000 AS HUGEINT) * 1000000)"
                    f" // NULLIF(CAST(CAST({{b}} AS {_WIDE}) * 1000000 AS HUGEINT), 0)")
_FAST_PRODUCT: Final = (f"CAST((CASE WHEN abs(CAST({{a}} AS DOUBLE) * CAST({{b}} AS DOUBLE)) < 990000 THEN {{a}} END) * {{b}}"
                        f" AS {DECIMAL})")
_FAST_QUOTIENT: Final = ("(CAST((CASE WHEN {small} THEN {a} END) * 1000000 AS BIGINT) * 1000000)"
                         " // NULLIF(CAST((CASE WHEN {small} THEN {b} END) * 1000000 AS BIGINT), 0)")
_SCALED: Final = f"CAST(TRY_CAST({{q}} AS DECIMAL(18,0)) * CAST('0.000001' AS DECIMAL(7,6)) AS {DECIMAL})"
"""a * b rounds half away from zero at 6 places; a / b is taken on integers scaled by 10**6 and cut toward
zero (DuckDB's decimal division gives a DOUBLE).  Both are exact in DECIMAL(38,6) / HUGEINT, but DuckDB's
int128 rescaling costs ~0.4 s per million rows.  DuckDB types DECIMAL(18,6) * DECIMAL(18,6) as
DECIMAL(18,12) and DECIMAL(18,6) * 1000000 as DECIMAL(18,6), in int64, raising on overflow; so where the
operands are columns or literals, the rows whose operands are small enough that those cannot overflow
(|a * b| < 990000 checked in DOUBLE, |a|, |b| < 10**6) take the int64 form, and the wide form does the
rest.  No TRY(): DuckDB may hoist a repeated subexpression out of it (NULLIF repeats its argument).
Sums are widened too: DuckDB 1.4 keeps DECIMAL(18,6) - constant in DECIMAL(18) and raises."""


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def to_sql(plan: Plan) -> tuple[str, tuple[str, ...]]:
    """The condition as a DuckDB boolean expression over the prepared columns, and its parameters in order."""
    params: list[str] = []
    return _Writer(plan, params).sql(plan.tree), tuple(params)


class _Writer:
    def __init__(self, plan: Plan, params: list[str]) -> None:
        self.plan, self.params = plan, params

    def sql(self, node: exp.Expr) -> str:
        s, cls = self.sql, type(node)
        if cls is exp.Paren:
            return s(node.this)
        if cls in (exp.And, exp.Or):
            return f"({s(node.this)} {'AND' if cls is exp.And else 'OR'} {s(node.expression)})"
        if cls is exp.Not:
            return f"(NOT {s(node.this)})"
        if cls in COMPARISONS:
            return f"({s(node.this)} {COMPARISONS[cls]} {s(node.expression)})"
        if cls is exp.Between:
            return f"({s(node.this)} BETWEEN {s(node.args['low'])} AND {s(node.args['high'])})"
        if cls is exp.In:
            return f"({s(node.this)} IN ({', '.join(s(item) for item in node.expressions)}))"
        if cls is exp.Like:
            return f"({s(node.this)} {'NOT LIKE' if node.args.get('negate') else 'LIKE'} {s(node.expression)})"
        if cls is exp.Is:
            return f"({s(node.this)} {'IS NOT NULL' if node.args.get('negate') else 'IS NULL'})"
        if cls in (exp.Mul, exp.Div):
            return self.product(node)
        if cls in ARITHMETIC:
            return f"TRY_CAST((CAST({s(node.this)} AS {_WIDE}) {ARITHMETIC[cls]} {s(node.expression)}) AS {DECIMAL})"
        if cls is exp.Neg:
            return f"(-{s(node.this)})"
        if cls is exp.Column:
            return quote(self.plan.columns[id(node)])
        if cls in (exp.Literal, exp.Boolean):
            return self.constant(self.plan.constants[id(node)])
        if cls is exp.Null:
            kind = self.plan.types.get(id(node))
            return f"CAST(NULL AS {SQL_TYPES[kind]})" if kind else "NULL"
        return self.function(node)

    def product(self, node: exp.Expr) -> str:
        a, b = self.sql(node.this), self.sql(node.expression)
        slow, fast = (_PRODUCT, _FAST_PRODUCT) if isinstance(node, exp.Mul) else (_QUOTIENT, _FAST_QUOTIENT)
        value = slow.format(a=a, b=b)
        if _leaf(node.this) and _leaf(node.expression):
            small = f"abs({a}) < 1000000 AND abs({b}) < 1000000"
            value = f"COALESCE({fast.format(a=a, b=b, small=small)}, {value})"
        return value if isinstance(node, exp.Mul) else _SCALED.format(q=value)

    def function(self, node: exp.Expr) -> str:
        s = self.sql
        if isinstance(node, exp.Coalesce):
            return f"COALESCE({', '.join(s(arg) for arg in [node.this, *node.expressions])})"
        if isinstance(node, exp.Abs):
            return f"abs({s(node.this)})"
        if isinstance(node, exp.Round):
            decimals = node.args.get("decimals")
            return f"TRY_CAST(round({s(node.this)}, {s(decimals) if decimals else 0}) AS {DECIMAL})"
        if isinstance(node, exp.Length):
            return f"CAST(length({s(node.this)}) AS {DECIMAL})"
        if isinstance(node, exp.Substring):
            length = node.args.get("length")
            return f"substring({s(node.this)}, {s(node.args['start'])}{', ' + s(length) if length else ''})"
        names: dict[type[exp.Expr], str] = {exp.Lower: "lower", exp.Upper: "upper", exp.Trim: "trim"}
        return f"{names[type(node)]}({s(node.this)})"

    def constant(self, value: object) -> str:
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, int):
            return str(value)
        if isinstance(value, Decimal):
            return f"CAST('{value:f}' AS {DECIMAL})"
        if isinstance(value, dt.datetime):
            return f"TIMESTAMP '{value.isoformat(sep=' ', timespec='seconds')}'"
        self.params.append(str(value))
        return "CAST(? AS VARCHAR)"


def _leaf(node: exp.Expr) -> bool:
    """A column, a number or NULL (maybe negated): cheap to write twice, and never a text parameter."""
    while isinstance(node, exp.Paren | exp.Neg):
        node = node.this
    return isinstance(node, exp.Column | exp.Literal | exp.Null)


def run(frame: pd.DataFrame, conditions: Sequence[tuple[str, tuple[str, ...]]],
        fields: Mapping[str, FieldType]) -> list[np.ndarray]:
    """One boolean array per (sql, params), NULL as False: one DuckDB query, one scan of `fields`' columns."""
    arrays: list[pa.Array | pa.ChunkedArray] = []
    prepared: list[str] = []
    for field, kind in fields.items():
        if field not in frame.columns:
            prepared.append(f"CAST(NULL AS {SQL_TYPES[kind]}) AS {quote(field)}")
            continue
        column, numeric = _arrow(frame[field], kind)
        arrays.append(column)
        prepared.append(f"{_prepare(quote(f'c{len(arrays) - 1}'), kind, numeric)} AS {quote(field)}")
    if not arrays:
        arrays.append(pa.nulls(len(frame), pa.bool_()))
    table = pa.Table.from_arrays(arrays, names=[f"c{i}" for i in range(len(arrays))])
    outputs = ", ".join(f"COALESCE({sql}, FALSE) AS {quote(f'r{i}')}" for i, (sql, _) in enumerate(conditions))
    query = f"SELECT {outputs} FROM (SELECT {', '.join(prepared) or '1 AS one'} FROM frame)"
    params = [p for _, condition_params in conditions for p in condition_params]
    with connect(enable_external_access=False) as con:
        con.register("frame", table)
        result = con.execute(query, params).fetchnumpy()
    return [np.asarray(result[f"r{i}"], dtype=bool) for i in range(len(conditions))]


def _prepare(column: str, kind: FieldType, numeric: bool) -> str:
    """A cell read as its type: text that is not in canonical form becomes NULL."""
    if kind is FieldType.DATETIME:
        return f"CASE WHEN regexp_full_match({column}, '{DATETIME_PATTERN}') THEN TRY_CAST({column} AS TIMESTAMP) END"
    if kind in (FieldType.MONEY, FieldType.NUMBER) and not numeric:
        return f"CASE WHEN regexp_full_match({column}, '{NUMBER_PATTERN}') THEN CAST({column} AS {DECIMAL}) END"
    if kind is FieldType.NUMBER:
        return f"TRY_CAST({column} AS {DECIMAL})"
    return column


def _arrow(column: pd.Series, kind: FieldType) -> tuple[pa.Array | pa.ChunkedArray, bool]:
    """The column as Arrow (zero-copy for `str` columns) and whether it holds numbers rather than text."""
    if kind is FieldType.BOOLEAN:
        return pa.array(column, type=pa.bool_(), from_pandas=True), False
    if kind is FieldType.NUMBER and not isinstance(column.dtype, pd.StringDtype):
        try:
            numbers = pa.array(column, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            numbers = None
        if numbers is not None and (pa.types.is_integer(numbers.type) or pa.types.is_floating(numbers.type)
                                    or pa.types.is_decimal(numbers.type)):
            return numbers, True
    if isinstance(column.dtype, pd.StringDtype):
        return pa.array(column), False
    try:
        return pa.array(column, type=pa.large_string(), from_pandas=True), False
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([text_or_none(v) for v in column], type=pa.large_string()), False

