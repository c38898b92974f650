"""Conflicts in the plan, shown while planning: too close on a channel, too many per day or week, the same
topic from two departments in one week, inside a blackout period, or a time already past."""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from onevoice.organization.models import Organization
from onevoice.planning.models import BlackoutPeriod, PlanningRules, Post

DEFAULT_MIN_GAP = timedelta(minutes=60)
ACTIVE = [s for s in Post.Status.values if s not in (Post.Status.WITHDRAWN,)]


@dataclass(frozen=True)
class Conflict:
    kind: str  # gap, per_day, per_week, topic, blackout, past
    message: str
    blocking: bool = False
    related: tuple[int, ...] = field(default=())


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment)


def _when(moment: datetime) -> str:
    return formats.date_format(_local(moment), "SHORT_DATETIME_FORMAT")


def conflicts_in_range(
    organization: Organization, start: datetime, end: datetime
) -> dict[int, list[Conflict]]:
    """Every scheduled post's conflicts in [start, end), by post id, in a fixed number of queries."""
    # A day and a week around the range, so neighbours just outside still count.
    posts = list(
        Post.objects.filter(
            organization=organization,
            status__in=ACTIVE,
            publish_at__isnull=False,
            publish_at__gte=start - timedelta(days=7),
            publish_at__lt=end + timedelta(days=7),
        )
        .select_related("department", "topic")
        .prefetch_related("variants__channel")
    )
    channel_ids = {v.channel_id for p in posts for v in p.variants.all()}
    rules = {r.channel_id: r for r in PlanningRules.objects.filter(channel_id__in=channel_ids)}
    blackouts = list(
        BlackoutPeriod.objects.filter(
            organization=organization,
            starts_at__lt=end + timedelta(days=7),
            ends_at__gt=start - timedelta(days=7),
        ).prefetch_related("channels")
    )
    found: dict[int, list[Conflict]] = defaultdict(list)
    by_channel: dict[int, list[Post]] = defaultdict(list)
    for post in posts:
        for variant in post.variants.all():
            by_channel[variant.channel_id].append(post)
    for channel_id, channel_posts in by_channel.items():
        channel_posts.sort(key=lambda p: p.publish_at)  # type: ignore[arg-type,return-value]
        rule = rules.get(channel_id)
        gap = timedelta(minutes=rule.min_gap_minutes) if rule else DEFAULT_MIN_GAP
        name = next(v.channel.name for v in channel_posts[0].variants.all() if v.channel_id == channel_id)
        for a, b in itertools.pairwise(channel_posts):
            assert a.publish_at
            assert b.publish_at
            if b.publish_at - a.publish_at < gap:
                minutes = int(gap.total_seconds() // 60)
                for one, other in ((a, b), (b, a)):
                    found[one.pk].append(
                        Conflict(
                            "gap",
                            _("On %(channel)s, “%(other)s” is planned less than %(minutes)s minutes apart.")
                            % {"channel": name, "other": other.title, "minutes": minutes},
                            related=(other.pk,),
                        )
                    )
        for period, limit, label in (
            ("day", rule.max_per_day if rule else None, _("day")),
            ("week", rule.max_per_week if rule else None, _("week")),
        ):
            if not limit:
                continue
            buckets: dict[tuple[int, int, int], list[Post]] = defaultdict(list)
            for post in channel_posts:
                local = _local(post.publish_at)  # type: ignore[arg-type]
                key = (
                    (local.year, local.month, local.day) if period == "day" else (*local.isocalendar()[:2], 0)
                )
                buckets[key].append(post)
            for bucket in buckets.values():
                if len(bucket) > limit:
                    for post in bucket:
                        found[post.pk].append(
                            Conflict(
                                f"per_{period}",
                                _("%(channel)s allows %(limit)s posts per %(period)s; %(count)s are planned.")
                                % {"channel": name, "limit": limit, "period": label, "count": len(bucket)},
                                related=tuple(p.pk for p in bucket if p.pk != post.pk),
                            )
                        )
    by_topic_week: dict[tuple[int, int, int], list[Post]] = defaultdict(list)
    for post in posts:
        if post.topic_id:
            year, week, _day = _local(post.publish_at).isocalendar()  # type: ignore[arg-type]
            by_topic_week[(post.topic_id, year, week)].append(post)
    for group in by_topic_week.values():
        departments = {p.department_id for p in group}
        if len(departments) > 1:
            for post in group:
                others = [p for p in group if p.department_id != post.department_id]
                found[post.pk].append(
                    Conflict(
                        "topic",
                        _("The topic “%(topic)s” is also planned this week by %(departments)s.")
                        % {
                            "topic": post.topic.name if post.topic else "",
                            "departments": ", ".join(sorted({p.department.name for p in others})),
                        },
                        related=tuple(p.pk for p in others),
                    )
                )
    now = timezone.now()
    for post in posts:
        assert post.publish_at
        post_channels = {v.channel_id for v in post.variants.all()}
        for blackout in blackouts:
            limited = {c.pk for c in blackout.channels.all()}
            if blackout.starts_at <= post.publish_at < blackout.ends_at and (
                not limited or limited & post_channels
            ):
                found[post.pk].append(
                    Conflict(
                        "blackout",
                        _("%(when)s is inside the blackout period “%(name)s” (%(start)s – %(end)s).")
                        % {
                            "when": _when(post.publish_at),
                            "name": blackout.name,
                            "start": _when(blackout.starts_at),
                            "end": _when(blackout.ends_at),
                        },
                        blocking=True,
                    )
                )
        if post.publish_at < now and post.status != Post.Status.PUBLISHED:
            found[post.pk].append(
                Conflict(
                    "past",
                    _("The publish time %(when)s has passed.") % {"when": _when(post.publish_at)},
                    blocking=True,
                )
            )
    return dict(found)


def conflicts_for(post: Post) -> list[Conflict]:
    if post.publish_at is None or post.status == Post.Status.WITHDRAWN:
        return []
    window = conflicts_in_range(
        post.organization, post.publish_at - timedelta(days=1), post.publish_at + timedelta(days=1)
    )
    return window.get(post.pk, [])


def blocking_conflicts(post: Post) -> list[str]:
    """What stops submission: a blackout period, or a time already past."""
    return [c.message for c in conflicts_for(post) if c.blocking]
