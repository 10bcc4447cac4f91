"""The validation rules on real-looking orders: required fields, amounts, dates, duplicates, custom rules, levels.

Phones, addresses, postcodes and villages are in test_rules_places.py. Every test builds a small sheet
(index = sheet row numbers) from rules_fixtures.GOOD, a row that passes every rule, changed where it matters.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from ruamel.yaml import YAML
from rules_fixtures import NOW, check, found, sheet

from sheetsync.conditions import FieldType, field_types
from sheetsync.errors import ConfigError
from sheetsync.i18n import Lang
from sheetsync.model.records import anomaly_cells, anomaly_codes
from sheetsync.steps.rules import BUILTIN_CODES, RulesConfig, compile_rules, validate


def test_a_good_order_has_no_anomaly() -> None:
    assert check(sheet({}, {"channel": "拼多多"}, {"channel": "manual", "customer_name": "Li Lei"})) == []


# required ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "message"), [("zh", "缺少客户姓名"), ("en", "customer name is missing")]
)
def test_an_empty_required_field_is_named(lang: Lang, message: str) -> None:
    assert found(sheet({"customer_name": None}, {"customer_name": "  "}), lang) == [
        (2, "REQUIRED_MISSING", "customer_name", "error", message),
        (3, "REQUIRED_MISSING", "customer_name", "error", message),
    ]


def test_a_missing_phone_or_address_is_reported_once_by_the_more_specific_rule() -> None:
    assert [(a.code, a.column) for a in check(sheet({"phone": None, "address": None}))] == [
        ("PHONE_MISSING", "phone"), ("ADDR_INCOMPLETE", "address"),
    ]
    assert [(a.code, a.column) for a in check(sheet({"phone": None}), phone={"level": "off"})] == [
        ("REQUIRED_MISSING", "phone"),
    ]


def test_abroad_the_address_is_only_required() -> None:
    frame = sheet({"country": "美国", "phone": "+1 415 555 2671", "province": None, "city": None, "district": None,
                   "address": None, "postcode": None})
    assert found(frame, "en") == [(2, "REQUIRED_MISSING", "address", "error", "address is missing")]


def test_required_fields_are_configurable_and_absent_columns_skipped() -> None:
    frame = sheet({"customer_name": None, "channel_order_id": None}, drop=("customer_name",))
    assert check(frame) == []
    assert [(a.code, a.column) for a in check(frame, required=["channel_order_id", "customer_name"])] == [
        ("REQUIRED_MISSING", "channel_order_id"),
    ]
    assert check(frame, required={"fields": ["channel_order_id"], "level": "off"}) == []


# amounts -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payable", "paid", "expected"),
    [
        ("2000", "2000.00", []),
        ("2000.00", "2000.00", []),
        ("2000.001", "2000.00", []),
        ("2000.00", "2000.001", [("amount_paid", "实付 2000.001 大于应付 2000.00",
                                  "amount paid 2000.001 exceeds amount payable 2000.00")]),
        ("99999999999999999999.000000000001", "99999999999999999999.000000000002",
         [("amount_paid", "实付 99999999999999999999.000000000002 大于应付 99999999999999999999.000000000001",
           "amount paid 99999999999999999999.000000000002 exceeds amount payable 99999999999999999999.000000000001")]),
        ("0", "0", []),
        ("abc", "10", [("amount_payable", "应付金额不是金额（abc）", "amount payable is not an amount (abc)")]),
        ("1,299", "1299", [("amount_payable", "应付金额不是金额（1,299）", "amount payable is not an amount (1,299)")]),
        ("10", "-5", [("amount_paid", "实付金额是负数（-5）", "amount paid is negative (-5)")]),
        ("-5", "-5", [("amount_payable", "应付金额是负数（-5）", "amount payable is negative (-5)"),
                      ("amount_paid", "实付金额是负数（-5）", "amount paid is negative (-5)")]),
        (None, None, []),
    ],
)
def test_amounts_are_decimals_compared_exactly(payable: str | None, paid: str | None,
                                               expected: list[tuple[str, str, str]]) -> None:
    frame = sheet({"amount_payable": payable, "amount_paid": paid})
    for lang, k in (("zh", 1), ("en", 2)):
        assert [(a.code, a.column, a.message) for a in check(frame, lang)] == [("AMOUNT_INVALID", e[0], e[k]) for e in expected]  # type: ignore[arg-type]


# dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("created", "paid", "expected"),
    [
        ("2024-06-01 12:05:00", "2024-06-01 12:09:59", []),
        ("2024-06-01 12:11:00", "2024-06-01 12:11:00", [
            ("created_at", "下单时间 2024-06-01 12:11:00 晚于现在", "order time 2024-06-01 12:11:00 is in the future"),
            ("paid_at", "支付时间 2024-06-01 12:11:00 晚于现在", "payment time 2024-06-01 12:11:00 is in the future")]),
        ("2024-05-31 10:00:00", "2024-05-31 09:59:59", [
            ("paid_at", "支付时间 2024-05-31 09:59:59 早于下单时间 2024-05-31 10:00:00",
             "paid at 2024-05-31 09:59:59, before the order was created (2024-05-31 10:00:00)")]),
        ("2024-02-29 10:00:00", None, []),
        ("2023-02-29 10:00:00", None, [
            ("created_at", "下单时间不是日期时间（2023-02-29 10:00:00）",
             "order time is not a date and time (2023-02-29 10:00:00)")]),
        ("2024-04-31 10:00:00", "2024-05-01 10:00:00", [
            ("created_at", "下单时间不是日期时间（2024-04-31 10:00:00）",
             "order time is not a date and time (2024-04-31 10:00:00)")]),
        ("5号", "2024-1-5 10:00:00", [
            ("created_at", "下单时间不是日期时间（5号）", "order time is not a date and time (5号)"),
            ("paid_at", "支付时间不是日期时间（2024-1-5 10:00:00）", "payment time is not a date and time (2024-1-5 10:00:00)")]),
    ],
)
def test_dates_must_be_real_not_future_and_paid_after_created(created: str, paid: str | None,
                                                              expected: list[tuple[str, str, str]]) -> None:
    frame = sheet({"created_at": created, "paid_at": paid})
    for lang, k in (("zh", 1), ("en", 2)):
        assert [(a.code, a.column, a.message) for a in check(frame, lang)] == [("DATE_INVALID", e[0], e[k]) for e in expected]  # type: ignore[arg-type]


def test_future_tolerance_is_a_duration() -> None:
    frame = sheet({"created_at": "2024-06-01 13:00:00", "paid_at": None})
    assert [a.code for a in check(frame)] == ["DATE_INVALID"]
    assert check(frame, dates={"future_tolerance": "2h"}) == []
    with pytest.raises(ValidationError, match="not a duration"):
        RulesConfig.model_validate({"dates": {"future_tolerance": "soon"}})


def test_an_aware_now_is_read_as_the_wall_clock() -> None:
    aware = NOW.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert check(sheet({"created_at": "2024-06-01 12:05:00", "paid_at": None}), now=aware) == []


# duplicates ----------------------------------------------------------------------------------


def test_every_row_of_a_duplicated_channel_order_is_flagged_naming_the_others() -> None:
    frame = sheet({"channel_order_id": "D1"}, {"channel_order_id": "D2"}, {"channel_order_id": "D1"},
                  {"channel": "拼多多", "channel_order_id": "D1"}, {"channel_order_id": "D1"},
                  {"channel_order_id": None}, {"channel_order_id": None})
    assert found(frame) == [
        (2, "DUP_CHANNEL_ORDER", "channel_order_id", "error", "抖音订单号 D1 重复（另见第 4、6 行）"),
        (4, "DUP_CHANNEL_ORDER", "channel_order_id", "error", "抖音订单号 D1 重复（另见第 2、6 行）"),
        (6, "DUP_CHANNEL_ORDER", "channel_order_id", "error", "抖音订单号 D1 重复（另见第 2、4 行）"),
    ]
    assert [a.message for a in check(frame.iloc[:3], "en")] == [
        "duplicate 抖音 order D1 (also on row 4)", "duplicate 抖音 order D1 (also on row 2)",
    ]


def test_a_long_run_of_duplicates_names_five_rows_and_counts_the_rest() -> None:
    anomalies = check(sheet(*[{"channel_order_id": "D1"}] * 8))
    assert len(anomalies) == 8
    assert anomalies[0].message == "抖音订单号 D1 重复（另见第 3、4、5、6、7 行及另外 2 行）"


# custom rules --------------------------------------------------------------------------------


BIG = {"name": "大额抖音单", "when": "amount_payable > 5000 AND channel = '抖音'", "code": "BIG_ORDER",
       "message": "大额订单需复核", "level": "warn"}


def test_a_custom_rule_flags_the_rows_where_its_condition_holds() -> None:
    frame = sheet({"amount_payable": "5000.01", "amount_paid": "5000.01"}, {"amount_payable": "5000", "amount_paid": "5000"},
                  {"channel": "淘宝", "amount_payable": "9000", "amount_paid": "9000"})
    assert found(frame, custom=[BIG]) == [(2, "BIG_ORDER", None, "warn", "大额订单需复核")]
    two = {**BIG, "message": {"zh": "大额订单需复核", "en": "large order: check it"}, "column": "amount_payable"}
    assert found(frame, "en", custom=[two]) == [(2, "BIG_ORDER", "amount_payable", "warn", "large order: check it")]
    assert check(frame, custom=[{**BIG, "level": "off"}]) == []


def test_custom_rules_may_read_derived_fields() -> None:
    frame = sheet({}, {}).assign(hours_in_state=[2.0, 30.0])
    rule = {"name": "待发货超时", "when": "hours_in_state > 24 AND status = '待发货'", "code": "LATE", "message": "超时"}
    rules = compile_rules(RulesConfig.model_validate({"custom": [rule]}), lang="zh",
                          fields=field_types({"hours_in_state": FieldType.NUMBER}))
    assert [(a.row, a.code) for a in validate(frame, rules, now=NOW)] == [(3, "LATE")]


@pytest.mark.parametrize(
    ("lang", "parts"),
    [
        ("zh", ["规则 '大额抖音单'", "第 20 列", "amount_payabel", "amount_payable"]),
        ("en", ["rule '大额抖音单'", "column 20", "amount_payabel", "did you mean amount_payable?"]),
    ],
)
def test_a_bad_condition_fails_the_configuration_naming_rule_expression_and_position(lang: Lang, parts: list[str]) -> None:
    config = RulesConfig.model_validate({"custom": [{**BIG, "when": "channel = '抖音' AND amount_payabel > 5000"}]})
    with pytest.raises(ConfigError) as info:
        compile_rules(config, lang=lang)
    assert info.value.exit_code == 2
    for part in parts:
        assert part in str(info.value)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"code": "big_order"}, "UPPER_SNAKE"),
        ({"code": "PHONE_INVALID"}, "built-in code"),
        ({"code": "DUP_ORDER_ID"}, "built-in code"),
        ({"message": {"zh": "只有中文"}}, "zh: ..., en: ..."),
        ({"message": "大额; 需复核"}, "separates anomalies"),
        ({"level": "fatal"}, "level"),
        ({"column": "金额"}, "not a canonical field"),
        ({"unknown": 1}, "Extra inputs"),
    ],
)
def test_custom_rules_are_checked_at_load(change: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        RulesConfig.model_validate({"custom": [{**BIG, **change}]})


def test_custom_rule_names_are_unique() -> None:
    with pytest.raises(ValidationError, match="used twice"):
        RulesConfig.model_validate({"custom": [BIG, {**BIG, "code": "OTHER"}]})


# levels and configuration --------------------------------------------------------------------


PROBLEMS = {"phone": "1381234567", "customer_name": None, "address": "马鞍镇石梁村3组", "amount_paid": "-1"}


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({}, [("REQUIRED_MISSING", "error"), ("PHONE_INVALID", "error"), ("RURAL_NO_PHONE", "warn"),
              ("AMOUNT_INVALID", "error")]),
        ({"phone": {"level": "warn"}, "rural": {"level": "info"}},
         [("REQUIRED_MISSING", "error"), ("PHONE_INVALID", "warn"), ("RURAL_NO_PHONE", "info"), ("AMOUNT_INVALID", "error")]),
        ({"phone": {"level": "off"}, "amounts": "off", "required": False},
         [("RURAL_NO_PHONE", "warn")]),
        ({"rural": "off", "phone": {"level": False}}, [("REQUIRED_MISSING", "error"), ("AMOUNT_INVALID", "error")]),
    ],
)
def test_level_switches_change_or_remove_findings(config: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    assert [(a.code, a.level) for a in check(sheet(PROBLEMS), **config)] == expected


def test_unless_exempts_rows_from_a_built_in_rule() -> None:
    shop = {"channel": "门店POS", "customer_name": None, "phone": None, "province": None, "city": None, "district": None,
            "address": None, "postcode": None}
    frame = sheet(shop, {"phone": None})
    assert [(a.row, a.code) for a in check(frame)] == [
        (2, "REQUIRED_MISSING"), (2, "PHONE_MISSING"), (2, "ADDR_INCOMPLETE"), (3, "PHONE_MISSING"),
    ]
    pos = "channel = '门店POS'"
    assert [(a.row, a.code) for a in check(frame, address={"unless": pos}, phone={"unless": pos},
                                           required={"unless": pos})] == [(3, "PHONE_MISSING")]


def test_a_bad_unless_fails_the_configuration_naming_the_rule() -> None:
    with pytest.raises(ConfigError, match=r"rules\.address\.unless"):
        compile_rules(RulesConfig.model_validate({"address": {"unless": "chanel = '门店POS'"}}), lang="en")


def test_the_documented_yaml_loads() -> None:
    text = """
rules:
  required: [channel_order_id, customer_name, phone, address]
  phone: {level: error, country_field: country, default_country: CN}
  address: {country: CN, require: [province, city, district, address], level: error, min_detail: 4}
  amounts: {level: error}
  dates: {level: error, future_tolerance: 10m}
  rural: {level: warn}
  duplicates: {level: off}
  custom:
    - {name: 大额抖音单, when: "amount_payable > 5000 AND channel = '抖音'", code: BIG_ORDER,
       message: 大额订单需复核, level: warn}
"""
    config = RulesConfig.model_validate(YAML(typ="safe").load(text)["rules"])
    assert config.dates.future_tolerance == dt.timedelta(minutes=10)
    assert config.duplicates.level == "off"
    rules = compile_rules(config, lang="zh")
    assert rules.levels["BIG_ORDER"] == "warn" and "DUP_CHANNEL_ORDER" not in rules.levels
    assert rules.levels["RURAL_NO_PHONE"] == "warn" and rules.levels["PHONE_INVALID"] == "error"


def test_defaults_and_unknown_keys() -> None:
    config = RulesConfig()
    assert config.required.fields == ["customer_name", "phone", "address"]
    assert (config.rural.level, config.postcode.province_level, config.address.min_detail) == ("warn", "warn", 4)
    with pytest.raises(ValidationError, match="Extra inputs"):
        RulesConfig.model_validate({"phones": {}})
    with pytest.raises(ValidationError, match="not a canonical field"):
        RulesConfig.model_validate({"required": ["telephone"]})
    assert "REQUIRED_MISSING" in BUILTIN_CODES


def test_anomalies_render_into_cells_whose_codes_read_back() -> None:
    frame = sheet({"phone": None, "address": "马鞍镇石梁村3组", "district": None}, {})
    anomalies = check(frame, "en")
    cells = anomaly_cells(frame.index, anomalies, "en")
    assert anomaly_codes(cells[2]) == {"PHONE_MISSING", "ADDR_INCOMPLETE", "RURAL_NO_PHONE"}
    assert cells[2] == ("PHONE_MISSING no phone number; ADDR_INCOMPLETE the address lacks the district; "
                        "RURAL_NO_PHONE rural address (石梁村) without a usable phone")
    assert pd.isna(cells[3])


def test_a_sheet_with_few_columns_is_validated_on_what_it_has() -> None:
    frame = pd.DataFrame({"order_id": ["A", "B"], "amount_payable": ["abc", "5"]}, index=[7, 9]).astype("str")
    assert [(a.row, a.order_id, a.code) for a in check(frame)] == [(7, "A", "AMOUNT_INVALID")]
    assert check(pd.DataFrame({"order_id": pd.Series([], dtype="str")})) == []


# the vectorised rules agree with themselves row by row ------------------------------------------


CELLS = {
    "phone": ["13812345678", "1381234567", None, "0571-87654321", "138****5678", "1.38e+10", "+1 415 555 2671", "abc"],
    "province": ["浙江省", "浙江", "江苏省", None, "火星省"],
    "city": ["杭州市", "杭州", "南京市", None],
    "district": ["西湖区", "滨江区", None, "西湖"],
    "address": ["文三路90号", "石梁村3组", "自提", None, "浙江省杭州市西湖区文三路90号"],
    "postcode": ["310012", "210000", "3100", None],
    "amount_payable": ["100", "2000.00", "abc", "-1", None],
    "amount_paid": ["100", "2000.001", "x", None],
    "created_at": ["2024-05-31 10:00:00", "2099-01-01 00:00:00", "5号", None],
    "paid_at": ["2024-05-31 09:00:00", "2024-05-31 11:00:00", None],
    "country": [None, "中国", "美国"],
}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.fixed_dictionaries({k: st.sampled_from(v) for k, v in CELLS.items()}), min_size=1, max_size=6))
def test_a_table_gets_what_each_of_its_rows_gets_alone(rows: list[dict[str, str | None]]) -> None:
    frame = sheet(*rows)
    rules = compile_rules(RulesConfig(), lang="zh")
    together = validate(frame, rules, now=NOW)
    alone = [a for row in frame.index for a in validate(frame.loc[[row]], rules, now=NOW)]
    assert together == alone
