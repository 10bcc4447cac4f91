"""A local, honest fake of the WooCommerce REST API v3 orders endpoint, for the tests of a WooCommerce channel.

`FakeWooCommerce` keeps orders in memory behind a real HTTP server on 127.0.0.1 and answers the way WooCommerce
documents (https://woocommerce.github.io/woocommerce-rest-api-docs/#list-all-orders, source of that page:
woocommerce/woocommerce-rest-api-docs, source/includes/wp-api-v3/_orders.md and _authentication.md):

- ``GET /wp-json/wc/v3/orders`` with ``modified_after``, ``modified_before``, ``after``, ``before`` (ISO 8601),
  ``dates_are_gmt``, ``status`` (``any`` by default; a list as ``status=a,b`` or ``status[]=a``), ``include``,
  ``exclude``, ``page``, ``per_page`` (1..100, default 10), ``offset``, ``orderby`` (``date``, ``id``, ``include``,
  ``title``, ``slug``, ``modified``), ``order`` (``asc``/``desc``, default ``desc``); the answer is a JSON array of
  orders and the headers ``X-WP-Total``, ``X-WP-TotalPages`` and ``Link`` (rel="prev"/"next").
- ``GET /wp-json/wc/v3/orders/{id}``.
- Authentication as WooCommerce does it over HTTPS: HTTP Basic with the consumer key and secret, or the
  ``consumer_key``/``consumer_secret`` query parameters (which win when both are given). A wrong secret answers 401
  ``woocommerce_rest_authentication_error`` "Consumer secret is invalid."; no credentials or an unknown key leave the
  request anonymous and it fails the permission check: 401 ``woocommerce_rest_cannot_view``.
- Errors in WordPress's shape: ``{"code", "message", "data": {"status"}}``; bad parameters are 400
  ``rest_invalid_param`` with ``data.params`` and ``data.details``; unknown routes 404 ``rest_no_route``.

How the date windows are read (WordPress's own rules, WP_Date_Query::build_mysql_datetime): a value without an
offset is taken as it stands; a value with ``Z`` or ``+hh:mm`` is converted to the site's timezone; the value is then
compared with the local column (``date_modified``) or, with ``dates_are_gmt=true``, the GMT column
(``date_modified_gmt``). ``modified_after``/``after`` are exclusive (``>``), ``modified_before``/``before`` too
(``<``), as WP_Date_Query builds them by default. Dates are kept to the second, as MySQL DATETIME keeps them.

Modes, for stores that do not behave as documented:

- ``ignores_modified_after=True``: a store older than WooCommerce 5.8.0 (2021-10-12), whose changelog reads
  "Add - `modified_before` and `modified_after` filtering parameters to REST API for products, orders and coupons.
  #30585". Before that WordPress ignored the unknown parameters, so every order is answered whatever the window.
- ``drops_authorization=True``: a web server that does not pass the Authorization header on to PHP (the docs: "some
  servers may not parse the Authorization header correctly ... you may provide the consumer key/secret as query
  string parameters instead"). Basic auth then fails; the query-string parameters still work.
- ``hpos_touch_on_view=True``: an HPOS store whose orders' modified date moves when an order is merely viewed, as
  reported in woocommerce/woocommerce#41226 ("date_updated_gmt gets updated even though no update": "The timestamp
  date_updated_gmt in table wc_orders get's updated to 'now' not only when you modify an order, but also when you just
  open it for viewing"). Here every order the API answers, and every `view_order` (a person opening it in WP-Admin),
  gets ``date_modified`` = now after the answer is made.

What is simplified:

- Plain HTTP on 127.0.0.1 accepts Basic and query-string auth; a real store over plain HTTP wants OAuth 1.0a
  (not modelled). No permission scopes (read/write keys), no ``context=edit``, no ``search``/``customer``/``product``/
  ``parent`` filters (they are ignored, as unknown parameters are), no writes (POST/PUT/DELETE answer rest_no_route).
- ``orderby=title``/``slug`` sort by id. Ties are broken by id in the same direction, so pages never overlap; a real
  MySQL sort on equal dates is not guaranteed stable between pages.
- ``offset`` skips that many matching orders; ``X-WP-Total`` still counts all matching orders.
- Orders carry the documented fields with plain defaults (no taxes computed; ``total`` defaults to the sum of the
  line totals plus ``shipping_total``), and ``shipping.phone``, which WooCommerce answers since 5.6 though the docs'
  table omits it.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json
import math
import re
import threading
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from local_server import Lined, LocalServer

JSON = dict[str, Any]

API_PREFIX = "/wp-json/wc/v3"
ORDERS_PATH = f"{API_PREFIX}/orders"
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 10
STATUSES = ("pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed", "trash")
ORDERBY = ("date", "id", "include", "title", "slug", "modified")
WC_VERSION = "9.8.0"
# WordPress's rest_parse_date(): seconds are required, the offset is optional.
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$")
PHP_WARNING = ('<br />\n<b>Warning</b>:  Undefined array key "shipping_phone" in '
               "<b>/var/www/html/wp-content/plugins/checkout-fields/checkout-fields.php</b> on line <b>212</b><br />\n")
ORDER_FIELDS = frozenset({
    "parent_id", "number", "order_key", "created_via", "version", "status", "currency", "discount_total", "discount_tax",
    "shipping_total", "shipping_tax", "cart_tax", "total", "total_tax", "prices_include_tax", "customer_id",
    "customer_ip_address", "customer_user_agent", "customer_note", "billing", "shipping", "payment_method",
    "payment_method_title", "transaction_id", "date_paid", "date_completed", "cart_hash", "meta_data", "line_items",
    "tax_lines", "shipping_lines", "fee_lines", "coupon_lines", "refunds",
})
BILLING_FIELDS = ("first_name", "last_name", "company", "address_1", "address_2", "city", "state", "postcode",
                  "country", "email", "phone")
# "phone" is answered since WooCommerce 5.6 (woocommerce/woocommerce#30097) though the docs' table still lacks it
# (woocommerce/woocommerce-rest-api-docs#253).
SHIPPING_FIELDS = ("first_name", "last_name", "company", "address_1", "address_2", "city", "state", "postcode",
                   "country", "phone")


class RestError(Exception):
    """An error answered the way WordPress's REST server answers a WP_Error."""

    def __init__(self, status: int, code: str, message: str, extra: JSON | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra or {}

    def body(self) -> JSON:
        return {"code": self.code, "message": self.message, "data": {"status": self.status, **self.extra}}


def invalid_params(problems: dict[str, tuple[str, str]]) -> RestError:
    """WordPress's 400 for parameters that fail their schema: one entry per parameter, (detail code, message)."""
    return RestError(400, "rest_invalid_param", "Invalid parameter(s): " + ", ".join(problems), {
        "params": {name: message for name, (_, message) in problems.items()},
        "details": {name: {"code": code, "message": message, "data": None} for name, (code, message) in problems.items()},
    })


@dataclass
class Recorded:
    """One request the server received, and what it answered."""

    method: str
    path: str  # percent-decoded, without the query
    query: dict[str, list[str]]
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)  # names lower-cased, as the client sent them
    status: int = 0
    response: bytes = b""
    target: str = ""  # the request line's target as sent

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


@dataclass
class _Fault:
    status: int
    retry_after: float | None
    remaining: int


@dataclass
class _Order:
    id: int
    created: dt.datetime  # aware, UTC, whole seconds
    modified: dt.datetime
    fields: JSON


def _utc(value: dt.datetime) -> dt.datetime:
    """A datetime as aware UTC, to the second; a naive one is taken as UTC (GMT)."""
    aware = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    return aware.replace(microsecond=0)


def _money(value: object) -> str:
    return str(Decimal(str(value)).quantize(Decimal("0.01")))


def _number(value: object) -> int | float:
    number = float(Decimal(str(value)))
    return int(number) if number.is_integer() else number


def _wp_date(value: dt.datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%S")


def _split_list(values: list[str]) -> list[str]:
    """WordPress's wp_parse_list for array parameters: ``a,b`` and repeated ``x[]=a&x[]=b`` both give [a, b]."""
    out: list[str] = []
    for value in values:
        out.extend(part.strip() for part in re.split(r"[\s,]+", value) if part.strip())
    return out


class FakeWooCommerce(Lined, LocalServer):
    """The store and its server. Use as a context manager, or call start() and stop().

    `clock` gives "now" (aware UTC) for new orders, updates and HPOS touches; a test may replace it."""

    thread_name = "fake-woocommerce"

    def __init__(self, key: str = "ck_test", secret: str = "cs_test", *, ignores_modified_after: bool = False,
                 drops_authorization: bool = False, hpos_touch_on_view: bool = False, utc_offset_hours: float = 8.0,
                 clock: Callable[[], dt.datetime] | None = None) -> None:
        self.key, self.secret = key, secret
        self.ignores_modified_after = ignores_modified_after
        self.drops_authorization = drops_authorization
        self.hpos_touch_on_view = hpos_touch_on_view
        self.site_tz = dt.timezone(dt.timedelta(hours=utc_offset_hours))
        self.clock: Callable[[], dt.datetime] = clock or (lambda: dt.datetime.now(dt.UTC))
        self.base_url = ""
        self.requests: list[Recorded] = []
        self.server_errors: list[str] = []  # tracebacks of the fake's own bugs (answered as 500)
        self._orders: dict[int, _Order] = {}
        self._next_id = 1000  # orders, refunds and line items share WordPress's post/item id counters loosely
        self._faults: list[_Fault] = []
        self._malformed = 0
        self._delays: list[float] = []
        self._befores: list[Callable[[], object]] = []
        self._lock = threading.RLock()

    # --- lifecycle ------------------------------------------------------------------------------------------


    @property
    def orders_url(self) -> str:
        return self.base_url + ORDERS_PATH

    # --- the shop's side ------------------------------------------------------------------------------------

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def add_order(self, *, created: dt.datetime | None = None, modified: dt.datetime | None = None, **fields: Any) -> int:
        """A new order; returns its id. `created`/`modified` are datetimes (naive ones are GMT); `modified` defaults to
        `created`, which defaults to now. Other keywords are order properties as documented (``status``,
        ``currency``, ``total``, ``billing``, ``shipping``, ``line_items``, ``customer_note``, ``meta_data``,
        ``refunds``, ...): line items are dicts with ``name``, ``sku``, ``quantity``, ``price`` and optionally ``total``;
        refunds dicts with ``total`` (positive or negative) and ``reason``; meta_data a dict or ``{key, value}`` dicts."""
        with self._lock:
            order_id = self._new_id()
            made = _utc(created) if created is not None else _utc(self.clock())
            order = _Order(order_id, made, _utc(modified) if modified is not None else made, {})
            self._orders[order_id] = order
            self._apply(order, {"status": "processing", "currency": "CNY", **fields}, creating=True)
            return order_id

    def update_order(self, order_id: int, modified: dt.datetime | None = None, **fields: Any) -> None:
        """Changes an order as the shop would: the given properties are replaced and ``date_modified`` becomes
        `modified` (default now)."""
        with self._lock:
            order = self._order(order_id)
            self._apply(order, fields, creating=False)
            order.modified = _utc(modified) if modified is not None else _utc(self.clock())

    def view_order(self, order_id: int) -> None:
        """A person opens the order in WP-Admin: nothing changes, except on an HPOS store in `hpos_touch_on_view`."""
        with self._lock:
            order = self._order(order_id)
            if self.hpos_touch_on_view:
                order.modified = _utc(self.clock())

    def order(self, order_id: int) -> JSON:
        """The order as the API answers it."""
        with self._lock:
            return self._order_json(self._order(order_id))

    def order_ids(self) -> list[int]:
        with self._lock:
            return sorted(self._orders)

    def _order(self, order_id: int) -> _Order:
        try:
            return self._orders[order_id]
        except KeyError:
            raise KeyError(f"no order {order_id}") from None

    def _apply(self, order: _Order, fields: JSON, *, creating: bool) -> None:
        unknown = set(fields) - ORDER_FIELDS
        if unknown:
            raise TypeError(f"unknown order properties: {', '.join(sorted(unknown))}")
        if "status" in fields and fields["status"] not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}")
        data = order.fields
        for name, value in fields.items():
            if name == "billing":
                data["billing"] = {**{k: "" for k in BILLING_FIELDS}, **(data.get("billing") or {}), **value}
            elif name == "shipping":
                data["shipping"] = {**{k: "" for k in SHIPPING_FIELDS}, **(data.get("shipping") or {}), **value}
            elif name == "line_items":
                data["line_items"] = [self._line_item(item) for item in value]
            elif name == "refunds":
                data["refunds"] = [{"id": self._new_id(), "reason": str(r.get("reason", "")),
                                    "total": "-" + _money(abs(Decimal(str(r["total"]))))} for r in value]
            elif name == "meta_data":
                items = value.items() if isinstance(value, dict) else ((m["key"], m["value"]) for m in value)
                data["meta_data"] = [{"id": self._new_id(), "key": k, "value": v} for k, v in items]
            elif name in ("date_paid", "date_completed"):
                data[name] = None if value is None else _utc(value)
            else:
                data[name] = copy.deepcopy(value)
        if creating:
            data.setdefault("billing", {k: "" for k in BILLING_FIELDS})
            data.setdefault("shipping", {k: "" for k in SHIPPING_FIELDS})
            data.setdefault("line_items", [])
            data.setdefault("refunds", [])
            data.setdefault("meta_data", [])
            data.setdefault("order_key", f"wc_order_{order.id:013x}")

    def _line_item(self, item: JSON) -> JSON:
        quantity = int(item.get("quantity", 1))
        price = Decimal(str(item.get("price", 0)))
        total = Decimal(str(item["total"])) if "total" in item else price * quantity
        return {
            "id": self._new_id(), "name": str(item.get("name", "")), "product_id": int(item.get("product_id", 0)),
            "variation_id": int(item.get("variation_id", 0)), "quantity": quantity,
            "tax_class": str(item.get("tax_class", "")), "subtotal": _money(item.get("subtotal", total)),
            "subtotal_tax": "0.00", "total": _money(total), "total_tax": "0.00", "taxes": [],
            "meta_data": [{"id": self._new_id(), "key": k, "value": v} for k, v in (item.get("meta_data") or {}).items()],
            "sku": str(item.get("sku", "")),
            # the docs' table says string; their example and WooCommerce's schema give a number
            "price": _number(total / quantity if quantity else 0),
        }

    def _local(self, moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(self.site_tz).replace(tzinfo=None)

    def _order_json(self, order: _Order) -> JSON:
        data = order.fields
        lines = data["line_items"]
        shipping_total = Decimal(str(data.get("shipping_total", 0)))
        total = data.get("total")
        if total is None:
            total = sum((Decimal(line["total"]) for line in lines), Decimal(0)) + shipping_total
        paid, completed = data.get("date_paid"), data.get("date_completed")
        customer_id = int(data.get("customer_id", 0))
        links: JSON = {"self": [{"href": f"{self.orders_url}/{order.id}"}], "collection": [{"href": self.orders_url}]}
        if customer_id:
            links["customer"] = [{"href": f"{self.base_url}{API_PREFIX}/customers/{customer_id}"}]
        return {
            "id": order.id,
            "parent_id": int(data.get("parent_id", 0)),
            "number": str(data.get("number", order.id)),
            "order_key": data["order_key"],
            "created_via": str(data.get("created_via", "checkout")),
            "version": str(data.get("version", WC_VERSION)),
            "status": data["status"],
            "currency": data["currency"],
            "date_created": _wp_date(self._local(order.created)),
            "date_created_gmt": _wp_date(order.created.replace(tzinfo=None)),
            "date_modified": _wp_date(self._local(order.modified)),
            "date_modified_gmt": _wp_date(order.modified.replace(tzinfo=None)),
            "discount_total": _money(data.get("discount_total", 0)),
            "discount_tax": _money(data.get("discount_tax", 0)),
            "shipping_total": _money(shipping_total),
            "shipping_tax": _money(data.get("shipping_tax", 0)),
            "cart_tax": _money(data.get("cart_tax", 0)),
            "total": _money(total),
            "total_tax": _money(data.get("total_tax", 0)),
            "prices_include_tax": bool(data.get("prices_include_tax", False)),
            "customer_id": customer_id,
            "customer_ip_address": str(data.get("customer_ip_address", "")),
            "customer_user_agent": str(data.get("customer_user_agent", "")),
            "customer_note": str(data.get("customer_note", "")),
            "billing": dict(data["billing"]),
            "shipping": dict(data["shipping"]),
            "payment_method": str(data.get("payment_method", "")),
            "payment_method_title": str(data.get("payment_method_title", "")),
            "transaction_id": str(data.get("transaction_id", "")),
            "date_paid": _wp_date(None if paid is None else self._local(paid)),
            "date_paid_gmt": _wp_date(None if paid is None else paid.replace(tzinfo=None)),
            "date_completed": _wp_date(None if completed is None else self._local(completed)),
            "date_completed_gmt": _wp_date(None if completed is None else completed.replace(tzinfo=None)),
            "cart_hash": str(data.get("cart_hash", "")),
            "meta_data": copy.deepcopy(data["meta_data"]),
            "line_items": copy.deepcopy(lines),
            "tax_lines": copy.deepcopy(data.get("tax_lines", [])),
            "shipping_lines": copy.deepcopy(data.get("shipping_lines", [])),
            "fee_lines": copy.deepcopy(data.get("fee_lines", [])),
            "coupon_lines": copy.deepcopy(data.get("coupon_lines", [])),
            "refunds": copy.deepcopy(data["refunds"]),
            "_links": links,
        }

    # --- faults ---------------------------------------------------------------------------------------------

    def fail_next(self, status: int, retry_after: float | None = None, times: int = 1) -> None:
        """The next `times` requests are answered with `status` before WordPress sees them: 500 as WordPress's
        "critical error" JSON, 401/403 as WooCommerce's permission error, 429 and other 5xx as the front proxy's HTML
        page; with `retry_after`, a ``Retry-After`` header (seconds)."""
        with self._lock:
            self._faults.append(_Fault(status, retry_after, times))

    def malformed_next(self) -> None:
        """The next successful answer has a PHP warning printed before its JSON (a plugin's notice with
        WP_DEBUG_DISPLAY on), still with status 200 and ``Content-Type: application/json``."""
        with self._lock:
            self._malformed += 1



    # --- HTTP -----------------------------------------------------------------------------------------------

    def _handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes, float]:
        split = urlsplit(target)
        path = unquote(split.path)
        query = parse_qs(split.query, keep_blank_values=True)
        lowered = {k.lower(): v for k, v in headers.items()}
        record = Recorded(method, path, query, body, lowered, target=target)
        with self._lock:
            self.requests.append(record)
        action, pause, fault = self._next_action(), self._next_delay(), self._next_fault(self._faults)
        out_headers: dict[str, str] = {"Content-Type": "application/json; charset=UTF-8"}
        touched: list[int] = []
        try:
            if action is not None:
                action()
            if fault is not None:
                status, out_headers, payload = self._fault_answer(fault)
            else:
                with self._lock:
                    status, extra, data, touched = self._api(method, path, query, lowered)
                out_headers.update(extra)
                payload = json.dumps(data, ensure_ascii=False).encode("utf-8")
                with self._lock:
                    if status == 200 and self._malformed:
                        self._malformed -= 1
                        payload = PHP_WARNING.encode() + payload
        except RestError as error:
            status, payload = error.status, json.dumps(error.body()).encode()
        except Exception as exc:  # a bug in this fake: answered as 500, the traceback kept for the test
            self.server_errors.append(traceback.format_exc())
            status = 500
            payload = json.dumps({"code": "internal_server_error", "message": f"{type(exc).__name__}: {exc}",
                                  "data": {"status": 500}}).encode()
        if touched and self.hpos_touch_on_view:
            with self._lock:
                now = _utc(self.clock())
                for order_id in touched:
                    if order_id in self._orders:
                        self._orders[order_id].modified = now
        record.status, record.response = status, payload
        return status, out_headers, payload, pause

    @staticmethod
    def _fault_answer(fault: _Fault) -> tuple[int, dict[str, str], bytes]:
        headers: dict[str, str] = {}
        if fault.retry_after is not None:
            headers["Retry-After"] = f"{fault.retry_after:g}"
        if fault.status == 500:
            body = {"code": "internal_server_error",
                    "message": "<p>There has been a critical error on this website.</p><p><a href=\"https://wordpress.org"
                               "/documentation/article/faq-troubleshooting/\">Learn more about troubleshooting WordPress."
                               "</a></p>",
                    "data": {"status": 500}, "additional_errors": []}
            return 500, {"Content-Type": "application/json; charset=UTF-8", **headers}, json.dumps(body).encode()
        if fault.status in (401, 403):
            error = RestError(fault.status, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
            return fault.status, {"Content-Type": "application/json; charset=UTF-8", **headers}, json.dumps(error.body()).encode()
        reason = {429: "Too Many Requests", 502: "Bad Gateway", 503: "Service Temporarily Unavailable",
                  504: "Gateway Time-out"}.get(fault.status, "Error")
        page = (f"<html>\r\n<head><title>{fault.status} {reason}</title></head>\r\n<body>\r\n<center><h1>{fault.status} "
                f"{reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
        return fault.status, {"Content-Type": "text/html", **headers}, page.encode()

    def _credentials(self, query: dict[str, list[str]], headers: dict[str, str]) -> tuple[str, str] | None:
        key = (query.get("consumer_key") or [""])[0]
        secret = (query.get("consumer_secret") or [""])[0]
        if key and secret:
            return key, secret
        value = "" if self.drops_authorization else headers.get("authorization", "")
        if value[:6].lower() == "basic ":
            try:
                user, _, password = base64.b64decode(value[6:].strip()).decode("utf-8").partition(":")
            except (ValueError, UnicodeDecodeError):
                return None
            if user and password:
                return user, password
        return None

    def _api(self, method: str, path: str, query: dict[str, list[str]],
             headers: dict[str, str]) -> tuple[int, dict[str, str], Any, list[int]]:
        # WC_REST_Authentication: a known key with a wrong secret is an error of its own, before routing.
        credentials = self._credentials(query, headers)
        authenticated = False
        if credentials is not None and credentials[0] == self.key:
            if credentials[1] != self.secret:
                raise RestError(401, "woocommerce_rest_authentication_error", "Consumer secret is invalid.")
            authenticated = True
        route = path.rstrip("/")
        single = re.fullmatch(re.escape(ORDERS_PATH) + r"/(\d+)", route)
        if method != "GET" or not (route == ORDERS_PATH or single):
            raise RestError(404, "rest_no_route", "No route was found matching the URL and request method.")
        if single:
            if not authenticated:
                raise RestError(401, "woocommerce_rest_cannot_view", "Sorry, you cannot view this resource.")
            order = self._orders.get(int(single.group(1)))
            if order is None:
                raise RestError(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
            return 200, {}, self._order_json(order), [order.id]
        params = self._list_params(query)
        if not authenticated:
            raise RestError(401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
        return self._list(params, query)

    def _list_params(self, query: dict[str, list[str]]) -> JSON:
        """Validates the collection parameters as WordPress does (schema first, all problems in one 400)."""
        problems: dict[str, tuple[str, str]] = {}
        params: JSON = {}

        def one(name: str) -> str | None:
            values = query.get(name)
            return values[-1] if values else None

        for name, default, low, high in (("page", 1, 1, None), ("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE),
                                         ("offset", None, None, None)):
            raw = one(name)
            if raw is None:
                params[name] = default
                continue
            if not re.fullmatch(r"-?\d+", raw.strip()):
                problems[name] = ("rest_invalid_type", f"{name} is not of type integer.")
                continue
            number = int(raw)
            if high is not None and not low <= number <= high:
                problems[name] = ("rest_out_of_bounds", f"{name} must be between {low} (inclusive) and {high} (inclusive)")
            elif low is not None and number < low:
                problems[name] = ("rest_out_of_bounds", f"{name} must be greater than or equal to {low}")
            params[name] = number
        for name, choices, default in (("orderby", ORDERBY, "date"), ("order", ("asc", "desc"), "desc")):
            raw = one(name)
            params[name] = default if raw is None else raw
            if raw is not None and raw not in choices:
                problems[name] = ("rest_not_in_enum", f"{name} is not one of {', '.join(choices)}.")
        statuses = _split_list(query.get("status", []) + query.get("status[]", [])) or ["any"]
        for i, status in enumerate(statuses):
            if status not in ("any", *STATUSES):
                problems["status"] = ("rest_not_in_enum", f"status[{i}] is not one of any, {', '.join(STATUSES)}.")
        params["status"] = statuses
        for name in ("include", "exclude"):
            ids = _split_list(query.get(name, []) + query.get(f"{name}[]", []))
            bad = next((i for i, v in enumerate(ids) if not v.isdigit()), None)
            if bad is not None:
                problems[name] = ("rest_invalid_type", f"{name}[{bad}] is not of type integer.")
            params[name] = [int(v) for v in ids if v.isdigit()]
        raw = one("dates_are_gmt")
        if raw is None or raw.lower() in ("", "0", "false"):
            params["dates_are_gmt"] = False
        elif raw.lower() in ("1", "true"):
            params["dates_are_gmt"] = True
        else:
            problems["dates_are_gmt"] = ("rest_invalid_type", "dates_are_gmt is not of type boolean.")
        date_names = ["after", "before"] + ([] if self.ignores_modified_after else ["modified_after", "modified_before"])
        for name in date_names:
            raw = one(name)
            if raw is None:
                params[name] = None
                continue
            bound = self._date_bound(raw)
            if bound is None:
                problems[name] = ("rest_invalid_date", "Invalid date.")
            params[name] = bound
        if problems:
            raise invalid_params(problems)
        return params

    def _date_bound(self, raw: str) -> dt.datetime | None:
        """WP_Date_Query's reading of an ISO 8601 value: naive wall time in the site's timezone (an offset, if given,
        is converted to the site's timezone), to the second."""
        m = ISO_DATE.match(raw.strip())
        if not m:
            return None
        try:
            value = dt.datetime(*(int(m.group(i)) for i in range(1, 7)))
        except ValueError:
            return None
        zone = m.group(8)
        if zone:
            if zone in ("Z", "z"):
                offset = dt.timedelta(0)
            else:
                digits = zone[1:].replace(":", "")
                offset = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
                offset = -offset if zone[0] == "-" else offset
            value = value.replace(tzinfo=dt.timezone(offset)).astimezone(self.site_tz).replace(tzinfo=None)
        return value

    def _list(self, params: JSON, query: dict[str, list[str]]) -> tuple[int, dict[str, str], Any, list[int]]:
        gmt = params["dates_are_gmt"]

        def column(moment: dt.datetime) -> dt.datetime:
            return moment.replace(tzinfo=None) if gmt else self._local(moment)

        statuses = params["status"]
        orders: Iterable[_Order] = self._orders.values()
        if "any" in statuses:
            orders = [o for o in orders if o.fields["status"] != "trash"]
        else:
            orders = [o for o in orders if o.fields["status"] in statuses]
        if params["include"]:
            orders = [o for o in orders if o.id in params["include"]]
        if params["exclude"]:
            orders = [o for o in orders if o.id not in params["exclude"]]
        for name, attribute, after in (("after", "created", True), ("before", "created", False),
                                       ("modified_after", "modified", True), ("modified_before", "modified", False)):
            bound = params.get(name)
            if bound is not None:
                orders = [o for o in orders
                          if (column(getattr(o, attribute)) > bound if after else column(getattr(o, attribute)) < bound)]
        descending = params["order"] == "desc"
        orderby = params["orderby"]

        def key(order: _Order) -> tuple[Any, int]:
            if orderby == "date":
                return order.created, order.id
            if orderby == "modified":
                return order.modified, order.id
            if orderby == "include" and params["include"]:
                return params["include"].index(order.id), order.id
            return order.id, order.id

        ordered = sorted(orders, key=key, reverse=descending)
        total = len(ordered)
        per_page, page = params["per_page"], params["page"]
        start = params["offset"] if params["offset"] is not None else (page - 1) * per_page
        chosen = ordered[max(start, 0):max(start, 0) + per_page]
        pages = math.ceil(total / per_page) if total else 0
        headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
        links = []
        kept = {k: v[-1] for k, v in query.items() if k not in ("page", "consumer_key", "consumer_secret")}
        if page > 1:
            links.append(f'<{self.orders_url}?{urlencode({**kept, "page": min(page - 1, max(pages, 1))})}>; rel="prev"')
        if pages > page:
            links.append(f'<{self.orders_url}?{urlencode({**kept, "page": page + 1})}>; rel="next"')
        if links:
            headers["Link"] = ", ".join(links)
        return 200, headers, [self._order_json(o) for o in chosen], [o.id for o in chosen]


