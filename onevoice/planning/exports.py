"""The plan outside OneVoice: private iCalendar feeds and the CSV export (the import is csv_import.py).

CSV files are UTF-8 with a byte order mark (so Excel keeps the umlauts) and comma-separated (RFC 4180;
in German Excel open them with Data → From Text/CSV). Cells that a spreadsheet would run as a formula
get a leading apostrophe, which the import takes off again.
"""

from __future__ import annotations

import csv
import hashlib
import secrets
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onevoice.core import audit
from onevoice.networks.models import Channel
from onevoice.organization.access import NotAllowed, visible_channels
from onevoice.organization.models import Department, Membership
from onevoice.organization.roles import Capability
from onevoice.planning.models import CalendarFeed, Campaign, Post, PostVariant, Topic

S = Post.Status
FILTER_KEYS = ("department", "channel", "campaign", "topic", "status")
FEED_PAST_DAYS = 90  # a feed shows this much of the past, and all of the future
EVENT_MINUTES = 30
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def absolute_url(path: str) -> str:
    return f"{settings.BASE_URL}{path}"


def post_page_url(post: Post) -> str:
    return absolute_url(reverse("planning:post", args=[post.organization.slug, post.public_id]))


def organization_zone(member: Membership) -> ZoneInfo:
    return ZoneInfo(member.organization.time_zone)


# ---- filters ----------------------------------------------------------------------------------------


def uuid_or_none(value: str) -> str | None:
    import uuid

    try:
        return str(uuid.UUID(value.strip()))
    except (ValueError, AttributeError):
        return None


def _date_or_none(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


@dataclass(frozen=True)
class PlanFilter:
    """What part of the plan to export: public ids of departments, channels, campaigns, topics; statuses."""

    department: tuple[str, ...] = ()
    channel: tuple[str, ...] = ()
    campaign: tuple[str, ...] = ()
    topic: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    date_from: date | None = None  # in the organisation's time zone, inclusive
    date_to: date | None = None

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> PlanFilter:
        """Read `?department=<uuid>&status=scheduled&from=2027-03-01&to=2027-03-31` (keys may repeat).

        Values that are not ids or dates are left out, as a filter form would.
        """

        def values(key: str) -> list[str]:
            if hasattr(query, "getlist"):
                found: list[str] = query.getlist(key)
            else:
                raw = query.get(key) or []
                found = [raw] if isinstance(raw, str) else list(raw)
            return [v for v in found if v]

        ids = {key: tuple(filter(None, map(uuid_or_none, values(key)))) for key in FILTER_KEYS[:4]}
        statuses = tuple(v for v in values("status") if v in S.values)
        date_from = _date_or_none(query.get("from"))
        date_to = _date_or_none(query.get("to"))
        return cls(**ids, status=statuses, date_from=date_from, date_to=date_to)

    def as_json(self) -> dict[str, list[str]]:
        """The feed's stored filter (dates are not part of a feed: it always runs from now on)."""
        return {key: list(getattr(self, key)) for key in FILTER_KEYS if getattr(self, key)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PlanFilter:
        return cls.from_query({key: data.get(key) or [] for key in FILTER_KEYS})


def plan_posts(member: Membership, plan_filter: PlanFilter) -> QuerySet[Post]:
    """The organisation's posts that match the filter (everyone who sees the plan sees all posts)."""
    posts = Post.objects.filter(organization_id=member.organization_id)
    if plan_filter.department:
        posts = posts.filter(department__public_id__in=plan_filter.department)
    if plan_filter.campaign:
        posts = posts.filter(campaign__public_id__in=plan_filter.campaign)
    if plan_filter.topic:
        posts = posts.filter(topic__public_id__in=plan_filter.topic)
    if plan_filter.status:
        posts = posts.filter(status__in=plan_filter.status)
    if plan_filter.channel:
        posts = posts.filter(
            Exists(
                PostVariant.objects.filter(post=OuterRef("pk"), channel__public_id__in=plan_filter.channel)
            )
        )
    zone = organization_zone(member)
    if plan_filter.date_from:
        posts = posts.filter(publish_at__gte=datetime.combine(plan_filter.date_from, time.min, zone))
    if plan_filter.date_to:
        end = datetime.combine(plan_filter.date_to + timedelta(days=1), time.min, zone)
        posts = posts.filter(publish_at__lt=end)
    return posts.select_related("department", "campaign", "topic", "owner__user", "organization").order_by(
        F("publish_at").asc(nulls_last=True), "title", "id"
    )


def _readable_channels(member: Membership, plan_filter: PlanFilter) -> dict[int, Channel]:
    """The channels whose variants this person may see, narrowed to the filter's channels."""
    readable = {channel.pk: channel for channel, _level in visible_channels(member)}
    if plan_filter.channel:
        wanted = set(plan_filter.channel)
        readable = {pk: c for pk, c in readable.items() if str(c.public_id) in wanted}
    return readable


def _with_variants(posts: QuerySet[Post], channels: Mapping[int, Channel]) -> QuerySet[Post]:
    variants = (
        PostVariant.objects.filter(channel_id__in=list(channels))
        .select_related("channel")
        .order_by("channel__name", "id")
    )
    return posts.prefetch_related(Prefetch("variants", queryset=variants, to_attr="shown_variants"))


# ---- iCalendar feeds --------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_url(token: str) -> str:
    return absolute_url(reverse("planning-ical", kwargs={"token": token}))


@transaction.atomic
def feed_create(*, actor: Membership, name: str, plan_filter: PlanFilter) -> tuple[CalendarFeed, str]:
    """Give the person a new private feed; the token is returned once and only its hash is kept."""
    actor.require(Capability.VIEW_PLAN)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(
        membership=actor, name=name.strip(), token_hash=_token_hash(token), filters=plan_filter.as_json()
    )
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="calendar_feed.created",
        obj=feed,
        after={"name": feed.name, "filters": feed.filters},
    )
    return feed, token


@transaction.atomic
def feed_revoke(*, actor: Membership, feed: CalendarFeed) -> CalendarFeed:
    """Stop a feed for good: calendars that subscribed to it get nothing more."""
    if feed.membership_id != actor.pk:
        raise NotAllowed(Capability.VIEW_PLAN)
    if feed.revoked_at is None:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor.user,
            organization=actor.organization,
            verb="calendar_feed.revoked",
            obj=feed,
            before={"name": feed.name},
        )
    return feed


def feed_for_token(token: str) -> CalendarFeed | None:
    """The live feed behind a token, if its owner may still see the plan; notes when it was used."""
    feed = (
        CalendarFeed.objects.select_related("membership__organization", "membership__user")
        .filter(token_hash=_token_hash(token), revoked_at__isnull=True)
        .first()
    )
    if feed is None:
        return None
    member = feed.membership
    if not (member.is_active and member.user.is_active and member.can(Capability.VIEW_PLAN)):
        return None
    now = timezone.now()
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    feed.last_used_at = now
    return feed


def _event_start(moment: datetime, zone: ZoneInfo) -> datetime:
    """The local start with TZID; the second 02:30 of the autumn change cannot be said so, it goes as UTC."""
    local = moment.astimezone(zone)
    if local.fold and local.replace(fold=0).utcoffset() != local.utcoffset():
        return moment.astimezone(UTC)
    return local


EVENT_STATUS = {
    S.WITHDRAWN: "CANCELLED",
    S.IDEA: "TENTATIVE",
    S.DRAFT: "TENTATIVE",
    S.IN_REVIEW: "TENTATIVE",
    S.CHANGES_REQUESTED: "TENTATIVE",
}


def _excerpt(text: str, limit: int = 500) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _event(post: Post, zone: ZoneInfo) -> icalendar.Event:
    assert post.publish_at is not None
    channels = [v.channel.name for v in getattr(post, "shown_variants", [])]
    lines = [
        _("Status: %(status)s") % {"status": post.get_status_display()},
        _("Department: %(name)s") % {"name": post.department.name},
    ]
    if post.campaign:
        lines.append(_("Campaign: %(name)s") % {"name": post.campaign.name})
    if post.topic:
        lines.append(_("Topic: %(name)s") % {"name": post.topic.name})
    lines.append(_("Channels: %(names)s") % {"names": ", ".join(channels) or "—"})
    if post.base_text.strip():
        lines += ["", _excerpt(post.base_text)]
    url = post_page_url(post)
    lines += ["", url]
    event = icalendar.Event.new(
        uid=f"{post.public_id}@onevoice",
        start=_event_start(post.publish_at, zone),
        summary=post.title,
        description="\n".join(lines),
        url=url,
        created=post.created_at,
        last_modified=post.updated_at,
        sequence=post.version,
        status=EVENT_STATUS.get(S(post.status), "CONFIRMED"),  # type: ignore[arg-type]
        categories=[post.department.name],
        transparency="TRANSPARENT",  # type: ignore[arg-type]  # a planned post does not make anyone busy
    )
    if post.window_end and post.window_end > post.publish_at:
        event.add("DTEND", _event_start(post.window_end, zone))
    else:
        event.add("DURATION", timedelta(minutes=EVENT_MINUTES))
    return event


def plan_calendar(member: Membership, posts: Iterable[Post], *, name: str) -> icalendar.Calendar:
    """A VCALENDAR with the organisation's VTIMEZONE and one VEVENT per post with a publish time."""
    zone = organization_zone(member)
    calendar = icalendar.Calendar.new(prodid="-//OneVoice//Redaktionsplan//DE")
    calendar.add("X-WR-CALNAME", name)
    calendar.add("X-WR-TIMEZONE", member.organization.time_zone)
    calendar.add("REFRESH-INTERVAL", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", timedelta(hours=1))
    years: list[int] = []
    for post in posts:
        if post.publish_at is None:
            continue
        calendar.add_component(_event(post, zone))
        years.append(post.publish_at.astimezone(zone).year)
    first, last = (min(years), max(years)) if years else (timezone.now().year,) * 2
    vtimezone = icalendar.Timezone.from_tzid(
        member.organization.time_zone, first_date=date(first - 1, 1, 1), last_date=date(last + 2, 1, 1)
    )
    calendar.subcomponents.insert(0, vtimezone)
    return calendar


def feed_calendar(feed: CalendarFeed) -> bytes:
    """The feed's iCalendar text: its filter, from FEED_PAST_DAYS ago on, in its owner's language."""
    member = feed.membership
    plan_filter = PlanFilter.from_json(feed.filters or {})
    since = timezone.now() - timedelta(days=FEED_PAST_DAYS)
    posts = plan_posts(member, plan_filter).filter(publish_at__gte=since)
    posts = _with_variants(posts, _readable_channels(member, plan_filter))
    with translation.override(member.user.language or settings.LANGUAGE_CODE):
        name = f"{member.organization.name}: {feed.name}"
        return bytes(plan_calendar(member, posts, name=name).to_ical())


# ---- CSV export -------------------------------------------------------------------------------------

# (key, header): the export writes the headers in the reader's language; the import knows every language.
COLUMNS: tuple[tuple[str, Promise], ...] = (
    ("date", gettext_lazy("Date")),
    ("time", gettext_lazy("Time")),
    ("title", gettext_lazy("Title")),
    ("department", gettext_lazy("Department")),
    ("campaign", gettext_lazy("Campaign")),
    ("topic", gettext_lazy("Topic")),
    ("status", gettext_lazy("Status")),
    ("channel", gettext_lazy("Channel")),
    ("text", gettext_lazy("Text")),
    ("link", gettext_lazy("Link")),
    ("owner", gettext_lazy("Owner e-mail")),
    ("post_id", gettext_lazy("Post ID")),
)
REQUIRED_COLUMNS = ("date", "time", "title", "department", "channel", "text")


def csv_safe(value: str) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    return "'" + value if value[:1] in FORMULA_START else value


class _Echo:
    def write(self, value: str) -> str:
        return value


def plan_csv_lines(member: Membership, plan_filter: PlanFilter) -> Iterator[str]:
    """One line per post variant (a post without a variant gets one line without a channel)."""
    writer = csv.writer(_Echo())
    zone = organization_zone(member)
    channels = _readable_channels(member, plan_filter)
    posts = _with_variants(plan_posts(member, plan_filter), channels)
    yield "\ufeff"  # so Excel opens the UTF-8 file with umlauts intact
    yield writer.writerow([str(label) for _key, label in COLUMNS])
    for post in posts.iterator(chunk_size=500):
        local = post.publish_at.astimezone(zone) if post.publish_at else None
        common = [
            local.date().isoformat() if local else "",
            local.strftime("%H:%M") if local else "",
            csv_safe(post.title),
            csv_safe(post.department.name),
            csv_safe(post.campaign.name if post.campaign else ""),
            csv_safe(post.topic.name if post.topic else ""),
            post.get_status_display(),
        ]
        tail = [post.owner.user.email, str(post.public_id)]
        variants: list[PostVariant] = post.shown_variants  # type: ignore[attr-defined]
        if not variants:
            yield writer.writerow([*common, "", csv_safe(post.base_text), "", *tail])
        for variant in variants:
            yield writer.writerow(
                [
                    *common,
                    csv_safe(channels[variant.channel_id].name),
                    csv_safe(variant.text),
                    csv_safe(variant.link),
                    *tail,
                ]
            )


class FilterNames:
    """The names behind stored filters (ids of departments, channels, campaigns, topics), read once."""

    def __init__(self, member: Membership) -> None:
        org = member.organization_id
        self.names: dict[str, str] = {}
        for model in (Department, Channel, Campaign, Topic):
            rows = model.objects.filter(organization_id=org).values_list("public_id", "name")
            self.names.update({str(public_id): name for public_id, name in rows})

    def describe(self, filters: Mapping[str, Sequence[str]]) -> list[str]:
        found = [self.names[i] for key in FILTER_KEYS[:4] for i in filters.get(key) or [] if i in self.names]
        return found + [str(S(s).label) for s in filters.get("status") or [] if s in S.values]
