"""The community inbox: what people write to or about the organisation, grouped into cases.

A `Message` is one item from a network (or one answer of ours), unique per channel and network id, so
ingesting the same page twice stores nothing twice. Messages of one thread and one author form a `Case`:
the unit a Community Manager owns, answers and closes. Routing rules, SLA policies and saved replies are
data the SMM keeps, not code.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from onevoice.networks.models import Channel
from onevoice.organization.models import Department, Membership, Organization
from onevoice.planning.models import Campaign, Post, PostVariant, Topic


class MessageKind(models.TextChoices):
    REPLY = "reply", _("Reply")
    MENTION = "mention", _("Mention")
    QUOTE = "quote", _("Quote")
    DIRECT_MESSAGE = "direct_message", _("Direct message")
    OUR_REPLY = "our_reply", _("Our answer")


class Sentiment(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    NEGATIVE = "negative", _("Negative")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}


class InboxSettings(models.Model):
    """One row per organisation: holidays for the SLA clock, retention (DSGVO) and the spike alert."""

    class RetentionMode(models.TextChoices):
        ANONYMIZE = "anonymize", _("Anonymise (keep figures, remove the person)")
        DELETE = "delete", _("Delete")

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="inbox_settings")
    # A German state code as the `holidays` library spells it ("BY", "NW" …); blank: national holidays only.
    holiday_state = models.CharField(_("public holidays of the state"), max_length=8, blank=True)
    retention_months = models.PositiveIntegerField(_("keep closed cases for (months)"), default=12)
    retention_mode = models.CharField(
        _("after that"), max_length=10, choices=RetentionMode.choices, default=RetentionMode.ANONYMIZE
    )
    # The spike alert fires when an hour brings `spike_factor` × the usual hourly level and at least
    # `spike_minimum` messages (negative or unanswered) on one channel or topic.
    spike_factor = models.DecimalField(_("spike factor"), max_digits=5, decimal_places=2, default=4)
    spike_minimum = models.PositiveIntegerField(_("spike minimum per hour"), default=10)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"inbox settings of {self.organization_id}"


class ClosedDay(models.Model):
    """A day the organisation does not answer beyond the public holidays (e.g. 24 and 31 December)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="closed_days")
    day = models.DateField(_("day"))
    name = models.CharField(_("name"), max_length=80, blank=True)

    class Meta:
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["organization", "day"], name="closed_day_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.name}"


class SlaPolicy(models.Model):
    """Targets for first response and resolution in business minutes; the first matching policy wins
    (a channel- or priority-specific one before the organisation's default, which has neither)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="sla_policies")
    name = models.CharField(_("name"), max_length=120)
    channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, blank=True)
    first_response_minutes = models.PositiveIntegerField(_("first response within (business minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolved within (business minutes)"))
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="inbox_tags")
    name = models.CharField(_("name"), max_length=60)
    # Replies in cases with this tag wait for approval (e.g. "Recht").
    replies_need_approval = models.BooleanField(_("replies need approval"), default=False)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="inbox_tag_unique")]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """One person (or account) who writes to the organisation, with their handles across channels."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="contacts")
    display_name = models.CharField(_("name"), max_length=255, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_vip = models.BooleanField(_("VIP"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    anonymized_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["display_name", "id"]

    def __str__(self) -> str:
        return self.display_name or str(self.public_id)


class ContactHandle(models.Model):
    """The account a contact writes from on one network: the network's stable id and the handle shown."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="handles")
    network = models.CharField(max_length=20)
    author_id = models.CharField(max_length=255)
    handle = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "network", "author_id"], name="contact_handle_unique"
            )
        ]

    def __str__(self) -> str:
        return self.handle or self.author_id


class Case(models.Model):
    """A conversation with one person on one thread: owned, answered against the SLA and closed."""

    class Status(models.TextChoices):
        # "Open" alone is also the verb (Öffnen): the context says it is the state of a case.
        NEW = "new", pgettext_lazy("case status", "New")
        OPEN = "open", pgettext_lazy("case status", "Open")
        WAITING = "waiting", pgettext_lazy("case status", "Waiting for customer")
        CLOSED = "closed", pgettext_lazy("case status", "Closed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="cases")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="cases")
    # What groups messages into this case: the thread root and the author (or the conversation id of a
    # direct message). A new message with a known key reopens the case instead of starting another.
    thread_key = models.CharField(max_length=600)
    contact = models.ForeignKey(Contact, null=True, on_delete=models.SET_NULL, related_name="cases")
    kind = models.CharField(_("type"), max_length=20, choices=MessageKind.choices)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    assignee = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_cases"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="cases")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    variant = models.ForeignKey(
        PostVariant, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    needs_reply = models.BooleanField(_("needs a reply"), default=True)
    hidden = models.BooleanField(_("hidden"), default=False)
    # Triage of the newest message from the person, for the list and the routing rules.
    language = models.CharField(_("language"), max_length=12, blank=True)
    sentiment = models.CharField(_("sentiment"), max_length=10, choices=Sentiment.choices, blank=True)
    offensive = models.BooleanField(_("offensive"), default=False)
    sla_policy = models.ForeignKey(
        SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Network timestamps: the SLA clock starts when the person wrote, not when OneVoice noticed.
    first_message_at = models.DateTimeField()
    last_message_at = models.DateTimeField(db_index=True)
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    first_response_due = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    message_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-last_message_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["channel", "thread_key"], name="case_thread_unique")]
        indexes = [
            # Newest first per status; department, assignee, channel and the id ride along so that walking it
            # for a person who sees only some departments (or one channel) needs no look-up of each case's row
            # (an index-only scan on PostgreSQL).
            models.Index(
                fields=[
                    "organization",
                    "status",
                    "-last_message_at",
                    "department",
                    "assignee",
                    "channel",
                    "id",
                ],
                name="case_org_status_walk",
            ),
            # "Mine" newest first: walks the person's cases of one status in order, also when they have none.
            models.Index(
                fields=["organization", "assignee", "status", "-last_message_at"],
                name="case_org_assignee_newest",
            ),
            models.Index(fields=["organization", "department", "status"], name="case_org_department"),
            models.Index(fields=["organization", "first_response_due"], name="case_org_due"),
            models.Index(fields=["organization", "closed_at"], name="case_org_closed"),
        ]

    def __str__(self) -> str:
        return self.subject or str(self.public_id)


class Message(models.Model):
    """One item in a case: from the person (inbound) or our answer as the network published it."""

    class Direction(models.TextChoices):
        INBOUND = "in", _("From the community")
        OUTBOUND = "out", _("From us")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    external_id = models.CharField(max_length=500)
    direction = models.CharField(max_length=3, choices=Direction.choices, default=Direction.INBOUND)
    kind = models.CharField(_("type"), max_length=20, choices=MessageKind.choices)
    author_id = models.CharField(max_length=255)
    author_handle = models.CharField(max_length=255, blank=True)
    author_name = models.CharField(max_length=255, blank=True)
    # Stored and always shown as plain text: networks deliver whatever people type.
    text = models.TextField(blank=True)
    url = models.URLField(max_length=1000, blank=True)
    in_reply_to = models.CharField(max_length=500, blank=True)
    thread_root = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()  # the network's timestamp
    received_at = models.DateTimeField(auto_now_add=True)
    language = models.CharField(max_length=12, blank=True)
    sentiment = models.CharField(max_length=10, choices=Sentiment.choices, blank=True)
    offensive = models.BooleanField(default=False)
    triage: models.JSONField[Any, Any] = models.JSONField(default=dict, blank=True)  # scores, matched terms
    sent_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    liked_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_id"], name="message_unique_per_channel")
        ]
        # The spike alert counts a channel's messages of the last hour and week.
        indexes = [models.Index(fields=["channel", "created_at"], name="message_channel_time")]

    def __str__(self) -> str:
        return self.external_id


class TriageCorrection(models.Model):
    """A label a person corrected, kept so the organisation's own data can evaluate and improve triage."""

    class Field(models.TextChoices):
        SENTIMENT = "sentiment", _("Sentiment")
        OFFENSIVE = "offensive", _("Offensive")
        LANGUAGE = "language", _("Language")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="corrections")
    field = models.CharField(max_length=12, choices=Field.choices)
    old_value = models.CharField(max_length=20, blank=True)
    new_value = models.CharField(max_length=20)
    by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value} → {self.new_value}"


class Assignment(models.Model):
    """The history of who owned a case, and why (a person, a routing rule or the default)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assignee = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    rule = models.ForeignKey(
        "RoutingRule", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=255, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.assignee_id or self.department_id}"


class RoutingRule(models.Model):
    """If a new case matches every condition that is set, the actions apply; rules run in `position`
    order and the first matching rule with `stop` ends the run."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="routing_rules")
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveIntegerField(default=0)
    active = models.BooleanField(_("active"), default=True)
    # Conditions (empty = any).
    channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    keywords = models.TextField(_("keywords or phrases, one per line"), blank=True)
    language = models.CharField(_("language"), max_length=12, blank=True)
    authors = models.TextField(_("authors (handles), one per line"), blank=True)
    vip_only = models.BooleanField(_("only VIP contacts"), default=False)
    post_department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("message type"), max_length=20, choices=MessageKind.choices, blank=True)
    sentiment = models.CharField(_("sentiment"), max_length=10, choices=Sentiment.choices, blank=True)
    offensive = models.BooleanField(_("offensive"), null=True, blank=True)
    # Actions.
    assign_department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assign_to = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_priority = models.CharField(_("set priority"), max_length=10, choices=Priority.choices, blank=True)
    add_tags = models.ManyToManyField(Tag, blank=True, related_name="+")
    no_reply_needed = models.BooleanField(_("mark as not needing a reply"), default=False)
    hide = models.BooleanField(_("hide on the network"), default=False)
    stop = models.BooleanField(_("stop after this rule"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class SavedReply(models.Model):
    """An approved answer template (Textbaustein) with placeholders such as {name} or {order_number}."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="saved_replies")
    title = models.CharField(_("title"), max_length=120)
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    language = models.CharField(_("language"), max_length=12, default="de")
    text = models.TextField(_("text"))
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class ReplyApprovalRule(models.Model):
    """Replies by this person, or on this channel, wait for approval (tags say so on `Tag`)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="reply_approval_rules"
    )
    membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(membership__isnull=False, channel__isnull=True)
                | models.Q(membership__isnull=True, channel__isnull=False),
                name="reply_approval_rule_one_scope",
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership_id or self.channel_id}"


class Reply(models.Model):
    """Our answer in a case, from typing to the network: it may wait for approval, be held because
    someone else answered at the same time, fail (keeping the text) or be sent."""

    class State(models.TextChoices):
        PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
        HELD = "held", _("Held: someone else answered meanwhile")
        QUEUED = "queued", _("Being sent")
        SENDING = "sending", _("Sending now")  # a worker claimed it and is talking to the network
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        REJECTED = "rejected", _("Not approved")
        DISCARDED = "discarded", _("Discarded")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="replies")
    in_reply_to = models.ForeignKey(Message, null=True, on_delete=models.SET_NULL, related_name="+")
    author = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("reply"))
    saved_reply = models.ForeignKey(
        SavedReply, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    suggested_by = models.ForeignKey(
        "ForwardToken", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    decided_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.CharField(max_length=1000, blank=True)
    error = models.CharField(max_length=1000, blank=True)
    message = models.OneToOneField(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="reply"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.state}"

    @property
    def idempotency_key(self) -> str:
        return self.public_id.hex


class InternalNote(models.Model):
    """A note for colleagues in a case; @mentions notify the people named."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("note"))
    mentions = models.ManyToManyField(Membership, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"note on {self.case_id}"


class ForwardToken(models.Model):
    """A question forwarded to a department expert without a seat: a signed, expiring link to read the
    case and suggest an answer, which a CM then sends. Only the hash of the token is stored."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="forwards")
    email = models.EmailField(_("e-mail address"))
    name = models.CharField(_("name"), max_length=120, blank=True)
    question = models.TextField(_("question"))
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    answer = models.TextField(_("suggested answer"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.email}"


class CasePresence(models.Model):
    """Who is looking at or typing in a case right now, for collision detection."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="presences")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()
    typing_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "membership"], name="case_presence_unique")]

    def __str__(self) -> str:
        return f"{self.membership_id} in {self.case_id}"


class ChannelInboxState(models.Model):
    """Where ingestion stands on one channel: the network's cursor and the back-off after failures."""

    channel = models.OneToOneField(Channel, on_delete=models.CASCADE, related_name="inbox_state")
    cursor = models.CharField(max_length=1000, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)
    next_poll_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=1000, blank=True)

    def __str__(self) -> str:
        return f"inbox state of {self.channel_id}"


class SpikeAlert(models.Model):
    """An hour with far more negative or unanswered messages on a channel or topic than usual."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="spike_alerts")
    channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    hour_start = models.DateTimeField()
    count = models.PositiveIntegerField()
    baseline = models.DecimalField(max_digits=8, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-hour_start", "-id"]

    def __str__(self) -> str:
        return f"spike {self.hour_start} ({self.count})"
