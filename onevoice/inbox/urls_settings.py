"""The inbox settings under /o/<org>/inbox/settings/ (admin and SMM)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from onevoice.inbox import settings_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.routing, name="settings"),
    path("rules/new/", views.rule_new, name="settings-rule-new"),
    path("rules/<uuid:rule_id>/", views.rule_edit, name="settings-rule"),
    path("rules/<uuid:rule_id>/delete/", views.rule_delete, name="settings-rule-delete"),
    path("rules/<uuid:rule_id>/move/<str:direction>/", views.rule_move, name="settings-rule-move"),
    path("sla/", views.sla, name="settings-sla"),
    path("sla/new/", views.policy_new, name="settings-sla-new"),
    path("sla/<uuid:policy_id>/", views.policy_edit, name="settings-sla-policy"),
    path("sla/<uuid:policy_id>/delete/", views.policy_delete, name="settings-sla-delete"),
    path("calendar/", views.calendar, name="settings-calendar"),
    path("calendar/closed-days/", views.closed_day_add, name="settings-closed-day-add"),
    path(
        "calendar/closed-days/<int:day_id>/delete/",
        views.closed_day_delete,
        name="settings-closed-day-delete",
    ),
    path("tags/", views.tags, name="settings-tags"),
    path("tags/<uuid:tag_id>/", views.tag_edit, name="settings-tag"),
    path("tags/<uuid:tag_id>/delete/", views.tag_delete, name="settings-tag-delete"),
    path("approvals/", views.approval_add, name="settings-approval-add"),
    path("approvals/<int:rule_id>/delete/", views.approval_delete, name="settings-approval-delete"),
    path("spike/", views.spike, name="settings-spike"),
]
