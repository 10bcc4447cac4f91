"""Alerts: what `advance` asks to tell, and the senders for a 企业微信 group robot, a 钉钉 robot and a JSON webhook.

`advance` returns `Alert`s; once the workbook is written the caller hands them to `send_alerts`,
which sends one message per target (the first lines, then a count), retries connection errors and
5xx answers with backoff (tenacity), and never raises: each target's outcome is reported, and the
caller records the keys of what was delivered so that an order is alerted once per level and state.
URLs and secrets come from environment variables and never appear in a message, a log or an outcome.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import time
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Final

from sheetsync.config.workflow import AlertTarget
from sheetsync.i18n import Lang, t
from sheetsync.model.records import Alert

if TYPE_CHECKING:
    import httpx

log = logging.getLogger("sheetsync")
LINES_PER_MESSAGE: Final = 30
"""A robot message lists this many alerts, then says how many more there are (robots cap message size and rate)."""


@dataclass(slots=True)
class AlertOutcome:
    """What happened to one target's message: `delivered` keys are to be recorded as sent."""

    target: str
    kind: str
    ok: bool
    attempts: int
    delivered: list[tuple[str, str, str]] = field(default_factory=list)
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["alerts"] = len(self.delivered) if self.ok else 0
        del data["delivered"]
        return data


class _Retryable(Exception):
    """A 5xx answer: worth another try."""


class _Refused(Exception):
    """An answer that says no (4xx, or a robot's errcode): not retried."""


def send_alerts(alerts: Sequence[Alert], targets: Sequence[AlertTarget], env: Mapping[str, str], lang: Lang, *,
                attempts: int = 3, backoff: float = 0.5, timeout: float = 10.0,
                clock: Callable[[], float] = time.time, title: str = "alert.title") -> list[AlertOutcome]:
    """Send `alerts`, one message per target; a failing target is reported in its outcome, never raised.
    `title`: the message's title (a key of `i18n.MESSAGES`: the orders', or `alert.title.tickets`).

    Alerts for a target named `default` that sheetsync.yaml does not declare are dropped quietly (the
    presets notify `default`; a desk without alerts goes without)."""
    by_name = {target.name: target for target in targets}
    grouped: dict[str, list[Alert]] = {}
    for alert in alerts:
        grouped.setdefault(alert.target, []).append(alert)
    outcomes: list[AlertOutcome] = []
    if not grouped:
        return outcomes
    import httpx  # here, not at the top: most runs send nothing, and every cron run would pay its import

    with httpx.Client(timeout=timeout, follow_redirects=False) as client:
        for name, batch in grouped.items():
            target = by_name.get(name)
            if target is None:
                if name != "default":
                    outcomes.append(AlertOutcome(name, "?", False, 0, error=t("alert.no_target", lang, name=name)))
                continue
            outcomes.append(_send(client, target, batch, env, lang, attempts, backoff, clock, title))
    return outcomes


def _send(client: httpx.Client, target: AlertTarget, batch: list[Alert], env: Mapping[str, str], lang: Lang,
          attempts: int, backoff: float, clock: Callable[[], float], heading: str = "alert.title") -> AlertOutcome:
    import httpx
    from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

    outcome = AlertOutcome(target.name, target.kind, False, 0)
    url = env.get(target.url_env, "").strip()
    secret = env.get(target.secret_env, "").strip() if target.secret_env else ""
    if not url:
        outcome.error = t("alert.no_env", lang, var=target.url_env)
        return outcome
    if target.secret_env and not secret:
        outcome.error = t("alert.no_env", lang, var=target.secret_env)
        return outcome
    title = t(heading, lang, n=len(batch))
    lines = [a.text(lang) for a in batch[:LINES_PER_MESSAGE]]
    if len(batch) > LINES_PER_MESSAGE:
        lines.append(t("alert.more", lang, n=len(batch) - LINES_PER_MESSAGE))

    def post() -> None:
        outcome.attempts += 1
        request_url, body, headers = payload(target.kind, url, secret, title, lines, batch, clock, lang)
        response = client.post(request_url, content=body, headers=headers)
        if response.status_code >= 500:
            raise _Retryable(t("alert.http", lang, status=response.status_code))
        if response.status_code >= 400:
            raise _Refused(t("alert.http", lang, status=response.status_code))
        if target.kind in ("wecom", "dingtalk"):
            try:
                answer = response.json()
            except ValueError:
                answer = {}
            code = answer.get("errcode", 0) if isinstance(answer, dict) else 0
            if code:
                said = _scrub(str(answer.get("errmsg", ""))[:200], url, secret)  # a robot may echo the URL and its token
                raise _Refused(t("alert.refused", lang, kind=target.kind, code=code, message=said))

    retrying = Retrying(stop=stop_after_attempt(max(1, attempts)), reraise=True,
                        wait=wait_exponential(multiplier=backoff, max=max(backoff, 30.0)),
                        retry=retry_if_exception(lambda e: isinstance(e, _Retryable | httpx.TransportError)))
    try:
        retrying(post)
    except (_Retryable, _Refused) as exc:
        outcome.error = str(exc)
    except Exception as exc:
        outcome.error = t("alert.unreachable", lang, problem=_scrub(f"{type(exc).__name__}: {exc}", url, secret))
    else:
        outcome.ok = True
        outcome.delivered = [a.key for a in batch]
    if outcome.error:
        log.warning("alert to %s (%s) failed after %d attempt(s): %s", target.name, target.kind, outcome.attempts, outcome.error)
    return outcome


def payload(kind: str, url: str, secret: str, title: str, lines: list[str], batch: Sequence[Alert],
            clock: Callable[[], float] = time.time, lang: Lang = "zh") -> tuple[str, bytes, dict[str, str]]:
    """The request for one message: URL (signed for DingTalk), JSON body, headers."""
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if kind == "wecom":
        content = f"**{title}**\n" + "\n".join(f"> {line}" for line in lines)
        data: dict[str, Any] = {"msgtype": "markdown", "markdown": {"content": content}}
    elif kind == "dingtalk":
        text = f"#### {title}\n\n" + "\n\n".join(f"- {line}" for line in lines)
        data = {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
        if secret:
            url = dingtalk_signed(url, secret, clock())
    else:
        data = {"source": "sheetsync", "title": title, "text": "\n".join(lines),
                "alerts": [{"order_id": a.order_id, "level": a.level, "state": a.state, "text": a.text(lang)}
                           for a in batch[:1000]]}
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    if kind == "webhook" and secret:
        headers["X-Sheetsync-Signature"] = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return url, body, headers


def dingtalk_signed(url: str, secret: str, now: float) -> str:
    """DingTalk's signed robot URL: `timestamp` (ms) and `sign` = base64(HMAC-SHA256(secret, "timestamp\\nsecret"))."""
    timestamp = str(round(now * 1000))
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"


_TOKENS = re.compile(r"(?i)((?:access_token|key|token|secret|sign|signature)=)[^&\s\"']+")


def _scrub(text: str, url: str, secret: str) -> str:
    """`text` without the URL (it carries the robot's token), its query string, the secret, or any token-like query
    value (`key=...`, `access_token=...`) a server's answer may echo in another form."""
    parts = {url, url.split("?", 1)[-1] if "?" in url else "", secret, urllib.parse.unquote(url)}
    for part in sorted(parts, key=len, reverse=True):
        if part:
            text = text.replace(part, "***")
    return _TOKENS.sub(r"\1***", text)
