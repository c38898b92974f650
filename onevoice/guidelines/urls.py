from django.urls import path

from onevoice.guidelines import views

app_name = "guidelines"

urlpatterns = [
    path("", views.guideline_list, name="list"),
    path("new/", views.guideline_new, name="new"),
    path("preview/", views.preview, name="preview"),
    path("<uuid:guideline_id>/", views.guideline_detail, name="detail"),
    path("<uuid:guideline_id>/draft/", views.draft_edit, name="draft"),
    path("<uuid:guideline_id>/draft/discard/", views.draft_discard, name="draft-discard"),
    path("<uuid:guideline_id>/acknowledgements/", views.acknowledgements, name="acknowledgements"),
    path("<uuid:guideline_id>/remind/", views.remind, name="remind"),
    path("<uuid:guideline_id>/v<int:number>/", views.version_detail, name="version"),
    path("<uuid:guideline_id>/v<int:number>/publish/", views.version_publish, name="publish"),
    path("<uuid:guideline_id>/v<int:number>/acknowledge/", views.acknowledge, name="acknowledge"),
]
