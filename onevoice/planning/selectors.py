"""Reads of the editorial plan for the calendar: posts of a period, ideas, filters, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any
from uuid import UUID

import orjson
from django.db import connection
from django.db.models import CharField, Exists, OuterRef, Prefetch, QuerySet, StringAgg, Subquery, Value
from django.db.models.functions import Cast
from django.utils import timezone

from onevoice.core.answer_cache import AnswerCache
from onevoice.organization.access import (
    _department_ids,
    channel_access_level,
    may_edit_post,
    visible_channels,
)
from onevoice.organization.models import Department, Membership
from onevoice.planning.models import Campaign, Post, PostVariant, Topic

if TYPE_CHECKING:
    from onevoice.networks.models import Channel

# Departments have no colour of their own: a fixed palette, picked by id, keeps each one's colour stable.
# Every colour carries white text at a contrast of at least 4.5:1 (WCAG AA).
PALETTE = ["#0b5cad", "#2b7a3b", "#b5400b", "#6741d9", "#a61e4d", "#0c7285", "#5c7a0d", "#8f3f00", "#862e9c"]
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


def readable_channel_labels(member: Membership) -> dict[str, dict[str, str]]:
    """Name and network of the channels this person may see, by id as text: the rule of `visible_channels`
    (`channel_access_level`) on light rows, for the events endpoint."""
    from onevoice.networks.models import Access, Channel, ChannelPermission

    explicit = dict(ChannelPermission.objects.filter(membership=member).values_list("channel_id", "access"))
    labels = {}
    channels = Channel.objects.filter(organization_id=member.organization_id).only(
        "id", "organization_id", "department_id", "name", "network"
    )
    for channel in channels:
        channel._explicit_access = explicit.get(channel.pk, "")  # type: ignore[attr-defined]
        if channel_access_level(member, channel) != Access.NONE:
            labels[str(channel.pk)] = {"name": channel.name, "network": channel.network}
    return labels


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


def plan_fingerprint(organization_id: int, start: datetime, end: datetime) -> str | None:
    """A value that changes whenever a post of [start, end) or one of its variants is written; None where
    the database cannot give one (then nothing is cached).

    PostgreSQL: the number of rows and a sum of 64-bit hashes of each row version's identity, over the
    posts of the period and their variants. Every insert and update makes a new row version: `xmin` names
    the transaction that wrote it and `ctid` where it lies, which differs between two versions written by
    the same transaction (the older one cannot be cleared away before that transaction ends); a
    rolled-back version is never seen. A post moved out of the period changes the count or the sum, one
    moved in likewise. SQLite: a revision that triggers on both tables set to a
    new random number on every write (migration 0005), provided all six triggers are still there.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_PG_FINGERPRINT, {"org": organization_id, "start": start, "end": end})
        elif connection.vendor == "sqlite":
            cursor.execute(_SQLITE_FINGERPRINT)
        else:
            return None
        row = cursor.fetchone()
    if connection.vendor == "sqlite":
        revision, triggers = row
        return f"r{revision}" if triggers == SQLITE_TRIGGER_COUNT and revision is not None else None
    return ":".join(str(value) for value in row)


_PG_FINGERPRINT = """
SELECT
    (SELECT count(*) || ':' || coalesce(sum(hashtextextended(p.id::text || ':' || p.xmin::text || p.ctid::text, 0)), 0)
     FROM planning_post p
     WHERE p.organization_id = %(org)s AND p.publish_at >= %(start)s AND p.publish_at < %(end)s),
    (SELECT count(*) || ':' || coalesce(sum(hashtextextended(v.id::text || ':' || v.xmin::text || v.ctid::text, 0)), 0)
     FROM planning_postvariant v JOIN planning_post p ON p.id = v.post_id
     WHERE p.organization_id = %(org)s AND p.publish_at >= %(start)s AND p.publish_at < %(end)s)
"""
SQLITE_TRIGGER_COUNT = 6  # insert, update and delete on planning_post and planning_postvariant
_SQLITE_FINGERPRINT = """
SELECT
    (SELECT n FROM planning_calendar_revision WHERE id = 1),
    (SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN (
        'planning_calendar_rev_post_insert', 'planning_calendar_rev_post_update',
        'planning_calendar_rev_post_delete', 'planning_calendar_rev_postvariant_insert',
        'planning_calendar_rev_postvariant_update', 'planning_calendar_rev_postvariant_delete'))
"""


# The last few answers of the events endpoint: the key holds the person (membership id), what decides what
# they may edit and see, the period, filter, colouring, time zone, language and the plan's fingerprint.
answer_cache = AnswerCache(entries=32, size=48 * 1024 * 1024)


def calendar_events_json(
    member: Membership,
    start: datetime,
    end: datetime,
    plan_filter: PlanFilter,
    colour_by: str,
    post_url: tuple[str, str],
) -> bytes:
    """The posts of [start, end) as FullCalendar events, encoded as JSON, in the current time zone.

    The answer is kept (`answer_cache`) and served again while nothing it was built from has changed:
    the small lookups (departments, colours, readable channels, the person's role and departments) are
    read on every request and are part of the key, the posts by `plan_fingerprint`.
    """
    org = member.organization_id
    departments = dict(Department.objects.filter(organization_id=org).values_list("id", "name"))
    colours: dict[int, str]
    if colour_by == "campaign":
        colours = dict(Campaign.objects.filter(organization_id=org).values_list("id", "color"))
    elif colour_by == "topic":
        colours = dict(Topic.objects.filter(organization_id=org).values_list("id", "color"))
    else:
        colours = {pk: department_colour(pk) for pk in departments}
    readable = readable_channel_labels(member)
    labels = {value: str(label) for value, label in Post.Status.choices}  # translate once, not per row
    zone = timezone.get_current_timezone()
    lookups = _Lookups(departments, colours, readable, labels, zone, post_url)
    fingerprint = plan_fingerprint(org, start, end)
    key = (
        org,
        member.pk,
        # What `may_edit_post` reads of the person (their departments: for a CM).
        member.is_active,
        member.role,
        member.capabilities,
        frozenset(_department_ids(member)),
        start,
        end,
        tuple(tuple(values) for values in plan_filter.as_dict().values()),
        colour_by,
        str(zone),
        post_url,
        tuple(departments.items()),
        tuple(colours.items()),
        tuple((pk, label["name"], label["network"]) for pk, label in readable.items()),
        tuple(labels.items()),
        fingerprint,
    )
    if fingerprint is not None:
        body = answer_cache.get(key)
        if body is not None:
            return body
    events = calendar_events(member, start, end, plan_filter, colour_by, lookups)
    body = orjson.dumps(events)
    del events
    # Kept only if no write came between the fingerprint and the rows (the rows would be newer than it).
    if fingerprint is not None and plan_fingerprint(org, start, end) == fingerprint:
        answer_cache.put(key, body)
    return body


@dataclass(frozen=True)
class _Lookups:
    departments: dict[int, str]
    colours: dict[int, str]
    readable: dict[str, dict[str, str]]
    labels: dict[str, str]
    zone: tzinfo
    post_url: tuple[str, str]


def calendar_events(
    member: Membership,
    start: datetime,
    end: datetime,
    plan_filter: PlanFilter,
    colour_by: str,
    lookups: _Lookups,
) -> list[dict[str, Any]]:
    """The posts of [start, end) as FullCalendar events, in the lookups' time zone's wall-clock time.

    One query of plain values for the posts (their channels aggregated in SQL), whatever the number of
    posts: the month view with thousands of posts is opened all day long.
    """
    channel_ids = (
        PostVariant.objects.filter(post=OuterRef("pk"))
        .order_by()  # no join to the channels for the model's default order
        # Grouped by a constant, which Django leaves out: a GROUP BY post_id inside the correlated
        # subquery costs SQLite a third of the whole query.
        .annotate(one=Value(1))
        .values("one")
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
    departments, readable, labels = lookups.departments, lookups.readable, lookups.labels
    # Background and text colour per department, campaign or topic id, worked out once.
    pairs = {colour: (colour, text_colour_on(colour)) for colour in {*lookups.colours.values(), NO_COLOUR}}
    colour_pairs = {pk: pairs[colour or NO_COLOUR] for pk, colour in lookups.colours.items()}
    no_colour = pairs[NO_COLOUR]
    closed = {Post.Status.PUBLISHED.value, Post.Status.WITHDRAWN.value}
    wall_clock = wall_clock_for(lookups.zone)
    url_before, url_after = lookups.post_url
    # Rows repeat a few combinations of owner, department, status, colour and channels: the part of the
    # event they decide is built once per combination and copied into each row (a C-level dict merge).
    # The props are flat: FullCalendar moves every non-standard one into `extendedProps` itself.
    by_department, by_campaign = colour_by == "department", colour_by == "campaign"
    may_edit: dict[tuple[int, int], bool] = {}
    channel_lists: dict[str | None, list[dict[str, str]]] = {None: [], "": []}
    shared: dict[tuple[Any, ...], dict[str, Any]] = {}
    # The rows come in time order: the local hour is looked up once per run of rows in the same hour.
    last_hour, local_hour = "", ""

    events: list[dict[str, Any]] = []
    append = events.append
    for (
        public_id,
        title,
        moment,
        status,
        version,
        owner_id,
        department_id,
        campaign_id,
        topic_id,
        ids,
    ) in posts:
        colour_key = department_id if by_department else campaign_id if by_campaign else topic_id
        key = (owner_id, department_id, status, colour_key, ids)
        base = shared.get(key)
        if base is None:
            editable = may_edit.get(key[:2])
            if editable is None:
                ref = _PostRef(org, owner_id, department_id)
                editable = may_edit[key[:2]] = may_edit_post(member, ref)  # type: ignore[arg-type]
            editable = editable and status not in closed
            colour, text_colour = colour_pairs.get(colour_key, no_colour)
            shown = channel_lists.get(ids)
            if shown is None:
                shown = channel_lists[ids] = sorted(
                    (readable[i] for i in ids.split(",") if i in readable), key=_by_name
                )
            base = shared[key] = {
                "color": colour,
                "textColor": text_colour,
                "editable": editable,
                "mayEdit": editable,
                "status": labels[status],
                "statusCode": status,
                "department": departments.get(department_id, ""),
                "channels": shown,
            }
        if len(public_id) == 32:
            public_id = (
                f"{public_id[:8]}-{public_id[8:12]}-{public_id[12:16]}-{public_id[16:20]}-{public_id[20:]}"
            )
        if moment[:13] != last_hour:
            last_hour, local_hour = moment[:13], wall_clock.hour(moment[:13])
        append(
            {
                **base,
                "id": public_id,
                "title": title,
                "start": local_hour + moment[13:19] if local_hour else wall_clock.exact(moment),
                "url": url_before + public_id + url_after,
                "version": version,
            }
        )
    return events


_wall_clocks: dict[str, WallClock] = {}


def wall_clock_for(zone: tzinfo) -> WallClock:
    """One `WallClock` per time zone for the whole process: the local hours it has worked out stay true."""
    clock = _wall_clocks.get(str(zone))
    if clock is None or len(clock.hours) > 200_000:
        clock = _wall_clocks[str(zone)] = WallClock(zone)
    return clock


class WallClock:
    """Stored UTC times as text, '2027-03-01 07:13:00' (SQLite) or '2027-03-01 07:13:00+00' (PostgreSQL), as
    local wall-clock time 'YYYY-MM-DDTHH:MM:SS' in `zone`.

    Thousands of rows fall into a few hundred hours of a few dozen days: the local hour is worked out
    once per UTC hour (from the zone's offset, once per UTC day) and the minutes and seconds appended,
    wherever the day has one whole-hour offset throughout; any other row (a day with a change, a zone
    like India's at +05:30) takes the exact way.
    """

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self.days: dict[str, timedelta | None] = {}
        self.hours: dict[str, str] = {}

    def __call__(self, stored: str) -> str:
        prefix = self.hour(stored[:13])
        return prefix + stored[13:19] if prefix else self.exact(stored)

    def hour(self, hour: str) -> str:
        """'YYYY-MM-DDTHH' local for a UTC 'YYYY-MM-DD HH', or '' where the exact way must be taken."""
        prefix = self.hours.get(hour)
        if prefix is None:
            prefix = self.hours[hour] = self._local_hour(hour)
        return prefix

    def _local_hour(self, hour: str) -> str:
        day = hour[:10]
        if day not in self.days:
            first = datetime.fromisoformat(f"{day}T00:00:00").replace(tzinfo=UTC)
            offset = first.astimezone(self.zone).utcoffset()
            last = (first + timedelta(hours=23, minutes=59, seconds=59)).astimezone(self.zone).utcoffset()
            whole = offset is not None and offset == last and not offset % timedelta(hours=1)
            self.days[day] = offset if whole else None
        offset = self.days[day]
        if offset is None:
            return ""
        return (datetime.fromisoformat(f"{hour}:00:00") + offset).isoformat()[:13]

    def exact(self, stored: str) -> str:
        moment = datetime.fromisoformat(stored)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(self.zone).isoformat()[:19]


def _by_name(channel: dict[str, str]) -> str:
    return channel["name"]
