from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from onevoice.networks import services as channel_services
from onevoice.networks.models import Channel
from onevoice.planning import services
from onevoice.planning.models import Campaign, Post, Topic
from onevoice.voice import similarity
from onevoice.voice.similarity import Reason, SimilarPost, similar_posts

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")

AUSBILDUNG_HR = (
    "Ausbildungsstart 2027 bei Muster",
    "Am 1. September beginnen 24 junge Menschen ihre Ausbildung bei der Muster GmbH. Wir freuen uns auf "
    "die neuen Auszubildenden und wünschen allen einen guten Start!",
)
AUSBILDUNG_MARKETING = (
    "Unsere neuen Azubis starten 2027",
    "Ab September starten 24 Auszubildende bei Muster in ihre Ausbildung. Herzlich willkommen an Bord, "
    "liebe Azubis!",
)
UNRELATED = [
    (
        "Kaffeevollautomat X200 im Handel",
        "Ab sofort ist unser Kaffeevollautomat X200 erhältlich: leiser, sparsamer, leichter zu reinigen.",
    ),
    (
        "Quartalszahlen Q3",
        "Im dritten Quartal ist der Umsatz um acht Prozent gestiegen. Die Prognose für das Jahr bleibt.",
    ),
    (
        "Tag der offenen Tür im Werk Bielefeld",
        "Am Samstag zeigen wir unser Werk in Bielefeld: Führungen, Kinderprogramm und Bratwurst vom Grill.",
    ),
]


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    similarity.clear_cache()
    yield
    similarity.clear_cache()


@pytest.fixture
def channels(personas) -> list[Channel]:
    return [
        channel_services.channel_create_newsroom(
            actor=personas.smm, name="Newsroom Marketing", department=personas.marketing
        ),
        channel_services.channel_create_newsroom(
            actor=personas.smm, name="Newsroom Karriere", department=personas.hr
        ),
    ]


def monday_in(weeks: int) -> datetime:
    """10:00 Berlin time on the Monday `weeks` weeks ahead (always in the future)."""
    today = date.today()
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)
    return datetime(monday.year, monday.month, monday.day, 10, 0, tzinfo=BERLIN)


def plan(personas, channels, story, when, department=None, **extra) -> Post:
    department = department or personas.marketing
    channel = channels[0] if department == personas.marketing else channels[1]
    title, text = story
    return services.post_create(
        actor=personas.smm,
        title=title,
        department=department,
        channels=[channel],
        base_text=text,
        publish_at=when,
        **extra,
    )


def titles(found: list[SimilarPost]) -> list[str]:
    return [s.post.title for s in found]


@pytest.fixture
def week(personas, channels) -> dict[str, Post]:
    """HR's training start on Tuesday; Marketing's unrelated posts the same week."""
    monday = monday_in(2)
    posts = {"hr": plan(personas, channels, AUSBILDUNG_HR, monday + timedelta(days=1), personas.hr)}
    for k, story in enumerate(UNRELATED):
        posts[story[0]] = plan(personas, channels, story, monday + timedelta(days=k, hours=k))
    return posts


class TestSimilarPosts:
    def test_it_finds_the_same_story_told_by_another_department(self, personas, channels, week) -> None:
        mine = plan(personas, channels, AUSBILDUNG_MARKETING, monday_in(2) + timedelta(days=3))
        found = similar_posts(mine)
        assert titles(found) == [AUSBILDUNG_HR[0]]
        assert found[0].reasons == (Reason.SIMILAR_TEXT,)
        assert found[0].post.department == personas.hr
        assert 0.3 <= found[0].score <= 1
        # and the other way round
        assert titles(similar_posts(week["hr"])) == [AUSBILDUNG_MARKETING[0]]

    def test_unrelated_posts_of_other_departments_are_not_shown(self, personas, channels, week) -> None:
        assert similar_posts(week["hr"]) == []
        mine = plan(personas, channels, UNRELATED[0], monday_in(2) + timedelta(days=2), personas.hr)
        assert AUSBILDUNG_HR[0] not in titles(similar_posts(mine))

    def test_it_leaves_out_the_posts_own_department(self, personas, channels, week) -> None:
        mine = plan(personas, channels, AUSBILDUNG_MARKETING, monday_in(2) + timedelta(days=3), personas.hr)
        assert similar_posts(mine) == []

    def test_it_looks_only_around_the_posts_time(self, personas, channels, week) -> None:
        later = plan(personas, channels, AUSBILDUNG_MARKETING, monday_in(2) + timedelta(days=9))
        assert titles(similar_posts(later)) == []
        assert titles(similar_posts(later, window_days=10)) == [AUSBILDUNG_HR[0]]

    def test_it_never_shows_another_organisations_posts(self, personas, channels) -> None:
        outsider = personas.outsider
        their_department = outsider.organization.departments.get()
        their_channel = channel_services.channel_create_newsroom(
            actor=outsider, name="Newsroom", department=their_department
        )
        when = monday_in(2) + timedelta(days=1)
        services.post_create(
            actor=outsider,
            title=AUSBILDUNG_HR[0],
            department=their_department,
            channels=[their_channel],
            base_text=AUSBILDUNG_HR[1],
            publish_at=when,
        )
        mine = plan(personas, channels, AUSBILDUNG_HR, when)
        assert similar_posts(mine) == []

    def test_withdrawn_posts_are_not_shown(self, personas, channels, week) -> None:
        mine = plan(personas, channels, AUSBILDUNG_MARKETING, monday_in(2) + timedelta(days=3))
        assert titles(similar_posts(mine)) == [AUSBILDUNG_HR[0]]
        services.post_withdraw(actor=personas.smm, post=week["hr"], reason="doppelt")
        assert similar_posts(mine) == []

    def test_the_same_topic_in_the_same_week_is_shown_whatever_the_text(self, personas, channels) -> None:
        topic = Topic.objects.create(organization=personas.organization, name="Karriere")
        monday = monday_in(3)
        theirs = plan(personas, channels, UNRELATED[1], monday, personas.hr, topic=topic)
        next_week = plan(
            personas, channels, UNRELATED[2], monday + timedelta(days=7), personas.hr, topic=topic
        )
        mine = plan(personas, channels, UNRELATED[0], monday + timedelta(days=4), topic=topic)
        found = similar_posts(mine)
        assert [s.post for s in found] == [theirs]
        assert found[0].reasons == (Reason.SAME_TOPIC,)
        assert next_week not in [s.post for s in found]  # within 7 days, but another week and another story

    def test_a_shared_campaign_and_topic_raise_the_score(self, personas, channels, week) -> None:
        campaign = Campaign.objects.create(
            organization=personas.organization,
            name="Azubi-Kampagne",
            starts_on=monday_in(0).date(),
            ends_on=monday_in(6).date(),
        )
        topic = Topic.objects.create(organization=personas.organization, name="Ausbildung")
        mine = plan(personas, channels, AUSBILDUNG_MARKETING, monday_in(2) + timedelta(days=3))
        plain = similar_posts(mine)[0]
        Post.objects.filter(pk__in=[mine.pk, week["hr"].pk]).update(campaign=campaign, topic=topic)
        mine.refresh_from_db()
        both = similar_posts(mine)[0]
        assert both.post == plain.post
        assert both.reasons == (Reason.SAME_TOPIC, Reason.SIMILAR_TEXT, Reason.SAME_CAMPAIGN)
        assert plain.score < both.score <= 1
        assert both.very_similar
        assert both.score_label == "very similar"

    def test_an_idea_without_a_time_is_compared_with_the_next_two_weeks(self, personas, channels) -> None:
        plan(personas, channels, AUSBILDUNG_HR, timezone.now() + timedelta(days=5), personas.hr)
        idea = plan(personas, channels, AUSBILDUNG_MARKETING, None)
        assert titles(similar_posts(idea)) == [AUSBILDUNG_HR[0]]
        a_month_earlier = timezone.now() - timedelta(days=30)  # then HR's post is too far off
        assert similar_posts(idea, now=a_month_earlier) == []

    def test_it_compares_the_text_being_typed(self, personas, channels, week) -> None:
        mine = plan(personas, channels, ("Neuigkeiten", "Noch offen."), monday_in(2) + timedelta(days=3))
        assert similar_posts(mine) == []
        typed = "Im September starten unsere neuen Azubis ihre Ausbildung bei Muster. Willkommen!"
        assert titles(similar_posts(mine, text=typed)) == [AUSBILDUNG_HR[0]]

    def test_an_unsaved_post_can_be_compared(self, personas, channels, week) -> None:
        title, text = AUSBILDUNG_MARKETING
        unsaved = Post(
            organization=personas.organization,
            department=personas.marketing,
            title=title,
            base_text=text,
            publish_at=monday_in(2) + timedelta(days=3),
        )
        assert titles(similar_posts(unsaved)) == [AUSBILDUNG_HR[0]]

    def test_an_edit_is_seen_at_once(self, personas, channels, week) -> None:
        mine = plan(personas, channels, AUSBILDUNG_MARKETING, monday_in(2) + timedelta(days=3))
        assert titles(similar_posts(mine)) == [AUSBILDUNG_HR[0]]  # fitted and cached
        hr = week["hr"]
        services.post_update(
            actor=personas.smm,
            post=hr,
            expected_version=hr.version,
            title="Betriebsausflug",
            department=hr.department,
            base_text="Unser Betriebsausflug führt dieses Jahr an den Edersee: Wandern, Picknick, Bootsfahrt.",
            notes="",
            campaign=None,
            topic=None,
            publish_at=hr.publish_at,
            window_end=None,
            channels=[channels[1]],
        )
        hr = services.variants_copy_base(actor=personas.smm, post=hr, expected_version=hr.version)
        assert similar_posts(mine) == []
        variant = hr.variants.get()
        services.variant_update(
            actor=personas.smm,
            variant=variant,
            expected_version=hr.version,
            text="Ausbildung 2027: 24 Azubis starten im September bei Muster.",
            link="",
            language="de",
        )
        assert titles(similar_posts(mine)) == ["Betriebsausflug"]

    def test_many_edits_lead_to_a_new_fit(self, personas, channels, week, monkeypatch) -> None:
        monkeypatch.setattr(similarity, "REFIT_AFTER_MIN", 1)
        mine = plan(personas, channels, AUSBILDUNG_MARKETING, monday_in(2) + timedelta(days=3))
        similar_posts(mine)
        first = similarity._cached(personas.organization.public_id)
        Post.objects.filter(organization=personas.organization).update(updated_at=timezone.now())
        mine.refresh_from_db()
        assert titles(similar_posts(mine)) == [AUSBILDUNG_HR[0]]  # re-read one by one, then refitted
        similar_posts(mine)
        assert similarity._cached(personas.organization.public_id) is not first

    def test_vectors_stay_right_when_the_blocks_are_merged(
        self, personas, channels, week, monkeypatch
    ) -> None:
        monkeypatch.setattr(similarity, "MAX_BLOCKS", 1)
        mine = plan(personas, channels, AUSBILDUNG_MARKETING, monday_in(2) + timedelta(days=3))
        before = similar_posts(mine)
        for k in range(3):  # each new post is read in a block of its own, then the blocks are merged
            plan(personas, channels, UNRELATED[k], monday_in(2) + timedelta(days=4, hours=k), personas.hr)
            assert similar_posts(mine) == before
        model = similarity._cached(personas.organization.public_id)
        assert len(model.blocks) == 1
        assert len(model.index) == 8
        assert similar_posts(mine) == before

    def test_the_number_of_queries_does_not_grow_with_the_plan(self, personas, channels, week) -> None:
        mine = plan(personas, channels, AUSBILDUNG_MARKETING, monday_in(2) + timedelta(days=3))
        mine = Post.objects.select_related("organization").get(pk=mine.pk)
        similar_posts(mine)  # fit
        with CaptureQueriesContext(connection) as few:
            assert len(similar_posts(mine)) == 1
        for k in range(12):
            story = (f"{AUSBILDUNG_HR[0]} ({k})", AUSBILDUNG_HR[1])
            plan(personas, channels, story, monday_in(2) + timedelta(days=2, hours=k), personas.hr)
        similar_posts(mine)  # the new posts are read once
        with CaptureQueriesContext(connection) as many:
            assert len(similar_posts(mine, limit=20)) == 13
        assert len(few) == len(many) == 2


class TestTemplate:
    def test_it_lists_the_posts_with_their_department_score_and_reasons(
        self, personas, channels, week
    ) -> None:
        week["hr"].title = '<script>alert("x")</script> Azubis'
        week["hr"].save(update_fields=["title"])
        mine = plan(personas, channels, AUSBILDUNG_MARKETING, monday_in(2) + timedelta(days=3))
        found = similar_posts(mine)
        html = render_to_string(
            "voice/includes/similar_posts.html", {"similar": found, "organization": personas.organization}
        )
        assert "Similar posts from other departments" in html
        assert "<script>" not in html
        assert "&lt;script&gt;" in html
        assert f"/o/{personas.organization.slug}/plan/posts/{week['hr'].public_id}/" in html
        assert "Personal" in html
        assert found[0].score_label in html
        assert 'data-reason="similar_text"' in html
        assert "similar text" in html

    def test_it_shows_nothing_without_similar_posts(self, personas) -> None:
        html = render_to_string(
            "voice/includes/similar_posts.html", {"similar": [], "organization": personas.organization}
        )
        assert html.strip() == ""
