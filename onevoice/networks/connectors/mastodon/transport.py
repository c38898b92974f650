"""How OneVoice talks to a Mastodon server: one guarded requests session and the errors it can end in.

mastodon-py speaks HTTP through `requests`, not through `onevoice.core.http`'s httpx client, so this
session applies the same SSRF guard (`guard_url`) to every request it sends, redirects included.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils.translation import gettext as _
from urllib3.exceptions import ConnectTimeoutError

from onevoice.core.http import USER_AGENT, BlockedAddress, guard_url
from onevoice.networks.connectors.base import AuthExpired, ConnectorError, RateLimited, Unconfirmed

# Mastodon's rate-limit windows are five minutes long; wait that long when the server names no time.
DEFAULT_RATE_LIMIT_WAIT = timedelta(minutes=5)
MAX_SERVER_TEXT = 300


class GuardedSession(requests.Session):
    """A requests session that refuses internal addresses before anything is sent, redirects included."""

    def __init__(self, *, allow_hosts: Iterable[str] = ()) -> None:
        super().__init__()
        self.allow_hosts = tuple(allow_hosts)
        self.headers["User-Agent"] = USER_AGENT
        self.max_redirects = 3
        self.last_response: requests.Response | None = None

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        # `send` also carries every redirect (`resolve_redirects` calls it), so nothing slips past.
        guard_url(str(request.url), allow_hosts=self.allow_hosts)
        response = super().send(request, **kwargs)
        self.last_response = response
        return response


def normalize_instance_url(url: str) -> str:
    """The server's base URL (`https://host[:port]`); plain http only for hosts an operator allowed."""
    candidate = (url or "").strip()
    if not candidate:
        raise ConnectorError(_("Enter the address of the Mastodon server."), permanent=True)
    if "://" not in candidate:
        candidate = "https://" + candidate.lstrip("@").split("@")[-1]
    parts = urlsplit(candidate)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host or parts.username or parts.password:
        raise ConnectorError(
            _("“%(url)s” is not the address of a Mastodon server.") % {"url": url}, permanent=True
        )
    allowed = {h.lower() for h in getattr(settings, "HTTP_ALLOWED_PRIVATE_HOSTS", [])}
    if parts.scheme == "http" and host not in allowed:
        raise ConnectorError(
            _("Mastodon servers are reached over https. Use an address that starts with https://."),
            permanent=True,
        )
    netloc = f"[{host}]" if ":" in host else host
    if parts.port:
        netloc += f":{parts.port}"
    return f"{parts.scheme}://{netloc}"


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or url).lower()


def _parse_time(value: str | None) -> datetime | None:
    """X-RateLimit-Reset is ISO 8601 on Mastodon; some compatible servers send Unix seconds."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return datetime.fromtimestamp(int(text), tz=UTC)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def retry_after_from_headers(headers: Mapping[str, str], *, now: datetime | None = None) -> datetime:
    """When to try again, in UTC, from X-RateLimit-Reset (measured against the server's Date) or Retry-After."""
    now = now or datetime.now(UTC)
    reset = _parse_time(headers.get("X-RateLimit-Reset"))
    if reset is not None:
        server_now = None
        if headers.get("Date"):
            try:
                server_now = parsedate_to_datetime(headers["Date"])
            except (TypeError, ValueError):
                server_now = None
        if server_now is not None:
            # The server's clock decides when its window ends; ours may differ, so keep only the distance.
            return now + max(reset - server_now.astimezone(UTC), timedelta(0))
        return max(reset, now)
    retry_after = (headers.get("Retry-After") or "").strip()
    if retry_after.isdigit():
        return now + timedelta(seconds=int(retry_after))
    return now + DEFAULT_RATE_LIMIT_WAIT


def server_text(value: object) -> str:
    """The server's own explanation, shortened; it is shown as text, never as HTML."""
    text = " ".join(str(value or "").split())
    return text[:MAX_SERVER_TEXT]


def error_for_status(
    status: int,
    message: str,
    *,
    host: str,
    headers: Mapping[str, str] | None = None,
    sending_status: bool = False,
) -> ConnectorError:
    """The typed error for an HTTP error answer of a Mastodon server."""
    reason = server_text(message)
    if status == 401:
        return AuthExpired(
            _("Mastodon (%(host)s) no longer accepts OneVoice's access. Connect the channel again.")
            % {"host": host}
        )
    if status == 429:
        return RateLimited(
            _(
                "Mastodon (%(host)s) asks OneVoice to wait before the next request. It will try again by itself."
            )
            % {"host": host},
            retry_after=retry_after_from_headers(headers or {}),
        )
    if status == 504 and sending_status:
        # A gateway timeout leaves open whether Mastodon created the status behind the gateway.
        return Unconfirmed(
            _(
                "Mastodon (%(host)s) did not answer in time after the post was sent. "
                "OneVoice checks whether it was published before trying again."
            )
            % {"host": host}
        )
    if status >= 500:
        return ConnectorError(
            _("Mastodon (%(host)s) has a temporary problem (error %(status)s). OneVoice will try again.")
            % {"host": host, "status": status},
            permanent=False,
            status=status,
        )
    if status == 404:
        return ConnectorError(
            _("Mastodon (%(host)s) cannot find this post or account; it may have been deleted.")
            % {"host": host},
            permanent=True,
            status=status,
        )
    if status == 403:
        return ConnectorError(
            _("Mastodon (%(host)s) does not allow this: %(reason)s. Check the account on the server.")
            % {"host": host, "reason": reason or _("no reason given")},
            permanent=True,
            status=status,
        )
    return ConnectorError(
        _("Mastodon (%(host)s) refused this: %(reason)s") % {"host": host, "reason": reason or status},
        permanent=True,
        status=status,
    )


def _may_have_been_sent(error: BaseException | None) -> bool:
    """Whether a request that failed on the wire may still have reached the server."""
    if isinstance(error, requests.exceptions.ConnectTimeout | requests.exceptions.SSLError):
        return False
    if isinstance(error, requests.exceptions.ConnectionError):
        reason = error.args[0] if error.args else None
        reason = getattr(reason, "reason", reason)  # urllib3's MaxRetryError wraps the cause
        return not isinstance(reason, ConnectTimeoutError)  # NewConnectionError included
    return not isinstance(error, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema)


def root_cause(error: BaseException) -> BaseException | None:
    """The exception mastodon-py wrapped (it raises its own inside `except`, so Python keeps the original)."""
    seen: set[int] = set()
    current: BaseException | None = error.__cause__ or error.__context__
    last = current
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        last = current
        if isinstance(current, BlockedAddress | requests.exceptions.RequestException):
            return current
        current = current.__cause__ or current.__context__
    return last


def error_for_network_failure(
    cause: BaseException | None, *, host: str, sending_status: bool = False
) -> ConnectorError:
    """The typed error for a request that got no answer (refused by the guard, unreachable, timed out)."""
    if isinstance(cause, BlockedAddress):
        return ConnectorError(
            _(
                "OneVoice does not connect to %(host)s because it points to an internal address. "
                "Ask an administrator whether this server may be allowed."
            )
            % {"host": host},
            permanent=True,
        )
    if sending_status and _may_have_been_sent(cause):
        return Unconfirmed(
            _(
                "Mastodon (%(host)s) did not answer in time after the post was sent. "
                "OneVoice checks whether it was published before trying again."
            )
            % {"host": host}
        )
    return ConnectorError(
        _("OneVoice could not reach Mastodon (%(host)s). It will try again.") % {"host": host},
        permanent=False,
    )
