"""The `kuaidi100` logistics kind: tracking states from 快递100's real-time query (实时快递查询).

    logistics:
      - {name: kd100, kind: kuaidi100, customer_env: KD100_CUSTOMER, key_env: KD100_KEY}

It asks for the orders whose row, as the last run left it, has a tracking number and no delivery time (and for the
after-sales tickets' return tracking numbers still on their way), one query each (快递100 documents no batch query),
paced under a few a second, and never the same waybill twice within half an hour (快递100 locks a waybill asked
too often); a waybill signed for is not asked again.  Each query is `POST /poll/query.do` with `customer`, `param`
(JSON: com, num, phone) and `sign` = upper-case hex MD5 of param + key + customer.  Its states become the waybill's
fields: 揽收 (1), 在途 (0), 派件 (5) and the others on the way give `shipped_at` (the first event's time), 签收 (3)
gives `delivered_at`; a return's tracking signed for moves its ticket to received.  The carrier's company code is
taken from the carrier cell (顺丰 -> shunfeng ...) or the tracking number's prefix.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import time
from collections.abc import Callable
from typing import Any, ClassVar

import pandas as pd

from sheetsync.channels.api import ApiChannel, text
from sheetsync.channels.base import FileAccount, Known, Pulled
from sheetsync.errors import ChannelFailed, ConfigError
from sheetsync.i18n import t
from sheetsync.runtime.retries import Transient

COMPANIES: dict[str, str] = {
    "顺丰": "shunfeng", "sf": "shunfeng", "中通": "zhongtong", "圆通": "yuantong", "韵达": "yunda", "申通": "shentong",
    "极兔": "jtexpress", "京东": "jd", "ems": "ems", "邮政": "youzhengguonei", "德邦": "debangkuaidi",
    "百世": "huitongkuaidi", "天天": "tiantian", "宅急送": "zhaijisong", "跨越": "kuayue",
}
"""Words of a carrier's name -> 快递100's company code."""
PREFIXES: tuple[tuple[str, str], ...] = (("SF", "shunfeng"), ("JT", "jtexpress"), ("YT", "yuantong"), ("JD", "jd"),
                                         ("DPK", "debangkuaidi"), ("ZT", "zhongtong"), ("YD", "yunda"))
"""A tracking number's prefix -> company code, when the carrier cell says nothing known."""
SIGNED = {"3", "301", "302", "303", "304"}
"""签收 and its advanced kinds."""
AGAIN_AFTER = dt.timedelta(minutes=30)
"""快递100 asks that a waybill be queried at most every half hour (more locks it)."""
PER_SECOND = 5


class Kuaidi100Channel(ApiChannel):
    kind: ClassVar[str] = "kuaidi100"
    default_endpoint: ClassVar[str] = "https://poll.kuaidi100.com"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clock: Callable[[], float] = time.monotonic

    def pull(self, seen: Callable[[str], str | None], now: dt.datetime, known: Known | None = None) -> Pulled:
        pulled = Pulled(self.channel, self.mapping, self.label, pd.DataFrame())
        account = FileAccount(f"{self.kind}:{self.channel.name}", self.channel.name, "")
        pulled.files.append(account)
        saved = json.loads((known.cursor(self.channel.name) if known is not None else None) or "{}")
        asked: dict[str, str] = dict(saved.get("asked", {}))
        done: set[str] = set(saved.get("done", []))
        moment = now.replace(microsecond=0).isoformat()
        rows: list[dict[str, str | None]] = []
        try:
            for waybill in known.open_waybills() if known is not None else []:
                number = str(waybill["tracking_no"]).strip()
                last = asked.get(number)
                if number in done or (last is not None and dt.datetime.fromisoformat(last) > now - AGAIN_AFTER):
                    continue
                company = company_of(waybill.get("carrier"), number)
                if company is None:
                    continue
                answer = self.query(company, number, waybill.get("phone"))
                asked[number] = moment
                row = self.row(waybill, answer)
                if row is not None:
                    rows.append(row)
                    if row.get("签收时间"):
                        done.add(number)
        except ChannelFailed as exc:
            return self.failed(pulled, account, exc)
        cutoff = now - AGAIN_AFTER
        pulled.cursor = json.dumps({"asked": {n: w for n, w in asked.items() if dt.datetime.fromisoformat(w) > cutoff},
                                    "done": sorted(done)[-5000:]}, ensure_ascii=False)
        self.take(pulled, account, rows, now)
        return pulled

    def query(self, company: str, number: str, phone: str | None) -> dict[str, Any]:
        """One real-time query, paced under PER_SECOND."""
        customer, key = self.secret("customer_env"), self.secret("key_env")
        param = json.dumps({"com": company, "num": number, "phone": (phone or "")[-11:], "resultv2": "1"},
                           ensure_ascii=False, separators=(",", ":"))
        started = self.clock()
        answer = self.call("POST", f"{self.base()}/poll/query.do", what="query",
                           data={"customer": customer, "param": param, "sign": sign(param, key, customer)})
        spent = self.clock() - started
        if spent < 1 / PER_SECOND:
            self.sleep(1 / PER_SECOND - spent)
        return dict(answer)

    def answer(self, response: Any) -> Any:
        body = json.loads(response.content)
        if body.get("result") is False or str(body.get("status", "200")) != "200":
            code = str(body.get("returnCode") or body.get("status") or "")
            said = f"{code} {body.get('message') or ''}".strip()
            if code in ("502", "503") and "签名" not in said:  # busy: waited out
                raise Transient(t("api.status", self.lang, status=200, said=said), 1.0)
            if code == "500":  # no result (yet) for this waybill: nothing to say of it
                return {}
            raise ChannelFailed(t("api.status", self.lang, status=200, said=said))
        return body

    def row(self, waybill: dict[str, str | None], answer: dict[str, Any]) -> dict[str, str | None] | None:
        """The waybill's fields from an answer (None: no event yet)."""
        events = answer.get("data") or []
        if not events:
            return None
        times = sorted(str(e.get("ftime") or e.get("time")) for e in events if e.get("ftime") or e.get("time"))
        signed = str(answer.get("state")) in SIGNED or str(answer.get("ischeck")) == "1"
        return {"订单号": waybill["order_id"], "运单号": str(waybill["tracking_no"]).strip(),
                "快递公司": text(waybill.get("carrier")), "发货时间": times[0] if times else None,
                "签收时间": times[-1] if signed and times else None}

    def probe(self, now: dt.datetime) -> dict[str, Any]:
        try:
            self.secret("customer_env")
            self.secret("key_env")
        except ConfigError as exc:
            return {"channel": self.channel.name, "kind": self.kind, "ok": False, "problem": exc.message}
        return {"channel": self.channel.name, "kind": self.kind, "ok": True, "orders": 0, "newest": None,
                "rate": f"{PER_SECOND}/s, each waybill every 30 min", "problem": None}


def sign(param: str, key: str, customer: str) -> str:
    """快递100's `sign`: the upper-case hex MD5 of param + key + customer."""
    return hashlib.md5(f"{param}{key}{customer}".encode()).hexdigest().upper()


def company_of(carrier: str | None, number: str) -> str | None:
    """快递100's company code for a carrier's name (or, failing it, the tracking number's prefix)."""
    name = (carrier or "").strip().casefold()
    for word, code in COMPANIES.items():
        if word in name:
            return code
    if re.fullmatch(r"[a-z]+", name):
        return name  # a company code given as is
    upper = number.upper()
    return next((code for prefix, code in PREFIXES if upper.startswith(prefix)), None)
