"""URLs of enablement, under /o/<org>/enablement/."""

from django.urls import URLPattern, URLResolver

app_name = "enablement"

urlpatterns: list[URLPattern | URLResolver] = []
