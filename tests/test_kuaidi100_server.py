"""The fake 快递100 real-time query API (tests/kuaidi100_server.py) driven over real HTTP with httpx.

The signature is checked with a vector built from the documentation's own example request (实时快递单号查询技术文档,
https://api.kuaidi100.com/document/5f0ffb5ebc8da837cbd8aefc, "1.4 请求参数示例"), hashed here with hashlib and
pinned as a literal; the page gives no sign value of its own. Answers are checked against the documented fields.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import time
from collections.abc import Iterator

import httpx
import pytest
from kuaidi100_server import FakeKuaidi100

# The documentation's example param, as one compact JSON string, with this fake's customer and key.
DOC_PARAM = ('{"com":"ems","num":"em263999513jp","phone":"13868688888","from":"广东省深圳市南山区","to":"北京市朝阳区",'
             '"resultv2":"1","show":"0","order":"desc"}')
# MD5(param + "testkey" + "TESTCUSTOMER"), uppercase: computed with hashlib and with coreutils md5sum, which agree.
DOC_SIGN = "E429FEC7B4101678E7C305314B3CFC06"
STAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
DAY = dt.datetime(2024, 5, 1, 9, 0, 0)


@pytest.fixture
def kd() -> Iterator[FakeKuaidi100]:
    with FakeKuaidi100() as server:
        yield server
        assert server.server_errors == []


def form(param: dict[str, object] | str, *, key: str = "testkey", customer: str = "TESTCUSTOMER") -> dict[str, str]:
    raw = param if isinstance(param, str) else json.dumps(param, ensure_ascii=False, separators=(",", ":"))
    signature = hashlib.md5((raw + key + customer).encode("utf-8")).hexdigest().upper()
    return {"customer": customer, "sign": signature, "param": raw}


def ask(kd: FakeKuaidi100, data: dict[str, str]) -> httpx.Response:
    response = httpx.post(kd.base_url + "/poll/query.do", data=data, timeout=10)
    assert response.status_code == 200, response.text
    return response


def track(*states: int) -> list[tuple[dt.datetime, str, int]]:
    """A track with one event an hour from DAY, in these states (by default 揽收 then 在途)."""
    return [(DAY + dt.timedelta(hours=i), f"第{i}站", state) for i, state in enumerate(states or (1, 0))]


def test_the_documentations_example_request_signs_and_is_answered(kd: FakeKuaidi100) -> None:
    assert hashlib.md5((DOC_PARAM + "testkey" + "TESTCUSTOMER").encode("utf-8")).hexdigest().upper() == DOC_SIGN
    kd.add_waybill("ems", "em263999513jp", [(DAY, "【深圳市】已收件", 1, "广东,深圳市"),
                                            (DAY + dt.timedelta(hours=20), "【北京市】已到达", 0, "北京,北京市,朝阳区")])
    body = ask(kd, {"customer": "TESTCUSTOMER", "sign": DOC_SIGN, "param": DOC_PARAM}).json()
    assert (body["message"], body["nu"], body["com"], body["status"], body["state"]) == ("ok", "em263999513jp", "ems", "200", "0")
    newest = body["data"][0]  # resultv2=1: areas and the state's name on every line
    assert (newest["context"], newest["areaName"], newest["status"]) == ("【北京市】已到达", "北京,北京市,朝阳区", "在途")
    assert kd.queries == ["em263999513jp"]
    recorded = kd.requests[-1].form()
    assert recorded == {"customer": "TESTCUSTOMER", "sign": DOC_SIGN, "param": DOC_PARAM}


@pytest.mark.parametrize("bad_sign", [
    DOC_SIGN.lower(),  # the documentation: "加密后字符串一定要转32位大写"
    hashlib.md5((DOC_PARAM + "otherkey" + "TESTCUSTOMER").encode()).hexdigest().upper(),
    hashlib.md5((DOC_PARAM + "TESTCUSTOMER" + "testkey").encode()).hexdigest().upper(),  # the wrong order
])
def test_a_badly_signed_query_is_refused_as_documented(kd: FakeKuaidi100, bad_sign: str) -> None:
    kd.add_waybill("ems", "em263999513jp", track())
    body = ask(kd, {"customer": "TESTCUSTOMER", "sign": bad_sign, "param": DOC_PARAM}).json()
    assert body == {"result": False, "returnCode": "503", "message": "验证签名失败"}


def test_the_answer_has_the_documented_shape(kd: FakeKuaidi100) -> None:
    kd.add_waybill("yuantong", "YT7890123456789", track(1, 0, 5, 3))
    body = ask(kd, form({"com": "yuantong", "num": "YT7890123456789"})).json()
    assert set(body) == {"message", "nu", "ischeck", "condition", "com", "status", "state", "data"}
    assert all(isinstance(body[k], str) for k in body if k != "data")
    assert (body["state"], body["ischeck"], body["condition"]) == ("3", "1", "F00")
    assert [line["context"] for line in body["data"]] == ["第3站", "第2站", "第1站", "第0站"]  # newest first by default
    for line in body["data"]:
        assert set(line) == {"time", "ftime", "context", "location"}
        assert STAMP.match(line["time"]) and line["ftime"] == line["time"]
    oldest_first = ask(kd, form({"com": "yuantong", "num": "YT7890123456789", "order": "asc"})).json()
    assert oldest_first["data"][0]["context"] == "第0站"


BASIC = [(0, "在途"), (1, "揽收"), (2, "疑难"), (3, "签收"), (4, "退签"), (5, "派件"), (6, "退回"), (7, "转投"),
         (8, "清关"), (14, "拒签")]


@pytest.mark.parametrize(("code", "name"), BASIC)
def test_basic_state_codes(kd: FakeKuaidi100, code: int, name: str) -> None:
    kd.add_waybill("zhongtong", "ZT100", track(1, code))
    body = ask(kd, form({"com": "zhongtong", "num": "ZT100", "resultv2": "1"})).json()
    assert body["state"] == str(code)
    assert body["data"][0]["status"] == name
    assert body["ischeck"] == ("1" if code == 3 else "0")


@pytest.mark.parametrize(("code", "name", "basic"), [
    (103, "已揽收", 1), (1001, "到达派件城市", 0), (501, "投柜或驿站", 5), (304, "投柜或站签收", 3), (401, "已销单", 4),
    (12, "已清关", 8),
])
def test_advanced_state_codes_with_resultv2_4(kd: FakeKuaidi100, code: int, name: str, basic: int) -> None:
    kd.add_waybill("yunda", "YD200", [(DAY, "揽收", 1, "广东,深圳市"),
                                      (DAY + dt.timedelta(hours=5), "更新", code, "上海,上海市")])
    advanced = ask(kd, form({"com": "yunda", "num": "YD200", "resultv2": "4", "to": "上海市"})).json()
    assert advanced["state"] == str(code)
    newest = advanced["data"][0]
    assert (newest["statusCode"], newest["status"]) == (str(code), name)
    assert {"areaCode", "areaName", "areaCenter", "areaPinYin"} <= set(newest)
    assert advanced["routeInfo"]["from"]["name"] == "广东,深圳市" and advanced["isLoop"] is False
    plain = ask(kd, form({"com": "yunda", "num": "YD200"})).json()
    assert plain["state"] == str(basic) and "statusCode" not in plain["data"][0]
    assert plain["ischeck"] == ("1" if basic == 3 else "0")


@pytest.mark.parametrize(("data", "answer"), [
    (form({"com": "yuantong", "num": "YT000000000"}), ("500", "查询无结果，请隔段时间再查")),  # a waybill it does not know
    (form({"com": "shentong", "num": "YT7890123456789"}), ("500", "查询无结果，请隔段时间再查")),  # another company's code
    (form({"com": "nosuchco", "num": "YT7890123456789"}), ("400", "找不到对应公司")),
    (form({"com": "yuantong", "num": "YT7890123456789"}, customer="SOMEONEELSE"), ("400", "提交的数据不完整，或者贵公司没授权")),
    ({"customer": "TESTCUSTOMER", "param": '{"com":"yuantong","num":"YT7890123456789"}'},  # no sign
     ("400", "提交的数据不完整，或者贵公司没授权")),
    ({**form("{not json"), "customer": "TESTCUSTOMER"}, ("400", "提交的数据不完整，或者贵公司没授权")),
])
def test_refusals_are_answered_with_returncode_and_message(kd: FakeKuaidi100, data: dict[str, str],
                                                           answer: tuple[str, str]) -> None:
    kd.add_waybill("yuantong", "YT7890123456789", track())
    body = ask(kd, data).json()
    assert body == {"result": False, "returnCode": answer[0], "message": answer[1]}


def test_wrong_request_forms(kd: FakeKuaidi100) -> None:
    kd.add_waybill("yuantong", "YT7890123456789", track())
    as_json = httpx.post(kd.base_url + "/poll/query.do", json=form({"com": "yuantong", "num": "YT7890123456789"}), timeout=10)
    assert as_json.json()["returnCode"] == "400"  # the FAQ: application/json instead of x-www-form-urlencoded
    as_get = httpx.get(kd.base_url + "/poll/query.do", params=form({"com": "yuantong", "num": "YT7890123456789"}), timeout=10)
    assert as_get.json() == {"result": False, "returnCode": "500", "message": "查询无结果，请隔段时间再查"}
    elsewhere = httpx.post(kd.base_url + "/poll/nothing.do", data={}, timeout=10)
    assert elsewhere.status_code == 404
    data = form({"com": "yuantong", "num": "YT7890123456789"})
    raw = data["param"]
    data.update(signType="SHA256", sign=hashlib.sha256((raw + "testkey" + "TESTCUSTOMER").encode()).hexdigest().upper())
    assert ask(kd, data).json()["message"] == "ok"


def test_shunfeng_needs_the_phone_or_its_last_four_digits(kd: FakeKuaidi100) -> None:
    kd.add_waybill("shunfeng", "SF1400000000001", track(), phone="13800138000")
    refused = ask(kd, form({"com": "shunfeng", "num": "SF1400000000001"})).json()
    assert refused == {"result": False, "returnCode": "408", "message": "快递公司参数异常：验证码错误"}
    wrong = ask(kd, form({"com": "shunfeng", "num": "SF1400000000001", "phone": "13900000000"})).json()
    assert wrong["returnCode"] == "408"
    for phone in ("13800138000", "8000"):
        assert ask(kd, form({"com": "shunfeng", "num": "SF1400000000001", "phone": phone})).json()["message"] == "ok"


def test_the_rate_limit_answers_502_busy(kd: FakeKuaidi100) -> None:
    now = [1000.0]
    kd.clock = lambda: now[0]
    kd.add_waybill("yuantong", "YT7890123456789", track())
    query = form({"com": "yuantong", "num": "YT7890123456789"})
    kd.limit(2)
    assert [ask(kd, query).json().get("returnCode") for _ in range(3)] == [None, None, "502"]
    assert ask(kd, query).json() == {"result": False, "returnCode": "502", "message": "服务器繁忙"}
    now[0] += 1.0
    assert ask(kd, query).json()["message"] == "ok"
    kd.limit(None)
    assert all(ask(kd, query).json()["message"] == "ok" for _ in range(5))
    assert kd.queries == ["YT7890123456789"] * 10


def test_more_than_48_queries_a_day_lock_the_waybill(kd: FakeKuaidi100) -> None:
    now = [0.0]
    kd.clock = lambda: now[0]
    kd.add_waybill("yuantong", "YT7890123456789", track())
    query = form({"com": "yuantong", "num": "YT7890123456789"})
    for _ in range(48):
        now[0] += 60
        assert ask(kd, query).json()["message"] == "ok"
    assert not kd.locked("YT7890123456789")
    kd.advance("YT7890123456789", (DAY + dt.timedelta(hours=5), "派件中", 5))
    now[0] += 60
    locked = ask(kd, query).json()  # the 49th in 24 hours: locked, with the track it has now
    assert kd.locked("YT7890123456789") and locked["state"] == "5"
    kd.advance("YT7890123456789", (DAY + dt.timedelta(hours=6), "已签收", 3))
    now[0] += 3600
    assert ask(kd, query).json()["state"] == "5"  # still answered, but no longer updated
    now[0] += 24 * 3600
    unlocked = ask(kd, query).json()
    assert not kd.locked("YT7890123456789") and unlocked["state"] == "3"


def test_advance_before_next_faults_and_delays(kd: FakeKuaidi100) -> None:
    kd.add_waybill("jtexpress", "JT0001", track(1))
    query = form({"com": "jtexpress", "num": "JT0001"})
    assert ask(kd, query).json()["state"] == "1"
    kd.before_next(lambda: kd.advance("JT0001", (DAY + dt.timedelta(hours=3), "运输中", 0)))
    assert ask(kd, query).json()["data"][0]["context"] == "运输中"

    kd.fail_next(502, times=2)
    for _ in range(2):
        failed = httpx.post(kd.base_url + "/poll/query.do", data=query, timeout=10)
        assert failed.status_code == 502 and failed.headers["content-type"] == "text/html"
    kd.delay_next(0.3)
    started = time.perf_counter()
    assert ask(kd, query).json()["message"] == "ok"
    assert time.perf_counter() - started >= 0.3
    assert [r.status for r in kd.requests] == [200, 200, 502, 502, 200]
    with pytest.raises(ValueError):
        kd.add_waybill("jtexpress", "JT0002", [(DAY, "?", 99)])  # not a documented state code
