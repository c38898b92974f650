"""Dashboards and exports over HTTP: roles, other organisations, bad input, "not available", query counts."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from onevoice.analytics import collection
from onevoice.analytics.models import TrackedPost
from onevoice.analytics.tests.conftest import direct_post
from onevoice.networks.connectors.base import MetricSample as Sample
from onevoice.planning.models import Campaign, Topic


@pytest.fixture
def figures(personas, bluesky, newsroom) -> dict[str, TrackedPost]:
    """Two Bluesky posts with figures (one strong, one weak) and a newsroom post (no figures at all)."""
    now = timezone.now()
    strong = direct_post(
        bluesky, "at://x/app.bsky.feed.post/strong", now - timedelta(days=3), "Starker Beitrag"
    )
    weak = direct_post(
        bluesky, "at://x/app.bsky.feed.post/weak", now - timedelta(days=2), "Schwacher Beitrag"
    )
    direct_post(newsroom, "https://muster.example/news/1", now - timedelta(days=2), "Pressemitteilung")
    collection.tracked_posts_sync(now=now)
    collection.samples_ingest(
        bluesky,
        [
            Sample(strong.external_id, "likes", 40, now - timedelta(hours=1)),
            Sample(strong.external_id, "replies", 10, now - timedelta(hours=1)),
            Sample(weak.external_id, "likes", 2, now - timedelta(hours=1)),
        ],
        [Sample("did", "followers", 1000, now - timedelta(days=5)), Sample("did", "followers", 1010, now)],
    )
    return {t.excerpt: t for t in TrackedPost.objects.all()}


def url(personas, path: str = "") -> str:
    return f"/o/{personas.organization.slug}/analytics/{path}"


class TestOverview:
    def test_it_shows_the_figures_with_the_rate_defined_once(self, personas, figures) -> None:
        page = personas.client_for(personas.viewer).get(url(personas, "?period=30d"))
        assert page.status_code == 200
        html = page.content.decode()
        assert "Engagement rate = interactions" in html
        assert "Starker Beitrag" in html
        assert "Schwacher Beitrag" in html
        # 50 interactions on 1000 followers
        assert 'data-testid="figure-engagement_rate"' in html
        assert "2.6" in html

    def test_a_figure_the_network_lacks_is_not_available_never_zero(self, personas, figures) -> None:
        newsroom = figures["Pressemitteilung"].channel
        page = personas.client_for(personas.smm).get(
            url(personas, f"channels/{newsroom.public_id}/?period=30d")
        )
        html = page.content.decode()
        figure = html.split('data-testid="figure-interactions"')[1].split("</div>\n</div>")[0]
        assert "not available from this network" in figure
        assert ">0<" not in figure

    @pytest.mark.parametrize("who", ["contributor", "reviewer"])
    def test_people_without_reports_are_refused(self, personas, figures, who) -> None:
        assert personas.client_for(getattr(personas, who)).get(url(personas)).status_code == 404

    def test_another_organisation_is_refused(self, personas, figures) -> None:
        assert personas.client_for(personas.outsider).get(url(personas)).status_code == 404
        channel = figures["Starker Beitrag"].channel
        other = f"/o/{personas.outsider.organization.slug}/analytics/channels/{channel.public_id}/"
        assert personas.client_for(personas.outsider).get(other).status_code == 404
        department = (
            f"/o/{personas.outsider.organization.slug}/analytics/departments/{personas.marketing.public_id}/"
        )
        assert personas.client_for(personas.outsider).get(department).status_code == 404

    def test_a_reversed_period_is_explained_and_what_was_typed_stays(self, personas, figures) -> None:
        page = personas.client_for(personas.cm).get(url(personas, "?from=2026-10-31&to=2026-10-01"))
        assert page.status_code == 400
        html = page.content.decode()
        assert "The period ends before it starts" in html
        assert 'value="2026-10-31"' in html
        assert 'value="2026-10-01"' in html

    def test_a_nonsense_period_is_explained(self, personas, figures) -> None:
        page = personas.client_for(personas.cm).get(url(personas, "?from=gestern&to=heute"))
        assert page.status_code == 400
        assert "two dates" in page.content.decode()

    def test_it_compares_with_the_previous_period(self, personas, figures) -> None:
        page = personas.client_for(personas.smm, "de").get(url(personas, "?from=2026-10-01&to=2026-10-31"))
        assert "01.09.2026 – 30.09.2026" in page.content.decode()

    def test_a_channel_whose_pulls_fail_is_marked_stale_with_its_last_good_pull(
        self, personas, figures
    ) -> None:
        from onevoice.analytics.models import ChannelCollection

        channel = figures["Starker Beitrag"].channel
        ChannelCollection.objects.update_or_create(
            channel=channel,
            defaults={
                "failures": 3,
                "last_success_at": timezone.now() - timedelta(days=2),
                "last_error": "AppView answered 502",
                "next_try_at": timezone.now() + timedelta(minutes=20),
            },
        )
        html = personas.client_for(personas.viewer).get(url(personas)).content.decode()
        stale = html.split('data-testid="stale"')[1].split("</div>")[0]
        assert "The figures of Bluesky Muster are as of" in stale
        assert "AppView answered 502" in stale

    def test_a_period_without_data_says_so(self, personas, figures) -> None:
        page = personas.client_for(personas.smm).get(url(personas, "?from=2020-01-01&to=2020-01-31"))
        assert 'data-testid="no-data"' in page.content.decode()

    def test_the_query_count_does_not_grow_with_the_posts(self, personas, figures, bluesky) -> None:
        client = personas.client_for(personas.smm)
        client.get(url(personas))
        with CaptureQueriesContext(connection) as before:
            client.get(url(personas))
        now = timezone.now()
        for n in range(15):
            direct_post(bluesky, f"at://x/app.bsky.feed.post/more{n}", now - timedelta(days=1), f"Mehr {n}")
        collection.tracked_posts_sync(now=now)
        with CaptureQueriesContext(connection) as after:
            client.get(url(personas))
        assert len(after) == len(before)
        assert len(after) <= 60


class TestSlices:
    def test_department_campaign_and_topic_dashboards(self, personas, figures) -> None:
        campaign = Campaign.objects.create(
            organization=personas.organization, name="Frühling", starts_on="2026-03-01", ends_on="2026-05-31"
        )
        topic = Topic.objects.create(organization=personas.organization, name="Produkte")
        TrackedPost.objects.filter(excerpt="Starker Beitrag").update(campaign=campaign, topic=topic)
        client = personas.client_for(personas.viewer)
        for path, expected in (
            (f"departments/{personas.marketing.public_id}/", "Starker Beitrag"),
            (f"campaigns/{campaign.public_id}/", "Starker Beitrag"),
            (f"topics/{topic.public_id}/", "Starker Beitrag"),
        ):
            page = client.get(url(personas, path))
            assert page.status_code == 200, path
            assert expected in page.content.decode()
        campaign_page = client.get(url(personas, f"campaigns/{campaign.public_id}/")).content.decode()
        assert "Schwacher Beitrag" not in campaign_page

    def test_a_channel_the_person_may_not_read_is_hidden(self, personas, figures) -> None:
        from onevoice.networks.models import Access, ChannelPermission

        channel = figures["Starker Beitrag"].channel
        ChannelPermission.objects.create(channel=channel, membership=personas.cm, access=Access.NONE)
        client = personas.client_for(personas.cm)
        assert client.get(url(personas, f"channels/{channel.public_id}/")).status_code == 404
        assert "Starker Beitrag" not in client.get(url(personas)).content.decode()


class TestExports:
    def test_every_table_exports_as_csv_and_excel(self, personas, figures) -> None:
        from onevoice.analytics.exports import TABLES

        client = personas.client_for(personas.viewer)
        for table in TABLES:
            for fmt in ("csv", "xlsx"):
                answer = client.get(url(personas, f"export/{table}.{fmt}?kind=organization&period=30d"))
                assert answer.status_code == 200, (table, fmt)
                assert "attachment" in answer["Content-Disposition"]

    def test_the_channel_table_says_not_available_instead_of_zero(self, personas, figures) -> None:
        answer = personas.client_for(personas.viewer).get(url(personas, "export/channels.csv?period=30d"))
        rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))
        newsroom = next(r for r in rows if r[0] == "Newsroom")
        assert newsroom[3] == "not available from this network"
        bluesky = next(r for r in rows if r[0] == "Bluesky Muster")
        assert bluesky[3] == "52"

    def test_excel_opens_with_the_same_rows(self, personas, figures) -> None:
        from openpyxl import load_workbook

        answer = personas.client_for(personas.viewer).get(url(personas, "export/posts.xlsx?period=30d"))
        sheet = load_workbook(io.BytesIO(answer.content)).active
        texts = {row[3] for row in sheet.iter_rows(min_row=2, values_only=True)}
        assert {"Starker Beitrag", "Schwacher Beitrag", "Pressemitteilung"} <= texts

    def test_formulas_in_post_texts_are_defused(self, personas, figures, bluesky) -> None:
        direct_post(bluesky, "at://x/app.bsky.feed.post/evil", timezone.now(), '=HYPERLINK("http://evil")')
        collection.tracked_posts_sync()
        answer = personas.client_for(personas.viewer).get(url(personas, "export/posts.csv?period=7d"))
        assert "'=HYPERLINK" in answer.content.decode("utf-8-sig")

    def test_bad_export_requests(self, personas, figures) -> None:
        client = personas.client_for(personas.viewer)
        assert client.get(url(personas, "export/salaries.csv")).status_code == 404
        assert client.get(url(personas, "export/channels.pdf")).status_code == 404
        assert client.get(url(personas, "export/channels.csv?kind=channel&id=nonsense")).status_code == 404
        assert (
            client.get(url(personas, "export/channels.csv?from=2026-02-01&to=2026-01-01")).status_code == 400
        )
        assert (
            personas.client_for(personas.contributor).get(url(personas, "export/channels.csv")).status_code
            == 404
        )
        assert (
            personas.client_for(personas.outsider).get(url(personas, "export/channels.csv")).status_code
            == 404
        )
