"""Telling people about channels: a channel that needs reconnecting is mailed to those who manage channels."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from huey.contrib.djhuey import db_task

from onevoice.organization.models import Membership
from onevoice.organization.roles import Capability


def notify_reconnect(channel_id: int) -> None:
    send_reconnect_mail(channel_id)


@db_task(retries=3, retry_delay=60)
def send_reconnect_mail(channel_id: int) -> None:
    from onevoice.networks.models import Channel

    channel = Channel.objects.select_related("organization", "department").filter(pk=channel_id).first()
    if channel is None or channel.state != Channel.State.RECONNECT:
        return
    managers = [
        m
        for m in Membership.objects.active().filter(organization=channel.organization).select_related("user")
        if m.can(Capability.MANAGE_CHANNELS)
    ]
    url = settings.BASE_URL + reverse("networks:channel", args=[channel.organization.slug, channel.public_id])
    for member in managers:
        with translation.override(member.user.language):
            context = {"channel": channel, "url": url, "person": member.user}
            subject = render_to_string("networks/email/reconnect_subject.txt", context).strip()
            body = render_to_string("networks/email/reconnect.txt", context)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [member.user.email])
