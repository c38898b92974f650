"""Reads of the self-assessment: the result as shown (page and PDF), the comparison, and the history."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse

from onevoice.assessment import scoring
from onevoice.assessment.models import Assessment
from onevoice.assessment.prefill import evidence_text
from onevoice.assessment.questionnaire import DIMENSIONS, FACTS, LEVELS, Dimension, Level, level_for
from onevoice.organization.models import Organization


def completed_of(organization: Organization) -> list[Assessment]:
    """The organisation's completed assessments, oldest first (for progress over time)."""
    return list(
        Assessment.objects.filter(organization=organization, status=Assessment.Status.COMPLETED)
        .select_related("completed_by__user")
        .order_by("completed_at", "id")
    )


def draft_of(organization: Organization) -> Assessment | None:
    return (
        Assessment.objects.filter(organization=organization, status=Assessment.Status.DRAFT)
        .select_related("started_by__user")
        .first()
    )


def previous_of(assessment: Assessment) -> Assessment | None:
    """The completed assessment before this one, to compare with."""
    if assessment.completed_at is None:
        return None
    return (
        Assessment.objects.filter(
            organization_id=assessment.organization_id,
            status=Assessment.Status.COMPLETED,
            completed_at__lt=assessment.completed_at,
        )
        .order_by("-completed_at")
        .first()
    )


def _percent(result: dict[str, Any], key: str) -> int | None:
    entry = (result or {}).get("dimensions", {}).get(key)
    return None if entry is None else int(entry["percent"])


@dataclass
class DimensionRow:
    dimension: Dimension
    percent: int
    level: Level
    previous: int | None

    @property
    def delta(self) -> int | None:
        return None if self.previous is None else self.percent - self.previous


@dataclass
class AnswerRow:
    question: str
    answer: str
    evidence: str  # non-empty when the answer is the one OneVoice's data suggested


@dataclass
class LinkedRecommendation:
    key: str  # the question it answers
    number: int
    dimension: str
    text: str
    url: str
    label: str
    priority: int


@dataclass
class ResultView:
    assessment: Assessment
    previous: Assessment | None
    rows: list[DimensionRow]
    overall: int
    overall_level: Level
    overall_previous: int | None
    advice: scoring.ModelAdvice
    model_label: str
    recommendations: list[LinkedRecommendation]
    facts: list[AnswerRow]
    answers: list[tuple[Dimension, list[AnswerRow]]] = field(default_factory=list)

    @property
    def overall_delta(self) -> int | None:
        return None if self.overall_previous is None else self.overall - self.overall_previous

    @property
    def model_differs(self) -> bool:
        return self.advice.model != self.assessment.organization.model

    def chart(self, names: dict[str, str]) -> dict[str, Any]:
        return {
            "labels": [str(r.dimension.title) for r in self.rows],
            "current": [r.percent for r in self.rows],
            "previous": [r.previous for r in self.rows] if self.previous else None,
            "names": names,
        }


def _url(name: str, slug: str) -> str:
    try:
        return reverse(name, args=[slug])
    except NoReverseMatch:  # a page renamed elsewhere must not break the result
        return reverse("organization:overview", args=[slug])


def _fact_text(key: str, value: Any) -> str:
    from django.utils.formats import number_format
    from django.utils.translation import gettext as _

    if value in (None, ""):
        return "–"
    if key == "central_team":
        return _("Yes") if value is True else _("No")
    if key == "weekly_hours":
        return str(number_format(value, decimal_pos=None))
    return str(number_format(value, force_grouping=True))


def _evidence(assessment: Assessment, key: str) -> str:
    hint = (assessment.prefill or {}).get(key)
    if not hint:
        return ""
    value = (assessment.answers or {}).get(key)
    if str(value) != str(hint.get("value")) and value != hint.get("value"):
        return ""
    return evidence_text(hint)


def result_view(assessment: Assessment) -> ResultView:
    """Everything the result page and the PDF show, in the active language."""
    from django.utils.translation import gettext as _

    previous = previous_of(assessment)
    answers = assessment.answers or {}
    result = assessment.result or scoring.result_of(answers)
    rows = []
    for dimension in DIMENSIONS:
        percent = _percent(result, dimension.key)
        if percent is None:
            percent = scoring.score_dimension(answers, dimension).percent
        rows.append(
            DimensionRow(
                dimension,
                percent,
                level_for(percent),
                _percent(previous.result, dimension.key) if previous else None,
            )
        )
    overall = int(result.get("overall", {}).get("percent", scoring.overall_percent(scoring.score(answers))))
    previous_overall = (previous.result or {}).get("overall", {}).get("percent") if previous else None
    advice = scoring.recommend_model(scoring.facts_of(answers))
    slug = assessment.organization.slug
    recommendations = [
        LinkedRecommendation(
            key=r.question.key,
            number=i,
            dimension=str(r.dimension.title),
            text=r.text,
            url=_url(r.link.url_name, slug),
            label=str(r.link.label),
            priority=r.priority,
        )
        for i, r in enumerate(scoring.recommendations(answers), start=1)
    ]
    if advice.needs_smm and answers.get("roles_smm") in ("none", "side", None):
        # The recommended model stands on a coordinating SMM: that comes first, whatever the points say.
        smm = next((r for r in recommendations if r.key == "roles_smm"), None)
        if smm is not None:
            recommendations.remove(smm)
            smm.text = (
                _("The recommended model (%(model)s) needs a social media manager who coordinates.")
                % {"model": Organization.Model(advice.model).label}
                + " "
                + smm.text
            )
            recommendations.insert(0, smm)
            for i, rec in enumerate(recommendations, start=1):
                rec.number = i
    facts = [
        AnswerRow(str(f.label), _fact_text(f.key, answers.get(f.key)), _evidence(assessment, f.key))
        for f in FACTS
    ]
    answer_rows = []
    for dimension in DIMENSIONS:
        lines = []
        for question in dimension.questions:
            option = question.option(str(answers.get(question.key, "")))
            lines.append(
                AnswerRow(
                    str(question.text),
                    str(option.label) if option else "–",
                    _evidence(assessment, question.key),
                )
            )
        answer_rows.append((dimension, lines))
    return ResultView(
        assessment=assessment,
        previous=previous,
        rows=rows,
        overall=overall,
        overall_level=level_for(overall),
        overall_previous=previous_overall,
        advice=advice,
        model_label=str(Organization.Model(advice.model).label),
        recommendations=recommendations,
        facts=facts,
        answers=answer_rows,
    )


@dataclass
class HistoryRow:
    assessment: Assessment
    percents: list[int | None]
    overall: int
    level: Level
    model_label: str


def history_rows(organization: Organization) -> list[HistoryRow]:
    rows = []
    for a in completed_of(organization):
        result = a.result or {}
        overall = int(result.get("overall", {}).get("percent", 0))
        model = result.get("model")
        rows.append(
            HistoryRow(
                assessment=a,
                percents=[_percent(result, d.key) for d in DIMENSIONS],
                overall=overall,
                level=level_for(overall),
                model_label=str(Organization.Model(model).label)
                if model in Organization.Model.values
                else "–",
            )
        )
    return rows


def levels() -> tuple[Level, ...]:
    return LEVELS
