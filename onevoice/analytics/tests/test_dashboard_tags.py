"""The dashboard's Python-built tables read like the template they replaced."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import translation
from django.utils.formats import date_format

from onevoice.analytics.templatetags.analytics_tags import (
    channel_rows,
    daily_rows,
    scope_url,
    short_date_formatter,
    with_id,
)


@pytest.mark.parametrize("language", ["de", "en"])
def test_short_dates_match_the_date_filter(language: str) -> None:
    with translation.override(language):
        formatted = short_date_formatter()
        for n in range(0, 800, 7):
            day = date(2025, 12, 28) + timedelta(days=n)
            assert formatted(day) == date_format(day, "SHORT_DATE_FORMAT")


def test_daily_rows_escape_and_mark_what_is_missing() -> None:
    series = {
        "rows": [(date(2026, 3, 4), 2, 17, None), (date(2026, 3, 5), 0, 3, 1200)],
        "has_interactions": True,
    }
    with translation.override("de"):
        html = daily_rows(series, "<nicht verfügbar>")
    assert "<td>04.03.2026</td>" in html
    assert '<span class="ov-muted">–</span>' in html
    assert "1200" in html
    without = daily_rows({**series, "has_interactions": False}, "<n/a>")
    assert "&lt;n/a&gt;" in without
    assert "<n/a>" not in without


def test_scope_urls_are_reversed_once_and_filled_in() -> None:
    url = scope_url("acme", "channel")
    assert with_id(url, "1b2c") == "/o/acme/analytics/channels/1b2c/"


def test_channel_rows_escape_names_and_say_what_a_network_does_not_report() -> None:
    class Channel:
        public_id = "abc"

    row = {
        "channel": Channel(),
        "name": "<b>Presse</b>",
        "network": "Mastodon",
        "published": 3,
        "interactions": 12345,
        "impressions": None,
        "engagement_rate": None,
        "rate_available": True,
        "followers": 20500,
        "followers_available": True,
        "follower_growth": 120,
    }
    with translation.override("de"):
        html = channel_rows([row], "organization", "/o/acme/analytics/channels/{id}/", "from=x", "n. v.")
    assert "&lt;b&gt;Presse&lt;/b&gt;" in html
    assert '<a href="/o/acme/analytics/channels/abc/?from=x">' in html
    assert "12.345" in html
    assert "+120" in html
    assert '<span class="small ov-muted" data-na="1">n. v.</span>' in html
    assert '<td class="text-end">–</td>' in html
