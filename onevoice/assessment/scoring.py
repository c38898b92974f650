"""Scoring of a self-assessment: maturity per dimension, the organisation model that fits, and what to do."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from onevoice.assessment.questionnaire import (
    DIMENSIONS,
    FACTS,
    QUESTION_BY_KEY,
    Dimension,
    Level,
    Link,
    Question,
    level_for,
)
from onevoice.organization.models import Organization

Answers = dict[str, Any]

SOLO = Organization.Model.SOLO.value
CENTRAL = Organization.Model.CENTRAL.value
DECENTRAL = Organization.Model.DECENTRAL.value


@dataclass
class DimensionScore:
    dimension: Dimension
    points: int
    max_points: int
    answered: int

    @property
    def percent(self) -> int:
        return round(100 * self.points / self.max_points) if self.max_points else 0

    @property
    def level(self) -> Level:
        return level_for(self.percent)


def missing_questions(answers: Answers, dimension: Dimension) -> list[Question]:
    return [q for q in dimension.questions if q.option(str(answers.get(q.key, ""))) is None]


def score_dimension(answers: Answers, dimension: Dimension) -> DimensionScore:
    """Points of the answers against the best answers; questions that do not apply are left out."""
    points = maximum = answered = 0
    for question in dimension.questions:
        option = question.option(str(answers.get(question.key, "")))
        if option is None:
            maximum += question.max_points  # unanswered counts as no points
            continue
        answered += 1
        if option.points is None:
            continue
        points += option.points
        maximum += question.max_points
    return DimensionScore(dimension, points, maximum, answered)


def score(answers: Answers) -> list[DimensionScore]:
    return [score_dimension(answers, d) for d in DIMENSIONS]


def overall_percent(scores: list[DimensionScore]) -> int:
    """The mean of the dimensions' percentages: every dimension counts the same, whatever its length."""
    return round(sum(s.percent for s in scores) / len(scores)) if scores else 0


def result_of(answers: Answers) -> dict[str, Any]:
    """What is stored on completion, so history stays as it was even when the questionnaire changes."""
    scores = score(answers)
    overall = overall_percent(scores)
    return {
        "dimensions": {
            s.dimension.key: {
                "points": s.points,
                "max": s.max_points,
                "percent": s.percent,
                "level": s.level.number,
            }
            for s in scores
        },
        "overall": {"percent": overall, "level": level_for(overall).number},
        "model": recommend_model(facts_of(answers)).model,
    }


# ---- facts and the organisation model ---------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    employees: int = 0
    departments_active: int = 0
    central_team: bool = False
    weekly_hours: Decimal = Decimal(0)
    channels: int = 0


def _int(value: Any) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0


def _hours(value: Any) -> Decimal:
    try:
        return max(Decimal(0), Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def facts_of(answers: Answers) -> Facts:
    central = answers.get("central_team")
    return Facts(
        employees=_int(answers.get("employees")),
        departments_active=_int(answers.get("departments_active")),
        central_team=central is True or central in ("yes", "true", "1"),
        weekly_hours=_hours(answers.get("weekly_hours")),
        channels=_int(answers.get("channels")),
    )


def missing_facts(answers: Answers) -> list[str]:
    return [f.key for f in FACTS if answers.get(f.key) in (None, "")]


@dataclass
class ModelAdvice:
    model: str
    needs_smm: bool
    reasons: list[str]
    warnings: list[str]


# Thresholds of the model rule, named so tests and the help text agree.
SOLO_MAX_EMPLOYEES = 20
SOLO_MAX_HOURS = Decimal(20)
DECENTRAL_MIN_DEPARTMENTS = 3
LARGE_ORGANISATION = 1000
LARGE_MIN_DEPARTMENTS = 5
HOURS_PER_DEPARTMENT = Decimal(4)


def recommend_model(facts: Facts) -> ModelAdvice:
    """Solo for small organisations, decentral where many departments speak, central in between.

    - solo: fewer than 20 employees, or at most one active department with under 20 hours a week;
    - decentral: three or more active departments and no central team, or a large organisation
      (1,000+) with five or more active departments, where one team would become the bottleneck;
    - central: otherwise, a central team collects the departments' input and publishes.
    """
    reasons: list[str] = []
    warnings: list[str] = []
    employees, departments, hours = facts.employees, facts.departments_active, facts.weekly_hours
    hours_text = f"{hours.normalize():f}"
    if employees < SOLO_MAX_EMPLOYEES or (departments <= 1 and hours < SOLO_MAX_HOURS):
        if employees < SOLO_MAX_EMPLOYEES:
            reasons.append(
                ngettext(
                    "With %(count)s employee, one person can speak for the whole organisation.",
                    "With %(count)s employees, one person can speak for the whole organisation.",
                    employees,
                )
                % {"count": employees}
            )
        if departments <= 1:
            reasons.append(
                _("At most one department is active on social media, so there is nothing to coordinate.")
            )
        if hours < SOLO_MAX_HOURS:
            reasons.append(
                _("%(hours)s hours a week are the time of one person, not of a team.") % {"hours": hours_text}
            )
        if departments > 1:
            warnings.append(
                _("%(count)s departments want to be heard: collect their topics through content requests.")
                % {"count": departments}
            )
        return ModelAdvice(SOLO, False, reasons, warnings)

    large_and_spread = employees >= LARGE_ORGANISATION and departments >= LARGE_MIN_DEPARTMENTS
    if (departments >= DECENTRAL_MIN_DEPARTMENTS and not facts.central_team) or large_and_spread:
        reasons.append(
            _(
                "%(count)s departments are active on social media: they know their subjects and their community best."
            )
            % {"count": departments}
        )
        if not facts.central_team:
            reasons.append(_("There is no central team that could take over all their content."))
        elif large_and_spread:
            reasons.append(
                _(
                    "With %(employees)s employees and %(count)s active departments one central team would become the bottleneck."
                )
                % {"employees": employees, "count": departments}
            )
        reasons.append(
            _(
                "A social media manager coordinates: strategy, guidelines, approvals and reporting across departments."
            )
        )
        if departments and hours / departments < HOURS_PER_DEPARTMENT:
            warnings.append(
                _(
                    "Only %(hours)s hours a week per department: plan more hours or start with fewer departments."
                )
                % {"hours": f"{(hours / departments).quantize(Decimal('0.1')).normalize():f}"}
            )
        return ModelAdvice(DECENTRAL, True, reasons, warnings)

    if facts.central_team:
        reasons.append(_("There is a central team that can create content from the departments' input."))
    if departments <= 1:
        reasons.append(_("One department speaks for the organisation: its team is the central team."))
    else:
        reasons.append(
            _("%(count)s active departments are few enough for one team to collect their input.")
            % {"count": departments}
        )
    reasons.append(
        _("%(hours)s hours a week are enough for a small team working for the whole organisation.")
        % {"hours": hours_text}
    )
    if not facts.central_team:
        warnings.append(
            _("Name the team that does the work and mark it as the central team in the departments.")
        )
    return ModelAdvice(CENTRAL, True, reasons, warnings)


# ---- recommendations -------------------------------------------------------------------------------


@dataclass
class Recommendation:
    question: Question
    dimension: Dimension
    gap: int  # points missing to the best answer
    priority: int  # impact × gap, higher first
    text: str
    link: Link


def recommendations(answers: Answers) -> list[Recommendation]:
    """Every question below its best answer, the biggest impact × gap first (ties: questionnaire order)."""
    found: list[Recommendation] = []
    for dimension in DIMENSIONS:
        for question in dimension.questions:
            option = question.option(str(answers.get(question.key, "")))
            if option is not None and option.points is None:
                continue  # does not apply
            points = option.points if option is not None and option.points is not None else 0
            gap = question.max_points - points
            if gap <= 0:
                continue
            found.append(
                Recommendation(
                    question=question,
                    dimension=dimension,
                    gap=gap,
                    priority=question.impact * gap,
                    text=str(question.recommendation),
                    link=question.link,
                )
            )
    order = {q: i for i, q in enumerate(QUESTION_BY_KEY)}
    found.sort(key=lambda r: (-r.priority, order[r.question.key]))
    return found
