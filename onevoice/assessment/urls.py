"""URLs of assessment, under /o/<org>/assessment/."""

from django.urls import URLPattern, URLResolver, path

from onevoice.assessment import views

app_name = "assessment"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("start/", views.start, name="start"),
    path("history/", views.history, name="history"),
    path("<uuid:assessment_id>/", views.detail, name="detail"),
    path("<uuid:assessment_id>/step/<int:step>/", views.step, name="step"),
    path("<uuid:assessment_id>/pdf/", views.pdf, name="pdf"),
    path("<uuid:assessment_id>/delete/", views.delete, name="delete"),
    path("<uuid:assessment_id>/apply-model/", views.apply_model, name="apply-model"),
]
