from django.urls import path

from onevoice.networks import oauth_views, views

app_name = "networks"

urlpatterns = [
    path("", views.channels, name="channels"),
    path("connect/", views.connect, name="connect"),
    path("connect/bluesky/", views.connect_bluesky, name="connect-bluesky"),
    path("connect/mastodon/", views.connect_mastodon, name="connect-mastodon"),
    path("connect/mastodon/callback/", views.mastodon_callback, name="mastodon-callback"),
    path("connect/newsroom/", views.connect_newsroom, name="connect-newsroom"),
    path("connect/<str:network>/sign-in/", oauth_views.oauth_connect, name="oauth-connect"),
    path("connect/<str:network>/callback/", oauth_views.oauth_callback, name="oauth-callback"),
    path("connect/<str:network>/choose/", oauth_views.oauth_choose, name="oauth-choose"),
    path("apps/", oauth_views.app_registrations, name="app-registrations"),
    path("apps/<str:network>/", oauth_views.app_registration, name="app-registration"),
    path("apps/<str:network>/remove/", oauth_views.app_registration_remove, name="app-registration-remove"),
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
