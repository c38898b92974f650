"""Connecting a Mastodon account: register OneVoice on the server, send the person to authorise, take the token.

Each Mastodon server is its own OAuth provider, so OneVoice registers itself once per server
(POST /api/v1/apps) and keeps that server's client id and secret; the views store them. These helpers
only speak to the server, through the guarded session, as the official documentation describes
(docs.joinmastodon.org: methods/apps, methods/oauth). Errors are the connector errors:
ConnectorError(permanent=...), RateLimited; a 401 from /oauth/token means the server no longer knows
the registration (servers before 4.3 removed unused ones), so register again.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import requests
from django.utils.translation import gettext as _

from onevoice.core.http import BlockedAddress
from onevoice.networks.connectors.base import ConnectorError
from onevoice.networks.connectors.mastodon.transport import (
    GuardedSession,
    error_for_network_failure,
    error_for_status,
    host_of,
    normalize_instance_url,
    server_text,
)

SCOPES = "read write"
CLIENT_NAME = "OneVoice"
TIMEOUT = 20.0


def _post(url: str, data: dict[str, str]) -> dict[str, Any]:
    host = host_of(url)
    try:
        with GuardedSession() as session:
            response = session.post(url, data=data, timeout=TIMEOUT, allow_redirects=False)
    except (BlockedAddress, requests.RequestException) as error:
        raise error_for_network_failure(error, host=host) from error
    try:
        body = response.json()
    except ValueError:
        body = None
    if not response.ok:
        details = body if isinstance(body, dict) else {}
        message = str(details.get("error_description") or details.get("error") or response.reason or "")
        if response.status_code == 401:
            raise ConnectorError(
                _(
                    "Mastodon (%(host)s) no longer knows OneVoice's registration. "
                    "Start connecting again; OneVoice registers anew."
                )
                % {"host": host},
                permanent=True,
                status=401,
            )
        raise error_for_status(response.status_code, message, host=host, headers=response.headers)
    if not isinstance(body, dict):
        raise ConnectorError(
            _("%(host)s does not answer like a Mastodon server. Check the address.") % {"host": host},
            permanent=True,
            status=response.status_code,
        )
    return body


def register_app(
    instance_url: str, redirect_uri: str, *, client_name: str = CLIENT_NAME, website: str = ""
) -> tuple[str, str]:
    """Register OneVoice on the server (POST /api/v1/apps); returns (client_id, client_secret)."""
    data = {"client_name": client_name, "redirect_uris": redirect_uri, "scopes": SCOPES}
    if website:
        data["website"] = website
    body = _post(f"{normalize_instance_url(instance_url)}/api/v1/apps", data)
    client_id, client_secret = body.get("client_id"), body.get("client_secret")
    if not client_id or not client_secret:
        raise ConnectorError(
            _("%(host)s did not register OneVoice. Check the address of the server.")
            % {"host": host_of(instance_url)},
            permanent=True,
        )
    return str(client_id), str(client_secret)


def authorization_url(
    instance_url: str, client_id: str, redirect_uri: str, state: str, *, language: str = ""
) -> str:
    """Where to send the person: the server's authorisation form (GET /oauth/authorize), asking for read and write."""
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": SCOPES,
        "state": state,
    }
    if language:
        params["lang"] = language
    return f"{normalize_instance_url(instance_url)}/oauth/authorize?{urlencode(params)}"


def exchange_code(instance_url: str, client_id: str, client_secret: str, redirect_uri: str, code: str) -> str:
    """Trade the code from the redirect for an access token (POST /oauth/token, authorization_code)."""
    body = _post(
        f"{normalize_instance_url(instance_url)}/oauth/token",
        {
            "grant_type": "authorization_code",
            "code": code,
            "client_id": client_id,
            "client_secret": client_secret,
            "redirect_uri": redirect_uri,
            "scope": SCOPES,
        },
    )
    token = body.get("access_token")
    if not token:
        raise ConnectorError(
            _("Mastodon (%(host)s) did not hand out access. Start connecting again.")
            % {"host": host_of(instance_url)},
            permanent=True,
        )
    granted = str(body.get("scope") or SCOPES).split()
    if not {"read", "write"} <= set(granted):
        raise ConnectorError(
            _(
                "The account allowed only “%(scope)s”; OneVoice needs to read and to write. Connect again and allow both."
            )
            % {"scope": server_text(" ".join(granted))},
            permanent=True,
        )
    return str(token)


def revoke(instance_url: str, client_id: str, client_secret: str, token: str) -> None:
    """Withdraw the access token (POST /oauth/revoke); revoking twice is harmless."""
    _post(
        f"{normalize_instance_url(instance_url)}/oauth/revoke",
        {"client_id": client_id, "client_secret": client_secret, "token": token},
    )
