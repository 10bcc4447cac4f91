"""The fake Shopify GraphQL Admin API (tests/shopify_server.py) driven over real HTTP with httpx.

The answers are checked against Shopify's documented shapes and rules; each check names the page it follows:
- shopify.dev/docs/api/admin-graphql (authentication, endpoint, "Status and error codes", the sample answer)
- shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits (cost calculation, requested/actual, the bucket)
- shopify.dev/docs/api/usage/pagination-graphql (connections, 250 a page) and .../usage/search-syntax
- shopify.dev/docs/api/usage/versioning (falling forward to the oldest supported version)
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from shopify_server import FakeShopify

TOKEN = "shpat_test"
HEADERS = {"X-Shopify-Access-Token": TOKEN}
WINDOW_START = "2026-11-20T00:00:00Z"
WINDOW_END = "2026-11-21T00:00:00Z"
WINDOW = f"updated_at:>='{WINDOW_START}' AND updated_at:<='{WINDOW_END}'"
ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
DECIMAL = re.compile(r"^-?\d+\.\d+$")

WINDOW_QUERY = """
query Window($first: Int!, $after: String, $q: String!) {
  orders(first: $first, after: $after, query: $q, sortKey: UPDATED_AT) {
    edges { cursor node { id name updatedAt } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

# What a Shopify channel pulls for each order.
CHANNEL_QUERY = """
query Orders($first: Int!, $after: String, $q: String!) {
  orders(first: $first, after: $after, query: $q, sortKey: UPDATED_AT) {
    edges {
      cursor
      node {
        id name createdAt updatedAt cancelledAt displayFinancialStatus displayFulfillmentStatus email phone note
        totalPriceSet { shopMoney { amount currencyCode } }
        currentTotalPriceSet { shopMoney { amount currencyCode } }
        shippingAddress { name firstName lastName phone address1 address2 city province provinceCode zip country countryCodeV2 }
        lineItems(first: 10) {
          edges { node { title sku quantity originalUnitPriceSet { shopMoney { amount currencyCode } } } }
          pageInfo { hasNextPage endCursor }
        }
        fulfillments(first: 5) { createdAt trackingInfo(first: 3) { company number url } }
        refunds(first: 5) { createdAt totalRefundedSet { shopMoney { amount } } }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def at(hour: int, minute: int = 0, day: int = 20) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=dt.UTC)


@pytest.fixture
def shop() -> Iterator[FakeShopify]:
    with FakeShopify(clock=lambda: 0.0) as server:  # a frozen clock: the bucket restores only through advance()
        yield server
        assert server.server_errors == []


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(headers=HEADERS, timeout=10) as http:
        yield http


def gql(client: httpx.Client, shop: FakeShopify, query: str, **variables: Any) -> dict[str, Any]:
    response = client.post(shop.graphql_url, json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    return body


def walk(client: httpx.Client, shop: FakeShopify, size: int, query: str = WINDOW) -> list[dict[str, Any]]:
    """Every page of a window, following endCursor."""
    pages: list[dict[str, Any]] = []
    after = None
    while True:
        body = gql(client, shop, WINDOW_QUERY, first=size, after=after, q=query)
        assert "errors" not in body, body
        pages.append(body["data"]["orders"])
        if not pages[-1]["pageInfo"]["hasNextPage"]:
            return pages
        after = pages[-1]["pageInfo"]["endCursor"]
        assert len(pages) < 50


def names(pages: list[dict[str, Any]]) -> list[str]:
    return [edge["node"]["name"] for page in pages for edge in page["edges"]]


# --- windows and cursors ------------------------------------------------------------------------------------


def test_windowed_walk_returns_orders_in_updated_at_order(shop: FakeShopify, client: httpx.Client) -> None:
    # added out of order, so id order and updatedAt order differ; the window's bounds are inclusive (>= and <=)
    shop.add_order(name="#late", created_at=at(1), updated_at=at(20))
    shop.add_order(name="#before", created_at=at(1, day=19), updated_at=at(23, 59, day=19))
    shop.add_order(name="#start", created_at=at(0), updated_at=at(0))
    shop.add_order(name="#tie-1", created_at=at(2), updated_at=at(9))
    shop.add_order(name="#early", created_at=at(3), updated_at=at(3))
    shop.add_order(name="#tie-2", created_at=at(4), updated_at=at(9))  # same updatedAt: the lower id comes first
    shop.add_order(name="#end", created_at=at(5), updated_at=at(0, day=21))
    shop.add_order(name="#after", created_at=at(6), updated_at=at(0, 1, day=21))
    shop.add_order(name="#mid", created_at=at(7), updated_at=at(12))

    pages = walk(client, shop, 3)

    assert names(pages) == ["#start", "#early", "#tie-1", "#tie-2", "#mid", "#late", "#end"]
    assert [len(page["edges"]) for page in pages] == [3, 3, 1]
    assert [page["pageInfo"]["hasNextPage"] for page in pages] == [True, True, False]
    for page in pages:
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
    stamps = [edge["node"]["updatedAt"] for page in pages for edge in page["edges"]]
    assert stamps == sorted(stamps) and all(ISO_UTC.match(s) for s in stamps)
    # an opaque cursor, as Shopify's are: base64 of the last edge's id and sort value (keyset pagination)
    cursor = json.loads(base64.b64decode(pages[0]["edges"][0]["cursor"]))
    assert cursor == {"last_id": int(pages[0]["edges"][0]["node"]["id"].rsplit("/", 1)[1]),
                      "last_value": "2026-11-20 00:00:00.000000"}
    assert len(shop.requests) == 3


def test_order_updated_mid_walk_moves_out_of_the_windows_remaining_pages(shop: FakeShopify, client: httpx.Client) -> None:
    """Shopify's cursors are keyset cursors (last_id/last_value) over the live store, not a snapshot: each page is
    "what sorts after the cursor and matches the query *now*". So an order edited between two pages of a window
    leaves the pages still to come when its new updatedAt is past the window, and an order already returned comes
    back on a later page when its new updatedAt is still inside the window. Nothing else moves: no order that was
    not edited is skipped or repeated. A channel must dedupe by id and pick the moved order up in a later window."""
    gids = {name: shop.add_order(name=name, created_at=at(0), updated_at=at(hour))
            for hour, name in enumerate(["#A", "#B", "#C", "#D", "#E", "#F"], start=1)}

    first = gql(client, shop, WINDOW_QUERY, first=2, q=WINDOW)["data"]["orders"]
    assert [e["node"]["name"] for e in first["edges"]] == ["#A", "#B"]

    def merchant_edits() -> None:
        shop.update_order(gids["#C"], updated_at=at(0, 30, day=21))  # after the window's end
        shop.update_order(gids["#A"], updated_at=at(5, 30))  # already returned, still inside the window

    shop.before_next(merchant_edits)
    rest = []
    after = first["pageInfo"]["endCursor"]
    while True:
        page = gql(client, shop, WINDOW_QUERY, first=2, after=after, q=WINDOW)["data"]["orders"]
        rest.append(page)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert names(rest) == ["#D", "#E", "#A", "#F"]  # #C is gone from this window, #A comes round again
    assert rest[-1]["edges"][-1]["node"]["updatedAt"] == "2026-11-20T06:00:00Z"
    # the next window finds #C
    later = walk(client, shop, 10, f"updated_at:>'{WINDOW_END}'")
    assert names(later) == ["#C"]


def test_an_order_created_mid_walk_ahead_of_the_cursor_is_returned(shop: FakeShopify, client: httpx.Client) -> None:
    for hour in (1, 2, 3):
        shop.add_order(name=f"#{hour}", created_at=at(0), updated_at=at(hour))
    first = gql(client, shop, WINDOW_QUERY, first=2, q=WINDOW)["data"]["orders"]
    shop.before_next(lambda: shop.add_order(name="#new", created_at=at(2, 30), updated_at=at(2, 30)))
    second = gql(client, shop, WINDOW_QUERY, first=2, after=first["pageInfo"]["endCursor"], q=WINDOW)["data"]["orders"]
    assert names([first, second]) == ["#1", "#2", "#new", "#3"]
    assert second["pageInfo"]["hasNextPage"] is False


def test_reverse_and_the_id_sort_key(shop: FakeShopify, client: httpx.Client) -> None:
    for name, hour in (("#x", 5), ("#y", 1), ("#z", 3)):
        shop.add_order(name=name, created_at=at(0), updated_at=at(hour))
    query = "query($s: OrderSortKeys, $r: Boolean) { orders(first: 10, sortKey: $s, reverse: $r) { nodes { name } } }"
    assert [n["name"] for n in gql(client, shop, query, s="ID")["data"]["orders"]["nodes"]] == ["#x", "#y", "#z"]
    assert [n["name"] for n in gql(client, shop, query, s="UPDATED_AT", r=True)["data"]["orders"]["nodes"]] == ["#x", "#z", "#y"]
    assert [n["name"] for n in gql(client, shop, query)["data"]["orders"]["nodes"]] == ["#x", "#y", "#z"]  # ID by default
    pages = walk(client, shop, 1, "")  # the empty query matches every order, walked with cursors one at a time
    assert names(pages) == ["#y", "#z", "#x"]


def test_search_syntax(shop: FakeShopify, client: httpx.Client) -> None:
    shop.add_order(name="#1001", email="a@example.com", financial_status="PAID", created_at=at(1), updated_at=at(1))
    shop.add_order(name="#1002", email="b@example.com", financial_status="PENDING", created_at=at(2), updated_at=at(2))
    shop.add_order(name="#1003", email="c@example.com", financial_status="REFUNDED", fulfillment_status="FULFILLED",
                   created_at=at(3), updated_at=at(3))
    query = "query($q: String) { orders(first: 10, query: $q) { nodes { name } } }"

    def found(q: str) -> list[str]:
        return [n["name"] for n in gql(client, shop, query, q=q)["data"]["orders"]["nodes"]]

    assert found("financial_status:paid") == ["#1001"]
    assert found("financial_status:paid OR financial_status:pending") == ["#1001", "#1002"]
    assert found("updated_at:>'2026-11-20T01:00:00Z' updated_at:<2026-11-20T03:00:00Z") == ["#1002"]  # AND implied
    assert found("NOT financial_status:paid") == ["#1002", "#1003"]
    assert found("-email:b@example.com") == ["#1001", "#1003"]
    assert found("(name:1001 OR name:#1003) AND fulfillment_status:shipped") == ["#1003"]
    assert found("created_at:2026-11-20") == ["#1001", "#1002", "#1003"]  # a bare date is the whole day
    assert found(f"updated_at:<='{WINDOW_START}'") == []


def test_a_search_the_fake_does_not_model_fails_loudly(shop: FakeShopify, client: httpx.Client) -> None:
    shop.add_order()
    body = gql(client, shop, '{ orders(first: 5, query: "tag:wholesale") { nodes { id } } }')
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "data" not in body
    assert len(shop.server_errors) == 1 and "search field 'tag' is not modelled" in shop.server_errors[0]
    shop.server_errors.clear()


# --- line items -----------------------------------------------------------------------------------------------


LINE_ITEMS_QUERY = """
query Lines($id: ID!, $first: Int!, $after: String) {
  order(id: $id) {
    lineItems(first: $first, after: $after) {
      edges { cursor node { id sku quantity } }
      pageInfo { hasNextPage hasPreviousPage endCursor }
    }
  }
}
"""


def test_300_line_items_are_paged_250_at_a_time(shop: FakeShopify, client: httpx.Client) -> None:
    gid = shop.add_order(line_items=[{"title": f"Item {i}", "sku": f"SKU-{i:03d}", "quantity": 1 + i % 3, "price": "9.90"}
                                     for i in range(300)])
    first = gql(client, shop, LINE_ITEMS_QUERY, id=gid, first=250)["data"]["order"]["lineItems"]
    assert len(first["edges"]) == 250
    assert first["pageInfo"] == {"hasNextPage": True, "hasPreviousPage": False, "endCursor": first["edges"][-1]["cursor"]}
    second = gql(client, shop, LINE_ITEMS_QUERY, id=gid, first=250,
                 after=first["pageInfo"]["endCursor"])["data"]["order"]["lineItems"]
    assert len(second["edges"]) == 50
    assert second["pageInfo"]["hasNextPage"] is False and second["pageInfo"]["hasPreviousPage"] is True
    skus = [edge["node"]["sku"] for edge in first["edges"] + second["edges"]]
    assert skus == [f"SKU-{i:03d}" for i in range(300)]
    assert len({edge["node"]["id"] for edge in first["edges"] + second["edges"]}) == 300
    assert all(edge["node"]["id"].startswith("gid://shopify/LineItem/") for edge in first["edges"])
    # one order (1) + a connection of 250 (2 + 250 x 1): 253, the documented rule
    assert shop.cost_log[0].requested == 253 and shop.cost_log[0].actual == 253
    assert shop.cost_log[1].actual == 1 + 2 + 50

    too_many = gql(client, shop, LINE_ITEMS_QUERY, id=gid, first=251)
    assert too_many["data"] == {"order": None}  # lineItems is non-null, so the error nulls its parent
    assert too_many["errors"][0]["path"] == ["order", "lineItems"]
    assert "250" in too_many["errors"][0]["message"]


def test_a_connection_needs_first_or_last(shop: FakeShopify, client: httpx.Client) -> None:
    body = gql(client, shop, "{ orders { edges { node { id } } } }")
    assert body["data"] is None
    assert body["errors"][0]["message"] == "you must provide one of first or last"
    assert body["errors"][0]["path"] == ["orders"]
    # requested = actual = 2, as in the same failure recorded in Shopify's own client tests
    assert body["extensions"]["cost"]["requestedQueryCost"] == 2 and body["extensions"]["cost"]["actualQueryCost"] == 2


# --- cost and the bucket ----------------------------------------------------------------------------------------


def full_order(shop: FakeShopify, **fields: Any) -> str:
    defaults: dict[str, Any] = {
        "name": "#2001", "created_at": at(8), "updated_at": at(10), "financial_status": "PARTIALLY_REFUNDED",
        "fulfillment_status": "FULFILLED", "email": "li.lei@example.com", "phone": "+8613800138000", "note": "leave at door",
        "shipping_address": {"first_name": "Lei", "last_name": "Li", "phone": "+8613800138000", "address1": "1 Century Ave",
                             "address2": "Apt 2", "city": "Shanghai", "province": "Shanghai", "province_code": "SH",
                             "zip": "200120", "country": "China", "country_code": "CN"},
        "line_items": [{"title": "Green tea", "sku": "TEA-G", "quantity": 2, "price": "12.50"},
                       {"title": "Cup", "sku": "CUP-1", "quantity": 1, "price": "30"}],
        "fulfillments": [{"company": "SF Express", "number": "SF1234567890", "url": "https://www.sf-express.com/track/SF1234567890",
                          "created_at": at(9)}],
        "refunds": [{"amount": "5.00", "created_at": at(10)}],
        "current_total": "50.00", "currency": "CNY",
    }
    return shop.add_order(**{**defaults, **fields})


def test_cost_of_the_channels_query_is_the_documented_rule(shop: FakeShopify, client: httpx.Client) -> None:
    full_order(shop, name="#1")  # 2 line items, a fulfillment with tracking, a refund, an address
    shop.add_order(name="#2", created_at=at(8), updated_at=at(11), line_items=[{"title": "Tea", "price": "1"}])
    full_order(shop, name="#3", updated_at=at(12), refunds=[], shipping_address={"city": "Beijing"},
               fulfillments=[{"company": None, "number": None, "created_at": at(11)}],
               line_items=[{"title": t, "price": "2"} for t in "abc"])

    body = gql(client, shop, CHANNEL_QUERY, first=20, q=WINDOW)
    assert "errors" not in body and len(body["data"]["orders"]["edges"]) == 3

    # Hand-computed from the documented rule: scalars and enums 0, objects 1, a connection 2 + first x one node.
    # One order node:        1
    #   totalPriceSet { shopMoney }           1 + 1 = 2
    #   currentTotalPriceSet { shopMoney }    1 + 1 = 2
    #   shippingAddress                        1
    #   lineItems(first: 10): 2 + 10 x (line item 1 + originalUnitPriceSet 1 + shopMoney 1) = 32
    #   fulfillments { trackingInfo }          1 + 1 = 2
    #   refunds { totalRefundedSet { shopMoney } } 1 + 1 + 1 = 3
    node = 1 + 2 + 2 + 1 + (2 + 10 * 3) + 2 + 3
    assert node == 43
    requested = 2 + 20 * node
    # Actual: the connection is charged for the 3 orders returned, each for what it holds; nulls and empty lists cost 0.
    order_1 = 1 + 2 + 2 + 1 + (2 + 2 * 3) + 2 + 3  # 19
    order_2 = 1 + 2 + 2 + 0 + (2 + 1 * 3) + 0 + 0  # 10: no address, fulfillments or refunds
    order_3 = 1 + 2 + 2 + 1 + (2 + 3 * 3) + 1 + 0  # 18: a fulfillment without tracking info, no refunds
    actual = 2 + order_1 + order_2 + order_3
    assert body["extensions"]["cost"] == {
        "requestedQueryCost": requested, "actualQueryCost": actual,
        "throttleStatus": {"maximumAvailable": 1000.0, "currentlyAvailable": 1000 - actual, "restoreRate": 100.0},
    }
    assert (requested, actual) == (862, 49)
    log = shop.cost_log[-1]
    assert (log.requested, log.actual, log.available_before, log.available_after) == (862, 49, 1000.0, 951.0)


def test_the_references_own_cost_example(shop: FakeShopify, client: httpx.Client) -> None:
    # shopify.dev/docs/api/admin-graphql: products(first: 1) { edges { node { title } } } -> requested 3, actual 3
    shop.add_order()
    body = gql(client, shop, "{ orders(first: 1) { edges { node { name } } } }")
    assert body["extensions"]["cost"]["requestedQueryCost"] == 3
    assert body["extensions"]["cost"]["actualQueryCost"] == 3
    # pageInfo and cursors are free; fragments and aliases are costed like the fields they stand for
    body = gql(client, shop, """
        fragment Money on MoneyBag { shopMoney { amount } }
        { a: orders(first: 4) { pageInfo { hasNextPage } edges { cursor node { totalPriceSet { ...Money } } } }
          b: orders(last: 2) { nodes { id } } }""")
    assert body["extensions"]["cost"]["requestedQueryCost"] == (2 + 4 * 3) + (2 + 2 * 1)
    assert body["extensions"]["cost"]["actualQueryCost"] == (2 + 1 * 3) + (2 + 1 * 1)


def test_a_query_over_the_single_query_limit_is_refused_before_it_runs(shop: FakeShopify, client: httpx.Client) -> None:
    body = gql(client, shop, CHANNEL_QUERY, first=50, q=WINDOW)
    assert body == {"errors": [{
        "message": "Query cost is 2152, which exceeds the single query max cost limit (1000).\n\n"
                   "See https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\n"
                   "cost of a query is calculated.\n\n"
                   "To query larger amounts of data with fewer limits, bulk operations should be used instead.\n"
                   "See https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n",
        "extensions": {"code": "MAX_COST_EXCEEDED", "cost": 2152, "maxCost": 1000,
                       "documentation": "https://shopify.dev/api/usage/limits#rate-limits"}}]}
    assert shop.available() == 1000.0 and shop.cost_log == []


def test_an_empty_bucket_throttles_and_restores_over_time(shop: FakeShopify, client: httpx.Client) -> None:
    for i in range(100):
        shop.add_order(name=f"#{i}", created_at=at(1), updated_at=at(1))
    query = "{ orders(first: 120) { nodes { id totalPriceSet { shopMoney { amount } } } } }"  # requested 2 + 120 x 3 = 362

    for expected in (698, 396, 94):  # the bucket must hold 362; each answer costs 2 + 100 x 3 = 302, 60 are refunded
        body = gql(client, shop, query)
        assert body["extensions"]["cost"]["requestedQueryCost"] == 362
        assert body["extensions"]["cost"]["actualQueryCost"] == 302
        assert body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == expected

    throttled = gql(client, shop, query)
    assert throttled == {
        "errors": [{"message": "Throttled",
                    "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
        "extensions": {"cost": {"requestedQueryCost": 362, "actualQueryCost": None,
                                "throttleStatus": {"maximumAvailable": 1000.0, "currentlyAvailable": 94, "restoreRate": 100.0}}},
    }
    assert shop.available() == 94  # a throttled request costs nothing

    shop.advance(2)  # 94 + 2 x 100 = 294: still less than 362
    again = gql(client, shop, query)
    assert again["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert again["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 294
    shop.advance(1)  # 394
    ok = gql(client, shop, query)
    assert "errors" not in ok and len(ok["data"]["orders"]["nodes"]) == 100
    assert ok["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 394 - 302
    shop.advance(3600)
    assert shop.available() == 1000.0  # never more than the bucket holds

    assert [(c.throttled, c.requested, c.actual) for c in shop.cost_log] == [
        (False, 362, 302), (False, 362, 302), (False, 362, 302), (True, 362, None), (True, 362, None), (False, 362, 302)]
    assert [c.available_before for c in shop.cost_log] == [1000, 698, 396, 94, 294, 394]
    assert [c.available_after for c in shop.cost_log] == [698, 396, 94, 94, 294, 92]


def test_throttle_next_answers_throttled_whatever_the_bucket_holds(shop: FakeShopify, client: httpx.Client) -> None:
    shop.throttle_next(times=2)
    query = "{ orders(first: 5) { nodes { id } } }"
    assert [gql(client, shop, query).get("errors", [{}])[0].get("message") for _ in range(3)] == ["Throttled", "Throttled", None]
    assert shop.available() == 1000 - 2  # only the third was run: 2 + 0 orders


def test_the_bucket_restores_in_real_time_by_default(client: httpx.Client) -> None:
    with FakeShopify(bucket=50, restore_rate=100) as shop:
        shop.add_order()
        query = "{ orders(first: 40) { nodes { id } } }"  # requested 42, actual 3
        # 50 - 42 + 39 refunded = 47, plus whatever real time restored since (never above 50)
        assert 47 <= gql(client, shop, query)["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] <= 50
        shop.throttle_next()
        assert "errors" in gql(client, shop, query)
        time.sleep(0.05)
        assert shop.available() == 50.0
        assert shop.server_errors == []


# --- authentication, versions, faults ---------------------------------------------------------------------------


def test_a_missing_or_wrong_token_is_answered_401(shop: FakeShopify) -> None:
    query = {"query": "{ orders(first: 1) { nodes { id } } }"}
    expected = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}
    missing = httpx.post(shop.graphql_url, json=query)
    assert (missing.status_code, missing.json()) == (401, expected)
    wrong = httpx.post(shop.graphql_url, json=query, headers={"X-Shopify-Access-Token": "shpat_wrong"})
    assert (wrong.status_code, wrong.json()) == (401, expected)
    bearer = httpx.post(shop.graphql_url, json=query, headers={"Authorization": f"Bearer {TOKEN}"})
    assert bearer.status_code == 401  # the Admin API reads X-Shopify-Access-Token only
    assert httpx.post(shop.graphql_url, json=query, headers=HEADERS).status_code == 200
    shop.revoke_token()
    revoked = httpx.post(shop.graphql_url, json=query, headers=HEADERS)
    assert (revoked.status_code, revoked.json()) == (401, expected)
    assert [r.status for r in shop.requests] == [401, 401, 401, 200, 401]
    assert shop.cost_log[0].requested == 3 and len(shop.cost_log) == 1  # refused requests cost nothing


def test_versions(shop: FakeShopify, client: httpx.Client) -> None:
    query = {"query": "{ orders(first: 1) { nodes { id } } }"}
    assert shop.graphql_url == f"{shop.base_url}/admin/api/2026-10/graphql.json"
    assert shop.supported_versions == ("2026-01", "2026-04", "2026-07", "2026-10")
    current = client.post(shop.graphql_url, json=query)
    assert current.headers["X-Shopify-API-Version"] == "2026-10"
    # a retired version falls forward to the oldest supported stable version, and the header says so
    retired = client.post(f"{shop.base_url}/admin/api/2024-04/graphql.json", json=query)
    assert (retired.status_code, retired.headers["X-Shopify-API-Version"]) == (200, "2026-01")
    candidate = client.post(f"{shop.base_url}/admin/api/2027-01/graphql.json", json=query)
    assert candidate.headers["X-Shopify-API-Version"] == "2027-01"
    for handle in ("2026-13", "2026-11", "latest", "2028-01"):
        unknown = client.post(f"{shop.base_url}/admin/api/{handle}/graphql.json", json=query)
        assert (unknown.status_code, unknown.json()) == (404, {"errors": "Not Found"}), handle
    assert client.get(shop.graphql_url).status_code == 404
    assert client.post(f"{shop.base_url}/admin/api/2026-10/orders.json", json=query).status_code == 404


def test_bodies_that_are_not_a_graphql_request_are_answered_400(shop: FakeShopify, client: httpx.Client) -> None:
    expected = {"errors": {"query": "Required parameter missing or invalid"}}
    for body in (b"not json", b"{}", b'{"query": ""}', b'{"query": "{ orders(first: 1) { nodes { id } } }", "variables": 3}'):
        response = client.post(shop.graphql_url, content=body, headers={"Content-Type": "application/json"})
        assert (response.status_code, response.json()) == (400, expected), body


def test_invalid_queries_are_answered_200_with_errors(shop: FakeShopify, client: httpx.Client) -> None:
    syntax = gql(client, shop, "{ orders(first: 1 }")
    assert syntax["errors"][0]["message"].startswith("Syntax Error") and "locations" in syntax["errors"][0]
    unknown = gql(client, shop, "{ orders(first: 1) { nodes { totalPrice } } }")  # a field outside the subset
    assert "totalPrice" in unknown["errors"][0]["message"] and "data" not in unknown
    wrong_type = gql(client, shop, "query($n: Int!) { orders(first: $n) { nodes { id } } }", n="ten")
    assert "errors" in wrong_type
    mutation = gql(client, shop, "mutation { orderUpdate { id } }")
    assert "errors" in mutation
    assert shop.cost_log == []


def test_fail_next_answers_with_shopifys_status_bodies(shop: FakeShopify, client: httpx.Client) -> None:
    query = {"query": "{ orders(first: 1) { nodes { id } } }"}
    shop.fail_next(503, retry_after=2.5, times=2)
    for _ in range(2):
        failed = client.post(shop.graphql_url, json=query)
        assert (failed.status_code, failed.headers["Retry-After"]) == (503, "2.5")
        assert failed.json() == {"errors": "Service Unavailable"}
    assert client.post(shop.graphql_url, json=query).status_code == 200
    for status, body in ((500, {"errors": "An unexpected error occurred"}), (423, {"errors": "This shop is unavailable"}),
                         (402, {"errors": "This shop's plan does not have access to this feature"})):
        shop.fail_next(status)
        failed = client.post(shop.graphql_url, json=query)
        assert (failed.status_code, failed.json(), "Retry-After" in failed.headers) == (status, body, False)
    assert len(shop.cost_log) == 1  # failed requests ran nothing


def test_malformed_next_cuts_the_answer(shop: FakeShopify, client: httpx.Client) -> None:
    shop.add_order()
    shop.malformed_next()
    response = client.post(shop.graphql_url, json={"query": "{ orders(first: 1) { nodes { id } } }"})
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)
    assert shop.cost_log[0].actual == 3  # the query ran and was charged; only the answer was lost
    assert "errors" not in gql(client, shop, "{ orders(first: 1) { nodes { id } } }")


def test_delay_next_and_the_request_log(shop: FakeShopify, client: httpx.Client) -> None:
    shop.delay_next(0.3)
    started = time.perf_counter()
    body = gql(client, shop, "query Named { orders(first: 1) { nodes { id } } }")
    assert time.perf_counter() - started >= 0.3
    assert "errors" not in body
    record = shop.requests[-1]
    assert (record.method, record.path, record.status) == ("POST", "/admin/api/2026-10/graphql.json", 200)
    assert record.version == "2026-10"
    assert record.headers["x-shopify-access-token"] == TOKEN
    assert record.json()["query"].startswith("query Named")
    assert json.loads(record.response) == body


# --- shapes -------------------------------------------------------------------------------------------------------


def test_an_order_has_the_documented_field_names_and_types(shop: FakeShopify, client: httpx.Client) -> None:
    gid = full_order(shop, cancelled_at=at(11))
    body = gql(client, shop, CHANNEL_QUERY, first=5, q=WINDOW)
    assert set(body) == {"data", "extensions"}
    connection = body["data"]["orders"]
    assert set(connection) == {"edges", "pageInfo"} and set(connection["pageInfo"]) == {"hasNextPage", "endCursor"}
    edge = connection["edges"][0]
    assert set(edge) == {"cursor", "node"} and isinstance(edge["cursor"], str)
    node = edge["node"]
    assert node["id"] == gid and re.fullmatch(r"gid://shopify/Order/\d+", gid)
    assert node["name"] == "#2001"
    assert node["createdAt"] == "2026-11-20T08:00:00Z" and node["updatedAt"] == "2026-11-20T10:00:00Z"
    assert node["cancelledAt"] == "2026-11-20T11:00:00Z"
    assert node["displayFinancialStatus"] == "PARTIALLY_REFUNDED" and node["displayFulfillmentStatus"] == "FULFILLED"
    assert (node["email"], node["phone"], node["note"]) == ("li.lei@example.com", "+8613800138000", "leave at door")
    # MoneyV2.amount is a Decimal, serialized as a string; currencyCode a CurrencyCode
    assert node["totalPriceSet"] == {"shopMoney": {"amount": "55.0", "currencyCode": "CNY"}}  # 2 x 12.50 + 30
    assert node["currentTotalPriceSet"] == {"shopMoney": {"amount": "50.0", "currencyCode": "CNY"}}
    assert node["shippingAddress"] == {
        "name": "Lei Li", "firstName": "Lei", "lastName": "Li", "phone": "+8613800138000", "address1": "1 Century Ave",
        "address2": "Apt 2", "city": "Shanghai", "province": "Shanghai", "provinceCode": "SH", "zip": "200120",
        "country": "China", "countryCodeV2": "CN"}
    lines = node["lineItems"]
    assert lines["pageInfo"]["hasNextPage"] is False and isinstance(lines["pageInfo"]["endCursor"], str)
    assert [e["node"] for e in lines["edges"]] == [
        {"title": "Green tea", "sku": "TEA-G", "quantity": 2,
         "originalUnitPriceSet": {"shopMoney": {"amount": "12.5", "currencyCode": "CNY"}}},
        {"title": "Cup", "sku": "CUP-1", "quantity": 1,
         "originalUnitPriceSet": {"shopMoney": {"amount": "30.0", "currencyCode": "CNY"}}}]
    assert all(DECIMAL.match(e["node"]["originalUnitPriceSet"]["shopMoney"]["amount"]) for e in lines["edges"])
    assert node["fulfillments"] == [{"createdAt": "2026-11-20T09:00:00Z", "trackingInfo": [
        {"company": "SF Express", "number": "SF1234567890", "url": "https://www.sf-express.com/track/SF1234567890"}]}]
    assert node["refunds"] == [{"createdAt": "2026-11-20T10:00:00Z", "totalRefundedSet": {"shopMoney": {"amount": "5.0"}}}]

    cost = body["extensions"]["cost"]
    assert set(cost) == {"requestedQueryCost", "actualQueryCost", "throttleStatus"}
    assert isinstance(cost["requestedQueryCost"], int) and isinstance(cost["actualQueryCost"], int)
    status = cost["throttleStatus"]
    assert isinstance(status["maximumAvailable"], float) and isinstance(status["restoreRate"], float)
    assert isinstance(status["currentlyAvailable"], int)


def test_nullable_fields_come_back_null(shop: FakeShopify, client: httpx.Client) -> None:
    gid = shop.add_order(financial_status=None, created_at=at(1))
    body = gql(client, shop, """query($id: ID!) { order(id: $id) { cancelledAt displayFinancialStatus email phone note
        shippingAddress { city } fulfillments { createdAt } refunds { createdAt }
        lineItems(first: 5) { edges { cursor } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }""", id=gid)
    assert body["data"]["order"] == {
        "cancelledAt": None, "displayFinancialStatus": None, "email": None, "phone": None, "note": None,
        "shippingAddress": None, "fulfillments": [], "refunds": [],
        "lineItems": {"edges": [], "pageInfo": {"hasNextPage": False, "hasPreviousPage": False,
                                                "startCursor": None, "endCursor": None}}}
    missing = gql(client, shop, '{ order(id: "gid://shopify/Order/1") { id } }')
    assert missing["data"] == {"order": None}


def test_the_store_refuses_what_shopify_cannot_hold(shop: FakeShopify) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        shop.add_order(updated_at=dt.datetime(2026, 11, 20, 8))
    with pytest.raises(TypeError, match="unknown order fields"):
        shop.add_order(status="open")
    with pytest.raises(ValueError, match="financial_status"):
        shop.add_order(financial_status="SETTLED")
    with pytest.raises(ValueError, match="before created_at"):
        shop.add_order(created_at=at(10), updated_at=at(9))
    gid = shop.add_order(created_at=at(1), updated_at=at(1, 0))
    shop.update_order(gid, updated_at=at(2), note="gift")
    stored = shop.orders()
    assert [(o.gid, o.note, o.updated_at) for o in stored] == [(gid, "gift", at(2))]
    stored[0].note = "changed"  # a copy: the store is unchanged
    assert shop.order(gid).note == "gift"
