from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from onevoice.networks import services
from onevoice.networks.models import Channel, Network

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="17", hour="*/6"))
@lock_task("verify-channels")
def verify_channels() -> None:
    """Check every connected channel's login four times a day, so an expired token is found before a post fails."""
    channels = Channel.objects.filter(state=Channel.State.CONNECTED).exclude(network=Network.NEWSROOM)
    for channel in channels.select_related("organization"):
        try:
            services.channel_verify(actor=None, channel=channel)
        except ValidationError as error:
            # A refused login already marked the channel "reconnect" and mailed its managers.
            log.warning("channel %s failed its check: %s", channel.public_id, " ".join(error.messages))
