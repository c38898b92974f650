"""Measuring success: the metric history (append-only samples), daily rollups, and scheduled reports.

Samples are what the networks said at a moment; rollups are recomputed from them, so samples that
arrive late or out of order give the same figures as samples that arrived in order.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from onevoice.networks.models import Channel, ChannelPost
from onevoice.organization.models import Department, Membership, Organization
from onevoice.planning.models import Campaign, PostVariant, Topic

# The post metrics kept per day (deltas) and on each tracked post (the latest lifetime value).
POST_METRICS = ("likes", "reposts", "replies", "quotes", "impressions", "clicks")
CHANNEL_METRICS = ("followers", "posts")


class AnalyticsSettings(models.Model):
    """Per organisation: how long raw samples are kept (empty: for ever; the daily figures stay)."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="analytics")
    sample_retention_days = models.PositiveIntegerField(
        _("keep raw metric samples for (days)"),
        null=True,
        blank=True,
        help_text=_("Leave empty to keep them for ever. Daily figures and reports are kept either way."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return str(self.organization)


class AppendOnlyQuerySet(models.QuerySet["MetricSample"]):
    def update(self, **kwargs: object) -> int:
        raise TypeError("Metric samples are append-only.")


class MetricSample(models.Model):
    """One figure as a network reported it at one moment: for a post variant, a direct post or the channel.

    `subject` names what was measured ("variant:12", "post:7", "channel"); with the channel, the name and
    the time it makes a sample unique, so a pull stored twice stores nothing new.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=40)
    variant = models.ForeignKey(
        PostVariant, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    channel_post = models.ForeignKey(
        ChannelPost, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(max_length=30)
    value = models.BigIntegerField()
    measured_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "subject", "name", "measured_at"], name="analytics_sample_once"
            )
        ]
        indexes = [models.Index(fields=["organization", "measured_at"])]

    def __str__(self) -> str:
        return f"{self.subject} {self.name}={self.value} @ {self.measured_at:%Y-%m-%d %H:%M}"


class TrackedPost(models.Model):
    """A published post whose figures are collected: its latest lifetime values and when to look next.

    Department, campaign and topic are copied from the post so dashboards need no joins.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=40)
    variant = models.OneToOneField(
        PostVariant, null=True, blank=True, on_delete=models.CASCADE, related_name="tracked"
    )
    channel_post = models.OneToOneField(
        ChannelPost, null=True, blank=True, on_delete=models.CASCADE, related_name="tracked"
    )
    external_id = models.CharField(max_length=500)
    url = models.URLField(max_length=1000, blank=True)
    title = models.CharField(max_length=200, blank=True)
    excerpt = models.CharField(max_length=300, blank=True)
    published_at = models.DateTimeField()
    published_on = models.DateField()  # in the organisation's time zone
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    followers_at_publication = models.BigIntegerField(null=True, blank=True)
    likes = models.BigIntegerField(default=0)
    reposts = models.BigIntegerField(default=0)
    replies = models.BigIntegerField(default=0)
    quotes = models.BigIntegerField(default=0)
    impressions = models.BigIntegerField(default=0)
    clicks = models.BigIntegerField(default=0)
    interactions = models.BigIntegerField(default=0)
    last_collected_at = models.DateTimeField(null=True, blank=True)
    next_collect_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "subject"], name="analytics_tracked_once")]
        indexes = [
            models.Index(fields=["organization", "published_on"]),
            models.Index(fields=["channel", "next_collect_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.subject} on {self.channel_id}"


class PostDay(models.Model):
    """What one post gained on one day (deltas of its lifetime counts); days without change have no row."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    tracked = models.ForeignKey(TrackedPost, on_delete=models.CASCADE, related_name="days")
    day = models.DateField()
    likes = models.BigIntegerField(default=0)
    reposts = models.BigIntegerField(default=0)
    replies = models.BigIntegerField(default=0)
    quotes = models.BigIntegerField(default=0)
    impressions = models.BigIntegerField(default=0)
    clicks = models.BigIntegerField(default=0)
    interactions = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tracked", "day"], name="analytics_postday_once")]
        indexes = [models.Index(fields=["organization", "day"])]

    def __str__(self) -> str:
        return f"{self.tracked_id} {self.day}: +{self.interactions}"


class ChannelDay(models.Model):
    """One channel's day: followers at its end (carried forward), posts published, interactions gained."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    followers = models.BigIntegerField(null=True, blank=True)
    published = models.PositiveIntegerField(default=0)
    likes = models.BigIntegerField(default=0)
    reposts = models.BigIntegerField(default=0)
    replies = models.BigIntegerField(default=0)
    quotes = models.BigIntegerField(default=0)
    impressions = models.BigIntegerField(default=0)
    clicks = models.BigIntegerField(default=0)
    interactions = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "day"], name="analytics_channelday_once")]
        indexes = [models.Index(fields=["organization", "day"])]

    def __str__(self) -> str:
        return f"{self.channel_id} {self.day}: {self.followers} followers, +{self.interactions}"


class ChannelCollection(models.Model):
    """Per channel: the last good pull, failures in a row and when to try again (the back-off)."""

    channel = models.OneToOneField(Channel, on_delete=models.CASCADE, related_name="metric_collection")
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    next_try_at = models.DateTimeField(null=True, blank=True)
    next_channel_metrics_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.channel_id}: {self.failures} failures"

    @property
    def is_stale(self) -> bool:
        return self.failures > 0


class ReportSchedule(models.Model):
    """The monthly management report, mailed to chosen people on a day of the following month."""

    class Language(models.TextChoices):
        GERMAN = "de", _("German")
        ENGLISH = "en", _("English")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="report_schedules")
    name = models.CharField(_("name"), max_length=120)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.GERMAN
    )
    day_of_month = models.PositiveSmallIntegerField(
        _("send on day"),
        default=1,
        help_text=_("Day of the month (1–28) on which last month's report is sent."),
    )
    recipients = models.ManyToManyField(
        Membership, related_name="report_schedules", verbose_name=_("recipients")
    )
    active = models.BooleanField(_("active"), default=True)
    last_period = models.DateField(null=True, blank=True)  # first day of the last month sent (or tried)
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ReportDelivery(models.Model):
    """One report mailed (or being mailed): the history shown under the schedules, with failures and retries."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        RETRYING = "retrying", _("Failed, trying again")
        FAILED = "failed", _("Failed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="report_deliveries")
    schedule = models.ForeignKey(
        ReportSchedule, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    period_start = models.DateField()
    language = models.CharField(max_length=2, default="de")
    recipients = models.TextField(blank=True)  # the addresses, one per line, at the time of sending
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    tries = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "period_start"],
                condition=models.Q(schedule__isnull=False),
                name="analytics_delivery_once_per_month",
            )
        ]

    def __str__(self) -> str:
        return f"{self.period_start:%m/%Y} → {self.state}"
