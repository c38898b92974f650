"""The events endpoint keeps its answer while the plan is unchanged: every kind of change shows in the very
next request, whatever wrote it (a service, `QuerySet.update`, a bulk write), and an answer is never served
to another person, role, organisation, language or time zone."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from onevoice.networks import services as channel_services
from onevoice.networks.models import Access, Channel, Network
from onevoice.organization import services as org_services
from onevoice.organization.roles import Role
from onevoice.planning import selectors, services
from onevoice.planning.models import Campaign, Post, PostVariant
from onevoice.planning.tests.conftest import BERLIN
from onevoice.planning.tests.test_calendar import events, month_around, url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    selectors.answer_cache.clear()
    yield
    selectors.answer_cache.clear()


@pytest.fixture
def month(draft) -> dict[str, str]:
    return month_around(draft.publish_at)


class _RolledBack(Exception):
    pass


def wall_clock(moment: datetime) -> str:
    return moment.astimezone(BERLIN).replace(tzinfo=None).isoformat(timespec="seconds")


def only(found: list[dict]) -> dict:
    assert len(found) == 1, found
    return found[0]


def served_from_cache(client, personas, month) -> bool:
    """True if the answer came without reading the posts (only the small lookups and the fingerprint)."""
    with CaptureQueriesContext(connection) as captured:
        events(client, personas, month)
    return not any("planning_post" in q["sql"] and "public_id" in q["sql"] for q in captured.captured_queries)


class TestTheCacheIsUsed:
    def test_the_fingerprint_is_there_on_this_database(self, personas, draft, month) -> None:
        assert (
            selectors.plan_fingerprint(personas.organization.pk, draft.publish_at, draft.publish_at)
            is not None
        )
        if connection.vendor == "sqlite":  # all six triggers of migration 0005 (a table rebuild drops them)
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'planning_calendar_rev%'"
                )
                assert cursor.fetchone()[0] == selectors.SQLITE_TRIGGER_COUNT

    def test_a_second_request_is_served_from_the_cache_in_fewer_queries(self, personas, draft, month) -> None:
        client = personas.client_for(personas.cm)
        first = events(client, personas, month)
        assert served_from_cache(client, personas, month)
        assert events(client, personas, month) == first


class TestEveryChangeShowsInTheNextRequest:
    """Warm the cache, change one thing, and the next answer has the change."""

    def test_time_through_the_service_and_through_a_queryset_update(self, personas, draft, month) -> None:
        client = personas.client_for(personas.cm)
        events(client, personas, month)
        post = services.post_reschedule(
            actor=personas.cm,
            post=draft,
            publish_at=draft.publish_at + timedelta(hours=2),
            expected_version=draft.version,
        )
        assert post.publish_at is not None
        assert only(events(client, personas, month))["start"] == wall_clock(post.publish_at)
        Post.objects.filter(pk=draft.pk).update(publish_at=draft.publish_at + timedelta(hours=3))
        assert only(events(client, personas, month))["start"] == wall_clock(
            draft.publish_at + timedelta(hours=3)
        )

    def test_a_post_moved_out_of_the_period_disappears(self, personas, draft, month) -> None:
        client = personas.client_for(personas.cm)
        assert events(client, personas, month)
        Post.objects.filter(pk=draft.pk).update(publish_at=draft.publish_at + timedelta(days=90))
        assert events(client, personas, month) == []

    def test_status_without_version_or_updated_at(self, personas, draft, month) -> None:
        client = personas.client_for(personas.cm)
        assert only(events(client, personas, month))["statusCode"] == Post.Status.DRAFT
        services.post_submit(actor=personas.cm, post=draft)
        assert only(events(client, personas, month))["statusCode"] == Post.Status.IN_REVIEW
        # A bare update of one column, as some services and tasks do (no version, no updated_at).
        Post.objects.filter(pk=draft.pk).update(status=Post.Status.WITHDRAWN)
        withdrawn = only(events(client, personas, month))
        assert withdrawn["statusCode"] == Post.Status.WITHDRAWN
        assert withdrawn["editable"] is False

    def test_title(self, personas, draft, month) -> None:
        client = personas.client_for(personas.cm)
        events(client, personas, month)
        Post.objects.filter(pk=draft.pk).update(title="Neuer Titel")
        assert only(events(client, personas, month))["title"] == "Neuer Titel"

    def test_variants_and_channels(self, personas, channels, draft, month) -> None:
        client = personas.client_for(personas.cm)
        assert [c["name"] for c in only(events(client, personas, month))["channels"]] == [
            "Newsroom Marketing"
        ]
        PostVariant.objects.create(post=draft, channel=channels[1], text="x")
        names = [c["name"] for c in only(events(client, personas, month))["channels"]]
        assert names == ["Newsroom Karriere", "Newsroom Marketing"]
        PostVariant.objects.filter(post=draft, channel=channels[0]).delete()
        assert [c["name"] for c in only(events(client, personas, month))["channels"]] == ["Newsroom Karriere"]
        PostVariant.objects.filter(post=draft).update(channel=channels[0])
        assert [c["name"] for c in only(events(client, personas, month))["channels"]] == [
            "Newsroom Marketing"
        ]
        channel_services.channel_update(
            actor=personas.smm,
            channel=channels[0],
            name="Newsroom Vertrieb",
            department=personas.marketing,
            require_alt_text=False,
        )
        assert [c["name"] for c in only(events(client, personas, month))["channels"]] == ["Newsroom Vertrieb"]

    def test_a_new_post_and_a_deleted_one(self, personas, channels, draft, month) -> None:
        client = personas.client_for(personas.viewer)
        assert len(events(client, personas, month)) == 1
        second = services.post_create(
            actor=personas.smm,
            title="Zweiter",
            department=personas.hr,
            channels=channels,
            base_text="x",
            publish_at=draft.publish_at + timedelta(hours=1),
        )
        assert len(events(client, personas, month)) == 2
        second.delete()
        assert len(events(client, personas, month)) == 1

    def test_channel_permission_hides_and_shows_a_channel(self, personas, channels, draft, month) -> None:
        client = personas.client_for(personas.cm)
        assert only(events(client, personas, month))["channels"]
        channel_services.channel_set_access(
            actor=personas.smm, channel=channels[0], membership=personas.cm, access=Access.NONE
        )
        assert only(events(client, personas, month))["channels"] == []
        channel_services.channel_set_access(
            actor=personas.smm, channel=channels[0], membership=personas.cm, access=""
        )
        assert only(events(client, personas, month))["channels"]

    def test_department_membership_and_role(self, personas, draft, month) -> None:
        """A CM edits their departments' posts: moving the CM out of Marketing, or making them a viewer,
        takes the right away in the next answer; back in, it returns."""
        client = personas.client_for(personas.cm)
        events(client, personas, month)  # warm the cache
        other = services.post_create(
            actor=personas.smm,
            title="Von Sabine",
            department=personas.marketing,
            channels=[],
            base_text="x",
            publish_at=draft.publish_at + timedelta(hours=1),
        )
        mine = {e["title"]: e["editable"] for e in events(client, personas, month)}
        assert mine == {"Produktlaunch": True, "Von Sabine": True}

        def update(role: str, departments: list) -> None:
            org_services.membership_update(
                actor=personas.admin,
                membership=personas.cm,
                role=role,
                departments=departments,
                weekly_hours=personas.cm.weekly_hours,
            )

        update(Role.CM, [personas.hr])
        mine = {e["title"]: e["editable"] for e in events(client, personas, month)}
        assert mine == {"Produktlaunch": True, "Von Sabine": False}  # their own post stays theirs
        update(Role.VIEWER, [personas.hr])
        assert not any(e["editable"] for e in events(client, personas, month))
        update(Role.CM, [personas.marketing])
        assert all(e["editable"] for e in events(client, personas, month))
        assert other.pk

    def test_department_name_and_campaign_colour(self, personas, draft, month) -> None:
        client = personas.client_for(personas.cm)
        assert only(events(client, personas, month))["department"] == "Marketing"
        org_services.department_update(
            actor=personas.admin,
            department=personas.marketing,
            name="Marketing & Vertrieb",
            description="",
            is_central_team=False,
        )
        assert only(events(client, personas, month))["department"] == "Marketing & Vertrieb"
        campaign = Campaign.objects.create(
            organization=personas.organization,
            name="Frühling",
            color="#0b5cad",
            starts_on=draft.publish_at.date() - timedelta(days=40),
            ends_on=draft.publish_at.date() + timedelta(days=40),
        )
        Post.objects.filter(pk=draft.pk).update(campaign=campaign)
        by_campaign = month | {"colour": "campaign"}
        assert only(events(client, personas, by_campaign))["color"] == "#0b5cad"
        Campaign.objects.filter(pk=campaign.pk).update(color="#a61e4d")
        assert only(events(client, personas, by_campaign))["color"] == "#a61e4d"

    def test_a_rolled_back_write_leaves_no_wrong_answer_behind(self, personas, draft, month) -> None:
        """Seen inside its transaction, gone after the rollback; a later, different write shows too."""
        client = personas.client_for(personas.cm)
        events(client, personas, month)
        try:
            with transaction.atomic():
                Post.objects.filter(pk=draft.pk).update(title="Verworfen")
                assert only(events(client, personas, month))["title"] == "Verworfen"
                raise _RolledBack
        except _RolledBack:
            pass
        assert only(events(client, personas, month))["title"] == "Produktlaunch"
        Post.objects.filter(pk=draft.pk).update(title="Behalten")
        assert only(events(client, personas, month))["title"] == "Behalten"


class TestNothingCrossesOver:
    def test_each_role_gets_its_own_answer(self, personas, draft, month) -> None:
        answers = {}
        for role in ("admin", "cm", "contributor", "viewer"):
            answers[role] = only(events(personas.client_for(getattr(personas, role)), personas, month))
        assert [answers[role]["editable"] for role in answers] == [True, True, False, False]
        # Again, now all from the cache: still each their own.
        for role, answer in answers.items():
            assert only(events(personas.client_for(getattr(personas, role)), personas, month)) == answer

    def test_another_organisation_gets_its_own_plan_for_the_same_period(self, personas, draft, month) -> None:
        events(personas.client_for(personas.cm), personas, month)
        outsider = personas.client_for(personas.outsider)
        response = outsider.get(url("calendar-events", personas), month)
        assert response.status_code == 404
        own = outsider.get(
            url("calendar-events", personas).replace(
                personas.organization.slug, personas.outsider.organization.slug
            ),
            month,
        )
        assert own.status_code == 200
        assert own.json() == []

    def test_language_and_time_zone_are_part_of_the_answer(self, personas, draft, month) -> None:
        client = personas.client_for(personas.cm, language="de")
        assert only(events(client, personas, month))["status"] == "Entwurf"
        client = personas.client_for(personas.cm, language="en")
        assert only(events(client, personas, month))["status"] == "Draft"
        berlin = only(events(client, personas, month))["start"]
        user = personas.cm.user
        user.time_zone = "America/New_York"
        user.save(update_fields=["time_zone"])
        assert only(events(client, personas, month))["start"] != berlin

    def test_a_channel_of_another_organisation_is_never_listed(self, personas, draft, month) -> None:
        foreign = Channel.objects.create(
            organization=personas.outsider.organization, network=Network.NEWSROOM, name="Fremdkanal"
        )
        events(personas.client_for(personas.cm), personas, month)
        PostVariant.objects.create(post=draft, channel=foreign, text="x")  # bad data: still not shown
        names = [
            c["name"] for c in only(events(personas.client_for(personas.cm), personas, month))["channels"]
        ]
        assert "Fremdkanal" not in names
