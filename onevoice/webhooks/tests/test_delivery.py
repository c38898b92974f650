"""Delivering to a real HTTP receiver on 127.0.0.1: signatures, replay protection, retries with backoff,
the failing state and who is told, timeouts, the SSRF guard and idempotent delivery ids."""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from onevoice.core.models import AuditEvent
from onevoice.planning.models import Notification
from onevoice.webhooks import services, signing
from onevoice.webhooks.models import Delivery, Event, Target
from onevoice.webhooks.tests.conftest import Receiver

pytestmark = pytest.mark.django_db
D = Delivery.State


def verify_as_documented(secret: str, header: str, body: bytes, now: float) -> bool:
    """The receiver's check exactly as the README shows it (written independently of signing.py)."""
    items = [part.split("=", 1) for part in header.split(",")]
    timestamp = int(next(v for k, v in items if k == "t"))
    if abs(now - timestamp) > 300:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, v) for k, v in items if k == "v1")


def ping(personas: Any, target: Target, capture: Any) -> Delivery:
    with capture(execute=True):
        delivery = services.target_test(actor=personas.admin, target=target)
    delivery.refresh_from_db()
    return delivery


class TestSignature:
    def test_the_receiver_verifies_the_signature_and_refuses_a_replay(
        self, personas, webhook, receiver: Receiver, django_capture_on_commit_callbacks
    ) -> None:
        delivery = ping(personas, webhook, django_capture_on_commit_callbacks)
        assert delivery.state == D.DELIVERED
        (request,) = receiver.requests
        header = request.headers["onevoice-signature"]
        secret = webhook.secrets["secret"]
        assert verify_as_documented(secret, header, request.body, now=time.time())
        assert signing.verify(secret, header, request.body)
        # Replayed six minutes later, the same request is refused by its timestamp.
        sent_at = int(header.split(",")[0].removeprefix("t="))
        assert not verify_as_documented(secret, header, request.body, now=sent_at + 301)
        assert not signing.verify(secret, header, request.body, now=sent_at + 301)
        # A changed body or another secret does not verify.
        assert not verify_as_documented(secret, header, request.body + b" ", now=time.time())
        assert not signing.verify(signing.new_secret(), header, request.body)

    def test_the_payload_names_event_delivery_and_organisation(
        self, personas, webhook, receiver: Receiver, django_capture_on_commit_callbacks
    ) -> None:
        delivery = ping(personas, webhook, django_capture_on_commit_callbacks)
        (request,) = receiver.requests
        payload = request.json()
        assert payload["id"] == str(delivery.public_id) == request.headers["onevoice-delivery"]
        assert payload["event"] == "ping" == request.headers["onevoice-event"]
        assert payload["organization"] == {"slug": personas.organization.slug, "name": "Muster GmbH"}
        assert payload["occurred_at"].endswith("Z")
        assert request.headers["content-type"] == "application/json"
        assert webhook.secrets["secret"] not in request.body.decode()

    def test_after_rotation_the_old_secret_still_verifies_for_a_day(
        self, personas, webhook, receiver: Receiver, django_capture_on_commit_callbacks
    ) -> None:
        old = webhook.secrets["secret"]
        new = services.webhook_rotate_secret(actor=personas.admin, target=webhook)
        webhook.refresh_from_db()
        assert new != old
        assert webhook.secrets["secret"] == new
        ping(personas, webhook, django_capture_on_commit_callbacks)
        request = receiver.requests[-1]
        header = request.headers["onevoice-signature"]
        assert signing.verify(new, header, request.body)
        assert signing.verify(old, header, request.body)
        assert AuditEvent.objects.filter(verb="webhook.secret_rotated").exists()
        assert old not in str(AuditEvent.objects.filter(verb="webhook.secret_rotated").get().after)

    def test_the_secret_is_encrypted_at_rest(self, webhook) -> None:
        stored = Target.objects.filter(pk=webhook.pk).values_list("secrets_encrypted", flat=True).get()
        assert webhook.secrets["secret"].startswith("whsec_")
        assert webhook.secrets["secret"] not in stored


class TestRetries:
    def test_a_failing_receiver_is_retried_with_backoff_then_marked_failing_and_the_admin_told(
        self, personas, webhook, receiver: Receiver, django_capture_on_commit_callbacks
    ) -> None:
        receiver.status = 500
        delivery = ping(personas, webhook, django_capture_on_commit_callbacks)
        assert delivery.state == D.PENDING
        assert delivery.tries == 1
        waits = []
        moment = delivery.next_attempt_at
        assert moment is not None
        waits.append(moment - delivery.attempts.get().started_at)
        for _ in range(5):
            assert moment is not None
            # Not yet due a second early: nothing is sent.
            assert services.delivery_send(delivery.pk, now=moment - timedelta(seconds=1)) == D.PENDING
            with django_capture_on_commit_callbacks(execute=True):
                state = services.delivery_send(delivery.pk, now=moment)
            delivery.refresh_from_db()
            if state == D.PENDING:
                assert delivery.next_attempt_at is not None
                waits.append(delivery.next_attempt_at - moment)
                moment = delivery.next_attempt_at
        assert waits == [
            timedelta(minutes=1),
            timedelta(minutes=5),
            timedelta(minutes=30),
            timedelta(hours=2),
            timedelta(hours=6),
        ]
        assert delivery.state == D.FAILED
        assert delivery.tries == 6
        assert len(receiver.requests) == 6
        # The same delivery id and the same body on every try: the receiver can drop repeats.
        assert {r.headers["onevoice-delivery"] for r in receiver.requests} == {str(delivery.public_id)}
        assert len({r.body for r in receiver.requests}) == 1
        webhook.refresh_from_db()
        assert webhook.is_failing
        assert webhook.consecutive_failures == 6
        told = Notification.objects.filter(kind=services.FAILING_KIND)
        assert [n.recipient for n in told] == [personas.admin]  # webhooks are the administrator's
        assert "Ticketsystem" in told.get().text
        (message,) = mail.outbox
        assert message.to == [personas.admin.user.email]
        # Mailed like every notification kind (by default, each admin may switch it off), with the link.
        assert "Ticketsystem" in message.body
        assert f"/o/{personas.organization.slug}/webhooks/" in message.body
        assert AuditEvent.objects.filter(verb="webhook.failing").count() == 1

    def test_the_next_success_clears_the_failing_state(
        self, personas, webhook, receiver: Receiver, django_capture_on_commit_callbacks
    ) -> None:
        Target.objects.filter(pk=webhook.pk).update(failing_since=timezone.now(), consecutive_failures=6)
        ping(personas, webhook, django_capture_on_commit_callbacks)
        webhook.refresh_from_db()
        assert not webhook.is_failing
        assert webhook.consecutive_failures == 0
        assert webhook.last_success_at
        assert AuditEvent.objects.filter(verb="webhook.recovered").exists()

    def test_a_receiver_that_does_not_answer_in_time_is_retried(
        self, personas, webhook, receiver: Receiver, settings, django_capture_on_commit_callbacks
    ) -> None:
        settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
        receiver.hang = True
        delivery = ping(personas, webhook, django_capture_on_commit_callbacks)
        assert delivery.state == D.PENDING
        assert delivery.tries == 1
        attempt = delivery.attempts.get()
        assert "timeout" in attempt.error
        assert attempt.status_code is None
        assert not attempt.ok

    def test_a_rate_limited_answer_waits_as_long_as_asked(
        self, personas, webhook, receiver: Receiver, django_capture_on_commit_callbacks
    ) -> None:
        receiver.status = 429
        delivery = ping(personas, webhook, django_capture_on_commit_callbacks)
        assert delivery.state == D.PENDING
        assert delivery.last_status_code == 429

    def test_a_second_worker_does_not_send_twice(self, personas, webhook, receiver: Receiver) -> None:
        delivery = services.target_test(actor=personas.admin, target=webhook)  # not committed: not sent yet
        now = timezone.now()
        assert services.delivery_send(delivery.pk, now=now) == D.DELIVERED
        assert services.delivery_send(delivery.pk, now=now) == D.DELIVERED
        assert len(receiver.requests) == 1

    def test_redelivery_sends_the_same_delivery_id_again(
        self, personas, webhook, receiver: Receiver, django_capture_on_commit_callbacks
    ) -> None:
        delivery = ping(personas, webhook, django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            services.delivery_redeliver(actor=personas.admin, delivery=delivery)
        delivery.refresh_from_db()
        assert delivery.state == D.DELIVERED
        assert delivery.attempts.count() == 2
        assert [r.headers["onevoice-delivery"] for r in receiver.requests] == [str(delivery.public_id)] * 2
        assert AuditEvent.objects.filter(verb="webhook.redelivered").exists()

    def test_a_switched_off_webhook_gets_no_events_but_its_test_event(
        self, personas, webhook, receiver: Receiver, django_capture_on_commit_callbacks
    ) -> None:
        services.target_set_active(actor=personas.admin, target=webhook, active=False)
        from onevoice.webhooks import events

        assert events.subscribed(personas.organization.pk) == frozenset()
        delivery = ping(personas, webhook, django_capture_on_commit_callbacks)
        assert delivery.state == D.DELIVERED

    def test_the_sweeper_sends_what_has_no_live_task_and_frees_dead_claims(
        self, personas, webhook, receiver: Receiver
    ) -> None:
        lost = services.target_test(actor=personas.admin, target=webhook)
        stuck = services.target_test(actor=personas.admin, target=webhook)
        Delivery.objects.filter(pk=stuck.pk).update(
            state=D.SENDING, claimed_at=timezone.now() - timedelta(minutes=10)
        )
        report = services.deliveries_sweep()
        assert report.released == 1
        assert report.sent == 2
        assert set(Delivery.objects.values_list("state", flat=True)) == {D.DELIVERED}
        assert {r.headers["onevoice-delivery"] for r in receiver.requests} == {
            str(lost.public_id),
            str(stuck.public_id),
        }


class TestAddresses:
    @pytest.mark.parametrize(
        "url",
        [
            "http://10.0.0.5/hook",
            "https://192.168.1.10/hook",
            "https://169.254.169.254/latest/meta-data/",
            "https://[::1]/hook",
            "https://localhost/hook",
            "ftp://example.org/hook",
        ],
    )
    def test_internal_addresses_are_refused_when_saving(self, personas, url) -> None:
        with pytest.raises(ValidationError) as error:
            services.webhook_create(
                actor=personas.admin,
                data=services.TargetInput(name="Intern", events=[Event.POST_PUBLISHED], url=url),
            )
        assert "url" in error.value.error_dict
        assert not Target.objects.exists()

    def test_plain_http_is_refused_for_hosts_not_allowed(self, personas, settings) -> None:
        settings.HTTP_ALLOWED_PRIVATE_HOSTS = []
        with pytest.raises(ValidationError, match="https"):
            services.webhook_create(
                actor=personas.admin,
                data=services.TargetInput(
                    name="X", events=[Event.POST_PUBLISHED], url="http://127.0.0.1:9/x"
                ),
            )

    def test_an_address_refused_at_delivery_time_fails_at_once(
        self, personas, webhook, settings, django_capture_on_commit_callbacks
    ) -> None:
        # Allowed when saved, no longer allowed when sent (the administrator narrowed the list).
        settings.HTTP_ALLOWED_PRIVATE_HOSTS = []
        delivery = ping(personas, webhook, django_capture_on_commit_callbacks)
        assert delivery.state == D.FAILED
        assert delivery.tries == 1
        assert "refused" in delivery.last_error

    def test_only_known_events_and_a_name_are_accepted(self, personas, receiver: Receiver) -> None:
        with pytest.raises(ValidationError) as error:
            services.webhook_create(
                actor=personas.admin,
                data=services.TargetInput(name=" ", events=["post.deleted"], url=receiver.url),
            )
        assert set(error.value.error_dict) == {"name", "events"}
