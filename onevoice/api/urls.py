"""The REST API under /api/ (django-ninja; see onevoice/api)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
