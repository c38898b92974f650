"""The REST API under /api/ (django-ninja; see onevoice/api/v1)."""

from pathlib import Path

import ninja
from django.http import FileResponse, Http404, HttpRequest
from django.urls import URLPattern, URLResolver, path
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from onevoice.api.v1.api import api

ASSETS = Path(ninja.__file__).parent / "static" / "ninja"
ASSET_NAMES = {"swagger-ui-bundle.js", "swagger-ui.css", "favicon.png", "favicon.svg"}


@require_GET
@cache_control(public=True, max_age=86400)
def docs_asset(request: HttpRequest, name: str) -> FileResponse:
    """The Swagger UI files shipped with django-ninja (its version), served here instead of from a CDN."""
    if name not in ASSET_NAMES:
        raise Http404
    return FileResponse((ASSETS / name).open("rb"))


urlpatterns: list[URLPattern | URLResolver] = [
    path("v1/docs/assets/<str:name>", docs_asset, name="api-docs-asset"),
    path("v1/", api.urls),
]
