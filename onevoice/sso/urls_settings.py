"""An organisation's single sign-on settings, under /o/<org>/sso/."""

from django.urls import URLPattern, URLResolver

app_name = "sso_settings"

urlpatterns: list[URLPattern | URLResolver] = []
