from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from onevoice.planning import services
from onevoice.planning.conflicts import conflicts_for, conflicts_in_range
from onevoice.planning.models import BlackoutPeriod, PlanningRules, Post, Topic
from onevoice.planning.tests.conftest import BERLIN, later

pytestmark = pytest.mark.django_db


def plan(personas, channels, when: datetime | None, title: str = "P", department=None, topic=None):
    return services.post_create(
        actor=personas.smm,
        title=title,
        department=department or personas.marketing,
        channels=channels,
        base_text="x",
        publish_at=when,
        topic=topic,
    )


def kinds(post) -> list[str]:
    return sorted(c.kind for c in conflicts_for(post))


class TestConflicts:
    def test_two_posts_too_close_on_one_channel(self, personas, channels) -> None:
        when = later(days=4, hour=10)
        a = plan(personas, channels[:1], when, "A")
        b = plan(personas, channels[:1], when + timedelta(minutes=20), "B")
        c = plan(personas, channels[1:], when + timedelta(minutes=20), "C")  # another channel: fine
        assert kinds(a) == ["gap"]
        assert kinds(b) == ["gap"]
        assert kinds(c) == []

    def test_the_channel_gap_rule_is_used(self, personas, channels) -> None:
        PlanningRules.objects.create(channel=channels[0], min_gap_minutes=10)
        when = later(days=4)
        a = plan(personas, channels[:1], when)
        plan(personas, channels[:1], when + timedelta(minutes=20))
        assert kinds(a) == []

    @pytest.mark.parametrize(("hours", "expected"), [((9, 23), ["per_day", "per_day"]), ((23, 24), [])])
    def test_per_day_counts_local_days(self, personas, channels, hours, expected) -> None:
        """23:30 and 00:30 local are different days, whatever UTC says."""
        PlanningRules.objects.create(channel=channels[0], min_gap_minutes=1, max_per_day=1)
        base = later(days=6, hour=0)
        posts = [
            plan(personas, channels[:1], base.replace(hour=h % 24) + timedelta(days=h // 24, minutes=30))
            for h in hours
        ]
        assert sorted(k for p in posts for k in kinds(p)) == expected

    def test_per_week_in_the_dst_week(self, personas, channels) -> None:
        PlanningRules.objects.create(channel=channels[0], min_gap_minutes=1, max_per_week=2)
        # The week of the autumn change 2027 (Mon 25 Oct – Sun 31 Oct; clocks go back on the 31st).
        days = [datetime(2027, 10, d, 12, 0, tzinfo=BERLIN) for d in (25, 27, 31)]
        posts = [plan(personas, channels[:1], d) for d in days]
        nxt = plan(personas, channels[:1], datetime(2027, 11, 1, 0, 30, tzinfo=BERLIN))
        assert all("per_week" in kinds(p) for p in posts)
        assert "per_week" not in kinds(nxt)

    def test_the_same_topic_from_two_departments_in_one_week(self, personas, channels) -> None:
        topic = Topic.objects.create(organization=personas.organization, name="Karriere")
        monday = later(days=14).astimezone(BERLIN)
        monday -= timedelta(days=monday.weekday())
        a = plan(personas, channels[:1], monday + timedelta(hours=1), "A", personas.marketing, topic)
        b = plan(personas, channels[1:], monday + timedelta(days=2), "B", personas.hr, topic)
        assert kinds(a) == ["topic"]
        assert "Personal" in conflicts_for(a)[0].message
        assert kinds(b) == ["topic"]

    def test_a_blackout_period_blocks_submission(self, personas, channels) -> None:
        when = later(days=5)
        BlackoutPeriod.objects.create(
            organization=personas.organization,
            name="Quiet Period",
            starts_at=when - timedelta(hours=2),
            ends_at=when + timedelta(hours=2),
        )
        post = plan(personas, channels[:1], when)
        assert conflicts_for(post)[0].blocking
        with pytest.raises(ValidationError, match="Quiet Period"):
            services.post_submit(actor=personas.smm, post=post)

    def test_a_blackout_for_other_channels_does_not_count(self, personas, channels) -> None:
        when = later(days=5)
        period = BlackoutPeriod.objects.create(
            organization=personas.organization,
            name="Nur Karriere",
            starts_at=when - timedelta(hours=2),
            ends_at=when + timedelta(hours=2),
        )
        period.channels.set([channels[1]])
        assert kinds(plan(personas, channels[:1], when)) == []

    def test_the_range_query_count_is_constant(
        self, personas, channels, django_assert_max_num_queries
    ) -> None:
        when = later(days=3)
        for i in range(30):
            plan(personas, channels, when + timedelta(minutes=30 * i))
        with django_assert_max_num_queries(6):
            found = conflicts_in_range(personas.organization, timezone.now(), when + timedelta(days=3))
        assert found


class TestReadingThePlan:
    def test_the_number_of_queries_does_not_grow_with_the_posts(
        self, personas, channels, django_assert_num_queries
    ) -> None:
        when = later(days=3)
        for i in range(5):
            plan(personas, channels, when + timedelta(minutes=30 * i))
        with django_assert_num_queries(4) as few:  # no blackout periods: their channels are not asked for
            conflicts_in_range(personas.organization, timezone.now(), when + timedelta(days=3))
        for i in range(5, 40):
            plan(personas, channels, when + timedelta(minutes=30 * i))
        BlackoutPeriod.objects.create(
            organization=personas.organization, name="Ruhe", starts_at=when, ends_at=when + timedelta(hours=1)
        )
        with django_assert_num_queries(len(few.captured_queries) + 1):
            found = conflicts_in_range(personas.organization, timezone.now(), when + timedelta(days=3))
        assert len(found) == 40

    def test_only_posts_inside_the_range_are_returned_but_neighbours_outside_count(
        self, personas, channels
    ) -> None:
        when = later(days=4, hour=10)
        inside = plan(personas, channels[:1], when, "Inside")
        outside = plan(personas, channels[:1], when - timedelta(minutes=20), "Outside")
        found = conflicts_in_range(personas.organization, when, when + timedelta(hours=1))
        assert list(found) == [inside.pk]
        assert found[inside.pk][0].related == (outside.pk,)

    def test_withdrawn_posts_and_unscheduled_ideas_never_conflict(self, personas, channels) -> None:
        when = later(days=4)
        a = plan(personas, channels[:1], when, "A")
        b = plan(personas, channels[:1], when + timedelta(minutes=5), "B")
        idea = plan(personas, channels[:1], None, "Idee")
        services.post_withdraw(actor=personas.smm, post=b)
        assert kinds(a) == []
        assert conflicts_for(b) == []
        assert conflicts_for(idea) == []

    def test_a_time_not_yet_saved_is_checked_as_it_is_on_the_post(self, personas, channels) -> None:
        when = later(days=4)
        a = plan(personas, channels[:1], when, "A")
        b = plan(personas, channels[:1], when + timedelta(hours=3), "B")
        b.publish_at = when + timedelta(minutes=10)
        assert kinds(b) == ["gap"]
        assert kinds(a) == []  # nothing was saved

    def test_days_are_those_of_the_organisation_not_of_the_viewer(self, personas, channels) -> None:
        PlanningRules.objects.create(channel=channels[0], min_gap_minutes=1, max_per_day=1)
        day = later(days=6, hour=0)
        a = plan(personas, channels[:1], day.replace(hour=23, minute=30))
        plan(personas, channels[:1], day.replace(hour=23, minute=30) + timedelta(hours=1))  # 00:30 Berlin
        with timezone.override("America/New_York"):  # 17:30 and 18:30 there: one day for the viewer
            assert kinds(a) == []

    def test_a_post_in_the_past_that_has_not_gone_out(self, personas, channels) -> None:
        post = plan(personas, channels[:1], later(days=1))
        Post.objects.filter(pk=post.pk).update(publish_at=timezone.now() - timedelta(hours=2))
        post.refresh_from_db()
        (conflict,) = conflicts_for(post)
        assert conflict.kind == "past"
        assert conflict.severity == "blocking"


class TestOnThePostPage:
    def test_the_post_page_lists_conflicts_with_links_to_the_other_posts(self, personas, channels) -> None:
        from django.urls import reverse

        when = later(days=4)
        a = plan(personas, channels[:1], when, "Erster")
        b = plan(personas, channels[:1], when + timedelta(minutes=15), "Zweiter")
        BlackoutPeriod.objects.create(
            organization=personas.organization,
            name="Ruhe",
            starts_at=when - timedelta(hours=1),
            ends_at=when + timedelta(hours=1),
        )
        page = (
            personas.client_for(personas.cm)
            .get(reverse("planning:post", args=[personas.organization.slug, a.public_id]))
            .content.decode()
        )
        assert 'data-testid="conflicts"' in page
        assert "alert-danger" in page  # a blackout blocks: it comes first
        assert page.index('data-kind="blackout"') < page.index('data-kind="gap"')
        assert reverse("planning:post", args=[personas.organization.slug, b.public_id]) in page
