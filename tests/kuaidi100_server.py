"""A local, honest fake of 快递100's real-time query API (实时快递查询), for the tests of a waybill-tracking channel.

`FakeKuaidi100` keeps waybills in memory behind a real HTTP server on 127.0.0.1 and answers
``POST /poll/query.do`` as kuaidi100 documents it (实时快递单号查询技术文档,
https://api.kuaidi100.com/document/5f0ffb5ebc8da837cbd8aefc; English: https://api.kuaidi100.com/document/RTqueryEnglish):

- The request is ``application/x-www-form-urlencoded`` with ``customer``, ``sign`` and ``param``; ``param`` is a JSON
  object with ``com``, ``num``, ``phone``, ``from``, ``to``, ``resultv2``, ``show``, ``order``.
- ``sign`` is "按param + key + customer 的顺序进行MD5加密(注意加密后字符串一定要转32位大写), 不需要加上“+”号": the MD5 of the
  ``param`` string exactly as sent, then the key, then the customer, as 32 uppercase hex digits. ``signType=SHA256``
  (the page's optional other algorithm) is accepted too, with the same concatenation.
- The answer is JSON with every value a string, as kuaidi100 sends it: ``message`` ("ok"), ``nu``, ``ischeck``
  ("1" once signed for), ``condition`` ("F00" signed, else "00"), ``com``, ``status`` ("200"), ``state`` and ``data``:
  ``[{time, ftime, context, location}]``, newest first (``order=asc`` reverses). ``resultv2=1`` adds ``areaCode``,
  ``areaName`` and ``status`` (the state's name) to each event; ``resultv2`` 4/6/8 (the page's "高级物流状态") adds
  ``statusCode``, ``areaCenter``, ``areaPinYin``, answers the advanced state code in ``state`` and ``statusCode``, and
  adds ``routeInfo`` and ``isLoop``. Field names and types follow kuaidi100's own SDK
  (kuaidi100-api/java-demo: QueryTrackResp, QueryTrackData).
- State codes: the basic ones 0 在途, 1 揽收, 2 疑难, 3 签收, 4 退签, 5 派件, 6 退回, 7 转投, 8 清关, 14 拒签 (the push
  documentation: "0在途,1揽收,2疑难,3签收,4退签,5派件,8清关,14拒签等10个基础物流状态") and the advanced ones of the state
  table (1.6 运单快递状态说明): 101 已下单, 102 待揽收, 103 已揽收, 1001 到达派件城市, 1002 干线, 1003 转递, 501 投柜或驿站,
  301 本人签收, 302 派件异常后签收, 303 代签, 304 投柜或站签收, 401 已销单, and 10 待清关, 11 清关中, 12 已清关,
  13 清关异常 under 8 清关. An event may carry either; a basic answer maps an advanced code to its basic one.
- Failures are answered with HTTP 200 and ``{"result": false, "returnCode", "message"}`` (the doc's FAQ: "查询失败和查无
  结果的响应报文与查询成功的字段不一样。建议先判断returnCode不为空时"):
  400 "提交的数据不完整，或者贵公司没授权" for a missing field, a ``param`` that is not JSON (e.g. a body sent as
  application/json, the FAQ's "数据不完整") or an unknown customer; 400 "找不到对应公司" for a ``com`` it does not know;
  503 "验证签名失败" for a wrong sign; 500 "查询无结果，请隔段时间再查" for a waybill it does not know (also under another
  company's code) and for a request that is not a POST; 408 "快递公司参数异常：验证码错误" when 顺丰/中通 is asked without
  the recipient's or sender's phone (the FAQ page https://api.kuaidi100.com/document/cha-xun-bao-cuo1); 502 "服务器繁忙"
  when more queries than the agreed rate arrive ("查询并发量超出约定额度").
- Locking (锁单), as https://api.kuaidi100.com/document/suodanhouguo documents it: "24小时内频繁调用查询接口超过48次会触发
  锁单,锁单后24小时内不再更新物流信息,在此24小时内调用接口不再超48次时,24小时后将自动解锁". A locked waybill is still
  answered, but with the events it had when it was locked. The limit is `lock_after` (48) and time comes from `clock`,
  so a test can shorten both.

Batch queries: kuaidi100 documents none for the real-time API (its product tree has one 实时快递查询接口; many waybills
are followed with the subscription/push service instead), so none is modelled.

What is simplified: ``show`` other than 0 (xml/html/text) is answered as JSON; SM3 signatures are refused as wrong;
``areaCode``/``areaCenter``/``areaPinYin`` are null unless an event gives them; 601 (key expired / no balance) and
``lang`` are not modelled; the rate limit is one sliding one-second window per account, off until `limit` is called.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from local_server import Lined, LocalServer

JSON = dict[str, Any]

QUERY_PATH = "/poll/query.do"
BEIJING = dt.timezone(dt.timedelta(hours=8))
LOCK_WINDOW = 24 * 3600.0

BASIC_STATES = {0: "在途", 1: "揽收", 2: "疑难", 3: "签收", 4: "退签", 5: "派件", 6: "退回", 7: "转投", 8: "清关", 14: "拒签"}
ADVANCED_STATES = {  # advanced code: (name, basic code)
    101: ("已下单", 1), 102: ("待揽收", 1), 103: ("已揽收", 1),
    1001: ("到达派件城市", 0), 1002: ("干线", 0), 1003: ("转递", 0),
    501: ("投柜或驿站", 5),
    301: ("本人签收", 3), 302: ("派件异常后签收", 3), 303: ("代签", 3), 304: ("投柜或站签收", 3),
    401: ("已销单", 4),
    10: ("待清关", 8), 11: ("清关中", 8), 12: ("已清关", 8), 13: ("清关异常", 8),
}
PHONE_REQUIRED = frozenset({"shunfeng", "shunfengkuaiyun", "zhongtong"})  # "顺丰速运、顺丰快运、中通快递必填"
KNOWN_COMPANIES = frozenset({"yuantong", "zhongtong", "shentong", "yunda", "shunfeng", "shunfengkuaiyun", "ems", "jd",
                   "youzhengguonei", "jtexpress", "debangkuaidi", "huitongkuaidi", "danniao", "fengwang"})

NOT_FOUND = ("500", "查询无结果，请隔段时间再查")
INCOMPLETE = ("400", "提交的数据不完整，或者贵公司没授权")
NO_COMPANY = ("400", "找不到对应公司")
BAD_SIGN = ("503", "验证签名失败")
BUSY = ("502", "服务器繁忙")
BAD_PHONE = ("408", "快递公司参数异常：验证码错误")


def basic_state(code: int) -> int:
    if code in BASIC_STATES:
        return code
    if code in ADVANCED_STATES:
        return ADVANCED_STATES[code][1]
    raise ValueError(f"unknown kuaidi100 state code {code}")


def state_name(code: int) -> str:
    return BASIC_STATES[code] if code in BASIC_STATES else ADVANCED_STATES[code][0]


def sign(param: str, key: str, customer: str, sign_type: str = "MD5") -> str:
    """kuaidi100's signature: hash(param + key + customer), uppercase hex."""
    text = (param + key + customer).encode("utf-8")
    digest = hashlib.sha256(text) if sign_type.upper() == "SHA256" else hashlib.md5(text)
    return digest.hexdigest().upper()


@dataclass
class Event:
    """One line of a waybill's track. `time` is Beijing time (an aware datetime is converted; naive is taken as is)."""

    time: dt.datetime
    context: str
    state: int
    area: str | None = None  # areaName, e.g. "广东,深圳市"
    location: str = ""


@dataclass
class Recorded:
    """One request the server received, and what it answered."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)  # names lower-cased
    status: int = 0
    response: bytes = b""

    def form(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True).items()}

    def json(self) -> Any:
        return json.loads(self.response) if self.response else None


@dataclass
class _Waybill:
    com: str
    num: str
    phone: str | None
    events: list[Event]
    asked: list[float] = field(default_factory=list)  # clock times of the queries answered for it
    locked_at: float | None = None
    frozen: list[Event] | None = None


@dataclass
class _Fault:
    status: int
    remaining: int


def _event(value: Event | Sequence[Any]) -> Event:
    event = value if isinstance(value, Event) else Event(*value)
    moment = event.time
    if moment.tzinfo is not None:
        moment = moment.astimezone(BEIJING).replace(tzinfo=None)
    basic_state(event.state)  # rejects unknown codes
    return Event(moment.replace(microsecond=0), event.context, event.state, event.area, event.location)


class FakeKuaidi100(Lined, LocalServer):
    """The service and its server. Use as a context manager, or call start() and stop().

    `clock` (seconds, default time.time) times the rate limit and the 24-hour lock; a test may replace it."""

    thread_name = "fake-kuaidi100"

    def __init__(self, customer: str = "TESTCUSTOMER", key: str = "testkey", *, lock_after: int = 48,
                 clock: Callable[[], float] | None = None) -> None:
        self.customer, self.key = customer, key
        self.lock_after = lock_after
        self.clock: Callable[[], float] = clock or time.time
        self.base_url = ""
        self.requests: list[Recorded] = []
        self.queries: list[str] = []  # the waybill numbers asked, in order (every request whose param named one)
        self.server_errors: list[str] = []
        self._waybills: dict[str, _Waybill] = {}
        self._companies = set(KNOWN_COMPANIES)
        self._per_second: int | None = None
        self._recent: list[float] = []  # clock times of accepted queries, for the rate limit
        self._faults: list[_Fault] = []
        self._delays: list[float] = []
        self._befores: list[Callable[[], object]] = []
        self._lock = threading.RLock()

    # --- lifecycle ------------------------------------------------------------------------------------------


    @property
    def query_url(self) -> str:
        return self.base_url + QUERY_PATH

    # --- the carriers' side ---------------------------------------------------------------------------------

    def add_waybill(self, com: str, num: str, events: Sequence[Event | Sequence[Any]] = (), phone: str | None = None) -> None:
        """A waybill of company `com` (kuaidi100's lowercase code) with its track so far: each event an `Event` or a
        tuple ``(datetime, context, state_code[, area_name[, location]])``. For 顺丰/中通 a `phone` makes the query need
        it (the full number or its last four digits)."""
        with self._lock:
            self._companies.add(com)
            self._waybills[num] = _Waybill(com, num, phone, sorted((_event(e) for e in events), key=lambda e: e.time))

    def advance(self, num: str, event: Event | Sequence[Any]) -> None:
        """A new line on the waybill's track."""
        with self._lock:
            waybill = self._waybills[num]
            waybill.events.append(_event(event))
            waybill.events.sort(key=lambda e: e.time)

    def limit(self, per_second: int | None) -> None:
        """At most `per_second` accepted queries in any one second; more are answered 502 服务器繁忙. None: no limit."""
        with self._lock:
            self._per_second = per_second

    def locked(self, num: str) -> bool:
        with self._lock:
            return self._waybills[num].locked_at is not None

    # --- faults ---------------------------------------------------------------------------------------------

    def fail_next(self, status: int, times: int = 1) -> None:
        """The next `times` requests get HTTP `status` with the front proxy's HTML page (no JSON at all)."""
        with self._lock:
            self._faults.append(_Fault(status, times))



    # --- HTTP -----------------------------------------------------------------------------------------------

    def _handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes, float]:
        split = urlsplit(target)
        path = unquote(split.path)
        record = Recorded(method, path, parse_qs(split.query, keep_blank_values=True), body,
                          {k.lower(): v for k, v in headers.items()})
        with self._lock:
            self.requests.append(record)
        action, pause, fault = self._next_action(), self._next_delay(), self._next_fault(self._faults)
        out = {"Content-Type": "application/json;charset=UTF-8"}
        try:
            if action is not None:
                action()
            if fault is not None:
                status, out, payload = fault.status, {"Content-Type": "text/html"}, self._fault_page(fault.status)
            elif path != QUERY_PATH:
                status, out, payload = 404, {"Content-Type": "text/html"}, self._fault_page(404)
            else:
                with self._lock:
                    answer = self._query(method, headers, body)
                status, payload = 200, json.dumps(answer, ensure_ascii=False).encode("utf-8")
        except Exception as exc:  # a bug in this fake
            self.server_errors.append(traceback.format_exc())
            status, payload = 500, f"{type(exc).__name__}: {exc}".encode()
        record.status, record.response = status, payload
        return status, out, payload, pause

    @staticmethod
    def _fault_page(status: int) -> bytes:
        reason = {404: "Not Found", 429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
                  503: "Service Temporarily Unavailable", 504: "Gateway Time-out"}.get(status, "Error")
        return (f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n<center><h1>{status} {reason}"
                f"</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n").encode()

    @staticmethod
    def _failure(code: tuple[str, str]) -> JSON:
        return {"result": False, "returnCode": code[0], "message": code[1]}

    def _query(self, method: str, headers: dict[str, str], body: bytes) -> JSON:
        if method != "POST":
            return self._failure(NOT_FOUND)
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
        form: dict[str, str] = {}
        if "application/x-www-form-urlencoded" in content_type.lower() or not content_type:
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                text = ""
            form = {k: v[-1] for k, v in parse_qs(text, keep_blank_values=True).items()}
        customer, given_sign, raw = form.get("customer", ""), form.get("sign", ""), form.get("param", "")
        try:
            param = json.loads(raw) if raw else None
        except ValueError:
            param = None
        if isinstance(param, dict) and param.get("num"):
            self.queries.append(str(param["num"]))
        if not customer or not given_sign or not isinstance(param, dict) or not param.get("com") or not param.get("num"):
            return self._failure(INCOMPLETE)
        if customer != self.customer:
            return self._failure(INCOMPLETE)
        sign_type = form.get("signType", "MD5").upper()
        if sign_type not in ("MD5", "SHA256") or given_sign != sign(raw, self.key, self.customer, sign_type):
            return self._failure(BAD_SIGN)
        now = self.clock()
        self._recent = [t for t in self._recent if now - t < 1.0]
        if self._per_second is not None and len(self._recent) >= self._per_second:
            return self._failure(BUSY)
        self._recent.append(now)
        com, num = str(param["com"]), str(param["num"])
        if com not in self._companies:
            return self._failure(NO_COMPANY)
        waybill = self._waybills.get(num)
        if waybill is None or waybill.com != com:
            return self._failure(NOT_FOUND)
        if waybill.phone and com in PHONE_REQUIRED:
            phone = "".join(ch for ch in str(param.get("phone") or "") if ch.isdigit())
            wanted = "".join(ch for ch in waybill.phone if ch.isdigit())
            if not phone or not (phone == wanted or (len(phone) == 4 and wanted.endswith(phone))):
                return self._failure(BAD_PHONE)
        events = self._events_for(waybill, now)
        if not events:
            return self._failure(NOT_FOUND)
        return self._answer(waybill, events, param)

    def _events_for(self, waybill: _Waybill, now: float) -> list[Event]:
        """The track to answer, after the 锁单 rule: more than `lock_after` queries within 24 hours lock the waybill, and
        a locked waybill shows the events it had when it was locked until a 24-hour stretch passes without more than
        `lock_after` queries."""
        waybill.asked.append(now)
        waybill.asked = [t for t in waybill.asked if now - t < 2 * LOCK_WINDOW]
        in_window = sum(1 for t in waybill.asked if now - t < LOCK_WINDOW)
        if waybill.locked_at is not None and now - waybill.locked_at >= LOCK_WINDOW:
            since = sum(1 for t in waybill.asked if waybill.locked_at <= t < waybill.locked_at + LOCK_WINDOW)
            if since <= self.lock_after:
                waybill.locked_at, waybill.frozen = None, None
            else:
                waybill.locked_at = now
        if waybill.locked_at is None and in_window > self.lock_after:
            waybill.locked_at, waybill.frozen = now, list(waybill.events)
        return list(waybill.frozen if waybill.frozen is not None else waybill.events)

    def _answer(self, waybill: _Waybill, events: list[Event], param: JSON) -> JSON:
        resultv2 = str(param.get("resultv2") or "").strip()
        advanced = resultv2 in ("2", "4", "6", "8")
        areas = advanced or resultv2 == "1"
        latest = events[-1]
        signed = basic_state(latest.state) == 3
        ordered = list(reversed(events)) if str(param.get("order") or "desc").lower() != "asc" else list(events)
        data = []
        for event in ordered:
            stamp = event.time.strftime("%Y-%m-%d %H:%M:%S")
            item: JSON = {"time": stamp, "context": event.context, "ftime": stamp}
            if areas:
                code = event.state if advanced else basic_state(event.state)
                item.update({"areaCode": None, "areaName": event.area, "status": state_name(code)})
                if advanced:
                    item.update({"statusCode": str(code), "areaCenter": None, "areaPinYin": None})
            item["location"] = event.location
            data.append(item)
        answer: JSON = {
            "message": "ok", "nu": waybill.num, "ischeck": "1" if signed else "0", "condition": "F00" if signed else "00",
            "com": waybill.com, "status": "200",
            "state": str(latest.state if advanced else basic_state(latest.state)), "data": data,
        }
        if advanced:
            first = next((e.area for e in events if e.area), None)
            current = next((e.area for e in reversed(events) if e.area), None)
            answer["routeInfo"] = {"from": {"number": None, "name": first} if first else None,
                                   "cur": {"number": None, "name": current} if current else None,
                                   "to": {"number": None, "name": param.get("to")} if param.get("to") else None}
            answer["isLoop"] = False
        return answer


