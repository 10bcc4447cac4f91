"""The `doudian` channel kind: 抖店开放平台 orders (`order.searchList`), the receivers decrypted (`order.batchDecrypt`).

    - {name: dy, kind: doudian, app_key_env: DY_KEY, app_secret_env: DY_SECRET, token_env: DY_TOKEN}

Every call is signed as the platform's SDKs sign it: the string `app_secret + "app_key" + app_key + "method" + method +
"param_json" + param_json + "timestamp" + timestamp + "v" + v + app_secret`, with param_json compact, its keys sorted
at every level and nothing escaped beyond what JSON needs; hex HMAC-SHA256 keyed with the app secret
(`sign_method: hmac-sha256`, the default) or hex MD5 (`sign_method: md5`).  The window is read by `update_time`,
oldest change first, 100 a page; after each page the next one starts at the last order's update time (keyset, not
page numbers: an order updated while the window is walked leaves the window, and with page numbers the order after
it would slide into a page already read and be skipped).  Receivers arrive encrypted: they are decrypted 50 at a
time when the app has that permission; when it has not, the platform's masked values are kept (`李***`,
`1********78`) and the order's note says so: nothing is guessed.  Amounts are the platform's fen, written as yuan.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time
from typing import Any, ClassVar

from sheetsync.channels.api import ApiChannel, Order, Window, text
from sheetsync.errors import ChannelFailed
from sheetsync.i18n import t
from sheetsync.runtime.retries import Transient

PAGE = 100
"""order.searchList's largest page."""
DECRYPT_BATCH = 50
"""order.batchDecrypt's most ciphertexts a call."""
STATUS = {1: "待支付", 105: "已支付", 2: "待发货", 101: "部分发货", 3: "已发货", 4: "已取消", 5: "已完成"}
"""order_status codes (订单状态), as the mapping reads them."""
NO_PERMISSION = "isv.app-permissions-insufficient"
CST = dt.timezone(dt.timedelta(hours=8))


def param_json(value: Any) -> str:
    """Business parameters as they are signed and sent: keys sorted at every level, compact, non-ASCII as is."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def sign(app_key: str, app_secret: str, method: str, params: str, timestamp: str, v: str = "2",
         sign_method: str = "hmac-sha256") -> str:
    """The `sign` of a call (see the module docstring)."""
    signed = f"{app_secret}app_key{app_key}method{method}param_json{params}timestamp{timestamp}v{v}{app_secret}".encode()
    if sign_method == "md5":
        return hashlib.md5(signed).hexdigest()
    return hmac.new(app_secret.encode(), signed, hashlib.sha256).hexdigest()


class DoudianChannel(ApiChannel):
    kind: ClassVar[str] = "doudian"
    default_endpoint: ClassVar[str] = "https://openapi-fxg.jinritemai.com"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clock = time.time
        self.masked = False
        """The app may not decrypt receivers: the masked values are kept."""

    def api(self, method: str, params: dict[str, Any]) -> Any:
        """One signed call; its `data`, or ChannelFailed with the platform's code and words."""
        key, secret, token = self.secret("app_key_env"), self.secret("app_secret_env"), self.secret("token_env")
        body = param_json(params)
        stamp = str(int(self.clock()))
        query = {"app_key": key, "method": method, "access_token": token, "timestamp": stamp, "v": "2",
                 "sign_method": self.channel.sign_method,
                 "sign": sign(key, secret, method, body, stamp, "2", self.channel.sign_method)}
        url = f"{self.base()}/{method.replace('.', '/')}"
        answer = self.call("POST", url, what=method, params=query, content=body.encode(),
                           headers={"Content-Type": "application/json;charset=UTF-8"})
        return answer

    def answer(self, response: Any) -> Any:
        body = json.loads(response.content)
        code = body.get("code")
        if code == 10000 or (code == 50002 and (body.get("data") or {}).get("decrypt_infos")):
            return body.get("data") or {}  # 50002: a decrypt that partly failed (those keep their masked values)
        said = f"{code} {body.get('sub_code') or ''} {body.get('sub_msg') or body.get('msg') or ''}".strip()
        if code == 60000:  # 限流: waited out as a 429 is
            raise Transient(t("api.status", self.lang, status=200, said=said), 1.0)
        if body.get("sub_code") == NO_PERMISSION:
            raise _NoPermission(said)
        raise ChannelFailed(t("api.status", self.lang, status=200, said=said))

    def fetch(self, window: Window) -> list[Order]:
        start, end = int(window.start.timestamp()), int(window.end.timestamp())
        taken: dict[tuple[str, int], dict[str, Any]] = {}
        page, pages = 0, 0
        while True:
            data = self.api("order.searchList", {"update_time_start": start, "update_time_end": end,
                                                 "order_by": "update_time", "order_asc": True, "size": PAGE,
                                                 "page": page})
            found = data.get("shop_order_list") or []
            for o in found:
                taken[(str(o["order_id"]), int(o.get("update_time") or 0))] = o
            pages += 1
            if len(found) < PAGE or (self.page_limit is not None and pages >= self.page_limit):
                break
            last = int(found[-1].get("update_time") or start)
            if last == int(found[0].get("update_time") or start):
                page += 1  # a whole page changed in the same second: the next page of that second
            else:
                start, page = last, 0  # on from the last order's update time (it and its second read again)
        orders = list(taken.values())
        plain = self.decrypt(orders)
        return [self.order(o, plain) for o in orders]

    def decrypt(self, orders: list[dict[str, Any]]) -> dict[str, str]:
        """ciphertext -> plain text of every receiver field, 50 a call; {} when the app may not decrypt."""
        wanted = [(str(o["order_id"]), c) for o in orders for c in _ciphers(o) if c]
        plain: dict[str, str] = {}
        for i in range(0, len(wanted), DECRYPT_BATCH):
            batch = wanted[i:i + DECRYPT_BATCH]
            try:
                data = self.api("order.batchDecrypt", {"cipher_infos": [{"auth_id": a, "cipher_text": c} for a, c in batch]})
            except _NoPermission:
                self.masked = True
                return {}
            for info in data.get("decrypt_infos") or []:
                if not info.get("err_no") and info.get("decrypt_text"):
                    plain[str(info.get("cipher_text"))] = str(info["decrypt_text"])
        return plain

    def order(self, o: dict[str, Any], plain: dict[str, str]) -> Order:
        tz = self.config.tz or CST
        address = o.get("post_addr") or {}
        masked = o.get("mask_post_addr") or {}

        def name(area: str) -> str | None:
            return text((address.get(area) or {}).get("name"))

        def opened(cipher: Any, mask: Any) -> str | None:
            value = plain.get(str(cipher)) if cipher else None
            return value if value is not None else text(mask)

        receiver = opened(o.get("encrypt_post_receiver"), o.get("mask_post_receiver"))
        phone = opened(o.get("encrypt_post_tel"), o.get("mask_post_tel"))
        detail = opened(address.get("encrypt_detail"), masked.get("detail"))
        hidden = any(plain.get(str(c)) is None for c in _ciphers(o) if c)
        logistics = o.get("logistics_info") or []
        note = text(o.get("buyer_words"))
        if hidden:
            note = " ".join(filter(None, [t("doudian.masked", self.lang), note]))
        base = {
            "订单号": str(o["order_id"]), "下单时间": _local(o.get("create_time"), tz), "支付时间": _local(o.get("pay_time"), tz),
            "收件人": receiver, "收件人手机号": phone, "省": name("province"), "市": name("city"), "区": name("town"),
            "街道": name("street"), "详细地址": detail, "应付金额": _yuan(o.get("pay_amount")),
            "订单状态": STATUS.get(int(o.get("order_status") or 0), text(o.get("order_status_desc"))),
            "快递公司": text(logistics[-1].get("company_name")) if logistics else None,
            "快递单号": text(logistics[-1].get("tracking_no")) if logistics else None,
            "发货时间": _local(o.get("ship_time"), tz) if logistics else None, "买家留言": note,
        }
        rows = [{**base, "商品": text(s.get("product_name")), "商家编码": text(s.get("code") or s.get("out_sku_id")),
                 "数量": text(s.get("item_num"))} for s in o.get("sku_order_list") or []] or [base]
        return Order(str(o["order_id"]), str(o.get("update_time")), rows)


class _NoPermission(ChannelFailed):
    """The app may not decrypt receivers (`isv.app-permissions-insufficient`)."""


def _ciphers(o: dict[str, Any]) -> list[Any]:
    return [o.get("encrypt_post_receiver"), o.get("encrypt_post_tel"), (o.get("post_addr") or {}).get("encrypt_detail")]


def _yuan(fen: Any) -> str | None:
    """The platform's fen as yuan (`12990` -> `129.9`)."""
    if fen in (None, ""):
        return None
    cents = int(fen)
    return f"{cents // 100}" if cents % 100 == 0 else f"{cents / 100:.2f}".rstrip("0")


def _local(seconds: Any, tz: dt.tzinfo) -> str | None:
    """The platform's unix seconds as the desk's local time."""
    if not seconds:
        return None
    return dt.datetime.fromtimestamp(int(seconds), tz).strftime("%Y-%m-%d %H:%M:%S")
