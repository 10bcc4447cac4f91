"""Phones, addresses, postcodes and villages: the validation rules that know China's numbers and places."""

from __future__ import annotations

from typing import Any

import pytest
from rules_fixtures import check, found, sheet

from sheetsync.steps.anomalies import phone_digits_lost
from sheetsync.steps.rules.phone import region_of

# phones --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "13812345678", "138 1234 5678", "138-1234-5678", "+86 138 1234 5678", "0086-13812345678", "１３８１２３４５６７８",
        "138****5678", "*******5678", "18812345678-1234", "18812345678转1234", "0571-87654321", "0571-87654321-123",
        "057187654321", "0571 8765 4321", "(010)12345678", "（010）12345678", "010-12345678转8001", "+86 571 8765 4321",
        "400-800-1234", "4008001234", "800-820-1234", "13812345678 / 0571-87654321", "13812345678，13912345678",
        "+1 415 555 2671", "+44 20 7946 0958",
    ],
)  # fmt: skip
def test_chinese_mobiles_landlines_masked_and_virtual_numbers_are_accepted(phone: str) -> None:
    assert check(sheet({"phone": phone})) == []


@pytest.mark.parametrize(
    "phone",
    ["1381234567", "138123456789", "12812345678", "87654321", "0571-123", "1234-87654321", "abc", "13812345678 / 123",
     "+1 555 0100", "400-800-12"],
)  # fmt: skip
def test_other_numbers_are_invalid_and_named(phone: str) -> None:
    assert found(sheet({"phone": phone})) == [(2, "PHONE_INVALID", "phone", "error", f"电话号码无效（{phone}）")]
    assert found(sheet({"phone": phone}), "en") == [(2, "PHONE_INVALID", "phone", "error", f"not a valid phone number ({phone})")]


@pytest.mark.parametrize(("phone", "lang", "message"), [(None, "zh", "缺少电话"), ("  ", "en", "no phone number")])
def test_no_phone_at_all_is_phone_missing(phone: str | None, lang: Any, message: str) -> None:
    assert found(sheet({"phone": phone}), lang) == [(2, "PHONE_MISSING", "phone", "error", message)]


def test_a_phone_whose_digits_were_lost_is_invalid_as_the_old_step_said() -> None:
    frame = sheet({"phone": "1.38e+10"}, {"phone": "1.3812345678E10"})
    # 1.3812345678E10 shows all eleven digits: it is 13812345678, a good phone; only 1.38e+10 lost its digits
    assert [(a.code, a.message) for a in check(frame)] == [(a.code, a.text("zh")) for a in phone_digits_lost(frame)] == [
        ("PHONE_INVALID", "电话号码的位数已丢失（1.38e+10）"),
    ]
    assert check(frame, phone="off") == []


@pytest.mark.parametrize(
    ("country", "phone", "error"),
    [
        ("美国", "+1 415 555 2671", None),
        ("US", "(415) 555-2671", None),
        ("United States", "415-555-2671", None),
        ("美国", "+1 555 0100", "不是有效的 US 电话号码（+1 555 0100）"),
        ("美国", "13812345678", "不是有效的 US 电话号码（13812345678）"),
        ("United Kingdom", "+44 20 7946 0958", None),
        ("英国", "020 7946 0958", None),
        ("GB", "020 7946", "不是有效的 GB 电话号码（020 7946）"),
        ("中国", "13812345678", None),
        ("China", "13812345678", None),
        ("Atlantis", "+44 20 7946 0958", None),
        ("Atlantis", "020 7946 0958", "电话号码无效（020 7946 0958）"),
    ],
)
def test_numbers_abroad_are_checked_for_their_country(country: str, phone: str, error: str | None) -> None:
    assert [a.message for a in check(sheet({"country": country, "phone": phone}))] == ([error] if error else [])


def test_country_names_and_codes_map_to_regions() -> None:
    assert [region_of(c, "CN") for c in ("", "中国", "cn", " China ", "美国", "uk", "Hong Kong", "jp", "Narnia")] == [
        "CN", "CN", "CN", "CN", "US", "GB", "HK", "JP", "",
    ]
    assert region_of("", "US") == "US"


def test_default_country_decides_for_rows_without_one() -> None:
    frame = sheet({"phone": "(415) 555-2671"})
    assert [a.code for a in check(frame)] == ["PHONE_INVALID"]
    assert [a.code for a in check(frame, phone={"default_country": "US"})] == []


# addresses -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("province", "city", "district", "address"),
    [
        ("浙江省", "杭州市", "西湖区", "文三路90号"),
        ("浙江", "杭州", "西湖区", "文三路90号"),
        ("北京市", None, "朝阳区", "建国路88号"),
        ("北京", "北京市", "朝阳区", "建国路88号"),
        ("广东省", "东莞市", None, "南城街道鸿福路100号"),
        ("湖北省", "仙桃市", None, "沙嘴街道 1 号"),
        ("浙江省", "杭州市", "临安市", "锦城街道1号"),
        ("内蒙古自治区", "阿拉善盟", "阿拉善左旗", "巴彦浩特镇1号"),
    ],
)  # fmt: skip
def test_real_addresses_and_their_short_forms_pass(province: str, city: str | None, district: str | None, address: str) -> None:
    frame = sheet({"province": province, "city": city, "district": district, "address": address, "postcode": None})
    assert check(frame) == []


@pytest.mark.parametrize(
    ("cells", "code", "column", "zh", "en"),
    [
        (("江苏省", "南京市", "西湖区"), "ADDR_MISMATCH", "district",
         "西湖区不属于江苏省南京市（属于江西省南昌市或浙江省杭州市）",
         "西湖区 is not in 江苏省 南京市 (it is in 江西省 南昌市 or 浙江省 杭州市)"),
        (("浙江省", "杭州市", "南山区"), "ADDR_MISMATCH", "district",
         "南山区不属于浙江省杭州市（属于广东省深圳市或黑龙江省鹤岗市）",
         "南山区 is not in 浙江省 杭州市 (it is in 广东省 深圳市 or 黑龙江省 鹤岗市)"),
        (("浙江省", "苏州市", "姑苏区"), "ADDR_MISMATCH", "city", "苏州市不属于浙江省（属于江苏省）",
         "苏州市 is not in 浙江省 (it is in 江苏省)"),
        (("浙江省", "杭州市", None), "ADDR_INCOMPLETE", "district", "地址缺少区县", "the address lacks the district"),
        (("浙江省", None, None), "ADDR_INCOMPLETE", "city", "地址缺少城市、区县", "the address lacks the city, district"),
        ((None, "杭州市", "西湖区"), "ADDR_INCOMPLETE", "province", "地址缺少省份", "the address lacks the province"),
        (("火星省", "杭州市", "西湖区"), "ADDR_UNKNOWN", "province", "找不到省份「火星省」", "no province named '火星省'"),
        (("浙江省", "火星市", "西湖区"), "ADDR_UNKNOWN", "city", "浙江省没有叫「火星市」的城市",
         "浙江省 has no city named '火星市'"),
        (("浙江省", "杭州市", "西湖"), "ADDR_UNKNOWN", "district", "浙江省杭州市没有叫「西湖」的区县",
         "浙江省 杭州市 has no district named '西湖'"),
    ],
)
def test_wrong_incomplete_and_unknown_places_name_what_is_wrong(cells: tuple[str | None, ...], code: str, column: str,
                                                                  zh: str, en: str) -> None:
    frame = sheet(dict(zip(("province", "city", "district"), cells, strict=True)) | {"postcode": None})
    assert found(frame) == [(2, code, column, "error", zh)]
    assert found(frame, "en") == [(2, code, column, "error", en)]


@pytest.mark.parametrize(
    ("address", "zh", "en"),
    [
        (None, "地址缺少详细地址", "the address lacks the street address"),
        ("自提", "详细地址太短（自提）", "the street address is too short (自提)"),
        ("1 号", "详细地址太短（1 号）", "the street address is too short (1 号)"),
        ("文三路 9 号", None, None),
    ],
)
def test_the_detail_must_be_there_and_long_enough(address: str | None, zh: str | None, en: str | None) -> None:
    frame = sheet({"address": address})
    assert [a.message for a in check(frame)] == ([zh] if zh else [])
    assert [a.message for a in check(frame, "en")] == ([en] if en else [])
    assert check(frame, address={"min_detail": 0, "require": ["province", "city", "district"]}) == []


def test_missing_levels_and_a_short_detail_make_one_finding() -> None:
    frame = sheet({"district": None, "address": "自提"})
    assert found(frame) == [(2, "ADDR_INCOMPLETE", "district", "error", "地址缺少区县，详细地址太短（自提）")]


def test_levels_not_required_or_not_in_the_sheet_are_not_asked_for() -> None:
    frame = sheet({"district": None})
    assert check(frame, address={"require": ["province", "city", "address"]}) == []
    assert check(frame.drop(columns=["district"])) == []


@pytest.mark.parametrize(
    ("address", "postcode", "expected"),
    [
        ("浙江省杭州市西湖区文三路90号", None, []),
        ("浙江杭州西湖区 文三路 90 号 310012", None, []),
        ("杭州市西湖区文三路90号", "310012", []),
        ("湖北武汉洪山区珞喻路1037号", "310012", [("POSTCODE_INVALID", "邮编 310012 属于浙江省，地址在湖北省")]),
        ("浙江省杭州市文三路90号", None, [("ADDR_INCOMPLETE", "地址缺少区县")]),
        ("文三路90号", None, [("ADDR_INCOMPLETE", "地址缺少省份、城市、区县")]),
        ("江苏省南京市西湖区中山路1号", None, [("ADDR_MISMATCH", "西湖区不属于江苏省南京市（属于江西省南昌市或浙江省杭州市）")]),
    ],
)
def test_a_sheet_with_one_address_column_is_split(address: str, postcode: str | None, expected: list[tuple[str, str]]) -> None:
    frame = sheet({"address": address, "postcode": postcode}).drop(columns=["province", "city", "district"])
    assert [(a.code, a.message) for a in check(frame)] == expected


def test_levels_missing_in_their_columns_are_read_from_the_address_cell() -> None:
    frame = sheet({"province": None, "city": None, "district": None, "address": "浙江省杭州市西湖区文三路90号"},
                  {"district": None, "address": "杭州市滨江区江南大道1号"})
    assert check(frame) == []


# postcodes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"postcode": "310012"}, []),
        ({"postcode": None}, []),
        ({"postcode": "31001"}, [("error", "邮编应为 6 位数字（31001）", "a postcode has 6 digits (31001)")]),
        ({"postcode": "31001a"}, [("error", "邮编应为 6 位数字（31001a）", "a postcode has 6 digits (31001a)")]),
        ({"postcode": "210000"}, [("warn", "邮编 210000 属于江苏省，地址在浙江省",
                                   "postcode 210000 is for 江苏省, the address is in 浙江省")]),
        ({"province": "内蒙古自治区", "city": "阿拉善盟", "district": "阿拉善左旗", "postcode": "750306"}, []),
        ({"province": "火星省", "postcode": "210000"}, None),
        ({"country": "美国", "phone": "+1 415 555 2671", "postcode": "94105"}, []),
    ],
)
def test_postcodes_have_six_digits_and_the_province_prefix(cells: dict[str, str | None],
                                                           expected: list[tuple[str, str, str]] | None) -> None:
    frame = sheet(cells)
    for lang, k in (("zh", 1), ("en", 2)):
        got = [(a.level, a.message) for a in check(frame, lang) if a.code == "POSTCODE_INVALID"]
        assert got == ([] if expected is None else [(e[0], e[k]) for e in expected])


def test_postcode_levels() -> None:
    frame = sheet({"postcode": "210000"}, {"postcode": "2100"})
    assert [a.level for a in check(frame, postcode={"level": "info"})] == ["info", "info"]
    assert [a.level for a in check(frame, postcode={"province_level": "off"})] == ["error"]
    assert check(frame, postcode="off") == []


# villages without a phone --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "place"),
    [
        ("马鞍镇 石梁村 3 组", "石梁村"),
        ("张家村12号", "张家村"),
        ("王家屯5号", "王家屯"),
        ("城关镇三组", "三组"),
        ("第五村民小组", "第五村民小组"),
        ("曹杨新村3组", "3组"),
        ("村上春树路1号", None),
        ("曹杨新村12号", None),
        ("大屯路1号", None),
        ("XX度假村1号楼", None),
        ("周村区正阳路1号", None),
        ("文三路90号", None),
    ],
)
def test_a_village_without_a_usable_phone_is_flagged(address: str, place: str | None) -> None:
    for phone in (None, "1381234567"):
        rural = [a for a in check(sheet({"address": address, "phone": phone})) if a.code == "RURAL_NO_PHONE"]
        assert [(a.level, a.message) for a in rural] == ([("warn", f"农村地址（{place}）没有可用的电话")] if place else [])
    for phone in ("13812345678", "138****5678", "0571-87654321"):
        assert check(sheet({"address": address, "phone": phone})) == []


def test_village_message_in_english_and_only_in_china() -> None:
    assert found(sheet({"address": "张家村12号", "phone": None}), "en")[1] == (
        2, "RURAL_NO_PHONE", "phone", "warn", "rural address (张家村) without a usable phone")
    abroad = sheet({"address": "张家村12号", "phone": None, "country": "美国", "province": None, "city": None,
                    "district": None, "postcode": None})
    assert [a.code for a in check(abroad)] == ["PHONE_MISSING"]
