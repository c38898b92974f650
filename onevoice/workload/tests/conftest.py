from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from onevoice.inbox.models import Case
from onevoice.networks.models import Channel
from onevoice.organization.models import Department, Membership
from onevoice.planning.models import Post, PostVariant, VariantImage
from onevoice.workload.models import Absence, PublicHoliday

BERLIN = ZoneInfo("Europe/Berlin")
# A week in the future with nothing special: Monday 3 May 2027 (Ascension is Thursday 6 May 2027).
MAY = date(2027, 5, 3)


def at(day: date, clock: str = "10:00") -> datetime:
    return datetime.combine(day, time.fromisoformat(clock), tzinfo=BERLIN)


@pytest.fixture
def channel(personas) -> dict[str, Channel]:
    org = personas.organization
    return {
        network: Channel.objects.create(organization=org, network=network, name=f"{network} Muster")
        for network in ("linkedin", "instagram", "mastodon")
    }


def make_post(
    owner: Membership,
    department: Department,
    when: datetime | None,
    channels: list[Channel],
    *,
    images: int = 0,
    video: bool = False,
    status: str = Post.Status.SCHEDULED,
    title: str = "Beitrag",
) -> Post:
    post = Post.objects.create(
        organization=owner.organization,
        department=department,
        owner=owner,
        title=title,
        publish_at=when,
        status=status,
    )
    for channel in channels:
        variant = PostVariant.objects.create(post=post, channel=channel, text="Text")
        for i in range(images):
            VariantImage.objects.create(
                variant=variant, file=f"x{i}.png", width=10, height=10, mime_type="image/png", position=i
            )
        if video:
            VariantImage.objects.create(
                variant=variant, file="v.mp4", width=10, height=10, mime_type="video/mp4"
            )
    return post


def make_case(
    personas, channel: Channel, when: datetime, *, kind: str = "reply", department=None, n: int = 1
) -> None:
    for i in range(n):
        Case.objects.create(
            organization=personas.organization,
            channel=channel,
            thread_key=f"{when.isoformat()}-{kind}-{i}-{Case.objects.count()}",
            kind=kind,
            department=department,
            first_message_at=when,
            last_message_at=when,
        )


def away(member: Membership, first: date, last: date, kind: str = Absence.Kind.HOLIDAY) -> Absence:
    return Absence.objects.create(membership=member, kind=kind, starts_on=first, ends_on=last)


def holiday(personas, day: date, name: str = "Feiertag") -> PublicHoliday:
    return PublicHoliday.objects.create(organization=personas.organization, day=day, name=name)


def hours(value: str) -> Decimal:
    return Decimal(value)
