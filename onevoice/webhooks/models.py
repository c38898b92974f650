"""Webhooks and chat notifications: where events go (targets) and what was sent there (deliveries).

A `Target` is one receiver of the organisation's events: an HTTPS endpoint that gets signed JSON
(a webhook), a Matrix room, or a Slack or Microsoft Teams incoming webhook (chat). Every event becomes
one `Delivery` per subscribed target, in the same transaction as the change that caused it; the worker
sends it, retries with backoff under the same delivery id, and keeps every `DeliveryAttempt` for the log.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onevoice.networks import crypto
from onevoice.organization.models import Department, Membership, Organization


class Event(models.TextChoices):
    """The events a target can subscribe to; the value is the `event` field of every payload."""

    POST_PUBLISHED = "post.published", _("Post published")
    POST_FAILED = "post.failed", _("Post could not be published")
    CASE_CREATED = "case.created", _("New inbox case")
    CASE_ASSIGNED = "case.assigned", _("Inbox case assigned")
    CASE_OVERDUE = "case.overdue", _("Inbox case overdue")
    REQUEST_FILED = "request.filed", _("Content request filed")
    APPROVAL_NEEDED = "approval.needed", _("Approval needed")
    SPIKE_ALERT = "spike.alert", _("Spike in the inbox")


# The test event ("send test event"): never subscribed, sent to one target on request.
PING = "ping"


class Target(models.Model):
    """One receiver of events: a signed webhook, a Matrix room, or a Slack/Teams incoming webhook."""

    class Kind(models.TextChoices):
        WEBHOOK = "webhook", _("Webhook")
        MATRIX = "matrix", _("Matrix")
        SLACK = "slack", _("Slack")
        TEAMS = "teams", _("Microsoft Teams")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=80)
    # Only this department's events (posts, cases, requests of it); empty: the whole organisation.
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("department"),
    )
    events: models.JSONField[Any, Any] = models.JSONField(_("events"), default=list)
    # Webhook: the endpoint. Matrix: the homeserver. Slack/Teams: empty (the URL is the secret).
    url = models.URLField(_("address"), max_length=1000, blank=True)
    # Matrix: {"room_id": "!abc:example.org"}. Nothing secret here.
    config: models.JSONField[Any, Any] = models.JSONField(default=dict, blank=True)
    # Encrypted like a channel's credentials: the signing secret, the Matrix access token, or the
    # Slack/Teams webhook URL (whoever has it can post to the channel).
    secrets_encrypted = models.TextField(blank=True)
    language = models.CharField(
        _("language of the messages"), max_length=5, choices=settings.LANGUAGES, default="de"
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Set when a delivery gave up after its last retry; cleared by the next successful delivery.
    failing_since = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["organization", "kind"])]
        verbose_name = _("notification target")
        verbose_name_plural = _("notification targets")

    def __str__(self) -> str:
        return self.name

    @property
    def is_webhook(self) -> bool:
        return self.kind == self.Kind.WEBHOOK

    @property
    def is_failing(self) -> bool:
        return self.failing_since is not None

    @property
    def secrets(self) -> dict[str, Any]:
        return crypto.decrypt(self.secrets_encrypted)

    def set_secrets(self, values: dict[str, Any]) -> None:
        self.secrets_encrypted = crypto.encrypt(values)

    def event_labels(self) -> list[str]:
        labels = dict(Event.choices)
        return [str(labels.get(e, e)) for e in self.events]

    def snapshot(self) -> dict[str, Any]:
        # Never the secrets: the audit log must not become a copy of them.
        return {
            "name": self.name,
            "kind": self.kind,
            "url": self.url,
            "room": self.config.get("room_id", ""),
            "department": self.department.name if self.department_id and self.department else None,
            "events": list(self.events),
            "language": self.language,
            "is_active": self.is_active,
        }


class Delivery(models.Model):
    """One event for one target. Its public id is the delivery id every retry sends again."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(_("event"), max_length=40)
    # The same event reaching two targets shares its event id (the payload's "event_id").
    event_id = models.UUIDField()
    # Set for events that may be raised twice (an approval step notified again): one delivery per key.
    dedupe_key = models.CharField(max_length=200, blank=True)
    # The exact bytes sent (JSON), fixed when the event happened so every retry sends the same.
    body = models.TextField()
    summary = models.CharField(max_length=300, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    tries = models.PositiveSmallIntegerField(default=0)  # in the current run (a redelivery starts again)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["target", "-created_at"]),
            models.Index(fields=["state", "next_attempt_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="webhooks_delivery_dedupe_per_target",
            )
        ]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self) -> str:
        return f"{self.event} → {self.target_id} ({self.public_id})"


class DeliveryAttempt(models.Model):
    """One try of one delivery: when, how long, what came back."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempts")
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    ok = models.BooleanField(default=False)
    error = models.CharField(max_length=500, blank=True)
    response = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.started_at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error}"
