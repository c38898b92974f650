"""Management looks at the demo's figures: the dashboard with its chart, a channel, the report page and the PDF."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, shoot

pytestmark = pytest.mark.django_db(transaction=True)


def log_in_demo(page: Page, live_url: str, email: str) -> None:
    from onevoice.organization.demo import DEMO_PASSWORD

    page.goto(f"{live_url}/accounts/login/")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_role("textbox", name="Passwort", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()


def test_the_smm_reads_three_months_of_figures_and_gets_the_report(page: Page, live_url: str) -> None:
    from onevoice.organization.demo import (
        DEMO_ORGANIZATION_SLUG,
        SOCIAL_MEDIA_MANAGER,
        build_demo_organization,
    )

    build_demo_organization()
    log_in_demo(page, live_url, SOCIAL_MEDIA_MANAGER.email)
    page.goto(f"{live_url}/o/{DEMO_ORGANIZATION_SLUG}/analytics/?period=90d")
    expect(page.locator("#analytics-chart")).to_be_visible()
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('analytics-chart'))")
    expect(page.get_by_test_id("figure-engagement_rate")).not_to_contain_text("nicht verfügbar")
    # Mastodon reports no followers: said so, never 0.
    mastodon = page.get_by_test_id("channel-table").get_by_role("row").filter(has_text="Mastodon")
    expect(mastodon.first).to_contain_text("von diesem Netzwerk nicht verfügbar")
    assert_accessible(page)
    shoot(page, "analytics-overview")

    page.get_by_role("link", name="Muster GmbH (Bluesky)").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Muster GmbH (Bluesky)")
    assert_accessible(page)
    shoot(page, "analytics-channel")

    # A reversed period is explained, the dates typed stay.
    page.get_by_label("Von").fill("2026-10-31")
    page.get_by_label("bis").fill("2026-10-01")
    page.get_by_role("button", name="Anzeigen").click()
    expect(page.get_by_test_id("period-error")).to_be_visible()
    expect(page.get_by_label("Von")).to_have_value("2026-10-31")

    page.get_by_test_id("reports-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Management-Bericht")
    assert_accessible(page)
    shoot(page, "analytics-reports")
    with page.expect_download() as download:
        page.get_by_test_id("report-pdf").click()
    path = download.value.path()
    assert path is not None
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    # What the PDF is made from, as a page.
    from django.utils import timezone

    from onevoice.analytics.report import previous_month

    month = previous_month(timezone.localdate()).strftime("%Y-%m")
    page.goto(
        f"{live_url}/o/{DEMO_ORGANIZATION_SLUG}/analytics/reports/month/?month={month}&language=de&format=html"
    )
    page.emulate_media(media="print")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Social-Media-Bericht")
    shoot(page, "analytics-report-preview")
