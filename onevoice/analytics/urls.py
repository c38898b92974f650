"""Addresses of analytics, under /o/<org>/analytics/."""

from django.urls import URLPattern, URLResolver, path

from onevoice.analytics import views

app_name = "analytics"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.overview, name="overview"),
    path("channels/<uuid:public_id>/", views.channel, name="channel"),
    path("departments/<uuid:public_id>/", views.department, name="department"),
    path("campaigns/<uuid:public_id>/", views.campaign, name="campaign"),
    path("topics/<uuid:public_id>/", views.topic, name="topic"),
    path("export/<slug:table>.<str:fmt>", views.export, name="export"),
    path("reports/", views.reports, name="reports"),
    path("reports/month/", views.report, name="report"),
    path("reports/send/", views.report_send, name="report-send"),
    path("reports/schedules/", views.schedule_save, name="schedule-new"),
    path("reports/schedules/<uuid:public_id>/", views.schedule_save, name="schedule-save"),
    path("reports/schedules/<uuid:public_id>/delete/", views.schedule_delete, name="schedule-delete"),
    path("reports/retention/", views.retention, name="retention"),
]
