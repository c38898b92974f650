"""The REST API under /api/ (django-ninja; see onevoice/api/v1)."""

from django.urls import URLPattern, URLResolver, path

from onevoice.api.v1.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("v1/", api.urls),
]
