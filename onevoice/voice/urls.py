"""Voice rules under /o/<org>/voice/."""

from __future__ import annotations

from django.urls import path

from onevoice.voice import views

app_name = "voice"

urlpatterns = [
    path("", views.rules, name="rules"),
    path("new/<str:kind>/", views.rule_new, name="rule-new"),
    path("rules/<uuid:rule_id>/", views.rule_edit, name="rule"),
    path("rules/<uuid:rule_id>/delete/", views.rule_delete, name="rule-delete"),
    path("report/", views.report, name="report"),
    path("posts/<uuid:post_id>/variants/<uuid:variant_id>/check/", views.check, name="check"),
    path("posts/<uuid:post_id>/variants/<uuid:variant_id>/override/", views.override, name="override"),
    path("posts/<uuid:post_id>/flags/", views.post_flags, name="post-flags"),
    path("channels/<uuid:channel_id>/impressum/", views.impressum, name="impressum"),
]
