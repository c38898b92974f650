"""The SLA clock on business hours: weekends, public holidays (Bavaria), closed days and DST switches."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from onevoice.inbox.models import ClosedDay, InboxSettings, Priority, SlaPolicy
from onevoice.inbox.sla import (
    BusinessCalendar,
    add_business_minutes,
    business_minutes_between,
    calendar_for,
    policy_for,
)
from onevoice.organization.models import default_business_hours

BERLIN = ZoneInfo("Europe/Berlin")
OFFICE: dict[str, list[str] | None] = default_business_hours()  # Mon–Fri 09:00–17:00
AROUND_THE_CLOCK: dict[str, list[str] | None] = {day: ["00:00", "00:00"] for day in OFFICE}
NIGHT_SHIFT: dict[str, list[str] | None] = {**OFFICE, "sun": ["01:00", "04:00"]}


def local(*args: int) -> datetime:
    year, month, day, hour, minute = args
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


BAVARIA = BusinessCalendar.from_json(OFFICE, holiday_state="BY")

ADD_CASES = [
    # (what, calendar, start, minutes, due)
    ("within the day", BAVARIA, local(2026, 11, 25, 10, 0), 60, local(2026, 11, 25, 11, 0)),
    ("before opening starts at nine", BAVARIA, local(2026, 11, 25, 7, 30), 30, local(2026, 11, 25, 9, 30)),
    ("across the evening", BAVARIA, local(2026, 11, 25, 16, 30), 60, local(2026, 11, 26, 9, 30)),
    ("friday evening to monday", BAVARIA, local(2026, 11, 27, 16, 0), 120, local(2026, 11, 30, 10, 0)),
    ("written on saturday", BAVARIA, local(2026, 11, 28, 12, 0), 60, local(2026, 11, 30, 10, 0)),
    ("zero minutes at night", BAVARIA, local(2026, 11, 25, 22, 0), 0, local(2026, 11, 26, 9, 0)),
    ("a whole week", BAVARIA, local(2026, 11, 23, 9, 0), 5 * 480, local(2026, 11, 27, 17, 0)),
    # 1 November 2026 is a Sunday; Epiphany (6 January) a Tuesday: closed in Bavaria only.
    ("epiphany in bavaria", BAVARIA, local(2026, 1, 5, 16, 0), 120, local(2026, 1, 7, 10, 0)),
    (
        "epiphany elsewhere",
        BusinessCalendar.from_json(OFFICE, holiday_state="NW"),
        local(2026, 1, 5, 16, 0),
        120,
        local(2026, 1, 6, 10, 0),
    ),
    ("corpus christi in bavaria", BAVARIA, local(2026, 6, 3, 16, 0), 120, local(2026, 6, 5, 10, 0)),
    ("national: unity day", BAVARIA, local(2025, 10, 2, 16, 30), 60, local(2025, 10, 6, 9, 30)),
    ("easter weekend", BAVARIA, local(2026, 4, 2, 16, 0), 120, local(2026, 4, 7, 10, 0)),
    (
        "a closed day",
        BusinessCalendar.from_json(OFFICE, closed_days=[date(2026, 12, 24)]),
        local(2026, 12, 23, 16, 0),
        120,
        local(2026, 12, 28, 10, 0),
    ),
    # The clocks go forward at 02:00 on 29 March 2026 and back at 03:00 on 25 October 2026.
    (
        "spring forward: the night is one hour shorter",
        BusinessCalendar.from_json(AROUND_THE_CLOCK, use_public_holidays=False),
        local(2026, 3, 29, 0, 0),
        4 * 60,
        local(2026, 3, 29, 5, 0),
    ),
    (
        "fall back: the night is one hour longer",
        BusinessCalendar.from_json(AROUND_THE_CLOCK, use_public_holidays=False),
        local(2026, 10, 25, 0, 0),
        4 * 60,
        local(2026, 10, 25, 3, 0),
    ),
    (
        "office hours after spring forward stay 8 hours",
        BAVARIA,
        local(2026, 3, 27, 13, 0),
        8 * 60,
        local(2026, 3, 30, 13, 0),
    ),
    (
        "office hours after fall back stay 8 hours",
        BAVARIA,
        local(2026, 10, 23, 13, 0),
        8 * 60,
        local(2026, 10, 26, 13, 0),
    ),
    (
        "a shift across the switch",
        BusinessCalendar.from_json(NIGHT_SHIFT, use_public_holidays=False),
        local(2026, 3, 29, 1, 0),
        120,  # 01:00–04:00 local is only two real hours that night
        local(2026, 3, 29, 4, 0),
    ),
]


class TestAddBusinessMinutes:
    @pytest.mark.parametrize(
        ("what", "calendar", "start", "minutes", "due"), ADD_CASES, ids=[c[0] for c in ADD_CASES]
    )
    def test_it_counts_only_business_time(
        self, what: str, calendar: BusinessCalendar, start: datetime, minutes: int, due: datetime
    ) -> None:
        result = add_business_minutes(calendar, start.astimezone(UTC), minutes)
        assert result == due.astimezone(UTC)
        assert result is not None
        assert result.tzinfo is UTC

    @pytest.mark.parametrize(
        ("what", "calendar", "start", "minutes", "due"), ADD_CASES, ids=[c[0] for c in ADD_CASES]
    )
    def test_counting_back_gives_the_minutes(
        self, what: str, calendar: BusinessCalendar, start: datetime, minutes: int, due: datetime
    ) -> None:
        assert business_minutes_between(calendar, start, due) == minutes

    def test_a_calendar_without_hours_has_no_due(self) -> None:
        closed = BusinessCalendar.from_json(dict.fromkeys(OFFICE))
        assert add_business_minutes(closed, local(2026, 11, 25, 10, 0), 60) is None


class TestBusinessMinutesBetween:
    def test_overdue_time_is_negative(self) -> None:
        assert (
            business_minutes_between(BAVARIA, local(2026, 11, 25, 11, 0), local(2026, 11, 25, 10, 0)) == -60
        )

    def test_a_weekend_counts_nothing(self) -> None:
        assert business_minutes_between(BAVARIA, local(2026, 11, 28, 0, 0), local(2026, 11, 30, 0, 0)) == 0


@pytest.mark.django_db
class TestPolicies:
    def test_the_most_specific_policy_wins(self, personas: object) -> None:
        from onevoice.networks.models import Channel

        org = personas.organization  # type: ignore[attr-defined]
        channel = Channel.objects.create(organization=org, network="bluesky", name="Bluesky")
        other = Channel.objects.create(organization=org, network="mastodon", name="Mastodon")

        def policy(name: str, position: int, **kw: object) -> SlaPolicy:
            return SlaPolicy.objects.create(
                organization=org,
                name=name,
                first_response_minutes=60,
                resolution_minutes=480,
                position=position,
                **kw,
            )

        default = policy("Standard", 0)
        urgent = policy("Dringend", 1, priority=Priority.URGENT)
        bluesky = policy("Bluesky", 2, channel=channel)
        both = policy("Bluesky dringend", 3, channel=channel, priority=Priority.URGENT)
        policies = list(SlaPolicy.objects.filter(organization=org))
        table = [
            (other.pk, Priority.NORMAL, default),
            (other.pk, Priority.URGENT, urgent),
            (channel.pk, Priority.NORMAL, bluesky),
            (channel.pk, Priority.URGENT, both),
        ]
        for channel_id, priority, expected in table:
            assert policy_for(policies, channel_id=channel_id, priority=priority) == expected

    def test_the_calendar_reads_the_state_and_closed_days(self, personas: object) -> None:
        org = personas.organization  # type: ignore[attr-defined]
        InboxSettings.objects.create(organization=org, holiday_state="BY")
        ClosedDay.objects.create(organization=org, day=date(2026, 12, 24), name="Heiligabend")
        calendar = calendar_for(org)
        assert calendar.is_closed(date(2026, 1, 6))
        assert calendar.is_closed(date(2026, 12, 24))
        assert not calendar.is_closed(date(2026, 12, 23))
