"""Voice rules as the SMM keeps them, the overrides of their findings, the findings recorded at submission,
a post's voice facts (paid partnership) and the extra approvals that sensitive mentions ask for.

The checker itself (`checker.py`) knows nothing of these models: `VoiceRule.as_rule()` turns a row into the
plain `Rule` value it checks with.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from onevoice.networks.models import Channel
from onevoice.organization.models import Department, Membership, Organization
from onevoice.planning.models import Campaign, Post, PostVariant
from onevoice.voice.checker import Rule, RuleKind, Severity

KIND_LABELS: dict[str, Any] = {
    RuleKind.ADDRESS: _("Form of address"),
    RuleKind.FORBIDDEN_TERMS: _("Forbidden terms"),
    RuleKind.PREFERRED_TERMS: _("Preferred terms"),
    RuleKind.DISCLOSURE: _("Disclosure of paid partnerships"),
    RuleKind.REQUIRED_HASHTAGS: _("Required hashtags"),
    RuleKind.TRACKING_LINK: _("Link with tracking parameters"),
    RuleKind.ALT_TEXT: _("Alt text for images"),
    RuleKind.HASHTAG_LIMIT: _("Hashtag limit"),
    RuleKind.EMOJI: _("Emoji policy"),
    RuleKind.LANGUAGE: _("Language of the text"),
    RuleKind.SENSITIVE: _("Sensitive mentions (extra approval)"),
}
KIND_CHOICES = [(kind.value, KIND_LABELS[kind]) for kind in RuleKind]
SEVERITY_CHOICES = [(Severity.BLOCK.value, _("Blocking")), (Severity.WARN.value, _("Warning"))]


class VoiceRule(models.Model):
    """One rule of the organisation's voice, for the whole organisation or one department, channel or
    campaign (at most one of them); blocking rules stop a post from going to review."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="voice_rules")
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=30, choices=KIND_CHOICES)
    severity = models.CharField(_("severity"), max_length=10, choices=SEVERITY_CHOICES, default="warn")
    params: models.JSONField[Any, Any] = models.JSONField(_("parameters"), default=dict, blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.CASCADE, related_name="voice_rules"
    )
    channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(department__isnull=True, channel__isnull=True)
                    | models.Q(department__isnull=True, campaign__isnull=True)
                    | models.Q(channel__isnull=True, campaign__isnull=True)
                ),
                name="voice_rule_one_scope",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def as_rule(self) -> Rule:
        return Rule(
            id=str(self.public_id),
            kind=RuleKind(self.kind),
            severity=Severity(self.severity),
            params=self.params,
            name=self.name,
        )

    @property
    def scope_kind(self) -> str:
        for kind in ("department", "channel", "campaign"):
            if getattr(self, f"{kind}_id"):
                return kind
        return "organization"

    @property
    def scope_target(self) -> Department | Channel | Campaign | None:
        return self.department or self.channel or self.campaign

    def kind_label(self) -> Any:
        return KIND_LABELS.get(RuleKind(self.kind), self.kind)


class FindingOverride(models.Model):
    """The SMM let a blocking finding of a rule pass on one variant, with the reason (audited)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="voice_overrides")
    variant = models.ForeignKey(PostVariant, on_delete=models.CASCADE, related_name="voice_overrides")
    rule = models.ForeignKey(VoiceRule, on_delete=models.CASCADE, related_name="overrides")
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(fields=["variant", "rule"], name="one_override_per_variant_rule")
        ]

    def __str__(self) -> str:
        return f"{self.rule} ({self.post})"


class VoiceFinding(models.Model):
    """A finding as it stood when the post was submitted: the weekly voice report counts these."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="voice_findings")
    variant = models.ForeignKey(PostVariant, null=True, on_delete=models.SET_NULL, related_name="+")
    department = models.ForeignKey(Department, null=True, on_delete=models.SET_NULL, related_name="+")
    rule = models.ForeignKey(VoiceRule, null=True, on_delete=models.SET_NULL, related_name="findings")
    rule_name = models.CharField(max_length=120)  # kept when the rule is deleted
    kind = models.CharField(max_length=30, choices=KIND_CHOICES)
    severity = models.CharField(max_length=10, choices=SEVERITY_CHOICES)
    message = models.TextField()
    overridden = models.BooleanField(default=False)
    review_round = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "created_at"])]

    def __str__(self) -> str:
        return f"{self.rule_name}: {self.message[:60]}"


class PostFlags(models.Model):
    """Facts about a post the voice rules need and the plan does not keep (a paid partnership)."""

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="voice_flags")
    paid_partnership = models.BooleanField(_("paid partnership"), default=False)

    def __str__(self) -> str:
        return str(self.post)


class ExtraApproval(models.Model):
    """A sensitive mention at submission: this review round needs the SMM's approval too."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="extra_approvals")
    review_round = models.PositiveIntegerField()
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.post} ({self.review_round})"
