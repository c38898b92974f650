from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from onevoice.core.models import AuditEvent
from onevoice.networks.connectors.base import (
    AuthExpired,
    ConnectorError,
    PublishResult,
    RateLimited,
    Unconfirmed,
)
from onevoice.networks.models import Channel, ChannelPost
from onevoice.organization.access import NotAllowed
from onevoice.planning import services as plan
from onevoice.planning.models import ApprovalDecision, Notification, Post, PostVariant
from onevoice.publishing import services
from onevoice.publishing.models import Publication, PublishAttempt
from onevoice.publishing.tests.conftest import later, make_due

pytestmark = pytest.mark.django_db
P = Publication.State


def run(publication: Publication) -> str:
    publication.refresh_from_db()
    return services.publication_run(publication.pk, publication.schedule_version)


class TestScheduling:
    def test_an_approved_post_gets_one_queued_publication_per_channel_at_its_time(
        self, schedule, bluesky, newsroom
    ) -> None:
        post = schedule([bluesky, newsroom])
        publications = Publication.objects.filter(variant__post=post)
        assert publications.count() == 2
        assert {p.state for p in publications} == {P.QUEUED}
        assert {p.due_at for p in publications} == {post.publish_at}

    def test_a_post_that_is_not_yet_due_is_not_published(self, schedule, bluesky, scripted) -> None:
        post = schedule([bluesky])
        (publication,) = Publication.objects.filter(variant__post=post)
        assert run(publication) == P.QUEUED
        assert scripted.publish_calls == 0

    def test_rescheduling_leaves_the_old_task_without_effect(
        self, personas, schedule, bluesky, scripted
    ) -> None:
        post = schedule([bluesky])
        (publication,) = make_due(post)
        old_version = publication.schedule_version
        new_time = later(days=5)
        post.refresh_from_db()
        plan.post_reschedule(actor=personas.cm, post=post, publish_at=new_time, expected_version=post.version)
        # The organisation wants a new approval after a move: the SMM approves the new time.
        post.refresh_from_db()
        plan.post_decide(actor=personas.smm, post=post, verdict=ApprovalDecision.Verdict.APPROVED)
        publication.refresh_from_db()
        assert publication.state == P.QUEUED
        assert publication.due_at == new_time
        assert publication.schedule_version > old_version
        assert services.publication_run(publication.pk, old_version) == P.QUEUED
        assert scripted.publish_calls == 0

    def test_withdrawing_cancels_what_was_waiting(self, personas, schedule, bluesky, scripted) -> None:
        post = schedule([bluesky])
        (publication,) = make_due(post)
        version = publication.schedule_version
        plan.post_withdraw(actor=personas.cm, post=post)
        publication.refresh_from_db()
        assert publication.state == P.CANCELLED
        assert services.publication_run(publication.pk, version) == P.CANCELLED
        assert scripted.publish_calls == 0

    def test_an_edit_that_sends_it_back_to_review_cancels_it(self, personas, schedule, bluesky) -> None:
        post = schedule([bluesky])
        variant = post.variants.get()
        plan.variant_update(
            actor=personas.cm,
            variant=variant,
            expected_version=post.version,
            text="Neu",
            link="",
            language="de",
        )
        assert Publication.objects.get(variant=variant).state == P.CANCELLED
        post.refresh_from_db()
        assert post.status == Post.Status.IN_REVIEW

    def test_editing_a_failed_post_keeps_what_waits_for_a_person(
        self, personas, schedule, bluesky, scripted
    ) -> None:
        scripted.fail_publish = ConnectorError("Text too long", permanent=True)
        post = schedule([bluesky])
        (publication,) = make_due(post)
        run(publication)
        post.refresh_from_db()
        assert post.status == Post.Status.FAILED
        variant = post.variants.get()
        plan.variant_update(
            actor=personas.cm,
            variant=variant,
            expected_version=post.version,
            text="Kürzer",
            link="",
            language="de",
        )
        publication.refresh_from_db()
        assert publication.state == P.FAILED  # still there to retry, with the shorter text


class TestPublishing:
    def test_a_due_post_is_published_once_on_every_channel(
        self, schedule, bluesky, newsroom, scripted
    ) -> None:
        post = schedule([bluesky, newsroom])
        publications = make_due(post)
        assert [run(p) for p in publications] == [P.PUBLISHED, P.PUBLISHED]
        # A second task for the same version (a re-sent task, a second worker) does nothing.
        assert [run(p) for p in publications] == [P.PUBLISHED, P.PUBLISHED]
        assert scripted.publish_calls == 1
        post.refresh_from_db()
        assert post.status == Post.Status.PUBLISHED
        variant = post.variants.get(channel=bluesky)
        assert variant.state == PostVariant.State.PUBLISHED
        assert variant.url.startswith("https://bsky.app/")
        assert AuditEvent.objects.filter(verb="publication.published").count() == 2
        # The newsroom's feed and the channel page list what went out.
        assert ChannelPost.objects.filter(channel=newsroom, state=ChannelPost.State.PUBLISHED).count() == 1
        attempts = PublishAttempt.objects.filter(publication__variant__post=post)
        assert {a.outcome for a in attempts} == {PublishAttempt.Outcome.PUBLISHED}
        assert all(a.worker for a in attempts)

    def test_the_network_sees_the_same_key_on_every_try(self, schedule, bluesky, scripted) -> None:
        scripted.fail_publish = ConnectorError("502 Bad Gateway")
        scripted.fail_publish_times = 1
        post = schedule([bluesky])
        (publication,) = make_due(post)
        assert run(publication) == P.QUEUED  # backing off
        publication.refresh_from_db()
        assert publication.tries == 1
        assert publication.next_attempt_at > timezone.now() + timedelta(seconds=10)
        Publication.objects.filter(pk=publication.pk).update(next_attempt_at=timezone.now())
        assert run(publication) == P.PUBLISHED
        assert list(scripted.published) == [publication.idempotency_key]

    def test_temporary_errors_give_up_after_a_few_tries_and_tell_people(
        self, personas, schedule, bluesky, scripted
    ) -> None:
        scripted.fail_publish = ConnectorError("503 Service Unavailable")
        post = schedule([bluesky])
        (publication,) = make_due(post)
        for _ in range(services.MAX_TRIES):
            Publication.objects.filter(pk=publication.pk).update(next_attempt_at=timezone.now())
            state = run(publication)
        assert state == P.FAILED
        post.refresh_from_db()
        assert post.status == Post.Status.FAILED
        assert Notification.objects.filter(recipient=personas.cm, kind="post_failed").exists()
        assert Notification.objects.filter(recipient=personas.smm, kind="post_failed").exists()

    def test_a_refusal_stops_at_once(self, schedule, bluesky, scripted) -> None:
        scripted.fail_publish = ConnectorError("Text too long", permanent=True)
        post = schedule([bluesky])
        (publication,) = make_due(post)
        assert run(publication) == P.FAILED
        assert scripted.publish_calls == 1
        publication.refresh_from_db()
        assert publication.error_kind == "refused"

    def test_a_login_error_marks_the_channel_for_reconnect(self, schedule, bluesky, scripted) -> None:
        scripted.fail_publish = AuthExpired()
        post = schedule([bluesky])
        (publication,) = make_due(post)
        assert run(publication) == P.FAILED
        bluesky.refresh_from_db()
        assert bluesky.state == Channel.State.RECONNECT

    def test_a_rate_limit_waits_without_spending_a_try(self, schedule, bluesky, scripted) -> None:
        until = timezone.now() + timedelta(minutes=5)
        scripted.fail_publish = RateLimited("429", retry_after=until)
        post = schedule(
            [
                bluesky,
            ]
        )
        (publication,) = make_due(post)
        assert run(publication) == P.RATE_LIMITED
        publication.refresh_from_db()
        assert publication.tries == 0
        assert publication.retry_after == until
        # Every worker respects the channel's wait, for this post and any other.
        other = schedule([bluesky], title="Zweiter")
        (second,) = make_due(other)
        assert run(second) == P.RATE_LIMITED
        assert scripted.publish_calls == 1

    def test_an_unknown_outcome_is_looked_up_and_found(self, schedule, bluesky, scripted) -> None:
        scripted.fail_publish = Unconfirmed("timeout after sending")
        scripted.found_after_unconfirmed = PublishResult(
            external_id="at://did:plc:muster/app.bsky.feed.post/x", url="https://bsky.app/x"
        )
        post = schedule([bluesky])
        (publication,) = make_due(post)
        assert run(publication) == P.PUBLISHED
        assert scripted.publish_calls == 1
        outcomes = set(PublishAttempt.objects.values_list("outcome", flat=True))
        assert outcomes == {"unconfirmed", "found"}

    def test_an_unknown_outcome_not_on_the_network_goes_out_again_under_the_same_key(
        self, schedule, bluesky, scripted
    ) -> None:
        scripted.fail_publish = Unconfirmed("timeout after sending")
        scripted.fail_publish_times = 1
        post = schedule([bluesky])
        (publication,) = make_due(post)
        assert run(publication) == P.QUEUED
        assert run(publication) == P.PUBLISHED
        assert scripted.publish_calls == 2
        assert list(scripted.published) == [publication.idempotency_key]

    def test_a_lookup_that_fails_stays_unconfirmed_and_is_tried_by_the_sweeper(
        self, personas, schedule, bluesky, scripted
    ) -> None:
        scripted.fail_publish = Unconfirmed("timeout after sending")
        post = schedule([bluesky])
        (publication,) = make_due(post)
        looked_up = scripted.find_published

        def unreachable(*args, **kwargs):
            raise ConnectorError("connection refused")

        scripted.find_published = unreachable
        try:
            assert run(publication) == P.UNCONFIRMED
        finally:
            scripted.find_published = looked_up
        assert Notification.objects.filter(recipient=personas.cm, kind="publish_unconfirmed").exists()
        scripted.found_after_unconfirmed = PublishResult(external_id="at://x", url="https://bsky.app/x")
        report = services.publications_sweep(now=timezone.now() + timedelta(minutes=2))
        assert report.reconciled == 1
        publication.refresh_from_db()
        assert publication.state == P.PUBLISHED


class TestLateWindowAndRecovery:
    def test_too_late_waits_for_a_person_instead_of_going_out(
        self, personas, schedule, bluesky, scripted, django_capture_on_commit_callbacks
    ) -> None:
        post = schedule([bluesky])
        (publication,) = make_due(post, minutes_ago=90)  # the default late window is 60 minutes
        assert run(publication) == P.NEEDS_PERSON
        assert scripted.publish_calls == 0
        post.refresh_from_db()
        assert post.status == Post.Status.FAILED
        assert Notification.objects.filter(recipient=personas.cm, kind="publish_waiting").exists()
        # The CM decides: publish it anyway, now.
        with django_capture_on_commit_callbacks(execute=True):
            services.publication_retry(actor=personas.cm, publication=publication)
        publication.refresh_from_db()
        assert publication.state == P.PUBLISHED
        post.refresh_from_db()
        assert post.status == Post.Status.PUBLISHED

    def test_a_claim_left_running_by_a_dead_worker_is_settled_by_looking(
        self, schedule, bluesky, scripted, django_capture_on_commit_callbacks
    ) -> None:
        post = schedule([bluesky])
        (publication,) = make_due(post)
        long_ago = timezone.now() - timedelta(minutes=10)
        Publication.objects.filter(pk=publication.pk).update(
            state=P.RUNNING, claimed_at=long_ago, claimed_by="elsewhere:1"
        )
        scripted.found_after_unconfirmed = None  # the dead worker never reached the network
        with django_capture_on_commit_callbacks(execute=True):
            report = services.publications_sweep()
        assert report.interrupted == 1
        publication.refresh_from_db()
        assert publication.state == P.PUBLISHED  # looked up, not there, sent again under the same key
        assert scripted.publish_calls == 1

    def test_the_sweeper_sends_what_has_no_live_task(self, schedule, bluesky, scripted) -> None:
        post = schedule([bluesky])
        make_due(post, minutes_ago=1)
        report = services.publications_sweep()
        assert report.enqueued == 1  # tasks run inline in tests
        post.refresh_from_db()
        assert post.status == Post.Status.PUBLISHED


class TestPause:
    def test_pause_all_holds_everything_and_resume_sorts_by_the_late_window(
        self, personas, schedule, bluesky, scripted, django_capture_on_commit_callbacks
    ) -> None:
        services.publishing_pause(actor=personas.smm, reason="Krisenfall")
        assert AuditEvent.objects.filter(verb="publishing.paused").exists()
        recent = schedule([bluesky], title="Aktuell")
        old = schedule([bluesky], title="Veraltet")
        (fresh,) = make_due(recent, minutes_ago=5)
        (stale,) = make_due(old, minutes_ago=120)
        assert run(fresh) == P.QUEUED
        assert services.publications_sweep().enqueued == 0
        assert scripted.publish_calls == 0
        with django_capture_on_commit_callbacks(execute=True):
            result = services.publishing_resume(actor=personas.smm)
        assert (result.sent, result.waiting) == (1, 1)
        fresh.refresh_from_db()
        stale.refresh_from_db()
        assert fresh.state == P.PUBLISHED
        assert stale.state == P.NEEDS_PERSON

    def test_only_smm_and_admin_may_pause(self, personas) -> None:
        for member in (personas.cm, personas.contributor, personas.viewer, personas.reviewer):
            with pytest.raises(NotAllowed):
                services.publishing_pause(actor=member, reason="x")
        services.publishing_pause(actor=personas.admin, reason="x")
        with pytest.raises(ValidationError):
            services.publishing_pause(actor=personas.smm, reason="x")

    def test_a_paused_channel_holds_its_posts_and_resuming_it_sends_them(
        self, personas, schedule, bluesky, scripted, django_capture_on_commit_callbacks
    ) -> None:
        from onevoice.networks import services as channel_services

        channel_services.channel_set_paused(actor=personas.smm, channel=bluesky, paused=True)
        post = schedule([bluesky])
        (publication,) = make_due(post, minutes_ago=2)
        assert run(publication) == P.QUEUED
        with django_capture_on_commit_callbacks(execute=True):
            channel_services.channel_set_paused(actor=personas.smm, channel=bluesky, paused=False)
        publication.refresh_from_db()
        assert publication.state == P.PUBLISHED


class TestPeopleAct:
    def test_a_cm_without_publish_access_cannot_retry(self, personas, schedule, bluesky, scripted) -> None:
        scripted.fail_publish = ConnectorError("nope", permanent=True)
        post = schedule([bluesky])
        (publication,) = make_due(post)
        run(publication)
        publication.refresh_from_db()
        with pytest.raises(NotAllowed):
            services.publication_retry(actor=personas.contributor, publication=publication)
        with pytest.raises(NotAllowed):
            services.publication_retry(actor=personas.outsider, publication=publication)

    def test_bulk_redrive_and_cancel_are_for_the_smm(
        self, personas, schedule, bluesky, scripted, django_capture_on_commit_callbacks
    ) -> None:
        scripted.fail_publish = ConnectorError("nope", permanent=True)
        posts = [schedule([bluesky], title=f"Post {i}") for i in range(3)]
        publications = [make_due(p)[0] for p in posts]
        for publication in publications:
            run(publication)
        with pytest.raises(NotAllowed):
            services.publications_redrive(actor=personas.cm, publications=publications)
        scripted.fail_publish = None
        with django_capture_on_commit_callbacks(execute=True):
            result = services.publications_redrive(actor=personas.smm, publications=publications[:2])
        assert (result.done, result.skipped) == (2, 0)
        result = services.publications_cancel(actor=personas.smm, publications=publications)
        assert (result.done, result.skipped) == (1, 2)  # two went out meanwhile
        assert [p.status for p in Post.objects.order_by("id")] == [
            Post.Status.PUBLISHED,
            Post.Status.PUBLISHED,
            Post.Status.APPROVED,
        ]


class TestTime:
    @pytest.mark.parametrize(
        ("wall", "utc"),
        [
            (datetime(2027, 3, 28, 3, 30), datetime(2027, 3, 28, 1, 30, tzinfo=UTC)),  # after spring-forward
            (
                datetime(2027, 10, 31, 2, 30),
                datetime(2027, 10, 31, 0, 30, tzinfo=UTC),
            ),  # first 02:30 of autumn
            (datetime(2027, 10, 31, 3, 30), datetime(2027, 10, 31, 2, 30, tzinfo=UTC)),
        ],
    )
    def test_a_publication_is_due_at_the_utc_moment_of_the_berlin_wall_clock(
        self, schedule, bluesky, wall, utc
    ) -> None:
        from zoneinfo import ZoneInfo

        post = schedule([bluesky], at=wall.replace(tzinfo=ZoneInfo("Europe/Berlin")))
        assert Publication.objects.get(variant__post=post).due_at == utc
