"""URLs of workload (filled in by its slice)."""

from django.urls import URLPattern, URLResolver

app_name = "workload"

urlpatterns: list[URLPattern | URLResolver] = []
