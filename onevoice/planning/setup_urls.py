from __future__ import annotations

from django.urls import path

from onevoice.planning import setup_views as v

urlpatterns = [
    path("setup/", v.setup, name="setup"),
    path("campaigns/", v.campaigns, name="campaigns"),
    path("campaigns/new/", v.campaign_new, name="campaign-new"),
    path("campaigns/<uuid:campaign_id>/", v.campaign, name="campaign"),
    path("campaigns/<uuid:campaign_id>/edit/", v.campaign_edit, name="campaign-edit"),
    path("setup/topics/", v.topics, name="topics"),
    path("setup/topics/<uuid:topic_id>/", v.topic_edit, name="topic"),
    path("setup/topics/<uuid:topic_id>/delete/", v.topic_delete, name="topic-delete"),
    path("setup/blackouts/", v.blackouts, name="blackouts"),
    path("setup/blackouts/<uuid:blackout_id>/delete/", v.blackout_delete, name="blackout-delete"),
    path("setup/channel-rules/", v.channel_rules, name="channel-rules"),
    path("setup/approvals/", v.policies, name="policies"),
    path("setup/approvals/new/", v.policy_new, name="policy-new"),
    path("setup/approvals/<uuid:policy_id>/", v.policy_edit, name="policy"),
    path("setup/approvals/<uuid:policy_id>/delete/", v.policy_delete, name="policy-delete"),
]
