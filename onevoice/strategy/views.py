"""The strategy pages: everyone who sees the plan reads the overview; the SMM and admins edit."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onevoice.organization.access import access_channel, access_plan_object, membership_for
from onevoice.organization.models import Membership
from onevoice.organization.roles import Capability
from onevoice.organization.shortcuts import render_for_member
from onevoice.strategy import selectors, services
from onevoice.strategy.forms import ChannelStrategyForm, GoalForm, KpiTargetForm, TargetGroupForm
from onevoice.strategy.models import ChannelStrategy, Goal, KpiTarget, TargetGroup
from onevoice.strategy.periods import period_label

C = Capability


def _manager(request: HttpRequest, org: str) -> Membership:
    return membership_for(request.user, org, need=C.MANAGE_STRATEGY)


@login_required
def overview(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org, need=C.VIEW_PLAN)
    organization = member.organization
    context = {
        "goals": selectors.goals_with_state(organization),
        "target_groups": selectors.target_groups_of(organization),
        "channels": selectors.channel_rows(organization),
        "topics": selectors.topics_of(organization),
        "may_edit": member.can(C.MANAGE_STRATEGY),
    }
    return render_for_member(request, member, "strategy/overview.html", context)


# ---- goals ------------------------------------------------------------------------------------------------


def _goal_form(request: HttpRequest, org: str, goal_id: UUID | None) -> HttpResponse:
    member = _manager(request, org)
    goal = access_plan_object(member, Goal, goal_id) if goal_id else None
    initial: dict[str, Any] = {}
    if goal is not None:
        initial = {
            "name": goal.name,
            "description": goal.description,
            "department": goal.department,
            "period_kind": goal.period_kind,
            "period_start_on": goal.period_start,
        }
    form = GoalForm(request.POST or None, member=member, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            goal = services.goal_save(actor=member, goal=goal, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The goal “%(name)s” was saved.") % {"name": goal.name})
            if goal_id is None:
                messages.info(request, _("Now add the KPI targets that show whether the goal is reached."))
            return redirect("strategy:goal", org, goal.public_id)
    targets = []
    if goal is not None:
        targets = [
            (t, selectors.target_state(t))
            for t in goal.targets.select_related("channel", "goal__organization")
        ]
    return render_for_member(
        request,
        member,
        "strategy/goal_form.html",
        {
            "form": form,
            "goal": goal,
            "targets": targets,
            "period": period_label(goal.period_kind, goal.period_start) if goal else "",
        },
        400 if request.method == "POST" else 200,
    )


@login_required
def goal_new(request: HttpRequest, org: str) -> HttpResponse:
    return _goal_form(request, org, None)


@login_required
def goal(request: HttpRequest, org: str, goal_id: UUID) -> HttpResponse:
    return _goal_form(request, org, goal_id)


@require_POST
@login_required
def goal_delete(request: HttpRequest, org: str, goal_id: UUID) -> HttpResponse:
    member = _manager(request, org)
    goal = access_plan_object(member, Goal, goal_id)
    services.goal_delete(actor=member, goal=goal)
    messages.success(request, _("The goal “%(name)s” was deleted.") % {"name": goal.name})
    return redirect("strategy:overview", org)


# ---- KPI targets ------------------------------------------------------------------------------------------


def _target_form(
    request: HttpRequest, org: str, goal: Goal, target: KpiTarget | None, member: Membership
) -> HttpResponse:
    initial: dict[str, Any] = {}
    if target is not None:
        initial = {
            "metric": target.metric,
            "comparison": target.comparison,
            "target_value": target.target_value,
            "unit": target.unit,
            "channel": target.channel,
            "network": target.network,
        }
    form = KpiTargetForm(request.POST or None, member=member, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.kpi_target_save(
                actor=member,
                goal=goal,
                target=target,
                metric=data["metric"],
                comparison=data["comparison"],
                target_value=data["target_value"],
                unit=data["unit"],
                channel=data["channel"],
                network=data["network"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The KPI target was saved."))
            return redirect("strategy:goal", org, goal.public_id)
    return render_for_member(
        request,
        member,
        "strategy/target_form.html",
        {"form": form, "goal": goal, "target": target, "metrics": KpiTargetForm.metric_list()},
        400 if request.method == "POST" else 200,
    )


@login_required
def target_new(request: HttpRequest, org: str, goal_id: UUID) -> HttpResponse:
    member = _manager(request, org)
    goal = access_plan_object(member, Goal, goal_id)
    return _target_form(request, org, goal, None, member)


@login_required
def target(request: HttpRequest, org: str, target_id: UUID) -> HttpResponse:
    member = _manager(request, org)
    found = access_plan_object(member, KpiTarget, target_id)
    return _target_form(request, org, found.goal, found, member)


@require_POST
@login_required
def target_delete(request: HttpRequest, org: str, target_id: UUID) -> HttpResponse:
    member = _manager(request, org)
    found = access_plan_object(member, KpiTarget, target_id)
    goal = found.goal
    services.kpi_target_delete(actor=member, target=found)
    messages.success(request, _("The KPI target was deleted."))
    return redirect("strategy:goal", org, goal.public_id)


# ---- target groups ----------------------------------------------------------------------------------------


@login_required
def target_groups(request: HttpRequest, org: str) -> HttpResponse:
    member = _manager(request, org)
    form = TargetGroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.target_group_save(actor=member, target_group=None, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The target group “%(name)s” was added.") % {"name": group.name})
            return redirect("strategy:target-groups", org)
    return render_for_member(
        request,
        member,
        "strategy/target_groups.html",
        {"form": form, "items": selectors.target_groups_of(member.organization)},
        400 if request.method == "POST" else 200,
    )


@login_required
def target_group(request: HttpRequest, org: str, group_id: UUID) -> HttpResponse:
    member = _manager(request, org)
    group = access_plan_object(member, TargetGroup, group_id)
    form = TargetGroupForm(
        request.POST or None, initial={"name": group.name, "description": group.description}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.target_group_save(actor=member, target_group=group, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The target group was saved."))
            return redirect("strategy:target-groups", org)
    return render_for_member(
        request,
        member,
        "strategy/target_group_form.html",
        {"form": form, "group": group},
        400 if request.method == "POST" else 200,
    )


@require_POST
@login_required
def target_group_delete(request: HttpRequest, org: str, group_id: UUID) -> HttpResponse:
    member = _manager(request, org)
    group = access_plan_object(member, TargetGroup, group_id)
    services.target_group_delete(actor=member, target_group=group)
    messages.success(request, _("The target group “%(name)s” was deleted.") % {"name": group.name})
    return redirect("strategy:target-groups", org)


# ---- channel strategy -------------------------------------------------------------------------------------


@login_required
def channel_strategy(request: HttpRequest, org: str, channel_id: UUID) -> HttpResponse:
    member = _manager(request, org)
    channel = access_channel(member, channel_id)
    strategy = ChannelStrategy.objects.filter(channel=channel).prefetch_related("target_groups").first()
    rules = getattr(channel, "planning_rules", None)
    initial: dict[str, Any] = {"min_gap_minutes": rules.min_gap_minutes if rules else 60}
    if rules is not None:
        initial |= {"max_per_day": rules.max_per_day, "max_per_week": rules.max_per_week}
    if strategy is not None:
        initial |= {
            "purpose": strategy.purpose,
            "target_groups": list(strategy.target_groups.all()),
            "min_per_week": strategy.min_per_week,
            "preferred_weekdays": strategy.preferred_weekdays,
            "preferred_times": ", ".join(strategy.preferred_times),
        }
    form = ChannelStrategyForm(request.POST or None, member=member, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.channel_strategy_save(
                actor=member,
                channel=channel,
                purpose=data["purpose"],
                target_groups=list(data["target_groups"]),
                min_per_week=data["min_per_week"],
                preferred_weekdays=data["preferred_weekdays"],
                preferred_times=data["preferred_times"],
                min_gap_minutes=data["min_gap_minutes"],
                max_per_day=data["max_per_day"],
                max_per_week=data["max_per_week"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("The strategy for %(channel)s was saved.") % {"channel": channel.name}
            )
            return redirect("strategy:overview", org)
    return render_for_member(
        request,
        member,
        "strategy/channel_form.html",
        {"form": form, "channel": channel},
        400 if request.method == "POST" else 200,
    )
