"""A local, honest fake of Shopify's GraphQL Admin API (orders only) for the tests of a Shopify channel.

`FakeShopify` keeps orders in memory behind a real HTTP server on 127.0.0.1 and answers Shopify's endpoint,
``POST /admin/api/{version}/graphql.json``, the way Shopify does. Queries are parsed, validated and executed for
real by graphql-core against an SDL subset of the Admin schema (types, nullability, arguments and enum values
copied from Shopify's published 2025-07 schema), so a query that Shopify would reject for its shape is rejected
here too, and one that names a field outside the subset fails loudly instead of being answered with a guess.

What is modelled, with the page each part follows:

- Authentication by the ``X-Shopify-Access-Token`` header: a missing, wrong or revoked token is answered
  ``401 {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}``
  (shopify.dev/docs/api/admin-graphql "Authentication"; the body as Shopify sends it, quoted on
  community.shopify.com).
- Versions (shopify.dev/docs/api/usage/versioning): the latest stable version is ``version``; it and the three
  quarterly versions before it are supported, the next quarter is the release candidate, ``unstable`` exists. A
  well-formed version older than the oldest supported one "falls forward" and is served as the oldest supported
  version; every answer names the version that served it in ``X-Shopify-API-Version``. A handle that is not a
  version at all is answered ``404 {"errors": "Not Found"}`` (the 404 sample of the Admin API reference; which
  status Shopify gives a malformed handle is not documented).
- The schema subset: ``orders(first, after, last, before, reverse, sortKey, query)`` and ``order(id)``; the Order
  fields id (``gid://shopify/Order/N``), name, createdAt, updatedAt, cancelledAt, displayFinancialStatus,
  displayFulfillmentStatus, email, phone, note, totalPriceSet, currentTotalPriceSet, shippingAddress (MailingAddress),
  lineItems (a connection), fulfillments(first) and refunds(first) (plain lists, as in Shopify's schema), LineItem,
  Fulfillment/FulfillmentTrackingInfo, Refund, MoneyBag/MoneyV2 (``amount: Decimal!`` serialized as a string,
  ``currencyCode: CurrencyCode!``), PageInfo. DateTime is ISO 8601 in UTC with a ``Z``.
- Connections (shopify.dev/docs/api/usage/pagination-graphql): ``edges { cursor node }``, ``nodes``, ``pageInfo
  { hasNextPage hasPreviousPage startCursor endCursor }``, at most 250 a page, one of first/last required
  ("you must provide one of first or last"). Cursors are keyset cursors like Shopify's: base64 of
  ``{"last_id": N, "last_value": "..."}`` (the sort value and the id of the edge). The next page is whatever sorts
  after that key *in the store as it is when the next page is asked for* - nothing is snapshotted. So, as with
  Shopify, an order updated while a window is being walked leaves the pages still to come when its new updatedAt
  falls outside the window (or before the cursor), and an order already returned comes back on a later page when
  its new updatedAt still falls inside the window after the cursor: a walker must dedupe by id and re-read what
  changed in a later window. Shopify does not document this interaction; it follows from keyset cursors.
- ``orders(query:)`` in Shopify's search syntax (shopify.dev/docs/api/usage/search-syntax): terms joined by AND
  (explicit or implied by whitespace) and OR, NOT or a leading ``-``, parentheses; values bare or in single or
  double quotes; comparators ``:>``, ``:>=``, ``:<``, ``:<=``. Fields: updated_at, created_at, processed_at
  (ISO timestamps, a bare date meaning midnight UTC, or ``now``), id (number or gid), name, email,
  financial_status, fulfillment_status. ``sortKey``: UPDATED_AT, CREATED_AT, PROCESSED_AT, ID, ORDER_NUMBER
  (ties broken by id, as the cursor's last_id implies), ``reverse``.
- Calculated query cost (shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits and the Admin API reference):
  scalars and enums 0, every object 1, a connection 2 + first (or last) x the cost of one node, where a node is 1
  plus the objects selected inside it and pageInfo/edges/cursor are free. The reference's own example,
  ``products(first: 1) { edges { node { title } } }``, costs 3 by this rule. A plain list of objects (fulfillments,
  refunds, trackingInfo) costs like one object (1 + its children). The actual cost walks the answer: connections
  are charged for the nodes returned, objects that came back null cost nothing. An answer with errors is charged
  its requested cost (Shopify's own client tests show a failed ``products`` query with actual = requested = 2).
- The leaky bucket: ``bucket`` points (1000), ``restore_rate`` points a second (100, the standard plan's figure in
  the current docs; older pages say 50). Before execution the bucket must hold the requested cost, which is
  debited; afterwards requested - actual is refunded. A request whose requested cost is more than what is
  available is answered HTTP 200 ``{"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED",
  "documentation": "https://shopify.dev/api/usage/rate-limits"}}], "extensions": {"cost": {..., "actualQueryCost":
  null, ...}}}`` and nothing is debited. A query whose requested cost is over 1000 (the single-query limit) is
  answered with MAX_COST_EXCEEDED in the shape of the reference's sample, which carries no ``extensions.cost``.
  Every other GraphQL answer carries ``extensions.cost`` {requestedQueryCost, actualQueryCost, throttleStatus
  {maximumAvailable, currentlyAvailable, restoreRate}}; maximumAvailable and restoreRate are floats and
  currentlyAvailable a whole number, as in the reference's sample answer.
- Error answers of the reference ("Status and error codes"): 400 ``{"errors": {"query": "Required parameter
  missing or invalid"}}`` for a body that is not JSON or has no query, 402/403/404/423/500 with their sample bodies,
  INTERNAL_SERVER_ERROR as a 200 with a request id.

What is simplified, and how:

- Parse and validation messages are graphql-core's wording, not graphql-ruby's (Shopify's), and carry no
  ``extensions.code``; the page-size message for first/last above 250 is this fake's wording. Those answers carry
  no cost (nothing can be costed before a query is valid).
- Costs are the documented linear defaults. Shopify says it scales connection costs logarithmically and sets manual
  costs on some fields ("the specific cost formulas are intentionally closed", Shopify staff on
  community.shopify.dev), so live costs are often lower than these: a client that budgets by this fake's numbers
  is conservative, never optimistic.
- Money amounts are written as Ruby's BigDecimal writes them ("12.5", "100.0"), as Shopify's answers show; the
  Decimal scalar's documentation only promises a string. presentmentMoney equals shopMoney (one currency a shop).
  currentTotalPriceSet equals the total unless the order was given ``current_total``.
- Search terms outside the fields above (free text, tag:, status:, ...), sort keys outside the ones above and a
  date equality other than a whole day or second are not modelled: such a request is answered as Shopify's
  INTERNAL_SERVER_ERROR and the reason is kept in ``server_errors``, so a test that strays outside the model fails
  instead of passing on a made-up answer. The shop's time zone is UTC.
- There are no mutations, customers, products or other resources; ``order(id:)`` answers null for an unknown id.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json
import re
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    build_schema,
    execute_sync,
    get_named_type,
    get_operation_ast,
    is_list_type,
    is_non_null_type,
    is_object_type,
    parse,
    validate,
)
from graphql.execution.values import get_argument_values, get_variable_values
from local_server import Lined, LocalServer

JSON = dict[str, Any]

MAX_PAGE = 250
MAX_QUERY_COST = 1000
INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"
RATE_LIMIT_DOCS = "https://shopify.dev/api/usage/rate-limits"
GRAPHQL_PATH = re.compile(r"^/admin/api/([^/]+)/graphql\.json$")
VERSION_HANDLE = re.compile(r"^(\d{4})-(01|04|07|10)$")

# The sample bodies of "Status and error codes" (shopify.dev/docs/api/admin-graphql); 429 is the REST Admin API's
# throttle text (the GraphQL API throttles with a 200 THROTTLED answer instead); 502/503/504 have no sample.
STATUS_BODIES: dict[int, Any] = {
    400: {"errors": {"query": "Required parameter missing or invalid"}},
    401: {"errors": INVALID_TOKEN},
    402: {"errors": "This shop's plan does not have access to this feature"},
    403: {"errors": "User does not have access"},
    404: {"errors": "Not Found"},
    423: {"errors": "This shop is unavailable"},
    429: {"errors": "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."},
    500: {"errors": "An unexpected error occurred"},
    502: {"errors": "Bad Gateway"},
    503: {"errors": "Service Unavailable"},
    504: {"errors": "Gateway Timeout"},
}

FINANCIAL_STATUSES = ("PENDING", "AUTHORIZED", "PARTIALLY_PAID", "PARTIALLY_REFUNDED", "VOIDED", "PAID", "REFUNDED", "EXPIRED")
FULFILLMENT_STATUSES = ("UNFULFILLED", "PARTIALLY_FULFILLED", "FULFILLED", "RESTOCKED", "PENDING_FULFILLMENT", "OPEN",
                        "IN_PROGRESS", "ON_HOLD", "SCHEDULED", "REQUEST_DECLINED")
# fulfillment_status search values (the orders query's filter table) -> displayFulfillmentStatus
FULFILLMENT_SEARCH = {"shipped": {"FULFILLED"}, "fulfilled": {"FULFILLED"}, "unshipped": {"UNFULFILLED"},
                      "unfulfilled": {"UNFULFILLED"}, "partial": {"PARTIALLY_FULFILLED"}, "scheduled": {"SCHEDULED"},
                      "on_hold": {"ON_HOLD"}, "request_declined": {"REQUEST_DECLINED"}}

CURRENCY_CODES = """
USD EUR GBP CAD AFN ALL DZD AOA ARS AMD AWG AUD BBD AZN BDT BSD BHD BIF BYN BZD BMD BTN BAM BRL BOB BWP BND BGN MMK KHR
CVE KYD XAF CLP CNY COP KMF CDF CRC HRK CZK DKK DJF DOP XCD EGP ERN ETB FKP XPF FJD GIP GMD GHS GTQ GYD GEL GNF HTG HNL
HKD HUF ISK INR IDR ILS IRR IQD JMD JPY JEP JOD KZT KES KID KWD KGS LAK LVL LBP LSL LRD LYD LTL MGA MKD MOP MWK MVR MRU
MXN MYR MUR MDL MAD MNT MZN NAD NPR ANG NZD NIO NGN NOK OMR PAB PKR PGK PYG PEN PHP PLN QAR RON RUB RWF WST SHP SAR RSD
SCR SLL SGD SDG SOS SYP ZAR KRW SSP SBD LKR SRD SZL SEK CHF TWD THB TJS TZS TOP TTD TND TRY TMT UGX UAH AED UYU UZS VUV
VES VND XOF YER ZMW USDC BYR STD STN VED VEF XXX
"""
COUNTRY_CODES = """
AF AX AL DZ AD AO AI AG AR AM AW AC AU AT AZ BS BH BD BB BY BE BZ BJ BM BT BO BA BW BV BR IO BN BG BF BI KH CA CV BQ KY
CF TD CL CN CX CC CO KM CG CD CK CR HR CU CW CY CZ CI DK DJ DM DO EC EG SV GQ ER EE SZ ET FK FO FJ FI FR GF PF TF GA GM
GE DE GH GI GR GL GD GP GT GG GN GW GY HT HM VA HN HK HU IS IN ID IR IQ IE IM IL IT JM JP JE JO KZ KE KI KP XK KW KG LA
LV LB LS LR LY LI LT LU MO MG MW MY MV ML MT MQ MR MU YT MX MD MC MN ME MS MA MZ MM NA NR NP NL AN NC NZ NI NE NG NU NF
MK NO OM PK PS PA PG PY PE PH PN PL PT QA CM RE RO RU RW BL SH KN LC MF PM WS SM ST SA SN RS SC SL SG SX SK SI SB SO ZA
GS KR SS ES LK VC SD SR SJ SE CH SY TW TJ TZ TH TL TG TK TO TT TA TN TR TM TC TV UG UA AE GB US UM UY UZ VU VE VN VG WF
EH YE ZM ZW ZZ
"""

# The subset of the Admin API schema this fake serves. Types, nullability and arguments follow Shopify's published
# schema (2025-07); only the fields below exist here.
SDL = f"""
schema {{ query: QueryRoot }}

"An ISO 8601-encoded date and time string, in UTC here: 2019-09-07T15:50:00Z."
scalar DateTime
"A signed decimal number, serialized as a string: 29.99."
scalar Decimal
scalar URL

type QueryRoot {{
  orders(first: Int, after: String, last: Int, before: String, reverse: Boolean, sortKey: OrderSortKeys,
         query: String): OrderConnection!
  order(id: ID!): Order
}}

enum OrderSortKeys {{
  CREATED_AT CUSTOMER_NAME DESTINATION FINANCIAL_STATUS FULFILLMENT_STATUS ID ORDER_NUMBER PO_NUMBER PROCESSED_AT
  RELEVANCE TOTAL_ITEMS_QUANTITY TOTAL_PRICE UPDATED_AT
}}
enum OrderDisplayFinancialStatus {{ {" ".join(FINANCIAL_STATUSES)} }}
enum OrderDisplayFulfillmentStatus {{ {" ".join(FULFILLMENT_STATUSES)} }}
enum FulfillmentStatus {{ PENDING OPEN SUCCESS CANCELLED ERROR FAILURE }}
enum CurrencyCode {{ {CURRENCY_CODES} }}
enum CountryCode {{ {COUNTRY_CODES} }}

type PageInfo {{
  endCursor: String
  hasNextPage: Boolean!
  hasPreviousPage: Boolean!
  startCursor: String
}}

type OrderConnection {{
  edges: [OrderEdge!]!
  nodes: [Order!]!
  pageInfo: PageInfo!
}}
type OrderEdge {{
  cursor: String!
  node: Order!
}}

type Order {{
  id: ID!
  name: String!
  createdAt: DateTime!
  updatedAt: DateTime!
  processedAt: DateTime!
  cancelledAt: DateTime
  displayFinancialStatus: OrderDisplayFinancialStatus
  displayFulfillmentStatus: OrderDisplayFulfillmentStatus!
  email: String
  phone: String
  note: String
  totalPriceSet: MoneyBag!
  currentTotalPriceSet: MoneyBag!
  shippingAddress: MailingAddress
  lineItems(first: Int, after: String, last: Int, before: String, reverse: Boolean): LineItemConnection!
  fulfillments(first: Int): [Fulfillment!]!
  refunds(first: Int): [Refund!]!
}}

type MoneyBag {{
  presentmentMoney: MoneyV2!
  shopMoney: MoneyV2!
}}
type MoneyV2 {{
  amount: Decimal!
  currencyCode: CurrencyCode!
}}

type MailingAddress {{
  name: String
  firstName: String
  lastName: String
  company: String
  phone: String
  address1: String
  address2: String
  city: String
  province: String
  provinceCode: String
  zip: String
  country: String
  countryCodeV2: CountryCode
}}

type LineItemConnection {{
  edges: [LineItemEdge!]!
  nodes: [LineItem!]!
  pageInfo: PageInfo!
}}
type LineItemEdge {{
  cursor: String!
  node: LineItem!
}}
type LineItem {{
  id: ID!
  name: String!
  title: String!
  variantTitle: String
  sku: String
  quantity: Int!
  originalUnitPriceSet: MoneyBag!
}}

type Fulfillment {{
  id: ID!
  name: String!
  status: FulfillmentStatus!
  createdAt: DateTime!
  trackingInfo(first: Int): [FulfillmentTrackingInfo!]!
}}
type FulfillmentTrackingInfo {{
  company: String
  number: String
  url: URL
}}

type Refund {{
  id: ID!
  createdAt: DateTime
  note: String
  totalRefundedSet: MoneyBag!
}}
"""

SCHEMA: GraphQLSchema = build_schema(SDL)


class Unmodelled(NotImplementedError):
    """A request this fake cannot answer honestly (a search field, sort key or date form it does not model)."""


# ----------------------------------------------------------------------------------------------------------
# The store


@dataclass
class LineItemRecord:
    id: int
    title: str
    sku: str | None
    quantity: int
    price: Decimal
    variant_title: str | None = None


@dataclass
class FulfillmentRecord:
    id: int
    created_at: dt.datetime
    company: str | None
    number: str | None
    url: str | None = None
    status: str = "SUCCESS"


@dataclass
class RefundRecord:
    id: int
    created_at: dt.datetime
    amount: Decimal
    note: str | None = None


@dataclass
class OrderRecord:
    """One order as the fake stores it (`FakeShopify.orders` hands out copies)."""

    id: int
    name: str
    created_at: dt.datetime
    updated_at: dt.datetime
    processed_at: dt.datetime
    financial_status: str | None = "PAID"
    fulfillment_status: str = "UNFULFILLED"
    cancelled_at: dt.datetime | None = None
    email: str | None = None
    phone: str | None = None
    note: str | None = None
    currency: str = "USD"
    total: Decimal = Decimal("0")
    current_total: Decimal | None = None
    shipping_address: dict[str, Any] | None = None
    line_items: list[LineItemRecord] = field(default_factory=list)
    fulfillments: list[FulfillmentRecord] = field(default_factory=list)
    refunds: list[RefundRecord] = field(default_factory=list)

    @property
    def gid(self) -> str:
        return f"gid://shopify/Order/{self.id}"


ORDER_FIELDS = frozenset({"name", "created_at", "updated_at", "processed_at", "financial_status", "fulfillment_status",
                          "cancelled_at", "email", "phone", "note", "shipping_address", "line_items", "fulfillments",
                          "refunds", "total", "current_total", "currency"})
ADDRESS_FIELDS = frozenset({"name", "first_name", "last_name", "company", "phone", "address1", "address2", "city",
                            "province", "province_code", "zip", "country", "country_code"})


def _utc(value: dt.datetime | str, what: str) -> dt.datetime:
    """A UTC datetime to the whole second (Shopify's DateTime precision). Naive datetimes are refused."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if not isinstance(value, dt.datetime):
        raise TypeError(f"{what} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None:
        raise ValueError(f"{what} must be timezone-aware (UTC), got naive {value.isoformat()}")
    return value.astimezone(dt.UTC).replace(microsecond=0)


def _money(value: Any, what: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{what} is not an amount: {value!r}") from None
    if not amount.is_finite():
        raise ValueError(f"{what} is not an amount: {value!r}")
    return amount


def decimal_text(amount: Decimal) -> str:
    """An amount as Shopify writes a Decimal (Ruby BigDecimal#to_s('F')): "12.5", "100.0", "0.0"."""
    text = format(amount.normalize(), "f")
    return text if "." in text else text + ".0"


def iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _enum(value: Any, allowed: Sequence[str], what: str, *, nullable: bool = False) -> str | None:
    if value is None and nullable:
        return None
    text = str(value).upper()
    if text not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(allowed)}, not {value!r}")
    return text


# ----------------------------------------------------------------------------------------------------------
# Search syntax (shopify.dev/docs/api/usage/search-syntax)


def _tokens(text: str) -> list[str]:
    """Terms, connectives and parentheses; a quoted part stays inside its term."""
    out: list[str] = []
    current: list[str] = []
    quote = ""
    for ch in text:
        if quote:
            current.append(ch)
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            current.append(ch)
            quote = ch
        elif ch.isspace() or ch in "()":
            if current:
                out.append("".join(current))
                current = []
            if ch in "()":
                out.append(ch)
        else:
            current.append(ch)
    if quote:
        raise Unmodelled(f"unbalanced quote in search query {text!r}")
    if current:
        out.append("".join(current))
    return out


Predicate = Callable[[OrderRecord], bool]


class _SearchParser:
    """query := and (OR and)*; and := unary ((AND)? unary)*; unary := (NOT | -) unary | ( query ) | term."""

    def __init__(self, text: str, now: dt.datetime) -> None:
        self.tokens = _tokens(text)
        self.at = 0
        self.now = now
        self.text = text

    def parse(self) -> Predicate:
        if not self.tokens:
            return lambda order: True
        predicate = self._or()
        if self.at != len(self.tokens):
            raise Unmodelled(f"cannot read search query {self.text!r} at {self.tokens[self.at]!r}")
        return predicate

    def _peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def _or(self) -> Predicate:
        parts = [self._and()]
        while self._peek() == "OR":
            self.at += 1
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else (lambda order: any(p(order) for p in parts))

    def _and(self) -> Predicate:
        parts = [self._unary()]
        while True:
            token = self._peek()
            if token is None or token in (")", "OR"):
                break
            if token == "AND":
                self.at += 1
            parts.append(self._unary())
        return parts[0] if len(parts) == 1 else (lambda order: all(p(order) for p in parts))

    def _unary(self) -> Predicate:
        token = self._peek()
        if token is None:
            raise Unmodelled(f"search query {self.text!r} ends where a term is expected")
        if token == "NOT":
            self.at += 1
            inner = self._unary()
            return lambda order: not inner(order)
        if token == "(":
            self.at += 1
            inner = self._or()
            if self._peek() != ")":
                raise Unmodelled(f"unbalanced parenthesis in search query {self.text!r}")
            self.at += 1
            return inner
        self.at += 1
        if token.startswith("-") and len(token) > 1:
            inner = _term(token[1:], self.now)
            return lambda order: not inner(order)
        return _term(token, self.now)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _compare(left: Any, comparator: str, right: Any) -> bool:
    if comparator == ">":
        return bool(left > right)
    if comparator == ">=":
        return bool(left >= right)
    if comparator == "<":
        return bool(left < right)
    if comparator == "<=":
        return bool(left <= right)
    return bool(left == right)


def _time_term(name: str, comparator: str, value: str, now: dt.datetime) -> Predicate:
    def moment(order: OrderRecord) -> dt.datetime:
        return getattr(order, name)

    if value.lower() == "now":
        when = now
        whole_day = False
    elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        when = dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
        whole_day = True
    else:
        try:
            when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise Unmodelled(f"time value {value!r} of {name} is not modelled") from None
        when = when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)
        whole_day = False
    if comparator == "" and whole_day:
        day = when.date()
        return lambda order: moment(order).date() == day
    if comparator == "":
        return lambda order: moment(order) == when.replace(microsecond=0)
    return lambda order: _compare(moment(order), comparator, when)


def _term(token: str, now: dt.datetime) -> Predicate:
    if ":" not in token:
        raise Unmodelled(f"free-text search ({token!r}) is not modelled")
    key, _, rest = token.partition(":")
    key = key.lower()
    comparator = next((c for c in (">=", "<=", ">", "<") if rest.startswith(c)), "")
    value = _unquote(rest[len(comparator):])
    if key in ("updated_at", "created_at", "processed_at"):
        return _time_term(key, comparator, value, now)
    if key == "id":
        digits = value.rsplit("/", 1)[-1]
        if not digits.isdigit():
            raise Unmodelled(f"id value {value!r} is not modelled")
        number = int(digits)
        return lambda order: _compare(order.id, comparator, number)
    if comparator:
        raise Unmodelled(f"comparator {comparator} on {key} is not modelled")
    if key == "name":
        wanted = value.lower().lstrip("#")
        return lambda order: order.name.lower().lstrip("#") == wanted
    if key == "email":
        wanted = value.lower()
        return lambda order: (order.email or "").lower() == wanted
    if key == "financial_status":
        wanted = value.upper()
        return lambda order: order.financial_status == wanted
    if key == "fulfillment_status":
        if value.lower() not in FULFILLMENT_SEARCH:
            raise Unmodelled(f"fulfillment_status value {value!r} is not modelled")
        statuses = FULFILLMENT_SEARCH[value.lower()]
        return lambda order: order.fulfillment_status in statuses
    raise Unmodelled(f"search field {key!r} is not modelled")


# ----------------------------------------------------------------------------------------------------------
# Connections and cursors


def encode_cursor(last_id: int, last_value: str) -> str:
    return base64.b64encode(json.dumps({"last_id": last_id, "last_value": last_value}, separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: str) -> tuple[int, str]:
    try:
        data = json.loads(base64.b64decode(cursor.encode(), validate=True))
        last_id, last_value = data["last_id"], data["last_value"]
        if not isinstance(last_id, int) or not isinstance(last_value, str):
            raise TypeError
        return last_id, last_value
    except (ValueError, TypeError, KeyError):
        raise GraphQLError("Invalid cursor.", extensions={"code": "BAD_REQUEST"}) from None


def _bad_request(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_REQUEST"})


def _check_window(first: int | None, last: int | None, where: str) -> None:
    if first is None and last is None:
        raise _bad_request("you must provide one of first or last")
    if first is not None and last is not None:
        raise _bad_request("providing both first and last is not supported")
    for label, size in (("first", first), ("last", last)):
        if size is not None and not 0 <= size <= MAX_PAGE:
            raise _bad_request(f"Argument '{label}' on Field '{where}' has an invalid value ({size}). "
                               f"Expected a page size from 0 to {MAX_PAGE}.")


@dataclass
class _Sort:
    """A sort order: an item's key is (value, id); `text` writes the value into a cursor, `read` reads it back."""

    value: Callable[[Any], Any]
    text: Callable[[Any], str]
    read: Callable[[str], Any]


def _time_text(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def _time_read(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=dt.UTC)


ORDER_SORTS: dict[str, _Sort] = {
    "ID": _Sort(lambda o: o.id, str, int),
    "UPDATED_AT": _Sort(lambda o: o.updated_at, _time_text, _time_read),
    "CREATED_AT": _Sort(lambda o: o.created_at, _time_text, _time_read),
    "PROCESSED_AT": _Sort(lambda o: o.processed_at, _time_text, _time_read),
    "ORDER_NUMBER": _Sort(lambda o: int(re.sub(r"\D", "", o.name) or 0), str, int),
}
ID_SORT = _Sort(lambda item: item.id, str, int)


def paginate(items: Iterable[Any], sort: _Sort, *, first: int | None, after: str | None, last: int | None,
             before: str | None, reverse: bool, view: Callable[[Any], Any]) -> JSON:
    """One page of a keyset-paginated connection over the items as they are now."""
    def key(item: Any) -> tuple[Any, int]:
        return sort.value(item), item.id

    def cursor_key(cursor: str) -> tuple[Any, int]:
        last_id, last_value = decode_cursor(cursor)
        try:
            return sort.read(last_value), last_id
        except ValueError:
            raise GraphQLError("Invalid cursor.", extensions={"code": "BAD_REQUEST"}) from None

    ordered = sorted(items, key=key, reverse=reverse)
    keys = [key(item) for item in ordered]

    def comes_after(item_key: tuple[Any, int], mark: tuple[Any, int]) -> bool:
        return item_key < mark if reverse else item_key > mark

    start, end = 0, len(ordered)
    if after is not None:
        mark = cursor_key(after)
        start = next((i for i, k in enumerate(keys) if comes_after(k, mark)), len(ordered))
    if before is not None:
        mark = cursor_key(before)
        end = next((i for i, k in enumerate(keys) if not comes_after(mark, k)), len(ordered))
    end = max(start, end)
    if first is not None:
        end = min(end, start + first)
    elif last is not None:
        start = max(start, end - last)
    page = ordered[start:end]
    cursors = [encode_cursor(item.id, sort.text(sort.value(item))) for item in page]
    nodes = [view(item) for item in page]
    return {
        "edges": [{"cursor": c, "node": n} for c, n in zip(cursors, nodes, strict=True)],
        "nodes": nodes,
        "pageInfo": {"hasNextPage": end < len(ordered), "hasPreviousPage": start > 0,
                     "startCursor": cursors[0] if cursors else None, "endCursor": cursors[-1] if cursors else None},
    }


# ----------------------------------------------------------------------------------------------------------
# Views: what the resolvers read (graphql-core's default resolver reads dict keys and calls callables)


def _money_bag(amount: Decimal, currency: str) -> JSON:
    money = {"amount": decimal_text(amount), "currencyCode": currency}
    return {"shopMoney": money, "presentmentMoney": dict(money)}


def _address_view(address: dict[str, Any] | None) -> JSON | None:
    if address is None:
        return None
    first, last = address.get("first_name"), address.get("last_name")
    name = address.get("name") or " ".join(part for part in (first, last) if part) or None
    return {"name": name, "firstName": first, "lastName": last, "company": address.get("company"),
            "phone": address.get("phone"), "address1": address.get("address1"), "address2": address.get("address2"),
            "city": address.get("city"), "province": address.get("province"), "provinceCode": address.get("province_code"),
            "zip": address.get("zip"), "country": address.get("country"), "countryCodeV2": address.get("country_code")}


def _line_item_view(item: LineItemRecord, currency: str) -> JSON:
    name = f"{item.title} - {item.variant_title}" if item.variant_title else item.title
    return {"id": f"gid://shopify/LineItem/{item.id}", "name": name, "title": item.title, "variantTitle": item.variant_title,
            "sku": item.sku, "quantity": item.quantity, "originalUnitPriceSet": _money_bag(item.price, currency)}


def _truncate(items: list[Any], first: int | None) -> list[Any]:
    return items if first is None else items[:max(first, 0)]


def order_view(order: OrderRecord) -> JSON:
    currency = order.currency

    def line_items(info: Any, first: int | None = None, after: str | None = None, last: int | None = None,
                   before: str | None = None, reverse: bool | None = None) -> JSON:
        _check_window(first, last, "lineItems")
        return paginate(order.line_items, ID_SORT, first=first, after=after, last=last, before=before,
                        reverse=bool(reverse), view=lambda item: _line_item_view(item, currency))

    def fulfillments(info: Any, first: int | None = None) -> list[JSON]:
        return [{"id": f"gid://shopify/Fulfillment/{f.id}", "name": f"{order.name}-F{i + 1}", "status": f.status,
                 "createdAt": iso(f.created_at),
                 "trackingInfo": lambda info, first=None, f=f: _truncate(
                     [{"company": f.company, "number": f.number, "url": f.url}] if f.company or f.number else [], first)}
                for i, f in enumerate(_truncate(order.fulfillments, first))]

    def refunds(info: Any, first: int | None = None) -> list[JSON]:
        return [{"id": f"gid://shopify/Refund/{r.id}", "createdAt": iso(r.created_at), "note": r.note,
                 "totalRefundedSet": _money_bag(r.amount, currency)} for r in _truncate(order.refunds, first)]

    current = order.total if order.current_total is None else order.current_total
    return {
        "id": order.gid, "name": order.name, "createdAt": iso(order.created_at), "updatedAt": iso(order.updated_at),
        "processedAt": iso(order.processed_at), "cancelledAt": iso(order.cancelled_at),
        "displayFinancialStatus": order.financial_status,
        "displayFulfillmentStatus": order.fulfillment_status, "email": order.email, "phone": order.phone,
        "note": order.note, "totalPriceSet": _money_bag(order.total, currency),
        "currentTotalPriceSet": _money_bag(current, currency), "shippingAddress": _address_view(order.shipping_address),
        "lineItems": line_items, "fulfillments": fulfillments, "refunds": refunds,
    }


# ----------------------------------------------------------------------------------------------------------
# Calculated query cost (shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits)


def _included(node: Any, variables: Any) -> bool:
    for directive in node.directives or ():
        name = directive.name.value
        if name not in ("skip", "include"):
            continue
        value: Any = None
        for argument in directive.arguments:
            if argument.name.value == "if":
                raw = argument.value
                value = variables.get(raw.name.value) if raw.kind == "variable" else getattr(raw, "value", None)
        if (name == "skip" and value is True) or (name == "include" and value is False):
            return False
    return True


def _collect(selection_sets: Iterable[SelectionSetNode | None], fragments: dict[str, FragmentDefinitionNode],
             variables: Any) -> dict[str, list[FieldNode]]:
    """Fields by response key, fragments spread (the subset has no abstract types, so no type conditions to test)."""
    out: dict[str, list[FieldNode]] = {}

    def walk(selection_set: SelectionSetNode | None, seen: frozenset[str]) -> None:
        if selection_set is None:
            return
        for selection in selection_set.selections:
            if not _included(selection, variables):
                continue
            if isinstance(selection, FieldNode):
                out.setdefault((selection.alias or selection.name).value, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                walk(selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name not in seen and name in fragments:
                    walk(fragments[name].selection_set, seen | {name})

    for selection_set in selection_sets:
        walk(selection_set, frozenset())
    return out


def _is_connection(object_type: GraphQLObjectType) -> bool:
    return object_type.name.endswith("Connection") and "pageInfo" in object_type.fields


class _Coster:
    def __init__(self, fragments: dict[str, FragmentDefinitionNode], variables: Any) -> None:
        self.fragments = fragments
        self.variables = variables

    def _fields(self, nodes: Sequence[FieldNode]) -> dict[str, list[FieldNode]]:
        return _collect((node.selection_set for node in nodes), self.fragments, self.variables)

    def _item_nodes(self, connection_fields: dict[str, list[FieldNode]]) -> list[FieldNode]:
        """The field nodes that select a connection's items: `nodes { ... }` and `edges { node { ... } }`."""
        items: list[FieldNode] = []
        for nodes in connection_fields.values():
            if nodes[0].name.value == "nodes":
                items.extend(nodes)
            elif nodes[0].name.value == "edges":
                for edge_nodes in self._fields(nodes).values():
                    if edge_nodes[0].name.value == "node":
                        items.extend(edge_nodes)
        return items

    def _selects_items(self, connection_fields: dict[str, list[FieldNode]]) -> bool:
        return any(nodes[0].name.value in ("nodes", "edges") for nodes in connection_fields.values())

    def requested(self, parent: GraphQLObjectType, nodes: Sequence[FieldNode]) -> int:
        total = 0
        for field_nodes in self._fields(nodes).values():
            name = field_nodes[0].name.value
            if name.startswith("__"):
                continue
            definition = parent.fields[name]
            named = get_named_type(definition.type)
            if not is_object_type(named):
                continue
            if _is_connection(named):
                arguments = get_argument_values(definition, field_nodes[0], self.variables)
                size = arguments.get("first") if arguments.get("first") is not None else arguments.get("last")
                size = max(int(size or 0), 0)
                inner = self._fields(field_nodes)
                item_type = get_named_type(named.fields["nodes"].type)
                node_cost = 1 + self.requested(item_type, self._item_nodes(inner)) if self._selects_items(inner) else 0
                total += 2 + size * node_cost
            else:
                total += 1 + self.requested(named, field_nodes)
        return total

    def actual(self, parent: GraphQLObjectType, nodes: Sequence[FieldNode], data: JSON) -> int:
        total = 0
        for key, field_nodes in self._fields(nodes).items():
            name = field_nodes[0].name.value
            if name.startswith("__"):
                continue
            definition = parent.fields[name]
            named = get_named_type(definition.type)
            value = data.get(key)
            if not is_object_type(named) or value is None:
                continue
            if _is_connection(named):
                total += 2 + self._items_cost(named, self._fields(field_nodes), value)
            elif isinstance(value, list):
                total += 1 + max((self.actual(named, field_nodes, item) for item in value), default=0) if value else 0
            else:
                total += 1 + self.actual(named, field_nodes, value)
        return total

    def _items_cost(self, connection: GraphQLObjectType, inner: dict[str, list[FieldNode]], value: JSON) -> int:
        item_type = get_named_type(connection.fields["nodes"].type)
        edge_type = get_named_type(connection.fields["edges"].type)
        per_index: dict[int, int] = {}
        for key, field_nodes in inner.items():
            name = field_nodes[0].name.value
            rows = value.get(key) or []
            if name == "nodes":
                for i, item in enumerate(rows):
                    per_index[i] = max(per_index.get(i, 0), 1 + self.actual(item_type, field_nodes, item))
            elif name == "edges":
                edge_fields = self._fields(field_nodes)
                selects_node = any(nodes[0].name.value == "node" for nodes in edge_fields.values())
                for i, edge in enumerate(rows):
                    # the edge itself is free; its node is priced as an object (1 + its children)
                    cost = self.actual(edge_type, field_nodes, edge) if selects_node else 1
                    per_index[i] = max(per_index.get(i, 0), cost)
        return sum(per_index.values())


def _fragments(document: Any) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def _root_nodes(operation: OperationDefinitionNode) -> list[FieldNode]:
    """A stand-in field node whose selection set is the operation's, so the root is costed like any object."""
    return [FieldNode(name=NameNode(value="query"), selection_set=operation.selection_set, directives=(), arguments=())]


# ----------------------------------------------------------------------------------------------------------
# The server


@dataclass
class Recorded:
    """One request the server received, and what it answered."""

    method: str
    path: str  # percent-decoded, without the query
    query: dict[str, list[str]]
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)  # names lower-cased
    status: int = 0
    response: bytes = b""
    version: str | None = None  # the API version that served it (X-Shopify-API-Version)

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class CostRecord:
    """What one GraphQL request cost: `available_before` is the bucket when the request arrived (restored up to
    then), `available_after` what the answer reported."""

    requested: int
    actual: int | None
    available_before: float
    available_after: float
    throttled: bool = False
    at: float = 0.0  # the fake's clock


@dataclass
class _Fault:
    status: int
    retry_after: float | None
    remaining: int


def _quarter_back(version: str, steps: int) -> str:
    year, month = int(version[:4]), int(version[5:])
    index = year * 4 + (month - 1) // 3 - steps
    return f"{index // 4:04d}-{(index % 4) * 3 + 1:02d}"


class FakeShopify(Lined, LocalServer):
    """The store, its bucket and its server. Use as a context manager, or call start() and stop()."""

    thread_name = "fake-shopify"

    def __init__(self, token: str = "shpat_test", version: str = "2026-10", bucket: int = 1000, restore_rate: int = 100,
                 *, clock: Callable[[], float] | None = None) -> None:
        if not VERSION_HANDLE.match(version):
            raise ValueError(f"version must be a quarterly handle such as 2026-10, not {version!r}")
        self.token = token
        self.version = version
        self.supported_versions = tuple(_quarter_back(version, n) for n in (3, 2, 1, 0))
        self.release_candidate = _quarter_back(version, -1)
        self.bucket = bucket
        self.restore_rate = restore_rate
        self.base_url = ""
        self.requests: list[Recorded] = []
        self.server_errors: list[str] = []  # the fake's own bugs, and requests it cannot model
        self.cost_log: list[CostRecord] = []
        self._clock = clock or time.monotonic
        self._offset = 0.0
        self._available = float(bucket)
        self._stamp = self._now()
        self._orders: dict[int, OrderRecord] = {}
        self._next_order = 1
        self._next_line = 1
        self._next_child = 1
        self._token_valid = True
        self._faults: list[_Fault] = []
        self._throttles = 0
        self._malformed = 0
        self._delays: list[float] = []
        self._befores: list[Callable[[], object]] = []
        self._lock = threading.RLock()

    # --- lifecycle ------------------------------------------------------------------------------------------


    @property
    def graphql_url(self) -> str:
        return f"{self.base_url}/admin/api/{self.version}/graphql.json"

    # --- the clock and the bucket ---------------------------------------------------------------------------

    def _now(self) -> float:
        return self._clock() + self._offset

    def advance(self, seconds: float) -> None:
        """Moves the fake's clock on (the bucket restores restore_rate points a second)."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += seconds

    def _restore(self) -> float:
        now = self._now()
        elapsed = max(now - self._stamp, 0.0)
        self._available = min(float(self.bucket), self._available + elapsed * self.restore_rate)
        self._stamp = now
        return self._available

    def available(self) -> float:
        """The points in the bucket now."""
        with self._lock:
            return self._restore()

    def _throttle_status(self) -> JSON:
        return {"maximumAvailable": float(self.bucket), "currentlyAvailable": int(self._available),
                "restoreRate": float(self.restore_rate)}

    # --- the store ------------------------------------------------------------------------------------------

    def _normalise(self, fields: dict[str, Any], order: OrderRecord) -> None:
        unknown = set(fields) - ORDER_FIELDS
        if unknown:
            raise TypeError(f"unknown order fields: {', '.join(sorted(unknown))}")
        for name in ("name", "email", "phone", "note"):
            if name in fields:
                setattr(order, name, None if fields[name] is None else str(fields[name]))
        for name in ("created_at", "updated_at", "processed_at"):
            if name in fields:
                setattr(order, name, _utc(fields[name], name))
        if "cancelled_at" in fields:
            order.cancelled_at = None if fields["cancelled_at"] is None else _utc(fields["cancelled_at"], "cancelled_at")
        if "financial_status" in fields:
            order.financial_status = _enum(fields["financial_status"], FINANCIAL_STATUSES, "financial_status", nullable=True)
        if "fulfillment_status" in fields:
            order.fulfillment_status = str(_enum(fields["fulfillment_status"], FULFILLMENT_STATUSES, "fulfillment_status"))
        if "currency" in fields:
            order.currency = str(_enum(fields["currency"], CURRENCY_CODES.split(), "currency"))
        if "shipping_address" in fields:
            address = fields["shipping_address"]
            if address is not None:
                unknown = set(address) - ADDRESS_FIELDS
                if unknown:
                    raise TypeError(f"unknown shipping_address fields: {', '.join(sorted(unknown))}")
                address = dict(address)
                if address.get("country_code") is not None:
                    address["country_code"] = _enum(address["country_code"], COUNTRY_CODES.split(), "country_code")
            order.shipping_address = address
        if "line_items" in fields:
            order.line_items = []
            for i, item in enumerate(fields["line_items"] or []):
                unknown = set(item) - {"title", "sku", "quantity", "price", "variant_title"}
                if unknown:
                    raise TypeError(f"unknown line item fields: {', '.join(sorted(unknown))}")
                order.line_items.append(LineItemRecord(
                    id=14_000_000_000_000 + self._next_line, title=str(item.get("title") or f"Item {i + 1}"),
                    sku=item.get("sku"), quantity=int(item.get("quantity", 1)),
                    price=_money(item.get("price", "0"), "line item price"), variant_title=item.get("variant_title")))
                self._next_line += 1
        if "fulfillments" in fields:
            order.fulfillments = []
            for item in fields["fulfillments"] or []:
                unknown = set(item) - {"company", "number", "url", "created_at", "status"}
                if unknown:
                    raise TypeError(f"unknown fulfillment fields: {', '.join(sorted(unknown))}")
                order.fulfillments.append(FulfillmentRecord(
                    id=5_500_000_000_000 + self._next_child, created_at=_utc(item.get("created_at", order.updated_at),
                                                                             "fulfillment created_at"),
                    company=item.get("company"), number=item.get("number"), url=item.get("url"),
                    status=str(_enum(item.get("status", "SUCCESS"), ("PENDING", "OPEN", "SUCCESS", "CANCELLED", "ERROR",
                                                                     "FAILURE"), "fulfillment status"))))
                self._next_child += 1
        if "refunds" in fields:
            order.refunds = []
            for item in fields["refunds"] or []:
                unknown = set(item) - {"amount", "created_at", "note"}
                if unknown:
                    raise TypeError(f"unknown refund fields: {', '.join(sorted(unknown))}")
                order.refunds.append(RefundRecord(
                    id=900_000_000_000 + self._next_child, created_at=_utc(item.get("created_at", order.updated_at),
                                                                           "refund created_at"),
                    amount=_money(item.get("amount", "0"), "refund amount"), note=item.get("note")))
                self._next_child += 1
        if "total" in fields:
            order.total = _money(fields["total"], "total")
        elif "line_items" in fields:
            order.total = sum((item.price * item.quantity for item in order.line_items), Decimal("0"))
        if "current_total" in fields:
            order.current_total = None if fields["current_total"] is None else _money(fields["current_total"], "current_total")
        if order.updated_at < order.created_at:
            raise ValueError(f"updated_at {iso(order.updated_at)} is before created_at {iso(order.created_at)}")

    def add_order(self, **fields: Any) -> str:
        """A new order; returns its gid. Fields: name, created_at, updated_at, processed_at (datetimes, UTC),
        financial_status, fulfillment_status, cancelled_at, email, phone, note, shipping_address (dict: name,
        first_name, last_name, company, phone, address1, address2, city, province, province_code, zip, country,
        country_code), line_items (dicts: title, sku, quantity, price, variant_title), fulfillments (dicts: company,
        number, url, created_at, status), refunds (dicts: amount, created_at, note), total (default: the line items'
        sum), current_total, currency (default USD). created_at defaults to now, updated_at and processed_at to
        created_at."""
        with self._lock:
            now = dt.datetime.now(dt.UTC).replace(microsecond=0)
            created = _utc(fields.get("created_at", now), "created_at")
            order = OrderRecord(id=6_100_000_000_000 + self._next_order, name=f"#{1000 + self._next_order}",
                                created_at=created, updated_at=created, processed_at=created)
            self._normalise(fields, order)
            if "processed_at" not in fields:
                order.processed_at = order.created_at
            self._next_order += 1
            self._orders[order.id] = order
            return order.gid

    def _find(self, gid: str) -> OrderRecord:
        number = gid.rsplit("/", 1)[-1]
        order = self._orders.get(int(number)) if number.isdigit() else None
        if order is None:
            raise KeyError(f"no order {gid}")
        return order

    def update_order(self, gid: str, updated_at: dt.datetime | str | None = None, **fields: Any) -> None:
        """Changes an order as a merchant's edit would: the given fields are replaced and updatedAt moves to
        `updated_at` (default: now, UTC)."""
        with self._lock:
            order = self._find(gid)
            work = copy.deepcopy(order)
            self._normalise({**fields, "updated_at": updated_at or dt.datetime.now(dt.UTC)}, work)
            self._orders[order.id] = work

    def delete_order(self, gid: str) -> None:
        with self._lock:
            del self._orders[self._find(gid).id]

    def orders(self) -> list[OrderRecord]:
        """Copies of the stored orders, oldest id first."""
        with self._lock:
            return [copy.deepcopy(order) for _, order in sorted(self._orders.items())]

    def order(self, gid: str) -> OrderRecord:
        with self._lock:
            return copy.deepcopy(self._find(gid))

    # --- faults ---------------------------------------------------------------------------------------------

    def fail_next(self, status: int, retry_after: float | None = None, times: int = 1) -> None:
        """Answers the next `times` API requests with HTTP `status` and Shopify's body for it (nothing is run and
        nothing is charged); `retry_after` adds a Retry-After header."""
        with self._lock:
            self._faults.append(_Fault(status, retry_after, times))

    def throttle_next(self, times: int = 1) -> None:
        """Answers the next `times` GraphQL requests THROTTLED (a 200), whatever the bucket holds; nothing is charged."""
        with self._lock:
            self._throttles += times

    def malformed_next(self) -> None:
        """The next GraphQL request is run (and charged) as usual, and its 200 answer's body is cut in half."""
        with self._lock:
            self._malformed += 1



    def revoke_token(self) -> None:
        """The access token stops working (the app was uninstalled): every request is answered 401."""
        with self._lock:
            self._token_valid = False

    # --- HTTP -----------------------------------------------------------------------------------------------

    def _resolve_version(self, handle: str) -> str | None:
        if handle == "unstable" or handle in self.supported_versions or handle == self.release_candidate:
            return handle
        if VERSION_HANDLE.match(handle) and handle < self.supported_versions[0]:
            return self.supported_versions[0]  # falls forward to the oldest supported stable version
        return None

    def _authorized(self, headers: dict[str, str]) -> bool:
        value = next((v for k, v in headers.items() if k.lower() == "x-shopify-access-token"), None)
        with self._lock:
            return self._token_valid and value == self.token

    def _handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes, float]:
        split = urlsplit(target)
        path = unquote(split.path)
        record = Recorded(method, path, parse_qs(split.query, keep_blank_values=True), body,
                          {k.lower(): v for k, v in headers.items()})
        with self._lock:
            self.requests.append(record)
        request_id = str(uuid.uuid4())
        answer_headers = {"Content-Type": "application/json; charset=utf-8", "X-Request-Id": request_id}
        pause = 0.0
        cut = False
        try:
            match = GRAPHQL_PATH.match(path)
            served = self._resolve_version(match.group(1)) if match else None
            if served is not None:
                answer_headers["X-Shopify-API-Version"] = served
                record.version = served
            if match is None or served is None or method != "POST":
                status, payload = 404, STATUS_BODIES[404]
            elif not self._authorized(headers):
                status, payload = 401, STATUS_BODIES[401]
            else:
                action = self._next_action()
                if action is not None:
                    action()
                pause, fault = self._next_delay(), self._next_fault(self._faults)
                if fault is not None:
                    status, payload = fault.status, STATUS_BODIES.get(fault.status, {"errors": "Error"})
                    if fault.retry_after is not None:
                        answer_headers["Retry-After"] = f"{fault.retry_after:g}"
                else:
                    status, payload = self._graphql(body, request_id)
                    with self._lock:
                        if status == 200 and self._malformed:
                            self._malformed -= 1
                            cut = True
        except Exception as exc:  # a bug in this fake: answer as Shopify would, and keep the traceback for the test
            self.server_errors.append(traceback.format_exc())
            status, payload = 200, self._internal_error(request_id, exc)
        data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if cut:
            data = data[: max(len(data) // 2, 1)]
        record.status, record.response = status, data
        return status, answer_headers, data, pause

    @staticmethod
    def _internal_error(request_id: str, exc: BaseException | None = None) -> JSON:
        return {"errors": [{
            "message": f"Internal error. Looks like something went wrong on our end.\nRequest ID: {request_id} "
                       "(include this in support requests).",
            "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}}]}

    def _graphql(self, body: bytes, request_id: str) -> tuple[int, Any]:
        try:
            payload = json.loads(body) if body else None
        except (json.JSONDecodeError, UnicodeDecodeError):
            payload = None
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str) or not payload["query"].strip():
            return 400, STATUS_BODIES[400]
        raw_variables = payload.get("variables") or {}
        operation_name = payload.get("operationName")
        if not isinstance(raw_variables, dict):
            return 400, STATUS_BODIES[400]
        try:
            document = parse(payload["query"])
        except GraphQLError as error:
            return 200, {"errors": [error.formatted]}
        errors = validate(SCHEMA, document)
        if errors:
            return 200, {"errors": [e.formatted for e in errors]}
        operation = get_operation_ast(document, operation_name)
        if operation is None:
            message = (f"Unknown operation named '{operation_name}'." if operation_name
                       else "Must provide operation name if query contains multiple operations.")
            return 200, {"errors": [{"message": message}]}
        if operation.operation != OperationType.QUERY:
            return 200, {"errors": [{"message": f"Schema is not configured for {operation.operation.value}s."}]}
        coerced = get_variable_values(SCHEMA, operation.variable_definitions or (), raw_variables)
        if isinstance(coerced, list):
            return 200, {"errors": [e.formatted for e in coerced]}
        coster = _Coster(_fragments(document), coerced)
        query_root = SCHEMA.query_type
        assert query_root is not None
        requested = coster.requested(query_root, _root_nodes(operation))
        if requested > MAX_QUERY_COST:
            return 200, {"errors": [{
                "message": f"Query cost is {requested}, which exceeds the single query max cost limit ({MAX_QUERY_COST}).\n\n"
                           "See https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\n"
                           "cost of a query is calculated.\n\n"
                           "To query larger amounts of data with fewer limits, bulk operations should be used instead.\n"
                           "See https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n",
                "extensions": {"code": "MAX_COST_EXCEEDED", "cost": requested, "maxCost": MAX_QUERY_COST,
                               "documentation": "https://shopify.dev/api/usage/limits#rate-limits"}}]}
        with self._lock:
            before = self._restore()
            throttled = self._throttles > 0 or requested > before
            if throttled:
                self._throttles = max(self._throttles - 1, 0)
                self.cost_log.append(CostRecord(requested, None, before, before, True, self._now()))
                return 200, {"errors": [{"message": "Throttled",
                                         "extensions": {"code": "THROTTLED", "documentation": RATE_LIMIT_DOCS}}],
                             "extensions": {"cost": {"requestedQueryCost": requested, "actualQueryCost": None,
                                                     "throttleStatus": self._throttle_status()}}}
            self._available -= requested
            now_utc = dt.datetime.now(dt.UTC)
            result = execute_sync(SCHEMA, document, root_value=self._root(now_utc), variable_values=raw_variables,
                                  operation_name=operation_name)
            for failure in result.errors or ():
                original = failure.original_error
                if original is not None and not isinstance(original, GraphQLError):
                    self._available += requested  # nothing was answered
                    self.server_errors.append("".join(traceback.format_exception(original)))
                    return 200, self._internal_error(request_id)
            if result.errors:
                actual = requested
            else:
                actual = min(coster.actual(query_root, _root_nodes(operation), result.data or {}), requested)
            self._available = min(float(self.bucket), self._available + (requested - actual))
            self.cost_log.append(CostRecord(requested, actual, before, self._available, False, self._now()))
            answer: JSON = {}
            if result.errors:
                answer["errors"] = [e.formatted for e in result.errors]
            answer["data"] = result.data
            answer["extensions"] = {"cost": {"requestedQueryCost": requested, "actualQueryCost": actual,
                                             "throttleStatus": self._throttle_status()}}
            return 200, answer

    def _root(self, now: dt.datetime) -> JSON:
        def orders(info: Any, first: int | None = None, after: str | None = None, last: int | None = None,
                   before: str | None = None, reverse: bool | None = None, sortKey: str | None = None,
                   query: str | None = None) -> JSON:
            _check_window(first, last, "orders")
            key = sortKey or "ID"
            if key not in ORDER_SORTS:
                raise Unmodelled(f"sortKey {key} is not modelled")
            predicate = _SearchParser(query or "", now).parse()
            matching = [order for order in self._orders.values() if predicate(order)]
            return paginate(matching, ORDER_SORTS[key], first=first, after=after, last=last, before=before,
                            reverse=bool(reverse), view=order_view)

        def order(info: Any, id: str) -> JSON | None:
            number = id.rsplit("/", 1)[-1]
            if not id.startswith("gid://shopify/Order/") or not number.isdigit():
                raise GraphQLError(f"Invalid global id '{id}'", extensions={"code": "argumentLiteralsIncompatible"})
            found = self._orders.get(int(number))
            return None if found is None else order_view(found)

        return {"orders": orders, "order": order}


def _self_check() -> None:
    """Every Order field in the SDL has a view key (so a schema edit cannot silently answer nulls)."""
    order_type = SCHEMA.type_map["Order"]
    assert isinstance(order_type, GraphQLObjectType)
    sample = order_view(OrderRecord(id=1, name="#1", created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                                    updated_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                                    processed_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)))
    missing = set(order_type.fields) - set(sample)
    assert not missing, f"Order fields without a view: {missing}"
    for name, definition in order_type.fields.items():
        nullable = not is_non_null_type(definition.type)
        assert nullable or sample[name] is not None or callable(sample[name]) or is_list_type(definition.type), name


_self_check()


