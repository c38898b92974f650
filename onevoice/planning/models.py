"""The editorial plan (Redaktionsplan): campaigns, topics, content requests, posts with one variant per
channel, the approval workflow as data, comments and blackout periods."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from onevoice.networks.models import Channel
from onevoice.organization.models import Department, Membership, Organization
from onevoice.organization.roles import Role


class Topic(models.Model):
    """A Themenfeld: what the organisation talks about, owned by a department, with a colour in the plan."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="topics")
    name = models.CharField(_("name"), max_length=80)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="topics",
        verbose_name=_("owning department"),
    )
    color = models.CharField(_("colour"), max_length=7, default="#6f42c1")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="topic_name_unique_per_org")
        ]

    def __str__(self) -> str:
        return self.name


class Campaign(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(_("name"), max_length=120)
    goal = models.TextField(_("goal"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    departments = models.ManyToManyField(Department, blank=True, related_name="campaigns")
    channels = models.ManyToManyField(Channel, blank=True, related_name="campaigns")
    color = models.CharField(_("colour"), max_length=7, default="#fd7e14")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="campaign_period"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ContentRequest(models.Model):
    """A department's briefing: a topic it wants on social media, with material and a wished date."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        QUESTION = "question", _("Question asked")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="content_requests")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="content_requests")
    requester = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="content_requests")
    contact = models.ForeignKey(
        Membership,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("contact person"),
    )
    title = models.CharField(_("title"), max_length=200)
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    goal = models.TextField(_("goal"), blank=True)
    briefing = models.TextField(_("briefing"), blank=True)
    links = models.TextField(_("links"), blank=True, help_text=_("One link per line."))
    wished_from = models.DateField(_("wished from"), null=True, blank=True)
    wished_until = models.DateField(_("wished until"), null=True, blank=True)
    wished_channels = models.ManyToManyField(Channel, blank=True, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    answer = models.TextField(_("answer"), blank=True)  # the question asked back, or the reason to decline
    decided_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


def _attachment_path(instance: RequestAttachment, filename: str) -> str:
    return f"requests/{instance.request.organization.public_id}/{uuid.uuid4().hex}-{filename[-60:]}"


class RequestAttachment(models.Model):
    request = models.ForeignKey(ContentRequest, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path)
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()

    def __str__(self) -> str:
        return self.name


class Post(models.Model):
    """One message in the plan, with a variant per channel; it moves through the workflow as a whole."""

    class Status(models.TextChoices):
        IDEA = "idea", _("Idea")
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Approved")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")
        FAILED = "failed", _("Failed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="posts")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="posts", verbose_name=_("department")
    )
    campaign = models.ForeignKey(
        Campaign,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="posts",
        verbose_name=_("campaign"),
    )
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts", verbose_name=_("topic")
    )
    request = models.OneToOneField(
        ContentRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="post"
    )
    owner = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="owned_posts", verbose_name=_("owner")
    )
    title = models.CharField(_("internal title"), max_length=200)
    notes = models.TextField(_("internal notes"), blank=True)
    base_text = models.TextField(_("base text"), blank=True)
    # UTC; null means an unscheduled idea. A window lets the plan say "some time that week".
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True, db_index=True)
    window_end = models.DateTimeField(_("at the latest"), null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    review_round = models.PositiveIntegerField(default=0)
    # Optimistic locking: a save carries the version it started from; a mismatch means someone else saved.
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["publish_at", "id"]
        indexes = [models.Index(fields=["organization", "publish_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_editable(self) -> bool:
        return self.status not in (self.Status.PUBLISHED, self.Status.WITHDRAWN)


class PostVariant(models.Model):
    """The post as it goes out on one channel: its own text, images, link and language."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        PUBLISHED = "published", _("Published")
        FAILED = "failed", _("Failed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="variants")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="variants")
    text = models.TextField(_("text"), blank=True)
    link = models.URLField(_("link"), max_length=2000, blank=True)
    language = models.CharField(_("language"), max_length=12, blank=True, default="de")
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    external_id = models.CharField(max_length=500, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    error = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["channel__name"]
        constraints = [models.UniqueConstraint(fields=["post", "channel"], name="one_variant_per_channel")]

    def __str__(self) -> str:
        return f"{self.post} → {self.channel}"


def _media_path(instance: VariantImage, filename: str) -> str:
    return f"plan/{instance.variant.post.organization.public_id}/{uuid.uuid4().hex}-{filename[-60:]}"


class VariantImage(models.Model):
    variant = models.ForeignKey(PostVariant, on_delete=models.CASCADE, related_name="images")
    file = models.ImageField(upload_to=_media_path, width_field="width", height_field="height")
    thumbnail = models.ImageField(upload_to=_media_path, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    mime_type = models.CharField(max_length=50)
    alt_text = models.TextField(_("alt text"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.alt_text[:60] or str(self.file.name)


# ---- approval workflow as data ----------------------------------------------------------------------


class ApprovalPolicy(models.Model):
    """Who must approve posts of a scope (the organisation, a department, a channel or a campaign).

    The most specific policy wins: campaign, then channel, then department, then the organisation's.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="approval_policies")
    name = models.CharField(_("name"), max_length=120)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # An approved post edited afterwards goes back to review, unless the SMM allows small edits.
    reapprove_after_edit = models.BooleanField(_("edits after approval need a new approval"), default=True)
    review_hours_before = models.PositiveIntegerField(
        _("approval needed hours before publishing"),
        default=2,
        help_text=_("A post not approved by then does not go out; its owner and the SMM are told."),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApprovalStep(models.Model):
    class Mode(models.TextChoices):
        ANY = "any", _("Any one of them")
        ALL = "all", _("All of them")

    class Kind(models.TextChoices):
        APPROVAL = "approval", _("Approval")
        FEEDBACK = "feedback", _("Feedback only")

    policy = models.ForeignKey(ApprovalPolicy, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.APPROVAL)
    mode = models.CharField(max_length=5, choices=Mode.choices, default=Mode.ANY)
    approvers = models.ManyToManyField(Membership, blank=True, related_name="+", verbose_name=_("people"))
    roles = models.JSONField(default=list, blank=True, help_text=_('Role codes, e.g. ["smm"].'))
    departments = models.ManyToManyField(Department, blank=True, related_name="+")
    # People without an account (e.g. an external lawyer) approve through a signed, expiring link.
    external_emails = models.TextField(
        _("approvers without an account"), blank=True, help_text=_("One e-mail address per line.")
    )

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    def role_values(self) -> list[str]:
        return [r for r in self.roles if r in Role.values]


class ApprovalDecision(models.Model):
    class Verdict(models.TextChoices):
        APPROVED = "approved", _("Approved")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        FEEDBACK = "feedback", _("Feedback")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="decisions")
    step = models.ForeignKey(ApprovalStep, null=True, on_delete=models.SET_NULL, related_name="+")
    review_round = models.PositiveIntegerField()
    approver = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    external_email = models.EmailField(blank=True)  # for decisions made through an approval link
    verdict = models.CharField(max_length=20, choices=Verdict.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.verdict} ({self.post})"


class ApprovalLink(models.Model):
    """A signed, expiring link for an approver without an account; it works once."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="approval_links")
    step = models.ForeignKey(ApprovalStep, on_delete=models.CASCADE, related_name="+")
    review_round = models.PositiveIntegerField()
    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.email


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField()
    mentions = models.ManyToManyField(Membership, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.text[:60]


class BlackoutPeriod(models.Model):
    """A Sperrfrist: no posts in this period (quiet period, crisis, holiday), for all or some channels."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="blackout_periods")
    name = models.CharField(_("name"), max_length=120)
    reason = models.TextField(_("reason"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    channels = models.ManyToManyField(
        Channel, blank=True, related_name="+", help_text=_("Leave empty for all channels.")
    )

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="blackout_period"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PlanningRules(models.Model):
    """Per channel: the minimum gap between posts and the most posts per day and week (conflicts)."""

    channel = models.OneToOneField(Channel, on_delete=models.CASCADE, related_name="planning_rules")
    min_gap_minutes = models.PositiveIntegerField(_("minimum gap between posts (minutes)"), default=60)
    max_per_day = models.PositiveIntegerField(_("at most per day"), null=True, blank=True)
    max_per_week = models.PositiveIntegerField(_("at most per week"), null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.channel}"


# ---- notifications -----------------------------------------------------------------------------------


class NotificationQuerySet(models.QuerySet["Notification"]):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at=None)


class Notification(models.Model):
    """Something a person should know about; shown in-app, and mailed if they want."""

    class Kind(models.TextChoices):
        REQUEST_STATUS = "request_status", _("Request status changed")
        REVIEW_NEEDED = "review_needed", _("Review needed")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Approved")
        APPROVAL_EXPIRING = "approval_expiring", _("Approval running out of time")
        POST_FAILED = "post_failed", _("Post failed")
        PUBLISH_UNCONFIRMED = "publish_unconfirmed", _("Publication unconfirmed")
        PUBLISH_WAITING = "publish_waiting", _("Publication waiting for a decision")
        PUBLISHING_PAUSED = "publishing_paused", _("Publishing paused")
        GUIDELINE_PUBLISHED = "guideline_published", _("Guideline to read")
        MENTIONED = "mentioned", _("Mentioned in a comment")
        CASE_ASSIGNED = "case_assigned", _("Inbox case assigned")
        CASE_OVERDUE = "case_overdue", _("Inbox case overdue")
        CASE_NOTE_MENTION = "case_note_mention", _("Mentioned in a case note")
        REPLY_APPROVAL_NEEDED = "reply_approval_needed", _("Reply waiting for approval")
        REPLY_DECIDED = "reply_decided", _("Reply approved or returned")
        REPLY_FAILED = "reply_failed", _("Reply not sent")
        SPIKE_ALERT = "spike_alert", _("Spike in the inbox")
        FORWARD_ANSWERED = "forward_answered", _("Expert suggested an answer")
        TASKS_DUE = "tasks_due", _("Tasks due")
        TASKS_TO_REASSIGN = "tasks_to_reassign", _("Tasks to reassign")
        REPORT_READY = "report_ready", _("Report ready")
        WEBHOOK_FAILING = "webhook_failing", _("Webhook or chat notification failing")

    recipient = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    text = models.CharField(max_length=500)
    url = models.CharField(max_length=500, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.text


class NotificationPreference(models.Model):
    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="notification_preference"
    )
    # Kinds the person wants by e-mail too; the in-app list always has everything.
    email_kinds: models.JSONField[Any, Any] = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return str(self.membership)


class CalendarFeed(models.Model):
    """A private, revocable iCalendar address for one person, optionally with a filter."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="calendar_feeds")
    name = models.CharField(max_length=120)
    token_hash = models.CharField(max_length=64, unique=True)
    filters = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class SavedFilter(models.Model):
    """A named calendar filter ("my department's next two weeks")."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="saved_filters")
    name = models.CharField(max_length=120)
    filters = models.JSONField(default=dict)

    def __str__(self) -> str:
        return self.name
