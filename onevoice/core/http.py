"""The one outbound HTTP client: timeouts, bounded retries on connection errors, and an SSRF guard.

Every request to a social network goes through `client()`. The guard resolves the host and refuses
loopback, private, link-local and other internal addresses unless the host is explicitly allowed
(a self-hosted Mastodon in the office network, the local Bluesky testbed). Under tests, public
addresses are refused as well, so no test can reach the internet.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import ssl
from collections.abc import Iterable
from urllib.parse import urlsplit

import httpx
from django.conf import settings

DEFAULT_TIMEOUT = httpx.Timeout(20.0, connect=5.0)
USER_AGENT = "OneVoice/0.1 (+https://github.com/onevoice)"


class BlockedAddress(Exception):
    """The URL points somewhere OneVoice must not connect to."""


def _allowed_hosts(extra: Iterable[str] = ()) -> set[str]:
    configured = getattr(settings, "HTTP_ALLOWED_PRIVATE_HOSTS", [])
    return {h.lower() for h in [*configured, *extra] if h}


def _is_internal(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def guard_url(url: str, *, allow_hosts: Iterable[str] = ()) -> None:
    """Refuse URLs whose host resolves to an internal address (or, under tests, to any outside one)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BlockedAddress(f"not an http(s) URL: {url!r}")
    host = parts.hostname.lower()
    if host in _allowed_hosts(allow_hosts):
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80))
    except socket.gaierror as error:
        raise BlockedAddress(f"cannot resolve {host}: {error}") from error
    addresses = {str(info[4][0]) for info in infos}
    if any(_is_internal(a) for a in addresses):
        raise BlockedAddress(f"{host} resolves to an internal address")
    if not getattr(settings, "HTTP_ALLOW_PUBLIC", True):
        raise BlockedAddress(f"{host} is outside this machine; tests may only reach 127.0.0.1")


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context per process: building one loads the CA bundle, ~20 ms of CPU per client otherwise."""
    return httpx.create_ssl_context()


def client(
    *,
    allow_hosts: Iterable[str] = (),
    timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    retries: int = 2,
    headers: dict[str, str] | None = None,
) -> httpx.Client:
    """An httpx client that checks every request, redirects included, against the guard."""
    allowed = tuple(allow_hosts)

    def check(request: httpx.Request) -> None:
        guard_url(str(request.url), allow_hosts=allowed)

    return httpx.Client(
        timeout=timeout,
        transport=httpx.HTTPTransport(retries=retries, verify=_tls_context()),
        headers={"User-Agent": USER_AGENT, **(headers or {})},
        event_hooks={"request": [check]},
        follow_redirects=False,
    )
