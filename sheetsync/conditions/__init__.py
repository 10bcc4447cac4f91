"""The condition language shared by validation rules, routing and the workflow.

One SQL-style boolean expression over a row's fields, e.g.
`amount_payable > 5000 AND channel = '抖音'`, `address LIKE '%村%' AND phone IS NULL`,
`province IN ('浙江省','江苏省')`, `hours_in_state > 4`:

- comparisons = != <> < <= > >=, AND / OR / NOT, [NOT] IN (...), [NOT] LIKE ('%' and '_',
  no escape), IS [NOT] NULL, [NOT] BETWEEN, parentheses, + - * / on numbers and money;
- functions LENGTH, LOWER, UPPER, TRIM (spaces), COALESCE, ABS, ROUND(x[, 0-6]),
  SUBSTR(text, start[, length]) with whole-number literal start >= 1 and length;
- text and date-times in single quotes ('2024-01-05' or '2024-01-05 13:00:00'), numbers
  bare, TRUE / FALSE / NULL; fields by canonical name (unquoted names are case-insensitive)
  or by a header alias, which may be written in double quotes ("金额").

Semantics are SQL's: NULL is unknown, and a row where the condition is NULL does not
match.  A cell not in canonical form (money `1,234`, a date `5号`) is NULL.  Money and
numbers are exact decimals with 6 places below 10**12: `amount_payable > 2000` holds for
2000.001 and not for 2000.00.  Division cuts toward zero at 6 places; division by zero
or a result out of range is NULL.

Conditions are compiled once, when the configuration is loaded: parsed with sqlglot,
whitelisted node by node, typed (ConfigError with the position otherwise), then evaluated
all together in one DuckDB query over the table.  `evaluate_reference` is the row-by-row
oracle the tests hold the SQL to.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from sheetsync.conditions import sql as conditions_sql
from sheetsync.conditions.check import FUNCTIONS, FieldType, Plan, check
from sheetsync.conditions.reference import evaluate_row
from sheetsync.i18n import Lang
from sheetsync.model.fields import FIELDS, Kind, Owner

__all__ = ["FUNCTIONS", "Condition", "FieldType", "compile_condition", "evaluate", "evaluate_reference", "field_types"]


def field_types(extra: Mapping[str, FieldType] | None = None,
                fields: Mapping[str, tuple[Kind, Owner]] = FIELDS) -> dict[str, FieldType]:
    """The canonical fields' types (an order's, or `fields`: a ticket's) plus derived fields the caller supplies as
    columns (`hours_in_state`)."""
    types = {name: FieldType(kind.value) for name, (kind, _) in fields.items()}
    for name, kind in (extra or {}).items():
        if name in types:
            raise ValueError(f"derived field {name!r} is a canonical field")
        types[name] = kind
    return types


@dataclass(frozen=True)
class Condition:
    """A checked condition: `name` is how errors and results call it; `fields` are the fields it reads."""

    name: str
    text: str
    fields: frozenset[str]
    sql: str = field(repr=False)
    params: tuple[str, ...] = field(repr=False)
    plan: Plan = field(repr=False, compare=False)


def compile_condition(text: str, *, name: str, fields: Mapping[str, FieldType], lang: Lang,
                      aliases: Mapping[str, str] | None = None) -> Condition:
    """Check `text` against `fields` (see `field_types`); `aliases` maps header text to a field.

    Raises ConfigError naming `name`, the expression and the position for a syntax error,
    an unknown field or function, a construct outside the language, or a type error.
    """
    plan = check(text, name=name, fields=fields, lang=lang, aliases=aliases)
    sql, params = conditions_sql.to_sql(plan)
    return Condition(name, text, frozenset(plan.field_types), sql, params, plan)


def evaluate(frame: pd.DataFrame, conditions: Sequence[Condition]) -> pd.DataFrame:
    """One bool column per condition (named by it, NULL as False), index `frame.index`, in one scan.

    `frame` holds the fields as columns of canonical text (derived fields as numbers or
    booleans); a field whose column is absent is NULL in every row.
    """
    needed: dict[str, FieldType] = {}
    for condition in conditions:
        for name, kind in condition.plan.field_types.items():
            if needed.setdefault(name, kind) is not kind:
                raise ValueError(f"field {name!r} is {needed[name]} in one condition and {kind} in another")
    results = conditions_sql.run(frame, [(c.sql, c.params) for c in conditions], needed) if conditions else []
    out = pd.DataFrame(dict(enumerate(results)), index=frame.index, columns=range(len(results)))
    out.columns = pd.Index([c.name for c in conditions])
    return out


def evaluate_reference(row: Mapping[str, object], condition: Condition) -> bool | None:
    """The condition on one row (field -> cell, missing = NULL), computed in Python; None is NULL."""
    return evaluate_row(condition.plan, row)
