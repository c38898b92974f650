"""Small builders for inbox tests: channels, cases with their first message, more messages.

Cases normally come from ingestion; these write the rows directly so tests of casework, privacy and
settings do not depend on it. Every builder takes the fields a test cares about as keywords.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from onevoice.inbox.models import (
    Case,
    Contact,
    ContactHandle,
    Message,
    MessageKind,
    SavedReply,
    Tag,
)
from onevoice.networks.models import Channel
from onevoice.organization.models import Department, Organization

_serial = itertools.count(1)


def make_channel(
    organization: Organization,
    *,
    department: Department | None = None,
    name: str = "Bluesky Muster",
    network: str = "bluesky",
    handle: str = "muster.test",
) -> Channel:
    channel = Channel(
        organization=organization,
        department=department,
        network=network,
        name=name,
        handle=handle,
        external_account_id="did:plc:muster",
        config={"service": "https://bsky.social"},
    )
    channel.set_credentials({"identifier": handle, "app_password": "abcd-efgh-ijkl-mnop"})
    channel.save()
    return channel


def make_contact(
    organization: Organization,
    *,
    handle: str = "kundin.test",
    name: str = "Karla Kundin",
    network: str = "bluesky",
) -> Contact:
    author_id = f"did:plc:{handle.replace('.', '')}"
    found = ContactHandle.objects.filter(
        organization=organization, network=network, author_id=author_id
    ).first()
    if found is not None:
        return found.contact
    contact = Contact.objects.create(organization=organization, display_name=name)
    ContactHandle.objects.create(
        organization=organization, contact=contact, network=network, author_id=author_id, handle=handle
    )
    return contact


def make_case(
    channel: Channel,
    *,
    text: str = "Wann kommt meine Bestellung?",
    handle: str = "kundin.test",
    name: str = "Karla Kundin",
    at: datetime | None = None,
    department: Department | None = None,
    kind: str = MessageKind.REPLY,
    tags: list[Tag] | None = None,
    message: dict[str, Any] | None = None,
    **fields: Any,
) -> Case:
    """A case with one inbound message from `handle` at `at` (default: ten minutes ago)."""
    at = at or timezone.now() - timedelta(minutes=10)
    serial = next(_serial)
    contact = make_contact(channel.organization, handle=handle, name=name, network=channel.network)
    external_id = f"at://did:plc:{handle.replace('.', '')}/app.bsky.feed.post/m{serial:012d}"
    defaults: dict[str, Any] = {
        "organization": channel.organization,
        "channel": channel,
        "thread_key": f"{external_id}|{handle}",
        "contact": contact,
        "kind": kind,
        "subject": text[:200],
        "department": department if department is not None else channel.department,
        "first_message_at": at,
        "last_message_at": at,
        "last_inbound_at": at,
        "message_count": 1,
        "first_response_due": at + timedelta(hours=4),
        "resolution_due": at + timedelta(days=2),
        "sentiment": "neutral",
        "language": "de",
    }
    defaults.update(fields)
    case = Case.objects.create(**defaults)
    if tags:
        case.tags.set(tags)
    Message.objects.create(
        case=case,
        channel=channel,
        external_id=external_id,
        kind=kind,
        author_id=f"did:plc:{handle.replace('.', '')}",
        author_handle=handle,
        author_name=name,
        text=text,
        url=f"https://bsky.app/profile/{handle}/post/m{serial:012d}",
        in_reply_to="at://did:plc:muster/app.bsky.feed.post/3kpost",
        thread_root="at://did:plc:muster/app.bsky.feed.post/3kpost",
        created_at=at,
        language=defaults["language"],
        sentiment=defaults["sentiment"],
        offensive=defaults.get("offensive", False),
        **(message or {}),
    )
    return case


def add_message(case: Case, text: str, *, at: datetime | None = None, **fields: Any) -> Message:
    """Another inbound message from the case's author."""
    first = case.messages.filter(direction=Message.Direction.INBOUND).first()
    assert first is not None
    at = at or timezone.now()
    serial = next(_serial)
    values: dict[str, Any] = {
        "case": case,
        "channel": case.channel,
        "external_id": f"{first.author_id}/m{serial:012d}",
        "kind": case.kind,
        "author_id": first.author_id,
        "author_handle": first.author_handle,
        "author_name": first.author_name,
        "text": text,
        "created_at": at,
        "in_reply_to": first.external_id,
        "thread_root": first.thread_root,
    }
    values.update(fields)
    message = Message.objects.create(**values)
    Case.objects.filter(pk=case.pk).update(
        last_message_at=at, last_inbound_at=at, message_count=case.message_count + 1
    )
    case.refresh_from_db()
    return message


def make_saved_reply(organization: Organization, **fields: Any) -> SavedReply:
    values: dict[str, Any] = {
        "organization": organization,
        "title": "Lieferzeit",
        "language": "de",
        "text": "Hallo {name}, danke für Ihre Nachricht! Bitte senden Sie uns Ihre Bestellnummer {order_number} per DM.",
    }
    values.update(fields)
    return SavedReply.objects.create(**values)


def make_tag(organization: Organization, name: str = "Lieferung", **fields: Any) -> Tag:
    return Tag.objects.create(organization=organization, name=name, **fields)
