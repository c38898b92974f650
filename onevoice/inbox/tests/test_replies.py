"""Replies from OneVoice: checked, approved where required, sent once through the connector on the worker,
stored in the thread; refused ones keep their text; a second answer at the same time is held."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from onevoice.core.models import AuditEvent
from onevoice.inbox import services
from onevoice.inbox.models import Case, Message, Reply, ReplyApprovalRule
from onevoice.inbox.tests.casework import inbox_fixture  # noqa: F401
from onevoice.inbox.tests.factories import make_saved_reply, make_tag
from onevoice.networks.connectors.base import (
    AuthExpired,
    ConnectorError,
    PublishResult,
    RateLimited,
    Unconfirmed,
)
from onevoice.networks.models import Channel
from onevoice.organization.access import NotAllowed
from onevoice.planning.models import Notification
from onevoice.voice.models import VoiceRule

pytestmark = pytest.mark.django_db
R = Reply.State


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Submit a reply and let the worker (huey runs tasks at once in tests) send it after commit."""

    def submit(actor, case, text="Danke für Ihre Nachricht! Wir melden uns.", **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            reply = services.reply_submit(actor=actor, case=case, text=text, **kwargs)
        reply.refresh_from_db()
        return reply

    return submit


class TestSending:
    def test_a_reply_goes_out_once_and_appears_in_the_thread(self, personas, inbox, scripted, send):
        inbound = inbox.marketing.messages.get()
        reply = send(personas.cm, inbox.marketing)
        assert reply.state == R.SENT
        assert list(scripted.replies) == [reply.idempotency_key]
        answered, request = scripted.replies[reply.idempotency_key]
        assert answered == inbound.external_id
        assert request.text == "Danke für Ihre Nachricht! Wir melden uns."
        ours = Message.objects.get(case=inbox.marketing, direction=Message.Direction.OUTBOUND)
        assert (ours.text, ours.sent_by, ours.in_reply_to) == (reply.text, personas.cm, inbound.external_id)
        case = Case.objects.get(pk=inbox.marketing.pk)
        assert case.first_response_at == datetime(2026, 11, 27, 10, 5, tzinfo=UTC)  # the network's time
        assert (case.status, case.message_count) == (Case.Status.WAITING, 2)
        assert AuditEvent.objects.filter(verb="reply.sent").count() == 1

    def test_running_the_task_twice_calls_the_network_once(self, personas, inbox, scripted):
        reply = services.reply_submit(actor=personas.cm, case=inbox.marketing, text="Hallo!")
        assert services.reply_run(reply.pk) == R.SENT
        assert services.reply_run(reply.pk) == ""
        assert len(scripted.replies) == 1
        assert Message.objects.filter(direction=Message.Direction.OUTBOUND).count() == 1

    def test_a_saved_reply_is_remembered(self, personas, inbox, send):
        saved = make_saved_reply(personas.organization)
        reply = send(personas.cm, inbox.marketing, text="Hallo Karla, danke!", saved_reply=saved)
        assert reply.saved_reply == saved


class TestChecks:
    def test_an_empty_or_too_long_reply_or_an_unfilled_placeholder_is_refused(self, personas, inbox):
        with pytest.raises(ValidationError, match="Write the answer"):
            services.reply_submit(actor=personas.cm, case=inbox.marketing, text="  ")
        with pytest.raises(ValidationError, match="at most 300"):
            services.reply_submit(actor=personas.cm, case=inbox.marketing, text="x" * 301)
        with pytest.raises(ValidationError, match=r"\{order_number\}"):
            services.reply_submit(actor=personas.cm, case=inbox.marketing, text="Ihre Nummer {order_number}?")
        assert not Reply.objects.exists()

    def test_a_blocking_voice_rule_stops_the_reply_a_warning_does_not(self, personas, inbox, send):
        VoiceRule.objects.create(
            organization=personas.organization,
            name="Kein Du",
            kind="address",
            severity="block",
            params={"form": "sie"},
        )
        with pytest.raises(ValidationError, match="Kein Du"):
            services.reply_submit(
                actor=personas.cm, case=inbox.marketing, text="Hallo, kannst du uns schreiben?"
            )
        assert send(personas.cm, inbox.marketing, text="Können Sie uns bitte schreiben?").state == R.SENT

    def test_a_rule_of_another_department_does_not_apply(self, personas, inbox, send):
        VoiceRule.objects.create(
            organization=personas.organization,
            name="HR: kein Du",
            kind="address",
            severity="block",
            params={"form": "sie"},
            department=personas.hr,
        )
        assert send(personas.cm, inbox.marketing, text="Kannst du uns schreiben?").state == R.SENT

    def test_only_people_who_may_reply_here_can(self, personas, inbox):
        for member, case in (
            (personas.contributor, inbox.hr),
            (personas.cm, inbox.hr),
            (personas.viewer, inbox.marketing),
        ):
            with pytest.raises(NotAllowed):
                services.reply_submit(actor=member, case=case, text="Hallo")


class TestApproval:
    def test_a_channel_rule_makes_replies_wait_and_approval_sends_them(
        self, personas, inbox, scripted, send, django_capture_on_commit_callbacks
    ):
        ReplyApprovalRule.objects.create(organization=personas.organization, channel=inbox.marketing_channel)
        reply = send(personas.cm, inbox.marketing)
        assert reply.state == R.PENDING_APPROVAL
        assert scripted.replies == {}
        asked = set(
            Notification.objects.filter(kind=Notification.Kind.REPLY_APPROVAL_NEEDED).values_list(
                "recipient_id", flat=True
            )
        )
        assert asked == {personas.smm.pk, personas.admin.pk, personas.reviewer.pk}
        with pytest.raises(NotAllowed):
            services.reply_approve(actor=personas.cm, reply=reply)  # a CM does not approve
        with pytest.raises(NotAllowed):
            services.reply_approve(actor=personas.contributor, reply=reply)
        with django_capture_on_commit_callbacks(execute=True):
            services.reply_approve(actor=personas.reviewer, reply=reply)
        reply.refresh_from_db()
        assert reply.state == R.SENT
        assert reply.decided_by == personas.reviewer
        assert Notification.objects.filter(
            recipient=personas.cm, kind=Notification.Kind.REPLY_DECIDED
        ).exists()

    def test_nobody_approves_their_own_reply(self, personas, inbox, send):
        legal = make_tag(personas.organization, "Recht", replies_need_approval=True)
        inbox.marketing.tags.add(legal)
        reply = send(personas.smm, inbox.marketing)
        assert reply.state == R.PENDING_APPROVAL
        with pytest.raises(ValidationError, match="Someone else"):
            services.reply_approve(actor=personas.smm, reply=reply)

    def test_a_tag_for_legal_topics_and_a_person_rule_make_replies_wait(self, personas, inbox, send):
        legal = make_tag(personas.organization, "Recht", replies_need_approval=True)
        inbox.marketing.tags.add(legal)
        assert send(personas.cm, inbox.marketing).state == R.PENDING_APPROVAL
        ReplyApprovalRule.objects.create(organization=personas.organization, membership=personas.cm)
        assert send(personas.cm, inbox.central).state == R.PENDING_APPROVAL
        assert send(personas.smm, inbox.central).state == R.SENT

    def test_returning_with_a_note_keeps_the_text_for_the_author(self, personas, inbox, send):
        ReplyApprovalRule.objects.create(organization=personas.organization, membership=personas.cm)
        reply = send(personas.cm, inbox.marketing, text="Wir erstatten alles.")
        with pytest.raises(ValidationError):
            services.reply_return(actor=personas.smm, reply=reply, note=" ")
        services.reply_return(actor=personas.smm, reply=reply, note="Bitte ohne Zusage zur Erstattung.")
        reply.refresh_from_db()
        assert (reply.state, reply.text) == (R.REJECTED, "Wir erstatten alles.")
        told = Notification.objects.get(recipient=personas.cm, kind=Notification.Kind.REPLY_DECIDED)
        assert "ohne Zusage" in told.text
        services.reply_resubmit(actor=personas.cm, reply=reply, text="Wir prüfen Ihren Fall.")
        reply.refresh_from_db()
        assert (reply.state, reply.text, reply.decision_note) == (
            R.PENDING_APPROVAL,
            "Wir prüfen Ihren Fall.",
            "",
        )


class TestFailures:
    def test_a_refused_reply_keeps_its_text_shows_the_error_and_resends_under_the_same_key(
        self, personas, inbox, scripted, send, django_capture_on_commit_callbacks
    ):
        scripted.fail_reply = ConnectorError("Reply not allowed", permanent=True, status=400)
        reply = send(personas.cm, inbox.marketing, text="Meine Antwort")
        assert (reply.state, reply.text) == (R.FAILED, "Meine Antwort")
        assert "Reply not allowed" in reply.error
        assert Notification.objects.filter(
            recipient=personas.cm, kind=Notification.Kind.REPLY_FAILED
        ).exists()
        assert Case.objects.get(pk=inbox.marketing.pk).first_response_at is None  # the SLA clock still runs
        scripted.fail_reply = None
        with django_capture_on_commit_callbacks(execute=True):
            services.reply_resubmit(actor=personas.cm, reply=reply, text="Meine Antwort, korrigiert")
        reply.refresh_from_db()
        assert reply.state == R.SENT
        assert list(scripted.replies) == [reply.idempotency_key]

    def test_a_network_outage_mid_reply_fails_cleanly(self, personas, inbox, scripted, send):
        scripted.fail_reply = ConnectorError("connection reset by peer")
        reply = send(personas.cm, inbox.marketing)
        assert reply.state == R.FAILED
        assert "Try again" in reply.error
        assert not Message.objects.filter(direction=Message.Direction.OUTBOUND).exists()

    def test_an_unconfirmed_reply_found_on_the_network_counts_as_sent(self, personas, inbox, scripted, send):
        scripted.fail_reply = Unconfirmed("timeout after sending")
        scripted.found_after_unconfirmed = PublishResult(
            external_id="at://did:plc:muster/app.bsky.feed.post/found", url="https://bsky.app/x"
        )
        assert send(personas.cm, inbox.marketing).state == R.SENT
        assert Message.objects.get(direction=Message.Direction.OUTBOUND).external_id.endswith("/found")

    def test_an_unconfirmed_reply_not_found_fails_and_says_resending_is_safe(
        self, personas, inbox, scripted, send
    ):
        scripted.fail_reply = Unconfirmed("timeout after sending")
        reply = send(personas.cm, inbox.marketing)
        assert reply.state == R.FAILED
        assert "not be posted twice" in reply.error

    def test_expired_credentials_mark_the_channel_for_reconnecting(self, personas, inbox, scripted, send):
        scripted.fail_reply = AuthExpired()
        assert send(personas.cm, inbox.marketing).state == R.FAILED
        assert Channel.objects.get(pk=inbox.marketing_channel.pk).state == Channel.State.RECONNECT

    def test_a_rate_limit_waits_instead_of_failing(self, personas, inbox, scripted, send):
        scripted.fail_reply = RateLimited("slow down", retry_after=timezone.now() + timedelta(minutes=5))
        reply = send(personas.cm, inbox.marketing)
        assert reply.state == R.QUEUED

    def test_a_paused_channel_fails_with_what_to_do(self, personas, inbox, send):
        Channel.objects.filter(pk=inbox.marketing_channel.pk).update(state=Channel.State.PAUSED)
        inbox.marketing.channel.state = Channel.State.PAUSED
        reply = send(personas.cm, inbox.marketing)
        assert reply.state == R.FAILED
        assert "Reconnect or resume" in reply.error


class TestCollision:
    def test_two_cms_replying_at_once_the_second_is_held_until_confirmed(
        self, personas, inbox, scripted, send, django_capture_on_commit_callbacks
    ):
        opened = timezone.now() - timedelta(seconds=30)  # both opened the case half a minute ago
        first = send(personas.smm, inbox.marketing, text="Antwort von Sabine", opened_at=opened)
        second = send(personas.cm, inbox.marketing, text="Antwort von Chris", opened_at=opened)
        assert (first.state, second.state) == (R.SENT, R.HELD)
        assert len(scripted.replies) == 1
        with django_capture_on_commit_callbacks(execute=True):
            services.reply_confirm(actor=personas.cm, reply=second)
        second.refresh_from_db()
        assert second.state == R.SENT
        assert len(scripted.replies) == 2

    def test_a_reply_queued_or_waiting_for_approval_also_holds_the_next(self, personas, inbox, send):
        ReplyApprovalRule.objects.create(organization=personas.organization, membership=personas.cm)
        opened = timezone.now() - timedelta(seconds=5)
        assert send(personas.cm, inbox.central, opened_at=opened).state == R.PENDING_APPROVAL
        assert send(personas.smm, inbox.central, opened_at=opened).state == R.HELD

    def test_a_held_reply_can_be_discarded_and_my_own_earlier_reply_never_holds_mine(
        self, personas, inbox, send
    ):
        opened = timezone.now() - timedelta(seconds=5)
        send(personas.cm, inbox.marketing, text="Erste", opened_at=opened)
        assert send(personas.cm, inbox.marketing, text="Zweite", opened_at=opened).state == R.SENT
        held = send(personas.smm, inbox.marketing, text="Dritte", opened_at=opened)
        assert held.state == R.HELD
        services.reply_discard(actor=personas.smm, reply=held)
        held.refresh_from_db()
        assert held.state == R.DISCARDED

    def test_presence_shows_who_else_is_here_and_typing(self, personas, inbox):
        from onevoice.inbox.selectors import others_present

        services.presence_beat(actor=personas.smm, case=inbox.marketing, typing=True)
        services.presence_beat(actor=personas.cm, case=inbox.marketing)
        others = others_present(inbox.marketing, personas.cm)
        typing = [(p.membership, p.is_typing) for p in others]  # type: ignore[attr-defined]
        assert typing == [(personas.smm, True)]
        assert others_present(inbox.marketing, personas.cm, now=timezone.now() + timedelta(seconds=30)) == []
