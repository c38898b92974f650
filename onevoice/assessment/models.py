"""Self-assessment: one organisation's answers to the questionnaire, and its scored result once completed."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from onevoice.organization.models import Membership, Organization


class Assessment(models.Model):
    """One run through the questionnaire; a draft until completed, then kept unchanged as history."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        COMPLETED = "completed", _("Completed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="assessments")
    questionnaire_version = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    # {"employees": 120, "central_team": true, "strategy_goals": "written", ...}
    answers: models.JSONField[Any, Any] = models.JSONField(default=dict, blank=True)
    # What OneVoice's data suggested when the assessment was started:
    # {"strategy_guidelines": {"value": "acknowledged", "evidence": "guidelines", "params": {...}}}
    prefill: models.JSONField[Any, Any] = models.JSONField(default=dict, blank=True)
    # Filled on completion: {"dimensions": {"strategy": {"points": 7, "max": 12, "percent": 58, "level": 3}},
    # "overall": {"percent": 55, "level": 3}, "model": "decentral"}
    result: models.JSONField[Any, Any] = models.JSONField(default=dict, blank=True)
    step = models.PositiveSmallIntegerField(default=0)  # the step to resume at
    started_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    completed_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-completed_at", "-created_at"]
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        constraints = [
            # One draft per organisation: starting again resumes it, so two people don't fill in two.
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(status="draft"),
                name="assessment_one_draft_per_org",
            )
        ]

    def __str__(self) -> str:
        when = self.completed_at or self.created_at
        return f"{self.organization} · {when:%Y-%m-%d}" if when else str(self.organization)

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT
