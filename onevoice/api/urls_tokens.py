"""Token management pages, under /o/<org>/api-tokens/."""

from django.urls import URLPattern, URLResolver, path

from onevoice.api import views

app_name = "api_tokens"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.tokens, name="list"),
    path("<uuid:token_id>/revoke/", views.revoke, name="revoke"),
]
