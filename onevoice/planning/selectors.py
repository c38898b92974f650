"""Reads of the editorial plan: the posts of a period with what the calendar shows, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from onevoice.organization.access import may_edit_post
from onevoice.organization.models import Membership
from onevoice.planning.models import Post, PostVariant

# Departments have no colour of their own: a fixed palette, picked by id, keeps each one's colour stable.
PALETTE = ["#0b5cad", "#2f9e44", "#e8590c", "#7048e8", "#c2255c", "#1098ad", "#5c940d", "#d9480f", "#495057"]


@dataclass
class PlanFilter:
    departments: list[str] = field(default_factory=list)  # public ids
    channels: list[str] = field(default_factory=list)
    campaigns: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)  # membership public ids

    @classmethod
    def from_query(cls, query: Any) -> PlanFilter:
        def ids(name: str) -> list[str]:
            return [v for v in query.getlist(name) if v]

        return cls(
            ids("department"),
            ids("channel"),
            ids("campaign"),
            ids("topic"),
            [s for s in ids("status") if s in Post.Status.values],
            ids("owner"),
        )

    def as_dict(self) -> dict[str, list[str]]:
        return {
            "department": self.departments,
            "channel": self.channels,
            "campaign": self.campaigns,
            "topic": self.topics,
            "status": self.statuses,
            "owner": self.owners,
        }

    def apply(self, posts: QuerySet[Post]) -> QuerySet[Post]:
        if self.departments:
            posts = posts.filter(department__public_id__in=self.departments)
        if self.channels:
            posts = posts.filter(variants__channel__public_id__in=self.channels).distinct()
        if self.campaigns:
            posts = posts.filter(campaign__public_id__in=self.campaigns)
        if self.topics:
            posts = posts.filter(topic__public_id__in=self.topics)
        if self.statuses:
            posts = posts.filter(status__in=self.statuses)
        if self.owners:
            posts = posts.filter(owner__public_id__in=self.owners)
        return posts


def _plan(member: Membership) -> QuerySet[Post]:
    return (
        Post.objects.filter(organization_id=member.organization_id)
        .select_related("department", "campaign", "topic", "owner__user")
        .prefetch_related(Prefetch("variants", queryset=PostVariant.objects.select_related("channel")))
    )


def posts_in_range(member: Membership, start: datetime, end: datetime, plan_filter: PlanFilter) -> list[Post]:
    """Scheduled posts whose time falls in [start, end), for everyone who sees the plan."""
    posts = plan_filter.apply(_plan(member)).filter(publish_at__gte=start, publish_at__lt=end)
    return list(posts.order_by("publish_at", "id"))


def unscheduled_ideas(member: Membership, plan_filter: PlanFilter) -> list[Post]:
    posts = (
        plan_filter.apply(_plan(member)).filter(publish_at__isnull=True).exclude(status=Post.Status.WITHDRAWN)
    )
    return list(posts.order_by("-updated_at")[:50])


def colour_of(post: Post, colour_by: str) -> str:
    if colour_by == "campaign" and post.campaign:
        return post.campaign.color
    if colour_by == "topic" and post.topic:
        return post.topic.color
    if colour_by in ("campaign", "topic"):
        return "#868e96"
    return PALETTE[post.department_id % len(PALETTE)]


def event_for(post: Post, member: Membership, colour_by: str, post_url: str) -> dict[str, Any]:
    editable = may_edit_post(member, post) and post.is_editable
    channels = [v.channel.name for v in post.variants.all()]
    return {
        "id": str(post.public_id),
        "title": post.title,
        # Wall-clock time in the person's zone, without offset: the calendar shows it as it is.
        "start": timezone.localtime(post.publish_at).strftime("%Y-%m-%dT%H:%M:%S")
        if post.publish_at
        else None,
        "url": post_url,
        "backgroundColor": colour_of(post, colour_by),
        "borderColor": colour_of(post, colour_by),
        "editable": editable,
        "classNames": [f"ov-status-{post.status}"]
        + (["ov-withdrawn"] if post.status == Post.Status.WITHDRAWN else []),
        "extendedProps": {
            "status": str(post.get_status_display()),
            "statusCode": post.status,
            "department": post.department.name,
            "channels": channels,
            "version": post.version,
        },
    }


def filter_options(member: Membership) -> dict[str, Any]:
    from onevoice.networks.models import Channel
    from onevoice.organization.models import Department
    from onevoice.planning.models import Campaign, Topic

    org = member.organization_id
    return {
        "departments": list(Department.objects.filter(organization_id=org)),
        "channels": list(Channel.objects.filter(organization_id=org)),
        "campaigns": list(Campaign.objects.filter(organization_id=org)),
        "topics": list(Topic.objects.filter(organization_id=org)),
        "statuses": Post.Status.choices,
        "owners": list(Membership.objects.active().filter(organization_id=org).select_related("user")),
    }


def calendar_events(
    member: Membership, start: datetime, end: datetime, plan_filter: PlanFilter, colour_by: str, url_of: Any
) -> list[dict[str, Any]]:
    """The calendar's events as plain dicts, from two queries of plain values (no model objects).

    The month view with thousands of posts is opened all day long; building rows from `values()` keeps
    it an order of magnitude faster than the object path in `event_for`.
    """
    from onevoice.organization.roles import Capability, Role

    posts = list(
        plan_filter.apply(Post.objects.filter(organization_id=member.organization_id))
        .filter(publish_at__gte=start, publish_at__lt=end)
        .order_by("publish_at", "id")
        .values(
            "id",
            "public_id",
            "title",
            "publish_at",
            "status",
            "version",
            "department_id",
            "department__name",
            "campaign__color",
            "topic__color",
            "owner_id",
        )
    )
    channels: dict[int, list[str]] = {}
    for post_id, name in (
        PostVariant.objects.filter(post_id__in=[p["id"] for p in posts])
        .order_by("channel__name")
        .values_list("post_id", "channel__name")
    ):
        channels.setdefault(post_id, []).append(name)
    labels = {value: str(label) for value, label in Post.Status.choices}  # translate once, not per row
    zone = timezone.get_current_timezone()
    closed = {Post.Status.PUBLISHED, Post.Status.WITHDRAWN}
    can_create = member.can(Capability.CREATE_CONTENT)
    may_all = member.role in (Role.ADMIN, Role.SMM)
    own_departments = member_department_ids(member) if member.role == Role.CM else set()
    events = []
    for p in posts:
        if colour_by == "campaign":
            colour = p["campaign__color"] or "#868e96"
        elif colour_by == "topic":
            colour = p["topic__color"] or "#868e96"
        else:
            colour = PALETTE[p["department_id"] % len(PALETTE)]
        editable = (
            p["status"] not in closed
            and can_create
            and (may_all or p["owner_id"] == member.pk or p["department_id"] in own_departments)
        )
        events.append(
            {
                "id": str(p["public_id"]),
                "title": p["title"],
                "start": p["publish_at"].astimezone(zone).strftime("%Y-%m-%dT%H:%M:%S"),  # type: ignore[union-attr]
                "url": url_of(p["public_id"]),
                "backgroundColor": colour,
                "borderColor": colour,
                "editable": editable,
                "classNames": [f"ov-status-{p['status']}"],
                "extendedProps": {
                    "status": labels[p["status"]],
                    "statusCode": p["status"],
                    "department": p["department__name"],
                    "channels": channels.get(p["id"], []),
                    "version": p["version"],
                },
            }
        )
    return events


def member_department_ids(member: Membership) -> set[int]:
    return set(member.departments.values_list("pk", flat=True))
