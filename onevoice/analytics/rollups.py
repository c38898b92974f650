"""Daily figures recomputed from the samples, so the order in which samples arrive does not matter.

A post's day holds what it gained that day: its lifetime count at the end of the day (the organisation's
time zone) minus the count at the end of the last day before with a sample. A channel's day holds the
sum over its posts and the followers at the end of the day, carried forward over days without a sample.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from onevoice.analytics.definitions import INTERACTION_PARTS
from onevoice.analytics.models import POST_METRICS, ChannelDay, MetricSample, PostDay, TrackedPost
from onevoice.networks.models import Channel


def _tz_of(organization_id: int) -> ZoneInfo:
    from onevoice.organization.models import Organization

    name = Organization.objects.filter(pk=organization_id).values_list("time_zone", flat=True).first()
    return ZoneInfo(name or "Europe/Berlin")


def _day_start(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tz)


@transaction.atomic
def tracked_posts_rollup(items: list[tuple[TrackedPost, datetime]]) -> None:
    """Recompute each post's days from `since` on (its earliest new sample) and its latest values."""
    if not items:
        return
    tz = _tz_of(items[0][0].organization_id)
    for tracked, since in items:
        start_day = since.astimezone(tz).date()
        boundary = _day_start(start_day, tz)
        samples = list(
            MetricSample.objects.filter(channel_id=tracked.channel_id, subject=tracked.subject)
            .order_by("measured_at", "id")
            .values_list("name", "value", "measured_at")
        )
        level: dict[str, int] = {}
        end_of_day: dict[date, dict[str, int]] = {}
        latest: dict[str, int] = {}
        last_seen: datetime | None = None
        for name, value, measured_at in samples:
            latest[name] = value
            last_seen = measured_at
            if measured_at < boundary:
                level[name] = value  # the baseline before the recomputed days
                continue
            end_of_day.setdefault(measured_at.astimezone(tz).date(), {})[name] = value
        rows = []
        for day in sorted(end_of_day):
            gains = {}
            for name in POST_METRICS:
                if name in end_of_day[day]:
                    gains[name] = end_of_day[day][name] - level.get(name, 0)
                    level[name] = end_of_day[day][name]
            if not any(gains.values()):
                continue
            rows.append(
                PostDay(
                    organization_id=tracked.organization_id,
                    channel_id=tracked.channel_id,
                    tracked=tracked,
                    day=day,
                    interactions=sum(gains.get(name, 0) for name in INTERACTION_PARTS),
                    **gains,
                )
            )
        PostDay.objects.filter(tracked=tracked, day__gte=start_day).delete()
        PostDay.objects.bulk_create(rows)
        for name in POST_METRICS:
            setattr(tracked, name, latest.get(name, 0))
        tracked.interactions = sum(latest.get(name, 0) for name in INTERACTION_PARTS)
        tracked.last_collected_at = last_seen
        tracked.save(update_fields=[*POST_METRICS, "interactions", "last_collected_at"])


@transaction.atomic
def channel_days_rollup(channel: Channel, *, since: datetime, until: date | None = None) -> None:
    """Recompute the channel's days from the day of `since` to today (or `until`)."""
    tz = _tz_of(channel.organization_id)
    start_day = since.astimezone(tz).date()
    last_day = until or timezone.now().astimezone(tz).date()
    gains = {
        row["day"]: row
        for row in PostDay.objects.filter(channel=channel, day__gte=start_day)
        .values("day")
        .annotate(**{name: Sum(name) for name in (*POST_METRICS, "interactions")})
    }
    published = dict(
        TrackedPost.objects.filter(channel=channel, published_on__gte=start_day)
        .values("published_on")
        .annotate(n=Count("id"))
        .values_list("published_on", "n")
    )
    followers: int | None = None
    per_day: dict[date, int] = {}
    boundary = _day_start(start_day, tz)
    for value, measured_at in (
        MetricSample.objects.filter(channel=channel, subject="channel", name="followers")
        .order_by("measured_at", "id")
        .values_list("value", "measured_at")
    ):
        if measured_at < boundary:
            followers = value
        else:
            per_day[measured_at.astimezone(tz).date()] = value
    if gains:
        last_day = max(last_day, max(gains))
    if per_day:
        last_day = max(last_day, max(per_day))
    rows = []
    day = start_day
    while day <= last_day:
        followers = per_day.get(day, followers)
        found: dict[str, Any] = dict(gains.get(day) or {})
        rows.append(
            ChannelDay(
                organization_id=channel.organization_id,
                channel=channel,
                day=day,
                followers=followers,
                published=published.get(day, 0),
                **{name: found.get(name) or 0 for name in (*POST_METRICS, "interactions")},
            )
        )
        day += timedelta(days=1)
    ChannelDay.objects.filter(channel=channel, day__gte=start_day).delete()
    ChannelDay.objects.bulk_create(rows, batch_size=1000)
    _followers_at_publication(channel)


def _followers_at_publication(channel: Channel) -> None:
    """Give posts without it the followers their channel had on the day they went out (or first known)."""
    missing = list(TrackedPost.objects.filter(channel=channel, followers_at_publication__isnull=True))
    if not missing:
        return
    levels = list(
        ChannelDay.objects.filter(channel=channel, followers__isnull=False)
        .order_by("day")
        .values_list("day", "followers")
    )
    if not levels:
        return
    days = [d for d, _f in levels]
    for tracked in missing:
        index = bisect_right(days, tracked.published_on) - 1
        tracked.followers_at_publication = levels[max(index, 0)][1]
    TrackedPost.objects.bulk_update(missing, ["followers_at_publication"])
