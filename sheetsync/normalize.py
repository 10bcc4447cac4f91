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
import pyarrow as pa
import pyarrow.compute as pc

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


def restore_digits(column: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Identifiers a spreadsheet turned into numbers, back to their digits where that is exact:
    `1.3812345678E+10` -> `13812345678` (every digit is shown), `6912345678901.0` -> `6912345678901`;
    and a mask of the values whose digits are lost (`1.38e+10`, `6.93125E+18`), which stay as they are."""
    text = column.astype("str")
    lost = pd.Series(False, index=column.index)
    odd = textops.search(text, r"^[+-]?\d(?:\.\d+)?[eE][+-]?\d+$|^\d+\.0+$")
    if not odd.any():
        return text, lost
    part = text[odd]
    restored = {v: _exact_digits(v) for v in part.unique()}
    fixed = part.map(restored)
    text = text.copy()
    text[part.index] = fixed.fillna(part).astype("str")
    lost[part.index] = fixed.isna().to_numpy()
    return text, lost


def _exact_digits(value: str) -> str | None:
    """The integer a number in scientific notation shows in full, None when some digit is not shown."""
    if _SCI.match(value) is None:
        return value.split(".", 1)[0]
    mantissa, exponent = re.split("[eE]", value)
    number = Decimal(value)
    if number < 0 or number != number.to_integral_value() or len(mantissa.lstrip("+").replace(".", "")) < int(exponent) + 1:
        return None
    return format(number.to_integral_value(), "f")


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
    odd = stripped[stripped.notna() & ~plain]
    read = {value: _decimal_text(value) for value in odd.unique()}
    if read:
        out[odd.index] = odd.map(read).astype("str")
    bad = pd.Series(False, index=column.index)
    bad[odd.index] = out[odd.index].isna()
    return out, bad


def _decimal_text(value: str) -> str | None:
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return None
    return format_money(amount) if amount.is_finite() else None


def datetimes(column: pd.Series, formats: list[str], now: dt.datetime, day_first: bool = False,
              tz: dt.tzinfo | None = None) -> tuple[pd.Series, pd.Series]:
    """Dates and times -> `YYYY-MM-DD HH:MM:SS` (local time), and a mask of values that are not dates.

    Tried in order: the mapping's `formats` (strptime), then the forms `values.parse_datetime`
    knows, ISO 8601 with an offset (turned into `tz`, else local time), `20.11.2026 09:15` (day first
    when `day_first` or when only that reading is a date, else month first for `/`), `11月21日` (the
    year of `now`), `Jan 5, 2024` / `5-Jan-2024`, a 12-hour clock (`1:05 PM`, `下午 1:05`), and Excel
    serial day numbers.  The common numeric forms are read vectorised (a column of a million
    distinct times costs about a second); the rest once per distinct value.
    """
    text = clean_text(column)
    out = pd.Series(pd.NA, index=column.index, dtype="str")
    iso = pd.Series(textops.search(text, ISO_SECONDS), index=text.index)
    out[iso] = text[iso]
    rest = text[text.notna() & ~iso]
    if not formats and len(rest):
        for pattern in (_VEC_YMD, _VEC_COMPACT, _VEC_DMY):
            found = _vectorised(rest, pattern, day_first)
            if found is not None:
                out[found.index] = found
                rest = rest[found.isna()]
            if not len(rest):
                break
        if len(rest):
            serial = _vectorised_serial(rest)
            out[serial.index] = serial
            rest = rest[serial.isna()]
    if len(rest):
        read = {v: _formatted(_one_datetime(v, formats, now, day_first, tz)) for v in rest.unique()}
        out[rest.index] = rest.map(read).astype("str")
    bad = pd.Series(False, index=column.index)
    bad[rest.index] = out[rest.index].isna()
    return out, bad


def _vectorised_serial(values: pd.Series) -> pd.Series:
    """Excel serial day numbers (`45296`, `45296.5416667`, days since 1899-12-30) as canonical text, to the
    second; NA for other values (the same range as `_SERIAL`: 20000-80000, 1954-2119)."""
    found = pd.Series(textops.search(values, _SERIAL.pattern), index=values.index)
    days = pd.to_numeric(values.where(found), errors="coerce")
    days = days.where((days >= 20000) & (days < 80001))
    stamps = (pd.Timestamp("1899-12-30") + pd.to_timedelta(days, unit="D")).dt.round("s")
    return stamps.dt.strftime("%Y-%m-%d %H:%M:%S").astype("str").where(stamps.notna(), None)


def _formatted(value: dt.datetime | None) -> str | None:
    return format_datetime(value) if value else None


_TIME_PART: Final = r"(?:[ T]+(?P<H>\d{1,2})[:：时](?P<M>\d{1,2})(?:[:：分](?P<S>\d{1,2})(?:\.\d+)?秒?)?)?"
_VEC_YMD: Final = r"^(?P<y>\d{4})[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})日?" + _TIME_PART + "$"
_VEC_COMPACT: Final = r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:[ T]?(?P<H>\d{2}):?(?P<M>\d{2})(?::?(?P<S>\d{2}))?)?$"
_VEC_DMY: Final = r"^(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})[./-](?P<y>\d{4})" + _TIME_PART + "$"


def _vectorised(values: pd.Series, pattern: str, day_first: bool) -> pd.Series | None:
    """The values of one numeric date form as canonical text (NA where the form does not match or the
    date does not exist, e.g. 2024/2/30); None when no value has the form."""
    parts = pc.extract_regex(pa.array(values.astype("str"), from_pandas=True), pattern)
    matched = np.asarray(pc.is_valid(parts).to_numpy(zero_copy_only=False), dtype=bool)
    if not matched.any():
        return None
    names = [parts.type.field(i).name for i in range(parts.type.num_fields)]

    def number(name: str) -> np.ndarray:
        if name not in names:
            return np.zeros(len(values), dtype=np.int64)
        field = pc.struct_field(parts, name)
        field = pc.if_else(pc.equal(field, ""), "0", field)
        return np.asarray(pc.cast(pc.fill_null(field, "0"), pa.int64()).to_numpy(zero_copy_only=False))

    if "a" in names:
        a, b = number("a"), number("b")
        dotted = np.asarray(pc.fill_null(pc.equal(pc.struct_field(parts, "sep"), "."), False).to_numpy(zero_copy_only=False))
        first_is_day = (day_first | dotted | (a > 12)) & ~((b > 12) & (a <= 12))
        day, month = np.where(first_is_day, a, b), np.where(first_is_day, b, a)
    else:
        month, day = number("m"), number("d")
    year, hour, minute, second = number("y"), number("H"), number("M"), number("S")
    ok = matched & (month >= 1) & (month <= 12) & (day >= 1) & (hour <= 23) & (minute <= 59) & (second <= 59)
    stamps = pd.to_datetime(pd.DataFrame({"year": np.where(ok, year, 2000), "month": np.where(ok, month, 1),
                                          "day": np.where(ok, day, 1), "hour": hour * ok, "minute": minute * ok,
                                          "second": second * ok}), errors="coerce")
    ok &= stamps.notna().to_numpy()
    pad = lambda n, w: pc.utf8_lpad(pc.cast(pa.array(n), pa.string()), w, "0")  # noqa: E731
    joined = pc.binary_join_element_wise(pad(year, 4), "-", pad(month, 2), "-", pad(day, 2), " ", pad(hour, 2), ":",
                                         pad(minute, 2), ":", pad(second, 2), "")
    result = pd.Series(pd.array(joined, dtype="str"), index=values.index)
    return result.where(ok, None)


_DMY = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_MONTH_DAY = re.compile(r"^(\d{1,2})月(\d{1,2})日(?:\s*(\d{1,2})[:：时](\d{1,2}))?$")
_SERIAL = re.compile(r"^(\d{5})(?:\.(\d+))?$")


_DATE_THEN_TIME = re.compile(r"^(\S+)(?: 00:00(?::00)?)? (\d{1,2}:\d{2}(?::\d{2})?)$")


_MERIDIEM = re.compile(r"\s*(上午|下午|晚上|[AaPp]\.?[Mm]\.?)\s*")
_CLOCK = re.compile(r"(\d{1,2})([:：]\d{2}(?:[:：]\d{2})?)\s*$")
_MONTHS: Final = {name: n for n, name in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                                     "dec"), start=1)}
_TIME_TAIL: Final = r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
_MONTH_FIRST = re.compile(r"^([A-Za-z]{3,9})\.? +(\d{1,2}),? +(\d{4})" + _TIME_TAIL)
_DAY_FIRST = re.compile(r"^(\d{1,2})[ -]([A-Za-z]{3,9})\.?[ -](\d{4})" + _TIME_TAIL)


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
    meridiem = _MERIDIEM.search(value)
    if meridiem and not formats:
        return _twelve_hour(value, meridiem, now, day_first, tz)
    m = _DMY.match(value)
    if m:
        a, b, year = int(m[1]), int(m[2]), int(m[3])
        first_is_day = (day_first or "." in value or a > 12) and not (b > 12 and a <= 12)
        day, month = (a, b) if first_is_day else (b, a)
        return _made(year, month, day, m[4], m[5], m[6])
    m = _MONTH_FIRST.match(value)
    if m and m[1][:3].lower() in _MONTHS:
        return _made(int(m[3]), _MONTHS[m[1][:3].lower()], int(m[2]), m[4], m[5], m[6])
    m = _DAY_FIRST.match(value)
    if m and m[2][:3].lower() in _MONTHS:
        return _made(int(m[3]), _MONTHS[m[2][:3].lower()], int(m[1]), m[4], m[5], m[6])
    m = _MONTH_DAY.match(value)
    if m:
        return _made(now.year, int(m[1]), int(m[2]), m[3], m[4], None)
    m = _SERIAL.match(value)
    if m and 20000 <= int(m[1]) <= 80000:
        return dt.datetime(1899, 12, 30) + dt.timedelta(days=float(value))
    return None


def _made(year: int, month: int, day: int, hour: str | None, minute: str | None, second: str | None) -> dt.datetime | None:
    try:
        return dt.datetime(year, month, day, int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        return None


def _twelve_hour(value: str, meridiem: re.Match[str], now: dt.datetime, day_first: bool,
                 tz: dt.tzinfo | None) -> dt.datetime | None:
    """`2024/1/5 下午 1:05`, `1/5/2024 1:05 PM`: the value without its marker, 12 hours later after noon."""
    rest = (value[: meridiem.start()] + " " + value[meridiem.end() :]).strip()
    clock = _CLOCK.search(rest)
    if clock is None or not 1 <= int(clock[1]) <= 12:
        return None
    parsed = _one_datetime(rest, [], now, day_first, tz)
    if parsed is None:
        return None
    hour = int(clock[1]) % 12 + (12 if meridiem[1][0] in "下晚Pp" else 0)
    return parsed.replace(hour=hour)


def _local(value: dt.datetime, tz: dt.tzinfo | None) -> dt.datetime:
    return value.astimezone(tz).replace(tzinfo=None) if value.tzinfo else value
