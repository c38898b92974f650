"""Publishing: one row per variant on its way to the network, the log of every try, and the crisis switch.

A `Publication` is what a worker claims (`UPDATE … WHERE state = 'queued'`); its idempotency key is the
one the network sees, so a retry after a crash lands on the same post, never a second one.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from onevoice.networks.models import Channel
from onevoice.organization.models import Membership, Organization
from onevoice.planning.models import PostVariant


class PublishingSettings(models.Model):
    """Per organisation: the late window and whether everything is paused (the crisis button)."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="publishing")
    late_window_minutes = models.PositiveIntegerField(
        _("late window (minutes)"),
        default=60,
        help_text=_(
            "A post that could not go out within this time after its planned time (e.g. after an outage) "
            "is not published silently late: it waits for a person to decide."
        ),
    )
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pause_reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("publishing settings")

    def __str__(self) -> str:
        return str(self.organization)

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None


class Publication(models.Model):
    """One variant's way to its channel: queued for its time, claimed by one worker, settled once."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Publishing")
        PUBLISHED = "published", _("Published")
        FAILED = "failed", _("Failed")
        RATE_LIMITED = "rate_limited", _("Rate limited")
        UNCONFIRMED = "unconfirmed", _("Unconfirmed")
        NEEDS_PERSON = "needs_person", _("Waiting for a person")
        CANCELLED = "cancelled", _("Cancelled")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="publications")
    variant = models.OneToOneField(PostVariant, on_delete=models.CASCADE, related_name="publication")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="publications")
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    due_at = models.DateTimeField()  # the post's publish time (UTC) the late window counts from
    next_attempt_at = models.DateTimeField()  # when a worker should try: due_at, or later after a wait
    # Bumped by every reschedule, retry and cancel: a delayed task carrying an older one exits untouched.
    schedule_version = models.PositiveIntegerField(default=1)
    idempotency_key = models.CharField(max_length=64, unique=True)
    tries = models.PositiveSmallIntegerField(default=0)  # transient failures spent (rate limits are free)
    claimed_by = models.CharField(max_length=200, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    external_id = models.CharField(max_length=500, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Why it did not go out: a kind (shown in plain words with what to do) and the network's own message.
    error_kind = models.CharField(max_length=20, blank=True)
    error = models.CharField(max_length=1000, blank=True)
    retry_after = models.DateTimeField(null=True, blank=True)  # rate limited until
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"]),
            models.Index(fields=["organization", "state"]),
            models.Index(fields=["channel", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.variant_id} → {self.state}"

    @property
    def is_stuck(self) -> bool:
        return self.state in STUCK


STUCK = frozenset(
    {
        Publication.State.FAILED,
        Publication.State.RATE_LIMITED,
        Publication.State.UNCONFIRMED,
        Publication.State.NEEDS_PERSON,
    }
)


class PublishAttempt(models.Model):
    """One try (or one look-up after an unknown outcome), for the publishing log."""

    class Outcome(models.TextChoices):
        PUBLISHED = "published", _("Published")
        FOUND = "found", _("Found on the network")
        NOT_FOUND = "not_found", _("Not on the network")
        TRANSIENT = "transient", _("Temporary error")
        FAILED = "failed", _("Refused")
        AUTH = "auth", _("Login refused")
        RATE_LIMITED = "rate_limited", _("Rate limited")
        UNCONFIRMED = "unconfirmed", _("No answer")
        INTERRUPTED = "interrupted", _("Interrupted")

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="attempts")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    worker = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    answer = models.CharField(max_length=1000, blank=True)  # what the network said, in plain words

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "-started_at"]),
            models.Index(fields=["channel", "-started_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.publication_id}: {self.outcome}"


class ChannelThrottle(models.Model):
    """A channel's shared wait, for every worker on every machine: set from the network's rate limit."""

    channel = models.OneToOneField(Channel, on_delete=models.CASCADE, related_name="throttle")
    blocked_until = models.DateTimeField(null=True, blank=True)
    last_started_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.channel_id} until {self.blocked_until}"
