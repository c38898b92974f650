"""The channel strategy's part of the conflicts: too few posts in one of the next weeks, and (a hint only) a
time outside the preferred weekdays and times."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from onevoice.planning.conflicts import (
    HINT,
    OFF_TIME,
    UNDER_MIN,
    ChannelRules,
    Planned,
    conflicts_for,
    find_conflicts,
    find_shortfalls,
    shortfalls_ahead,
)
from onevoice.planning.models import Post
from onevoice.planning.tests.test_conflicts_rules import BERLIN, BLUESKY, MASTODON, NOW, local, post

S = Post.Status
# NOW is Thursday 1 October 2026, 10:00 in Berlin: calendar week 40.
STRATEGY = ChannelRules("Bluesky", min_per_week=3)


def kinds(posts: list[Planned], rules: ChannelRules = STRATEGY) -> dict[int, list[str]]:
    found = find_conflicts(
        posts, {BLUESKY: rules, MASTODON: ChannelRules("Mastodon")}, (), tz=BERLIN, now=NOW
    )
    return {pk: sorted(c.kind for c in conflicts) for pk, conflicts in found.items()}


class TestMinimumPerWeek:
    def test_it_warns_on_the_posts_of_a_week_with_too_few(self) -> None:
        found = kinds([post(1, local("2026-10-06T10:00")), post(2, local("2026-10-08T10:00"))])
        assert found == {1: [UNDER_MIN], 2: [UNDER_MIN]}

    def test_the_message_names_the_count_the_week_and_the_minimum(self) -> None:
        found = find_conflicts(
            [post(1, local("2026-10-06T10:00"))], {BLUESKY: STRATEGY}, (), tz=BERLIN, now=NOW
        )
        (conflict,) = found[1]
        assert "only 1 posts planned in calendar week 41" in conflict.message
        assert "at least 3" in conflict.message
        assert not conflict.blocking

    def test_a_week_with_enough_posts_is_fine(self) -> None:
        posts = [post(i, local(f"2026-10-0{4 + i}T10:00")) for i in (1, 2, 3)]
        assert kinds(posts) == {}

    def test_published_posts_count_but_are_not_flagged(self) -> None:
        posts = [
            post(1, local("2026-09-29T10:00"), status=S.PUBLISHED),
            post(2, local("2026-09-30T10:00"), status=S.PUBLISHED),
            post(3, local("2026-10-02T10:00")),
        ]
        assert kinds(posts) == {}
        assert kinds(posts[1:]) == {3: [UNDER_MIN]}

    def test_withdrawn_posts_do_not_count(self) -> None:
        posts = [post(i, local(f"2026-10-0{4 + i}T10:00")) for i in (1, 2)]
        posts.append(post(3, local("2026-10-08T10:00"), status=S.WITHDRAWN))
        assert kinds(posts) == {1: [UNDER_MIN], 2: [UNDER_MIN]}

    @pytest.mark.parametrize(
        ("when", "flagged"),
        [
            ("2026-10-01T12:00", True),  # this week (40)
            ("2026-10-25T12:00", True),  # Sunday of week 43, the fourth
            ("2026-10-26T12:00", False),  # week 44: too far ahead to worry about yet
        ],
    )
    def test_it_looks_four_weeks_ahead(self, when: str, flagged: bool) -> None:
        assert bool(kinds([post(1, local(when))])) is flagged

    def test_only_channels_with_a_minimum_are_checked(self) -> None:
        assert kinds([post(1, local("2026-10-06T10:00"), channels=(MASTODON,))]) == {}

    def test_a_week_is_the_berlin_week_not_the_utc_week(self) -> None:
        # Monday 00:30 in Berlin is still Sunday in UTC: it counts for the Berlin week 41.
        posts = [
            post(1, local("2026-10-05T00:30")),
            post(2, local("2026-10-06T10:00")),
            post(3, local("2026-10-07T10:00")),
        ]
        assert posts[0].publish_at.astimezone(UTC).day == 4
        assert kinds(posts) == {}


class TestShortfalls:
    def test_it_lists_empty_weeks_too(self) -> None:
        found = find_shortfalls([post(1, local("2026-10-06T10:00"))], {BLUESKY: STRATEGY}, tz=BERLIN, now=NOW)
        assert [(s.week, s.planned, s.minimum) for s in found] == [
            (40, 0, 3),
            (41, 1, 3),
            (42, 0, 3),
            (43, 0, 3),
        ]
        assert found[0].monday.isoformat() == "2026-09-28"


class TestPreferredTimes:
    RULES = ChannelRules(
        "Bluesky", preferred_weekdays=frozenset({1, 3}), preferred_times=(time(9, 0), time(12, 30))
    )

    @pytest.mark.parametrize(
        ("when", "outside"),
        [
            ("2026-10-06T09:00", False),  # Tuesday at 09:00
            ("2026-10-06T12:55", False),  # within 30 minutes of 12:30
            ("2026-10-06T13:01", True),
            ("2026-10-08T08:30", False),  # Thursday, 30 minutes early
            ("2026-10-07T09:00", True),  # Wednesday is no preferred day
        ],
    )
    def test_it_hints_at_times_outside_the_preferred_ones(self, when: str, outside: bool) -> None:
        assert kinds([post(1, local(when))], self.RULES) == ({1: [OFF_TIME]} if outside else {})

    def test_the_hint_is_soft_and_comes_after_warnings(self) -> None:
        rules = ChannelRules("Bluesky", min_per_week=2, preferred_times=(time(9, 0),))
        found = find_conflicts([post(1, local("2026-10-06T15:00"))], {BLUESKY: rules}, (), tz=BERLIN, now=NOW)
        assert [c.kind for c in found[1]] == [UNDER_MIN, OFF_TIME]
        hint = found[1][1]
        assert (hint.severity, hint.blocking) == (HINT, False)
        assert "9 a.m." in hint.message

    def test_times_alone_apply_to_every_day(self) -> None:
        rules = ChannelRules("Bluesky", preferred_times=(time(9, 0),))
        assert kinds([post(1, local("2026-10-10T09:10"))], rules) == {}

    def test_weekdays_alone_allow_any_time(self) -> None:
        rules = ChannelRules("Bluesky", preferred_weekdays=frozenset({5}))
        assert kinds([post(1, local("2026-10-10T23:10"))], rules) == {}
        assert kinds([post(1, local("2026-10-11T23:10"))], rules) == {1: [OFF_TIME]}


@pytest.mark.django_db
class TestStrategyFromTheDatabase:
    def test_the_channel_strategy_feeds_the_conflicts_of_a_post(self, personas, channels, draft) -> None:
        from onevoice.strategy import services as strategy_services

        strategy_services.channel_strategy_save(
            actor=personas.smm,
            channel=channels[0],
            purpose="",
            target_groups=[],
            min_per_week=5,
            preferred_weekdays=[],
            preferred_times=[time(6, 0)],
            min_gap_minutes=60,
            max_per_day=None,
            max_per_week=None,
        )
        assert draft.publish_at is not None
        assert draft.publish_at - datetime.now(BERLIN) < timedelta(days=21)
        assert {c.kind for c in conflicts_for(draft)} == {UNDER_MIN, OFF_TIME}
        assert [s.planned for s in shortfalls_ahead(personas.organization)][:4] != []
