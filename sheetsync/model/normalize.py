"""Cleaning values from exports and legacy files, vectorised over pandas text columns.

Real exports are messy: order numbers wrapped as `="6912345678901234567"` or led by a tab
or an apostrophe (so Excel keeps the digits), full-width digits and punctuation, phones
turned into floats, amounts with currency signs and thousands separators.  Each function
takes a `str` Series (NA for empty) and returns one in the canonical text form of
`model/values.py`; a value that cannot be read is returned as NA and listed by the caller as
the reason to reject its row, never silently dropped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sheetsync.model.values import ISO_SECONDS, format_datetime, format_money, parse_datetime
from sheetsync.runtime import textops

_FULL_WIDTH: Final = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_WIDE: Final = "[\uff01-\uff5e\u3000]"
_INVISIBLE: Final = "[\u200b\u200c\u200d\u2060\ufeff]"
_SPACE: Final = textops.SPACE_CLASS
_EDGES: Final = f"^[{_SPACE}]+|[{_SPACE}]+$"
_WRAPPED: Final = f'^[{_SPACE}]*="(.*)"[{_SPACE}]*$'
_MESSY: Final = f"{_WIDE}|{_INVISIBLE}|^[{_SPACE}]|[{_SPACE}]$|^=\"|^'"
"""Values needing any cleaning: most values of an export need none, and skip the slower steps."""
_SCI: Final = re.compile(r"^[+-]?\d(?:\.\d+)?[eE][+-]?\d+$")


def clean_text(column: pd.Series) -> pd.Series:
    """Full-width ASCII folded to half-width, invisible characters dropped, `="..."`, leading
    tab and apostrophe unwrapped, surrounding white space (as `str.strip` sees it) stripped; empty -> NA.

    Arrow's regex kernels on the values that need it (pandas' `.str.translate` and its `.str.replace`
    with a group went value by value in Python: 0.8 s for a million order numbers, 15% of them wrapped)."""
    text = column.astype("str")
    values = textops.arrow_of(text)
    messy = textops.search_array(values, _MESSY)
    if messy.any():
        part = _fold_wide(values.filter(pa.array(messy)))
        for pattern, replacement in ((_INVISIBLE, ""), (_WRAPPED, r"\1"), (_EDGES, ""), ("^'", ""), (_EDGES, "")):
            part = pc.replace_substring_regex(part, pattern, replacement)
        # a column read in blocks is in pieces: replace_with_mask takes its replacements as one array
        values = pc.replace_with_mask(values, pa.array(messy), _one_piece(part))
    empty = pc.equal(values, "")
    if pc.any(empty).as_py():  # a copy of the column only when some value is empty
        values = pc.if_else(empty, pa.scalar(None, values.type), values)
    return pd.Series(pd.array(values, dtype="str"), index=column.index, name=column.name)


def _fold_wide(values: pa.Array) -> pa.Array:
    """Full-width ASCII and the ideographic space as their half-width forms (by Python's `str.translate`,
    only on the values that have one: Unicode's NFKC would also change ①, ² and …)."""
    wide = textops.search_array(values, _WIDE)
    if not wide.any():
        return values
    mask = pa.array(wide)
    folded = [v.translate(_FULL_WIDTH) for v in values.filter(mask).to_pylist()]
    return pc.replace_with_mask(values, mask, pa.array(folded, values.type))


def digits_lost(column: pd.Series) -> pd.Series:
    """True where a number was stored in scientific notation that does not show every digit (`1.38e+10`): its
    digits are gone.  `1.3712345678e+10` shows all eleven: it is not lost (`restore_digits` gives them back)."""
    return restore_digits(column)[1]


def restore_digits(column: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Identifiers a spreadsheet turned into numbers, back to their digits where that is exact:
    `1.3812345678E+10` -> `13812345678` (every digit is shown), `6912345678901.0` -> `6912345678901`;
    and a mask of the values whose digits are lost (`1.38e+10`, `6.93125E+18`), which stay as they are."""
    text = column.astype("str")
    odd = textops.search(text, r"^[+-]?\d(?:\.\d+)?[eE][+-]?\d+$|^\d+\.0+$")
    lost = np.zeros(len(text), dtype=bool)
    if odd.any():  # by position: setting by label hashed the whole index (an import's million keys: 55 MB kept)
        at = np.flatnonzero(odd)
        part = text.iloc[at]
        fixed = part.map({v: _exact_digits(v) for v in part.unique()})
        text = text.copy()
        text.iloc[at] = fixed.fillna(part).astype("str").to_numpy()
        lost[at] = fixed.isna().to_numpy()
    return text, pd.Series(lost, index=column.index)


def _exact_digits(value: str) -> str | None:
    """The integer a number in scientific notation shows in full, None when some digit is not shown."""
    if _SCI.match(value) is None:
        return value.split(".", 1)[0]
    mantissa, exponent = re.split("[eE]", value)
    number = Decimal(value)
    if number < 0 or number != number.to_integral_value() or len(mantissa.lstrip("+").replace(".", "")) < int(exponent) + 1:
        return None
    return format(number.to_integral_value(), "f")


def blanked(column: pd.Series, blanks: Sequence[str]) -> pd.Series:
    """`column` with the cells that mean "nothing here" (`-`, `无`, `N/A` ...) as missing."""
    text = clean_text(column)
    hit = text.isin(list(blanks)).to_numpy()
    return text.where(~hit, None) if hit.any() else text


def tracking(column: pd.Series) -> pd.Series:
    """Tracking numbers without the label an export puts before them (淘宝's `No:SF1234567890`, `运单号：...`); a
    value with no digit is no tracking number (`-`, `待发`): missing, so it never moves an order to shipped."""
    text = clean_text(column)
    digitless = text.notna().to_numpy() & ~textops.search(text, r"\d")
    if digitless.any():
        text = text.where(~digitless, None)
    labelled = textops.search(text, r"^(?i:no)[.:：]|^(?:运单号|快递单号|单号)[:：]")
    if not labelled.any():
        return text
    out = text.copy()
    out[labelled] = text[labelled].str.replace(r"^(?:[Nn][Oo][.:：]|(?:运单号|快递单号|单号)[:：])\s*", "", regex=True)
    return out


def phone(column: pd.Series) -> pd.Series:
    """Phones as a clerk types them: `+86 138 1234 5678`, `13812345678.0` -> `13812345678`;
    landlines keep their dashes; masked (`138****5678`), virtual (`18812345678-1234`),
    foreign numbers and lost digits (`1.38e+10`) are kept as they came."""
    text = clean_text(column)
    odd = ~textops.search(text, r"^1\d{10}$") & text.notna().to_numpy()
    if odd.any():  # `1.3712345678E+10` shows every digit: 13712345678 (a lost one, `1.37e+10`, stays as it came)
        text, _ = restore_digits(text)
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
    values = _one_piece(textops.arrow_of(clean_text(column)))
    taken = _Taken(len(values))
    rest = np.flatnonzero(np.asarray(values.is_valid(), dtype=bool))
    iso = textops.search_array(values.take(rest), ISO_SECONDS)
    taken.put(rest[iso], values.take(rest[iso]))
    rest = rest[~iso]
    if not formats:
        for pattern in (_VEC_YMD, _VEC_COMPACT, _VEC_DMY, None):
            if not len(rest):
                break
            ok, texts = _vectorised(values.take(rest), pattern, day_first) if pattern else _vectorised_serial(values.take(rest))
            taken.put(rest[ok], texts)
            rest = rest[~ok]
    bad = np.zeros(len(values), dtype=bool)
    if len(rest):
        left = values.take(rest)
        distinct = pc.unique(left)
        read = pa.array([_formatted(_one_datetime(v, formats, now, day_first, tz)) for v in distinct.to_pylist()], pa.string())
        texts = read.take(pc.index_in(left, value_set=distinct))
        ok = np.asarray(texts.is_valid(), dtype=bool)
        taken.put(rest[ok], texts.filter(ok))
        bad[rest[~ok]] = True
    return (pd.Series(pd.array(taken.column(), dtype="str"), index=column.index),
            pd.Series(bad, index=column.index))


def _one_piece(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


class _Taken:
    """A column of texts assembled from the pieces each form read: one `take` at the end, instead of a
    pandas assignment per form (each a copy of the whole column)."""

    def __init__(self, length: int) -> None:
        self._at = np.full(length, -1, dtype=np.int64)
        self._pieces: list[pa.Array] = []
        self._size = 0

    def put(self, rows: np.ndarray, texts: pa.Array) -> None:
        """`texts` (non-null) are the values of `rows`."""
        if len(rows):
            self._at[rows] = np.arange(self._size, self._size + len(rows))
            self._pieces.append(_one_piece(texts).cast(pa.large_string()))
            self._size += len(rows)

    def column(self) -> pa.Array:
        pieces = pa.concat_arrays(self._pieces) if self._pieces else pa.array([], pa.large_string())
        return pieces.take(pa.array(self._at, mask=self._at < 0))


def _vectorised_serial(values: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Excel serial day numbers (`45296`, `45296.5416667`, days since 1899-12-30) as canonical text, to the
    second (the same range as `_SERIAL`: 20000-80000, 1954-2119): which values are, and their texts."""
    found = textops.search_array(values, _SERIAL.pattern)
    days = np.full(len(values), np.nan)
    if found.any():
        days[found] = np.asarray(pc.cast(values.filter(found), pa.float64()).to_numpy(zero_copy_only=False))
    ok = found & (days >= 20000) & (days < 80001)
    seconds = np.round((days[ok] - 25569) * 86400).astype(np.int64)  # 25569: 1970-01-01 as a serial day
    return ok, _format_seconds(seconds)


def _formatted(value: dt.datetime | None) -> str | None:
    return format_datetime(value) if value else None


_TIME_PART: Final = r"(?:[ T]+(?P<H>\d{1,2})[:：时](?P<M>\d{1,2})(?:[:：分](?P<S>\d{1,2})(?:\.\d+)?秒?)?)?"
_VEC_YMD: Final = r"^(?P<y>\d{4})[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})日?" + _TIME_PART + "$"
_VEC_COMPACT: Final = r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:[ T]?(?P<H>\d{2}):?(?P<M>\d{2})(?::?(?P<S>\d{2}))?)?$"
_VEC_DMY: Final = r"^(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})[./-](?P<y>\d{4})" + _TIME_PART + "$"
_FIRST_YEAR, _LAST_YEAR = 1, 9999  # Python's datetime range (the year 0 is read one by one, and refused)


def _vectorised(values: pa.Array, pattern: str, day_first: bool) -> tuple[np.ndarray, pa.Array]:
    """The values of one numeric date form: which have it and are a date that exists (not 2024/2/30), and
    their canonical texts."""
    parts = pc.extract_regex(values, pattern)
    matched = np.asarray(parts.is_valid(), dtype=bool)
    if not matched.any():
        return matched, pa.array([], pa.string())
    parts = parts.filter(matched)
    names = [parts.type.field(i).name for i in range(parts.type.num_fields)]

    def number(name: str) -> np.ndarray:
        if name not in names:
            return np.zeros(len(parts), dtype=np.int64)
        field = pc.struct_field(parts, name)
        field = pc.if_else(pc.equal(field, ""), "0", field)  # an optional group that took no part
        return np.asarray(pc.cast(field, pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64)

    if "a" in names:
        a, b = number("a"), number("b")
        dotted = np.asarray(pc.equal(pc.struct_field(parts, "sep"), ".").to_numpy(zero_copy_only=False), dtype=bool)
        first_is_day = (day_first | dotted | (a > 12)) & ~((b > 12) & (a <= 12))
        day, month = np.where(first_is_day, a, b), np.where(first_is_day, b, a)
    else:
        month, day = number("m"), number("d")
    year, hour, minute, second = number("y"), number("H"), number("M"), number("S")
    ok = ((month >= 1) & (month <= 12) & (day >= 1) & (day <= 31) & (hour <= 23) & (minute <= 59) & (second <= 59)
          & (year >= _FIRST_YEAR) & (year <= _LAST_YEAR))
    months = np.where(ok, (year - 1970) * 12 + month - 1, 0).astype("datetime64[M]")
    dates = months.astype("datetime64[D]") + np.where(ok, day - 1, 0)
    ok &= dates.astype("datetime64[M]") == months  # the day is in its month
    seconds = dates[ok].astype(np.int64) * 86400 + hour[ok] * 3600 + minute[ok] * 60 + second[ok]
    found = np.zeros(len(values), dtype=bool)
    found[np.flatnonzero(matched)[ok]] = True
    return found, _format_seconds(seconds)


def _format_seconds(seconds: np.ndarray) -> pa.Array:
    """Seconds since 1970-01-01 as `YYYY-MM-DD HH:MM:SS` texts, written digit by digit into one buffer of
    19 bytes per value (Arrow's `strftime` and NumPy's `datetime_as_string` took ~1 s a million)."""
    stamps = seconds.astype("datetime64[s]")
    days = stamps.astype("datetime64[D]")
    months = days.astype("datetime64[M]")
    years = months.astype("datetime64[Y]")
    year = years.astype(np.int64) + 1970
    month = (months - years).astype(np.int64) + 1
    day = (days - months).astype(np.int64) + 1
    clock = (stamps - days).astype(np.int64)
    out = np.empty((len(seconds), 19), dtype=np.uint8)
    out[:, [4, 7]] = ord("-")
    out[:, 10] = ord(" ")
    out[:, [13, 16]] = ord(":")
    for column, number, width in ((0, year, 4), (5, month, 2), (8, day, 2), (11, clock // 3600, 2),
                                  (14, clock // 60 % 60, 2), (17, clock % 60, 2)):
        for i in range(width):
            out[:, column + width - 1 - i] = 48 + number // 10**i % 10
    offsets = np.arange(0, 19 * len(seconds) + 1, 19, dtype=np.int32)
    return pa.Array.from_buffers(pa.string(), len(seconds), [None, pa.py_buffer(offsets), pa.py_buffer(out.tobytes())])


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
