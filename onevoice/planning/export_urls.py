from __future__ import annotations

from django.urls import URLPattern, path

from onevoice.planning import export_views

# The public feed itself (/plan-feed/<token>.ics, name "planning-ical") lives in config/urls.py:
# a calendar app fetches it without a login and outside any organisation's addresses.
urlpatterns: list[URLPattern] = [
    path("feeds/", export_views.calendar_feeds, name="calendar-feeds"),
    path("feeds/<uuid:feed_id>/revoke/", export_views.calendar_feed_revoke, name="calendar-feed-revoke"),
    path("export.csv", export_views.plan_csv, name="plan-csv"),
    path("import/", export_views.plan_import, name="plan-import"),
]
