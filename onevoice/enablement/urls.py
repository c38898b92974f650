"""URLs of enablement, under /o/<org>/enablement/."""

from django.urls import URLPattern, URLResolver, path

from onevoice.enablement import views

app_name = "enablement"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.me, name="me"),
    path("steps/<uuid:item_id>/done/", views.tick, name="tick"),
    path("steps/<uuid:item_id>/open/", views.untick, name="untick"),
    path("steps/<uuid:item_id>/edit/", views.step_edit, name="step-edit"),
    path("steps/<uuid:item_id>/move/", views.step_move, name="step-move"),
    path("steps/<uuid:item_id>/delete/", views.step_delete, name="step-delete"),
    path("profiles/", views.profiles, name="profiles"),
    path("profiles/new/", views.profile_new, name="profile-new"),
    path("profiles/<uuid:profile_id>/", views.profile, name="profile"),
    path("profiles/<uuid:profile_id>/edit/", views.profile_edit, name="profile-edit"),
    path("profiles/<uuid:profile_id>/delete/", views.profile_delete, name="profile-delete"),
    path("profiles/<uuid:profile_id>/checklist/", views.checklist, name="checklist"),
    path("skills/", views.skills, name="skills"),
    path("skills/coverage/", views.coverage, name="coverage"),
    path("skills/<uuid:skill_id>/edit/", views.skill_edit, name="skill-edit"),
    path("skills/<uuid:skill_id>/delete/", views.skill_delete, name="skill-delete"),
    path("trainings/", views.trainings, name="trainings"),
    path("trainings/<uuid:training_id>/edit/", views.training_edit, name="training-edit"),
    path("trainings/<uuid:training_id>/delete/", views.training_delete, name="training-delete"),
    path("team/", views.team, name="team"),
    path("people/<uuid:membership_id>/", views.person, name="person"),
    path("people/<uuid:membership_id>/profiles/", views.person_profiles, name="person-profiles"),
]
