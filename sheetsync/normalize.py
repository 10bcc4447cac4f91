"""Cleaning values from exports and legacy files, vectorised over pandas text columns.

Real exports are messy: order numbers wrapped as `="6912345678901234567"` or led by a tab
or an apostrophe (so Excel keeps the digits), full-width digits and punctuation, phones
turned into floats, amounts with currency signs and thousands separators.  Each function
takes a `str` Series (NA for empty) and returns one in the canonical text form of
`values.py`; a value that cannot be read is returned as NA and listed by the caller as
the reason to reject its row, never silently dropped.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Final

import numpy as np
import pandas as pd

from . import textops
from .values import ISO_SECONDS, format_datetime, format_money, parse_datetime

_FULL_WIDTH: Final = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_INVISIBLE: Final = "[\u200b\u200c\u200d\u2060\ufeff]"
_MESSY: Final = "[\uff01-\uff5e\u3000\u200b\u200c\u200d\u2060\ufeff]|^\\s|\\s$|^=\"|^'"
"""Values needing any cleaning: most values of an export need none, and skip the slower steps."""
_SCI: Final = re.compile(r"^[+-]?\d(?:\.\d+)?[eE][+-]?\d+$")


def clean_text(column: pd.Series) -> pd.Series:
    """Full-width ASCII folded to half-width, invisible characters dropped, `="..."`, leading
    tab and apostrophe unwrapped, surrounding white space stripped; empty -> NA."""
    text = column.astype("str")
    messy = textops.search(text, _MESSY)
    if messy.any():
        part = text[messy].str.translate(_FULL_WIDTH).str.replace(_INVISIBLE, "", regex=True)
        part = part.str.replace(r'^\s*="(.*)"\s*$', r"\1", regex=True)
        text = text.copy()
        text[messy] = part.str.strip().str.replace(r"^'", "", regex=True).str.strip()
    return text.where(text.notna() & (text != ""), None)


def digits_lost(column: pd.Series) -> pd.Series:
    """True where a number was stored in scientific notation (`1.38e+10`): its digits are gone."""
    return pd.Series(textops.search(column, _SCI.pattern), index=column.index)


def phone(column: pd.Series) -> pd.Series:
    """Phones as a clerk types them: `+86 138 1234 5678`, `13812345678.0` -> `13812345678`;
    landlines keep their dashes; masked (`138****5678`), virtual (`18812345678-1234`),
    foreign numbers and lost digits (`1.38e+10`) are kept as they came."""
    text = clean_text(column)
    odd = ~textops.search(text, r"^1\d{10}$") & text.notna().to_numpy()
    if not odd.any():
        return text
    part = text[odd]
    compact = part.str.replace(r"[\s()（）]", "", regex=True)
    compact = compact.str.replace(r"^(?:\+?86|0086)[-]?(?=1\d{10}(?:$|-))", "", regex=True)
    compact = compact.str.replace(r"^(1\d{10})\.0+$", r"\1", regex=True)
    mobile = compact.str.match(r"^1\d{10}$", na=False) | compact.str.match(r"^1[\d*]{10}(?:-\d{1,6})?$", na=False)
    spaced_mobile = compact.str.replace("-", "", regex=False)
    part = part.copy()
    part[mobile] = compact[mobile]
    plain = ~mobile & spaced_mobile.str.match(r"^1\d{10}$", na=False)
    part[plain] = spaced_mobile[plain]
    out = text.copy()
    out[odd] = part
    return out


def money(column: pd.Series, decimal_comma: bool | str = "auto") -> tuple[pd.Series, pd.Series]:
    """Amounts -> canonical decimal text, and a mask of values that are not amounts.

    With `decimal_comma` "auto", a value is read the European way (`1.299,00`, `12,5`) when its
    last comma has one or two digits after it and no dot; `1,299.00` and `1,299` are read the
    Chinese and English way.
    """
    text = clean_text(column)
    stripped = textops.sub(text, r"(?i)[\s¥￥$€£元]|RMB|CNY|USD|EUR", "")
    if decimal_comma == "auto":
        european = textops.search(stripped, r"^-?[\d.]*,\d{1,2}$")
    else:
        european = np.full(len(stripped), bool(decimal_comma))
    if european.any():
        stripped = stripped.copy()
        stripped[european] = stripped[european].str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    stripped = textops.sub(stripped, ",", "")
    plain = pd.Series(textops.search(stripped, r"^-?\d+(?:\.\d+)?$"), index=stripped.index)
    fast = textops.sub(stripped[plain], r"^(-?)0+(\d)", r"\1\2")
    fast = textops.sub(textops.sub(fast, r"(\.\d*?)0+$", r"\1"), r"\.$", "")
    out = pd.Series(pd.NA, index=column.index, dtype="str")
    out[plain] = fast.where(fast != "-0", "0")
    bad = pd.Series(False, index=column.index)
    for index, value in stripped[stripped.notna() & ~plain].items():
        try:
            amount = Decimal(value)
        except InvalidOperation:
            bad[index] = True
            continue
        if not amount.is_finite():
            bad[index] = True
            continue
        out[index] = format_money(amount)
    return out, bad


def datetimes(column: pd.Series, formats: list[str], now: dt.datetime, day_first: bool = False,
              tz: dt.tzinfo | None = None) -> tuple[pd.Series, pd.Series]:
    """Dates and times -> `YYYY-MM-DD HH:MM:SS` (local time), and a mask of values that are not dates.

    Tried in order: the mapping's `formats` (strptime), then the forms `values.parse_datetime`
    knows, ISO 8601 with an offset (turned into `tz`, else local time), `20.11.2026 09:15` (day first
    when `day_first`, else month first for `/`), `11月21日` (the year of `now`), and Excel
    serial day numbers.
    """
    text = clean_text(column)
    out = pd.Series(pd.NA, index=column.index, dtype="str")
    iso = pd.Series(textops.search(text, ISO_SECONDS), index=text.index)
    out[iso] = text[iso]
    bad = pd.Series(False, index=column.index)
    cache: dict[str, str | None] = {}
    for index, value in text[text.notna() & ~iso].items():
        if value not in cache:
            parsed = _one_datetime(value, formats, now, day_first, tz)
            cache[value] = format_datetime(parsed) if parsed else None
        result = cache[value]
        if result is None:
            bad[index] = True
        else:
            out[index] = result
    return out, bad


_DMY = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_MONTH_DAY = re.compile(r"^(\d{1,2})月(\d{1,2})日(?:\s*(\d{1,2})[:：时](\d{1,2}))?$")
_SERIAL = re.compile(r"^(\d{5})(?:\.(\d+))?$")


_DATE_THEN_TIME = re.compile(r"^(\S+)(?: 00:00(?::00)?)? (\d{1,2}:\d{2}(?::\d{2})?)$")


def _one_datetime(value: str, formats: list[str], now: dt.datetime, day_first: bool,
                  tz: dt.tzinfo | None = None) -> dt.datetime | None:
    joined = _DATE_THEN_TIME.match(value)
    if joined and not formats:
        value = f"{joined[1]} {joined[2]}"
    for fmt in formats:
        try:
            return _local(dt.datetime.strptime(value, fmt), tz)
        except ValueError:
            continue
    parsed = parse_datetime(value)
    if parsed:
        return parsed
    try:
        return _local(dt.datetime.fromisoformat(value.replace(" +", "+").replace(" -", "-")), tz)
    except ValueError:
        pass
    m = _DMY.match(value)
    if m:
        a, b, year = int(m[1]), int(m[2]), int(m[3])
        day, month = (a, b) if day_first or "." in value else (b, a)
        try:
            return dt.datetime(year, month, day, int(m[4] or 0), int(m[5] or 0), int(m[6] or 0))
        except ValueError:
            return None
    m = _MONTH_DAY.match(value)
    if m:
        try:
            return dt.datetime(now.year, int(m[1]), int(m[2]), int(m[3] or 0), int(m[4] or 0))
        except ValueError:
            return None
    m = _SERIAL.match(value)
    if m and 20000 <= int(m[1]) <= 80000:
        return dt.datetime(1899, 12, 30) + dt.timedelta(days=float(value))
    return None


def _local(value: dt.datetime, tz: dt.tzinfo | None) -> dt.datetime:
    return value.astimezone(tz).replace(tzinfo=None) if value.tzinfo else value
