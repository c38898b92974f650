"""The inbox under /o/<org>/inbox/: working cases, contacts (DSGVO) and the SMM's settings."""

from django.urls import include, path

app_name = "inbox"

urlpatterns = [
    path("", include("onevoice.inbox.urls_cases")),
    path("settings/", include("onevoice.inbox.urls_settings")),
    path("contacts/", include("onevoice.inbox.urls_contacts")),
]
