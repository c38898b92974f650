from __future__ import annotations

from django.urls import path

from onevoice.planning import calendar_views

urlpatterns = [
    path("", calendar_views.calendar, name="calendar"),
    path("events.json", calendar_views.calendar_events, name="calendar-events"),
    path("move/", calendar_views.calendar_move, name="calendar-move"),
    path("list/", calendar_views.calendar_list, name="calendar-list"),
    path("filters/", calendar_views.filter_save, name="filter-save"),
    path("filters/<uuid:filter_id>/delete/", calendar_views.filter_delete, name="filter-delete"),
]
