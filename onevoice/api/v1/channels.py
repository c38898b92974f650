"""Channels (the connected accounts) the person may at least read, with their access level."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Router

from onevoice.api.v1.core import ERRORS, acting
from onevoice.api.v1.schemas import ChannelOut
from onevoice.networks.models import Access, Channel
from onevoice.organization.access import access_channel, channel_access_level, visible_channels

router = Router(tags=["channels"])


def channel_out(channel: Channel, access: Access) -> dict[str, Any]:
    department = channel.department
    return {
        "id": channel.public_id,
        "name": channel.name,
        "network": channel.network,
        "handle": channel.handle,
        "state": channel.state,
        "department": {"id": department.public_id, "name": department.name} if department else None,
        "access": access,
        "profile_url": channel.profile_url,
    }


@router.get("/channels", response={200: list[ChannelOut], **ERRORS}, summary="List channels")
def list_channels(request: HttpRequest) -> list[dict[str, Any]]:
    member = acting(request, "channels:read")
    found = sorted(visible_channels(member), key=lambda pair: pair[0].name.casefold())
    return [channel_out(channel, access) for channel, access in found]


@router.get("/channels/{channel_id}", response={200: ChannelOut, **ERRORS}, summary="Read a channel")
def get_channel(request: HttpRequest, channel_id: UUID) -> dict[str, Any]:
    member = acting(request, "channels:read")
    channel = access_channel(member, channel_id)
    return channel_out(channel, channel_access_level(member, channel))
