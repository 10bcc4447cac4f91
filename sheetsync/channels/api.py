"""What the API channel kinds (shopify, woocommerce, doudian) share: secrets from environment variables, the base
address checked, one HTTP client with retries, the window a run reads, and what it brought turned into the rows of an
export, so that a shipped mapping (`mappings/shopify_api.yaml` ...) maps them as it maps a file.

A run reads the orders updated in a closed window: from where the last run ended, less an overlap, to the moment the
run started (frozen, so an order updated while the window is walked falls in the next one, never between two).  What
the overlap brings again is dropped by (the order's id, its update time), against the ids the last run saw at its
window's end.  The new cursor (the window's end and those ids) goes into the journal in the same transaction as the
run, after the sheet is written: a crash or a failed write leaves it where it was, and the next run reads the window
again (the merge takes nothing twice).  A service that fails after the retries brings nothing and is said
(`Pulled.failure`): the run writes the other channels' orders, then exits 5 naming it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from sheetsync.channels.apply import Splitter, apply_mapping
from sheetsync.channels.base import FileAccount, Known, Pulled
from sheetsync.channels.mapping import Mapping
from sheetsync.channels.readers import RawTable
from sheetsync.config import ChannelConfig, Config, parse_duration
from sheetsync.errors import ChannelFailed, ConfigError
from sheetsync.i18n import t
from sheetsync.runtime.retries import Transient, retried
from sheetsync.runtime.retries import retry_after as _retry_after
from sheetsync.runtime.urls import url_problem

log = logging.getLogger("sheetsync")

ATTEMPTS = 5
"""Tries of one call before the channel gives up (429, 5xx, timeouts and dropped connections waited out)."""
TIMEOUT = 60.0


class Denied(ChannelFailed):
    """The service refused the credentials (HTTP 401 / 403)."""


@dataclass(slots=True)
class Window:
    """The update times a run reads, [start, end], end frozen when the run started; `seen`: the (id, update time)
    pairs the last run took at or after its end less the overlap (taken again, they are dropped)."""

    start: dt.datetime
    end: dt.datetime
    seen: set[tuple[str, str]] = field(default_factory=set)
    first: bool = False
    """The channel's first run (no cursor yet)."""


class ApiChannel:
    """The shared part of an API channel kind; a kind gives `fetch` (the window's orders as export rows)."""

    kind: ClassVar[str] = ""
    default_endpoint: ClassVar[str] = ""

    def __init__(self, config: Config, channel: ChannelConfig, mapping: Mapping, split_address: Splitter) -> None:
        self.config = config
        self.channel = channel
        self.mapping = mapping
        self.label = channel.label or mapping.label or channel.name
        self.split_address = split_address
        self.lang = config.language
        self.sleep: Callable[[float], None] = _sleep
        self._client: Any = None
        self.page_limit: int | None = None
        """Read at most this many pages (`channels test` reads one)."""
        self.rate: str | None = None
        """The service's rate limit as it last said it (for `channels test`)."""

    # set-up -----------------------------------------------------------------------------------------------------

    def setting(self, key: str) -> str:
        value = getattr(self.channel, key, None)
        if not value:
            raise ConfigError(t("api.no_setting", self.lang, name=self.channel.name, kind=self.kind, key=key))
        return str(value)

    def secret(self, key: str) -> str:
        """The value of the environment variable the channel's `key` (`token_env` ...) names; never logged."""
        variable = self.setting(key)
        value = os.environ.get(variable)
        if not value:
            raise ConfigError(t("api.no_secret", self.lang, name=self.channel.name, var=variable))
        return value

    def base(self, default: str | None = None) -> str:
        """The API's base address: the channel's `endpoint`, else the kind's default."""
        url = self.channel.endpoint or default or self.default_endpoint
        problem = url_problem(url, self.channel.allow_http)
        if problem is not None:
            key = "api.bad_endpoint" if problem == "not_url" else "api.http_refused"
            raise ConfigError(t(key, self.lang, name=self.channel.name, value=url))
        return url.strip().rstrip("/")

    def secret_names(self) -> list[str]:
        """The variables holding this channel's secrets (said when a service refuses them)."""
        return [str(getattr(self.channel, k)) for k in ("token_env", "key_env", "secret_env", "app_key_env",
                                                       "app_secret_env", "customer_env") if getattr(self.channel, k)]

    # the run's part ---------------------------------------------------------------------------------------------

    def waiting(self) -> int:
        return 0  # an API channel has no inbox: `channels test` asks the service

    def window(self, cursor: str | None, now: dt.datetime) -> Window:
        """The window this run reads (UTC), from the channel's cursor (None: the first run reads `since` back)."""
        end = now.astimezone(dt.UTC) if now.tzinfo else now.replace(tzinfo=self.config.tz).astimezone(dt.UTC)
        end = end.replace(microsecond=0)
        if cursor is None:
            return Window(end - parse_duration(self.channel.since), end, first=True)
        saved = json.loads(cursor)
        last = dt.datetime.fromisoformat(saved["end"])
        seen = {(str(i), str(u)) for i, u in saved.get("seen", [])}
        return Window(min(last - parse_duration(self.channel.overlap), end), end, seen)

    def pull(self, seen: Callable[[str], str | None], now: dt.datetime, known: Known | None = None) -> Pulled:
        pulled = Pulled(self.channel, self.mapping, self.label, pd.DataFrame())
        account = FileAccount(f"{self.kind}:{self.channel.name}", self.channel.name, "")
        pulled.files.append(account)
        try:
            window = self.window(known.cursor(self.channel.name) if known is not None else None, now)
            orders = self.fetch(window)
        except ChannelFailed as exc:
            return self.failed(pulled, account, exc)
        latest = _latest(orders)
        edge = window.end - parse_duration(self.channel.overlap)
        pulled.cursor = json.dumps({"end": window.end.isoformat(),  # what the next run's overlap reads again
                                    "seen": sorted([o.id, o.updated] for o in latest if _moment(o.updated) >= edge)},
                                   ensure_ascii=False)
        self.take(pulled, account, [row for o in latest if (o.id, o.updated) not in window.seen for row in o.rows], now)
        return pulled

    def failed(self, pulled: Pulled, account: FileAccount, exc: ChannelFailed) -> Pulled:
        """The pull of a channel whose service failed: nothing brought, the failure said (the run exits 5)."""
        log.warning("channel %s (%s) brought nothing: %s", self.channel.name, self.kind, exc.message)
        pulled.failure = t("api.failed", self.lang, name=self.channel.name, kind=self.kind, problem=exc.message)
        account.skipped = exc.message
        return pulled

    def take(self, pulled: Pulled, account: FileAccount, rows: list[dict[str, str | None]], now: dt.datetime) -> None:
        """Export rows mapped into the pull's records, the account kept (rows read, rejected) and the rejects with
        their reasons."""
        if not rows:
            return
        raw = _raw_table(Path(account.path), rows)
        mapped = apply_mapping(raw, self.mapping, self.label, now, self.lang, self.split_address, self.config.tz)
        account.rows_read = mapped.rows_read
        account.rejected = len(mapped.rejects)
        pulled.rejects.extend(mapped.rejects)
        pulled.records = mapped.records
        for key, lines in mapped.lines.items():
            pulled.sources.setdefault(key, []).append((0, lines))

    def fetch(self, window: Window) -> list[Order]:
        raise NotImplementedError

    def probe(self, now: dt.datetime) -> dict[str, Any]:
        """`channels test`: the credentials, the permissions and one page of the last `since`: how many orders it
        holds, the newest update, the rate limit's state; or what is wrong."""
        self.page_limit = 1
        try:
            orders = self.fetch(self.window(None, now))  # as a first run would (a WooCommerce store's window checked)
        except (ChannelFailed, ConfigError) as exc:
            return {"channel": self.channel.name, "kind": self.kind, "ok": False, "problem": exc.message}
        newest = max((o.updated for o in orders), default=None)
        return {"channel": self.channel.name, "kind": self.kind, "ok": True, "orders": len(orders), "newest": newest,
                "rate": self.rate, "problem": None}

    # HTTP -------------------------------------------------------------------------------------------------------

    def call(self, method: str, url: str, *, what: str, **kwargs: Any) -> Any:
        """One request, retried on 429, 5xx, timeouts and dropped connections (Retry-After honoured, else backoff
        with jitter); its JSON answer.  ChannelFailed after the retries, or at once when the credentials are refused
        or the request is; the message names the status and the path, never a query string (a key may be in it)."""
        import httpx

        if self._client is None:
            self._client = httpx.Client(timeout=TIMEOUT, follow_redirects=False)
        client = self._client
        path = httpx.URL(url).path

        def once() -> Any:
            try:
                response = client.request(method, url, **kwargs)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                raise Transient(t("api.network", self.lang, problem=type(exc).__name__)) from None
            status = response.status_code
            if status in (401, 403):
                raise Denied(t("api.denied", self.lang, status=status, vars=", ".join(self.secret_names())))
            if status == 429 or status >= 500:
                raise Transient(t("api.status", self.lang, status=status, said=path), _retry_after(response.headers))
            if status >= 400:
                raise ChannelFailed(t("api.status", self.lang, status=status, said=f"{path} {_said(response)}"))
            try:
                return self.answer(response)
            except ValueError as exc:
                raise Transient(t("api.malformed", self.lang, problem=str(exc)[:80])) from None

        def said(fault: BaseException | None, attempt: int) -> None:
            log.warning("channel %s, %s: %s (try %d of %d)", self.channel.name, what, fault, attempt, ATTEMPTS)

        try:
            return retried(once, attempts=ATTEMPTS, sleep=self.sleep, said=said)
        except Transient as exc:
            raise ChannelFailed(t("api.gave_up", self.lang, tries=ATTEMPTS, problem=str(exc))) from None

    def answer(self, response: Any) -> Any:
        """The JSON of an answer (a kind may look further: Shopify's THROTTLED in a 200)."""
        return json.loads(response.content)


@dataclass(slots=True)
class Order:
    """One order as an API gave it: its id and update time (ISO, UTC) and its rows as an export has them (one per
    line item, the order's fields on each)."""

    id: str
    updated: str
    rows: list[dict[str, str | None]]


def _latest(orders: Iterable[Order]) -> list[Order]:
    """One per id, the latest update (an order updated while its window was walked may come twice)."""
    best: dict[str, Order] = {}
    for order in orders:
        if order.id not in best or order.updated >= best[order.id].updated:
            best[order.id] = order
    return list(best.values())


def _moment(updated: str) -> dt.datetime:
    """An order's update time as the APIs write it (ISO 8601 with Z or an offset, GMT without one, unix seconds),
    in UTC; the epoch when it is none of them."""
    text = updated.strip()
    try:
        if text.isdigit():
            return dt.datetime.fromtimestamp(int(text), dt.UTC)
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return dt.datetime.fromtimestamp(0, dt.UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _raw_table(path: Path, rows: list[dict[str, str | None]]) -> RawTable:
    """Export rows as a table of text with a header row, as a file's reader gives one."""
    headers = list(dict.fromkeys(k for row in rows for k in row))
    body = [[row.get(h) for h in headers] for row in rows]
    frame = pd.DataFrame([headers, *body], dtype="str")
    return RawTable(path, None, frame, np.arange(1, len(body) + 2, dtype=np.int64))


def text(value: Any) -> str | None:
    """A JSON value as an export's cell."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def utc(moment: dt.datetime) -> str:
    """ISO 8601 in UTC with a Z, seconds only: how the APIs take a moment."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")



def _said(response: Any) -> str:
    try:
        return response.text[:200]
    except Exception:  # a body that is no text
        return ""



def _sleep(seconds: float) -> None:
    import time

    time.sleep(seconds)
