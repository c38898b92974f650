"""The SLA clock: business minutes on the organisation's hours, public holidays and closed days.

Business hours are local wall-clock times in the organisation's time zone; every span is turned into UTC
before anything is counted, so the day the clocks change has its real length (a 09:00–17:00 day is always
8 hours, a span across 02:00 on the last Sunday of March one hour shorter). Dues are stored in UTC.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays as holidays_lib

from onevoice.inbox.models import ClosedDay, InboxSettings, SlaPolicy
from onevoice.organization.models import WEEKDAYS, Organization

# How far ahead the clock looks for business time before it gives up (an organisation without any hours).
MAX_DAYS_AHEAD = 800


@functools.lru_cache(maxsize=256)
def public_holidays(state: str, year: int) -> frozenset[date]:
    """Germany's public holidays of one year, with the state's own when `state` is set ("BY", "NW" …)."""
    subdiv = state or None
    try:
        calendar = holidays_lib.country_holidays("DE", subdiv=subdiv, years=year)
    except NotImplementedError:  # an unknown state code: the national holidays still apply
        calendar = holidays_lib.country_holidays("DE", years=year)
    return frozenset(calendar.keys())


def holiday_states() -> list[tuple[str, str]]:
    """The state codes the holiday library knows for Germany, for the settings page."""
    return sorted((code, code) for code in holidays_lib.country_holidays("DE").subdivisions)


@dataclass(frozen=True)
class BusinessCalendar:
    """When an organisation answers: weekly hours in its time zone, minus public holidays and closed days."""

    time_zone: str = "Europe/Berlin"
    # Weekday (0 = Monday) → opening and closing time; a missing weekday is closed.
    hours: dict[int, tuple[time, time]] = field(default_factory=dict)
    holiday_state: str = ""
    closed_days: frozenset[date] = frozenset()
    use_public_holidays: bool = True
    # Each day's business time in UTC, worked out once per calendar: a batch of cases asks for the same
    # few days thousands of times.
    _spans: dict[date, tuple[datetime, datetime] | None] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    @classmethod
    def from_json(
        cls,
        business_hours: dict[str, list[str] | None] | None,
        *,
        time_zone: str = "Europe/Berlin",
        holiday_state: str = "",
        closed_days: Iterable[date] = (),
        use_public_holidays: bool = True,
    ) -> BusinessCalendar:
        hours: dict[int, tuple[time, time]] = {}
        for index, day in enumerate(WEEKDAYS):
            span = (business_hours or {}).get(day)
            if not span:
                continue
            opens, closes = time.fromisoformat(span[0]), time.fromisoformat(span[1])
            if closes > opens or closes == time(0, 0):
                hours[index] = (opens, closes)
        return cls(
            time_zone=time_zone,
            hours=hours,
            holiday_state=holiday_state,
            closed_days=frozenset(closed_days),
            use_public_holidays=use_public_holidays,
        )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def is_closed(self, day: date) -> bool:
        if day in self.closed_days:
            return True
        return self.use_public_holidays and day in public_holidays(self.holiday_state, day.year)

    def span(self, day: date) -> tuple[datetime, datetime] | None:
        """The business time of one local day in UTC, or None when closed."""
        try:
            return self._spans[day]
        except KeyError:
            found = self._span(day)
        self._spans[day] = found
        return found

    def _span(self, day: date) -> tuple[datetime, datetime] | None:
        hours = self.hours.get(day.weekday())
        if hours is None or self.is_closed(day):
            return None
        zone = self.zone
        start = datetime.combine(day, hours[0], tzinfo=zone).astimezone(UTC)
        if hours[1] == time(0, 0):  # "until midnight"
            end = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=zone).astimezone(UTC)
        else:
            end = datetime.combine(day, hours[1], tzinfo=zone).astimezone(UTC)
        return (start, end) if end > start else None

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()


def add_business_minutes(calendar: BusinessCalendar, start: datetime, minutes: int) -> datetime | None:
    """The moment `minutes` business minutes after `start` (UTC); None if the calendar never opens."""
    if not calendar.hours:
        return None
    # In UTC: aware datetimes of one zone compare and subtract by wall time, wrong across a DST switch.
    start = start.astimezone(UTC)
    remaining = timedelta(minutes=max(minutes, 0))
    day = calendar.local_date(start)
    for _offset in range(MAX_DAYS_AHEAD):
        span = calendar.span(day)
        if span is not None and start < span[1]:
            begin = max(start, span[0])
            available = span[1] - begin
            if remaining <= available:
                return (begin + remaining).astimezone(UTC)
            remaining -= available
        day += timedelta(days=1)
    return None


def business_minutes_between(calendar: BusinessCalendar, start: datetime, end: datetime) -> int:
    """Whole business minutes from `start` to `end`; negative when `end` is earlier (time overdue)."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end < start:
        return -business_minutes_between(calendar, end, start)
    total = timedelta(0)
    day = calendar.local_date(start)
    last = calendar.local_date(end)
    while day <= last:
        span = calendar.span(day)
        if span is not None:
            begin, finish = max(start, span[0]), min(end, span[1])
            if finish > begin:
                total += finish - begin
        day += timedelta(days=1)
    return int(total.total_seconds() // 60)


def calendar_for(organization: Organization, settings: InboxSettings | None = None) -> BusinessCalendar:
    """The organisation's calendar: its business hours and time zone, its state's holidays, its closed days."""
    if settings is None:
        settings = InboxSettings.objects.filter(organization=organization).first()
    closed = ClosedDay.objects.filter(organization=organization).values_list("day", flat=True)
    return BusinessCalendar.from_json(
        organization.business_hours,
        time_zone=organization.time_zone,
        holiday_state=settings.holiday_state if settings is not None else "",
        closed_days=closed,
    )


def policy_for(policies: Sequence[SlaPolicy], *, channel_id: int | None, priority: str) -> SlaPolicy | None:
    """The policy for a case: one for its channel and priority, then channel, then priority, then default.

    Among equally specific policies, the first by position wins."""
    best: tuple[int, int, int] | None = None
    chosen: SlaPolicy | None = None
    for index, policy in enumerate(policies):
        if policy.channel_id is not None and policy.channel_id != channel_id:
            continue
        if policy.priority and policy.priority != priority:
            continue
        specificity = (2 if policy.channel_id is not None else 0) + (1 if policy.priority else 0)
        rank = (-specificity, policy.position, index)
        if best is None or rank < best:
            best, chosen = rank, policy
    return chosen


@dataclass(frozen=True)
class Dues:
    policy: SlaPolicy | None
    first_response_due: datetime | None
    resolution_due: datetime | None


def dues_for(
    calendar: BusinessCalendar,
    policies: Sequence[SlaPolicy],
    *,
    channel_id: int | None,
    priority: str,
    started_at: datetime,
) -> Dues:
    """When the first answer and the resolution are due for a case whose clock started at `started_at`."""
    policy = policy_for(policies, channel_id=channel_id, priority=priority)
    if policy is None:
        return Dues(None, None, None)
    return Dues(
        policy,
        add_business_minutes(calendar, started_at, policy.first_response_minutes),
        add_business_minutes(calendar, started_at, policy.resolution_minutes),
    )


def organization_policies(organization_id: int) -> list[SlaPolicy]:
    return list(SlaPolicy.objects.filter(organization_id=organization_id).order_by("position", "id"))
