from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from onevoice.networks import services as channel_services
from onevoice.networks.models import Channel
from onevoice.planning import services as plan
from onevoice.planning.models import ApprovalDecision, Post
from onevoice.publishing.models import Publication

BERLIN = ZoneInfo("Europe/Berlin")


def later(days: int = 3, hour: int = 10) -> datetime:
    base = datetime.now(BERLIN) + timedelta(days=days)
    return base.replace(hour=hour, minute=0, second=0, microsecond=0)


@pytest.fixture
def bluesky(personas, scripted) -> Channel:
    return channel_services.channel_connect_bluesky(
        actor=personas.smm,
        name="Bluesky Muster",
        department=personas.marketing,
        identifier="muster.test",
        app_password="abcd-efgh-ijkl-mnop",
        service="https://bsky.social",
    )


@pytest.fixture
def newsroom(personas) -> Channel:
    return channel_services.channel_create_newsroom(
        actor=personas.smm, name="Newsroom", department=personas.marketing
    )


@pytest.fixture
def schedule(personas) -> Callable[..., Post]:
    """A post taken through the real workflow (CM writes, SMM approves) to "scheduled"."""

    def make(channels: list[Channel], *, at: datetime | None = None, title: str = "Produktlaunch") -> Post:
        post = plan.post_create(
            actor=personas.cm,
            title=title,
            department=personas.marketing,
            channels=channels,
            base_text="Unser neues Produkt ist da!",
            publish_at=at or later(),
        )
        plan.post_submit(actor=personas.cm, post=post)
        plan.post_decide(actor=personas.smm, post=post, verdict=ApprovalDecision.Verdict.APPROVED)
        post.refresh_from_db()
        assert post.status == Post.Status.SCHEDULED
        return post

    return make


def make_due(post: Post, minutes_ago: float = 0) -> list[Publication]:
    """Move a scheduled post's time to the past, as if the clock had run on (the services refuse past times)."""
    moment = timezone.now() - timedelta(minutes=minutes_ago)
    Post.objects.filter(pk=post.pk).update(publish_at=moment)
    Publication.objects.filter(variant__post=post).update(due_at=moment, next_attempt_at=moment)
    return list(Publication.objects.filter(variant__post=post).order_by("id"))
