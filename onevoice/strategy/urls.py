from __future__ import annotations

from django.urls import path

from onevoice.strategy import views as v

app_name = "strategy"

urlpatterns = [
    path("", v.overview, name="overview"),
    path("goals/new/", v.goal_new, name="goal-new"),
    path("goals/<uuid:goal_id>/", v.goal, name="goal"),
    path("goals/<uuid:goal_id>/delete/", v.goal_delete, name="goal-delete"),
    path("goals/<uuid:goal_id>/targets/new/", v.target_new, name="target-new"),
    path("targets/<uuid:target_id>/", v.target, name="target"),
    path("targets/<uuid:target_id>/delete/", v.target_delete, name="target-delete"),
    path("target-groups/", v.target_groups, name="target-groups"),
    path("target-groups/<uuid:group_id>/", v.target_group, name="target-group"),
    path("target-groups/<uuid:group_id>/delete/", v.target_group_delete, name="target-group-delete"),
    path("channels/<uuid:channel_id>/", v.channel_strategy, name="channel"),
]
