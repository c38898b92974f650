"""The site's URLs plus the public feed, for tests written before config/urls.py routes it."""

from __future__ import annotations

from django.urls import path

from config.urls import urlpatterns as site_urlpatterns
from onevoice.planning.export_views import calendar_feed

urlpatterns = [
    *site_urlpatterns,
    path("plan-feed/<str:token>.ics", calendar_feed, name="planning-ical"),
]
