"""The period a dashboard or report shows, and the period before it to compare with."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

PRESETS = {
    "7d": gettext_lazy("Last 7 days"),
    "30d": gettext_lazy("Last 30 days"),
    "90d": gettext_lazy("Last 90 days"),
    "month": gettext_lazy("This month"),
    "last_month": gettext_lazy("Last month"),
    "quarter": gettext_lazy("This quarter"),
}
MAX_DAYS = 731


class PeriodError(ValueError):
    """The period asked for cannot be shown; the message says why and what to do."""


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length just before (a calendar month compares with the month before)."""
        if self.start.day == 1 and (self.end + timedelta(days=1)).day == 1:
            months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
            index = self.start.year * 12 + self.start.month - 1 - months
            start = date(index // 12, index % 12 + 1, 1)
            return Period(start, self.start - timedelta(days=1))
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """Start (inclusive) and end (exclusive) as aware datetimes in the organisation's time zone."""
        return datetime.combine(self.start, time(), tz), datetime.combine(
            self.end + timedelta(days=1), time(), tz
        )

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range(self.days)]

    @property
    def label(self) -> str:
        return (
            f"{date_format(self.start, 'SHORT_DATE_FORMAT')} – {date_format(self.end, 'SHORT_DATE_FORMAT')}"
        )

    def as_query(self) -> str:
        return f"from={self.start.isoformat()}&to={self.end.isoformat()}"


def month_of(day: date) -> Period:
    start = day.replace(day=1)
    following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return Period(start, following - timedelta(days=1))


def preset(name: str, today: date) -> Period:
    if name == "7d":
        return Period(today - timedelta(days=6), today)
    if name == "90d":
        return Period(today - timedelta(days=89), today)
    if name == "month":
        return Period(today.replace(day=1), today)
    if name == "last_month":
        return month_of(today.replace(day=1) - timedelta(days=1))
    if name == "quarter":
        return Period(date(today.year, (today.month - 1) // 3 * 3 + 1, 1), today)
    return Period(today - timedelta(days=29), today)


def period_from(params: Mapping[str, str], today: date) -> tuple[Period, str]:
    """The period from `?from=…&to=…` or `?period=<preset>`; raises PeriodError for bad input."""
    start_text, end_text = params.get("from", "").strip(), params.get("to", "").strip()
    if start_text or end_text:
        try:
            start, end = date.fromisoformat(start_text), date.fromisoformat(end_text)
        except ValueError:
            raise PeriodError(_("Enter the period as two dates, e.g. 2026-10-01 and 2026-10-31.")) from None
        if end < start:
            raise PeriodError(_("The period ends before it starts. Swap the two dates."))
        if (end - start).days + 1 > MAX_DAYS:
            raise PeriodError(_("Choose a period of at most two years."))
        return Period(start, end), "custom"
    name = params.get("period", "30d")
    if name not in PRESETS:
        name = "30d"
    return preset(name, today), name
