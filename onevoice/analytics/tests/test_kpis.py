"""KPI arithmetic: engagement rate, followers against a target, inbox times on business hours, periods."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from onevoice.analytics import collection, community
from onevoice.analytics.definitions import change_percent, engagement_rate, provides
from onevoice.analytics.periods import Period, PeriodError, period_from
from onevoice.analytics.tests.conftest import direct_post
from onevoice.networks.connectors.base import MetricSample as Sample
from onevoice.strategy import selectors
from onevoice.strategy.models import Goal, KpiTarget

BERLIN = ZoneInfo("Europe/Berlin")


class TestDefinitions:
    def test_engagement_rate_is_interactions_per_follower_in_percent(self) -> None:
        assert engagement_rate(52, 2000) == Decimal("2.60")
        assert engagement_rate(5, 0) is None

    def test_what_each_network_provides(self) -> None:
        assert provides("bluesky", "engagement_rate")
        assert not provides("bluesky", "impressions")
        assert provides("mastodon", "interactions")
        assert not provides("mastodon", "engagement_rate")
        assert not provides("newsroom", "interactions")
        assert not provides("a-network-added-later", "likes")

    def test_change_against_the_previous_period(self) -> None:
        assert change_percent(120, 100) == Decimal("20.0")
        assert change_percent(5, 0) is None
        assert change_percent(None, 3) is None


class TestPeriods:
    def test_a_month_compares_with_the_month_before(self) -> None:
        assert Period(date(2026, 3, 1), date(2026, 3, 31)).previous() == Period(
            date(2026, 2, 1), date(2026, 2, 28)
        )

    def test_other_periods_compare_with_as_many_days_before(self) -> None:
        assert Period(date(2026, 3, 10), date(2026, 3, 16)).previous() == Period(
            date(2026, 3, 3), date(2026, 3, 9)
        )

    def test_bad_periods_are_refused_with_a_reason(self) -> None:
        today = date(2026, 11, 27)
        with pytest.raises(PeriodError, match="ends before it starts"):
            period_from({"from": "2026-11-02", "to": "2026-11-01"}, today)
        with pytest.raises(PeriodError, match="two years"):
            period_from({"from": "2020-01-01", "to": "2026-11-01"}, today)
        assert period_from({"period": "nonsense"}, today)[1] == "30d"


def goal(personas, metric: str, comparison: str, value: str, unit: str, *, start: date) -> KpiTarget:
    g = Goal.objects.create(
        organization=personas.organization, name=metric, period_kind="month", period_start=start
    )
    return KpiTarget.objects.create(
        organization=personas.organization,
        goal=g,
        metric=metric,
        comparison=comparison,
        target_value=Decimal(value),
        unit=unit,
    )


class TestKpiTargets:
    @pytest.fixture
    def measured(self, personas, bluesky):
        """November 2026: one post on the 5th with 30 interactions; 1000 followers on the 1st, 1100 on the 10th."""
        at = datetime(2026, 11, 5, 10, tzinfo=UTC)
        post = direct_post(bluesky, "at://x/app.bsky.feed.post/k1", at)
        collection.tracked_posts_sync(now=at)
        collection.samples_ingest(
            bluesky,
            [Sample(post.external_id, "likes", 30, at + timedelta(hours=5))],
            [
                Sample("did", "followers", 1000, datetime(2026, 11, 1, 6, tzinfo=UTC)),
                Sample("did", "followers", 1100, datetime(2026, 11, 10, 6, tzinfo=UTC)),
            ],
        )
        return bluesky

    def test_engagement_rate_target_on_and_off_track(self, personas, measured) -> None:
        on = goal(personas, "engagement_rate", "gte", "2.5", "percent", start=date(2026, 11, 1))
        state = selectors.target_state(on, now=datetime(2026, 11, 12, tzinfo=UTC))
        assert (state.state, state.actual) == ("on_track", Decimal("3.00"))
        off = goal(personas, "engagement_rate", "gte", "4", "percent", start=date(2026, 11, 1))
        assert selectors.target_state(off, now=datetime(2026, 11, 12, tzinfo=UTC)).state == "off_track"
        assert selectors.target_state(off, now=datetime(2026, 12, 2, tzinfo=UTC)).state == "missed"

    def test_followers_are_on_track_on_the_line_from_the_start_to_the_target(
        self, personas, measured
    ) -> None:
        target = goal(personas, "followers", "gte", "1200", "at_period_end", start=date(2026, 11, 1))
        # On the 12th (~37 % of November) the line from 1000 to 1200 is at ~1073; 1100 is above it.
        state = selectors.target_state(target, now=datetime(2026, 11, 12, tzinfo=UTC))
        assert (state.state, state.actual) == ("on_track", Decimal(1100))
        assert selectors.target_state(target, now=datetime(2026, 12, 1, 1, tzinfo=UTC)).state == "missed"

    def test_a_metric_no_channel_reports_has_no_data(self, personas, measured) -> None:
        target = goal(personas, "reach", "gte", "5000", "in_period", start=date(2026, 11, 1))
        assert selectors.target_state(target, now=datetime(2026, 11, 12, tzinfo=UTC)).state == "no_data"

    def test_requests_handled_count_pro_rata(self, personas) -> None:
        from onevoice.planning.models import ContentRequest

        for status in ("accepted", "declined", "submitted"):
            ContentRequest.objects.create(
                organization=personas.organization,
                department=personas.hr,
                requester=personas.contributor,
                title=status,
                status=status,
            )
        start = date.today().replace(day=1)
        target = goal(personas, "requests_handled", "gte", "1", "in_period", start=start)
        state = selectors.target_state(target)
        assert state.actual == 2
        assert state.state == "on_track"


class TestInboxFigures:
    def case(
        self, personas, channel, first: datetime, answered: datetime | None, due: datetime | None, **extra
    ):
        from onevoice.inbox.models import Case

        return Case.objects.create(
            organization=personas.organization,
            channel=channel,
            thread_key=f"t{first.isoformat()}",
            kind="reply",
            first_message_at=first,
            last_message_at=first,
            first_response_at=answered,
            first_response_due=due,
            **extra,
        )

    def test_first_response_counts_business_hours_and_the_sla_share(self, personas, newsroom) -> None:
        # Friday 16:00 → Monday 10:00 (Berlin) is 2 business hours (Mon–Fri 9–17), not 66 hours.
        friday = datetime(2026, 11, 20, 16, 0, tzinfo=BERLIN)
        monday = datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN)
        self.case(personas, newsroom, friday, monday, due=friday + timedelta(days=3), sentiment="negative")
        # Answered late: due at 11:00, answered 12:00 → one business hour... and outside the SLA.
        tuesday = datetime(2026, 11, 24, 10, 0, tzinfo=BERLIN)
        self.case(
            personas,
            newsroom,
            tuesday,
            tuesday + timedelta(hours=2),
            due=tuesday + timedelta(hours=1),
            sentiment="positive",
        )
        figures = community.inbox_figures(
            personas.organization,
            datetime(2026, 11, 1, tzinfo=UTC),
            datetime(2026, 12, 1, tzinfo=UTC),
            channel_ids=[newsroom.pk],
            now=datetime(2026, 11, 30, tzinfo=UTC),
        )
        assert figures.cases == 2
        assert figures.first_response_hours == Decimal("2.0")
        assert figures.within_sla == Decimal("50.0")
        assert figures.sentiment == {"negative": 1, "positive": 1}
        assert [row["cases"] for row in figures.by_channel] == [2]

    def test_no_report_names_a_person(self, personas, newsroom) -> None:
        figures = community.inbox_figures(
            personas.organization,
            datetime(2026, 11, 1, tzinfo=UTC),
            datetime(2026, 12, 1, tzinfo=UTC),
            channel_ids=[newsroom.pk],
            now=datetime(2026, 11, 30, tzinfo=UTC),
        )
        assert not any("assignee" in key for key in vars(figures))
