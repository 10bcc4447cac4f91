"""The reference evaluator: one row at a time, straight from the checked sqlglot tree.

It is the test oracle for the SQL, so it is written to be obviously right rather than
fast: SQL three-valued logic with None as NULL, Decimal for numbers (6 places, magnitude
below 10**12, else NULL), LIKE as a regular expression.  Known gaps, not covered by the
oracle: LOWER/UPPER outside ASCII and CJK follow DuckDB's Unicode tables, not Python's.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

import numpy as np
from sqlglot import exp

from sheetsync.conditions.check import DATETIME_PATTERN, LIMIT, MICRO, NUMBER_PATTERN, FieldType, Plan, parse_number
from sheetsync.model.values import text_or_none

_COMPARE: dict[type[exp.Expr], Callable[[Any, Any], Any]] = {
    exp.EQ: operator.eq, exp.NEQ: operator.ne, exp.GT: operator.gt,
    exp.GTE: operator.ge, exp.LT: operator.lt, exp.LTE: operator.le,
}


def evaluate_row(plan: Plan, row: Mapping[str, object]) -> bool | None:
    """The condition on one row (field -> cell); None is NULL."""
    value = value_at(plan, plan.tree, row)
    assert value is None or isinstance(value, bool)
    return value


def value_at(plan: Plan, node: exp.Expr, row: Mapping[str, object]) -> object:
    """The value of any checked node of `plan` on one row: str, Decimal, datetime, bool or None."""
    return _Row(plan, row).value(node)


def read_cell(value: object, kind: FieldType) -> object:
    """A cell as a condition sees it; a cell not in canonical form is None."""
    if text_or_none(value) is None:
        return None
    if kind is FieldType.BOOLEAN:
        return bool(value)
    if kind is FieldType.NUMBER and not isinstance(value, str):
        if isinstance(value, Decimal):
            number = value
        elif isinstance(value, int | np.integer):
            number = Decimal(int(value))
        else:
            number = Decimal(repr(float(value)))  # type: ignore[arg-type]
        if not number.is_finite() or abs(number) >= LIMIT:
            return None
        return _bounded(number.quantize(MICRO, rounding=ROUND_HALF_UP))
    text = text_or_none(value)
    assert text is not None
    if kind in (FieldType.MONEY, FieldType.NUMBER):
        return parse_number(text) if re.fullmatch(NUMBER_PATTERN, text) else None
    if kind is FieldType.DATETIME:
        if not re.fullmatch(DATETIME_PATTERN, text):
            return None
        try:
            return dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
        except ValueError:
            return None
    return text


class _Row:
    def __init__(self, plan: Plan, row: Mapping[str, object]) -> None:
        self.plan, self.row = plan, row

    def value(self, node: exp.Expr) -> object:
        v, cls = self.value, type(node)
        if cls is exp.Paren:
            return v(node.this)
        if cls is exp.And:
            return _and(v(node.this), v(node.expression))
        if cls is exp.Or:
            return _not(_and(_not(v(node.this)), _not(v(node.expression))))
        if cls is exp.Not:
            return _not(v(node.this))
        if cls in _COMPARE:
            return _compare(_COMPARE[cls], v(node.this), v(node.expression))
        if cls is exp.Between:
            x = v(node.this)
            return _and(_compare(operator.ge, x, v(node.args["low"])), _compare(operator.le, x, v(node.args["high"])))
        if cls is exp.In:
            x, items = v(node.this), [v(item) for item in node.expressions]
            if x is None:
                return None
            if any(item is not None and item == x for item in items):
                return True
            return None if any(item is None for item in items) else False
        if cls is exp.Like:
            text, pattern = v(node.this), v(node.expression)
            matched = None if text is None or pattern is None else _like(str(text), str(pattern))
            return _not(matched) if node.args.get("negate") else matched
        if cls is exp.Is:
            return (v(node.this) is not None) if node.args.get("negate") else (v(node.this) is None)
        if cls is exp.Column:
            field = self.plan.columns[id(node)]
            return read_cell(self.row.get(field), self.plan.field_types[field])
        if cls in (exp.Literal, exp.Boolean):
            return self.plan.constants[id(node)]
        if cls is exp.Null:
            return None
        args = [v(a) for a in [node.this, *node.expressions]] if cls is exp.Coalesce else [v(node.this)]
        if cls is exp.Coalesce:
            return next((a for a in args if a is not None), None)
        if args[0] is None:
            return None
        return self.compute(node, args[0])

    def compute(self, node: exp.Expr, x: object) -> object:
        """Arithmetic and the functions, on a first operand that is not NULL."""
        cls = type(node)
        if cls is exp.Neg:
            return -_decimal(x)
        if cls in (exp.Add, exp.Sub, exp.Mul, exp.Div):
            y = self.value(node.expression)
            return None if y is None else _arithmetic(cls, _decimal(x), _decimal(y))
        if cls is exp.Abs:
            return abs(_decimal(x))
        if cls is exp.Round:
            decimals = node.args.get("decimals")
            places = 0 if decimals is None else self.plan.constants[id(decimals)]
            assert isinstance(places, int)
            return _bounded(_decimal(x).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
        text = str(x)
        if cls is exp.Length:
            return Decimal(len(text))
        if cls is exp.Lower:
            return text.lower()
        if cls is exp.Upper:
            return text.upper()
        if cls is exp.Trim:
            return text.strip(" ")
        assert cls is exp.Substring
        start = self.plan.constants[id(node.args["start"])]
        length_node = node.args.get("length")
        length = None if length_node is None else self.plan.constants[id(length_node)]
        assert isinstance(start, int) and (length is None or isinstance(length, int))
        return text[start - 1:] if length is None else text[start - 1: start - 1 + length]


def _decimal(value: object) -> Decimal:
    assert isinstance(value, Decimal)
    return value


def _arithmetic(cls: type[exp.Expr], x: Decimal, y: Decimal) -> Decimal | None:
    with localcontext() as ctx:
        ctx.prec = 80
        if cls is exp.Add:
            return _bounded(x + y)
        if cls is exp.Sub:
            return _bounded(x - y)
        if cls is exp.Mul:
            return _bounded((x * y).quantize(MICRO, rounding=ROUND_HALF_UP))
        scaled_x, scaled_y = int(x.scaleb(6)), int(y.scaleb(6))
        if scaled_y == 0:
            return None
        quotient = abs(scaled_x) * 10**6 // abs(scaled_y)
        sign = -1 if (scaled_x < 0) != (scaled_y < 0) else 1
        return _bounded(Decimal(sign * quotient).scaleb(-6))


def _bounded(value: Decimal) -> Decimal | None:
    return value if abs(value) < LIMIT else None


def _and(a: object, b: object) -> bool | None:
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


def _not(a: object) -> bool | None:
    return None if a is None else not a


def _compare(op: Callable[[Any, Any], Any], a: object, b: object) -> bool | None:
    return None if a is None or b is None else bool(op(a, b))


def _like(text: str, pattern: str) -> bool:
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, re.DOTALL) is not None
