"""Reads for the dashboards and the report: one period (and the one before) for a scope.

A scope is the organisation, a channel, a department, a campaign or a topic, always narrowed to the
channels the person may read. Figures come from the daily rollups and the tracked posts, so a dashboard
costs a fixed number of queries whatever the number of posts.
"""

from __future__ import annotations

import sys
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import BigIntegerField, Count, ExpressionWrapper, F, FloatField, Max, Q, Sum, Value
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

# What a top/flop row shows of a tracked post (the rest stays in the database).
POST_ROW_FIELDS = (
    "id",
    "channel_id",
    "title",
    "excerpt",
    "url",
    "published_on",
    "published_at",
    "interactions",
    "followers_at_publication",
)
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


class _Levels:
    """Each channel's followers at the end of the days a dashboard needs, fetched together (two queries
    for the four days of a period and the one before, instead of two per day)."""

    def __init__(self, scope: Scope, days: list[date]) -> None:
        self.channel_ids = scope.channel_ids
        self.follower_channels = scope.follower_channels
        self.days = days
        self.found: dict[date, dict[int, int]] | None = None

    def at(self, day: date) -> dict[int, int]:
        if self.found is None or day not in self.found:
            wanted = sorted({*self.days, day})
            self.found = {**(self.found or {}), **_levels_on(self.channel_ids, wanted)}
        return self.found[day]

    def total(self, day: date) -> int | None:
        """Followers of the scope's follower channels at the end of `day` (None when none is known)."""
        if not self.follower_channels:
            return None
        levels = self.at(day)
        known = [levels[c] for c in self.follower_channels if c in levels]
        return sum(known) if known else None


@dataclass
class _PerChannel:
    """One period's gains and posts per channel: the channel table, and summed, the headline figures."""

    gains: dict[int, dict[str, Any]]
    posts: dict[int, dict[str, Any]]


def _per_channel(scope: Scope, period: Period) -> _PerChannel:
    days = (
        ChannelDay.objects.filter(channel_id__in=scope.channel_ids)
        if scope.kind in ("organization", "channel")
        else scope.post_days()
    )
    per_day: Any = (
        days.filter(day__gte=period.start, day__lte=period.end)
        .values("channel_id")
        .annotate(**{name: Sum(name) for name in PARTS})
    )
    gains: dict[int, dict[str, Any]] = {row["channel_id"]: row for row in per_day}
    posts: dict[int, dict[str, Any]] = {
        row["channel_id"]: row
        for row in scope.posts()
        .filter(published_on__gte=period.start, published_on__lte=period.end)
        .values("channel_id")
        .annotate(
            n=Count("id"),
            i=Sum("interactions", filter=Q(followers_at_publication__gt=0)),
            f=Sum("followers_at_publication", filter=Q(followers_at_publication__gt=0)),
        )
    }
    return _PerChannel(gains, posts)


def _period_figures(scope: Scope, period: Period, levels: _Levels) -> dict[str, Any]:
    per = _per_channel(scope, period)
    network_of = {c.pk: c.network for c in scope.channels}
    rated = [row for pk, row in per.posts.items() if provides(network_of.get(pk, ""), "engagement_rate")]
    return {
        "published": sum(int(row["n"]) for row in per.posts.values()),
        "gains": {name: sum(int(row[name] or 0) for row in per.gains.values()) for name in PARTS},
        "rate": engagement_rate(sum(int(r["i"] or 0) for r in rated), sum(int(r["f"] or 0) for r in rated)),
        "followers": levels.total(period.end),
        "followers_start": levels.total(period.start),
        "per_channel": per,
    }


def dashboard(scope: Scope, period: Period, *, now: datetime | None = None) -> Dashboard:
    now = now or timezone.now()
    tz = tz_of(scope.organization)
    previous = period.previous()
    levels = _Levels(scope, [period.start, period.end, previous.start, previous.end])
    current, before = _period_figures(scope, period, levels), _period_figures(scope, previous, levels)
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
        channels=channel_table(scope, period, per=current["per_channel"], levels=levels),
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
    followers: dict[date, int] = {}
    if scope.kind in ("organization", "channel"):
        # Interactions and followers per day in one pass over the channel days.
        gained = {}
        follower_channels = scope.follower_channels
        for day, n, total in (
            ChannelDay.objects.filter(
                channel_id__in=scope.channel_ids, day__gte=period.start, day__lte=period.end
            )
            .values("day")
            .annotate(
                n=Sum("interactions"),
                f=Sum("followers", filter=Q(channel_id__in=follower_channels, followers__isnull=False))
                if follower_channels
                else Value(None, output_field=BigIntegerField()),
            )
            .values_list("day", "n", "f")
        ):
            gained[day] = n
            if total is not None and follower_channels:
                followers[day] = int(total)
    else:
        gained = dict(
            scope.post_days()
            .filter(day__gte=period.start, day__lte=period.end)
            .values("day")
            .annotate(n=Sum("interactions"))
            .values_list("day", "n")
        )
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
    published = dict(
        scope.posts()
        .filter(published_on__gte=period.start, published_on__lte=period.end)
        .values("published_on")
        .annotate(n=Count("id"))
        .values_list("published_on", "n")
    )
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


def channel_table(
    scope: Scope, period: Period, *, per: _PerChannel | None = None, levels: _Levels | None = None
) -> list[dict[str, Any]]:
    """One row per channel: posts, interactions and their parts, rate, followers; "n/a" where not provided."""
    per = per or _per_channel(scope, period)
    levels = levels or _Levels(scope, [period.start, period.end])
    gains, per_channel = per.gains, per.posts
    followers_end = levels.at(period.end)
    followers_start = levels.at(period.start)
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


def _levels_on(channel_ids: list[int], days: list[date]) -> dict[date, dict[int, int]]:
    """Each channel's followers at the end of each day (its latest known level on or before it).

    The rollup writes a row per day, so the week before each day finds nearly all; channels silent for
    longer are looked up once for all days."""
    found: dict[date, dict[int, int]] = {day: {} for day in days}
    if not channel_ids or not days:
        return found
    window = Q()
    for day in days:
        window |= Q(day__lte=day, day__gt=day - timedelta(days=7))
    history: dict[int, list[tuple[date, int]]] = {}
    for channel_id, day, followers in (
        ChannelDay.objects.filter(window, channel_id__in=channel_ids, followers__isnull=False)
        .order_by("channel_id", "day")
        .values_list("channel_id", "day", "followers")
    ):
        history.setdefault(channel_id, []).append((day, int(followers or 0)))

    def fill(levels: dict[int, int], channel_id: int, day: date) -> None:
        known = history.get(channel_id, [])
        index = bisect_right(known, (day, sys.maxsize)) - 1
        if index >= 0 and known[index][0] > day - timedelta(days=7):
            levels[channel_id] = known[index][1]

    missing: set[int] = set()
    for day in days:
        for channel_id in channel_ids:
            fill(found[day], channel_id, day)
        missing |= set(channel_ids) - set(found[day])
    if missing:
        # The latest day with a figure on or before each wanted day, per channel, in one aggregate;
        # then just those rows.
        latest_days = {f"d{i}": Max("day", filter=Q(day__lte=day)) for i, day in enumerate(days)}
        wanted: dict[tuple[int, date], list[date]] = {}
        rows: Any = (
            ChannelDay.objects.filter(channel_id__in=missing, day__lte=max(days), followers__isnull=False)
            .values("channel_id")
            .annotate(**latest_days)
        )
        for row in rows:
            for i, day in enumerate(days):
                if row[f"d{i}"] is not None and row["channel_id"] not in found[day]:
                    wanted.setdefault((row["channel_id"], row[f"d{i}"]), []).append(day)
        if wanted:
            for channel_id, day, followers in ChannelDay.objects.filter(
                channel_id__in={c for c, _d in wanted}, day__in={d for _c, d in wanted}
            ).values_list("channel_id", "day", "followers"):
                for target in wanted.get((channel_id, day), []):
                    found[target][channel_id] = int(followers or 0)
    return found


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
        .only(*POST_ROW_FIELDS)
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
