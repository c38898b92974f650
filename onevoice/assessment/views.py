"""Self-assessment pages: overview, the guided questionnaire, the result (page and PDF) and the history."""

from __future__ import annotations

from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onevoice.assessment import selectors, services
from onevoice.assessment.forms import StepForm, initial_for
from onevoice.assessment.models import Assessment
from onevoice.assessment.prefill import evidence_text
from onevoice.assessment.questionnaire import DIMENSIONS, FACTS, STEPS, VERSION
from onevoice.assessment.report import assessment_filename, assessment_html, assessment_pdf
from onevoice.organization.access import access_assessment, membership_for
from onevoice.organization.models import Membership
from onevoice.organization.roles import Capability
from onevoice.organization.shortcuts import render_for_member

C = Capability
LANGUAGES = ("de", "en")


def _chart_names() -> dict[str, str]:
    return {
        "current": _("This assessment"),
        "previous": _("Previous assessment"),
        "percent": _("% of the best answers"),
    }


@login_required
def index(request: HttpRequest, org: str) -> HttpResponse:
    """The latest result at a glance, the draft to resume, and how to start."""
    member = membership_for(request.user, org, need=C.VIEW_REPORTS)
    organization = member.organization
    completed = selectors.completed_of(organization)
    latest = completed[-1] if completed else None
    view = selectors.result_view(latest) if latest else None
    may_take = member.can(C.MANAGE_STRATEGY)
    context: dict[str, Any] = {
        "nav": "assessment",
        "view": view,
        "draft": selectors.draft_of(organization) if may_take else None,
        "may_take": may_take,
        "count": len(completed),
        "dimensions": DIMENSIONS,
        "steps": len(STEPS),
        "chart": view.chart(_chart_names()) if view else None,
    }
    return render_for_member(request, member, "assessment/index.html", context)


@require_POST
@login_required
def start(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_STRATEGY)
    assessment, created = services.assessment_start(actor=member)
    if created:
        messages.success(
            request, _("Self-assessment started. Answers OneVoice could give from its data are pre-filled.")
        )
    else:
        messages.info(request, _("You are continuing the self-assessment that was already started."))
    return redirect("assessment:step", org, assessment.public_id, assessment.step)


def _step_context(member: Membership, assessment: Assessment, step: int, form: StepForm) -> dict[str, Any]:
    prefill = assessment.prefill or {}
    answers = assessment.answers or {}
    rows = []
    for name in form.fields:
        hint = prefill.get(name)
        bound = form[name]
        value = bound.value()
        hinted: str | None
        if name == "central_team" and hint is not None:
            hinted = "yes" if hint.get("value") is True else "no"
        else:
            hinted = None if hint is None else str(hint.get("value"))
        rows.append(
            {
                "field": bound,
                "evidence": evidence_text(hint) if hint else "",
                "overridden": hint is not None and value not in (None, "") and str(value) != hinted,
            }
        )
    unanswered = services.unanswered_steps(answers)
    return {
        "nav": "assessment",
        "assessment": assessment,
        "form": form,
        "rows": rows,
        "step": step,
        "steps": [
            {
                "index": i,
                "title": _("Your organisation") if i == 0 else DIMENSIONS[i - 1].title,
                "open": i in unanswered,
            }
            for i in range(len(STEPS))
        ],
        "dimension": form.dimension,
        "is_last": step == len(STEPS) - 1,
        "progress": round(100 * (step + 1) / len(STEPS)),
        "facts": FACTS,
    }


@login_required
def step(request: HttpRequest, org: str, assessment_id: UUID, step: int) -> HttpResponse:
    """One step of the guided questionnaire: the facts, then one dimension per step."""
    member = membership_for(request.user, org, need=C.MANAGE_STRATEGY)
    assessment = access_assessment(member, assessment_id, need=C.MANAGE_STRATEGY)
    if not assessment.is_draft:
        return redirect("assessment:detail", org, assessment.public_id)
    if step < 0 or step >= len(STEPS):
        raise Http404
    if request.method != "POST":
        form = StepForm(step, initial=initial_for(step, assessment.answers or {}))
        return render_for_member(
            request, member, "assessment/step.html", _step_context(member, assessment, step, form)
        )
    action = request.POST.get("action", "next")
    form = StepForm(step, request.POST, require_all=action in ("next", "finish"))
    if not form.is_valid():
        return render_for_member(
            request, member, "assessment/step.html", _step_context(member, assessment, step, form), status=400
        )
    target = {"back": step - 1, "next": step + 1}.get(action, step)
    target = max(0, min(target, len(STEPS) - 1))
    assessment = services.assessment_save_answers(
        actor=member, assessment=assessment, answers=form.answers(), step=target
    )
    if action == "save":
        messages.success(
            request, _("Your answers are saved as a draft. Continue any time from the self-assessment page.")
        )
        return redirect("assessment:index", org)
    if action == "finish":
        open_steps = services.unanswered_steps(assessment.answers)
        if open_steps:
            messages.error(
                request, _("Some questions are not answered yet. Answer them, then finish the assessment.")
            )
            return redirect("assessment:step", org, assessment.public_id, open_steps[0])
        services.assessment_complete(actor=member, assessment=assessment)
        messages.success(request, _("Self-assessment completed. Here is your result."))
        return redirect("assessment:detail", org, assessment.public_id)
    return redirect("assessment:step", org, assessment.public_id, target)


@login_required
def detail(request: HttpRequest, org: str, assessment_id: UUID) -> HttpResponse:
    """The result: maturity per dimension, the organisation model that fits, and what to do first."""
    member = membership_for(request.user, org, need=C.VIEW_REPORTS)
    assessment = access_assessment(member, assessment_id)
    if assessment.is_draft:
        if not member.can(C.MANAGE_STRATEGY):
            raise Http404
        return redirect("assessment:step", org, assessment.public_id, assessment.step)
    view = selectors.result_view(assessment)
    context = {
        "nav": "assessment",
        "view": view,
        "chart": view.chart(_chart_names()),
        "levels": selectors.levels(),
        "may_take": member.can(C.MANAGE_STRATEGY),
        "may_apply": member.can(C.MANAGE_SETTINGS),
        "outdated": assessment.questionnaire_version != VERSION,
    }
    return render_for_member(request, member, "assessment/detail.html", context)


@login_required
def pdf(request: HttpRequest, org: str, assessment_id: UUID) -> HttpResponse:
    """The result as a PDF for management (`?lang=de` or `en`; default: the reader's language)."""
    member = membership_for(request.user, org, need=C.VIEW_REPORTS)
    assessment = access_assessment(member, assessment_id)
    if assessment.is_draft:
        raise Http404
    language = request.GET.get("lang") or (request.LANGUAGE_CODE or "de")[:2]
    if language not in LANGUAGES:
        language = "de"
    if request.GET.get("format") == "html":
        return HttpResponse(assessment_html(assessment, language))
    response = HttpResponse(assessment_pdf(assessment, language), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{assessment_filename(assessment, language)}"'
    return response


@require_POST
@login_required
def delete(request: HttpRequest, org: str, assessment_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_STRATEGY)
    assessment = access_assessment(member, assessment_id, need=C.MANAGE_STRATEGY)
    was_draft = assessment.is_draft
    services.assessment_delete(actor=member, assessment=assessment)
    messages.success(
        request,
        _("The draft is discarded.") if was_draft else _("The self-assessment is deleted from the history."),
    )
    return redirect("assessment:history" if not was_draft else "assessment:index", org)


@require_POST
@login_required
def apply_model(request: HttpRequest, org: str, assessment_id: UUID) -> HttpResponse:
    """Change the organisation model to the recommended one (organisation settings, audited)."""
    member = membership_for(request.user, org, need=C.MANAGE_SETTINGS)
    assessment = access_assessment(member, assessment_id, need=C.MANAGE_SETTINGS)
    try:
        organization = services.assessment_apply_model(actor=member, assessment=assessment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The organisation now works in the %(model)s model. You can change it again in the settings.")
            % {"model": organization.get_model_display()},
        )
    return redirect("assessment:detail", org, assessment.public_id)


@login_required
def history(request: HttpRequest, org: str) -> HttpResponse:
    """Every completed assessment with its maturity per dimension: progress over time."""
    member = membership_for(request.user, org, need=C.VIEW_REPORTS)
    rows = selectors.history_rows(member.organization)
    zone = ZoneInfo(member.organization.time_zone or "Europe/Berlin")
    chart = {
        "labels": [
            date_format(timezone.localtime(r.assessment.completed_at, zone), "SHORT_DATE_FORMAT")
            for r in rows
            if r.assessment.completed_at
        ],
        "series": [
            {"label": str(d.title), "data": [r.percents[i] for r in rows]} for i, d in enumerate(DIMENSIONS)
        ]
        + [{"label": _("Overall"), "data": [r.overall for r in rows], "overall": True}],
        "names": {"percent": _("% of the best answers")},
    }
    context = {
        "nav": "assessment",
        "rows": list(reversed(rows)),
        "dimensions": DIMENSIONS,
        "chart": chart if len(rows) > 1 else None,
        "may_take": member.can(C.MANAGE_STRATEGY),
    }
    return render_for_member(request, member, "assessment/history.html", context)
