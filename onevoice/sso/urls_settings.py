"""An organisation's single sign-on settings, under /o/<org>/sso/."""

from django.urls import URLPattern, URLResolver, path

from onevoice.sso import views

app_name = "sso_settings"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.settings_edit, name="edit"),
    path("test/", views.connection_test, name="test"),
]
