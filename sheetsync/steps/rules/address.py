"""Addresses in China against the 民政部 divisions: ADDR_INCOMPLETE, ADDR_UNKNOWN, ADDR_MISMATCH, POSTCODE_INVALID.

Only rows whose country is China (see phone.py) are checked. The levels come from the province, city
and district columns; where one of them is empty (or the sheet has none of them) and the address cell
holds a one-string address (`浙江杭州西湖区文三路90号`), `Divisions.split` reads the missing levels and
the postcode from it. Names are looked up once per distinct (province, city, district): short forms
(`浙江`, `杭州`) are accepted, a district of another city is a mismatch naming both.
A level is required only if the sheet has its column, or has none of the three (then the address
cell is all there is).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from sheetsync.config.rules import ADDRESS_LEVELS, AddressRule, PostcodeRule
from sheetsync.divisions import POSTCODE_PROVINCE, Divisions
from sheetsync.i18n import Joined, Words, text
from sheetsync.model.records import Level
from sheetsync.steps.rules.findings import CLAUSES, SPACE, Columns, Findings, arrow, found, join, matches

_DIVISION_LEVELS: Final = ADDRESS_LEVELS[:3]
_RANK: Final = {"info": 0, "warn": 1, "error": 2}
_ASCII_DIGITS: Final = str.maketrans("０１２３４５６７８９", "0123456789")
_POSTCODE_EXCEPTIONS: Final = frozenset({("内蒙古自治区", "75"), ("内蒙古自治区", "13")})
"""阿拉善盟 uses 750xxx and 兴安盟 137xxx, inside 宁夏's and 吉林's prefixes (see divisions.py)."""


@dataclass(frozen=True, slots=True)
class Place:
    """The address of the rows checked (positions `rows`), levels filled from one-string addresses."""

    rows: np.ndarray
    levels: dict[str, pd.Series]
    detail: pd.Series | None
    postcode: pd.Series | None
    checkable: tuple[str, ...]


def locate(cols: Columns, rows: np.ndarray, divisions: Divisions) -> Place | None:
    """The province, city, district, detail and postcode of `rows`, or None if the sheet has no address at all."""
    present = [name for name in ADDRESS_LEVELS if name in cols]
    if not present or not len(rows):
        return None
    every = len(rows) == len(cols)
    index = cols.frame.index if every else cols.frame.index[rows]
    na = pd.Series(pd.NA, index=index, dtype="str")
    levels = {name: _text(cols, name, rows, na) for name in _DIVISION_LEVELS}
    detail = _text(cols, "address", rows, na) if "address" in cols else None
    postcode = _text(cols, "postcode", rows, na) if "postcode" in cols else None
    one_string = not any(name in cols for name in _DIVISION_LEVELS)
    checkable = tuple(ADDRESS_LEVELS) if one_string else tuple(present)
    if detail is not None:
        gaps = np.zeros(len(rows), dtype=bool)
        for name in _DIVISION_LEVELS:
            if one_string or name in cols:
                gaps |= levels[name].isna().to_numpy()
        gaps &= detail.notna().to_numpy()
        if gaps.any():
            levels, detail, postcode = _fill_from_split(levels, detail, postcode, gaps, divisions)
    return Place(rows, levels, detail, postcode, checkable)


def _text(cols: Columns, name: str, rows: np.ndarray, na: pd.Series) -> pd.Series:
    """Column `name` at `rows` as `str`, blank cells as NA."""
    if name not in cols:
        return na
    every = len(rows) == len(cols)
    column = cols.text(name) if every else cols.text(name).iloc[rows]
    empty = cols.blank(name) if every else cols.blank(name)[rows]
    return column.where(~empty, None) if empty.sum() > column.isna().sum() else column


def _fill_from_split(levels: dict[str, pd.Series], detail: pd.Series, postcode: pd.Series | None, gaps: np.ndarray,
                     divisions: Divisions) -> tuple[dict[str, pd.Series], pd.Series, pd.Series | None]:
    """Missing levels (and postcode) read from the start of the address cell; the detail is what follows the names."""
    split = divisions.split(detail[gaps])
    named = split[list(_DIVISION_LEVELS)].notna().any(axis=1)
    levels = {name: column.copy() for name, column in levels.items()}
    for name in _DIVISION_LEVELS:
        column = levels[name]
        take = column[gaps].isna() & split[name].notna()
        column[take[take].index] = split.loc[take, name]
    detail = detail.copy()
    detail[named[named].index] = split.loc[named, "detail"]
    if postcode is not None or split["postcode"].notna().any():
        postcode = postcode.copy() if postcode is not None else pd.Series(pd.NA, index=detail.index, dtype="str")
        take = postcode[gaps].isna() & split["postcode"].notna()
        postcode[take[take].index] = split.loc[take, "postcode"]
    return levels, detail, postcode


def findings(place: Place, rule: AddressRule, postcode_rule: PostcodeRule, divisions: Divisions) -> list[Findings]:
    """The address and postcode findings of the rows of `place`."""
    out: list[Findings] = []
    inverse, triples = _distinct(place.levels)
    verdicts = divisions.check(*(triples[name] for name in _DIVISION_LEVELS))
    normal = divisions.normalize(*(triples[name] for name in _DIVISION_LEVELS))
    status = verdicts["status"].to_numpy(dtype=object)
    if rule.level != "off":
        out += _incomplete(place, rule, rule.level, normal, status, inverse)
        out += _wrong(place, triples, verdicts, normal, divisions, inverse, rule.level)
    if place.postcode is not None:
        province = normal["province"].where(status != "unknown_province").to_numpy(dtype=object)
        out += _postcode(place, province, inverse, postcode_rule)
    return out


def _distinct(levels: dict[str, pd.Series]) -> tuple[np.ndarray, dict[str, pd.Series]]:
    """Each row's index into the distinct (province, city, district), and those triples as columns."""
    codes, uniques = [], []
    for name in _DIVISION_LEVELS:
        k, u = pd.factorize(levels[name], use_na_sentinel=True)
        codes.append(k.astype(np.int64) + 1)
        uniques.append(np.array([None, *u.tolist()], dtype=object))
    key = (codes[0] * len(uniques[1]) + codes[1]) * len(uniques[2]) + codes[2]
    inverse, keys = pd.factorize(key)
    rest, k2 = np.divmod(keys, len(uniques[2]))
    k0, k1 = np.divmod(rest, len(uniques[1]))
    triples = {name: pd.Series(values[k], dtype="str") for name, values, k in zip(_DIVISION_LEVELS, uniques, (k0, k1, k2),
                                                                                   strict=True)}
    return inverse, triples


def _incomplete(place: Place, rule: AddressRule, level: Level,
                normal: pd.DataFrame, status: np.ndarray, inverse: np.ndarray) -> list[Findings]:
    """ADDR_INCOMPLETE: required levels missing (where the divisions say the place has them), detail empty or short."""
    required = [name for name in rule.require if name in place.checkable]
    missing = np.zeros(len(place.rows), dtype=np.int8)
    incomplete = (status == "incomplete")[inverse]
    for bit, name in enumerate(ADDRESS_LEVELS):
        if name not in required:
            continue
        if name == "address":
            empty = place.detail.isna().to_numpy() if place.detail is not None else np.ones(len(place.rows), dtype=bool)
        else:
            empty = normal[name].isna().to_numpy()[inverse] & incomplete
        missing |= empty.astype(np.int8) << bit
    short = np.zeros(len(place.rows), dtype=bool)
    if place.detail is not None and rule.min_detail and "address" in required:
        values = arrow(place.detail)
        length = pc.subtract(pc.utf8_length(values), pc.count_substring_regex(values, r"\s"))
        length = np.asarray(pc.fill_null(length, 0).to_numpy(zero_copy_only=False))
        short = (length > 0) & (length < rule.min_detail)
    flagged = (missing > 0) | short
    if not flagged.any():
        return []
    where = np.flatnonzero(flagged)
    detail = place.detail.iloc[where].to_numpy(dtype=object) if place.detail is not None else np.full(len(where), None)
    keys = pd.MultiIndex.from_arrays([missing[where], np.where(short[where], detail, "")])
    codes, uniques = pd.factorize(keys)
    texts, columns = [], []
    for bits, value in uniques:
        names = [name for bit, name in enumerate(ADDRESS_LEVELS) if bits >> bit & 1]
        parts = [text("rule.ADDR_INCOMPLETE", parts=join([text(f"rule.level.{n}") for n in names]))] if names else []
        if value:
            parts.append(text("rule.ADDR_INCOMPLETE.short", value=value))
        texts.append(Joined(tuple(parts), CLAUSES))
        columns.append(names[0] if names else "address")
    messages = np.array(texts, dtype=object)[codes]
    column_of = np.array(columns, dtype=object)[codes]
    out = []
    for column in dict.fromkeys(columns):
        pick = column_of == column
        out.append(Findings(place.rows[where[pick]], "ADDR_INCOMPLETE", column, messages[pick], level))
    return out


def _wrong(place: Place, triples: dict[str, pd.Series], verdicts: pd.DataFrame, normal: pd.DataFrame,
           divisions: Divisions, inverse: np.ndarray, level: Level) -> list[Findings]:
    """ADDR_UNKNOWN and ADDR_MISMATCH, worded once per distinct triple."""
    status = verdicts["status"].to_numpy(dtype=object)
    bad = np.flatnonzero(np.isin(status, ["unknown_province", "unknown_city", "unknown_district", "mismatch"]))
    if not len(bad):
        return []
    province, city, district = (triples[n].to_numpy(dtype=object) for n in _DIVISION_LEVELS)
    canon = {n: normal[n].to_numpy(dtype=object) for n in _DIVISION_LEVELS}
    city_level = np.zeros(len(status), dtype=bool)
    mismatch = bad[status[bad] == "mismatch"]
    if len(mismatch):
        again = divisions.check(triples["province"].iloc[mismatch], triples["city"].iloc[mismatch],
                                pd.Series(pd.NA, index=triples["city"].index[mismatch], dtype="str"))
        city_level[mismatch] = (again["status"] == "mismatch").to_numpy()
    words: dict[int, tuple[str, str, Words]] = {}
    for i in bad.tolist():
        kind = status[i]
        if kind == "unknown_province":
            words[i] = ("ADDR_UNKNOWN", "province", text("rule.ADDR_UNKNOWN.province", name=province[i]))
        elif kind == "unknown_city":
            parent = canon["province"][i]
            key = "rule.ADDR_UNKNOWN.city" if parent else "rule.ADDR_UNKNOWN.city.anywhere"
            words[i] = ("ADDR_UNKNOWN", "city", text(key, name=city[i], parent=parent))
        elif kind == "unknown_district":
            parent = Joined(tuple(p for p in (canon["province"][i], canon["city"][i]) if isinstance(p, str)), SPACE)
            key = "rule.ADDR_UNKNOWN.district" if parent else "rule.ADDR_UNKNOWN.district.anywhere"
            words[i] = ("ADDR_UNKNOWN", "district", text(key, name=district[i], parent=parent))
        else:
            column = "city" if city_level[i] else "district"
            name = city[i] if city_level[i] else district[i]
            parents = (canon["province"][i],) if city_level[i] else (canon["province"][i], canon["city"][i])
            parent = Joined(tuple(p for p in parents if isinstance(p, str)), SPACE)
            expected = verdicts["expected"].iloc[i]
            alternatives = tuple(Joined(tuple(e.split()), SPACE) for e in str(expected).split(" / "))
            words[i] = ("ADDR_MISMATCH", column, text("rule.ADDR_MISMATCH", name=name, parent=parent,
                                                   expected=Joined(alternatives, text("rule.or"))))
    code_of = np.full(len(status), None, dtype=object)
    column_of = np.full(len(status), None, dtype=object)
    text_of = np.full(len(status), None, dtype=object)
    for i, (code, column, said) in words.items():
        code_of[i], column_of[i], text_of[i] = code, column, said
    positions = np.flatnonzero(np.isin(inverse, bad))
    which = inverse[positions]
    out = []
    for code, column in dict.fromkeys((c, col) for c, col, _ in words.values()):
        pick = (code_of[which] == code) & (column_of[which] == column)
        out.append(Findings(place.rows[positions[pick]], code, column, text_of[which[pick]], level))
    return out


def _postcode(place: Place, province: np.ndarray, inverse: np.ndarray, rule: PostcodeRule) -> list[Findings]:
    """POSTCODE_INVALID: a postcode that is not 6 digits; one whose prefix is another province's (at province_level,
    never above `level`). `province` is the canonical province of each distinct triple (None if unknown), `inverse`
    each row's triple."""
    assert place.postcode is not None
    values = pc.utf8_trim_whitespace(arrow(place.postcode))
    present = place.postcode.notna().to_numpy()
    malformed = present & ~matches(values, r"^[0-9０-９]{6}$")
    out: list[Findings] = []
    if rule.level != "off":
        out += [Findings(place.rows[f.positions], f.code, f.column, f.messages, f.level)
                for f in found(malformed, "POSTCODE_INVALID", "postcode", _cells(place.postcode, "rule.POSTCODE_INVALID"),
                               rule.level)]
    level = min(rule.level, rule.province_level, key=lambda v: _RANK.get(v, -1))
    if level == "off":
        return out
    prefix = pc.utf8_slice_codeunits(values, 0, 2)
    codes, prefixes = pd.factorize(pd.Series(pd.array(prefix, dtype="str")).where(present & ~malformed), use_na_sentinel=True)
    names = sorted(set(POSTCODE_PROVINCE.values()))
    number = {name: k for k, name in enumerate(names)}
    of_prefix = np.array([number.get(POSTCODE_PROVINCE.get(str(u).translate(_ASCII_DIGITS), ""), -1) for u in prefixes] + [-1],
                         dtype=np.int64)
    of_place = np.array([number.get(p, -2) if isinstance(p, str) else -2 for p in province], dtype=np.int64)
    belongs, said = of_prefix[codes], of_place[inverse]
    other = (belongs >= 0) & (said >= 0) & (belongs != said)
    if not other.any():
        return out
    where = np.flatnonzero(other)
    keep, texts = [], []
    for k, value in zip(where.tolist(), place.postcode.iloc[where], strict=True):
        value, of_code, of_address = str(value).strip(), names[belongs[k]], names[said[k]]
        if (of_address, value.translate(_ASCII_DIGITS)[:2]) not in _POSTCODE_EXCEPTIONS:
            keep.append(k)
            texts.append(text("rule.POSTCODE_INVALID.province", value=value, postcode_province=of_code, province=of_address))
    if keep:
        out.append(Findings(place.rows[keep], "POSTCODE_INVALID", "postcode", np.array(texts, dtype=object), level))
    return out


def _cells(column: pd.Series, key: str) -> Callable[[np.ndarray], np.ndarray]:
    return lambda p: np.array([text(key, value=str(v).strip()) for v in column.iloc[p]], dtype=object)
