"""urls_cases of the inbox (filled in by its slice)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
