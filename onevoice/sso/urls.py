"""The OpenID Connect login flow, under /sso/."""

from django.urls import URLPattern, URLResolver, path

from onevoice.sso import views

app_name = "sso"

urlpatterns: list[URLPattern | URLResolver] = [
    path("login/", views.login_start, name="login"),
    path("callback/", views.callback, name="callback"),
]
