"""Workload pages: capacity view with drill-down, my tasks, set-up (norms, duties, holidays, rules),
absences, what-if, the per-person view (audited) and the composer's overbooking warning."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django import forms as forms_module
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onevoice.core import audit
from onevoice.inbox.models import MessageKind
from onevoice.organization.access import (
    NotAllowed,
    access_membership,
    access_post,
    access_workload_object,
    membership_for,
)
from onevoice.organization.models import Department, Membership
from onevoice.organization.roles import Capability
from onevoice.organization.shortcuts import render_for_member
from onevoice.workload import selectors, services
from onevoice.workload.forms import (
    AbsenceForm,
    DutyForm,
    HolidayImportForm,
    InboxNormForm,
    LogTimeForm,
    NormForm,
    ReassignForm,
    SettingsForm,
    WhatIfForm,
)
from onevoice.workload.models import (
    Absence,
    ContentFormat,
    EffortNorm,
    PublicHoliday,
    RecurringDuty,
    Task,
)

C = Capability


def _week_label(monday: date) -> str:
    return _("W%(week)s · %(day)s") % {
        "week": monday.isocalendar()[1],
        "day": formats.date_format(monday, "d.m." if (get_language() or "de").startswith("de") else "j M"),
    }


def _chart(grid: selectors.Grid, team: selectors.Team | None) -> dict[str, Any]:
    cells = grid.row(team) if team else grid.totals
    return {
        "labels": [_week_label(m) for m in grid.weeks],
        "posts": [float(round(c.posts + c.extra, 1)) for c in cells],
        "inbox": [float(round(c.inbox, 1)) for c in cells],
        "duties": [float(round(c.duties, 1)) for c in cells],
        "capacity": [float(round(c.capacity, 1)) for c in cells],
        "limit": [float(round(c.capacity * grid.threshold / 100, 1)) for c in cells],
        "current": grid.current,
        "names": {
            "posts": _("Planned posts"),
            "inbox": _("Inbox"),
            "duties": _("Recurring duties"),
            "capacity": _("Capacity"),
            "limit": _("Over-booked above"),
            "hours": _("Hours"),
        },
    }


def _heat_cells(
    member: Membership, grid: selectors.Grid, team: selectors.Team | None, cells: list[selectors.Cell]
) -> list[dict[str, Any]]:
    """What each heat-map cell prints, worked out once here (a template include per cell is slow)."""
    base = reverse("workload:cell", args=[member.organization.slug, "2000-01-03", "x"]).rsplit(
        "2000-01-03/x/", 1
    )[0]
    separator = formats.get_format("DECIMAL_SEPARATOR")
    title = _("%(demand)s h planned of %(capacity)s h available")

    def one(value: Decimal) -> str:
        return f"{float(value):.1f}".replace(".", separator)

    result = []
    for i, (monday, cell) in enumerate(zip(grid.weeks, cells, strict=True)):
        load = cell.load_percent
        result.append(
            {
                "url": f"{base}{monday.isoformat()}/{team.slug}/" if team else "",
                "level": cell.level,
                "past": i < grid.current,
                "pct": ("∞" if cell.demand else "–") if load is None else f"{load} %",
                "hours": f"{float(cell.demand):.0f} / {float(cell.capacity):.0f} h",
                "title": title % {"demand": one(cell.demand), "capacity": one(cell.capacity)},
                "over": cell.overbooked,
            }
        )
    return result


@login_required
def capacity(request: HttpRequest, org: str) -> HttpResponse:
    """Demand against capacity per team: the last 12 weeks and the next 12, as a heat map and a chart."""
    member = membership_for(request.user, org, need=C.VIEW_REPORTS)
    grid = selectors.capacity_view_grid(member.organization)
    team = next((t for t in grid.teams if t.slug == request.GET.get("team")), None)
    realism = selectors.realism_of(grid, max(grid.current, 0))
    coming = [(m, teams) for m, teams in grid.overbooked_weeks() if m >= grid.weeks[max(grid.current, 0)]]
    context = {
        "nav": "workload",
        "tab": "capacity",
        "grid": grid,
        "rows": [(t, _heat_cells(member, grid, t, cells)) for t, cells in grid.rows()],
        "total_row": _heat_cells(member, grid, None, grid.totals),
        "week_labels": [_week_label(m) for m in grid.weeks],
        "chart": _chart(grid, team),
        "chart_team": team,
        "over_label": _("over-booked"),
        "realism": realism,
        "coming_overbooked": coming,
        "may_manage": member.can(C.MANAGE_STRATEGY),
    }
    return render_for_member(request, member, "workload/capacity.html", context)


@login_required
def cell(request: HttpRequest, org: str, week: str, team: str) -> HttpResponse:
    """The posts, cases, duties and capacity behind one number."""
    member = membership_for(request.user, org, need=C.VIEW_REPORTS)
    try:
        monday = selectors.monday_of(date.fromisoformat(week))
        detail = selectors.cell_detail(member.organization, monday, team)
    except (ValueError, LookupError):
        raise Http404 from None
    return render_for_member(request, member, "workload/cell.html", {"nav": "workload", **detail})


# ---- my tasks -------------------------------------------------------------------------------------------


@login_required
def tasks(request: HttpRequest, org: str) -> HttpResponse:
    """My tasks this week (and what is overdue, and next week)."""
    member = membership_for(request.user, org)
    organization = member.organization
    monday = selectors.this_monday(organization)
    if request.GET.get("week") == "next":
        monday += timedelta(weeks=1)
    bounds = selectors.week_bounds(organization, monday, 1)
    found = list(selectors.tasks_for(member, bounds[0], bounds[1]))
    context = {
        "nav": "tasks",
        "tasks": found,
        "monday": monday,
        "sunday": monday + timedelta(days=6),
        "next_week": request.GET.get("week") == "next",
        "open_hours": sum((t.effort_hours for t in found if not t.is_done), Decimal(0)),
        "now": timezone.now(),
        "log_form": LogTimeForm(),
    }
    return render_for_member(request, member, "workload/tasks.html", context)


def _back(request: HttpRequest, org: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target.startswith(f"/o/{org}/workload/"):
        return redirect(target)
    return redirect("workload:tasks", org)


@require_POST
@login_required
def task_done(request: HttpRequest, org: str, task_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org)
    task = access_workload_object(member, Task, task_id)
    done = request.POST.get("done", "1") == "1"
    try:
        services.task_mark_done(actor=member, task=task, done=done)
    except NotAllowed:
        raise Http404 from None
    if request.htmx:  # type: ignore[attr-defined]
        task.logged = sum((e.hours for e in task.time_entries.all()), Decimal(0))  # type: ignore[attr-defined]
        return render(
            request,
            "workload/includes/task_row.html",
            {
                "task": task,
                "organization": member.organization,
                "now": timezone.now(),
                "log_form": LogTimeForm(),
            },
        )
    messages.success(request, _("Marked as done.") if done else _("Opened again."))
    return _back(request, org)


@require_POST
@login_required
def task_log(request: HttpRequest, org: str, task_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org)
    task = access_workload_object(member, Task, task_id)
    form = LogTimeForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, " ".join(str(e) for e in form.errors.get("hours", [])) or _("Enter the time you spent.")
        )
        return _back(request, org)
    try:
        services.task_log_time(actor=member, task=task, hours=form.cleaned_data["hours"])
    except NotAllowed:
        raise Http404 from None
    messages.success(
        request,
        _("Logged %(hours)s h. Thank you: it makes the norms more realistic.")
        % {"hours": form.cleaned_data["hours"]},
    )
    return _back(request, org)


@login_required
def reassign(request: HttpRequest, org: str) -> HttpResponse:
    """Open tasks of people who left (or of nobody), with a person to hand each to."""
    member = membership_for(request.user, org, need=C.MANAGE_STRATEGY)
    form = ReassignForm(organization=member.organization)
    if request.method == "POST":
        task = access_workload_object(member, Task, _uuid(request.POST.get("task")))
        form = ReassignForm(request.POST, organization=member.organization)
        if form.is_valid():
            try:
                services.task_reassign(actor=member, task=task, assignee=form.cleaned_data["assignee"])
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    _("“%(task)s” now belongs to %(person)s.")
                    % {"task": task, "person": form.cleaned_data["assignee"].user.full_name},
                )
                return redirect("workload:reassign", org)
    found = list(selectors.tasks_to_reassign(member.organization)[:300])
    return render_for_member(
        request,
        member,
        "workload/reassign.html",
        {"nav": "workload", "tasks": found, "form": form},
        400 if request.method == "POST" else 200,
    )


def _uuid(value: str | None) -> UUID:
    try:
        return UUID(value or "")
    except ValueError:
        raise Http404 from None


# ---- set-up -------------------------------------------------------------------------------------------------


def _setup_context(member: Membership, **forms: Any) -> dict[str, Any]:
    organization = member.organization
    options = selectors.settings_of(organization)
    norms = selectors.norms_of(organization)
    configured = {
        (n.content_format, n.network): n for n in EffortNorm.objects.filter(organization=organization)
    }
    medians = selectors.logged_medians(organization)
    rows = []
    keys = sorted(set(norms), key=lambda k: (list(ContentFormat.values).index(k[0]), k[1]))
    labels = dict(ContentFormat.choices)
    from onevoice.networks.models import Network

    networks = dict(Network.choices)
    for key in keys:
        rows.append(
            {
                "format": labels[key[0]],
                "network": networks.get(key[1], _("Every network")) if key[1] else _("Every network"),
                "hours": norms[key],
                "total": sum(norms[key], Decimal(0)),
                "norm": configured.get(key),
                "cols": list(zip(norms[key], medians.get(key) or [None, None, None], strict=True)),
            }
        )
    minutes = selectors.case_minutes_of(organization)
    kinds = dict(MessageKind.choices)
    today = timezone.now().date()
    return {
        "nav": "workload",
        "options": options,
        "norm_rows": rows,
        "case_rows": [(kinds[k], m) for k, m in minutes.items()],
        "duties": RecurringDuty.objects.filter(organization=organization).select_related("department"),
        "holidays": PublicHoliday.objects.filter(
            organization=organization, day__gte=today.replace(month=1, day=1)
        ),
        "norm_form": forms.get("norm_form") or NormForm(),
        "inbox_form": forms.get("inbox_form") or InboxNormForm(initial_minutes=minutes),
        "duty_form": forms.get("duty_form") or DutyForm(organization=organization),
        "settings_form": forms.get("settings_form")
        or SettingsForm(
            initial={
                name: getattr(options, name)
                for name in (
                    "write_lead_hours",
                    "review_lead_hours",
                    "approve_lead_hours",
                    "overbooking_percent",
                    "inbox_weeks",
                    "person_view_role",
                    "person_view_purpose",
                )
            }
        ),
        "holiday_form": forms.get("holiday_form")
        or HolidayImportForm(initial={"state": options.holiday_state or "NW", "year": today.year}),
    }


@login_required
def setup(request: HttpRequest, org: str) -> HttpResponse:
    """Norms, minutes per case, duties, public holidays and the organisation's workload rules."""
    member = membership_for(request.user, org, need=C.MANAGE_STRATEGY)
    if request.method != "POST":
        return render_for_member(request, member, "workload/setup.html", _setup_context(member))
    action = request.POST.get("action")
    forms: dict[str, Any] = {}
    form: forms_module.Form
    try:
        if action == "norm":
            form = forms["norm_form"] = NormForm(request.POST)
            if form.is_valid():
                d = form.cleaned_data
                services.norm_save(
                    actor=member,
                    content_format=d["content_format"],
                    network=d["network"],
                    create_hours=d["create_hours"],
                    review_hours=d["review_hours"],
                    publish_hours=d["publish_hours"],
                )
                messages.success(request, _("The norm was saved. The capacity view uses it right away."))
                return redirect("workload:setup", org)
        elif action == "inbox":
            form = forms["inbox_form"] = InboxNormForm(request.POST, initial_minutes={})
            if form.is_valid():
                for kind, minutes in form.cleaned_data.items():
                    services.inbox_norm_save(actor=member, case_kind=kind, minutes=minutes)
                messages.success(request, _("Minutes per case were saved."))
                return redirect("workload:setup", org)
        elif action == "duty":
            form = forms["duty_form"] = DutyForm(request.POST, organization=member.organization)
            if form.is_valid():
                services.duty_create(actor=member, **form.cleaned_data)
                messages.success(request, _("The duty was added."))
                return redirect("workload:setup", org)
        elif action == "settings":
            form = forms["settings_form"] = SettingsForm(request.POST)
            if form.is_valid():
                services.settings_update(actor=member, **form.cleaned_data)
                messages.success(request, _("The rules were saved."))
                return redirect("workload:setup", org)
        elif action == "holidays":
            form = forms["holiday_form"] = HolidayImportForm(request.POST)
            if form.is_valid():
                added = services.holidays_import(
                    actor=member, state=form.cleaned_data["state"], years=[form.cleaned_data["year"]]
                )
                messages.success(request, _("%(count)s public holidays were added.") % {"count": added})
                return redirect("workload:setup", org)
        else:
            raise Http404
    except ValidationError as error:
        form.add_error(None, error)
    return render_for_member(request, member, "workload/setup.html", _setup_context(member, **forms), 400)


@require_POST
@login_required
def setup_delete(request: HttpRequest, org: str, kind: str, object_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_STRATEGY)
    if kind == "norm":
        services.norm_delete(actor=member, norm=access_workload_object(member, EffortNorm, object_id))
        messages.success(request, _("The norm was removed; the default applies again."))
    elif kind == "duty":
        services.duty_delete(actor=member, duty=access_workload_object(member, RecurringDuty, object_id))
        messages.success(request, _("The duty was removed."))
    else:
        raise Http404
    return redirect("workload:setup", org)


@require_POST
@login_required
def holiday_delete(request: HttpRequest, org: str, holiday_id: int) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_STRATEGY)
    holiday = PublicHoliday.objects.filter(organization=member.organization, pk=holiday_id).first()
    if holiday is None:
        raise Http404
    services.holiday_delete(actor=member, holiday=holiday)
    messages.success(request, _("The holiday was removed."))
    return redirect("workload:setup", org)


# ---- absences -----------------------------------------------------------------------------------------------


@login_required
def absences(request: HttpRequest, org: str) -> HttpResponse:
    """Record one's own absences; those who manage people record anyone's."""
    member = membership_for(request.user, org)
    form = AbsenceForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.absence_create(
                actor=member,
                person=d.get("person") or member,
                kind=d["kind"],
                starts_on=d["starts_on"],
                ends_on=d["ends_on"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The absence was recorded; the capacity view counts it."))
            return redirect("workload:absences", org)
    scope = Absence.objects.filter(
        membership__organization=member.organization, ends_on__gte=timezone.now().date() - timedelta(days=60)
    )
    if not member.can(C.MANAGE_MEMBERS):
        scope = scope.filter(membership=member)
    context = {
        "nav": "absences",
        "form": form,
        "absences": scope.select_related("membership__user").order_by("starts_on")[:300],
        "holidays": PublicHoliday.objects.filter(
            organization=member.organization, day__gte=timezone.now().date()
        )[:12],
    }
    return render_for_member(
        request, member, "workload/absences.html", context, 400 if request.method == "POST" else 200
    )


@require_POST
@login_required
def absence_delete(request: HttpRequest, org: str, absence_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org)
    absence = access_workload_object(member, Absence, absence_id)
    try:
        services.absence_delete(actor=member, absence=absence)
    except NotAllowed:
        raise Http404 from None
    messages.success(request, _("The absence was removed."))
    return redirect("workload:absences", org)


# ---- per person (works council) -------------------------------------------------------------------------------


@login_required
def person(request: HttpRequest, org: str, membership_id: UUID) -> HttpResponse:
    """One person's own capacity and task hours: for the person, or the role the organisation enabled."""
    member = membership_for(request.user, org)
    subject = access_membership(member, membership_id)
    if not selectors.may_see_person(member, subject):
        audit.record(
            actor=member.user,
            organization=member.organization,
            verb="workload.person_view_refused",
            obj=subject,
            after={"person": subject.user.email},
        )
        raise Http404
    options = selectors.settings_of(member.organization)
    audit.record(
        actor=member.user,
        organization=member.organization,
        verb="workload.person_viewed",
        obj=subject,
        after={
            "person": subject.user.email,
            "as": "self" if member.pk == subject.pk else member.role,
            "purpose": "" if member.pk == subject.pk else options.person_view_purpose,
        },
    )
    monday = selectors.this_monday(member.organization)
    weeks = selectors.person_weeks(subject, monday - timedelta(weeks=4), 12)
    context = {
        "nav": "workload",
        "subject": subject,
        "weeks": weeks,
        "current": monday,
        "is_self": member.pk == subject.pk,
        "purpose": options.person_view_purpose,
        "absences": subject.absences.filter(ends_on__gte=monday - timedelta(weeks=4)).order_by("starts_on")[
            :50
        ],
    }
    return render_for_member(request, member, "workload/person.html", context)


@login_required
def people(request: HttpRequest, org: str) -> HttpResponse:
    """For the enabled role only: the people, alphabetically and without figures (no ranking)."""
    member = membership_for(request.user, org)
    options = selectors.settings_of(member.organization)
    if not (
        options.person_view_role and member.role == options.person_view_role and options.person_view_purpose
    ):
        raise Http404
    found = (
        Membership.objects.active()
        .filter(organization=member.organization)
        .select_related("user")
        .order_by("user__full_name")
    )
    return render_for_member(
        request,
        member,
        "workload/people.html",
        {"nav": "workload", "people": found, "purpose": options.person_view_purpose},
    )


@login_required
def me(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org)
    return redirect("workload:person", org, member.public_id)


# ---- what-if ------------------------------------------------------------------------------------------------


@login_required
def what_if(request: HttpRequest, org: str) -> HttpResponse:
    """Try a campaign or one person fewer and see the load change; nothing is saved."""
    member = membership_for(request.user, org, need=C.MANAGE_STRATEGY)
    organization = member.organization
    form = WhatIfForm(request.GET or None, organization=organization)
    context: dict[str, Any] = {"nav": "workload", "form": form}
    if request.GET and form.is_valid():
        d = form.cleaned_data
        scenario = selectors.Scenario()
        if d["scenario"] == "campaign":
            norms = selectors.norms_of(organization)
            per_post = sum(selectors.norm_for(norms, d["content_format"], d["network"]), Decimal(0))
            first = selectors.monday_of(d["first_week"])
            per_week, rest = divmod(d["posts"], d["weeks"])
            for i in range(d["weeks"]):
                count = per_week + (1 if i < rest else 0)
                scenario.extra.append((first + timedelta(weeks=i), d["department"].pk, per_post * count))
            context["summary"] = _("%(posts)s posts × %(hours)s h = %(total)s h more for %(team)s") % {
                "posts": d["posts"],
                "hours": floatformat(per_post, -2),
                "total": floatformat(per_post * d["posts"], -2),
                "team": d["department"].name,
            }
        else:
            first, last = WhatIfForm.month_range(d["month"])
            scenario.without.append((d["person"].pk, first, last))
            context["summary"] = _("Without %(person)s from %(first)s to %(last)s") % {
                "person": d["person"].user.full_name,
                "first": formats.date_format(first, "SHORT_DATE_FORMAT"),
                "last": formats.date_format(last, "SHORT_DATE_FORMAT"),
            }
        start = selectors.this_monday(organization)
        before = selectors.capacity_grid(organization, start, 16)
        after = selectors.capacity_grid(organization, start, 16, scenario=scenario)
        rows = []
        for team in after.teams:
            old = (
                before.row(team) if team in before.teams else [selectors.Cell(threshold=after.threshold)] * 16
            )
            new = after.row(team)
            if any(o.demand != n.demand or o.capacity != n.capacity for o, n in zip(old, new, strict=True)):
                rows.append((team, list(zip(old, new, strict=True))))
        context.update(
            {
                "rows": rows,
                "week_labels": [_week_label(m) for m in after.weeks],
                "realism_before": selectors.realism_of(before),
                "realism_after": selectors.realism_of(after),
            }
        )
    return render_for_member(
        request, member, "workload/what_if.html", context, 400 if request.GET and not form.is_valid() else 200
    )


# ---- the composer's warning ---------------------------------------------------------------------------------


@login_required
def composer_warning(request: HttpRequest, org: str) -> HttpResponse:
    """An htmx fragment for the post composer: is the week of the publish time over-booked for the team?"""
    member = membership_for(request.user, org, need=C.CREATE_CONTENT)
    organization = member.organization
    raw = request.GET.get("publish_at", "").strip()
    moment = parse_datetime(raw.replace(" ", "T")) if raw else None
    if moment is None:
        return HttpResponse("")
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=ZoneInfo(organization.time_zone))
    department = Department.objects.filter(
        organization=organization, pk=_int(request.GET.get("department"))
    ).first()
    if department is None:
        return HttpResponse("")
    post = None
    if request.GET.get("post"):
        post = access_post(member, _uuid(request.GET["post"]))
    from onevoice.networks.models import Channel

    channel_ids = [_int(v) for v in request.GET.getlist("channels")]
    networks = list(
        Channel.objects.filter(organization=organization, pk__in=[c for c in channel_ids if c]).values_list(
            "network", flat=True
        )
    )
    warning = selectors.composer_check(
        organization, department, moment, post=post, networks=networks, owner_id=member.pk
    )
    return render(
        request,
        "workload/includes/composer_warning.html",
        {"warning": warning, "organization": organization, "may_see": member.can(C.VIEW_REPORTS)},
    )


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0
