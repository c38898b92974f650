"""Conflicts in the plan, shown while planning: too close on a channel, too many per day or week, the same
topic from two departments in one week, inside a blackout period, or a time already past; from the channel
strategy, too few posts in one of the next weeks and, as a soft hint, a time outside the preferred times.

Days and ISO weeks are those of the organisation's time zone: 23:30 and 00:30 local are different days,
whatever UTC says. Withdrawn posts and unscheduled ideas never conflict; published posts still count as
neighbours of the others but are not flagged themselves (nothing can be changed about them any more).
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from django.utils import formats, timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onevoice.networks.models import Channel
from onevoice.organization.models import Organization
from onevoice.planning.models import BlackoutPeriod, Post, PostVariant

DEFAULT_MIN_GAP_MINUTES = 60
DEFAULT_MIN_GAP = timedelta(minutes=DEFAULT_MIN_GAP_MINUTES)
# The same tolerance the services use when they refuse a publish time in the past.
PAST_GRACE = timedelta(minutes=1)
# The strategy's minimum per week is checked for the current calendar week and the three after it.
MIN_WEEKS_AHEAD = 4
# A post this close to a preferred time (either side, same weekday) counts as at the preferred time.
PREFERRED_TOLERANCE = timedelta(minutes=30)

GAP, PER_DAY, PER_WEEK, TOPIC, BLACKOUT, PAST = "gap", "per_day", "per_week", "topic", "blackout", "past"
UNDER_MIN, OFF_TIME = "under_min", "off_time"
HINT, WARNING, BLOCKING = "hint", "warning", "blocking"
KIND_LABELS = {
    GAP: gettext_lazy("Too close"),
    PER_DAY: gettext_lazy("Too many that day"),
    PER_WEEK: gettext_lazy("Too many that week"),
    TOPIC: gettext_lazy("Same topic"),
    BLACKOUT: gettext_lazy("Blackout period"),
    PAST: gettext_lazy("Time passed"),
    UNDER_MIN: gettext_lazy("Too few that week"),
    OFF_TIME: gettext_lazy("Outside the preferred times"),
}
S = Post.Status


@dataclass(frozen=True)
class Conflict:
    kind: str  # gap, per_day, per_week, topic, blackout, past, under_min, off_time
    message: str
    blocking: bool = False
    related: tuple[int, ...] = field(default=())  # ids of the other posts involved
    related_posts: tuple[tuple[UUID, str], ...] = field(default=())  # (public id, title), for links
    soft: bool = False  # a hint: worth a look, fine if it is meant

    @property
    def severity(self) -> str:
        return BLOCKING if self.blocking else HINT if self.soft else WARNING

    @property
    def related_post_ids(self) -> tuple[int, ...]:
        return self.related

    @property
    def label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))


# ---- the rules, on plain data (no database) ----------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """A post as the conflict rules see it."""

    pk: int
    title: str
    status: str
    publish_at: datetime
    department_id: int
    department: str
    channel_ids: frozenset[int]
    topic_id: int | None = None
    topic: str = ""
    public_id: UUID | None = None


@dataclass(frozen=True)
class ChannelRules:
    name: str
    min_gap: timedelta = DEFAULT_MIN_GAP
    max_per_day: int | None = None
    max_per_week: int | None = None
    # From the channel strategy: the fewest posts per ISO week, the preferred weekdays (Monday = 0) and times.
    min_per_week: int | None = None
    preferred_weekdays: frozenset[int] = frozenset()
    preferred_times: tuple[time, ...] = ()


@dataclass(frozen=True)
class Shortfall:
    """A calendar week in which a channel has fewer posts planned than its strategy's minimum."""

    channel_id: int
    channel: str
    year: int
    week: int
    monday: date
    planned: int
    minimum: int


@dataclass(frozen=True)
class Blackout:
    name: str
    starts_at: datetime
    ends_at: datetime
    channel_ids: frozenset[int] = frozenset()  # empty: all channels


def _flagged(post: Planned) -> bool:
    return post.status not in (S.PUBLISHED, S.WITHDRAWN)


def _weeks_ahead(tz: zoneinfo.ZoneInfo, now: datetime, weeks: int) -> list[tuple[int, int, date]]:
    """(ISO year, ISO week, Monday) of the current local week and the `weeks - 1` after it."""
    monday = now.astimezone(tz).date()
    monday -= timedelta(days=monday.weekday())
    days = [monday + timedelta(weeks=i) for i in range(weeks)]
    return [(d.isocalendar().year, d.isocalendar().week, d) for d in days]


def find_shortfalls(
    posts: Iterable[Planned],
    rules: dict[int, ChannelRules],
    *,
    tz: zoneinfo.ZoneInfo,
    now: datetime,
    weeks: int = MIN_WEEKS_AHEAD,
) -> list[Shortfall]:
    """The weeks from this one on in which a channel with a minimum per week has fewer posts (published ones
    count, withdrawn ones and ideas without a time do not), by week then channel name."""
    ahead = _weeks_ahead(tz, now, weeks)
    counts: dict[tuple[int, int, int], int] = defaultdict(int)
    for post in posts:
        if post.status == S.WITHDRAWN:
            continue
        iso = post.publish_at.astimezone(tz).isocalendar()
        for channel_id in post.channel_ids:
            counts[(channel_id, iso.year, iso.week)] += 1
    short = [
        Shortfall(
            channel_id, rule.name, year, week, monday, counts[(channel_id, year, week)], rule.min_per_week
        )
        for channel_id, rule in rules.items()
        if rule.min_per_week
        for year, week, monday in ahead
        if counts[(channel_id, year, week)] < rule.min_per_week
    ]
    return sorted(short, key=lambda s: (s.monday, s.channel, s.channel_id))


def _at_preferred_time(rule: ChannelRules, local: datetime) -> bool:
    if rule.preferred_weekdays and local.weekday() not in rule.preferred_weekdays:
        return False
    if not rule.preferred_times:
        return True
    minutes = local.hour * 60 + local.minute
    tolerance = PREFERRED_TOLERANCE.total_seconds() // 60
    return any(abs(minutes - (t.hour * 60 + t.minute)) <= tolerance for t in rule.preferred_times)


def preferred_in_words(rule: ChannelRules) -> str:
    """ "Mon, Wed at 09:00, 12:30" in the active language."""
    days = ", ".join(str(WEEKDAYS_ABBR[d]) for d in sorted(rule.preferred_weekdays))
    times = ", ".join(formats.time_format(t, "TIME_FORMAT") for t in rule.preferred_times)
    if days and times:
        return _("%(days)s at %(times)s") % {"days": days, "times": times}
    return days or (_("at %(times)s") % {"times": times})


def find_conflicts(
    posts: Iterable[Planned],
    rules: dict[int, ChannelRules],
    blackouts: Iterable[Blackout],
    *,
    tz: zoneinfo.ZoneInfo,
    now: datetime,
) -> dict[int, list[Conflict]]:
    """Each flagged post's conflicts, by post id; `rules` has an entry for every channel of the posts."""
    # In UTC: Python compares two times of the same zone by the wall clock, which is wrong across DST.
    planned = sorted(
        (replace(p, publish_at=p.publish_at.astimezone(UTC)) for p in posts if p.status != S.WITHDRAWN),
        key=lambda p: (p.publish_at, p.pk),
    )
    found: dict[int, list[Conflict]] = defaultdict(list)

    def when(moment: datetime) -> str:
        return formats.date_format(moment.astimezone(tz), "SHORT_DATETIME_FORMAT")

    def add(
        post: Planned,
        kind: str,
        message: str,
        others: Iterable[Planned] = (),
        blocking: bool = False,
        soft: bool = False,
    ) -> None:
        if _flagged(post):
            others = list(others)
            found[post.pk].append(
                Conflict(
                    kind,
                    message,
                    blocking,
                    tuple(o.pk for o in others),
                    tuple((o.public_id, o.title) for o in others if o.public_id),
                    soft,
                )
            )

    by_channel: dict[int, list[Planned]] = defaultdict(list)
    for post in planned:
        for channel_id in post.channel_ids:
            by_channel[channel_id].append(post)

    for channel_id, channel_posts in by_channel.items():
        rule = rules.get(channel_id) or ChannelRules(name=str(channel_id))
        gap_minutes = int(rule.min_gap.total_seconds() // 60)
        # (a) the minimum gap: compare each post with the later ones still within the gap.
        for i, post in enumerate(channel_posts):
            for other in channel_posts[i + 1 :]:
                apart = other.publish_at - post.publish_at
                if apart >= rule.min_gap:
                    break
                minutes = int(apart.total_seconds() // 60)
                for one, two in ((post, other), (other, post)):
                    add(
                        one,
                        GAP,
                        _(
                            "On %(channel)s, “%(other)s” is planned at %(when)s, only %(minutes)s minutes "
                            "apart; this channel needs at least %(gap)s minutes between posts. Move one of them."
                        )
                        % {
                            "channel": rule.name,
                            "other": two.title,
                            "when": when(two.publish_at),
                            "minutes": minutes,
                            "gap": gap_minutes,
                        },
                        [two],
                    )
        # (b) the most posts per local day and per ISO week of the organisation's time zone.
        if rule.max_per_day:
            days: dict[Any, list[Planned]] = defaultdict(list)
            for post in channel_posts:
                days[post.publish_at.astimezone(tz).date()].append(post)
            for day, group in days.items():
                if len(group) > rule.max_per_day:
                    for post in group:
                        add(
                            post,
                            PER_DAY,
                            _(
                                "%(channel)s has %(count)s posts on %(day)s; at most %(limit)s per day are "
                                "planned for it. Move one to another day."
                            )
                            % {
                                "channel": rule.name,
                                "count": len(group),
                                "day": formats.date_format(day, "SHORT_DATE_FORMAT"),
                                "limit": rule.max_per_day,
                            },
                            [p for p in group if p is not post],
                        )
        if rule.max_per_week:
            weeks: dict[tuple[int, int], list[Planned]] = defaultdict(list)
            for post in channel_posts:
                iso = post.publish_at.astimezone(tz).isocalendar()
                weeks[(iso.year, iso.week)].append(post)
            for (_year, week), group in weeks.items():
                if len(group) > rule.max_per_week:
                    for post in group:
                        add(
                            post,
                            PER_WEEK,
                            _(
                                "%(channel)s has %(count)s posts in calendar week %(week)s; at most %(limit)s "
                                "per week are planned for it. Move one to another week."
                            )
                            % {
                                "channel": rule.name,
                                "count": len(group),
                                "week": week,
                                "limit": rule.max_per_week,
                            },
                            [p for p in group if p is not post],
                        )
        # (f) a time outside the strategy's preferred weekdays and times: a hint, not a warning.
        if rule.preferred_weekdays or rule.preferred_times:
            for post in channel_posts:
                local = post.publish_at.astimezone(tz)
                if not _at_preferred_time(rule, local):
                    add(
                        post,
                        OFF_TIME,
                        _(
                            "The strategy for %(channel)s prefers %(preferred)s; %(when)s is outside. Keep it "
                            "if that is meant, or move it to a preferred time."
                        )
                        % {
                            "channel": rule.name,
                            "preferred": preferred_in_words(rule),
                            "when": when(post.publish_at),
                        },
                        soft=True,
                    )

    # (g) fewer posts than the strategy's minimum, in this week and the next three: shown on the week's posts.
    for shortfall in find_shortfalls(planned, rules, tz=tz, now=now):
        in_week = [
            p
            for p in by_channel.get(shortfall.channel_id, [])
            if (p.publish_at.astimezone(tz).isocalendar()[:2]) == (shortfall.year, shortfall.week)
        ]
        for post in in_week:
            add(
                post,
                UNDER_MIN,
                _(
                    "%(channel)s has only %(count)s posts planned in calendar week %(week)s; its strategy asks "
                    "for at least %(minimum)s. Plan more for that week."
                )
                % {
                    "channel": shortfall.channel,
                    "count": shortfall.planned,
                    "week": shortfall.week,
                    "minimum": shortfall.minimum,
                },
            )

    # (c) the same topic from two departments in one ISO week.
    by_topic_week: dict[tuple[int, int, int], list[Planned]] = defaultdict(list)
    for post in planned:
        if post.topic_id is not None:
            iso = post.publish_at.astimezone(tz).isocalendar()
            by_topic_week[(post.topic_id, iso.year, iso.week)].append(post)
    for (_topic, _year, week), group in by_topic_week.items():
        if len({p.department_id for p in group}) < 2:
            continue
        for post in group:
            others = [p for p in group if p.department_id != post.department_id]
            add(
                post,
                TOPIC,
                _(
                    "The topic “%(topic)s” is also planned in calendar week %(week)s by %(departments)s. "
                    "Agree with them who posts what, so the organisation speaks with one voice."
                )
                % {
                    "topic": post.topic,
                    "week": week,
                    "departments": ", ".join(sorted({p.department for p in others})),
                },
                others,
            )

    # (d) blackout periods and (e) times already past.
    periods = [
        replace(b, starts_at=b.starts_at.astimezone(UTC), ends_at=b.ends_at.astimezone(UTC))
        for b in blackouts
    ]
    for post in planned:
        for period in periods:
            applies = not period.channel_ids or bool(period.channel_ids & post.channel_ids)
            if applies and period.starts_at <= post.publish_at < period.ends_at:
                add(
                    post,
                    BLACKOUT,
                    _(
                        "%(when)s is inside the blackout period “%(name)s” (%(start)s – %(end)s): nothing goes "
                        "out then. Choose a time outside it."
                    )
                    % {
                        "when": when(post.publish_at),
                        "name": period.name,
                        "start": when(period.starts_at),
                        "end": when(period.ends_at),
                    },
                    blocking=True,
                )
        if post.publish_at < now.astimezone(UTC) - PAST_GRACE:
            add(
                post,
                PAST,
                _("The publish time %(when)s has passed and the post has not gone out. Choose a new time.")
                % {"when": when(post.publish_at)},
                blocking=True,
            )
    # What blocks comes first: it is what the person must fix; hints come last.
    return {pk: sorted(conflicts, key=lambda c: (not c.blocking, c.soft)) for pk, conflicts in found.items()}


# ---- reading the plan ----------------------------------------------------------------------------------


def org_time_zone(organization: Organization) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(organization.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("Europe/Berlin")


def _channel_rules(organization_id: int) -> dict[int, ChannelRules]:
    rules = {}
    channels = Channel.objects.filter(organization_id=organization_id).select_related(
        "planning_rules", "strategy"
    )
    for channel in channels:
        row = getattr(channel, "planning_rules", None)
        strategy = getattr(channel, "strategy", None)
        rules[channel.pk] = ChannelRules(
            name=channel.name,
            min_gap=timedelta(minutes=row.min_gap_minutes) if row else DEFAULT_MIN_GAP,
            max_per_day=row.max_per_day if row else None,
            max_per_week=row.max_per_week if row else None,
            min_per_week=strategy.min_per_week if strategy else None,
            preferred_weekdays=frozenset(strategy.preferred_weekdays) if strategy else frozenset(),
            preferred_times=tuple(time.fromisoformat(t) for t in strategy.preferred_times)
            if strategy
            else (),
        )
    return rules


def _load(
    organization: Organization, start: datetime, end: datetime
) -> tuple[list[Planned], dict[int, ChannelRules], list[Blackout]]:
    """The posts, channel rules and blackout periods that can matter for [start, end): five queries."""
    rules = _channel_rules(organization.pk)
    widest_gap = max((r.min_gap for r in rules.values()), default=DEFAULT_MIN_GAP)
    # A week and the widest gap on either side, so neighbours in the same day or ISO week still count.
    since, until = start - timedelta(days=7) - widest_gap, end + timedelta(days=7) + widest_gap
    in_window = {
        "publish_at__isnull": False,
        "publish_at__gte": since,
        "publish_at__lt": until,
    }
    rows = (
        Post.objects.filter(organization=organization, **in_window)
        .exclude(status=S.WITHDRAWN)
        .values_list(
            "pk", "public_id", "title", "status", "publish_at", "department_id", "department__name",
            "topic_id", "topic__name",
        )
    )  # fmt: skip
    channels_of: dict[int, set[int]] = defaultdict(set)
    for post_id, channel_id in (
        PostVariant.objects.filter(**{f"post__{k}": v for k, v in in_window.items()})
        .filter(post__organization=organization)
        .exclude(post__status=S.WITHDRAWN)
        .values_list("post_id", "channel_id")
    ):
        channels_of[post_id].add(channel_id)
    planned = [
        Planned(
            pk=pk,
            public_id=public_id,
            title=title,
            status=status,
            publish_at=publish_at,
            department_id=department_id,
            department=department,
            topic_id=topic_id,
            topic=topic or "",
            channel_ids=frozenset(channels_of.get(pk, ())),
        )
        for pk, public_id, title, status, publish_at, department_id, department, topic_id, topic in rows
        if publish_at is not None  # the query excludes them; this tells the type checker
    ]
    periods = list(
        BlackoutPeriod.objects.filter(organization=organization, starts_at__lt=until, ends_at__gt=since)
    )
    limited: dict[int, set[int]] = defaultdict(set)
    for period_id, channel_id in BlackoutPeriod.channels.through.objects.filter(
        blackoutperiod__in=periods
    ).values_list("blackoutperiod_id", "channel_id"):
        limited[period_id].add(channel_id)
    blackouts = [Blackout(p.name, p.starts_at, p.ends_at, frozenset(limited.get(p.pk, ()))) for p in periods]
    return planned, rules, blackouts


def conflicts_in_range(
    organization: Organization, start: datetime, end: datetime
) -> dict[int, list[Conflict]]:
    """The conflicts of every post planned in [start, end), by post id, in a constant number of queries."""
    planned, rules, blackouts = _load(organization, start, end)
    found = find_conflicts(planned, rules, blackouts, tz=org_time_zone(organization), now=timezone.now())
    inside = {p.pk for p in planned if start <= p.publish_at < end}
    return {pk: conflicts for pk, conflicts in found.items() if pk in inside}


def conflicts_for(post: Post) -> list[Conflict]:
    """The post's conflicts, with its fields as they are on the object (so an unsaved time can be checked)."""
    publish_at = post.publish_at
    if post.pk is None or publish_at is None or post.status == S.WITHDRAWN:
        return []
    organization = post.organization
    planned, rules, blackouts = _load(organization, publish_at, publish_at)
    saved = next((p for p in planned if p.pk == post.pk), None)
    channel_ids = (
        saved.channel_ids if saved else frozenset(post.variants.values_list("channel_id", flat=True))
    )
    this = Planned(
        pk=post.pk,
        public_id=post.public_id,
        title=post.title,
        status=post.status,
        publish_at=publish_at,
        department_id=post.department_id,
        department=post.department.name,
        topic_id=post.topic_id,
        topic=post.topic.name if post.topic else "",
        channel_ids=channel_ids,
    )
    planned = [p for p in planned if p.pk != post.pk] + [this]
    found = find_conflicts(planned, rules, blackouts, tz=org_time_zone(organization), now=timezone.now())
    return found.get(post.pk, [])


def shortfalls_ahead(organization: Organization, *, weeks: int = MIN_WEEKS_AHEAD) -> list[Shortfall]:
    """The weeks from this one on in which a channel has fewer posts planned than its strategy's minimum."""
    now = timezone.now()
    tz = org_time_zone(organization)
    ahead = _weeks_ahead(tz, now, weeks)
    start = datetime.combine(ahead[0][2], time(), tz)
    end = datetime.combine(ahead[-1][2] + timedelta(days=7), time(), tz)
    planned, rules, _blackouts = _load(organization, start, end)
    return find_shortfalls(planned, rules, tz=tz, now=now, weeks=weeks)


def blocking_conflicts(post: Post) -> list[str]:
    """What stops submission, in words: a blackout period, or a time already past."""
    return [c.message for c in conflicts_for(post) if c.blocking]
