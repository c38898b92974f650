"""The explicit list of networks OneVoice can talk to. Nothing registers itself at import time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.module_loading import import_string

from onevoice.networks.connectors.base import Connector

if TYPE_CHECKING:
    from onevoice.networks.models import Channel

CONNECTORS: dict[str, str] = {
    "bluesky": "onevoice.networks.connectors.bluesky.connector.BlueskyConnector",
    "mastodon": "onevoice.networks.connectors.mastodon.connector.MastodonConnector",
    "newsroom": "onevoice.networks.connectors.newsroom.connector.NewsroomConnector",
    "linkedin": "onevoice.networks.connectors.linkedin.connector.LinkedInConnector",
    "facebook": "onevoice.networks.connectors.facebook.connector.FacebookConnector",
    "instagram": "onevoice.networks.connectors.instagram.connector.InstagramConnector",
    "threads": "onevoice.networks.connectors.threads.connector.ThreadsConnector",
    "x": "onevoice.networks.connectors.x.connector.XConnector",
}


def connector_class(network: str) -> type[Connector]:
    connector: type[Connector] = import_string(CONNECTORS[network])
    return connector


def connector_for(channel: Channel) -> Connector:
    """The connector acting for this channel; rotated tokens are saved back, encrypted, at once."""
    from onevoice.networks.models import Channel as ChannelModel

    def save_credentials(credentials: dict[str, Any]) -> None:
        channel.set_credentials(credentials)
        ChannelModel.objects.filter(pk=channel.pk).update(credentials_encrypted=channel.credentials_encrypted)

    config = {**channel.config, "channel_public_id": str(channel.public_id)}
    return connector_class(channel.network)(
        credentials=channel.credentials, config=config, on_credentials_changed=save_credentials
    )
