"""Collecting figures: what is tracked, idempotent storage, order independence, back-off, shared rate limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from onevoice.analytics import collection
from onevoice.analytics.models import ChannelCollection, ChannelDay, MetricSample, PostDay, TrackedPost
from onevoice.analytics.tests.conftest import direct_post
from onevoice.networks.connectors.base import ConnectorError, RateLimited
from onevoice.networks.connectors.base import MetricSample as Sample
from onevoice.publishing.models import ChannelThrottle

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def sample(external_id: str, name: str, value: int, at: datetime) -> Sample:
    return Sample(external_id=external_id, name=name, value=value, measured_at=at)


class TestTracking:
    def test_it_tracks_posts_sent_from_a_channel_page(self, bluesky) -> None:
        post = direct_post(bluesky, "at://did:plc:muster/app.bsky.feed.post/aaa", NOW - timedelta(hours=2))
        assert collection.tracked_posts_sync(now=NOW) == 1
        tracked = TrackedPost.objects.get()
        assert (tracked.channel_post, tracked.published_on.isoformat()) == (post, "2026-11-20")
        assert tracked.department_id == bluesky.department_id
        assert collection.tracked_posts_sync(now=NOW) == 0  # once

    def test_young_posts_are_looked_at_often_old_ones_rarely(self) -> None:
        published = NOW - timedelta(hours=3)
        assert collection.next_look(published, NOW) == NOW + timedelta(hours=1)
        assert collection.next_look(NOW - timedelta(days=3), NOW) == NOW + timedelta(hours=6)
        assert collection.next_look(NOW - timedelta(days=20), NOW) == NOW + timedelta(days=1)
        assert collection.next_look(NOW - timedelta(days=60), NOW) == NOW + timedelta(days=7)
        assert collection.next_look(NOW - timedelta(days=400), NOW) == NOW + timedelta(days=30)


@pytest.fixture
def tracked(bluesky) -> TrackedPost:
    direct_post(bluesky, "at://x/app.bsky.feed.post/p1", datetime(2026, 11, 18, 9, 0, tzinfo=UTC))
    collection.tracked_posts_sync(now=NOW)
    return TrackedPost.objects.get()


class TestIngestion:
    def test_the_same_samples_twice_are_stored_once(self, bluesky, tracked) -> None:
        batch = [sample(tracked.external_id, "likes", 5, NOW), sample(tracked.external_id, "replies", 1, NOW)]
        assert collection.samples_ingest(bluesky, batch) == 2
        assert collection.samples_ingest(bluesky, batch) == 0
        assert MetricSample.objects.count() == 2
        tracked.refresh_from_db()
        assert (tracked.likes, tracked.replies, tracked.interactions) == (5, 1, 6)

    def test_out_of_order_samples_give_the_same_days_as_in_order(self, bluesky, tracked) -> None:
        e = tracked.external_id
        day1, day2, day3 = (datetime(2026, 11, d, 15, 0, tzinfo=UTC) for d in (18, 19, 20))
        collection.samples_ingest(bluesky, [sample(e, "likes", 10, day1)])
        collection.samples_ingest(bluesky, [sample(e, "likes", 30, day3)])
        collection.samples_ingest(bluesky, [sample(e, "likes", 25, day2)])  # arrives late
        days = dict(PostDay.objects.values_list("day", "likes"))
        assert {d.day: v for d, v in days.items()} == {18: 10, 19: 15, 20: 5}
        tracked.refresh_from_db()
        assert tracked.likes == 30  # the latest measurement, not the last one to arrive

    def test_unknown_posts_are_ignored(self, bluesky, tracked) -> None:
        assert collection.samples_ingest(bluesky, [sample("at://someone/else", "likes", 3, NOW)]) == 0

    def test_samples_are_append_only(self, bluesky, tracked) -> None:
        collection.samples_ingest(bluesky, [sample(tracked.external_id, "likes", 5, NOW)])
        with pytest.raises(TypeError):
            MetricSample.objects.update(value=0)

    def test_followers_are_carried_over_days_without_a_sample(self, bluesky, tracked) -> None:
        first = datetime(2026, 11, 17, 8, 0, tzinfo=UTC)
        collection.samples_ingest(bluesky, channel_samples=[sample("did", "followers", 100, first)])
        collection.samples_ingest(
            bluesky, channel_samples=[sample("did", "followers", 110, datetime(2026, 11, 19, 8, tzinfo=UTC))]
        )
        levels = dict(ChannelDay.objects.filter(channel=bluesky).values_list("day", "followers"))
        assert [levels[datetime(2026, 11, d).date()] for d in (17, 18, 19)] == [100, 100, 110]
        tracked.refresh_from_db()
        assert tracked.followers_at_publication == 100  # published on the 18th


class TestPulling:
    def test_it_pulls_due_posts_and_the_channels_followers(self, bluesky, tracked, network) -> None:
        network.values = {tracked.external_id: {"likes": 7, "reposts": 2, "replies": 1, "quotes": 0}}
        network.followers = 500
        network.at = NOW
        outcome = collection.channel_collect(bluesky, now=NOW)
        assert (outcome.state, outcome.posts) == ("collected", 1)
        tracked.refresh_from_db()
        assert tracked.interactions == 10
        assert tracked.next_collect_at == NOW + timedelta(hours=6)  # two days old
        assert ChannelDay.objects.get(channel=bluesky, day=NOW.date()).followers == 500
        assert ChannelCollection.objects.get(channel=bluesky).last_success_at == NOW
        # Nothing is due right after: the network is not asked again.
        assert collection.channel_collect(bluesky, now=NOW + timedelta(minutes=5)).state == "skipped"
        assert network.calls == 1

    def test_a_failing_network_backs_off_and_marks_the_figures_stale(self, bluesky, tracked, network) -> None:
        network.fail = ConnectorError("AppView answered 502", status=502)
        assert collection.channel_collect(bluesky, now=NOW).state == "failed"
        state = ChannelCollection.objects.get(channel=bluesky)
        assert state.failures == 1
        assert state.is_stale
        assert state.next_try_at is not None
        assert NOW + timedelta(minutes=5) <= state.next_try_at <= NOW + timedelta(minutes=6)
        assert collection.channel_collect(bluesky, now=NOW + timedelta(minutes=2)).state == "waiting"
        assert network.calls == 1  # not asked again while backing off
        collection.channel_collect(bluesky, now=state.next_try_at)
        state.refresh_from_db()
        assert state.failures == 2
        assert state.next_try_at is not None
        assert state.next_try_at - (NOW + timedelta(minutes=5)) >= timedelta(minutes=10)  # doubled
        network.fail = None
        network.values = {tracked.external_id: {"likes": 1}}
        assert collection.channel_collect(bluesky, now=state.next_try_at).state == "collected"
        state.refresh_from_db()
        assert (state.failures, state.last_error) == (0, "")

    def test_a_rate_limit_holds_publishing_back_too(self, bluesky, tracked, network) -> None:
        until = NOW + timedelta(minutes=15)
        network.fail = RateLimited("slow down", retry_after=until)
        assert collection.channel_collect(bluesky, now=NOW).state == "rate_limited"
        assert ChannelThrottle.objects.get(channel=bluesky).blocked_until == until
        from onevoice.publishing.services import _channel_wait

        bluesky.refresh_from_db()
        assert _channel_wait(bluesky, NOW) == until

    def test_a_channel_publishing_waits_on_is_not_pulled(self, bluesky, tracked, network) -> None:
        ChannelThrottle.objects.create(channel=bluesky, blocked_until=NOW + timedelta(minutes=3))
        assert collection.channel_collect(bluesky, now=NOW).state == "waiting"
        assert network.calls == 0

    def test_a_network_without_figures_is_not_asked(self, newsroom) -> None:
        direct_post(newsroom, "https://muster.example/news/1", NOW)
        collection.tracked_posts_sync(now=NOW)
        assert collection.channel_collect(newsroom, now=NOW).state == "skipped"

    def test_the_round_goes_over_every_connected_channel(self, bluesky, tracked, network) -> None:
        network.values = {tracked.external_id: {"likes": 3}}
        outcomes = collection.collect_due(now=timezone.now())
        assert [o.state for o in outcomes] == ["collected"]


class TestRetention:
    def test_samples_are_kept_unless_the_organisation_sets_an_expiry(
        self, personas, bluesky, tracked
    ) -> None:
        from onevoice.analytics import services

        old = NOW - timedelta(days=100)
        collection.samples_ingest(bluesky, [sample(tracked.external_id, "likes", 1, old)])
        collection.samples_ingest(bluesky, [sample(tracked.external_id, "likes", 2, NOW)])
        assert collection.samples_expire(now=NOW) == 0
        services.retention_set(actor=personas.admin, days=90)
        assert collection.samples_expire(now=NOW) == 1
        assert MetricSample.objects.count() == 1
        assert PostDay.objects.count() == 2  # the daily figures stay
