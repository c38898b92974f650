"""Token management pages, under /o/<org>/api-tokens/."""

from django.urls import URLPattern, URLResolver

app_name = "api_tokens"

urlpatterns: list[URLPattern | URLResolver] = []
