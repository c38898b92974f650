"""What a Bluesky (XRPC) failure means for OneVoice: the connector's typed errors, in plain words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from atproto_client.exceptions import LoginRequiredError, RequestErrorBase
from django.utils.translation import gettext as _

from onevoice.core.http import BlockedAddress
from onevoice.networks.connectors.base import AuthExpired, ConnectorError, RateLimited, Unconfirmed

# XRPC error names that mean "these credentials no longer open the account".
AUTH_ERRORS = frozenset(
    {"ExpiredToken", "InvalidToken", "AuthenticationRequired", "AuthMissing", "AuthFactorTokenRequired"}
)
ACCOUNT_ERRORS = frozenset({"AccountTakedown", "AccountDeactivated"})
# What a server says when it does not serve an app.bsky.* method (no AppView behind the PDS).
NOT_SERVED_STATUSES = frozenset({404, 501, 502})
NOT_SERVED_ERRORS = frozenset({"MethodNotImplemented", "XRPCNotSupported"})
DEFAULT_RETRY_AFTER = timedelta(seconds=60)

# Transport failures before the request left this machine: nothing can have happened on Bluesky.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


def status_of(error: BaseException) -> int | None:
    if isinstance(error, RequestErrorBase) and error.response is not None:
        return int(error.response.status_code)
    return None


def error_name(error: BaseException) -> str:
    """The XRPC error name (`InvalidRequest`, `ExpiredToken` …) of a failed request, or ""."""
    if isinstance(error, RequestErrorBase) and error.response is not None:
        content = error.response.content
        name = getattr(content, "error", None)
        if isinstance(name, str):
            return name
    return ""


def server_message(error: BaseException) -> str:
    if isinstance(error, RequestErrorBase) and error.response is not None:
        message = getattr(error.response.content, "message", None)
        if isinstance(message, str) and message:
            return message[:300]
    return ""


def headers_of(error: BaseException) -> dict[str, Any]:
    if isinstance(error, RequestErrorBase) and error.response is not None:
        return {str(k).lower(): v for k, v in (error.response.headers or {}).items()}
    return {}


def transport_error(error: BaseException) -> httpx.HTTPError | None:
    """The httpx error behind a failed request (the SDK wraps timeouts and network errors)."""
    if isinstance(error, httpx.HTTPError):
        return error
    cause = error.__cause__
    return cause if isinstance(cause, httpx.HTTPError) else None


def is_auth_error(error: BaseException) -> bool:
    return (
        isinstance(error, LoginRequiredError) or status_of(error) == 401 or error_name(error) in AUTH_ERRORS
    )


def is_not_served(error: BaseException) -> bool:
    """True when the PDS answers that nothing behind it serves the method (no AppView)."""
    return status_of(error) in NOT_SERVED_STATUSES or error_name(error) in NOT_SERVED_ERRORS


def lost_after_sending(error: BaseException) -> bool:
    """True when the request may have reached Bluesky but no answer came back."""
    if status_of(error) is not None:
        return False
    cause = transport_error(error)
    return cause is not None and not isinstance(cause, NOT_SENT)


def retry_after_of(error: BaseException, now: datetime | None = None) -> datetime:
    """When to try again: `ratelimit-reset` (epoch seconds), else `retry-after`, else a minute."""
    now = now or datetime.now(UTC)
    headers = headers_of(error)
    reset = str(headers.get("ratelimit-reset", "")).strip()
    if reset.isdigit():
        return max(datetime.fromtimestamp(int(reset), tz=UTC), now)
    retry_after = str(headers.get("retry-after", "")).strip()
    if retry_after:
        try:
            return now + timedelta(seconds=max(float(retry_after), 0.0))
        except ValueError:
            pass
        try:
            moment = parsedate_to_datetime(retry_after)
        except (TypeError, ValueError):
            moment = None
        if moment is not None:
            return max(moment if moment.tzinfo else moment.replace(tzinfo=UTC), now).astimezone(UTC)
    return now + DEFAULT_RETRY_AFTER


def to_connector_error(error: BaseException, *, unconfirmed_if_sent: bool = False) -> ConnectorError:
    """Translate an SDK or transport failure into the connector's errors."""
    if isinstance(error, ConnectorError):
        return error
    if isinstance(error, BlockedAddress):
        return ConnectorError(
            _("OneVoice may not connect to this Bluesky server address. Check the server of the channel."),
            permanent=True,
        )
    status = status_of(error)
    name = error_name(error)
    detail = server_message(error) or name
    if name in ACCOUNT_ERRORS:
        return AuthExpired(
            _("Bluesky has deactivated or suspended this account (%(detail)s).") % {"detail": detail},
            status=status,
        )
    if name == "AuthFactorTokenRequired":
        return AuthExpired(
            _("Bluesky asks for a sign-in code. Connect the channel with an app password instead."),
            status=status,
        )
    if is_auth_error(error):
        return AuthExpired(
            _(
                "Bluesky no longer accepts the sign-in of this channel. Create a new app password "
                "on Bluesky and reconnect the channel."
            ),
            status=status,
        )
    if status == 429:
        retry_after = retry_after_of(error)
        return RateLimited(
            _("Bluesky asks OneVoice to slow down; it will try again after %(time)s (UTC).")
            % {"time": retry_after.strftime("%H:%M:%S")},
            retry_after=retry_after,
        )
    if status is not None and status >= 500:
        return ConnectorError(
            _("Bluesky is having trouble right now (%(detail)s). OneVoice will try again later.")
            % {"detail": f"{status} {detail}".strip()},
            permanent=False,
            status=status,
        )
    if status is not None:
        return ConnectorError(
            _("Bluesky refused the request: %(detail)s") % {"detail": detail or status},
            permanent=True,
            status=status,
        )
    if unconfirmed_if_sent and lost_after_sending(error):
        return Unconfirmed(
            _(
                "The connection to Bluesky broke off after the post was sent, so it is not known whether "
                "it was published. OneVoice will look it up before trying again."
            )
        )
    return ConnectorError(
        _("OneVoice could not reach Bluesky (%(detail)s). It will try again later.")
        % {"detail": type(transport_error(error) or error).__name__},
        permanent=False,
    )
