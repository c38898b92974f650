"""Reads for the strategy pages: goals with the state of each KPI target, and the channels' strategies."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onevoice.networks.models import Channel
from onevoice.organization.models import Organization
from onevoice.planning.conflicts import (
    ChannelRules,
    Shortfall,
    org_time_zone,
    preferred_in_words,
    shortfalls_ahead,
)
from onevoice.planning.models import Post, PostVariant, Topic
from onevoice.publishing.models import Publication
from onevoice.strategy.metrics import METRICS, Comparison, Metric, Unit
from onevoice.strategy.models import ChannelStrategy, Goal, KpiTarget, TargetGroup
from onevoice.strategy.periods import period_label


class State:
    NO_DATA = "no_data"
    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    OFF_TRACK = "off_track"
    MET = "met"
    MISSED = "missed"


STATE_LABELS = {
    State.NO_DATA: _("No data yet"),
    State.NOT_STARTED: _("Not started"),
    State.ON_TRACK: _("On track"),
    State.OFF_TRACK: _("Off track"),
    State.MET: _("Met"),
    State.MISSED: _("Missed"),
}


@dataclass(frozen=True)
class TargetState:
    state: str
    actual: int | Decimal | None = None
    expected: Decimal | None = None  # pro rata for the elapsed part of the period
    full: Decimal | None = None  # for the whole period

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self.state])


def _meets(comparison: str, actual: Decimal, wanted: Decimal) -> bool:
    # Posts come whole: at least 2.6 by now is met by 2, at most 2.4 allows 3.
    if comparison == Comparison.AT_LEAST:
        return actual >= math.floor(wanted)
    return actual <= math.ceil(wanted)


def target_state(target: KpiTarget, *, now: datetime | None = None) -> TargetState:
    """Where a target stands: posts published from the publishing log, every other metric from analytics."""
    if not METRICS[Metric(target.metric)].measured:
        return TargetState(State.NO_DATA)
    goal = target.goal
    tz = org_time_zone(goal.organization)
    now = now or timezone.now()
    start = datetime.combine(goal.period_start, time(), tz)
    end = datetime.combine(goal.period_end, time(), tz)
    if now < start:
        return TargetState(State.NOT_STARTED)
    until = min(now, end)
    if target.metric != Metric.POSTS_PUBLISHED:
        return _measured_state(target, start, end, until, now)
    published = Publication.objects.filter(
        organization_id=goal.organization_id,
        state=Publication.State.PUBLISHED,
        published_at__gte=start,
        published_at__lt=until,
    )
    if target.channel_id:
        published = published.filter(channel_id=target.channel_id)
    elif target.network:
        published = published.filter(channel__network=target.network)
    actual = published.count()
    length = Decimal((end - start).total_seconds())
    full = target.target_value
    if target.unit == Unit.PER_WEEK:
        full = target.target_value * length / Decimal(timedelta(weeks=1).total_seconds())
    if now >= end:
        met = _meets(target.comparison, Decimal(actual), full)
        return TargetState(State.MET if met else State.MISSED, actual, full, full)
    expected = full * Decimal((until - start).total_seconds()) / length
    on_track = _meets(target.comparison, Decimal(actual), expected)
    return TargetState(State.ON_TRACK if on_track else State.OFF_TRACK, actual, expected, full)


def _measured_state(
    target: KpiTarget, start: datetime, end: datetime, until: datetime, now: datetime
) -> TargetState:
    """A target measured from the analytics figures: counts pro rata, levels (rates, times) as they stand,
    followers on the straight line from where they were when the period began to the target."""
    from onevoice.analytics import kpis

    actual = kpis.measured_value(target, start, until)
    if actual is None:
        return TargetState(State.NO_DATA)
    wanted = target.target_value
    length = Decimal((end - start).total_seconds())
    done = now >= end
    if target.unit in (Unit.IN_PERIOD, Unit.PER_WEEK):
        full = wanted
        if target.unit == Unit.PER_WEEK:
            full = wanted * length / Decimal(timedelta(weeks=1).total_seconds())
        expected = full if done else full * Decimal((until - start).total_seconds()) / length
    elif target.unit == Unit.AT_PERIOD_END and not done:
        full = wanted
        baseline = kpis.follower_start(target, start)
        share = Decimal((until - start).total_seconds()) / length
        expected = wanted if baseline is None else baseline + (wanted - baseline) * share
    else:
        full = expected = wanted
    met = actual >= expected if target.comparison == Comparison.AT_LEAST else actual <= expected
    if done:
        return TargetState(State.MET if met else State.MISSED, actual, full, full)
    return TargetState(State.ON_TRACK if met else State.OFF_TRACK, actual, expected, full)


@dataclass
class GoalRow:
    goal: Goal
    period: str
    targets: list[tuple[KpiTarget, TargetState]]


def goals_with_state(organization: Organization, *, now: datetime | None = None) -> list[GoalRow]:
    goals = (
        Goal.objects.filter(organization=organization)
        .select_related("department", "organization")
        .prefetch_related(Prefetch("targets", queryset=KpiTarget.objects.select_related("channel")))
    )
    return [
        GoalRow(
            goal,
            period_label(goal.period_kind, goal.period_start),
            [(t, target_state(t, now=now)) for t in goal.targets.all()],
        )
        for goal in goals
    ]


@dataclass
class ChannelRow:
    channel: Channel
    strategy: ChannelStrategy | None
    rules: Any  # planning.PlanningRules or None
    this_week: int
    target_groups: list[TargetGroup] = field(default_factory=list)
    preferred: str = ""
    shortfalls: list[Shortfall] = field(default_factory=list)

    @property
    def min_per_week(self) -> int | None:
        return self.strategy.min_per_week if self.strategy else None

    @property
    def max_per_week(self) -> int | None:
        return self.rules.max_per_week if self.rules else None

    @property
    def week_state(self) -> str:
        """ "under", "over" or "ok" for this week's count against the minimum and maximum."""
        if self.min_per_week and self.this_week < self.min_per_week:
            return "under"
        if self.max_per_week and self.this_week > self.max_per_week:
            return "over"
        return "ok"


def this_week_bounds(organization: Organization, now: datetime | None = None) -> tuple[datetime, datetime]:
    tz = org_time_zone(organization)
    today = (now or timezone.now()).astimezone(tz).date()
    monday = today - timedelta(days=today.weekday())
    start = datetime.combine(monday, time(), tz)
    return start, datetime.combine(monday + timedelta(days=7), time(), tz)


def channel_rows(organization: Organization) -> list[ChannelRow]:
    """Each channel with its strategy, rules, posts planned this week and short weeks ahead."""
    channels = list(
        Channel.objects.filter(organization=organization)
        .select_related("department", "planning_rules", "strategy")
        .prefetch_related("strategy__target_groups")
    )
    start, end = this_week_bounds(organization)
    counts = dict(
        PostVariant.objects.filter(
            post__organization=organization, post__publish_at__gte=start, post__publish_at__lt=end
        )
        .exclude(post__status=Post.Status.WITHDRAWN)
        .values("channel_id")
        .annotate(n=Count("post_id", distinct=True))
        .values_list("channel_id", "n")
    )
    short: dict[int, list[Shortfall]] = {}
    for shortfall in shortfalls_ahead(organization):
        short.setdefault(shortfall.channel_id, []).append(shortfall)
    rows = []
    for channel in channels:
        strategy = getattr(channel, "strategy", None)
        preferred = ""
        if strategy and (strategy.preferred_weekdays or strategy.preferred_times):
            preferred = preferred_in_words(
                ChannelRules(
                    channel.name,
                    preferred_weekdays=frozenset(strategy.preferred_weekdays),
                    preferred_times=tuple(time.fromisoformat(t) for t in strategy.preferred_times),
                )
            )
        rows.append(
            ChannelRow(
                channel=channel,
                strategy=strategy,
                rules=getattr(channel, "planning_rules", None),
                this_week=counts.get(channel.pk, 0),
                target_groups=list(strategy.target_groups.all()) if strategy else [],
                preferred=preferred,
                shortfalls=short.get(channel.pk, []),
            )
        )
    return rows


def target_groups_of(organization: Organization) -> list[TargetGroup]:
    return list(
        TargetGroup.objects.filter(organization=organization).annotate(
            channel_count=Count("channel_strategies")
        )
    )


def topics_of(organization: Organization) -> list[Topic]:
    return list(Topic.objects.filter(organization=organization).select_related("department"))
