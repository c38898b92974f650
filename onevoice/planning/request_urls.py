from __future__ import annotations

from django.urls import path

from onevoice.planning import notification_views, request_views

urlpatterns = [
    path("requests/", request_views.requests, name="requests"),
    path("requests/new/", request_views.request_new, name="request-new"),
    path("requests/<uuid:request_id>/", request_views.request_detail, name="request"),
    path("requests/<uuid:request_id>/files/<int:file_id>/", request_views.request_file, name="request-file"),
    path("requests/<uuid:request_id>/<str:action>/", request_views.request_act, name="request-act"),
    path("notifications/", notification_views.notifications, name="notifications"),
    path("notifications/bell/", notification_views.notification_bell, name="notification-bell"),
    path("notifications/read-all/", notification_views.notifications_read_all, name="notifications-read-all"),
    path(
        "notifications/<int:notification_id>/read/",
        notification_views.notification_read,
        name="notification-read",
    ),
    path("notifications/settings/", notification_views.notification_settings, name="notification-settings"),
]
