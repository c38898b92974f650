from django.urls import path

from onevoice.networks import views

app_name = "networks"

urlpatterns = [
    path("", views.channels, name="channels"),
    path("connect/", views.connect, name="connect"),
    path("connect/bluesky/", views.connect_bluesky, name="connect-bluesky"),
    path("connect/mastodon/", views.connect_mastodon, name="connect-mastodon"),
    path("connect/mastodon/callback/", views.mastodon_callback, name="mastodon-callback"),
    path("connect/newsroom/", views.connect_newsroom, name="connect-newsroom"),
    path("<uuid:channel_id>/", views.channel, name="channel"),
    path("<uuid:channel_id>/settings/", views.channel_settings, name="channel-settings"),
    path("<uuid:channel_id>/verify/", views.channel_verify, name="channel-verify"),
    path("<uuid:channel_id>/pause/", views.channel_pause, name="channel-pause"),
    path("<uuid:channel_id>/reconnect/", views.channel_reconnect, name="channel-reconnect"),
    path("<uuid:channel_id>/disconnect/", views.channel_disconnect, name="channel-disconnect"),
    path("<uuid:channel_id>/access/<uuid:membership_id>/", views.channel_access, name="channel-access"),
    path("<uuid:channel_id>/posts/<uuid:post_id>/delete/", views.post_delete, name="post-delete"),
    path("<uuid:channel_id>/posts/<uuid:post_id>/retry/", views.post_retry, name="post-retry"),
]
