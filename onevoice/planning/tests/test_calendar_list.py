"""The plan as a list without JavaScript (a week or a month, a table per day) and saved filters."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from onevoice.planning import services
from onevoice.planning.models import Post, SavedFilter
from onevoice.planning.tests.conftest import BERLIN

pytestmark = pytest.mark.django_db


def url(name: str, personas, *args: object) -> str:
    return reverse(f"planning:{name}", args=[personas.organization.slug, *args])


def page(client, personas, **query: object) -> str:
    response = client.get(url("calendar-list", personas), query)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def week_plan(personas, channels) -> dict[str, Post]:
    """Posts in the week of Monday 2030-06-10 (and one the Monday after), times in Berlin."""
    made = {}
    for title, when, department in [
        ("Montag früh", datetime(2030, 6, 10, 8, 15, tzinfo=BERLIN), personas.marketing),
        ("Mittwoch", datetime(2030, 6, 12, 18, 0, tzinfo=BERLIN), personas.hr),
        ("Sonntag spät", datetime(2030, 6, 16, 23, 30, tzinfo=BERLIN), personas.marketing),
        ("Nächste Woche", datetime(2030, 6, 17, 0, 30, tzinfo=BERLIN), personas.marketing),
    ]:
        made[title] = services.post_create(
            actor=personas.smm, title=title, department=department, channels=channels, publish_at=when
        )
    return made


class TestListWithoutJavaScript:
    @pytest.mark.parametrize("role", ["admin", "smm", "cm", "contributor", "reviewer", "viewer"])
    def test_everyone_who_sees_the_plan_gets_the_list(self, personas, week_plan, role) -> None:
        body = page(personas.client_for(getattr(personas, role)), personas, **{"from": "2030-06-12"})
        assert "Mittwoch" in body

    def test_the_outsider_gets_404(self, personas) -> None:
        assert personas.client_for(personas.outsider).get(url("calendar-list", personas)).status_code == 404

    def test_a_week_runs_monday_to_sunday_in_local_time_with_every_day(self, personas, week_plan) -> None:
        body = page(personas.client_for(personas.viewer), personas, **{"from": "2030-06-13"})
        for title in ("Montag früh", "Mittwoch", "Sonntag spät"):
            assert title in body
        assert "Nächste Woche" not in body
        assert body.count('class="ov-card ov-day') == 7
        assert "08:15" in body
        assert "23:30" in body
        assert "Newsroom Karriere" in body
        assert "week 24" in body
        assert "3 posts" in body

    def test_paging_goes_a_week_or_a_month_at_a_time(self, personas, week_plan) -> None:
        body = page(personas.client_for(personas.viewer), personas, **{"from": "2030-06-13"})
        assert "span=week&amp;from=2030-06-03" in body
        assert "span=week&amp;from=2030-06-17" in body
        month = page(personas.client_for(personas.viewer), personas, span="month", **{"from": "2030-06-13"})
        assert "span=month&amp;from=2030-05-01" in month
        assert "span=month&amp;from=2030-07-01" in month
        for title in ("Montag früh", "Mittwoch", "Sonntag spät", "Nächste Woche"):
            assert title in month
        assert month.count('class="ov-card ov-day') == 4  # a month lists only the days with posts

    def test_the_filter_applies_and_survives_paging(self, personas, week_plan) -> None:
        body = page(
            personas.client_for(personas.viewer),
            personas,
            department=str(personas.hr.public_id),
            **{"from": "2030-06-13"},
        )
        assert "Mittwoch" in body
        assert "Montag früh" not in body
        assert f"department={personas.hr.public_id}&amp;span=week&amp;from=2030-06-17" in body

    def test_a_bad_date_shows_the_current_week(self, personas) -> None:
        body = page(personas.client_for(personas.viewer), personas, **{"from": "31.02.2030"})
        monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
        assert f"from={(monday + timedelta(days=7)).isoformat()}" in body

    def test_the_autumn_change_keeps_posts_on_their_local_day(self, personas, channels) -> None:
        post = services.post_create(
            actor=personas.smm, title="Nachts", department=personas.hr, channels=channels
        )
        Post.objects.filter(pk=post.pk).update(publish_at=datetime(2026, 10, 25, 1, 30, tzinfo=UTC))
        body = page(personas.client_for(personas.viewer), personas, **{"from": "2026-10-25"})
        sunday = body[body.index('id="day-2026-10-25"') :]
        assert "Nachts" in sunday
        assert "02:30" in sunday

    def test_ideas_are_listed_below(self, personas, channels) -> None:
        services.post_create(
            actor=personas.cm,
            title="Idee ohne Zeit",
            department=personas.marketing,
            channels=channels[:1],
            status=Post.Status.IDEA,
        )
        assert "Idee ohne Zeit" in page(personas.client_for(personas.viewer), personas)

    def test_the_number_of_queries_does_not_grow_with_the_posts(
        self, personas, channels, django_assert_max_num_queries
    ) -> None:
        client = personas.client_for(personas.cm)
        page(client, personas, span="month", **{"from": "2030-06-01"})

        def add(n: int) -> None:
            for i in range(n):
                services.post_create(
                    actor=personas.smm,
                    title=f"Beitrag {i}",
                    department=personas.marketing,
                    channels=channels,
                    publish_at=datetime(2030, 6, 1 + i % 28, 10, tzinfo=BERLIN),
                )

        add(3)
        with django_assert_max_num_queries(40) as few:
            page(client, personas, span="month", **{"from": "2030-06-01"})
        add(27)
        with django_assert_max_num_queries(len(few.captured_queries)):
            page(client, personas, span="month", **{"from": "2030-06-01"})


class TestSavedFilters:
    def test_save_pick_and_delete_ones_own(self, personas) -> None:
        client = personas.client_for(personas.cm)
        response = client.post(
            url("filter-save", personas),
            {
                "name": "Mein Marketing",
                "department": str(personas.marketing.public_id),
                "status": "draft",
                "next": url("calendar", personas) + f"?department={personas.marketing.public_id}",
            },
        )
        assert response.status_code == 302
        assert response["Location"].endswith(f"?department={personas.marketing.public_id}")
        saved = SavedFilter.objects.get()
        assert saved.membership == personas.cm
        assert saved.filters["department"] == [str(personas.marketing.public_id)]
        assert saved.filters["status"] == ["draft"]
        body = client.get(url("calendar", personas)).content.decode()
        assert "Mein Marketing" in body
        assert f"?department={personas.marketing.public_id}&amp;status=draft" in body
        # Someone else sees neither the filter nor can delete it.
        other = personas.client_for(personas.smm)
        assert "Mein Marketing" not in other.get(url("calendar", personas)).content.decode()
        assert other.post(url("filter-delete", personas, saved.public_id)).status_code == 404
        outsider = personas.client_for(personas.outsider)
        assert outsider.post(url("filter-delete", personas, saved.public_id)).status_code == 404
        assert client.post(url("filter-delete", personas, saved.public_id)).status_code == 302
        assert not SavedFilter.objects.exists()

    def test_saving_under_the_same_name_replaces_the_filter(self, personas) -> None:
        client = personas.client_for(personas.viewer)
        for department in (personas.marketing, personas.hr):
            client.post(
                url("filter-save", personas), {"name": "Abteilung", "department": str(department.public_id)}
            )
        assert SavedFilter.objects.get().filters["department"] == [str(personas.hr.public_id)]

    def test_a_filter_needs_a_name_and_a_value(self, personas) -> None:
        client = personas.client_for(personas.viewer)
        response = client.post(url("filter-save", personas), {"name": "", "status": "draft"}, follow=True)
        assert "Give the filter a name" in response.content.decode()
        response = client.post(url("filter-save", personas), {"name": "Alles"}, follow=True)
        assert "Choose at least one filter value first" in response.content.decode()
        assert not SavedFilter.objects.exists()

    def test_the_outsider_cannot_save_here(self, personas) -> None:
        client = personas.client_for(personas.outsider)
        assert client.post(url("filter-save", personas), {"name": "x", "status": "draft"}).status_code == 404

    def test_it_never_redirects_to_another_site(self, personas) -> None:
        response = personas.client_for(personas.viewer).post(
            url("filter-save", personas), {"name": "x", "status": "draft", "next": "https://evil.example/"}
        )
        assert response["Location"] == url("calendar", personas)


def test_the_list_dates_are_the_plans(personas) -> None:
    """Guard: the fixture dates are Mondays and Wednesdays as the tests above assume."""
    assert date(2030, 6, 10).weekday() == 0
    assert date(2030, 6, 12).weekday() == 2
