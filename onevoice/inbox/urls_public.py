"""The expert's page behind a forwarded link, under /expert/ (no login; the token is the key)."""

from django.urls import path

from onevoice.inbox import expert_views

urlpatterns = [
    path("<str:token>/", expert_views.expert, name="expert"),
]
