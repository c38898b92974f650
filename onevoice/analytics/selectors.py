"""Reads for the dashboards and the report: one period (and the one before) for a scope.

A scope is the organisation, a channel, a department, a campaign or a topic, always narrowed to the
channels the person may read. Figures come from the daily rollups and the tracked posts, so a dashboard
costs a fixed number of queries whatever the number of posts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, ExpressionWrapper, F, FloatField, Max, Q, Sum
from django.db.models.functions import Cast
from django.utils import timezone

from onevoice.analytics.community import InboxFigures, PlanFigures, inbox_figures, plan_figures, tz_of
from onevoice.analytics.definitions import (
    METRIC_LABELS,
    NETWORK_POST_METRICS,
    any_provides,
    change_percent,
    engagement_rate,
    provides,
)
from onevoice.analytics.models import ChannelCollection, ChannelDay, PostDay, TrackedPost
from onevoice.analytics.periods import Period
from onevoice.networks.models import Channel
from onevoice.organization.models import Organization

PARTS = ("likes", "reposts", "replies", "quotes", "impressions", "clicks", "interactions")


@dataclass
class Scope:
    kind: str  # organization / channel / department / campaign / topic
    organization: Organization
    channels: list[Channel]  # readable channels in this scope
    obj: Any = None

    @property
    def channel_ids(self) -> list[int]:
        return [c.pk for c in self.channels]

    @property
    def networks(self) -> set[str]:
        return {c.network for c in self.channels}

    def posts(self) -> Any:
        """The tracked posts of the scope."""
        found = TrackedPost.objects.filter(organization=self.organization, channel_id__in=self.channel_ids)
        if self.kind in ("department", "campaign", "topic"):
            found = found.filter(**{f"{self.kind}_id": self.obj.pk})
        return found

    def post_days(self) -> Any:
        found = PostDay.objects.filter(organization=self.organization, channel_id__in=self.channel_ids)
        if self.kind in ("department", "campaign", "topic"):
            found = found.filter(**{f"tracked__{self.kind}_id": self.obj.pk})
        return found

    @property
    def follower_channels(self) -> list[int]:
        """Channels whose followers count for the scope: all of it, or the department's own."""
        if self.kind in ("campaign", "topic"):
            return []
        counted = [c for c in self.channels if provides(c.network, "followers")]
        if self.kind == "department":
            return [c.pk for c in counted if c.department_id == self.obj.pk]
        return [c.pk for c in counted]


@dataclass
class Figure:
    """One number with the previous period's and the change; `available` False means the network has none."""

    key: str
    value: Decimal | int | None
    previous: Decimal | int | None = None
    available: bool = True
    unit: str = ""
    lower_is_better: bool = False

    @property
    def label(self) -> str:
        return str(METRIC_LABELS.get(self.key, self.key))

    @property
    def change(self) -> Decimal | None:
        return change_percent(self.value, self.previous)

    @property
    def trend(self) -> str:
        change = self.change
        if change is None or change == 0:
            return "flat"
        better = (change > 0) != self.lower_is_better
        return "up" if better else "down"


@dataclass
class PostRow:
    tracked: TrackedPost
    channel: Channel
    rate: Decimal | None
    available: bool


@dataclass
class Dashboard:
    scope: Scope
    period: Period
    previous: Period
    figures: list[Figure]
    series: dict[str, Any]
    channels: list[dict[str, Any]]
    breakdowns: dict[str, list[dict[str, Any]]]
    top: list[PostRow]
    flop: list[PostRow]
    inbox: InboxFigures
    inbox_previous: InboxFigures
    plan: PlanFigures
    stale: list[dict[str, Any]] = field(default_factory=list)
    has_data: bool = True


def _sums(queryset: Any) -> dict[str, int]:
    found = queryset.aggregate(**{name: Sum(name) for name in PARTS})
    return {name: int(found[name] or 0) for name in PARTS}


def _followers_at(scope: Scope, day: date) -> int | None:
    """Followers of the scope's channels at the end of `day` (the last known level of each channel)."""
    ids = scope.follower_channels
    if not ids:
        return None
    levels = _levels(ids, day)
    return sum(levels.values()) if levels else None


def _rate_of(posts: Any, networks_with_rate: set[str]) -> tuple[Decimal | None, int]:
    found = posts.filter(channel__network__in=networks_with_rate, followers_at_publication__gt=0).aggregate(
        interactions=Sum("interactions"), followers=Sum("followers_at_publication")
    )
    return engagement_rate(int(found["interactions"] or 0), int(found["followers"] or 0)), int(
        found["interactions"] or 0
    )


def _period_figures(scope: Scope, period: Period) -> dict[str, Any]:
    posts = scope.posts().filter(published_on__gte=period.start, published_on__lte=period.end)
    if scope.kind in ("organization", "channel"):
        gains = _sums(
            ChannelDay.objects.filter(
                channel_id__in=scope.channel_ids, day__gte=period.start, day__lte=period.end
            )
        )
    else:
        gains = _sums(scope.post_days().filter(day__gte=period.start, day__lte=period.end))
    rate_networks = {n for n in scope.networks if provides(n, "engagement_rate")}
    rate, _interactions = _rate_of(posts, rate_networks)
    return {
        "published": posts.count(),
        "gains": gains,
        "rate": rate,
        "followers": _followers_at(scope, period.end),
        "followers_start": _followers_at(scope, period.start),
    }


def dashboard(scope: Scope, period: Period, *, now: datetime | None = None) -> Dashboard:
    now = now or timezone.now()
    tz = tz_of(scope.organization)
    previous = period.previous()
    current, before = _period_figures(scope, period), _period_figures(scope, previous)
    networks = scope.networks
    growth = None
    if current["followers"] is not None and current["followers_start"] is not None:
        growth = current["followers"] - current["followers_start"]
    growth_before = None
    if before["followers"] is not None and before["followers_start"] is not None:
        growth_before = before["followers"] - before["followers_start"]
    figures = [
        Figure("published", current["published"], before["published"]),
        Figure(
            "interactions",
            current["gains"]["interactions"],
            before["gains"]["interactions"],
            any_provides(networks, "interactions"),
        ),
        Figure(
            "engagement_rate", current["rate"], before["rate"], any_provides(networks, "engagement_rate"), "%"
        ),
        Figure(
            "followers",
            current["followers"],
            before["followers"],
            bool(scope.follower_channels) and any_provides(networks, "followers"),
        ),
        Figure(
            "follower_growth",
            growth,
            growth_before,
            bool(scope.follower_channels) and any_provides(networks, "followers"),
        ),
        Figure(
            "impressions",
            current["gains"]["impressions"],
            before["gains"]["impressions"],
            any_provides(networks, "impressions"),
        ),
    ]
    for figure in figures:
        if not figure.available:
            figure.value = figure.previous = None
    start, end = period.bounds(tz)
    prev_start, prev_end = previous.bounds(tz)
    department_id = scope.obj.pk if scope.kind == "department" else None
    inbox = inbox_figures(
        scope.organization, start, end, channel_ids=scope.channel_ids, department_id=department_id, now=now
    )
    inbox_previous = inbox_figures(
        scope.organization,
        prev_start,
        prev_end,
        channel_ids=scope.channel_ids,
        department_id=department_id,
        now=now,
    )
    if scope.kind in ("campaign", "topic"):
        inbox = inbox_previous = InboxFigures()
    plan = plan_figures(
        scope.organization,
        start,
        end,
        department_id=department_id,
        campaign_id=scope.obj.pk if scope.kind == "campaign" else None,
        topic_id=scope.obj.pk if scope.kind == "topic" else None,
    )
    top, flop = top_and_flop(scope, period)
    result = Dashboard(
        scope=scope,
        period=period,
        previous=previous,
        figures=figures,
        series=daily_series(scope, period),
        channels=channel_table(scope, period),
        breakdowns=breakdowns(scope, period) if scope.kind == "organization" else {},
        top=top,
        flop=flop,
        inbox=inbox,
        inbox_previous=inbox_previous,
        plan=plan,
        stale=stale_channels(scope),
    )
    result.has_data = bool(
        current["published"]
        or current["gains"]["interactions"]
        or current["followers"]
        or inbox.cases
        or plan.planned
    )
    return result


def daily_series(scope: Scope, period: Period) -> dict[str, Any]:
    """Per day: interactions gained, posts published, followers (carried forward)."""
    days = period.dates()
    if scope.kind in ("organization", "channel"):
        gained = dict(
            ChannelDay.objects.filter(
                channel_id__in=scope.channel_ids, day__gte=period.start, day__lte=period.end
            )
            .values("day")
            .annotate(n=Sum("interactions"))
            .values_list("day", "n")
        )
    else:
        gained = dict(
            scope.post_days()
            .filter(day__gte=period.start, day__lte=period.end)
            .values("day")
            .annotate(n=Sum("interactions"))
            .values_list("day", "n")
        )
    published = dict(
        scope.posts()
        .filter(published_on__gte=period.start, published_on__lte=period.end)
        .values("published_on")
        .annotate(n=Count("id"))
        .values_list("published_on", "n")
    )
    followers: dict[date, int] = {}
    if scope.follower_channels:
        for day, total in (
            ChannelDay.objects.filter(
                channel_id__in=scope.follower_channels,
                day__gte=period.start,
                day__lte=period.end,
                followers__isnull=False,
            )
            .values("day")
            .annotate(n=Sum("followers"))
            .values_list("day", "n")
        ):
            followers[day] = int(total)
    rows = [(d, int(published.get(d) or 0), int(gained.get(d) or 0), followers.get(d)) for d in days]
    return {
        "rows": rows,
        "labels": [d.isoformat() for d in days],
        "interactions": [int(gained.get(d) or 0) for d in days],
        "published": [int(published.get(d) or 0) for d in days],
        "followers": [followers.get(d) for d in days],
        "has_interactions": any_provides(scope.networks, "interactions"),
        "has_followers": bool(followers),
    }


def channel_table(scope: Scope, period: Period) -> list[dict[str, Any]]:
    """One row per channel: posts, interactions and their parts, rate, followers; "n/a" where not provided."""
    days = (
        ChannelDay.objects.filter(channel_id__in=scope.channel_ids)
        if scope.kind in ("organization", "channel")
        else scope.post_days()
    )
    gains = {
        row["channel_id"]: row
        for row in days.filter(day__gte=period.start, day__lte=period.end)
        .values("channel_id")
        .annotate(**{name: Sum(name) for name in PARTS})
    }
    posts = scope.posts().filter(published_on__gte=period.start, published_on__lte=period.end)
    per_channel = {
        row["channel_id"]: row
        for row in posts.values("channel_id").annotate(
            n=Count("id"),
            i=Sum("interactions", filter=Q(followers_at_publication__gt=0)),
            f=Sum("followers_at_publication", filter=Q(followers_at_publication__gt=0)),
        )
    }
    followers_end = _levels(scope.channel_ids, period.end)
    followers_start = _levels(scope.channel_ids, period.start)
    rows = []
    for channel in scope.channels:
        found = gains.get(channel.pk, {})
        counted = per_channel.get(channel.pk, {})
        row: dict[str, Any] = {
            "channel": channel,
            "name": channel.name,
            "network": channel.get_network_display(),
        }
        row["published"] = int(counted.get("n") or 0)
        for name in PARTS:
            value: Any = found.get(name)
            row[name] = int(value or 0) if provides(channel.network, name) else None
        rate_ok = provides(channel.network, "engagement_rate")
        row["engagement_rate"] = (
            engagement_rate(int(counted.get("i") or 0), int(counted.get("f") or 0)) if rate_ok else None
        )
        row["rate_available"] = rate_ok
        has_followers = provides(channel.network, "followers")
        row["followers"] = followers_end.get(channel.pk) if has_followers else None
        row["followers_available"] = has_followers
        start_level = followers_start.get(channel.pk)
        row["follower_growth"] = (
            row["followers"] - start_level
            if has_followers and row["followers"] is not None and start_level is not None
            else None
        )
        rows.append(row)
    return rows


def _levels(channel_ids: list[int], day: date) -> dict[int, int]:
    """Each channel's followers at the end of `day`: the rollup writes a row per day, so a week's window
    finds nearly all; a channel silent for longer is looked up on its own."""
    levels: dict[int, int] = {}
    for channel_id, followers in (
        ChannelDay.objects.filter(
            channel_id__in=channel_ids, day__lte=day, day__gt=day - timedelta(days=7), followers__isnull=False
        )
        .order_by("channel_id", "day")
        .values_list("channel_id", "followers")
    ):
        levels[channel_id] = int(followers or 0)  # the latest day wins
    missing = set(channel_ids) - set(levels)
    if missing:
        latest = (
            ChannelDay.objects.filter(channel_id__in=missing, day__lte=day, followers__isnull=False)
            .values("channel_id")
            .annotate(last=Max("day"))
        )
        pairs = Q()
        for row in latest:
            pairs |= Q(channel_id=row["channel_id"], day=row["last"])
        if pairs:
            for channel_id, followers in ChannelDay.objects.filter(pairs).values_list(
                "channel_id", "followers"
            ):
                levels[channel_id] = int(followers or 0)
    return levels


def breakdowns(scope: Scope, period: Period) -> dict[str, list[dict[str, Any]]]:
    """Posts published in the period by department, campaign and topic: how many, their interactions so far
    and their engagement rate (one query for the figures, one per kind for the names)."""
    from onevoice.organization.models import Department
    from onevoice.planning.models import Campaign, Topic

    rate_networks = [n for n in NETWORK_POST_METRICS if provides(n, "engagement_rate")]
    kinds = ("department", "campaign", "topic")
    counted: dict[str, dict[int, list[int]]] = {kind: {} for kind in kinds}
    rated = Q(channel__network__in=rate_networks, followers_at_publication__gt=0)
    for row in (
        scope.posts()
        .filter(published_on__gte=period.start, published_on__lte=period.end)
        .values("department_id", "campaign_id", "topic_id")
        .annotate(
            n=Count("id"),
            all=Sum("interactions"),
            i=Sum("interactions", filter=rated),
            f=Sum("followers_at_publication", filter=rated),
        )
    ):
        for kind in kinds:
            key = row[f"{kind}_id"]
            if key is not None:
                total = counted[kind].setdefault(key, [0, 0, 0, 0])
                total[0] += row["n"]
                total[1] += int(row["i"] or 0)
                total[2] += int(row["f"] or 0)
                total[3] += int(row["all"] or 0)
    models = {"department": Department, "campaign": Campaign, "topic": Topic}
    result: dict[str, list[dict[str, Any]]] = {}
    for kind in kinds:
        names = (
            models[kind]
            ._default_manager.filter(pk__in=counted[kind].keys(), organization=scope.organization)
            .order_by("name")
            .values_list("pk", "public_id", "name")
            if counted[kind]
            else []
        )
        result[kind] = [
            {
                "public_id": public_id,
                "name": name,
                "published": counted[kind][pk][0],
                "interactions": counted[kind][pk][3],
                "engagement_rate": engagement_rate(counted[kind][pk][1], counted[kind][pk][2]),
            }
            for pk, public_id, name in names
        ]
    return result


def top_and_flop(scope: Scope, period: Period, count: int = 5) -> tuple[list[PostRow], list[PostRow]]:
    """The posts of the period with the highest and the lowest engagement rate (posts on networks without
    figures are not ranked: they have none)."""
    channels = {c.pk: c for c in scope.channels}
    measurable = [c.pk for c in scope.channels if provides(c.network, "engagement_rate")]
    posts = (
        scope.posts()
        .filter(
            published_on__gte=period.start,
            published_on__lte=period.end,
            channel_id__in=measurable,
            followers_at_publication__gt=0,
        )
        .annotate(
            ratio=ExpressionWrapper(
                Cast("interactions", FloatField()) / F("followers_at_publication"), output_field=FloatField()
            )
        )
    )

    def row(tracked: TrackedPost) -> PostRow:
        return PostRow(
            tracked,
            channels[tracked.channel_id],
            engagement_rate(tracked.interactions, tracked.followers_at_publication or 0),
            True,
        )

    top = [row(t) for t in posts.order_by("-ratio", "-interactions", "-published_at")[:count]]
    shown = {r.tracked.pk for r in top}
    flop = [
        row(t) for t in posts.order_by("ratio", "interactions", "published_at")[:count] if t.pk not in shown
    ]
    return top, flop


def stale_channels(scope: Scope) -> list[dict[str, Any]]:
    """Channels whose last pull failed: their figures are as of the last good pull."""
    return [
        {
            "channel": c.channel,
            "last_success_at": c.last_success_at,
            "error": c.last_error,
            "next_try_at": c.next_try_at,
        }
        for c in ChannelCollection.objects.filter(
            channel_id__in=scope.channel_ids, failures__gt=0
        ).select_related("channel")
    ]


def posts_table(scope: Scope, period: Period) -> list[PostRow]:
    """Every tracked post of the period, newest first (for the export)."""
    channels = {c.pk: c for c in scope.channels}
    return [
        PostRow(
            t,
            channels[t.channel_id],
            engagement_rate(t.interactions, t.followers_at_publication or 0)
            if provides(channels[t.channel_id].network, "engagement_rate")
            else None,
            provides(channels[t.channel_id].network, "interactions"),
        )
        for t in scope.posts()
        .filter(published_on__gte=period.start, published_on__lte=period.end)
        .order_by("-published_at")
    ]
