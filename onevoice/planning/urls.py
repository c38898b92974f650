"""The editorial plan under /o/<org>/plan/. Each area keeps its own URL module."""

from __future__ import annotations

from django.urls import include, path

from onevoice.planning import calendar_urls, export_urls, request_urls, setup_urls, views

app_name = "planning"

urlpatterns = [
    path("posts/new/", views.post_new, name="post-new"),
    path("posts/<uuid:post_id>/", views.post_detail, name="post"),
    path("posts/<uuid:post_id>/edit/", views.post_edit, name="post-edit"),
    path("posts/<uuid:post_id>/variants/<uuid:variant_id>/", views.variant_edit, name="variant-edit"),
    path("posts/<uuid:post_id>/copy-base/", views.post_copy_base, name="post-copy-base"),
    path("posts/<uuid:post_id>/submit/", views.post_submit, name="post-submit"),
    path("posts/<uuid:post_id>/decide/", views.post_decide, name="post-decide"),
    path("posts/<uuid:post_id>/withdraw/", views.post_withdraw, name="post-withdraw"),
    path("posts/<uuid:post_id>/reopen/", views.post_reopen, name="post-reopen"),
    path("posts/<uuid:post_id>/comment/", views.post_comment, name="post-comment"),
    path("reviews/", views.reviews, name="reviews"),
    path("", include(calendar_urls)),
    path("", include(request_urls)),
    path("", include(export_urls)),
    path("", include(setup_urls)),
]
