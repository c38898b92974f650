from django.urls import path

from onevoice.publishing import views

app_name = "publishing"

urlpatterns = [
    path("", views.log, name="log"),
    path("bulk/", views.bulk, name="bulk"),
    path("pause/", views.pause, name="pause"),
    path("resume/", views.resume, name="resume"),
    path("late-window/", views.late_window, name="late-window"),
    path("<uuid:publication_id>/retry/", views.retry, name="retry"),
    path("<uuid:publication_id>/cancel/", views.cancel, name="cancel"),
]
