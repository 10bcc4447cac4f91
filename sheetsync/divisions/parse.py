"""Splitting a one-string address into province, city, district, detail and postcode.

The names are matched at the start only, level after level (`浙江省 杭州市 西湖区 ...`,
`湖北武汉洪山区...`, `北京市朝阳区...`), each level optional; of all the ways the start can be
read, the one naming the most levels wins, then the longest (`青岛|市北区`, not `青岛市|北区`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Final, Generic, TypeVar

from sheetsync.divisions.table import PLACEHOLDER_CITIES, Gazetteer

T = TypeVar("T")
Split = tuple[str | None, str | None, str | None, str | None, str | None]
"""province, city, district, detail, postcode."""
Place = tuple[str | None, str | None, str | None]
"""province, city, district."""

_SEPARATORS: Final = frozenset(" \t\u3000,，、/|-")
_STREET: Final = re.compile(r"[东西南北中]?[路街道巷弄里大湾桥门站港口]")
"""After a short name that ends the reading, this makes it a street or a school (中山路, 南京西路,
广州大道, 武汉大学), not a place; 杭州西湖 and 深圳南山 stay places."""
_POSTCODE: Final = re.compile(
    r"[\s,，;；]*(?:[(（]\s*(?:邮编|邮政编码)?[:：]?\s*([0-9０-９]{6})\s*[)）]|(?<![0-9０-９])(?:邮编|邮政编码)?[:：]?\s*([0-9０-９]{6}))\s*$"
)
_POSTCODE_END: Final = frozenset("0123456789０１２３４５６７８９)）")
_ASCII_DIGITS: Final = str.maketrans("０１２３４５６７８９", "0123456789")


class _Prefixes(Generic[T]):
    """Names looked up by the two characters they start with; longest first, so 吉林省 before 吉林."""

    __slots__ = ("_by_start",)

    def __init__(self, entries: Iterable[tuple[str, T, bool]]) -> None:
        grouped: dict[str, list[tuple[str, T, bool]]] = defaultdict(list)
        for entry in entries:
            if len(entry[0]) >= 2:
                grouped[entry[0][:2]].append(entry)
        self._by_start = {k: sorted(v, key=lambda e: -len(e[0])) for k, v in grouped.items()}

    def at(self, text: str, i: int) -> list[tuple[str, T, bool]]:
        """(name, value, is_short) of every name that `text` has at position `i`."""
        return [e for e in self._by_start.get(text[i : i + 2], ()) if text.startswith(e[0], i)]


class AddressParser:
    """Built once from the gazetteer; `split` is pure and thread-safe."""

    def __init__(self, table: Gazetteer) -> None:
        self._municipalities = table.municipalities
        self._provinces = _Prefixes((k, v, k != v) for k, v in table.province_forms.items())
        self._cities = {
            province: _Prefixes((k, v, k != v) for k, v in forms.items() if k not in PLACEHOLDER_CITIES or v == province)
            for province, forms in table.city_forms.items()
        }
        self._districts = {
            where: _Prefixes((k, v, False) for k, v in forms.items()) for where, forms in table.district_forms.items()
        }
        by_province: dict[str, dict[str, list[tuple[str, str]]]] = defaultdict(lambda: defaultdict(list))
        for province, city, district in table.district_code:
            by_province[province][district].append((city, district))
        self._province_districts = {
            province: _Prefixes((name, places[0], False) for name, places in names.items() if len(places) == 1)
            for province, names in by_province.items()
        }
        self._orphans = _Prefixes(_orphan_entries(table))
        self._foreign = _Prefixes((name, None, False) for name in table.districts_named)

    def split(self, text: str) -> Split:
        """One address -> its parts; when no name is recognised the detail is the whole text."""
        s, postcode = _cut_postcode(text.strip())
        start = _skip(s, 0)
        best, detail_at = (0, 0), start
        found: Place = (None, None, None)
        # Points: 2 per name, 1 for a foreign district. A branch is left as soon as it cannot beat the
        # best reading's points, so the usual address costs one lookup per level.
        for pkey, province, pshort in (*self._provinces.at(s, start), ("", None, False)):
            points = 2 if pkey else 0
            if points + 4 <= best[0]:
                break
            i1 = _skip(s, start + len(pkey)) if pkey else start
            for ckey, (p, c, d), cshort in (*self._city_options(s, i1, province), ("", (province, None, None), False)):
                cpoints = points + 2 if ckey else points
                if cpoints + 2 <= best[0]:
                    break
                i2 = _skip(s, i1 + len(ckey)) if ckey else i1
                for dkey, (c2, d2), foreign in (*self._district_options(s, i2, p, c, d), ("", (None, None), False)):
                    dpoints = cpoints + (0 if not dkey else 1 if foreign else 2)
                    end = i2 + len(dkey) if dkey else i1 + len(ckey) if ckey else start + len(pkey)
                    last_short = False if dkey else cshort if ckey else pshort
                    if dpoints == 0 or (last_short and _STREET.match(s, end)):
                        continue
                    if (dpoints, end) > best:
                        best, found, detail_at = (dpoints, end), (p, c or c2, d or d2), _skip(s, end)
        province, city, district = found
        if province in self._municipalities and city is None:
            city = province
        detail = s[detail_at:].strip() if best[0] else s.strip()
        return province, city, district, detail or None, postcode

    def _city_options(self, s: str, i: int, province: str | None) -> list[tuple[str, Place, bool]]:
        """Cities of `province` at `i`; with no province, a name that places the address by itself."""
        if province is None:
            return self._orphans.at(s, i)
        index = self._cities.get(province)
        return [(k, (province, v, None), short) for k, v, short in index.at(s, i)] if index else []

    def _district_options(
        self, s: str, i: int, province: str | None, city: str | None, district: str | None
    ) -> list[tuple[str, tuple[str | None, str], bool]]:
        """(name, (city, district), foreign) for the districts at `i`. Failing one of its own, a full
        district name of another place (杭州市南山区) is taken as foreign, for check() to call a mismatch;
        never after a city with no district level."""
        if district is not None or province is None:
            return []
        if city is None and province in self._municipalities:
            city = province
        own: list[tuple[str, tuple[str | None, str], bool]]
        if city is None:
            index = self._province_districts.get(province)
            own = [(k, (c, d), False) for k, (c, d), _ in index.at(s, i)] if index else []
        elif by_city := self._districts.get((province, city)):
            own = [(k, (None, v), False) for k, v, _ in by_city.at(s, i)]
        else:
            return []  # 东莞市, 济源市: no district level, what follows is a town (even 东城区)
        return own or [(k, (None, k), True) for k, _, _ in self._foreign.at(s, i)]


def _orphan_entries(table: Gazetteer) -> list[tuple[str, Place, bool]]:
    """Names that place an address with no province: a city or district name unique nationwide."""
    places: dict[str, set[tuple[str, str, str | None]]] = defaultdict(set)
    short: dict[str, bool] = {}
    for name, cities in table.cities_named.items():
        for province, city in cities:
            places[name].add((province, city, None))
            short[name] = name != city
    for name, districts in table.districts_named.items():
        places[name].update(districts)
        short.setdefault(name, False)
    return [(name, next(iter(where)), short[name]) for name, where in places.items() if len(where) == 1]


def _skip(s: str, i: int) -> int:
    while i < len(s) and s[i] in _SEPARATORS:
        i += 1
    return i


def _cut_postcode(s: str) -> tuple[str, str | None]:
    m = _POSTCODE.search(s) if s and s[-1] in _POSTCODE_END else None
    if m is None:
        return s, None
    return s[: m.start()], (m[1] or m[2]).translate(_ASCII_DIGITS)
