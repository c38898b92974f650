"""URLs of webhooks and chat notifications, under /o/<org>/webhooks/."""

from django.urls import URLPattern, URLResolver, path

from onevoice.webhooks import views

app_name = "webhooks"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.webhooks, name="list"),
    path("new/", views.webhook_new, name="new"),
    path("chat/", views.chat, name="chat"),
    path("chat/new/", views.chat_new, name="chat_new"),
    path("chat/new/<str:kind>/", views.chat_new_kind, name="chat_new_kind"),
    path("<uuid:target_id>/", views.target, name="target"),
    path("<uuid:target_id>/edit/", views.target_edit, name="edit"),
    path("<uuid:target_id>/test/", views.target_test, name="test"),
    path("<uuid:target_id>/rotate/", views.target_rotate, name="rotate"),
    path("<uuid:target_id>/toggle/", views.target_toggle, name="toggle"),
    path("<uuid:target_id>/delete/", views.target_delete, name="delete"),
    path("deliveries/<uuid:delivery_id>/", views.delivery, name="delivery"),
    path("deliveries/<uuid:delivery_id>/redeliver/", views.delivery_redeliver, name="redeliver"),
]
