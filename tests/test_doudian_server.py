"""The fake Doudian Open Platform (tests/doudian_server.py) driven through real HTTP with httpx.

The requests are signed by this file's own code (json + hashlib), which is first checked against signature vectors
computed by OpenSSL (tests/data/doudian_sign_vectors.json). The answers are checked against the shapes the platform
documents: the envelope and codes of 平台基础错误码汇总 (https://op.jinritemai.com/docs/guide-docs/212/1427) and the
fields of order.searchList and order.batchDecrypt as the platform's Go SDK transcribes them
(https://github.com/zsmhub/doudian-sdk/tree/main/api/order_searchList, .../api/order_batchDecrypt).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from doudian_server import FakeDoudian, canonical_param_json, parse_param_json, sign

VECTORS = json.loads((Path(__file__).parent / "data" / "doudian_sign_vectors.json").read_text("utf-8"))
BEIJING = dt.timezone(dt.timedelta(hours=8))
VECTOR_MOMENT = 1716172200.0  # 2024-05-20 10:30:00 GMT+8, the moment of every vector's timestamp
ENVELOPE = {"code", "msg", "sub_code", "sub_msg", "data", "log_id"}
SHOP_ORDER_FIELDS = {
    "order_id", "order_status", "order_status_desc", "create_time", "update_time", "pay_amount", "order_amount",
    "post_amount", "shop_id", "post_tel", "encrypt_post_tel", "post_receiver", "encrypt_post_receiver", "post_addr",
    "mask_post_receiver", "mask_post_tel", "mask_post_addr", "logistics_info", "sku_order_list",
}
SKU_FIELDS = {"order_id", "parent_order_id", "sku_id", "product_id", "product_name", "item_num", "origin_amount", "code",
              "pay_amount", "order_status"}
DECRYPT_FIELDS = {"auth_id", "cipher_text", "decrypt_text", "err_no", "err_msg", "data_type", "is_virtual_tel",
                  "expire_time", "phone_no_a", "phone_no_b"}
PHONE_CIPHER = re.compile(r"\$\$[A-Za-z0-9+/=]+\*[A-Za-z0-9+/=]+\$1\$\$")
TEXT_CIPHER = re.compile(r"##[A-Za-z0-9+/=]+\*[A-Za-z0-9+/=]+#1##")


# ----------------------------------------------------------------------------------------------------------
# this file's own client


def sorted_json(params: Any) -> str:
    return json.dumps(params, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def make_sign(secret: str, app_key: str, method: str, param_json: str, timestamp: str, v: str = "2",
              sign_method: str = "md5") -> str:
    text = f"{secret}app_key{app_key}method{method}param_json{param_json}timestamp{timestamp}v{v}{secret}".encode()
    if sign_method == "hmac-sha256":
        return hmac.new(secret.encode(), text, hashlib.sha256).hexdigest()
    return hashlib.md5(text).hexdigest()


def timestamp_now(style: str = "seconds", offset: float = 0) -> str:
    moment = time.time() + offset
    if style == "datetime":
        return dt.datetime.fromtimestamp(moment, BEIJING).strftime("%Y-%m-%d %H:%M:%S")
    return str(int(moment * 1000)) if style == "millis" else str(int(moment))


class Client:
    """Signs and sends calls the ways the platform's SDKs and guide do."""

    def __init__(self, fake: FakeDoudian) -> None:
        self.fake = fake
        self.http = httpx.Client(base_url=fake.base_url, timeout=10)

    def call(self, api: str, params: Any, *, form: str = "sdk", sign_method: str = "hmac-sha256",
             timestamp: str | None = None, secret: str | None = None, app_key: str | None = None,
             token: str | None = None, body: str | None = None, signed_text: str | None = None,
             drop: tuple[str, ...] = (), extra: dict[str, str] | None = None) -> httpx.Response:
        """`body` is the param_json text sent (default: the sorted form); `signed_text` the one signed."""
        param_json = sorted_json(params)
        sent = param_json if body is None else body
        ts = timestamp or timestamp_now()
        public = {"app_key": app_key or self.fake.app_key, "method": api, "timestamp": ts, "v": "2",
                  "access_token": self.fake.access_token if token is None else token}
        if sign_method != "md5":  # the Java SDK sends no sign_method and signs with md5
            public["sign_method"] = sign_method
        public["sign"] = make_sign(secret or self.fake.app_secret, public["app_key"], api,
                                   param_json if signed_text is None else signed_text, ts, "2", sign_method)
        public.update(extra or {})
        for name in drop:
            public.pop(name, None)
        path = "/" + api.replace(".", "/")
        if form == "sdk":  # the Go/PHP/Java SDKs: public parameters in the query, param_json as the body
            return self.http.post(path, params=public, content=sent.encode(), headers={"Content-Type": "application/json"})
        if form == "get":
            return self.http.get(path, params={**public, "param_json": sent})
        if form == "root-get":
            return self.http.get("/", params={**public, "param_json": sent})
        if form == "form":
            return self.http.post(path, data={**public, "param_json": sent})
        raise ValueError(form)

    def answer(self, api: str, params: Any, **kwargs: Any) -> dict[str, Any]:
        response = self.call(api, params, **kwargs)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/json")
        payload = response.json()
        assert set(payload) == ENVELOPE
        assert isinstance(payload["log_id"], str) and payload["log_id"]
        assert isinstance(payload["code"], int)
        return payload

    def ok(self, api: str, params: Any, **kwargs: Any) -> dict[str, Any]:
        payload = self.answer(api, params, **kwargs)
        assert (payload["code"], payload["msg"], payload["sub_code"]) == (10000, "success", ""), payload
        return payload["data"]

    def error(self, api: str, params: Any, code: int, sub_code: str, **kwargs: Any) -> dict[str, Any]:
        payload = self.answer(api, params, **kwargs)
        assert (payload["code"], payload["sub_code"]) == (code, sub_code), payload
        assert payload["msg"] and payload["sub_msg"]
        return payload


@pytest.fixture
def fake() -> Iterator[FakeDoudian]:
    with FakeDoudian() as server:
        yield server
        assert server.server_errors == []


@pytest.fixture
def client(fake: FakeDoudian) -> Iterator[Client]:
    c = Client(fake)
    yield c
    c.http.close()


def window(start: float, end: float, **more: Any) -> dict[str, Any]:
    return {"update_time_start": int(start), "update_time_end": int(end), "order_by": "update_time",
            "order_asc": True, "page": 0, "size": 100, **more}


# ----------------------------------------------------------------------------------------------------------
# the signature


def test_vectors_verify_with_an_independent_implementation() -> None:
    vectors = VECTORS["vectors"]
    assert {v["sign_method"] for v in vectors} == {"md5", "hmac-sha256"}
    assert any("保鲜膜" in v["param_json"] and "[{" in v["param_json"] for v in vectors if v["sign_method"] == "md5")
    assert any("保鲜膜" in v["param_json"] and "[{" in v["param_json"] for v in vectors if v["sign_method"] != "md5")
    for v in vectors:
        assert sorted_json(json.loads(v["param_json_input"])) == v["param_json"], v["name"]
        assert make_sign(v["app_secret"], v["app_key"], v["method"], v["param_json"], v["timestamp"], v["v"],
                         v["sign_method"]) == v["sign"], v["name"]
        # the fake's own code agrees
        assert canonical_param_json(parse_param_json(v["param_json_input"])) == v["param_json"]
        assert sign(v["app_key"], v["app_secret"], v["method"], v["param_json"], v["timestamp"], v["v"],
                    v["sign_method"]) == v["sign"]


def test_the_vectors_are_accepted_as_sent_and_a_changed_sign_is_not() -> None:
    """Each vector's request, its param_json sent unsorted as the Java SDK sends it, at the vectors' moment."""
    with FakeDoudian(clock=lambda: VECTOR_MOMENT) as fake:
        http = httpx.Client(base_url=fake.base_url, timeout=10)
        for v in VECTORS["vectors"]:
            if v["app_key"] != fake.app_key:
                continue
            query = {"app_key": v["app_key"], "method": v["method"], "access_token": fake.access_token,
                     "timestamp": v["timestamp"], "v": v["v"], "sign_method": v["sign_method"], "sign": v["sign"]}
            path = "/" + v["method"].replace(".", "/")
            answer = http.post(path, params=query, content=v["param_json_input"].encode()).json()
            assert answer["sub_code"] not in ("isv.signature-invalid", "isv.timestamp-invalid"), (v["name"], answer)
            if v["method"] == "order.searchList" and v["param_json"] != "{}":
                assert answer["code"] == 10000, answer
            elif v["method"] == "order.searchList":
                assert answer["code"] == 40002  # page and size are required: the request got past the gateway
            else:
                assert answer["code"] == 50002 and answer["data"]["decrypt_infos"][0]["err_no"] != 0
            query["sign"] = v["sign"][:-1] + ("0" if v["sign"][-1] != "0" else "1")
            answer = http.post(path, params=query, content=v["param_json_input"].encode()).json()
            assert (answer["code"], answer["sub_code"]) == (40003, "isv.signature-invalid")
        http.close()
        assert fake.server_errors == []


@pytest.mark.parametrize("form", ["sdk", "get", "root-get", "form"])
@pytest.mark.parametrize(("sign_method", "style"), [("md5", "millis"), ("md5", "datetime"), ("hmac-sha256", "seconds"),
                                                    ("hmac-sha256", "datetime")])
def test_a_correctly_signed_request_is_answered_in_every_form(fake: FakeDoudian, client: Client, form: str,
                                                              sign_method: str, style: str) -> None:
    now = time.time()
    order_id = fake.add_order(create_time=int(now) - 3600, update_time=int(now) - 60)
    data = client.ok("order.searchList", window(now - 600, now, product="保鲜膜 & <套>"), form=form,
                     sign_method=sign_method, timestamp=timestamp_now(style))
    assert data["total"] == 1 and [o["order_id"] for o in data["shop_order_list"]] == [order_id]
    recorded = fake.api_requests("order.searchList")[-1]
    assert recorded.param("sign_method") == (None if sign_method == "md5" else sign_method)
    assert recorded.business()["product"] == "保鲜膜 & <套>"


def test_the_answer_has_the_documented_shape(fake: FakeDoudian, client: Client) -> None:
    now = int(time.time())
    order_id = fake.add_order(
        create_time=now - 7200, update_time=now - 100, order_status=3, post_amount=800, receiver_name="李小龙",
        receiver_phone="13812345678", address={"province": "广东省", "city": "深圳市", "town": "南山区",
                                               "street": "粤海街道", "detail": "科技园南区 8 栋 1203"},
        skus=[{"sku_id": 1721288561899566, "product_name": "一次性保鲜膜套", "item_num": 2, "origin_amount": 1990,
               "code": "BXM-01"}],
        tracking={"tracking_no": "YT1234567890", "company": "yuantong", "company_name": "圆通快递"})
    response = client.call("order.searchList", window(now - 600, now))
    data = response.json()["data"]
    assert {"page", "size", "total", "shop_order_list"} <= set(data)
    assert (data["page"], data["size"], data["total"]) == (0, 100, 1)
    (order,) = data["shop_order_list"]
    assert set(order) >= SHOP_ORDER_FIELDS
    assert order["order_id"] == order_id and isinstance(order["order_id"], str)
    assert (order["order_status"], order["order_status_desc"]) == (3, "已发货")
    assert (order["create_time"], order["update_time"]) == (now - 7200, now - 100)
    assert (order["pay_amount"], order["order_amount"], order["post_amount"]) == (4780, 4780, 800)
    (sku,) = order["sku_order_list"]
    assert set(sku) >= SKU_FIELDS
    assert (sku["sku_id"], sku["product_name"], sku["item_num"], sku["origin_amount"], sku["code"]) == (
        1721288561899566, "一次性保鲜膜套", 2, 1990, "BXM-01")
    assert sku["parent_order_id"] == order_id and sku["order_id"] != order_id
    (parcel,) = order["logistics_info"]
    assert (parcel["tracking_no"], parcel["company"], parcel["company_name"]) == ("YT1234567890", "yuantong", "圆通快递")
    # the receiver: ciphertexts shaped like the platform's, masks as documented, the plain text nowhere
    assert PHONE_CIPHER.fullmatch(order["encrypt_post_tel"]) and order["post_tel"] == order["encrypt_post_tel"]
    assert TEXT_CIPHER.fullmatch(order["encrypt_post_receiver"])
    assert TEXT_CIPHER.fullmatch(order["post_addr"]["encrypt_detail"])
    assert [order["post_addr"][k]["name"] for k in ("province", "city", "town", "street")] == [
        "广东省", "深圳市", "南山区", "粤海街道"]
    assert order["mask_post_tel"] == "1********78"
    assert order["mask_post_receiver"] == "李***"
    assert order["mask_post_addr"]["city"]["name"] == "深圳市" and "*" in order["mask_post_addr"]["detail"]
    for secret in ("13812345678", "李小龙", "科技园南区 8 栋 1203"):
        assert secret not in response.text


# ----------------------------------------------------------------------------------------------------------
# refusals


def test_a_bad_signature_is_refused_with_the_documented_code(fake: FakeDoudian, client: Client) -> None:
    now = time.time()
    params = window(now - 60, now)
    # signed for other parameters, with another secret
    client.error("order.searchList", params, 40003, "isv.signature-invalid", signed_text=sorted_json({**params, "page": 1}))
    client.error("order.searchList", params, 40003, "isv.signature-invalid", secret="not_the_secret")
    client.error("order.searchList", params, 40003, "isv.signature-invalid", sign_method="md5",
                 extra={"sign_method": "hmac-sha256"})
    # the platform signs the sorted param_json: unsorted text signed as sent fails, sent unsorted but signed sorted passes
    unsorted = json.dumps({"size": 100, "page": 0, "update_time_end": int(now), "update_time_start": int(now) - 60})
    client.error("order.searchList", params, 40003, "isv.signature-invalid", body=unsorted, signed_text=unsorted)
    client.ok("order.searchList", json.loads(unsorted), body=unsorted)
    # missing or wrong public parameters
    client.error("order.searchList", params, 40001, "isv.signature-missing", drop=("sign",))
    client.error("order.searchList", params, 40001, "isv.access-token-missing", drop=("access_token",))
    client.error("order.searchList", params, 40001, "isv.app-id-missing", app_key="another_app")
    client.error("order.searchList", params, 40003, "isv.timestamp-invalid", timestamp=timestamp_now(offset=-1200))
    client.error("order.searchList", params, 40003, "isv.timestamp-format-error", timestamp="2024/05/20 10:30")
    client.error("order.searchList", params, 40003, "isv.parameter-format-invalid", body="{not json")
    client.error("order.orderDetail", {"shop_order_id": "1"}, 70000, "isp.api-service-off")
    response = client.http.get("/order/searchList", params={"method": "order.batchDecrypt"})
    assert response.json()["sub_code"] == "isv.parameter-invalid"
    assert response.json()["code"] == 40003
    assert client.http.get("/", params={"app_key": fake.app_key}).json()["sub_code"] == "isv.parameter-missing"
    assert all(r.status == 200 for r in fake.requests)


def test_a_revoked_or_unknown_token_is_refused(fake: FakeDoudian, client: Client) -> None:
    now = time.time()
    client.ok("order.searchList", window(now - 60, now))
    client.error("order.searchList", window(now - 60, now), 40003, "isv.access-token-no-existed", token="guessed")
    old = fake.access_token
    fake.revoke_token()
    payload = client.error("order.searchList", window(now - 60, now), 40003, "isv.access-token-expired", token=old)
    assert payload["sub_msg"] == "access_token已过期"
    fake.set_token("refreshed_token")
    client.ok("order.searchList", window(now - 60, now))
    fake.revoke_token("deauthorized")
    client.error("order.searchList", window(now - 60, now), 30001, "dop.authorization-no-existed", token="refreshed_token")


def test_decrypting_without_the_permission_is_refused() -> None:
    with FakeDoudian(can_decrypt=False) as fake:
        client = Client(fake)
        order_id = fake.add_order()
        cipher = fake.order(order_id)["ciphers"]["phone"]
        now = time.time()
        client.ok("order.searchList", window(now - 60, now))
        payload = client.error("order.batchDecrypt", {"cipher_infos": [{"auth_id": order_id, "cipher_text": cipher}]},
                               30001, "isv.app-permissions-insufficient")
        assert payload["sub_msg"] == "应用无权限调用该接口，请先申请接口权限包"
        assert fake.decrypted == []
        client.http.close()
        assert fake.server_errors == []


# ----------------------------------------------------------------------------------------------------------
# order.searchList


def test_search_windows_by_update_time_ascending_in_pages_of_at_most_100(fake: FakeDoudian, client: Client) -> None:
    now = int(time.time())
    start = now - 5000
    inside = {}
    for i in [*range(0, 250, 2), *range(1, 250, 2)]:  # added out of order
        inside[fake.add_order(create_time=start - 100, update_time=start + i * 10, order_status=2 if i % 5 else 3)] = i
    before = fake.add_order(create_time=start - 100, update_time=start - 1)
    after = fake.add_order(create_time=start - 100, update_time=start + 2500)
    seen: list[dict[str, Any]] = []
    for page in range(3):
        data = client.ok("order.searchList", window(start, start + 2490, page=page, size=100))
        assert data["total"] == 250 and data["page"] == page and data["size"] == 100
        assert len(data["shop_order_list"]) == (100 if page < 2 else 50)
        seen += data["shop_order_list"]
    assert [o["order_id"] for o in seen] == sorted(inside, key=inside.__getitem__)
    assert [o["update_time"] for o in seen] == sorted(o["update_time"] for o in seen)
    assert before not in {o["order_id"] for o in seen} and after not in {o["order_id"] for o in seen}
    past_the_end = client.ok("order.searchList", window(start, start + 2490, page=3))
    assert past_the_end["shop_order_list"] == [] and past_the_end["total"] == 250
    # both ends of the window are inclusive
    edges = client.ok("order.searchList", window(start, start + 10))["shop_order_list"]
    assert [inside[o["order_id"]] for o in edges] == [0, 1]
    # descending is the default order; a status filter
    newest = client.ok("order.searchList", {**window(start, start + 2490), "order_asc": False, "size": 1})
    assert inside[newest["shop_order_list"][0]["order_id"]] == 249
    shipped = client.ok("order.searchList", window(start, start + 2490, combine_status=[{"order_status": "3"}]))
    assert shipped["total"] == 50 and {o["order_status"] for o in shipped["shop_order_list"]} == {3}
    # the documented limits
    client.error("order.searchList", window(start, now, size=101), 40004, "isv.parameter-invalid:20008")
    client.error("order.searchList", window(start, now, page=-1), 40004, "isv.parameter-invalid:10035")
    client.error("order.searchList", window(start, now, page=500), 40004, "isv.parameter-invalid:20013")
    client.error("order.searchList", {"page": 0, "size": 10}, 40004, "isv.parameter-invalid:20011")
    client.error("order.searchList", {"create_time_start": now - 91 * 86400, "page": 0, "size": 10}, 40004,
                 "isv.parameter-invalid:20022")
    client.error("order.searchList", window(start, now, combine_status=[{"order_status": "2"}, {"order_status": "3"}]),
                 40004, "isv.parameter-invalid:20012")
    client.error("order.searchList", {"update_time_start": start}, 40002, "isv.parameter-missing")
    # numbers may come as strings, as the old guide asks of every parameter
    as_strings = client.ok("order.searchList", {"update_time_start": str(start), "update_time_end": str(start + 10),
                                                "page": "0", "size": "10", "order_by": "update_time", "order_asc": "true"})
    assert as_strings["total"] == 2


def test_an_update_moves_the_order_to_a_later_window(fake: FakeDoudian, client: Client) -> None:
    now = int(time.time())
    order_id = fake.add_order(create_time=now - 3600, update_time=now - 3000)
    ciphers = fake.order(order_id)["ciphers"]
    assert client.ok("order.searchList", window(now - 3100, now - 2900))["total"] == 1
    fake.update_order(order_id, update_time=dt.datetime.fromtimestamp(now - 10, BEIJING).replace(tzinfo=None),
                      order_status=3, tracking=[{"tracking_no": "SF100", "company": "shunfeng", "company_name": "顺丰速运"}])
    assert client.ok("order.searchList", window(now - 3100, now - 2900))["total"] == 0
    (moved,) = client.ok("order.searchList", window(now - 60, now))["shop_order_list"]
    assert (moved["update_time"], moved["order_status"], moved["logistics_info"][0]["tracking_no"]) == (now - 10, 3, "SF100")
    assert moved["encrypt_post_tel"] == ciphers["phone"]  # the receiver did not change
    fake.update_order(order_id, receiver_phone="13900001111")
    assert fake.order(order_id)["ciphers"]["phone"] != ciphers["phone"]
    assert fake.order(order_id)["update_time"] >= now


# ----------------------------------------------------------------------------------------------------------
# order.batchDecrypt


def test_decrypt_returns_the_plain_texts(fake: FakeDoudian, client: Client) -> None:
    now = time.time()
    order_id = fake.add_order(receiver_name="王小明", receiver_phone="13700007777", address={"detail": "长江路 1 号"})
    other = fake.add_order(receiver_name="赵六")
    (order,) = [o for o in client.ok("order.searchList", window(now - 60, now + 5))["shop_order_list"]
                if o["order_id"] == order_id]
    infos = [{"auth_id": order_id, "cipher_text": text} for text in
             (order["encrypt_post_receiver"], order["encrypt_post_tel"], order["post_addr"]["encrypt_detail"])]
    data = client.ok("order.batchDecrypt", {"cipher_infos": infos})
    decrypted = data["decrypt_infos"]
    assert all(set(d) >= DECRYPT_FIELDS for d in decrypted)
    assert [(d["auth_id"], d["cipher_text"]) for d in decrypted] == [(i["auth_id"], i["cipher_text"]) for i in infos]
    assert [(d["decrypt_text"], d["data_type"], d["err_no"]) for d in decrypted] == [
        ("王小明", 2, 0), ("13700007777", 3, 0), ("长江路 1 号", 1, 0)]
    assert fake.decrypted == [(order_id, "name"), (order_id, "phone"), (order_id, "address")]
    # a ciphertext decrypts only with its own order id as auth_id; the others in the batch still decrypt
    payload = client.error("order.batchDecrypt", {"cipher_infos": [infos[0], {**infos[1], "auth_id": other}]},
                           50002, "isv.business-failed:300008")
    first, second = payload["data"]["decrypt_infos"]
    assert (first["decrypt_text"], first["err_no"]) == ("王小明", 0)
    assert second["decrypt_text"] == "" and second["err_no"] != 0 and second["err_msg"]
    client.error("order.batchDecrypt", {"cipher_infos": [infos[0]] * 51}, 40004, "isv.parameter-invalid")
    client.error("order.batchDecrypt", {"cipher_infos": []}, 40002, "isv.parameter-missing")


# ----------------------------------------------------------------------------------------------------------
# faults


def test_faults_rate_limit_http_errors_delays_and_actions(fake: FakeDoudian, client: Client) -> None:
    now = time.time()
    order_id = fake.add_order(update_time=int(now) - 30)
    fake.fail_next(60000, times=2)
    # a platform fault answers only requests that passed the gateway's checks
    client.error("order.searchList", window(now - 60, now), 40003, "isv.signature-invalid", secret="wrong")
    for _ in range(2):
        payload = client.error("order.searchList", window(now - 60, now), 60000, "isp.traffic-limited")
        assert payload["msg"] == "触发限流，请稍后重试"
    client.ok("order.searchList", window(now - 60, now))
    fake.fail_next(502, match="batchDecrypt")
    client.ok("order.searchList", window(now - 60, now))
    cipher = fake.order(order_id)["ciphers"]["name"]
    response = client.call("order.batchDecrypt", {"cipher_infos": [{"auth_id": order_id, "cipher_text": cipher}]})
    assert response.status_code == 502 and "Bad Gateway" in response.text
    fake.fail_next(20000, sub_code="isp.service-error:20005", sub_msg="系统繁忙，请稍后重试")
    client.error("order.searchList", window(now - 60, now), 20000, "isp.service-error:20005")
    fake.delay_next(0.3)
    started = time.perf_counter()
    client.ok("order.searchList", window(now - 60, now))
    assert time.perf_counter() - started >= 0.3
    fake.before_next(lambda: fake.update_order(order_id, update_time=int(now) - 5, order_status=4), match="searchList")
    (order,) = client.ok("order.searchList", window(now - 60, now))["shop_order_list"]
    assert (order["order_status"], order["order_status_desc"], order["update_time"]) == (4, "已取消", int(now) - 5)


def test_the_request_log(fake: FakeDoudian, client: Client) -> None:
    now = time.time()
    client.ok("order.searchList", window(now - 60, now), form="form")
    (recorded,) = fake.api_requests("order.searchList")
    assert (recorded.method, recorded.path, recorded.api, recorded.status) == ("POST", "/order/searchList",
                                                                               "order.searchList", 200)
    assert recorded.param("access_token") == fake.access_token and recorded.business()["size"] == 100
    assert recorded.answer()["code"] == 10000
    assert fake.api_requests("order.batchDecrypt") == []
