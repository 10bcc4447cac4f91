"""The `shopify` channel kind: orders through the GraphQL Admin API, the version pinned in the configuration.

    - {name: shop, kind: shopify, shop: example.myshopify.com, token_env: SHOPIFY_TOKEN, api_version: "2026-10"}

Each run walks its window (`channels/api.py`) by `updated_at`, sorted by update time, page by page on the connection's
cursor; an order with more line items than a page carries has the rest read by its own cursor.  Requests are paced by
the cost budget Shopify returns with every answer (`extensions.cost.throttleStatus`): a query waits until the bucket
holds what it costs, and a THROTTLED answer (HTTP 200) or a 429 is waited out.  The page size is taken from the
query's requested cost as Shopify computes it (a single query may cost at most 1,000 points): 250 orders a page is
Shopify's maximum, but with their line items, fulfillments and refunds nested a page of 250 would cost several
thousand, so the page holds as many as the budget allows.  Fulfillments give carrier and tracking; a cancellation
and a refund are the order's status (`cancelled`, `refunded`): news the workflow judges.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any, ClassVar

from sheetsync.channels.api import ApiChannel, Order, Window, text, utc
from sheetsync.errors import ChannelFailed
from sheetsync.i18n import t
from sheetsync.runtime.retries import Transient

MAX_COST = 1000
"""Shopify's limit on one query's requested cost."""
LINES = 10
"""Line items carried with each order in a page; more are read by the order's own cursor."""
FIRST_PAGE = 20
"""Orders in the first page, before Shopify has said what one costs."""

_ORDER = """
  id name createdAt updatedAt processedAt cancelledAt displayFinancialStatus displayFulfillmentStatus email phone
  totalPriceSet { shopMoney { amount currencyCode } }
  shippingAddress { name phone address1 address2 city province zip countryCodeV2 }
  lineItems(first: %d) { edges { node { title sku quantity } } pageInfo { hasNextPage endCursor } }
  fulfillments(first: 5) { createdAt trackingInfo(first: 1) { company number } }
  refunds(first: 5) { createdAt }
"""
ORDERS = ("query Orders($first: Int!, $after: String, $query: String!) {"
          " orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {"
          " edges { node {" + _ORDER % LINES + "} } pageInfo { hasNextPage endCursor } } }")
LINE_ITEMS = ("query Lines($id: ID!, $after: String) { order(id: $id) {"
              " lineItems(first: 250, after: $after) { edges { node { title sku quantity } }"
              " pageInfo { hasNextPage endCursor } } } }")


class ShopifyChannel(ApiChannel):
    kind: ClassVar[str] = "shopify"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.available: float | None = None
        self.restore: float = 50.0
        self.costs: list[tuple[float, float]] = []
        """(requested, actual) cost of each query, for the benchmark and the tests."""

    def url(self) -> str:
        version = self.setting("api_version")
        shop = self.setting("shop") if not self.channel.endpoint else ""
        return f"{self.base(f'https://{shop}')}/admin/api/{version}/graphql.json"

    def fetch(self, window: Window) -> list[Order]:
        url, token = self.url(), self.secret("token_env")
        search = f"updated_at:>='{utc(window.start)}' AND updated_at:<='{utc(window.end)}'"
        first, after, per_order, pages = FIRST_PAGE, None, None, 0
        out: list[Order] = []
        while True:
            data = self.query(url, token, ORDERS, {"first": first, "after": after, "query": search}, first * 40 + 2)
            orders = data["orders"]
            for edge in orders["edges"]:
                node = edge["node"]
                lines = [e["node"] for e in node["lineItems"]["edges"]]
                page = node["lineItems"]["pageInfo"]
                while page["hasNextPage"]:  # an order with more line items than a page carries
                    more = self.query(url, token, LINE_ITEMS, {"id": node["id"], "after": page["endCursor"]}, 252)
                    items = more["order"]["lineItems"]
                    lines += [e["node"] for e in items["edges"]]
                    page = items["pageInfo"]
                out.append(self.order(node, lines))
            pages += 1
            if not orders["pageInfo"]["hasNextPage"] or (self.page_limit is not None and pages >= self.page_limit):
                return out
            after = orders["pageInfo"]["endCursor"]
            if self.costs and per_order is None:  # Shopify said what a page of `first` costs: as many as fit
                per_order = max(1.0, (self.costs[0][0] - 2) / first)
                first = max(1, min(250, math.floor((MAX_COST - 2) / per_order)))

    def query(self, url: str, token: str, query: str, variables: dict[str, Any], cost: float) -> Any:
        """One GraphQL query, waiting first until the bucket holds about what it costs."""
        if self.available is not None and self.available < min(cost, MAX_COST):
            self.sleep((min(cost, MAX_COST) - self.available) / max(self.restore, 1.0))
        answer = self.call("POST", url, what="orders", json={"query": query, "variables": variables},
                           headers={"X-Shopify-Access-Token": token, "Content-Type": "application/json"})
        if answer.get("errors"):
            raise ChannelFailed(t("api.status", self.lang, status=200, said=str(answer["errors"])[:200]))
        return answer["data"]

    def answer(self, response: Any) -> Any:
        """The JSON answer; its cost recorded and the bucket's state kept; THROTTLED waited out (another try)."""
        body = json.loads(response.content)
        cost = (body.get("extensions") or {}).get("cost") or {}
        status = cost.get("throttleStatus") or {}
        if status:
            self.available = float(status.get("currentlyAvailable", 0))
            self.restore = float(status.get("restoreRate", self.restore))
            self.rate = f"{self.available:.0f}/{float(status.get('maximumAvailable', 0)):.0f} points, +{self.restore:.0f}/s"
        throttled = any(((e or {}).get("extensions") or {}).get("code") == "THROTTLED" for e in body.get("errors") or [])
        if throttled:
            needed = float(cost.get("requestedQueryCost") or 0) - (self.available or 0)
            raise Transient(t("api.status", self.lang, status=200, said="THROTTLED"),
                            max(needed, 0.0) / max(self.restore, 1.0) + 0.1)
        if "requestedQueryCost" in cost:
            self.costs.append((float(cost["requestedQueryCost"]), float(cost.get("actualQueryCost") or 0)))
        return body

    def order(self, node: dict[str, Any], lines: list[dict[str, Any]]) -> Order:
        """An order as export rows: one per line item, the order's fields on each."""
        tz = self.config.tz or dt.UTC
        address = node.get("shippingAddress") or {}
        fulfilments = [f for f in node.get("fulfillments") or [] if f.get("trackingInfo")]
        tracking = fulfilments[-1]["trackingInfo"][0] if fulfilments else {}
        money = ((node.get("totalPriceSet") or {}).get("shopMoney") or {})
        base = {
            "Id": node["id"], "Name": node.get("name"), "Created at": _local(node.get("createdAt"), tz),
            "Processed at": _local(node.get("processedAt"), tz), "Email": text(node.get("email")),
            "Phone": text(node.get("phone")), "Shipping Name": text(address.get("name")),
            "Shipping Phone": text(address.get("phone")), "Shipping Address1": text(address.get("address1")),
            "Shipping Address2": text(address.get("address2")), "Shipping City": text(address.get("city")),
            "Shipping Province": text(address.get("province")), "Shipping Zip": text(address.get("zip")),
            "Shipping Country": text(address.get("countryCodeV2")), "Total": text(money.get("amount")),
            "Currency": text(money.get("currencyCode")), "Status": _status(node),
            "Tracking Company": text(tracking.get("company")), "Tracking Number": text(tracking.get("number")),
            "Fulfilled at": _local(fulfilments[-1].get("createdAt"), tz) if fulfilments else None,
        }
        rows = [{**base, "Lineitem name": text(li.get("title")), "Lineitem sku": text(li.get("sku")),
                 "Lineitem quantity": text(li.get("quantity"))} for li in lines] or [base]
        return Order(str(node["id"]), str(node.get("updatedAt")), rows)


def _status(node: dict[str, Any]) -> str:
    """The order's state as the mapping's words: cancelled and refunded first, then shipped, then paid or pending."""
    financial = str(node.get("displayFinancialStatus") or "").upper()
    fulfilment = str(node.get("displayFulfillmentStatus") or "").upper()
    if node.get("cancelledAt"):
        return "cancelled"
    if financial == "REFUNDED":
        return "refunded"
    if financial == "PARTIALLY_REFUNDED":
        return "refunding"
    if fulfilment in ("FULFILLED", "PARTIALLY_FULFILLED", "IN_PROGRESS"):
        return "shipped"
    return "paid" if financial in ("PAID", "PARTIALLY_PAID", "AUTHORIZED") else "pending"


def _local(moment: str | None, tz: dt.tzinfo) -> str | None:
    """An API's ISO time (UTC) as the desk's local time."""
    if not moment:
        return None
    parsed = dt.datetime.fromisoformat(moment.replace("Z", "+00:00"))
    return parsed.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")
