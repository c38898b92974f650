"""Dashboards (organisation, channel, department, campaign, topic), exports, and the management report."""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onevoice.analytics import exports, services
from onevoice.analytics.community import tz_of
from onevoice.analytics.definitions import ENGAGEMENT_RATE_DEFINITION, METRIC_LABELS, NOT_AVAILABLE
from onevoice.analytics.forms import ReportForm, RetentionForm, ScheduleForm
from onevoice.analytics.models import ReportDelivery, ReportSchedule
from onevoice.analytics.periods import PRESETS, PeriodError, month_of, period_from
from onevoice.analytics.report import previous_month, report_build, report_filename, report_pdf
from onevoice.analytics.selectors import Scope, dashboard
from onevoice.networks.models import Channel
from onevoice.organization.access import (
    access_channel,
    access_department,
    access_plan_object,
    access_report_schedule,
    membership_for,
    report_recipients,
    visible_channels,
)
from onevoice.organization.models import Membership
from onevoice.organization.roles import Capability
from onevoice.organization.shortcuts import render_for_member
from onevoice.planning.models import Campaign, Topic

C = Capability
KINDS = ("channel", "department", "campaign", "topic")


def _today(member: Membership) -> date:
    return timezone.now().astimezone(tz_of(member.organization)).date()


def _readable(member: Membership) -> list[Channel]:
    return sorted((c for c, _level in visible_channels(member)), key=lambda c: c.name.lower())


def _scope(member: Membership, kind: str, public_id: str | UUID | None) -> Scope:
    """The scope asked for, through the access helpers (404 for anything of another organisation)."""
    channels = _readable(member)
    if kind == "organization" or not public_id:
        return Scope("organization", member.organization, channels)
    try:
        uuid = public_id if isinstance(public_id, UUID) else UUID(str(public_id))
    except ValueError:
        raise Http404 from None
    if kind == "channel":
        channel = access_channel(member, uuid)
        return Scope("channel", member.organization, [channel], channel)
    if kind == "department":
        return Scope("department", member.organization, channels, access_department(member, uuid))
    if kind == "campaign":
        return Scope("campaign", member.organization, channels, access_plan_object(member, Campaign, uuid))
    if kind == "topic":
        return Scope("topic", member.organization, channels, access_plan_object(member, Topic, uuid))
    raise Http404


def _board_page(request: HttpRequest, org: str, kind: str, public_id: UUID | None = None) -> HttpResponse:
    member = membership_for(request.user, org, need=C.VIEW_REPORTS)
    scope = _scope(member, kind, public_id)
    today = _today(member)
    status = 200
    try:
        period, preset_name = period_from(request.GET, today)
        error = ""
    except PeriodError as problem:
        period, preset_name = period_from({}, today)
        error, status = str(problem), 400
    board = dashboard(scope, period)
    chart = {
        "labels": board.series["labels"],
        "interactions": board.series["interactions"] if board.series["has_interactions"] else None,
        "published": board.series["published"],
        "followers": board.series["followers"] if board.series["has_followers"] else None,
        "text": {
            "interactions": str(METRIC_LABELS["interactions"]),
            "published": _("Posts published"),
            "followers": str(METRIC_LABELS["followers"]),
        },
    }
    scope_query = f"kind={kind}&id={public_id}" if public_id else "kind=organization"
    context: dict[str, Any] = {
        "nav": "analytics",
        "board": board,
        "scope": scope,
        "period": period,
        "preset": preset_name,
        "presets": PRESETS,
        "period_error": error,
        "typed_from": request.GET.get("from", ""),
        "typed_to": request.GET.get("to", ""),
        "chart_data": chart,
        "rate_definition": ENGAGEMENT_RATE_DEFINITION,
        "not_available": NOT_AVAILABLE,
        "export_query": f"{scope_query}&{period.as_query()}",
        "departments": member.organization.departments.order_by("name"),
        "kpis": _kpis(member, period) if kind == "organization" else [],
        "realism": _realism(member, period) if kind == "organization" else None,
    }
    return render_for_member(request, member, "analytics/dashboard.html", context, status=status)


def _kpis(member: Membership, period: Any) -> list[Any]:
    from onevoice.strategy.periods import period_end
    from onevoice.strategy.selectors import goals_with_state

    return [
        row
        for row in goals_with_state(member.organization)
        if row.goal.period_start <= period.end
        and period_end(row.goal.period_kind, row.goal.period_start) > period.start
    ]


def _realism(member: Membership, period: Any) -> dict[str, Any] | None:
    from onevoice.analytics.community import plan_realism

    return plan_realism(member.organization, period.start, period.end)


@login_required
def overview(request: HttpRequest, org: str) -> HttpResponse:
    return _board_page(request, org, "organization")


@login_required
def channel(request: HttpRequest, org: str, public_id: UUID) -> HttpResponse:
    return _board_page(request, org, "channel", public_id)


@login_required
def department(request: HttpRequest, org: str, public_id: UUID) -> HttpResponse:
    return _board_page(request, org, "department", public_id)


@login_required
def campaign(request: HttpRequest, org: str, public_id: UUID) -> HttpResponse:
    return _board_page(request, org, "campaign", public_id)


@login_required
def topic(request: HttpRequest, org: str, public_id: UUID) -> HttpResponse:
    return _board_page(request, org, "topic", public_id)


@login_required
def export(request: HttpRequest, org: str, table: str, fmt: str) -> HttpResponse:
    """Any dashboard table of a scope and period as CSV or Excel."""
    member = membership_for(request.user, org, need=C.VIEW_REPORTS)
    if table not in exports.TABLES or fmt not in ("csv", "xlsx"):
        raise Http404
    kind = request.GET.get("kind", "organization")
    if kind not in ("organization", *KINDS):
        raise Http404
    scope = _scope(member, kind, request.GET.get("id"))
    try:
        period, _preset = period_from(request.GET, _today(member))
    except PeriodError as problem:
        return HttpResponse(str(problem), status=400, content_type="text/plain; charset=utf-8")
    board = dashboard(scope, period)
    data = exports.TABLES[table](board)
    name = f"onevoice-{member.organization.slug}-{table}-{period.start}-{period.end}"
    if fmt == "csv":
        response = HttpResponse(exports.as_csv(data), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.as_xlsx(data, table),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


# ---- the management report ----------------------------------------------------------------------


def _reports_page(
    request: HttpRequest,
    member: Membership,
    *,
    report_form: ReportForm | None = None,
    schedule_form: ScheduleForm | None = None,
    retention_form: RetentionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = _today(member)
    settings = services.settings_of(member.organization)
    context = {
        "nav": "analytics",
        "report_form": report_form
        or ReportForm(initial={"month": f"{previous_month(today):%Y-%m}", "language": "de"}, today=today),
        "schedule_form": schedule_form
        or ScheduleForm(
            initial={"language": "de", "day_of_month": 2, "active": True},
            organization_id=member.organization_id,
        ),
        "send_form": ScheduleForm(prefix="send", organization_id=member.organization_id),
        "retention_form": retention_form
        or RetentionForm(initial={"sample_retention_days": settings.sample_retention_days}),
        "schedules": ReportSchedule.objects.filter(organization_id=member.organization_id).prefetch_related(
            "recipients__user"
        ),
        "deliveries": ReportDelivery.objects.filter(organization_id=member.organization_id).select_related(
            "schedule", "requested_by__user"
        )[:30],
        "may_schedule": member.can(C.MANAGE_STRATEGY),
        "may_set_retention": member.can(C.MANAGE_SETTINGS),
        "settings": settings,
    }
    return render_for_member(request, member, "analytics/reports.html", context, status=status)


@login_required
def reports(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org, need=C.VIEW_REPORTS)
    return _reports_page(request, member)


@login_required
def report(request: HttpRequest, org: str) -> HttpResponse:
    """The report of a month: as a page (preview) or as a PDF (`?format=pdf`)."""
    member = membership_for(request.user, org, need=C.VIEW_REPORTS)
    form = ReportForm(request.GET, today=_today(member))
    if not form.is_valid():
        return _reports_page(request, member, report_form=form, status=400)
    built = report_build(member.organization, form.cleaned_data["month"], form.cleaned_data["language"])
    if request.GET.get("format") == "pdf":
        response = HttpResponse(report_pdf(built), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{report_filename(built)}"'
        return response
    return HttpResponse(built.html)


@require_POST
@login_required
def report_send(request: HttpRequest, org: str) -> HttpResponse:
    """Mail a month's report now to people chosen on the page."""
    member = membership_for(request.user, org, need=C.VIEW_REPORTS)
    form = ReportForm(request.POST, today=_today(member))
    ids = []
    for value in request.POST.getlist("send-recipients"):
        try:
            ids.append(UUID(value))
        except ValueError:
            continue
    recipients = report_recipients(member, ids)
    if not form.is_valid() or not recipients:
        if form.is_valid():
            form.add_error(None, _("Choose at least one person who may read reports."))
        return _reports_page(request, member, report_form=form, status=400)
    services.report_send_now(
        actor=member,
        month_start=form.cleaned_data["month"],
        language=form.cleaned_data["language"],
        recipients=recipients,
    )
    messages.success(request, _("The report is being sent. Its state is shown under “Sent reports”."))
    return redirect("analytics:reports", org)


@require_POST
@login_required
def schedule_save(request: HttpRequest, org: str, public_id: UUID | None = None) -> HttpResponse:
    member = membership_for(request.user, org, need=C.VIEW_REPORTS)
    if not member.can(C.MANAGE_STRATEGY):
        raise Http404
    schedule = access_report_schedule(member, public_id, need=C.MANAGE_STRATEGY) if public_id else None
    form = ScheduleForm(request.POST, organization_id=member.organization_id)
    if not form.is_valid():
        return _reports_page(request, member, schedule_form=form, status=400)
    data = form.cleaned_data
    services.schedule_save(
        actor=member,
        schedule=schedule,
        name=data["name"],
        language=data["language"],
        day_of_month=data["day_of_month"],
        recipients=list(data["recipients"]),
        active=data["active"],
    )
    messages.success(request, _("The report schedule is saved."))
    return redirect("analytics:reports", org)


@require_POST
@login_required
def schedule_delete(request: HttpRequest, org: str, public_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org, need=C.VIEW_REPORTS)
    schedule = access_report_schedule(member, public_id, need=C.MANAGE_STRATEGY)
    services.schedule_delete(actor=member, schedule=schedule)
    messages.success(request, _("The report schedule is deleted; reports already sent stay in the history."))
    return redirect("analytics:reports", org)


@require_POST
@login_required
def retention(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_SETTINGS)
    form = RetentionForm(request.POST)
    if not form.is_valid():
        return _reports_page(request, member, retention_form=form, status=400)
    services.retention_set(actor=member, days=form.cleaned_data["sample_retention_days"])
    messages.success(request, _("The retention of raw metric samples is saved."))
    return redirect("analytics:reports", org)


def chart_json(data: dict[str, Any]) -> str:
    return json.dumps(data)


__all__ = ["month_of"]
