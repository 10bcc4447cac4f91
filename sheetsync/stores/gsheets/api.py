"""The Google Sheets API as the store calls it: gspread's HTTP client over a service account (google-auth), its base
URL swapped for the desk's `endpoint:`, paced by a token bucket under the per-user quota, and retried on 429, 5xx and
network faults with backoff and jitter (tenacity), honouring `Retry-After`.  After the retries a call raises
`StoreFailed` (exit 5) naming the quota or the fault; the secret key is never logged or said.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from sheetsync.config import Config
from sheetsync.errors import ConfigError, StoreFailed
from sheetsync.i18n import Lang, t
from sheetsync.runtime.retries import Transient, retried
from sheetsync.runtime.retries import retry_after as _retry_after
from sheetsync.runtime.urls import url_problem

log = logging.getLogger("sheetsync")

GOOGLE: Final = "https://sheets.googleapis.com"
SCOPES: Final = ("https://www.googleapis.com/auth/spreadsheets",)
ATTEMPTS: Final = 5
"""Tries of one call before the run gives up (429 and 5xx waited out with backoff, at most ~1 minute in all)."""
_ID: Final = re.compile(r"/spreadsheets/d/([A-Za-z0-9_-]+)")


def spreadsheet_id(text: str | None, lang: Lang) -> str:
    """The id in a spreadsheet's address (https://docs.google.com/spreadsheets/d/ID/edit...), or the bare id."""
    if not text or not text.strip():
        raise ConfigError(t("gsheets.no_spreadsheet", lang))
    found = _ID.search(text)
    if found:
        return found[1]
    if re.fullmatch(r"[A-Za-z0-9_-]{20,}", text.strip()):
        return text.strip()
    raise ConfigError(t("gsheets.bad_spreadsheet", lang, value=text))


def checked_endpoint(endpoint: str, allow_http: bool, lang: Lang) -> str:
    """The endpoint without a trailing slash; plain http:// only to a loopback address (or with `allow_http`)."""
    problem = url_problem(endpoint, allow_http)
    if problem == "not_url":
        raise ConfigError(t("gsheets.bad_endpoint", lang, value=endpoint))
    if problem == "http_refused":
        raise ConfigError(t("gsheets.http_refused", lang, value=endpoint))
    return endpoint.strip().rstrip("/")


class TokenBucket:
    """At most `per_minute` calls a minute on average, bursts of up to a tenth of it (at least 1)."""

    def __init__(self, per_minute: int, clock: Any = time.monotonic, sleep: Any = time.sleep) -> None:
        self.rate = per_minute / 60.0
        self.capacity = max(1.0, per_minute / 10)
        self.tokens = self.capacity
        self.clock, self.sleep = clock, sleep
        self.last = clock()
        self.lock = threading.Lock()

    def take(self) -> None:
        with self.lock:
            now = self.clock()
            self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
            self.last = now
            if self.tokens < 1:
                wait = (1 - self.tokens) / self.rate
                self.sleep(wait)
                self.last = self.clock()
                self.tokens = 0.0
            else:
                self.tokens -= 1


class SheetsApi:
    """The calls the store makes, each paced and retried; `calls` and `sent` count requests and bytes sent."""

    def __init__(self, config: Config) -> None:
        lang = config.language
        table = config.table
        self.lang = lang
        self.id = spreadsheet_id(table.spreadsheet, lang)
        self.endpoint = checked_endpoint(table.endpoint, table.allow_http, lang)
        self.variable = table.credentials_env
        self.bucket = TokenBucket(table.requests_per_minute)
        self.timeout = table.timeout
        self.calls = 0
        self.sent = 0
        self._client: Any = None
        self._sleep = time.sleep

    @property
    def where(self) -> str:
        return f"https://docs.google.com/spreadsheets/d/{self.id}"

    def _http(self) -> Any:
        if self._client is None:
            self._client = self._connect()
        return self._client

    def _connect(self) -> Any:
        from google.oauth2.service_account import Credentials
        from gspread.http_client import HTTPClient

        path = os.environ.get(self.variable)
        if not path:
            raise ConfigError(t("gsheets.no_credentials", self.lang, var=self.variable))
        try:
            credentials = Credentials.from_service_account_file(path, scopes=list(SCOPES))
        except (OSError, ValueError) as exc:  # never the key's text: the file's path and what is wrong with it
            raise ConfigError(t("gsheets.bad_credentials", self.lang, var=self.variable, path=Path(path).name,
                                problem=type(exc).__name__)) from None
        base = self.endpoint

        class Client(HTTPClient):
            """gspread's client with every call's base swapped for the desk's endpoint."""

            def request(self, method: str, endpoint: str, *args: Any, **kwargs: Any) -> Any:
                return super().request(method, endpoint.replace(GOOGLE, base, 1), *args, **kwargs)

        client = Client(credentials)
        client.set_timeout(self.timeout)
        return client

    # the calls ---------------------------------------------------------------

    def metadata(self, *, ranges: Sequence[str] = (), fields: str | None = None) -> dict[str, Any]:
        """The spreadsheet's sheets: title, sheetId, grid size (no cell data); with `ranges` and `fields`, the sheets of
        those ranges and the cell data `fields` names."""
        params: dict[str, Any] = {"fields": fields or "spreadsheetId,properties.title,sheets(properties,basicFilter)"}
        if ranges:
            params["ranges"] = list(ranges)
        found: dict[str, Any] = self._call("metadata", lambda c: c.fetch_sheet_metadata(self.id, params=params))
        return found

    def notes(self, cell: str) -> str | None:
        """The note of one cell (A1 notation with its sheet), None when it has none."""
        found = self._cell_data(cell, "note")
        return str(found["note"]) if found.get("note") else None

    def validation(self, cell: str) -> dict[str, Any] | None:
        """The data validation rule (dropdown) of one cell, None when it has none."""
        found = self._cell_data(cell, "dataValidation")
        rule = found.get("dataValidation")
        return dict(rule) if isinstance(rule, dict) else None

    def choices(self, cell: str) -> tuple[str, ...] | None:
        """The words the dropdown of one cell offers (None: no dropdown, or one whose list is a range of cells)."""
        condition = (self.validation(cell) or {}).get("condition") or {}
        if condition.get("type") != "ONE_OF_LIST":
            return None
        return tuple(str(v.get("userEnteredValue", "")) for v in condition.get("values", []))

    def _cell_data(self, cell: str, field: str) -> dict[str, Any]:
        """One field of one cell's CellData (A1 notation with its sheet): {} when the cell has none."""
        found: dict[str, Any] = self._call("metadata", lambda c: c.fetch_sheet_metadata(
            self.id, params={"ranges": cell, "fields": f"sheets.data.rowData.values.{field}"}))
        for sheet in found.get("sheets", []):
            for data in sheet.get("data", []):
                for row in data.get("rowData", []):
                    for value in row.get("values", []):
                        if value.get(field):
                            return dict(value)
        return {}

    def values(self, ranges: Sequence[str], *, formatted: bool = False) -> list[dict[str, Any]]:
        """The ranges' values as typed (numbers as numbers, dates as serial days), one ValueRange each; `formatted`:
        as the sheet shows them (all text: `2026-11-20 09:00`, `¥12.50`)."""
        params = {"valueRenderOption": "FORMATTED_VALUE" if formatted else "UNFORMATTED_VALUE",
                  "dateTimeRenderOption": "FORMATTED_STRING" if formatted else "SERIAL_NUMBER", "majorDimension": "ROWS"}
        from gspread.urls import SPREADSHEET_VALUES_BATCH_URL, SPREADSHEET_VALUES_URL

        if len(ranges) == 1:
            url = SPREADSHEET_VALUES_URL % (self.id, urllib.parse.quote(ranges[0]))
            return [self._call("values", lambda c: _parsed(c.request("get", url, params=dict(params))))]
        url = SPREADSHEET_VALUES_BATCH_URL % self.id
        got = self._call("values", lambda c: _parsed(c.request("get", url, params={**params, "ranges": list(ranges)})))
        return list(got.get("valueRanges", []))

    def batch_update(self, requests: list[dict[str, Any]]) -> dict[str, Any]:
        """All the requests in one `spreadsheets.batchUpdate`: applied together or not at all."""
        import json

        from gspread.urls import SPREADSHEET_BATCH_UPDATE_URL

        # compact UTF-8 JSON: Chinese text as itself (3 bytes a character, not a 6-byte \uXXXX), no spaces
        body = json.dumps({"requests": requests}, ensure_ascii=False, separators=(",", ":")).encode()
        self.sent += len(body)
        done: dict[str, Any] = self._call("write", lambda c: c.request(
            "post", SPREADSHEET_BATCH_UPDATE_URL % self.id, data=body,
            headers={"Content-Type": "application/json; charset=utf-8"}).json())
        return done

    def _call(self, what: str, call: Any) -> Any:
        """One call paced by the bucket and retried (tenacity) on 429, 5xx, timeouts and network faults."""
        import requests
        from gspread.exceptions import APIError

        client = self._http()

        def once() -> Any:
            self.bucket.take()
            self.calls += 1
            try:
                return call(client)
            except APIError as exc:
                status = exc.response.status_code
                if status == 404:
                    raise ConfigError(t("gsheets.not_found", self.lang, where=self.where)) from None
                if status in (401, 403):
                    raise StoreFailed(t("gsheets.denied", self.lang, where=self.where, status=status,
                                        said=_said(exc))) from None
                if status != 429 and status < 500:
                    raise StoreFailed(t("gsheets.refused", self.lang, where=self.where, status=status,
                                        said=_said(exc))) from None
                said = t("gsheets.quota" if status == 429 else "gsheets.server", self.lang, status=status)
                raise Transient(said, _retry_after(exc.response.headers)) from None
            except (requests.ConnectionError, requests.Timeout) as exc:
                raise Transient(t("gsheets.network", self.lang, problem=type(exc).__name__), None) from None

        def said(fault: BaseException | None, attempt: int) -> None:
            log.warning("Google Sheets %s: %s (try %d of %d)", what, fault, attempt, ATTEMPTS)

        try:
            return retried(once, attempts=ATTEMPTS, sleep=self._sleep, said=said)
        except Transient as exc:
            raise StoreFailed(t("gsheets.gave_up", self.lang, where=self.where, tries=ATTEMPTS, problem=str(exc))) from None


def _parsed(response: Any) -> Any:
    """An answer's JSON parsed from its bytes: a 100,000-row sheet's answer decoded to text first (as `.json()` does)
    would be one more copy of it, some 50-100 MB, at the run's peak."""
    import json

    return json.loads(response.content)


def _said(exc: Any) -> str:
    try:
        return str(exc.response.json().get("error", {}).get("message", ""))[:200]
    except ValueError:
        return ""


