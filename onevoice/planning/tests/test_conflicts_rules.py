"""The conflict rules on plain data: table-driven, with days and weeks in Europe/Berlin across DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from onevoice.planning.conflicts import (
    BLACKOUT,
    GAP,
    PAST,
    PER_DAY,
    PER_WEEK,
    TOPIC,
    Blackout,
    ChannelRules,
    Planned,
    find_conflicts,
)
from onevoice.planning.models import Post

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
S = Post.Status
MARKETING, SALES = 1, 2
BLUESKY, MASTODON = 10, 11


def local(text: str) -> datetime:
    """A wall-clock time in Berlin; `fold=1` picks the second 02:xx of the autumn change."""
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=BERLIN)


def post(
    pk: int,
    when: datetime,
    *,
    channels: tuple[int, ...] = (BLUESKY,),
    status: str = S.SCHEDULED,
    department: int = MARKETING,
    topic: int | None = None,
) -> Planned:
    return Planned(
        pk=pk,
        title=f"Post {pk}",
        status=status,
        publish_at=when,
        department_id=department,
        department={MARKETING: "Marketing", SALES: "Vertrieb"}[department],
        channel_ids=frozenset(channels),
        topic_id=topic,
        topic="Messen" if topic else "",
    )


def kinds_of(posts: list[Planned], rules: dict[int, ChannelRules] | None = None, blackouts=()) -> dict:
    rules = rules or {BLUESKY: ChannelRules("Bluesky"), MASTODON: ChannelRules("Mastodon")}
    found = find_conflicts(posts, rules, blackouts, tz=BERLIN, now=NOW)
    return {pk: sorted(c.kind for c in conflicts) for pk, conflicts in found.items()}


class TestMinimumGap:
    @pytest.mark.parametrize(
        ("first", "second", "gap", "expected"),
        [
            ("2026-11-03T10:00", "2026-11-03T10:20", 60, True),
            ("2026-11-03T10:00", "2026-11-03T11:00", 60, False),  # exactly the gap is fine
            ("2026-11-03T10:00", "2026-11-03T10:59", 60, True),
            ("2026-11-03T10:00", "2026-11-03T10:20", 15, False),
            ("2026-11-03T23:50", "2026-11-04T00:10", 30, True),  # across midnight
            # Autumn change: 02:30 summer time, then 02:10 winter time are 40 real minutes apart.
            ("2026-10-25T02:30", "2026-10-25T02:10+fold", 60, True),
            # Spring change: 01:50 and 03:10 on the wall are 20 real minutes apart.
            ("2027-03-28T01:50", "2027-03-28T03:10", 60, True),
        ],
    )
    def test_it_compares_real_minutes(self, first: str, second: str, gap: int, expected: bool) -> None:
        a = local(first)
        b = local(second.removesuffix("+fold")).replace(fold=1 if second.endswith("+fold") else 0)
        rules = {BLUESKY: ChannelRules("Bluesky", min_gap=timedelta(minutes=gap))}
        found = kinds_of([post(1, a), post(2, b)], rules)
        assert (found.get(1) == [GAP] and found.get(2) == [GAP]) is expected
        if not expected:
            assert found == {}

    def test_posts_on_different_channels_do_not_conflict(self) -> None:
        when = local("2026-11-03T10:00")
        found = kinds_of([post(1, when), post(2, when, channels=(MASTODON,))])
        assert found == {}

    def test_the_message_names_the_other_post_and_the_gap(self) -> None:
        when = local("2026-11-03T10:00")
        found = find_conflicts(
            [post(1, when), post(2, when + timedelta(minutes=20))],
            {BLUESKY: ChannelRules("Bluesky")},
            [],
            tz=BERLIN,
            now=NOW,
        )
        (conflict,) = found[1]
        assert conflict.severity == "warning"
        assert conflict.related_post_ids == (2,)
        assert "Post 2" in conflict.message
        assert "20 minutes" in conflict.message
        assert "60 minutes" in conflict.message


class TestPerDayAndWeek:
    @pytest.mark.parametrize(
        ("times", "per_day", "expected"),
        [
            # 23:30 and 00:30 local are different days, though both are 2026-11-03 in UTC (22:30, 23:30).
            (["2026-11-03T23:30", "2026-11-04T00:30"], 1, []),
            (["2026-11-03T08:00", "2026-11-03T23:30"], 1, [PER_DAY, PER_DAY]),
            (["2026-11-03T08:00", "2026-11-03T23:30"], 2, []),
            # In summer time 01:30 local is still the previous day in UTC: two local days, one UTC day.
            (["2027-07-01T01:30", "2027-07-01T23:00"], 1, [PER_DAY, PER_DAY]),
            (["2027-06-30T23:30", "2027-07-01T01:30"], 1, []),
            # The autumn-change day has 25 hours: 00:30 and 23:30 are still the same day.
            (["2026-10-25T00:30", "2026-10-25T23:30"], 1, [PER_DAY, PER_DAY]),
        ],
    )
    def test_days_are_local_days(self, times: list[str], per_day: int, expected: list[str]) -> None:
        posts = [post(i, local(t)) for i, t in enumerate(times, 1)]
        rules = {BLUESKY: ChannelRules("Bluesky", min_gap=timedelta(0), max_per_day=per_day)}
        found = kinds_of(posts, rules)
        assert sorted(k for kinds in found.values() for k in kinds) == expected

    @pytest.mark.parametrize(
        ("times", "per_week", "flagged"),
        [
            # ISO week 43 of 2026 runs Mon 19 Oct – Sun 25 Oct, the day the clocks go back.
            (["2026-10-19T09:00", "2026-10-22T12:00", "2026-10-25T23:30"], 2, {1, 2, 3}),
            # Mon 26 Oct 00:30 local is still Sunday 25 Oct in UTC (23:30): it belongs to week 44.
            (["2026-10-19T09:00", "2026-10-22T12:00", "2026-10-26T00:30"], 2, set()),
            (["2026-10-19T09:00", "2026-10-22T12:00", "2026-10-25T02:30"], 3, set()),
            # Sunday 18 Oct 23:59 local is week 42.
            (["2026-10-18T23:59", "2026-10-19T00:01", "2026-10-20T10:00"], 1, {2, 3}),
        ],
    )
    def test_weeks_are_local_iso_weeks(self, times: list[str], per_week: int, flagged: set[int]) -> None:
        posts = [post(i, local(t)) for i, t in enumerate(times, 1)]
        rules = {BLUESKY: ChannelRules("Bluesky", min_gap=timedelta(0), max_per_week=per_week)}
        found = kinds_of(posts, rules)
        assert {pk for pk, kinds in found.items() if PER_WEEK in kinds} == flagged

    def test_the_message_says_the_limit_and_the_count(self) -> None:
        posts = [post(i, local(f"2026-11-03T{8 + i:02}:00")) for i in range(3)]
        rules = {BLUESKY: ChannelRules("Bluesky", max_per_day=2)}
        found = find_conflicts(posts, rules, [], tz=BERLIN, now=NOW)
        message = next(c.message for c in found[0] if c.kind == PER_DAY)
        assert "3 posts" in message
        assert "at most 2 per day" in message


class TestTopicAcrossDepartments:
    @pytest.mark.parametrize(
        ("first", "second", "departments", "expected"),
        [
            ("2026-11-02T09:00", "2026-11-08T20:00", (MARKETING, SALES), [TOPIC]),  # Monday and Sunday
            ("2026-11-08T23:30", "2026-11-09T00:30", (MARKETING, SALES), []),  # Sunday night vs Monday
            ("2026-11-02T09:00", "2026-11-04T09:00", (MARKETING, MARKETING), []),  # one department
            ("2026-10-19T09:00", "2026-10-25T23:00", (MARKETING, SALES), [TOPIC]),  # the DST week
        ],
    )
    def test_one_week_two_departments(
        self, first: str, second: str, departments: tuple[int, int], expected: list[str]
    ) -> None:
        posts = [
            post(1, local(first), department=departments[0], topic=7),
            post(2, local(second), department=departments[1], topic=7, channels=(MASTODON,)),
        ]
        found = kinds_of(posts)
        assert found.get(1, []) == expected
        assert found.get(2, []) == expected

    def test_the_message_names_the_other_department(self) -> None:
        posts = [
            post(1, local("2026-11-02T09:00"), department=MARKETING, topic=7),
            post(2, local("2026-11-03T09:00"), department=SALES, topic=7, channels=(MASTODON,)),
        ]
        found = find_conflicts(posts, {}, [], tz=BERLIN, now=NOW)
        assert "Vertrieb" in found[1][0].message
        assert "Marketing" in found[2][0].message


class TestBlackoutAndPast:
    period = Blackout("Quiet Period", local("2026-11-05T00:00"), local("2026-11-07T00:00"))

    @pytest.mark.parametrize(
        ("when", "channels", "period_channels", "expected"),
        [
            ("2026-11-05T00:00", (BLUESKY,), (), [BLACKOUT]),  # the start belongs to it
            ("2026-11-06T23:59", (BLUESKY,), (), [BLACKOUT]),
            ("2026-11-07T00:00", (BLUESKY,), (), []),  # the end does not
            ("2026-11-04T23:59", (BLUESKY,), (), []),
            ("2026-11-05T12:00", (BLUESKY,), (MASTODON,), []),  # the period is for another channel
            ("2026-11-05T12:00", (BLUESKY, MASTODON), (MASTODON,), [BLACKOUT]),
        ],
    )
    def test_inside_a_blackout_period_is_blocking(
        self, when: str, channels: tuple[int, ...], period_channels: tuple[int, ...], expected: list[str]
    ) -> None:
        period = Blackout(
            self.period.name, self.period.starts_at, self.period.ends_at, frozenset(period_channels)
        )
        found = find_conflicts([post(1, local(when), channels=channels)], {}, [period], tz=BERLIN, now=NOW)
        assert [c.kind for c in found.get(1, [])] == expected
        assert all(c.blocking and c.severity == "blocking" for c in found.get(1, []))

    @pytest.mark.parametrize(
        ("status", "minutes_ago", "expected"),
        [
            (S.SCHEDULED, 30, [PAST]),
            (S.DRAFT, 30, [PAST]),
            (S.FAILED, 30, [PAST]),
            (S.SCHEDULED, 0, []),  # within the grace of a minute: the publisher is at it
            (S.PUBLISHED, 30, []),
            (S.WITHDRAWN, 30, []),
        ],
    )
    def test_a_time_in_the_past(self, status: str, minutes_ago: int, expected: list[str]) -> None:
        found = kinds_of([post(1, NOW - timedelta(minutes=minutes_ago), status=status)])
        assert found.get(1, []) == expected


class TestWhoIsFlagged:
    def test_withdrawn_posts_never_conflict(self) -> None:
        when = local("2026-11-03T10:00")
        found = kinds_of([post(1, when), post(2, when, status=S.WITHDRAWN)])
        assert found == {}

    def test_a_published_post_counts_as_a_neighbour_but_is_not_flagged(self) -> None:
        when = local("2026-11-03T10:00")
        found = kinds_of([post(1, when, status=S.PUBLISHED), post(2, when + timedelta(minutes=5))])
        assert found == {2: [GAP]}
