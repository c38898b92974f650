"""URLs of webhooks, under /o/<org>/webhooks/."""

from django.urls import URLPattern, URLResolver

app_name = "webhooks"

urlpatterns: list[URLPattern | URLResolver] = []
