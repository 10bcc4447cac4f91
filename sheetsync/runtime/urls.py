"""Addresses of the services sheetsync calls (the Google Sheets API, the shops' APIs): plain http:// is allowed only
to this machine (the tests' local servers) unless a configuration says otherwise, so no key goes over the network in
clear by a typo."""

from __future__ import annotations

import ipaddress
import urllib.parse


def url_problem(url: str, allow_http: bool) -> str | None:
    """Why `url` is no base address to call (`not_url`, `http_refused`), None when it is one."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "not_url"
    if parts.scheme == "http" and not allow_http and not loopback(parts.hostname):
        return "http_refused"
    return None


def loopback(host: str) -> bool:
    """Whether `host` is this machine (127.0.0.0/8, ::1, localhost)."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
