"""The OpenID Connect relying party: discovery, the authorization request (code flow with PKCE, state and
nonce), the code exchange and the checks on the ID token.

Written on httpx (through `onevoice.core.http`, with its SSRF guard) and joserfc rather than on
mozilla-django-oidc: that library reads one provider from the settings, while here every organisation
brings its own provider, chosen per request by the e-mail domain.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from onevoice.core import http

# Signing algorithms accepted for ID tokens; "none" and symmetric algorithms never.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
CLOCK_LEEWAY_SECONDS = 60
REQUIRED_METADATA = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")


class ProviderError(Exception):
    """The provider could not be reached or answered something unusable; the message says what."""


class TokenRejected(Exception):
    """The ID token failed a check (signature, issuer, audience, expiry, nonce); never log the user in."""


@dataclass(frozen=True)
class AuthorizationRequest:
    url: str
    state: str
    nonce: str
    code_verifier: str


def discovery_url(issuer: str) -> str:
    issuer = issuer.strip()
    if issuer.endswith("/.well-known/openid-configuration"):
        return issuer
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def _get_json(url: str, **kwargs: Any) -> dict[str, Any]:
    try:
        with http.client(retries=1) as client:
            response = client.get(url, **kwargs)
    except http.BlockedAddress as error:
        raise ProviderError(f"blocked: {error}") from error
    except httpx.HTTPError as error:
        raise ProviderError(f"unreachable: {error.__class__.__name__}") from error
    if response.status_code != 200:
        raise ProviderError(f"HTTP {response.status_code} from {url}")
    try:
        data = response.json()
    except ValueError as error:
        raise ProviderError(f"not JSON: {url}") from error
    if not isinstance(data, dict):
        raise ProviderError(f"not a JSON object: {url}")
    return data


def fetch_discovery(issuer: str) -> dict[str, Any]:
    """Fetch and check the provider's metadata (OpenID Connect Discovery 1.0, section 4.3)."""
    data = _get_json(discovery_url(issuer))
    missing = [key for key in REQUIRED_METADATA if not data.get(key)]
    if missing:
        raise ProviderError(f"the discovery document lacks {', '.join(missing)}")
    expected = issuer.strip().removesuffix("/.well-known/openid-configuration").rstrip("/")
    if str(data["issuer"]).rstrip("/") != expected:
        raise ProviderError(f"the discovery document names the issuer {data['issuer']}, not {expected}")
    if "code" not in data.get("response_types_supported", ["code"]):
        raise ProviderError("the provider does not support the authorization code flow")
    methods = data.get("code_challenge_methods_supported")
    if methods is not None and "S256" not in methods:
        raise ProviderError("the provider does not support PKCE with S256")
    return data


def fetch_jwks(discovery: dict[str, Any]) -> KeySet:
    data = _get_json(str(discovery["jwks_uri"]))
    try:
        return KeySet.import_key_set(data)  # type: ignore[arg-type]
    except (JoseError, ValueError, KeyError, TypeError) as error:
        raise ProviderError("the provider's signing keys (JWKS) cannot be read") from error


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorization_request(
    *, discovery: dict[str, Any], client_id: str, redirect_uri: str, scopes: str, login_hint: str = ""
) -> AuthorizationRequest:
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)
    scope_list = scopes.split()
    if "openid" not in scope_list:
        scope_list.insert(0, "openid")
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": " ".join(scope_list),
        "state": state,
        "nonce": nonce,
        "code_challenge": _s256(verifier),
        "code_challenge_method": "S256",
    }
    if login_hint:
        params["login_hint"] = login_hint
    endpoint = str(discovery["authorization_endpoint"])
    separator = "&" if "?" in endpoint else "?"
    return AuthorizationRequest(
        url=f"{endpoint}{separator}{urlencode(params)}", state=state, nonce=nonce, code_verifier=verifier
    )


def exchange_code(
    *,
    discovery: dict[str, Any],
    client_id: str,
    client_secret: str,
    code: str,
    redirect_uri: str,
    code_verifier: str,
) -> dict[str, Any]:
    """Trade the authorization code for tokens at the token endpoint (client_secret_post or public client)."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": client_id,
        "code_verifier": code_verifier,
    }
    if client_secret:
        form["client_secret"] = client_secret
    try:
        with http.client(retries=1) as client:
            response = client.post(
                str(discovery["token_endpoint"]), data=form, headers={"Accept": "application/json"}
            )
    except http.BlockedAddress as error:
        raise ProviderError(f"blocked: {error}") from error
    except httpx.HTTPError as error:
        raise ProviderError(f"unreachable: {error.__class__.__name__}") from error
    try:
        data = response.json()
    except ValueError:
        data = {}
    if response.status_code != 200 or not isinstance(data, dict) or not data.get("id_token"):
        detail = data.get("error", "") if isinstance(data, dict) else ""
        raise ProviderError(f"the token endpoint answered HTTP {response.status_code} {detail}".strip())
    return data


def verify_id_token(
    *, id_token: str, keys: KeySet, issuer: str, client_id: str, nonce: str, now: int | None = None
) -> dict[str, Any]:
    """Check signature (JWKS), iss, aud (and azp), exp, iat and nonce; return the claims."""
    try:
        token = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
    except (JoseError, ValueError) as error:
        raise TokenRejected(f"signature: {error.__class__.__name__}") from error
    claims = dict(token.claims)
    registry = jwt.JWTClaimsRegistry(
        now=now if now is not None else int(time.time()),
        leeway=CLOCK_LEEWAY_SECONDS,
        iss={"essential": True, "value": issuer.rstrip("/")},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    claims_for_check = {**claims, "iss": str(claims.get("iss", "")).rstrip("/")}
    try:
        registry.validate(claims_for_check)
    except JoseError as error:
        raise TokenRejected(f"claims: {error}") from error
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if client_id not in audiences:
        raise TokenRejected("claims: the token is meant for another client (aud)")
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise TokenRejected("claims: the token names several audiences but not us as azp")
    return claims


def fetch_userinfo(discovery: dict[str, Any], access_token: str) -> dict[str, Any]:
    endpoint = discovery.get("userinfo_endpoint")
    if not endpoint or not access_token:
        return {}
    return _get_json(str(endpoint), headers={"Authorization": f"Bearer {access_token}"})
