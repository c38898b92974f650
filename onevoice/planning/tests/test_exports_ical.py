from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.test import RequestFactory
from django.urls import reverse

from onevoice.core.models import AuditEvent
from onevoice.planning import exports
from onevoice.planning.export_views import calendar_feed
from onevoice.planning.models import CalendarFeed, Post
from onevoice.planning.tests.conftest import later
from onevoice.planning.tests.exports_helpers import planned

pytestmark = [pytest.mark.django_db, pytest.mark.urls("onevoice.planning.tests.feed_urls")]
BERLIN = ZoneInfo("Europe/Berlin")
S = Post.Status


def feed_for(member, name: str = "Plan", **filters: Any) -> str:
    _feed, token = exports.feed_create(actor=member, name=name, plan_filter=exports.PlanFilter(**filters))
    return token


def fetch(client, token: str):
    return client.get(reverse("planning-ical", kwargs={"token": token}))


def parse(response) -> icalendar.Calendar:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def vevents(calendar: icalendar.Calendar) -> list[icalendar.Event]:
    return [e for e in calendar.walk("VEVENT") if isinstance(e, icalendar.Event)]


def events_by_title(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(e["SUMMARY"]): e for e in vevents(calendar)}


class TestTheFeed:
    def test_it_is_a_valid_calendar_with_one_event_per_scheduled_post(
        self, personas, channels, client, settings
    ) -> None:
        settings.BASE_URL = "https://plan.muster.example"
        at = later(days=5, hour=9)
        post = planned(
            personas.cm,
            personas.marketing,
            channels,
            title="Produktlaunch",
            at=at,
            text="Unser neues Produkt ist da!",
            status=S.SCHEDULED,
        )
        planned(personas.cm, personas.marketing, channels[:1], title="Idee", unscheduled=True)
        token = feed_for(personas.smm, name="Alles")
        personas.smm.user.language = "en"  # the feed speaks its owner's language; this test reads English
        personas.smm.user.save(update_fields=["language"])

        calendar = parse(fetch(client, token))

        assert calendar["PRODID"] == "-//OneVoice//Redaktionsplan//DE"
        assert calendar["VERSION"] == "2.0"
        assert calendar["X-WR-CALNAME"] == "Muster GmbH: Alles"
        assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
        assert calendar.get_missing_tzids() == set()
        [event] = vevents(calendar)  # the unscheduled idea is not in a calendar
        assert event["UID"] == f"{post.public_id}@onevoice"
        assert event["SUMMARY"] == "Produktlaunch"
        assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
        assert event.start == at
        assert event.duration == timedelta(minutes=30)
        assert event["SEQUENCE"] == post.version
        assert event["STATUS"] == "CONFIRMED"
        assert event["TRANSP"] == "TRANSPARENT"
        assert event.last_modified == post.updated_at.replace(microsecond=0)
        url = f"https://plan.muster.example/o/{personas.organization.slug}/plan/posts/{post.public_id}/"
        assert event["URL"] == url
        description = str(event["DESCRIPTION"])
        for expected in (
            "Status: Scheduled",
            "Department: Marketing",
            "Channels: Newsroom Karriere, Newsroom Marketing",
            "Unser neues Produkt ist da!",
            url,
        ):
            assert expected in description

    def test_a_withdrawn_post_is_cancelled_and_a_draft_tentative(self, personas, channels, client) -> None:
        planned(personas.cm, personas.marketing, channels, title="Zurückgezogen", status=S.WITHDRAWN)
        planned(personas.cm, personas.marketing, channels, title="Entwurf", status=S.DRAFT)
        events = events_by_title(parse(fetch(client, feed_for(personas.viewer))))
        assert events["Zurückgezogen"]["STATUS"] == "CANCELLED"
        assert events["Entwurf"]["STATUS"] == "TENTATIVE"

    def test_a_time_window_becomes_the_end_of_the_event(self, personas, channels, client) -> None:
        at = later(days=4, hour=9)
        post = planned(personas.cm, personas.marketing, channels, title="Fenster", at=at)
        Post.objects.filter(pk=post.pk).update(window_end=at + timedelta(days=2))
        [event] = vevents(parse(fetch(client, feed_for(personas.cm))))
        assert event.end == at + timedelta(days=2)
        assert "DURATION" not in event

    def test_the_uid_stays_and_the_sequence_grows_when_the_post_changes(
        self, personas, channels, client
    ) -> None:
        from onevoice.planning import services

        post = planned(personas.cm, personas.marketing, channels, title="Alt")
        token = feed_for(personas.cm)
        [before] = vevents(parse(fetch(client, token)))
        services.post_reschedule(
            actor=personas.cm, post=post, publish_at=later(days=8), expected_version=post.version
        )
        [after] = vevents(parse(fetch(client, token)))
        assert after["UID"] == before["UID"]
        assert after.sequence > before.sequence
        assert after.start == later(days=8)

    def test_it_notes_when_it_was_last_fetched(self, personas, channels, client) -> None:
        token = feed_for(personas.cm)
        assert CalendarFeed.objects.get().last_used_at is None
        fetch(client, token)
        assert CalendarFeed.objects.get().last_used_at is not None

    def test_it_can_be_called_without_the_site_urls(self, personas, channels) -> None:
        planned(personas.cm, personas.marketing, channels, title="Direkt")
        token = feed_for(personas.cm)
        response = calendar_feed(RequestFactory().get("/feed.ics"), token)
        assert events_by_title(parse(response)).keys() == {"Direkt"}

    def test_it_speaks_its_owners_language(self, personas, channels, client) -> None:
        planned(personas.cm, personas.marketing, channels, title="Sprache", status=S.SCHEDULED)
        personas.cm.user.language = "de"
        personas.cm.user.save(update_fields=["language"])
        [event] = vevents(parse(fetch(client, feed_for(personas.cm))))
        # Until the German catalogue has these lines, the English text shows through unchanged.
        from django.utils import translation

        with translation.override("de"):
            expected = translation.gettext("Status: %(status)s") % {
                "status": translation.gettext("Scheduled")
            }
        assert expected in str(event["DESCRIPTION"])

    def test_its_queries_do_not_grow_with_the_posts(
        self, personas, channels, client, django_assert_max_num_queries
    ) -> None:
        for n in range(30):
            planned(personas.cm, personas.marketing, channels, title=f"Post {n}", at=later(days=2 + n % 20))
        token = feed_for(personas.cm)
        with django_assert_max_num_queries(10):
            calendar = parse(fetch(client, token))
        assert len(vevents(calendar)) == 30


class TestFeedFilters:
    @pytest.fixture
    def plan(self, personas, channels) -> dict[str, Post]:
        return {
            "marketing": planned(
                personas.smm, personas.marketing, channels[:1], title="Marketing", status=S.SCHEDULED
            ),
            "hr": planned(personas.smm, personas.hr, channels[1:], title="Personal", status=S.DRAFT),
        }

    def titles(self, client, token: str) -> set[str]:
        return set(events_by_title(parse(fetch(client, token))))

    def test_by_department(self, personas, plan, client) -> None:
        token = feed_for(personas.cm, department=(str(personas.hr.public_id),))
        assert self.titles(client, token) == {"Personal"}

    def test_by_channel(self, personas, channels, plan, client) -> None:
        token = feed_for(personas.cm, channel=(str(channels[0].public_id),))
        assert self.titles(client, token) == {"Marketing"}

    def test_by_status(self, personas, plan, client) -> None:
        assert self.titles(client, feed_for(personas.cm, status=(S.DRAFT,))) == {"Personal"}

    def test_by_campaign_and_topic(self, personas, channels, plan, client) -> None:
        from onevoice.planning.models import Campaign, Topic

        campaign = Campaign.objects.create(
            organization=personas.organization,
            name="Herbst",
            starts_on=later().date(),
            ends_on=later(days=30).date(),
        )
        topic = Topic.objects.create(organization=personas.organization, name="Karriere")
        Post.objects.filter(pk=plan["hr"].pk).update(campaign=campaign, topic=topic)
        assert self.titles(client, feed_for(personas.cm, campaign=(str(campaign.public_id),))) == {"Personal"}
        assert self.titles(client, feed_for(personas.cm, topic=(str(topic.public_id),))) == {"Personal"}

    def test_posts_long_past_are_left_out(self, personas, channels, client) -> None:
        planned(personas.smm, personas.marketing, channels, title="Alt", at=later(days=-120))
        planned(personas.smm, personas.marketing, channels, title="Neulich", at=later(days=-10))
        assert self.titles(client, feed_for(personas.cm)) == {"Neulich"}

    def test_another_organisations_posts_never_show(self, personas, plan, client) -> None:
        assert self.titles(client, feed_for(personas.outsider)) == set()


class TestFeedThatNoLongerWorks:
    def test_a_revoked_feed_is_not_found(self, personas, channels, client) -> None:
        token = feed_for(personas.cm)
        exports.feed_revoke(actor=personas.cm, feed=CalendarFeed.objects.get())
        assert fetch(client, token).status_code == 404

    def test_an_unknown_token_is_not_found(self, personas, client) -> None:
        feed_for(personas.cm)
        assert fetch(client, "not-a-token").status_code == 404

    def test_a_feed_of_someone_who_left_is_not_found(self, personas, client) -> None:
        token = feed_for(personas.cm)
        personas.cm.is_active = False
        personas.cm.save(update_fields=["is_active"])
        assert fetch(client, token).status_code == 404

    def test_only_the_hash_of_the_token_is_stored(self, personas) -> None:
        token = feed_for(personas.cm)
        feed = CalendarFeed.objects.get()
        assert token not in feed.token_hash
        assert len(token) >= 40


class TestDaylightSavingTime:
    """Europe/Berlin: clocks go back on 2026-10-25 (02:00-03:00 twice) and forward on 2027-03-28."""

    def instants(self, personas, channels, moments: dict[str, datetime]) -> dict[str, datetime]:
        for title, moment in moments.items():
            planned(personas.smm, personas.marketing, channels, title=title, at=moment)
        posts = exports.plan_posts(personas.smm, exports.PlanFilter())
        calendar = exports.plan_calendar(personas.smm, posts, name="DST")
        parsed = icalendar.Calendar.from_ical(calendar.to_ical())
        # In UTC: Python never finds an ambiguous local time equal to a time in another zone (PEP 495).
        return {str(e["SUMMARY"]): e.DTSTART.astimezone(UTC) for e in vevents(parsed)}

    def test_the_instant_survives_the_round_trip(self, personas, channels) -> None:
        moments = {
            "first 02:30": datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN),  # CEST, 00:30 UTC
            "second 02:30": datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN),  # CET, 01:30 UTC
            "after spring forward": datetime(2027, 3, 28, 3, 30, tzinfo=BERLIN),  # CEST, 01:30 UTC
        }
        found = self.instants(personas, channels, moments)
        assert found["first 02:30"] == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
        assert found["second 02:30"] == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
        assert found["after spring forward"] == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)

    def test_the_first_0230_is_written_as_local_time_with_its_zone(self, personas, channels) -> None:
        planned(
            personas.smm,
            personas.marketing,
            channels,
            title="x",
            at=datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN),
        )
        posts = exports.plan_posts(personas.smm, exports.PlanFilter())
        text = exports.plan_calendar(personas.smm, posts, name="DST").to_ical().decode()
        assert "DTSTART;TZID=Europe/Berlin:20261025T023000" in text
        # The VTIMEZONE knows both changes, so a client without zone data gets them right too.
        assert "RDATE:20261025T030000" in text or "DTSTART:20261025T030000" in text
        assert "20270328T020000" in text or "20270328T030000" in text


class TestFeedsPage:
    def url(self, personas, *args) -> str:
        name = "planning:calendar-feed-revoke" if args else "planning:calendar-feeds"
        return reverse(name, args=[personas.organization.slug, *args])

    @pytest.mark.parametrize(
        ("persona", "status"),
        [
            ("admin", 200),
            ("smm", 200),
            ("cm", 200),
            ("contributor", 200),
            ("reviewer", 200),
            ("viewer", 200),
            ("outsider", 404),
        ],
    )
    def test_everyone_who_sees_the_plan_has_feeds(self, personas, persona, status) -> None:
        response = personas.client_for(getattr(personas, persona)).get(self.url(personas))
        assert response.status_code == status

    def test_a_new_feed_shows_its_address_once(self, personas, channels, settings) -> None:
        settings.BASE_URL = "https://plan.muster.example"
        client = personas.client_for(personas.viewer)
        response = client.post(
            self.url(personas),
            {"name": "Karriere", "department": personas.hr.pk, "status": S.SCHEDULED},
            follow=True,
        )
        page = response.content.decode()
        feed = CalendarFeed.objects.get()
        assert feed.membership == personas.viewer
        assert feed.filters == {"department": [str(personas.hr.public_id)], "status": ["scheduled"]}
        start = page.index("https://plan.muster.example/plan-feed/")
        address = page[start : page.index('"', start)]
        token = address.removeprefix("https://plan.muster.example/plan-feed/").removesuffix(".ics")
        assert exports.feed_for_token(token) == feed
        assert "webcal://plan.muster.example/plan-feed/" in page
        assert "Personal · Scheduled" in page
        assert token not in client.get(self.url(personas)).content.decode()
        assert AuditEvent.objects.filter(verb="calendar_feed.created", object_id=str(feed.public_id)).exists()

    def test_a_feed_needs_a_name(self, personas) -> None:
        response = personas.client_for(personas.cm).post(self.url(personas), {"name": ""})
        assert response.status_code == 400
        assert not CalendarFeed.objects.exists()

    def test_a_channel_filter_offers_only_channels_the_person_sees(self, personas, channels) -> None:
        response = personas.client_for(personas.cm).post(self.url(personas), {"name": "x", "channel": 999999})
        assert response.status_code == 400

    def test_a_person_sees_only_their_own_feeds(self, personas) -> None:
        feed_for(personas.smm, name="Sabines Feed")
        page = personas.client_for(personas.cm).get(self.url(personas)).content.decode()
        assert "Sabines Feed" not in page

    def test_revoking_own_feed(self, personas, client) -> None:
        token = feed_for(personas.cm, name="Weg damit")
        feed = CalendarFeed.objects.get()
        response = personas.client_for(personas.cm).post(self.url(personas, feed.public_id), follow=True)
        assert "no longer works" in response.content.decode()
        feed.refresh_from_db()
        assert feed.revoked_at is not None
        assert fetch(client, token).status_code == 404
        assert AuditEvent.objects.filter(verb="calendar_feed.revoked").count() == 1

    @pytest.mark.parametrize("persona", ["smm", "admin", "viewer", "outsider"])
    def test_nobody_revokes_someone_elses_feed(self, personas, client, persona) -> None:
        token = feed_for(personas.cm)
        feed = CalendarFeed.objects.get()
        response = personas.client_for(getattr(personas, persona)).post(self.url(personas, feed.public_id))
        assert response.status_code == 404
        feed.refresh_from_db()
        assert feed.revoked_at is None
        assert fetch(client, token).status_code == 200

    def test_revoking_needs_a_post(self, personas) -> None:
        feed_for(personas.cm)
        feed = CalendarFeed.objects.get()
        response = personas.client_for(personas.cm).get(self.url(personas, feed.public_id))
        assert response.status_code == 405
