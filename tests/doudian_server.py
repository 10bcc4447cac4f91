"""A local, honest fake of the Doudian Open Platform (抖店开放平台) order API for the tests.

`FakeDoudian` keeps a shop's orders in memory behind a real HTTP server on 127.0.0.1 and answers the two calls a
sync channel needs, with the platform's request format, signature check, envelope and error codes:

- ``order.searchList`` (订单列表查询): orders by create/update time window and status, sorted, paged
- ``order.batchDecrypt`` (批量解密): the receiver's name, phone and address detail from their ciphertexts

A call is accepted in the path form the SDKs use (``POST /order/searchList?app_key=…&method=order.searchList&…``
with param_json as the request body) and in the method-parameter forms the old guide shows (``GET`` or ``POST``
to ``/order/searchList`` or ``/`` with ``method`` and ``param_json`` in the query, or all of it as an
``application/x-www-form-urlencoded`` body).

The signature, as the platform's own SDKs compute it (sources in tests/data/doudian_sign_vectors.json):

    sign = md5_hex(S)                          sign_method absent or "md5" (the Java SDK sends none)
    sign = hmac_sha256_hex(key=app_secret, S)  sign_method "hmac-sha256" (the Go and PHP SDKs, the guide's demo)
    S    = app_secret + "app_key" + app_key + "method" + method + "param_json" + P
           + "timestamp" + timestamp + "v" + v + app_secret

where P is param_json with the keys of every object sorted (also inside arrays), no whitespace, nothing but the
characters JSON requires escaped (CJK, emoji, ``& < > = ' /`` as they are) and numbers as sent. The fake sorts the
param_json it received before checking, as the platform must: the Java SDK signs the sorted form but sends its
fields in class order. Answers are always HTTP 200 with ``{"code", "msg", "sub_code", "sub_msg", "data",
"log_id"}``; ``code`` 10000 is success (平台基础错误码汇总, https://op.jinritemai.com/docs/guide-docs/212/1427).

A test plays the shop through `add_order` and `update_order`, and injects faults with `fail_next` (an HTTP status,
or a platform code such as 60000 限流), `delay_next`, `before_next` and `revoke_token`.

What is simplified, and how:

- Only the fields a sync reads are filled; the many promotion, logistics and marketing fields are left out.
- The ciphertexts are this fake's own reversible cipher (XOR with a SHA-256 keystream under a key the fake makes),
  shaped like the platform's: ``$$<base64>*<base64>$1$$`` for a phone, ``##<base64>*<base64>#1##`` for a name or an
  address detail, without a search index. They stay the same until the order's receiver changes. A ciphertext
  decrypts only with the order id it was issued for as ``auth_id``.
- The masks follow the documented examples (``1********20`` for a phone, ``生***`` for a name); the address
  detail's mask (first two characters and ``****``) is a guess.
- The per-item ``err_no`` of a failed decrypt (300008) and the message texts of a few business errors are not
  documented; the main ``code`` and ``sub_code`` values are.
- ``update_time_start``/``update_time_end`` and ``create_time_start``/``create_time_end`` are both inclusive. Orders
  with equal sort keys are ordered by order id. Every page is computed afresh from the orders at that moment, so an
  order updated between two page reads moves, as on a live platform.
- A naive datetime given to `add_order`/`update_order` is Beijing time (UTC+8), the platform's zone.
- The timestamp is checked against a window of 10 minutes either side (the API guide: "和服务器时间相差超过10分钟会报
  错"); "yyyy-MM-dd HH:mm:ss" (GMT+8), unix seconds (Go/PHP SDKs) and unix milliseconds (Java SDK) are accepted.
- No token endpoint: the one valid access token is given to the constructor (or `set_token`).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import itertools
import json
import re
import secrets
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from local_server import LocalServer

JSON = dict[str, Any]

CST = dt.timezone(dt.timedelta(hours=8), "GMT+8")
TIMESTAMP_WINDOW = 600  # seconds either side of the server's clock
SEARCH_MAX_SIZE = 100
SEARCH_MAX_RESULTS = 50_000
SEARCH_MAX_DAYS = 90
DECRYPT_MAX_ITEMS = 50
APIS = ("order.searchList", "order.batchDecrypt")

# 主错误码 -> msg (平台基础错误码汇总)
MAIN_MSG = {
    10000: "success", 10001: "请求部分失败", 20000: "服务不可用", 20001: "内部服务超时", 30001: "操作权限不足",
    30002: "请求来源IP不可信，请检查IP白名单", 40001: "缺少必选参数（平台校验）", 40002: "缺少必选参数（业务校验）",
    40003: "非法的参数（平台校验）", 40004: "非法的参数（业务校验）", 50001: "平台处理失败", 50002: "业务处理失败",
    60000: "触发限流，请稍后重试", 70000: "接口服务已下线", 80000: "安全错误", 90000: "其他异常",
}
# the sub_code and sub_msg `fail_next(code)` answers when the test names none
DEFAULT_SUB = {
    20000: ("dop.service-error", "服务繁忙"),
    20001: ("", ""),
    30001: ("isv.app-permissions-insufficient", "应用无权限调用该接口，请先申请接口权限包"),
    30002: ("isv.invalid_ip", "请求IP不在白名单"),
    40003: ("isv.access-token-expired", "access_token已过期"),
    50002: ("isv.business-failed", "业务处理失败"),
    60000: ("isp.traffic-limited", "触发限流，请稍后重试"),
    70000: ("isp.api-service-off", "API不存在或API已下线"),
    90000: ("dop.unknown-error", "未知错误"),
}
# order_status (订单状态): 1 待确认/待支付 105 已支付 2 备货中/待发货 101 部分发货 3 已发货 4 已取消 5 已完成
ORDER_STATUS_DESC = {1: "待支付", 105: "已支付", 2: "待发货", 101: "部分发货", 3: "已发货", 4: "已取消", 5: "已完成"}
DATA_TYPES = {"address": 1, "name": 2, "phone": 3}  # decrypt_infos[].data_type
CIPHER_SEPARATORS = {"phone": "$", "name": "#", "address": "#"}


class DoudianError(Exception):
    """An answer other than success, in the platform's envelope (HTTP 200)."""

    def __init__(self, code: int, sub_code: str = "", sub_msg: str = "", data: JSON | None = None,
                 msg: str | None = None) -> None:
        super().__init__(f"{code} {sub_code} {sub_msg}")
        self.code = code
        self.msg = MAIN_MSG.get(code, "") if msg is None else msg
        self.sub_code = sub_code
        self.sub_msg = sub_msg
        self.data = data


def _platform(code: int, sub_code: str, sub_msg: str) -> Callable[[], DoudianError]:
    return lambda: DoudianError(code, sub_code, sub_msg)


# the platform's own checks (平台校验)
APP_KEY_MISSING = _platform(40001, "isv.app-id-missing", "认证失败，app_key不存在")
SIGNATURE_MISSING = _platform(40001, "isv.signature-missing", "获取签名失败，请根据文档确保参数拼装正确")
TOKEN_MISSING = _platform(40001, "isv.access-token-missing", "认证失败，access_token不能为空")
SIGNATURE_INVALID = _platform(40003, "isv.signature-invalid", "签名校验失败")
TOKEN_EXPIRED = _platform(40003, "isv.access-token-expired", "access_token已过期")
TOKEN_UNKNOWN = _platform(40003, "isv.access-token-no-existed", "access_token不存在，请使用最新的access_token访问")
TIMESTAMP_INVALID = _platform(40003, "isv.timestamp-invalid", "时间戳不合法")
TIMESTAMP_FORMAT = _platform(40003, "isv.timestamp-format-error", "时间戳格式错误")
PARAM_FORMAT = _platform(40003, "isv.parameter-format-invalid", "业务参数json解析失败，所有参数需为string类型")
NO_PERMISSION = _platform(30001, "isv.app-permissions-insufficient", "应用无权限调用该接口，请先申请接口权限包")
DEAUTHORIZED = _platform(30001, "dop.authorization-no-existed", "店铺授权已失效，请重新授权")
API_OFF = _platform(70000, "isp.api-service-off", "API不存在或API已下线")


def missing(name: str) -> DoudianError:
    return DoudianError(40001, "isv.parameter-missing", f"缺少参数{name}")


def invalid(name: str) -> DoudianError:
    return DoudianError(40003, "isv.parameter-invalid", f"参数错误：{name}")


def business_invalid(number: int | None, sub_msg: str) -> DoudianError:
    return DoudianError(40004, f"isv.parameter-invalid:{number}" if number else "isv.parameter-invalid", sub_msg)


# ----------------------------------------------------------------------------------------------------------
# param_json and the signature


class _Number(str):
    """A JSON number kept as the text it was sent as (the Go SDK decodes with UseNumber and re-encodes it verbatim)."""


def parse_param_json(text: str) -> JSON:
    """The business parameters; numbers stay `_Number` (a str) so that they re-encode as sent."""

    def reject(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    value = json.loads(text, parse_int=_Number, parse_float=_Number, parse_constant=reject)
    if not isinstance(value, dict):
        raise ValueError("param_json is not a JSON object")
    return value


def canonical_param_json(value: Any) -> str:
    """param_json as it is signed: keys sorted at every level, compact, nothing escaped beyond what JSON needs."""
    if isinstance(value, str) and not isinstance(value, _Number):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, _Number):
        return str.__str__(value)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k), ensure_ascii=False)}:{canonical_param_json(value[k])}"
                              for k in sorted(value, key=str)) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(canonical_param_json(v) for v in value) + "]"
    raise TypeError(f"not JSON: {value!r}")


def sign_string(app_key: str, app_secret: str, method: str, param_json: str, timestamp: str, v: str = "2") -> str:
    return f"{app_secret}app_key{app_key}method{method}param_json{param_json}timestamp{timestamp}v{v}{app_secret}"


def sign(app_key: str, app_secret: str, method: str, param_json: str, timestamp: str, v: str = "2",
         sign_method: str = "md5") -> str:
    """The `sign` of a request whose param_json (already in its sorted form) and timestamp are these texts."""
    text = sign_string(app_key, app_secret, method, param_json, timestamp, v).encode("utf-8")
    if sign_method == "hmac-sha256":
        return hmac.new(app_secret.encode("utf-8"), text, hashlib.sha256).hexdigest()
    if sign_method in ("", "md5"):
        return hashlib.md5(text).hexdigest()
    raise ValueError(f"unknown sign_method {sign_method!r}")


def parse_timestamp(text: str) -> float | None:
    """Seconds since the epoch for the three timestamp forms in use, None when the text is none of them."""
    if re.fullmatch(r"\d{10}", text):
        return float(text)
    if re.fullmatch(r"\d{13}", text):
        return int(text) / 1000
    try:
        return dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CST).timestamp()
    except ValueError:
        return None


def unix_seconds(value: dt.datetime | int | float) -> int:
    """A datetime (naive = Beijing time) or unix seconds as the platform's integer seconds."""
    if isinstance(value, dt.datetime):
        return int((value if value.tzinfo else value.replace(tzinfo=CST)).timestamp())
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"a datetime or unix seconds, not {value!r}")
    return int(value)


# ----------------------------------------------------------------------------------------------------------
# the model


@dataclass
class Recorded:
    """One request the server received, and what it answered."""

    method: str  # the HTTP verb
    path: str  # percent-decoded, without the query
    query: dict[str, list[str]]
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)  # names lower-cased
    status: int = 0
    response: bytes = b""
    target: str = ""  # the request line's target as sent
    seconds: float = 0.0
    api: str = ""  # the API method it named ("order.searchList"), "" when it named none
    params: dict[str, str] = field(default_factory=dict)  # the public parameters (query and form) as received
    param_json: str | None = None  # the business parameters' text as received

    def param(self, name: str) -> str | None:
        return self.params.get(name)

    def business(self) -> JSON:
        """The business parameters as plain JSON values."""
        return json.loads(self.param_json) if self.param_json else {}

    def answer(self) -> Any:
        return json.loads(self.response) if self.response else None


@dataclass
class _Fault:
    status: int  # an HTTP status (< 1000) or a platform code
    remaining: int
    match: str
    sub_code: str | None = None
    sub_msg: str | None = None


@dataclass
class _Sku:
    sku_order_id: str
    sku_id: int
    product_id: int
    product_name: str
    item_num: int
    origin_amount: int
    pay_amount: int
    code: str
    out_sku_id: str


@dataclass
class _Order:
    order_id: str
    create_time: int
    update_time: int
    order_status: int
    pay_amount: int
    order_amount: int
    post_amount: int
    receiver_name: str
    receiver_phone: str
    address: dict[str, str]
    skus: list[_Sku]
    tracking: list[JSON]
    buyer_words: str = ""
    seller_words: str = ""
    pay_time: int = 0
    ship_time: int = 0
    finish_time: int = 0
    ciphers: dict[str, str] = field(default_factory=dict)  # phone/name/address -> ciphertext


ORDER_FIELDS = frozenset({
    "order_id", "create_time", "update_time", "order_status", "pay_amount", "order_amount", "post_amount",
    "receiver_name", "receiver_phone", "address", "skus", "tracking", "buyer_words", "seller_words", "pay_time",
    "ship_time", "finish_time",
})
ADDRESS_FIELDS = ("province", "city", "town", "street", "detail")


class FakeDoudian(LocalServer):
    """The shop's orders and the platform's gateway. Use as a context manager, or call start() and stop().

    `clock` gives the platform's now (seconds since the epoch) for the timestamp window, the 90-day search limit
    and the default create/update times."""

    thread_name = "fake-doudian"

    def __init__(self, app_key: str = "test_app_key", app_secret: str = "test_secret",
                 access_token: str = "test_token", can_decrypt: bool = True, *, shop_id: int = 94956,
                 shop_name: str = "测试小店", clock: Callable[[], float] = time.time,
                 timestamp_window: float = TIMESTAMP_WINDOW) -> None:
        self.app_key = app_key
        self.app_secret = app_secret
        self.access_token = access_token
        self.can_decrypt = can_decrypt
        self.shop_id = shop_id
        self.shop_name = shop_name
        self.clock = clock
        self.timestamp_window = timestamp_window
        self.base_url = ""
        self.requests: list[Recorded] = []
        self.server_errors: list[str] = []  # tracebacks of the fake's own bugs (answered as HTTP 500)
        self.decrypted: list[tuple[str, str]] = []  # (auth_id, "phone"/"name"/"address") of every text decrypted
        self._orders: dict[str, _Order] = {}
        self._revoked: dict[str, str] = {}  # token -> "expired" / "deauthorized"
        self._faults: list[_Fault] = []
        self._delays: list[tuple[float, str]] = []
        self._befores: list[tuple[Callable[[], None], str]] = []
        self._ids = itertools.count(1)
        self._key = secrets.token_bytes(32)
        self._lock = threading.RLock()

    # --- lifecycle ------------------------------------------------------------------------------------------


    # --- the shop -------------------------------------------------------------------------------------------

    def add_order(self, **fields: Any) -> str:
        """A new order; returns its order id (店铺订单号, the shop order's ``order_id`` in the answers).

        Fields: order_id (str), create_time, update_time, pay_time, ship_time, finish_time (datetime, naive =
        Beijing time, or unix seconds), order_status (int: 1 待支付, 105 已支付, 2 待发货, 101 部分发货, 3 已发货,
        4 已取消, 5 已完成), pay_amount, order_amount, post_amount (fen), receiver_name, receiver_phone (plain; kept
        encrypted), address (dict: province, city, town, street, detail; detail kept encrypted), skus (list of dicts:
        sku_id, product_id, product_name, item_num, origin_amount (fen), pay_amount, code, out_sku_id), tracking
        (list of dicts, or one: tracking_no, company, company_name, ship_time), buyer_words, seller_words."""
        unknown = set(fields) - ORDER_FIELDS
        if unknown:
            raise TypeError(f"unknown order fields: {sorted(unknown)}")
        with self._lock:
            n = next(self._ids)
            order_id = str(fields.get("order_id") or 6_920_000_000_000_000_000 + n * 100)
            if order_id in self._orders:
                raise ValueError(f"order {order_id} exists")
            now = int(self.clock())
            create = unix_seconds(fields.get("create_time", now))
            skus = self._skus(order_id, fields.get("skus"), fields.get("pay_amount"))
            post_amount = int(fields.get("post_amount", 0))
            pay_amount = int(fields.get("pay_amount", sum(s.pay_amount for s in skus) + post_amount))
            status = int(fields.get("order_status", 2))
            _check_status(status)
            order = _Order(
                order_id=order_id, create_time=create, update_time=unix_seconds(fields.get("update_time", create)),
                order_status=status, pay_amount=pay_amount, order_amount=int(fields.get("order_amount", pay_amount)),
                post_amount=post_amount, receiver_name=str(fields.get("receiver_name", "张三")),
                receiver_phone=str(fields.get("receiver_phone", "13800138000")),
                address=_address(fields.get("address")), skus=skus, tracking=_tracking(fields.get("tracking")),
                buyer_words=str(fields.get("buyer_words", "")), seller_words=str(fields.get("seller_words", "")),
                pay_time=unix_seconds(fields.get("pay_time", create if status != 1 else 0)),
                ship_time=unix_seconds(fields.get("ship_time", 0)), finish_time=unix_seconds(fields.get("finish_time", 0)),
            )
            self._encrypt_receiver(order)
            self._orders[order_id] = order
            return order_id

    def update_order(self, order_id: str, update_time: dt.datetime | int | None = None, **fields: Any) -> None:
        """Changes an order as the platform would after a buyer's or the shop's action; update_time defaults to now."""
        unknown = set(fields) - ORDER_FIELDS - {"order_id"}
        if unknown or "order_id" in fields:
            raise TypeError(f"fields that cannot be updated: {sorted(unknown | ({'order_id'} & set(fields)))}")
        with self._lock:
            order = self._orders[order_id]
            receiver_before = (order.receiver_name, order.receiver_phone, dict(order.address))
            for name, value in fields.items():
                if name in ("create_time", "pay_time", "ship_time", "finish_time"):
                    setattr(order, name, unix_seconds(value))
                elif name == "order_status":
                    _check_status(int(value))
                    order.order_status = int(value)
                elif name in ("pay_amount", "order_amount", "post_amount"):
                    setattr(order, name, int(value))
                elif name == "skus":
                    order.skus = self._skus(order_id, value, None)
                elif name == "tracking":
                    order.tracking = _tracking(value)
                elif name == "address":
                    order.address = _address({**order.address, **value})
                else:
                    setattr(order, name, str(value))
            order.update_time = unix_seconds(int(self.clock()) if update_time is None else update_time)
            if (order.receiver_name, order.receiver_phone, order.address) != receiver_before:
                self._encrypt_receiver(order)

    def order(self, order_id: str) -> JSON:
        """The order as the shop sees it (plain receiver), for assertions."""
        with self._lock:
            o = self._orders[order_id]
            return {"order_id": o.order_id, "create_time": o.create_time, "update_time": o.update_time,
                    "order_status": o.order_status, "pay_amount": o.pay_amount, "order_amount": o.order_amount,
                    "post_amount": o.post_amount, "receiver_name": o.receiver_name,
                    "receiver_phone": o.receiver_phone, "address": dict(o.address), "ciphers": dict(o.ciphers),
                    "skus": [vars(s).copy() for s in o.skus], "tracking": [dict(t) for t in o.tracking]}

    def order_ids(self) -> list[str]:
        with self._lock:
            return list(self._orders)

    # --- tokens and faults ----------------------------------------------------------------------------------

    def revoke_token(self, reason: str = "expired") -> None:
        """The current access token stops working: "expired" answers 40003 isv.access-token-expired, "deauthorized"
        (the shop cancelled the authorisation) 30001 dop.authorization-no-existed."""
        if reason not in ("expired", "deauthorized"):
            raise ValueError("reason is 'expired' or 'deauthorized'")
        with self._lock:
            self._revoked[self.access_token] = reason
            self.access_token = ""

    def set_token(self, access_token: str) -> None:
        """A new valid access token (as after token.refresh); an older one keeps its revocation."""
        with self._lock:
            self.access_token = access_token
            self._revoked.pop(access_token, None)

    def fail_next(self, code_or_status: int, times: int = 1, *, match: str = "", sub_code: str | None = None,
                  sub_msg: str | None = None) -> None:
        """The next `times` requests whose API method or path contains `match` fail: a value below 1000 is an HTTP
        status answered by the gateway before any check (a text body); any other is a platform code answered in
        the envelope, after the request passed the signature and token checks (60000 is the rate limit, 触发限流)."""
        with self._lock:
            self._faults.append(_Fault(code_or_status, times, match, sub_code, sub_msg))

    def delay_next(self, seconds: float, match: str = "") -> None:
        """The next matching request is handled at once and its answer sent `seconds` later."""
        with self._lock:
            self._delays.append((seconds, match))

    def before_next(self, action: Callable[[], None], match: str = "") -> None:
        """Runs `action` (the shop's or a buyer's change) just before the next matching request is handled."""
        with self._lock:
            self._befores.append((action, match))

    def api_requests(self, api: str = "") -> list[Recorded]:
        """The requests that named an API method (`api` narrows them to one)."""
        with self._lock:
            return [r for r in self.requests if r.api and (not api or r.api == api)]

    # --- HTTP -----------------------------------------------------------------------------------------------

    def _handle(self, verb: str, target: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes, float]:
        split = urlsplit(target)
        path = unquote(split.path)
        query = parse_qs(split.query, keep_blank_values=True)
        lower = {k.lower(): v for k, v in headers.items()}
        record = Recorded(verb, path, query, body, lower, target=target)
        started = time.perf_counter()
        with self._lock:
            self.requests.append(record)
        pause = 0.0
        log_id = _log_id()
        out_headers = {"Content-Type": "application/json; charset=utf-8", "X-Tt-Logid": log_id}
        try:
            early: DoudianError | None = None
            params: dict[str, str] = {}
            param_json: str | None = None
            api: str | None = None
            try:
                params, param_json = _public_params(query, lower.get("content-type", ""), body)
                record.params, record.param_json = params, param_json
                api = _api_of(path, params)
                record.api = api or ""
            except UnicodeDecodeError:
                early = PARAM_FORMAT()
            except DoudianError as error:
                early = error
            self._run_befores(api or "", path)
            pause = self._take_delay(api or "", path)
            fault = self._take_fault(api or "", path, http=True)
            if verb not in ("GET", "POST"):
                status, payload = 405, b"405 Method Not Allowed"
                out_headers["Content-Type"] = "text/plain; charset=utf-8"
            elif fault is not None:
                status, payload = fault.status, _http_error_page(fault.status)
                out_headers["Content-Type"] = "text/html; charset=utf-8"
            else:
                status, payload = 200, self._answer(path, api, params, param_json, log_id, early)
        except Exception as exc:  # a bug in this fake: keep the traceback for the test
            self.server_errors.append(traceback.format_exc())
            status = 500
            payload = _envelope(DoudianError(20000, "dop.service-error", f"内部错误 ({type(exc).__name__}: {exc})"),
                                log_id)
        record.status, record.response = status, payload
        record.seconds = time.perf_counter() - started
        return status, out_headers, payload, pause

    def _answer(self, path: str, api: str | None, params: dict[str, str], param_json: str | None, log_id: str,
                early: DoudianError | None = None) -> bytes:
        try:
            if early is not None:
                raise early
            business = self._check(api, params, param_json)
            assert api is not None
            fault = self._take_fault(api, path, http=False)
            if fault is not None:
                default_sub, default_msg = DEFAULT_SUB.get(fault.status, ("", ""))
                raise DoudianError(fault.status, default_sub if fault.sub_code is None else fault.sub_code,
                                   default_msg if fault.sub_msg is None else fault.sub_msg)
            with self._lock:
                data = self._search_list(business) if api == "order.searchList" else self._batch_decrypt(business)
            return _envelope(None, log_id, data)
        except DoudianError as error:
            return _envelope(error, log_id)

    def _check(self, api: str | None, params: dict[str, str], param_json: str | None) -> JSON:
        """The gateway's checks, in this order: method, app_key, sign, timestamp, v, sign_method, param_json,
        signature, access_token, permission. Returns the business parameters."""
        if api is None:
            raise missing("method")
        if api not in APIS:
            raise API_OFF()
        app_key = params.get("app_key", "")
        if not app_key or app_key != self.app_key:
            raise APP_KEY_MISSING()
        received_sign = params.get("sign", "")
        if not received_sign:
            raise SIGNATURE_MISSING()
        timestamp = params.get("timestamp", "")
        if not timestamp:
            raise missing("timestamp")
        moment = parse_timestamp(timestamp)
        if moment is None:
            raise TIMESTAMP_FORMAT()
        if abs(moment - self.clock()) > self.timestamp_window:
            raise TIMESTAMP_INVALID()
        v = params.get("v", "")
        if not v:
            raise missing("v")
        if v != "2":
            raise invalid("v")
        sign_method = params.get("sign_method", "")
        if sign_method not in ("", "md5", "hmac-sha256"):
            raise invalid("sign_method")
        try:
            business = parse_param_json(param_json or "{}")
        except ValueError:
            raise PARAM_FORMAT() from None
        expected = sign(app_key, self.app_secret, api, canonical_param_json(business), timestamp, v, sign_method)
        if not hmac.compare_digest(received_sign.lower(), expected):
            raise SIGNATURE_INVALID()
        token = params.get("access_token", "")
        if not token:
            raise TOKEN_MISSING()
        with self._lock:
            if token != self.access_token:
                reason = self._revoked.get(token)
                raise (TOKEN_EXPIRED if reason == "expired" else DEAUTHORIZED if reason else TOKEN_UNKNOWN)()
            if api == "order.batchDecrypt" and not self.can_decrypt:
                raise NO_PERMISSION()
        return business

    def _take_fault(self, api: str, path: str, *, http: bool) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if (fault.status < 1000) == http and _matches(fault.match, api, path):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def _take_delay(self, api: str, path: str) -> float:
        with self._lock:
            for i, (seconds, match) in enumerate(self._delays):
                if _matches(match, api, path):
                    del self._delays[i]
                    return seconds
        return 0.0

    def _run_befores(self, api: str, path: str) -> None:
        with self._lock:
            action = None
            for i, (candidate, match) in enumerate(self._befores):
                if _matches(match, api, path):
                    action = candidate
                    del self._befores[i]
                    break
        if action is not None:
            action()

    # --- order.searchList -----------------------------------------------------------------------------------

    def _search_list(self, p: JSON) -> JSON:
        now = int(self.clock())
        page = _integer(p, "page", required=True)
        size = _integer(p, "size", required=True)
        assert page is not None and size is not None
        if page < 0:
            raise business_invalid(10035, "查询订单列表页数不能小于0")
        if size > SEARCH_MAX_SIZE:
            raise business_invalid(20008, "单次查询订单数超过限制")
        if size <= 0:
            raise business_invalid(None, "单页大小需大于0")
        if (page + 1) * size > SEARCH_MAX_RESULTS:
            raise business_invalid(20013, "订单查询最多支持查询5万")
        create_start, create_end = _integer(p, "create_time_start"), _integer(p, "create_time_end")
        update_start, update_end = _integer(p, "update_time_start"), _integer(p, "update_time_end")
        if create_start is None and update_start is None:
            raise business_invalid(20011, "订单查询开始时间不能为空")
        floor = now - SEARCH_MAX_DAYS * 86400
        if create_start is not None and create_start < floor:
            raise business_invalid(20022, "订单查询只支持查询最近90天内的数据")
        statuses = _statuses(p.get("combine_status"))
        order_by = str(p.get("order_by") or "create_time")
        if order_by not in ("create_time", "update_time"):
            raise business_invalid(None, f"不支持的排序条件{order_by}")
        ascending = _boolean(p.get("order_asc"), "order_asc")
        lowest_create = floor if create_start is None else create_start
        found = [o for o in self._orders.values()
                 if lowest_create <= o.create_time and (create_end is None or o.create_time <= create_end)
                 and (update_start is None or update_start <= o.update_time)
                 and (update_end is None or o.update_time <= update_end)
                 and (statuses is None or o.order_status in statuses)]
        found.sort(key=lambda o: (getattr(o, order_by), len(o.order_id), o.order_id), reverse=not ascending)
        chosen = found[page * size:(page + 1) * size]
        return {"page": page, "size": size, "total": len(found), "shop_order_list": [self._shop_order(o) for o in chosen]}

    def _shop_order(self, o: _Order) -> JSON:
        desc = ORDER_STATUS_DESC[o.order_status]
        receiver = self._receiver_fields(o)
        skus = [{
            "order_id": s.sku_order_id, "parent_order_id": o.order_id, "order_level": 3,
            "order_status": o.order_status, "order_status_desc": desc, "main_status": o.order_status,
            "main_status_desc": desc, "create_time": o.create_time, "update_time": o.update_time,
            "pay_time": o.pay_time, "finish_time": o.finish_time, "product_id": s.product_id,
            "product_id_str": str(s.product_id), "product_name": s.product_name, "sku_id": s.sku_id, "spec": [],
            "code": s.code, "out_sku_id": s.out_sku_id, "origin_amount": s.origin_amount, "item_num": s.item_num,
            "sum_amount": s.origin_amount * s.item_num, "pay_amount": s.pay_amount, "order_amount": s.pay_amount,
            "goods_type": 0, **receiver,
        } for s in o.skus]
        logistics = [{
            "tracking_no": t["tracking_no"], "company": t["company"], "company_name": t["company_name"],
            "ship_time": t["ship_time"], "delivery_id": "",
            "product_info": [{"sku_id": s.sku_id, "product_id": s.product_id, "product_id_str": str(s.product_id),
                              "product_name": s.product_name, "product_count": s.item_num, "price": s.origin_amount,
                              "outer_sku_id": s.out_sku_id, "sku_order_id": s.sku_order_id, "sku_specs": []}
                             for s in o.skus],
        } for t in o.tracking]
        return {
            "order_id": o.order_id, "order_level": 2, "shop_id": self.shop_id, "shop_name": self.shop_name,
            "order_type": 0, "order_type_desc": "普通订单", "biz": 2, "biz_desc": "小店", "b_type": 2,
            "b_type_desc": "抖音", "order_status": o.order_status, "order_status_desc": desc,
            "main_status": o.order_status, "main_status_desc": desc, "create_time": o.create_time,
            "update_time": o.update_time, "pay_time": o.pay_time, "ship_time": o.ship_time,
            "finish_time": o.finish_time, "order_expire_time": 1800, "pay_type": 1, "order_amount": o.order_amount,
            "pay_amount": o.pay_amount, "post_amount": o.post_amount, "post_insurance_amount": 0,
            "modify_amount": 0, "modify_post_amount": 0, "promotion_amount": 0, "buyer_words": o.buyer_words,
            "seller_words": o.seller_words, "seller_remark_stars": 0, "cancel_reason": "",
            "doudian_open_id": "1@#" + base64.b64encode(hashlib.sha256(o.receiver_phone.encode()).digest()).decode(),
            **receiver, "logistics_info": logistics, "sku_order_list": skus,
        }

    def _receiver_fields(self, o: _Order) -> JSON:
        def area(masked: bool) -> JSON:
            out: JSON = {name: {"id": "", "name": o.address[name]} for name in ("province", "city", "town", "street")}
            if masked:
                out["detail"] = _mask_detail(o.address["detail"])
            else:
                out["detail"] = out["encrypt_detail"] = o.ciphers["address"]
            return out

        return {"post_receiver": o.ciphers["name"], "encrypt_post_receiver": o.ciphers["name"],
                "post_tel": o.ciphers["phone"], "encrypt_post_tel": o.ciphers["phone"], "post_addr": area(False),
                "mask_post_receiver": _mask_name(o.receiver_name), "mask_post_tel": _mask_phone(o.receiver_phone),
                "mask_post_addr": area(True)}

    # --- order.batchDecrypt ---------------------------------------------------------------------------------

    def _batch_decrypt(self, p: JSON) -> JSON:
        infos = p.get("cipher_infos")
        if not infos:
            raise DoudianError(40002, "isv.parameter-missing", "缺少参数cipher_infos")
        if not isinstance(infos, list) or not all(isinstance(i, dict) for i in infos):
            raise business_invalid(None, "cipher_infos需为对象数组")
        if len(infos) > DECRYPT_MAX_ITEMS:
            raise business_invalid(None, f"最大支持一次解密{DECRYPT_MAX_ITEMS}条")
        out: list[JSON] = []
        failed = 0
        for item in infos:
            auth_id = "" if item.get("auth_id") is None else str(item["auth_id"])
            cipher = item.get("cipher_text")
            entry: JSON = {"auth_id": auth_id, "cipher_text": cipher if isinstance(cipher, str) else "",
                           "decrypt_text": "", "err_no": 0, "err_msg": "", "data_type": 0, "is_virtual_tel": False,
                           "expire_time": 0, "phone_no_a": "", "phone_no_b": ""}
            opened = self._decrypt(cipher) if isinstance(cipher, str) else None
            if opened is None or opened[0] != auth_id or auth_id not in self._orders:
                failed += 1
                entry.update(err_no=300008, err_msg="解密失败：密文不合法或与auth_id不匹配")
            else:
                _, kind, plain = opened
                entry.update(decrypt_text=plain, data_type=DATA_TYPES[kind])
                self.decrypted.append((auth_id, kind))
            out.append(entry)
        data = {"decrypt_infos": out, "custom_err": {"err_code": 0, "err_msg": ""}}
        if failed:
            raise DoudianError(50002, "isv.business-failed:300008", "解密接口存在部分失败", data)
        return data

    # --- the cipher -----------------------------------------------------------------------------------------

    def _encrypt_receiver(self, order: _Order) -> None:
        order.ciphers = {"phone": self._encrypt("phone", order.order_id, order.receiver_phone),
                         "name": self._encrypt("name", order.order_id, order.receiver_name),
                         "address": self._encrypt("address", order.order_id, order.address["detail"])}

    def _encrypt(self, kind: str, order_id: str, plain: str) -> str:
        sep = CIPHER_SEPARATORS[kind]
        nonce = secrets.token_bytes(12)
        data = f"{order_id}\x1f{kind}\x1f{plain}".encode()
        body = base64.b64encode(nonce + _xor(data, self._stream(nonce, len(data)))).decode()
        tag = base64.b64encode(hmac.new(self._key, body.encode(), hashlib.sha256).digest()[:24]).decode()
        return f"{sep}{sep}{body}*{tag}{sep}1{sep}{sep}"

    def _decrypt(self, text: str) -> tuple[str, str, str] | None:
        """(order id, kind, plain text) of a ciphertext this fake made, None for anything else."""
        match = re.fullmatch(r"([$#])\1([A-Za-z0-9+/=]+)\*([A-Za-z0-9+/=]+)\1\d+\1\1", text)
        if match is None:
            return None
        body, tag = match.group(2), match.group(3)
        expected = base64.b64encode(hmac.new(self._key, body.encode(), hashlib.sha256).digest()[:24]).decode()
        if not hmac.compare_digest(tag, expected):
            return None
        raw = base64.b64decode(body)
        nonce, sealed = raw[:12], raw[12:]
        parts = _xor(sealed, self._stream(nonce, len(sealed))).decode().split("\x1f", 2)
        if len(parts) != 3 or CIPHER_SEPARATORS.get(parts[1]) != match.group(1):
            return None
        return parts[0], parts[1], parts[2]

    def _stream(self, nonce: bytes, length: int) -> bytes:
        blocks = (hashlib.sha256(self._key + nonce + i.to_bytes(4, "big")).digest() for i in itertools.count())
        return b"".join(itertools.islice(blocks, length // 32 + 1))[:length]

    def _skus(self, order_id: str, skus: Iterable[JSON] | None, pay_amount: Any) -> list[_Sku]:
        given = list(skus) if skus is not None else [{"origin_amount": int(pay_amount) if pay_amount is not None else 1990}]
        out = []
        for i, s in enumerate(given):
            unknown = set(s) - {"sku_id", "product_id", "product_name", "item_num", "origin_amount", "pay_amount",
                                "code", "out_sku_id"}
            if unknown:
                raise TypeError(f"unknown sku fields: {sorted(unknown)}")
            num = int(s.get("item_num", 1))
            origin = int(s.get("origin_amount", 1990))
            sku_id = int(s.get("sku_id", 1_721_288_561_899_566 + i))
            out.append(_Sku(sku_order_id=str(int(order_id) + i + 1) if order_id.isdigit() else f"{order_id}-{i + 1}",
                            sku_id=sku_id, product_id=int(s.get("product_id", sku_id - 3)),
                            product_name=str(s.get("product_name", "测试商品")), item_num=num, origin_amount=origin,
                            pay_amount=int(s.get("pay_amount", origin * num)), code=str(s.get("code", "")),
                            out_sku_id=str(s.get("out_sku_id", ""))))
        if not out:
            raise ValueError("an order has at least one sku")
        return out


# ----------------------------------------------------------------------------------------------------------
# helpers


def _check_status(status: int) -> None:
    if status not in ORDER_STATUS_DESC:
        raise ValueError(f"order_status {status} is none of {sorted(ORDER_STATUS_DESC)}")


def _address(given: JSON | None) -> dict[str, str]:
    base = {"province": "浙江省", "city": "杭州市", "town": "西湖区", "street": "文新街道",
            "detail": "文一西路 100 号 3 幢 501 室"}
    if given:
        unknown = set(given) - set(ADDRESS_FIELDS)
        if unknown:
            raise TypeError(f"unknown address fields: {sorted(unknown)}")
        base.update({k: str(v) for k, v in given.items()})
    return base


def _tracking(given: JSON | list[JSON] | None) -> list[JSON]:
    if not given:
        return []
    out = []
    for t in [given] if isinstance(given, dict) else given:
        out.append({"tracking_no": str(t["tracking_no"]), "company": str(t.get("company", "zhongtong")),
                    "company_name": str(t.get("company_name", "中通快递")),
                    "ship_time": unix_seconds(t.get("ship_time", 0))})
    return out


def _mask_name(name: str) -> str:
    return name[:1] + "***" if name else ""


def _mask_phone(phone: str) -> str:
    return phone[:1] + "*" * (len(phone) - 3) + phone[-2:] if len(phone) > 3 else "*" * len(phone)


def _mask_detail(detail: str) -> str:
    return detail[:2] + "****" if detail else ""


def _xor(data: bytes, stream: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, stream, strict=True))


def _integer(p: JSON, name: str, *, required: bool = False) -> int | None:
    """A number parameter, sent as a JSON number or (as the old guide asks of every parameter) a numeric string."""
    value = p.get(name)
    if value is None or value == "":
        if required:
            raise DoudianError(40002, "isv.parameter-missing", f"缺少必选参数{name}")
        return None
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    raise business_invalid(None, f"参数{name}需为整数")


def _boolean(value: Any, name: str) -> bool:
    if value is None or value == "" or value is False:
        return False
    if value is True:
        return True
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    raise business_invalid(None, f"参数{name}需为布尔值")


def _statuses(combine: Any) -> set[int] | None:
    if not combine:
        return None
    if not isinstance(combine, list) or not all(isinstance(c, dict) for c in combine):
        raise business_invalid(None, "combine_status需为对象数组")
    if len(combine) > 1:
        raise business_invalid(20012, "订单查询状态条件超过限制，只支持1个元素")
    text = str(combine[0].get("order_status") or "")
    if not text:
        return None
    try:
        return {int(part) for part in text.split(",") if part.strip()}
    except ValueError:
        raise business_invalid(None, "order_status需为逗号分隔的状态码") from None


def _public_params(query: dict[str, list[str]], content_type: str, body: bytes) -> tuple[dict[str, str], str | None]:
    """The public parameters (query, and a form body) and the business parameters' text. A body that is not a form
    is param_json itself ("将param_json的值放在请求body里面", the query's param_json then empty or absent)."""
    params = {k: v[0] for k, v in query.items() if v}
    param_json = params.pop("param_json", None)
    if body and content_type.split(";")[0].strip().lower() == "application/x-www-form-urlencoded":
        form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
        for name, values in form.items():
            if name == "param_json":
                param_json = values[0]
            else:
                params.setdefault(name, values[0])
    elif body.strip():
        param_json = body.decode("utf-8")
    return params, param_json


def _api_of(path: str, params: dict[str, str]) -> str | None:
    """The API method a request names: its path (/order/searchList) or, on /, its method parameter."""
    named = params.get("method") or None
    trimmed = path.strip("/")
    if not trimmed:
        return named
    from_path = trimmed.replace("/", ".")
    if named is not None and named != from_path:
        raise invalid("method与请求路径不一致")
    return from_path


def _matches(match: str, api: str, path: str) -> bool:
    return not match or match in api or match in path


def _envelope(error: DoudianError | None, log_id: str, data: JSON | None = None) -> bytes:
    if error is None:
        payload: JSON = {"code": 10000, "msg": "success", "sub_code": "", "sub_msg": "", "data": data or {}}
    else:
        payload = {"code": error.code, "msg": error.msg, "sub_code": error.sub_code, "sub_msg": error.sub_msg,
                   "data": error.data if error.data is not None else {}}
    payload["log_id"] = log_id
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _log_id() -> str:
    """Shaped like the platform's: version 02, milliseconds, the server's IP as 32 hex digits, a random suffix."""
    return f"02{int(time.time() * 1000)}{'0' * 20}ffff7f000001{secrets.randbelow(0xF00000) + 0x100000:x}"


def _http_error_page(status: int) -> bytes:
    reason = {429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
              504: "Gateway Time-out"}.get(status, "Error")
    title = f"{status} {reason}"
    return f"<html><head><title>{title}</title></head><body><center><h1>{title}</h1></center></body></html>".encode()


