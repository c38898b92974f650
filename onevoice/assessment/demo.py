"""Two past self-assessments for the demo organisation, a year and half a year ago, so the history and the
comparison show progress (guidelines written, inbox owned, reporting started)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from onevoice.assessment.models import Assessment
from onevoice.assessment.questionnaire import VERSION
from onevoice.assessment.scoring import result_of
from onevoice.organization.models import Membership, Organization

FACTS: dict[str, Any] = {
    "employees": 850,
    "departments_active": 5,
    "central_team": False,
    "weekly_hours": "70",
    "channels": 6,
}

A_YEAR_AGO: dict[str, Any] = {
    **FACTS,
    "strategy_goals": "informal",
    "strategy_guidelines": "draft",
    "strategy_voice": "informal",
    "roles_smm": "side",
    "roles_cms": "some",
    "roles_approval": "case",
    "roles_management": "tolerated",
    "processes_planning": "short",
    "processes_inbox": "whoever",
    "processes_crisis": "none",
    "resources_hours": "none",
    "resources_fit": "overloaded",
    "resources_budget": "adhoc",
    "measurement_kpis": "reach",
    "measurement_reporting": "request",
    "measurement_use": "none",
    "legal_impressum": "some",
    "legal_dsgvo": "none",
    "legal_accessibility": "sometimes",
    "legal_works_agreement": "none",
    "training_onboarding": "none",
    "training_regular": "none",
    "training_employees": "some",
}

HALF_A_YEAR_AGO: dict[str, Any] = {
    **A_YEAR_AGO,
    "weekly_hours": "95",
    "strategy_goals": "written",
    "strategy_guidelines": "published",
    "strategy_voice": "written",
    "roles_smm": "named",
    "roles_approval": "documented",
    "roles_management": "interested",
    "processes_planning": "weeks",
    "processes_inbox": "owners",
    "processes_crisis": "informal",
    "resources_hours": "partly",
    "resources_fit": "sometimes",
    "measurement_kpis": "several",
    "measurement_reporting": "regular",
    "legal_impressum": "all",
    "legal_dsgvo": "partly",
    "legal_works_agreement": "preparing",
    "training_onboarding": "informal",
}


def _completed(
    organization: Organization, smm: Membership | None, answers: dict[str, Any], when: datetime
) -> None:
    assessment = Assessment.objects.create(
        organization=organization,
        questionnaire_version=VERSION,
        status=Assessment.Status.COMPLETED,
        answers=answers,
        result=result_of(answers),
        started_by=smm,
        completed_by=smm,
        completed_at=when,
    )
    Assessment.objects.filter(pk=assessment.pk).update(created_at=when - timedelta(hours=1))


def seed(organization: Organization, smm: Membership | None = None, *, now: datetime | None = None) -> int:
    """Add the two past assessments (once); returns how many were added."""
    if Assessment.objects.filter(organization=organization).exists():
        return 0
    now = now or timezone.now()
    if smm is None:
        smm = Membership.objects.active().filter(organization=organization, role="smm").first()
    _completed(organization, smm, A_YEAR_AGO, now - timedelta(days=365))
    _completed(organization, smm, HALF_A_YEAR_AGO, now - timedelta(days=180))
    return 2
