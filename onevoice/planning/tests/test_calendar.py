from __future__ import annotations

import json
from datetime import datetime

import pytest
from django.urls import reverse

from onevoice.planning import services
from onevoice.planning.models import Post, SavedFilter
from onevoice.planning.tests.conftest import BERLIN, later

pytestmark = pytest.mark.django_db


def url(name: str, personas, *args) -> str:
    return reverse(f"planning:{name}", args=[personas.organization.slug, *args])


def month_of(moment: datetime) -> dict[str, str]:
    first = moment.replace(day=1, hour=0, minute=0)
    return {
        "start": (first.replace(day=1)).strftime("%Y-%m-%dT00:00:00"),
        "end": (
            first.replace(day=28).replace(
                day=1, month=first.month % 12 + 1, year=first.year + (first.month == 12)
            )
        ).strftime("%Y-%m-%dT00:00:00"),
    }


def plan(personas, channels, n: int, when: datetime) -> None:
    for i in range(n):
        services.post_create(
            actor=personas.smm,
            title=f"Beitrag {i}",
            department=personas.marketing,
            channels=channels,
            base_text="x",
            publish_at=when,
        )


class TestEvents:
    @pytest.mark.parametrize(
        ("persona", "status"), [("viewer", 200), ("contributor", 200), ("outsider", 404)]
    )
    def test_who_sees_the_plan(self, personas, draft, persona, status) -> None:
        client = personas.client_for(getattr(personas, persona))
        assert client.get(url("calendar", personas)).status_code == status
        assert client.get(url("calendar-events", personas), month_of(draft.publish_at)).status_code == status
        assert client.get(url("calendar-list", personas)).status_code == status

    def test_events_carry_local_wall_clock_time_and_edit_rights(self, personas, draft) -> None:
        events = (
            personas.client_for(personas.cm)
            .get(url("calendar-events", personas), month_of(draft.publish_at.astimezone(BERLIN)))
            .json()
        )
        assert events[0]["start"] == draft.publish_at.astimezone(BERLIN).strftime("%Y-%m-%dT%H:%M:%S")
        assert events[0]["editable"] is True
        assert events[0]["extendedProps"]["channels"] == ["Newsroom Marketing"]
        viewer_events = (
            personas.client_for(personas.viewer)
            .get(url("calendar-events", personas), month_of(draft.publish_at.astimezone(BERLIN)))
            .json()
        )
        assert viewer_events[0]["editable"] is False

    def test_the_query_count_does_not_grow_with_the_plan(
        self, personas, channels, django_assert_num_queries
    ) -> None:
        when = later(days=5)
        client = personas.client_for(personas.smm)
        client.get(url("calendar-events", personas), month_of(when))  # warm the session
        plan(personas, channels, 5, when)
        with django_assert_num_queries(5) as few:
            assert len(client.get(url("calendar-events", personas), month_of(when)).json()) == 5
        plan(personas, channels, 45, when)
        with django_assert_num_queries(len(few.captured_queries)):
            assert len(client.get(url("calendar-events", personas), month_of(when)).json()) == 50

    def test_filters(self, personas, channels) -> None:
        when = later(days=5)
        services.post_create(
            actor=personas.smm, title="HR", department=personas.hr, channels=channels[1:], publish_at=when
        )
        services.post_create(
            actor=personas.smm,
            title="Marketing",
            department=personas.marketing,
            channels=channels[:1],
            publish_at=when,
        )
        client = personas.client_for(personas.smm)
        titles = [
            e["title"]
            for e in client.get(
                url("calendar-events", personas), month_of(when) | {"department": personas.hr.public_id}
            ).json()
        ]
        assert titles == ["HR"]
        titles = [
            e["title"]
            for e in client.get(
                url("calendar-events", personas), month_of(when) | {"channel": channels[0].public_id}
            ).json()
        ]
        assert titles == ["Marketing"]


class TestMove:
    def move(self, client, personas, post: Post, start: str, version: int | None = None):
        return client.post(
            url("calendar-move", personas),
            json.dumps(
                {
                    "post": str(post.public_id),
                    "start": start,
                    "version": post.version if version is None else version,
                }
            ),
            content_type="application/json",
        )

    def test_an_editor_moves_a_post_keeping_local_time(self, personas, draft) -> None:
        target = later(days=9, hour=14)
        response = self.move(
            personas.client_for(personas.cm), personas, draft, target.strftime("%Y-%m-%dT%H:%M")
        )
        assert response.status_code == 200
        draft.refresh_from_db()
        assert draft.publish_at == target

    def test_a_viewer_cannot_move(self, personas, draft) -> None:
        response = self.move(personas.client_for(personas.viewer), personas, draft, "2030-01-01T10:00")
        assert response.status_code == 404

    def test_the_outsider_cannot_move(self, personas, draft) -> None:
        response = self.move(personas.client_for(personas.outsider), personas, draft, "2030-01-01T10:00")
        assert response.status_code == 404

    def test_the_past_is_refused_with_a_message(self, personas, draft) -> None:
        response = self.move(personas.client_for(personas.cm), personas, draft, "2020-01-01T10:00")
        assert response.status_code == 400
        assert "in the past" in response.json()["error"]

    def test_a_stale_version_is_a_conflict(self, personas, draft) -> None:
        response = self.move(
            personas.client_for(personas.cm),
            personas,
            draft,
            "2030-01-01T10:00",
            version=draft.version - 1 if draft.version > 1 else 99,
        )
        assert response.status_code == 409
        assert "was changed by" in response.json()["error"]

    def test_0230_on_the_spring_forward_day_becomes_0330(self, personas, draft) -> None:
        response = self.move(personas.client_for(personas.cm), personas, draft, "2027-03-28T02:30")
        assert response.status_code == 200
        draft.refresh_from_db()
        assert draft.publish_at.astimezone(BERLIN).strftime("%H:%M") == "03:30"

    def test_dropping_an_idea_schedules_it(self, personas, channels) -> None:
        idea = services.post_create(
            actor=personas.cm,
            title="Idee",
            department=personas.marketing,
            channels=channels[:1],
            status=Post.Status.IDEA,
        )
        response = self.move(personas.client_for(personas.cm), personas, idea, "2030-05-06T10:00")
        assert response.status_code == 200
        idea.refresh_from_db()
        assert idea.publish_at.astimezone(BERLIN).isoformat() == "2030-05-06T10:00:00+02:00"


class TestSavedFilters:
    def test_save_use_and_delete_only_ones_own(self, personas) -> None:
        client = personas.client_for(personas.cm)
        client.post(
            url("filter-save", personas),
            {"name": "Mein Marketing", "department": str(personas.marketing.public_id)},
        )
        saved = SavedFilter.objects.get()
        assert saved.filters["department"] == [str(personas.marketing.public_id)]
        other = personas.client_for(personas.smm)
        assert other.post(url("filter-delete", personas, saved.public_id)).status_code == 404
        assert client.post(url("filter-delete", personas, saved.public_id)).status_code == 302
        assert not SavedFilter.objects.exists()


class TestListWithoutJavaScript:
    def test_the_list_shows_the_next_two_weeks_by_day(self, personas, draft) -> None:
        body = personas.client_for(personas.viewer).get(url("calendar-list", personas)).content.decode()
        assert "Produktlaunch" in body
