"""The dashboard's Python-built tables read like the template they replaced."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import translation
from django.utils.formats import date_format

from onevoice.analytics.templatetags.analytics_tags import (
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
