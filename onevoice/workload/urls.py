"""URLs of workload, under /o/<org>/workload/."""

from django.urls import URLPattern, URLResolver, path

from onevoice.workload import views

app_name = "workload"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.capacity, name="capacity"),
    path("week/<str:week>/<str:team>/", views.cell, name="cell"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/reassign/", views.reassign, name="reassign"),
    path("tasks/<uuid:task_id>/done/", views.task_done, name="task_done"),
    path("tasks/<uuid:task_id>/log/", views.task_log, name="task_log"),
    path("setup/", views.setup, name="setup"),
    path("setup/<str:kind>/<uuid:object_id>/delete/", views.setup_delete, name="setup_delete"),
    path("setup/holidays/<int:holiday_id>/delete/", views.holiday_delete, name="holiday_delete"),
    path("absences/", views.absences, name="absences"),
    path("absences/<uuid:absence_id>/delete/", views.absence_delete, name="absence_delete"),
    path("me/", views.me, name="me"),
    path("people/", views.people, name="people"),
    path("people/<uuid:membership_id>/", views.person, name="person"),
    path("what-if/", views.what_if, name="what_if"),
    path("composer-warning/", views.composer_warning, name="composer_warning"),
]
