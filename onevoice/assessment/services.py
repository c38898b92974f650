"""Writes of the self-assessment: start (or resume), save answers, complete, delete, apply the model."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onevoice.assessment import scoring
from onevoice.assessment.models import Assessment
from onevoice.assessment.prefill import prefill_for
from onevoice.assessment.questionnaire import DIMENSIONS, FACT_BY_KEY, QUESTION_BY_KEY, STEPS, VERSION
from onevoice.core import audit
from onevoice.organization.models import Membership, Organization
from onevoice.organization.roles import Capability


class InvalidState(ValidationError):
    """The assessment is not in a state that allows this (e.g. editing a completed one)."""


def _summary(assessment: Assessment) -> dict[str, Any]:
    return {
        "status": assessment.status,
        "questionnaire_version": assessment.questionnaire_version,
        "result": assessment.result or None,
    }


def latest_completed(organization: Organization) -> Assessment | None:
    return (
        Assessment.objects.filter(organization=organization, status=Assessment.Status.COMPLETED)
        .order_by("-completed_at")
        .first()
    )


def _known(answers: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answers.items() if k in QUESTION_BY_KEY or k in FACT_BY_KEY}


@transaction.atomic
def assessment_start(*, actor: Membership) -> tuple[Assessment, bool]:
    """Resume the organisation's draft, or start one: answers from the last assessment, then OneVoice's data.

    Returns the assessment and whether it was created now.
    """
    actor.require(Capability.MANAGE_STRATEGY)
    organization = actor.organization
    draft = Assessment.objects.filter(organization=organization, status=Assessment.Status.DRAFT).first()
    if draft is not None:
        return draft, False
    prefill = prefill_for(actor)
    previous = latest_completed(organization)
    answers = _known(previous.answers) if previous is not None else {}
    answers.update({key: hint["value"] for key, hint in prefill.items()})
    try:
        with transaction.atomic():
            assessment = Assessment.objects.create(
                organization=organization,
                questionnaire_version=VERSION,
                answers=answers,
                prefill=prefill,
                started_by=actor,
            )
    except IntegrityError:  # someone else started one a moment ago: resume theirs
        return Assessment.objects.get(organization=organization, status=Assessment.Status.DRAFT), False
    audit.record(
        actor=actor.user,
        organization=organization,
        verb="assessment.started",
        obj=assessment,
        after=_summary(assessment),
    )
    return assessment, True


def _require_draft(assessment: Assessment) -> None:
    if not assessment.is_draft:
        raise InvalidState(
            _("This self-assessment is completed and can no longer be changed. Start a new one.")
        )


@transaction.atomic
def assessment_save_answers(
    *, actor: Membership, assessment: Assessment, answers: dict[str, Any], step: int
) -> Assessment:
    """Keep the answers of one step in the draft (unknown keys are dropped) and where to resume."""
    actor.require(Capability.MANAGE_STRATEGY)
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _require_draft(assessment)
    merged = dict(assessment.answers or {})
    for key, value in _known(answers).items():
        if value in (None, ""):
            merged.pop(key, None)
        else:
            merged[key] = value
    assessment.answers = merged
    assessment.step = max(0, min(step, len(STEPS) - 1))
    assessment.save(update_fields=["answers", "step", "updated_at"])
    return assessment


def unanswered_steps(answers: dict[str, Any]) -> list[int]:
    """The steps (0 = facts, 1… = dimensions) that still have a question without an answer."""
    steps = []
    if scoring.missing_facts(answers):
        steps.append(0)
    for index, dimension in enumerate(DIMENSIONS, start=1):
        if scoring.missing_questions(answers, dimension):
            steps.append(index)
    return steps


@transaction.atomic
def assessment_complete(*, actor: Membership, assessment: Assessment) -> Assessment:
    """Score the draft and keep the result; every question must be answered."""
    actor.require(Capability.MANAGE_STRATEGY)
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _require_draft(assessment)
    if unanswered_steps(assessment.answers):
        raise ValidationError(
            _("Some questions are not answered yet. Answer them, then finish the assessment.")
        )
    assessment.result = scoring.result_of(assessment.answers)
    assessment.status = Assessment.Status.COMPLETED
    assessment.completed_at = timezone.now()
    assessment.completed_by = actor
    assessment.save(update_fields=["result", "status", "completed_at", "completed_by", "updated_at"])
    audit.record(
        actor=actor.user,
        organization=assessment.organization,
        verb="assessment.completed",
        obj=assessment,
        after=_summary(assessment),
    )
    return assessment


@transaction.atomic
def assessment_delete(*, actor: Membership, assessment: Assessment) -> None:
    """Delete a draft or a completed assessment (it leaves the history); the audit log keeps its result."""
    actor.require(Capability.MANAGE_STRATEGY)
    before = _summary(assessment)
    audit.record(
        actor=actor.user,
        organization=assessment.organization,
        verb="assessment.deleted",
        obj=assessment,
        before=before,
    )
    assessment.delete()


@transaction.atomic
def assessment_apply_model(*, actor: Membership, assessment: Assessment) -> Organization:
    """Set the organisation model to the one the completed assessment recommends (organisation settings)."""
    from onevoice.organization.services import organization_update

    actor.require(Capability.MANAGE_SETTINGS)
    if assessment.is_draft:
        raise InvalidState(_("Finish the self-assessment before applying its recommendation."))
    model = (assessment.result or {}).get("model")
    if model not in Organization.Model.values:
        raise InvalidState(_("This self-assessment has no organisation model to apply."))
    organization = Organization.objects.select_for_update().get(pk=assessment.organization_id)
    before = organization.model
    if before == model:
        return organization
    organization_update(actor=actor, organization=organization, model=model)
    audit.record(
        actor=actor.user,
        organization=organization,
        verb="assessment.model_applied",
        obj=assessment,
        before={"model": before},
        after={"model": model},
    )
    return organization
