"""JSON over HTTPS for the networks without a good SDK (LinkedIn, Meta's Graph APIs, Threads, X).

Every call goes through `onevoice.core.http`'s guard. `transport_override` is the one seam tests use:
set it to an `httpx.MockTransport` serving recorded answers, and no request leaves the process.
Each network maps an error answer to the connector errors with its own `error_for` function.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from django.utils.translation import gettext as _

from onevoice.core import http
from onevoice.core.http import BlockedAddress, guard_url
from onevoice.networks.connectors.base import ConnectorError, Unconfirmed

# Set by tests only (see onevoice/networks/tests/recorded_http.py).
transport_override: httpx.BaseTransport | None = None

MAX_SERVER_TEXT = 300
DEFAULT_RATE_LIMIT_WAIT = timedelta(minutes=15)

ErrorFor = Callable[[httpx.Response, bool], ConnectorError]

# Some token endpoints take secrets in the query string (Threads' th_exchange_token, th_refresh_token);
# httpx logs every request URL at INFO, so those values are blanked in its log records.
SECRET_PARAMETER = re.compile(
    r"((?:access_token|client_secret|fb_exchange_token|refresh_token|code)=)[^&\s\"']+", re.IGNORECASE
)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                SECRET_PARAMETER.sub(r"\1[redacted]", str(arg)) if isinstance(arg, str | httpx.URL) else arg
                for arg in record.args
            )
        return True


if not any(isinstance(f, RedactSecrets) for f in logging.getLogger("httpx").filters):
    logging.getLogger("httpx").addFilter(RedactSecrets())


def server_text(value: object) -> str:
    """The network's own explanation, shortened; shown as text, never as HTML."""
    return " ".join(str(value or "").split())[:MAX_SERVER_TEXT]


def body_of(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {"data": body}


def retry_after(
    headers: Mapping[str, str], *, reset_header: str = "", now: datetime | None = None
) -> datetime:
    """When to try again: an epoch-seconds reset header (X), Retry-After, or a cautious default."""
    now = now or datetime.now(UTC)
    reset = (headers.get(reset_header) or "").strip() if reset_header else ""
    if reset.isdigit():
        return max(datetime.fromtimestamp(int(reset), tz=UTC), now)
    wait = (headers.get("Retry-After") or "").strip()
    if wait.isdigit():
        return now + timedelta(seconds=int(wait))
    return now + DEFAULT_RATE_LIMIT_WAIT


def make_client(headers: Mapping[str, str] | None = None, *, timeout: float = 30.0) -> httpx.Client:
    if transport_override is None:
        return http.client(headers=dict(headers or {}), timeout=httpx.Timeout(timeout, connect=5.0))

    def check(request: httpx.Request) -> None:
        guard_url(str(request.url))

    return httpx.Client(
        transport=transport_override,
        headers={"User-Agent": http.USER_AGENT, **(headers or {})},
        event_hooks={"request": [check]},
        follow_redirects=False,
    )


class RestApi:
    """One network's HTTP API: a base URL, the headers every call carries and how its errors read."""

    def __init__(
        self, *, label: str, base_url: str, error_for: ErrorFor, headers: Mapping[str, str] | None = None
    ) -> None:
        self.label = label
        self.base_url = base_url.rstrip("/")
        self.error_for = error_for
        self.headers = dict(headers or {})

    def url(self, path: str) -> str:
        return path if path.startswith(("https://", "http://")) else self.base_url + path

    def call(
        self,
        method: str,
        path: str,
        *,
        sending: bool = False,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send one request; `sending` marks the call that creates a post (a lost answer is Unconfirmed)."""
        try:
            with make_client({**self.headers, **(headers or {})}) as client:
                response = client.request(method, self.url(path), **kwargs)
        except BlockedAddress as error:
            raise ConnectorError(
                _("OneVoice does not connect to this address: %(reason)s") % {"reason": error}, permanent=True
            ) from error
        except httpx.ConnectError as error:
            raise ConnectorError(
                _("OneVoice could not reach %(network)s. It will try again.") % {"network": self.label}
            ) from error
        except (httpx.TimeoutException, httpx.TransportError) as error:
            if sending and not isinstance(error, httpx.ConnectTimeout):
                raise Unconfirmed(
                    _(
                        "%(network)s did not answer in time after the post was sent. "
                        "OneVoice checks whether it was published before trying again."
                    )
                    % {"network": self.label}
                ) from error
            raise ConnectorError(
                _("OneVoice could not reach %(network)s. It will try again.") % {"network": self.label}
            ) from error
        if response.status_code >= 400:
            raise self.error_for(response, sending)
        return response

    def json(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        return body_of(self.call(method, path, **kwargs))


def generic_error(label: str, response: httpx.Response, message: str, *, sending: bool) -> ConnectorError:
    """The shared part of every network's mapping: 5xx transient (504 after sending unknown), 404, other 4xx."""
    status = response.status_code
    if status == 504 and sending:
        return Unconfirmed(
            _(
                "%(network)s did not answer in time after the post was sent. "
                "OneVoice checks whether it was published before trying again."
            )
            % {"network": label}
        )
    if status >= 500:
        return ConnectorError(
            _("%(network)s has a temporary problem (error %(status)s). OneVoice will try again.")
            % {"network": label, "status": status},
            permanent=False,
            status=status,
        )
    if status == 404:
        return ConnectorError(
            _("%(network)s cannot find this post or account; it may have been deleted.") % {"network": label},
            permanent=True,
            status=status,
        )
    return ConnectorError(
        _("%(network)s refused this: %(reason)s")
        % {"network": label, "reason": server_text(message) or status},
        permanent=True,
        status=status,
    )
