"""Goal periods: a calendar month, quarter or year, named by its first day."""

from __future__ import annotations

from datetime import date


def period_start(kind: str, day: date) -> date:
    """The first day of the month, quarter or year that contains `day`."""
    if kind == "year":
        return date(day.year, 1, 1)
    if kind == "quarter":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return date(day.year, day.month, 1)


def period_end(kind: str, start: date) -> date:
    """The first day after the period that starts on `start`."""
    months = {"year": 12, "quarter": 3}.get(kind, 1)
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_label(kind: str, start: date) -> str:
    """ "Q3 2026", "2026" or "09/2026": the same in German and English."""
    if kind == "year":
        return str(start.year)
    if kind == "quarter":
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    return f"{start.month:02d}/{start.year}"
