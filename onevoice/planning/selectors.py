"""Reads of the editorial plan for the calendar: posts of a period, ideas, filters, in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.db.models import CharField, Exists, OuterRef, Prefetch, QuerySet, StringAgg, Subquery, Value
from django.db.models.functions import Cast
from django.utils import timezone

from onevoice.organization.access import may_edit_post, visible_channels
from onevoice.organization.models import Department, Membership
from onevoice.planning.models import Campaign, Post, PostVariant, Topic

if TYPE_CHECKING:
    from onevoice.networks.models import Channel

# Departments have no colour of their own: a fixed palette, picked by id, keeps each one's colour stable.
# Every colour carries white text at a contrast of at least 4.5:1 (WCAG AA).
PALETTE = ["#0b5cad", "#2b7a3b", "#b5400b", "#6741d9", "#a61e4d", "#0c7285", "#5c7a0d", "#8f3f00", "#495057"]
NO_COLOUR = "#6c757d"  # a post without the campaign or topic that the calendar is coloured by


def department_colour(department_id: int) -> str:
    return PALETTE[department_id % len(PALETTE)]


def text_colour_on(background: str) -> str:
    """Black or white, whichever reads better on the background (relative luminance, WCAG)."""
    try:
        red, green, blue = (int(background.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))
    except ValueError:
        return "#ffffff"

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    # Contrast with white (1.05 / (L + 0.05)) against contrast with black ((L + 0.05) / 0.05).
    return "#ffffff" if 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05 else "#212529"


@dataclass
class PlanFilter:
    """The calendar's filter, as public ids (what forms, URLs and saved filters carry)."""

    departments: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    campaigns: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)  # membership public ids

    @classmethod
    def from_query(cls, query: Any) -> PlanFilter:
        """Read `?department=<uuid>&status=draft…` (keys may repeat); values that are not ids are left out."""

        def ids(name: str) -> list[str]:
            found = []
            for value in query.getlist(name):
                try:
                    found.append(str(UUID(value)))
                except (ValueError, TypeError, AttributeError):
                    continue
            return found

        return cls(
            ids("department"),
            ids("channel"),
            ids("campaign"),
            ids("topic"),
            [s for s in query.getlist("status") if s in Post.Status.values],
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

    @property
    def is_empty(self) -> bool:
        return not any(self.as_dict().values())

    def apply(self, posts: QuerySet[Post]) -> QuerySet[Post]:
        if self.departments:
            posts = posts.filter(department__public_id__in=self.departments)
        if self.channels:
            # A subquery, not a join: the post keeps all its channels in what the calendar shows.
            on_channel = PostVariant.objects.filter(post=OuterRef("pk"), channel__public_id__in=self.channels)
            posts = posts.filter(Exists(on_channel))
        if self.campaigns:
            posts = posts.filter(campaign__public_id__in=self.campaigns)
        if self.topics:
            posts = posts.filter(topic__public_id__in=self.topics)
        if self.statuses:
            posts = posts.filter(status__in=self.statuses)
        if self.owners:
            posts = posts.filter(owner__public_id__in=self.owners)
        return posts


def readable_channels(member: Membership) -> dict[int, Channel]:
    """The channels this person may see on the plan (a channel closed to them is left out of every post)."""
    return {channel.pk: channel for channel, _level in visible_channels(member)}


def _plan(member: Membership) -> QuerySet[Post]:
    return (
        Post.objects.filter(organization_id=member.organization_id)
        .select_related("department", "campaign", "topic", "owner__user")
        .prefetch_related(
            Prefetch(
                "variants", queryset=PostVariant.objects.select_related("channel").order_by("channel__name")
            )
        )
    )


def _with_shown_channels(posts: list[Post], channels: dict[int, Channel]) -> list[Post]:
    """Give each post the channels the person may see and its department's colour."""
    for post in posts:
        post.calendar_colour = department_colour(post.department_id)  # type: ignore[attr-defined]
        post.shown_channels = [v.channel for v in post.variants.all() if v.channel_id in channels]  # type: ignore[attr-defined]
    return posts


def posts_in_range(member: Membership, start: datetime, end: datetime, plan_filter: PlanFilter) -> list[Post]:
    """Scheduled posts whose time falls in [start, end), with `shown_channels`, for everyone who sees the plan."""
    posts = plan_filter.apply(_plan(member)).filter(publish_at__gte=start, publish_at__lt=end)
    return _with_shown_channels(list(posts.order_by("publish_at", "id")), readable_channels(member))


def unscheduled_ideas(member: Membership, plan_filter: PlanFilter, limit: int = 50) -> list[Post]:
    """Posts without a time that are still alive: the side list to drag into the calendar."""
    posts = (
        plan_filter.apply(_plan(member)).filter(publish_at__isnull=True).exclude(status=Post.Status.WITHDRAWN)
    )
    return _with_shown_channels(list(posts.order_by("-updated_at", "-id")[:limit]), readable_channels(member))


def filter_options(member: Membership) -> dict[str, Any]:
    org = member.organization_id
    return {
        "departments": list(Department.objects.filter(organization_id=org).order_by("name")),
        "channels": sorted(readable_channels(member).values(), key=lambda c: c.name.casefold()),
        "campaigns": list(Campaign.objects.filter(organization_id=org).order_by("-starts_on", "name")),
        "topics": list(Topic.objects.filter(organization_id=org).order_by("name")),
        "statuses": Post.Status.choices,
        "owners": list(
            Membership.objects.active()
            .filter(organization_id=org)
            .select_related("user")
            .order_by("user__full_name")
        ),
    }


@dataclass(frozen=True)
class _PostRef:
    """What `may_edit_post` reads of a post, without loading the post."""

    organization_id: int
    owner_id: int
    department_id: int


def calendar_events(
    member: Membership,
    start: datetime,
    end: datetime,
    plan_filter: PlanFilter,
    colour_by: str,
    url_of: Callable[[str], str],
) -> list[dict[str, Any]]:
    """The posts of [start, end) as FullCalendar events, in the current time zone's wall-clock time.

    One query of plain values for the posts (their channels aggregated in SQL) plus a few small lookups,
    whatever the number of posts: the month view with thousands of posts is opened all day long.
    """
    channel_ids = (
        PostVariant.objects.filter(post=OuterRef("pk"))
        .values("post")
        .annotate(ids=StringAgg(Cast("channel_id", CharField()), Value(",")))
        .values("ids")
    )
    posts = (
        plan_filter.apply(Post.objects.filter(organization_id=member.organization_id))
        .filter(publish_at__gte=start, publish_at__lt=end)
        .annotate(
            # Id and time as text: parsing them here is several times cheaper than the ORM's per-row
            # conversion to UUID and datetime objects (SQLite gives 32 hex digits, PostgreSQL 36).
            public_id_text=Cast("public_id", CharField()),
            publish_at_text=Cast("publish_at", CharField()),
            # A subquery per post, not a join with GROUP BY over every column of the post.
            channel_ids=Subquery(channel_ids),
        )
        .order_by("publish_at", "id")
        .values_list(
            "public_id_text",
            "title",
            "publish_at_text",
            "status",
            "version",
            "owner_id",
            "department_id",
            "campaign_id",
            "topic_id",
            "channel_ids",
        )
    )
    org = member.organization_id
    departments = dict(Department.objects.filter(organization_id=org).values_list("id", "name"))
    colours: dict[int | None, str] = {}
    if colour_by == "campaign":
        colours = dict(Campaign.objects.filter(organization_id=org).values_list("id", "color"))
    elif colour_by == "topic":
        colours = dict(Topic.objects.filter(organization_id=org).values_list("id", "color"))
    readable = {
        str(pk): {"name": channel.name, "network": channel.network}
        for pk, channel in readable_channels(member).items()
    }
    text_colours = {colour: text_colour_on(colour) for colour in {*colours.values(), *PALETTE, NO_COLOUR}}
    labels = {value: str(label) for value, label in Post.Status.choices}  # translate once, not per row
    closed = {Post.Status.PUBLISHED.value, Post.Status.WITHDRAWN.value}
    zone = timezone.get_current_timezone()
    # Rows repeat a few combinations only: work each out once. The edit rule depends on the owner and
    # the department; the channels shown on the combination of channel ids.
    may_edit: dict[tuple[int, int], bool] = {}
    channel_lists: dict[str | None, list[dict[str, str]]] = {None: [], "": []}

    events = []
    for row in posts:
        public_id, title, moment, status, version, owner_id, department_id, campaign_id, topic_id, ids = row
        key = (owner_id, department_id)
        if key not in may_edit:
            ref = _PostRef(org, owner_id, department_id)
            may_edit[key] = may_edit_post(member, ref)  # type: ignore[arg-type]
        editable = may_edit[key] and status not in closed
        if colour_by == "department":
            colour = PALETTE[department_id % len(PALETTE)]
        else:
            colour = colours.get(campaign_id if colour_by == "campaign" else topic_id) or NO_COLOUR
        if ids not in channel_lists:
            shown = (readable[i] for i in ids.split(",") if i in readable)
            channel_lists[ids] = sorted(shown, key=_by_name)
        if len(public_id) == 32:
            public_id = (
                f"{public_id[:8]}-{public_id[8:12]}-{public_id[12:16]}-{public_id[16:20]}-{public_id[20:]}"
            )
        events.append(
            {
                "id": public_id,
                "title": title,
                "start": _wall_clock(moment, zone),
                "url": url_of(public_id),
                "color": colour,
                "textColor": text_colours.get(colour) or text_colour_on(colour),
                "editable": editable,
                "extendedProps": {
                    "status": labels[status],
                    "statusCode": status,
                    "department": departments.get(department_id, ""),
                    "channels": channel_lists[ids],
                    "version": version,
                    "editable": editable,
                },
            }
        )
    return events


def _wall_clock(stored: str, zone: tzinfo) -> str:
    """'2027-03-01 07:00:00' (UTC, SQLite) or '2027-03-01 07:00:00+00' (PostgreSQL) as local wall clock."""
    moment = datetime.fromisoformat(stored)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone).isoformat()[:19]


def _by_name(channel: dict[str, str]) -> str:
    return channel["name"]
