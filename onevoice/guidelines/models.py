"""Social media guidelines (Leitlinien): versioned Markdown documents that members confirm they have read."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onevoice.organization.models import Membership, Organization


class Guideline(models.Model):
    """One document, e.g. "Social-Media-Leitlinien" or "Netiquette"; its text lives in its versions."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="guidelines")
    title = models.CharField(_("title"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("guideline")
        verbose_name_plural = _("guidelines")
        constraints = [
            models.UniqueConstraint(fields=["organization", "title"], name="guideline_title_unique_per_org")
        ]

    def __str__(self) -> str:
        return self.title


class GuidelineVersion(models.Model):
    """The text of a guideline at one point; a draft until published, and never changed afterwards."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    guideline = models.ForeignKey(Guideline, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    body = models.TextField(_("text (Markdown)"))
    change_note = models.TextField(_("what changed"), blank=True)
    created_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["guideline", "number"], name="guideline_version_number_unique"),
            # One draft at a time: the SMM keeps working on it until it is published or discarded.
            models.UniqueConstraint(
                fields=["guideline"],
                condition=models.Q(published_at=None),
                name="guideline_one_draft",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guideline} v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Acknowledgement(models.Model):
    """A member confirmed they have read one version."""

    version = models.ForeignKey(GuidelineVersion, on_delete=models.CASCADE, related_name="acknowledgements")
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="guideline_acknowledgements"
    )
    acknowledged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["acknowledged_at"]
        constraints = [
            models.UniqueConstraint(fields=["version", "membership"], name="acknowledge_a_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.membership} ✓ {self.version}"


class Reminder(models.Model):
    """Who was reminded to read a version, by whom and when."""

    version = models.ForeignKey(GuidelineVersion, on_delete=models.CASCADE, related_name="reminders")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    reminded_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reminded_at"]
        indexes = [models.Index(fields=["version", "membership"])]

    def __str__(self) -> str:
        return f"{self.membership} ← {self.version}"
