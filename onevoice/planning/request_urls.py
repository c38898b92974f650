from __future__ import annotations

from django.urls import path

from onevoice.planning import request_views

urlpatterns = [
    path("requests/", request_views.requests, name="requests"),
    path("requests/new/", request_views.request_new, name="request-new"),
    path("requests/<uuid:request_id>/", request_views.request_detail, name="request"),
    path("requests/<uuid:request_id>/<str:action>/", request_views.request_act, name="request-act"),
    path("notifications/", request_views.notifications, name="notifications"),
    path("notifications/bell/", request_views.notification_bell, name="notification-bell"),
    path("notifications/read/", request_views.notification_read, name="notification-read"),
    path("notifications/settings/", request_views.notification_settings, name="notification-settings"),
]
