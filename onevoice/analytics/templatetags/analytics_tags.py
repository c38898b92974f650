"""Dashboard tables that have a row per day or per channel: built in Python, since a year is 365 rows and
the template loop was a third of the dashboard's time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django import template
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.dateformat import format as format_date
from django.utils.formats import get_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

MUTED_DASH = mark_safe('<span class="ov-muted">–</span>')


# The numeric date format characters, done without DateFormat (50 µs a call, 365 calls a year).
NUMERIC_DATE_PARTS: dict[str, Callable[[date], str]] = {
    "d": lambda day: f"{day.day:02d}",
    "j": lambda day: str(day.day),
    "m": lambda day: f"{day.month:02d}",
    "n": lambda day: str(day.month),
    "Y": lambda day: str(day.year),
    "y": lambda day: f"{day.year % 100:02d}",
}


def short_date_formatter() -> Callable[[date], str]:
    """The active language's SHORT_DATE_FORMAT as a function; the same text as the `date` filter."""
    pattern = get_format("SHORT_DATE_FORMAT")
    if "\\" in pattern or any(c.isalpha() and c not in NUMERIC_DATE_PARTS for c in pattern):
        return lambda day: format_date(day, pattern)
    pieces = [NUMERIC_DATE_PARTS.get(c) or (lambda day, c=c: c) for c in pattern]
    return lambda day: "".join(piece(day) for piece in pieces)


@register.simple_tag
def daily_rows(series: dict[str, Any], not_available: str) -> SafeString:
    """The rows of the chart's table: day, posts published, interactions gained, followers."""
    gained_missing = format_html('<span class="ov-muted">{}</span>', not_available)
    has_interactions = series["has_interactions"]
    short_date = short_date_formatter()
    return format_html_join(
        "\n",
        '<tr><td>{}</td><td class="text-end">{}</td><td class="text-end">{}</td><td class="text-end">{}</td></tr>',
        (
            (
                short_date(day),
                published,
                gained if has_interactions else gained_missing,
                MUTED_DASH if followers is None else followers,
            )
            for day, published, gained, followers in series["rows"]
        ),
    )


@register.simple_tag
def scope_url(organization_slug: str, kind: str) -> str:
    """The address of a channel's (department's …) dashboard with `{id}` for its public id: reversed once
    for a table of a hundred channels."""
    marker = "00000000-0000-0000-0000-000000000000"
    return reverse(f"analytics:{kind}", args=[organization_slug, marker]).replace(marker, "{id}")


@register.filter
def with_id(url: str, public_id: object) -> str:
    return url.replace("{id}", str(public_id))


@register.simple_tag
def channel_rows(
    rows: list[dict[str, Any]], scope_kind: str, channel_url: str, period_query: str, not_available: str
) -> SafeString:
    """The per-channel table: posts, interactions, rate, followers, growth, impressions; "not available
    from this network" where the network does not report a figure (never 0)."""
    missing = format_html('<span class="small ov-muted" data-na="1">{}</span>', not_available)

    def count(value: Any) -> Any:
        return missing if value is None else floatformat(value, "0g")

    def rate(row: dict[str, Any]) -> Any:
        if not row["rate_available"]:
            return missing
        if row["engagement_rate"] is None:
            return "–"
        return format_html('<span class="text-nowrap">{} %</span>', floatformat(row["engagement_rate"], "-2"))

    def followers(row: dict[str, Any]) -> Any:
        if not row["followers_available"]:
            return missing
        return "–" if row["followers"] is None else floatformat(row["followers"], "0g")

    def growth(row: dict[str, Any]) -> Any:
        if not row["followers_available"]:
            return missing
        value = row["follower_growth"]
        if value is None:
            return "–"
        return ("+" if value > 0 else "") + floatformat(value, "0g")

    def name(row: dict[str, Any]) -> Any:
        if scope_kind == "channel":
            return row["name"]
        href = f"{with_id(channel_url, row['channel'].public_id)}?{period_query}"
        return format_html('<a href="{}">{}</a>', href, row["name"])

    return format_html_join(
        "\n",
        '<tr><th scope="row" class="fw-normal">{} <span class="small ov-muted">· {}</span></th>'
        '<td class="text-end">{}</td><td class="text-end">{}</td><td class="text-end">{}</td>'
        '<td class="text-end">{}</td><td class="text-end">{}</td><td class="text-end">{}</td></tr>',
        (
            (
                name(row),
                row["network"],
                row["published"],
                count(row["interactions"]),
                rate(row),
                followers(row),
                growth(row),
                count(row["impressions"]),
            )
            for row in rows
        ),
    )
