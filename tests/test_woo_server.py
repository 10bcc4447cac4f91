"""The fake WooCommerce REST API v3 (tests/woo_server.py) driven over real HTTP with httpx.

Shapes are checked against the documentation (https://woocommerce.github.io/woocommerce-rest-api-docs/#list-all-orders,
"Order properties" and the "JSON response example"); each mode against the report it models.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Iterator

import httpx
import pytest
from woo_server import FakeWooCommerce

ORDERS = "/wp-json/wc/v3/orders"
T0 = dt.datetime(2024, 5, 1, 4, 0, 0, tzinfo=dt.UTC)  # 12:00 in the store's timezone (UTC+8)
WP_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
MONEY = re.compile(r"^-?\d+\.\d{2}$")
# "Order properties" in the docs (set_paid is write-only); _links is in every answer of the example.
ORDER_KEYS = {
    "id", "parent_id", "number", "order_key", "created_via", "version", "status", "currency", "date_created",
    "date_created_gmt", "date_modified", "date_modified_gmt", "discount_total", "discount_tax", "shipping_total",
    "shipping_tax", "cart_tax", "total", "total_tax", "prices_include_tax", "customer_id", "customer_ip_address",
    "customer_user_agent", "customer_note", "billing", "shipping", "payment_method", "payment_method_title",
    "transaction_id", "date_paid", "date_paid_gmt", "date_completed", "date_completed_gmt", "cart_hash", "meta_data",
    "line_items", "tax_lines", "shipping_lines", "fee_lines", "coupon_lines", "refunds", "_links",
}
BILLING_KEYS = {"first_name", "last_name", "company", "address_1", "address_2", "city", "state", "postcode", "country",
                "email", "phone"}
SHIPPING_KEYS = BILLING_KEYS - {"email"}  # "phone" since WooCommerce 5.6 (woocommerce#30097), not in the docs' table


@pytest.fixture
def woo() -> Iterator[FakeWooCommerce]:
    with FakeWooCommerce() as server:
        yield server
        assert server.server_errors == []


def client(fake: FakeWooCommerce, *, auth: tuple[str, str] | None = ("ck_test", "cs_test")) -> httpx.Client:
    return httpx.Client(base_url=fake.base_url, auth=auth, timeout=10)


def gmt(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")


def ids(response: httpx.Response) -> list[int]:
    assert response.status_code == 200, response.text
    return [order["id"] for order in response.json()]


def test_an_order_has_the_documented_fields_and_types(woo: FakeWooCommerce) -> None:
    order_id = woo.add_order(
        created=T0, modified=T0 + dt.timedelta(minutes=5), status="completed", currency="CNY",
        billing={"first_name": "小明", "last_name": "王", "email": "wang@example.com", "phone": "13800138000",
                 "address_1": "南山区科技园", "city": "深圳", "state": "GD", "postcode": "518000", "country": "CN"},
        shipping={"first_name": "小明", "last_name": "王", "address_1": "南山区科技园", "city": "深圳", "country": "CN"},
        line_items=[{"name": "茶杯", "sku": "CUP-1", "quantity": 2, "price": "12.50"},
                    {"name": "茶壶", "sku": "POT", "price": 88}],
        shipping_total="10", customer_note="请下午送", meta_data={"_wechat_openid": "o-123"},
        refunds=[{"total": "12.50", "reason": "破损"}],
    )
    with client(woo) as http:
        response = http.get(ORDERS)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    [order] = response.json()
    assert set(order) == ORDER_KEYS
    assert order["id"] == order_id and isinstance(order["id"], int)
    assert order["number"] == str(order_id)
    assert order["status"] == "completed" and order["currency"] == "CNY"
    for name in ("date_created", "date_created_gmt", "date_modified", "date_modified_gmt"):
        assert WP_DATE.match(order[name]), name
    # the plain dates are in the site's timezone (UTC+8 here), the _gmt ones in GMT
    assert order["date_created_gmt"] == "2024-05-01T04:00:00" and order["date_created"] == "2024-05-01T12:00:00"
    assert order["date_modified_gmt"] == "2024-05-01T04:05:00" and order["date_modified"] == "2024-05-01T12:05:00"
    assert order["date_paid"] is None and order["date_completed_gmt"] is None
    for name in ("total", "discount_total", "shipping_total", "total_tax", "cart_tax"):
        assert isinstance(order[name], str) and MONEY.match(order[name]), name
    assert order["total"] == "123.00"  # 2 x 12.50 + 88 + 10 shipping
    assert isinstance(order["prices_include_tax"], bool) and isinstance(order["customer_id"], int)
    assert order["customer_note"] == "请下午送"
    assert set(order["billing"]) == BILLING_KEYS and order["billing"]["email"] == "wang@example.com"
    assert set(order["shipping"]) == SHIPPING_KEYS and order["shipping"]["city"] == "深圳"
    first, second = order["line_items"]
    assert {"id", "name", "product_id", "variation_id", "quantity", "tax_class", "subtotal", "subtotal_tax", "total",
            "total_tax", "taxes", "meta_data", "sku", "price"} == set(first)
    assert (first["name"], first["sku"], first["quantity"], first["total"]) == ("茶杯", "CUP-1", 2, "25.00")
    assert isinstance(first["id"], int) and isinstance(first["quantity"], int)
    assert first["price"] == 12.5 and second["price"] == 88  # a number, as in the docs' example ("price": 3)
    [meta] = order["meta_data"]
    assert set(meta) == {"id", "key", "value"} and (meta["key"], meta["value"]) == ("_wechat_openid", "o-123")
    [refund] = order["refunds"]
    assert set(refund) == {"id", "reason", "total"} and (refund["reason"], refund["total"]) == ("破损", "-12.50")
    assert order["_links"]["self"][0]["href"].endswith(f"{ORDERS}/{order_id}")


def test_modified_window_pages_with_the_pagination_headers(woo: FakeWooCommerce) -> None:
    made = [woo.add_order(created=T0, modified=T0 + dt.timedelta(minutes=i)) for i in range(25)]
    # exclusive bounds: minute 2 and minute 24 are left out
    query = {"modified_after": gmt(T0 + dt.timedelta(minutes=2)), "modified_before": gmt(T0 + dt.timedelta(minutes=24)),
             "dates_are_gmt": "true", "orderby": "modified", "order": "asc", "per_page": 10}
    seen: list[int] = []
    with client(woo) as http:
        first = http.get(ORDERS, params={**query, "page": 1})
        assert (first.headers["X-WP-Total"], first.headers["X-WP-TotalPages"]) == ("21", "3")
        assert 'rel="next"' in first.headers["Link"] and 'rel="prev"' not in first.headers["Link"]
        seen += ids(first)
        for page in (2, 3):
            response = http.get(ORDERS, params={**query, "page": page})
            assert response.headers["X-WP-Total"] == "21"
            seen += ids(response)
        last = http.get(ORDERS, params={**query, "page": 3})
        assert 'rel="prev"' in last.headers["Link"] and 'rel="next"' not in last.headers["Link"]
        past = http.get(ORDERS, params={**query, "page": 4})
    assert seen == made[3:24]
    assert past.json() == [] and past.headers["X-WP-TotalPages"] == "3"


def test_dates_without_dates_are_gmt_are_the_sites_local_time(woo: FakeWooCommerce) -> None:
    early = woo.add_order(created=T0, modified=T0)  # 12:00 local
    late = woo.add_order(created=T0, modified=T0 + dt.timedelta(hours=6))  # 18:00 local
    with client(woo) as http:
        # "2024-05-01T15:00:00" is 15:00 local without the flag, and 15:00 GMT (23:00 local) with it
        assert ids(http.get(ORDERS, params={"modified_after": "2024-05-01T15:00:00"})) == [late]
        assert ids(http.get(ORDERS, params={"modified_after": "2024-05-01T15:00:00", "dates_are_gmt": "true"})) == []
        # an offset in the value is converted to the site's timezone first (WP_Date_Query): 06:00Z is 14:00 local
        assert ids(http.get(ORDERS, params={"modified_after": "2024-05-01T06:00:00Z"})) == [late]
        assert ids(http.get(ORDERS, params={"modified_before": "2024-05-01T06:00:00+00:00"})) == [early]
        # "after"/"before" filter the creation date the same way
        assert sorted(ids(http.get(ORDERS, params={"after": "2024-05-01T11:59:59"}))) == [early, late]


def test_ordering_status_and_include(woo: FakeWooCommerce) -> None:
    a = woo.add_order(created=T0, modified=T0 + dt.timedelta(hours=3), status="completed")
    b = woo.add_order(created=T0 + dt.timedelta(hours=1), modified=T0 + dt.timedelta(hours=1), status="processing")
    c = woo.add_order(created=T0 + dt.timedelta(hours=2), modified=T0 + dt.timedelta(hours=2), status="on-hold")
    trashed = woo.add_order(created=T0 + dt.timedelta(hours=4), status="trash")
    with client(woo) as http:
        assert ids(http.get(ORDERS)) == [c, b, a]  # orderby=date, order=desc by default; trash is not in "any"
        assert ids(http.get(ORDERS, params={"orderby": "modified", "order": "asc"})) == [b, c, a]
        assert ids(http.get(ORDERS, params={"orderby": "id", "order": "asc", "status": "any"})) == [a, b, c]
        assert ids(http.get(ORDERS, params={"status": "completed,on-hold"})) == [c, a]
        assert ids(http.get(ORDERS, params=[("status[]", "trash")])) == [trashed]
        assert ids(http.get(ORDERS, params={"include": f"{a},{c}", "orderby": "include", "order": "asc"})) == [a, c]
        assert ids(http.get(ORDERS, params={"exclude": str(b)})) == [c, a]


def test_bad_parameters_are_a_400_rest_invalid_param(woo: FakeWooCommerce) -> None:
    woo.add_order()
    with client(woo) as http:
        assert http.get(ORDERS, params={"per_page": 100}).status_code == 200
        too_many = http.get(ORDERS, params={"per_page": 101, "orderby": "total", "modified_after": "yesterday"})
    assert too_many.status_code == 400
    body = too_many.json()
    assert body["code"] == "rest_invalid_param" and body["data"]["status"] == 400
    assert body["data"]["params"] == {
        "per_page": "per_page must be between 1 (inclusive) and 100 (inclusive)",
        "orderby": "orderby is not one of date, id, include, title, slug, modified.",
        "modified_after": "Invalid date.",
    }
    assert body["data"]["details"]["per_page"]["code"] == "rest_out_of_bounds"


@pytest.mark.parametrize(("auth", "params", "code", "message"), [
    (None, {}, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources."),
    (("ck_test", "cs_wrong"), {}, "woocommerce_rest_authentication_error", "Consumer secret is invalid."),
    (("ck_other", "cs_test"), {}, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources."),
    (None, {"consumer_key": "ck_test", "consumer_secret": "nope"}, "woocommerce_rest_authentication_error",
     "Consumer secret is invalid."),
])
def test_authentication_failures_are_401_with_woocommerces_error(woo: FakeWooCommerce, auth: tuple[str, str] | None,
                                                                 params: dict[str, str], code: str, message: str) -> None:
    with client(woo, auth=auth) as http:
        response = http.get(ORDERS, params=params)
    assert response.status_code == 401
    assert response.json() == {"code": code, "message": message, "data": {"status": 401}}


def test_basic_and_query_string_authentication(woo: FakeWooCommerce) -> None:
    order_id = woo.add_order()
    with client(woo) as http:
        assert ids(http.get(ORDERS)) == [order_id]
    with client(woo, auth=None) as http:
        assert ids(http.get(ORDERS, params={"consumer_key": "ck_test", "consumer_secret": "cs_test"})) == [order_id]
        single = http.get(f"{ORDERS}/{order_id}", params={"consumer_key": "ck_test", "consumer_secret": "cs_test"})
        missing = http.get(f"{ORDERS}/999999", params={"consumer_key": "ck_test", "consumer_secret": "cs_test"})
        wrong_method = http.post(ORDERS, params={"consumer_key": "ck_test", "consumer_secret": "cs_test"}, json={})
    assert single.status_code == 200 and single.json()["id"] == order_id
    assert missing.status_code == 404 and missing.json()["code"] == "woocommerce_rest_shop_order_invalid_id"
    assert wrong_method.status_code == 404 and wrong_method.json()["code"] == "rest_no_route"
    assert woo.requests[0].headers["authorization"].startswith("Basic ")


def test_a_server_that_drops_the_authorization_header() -> None:
    with FakeWooCommerce(drops_authorization=True) as woo:
        order_id = woo.add_order()
        with client(woo) as http:
            refused = http.get(ORDERS)
            accepted = http.get(ORDERS, params={"consumer_key": "ck_test", "consumer_secret": "cs_test"})
        assert refused.status_code == 401 and refused.json()["code"] == "woocommerce_rest_cannot_view"
        assert "authorization" in woo.requests[0].headers  # the client did send it
        assert ids(accepted) == [order_id]
        assert woo.server_errors == []


def test_a_store_before_woocommerce_5_8_ignores_the_modified_window() -> None:
    with FakeWooCommerce(ignores_modified_after=True) as woo:
        old = woo.add_order(created=T0, modified=T0)
        new = woo.add_order(created=T0, modified=T0 + dt.timedelta(days=1))
        window = {"modified_after": gmt(T0 + dt.timedelta(hours=1)), "dates_are_gmt": "true", "orderby": "id", "order": "asc"}
        with client(woo) as http:
            response = http.get(ORDERS, params=window)
            also_bad_dates = http.get(ORDERS, params={"modified_after": "not a date"})  # unknown, so not validated
        assert ids(response) == [old, new] and response.headers["X-WP-Total"] == "2"
        assert also_bad_dates.status_code == 200
        assert woo.server_errors == []
    with FakeWooCommerce() as current:
        current.add_order(created=T0, modified=T0)
        new = current.add_order(created=T0, modified=T0 + dt.timedelta(days=1))
        with client(current) as http:
            assert ids(http.get(ORDERS, params=window)) == [new]


def test_hpos_touch_on_view_moves_date_modified_when_an_order_is_read() -> None:
    later = T0 + dt.timedelta(days=2)
    window = {"modified_after": gmt(T0 + dt.timedelta(days=1)), "dates_are_gmt": "true"}
    for touching in (False, True):
        with FakeWooCommerce(hpos_touch_on_view=touching, clock=lambda: later) as woo:
            read = woo.add_order(created=T0, modified=T0)
            opened = woo.add_order(created=T0, modified=T0)
            with client(woo) as http:
                assert ids(http.get(f"{ORDERS}", params={"include": str(read)})) == [read]
                woo.view_order(opened)  # someone opens it in WP-Admin
                moved = ids(http.get(ORDERS, params=window))
            if touching:
                assert sorted(moved) == [read, opened]
                assert woo.order(read)["date_modified_gmt"] == gmt(later)
            else:
                assert moved == []
                assert woo.order(read)["date_modified_gmt"] == gmt(T0)
            assert woo.server_errors == []


def test_update_order_moves_it_into_the_next_window(woo: FakeWooCommerce) -> None:
    order_id = woo.add_order(created=T0, modified=T0)
    woo.update_order(order_id, modified=T0 + dt.timedelta(hours=2), status="completed",
                     refunds=[{"total": 5, "reason": "少发"}])
    with client(woo) as http:
        [order] = http.get(ORDERS, params={"modified_after": gmt(T0 + dt.timedelta(hours=1)), "dates_are_gmt": "1"}).json()
    assert order["status"] == "completed" and order["refunds"][0]["total"] == "-5.00"
    with pytest.raises(TypeError):
        woo.update_order(order_id, totl="1.00")


def test_injected_failures_malformed_answers_delays_and_before_next(woo: FakeWooCommerce) -> None:
    order_id = woo.add_order(created=T0, modified=T0)
    with client(woo) as http:
        woo.fail_next(503, retry_after=7, times=2)
        for _ in range(2):
            busy = http.get(ORDERS)
            assert busy.status_code == 503 and busy.headers["Retry-After"] == "7"
            assert busy.headers["content-type"].startswith("text/html") and "<html>" in busy.text
        assert ids(http.get(ORDERS)) == [order_id]

        woo.fail_next(500)
        crashed = http.get(ORDERS)
        assert crashed.status_code == 500 and crashed.json()["code"] == "internal_server_error"

        woo.malformed_next()
        broken = http.get(ORDERS)
        assert broken.status_code == 200 and broken.text.startswith("<br />")
        with pytest.raises(json.JSONDecodeError):
            broken.json()
        assert ids(http.get(ORDERS)) == [order_id]

        woo.delay_next(0.3)
        started = time.perf_counter()
        assert ids(http.get(ORDERS)) == [order_id]
        assert time.perf_counter() - started >= 0.3

        woo.before_next(lambda: woo.update_order(order_id, status="cancelled"))
        [order] = http.get(ORDERS).json()
        assert order["status"] == "cancelled"
    recorded = woo.requests[-1]
    assert (recorded.method, recorded.path, recorded.status) == ("GET", ORDERS, 200)
