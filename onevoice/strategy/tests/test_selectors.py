"""Where KPI targets stand: posts published are measured pro rata for the elapsed part of the period."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onevoice.networks.models import Channel
from onevoice.planning import services as planning
from onevoice.publishing.models import Publication
from onevoice.strategy import selectors, services
from onevoice.strategy.models import Goal, KpiTarget

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
# A month of 30 days: April 2027.
APRIL = date(2027, 4, 1)


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2027, 4, day, hour, tzinfo=BERLIN)


def published(personas, channel: Channel, when: datetime, state: str = Publication.State.PUBLISHED) -> None:
    post = planning.post_create(
        actor=personas.smm,
        title="Beitrag",
        department=personas.marketing,
        channels=[channel],
        base_text="Hallo",
    )
    Publication.objects.create(
        organization=personas.organization,
        variant=post.variants.get(),
        channel=channel,
        state=state,
        due_at=when,
        next_attempt_at=when,
        idempotency_key=uuid.uuid4().hex,
        published_at=when,
    )


@pytest.fixture
def april(personas) -> Goal:
    return services.goal_save(
        actor=personas.smm,
        goal=None,
        name="Regelmäßig posten",
        description="",
        department=None,
        period_kind="month",
        period_start_on=APRIL,
    )


def posts_target(personas, goal: Goal, value: str, unit: str = "in_period", **scope) -> KpiTarget:
    return services.kpi_target_save(
        actor=personas.smm,
        goal=goal,
        target=None,
        metric="posts_published",
        comparison=scope.pop("comparison", "gte"),
        target_value=Decimal(value),
        unit=unit,
        channel=scope.get("channel"),
        network=scope.get("network", ""),
    )


class TestTargetState:
    def test_a_metric_not_measured_yet_has_no_data(self, personas, april) -> None:
        target = services.kpi_target_save(
            actor=personas.smm,
            goal=april,
            target=None,
            metric="first_response",
            comparison="lte",
            target_value=Decimal(2),
            unit="business_hours",
            channel=None,
            network="",
        )
        assert selectors.target_state(target, now=at(10)).state == selectors.State.NO_DATA

    def test_a_period_to_come_has_not_started(self, personas, april) -> None:
        target = posts_target(personas, april, "30")
        assert selectors.target_state(target, now=at(1) - timedelta(hours=12)).state == "not_started"

    def test_it_is_on_track_with_the_pro_rata_share_published(self, personas, april, channel) -> None:
        target = posts_target(personas, april, "30")  # one a day
        for day in range(1, 10):
            published(personas, channel, at(day))
        state = selectors.target_state(target, now=at(10, 0))
        assert (state.state, state.actual) == ("on_track", 9)
        assert state.expected == Decimal(9)

    def test_it_is_off_track_below_the_pro_rata_share(self, personas, april, channel) -> None:
        target = posts_target(personas, april, "30")
        for day in range(1, 5):
            published(personas, channel, at(day))
        assert selectors.target_state(target, now=at(16)).state == "off_track"

    def test_a_weekly_target_is_scaled_to_the_period(self, personas, april, channel) -> None:
        target = posts_target(personas, april, "7", unit="per_week")  # one a day
        for day in range(1, 8):
            published(personas, channel, at(day, 8))
        state = selectors.target_state(target, now=at(8, 0))
        assert (state.state, state.expected, round(state.full or 0)) == ("on_track", Decimal(7), 30)

    def test_only_published_publications_in_the_period_count(self, personas, april, channel) -> None:
        target = posts_target(personas, april, "1")
        published(personas, channel, at(1) - timedelta(days=1))
        published(personas, channel, at(2), state=Publication.State.FAILED)
        assert selectors.target_state(target, now=at(20)).actual == 0

    def test_it_counts_only_the_channel_or_network_in_scope(self, personas, april, channel) -> None:
        from onevoice.networks import services as channel_services

        other = channel_services.channel_create_newsroom(actor=personas.smm, name="Karriere", department=None)
        published(personas, channel, at(2))
        published(personas, other, at(3))
        assert (
            selectors.target_state(posts_target(personas, april, "1", channel=channel), now=at(20)).actual
            == 1
        )
        assert (
            selectors.target_state(posts_target(personas, april, "1", network="bluesky"), now=at(20)).actual
            == 0
        )
        assert selectors.target_state(posts_target(personas, april, "1"), now=at(20)).actual == 2

    def test_at_most_targets_are_off_track_when_ahead_of_the_allowance(
        self, personas, april, channel
    ) -> None:
        target = posts_target(personas, april, "3", comparison="lte")
        for day in (1, 2, 3):
            published(personas, channel, at(day))
        assert selectors.target_state(target, now=at(4)).state == "off_track"

    def test_an_ended_period_is_met_or_missed(self, personas, april, channel) -> None:
        met = posts_target(personas, april, "2")
        missed = posts_target(personas, april, "3")
        published(personas, channel, at(5))
        published(personas, channel, at(25))
        later = datetime(2027, 5, 3, tzinfo=BERLIN)
        assert selectors.target_state(met, now=later).state == "met"
        assert selectors.target_state(missed, now=later).state == "missed"


class TestChannelRows:
    def test_it_counts_the_posts_planned_this_week_against_the_minimum(self, personas, channel) -> None:
        services.channel_strategy_save(
            actor=personas.smm,
            channel=channel,
            purpose="Neuigkeiten",
            target_groups=[],
            min_per_week=20,
            preferred_weekdays=[0],
            preferred_times=[time(9)],
            min_gap_minutes=60,
            max_per_day=None,
            max_per_week=30,
        )
        start, _end = selectors.this_week_bounds(personas.organization)
        planning.post_create(
            actor=personas.smm,
            title="Diese Woche",
            department=personas.marketing,
            channels=[channel],
            publish_at=start + timedelta(days=6, hours=23),
        )
        (row,) = selectors.channel_rows(personas.organization)
        assert (row.this_week, row.min_per_week, row.max_per_week, row.week_state) == (1, 20, 30, "under")
        assert row.preferred == "Mon at 9 a.m."
        assert [s.planned for s in row.shortfalls] == [1, 0, 0, 0]


class TestOverviewQueries:
    def add_channel_with_strategy(self, personas, name: str) -> None:
        from onevoice.networks import services as channel_services

        group = services.target_group_save(actor=personas.smm, target_group=None, name=name, description="")
        channel = channel_services.channel_create_newsroom(actor=personas.smm, name=name, department=None)
        services.channel_strategy_save(
            actor=personas.smm,
            channel=channel,
            purpose="",
            target_groups=[group],
            min_per_week=2,
            preferred_weekdays=[],
            preferred_times=[time(9)],
            min_gap_minutes=60,
            max_per_day=None,
            max_per_week=None,
        )

    def test_more_channels_and_target_groups_cost_no_more_queries(self, personas) -> None:
        def count() -> int:
            with CaptureQueriesContext(connection) as captured:
                selectors.channel_rows(personas.organization)
                selectors.target_groups_of(personas.organization)
            return len(captured)

        self.add_channel_with_strategy(personas, "Erster")
        before = count()
        for n in range(3):
            self.add_channel_with_strategy(personas, f"Kanal {n}")
        assert count() == before
