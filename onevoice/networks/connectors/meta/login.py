"""Facebook Login for Facebook Pages and Instagram professional accounts: long-lived tokens and the Pages.

After the code exchange the short-lived user token (about two hours) is traded for a long-lived one
(grant_type=fb_exchange_token, about 60 days); Page tokens read with a long-lived user token do not
expire (developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived). The Pages and
their linked Instagram accounts come from GET /me/accounts; the permissions granted from GET /me/permissions.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from onevoice.networks.connectors.base import ConnectorError
from onevoice.networks.connectors.meta.graph import DEFAULT_VERSION, GRAPH, error_for
from onevoice.networks.connectors.rest import RestApi
from onevoice.networks.oauth import AccountChoice, OAuthProvider, TokenSet

FACEBOOK_SCOPES = (
    "pages_show_list",
    "pages_read_engagement",
    "pages_manage_posts",
    "pages_read_user_content",
    "pages_manage_engagement",
)
INSTAGRAM_SCOPES = (
    "pages_show_list",
    "pages_read_engagement",
    "business_management",
    "instagram_basic",
    "instagram_content_publish",
    "instagram_manage_comments",
)


def provider(network: str, label: str, scopes: tuple[str, ...]) -> OAuthProvider:
    return OAuthProvider(
        network=network,
        label=label,
        authorize_endpoint="https://www.facebook.com/{version}/dialog/oauth",
        exchange_endpoint=GRAPH + "/{version}/oauth/access_token",
        scopes=scopes,
        scope_separator=",",
        default_api_version=DEFAULT_VERSION,
        developer_portal="https://developers.facebook.com/apps/",
    )


def pages(
    token: TokenSet,
    *,
    client_id: str,
    client_secret: str,
    api_version: str,
    label: str,
    scopes: tuple[str, ...],
) -> list[dict[str, Any]]:
    """The Pages the person manages, with Page tokens read through a long-lived user token."""
    version = api_version or DEFAULT_VERSION
    api = RestApi(label=label, base_url=f"{GRAPH}/{version}", error_for=error_for(label))
    long_lived = api.json(
        "POST",
        "/oauth/access_token",
        data={
            "grant_type": "fb_exchange_token",
            "client_id": client_id,
            "client_secret": client_secret,
            "fb_exchange_token": token.access_token,
        },
    )
    user_token = str(long_lived.get("access_token") or token.access_token)
    auth = {"Authorization": f"Bearer {user_token}"}
    granted = api.json("GET", "/me/permissions", headers=auth)
    have = {p.get("permission") for p in granted.get("data") or [] if p.get("status") == "granted"}
    missing = [s for s in scopes if s not in have]
    if missing:
        raise ConnectorError(
            _(
                "%(network)s did not grant the permission %(scopes)s. Allow it when signing in; if it is not "
                "offered, the app needs it approved in Meta's App Review."
            )
            % {"network": label, "scopes": ", ".join(missing)},
            permanent=True,
        )
    fields = "id,name,username,link,access_token,picture{url},instagram_business_account{id,username,name,profile_picture_url}"
    body = api.json("GET", "/me/accounts", params={"fields": fields, "limit": "100"}, headers=auth)
    return [p for p in body.get("data") or [] if isinstance(p, dict) and p.get("access_token")]


def facebook_accounts(
    token: TokenSet, *, client_id: str, client_secret: str, api_version: str
) -> list[AccountChoice]:
    result = []
    for page in pages(
        token,
        client_id=client_id,
        client_secret=client_secret,
        api_version=api_version,
        label="Facebook",
        scopes=FACEBOOK_SCOPES,
    ):
        page_id = str(page["id"])
        result.append(
            AccountChoice(
                external_id=page_id,
                handle=str(page.get("username") or page_id),
                display_name=str(page.get("name") or ""),
                kind="page",
                credentials={"access_token": str(page["access_token"])},
                config={"page_id": page_id, "api_version": api_version},
                avatar_url=str((((page.get("picture") or {}).get("data")) or {}).get("url") or ""),
                profile_url=str(page.get("link") or f"https://www.facebook.com/{page_id}"),
            )
        )
    return result


def instagram_accounts(
    token: TokenSet, *, client_id: str, client_secret: str, api_version: str
) -> list[AccountChoice]:
    result = []
    for page in pages(
        token,
        client_id=client_id,
        client_secret=client_secret,
        api_version=api_version,
        label="Instagram",
        scopes=INSTAGRAM_SCOPES,
    ):
        account = page.get("instagram_business_account") or {}
        if not account.get("id"):
            continue
        username = str(account.get("username") or account["id"])
        result.append(
            AccountChoice(
                external_id=str(account["id"]),
                handle=username,
                display_name=str(account.get("name") or username),
                kind="professional",
                credentials={"access_token": str(page["access_token"])},
                config={
                    "ig_user_id": str(account["id"]),
                    "page_id": str(page["id"]),
                    "api_version": api_version,
                },
                avatar_url=str(account.get("profile_picture_url") or ""),
                profile_url=f"https://www.instagram.com/{username}/",
            )
        )
    return result
