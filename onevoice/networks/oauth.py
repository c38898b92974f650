"""OAuth 2.0 with the organisation's own app registration: state, PKCE, code exchange, refresh.

Each OAuth network's package has an `oauth` module with its `PROVIDER` (endpoints, scopes, PKCE or not)
and `accounts(...)`, which turns a fresh token into the accounts it opens (a LinkedIn member and the
pages they administer, the Facebook Pages of a person …). `OAUTH_NETWORKS` lists the networks whose
connector is finished; only these are offered in the UI.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar, Protocol
from urllib.parse import urlencode

import httpx
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from onevoice.networks.connectors.base import AuthExpired, Connector, ConnectorError
from onevoice.networks.connectors.rest import RestApi, body_of, generic_error, server_text

OAUTH_NETWORKS: dict[str, str] = {
    "linkedin": "onevoice.networks.connectors.linkedin.oauth",
    "facebook": "onevoice.networks.connectors.facebook.connector",
    "instagram": "onevoice.networks.connectors.instagram.connector",
    "threads": "onevoice.networks.connectors.threads.connector",
    "x": "onevoice.networks.connectors.x.connector",
}


@dataclass(frozen=True)
class OAuthProvider:
    network: str
    label: str
    authorize_endpoint: str  # may contain {version}
    exchange_endpoint: str  # may contain {version}
    scopes: tuple[str, ...]
    pkce: bool = False
    scope_separator: str = " "
    client_auth: str = "body"  # "basic": client id + secret as HTTP Basic (X)
    default_api_version: str = ""
    # Where the admin creates the app, shown next to the callback URL.
    developer_portal: str = ""
    # Kinds of account the flow can connect, e.g. ("organization", "member") for LinkedIn.
    account_kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    refresh_token: str = ""
    expires_at: int = 0  # epoch seconds; 0: the network said nothing
    refresh_expires_at: int = 0
    scope: tuple[str, ...] = ()

    def credentials(self) -> dict[str, Any]:
        values: dict[str, Any] = {"access_token": self.access_token}
        if self.refresh_token:
            values["refresh_token"] = self.refresh_token
        if self.expires_at:
            values["expires_at"] = self.expires_at
        if self.refresh_expires_at:
            values["refresh_expires_at"] = self.refresh_expires_at
        return values


@dataclass(frozen=True)
class AccountChoice:
    """One account a fresh sign-in can connect, with the credentials and config its channel keeps."""

    external_id: str
    handle: str
    display_name: str
    kind: str  # organization, member, page, professional, profile, user
    credentials: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    avatar_url: str = ""
    profile_url: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "external_id": self.external_id,
            "handle": self.handle,
            "display_name": self.display_name,
            "kind": self.kind,
            "credentials": self.credentials,
            "config": self.config,
            "avatar_url": self.avatar_url,
            "profile_url": self.profile_url,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AccountChoice:
        return cls(**data)


class NetworkOAuth(Protocol):
    PROVIDER: OAuthProvider

    def provider_for(self, kind: str) -> OAuthProvider: ...

    def accounts(
        self, token: TokenSet, *, client_id: str, client_secret: str, api_version: str, kind: str
    ) -> list[AccountChoice]: ...


def network_oauth(network: str) -> NetworkOAuth:
    module: NetworkOAuth = import_string(OAUTH_NETWORKS[network] + ".MODULE")
    return module


def provider(network: str, kind: str = "") -> OAuthProvider:
    return network_oauth(network).provider_for(kind)


# ---- the flow ----------------------------------------------------------------------------------------


def new_state() -> str:
    return secrets.token_urlsafe(32)


def pkce_pair() -> tuple[str, str]:
    """(verifier, S256 challenge) as RFC 7636 describes them."""
    verifier = secrets.token_urlsafe(64)[:96]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorization_url(
    oauth: OAuthProvider,
    *,
    client_id: str,
    redirect_uri: str,
    state: str,
    code_challenge: str = "",
    api_version: str = "",
    scopes: tuple[str, ...] | None = None,
) -> str:
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": oauth.scope_separator.join(scopes or oauth.scopes),
        "state": state,
    }
    if code_challenge:
        params["code_challenge"] = code_challenge
        params["code_challenge_method"] = "S256"
    base = oauth.authorize_endpoint.format(version=api_version or oauth.default_api_version)
    return f"{base}?{urlencode(params)}"


def _token_error(oauth: OAuthProvider) -> Any:
    def error_for(response: httpx.Response, sending: bool) -> ConnectorError:
        body = body_of(response)
        error = body.get("error")
        if isinstance(error, dict):  # Meta: {"error": {"message": …, "code": …}}
            message = str(error.get("message") or "")
        else:
            message = str(body.get("error_description") or error or body.get("message") or "")
        if response.status_code in (400, 401) and (
            "client" in message.lower() or error in ("invalid_client", "unauthorized_client")
        ):
            return ConnectorError(
                _(
                    "%(network)s does not accept the app registration (%(reason)s). "
                    "Check the client id and secret under Channels → App registrations."
                )
                % {"network": oauth.label, "reason": server_text(message)},
                permanent=True,
                status=response.status_code,
            )
        if response.status_code in (400, 401):
            return ConnectorError(
                _("%(network)s did not hand out access (%(reason)s). Start connecting again.")
                % {"network": oauth.label, "reason": server_text(message) or response.status_code},
                permanent=True,
                status=response.status_code,
            )
        return generic_error(oauth.label, response, message, sending=sending)

    return error_for


def _token_set(body: dict[str, Any], oauth: OAuthProvider) -> TokenSet:
    token = body.get("access_token")
    if not token:
        raise ConnectorError(
            _("%(network)s did not hand out access. Start connecting again.") % {"network": oauth.label},
            permanent=True,
        )
    now = int(time.time())
    expires_in = body.get("expires_in")
    refresh_in = body.get("refresh_token_expires_in")
    scope = body.get("scope") or ""
    return TokenSet(
        access_token=str(token),
        refresh_token=str(body.get("refresh_token") or ""),
        expires_at=now + int(expires_in) if isinstance(expires_in, int | float) and expires_in else 0,
        refresh_expires_at=now + int(refresh_in) if isinstance(refresh_in, int | float) and refresh_in else 0,
        scope=tuple(str(scope).replace(",", " ").split()),
    )


def token_request(
    oauth: OAuthProvider, *, client_id: str, client_secret: str, data: dict[str, str], api_version: str = ""
) -> TokenSet:
    api = RestApi(label=oauth.label, base_url="", error_for=_token_error(oauth))
    url = oauth.exchange_endpoint.format(version=api_version or oauth.default_api_version)
    form = dict(data)
    auth: tuple[str, str] | None = None
    if oauth.client_auth == "basic":
        auth = (client_id, client_secret)
        form["client_id"] = client_id
    else:
        form.update({"client_id": client_id, "client_secret": client_secret})
    return _token_set(api.json("POST", url, data=form, auth=auth), oauth)


def exchange_code(
    oauth: OAuthProvider,
    *,
    client_id: str,
    client_secret: str,
    redirect_uri: str,
    code: str,
    code_verifier: str = "",
    api_version: str = "",
) -> TokenSet:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    if code_verifier:
        data["code_verifier"] = code_verifier
    return token_request(
        oauth, client_id=client_id, client_secret=client_secret, data=data, api_version=api_version
    )


def refresh(
    oauth: OAuthProvider, *, client_id: str, client_secret: str, refresh_token: str, api_version: str = ""
) -> TokenSet:
    return token_request(
        oauth,
        client_id=client_id,
        client_secret=client_secret,
        data={"grant_type": "refresh_token", "refresh_token": refresh_token},
        api_version=api_version,
    )


def missing_scopes(token: TokenSet, needed: tuple[str, ...]) -> list[str]:
    """The permissions asked for that the person (or the app's review) did not grant."""
    if not token.scope:
        return []  # the network did not say; the first call will tell
    return [s for s in needed if s not in token.scope]


def expires_within(credentials: dict[str, Any], seconds: int) -> bool:
    expires_at = int(credentials.get("expires_at") or 0)
    return bool(expires_at) and expires_at - time.time() < seconds


def can_refresh(credentials: dict[str, Any]) -> bool:
    if not credentials.get("refresh_token"):
        return False
    refresh_expires_at = int(credentials.get("refresh_expires_at") or 0)
    return not refresh_expires_at or refresh_expires_at > time.time()


# ---- connectors on OAuth tokens ------------------------------------------------------------------


class OAuthConnector(Connector):
    """A connector whose access token may expire: refreshed shortly before, where the network allows."""

    oauth_provider: ClassVar[OAuthProvider]
    refresh_margin_seconds: ClassVar[int] = 600
    # Networks whose pinned version is retired on a known date: version → sunset (see api_version_sunset).
    default_api_version: ClassVar[str] = ""

    @property
    def api_version(self) -> str:
        return str(self.config.get("api_version") or self.default_api_version)

    @classmethod
    def api_version_sunset(cls, version: str) -> date | None:
        """When the network stops answering this version; None when it does not version its API."""
        return None

    def token(self) -> str:
        """The access token, refreshed first when it runs out within the margin and can be refreshed."""
        credentials = self.credentials
        if expires_within(credentials, self.refresh_margin_seconds) and self.can_refresh():
            self.credentials_changed({**credentials, **self.refreshed_credentials()})
        elif expires_within(credentials, 0):
            raise AuthExpired(
                _("The access to %(network)s has expired. Connect the channel again.")
                % {"network": self.label}
            )
        return str(self.credentials.get("access_token") or "")

    def can_refresh(self) -> bool:
        return can_refresh(self.credentials) and bool(self.credentials.get("client_id"))

    def refreshed_credentials(self) -> dict[str, Any]:
        """New credentials from the refresh token (OAuth 2.0 refresh_token grant); networks may override."""
        try:
            token = refresh(
                self.oauth_provider,
                client_id=str(self.credentials.get("client_id") or ""),
                client_secret=str(self.credentials.get("client_secret") or ""),
                refresh_token=str(self.credentials.get("refresh_token") or ""),
                api_version=self.api_version,
            )
        except ConnectorError as error:
            if error.permanent:
                raise AuthExpired(
                    _("%(network)s did not renew the access: %(reason)s Connect the channel again.")
                    % {"network": self.label, "reason": error.message}
                ) from error
            raise
        return token.credentials()
