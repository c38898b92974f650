"""Working the inbox under /o/<org>/inbox/: the case list, one case and its actions, saved replies."""

from django.urls import URLPattern, URLResolver, path

from onevoice.inbox import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.cases, name="cases"),
    path("poll/", views.cases_poll, name="cases-poll"),
    path("saved-replies/", views.saved_replies, name="saved-replies"),
    path("saved-replies/new/", views.saved_reply_form, name="saved-reply-new"),
    path("saved-replies/<uuid:saved_id>/", views.saved_reply_form, name="saved-reply"),
    path("saved-replies/<uuid:saved_id>/delete/", views.saved_reply_delete, name="saved-reply-delete"),
    path("<uuid:case_id>/", views.case, name="case"),
    path("<uuid:case_id>/take/", views.take, name="take"),
    path("<uuid:case_id>/assign/", views.assign, name="assign"),
    path("<uuid:case_id>/status/", views.status, name="status"),
    path("<uuid:case_id>/details/", views.details, name="details"),
    path("<uuid:case_id>/notes/", views.note, name="note"),
    path("<uuid:case_id>/reply/", views.reply, name="reply"),
    path("<uuid:case_id>/reply/check/", views.reply_check, name="reply-check"),
    path("<uuid:case_id>/presence/", views.presence, name="presence"),
    path("<uuid:case_id>/leave/", views.leave, name="leave"),
    path("<uuid:case_id>/replies/<uuid:reply_id>/<slug:action>/", views.reply_action, name="reply-action"),
    path("<uuid:case_id>/messages/<uuid:message_id>/triage/", views.triage, name="triage"),
    path("<uuid:case_id>/messages/<uuid:message_id>/<slug:action>/", views.moderate, name="moderate"),
]
