"""Connecting LinkedIn: the pages the signed-in member administers (Community Management API), or the member.

Organisations come from GET /rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED and
GET /rest/organizations/{id}; the member from the OpenID Connect GET /v2/userinfo.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import Any

from onevoice.networks.connectors.linkedin.connector import (
    API,
    MEMBER_SCOPES,
    ORGANIZATION_SCOPES,
    PROVIDER,
    error_for,
)
from onevoice.networks.connectors.rest import RestApi
from onevoice.networks.oauth import AccountChoice, OAuthProvider, TokenSet

__all__ = ["PROVIDER", "accounts", "provider_for"]


def provider_for(kind: str) -> OAuthProvider:
    """The organisation flow asks for page permissions; the member flow for the profile, with PKCE."""
    if kind == "member":
        return replace(PROVIDER, scopes=MEMBER_SCOPES, pkce=True)
    return replace(PROVIDER, scopes=ORGANIZATION_SCOPES)


def accounts(
    token: TokenSet, *, client_id: str, client_secret: str, api_version: str, kind: str
) -> list[AccountChoice]:
    api = RestApi(
        label="LinkedIn",
        base_url=API,
        error_for=error_for,
        headers={
            "Authorization": f"Bearer {token.access_token}",
            "Linkedin-Version": api_version or PROVIDER.default_api_version,
            "X-Restli-Protocol-Version": "2.0.0",
        },
    )
    credentials: dict[str, Any] = {
        **token.credentials(),
        "client_id": client_id,
        "client_secret": client_secret,
    }
    config = {"api_version": api_version}
    if kind == "member":
        me = api.json("GET", "/v2/userinfo")
        urn = f"urn:li:person:{me.get('sub')}"
        return [
            AccountChoice(
                external_id=urn,
                handle=str(me.get("email") or me.get("name") or urn),
                display_name=str(me.get("name") or ""),
                kind="member",
                credentials=credentials,
                config={**config, "author_urn": urn},
                avatar_url=str(me.get("picture") or ""),
            )
        ]
    acls = api.json(
        "GET",
        "/rest/organizationAcls",
        params={"q": "roleAssignee", "role": "ADMINISTRATOR", "state": "APPROVED"},
    )
    choices = []
    for element in acls.get("elements") or []:
        urn = str(element.get("organization") or "")
        if not urn.startswith("urn:li:organization:"):
            continue
        org = api.json("GET", f"/rest/organizations/{urn.rsplit(':', 1)[1]}")
        vanity = str(org.get("vanityName") or urn.rsplit(":", 1)[1])
        choices.append(
            AccountChoice(
                external_id=urn,
                handle=vanity,
                display_name=str(org.get("localizedName") or vanity),
                kind="organization",
                credentials=credentials,
                config={**config, "author_urn": urn},
                profile_url=f"https://www.linkedin.com/company/{vanity}/",
            )
        )
    return choices


MODULE = sys.modules[__name__]
