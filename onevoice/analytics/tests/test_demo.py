"""The demo organisation has three months of figures: the dashboard and the report show them."""

from __future__ import annotations

import pytest

from onevoice.analytics.models import ChannelDay, MetricSample, TrackedPost
from onevoice.organization.demo import build_demo_organization
from onevoice.organization.models import Organization


@pytest.fixture
def demo(db: None) -> Organization:
    return build_demo_organization()


class TestDemoHistory:
    def test_it_has_three_months_of_figures_for_posts_and_channels(self, demo: Organization) -> None:
        days = ChannelDay.objects.filter(organization=demo, followers__isnull=False).values_list(
            "day", flat=True
        )
        assert (max(days) - min(days)).days >= 89
        assert TrackedPost.objects.filter(organization=demo, interactions__gt=0).count() >= 40
        assert MetricSample.objects.filter(organization=demo).count() > 5000

    def test_the_dashboard_and_the_report_show_it(self, demo: Organization, client) -> None:
        from onevoice.organization.models import Membership

        smm = Membership.objects.filter(organization=demo, role="smm").first()
        client.force_login(smm.user)
        page = client.get(f"/o/{demo.slug}/analytics/?period=90d")
        assert page.status_code == 200
        html = page.content.decode()
        # The demo people use OneVoice in German.
        assert "von diesem Netzwerk nicht verfügbar" in html
        pdf = client.get(f"/o/{demo.slug}/analytics/reports/month/?month=2026-10&language=en&format=pdf")
        assert pdf.status_code == 200
        assert pdf.content.startswith(b"%PDF")
