"""Posts at given times for the export tests (the service refuses the past, a test needs it)."""

from __future__ import annotations

from datetime import datetime

from onevoice.networks.models import Channel
from onevoice.organization.models import Department, Membership
from onevoice.planning import services
from onevoice.planning.models import Post
from onevoice.planning.tests.conftest import later


def planned(
    actor: Membership,
    department: Department,
    channels: list[Channel],
    *,
    title: str = "Post",
    at: datetime | None = None,
    text: str = "Hallo",
    status: str = Post.Status.DRAFT,
    unscheduled: bool = False,
    **fields: object,
) -> Post:
    post = services.post_create(
        actor=actor,
        title=title,
        department=department,
        channels=channels,
        base_text=text,
        publish_at=later(),
        **fields,  # type: ignore[arg-type]
    )
    when = None if unscheduled else (at or post.publish_at)
    Post.objects.filter(pk=post.pk).update(publish_at=when, status=status)
    post.refresh_from_db()
    return post
