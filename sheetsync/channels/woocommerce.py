"""The `woocommerce` channel kind: orders through the WooCommerce REST API v3.

    - {name: woo, kind: woocommerce, url: https://shop.example.com, key_env: WC_KEY, secret_env: WC_SECRET}

Each run reads `GET /wp-json/wc/v3/orders` for its closed window (`modified_after` .. `modified_before`,
`dates_are_gmt=true`, `status=any`, oldest change first), 100 a page, until `X-WP-TotalPages`.  A store older than
the `modified_after` parameter (WooCommerce 5.8) answers every order whatever the window, so on its first run the
channel asks for a window in the future, which must be empty, and refuses a store that answers it with orders
(ChannelFailed, exit 5, the reason said).  The consumer key and secret go by HTTP Basic authentication over HTTPS;
when the server drops that header (some hosts strip it before PHP sees it: HTTP 401), the query-string form is used
for the rest of the run.  Tracking numbers come from the Shipment Tracking extension's order meta when there is one
(`_wc_shipment_tracking_items`); WooCommerce itself keeps none.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, ClassVar

from sheetsync.channels.api import ApiChannel, Denied, Order, Window, text
from sheetsync.errors import ChannelFailed
from sheetsync.i18n import t

PAGE = 100
"""WooCommerce's largest page."""


class WooCommerceChannel(ApiChannel):
    kind: ClassVar[str] = "woocommerce"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.query_auth = False
        """The server dropped the Authorization header: the key and secret go in the query string."""

    def fetch(self, window: Window) -> list[Order]:
        url = f"{self.base(self.channel.url or (None if self.channel.endpoint else self.setting('url')))}/wp-json/wc/v3/orders"
        key, secret = self.secret("key_env"), self.secret("secret_env")
        if window.first:  # on first use: does the store honour the window at all?
            self.check_window_honoured(url, key, secret, window.end)
        out: list[Order] = []
        start, page, read = window.start - dt.timedelta(seconds=1), 1, 0  # the window's ends are exclusive
        while True:
            params = {"modified_after": _gmt(start), "modified_before": _gmt(window.end + dt.timedelta(seconds=1)),
                      "dates_are_gmt": "true", "status": "any", "per_page": str(PAGE), "page": str(page),
                      "orderby": "modified", "order": "asc"}
            orders, pages = self.get(url, params, key, secret)
            out += [self.order(o) for o in orders]
            read += 1
            if page >= pages or len(orders) < PAGE or (self.page_limit is not None and read >= self.page_limit):
                return out
            # on from the last order's change (keyset: an order changed meanwhile leaves the window, and with page
            # numbers the one after it would slide into a page already read); its second is read again
            last, first = out[-1].updated, out[-len(orders)].updated
            if last == first:
                page += 1  # a whole page changed in the same second: the next page of that second
            else:
                start, page = dt.datetime.fromisoformat(last).replace(tzinfo=dt.UTC) - dt.timedelta(seconds=1), 1

    def check_window_honoured(self, url: str, key: str, secret: str, end: dt.datetime) -> None:
        """A window in the future holds no order; a store that answers it with orders ignores the window."""
        future = end + dt.timedelta(days=365)
        params = {"modified_after": _gmt(future), "modified_before": _gmt(future + dt.timedelta(days=1)),
                  "dates_are_gmt": "true", "status": "any", "per_page": "1", "page": "1"}
        orders, _ = self.get(url, params, key, secret)
        if orders:
            raise ChannelFailed(t("woo.window_ignored", self.lang, name=self.channel.name))

    def get(self, url: str, params: dict[str, str], key: str, secret: str) -> tuple[list[dict[str, Any]], int]:
        """One page: its orders and the pages there are (X-WP-TotalPages)."""
        if not self.query_auth:
            try:
                return self.call("GET", url, what="orders", params=params, auth=(key, secret))
            except Denied:
                self.query_auth = True  # the header may have been dropped on the way: the query-string form
        return self.call("GET", url, what="orders",
                         params={**params, "consumer_key": key, "consumer_secret": secret})

    def answer(self, response: Any) -> Any:
        body = json.loads(response.content)
        if not isinstance(body, list):
            raise ValueError("not a list of orders")
        try:
            pages = int(response.headers.get("X-WP-TotalPages", "1"))
        except ValueError:
            pages = 1
        return body, pages

    def order(self, o: dict[str, Any]) -> Order:
        tz = self.config.tz or dt.UTC
        billing, shipping = o.get("billing") or {}, o.get("shipping") or {}
        tracking = _tracking(o.get("meta_data") or [])
        base = {
            "Order Number": text(o.get("number") or o.get("id")), "Order Date": _local(o.get("date_created_gmt"), tz),
            "Paid Date": _local(o.get("date_paid_gmt"), tz), "Billing Email": text(billing.get("email")),
            "Billing Phone": text(billing.get("phone")), "Shipping Phone": text(shipping.get("phone")),
            "Shipping First Name": text(shipping.get("first_name") or billing.get("first_name")),
            "Shipping Last Name": text(shipping.get("last_name") or billing.get("last_name")),
            "Shipping Address 1": text(shipping.get("address_1")), "Shipping Address 2": text(shipping.get("address_2")),
            "Shipping City": text(shipping.get("city")), "Shipping State": text(shipping.get("state")),
            "Shipping Postcode": text(shipping.get("postcode")), "Shipping Country": text(shipping.get("country")),
            "Order Total": text(o.get("total")), "Order Status": text(o.get("status")),
            "Customer Note": text(o.get("customer_note")), "Tracking Provider": tracking.get("provider"),
            "Tracking Number": tracking.get("number"), "Shipped Date": tracking.get("shipped"),
        }
        rows = [{**base, "Item Name": text(li.get("name")), "SKU": text(li.get("sku")), "Quantity": text(li.get("quantity"))}
                for li in o.get("line_items") or []] or [base]
        return Order(str(o.get("id")), str(o.get("date_modified_gmt") or ""), rows)


def _tracking(meta: list[dict[str, Any]]) -> dict[str, str | None]:
    """The last tracking item the Shipment Tracking extension keeps in the order's meta."""
    for item in meta:
        if item.get("key") == "_wc_shipment_tracking_items" and isinstance(item.get("value"), list) and item["value"]:
            last = item["value"][-1]
            shipped = last.get("date_shipped")
            when = dt.datetime.fromtimestamp(int(shipped), dt.UTC).strftime("%Y-%m-%d %H:%M:%S") \
                if str(shipped or "").isdigit() else text(shipped)
            return {"provider": text(last.get("tracking_provider") or last.get("custom_tracking_provider")),
                    "number": text(last.get("tracking_number")), "shipped": when}
    return {}


def _gmt(moment: dt.datetime) -> str:
    """A moment as WooCommerce takes it with dates_are_gmt: ISO 8601 without a zone."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _local(moment: str | None, tz: dt.tzinfo) -> str | None:
    """A GMT date of the API (no zone written) as the desk's local time."""
    if not moment:
        return None
    parsed = dt.datetime.fromisoformat(str(moment).replace("Z", ""))
    return parsed.replace(tzinfo=dt.UTC).astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")
