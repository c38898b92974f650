from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from onevoice.core.models import AuditEvent
from onevoice.networks import crypto, services
from onevoice.networks.connectors.base import (
    AuthExpired,
    ConnectorError,
    PublishResult,
    RateLimited,
    Unconfirmed,
)
from onevoice.networks.models import Access, Channel, ChannelPost
from onevoice.organization.access import NotAllowed, channel_access_level

pytestmark = pytest.mark.django_db


def connect(personas, department=None, **overrides) -> Channel:
    data = {
        "name": "Bluesky Muster",
        "department": department,
        "identifier": "muster.test",
        "app_password": "abcd-efgh-ijkl-mnop",
        "service": "https://bsky.social",
    } | overrides
    return services.channel_connect_bluesky(actor=personas.smm, **data)


class TestConnect:
    def test_it_checks_the_login_and_stores_the_credentials_encrypted(self, personas, scripted) -> None:
        channel = connect(personas)
        assert channel.state == Channel.State.CONNECTED
        assert channel.handle == "muster.test"
        assert channel.display_name == "Muster GmbH"
        assert "abcd-efgh" not in channel.credentials_encrypted
        assert channel.credentials["app_password"] == "abcd-efgh-ijkl-mnop"
        event = AuditEvent.objects.get(verb="channel.connected")
        assert "abcd" not in str(event.after)

    def test_rotated_session_tokens_are_what_is_kept(self, personas, scripted) -> None:
        scripted.rotate_to = {"identifier": "muster.test", "app_password": "x", "access_jwt": "jwt-1"}
        channel = connect(personas)
        assert channel.credentials["access_jwt"] == "jwt-1"

    def test_a_wrong_app_password_is_refused_with_a_message_and_nothing_saved(
        self, personas, scripted
    ) -> None:
        scripted.fail_verify = AuthExpired("Invalid identifier or password")
        with pytest.raises(ValidationError, match="no longer accepts the login"):
            connect(personas)
        assert not Channel.objects.exists()

    def test_an_unreachable_server_is_refused_and_nothing_saved(self, personas, scripted) -> None:
        scripted.fail_verify = ConnectorError("connection refused")
        with pytest.raises(ValidationError, match="could not be reached"):
            connect(personas)
        assert not Channel.objects.exists()

    def test_an_internal_server_address_is_refused_by_the_guard(self, personas) -> None:
        with pytest.raises(ValidationError, match="may not connect to this Bluesky server"):
            connect(personas, service="http://10.0.0.7")
        assert not Channel.objects.exists()

    def test_a_cm_cannot_connect_channels(self, personas, scripted) -> None:
        with pytest.raises(NotAllowed):
            services.channel_connect_bluesky(
                actor=personas.cm,
                name="x",
                department=None,
                identifier="a",
                app_password="b",
                service="https://x",
            )

    def test_a_department_of_another_organisation_is_refused(self, personas, scripted) -> None:
        foreign = personas.outsider.organization.departments.first()
        with pytest.raises(NotAllowed):
            connect(personas, department=foreign)


class TestVerify:
    def test_a_revoked_login_marks_the_channel_reconnect_and_mails_the_managers(
        self, personas, scripted, django_capture_on_commit_callbacks
    ) -> None:
        channel = connect(personas)
        scripted.fail_verify = AuthExpired("Token has been revoked")
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
            services.channel_verify(actor=None, channel=channel)
        channel.refresh_from_db()
        assert channel.state == Channel.State.RECONNECT
        recipients = sorted(m.to[0] for m in mail.outbox)
        assert recipients == ["admin@muster.example", "smm@muster.example"]
        assert channel.credentials  # nothing is lost

    def test_a_successful_check_clears_the_reconnect_state(self, personas, scripted) -> None:
        channel = connect(personas)
        Channel.objects.filter(pk=channel.pk).update(state=Channel.State.RECONNECT, state_reason="x")
        channel.refresh_from_db()
        services.channel_verify(actor=personas.admin, channel=channel)
        assert channel.state == Channel.State.CONNECTED

    def test_reconnect_replaces_the_password_and_refuses_another_account(self, personas, scripted) -> None:
        channel = connect(personas)
        services.channel_reconnect(actor=personas.smm, channel=channel, credentials={"app_password": "neu"})
        assert channel.credentials["app_password"] == "neu"
        channel.external_account_id = "did:plc:jemand-anderes"
        with pytest.raises(ValidationError, match="another account"):
            services.channel_reconnect(actor=personas.smm, channel=channel, credentials={"app_password": "x"})


class TestAccessLevels:
    def test_roles_give_sensible_defaults(self, personas, scripted) -> None:
        marketing_channel = connect(personas, department=personas.marketing)
        hr_channel = connect(personas, department=personas.hr, name="HR")
        assert channel_access_level(personas.admin, hr_channel) == Access.PUBLISH
        assert channel_access_level(personas.cm, marketing_channel) == Access.PUBLISH
        assert channel_access_level(personas.cm, hr_channel) == Access.READ
        assert channel_access_level(personas.contributor, hr_channel) == Access.DRAFT
        assert channel_access_level(personas.viewer, hr_channel) == Access.READ
        assert channel_access_level(personas.outsider, hr_channel) == Access.NONE

    def test_an_explicit_level_wins_and_is_audited(self, personas, scripted) -> None:
        channel = connect(personas, department=personas.marketing)
        services.channel_set_access(
            actor=personas.smm, channel=channel, membership=personas.cm, access=Access.NONE
        )
        assert channel_access_level(personas.cm, channel) == Access.NONE
        services.channel_set_access(actor=personas.smm, channel=channel, membership=personas.cm, access="")
        assert channel_access_level(personas.cm, channel) == Access.PUBLISH
        assert AuditEvent.objects.filter(verb="channel.access_changed").count() == 2


class TestPublishNow:
    def test_it_publishes_and_keeps_the_link(self, personas, scripted) -> None:
        channel = connect(personas, department=personas.marketing)
        post = services.post_publish_now(
            actor=personas.cm, channel=channel, text="Hallo #Bluesky", language="de"
        )
        assert post.state == ChannelPost.State.PUBLISHED
        assert post.url.startswith("https://bsky.app/")
        assert scripted.published[post.idempotency_key].language == "de"

    def test_text_over_the_limit_is_refused_before_sending(self, personas, scripted) -> None:
        channel = connect(personas)
        with pytest.raises(ValidationError, match="at most 300"):
            services.post_publish_now(actor=personas.smm, channel=channel, text="ä" * 301)
        assert not ChannelPost.objects.exists()
        assert scripted.published == {}

    def test_an_image_without_alt_text_is_refused_when_the_channel_requires_it(
        self, personas, scripted
    ) -> None:
        channel = connect(personas)
        image = services.ImageUpload(b"\x89PNG...", "image/png", "", "bild.png")
        with pytest.raises(ValidationError, match="no alt text"):
            services.post_publish_now(actor=personas.smm, channel=channel, text="Bild", images=[image])

    def test_a_cm_of_another_department_may_not_publish(self, personas, scripted) -> None:
        channel = connect(personas, department=personas.hr)
        with pytest.raises(NotAllowed):
            services.post_publish_now(actor=personas.cm, channel=channel, text="Hallo")

    def test_a_paused_channel_publishes_nothing(self, personas, scripted) -> None:
        channel = connect(personas)
        services.channel_set_paused(actor=personas.smm, channel=channel, paused=True)
        with pytest.raises(ValidationError, match="Paused"):
            services.post_publish_now(actor=personas.smm, channel=channel, text="Hallo")

    def test_a_rate_limit_says_until_when_and_the_retry_uses_the_same_key(self, personas, scripted) -> None:
        channel = connect(personas)
        until = datetime.now(UTC) + timedelta(minutes=5)
        scripted.fail_publish = RateLimited("slow down", retry_after=until)
        post = services.post_publish_now(actor=personas.smm, channel=channel, text="Hallo")
        assert post.state == ChannelPost.State.RATE_LIMITED
        assert "rate limited until" in post.error
        assert post.retry_after == until
        scripted.fail_publish = None
        post = services.post_retry(actor=personas.smm, post=post)
        assert post.state == ChannelPost.State.PUBLISHED
        assert list(scripted.published) == [post.idempotency_key]

    def test_a_passing_server_error_is_retried_with_the_same_key(
        self, personas, scripted, monkeypatch
    ) -> None:
        monkeypatch.setattr(services, "TRANSIENT_RETRY_DELAYS", (0, 0))
        channel = connect(personas)
        scripted.fail_publish = ConnectorError("HTTP 502", permanent=False)
        scripted.fail_publish_times = 2
        post = services.post_publish_now(actor=personas.smm, channel=channel, text="Hallo")
        assert post.state == ChannelPost.State.PUBLISHED
        assert scripted.publish_calls == 3
        assert list(scripted.published) == [post.idempotency_key]

    def test_a_permanent_error_is_not_retried(self, personas, scripted, monkeypatch) -> None:
        monkeypatch.setattr(services, "TRANSIENT_RETRY_DELAYS", (0, 0))
        channel = connect(personas)
        scripted.fail_publish = ConnectorError("Invalid record", permanent=True)
        post = services.post_publish_now(actor=personas.smm, channel=channel, text="Hallo")
        assert post.state == ChannelPost.State.FAILED
        assert scripted.publish_calls == 1

    def test_a_server_error_fails_with_a_message_and_keeps_the_text(
        self, personas, scripted, monkeypatch
    ) -> None:
        monkeypatch.setattr(services, "TRANSIENT_RETRY_DELAYS", (0, 0))
        channel = connect(personas)
        scripted.fail_publish = ConnectorError("HTTP 502", permanent=False)
        post = services.post_publish_now(actor=personas.smm, channel=channel, text="Mein wichtiger Text")
        assert post.state == ChannelPost.State.FAILED
        assert "Try again" in post.error
        assert ChannelPost.objects.get(pk=post.pk).text == "Mein wichtiger Text"

    def test_an_unconfirmed_outcome_is_settled_by_looking_the_post_up(self, personas, scripted) -> None:
        channel = connect(personas)
        scripted.fail_publish = Unconfirmed("read timeout")
        scripted.found_after_unconfirmed = PublishResult(
            "at://x/app.bsky.feed.post/abc", "https://bsky.app/x"
        )
        post = services.post_publish_now(actor=personas.smm, channel=channel, text="Hallo")
        assert post.state == ChannelPost.State.PUBLISHED
        assert post.external_id == "at://x/app.bsky.feed.post/abc"

    def test_an_unconfirmed_outcome_that_cannot_be_found_stays_unconfirmed(self, personas, scripted) -> None:
        channel = connect(personas)
        scripted.fail_publish = Unconfirmed("read timeout")
        post = services.post_publish_now(actor=personas.smm, channel=channel, text="Hallo")
        assert post.state == ChannelPost.State.UNCONFIRMED

    def test_an_expired_login_during_publishing_marks_reconnect(self, personas, scripted) -> None:
        channel = connect(personas)
        scripted.fail_publish = AuthExpired()
        post = services.post_publish_now(actor=personas.smm, channel=channel, text="Hallo")
        assert post.state == ChannelPost.State.FAILED
        channel.refresh_from_db()
        assert channel.state == Channel.State.RECONNECT

    def test_delete_removes_it_on_the_network(self, personas, scripted) -> None:
        channel = connect(personas)
        post = services.post_publish_now(actor=personas.smm, channel=channel, text="Hallo")
        services.post_delete(actor=personas.smm, post=post)
        assert scripted.deleted == [post.external_id]
        assert post.state == ChannelPost.State.DELETED

    def test_a_failed_delete_leaves_the_post_published(self, personas, scripted) -> None:
        channel = connect(personas)
        post = services.post_publish_now(actor=personas.smm, channel=channel, text="Hallo")
        scripted.fail_delete = ConnectorError("HTTP 503")
        with pytest.raises(ValidationError):
            services.post_delete(actor=personas.smm, post=post)
        post.refresh_from_db()
        assert post.state == ChannelPost.State.PUBLISHED


class TestCrypto:
    def test_credentials_survive_key_rotation(self, settings) -> None:
        from cryptography.fernet import Fernet

        old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
        settings.ENCRYPTION_KEYS = [old]
        token = crypto.encrypt({"app_password": "geheim"})
        settings.ENCRYPTION_KEYS = [new, old]
        rotated = crypto.rotate(token)
        settings.ENCRYPTION_KEYS = [new]
        assert crypto.decrypt(rotated) == {"app_password": "geheim"}
        with pytest.raises(crypto.CredentialsUnreadable):
            crypto.decrypt(token)


class TestPeriodicCheck:
    def test_an_expired_login_is_found_by_the_periodic_check(
        self, personas, scripted, django_capture_on_commit_callbacks
    ) -> None:
        from onevoice.networks.tasks import verify_channels

        working = connect(personas)
        paused = connect(personas, name="Pausiert")
        services.channel_set_paused(actor=personas.smm, channel=paused, paused=True)
        scripted.fail_verify = AuthExpired("Token has been revoked")
        with django_capture_on_commit_callbacks(execute=True):
            verify_channels.call_local()
        working.refresh_from_db()
        paused.refresh_from_db()
        assert working.state == Channel.State.RECONNECT
        assert paused.state == Channel.State.PAUSED
        assert len(mail.outbox) == 2  # the admin and the SMM, once
