"""The OpenID Connect login flow, under /sso/."""

from django.urls import URLPattern, URLResolver

app_name = "sso"

urlpatterns: list[URLPattern | URLResolver] = []
