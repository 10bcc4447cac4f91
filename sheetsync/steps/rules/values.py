"""Cells that must be filled, amounts and date-times: REQUIRED_MISSING, AMOUNT_INVALID, DATE_INVALID.

Cells are canonical text (values.py): money a plain decimal (`1299.5`, `-5`), date-times
`YYYY-MM-DD HH:MM:SS` in the desk's local time; anything else a person typed is flagged, not guessed.
Amounts compare exactly: 2000.001 is more than 2000.00.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sheetsync.config.rules import DatesRule, RequiredRule
from sheetsync.i18n import Words, text
from sheetsync.model.records import Level
from sheetsync.model.values import format_datetime
from sheetsync.steps.rules.findings import Columns, Findings, field_name, found, matches

_AMOUNT: Final = r"^\s*-?[0-9]+(?:\.[0-9]+)?\s*$"
_ZERO: Final = r"^\s*-?0+(?:\.0+)?\s*$"
_DATETIME: Final = (
    r"^[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    r"|02-(?:0[1-9]|1[0-9]|2[0-9])) (?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$"
)
"""A canonical date-time on a real calendar day (29 February is checked apart)."""


def required(cols: Columns, rule: RequiredRule, owned: Mapping[str, np.ndarray]) -> list[Findings]:
    """REQUIRED_MISSING for each required field that is empty, except on rows where a more specific
    rule already reports it (`owned`: field -> rows, e.g. PHONE_MISSING for phone)."""
    if rule.level == "off":
        return []
    out: list[Findings] = []
    for name in rule.fields:
        if name not in cols:
            continue
        empty = cols.blank(name)
        if name in owned:
            empty = empty & ~owned[name]
        out += found(empty, "REQUIRED_MISSING", name, text("rule.REQUIRED_MISSING", field=field_name(name)), rule.level)
    return out


def amounts(cols: Columns, level: Level) -> list[Findings]:
    """AMOUNT_INVALID: an amount that is not a plain decimal, a negative one, amount_paid > amount_payable."""
    out: list[Findings] = []
    numbers: dict[str, np.ndarray] = {}
    for name in ("amount_payable", "amount_paid"):
        if name not in cols:
            continue
        column = cols.frame[name]
        values = cols.arrow(name)
        present = ~cols.blank(name)
        number = matches(values, _AMOUNT)
        negative = number & matches(values, r"^\s*-") & ~matches(values, _ZERO)
        label = field_name(name)
        out += found(present & ~number, "AMOUNT_INVALID", name, _worded(column, "rule.AMOUNT_INVALID", label), level)
        out += found(negative, "AMOUNT_INVALID", name, _worded(column, "rule.AMOUNT_INVALID.negative", label), level)
        numbers[name] = number & ~negative
    if len(numbers) == 2:
        out += found(_overpaid(cols, numbers["amount_payable"] & numbers["amount_paid"]), "AMOUNT_INVALID", "amount_paid",
                     _pairs(cols.frame["amount_paid"], cols.frame["amount_payable"], "rule.AMOUNT_INVALID.overpaid",
                            ("paid", "payable")),
                     level)
    return out


def _worded(column: pd.Series, key: str, label: Words) -> Callable[[np.ndarray], np.ndarray]:
    """Message `key` naming the field and the cell, for the rows at the positions given."""
    return lambda p: np.array([text(key, field=label, value=str(v).strip()) for v in column.iloc[p]], dtype=object)


_MONTH_DAY: Final = r"^(\d{1,2})\s*[月/.-]\s*(\d{1,2})\s*日?(?:\s|$)"
"""`11月3日`, `11/3`: a day of the month with no year."""


def _no_year(column: pd.Series, label: Words, year: int) -> Callable[[np.ndarray], np.ndarray]:
    """DATE_INVALID for a day with no year: how to write it, with this year's date as the example."""
    def said(p: np.ndarray) -> np.ndarray:
        out = []
        for value in column.iloc[p]:
            found = re.match(_MONTH_DAY, str(value).strip())
            example = f"{year}-{int(found[1]):02d}-{int(found[2]):02d}" if found else f"{year}-01-31"
            out.append(text("rule.DATE_INVALID.no_year", field=label, value=str(value).strip(), example=example))
        return np.array(out, dtype=object)
    return said


def _pairs(first: pd.Series, second: pd.Series, key: str, names: tuple[str, str]) -> Callable[[np.ndarray], np.ndarray]:
    """Message `key` naming two cells of each row at the positions given."""
    return lambda p: np.array([text(key, **{names[0]: str(a).strip(), names[1]: str(b).strip()})
                               for a, b in zip(first.iloc[p], second.iloc[p], strict=True)], dtype=object)


def _overpaid(cols: Columns, both: np.ndarray) -> np.ndarray:
    """amount_paid > amount_payable, exactly: floats pick the rows that might be, Decimal decides."""
    rows = np.flatnonzero(both)
    if not len(rows):
        return both
    paid_text = cols.arrow("amount_paid").take(pa.array(rows))
    payable_text = cols.arrow("amount_payable").take(pa.array(rows))
    paid = pc.cast(pc.utf8_trim_whitespace(paid_text), pa.float64()).to_numpy(zero_copy_only=False)
    payable = pc.cast(pc.utf8_trim_whitespace(payable_text), pa.float64()).to_numpy(zero_copy_only=False)
    same = np.asarray(pc.equal(paid_text, payable_text).to_numpy(zero_copy_only=False), dtype=bool)
    maybe = ~same & (paid >= payable - np.abs(payable) * 1e-9 - 1e-9)
    out = np.zeros(len(both), dtype=bool)
    close = np.flatnonzero(maybe)
    paid_cells = paid_text.take(pa.array(close)).to_pylist()
    payable_cells = payable_text.take(pa.array(close)).to_pylist()
    out[rows[close]] = [Decimal(a.strip()) > Decimal(b.strip()) for a, b in zip(paid_cells, payable_cells, strict=True)]
    return out


def dates_horizon(frame: pd.DataFrame, rule: DatesRule, now: dt.datetime) -> dt.datetime | None:
    """The first moment after `now` at which the clock alone changes a DATE_INVALID finding (None: never): a date
    later than now + tolerance stops being one then, and a date written without its year is read in the next year
    from its first day.  For the untouched run."""
    if rule.level == "off":
        return None
    moments = [dt.datetime(now.year + 1, 1, 1)]
    limit = format_datetime(now.replace(tzinfo=None) + rule.future_tolerance)
    for name in rule.fields:
        if name in frame.columns:
            later = frame[name].dropna().astype("str").str.strip()
            later = later[(later > limit) & later.str.match(_DATETIME)]
            for text in sorted(set(later)):  # canonical date-times sort as text; 29 February of a common year is none
                try:
                    moments.append(dt.datetime.fromisoformat(text) - rule.future_tolerance)
                    break
                except ValueError:
                    continue
    return min(moments)


def dates(cols: Columns, rule: DatesRule, now: dt.datetime) -> list[Findings]:
    """DATE_INVALID: not a date-time, later than `now` + tolerance, paid_at before created_at.
    Canonical date-times sort as text, so they are compared as text."""
    if rule.level == "off":
        return []
    level = rule.level
    limit = pa.scalar(format_datetime(now.replace(tzinfo=None) + rule.future_tolerance), pa.large_string())
    out: list[Findings] = []
    stamps: dict[str, pa.Array] = {}
    for name in rule.fields:
        if name not in cols:
            continue
        values = pc.utf8_trim_whitespace(cols.arrow(name))
        good = matches(values, _DATETIME)
        leap = np.flatnonzero(good & matches(values, "-02-29 "))
        if len(leap):
            good[leap] = [calendar.isleap(int(v[:4])) for v in values.take(pa.array(leap)).to_pylist()]
        late = good & np.asarray(pc.fill_null(pc.greater(values, limit), False).to_numpy(zero_copy_only=False), dtype=bool)
        column = cols.frame[name]
        label = field_name(name)
        bad = ~cols.blank(name) & ~good
        no_year = bad & matches(values, _MONTH_DAY)
        out += found(bad & ~no_year, "DATE_INVALID", name, _worded(column, "rule.DATE_INVALID", label), level)
        out += found(no_year, "DATE_INVALID", name, _no_year(column, label, now.year), level)
        out += found(late, "DATE_INVALID", name, _worded(column, "rule.DATE_INVALID.future", label), level)
        stamps[name] = pc.if_else(pa.array(good), values, pa.scalar(None, pa.large_string()))
    if "created_at" in stamps and "paid_at" in stamps:
        early = pc.fill_null(pc.less(stamps["paid_at"], stamps["created_at"]), False)
        out += found(np.asarray(early.to_numpy(zero_copy_only=False), dtype=bool), "DATE_INVALID", "paid_at",
                     _pairs(cols.frame["paid_at"], cols.frame["created_at"], "rule.DATE_INVALID.order",
                            ("paid", "created")),
                     level)
    return out
