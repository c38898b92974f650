"""The NinjaAPI of /api/v1/: routers, the OpenAPI 3.1 document and the interactive docs (local files)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI, Status
from ninja.openapi.docs import DocsBase

from onevoice.api.v1 import analytics, audit, calendar, cases, channels, posts, requests
from onevoice.api.v1.core import ERRORS, JsonParser, TokenAuth, install_error_handlers
from onevoice.api.v1.schemas import MeOut

DESCRIPTION = """The REST API of OneVoice. Authenticate with an access token created under
**API tokens** in OneVoice (`Authorization: Bearer ov_…`). Every endpoint applies the same permission
checks as the pages: a token does at most what its scopes *and* its person's role allow. Errors come as
`{"error": {"code", "message", "details"}}`, with messages in the language of `Accept-Language` (de, en)."""


class LocalSwagger(DocsBase):
    """Swagger UI from the files django-ninja ships, served by OneVoice itself (no CDN)."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        return render(
            request,
            "api/docs.html",
            {
                "api": api,
                "openapi_url": self.get_openapi_url(api, kwargs),
            },
        )


api = NinjaAPI(
    title="OneVoice API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=TokenAuth(),
    parser=JsonParser(),
    docs=LocalSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)

for module in (posts, requests, calendar, cases, channels, analytics, audit):
    api.add_router("/", module.router)


@api.get("/me", response={200: MeOut, **ERRORS}, tags=["tokens"], summary="The token in use")
def me(request: HttpRequest) -> dict[str, Any]:
    """Which token this is, whom it acts as, its scopes and expiry: a first call to check a set-up."""
    token = request.auth  # type: ignore[attr-defined]
    member = request.api_member  # type: ignore[attr-defined]
    return {
        "token": token.masked,
        "kind": token.kind,
        "name": token.name,
        "scopes": token.scopes,
        "expires_at": token.expires_at,
        "organization": member.organization.slug,
        "acting_as": member.user.full_name or member.user.email,
        "role": member.role,
    }


@api.get("/health", auth=None, tags=["tokens"], summary="Is the API up?")
def health(request: HttpRequest) -> dict[str, str]:
    return {"status": "ok"}


@api.get(
    "/ready",
    auth=None,
    tags=["tokens"],
    summary="Can the API serve? (asks the database)",
    response={200: dict[str, str], 503: dict[str, str]},
)
def ready(request: HttpRequest) -> Status:
    """For a load balancer's readiness check: one round trip to the database."""
    from django.db import DatabaseError, connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return Status(503, {"status": "database unavailable"})
    return Status(200, {"status": "ok"})
