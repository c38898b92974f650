"""Drag and drop in the calendar: the move endpoint checks rights, the past and the post's version, and
reads times as the person's wall clock (also on the days the clocks change)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from onevoice.core.models import AuditEvent
from onevoice.planning import services
from onevoice.planning.models import Post
from onevoice.planning.tests.conftest import BERLIN, later

pytestmark = pytest.mark.django_db


def move(client, personas, post: Post, start: object, version: int | None = None):
    return client.post(
        reverse("planning:calendar-move", args=[personas.organization.slug]),
        json.dumps(
            {
                "post": str(post.public_id),
                "start": start,
                "version": post.version if version is None else version,
            }
        ),
        content_type="application/json",
    )


class TestMove:
    def test_an_editor_moves_a_post_keeping_the_wall_clock_time(self, personas, draft) -> None:
        target = later(days=9, hour=14)
        response = move(personas.client_for(personas.cm), personas, draft, target.strftime("%Y-%m-%dT%H:%M"))
        assert response.status_code == 200
        answer = response.json()
        draft.refresh_from_db()
        assert draft.publish_at == target
        assert answer["version"] == draft.version
        assert answer["start"] == target.strftime("%Y-%m-%dT%H:%M:00")
        assert "moved to" in answer["message"]
        event = AuditEvent.objects.filter(verb="post.rescheduled").latest("pk")
        assert event.actor_id == personas.cm.user_id

    def test_the_offset_the_browser_sends_is_ignored(self, personas, draft) -> None:
        """The calendar runs in UTC mode: "14:00Z" means 14:00 on the plan's clock, not 15:00."""
        day = later(days=9).date().isoformat()
        assert move(personas.client_for(personas.cm), personas, draft, f"{day}T14:00:00Z").status_code == 200
        draft.refresh_from_db()
        assert draft.publish_at.astimezone(BERLIN).strftime("%H:%M") == "14:00"

    @pytest.mark.parametrize("role", ["admin", "smm", "cm"])
    def test_who_may_edit_the_post_may_move_it(self, personas, draft, role) -> None:
        target = later(days=8).strftime("%Y-%m-%dT%H:%M")
        assert move(personas.client_for(getattr(personas, role)), personas, draft, target).status_code == 200

    @pytest.mark.parametrize("role", ["contributor", "reviewer", "viewer", "outsider"])
    def test_everyone_else_gets_404_and_nothing_moves(self, personas, draft, role) -> None:
        before = draft.publish_at
        response = move(personas.client_for(getattr(personas, role)), personas, draft, "2030-01-01T10:00")
        assert response.status_code == 404
        draft.refresh_from_db()
        assert draft.publish_at == before

    def test_a_cm_cannot_move_another_departments_post(self, personas, channels) -> None:
        hr_post = services.post_create(
            actor=personas.smm, title="HR", department=personas.hr, channels=channels[1:], publish_at=later()
        )
        assert (
            move(personas.client_for(personas.cm), personas, hr_post, "2030-01-01T10:00").status_code == 404
        )

    def test_a_contributor_moves_their_own_post(self, personas, channels) -> None:
        own = services.post_create(
            actor=personas.contributor,
            title="Azubi-Tag",
            department=personas.hr,
            channels=channels[1:],
            publish_at=later(),
        )
        target = later(days=6).strftime("%Y-%m-%dT%H:%M")
        assert move(personas.client_for(personas.contributor), personas, own, target).status_code == 200

    def test_the_past_is_refused_with_the_services_message(self, personas, draft) -> None:
        before = draft.publish_at
        response = move(personas.client_for(personas.cm), personas, draft, "2020-01-01T10:00")
        assert response.status_code == 400
        assert "is in the past. Choose a later time." in response.json()["error"]
        draft.refresh_from_db()
        assert draft.publish_at == before

    def test_the_message_comes_in_the_persons_language(self, personas, draft) -> None:
        response = move(personas.client_for(personas.cm, language="de"), personas, draft, "2020-01-01T10:00")
        assert response.status_code == 400
        assert "Vergangenheit" in response.json()["error"]

    def test_a_stale_version_is_a_conflict_and_nothing_is_overwritten(self, personas, draft) -> None:
        services.post_reschedule(
            actor=personas.smm,
            post=draft,
            publish_at=draft.publish_at + timedelta(hours=1),
            expected_version=draft.version,
        )
        saved = Post.objects.get(pk=draft.pk).publish_at
        response = move(
            personas.client_for(personas.cm), personas, draft, "2030-01-01T10:00", version=draft.version - 1
        )
        assert response.status_code == 409
        assert "was changed by Sabine Strategie" in response.json()["error"]
        assert Post.objects.get(pk=draft.pk).publish_at == saved

    def test_a_published_post_stays_where_it_went_out(self, personas, draft) -> None:
        Post.objects.filter(pk=draft.pk).update(status=Post.Status.PUBLISHED)
        draft.refresh_from_db()
        response = move(personas.client_for(personas.smm), personas, draft, "2030-01-01T10:00")
        assert response.status_code == 400
        assert "cannot be moved" in response.json()["error"]

    @pytest.mark.parametrize(
        "body",
        [b"", b"kein json", b"[]", b'{"post": "x", "version": 1}', b'{"post": null, "version": "eins"}'],
    )
    def test_a_broken_request_gets_a_message_not_a_crash(self, personas, body) -> None:
        response = personas.client_for(personas.cm).post(
            reverse("planning:calendar-move", args=[personas.organization.slug]),
            body,
            content_type="application/json",
        )
        assert response.status_code == 400
        assert "Reload the page" in response.json()["error"]

    @pytest.mark.parametrize("start", [None, "", "bald", 1700000000])
    def test_a_drop_without_a_time_is_refused(self, personas, draft, start) -> None:
        response = move(personas.client_for(personas.cm), personas, draft, start)
        assert response.status_code == 400
        assert "Drop the post on a day or a time." in response.json()["error"]

    def test_only_post_is_allowed(self, personas) -> None:
        client = personas.client_for(personas.cm)
        assert (
            client.get(reverse("planning:calendar-move", args=[personas.organization.slug])).status_code
            == 405
        )

    def test_dropping_an_idea_schedules_it(self, personas, channels) -> None:
        idea = services.post_create(
            actor=personas.cm,
            title="Idee",
            department=personas.marketing,
            channels=channels[:1],
            status=Post.Status.IDEA,
        )
        response = move(personas.client_for(personas.cm), personas, idea, "2030-05-06T10:00")
        assert response.status_code == 200
        idea.refresh_from_db()
        assert idea.publish_at is not None
        assert idea.publish_at.astimezone(BERLIN).isoformat() == "2030-05-06T10:00:00+02:00"

    def test_moving_an_approved_post_makes_it_scheduled(self, personas, draft) -> None:
        Post.objects.filter(pk=draft.pk).update(status=Post.Status.APPROVED, publish_at=None)
        draft.refresh_from_db()
        response = move(personas.client_for(personas.smm), personas, draft, "2030-05-06T10:00")
        assert response.status_code == 200
        draft.refresh_from_db()
        assert response.json()["statusCode"] == draft.status


class TestMoveAcrossDaylightSaving:
    """Chosen behaviour: a wall-clock time that does not exist (02:30 on the spring-forward day) is read as
    the time it means after the clocks went forward, 03:30, and the answer says so; a time that exists twice
    (02:30 on the autumn day) is the first of the two, still in summer time."""

    def test_0230_on_the_spring_forward_day_becomes_0330_and_the_person_is_told(
        self, personas, draft
    ) -> None:
        response = move(personas.client_for(personas.cm), personas, draft, "2027-03-28T02:30")
        assert response.status_code == 200
        draft.refresh_from_db()
        assert draft.publish_at == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
        assert draft.publish_at.astimezone(BERLIN).strftime("%H:%M") == "03:30"
        answer = response.json()
        assert answer["start"] == "2027-03-28T03:30:00"
        assert "02:30 does not exist on that day because the clocks go forward" in answer["message"]
        assert "03:30" in answer["message"]

    def test_a_normal_time_on_that_day_says_nothing_about_clocks(self, personas, draft) -> None:
        response = move(personas.client_for(personas.cm), personas, draft, "2027-03-28T10:00")
        assert "clocks" not in response.json()["message"]
        draft.refresh_from_db()
        assert draft.publish_at == datetime(2027, 3, 28, 8, 0, tzinfo=UTC)

    def test_0230_on_the_autumn_day_is_the_first_0230(self, personas, draft) -> None:
        response = move(personas.client_for(personas.cm), personas, draft, "2027-10-31T02:30")
        assert response.status_code == 200
        draft.refresh_from_db()
        assert draft.publish_at == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)  # 02:30 CEST

    def test_a_day_move_in_the_month_view_keeps_ten_oclock_across_the_change(self, personas, draft) -> None:
        client = personas.client_for(personas.cm)
        assert move(client, personas, draft, "2027-10-30T10:00").status_code == 200
        draft.refresh_from_db()
        assert move(client, personas, draft, "2027-10-31T10:00").status_code == 200
        draft.refresh_from_db()
        assert draft.publish_at == datetime(2027, 10, 31, 9, 0, tzinfo=UTC)
        assert draft.publish_at.astimezone(BERLIN).strftime("%H:%M") == "10:00"
