"""The calendar page and its events endpoint: who sees what, the events' content, filters, colours, time
zones (with both DST changes of Europe/Berlin) and a query count that does not grow with the plan."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from onevoice.accounts.models import User
from onevoice.networks.models import Access, ChannelPermission
from onevoice.organization.access import may_edit_post, visible_channels
from onevoice.planning import selectors, services
from onevoice.planning.models import Campaign, Post, Topic
from onevoice.planning.tests.conftest import BERLIN, later

pytestmark = pytest.mark.django_db
ROLES = ["admin", "smm", "cm", "contributor", "reviewer", "viewer"]


def url(name: str, personas, *args: object) -> str:
    return reverse(f"planning:{name}", args=[personas.organization.slug, *args])


def period(first: date, days: int) -> dict[str, str]:
    return {
        "start": f"{first.isoformat()}T00:00:00",
        "end": f"{(first + timedelta(days=days)).isoformat()}T00:00:00",
    }


def month_around(moment: datetime) -> dict[str, str]:
    """What FullCalendar's month view asks for: six weeks starting on a Monday."""
    first = moment.astimezone(BERLIN).date().replace(day=1)
    return period(first - timedelta(days=first.weekday()), 42)


def events(client, personas, query: Mapping[str, object]) -> list[dict]:
    response = client.get(url("calendar-events", personas), query)
    assert response.status_code == 200, response.content
    return response.json()


def at(post: Post, moment: datetime) -> Post:
    """Put a post at any time, also in the past (the services refuse that, rightly)."""
    Post.objects.filter(pk=post.pk).update(publish_at=moment)
    post.refresh_from_db()
    return post


def plan(personas, channels, n: int, when: datetime) -> None:
    for i in range(n):
        services.post_create(
            actor=personas.smm,
            title=f"Beitrag {i}",
            department=personas.marketing if i % 2 else personas.hr,
            channels=channels,
            base_text="x",
            publish_at=when + timedelta(hours=i % 9),
        )


class TestCalendarPage:
    @pytest.mark.parametrize("role", ROLES)
    def test_everyone_who_sees_the_plan_gets_the_calendar(self, personas, draft, role) -> None:
        client = personas.client_for(getattr(personas, role))
        assert client.get(url("calendar", personas)).status_code == 200
        assert client.get(url("calendar-events", personas), month_around(draft.publish_at)).status_code == 200

    def test_the_outsider_gets_404_and_a_stranger_the_login(self, personas, draft) -> None:
        outsider = personas.client_for(personas.outsider)
        assert outsider.get(url("calendar", personas)).status_code == 404
        assert (
            outsider.get(url("calendar-events", personas), month_around(draft.publish_at)).status_code == 404
        )
        from django.test import Client

        assert Client().get(url("calendar", personas)).status_code == 302

    def test_planners_get_draggable_ideas_and_viewers_only_read(self, personas, channels) -> None:
        idea = services.post_create(
            actor=personas.cm,
            title="Messe-Teaser",
            department=personas.marketing,
            channels=channels[:1],
            status=Post.Status.IDEA,
        )
        gone = services.post_create(
            actor=personas.cm, title="Verworfen", department=personas.marketing, channels=channels[:1]
        )
        Post.objects.filter(pk=gone.pk).update(status=Post.Status.WITHDRAWN)
        page = personas.client_for(personas.cm).get(url("calendar", personas)).content.decode()
        assert f'data-post="{idea.public_id}"' in page
        assert "ov-idea-draggable" in page
        assert "Verworfen" not in page
        assert 'data-can-plan="1"' in page
        viewer = personas.client_for(personas.viewer).get(url("calendar", personas)).content.decode()
        assert "Messe-Teaser" in viewer
        assert "ov-idea-draggable" not in viewer
        assert 'data-can-plan="0"' in viewer
        assert reverse("planning:post-new", args=[personas.organization.slug]) not in viewer

    def test_without_javascript_the_page_points_to_the_list(self, personas) -> None:
        page = personas.client_for(personas.viewer).get(url("calendar", personas)).content.decode()
        noscript = page[page.index("<noscript>") : page.index("</noscript>")]
        assert url("calendar-list", personas) in noscript

    def test_the_colour_key_follows_the_choice(self, personas, channels) -> None:
        Campaign.objects.create(
            organization=personas.organization,
            name="Frühjahr",
            starts_on=date(2030, 3, 1),
            ends_on=date(2030, 4, 1),
            color="#ffd43b",
        )
        client = personas.client_for(personas.cm)
        by_department = client.get(url("calendar", personas)).content.decode()
        assert selectors.department_colour(personas.hr.pk) in by_department
        by_campaign = client.get(url("calendar", personas), {"colour": "campaign"}).content.decode()
        assert "#ffd43b" in by_campaign
        assert "Frühjahr" in by_campaign


class TestEvents:
    def test_an_event_carries_what_the_calendar_shows(self, personas, draft) -> None:
        [event] = events(personas.client_for(personas.cm), personas, month_around(draft.publish_at))
        assert event["id"] == str(draft.public_id)
        assert event["title"] == "Produktlaunch"
        assert event["start"] == draft.publish_at.astimezone(BERLIN).strftime("%Y-%m-%dT%H:%M:%S")
        assert event["url"] == reverse("planning:post", args=[personas.organization.slug, draft.public_id])
        assert event["color"] == selectors.department_colour(personas.marketing.pk)
        assert event["editable"] is True
        # Flat: FullCalendar moves every non-standard property into `extendedProps` itself.
        props = event
        assert props["status"] == "Draft"
        assert props["statusCode"] == "draft"
        assert props["department"] == "Marketing"
        assert props["channels"] == [{"name": "Newsroom Marketing", "network": "newsroom"}]
        assert props["version"] == draft.version
        assert props["mayEdit"] is True

    def test_status_labels_follow_the_language(self, personas, draft) -> None:
        client = personas.client_for(personas.viewer, language="de")
        [event] = events(client, personas, month_around(draft.publish_at))
        assert event["status"] == "Entwurf"

    @pytest.mark.parametrize("role", ROLES)
    def test_the_editable_flag_is_the_edit_rule_itself(self, personas, channels, role) -> None:
        when = later(days=4)
        services.post_create(
            actor=personas.cm,
            title="CM",
            department=personas.marketing,
            channels=channels[:1],
            publish_at=when,
        )
        services.post_create(
            actor=personas.smm, title="SMM HR", department=personas.hr, channels=channels[1:], publish_at=when
        )
        services.post_create(
            actor=personas.contributor,
            title="Eigener",
            department=personas.hr,
            channels=channels[1:],
            publish_at=when,
        )
        done = services.post_create(
            actor=personas.smm,
            title="Fertig",
            department=personas.marketing,
            channels=channels,
            publish_at=when,
        )
        Post.objects.filter(pk=done.pk).update(status=Post.Status.PUBLISHED)
        member = getattr(personas, role)
        shown = {
            e["title"]: e["editable"]
            for e in events(personas.client_for(member), personas, month_around(when))
        }
        expected = {p.title: may_edit_post(member, p) and p.is_editable for p in Post.objects.all()}
        assert shown == expected
        assert shown["Fertig"] is False

    def test_a_period_is_from_its_first_local_midnight_to_the_next(self, personas, draft) -> None:
        day = date(2030, 6, 12)
        inside = at(draft, datetime(2030, 6, 11, 22, 0, tzinfo=UTC))  # 00:00 in Berlin (CEST)
        client = personas.client_for(personas.viewer)
        assert [e["id"] for e in events(client, personas, period(day, 1))] == [str(inside.public_id)]
        at(draft, datetime(2030, 6, 12, 22, 0, tzinfo=UTC))  # 00:00 on the next day
        assert events(client, personas, period(day, 1)) == []

    @pytest.mark.parametrize(
        "query",
        [
            {},
            {"start": "2030-01-01T00:00:00"},
            {"start": "gestern", "end": "morgen"},
            {"start": "2030-02-01T00:00:00", "end": "2030-01-01T00:00:00"},
            {"start": "2030-01-01T00:00:00", "end": "2030-06-01T00:00:00"},  # more than 100 days
        ],
    )
    def test_a_bad_period_is_refused_with_a_message(self, personas, query) -> None:
        response = personas.client_for(personas.viewer).get(url("calendar-events", personas), query)
        assert response.status_code == 400
        assert "at most 100 days" in response.json()["error"]

    def test_filters_by_department_channel_campaign_topic_status_and_person(self, personas, channels) -> None:
        when = later(days=5)
        campaign = Campaign.objects.create(
            organization=personas.organization,
            name="Messe",
            starts_on=when.date(),
            ends_on=when.date() + timedelta(days=9),
        )
        topic = Topic.objects.create(organization=personas.organization, name="Karriere")
        services.post_create(
            actor=personas.smm,
            title="HR",
            department=personas.hr,
            channels=channels,
            topic=topic,
            publish_at=when,
        )
        services.post_create(
            actor=personas.cm,
            title="Marketing",
            department=personas.marketing,
            channels=channels[:1],
            campaign=campaign,
            publish_at=when,
        )
        client = personas.client_for(personas.viewer)

        def titles(**filters: object) -> list[str]:
            return sorted(e["title"] for e in events(client, personas, month_around(when) | filters))

        assert titles() == ["HR", "Marketing"]
        assert titles(department=personas.hr.public_id) == ["HR"]
        assert titles(channel=channels[1].public_id) == ["HR"]
        assert titles(campaign=campaign.public_id) == ["Marketing"]
        assert titles(topic=topic.public_id) == ["HR"]
        assert titles(status="draft") == ["HR", "Marketing"]
        assert titles(status="scheduled") == []
        assert titles(owner=personas.cm.public_id) == ["Marketing"]
        assert titles(department="keine-id", status="unbekannt") == ["HR", "Marketing"]  # ignored, not a 500

    def test_a_channel_filter_keeps_the_posts_other_channels(self, personas, channels) -> None:
        when = later(days=5)
        services.post_create(
            actor=personas.smm, title="Beide", department=personas.hr, channels=channels, publish_at=when
        )
        client = personas.client_for(personas.smm)
        [event] = events(client, personas, month_around(when) | {"channel": channels[0].public_id})
        assert [c["name"] for c in event["channels"]] == [
            "Newsroom Karriere",
            "Newsroom Marketing",
        ]

    def test_a_channel_closed_to_the_person_is_not_shown(self, personas, channels) -> None:
        when = later(days=5)
        services.post_create(
            actor=personas.smm, title="Beide", department=personas.hr, channels=channels, publish_at=when
        )
        ChannelPermission.objects.create(channel=channels[1], membership=personas.viewer, access=Access.NONE)
        [event] = events(personas.client_for(personas.viewer), personas, month_around(when))
        assert [c["name"] for c in event["channels"]] == ["Newsroom Marketing"]

    @pytest.mark.parametrize("role", ROLES)
    def test_the_light_channel_list_follows_the_access_rule(self, personas, channels, role) -> None:
        member = getattr(personas, role)
        ChannelPermission.objects.create(channel=channels[0], membership=member, access=Access.NONE)
        ChannelPermission.objects.create(channel=channels[1], membership=member, access=Access.READ)
        expected = {str(c.pk): {"name": c.name, "network": c.network} for c, _ in visible_channels(member)}
        assert selectors.readable_channel_labels(member) == expected

    def test_colour_by_campaign_or_topic_with_readable_text(self, personas, channels) -> None:
        when = later(days=5)
        campaign = Campaign.objects.create(
            organization=personas.organization,
            name="Sommer",
            starts_on=when.date(),
            ends_on=when.date() + timedelta(days=9),
            color="#ffd43b",  # light: needs dark text
        )
        topic = Topic.objects.create(organization=personas.organization, name="Produkt", color="#1c3d5a")
        services.post_create(
            actor=personas.smm,
            title="Mit",
            department=personas.hr,
            channels=channels,
            campaign=campaign,
            topic=topic,
            publish_at=when,
        )
        services.post_create(
            actor=personas.smm, title="Ohne", department=personas.hr, channels=channels, publish_at=when
        )
        client = personas.client_for(personas.viewer)

        def colours(colour: str) -> dict[str, tuple[str, str]]:
            found = events(client, personas, month_around(when) | {"colour": colour})
            return {e["title"]: (e["color"], e["textColor"]) for e in found}

        assert colours("campaign") == {
            "Mit": ("#ffd43b", "#212529"),
            "Ohne": (selectors.NO_COLOUR, "#ffffff"),
        }
        assert colours("topic")["Mit"] == ("#1c3d5a", "#ffffff")
        hr = selectors.department_colour(personas.hr.pk)
        assert (
            colours("department") == colours("nonsense") == {"Mit": (hr, "#ffffff"), "Ohne": (hr, "#ffffff")}
        )

    def test_department_colours_are_stable_and_readable(self) -> None:
        assert selectors.department_colour(3) == selectors.department_colour(3 + len(selectors.PALETTE))
        assert {selectors.text_colour_on(c) for c in selectors.PALETTE} == {"#ffffff"}

    def test_a_person_with_their_own_time_zone_sees_their_wall_clock(self, personas, draft) -> None:
        at(draft, datetime(2030, 6, 12, 8, 0, tzinfo=UTC))
        User.objects.filter(pk=personas.viewer.user_id).update(time_zone="America/New_York")
        [event] = events(personas.client_for(personas.viewer), personas, period(date(2030, 6, 12), 1))
        assert event["start"] == "2030-06-12T04:00:00"
        [event] = events(personas.client_for(personas.cm), personas, period(date(2030, 6, 12), 1))
        assert event["start"] == "2030-06-12T10:00:00"

    def test_the_organisations_zone_applies_whichever_organisation_was_used_last(
        self, personas, draft
    ) -> None:
        """The middleware picks the zone of the last organisation; the calendar uses the plan's own."""
        at(draft, datetime(2030, 1, 15, 9, 0, tzinfo=UTC))
        personas.organization.time_zone = "Europe/Lisbon"
        personas.organization.save(update_fields=["time_zone"])
        [event] = events(personas.client_for(personas.cm), personas, period(date(2030, 1, 15), 1))
        assert event["start"] == "2030-01-15T09:00:00"

    def test_the_query_count_does_not_grow_with_the_plan(
        self, personas, channels, django_assert_max_num_queries
    ) -> None:
        when = later(days=5)
        client = personas.client_for(personas.cm)
        month = month_around(when)
        events(client, personas, month)  # a first request settles the session
        plan(personas, channels, 5, when)
        with django_assert_max_num_queries(12) as five:
            assert len(events(client, personas, month)) == 5
        plan(personas, channels, 45, when)
        with django_assert_max_num_queries(len(five.captured_queries)) as fifty:
            assert len(events(client, personas, month)) == 50
        assert len(fifty.captured_queries) == len(five.captured_queries)
        for colour in ("campaign", "topic"):  # one more query: the campaigns' or topics' colours
            with django_assert_max_num_queries(len(five.captured_queries) + 1):
                events(client, personas, month | {"colour": colour, "channel": channels[0].public_id})


class TestDaylightSaving:
    """Europe/Berlin: clocks go back on 2026-10-25 (03:00 → 02:00) and forward on 2027-03-28 (02:00 → 03:00)."""

    def test_the_autumn_day_shows_both_half_past_two_and_its_last_hour(self, personas, channels) -> None:
        posts = {
            "02:30 Sommerzeit": datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
            "02:30 Winterzeit": datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
            "10:00": datetime(2026, 10, 25, 9, 0, tzinfo=UTC),
            "23:30": datetime(2026, 10, 25, 22, 30, tzinfo=UTC),
            "nächster Tag 00:30": datetime(2026, 10, 25, 23, 30, tzinfo=UTC),
            "Vortag 23:30": datetime(2026, 10, 24, 21, 30, tzinfo=UTC),
        }
        for title, moment in posts.items():
            post = services.post_create(
                actor=personas.smm, title=title, department=personas.hr, channels=channels[:1]
            )
            at(post, moment)
        shown = events(personas.client_for(personas.viewer), personas, period(date(2026, 10, 25), 1))
        assert [(e["title"], e["start"]) for e in shown] == [
            ("02:30 Sommerzeit", "2026-10-25T02:30:00"),
            ("02:30 Winterzeit", "2026-10-25T02:30:00"),
            ("10:00", "2026-10-25T10:00:00"),
            ("23:30", "2026-10-25T23:30:00"),
        ]

    def test_a_weekly_post_stays_at_ten_across_the_autumn_change(self, personas, channels) -> None:
        for day in (24, 31):
            services.post_create(
                actor=personas.smm,
                title=f"Wochentipp {day}",
                department=personas.hr,
                channels=channels[:1],
                publish_at=datetime(2027, 10, day, 10, 0, tzinfo=BERLIN),
            )
        shown = events(personas.client_for(personas.viewer), personas, period(date(2027, 10, 18), 21))
        assert [e["start"] for e in shown] == ["2027-10-24T10:00:00", "2027-10-31T10:00:00"]
        utc = Post.objects.order_by("publish_at").values_list("publish_at", flat=True)
        assert [m.astimezone(UTC).hour for m in utc if m] == [8, 9]  # CEST, then CET

    def test_the_spring_forward_day_has_23_hours_and_shows_them(self, personas, channels) -> None:
        for hour in (1, 3, 23):
            services.post_create(
                actor=personas.smm,
                title=f"{hour:02d}:00",
                department=personas.hr,
                channels=channels[:1],
                publish_at=datetime(2027, 3, 28, hour, 0, tzinfo=BERLIN),
            )
        shown = events(personas.client_for(personas.viewer), personas, period(date(2027, 3, 28), 1))
        assert [e["start"][11:16] for e in shown] == ["01:00", "03:00", "23:00"]
        assert ZoneInfo("Europe/Berlin").utcoffset(datetime(2027, 3, 28, 3, 0)) == timedelta(hours=2)


class TestWallClock:
    @pytest.mark.parametrize(
        "zone", ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "UTC"]
    )
    def test_the_shortcut_agrees_with_the_exact_way_across_both_changes(self, zone: str) -> None:
        clock = selectors.WallClock(ZoneInfo(zone))
        exact = selectors.WallClock(ZoneInfo(zone)).exact
        # Berlin, New York (2026-11-01, 2027-03-14), Lord Howe (half an hour, 2027-04-04) change in these days.
        for first in (
            datetime(2026, 10, 23),
            datetime(2026, 10, 30),
            datetime(2027, 3, 12),
            datetime(2027, 3, 26),
            datetime(2027, 4, 2),
        ):
            for minutes in range(0, 4 * 24 * 60, 17):
                moment = first + timedelta(minutes=minutes, seconds=minutes % 60)
                for stored in (moment.isoformat(sep=" "), moment.isoformat(sep=" ") + "+00"):
                    assert clock(stored) == exact(stored), stored

    def test_it_reads_microseconds_and_drops_them(self) -> None:
        clock = selectors.WallClock(BERLIN)
        assert clock("2027-03-01 07:13:05.123456") == "2027-03-01T08:13:05"
        assert clock("2027-03-01 07:13:05.123456+00") == "2027-03-01T08:13:05"
