"""Writes to the strategy: target groups, goals with KPI targets, and channel strategies.

Each checks MANAGE_STRATEGY and the organisation, saves, and writes an audit event in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from onevoice.core import audit
from onevoice.networks.models import Channel
from onevoice.organization.access import NotAllowed, require_same_organization
from onevoice.organization.models import Department, Membership
from onevoice.organization.roles import Capability
from onevoice.planning import setup_services
from onevoice.strategy.metrics import METRICS, Metric, Unit
from onevoice.strategy.models import ChannelStrategy, Goal, KpiTarget, TargetGroup
from onevoice.strategy.periods import period_start

# ---- target groups ------------------------------------------------------------------------------------


@transaction.atomic
def target_group_save(
    *, actor: Membership, target_group: TargetGroup | None, name: str, description: str
) -> TargetGroup:
    actor.require(Capability.MANAGE_STRATEGY)
    require_same_organization(actor, target_group)
    name = name.strip()
    clash = TargetGroup.objects.filter(organization=actor.organization, name__iexact=name)
    if target_group is not None:
        clash = clash.exclude(pk=target_group.pk)
    if clash.exists():
        raise ValidationError(
            {
                "name": _("A target group named “%(name)s” already exists. Choose another name.")
                % {"name": name}
            }
        )
    created = target_group is None
    before = None if created else {"name": target_group.name, "description": target_group.description}  # type: ignore[union-attr]
    target_group = target_group or TargetGroup(organization=actor.organization)
    target_group.name, target_group.description = name, description.strip()
    target_group.save()
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="target_group.created" if created else "target_group.updated",
        obj=target_group,
        before=before,
        after={"name": target_group.name, "description": target_group.description},
    )
    return target_group


@transaction.atomic
def target_group_delete(*, actor: Membership, target_group: TargetGroup) -> None:
    actor.require(Capability.MANAGE_STRATEGY)
    require_same_organization(actor, target_group)
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="target_group.deleted",
        obj=target_group,
        before={"name": target_group.name},
    )
    target_group.delete()


# ---- goals and KPI targets ----------------------------------------------------------------------------


def _goal_snapshot(goal: Goal) -> dict[str, Any]:
    return {
        "name": goal.name,
        "department": goal.department.name if goal.department else None,
        "period_kind": goal.period_kind,
        "period_start": goal.period_start,
    }


@transaction.atomic
def goal_save(
    *,
    actor: Membership,
    goal: Goal | None,
    name: str,
    description: str,
    department: Department | None,
    period_kind: str,
    period_start_on: date,
) -> Goal:
    """Save a goal; any day of the period names it, the period's first day is stored."""
    actor.require(Capability.MANAGE_STRATEGY)
    require_same_organization(actor, goal, department)
    if period_kind not in Goal.Period.values:
        raise ValidationError({"period_kind": _("Choose a month, a quarter or a year.")})
    created = goal is None
    before = None if goal is None else _goal_snapshot(goal)
    goal = goal or Goal(organization=actor.organization)
    goal.name, goal.description, goal.department = name.strip(), description.strip(), department
    goal.period_kind, goal.period_start = period_kind, period_start(period_kind, period_start_on)
    goal.save()
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="goal.created" if created else "goal.updated",
        obj=goal,
        before=before,
        after=_goal_snapshot(goal),
    )
    return goal


@transaction.atomic
def goal_delete(*, actor: Membership, goal: Goal) -> None:
    actor.require(Capability.MANAGE_STRATEGY)
    require_same_organization(actor, goal)
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="goal.deleted",
        obj=goal,
        before=_goal_snapshot(goal) | {"targets": [str(t) for t in goal.targets.all()]},
    )
    goal.delete()


def _target_snapshot(target: KpiTarget) -> dict[str, Any]:
    return {
        "goal": target.goal.name,
        "metric": target.metric,
        "comparison": target.comparison,
        "target_value": target.target_value,
        "unit": target.unit,
        "channel": target.channel.name if target.channel else None,
        "network": target.network or None,
    }


@transaction.atomic
def kpi_target_save(
    *,
    actor: Membership,
    goal: Goal,
    target: KpiTarget | None,
    metric: str,
    comparison: str,
    target_value: Decimal,
    unit: str,
    channel: Channel | None,
    network: str,
) -> KpiTarget:
    """Save a KPI target of a goal; the unit must suit the metric and a percentage lies between 0 and 100."""
    actor.require(Capability.MANAGE_STRATEGY)
    require_same_organization(actor, goal, target, channel)
    if target is not None and target.goal_id != goal.pk:
        raise NotAllowed(Capability.MANAGE_STRATEGY)
    info = METRICS[Metric(metric)]
    errors: dict[str, str] = {}
    if unit not in info.units:
        errors["unit"] = _("For “%(metric)s”, choose one of these units: %(units)s.") % {
            "metric": Metric(metric).label,
            "units": ", ".join(str(Unit(u).label) for u in info.units),
        }
    if target_value < 0:
        errors["target_value"] = _("The target value cannot be negative.")
    elif unit == Unit.PERCENT and target_value > 100:
        errors["target_value"] = _("A percentage lies between 0 and 100.")
    if channel is not None and network:
        errors["network"] = _("Choose a channel or a network, not both: a channel is already on one network.")
    if errors:
        raise ValidationError(errors)
    created = target is None
    before = None if target is None else _target_snapshot(target)
    target = target or KpiTarget(organization=actor.organization, goal=goal)
    target.metric, target.comparison, target.target_value, target.unit = (
        metric,
        comparison,
        target_value,
        unit,
    )
    target.channel, target.network = channel, network
    target.save()
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="kpi_target.created" if created else "kpi_target.updated",
        obj=target,
        before=before,
        after=_target_snapshot(target),
    )
    return target


@transaction.atomic
def kpi_target_delete(*, actor: Membership, target: KpiTarget) -> None:
    actor.require(Capability.MANAGE_STRATEGY)
    require_same_organization(actor, target)
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="kpi_target.deleted",
        obj=target,
        before=_target_snapshot(target),
    )
    target.delete()


# ---- channel strategy ---------------------------------------------------------------------------------


def _strategy_snapshot(strategy: ChannelStrategy) -> dict[str, Any]:
    return {
        "purpose": strategy.purpose,
        "target_groups": sorted(g.name for g in strategy.target_groups.all()) if strategy.pk else [],
        "min_per_week": strategy.min_per_week,
        "preferred_weekdays": list(strategy.preferred_weekdays),
        "preferred_times": list(strategy.preferred_times),
    }


@transaction.atomic
def channel_strategy_save(
    *,
    actor: Membership,
    channel: Channel,
    purpose: str,
    target_groups: Sequence[TargetGroup],
    min_per_week: int | None,
    preferred_weekdays: Sequence[int],
    preferred_times: Sequence[time],
    min_gap_minutes: int,
    max_per_day: int | None,
    max_per_week: int | None,
) -> ChannelStrategy:
    """Save a channel's strategy; the gap and maxima go to the plan's channel rules through planning's service,
    so the plan's conflict detection uses one set of numbers."""
    actor.require(Capability.MANAGE_STRATEGY)
    require_same_organization(actor, channel, *target_groups)
    if min_per_week and max_per_week and min_per_week > max_per_week:
        raise ValidationError(
            {"min_per_week": _("At least %(low)s per week cannot fit into at most %(high)s per week. Check the numbers.")
             % {"low": min_per_week, "high": max_per_week}}
        )  # fmt: skip
    if min_per_week and max_per_day and min_per_week > max_per_day * 7:
        raise ValidationError(
            {"min_per_week": _("With at most %(day)s per day, a week holds no more than %(week)s posts.")
             % {"day": max_per_day, "week": max_per_day * 7}}
        )  # fmt: skip
    if any(not 0 <= d <= 6 for d in preferred_weekdays):
        raise ValidationError({"preferred_weekdays": _("Choose weekdays from Monday to Sunday.")})
    # Planning's own service validates, saves and audits the rules the conflicts already use.
    setup_services.channel_rules_save(
        actor=actor,
        channel=channel,
        min_gap_minutes=min_gap_minutes,
        max_per_day=max_per_day,
        max_per_week=max_per_week,
    )
    strategy, _created = ChannelStrategy.objects.get_or_create(channel=channel)
    before = _strategy_snapshot(strategy)
    strategy.purpose = purpose.strip()
    strategy.min_per_week = min_per_week
    strategy.preferred_weekdays = sorted(set(preferred_weekdays))
    strategy.preferred_times = sorted({t.strftime("%H:%M") for t in preferred_times})
    strategy.save()
    strategy.target_groups.set(target_groups)
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="channel_strategy.updated",
        obj=channel,
        before=before,
        after=_strategy_snapshot(strategy),
    )
    return strategy
