"""Phones: Chinese mobiles and landlines by pattern, other countries' numbers with `phonenumbers`.

A row's country is its `country` cell (`中国`, `CN`, `美国`, `United Kingdom`, ...), or the rule's
`default_country` when empty. For China, a cell is valid when every number in it (several may be
separated by `/ , ; 、`) is one of:
- a mobile `1[3-9]` + 9 digits, `138 1234 5678`, `138-1234-5678`, `+86 138...`, `0086138...`;
- a masked number from a platform: `138****5678`, `*******5678`;
- a virtual number with an extension: `18812345678-1234`, `18812345678转1234`;
- a landline: area code (010, 02x, or 0[3-9]xx; in brackets or not) + 7 or 8 digits + an optional
  extension (`-123`, `转123`, `#123`, `ext 123`): `0571-87654321-123`, `(010)12345678`;
- a 400/800 service number: `400-800-1234`;
- a number in international form (`+1 415 555 2671`) that `phonenumbers` finds valid.
A `1.38e+10`-style cell (a phone stored as a float: its digits are gone) is PHONE_INVALID with its own
message; this rule replaces `steps.anomalies.phone_digits_lost`, which need not run as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc

from sheetsync.config.rules import CN_NAMES, PhoneRule
from sheetsync.i18n import text
from sheetsync.model.normalize import restore_digits
from sheetsync.steps.rules.findings import Columns, Findings, found, matches

OK: Final = 0
MISSING: Final = 1
INVALID: Final = 2
LOST: Final = 3
"""Per-row phone status; LOST = scientific notation (`1.38e+10`)."""

_MOBILE: Final = r"^1[3-9][0-9]{9}$"
_AREA: Final = r"(?:010|02[0-9]|0[3-9][0-9]{2})"
_EXTENSION: Final = r"(?:(?:-|转|#|ext\.?|x|分机)[0-9]{1,6})?"
_CHINESE: Final = (
    r"(?i)^(?:"
    r"1[3-9][0-9](?:-?[0-9]{4}){2}"  # mobile
    r"|1[3-9*][0-9*]{9}(?:(?:-|转|_|#)[0-9]{1,6})?"  # masked, virtual
    r"|\*{3,}[0-9]{3,4}"  # masked down to the last digits
    rf"|(?:\({_AREA}\)|{_AREA}-?)[1-9][0-9]{{2,3}}-?[0-9]{{4}}{_EXTENSION}"  # landline
    rf"|[48]00-?[0-9]{{3}}-?[0-9]{{4}}{_EXTENSION}"  # service number
    r")$"
)
_SEPARATORS: Final = r"[/,;、|]+"

_COUNTRY_NAMES: Final = {
    "US": "美国|USA|United States|America", "GB": "英国|UK|United Kingdom|Great Britain|England|Britain",
    "JP": "日本|Japan", "KR": "韩国|Korea|South Korea", "SG": "新加坡|Singapore", "MY": "马来西亚|Malaysia",
    "AU": "澳大利亚|澳洲|Australia", "CA": "加拿大|Canada", "DE": "德国|Germany", "FR": "法国|France",
    "HK": "香港|中国香港|Hong Kong", "MO": "澳门|中国澳门|Macau|Macao", "TW": "台湾|中国台湾|Taiwan",
    "NZ": "新西兰|New Zealand", "TH": "泰国|Thailand", "VN": "越南|Vietnam|Viet Nam", "IT": "意大利|Italy",
    "ES": "西班牙|Spain", "NL": "荷兰|Netherlands", "RU": "俄罗斯|Russia", "IN": "印度|India",
    "AE": "阿联酋|UAE|United Arab Emirates", "PH": "菲律宾|Philippines", "ID": "印度尼西亚|印尼|Indonesia",
}
REGIONS: Final[dict[str, str]] = {
    name.casefold(): region for region, names in _COUNTRY_NAMES.items() for name in names.split("|")
}
"""Country names people write -> ISO region; any other two-letter region phonenumbers knows is taken as is."""


@dataclass(frozen=True, slots=True)
class Phones:
    """Per row: the phone status and the region of the row's country ("" if the country is not recognised)."""

    status: np.ndarray
    region: np.ndarray

    @property
    def usable(self) -> np.ndarray:
        return self.status == OK


def region_of(country: str, default: str) -> str:
    """The ISO region of a country cell: CN for 中国/China/CN, blank -> `default`, "" if not recognised."""
    name = " ".join(country.split()).casefold()
    if not name:
        return region_of(default, "") if default else ""
    if name in CN_NAMES:
        return "CN"
    if name in REGIONS:
        return REGIONS[name]
    return name.upper() if name.upper() in phonenumbers.SUPPORTED_REGIONS else ""


def regions(frame: pd.DataFrame, rule: PhoneRule) -> np.ndarray:
    """The region of every row's country (see `region_of`), computed once per distinct country."""
    default = region_of(rule.default_country, "")
    if rule.country_field not in frame.columns:
        return np.full(len(frame), default, dtype=object)
    codes, uniques = pd.factorize(frame[rule.country_field], use_na_sentinel=True)
    distinct = np.array([region_of(str(u), rule.default_country) for u in uniques] + [default], dtype=object)
    return np.asarray(distinct[codes], dtype=object)


def classify(cols: Columns, region: np.ndarray) -> Phones:
    """The status of every row's phone (OK / MISSING / INVALID / LOST) for its row's region."""
    status = np.full(len(cols), OK, dtype=np.int8)
    status[cols.blank("phone")] = MISSING
    phones = cols.arrow("phone")
    cn = region == "CN"
    todo = (status == OK) & ~(cn & matches(phones, _MOBILE))
    if not todo.any():
        return Phones(status, region)
    positions = np.flatnonzero(todo)
    raw = phones.take(pa.array(positions))
    restored, lost_mask = restore_digits(pd.Series(pd.array(raw, dtype="str")))
    lost = lost_mask.to_numpy()
    status[positions[lost]] = LOST
    positions, raw = positions[~lost], pa.array(restored[~lost].tolist(), pa.string())
    values = pc.utf8_normalize(raw, "NFKC")
    compact = pc.replace_substring_regex(values, r"\s+", "")
    compact = pc.replace_substring_regex(compact, r"^(?:\+|00)86-?(?:\(0\)|0)?(1[3-9])", r"\1")
    compact = pc.replace_substring_regex(compact, r"^(?:\+|00)86-?(?:\(0\)|0)?([1-9])", r"0\1")
    ok = np.zeros(len(positions), dtype=bool)
    home = cn[positions]
    if home.any():
        ok[home] = _chinese(compact.filter(pa.array(home)))
    international = ~ok & (~home | matches(compact, r"^(?:\+|00)[1-9]"))
    if international.any():
        numbers = values.to_numpy(zero_copy_only=False)[international]
        where = region[positions[international]]
        ok[international] = _valid_abroad(numbers, np.where(home[international], "", where))
    status[positions[~ok]] = INVALID
    return Phones(status, region)


def _chinese(compact: pa.Array) -> np.ndarray:
    """Every number in the cell is a Chinese number of a form we accept."""
    parts = pc.split_pattern_regex(compact, _SEPARATORS)
    flat = pc.list_flatten(parts)
    owner = pc.list_parent_indices(parts).to_numpy(zero_copy_only=False)
    empty = pc.utf8_length(flat).to_numpy(zero_copy_only=False) == 0
    bad = np.bincount(owner[~(matches(flat, _CHINESE) | empty)], minlength=len(compact))
    some = np.bincount(owner[~empty], minlength=len(compact))
    return (bad == 0) & (some > 0)


def _valid_abroad(values: np.ndarray, regions_: np.ndarray) -> np.ndarray:
    """phonenumbers' verdict on each (number, region) pair, asked once per distinct pair."""
    pairs = pd.MultiIndex.from_arrays([values, regions_])
    codes, uniques = pd.factorize(pairs)
    verdicts = np.array([_valid(str(v), str(r)) for v, r in uniques], dtype=bool)
    return verdicts[codes]


def _valid(value: str, region: str) -> bool:
    try:
        number = phonenumbers.parse(value, region or None)
    except phonenumbers.NumberParseException:
        return False
    return bool(phonenumbers.is_valid_number(number))


def findings(cols: Columns, checked: Phones, rule: PhoneRule) -> list[Findings]:
    """PHONE_MISSING and PHONE_INVALID at the rule's level."""
    if rule.level == "off":
        return []
    level = rule.level

    def invalid(positions: np.ndarray) -> np.ndarray:
        values = cols.frame["phone"].iloc[positions].to_numpy(dtype=object)
        where = checked.region[positions]
        pairs = pd.MultiIndex.from_arrays([values, where])
        codes, uniques = pd.factorize(pairs)
        texts = [text("rule.PHONE_INVALID", value=v) if r in ("CN", "") else
                 text("rule.PHONE_INVALID.foreign", value=v, country=r) for v, r in uniques]
        return np.array(texts, dtype=object)[codes]

    def lost(positions: np.ndarray) -> np.ndarray:
        return np.array([text("anomaly.PHONE_INVALID.lost", value=v) for v in cols.frame["phone"].iloc[positions]],
                        dtype=object)

    return [
        *found(checked.status == MISSING, "PHONE_MISSING", "phone", text("rule.PHONE_MISSING"), level),
        *found(checked.status == INVALID, "PHONE_INVALID", "phone", invalid, level),
        *found(checked.status == LOST, "PHONE_INVALID", "phone", lost, level),
    ]
