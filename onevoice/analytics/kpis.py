"""The measured value of a strategy KPI target from the collected figures (used by strategy/selectors.py).

Each function answers for the part of the goal's period gone so far: [start, until). None means there is
no data (nothing collected, or no channel of the target reports the figure) — never 0.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Q, Sum
from django.utils import timezone

from onevoice.analytics.community import inbox_figures, tz_of
from onevoice.analytics.definitions import engagement_rate, provides
from onevoice.analytics.models import ChannelDay, PostDay, TrackedPost
from onevoice.networks.models import Channel

if TYPE_CHECKING:
    from onevoice.strategy.models import KpiTarget


def _channels(target: KpiTarget) -> list[Channel]:
    channels = Channel.objects.filter(organization_id=target.organization_id)
    if target.channel_id:
        channels = channels.filter(pk=target.channel_id)
    elif target.network:
        channels = channels.filter(network=target.network)
    return list(channels)


def measured_value(target: KpiTarget, start: datetime, until: datetime) -> Decimal | None:
    """The target's metric over [start, until), in the target's unit before any per-week scaling."""
    metric = target.metric
    organization = target.goal.organization
    tz = tz_of(organization)
    first_day, last_day = (
        start.astimezone(tz).date(),
        (until - timedelta(microseconds=1)).astimezone(tz).date(),
    )
    channels = _channels(target)
    if metric == "engagement_rate":
        ids = [c.pk for c in channels if provides(c.network, "engagement_rate")]
        if not ids:
            return None
        found = TrackedPost.objects.filter(
            channel_id__in=ids,
            published_on__gte=first_day,
            published_on__lte=last_day,
            followers_at_publication__gt=0,
        ).aggregate(i=Sum("interactions"), f=Sum("followers_at_publication"))
        return engagement_rate(int(found["i"] or 0), int(found["f"] or 0))
    if metric == "followers":
        ids = [c.pk for c in channels if provides(c.network, "followers")]
        levels = _follower_levels(ids, last_day)
        return Decimal(sum(levels.values())) if levels else None
    if metric == "reach":
        ids = [c.pk for c in channels if provides(c.network, "impressions")]
        if not ids:
            return None
        total = PostDay.objects.filter(channel_id__in=ids, day__gte=first_day, day__lte=last_day).aggregate(
            n=Sum("impressions")
        )["n"]
        return Decimal(total or 0)
    if metric in ("first_response", "within_sla"):
        figures = inbox_figures(
            organization,
            start,
            until,
            channel_ids=[c.pk for c in channels],
            department_id=target.goal.department_id,
            now=timezone.now(),
        )
        return figures.first_response_hours if metric == "first_response" else figures.within_sla
    if metric == "requests_handled":
        from onevoice.planning.models import ContentRequest

        handled = ContentRequest.objects.filter(
            organization_id=target.organization_id,
            status__in=[ContentRequest.Status.ACCEPTED, ContentRequest.Status.DECLINED],
            updated_at__gte=start,
            updated_at__lt=until,
        )
        if target.goal.department_id:
            handled = handled.filter(department_id=target.goal.department_id)
        return Decimal(handled.count())
    return None


def follower_start(target: KpiTarget, start: datetime) -> Decimal | None:
    """Followers when the goal's period began: the baseline a follower target is on track from."""
    tz = tz_of(target.goal.organization)
    ids = [c.pk for c in _channels(target) if provides(c.network, "followers")]
    levels = _follower_levels(ids, start.astimezone(tz).date())
    return Decimal(sum(levels.values())) if levels else None


def _follower_levels(channel_ids: list[int], day: object) -> dict[int, int]:
    result: dict[int, int] = {}
    if not channel_ids:
        return result
    from django.db.models import Max

    latest = (
        ChannelDay.objects.filter(channel_id__in=channel_ids, day__lte=day, followers__isnull=False)
        .values("channel_id")
        .annotate(last=Max("day"))
    )
    pairs = Q()
    for row in latest:
        pairs |= Q(channel_id=row["channel_id"], day=row["last"])
    if pairs:
        result = {
            channel_id: followers
            for channel_id, followers in ChannelDay.objects.filter(pairs).values_list(
                "channel_id", "followers"
            )
            if followers is not None
        }
    return result
