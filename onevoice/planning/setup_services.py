"""Writes to the plan's set-up: campaigns, topics, blackout periods, per-channel rules and approval policies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from onevoice.core import audit
from onevoice.networks.models import Channel
from onevoice.organization.access import NotAllowed, require_same_organization
from onevoice.organization.models import Department, Membership
from onevoice.organization.roles import Capability, Role, capabilities_of
from onevoice.planning.models import (
    ApprovalPolicy,
    ApprovalStep,
    BlackoutPeriod,
    Campaign,
    PlanningRules,
    Post,
    Topic,
)


def _may_edit_campaigns(actor: Membership) -> None:
    if actor.role not in (Role.ADMIN, Role.SMM, Role.CM):
        raise NotAllowed(Capability.MANAGE_STRATEGY)


@transaction.atomic
def campaign_save(
    *,
    actor: Membership,
    campaign: Campaign | None,
    name: str,
    goal: str,
    starts_on: date,
    ends_on: date,
    departments: Sequence[Department],
    channels: Sequence[Channel],
    color: str,
) -> Campaign:
    _may_edit_campaigns(actor)
    require_same_organization(actor, *departments, *channels, campaign)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The campaign must end on or after its first day.")})
    before = None
    if campaign is None:
        campaign = Campaign(organization=actor.organization)
    else:
        before = {"name": campaign.name, "starts_on": campaign.starts_on, "ends_on": campaign.ends_on}
    campaign.name, campaign.goal, campaign.color = name.strip(), goal, color
    campaign.starts_on, campaign.ends_on = starts_on, ends_on
    campaign.save()
    campaign.departments.set(departments)
    campaign.channels.set(channels)
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="campaign.created" if before is None else "campaign.updated",
        obj=campaign,
        before=before,
        after={"name": campaign.name, "starts_on": starts_on, "ends_on": ends_on},
    )
    return campaign


@transaction.atomic
def topic_save(
    *, actor: Membership, topic: Topic | None, name: str, department: Department | None, color: str
) -> Topic:
    actor.require(Capability.MANAGE_STRATEGY)
    require_same_organization(actor, department, topic)
    clash = Topic.objects.filter(organization=actor.organization, name__iexact=name.strip())
    if topic is not None:
        clash = clash.exclude(pk=topic.pk)
    if clash.exists():
        raise ValidationError(
            {"name": _("A topic named “%(name)s” already exists.") % {"name": name.strip()}}
        )
    created = topic is None
    topic = topic or Topic(organization=actor.organization)
    topic.name, topic.department, topic.color = name.strip(), department, color
    topic.save()
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="topic.created" if created else "topic.updated",
        obj=topic,
        after={"name": topic.name, "department": department.name if department else None},
    )
    return topic


@transaction.atomic
def topic_delete(*, actor: Membership, topic: Topic) -> None:
    actor.require(Capability.MANAGE_STRATEGY)
    require_same_organization(actor, topic)
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="topic.deleted",
        obj=topic,
        before={"name": topic.name},
    )
    topic.delete()


def posts_inside(
    organization_id: int, starts_at: datetime, ends_at: datetime, channels: Sequence[Channel]
) -> list[Post]:
    """The planned posts a blackout period would catch, so the SMM sees them before saving."""
    posts = Post.objects.filter(
        organization_id=organization_id,
        publish_at__gte=starts_at,
        publish_at__lt=ends_at,
    ).exclude(status__in=[Post.Status.WITHDRAWN, Post.Status.PUBLISHED])
    if channels:
        posts = posts.filter(variants__channel__in=channels).distinct()
    return list(posts.order_by("publish_at"))


@transaction.atomic
def blackout_create(
    *,
    actor: Membership,
    name: str,
    reason: str,
    starts_at: datetime,
    ends_at: datetime,
    channels: Sequence[Channel],
) -> BlackoutPeriod:
    actor.require(Capability.MANAGE_STRATEGY)
    require_same_organization(actor, *channels)
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The blackout period must end after it starts.")})
    period = BlackoutPeriod.objects.create(
        organization=actor.organization,
        name=name.strip(),
        reason=reason,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    period.channels.set(channels)
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="blackout.created",
        obj=period,
        after={
            "name": period.name,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "channels": sorted(c.name for c in channels) or "*",
        },
    )
    return period


@transaction.atomic
def blackout_delete(*, actor: Membership, period: BlackoutPeriod) -> None:
    actor.require(Capability.MANAGE_STRATEGY)
    require_same_organization(actor, period)
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="blackout.deleted",
        obj=period,
        before={"name": period.name, "starts_at": period.starts_at, "ends_at": period.ends_at},
    )
    period.delete()


@transaction.atomic
def channel_rules_save(
    *,
    actor: Membership,
    channel: Channel,
    min_gap_minutes: int,
    max_per_day: int | None,
    max_per_week: int | None,
) -> PlanningRules:
    actor.require(Capability.MANAGE_STRATEGY)
    require_same_organization(actor, channel)
    if max_per_day and max_per_week and max_per_day > max_per_week:
        raise ValidationError(_("More posts per day than per week cannot be meant. Check the numbers."))
    rules, _created = PlanningRules.objects.get_or_create(channel=channel)
    before = {
        "min_gap_minutes": rules.min_gap_minutes,
        "max_per_day": rules.max_per_day,
        "max_per_week": rules.max_per_week,
    }
    rules.min_gap_minutes, rules.max_per_day, rules.max_per_week = min_gap_minutes, max_per_day, max_per_week
    rules.save()
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="channel.rules_changed",
        obj=channel,
        before=before,
        after={"min_gap_minutes": min_gap_minutes, "max_per_day": max_per_day, "max_per_week": max_per_week},
    )
    return rules


def _refuse_who_cannot_decide(step: StepSpec) -> None:
    """An approval step of people or roles that may not approve would wait for ever: say so now."""
    needs = Capability.APPROVE if step.kind == ApprovalStep.Kind.APPROVAL else Capability.COMMENT
    for role in step.roles:
        if needs not in capabilities_of(role):
            raise ValidationError(
                _(
                    "People with the role “%(role)s” cannot approve posts, so step “%(step)s” would never be "
                    "done. Choose another role, or make it a feedback step."
                )
                % {"role": Role(role).label, "step": step.name}
                if needs == Capability.APPROVE
                else _(
                    "People with the role “%(role)s” cannot comment, so they cannot give feedback in “%(step)s”."
                )
                % {"role": Role(role).label, "step": step.name}
            )
    for person in step.people:
        if not person.can(needs):
            raise ValidationError(
                _(
                    "%(person)s cannot approve posts with the role “%(role)s”. Choose someone else, change their "
                    "role, or make “%(step)s” a feedback step."
                )
                % {"person": person.user, "role": person.get_role_display(), "step": step.name}
            )


@dataclass(frozen=True)
class StepSpec:
    name: str
    kind: str = ApprovalStep.Kind.APPROVAL
    mode: str = ApprovalStep.Mode.ANY
    people: Sequence[Membership] = ()
    roles: Sequence[str] = ()
    departments: Sequence[Department] = ()
    external_emails: str = ""


@transaction.atomic
def policy_save(
    *,
    actor: Membership,
    policy: ApprovalPolicy | None,
    name: str,
    department: Department | None,
    channel: Channel | None,
    campaign: Campaign | None,
    reapprove_after_edit: bool,
    review_hours_before: int,
    steps: Sequence[StepSpec],
) -> ApprovalPolicy:
    """Save a policy with its steps (replacing the old steps); at least one approval step is needed."""
    actor.require(Capability.MANAGE_STRATEGY)
    require_same_organization(actor, department, channel, campaign, policy)
    steps = [s for s in steps if s.name.strip()]
    if not any(s.kind == ApprovalStep.Kind.APPROVAL for s in steps):
        raise ValidationError(_("A policy needs at least one approval step."))
    for step in steps:
        require_same_organization(actor, *step.people, *step.departments)
        if step.kind == ApprovalStep.Kind.APPROVAL and not (
            step.people or step.roles or step.departments or step.external_emails.strip()
        ):
            raise ValidationError(
                _("Step “%(name)s” has no approvers. Choose people, roles, departments or e-mail addresses.")
                % {"name": step.name}
            )
        for email in step.external_emails.split():
            try:
                validate_email(email)
            except ValidationError:
                raise ValidationError(_("“%(email)s” is not an e-mail address.") % {"email": email}) from None
        if set(step.roles) - set(Role.values):
            raise ValidationError(_("Unknown role in step “%(name)s”.") % {"name": step.name})
        _refuse_who_cannot_decide(step)
    if sum(x is not None for x in (department, channel, campaign)) > 1:
        raise ValidationError(
            _("A policy applies to the organisation, or to one department, channel or campaign.")
        )
    same_scope = ApprovalPolicy.objects.filter(
        organization=actor.organization, department=department, channel=channel, campaign=campaign
    )
    if policy is not None:
        same_scope = same_scope.exclude(pk=policy.pk)
    if (clash := same_scope.first()) is not None:
        raise ValidationError(
            _(
                "The policy “%(name)s” already applies to this scope. Change that policy, or choose another "
                "scope for this one."
            )
            % {"name": clash.name}
        )
    created = policy is None
    policy = policy or ApprovalPolicy(organization=actor.organization)
    policy.name, policy.department, policy.channel, policy.campaign = (
        name.strip(),
        department,
        channel,
        campaign,
    )
    policy.reapprove_after_edit, policy.review_hours_before = reapprove_after_edit, review_hours_before
    policy.save()
    policy.steps.all().delete()
    for position, spec in enumerate(steps):
        created_step = ApprovalStep.objects.create(
            policy=policy,
            position=position,
            name=spec.name.strip(),
            kind=spec.kind,
            mode=spec.mode,
            roles=list(spec.roles),
            external_emails="\n".join(spec.external_emails.split()),
        )
        created_step.approvers.set(spec.people)
        created_step.departments.set(spec.departments)
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="policy.created" if created else "policy.updated",
        obj=policy,
        after={"name": policy.name, "steps": [s.name for s in steps]},
    )
    return policy


@transaction.atomic
def policy_delete(*, actor: Membership, policy: ApprovalPolicy) -> None:
    actor.require(Capability.MANAGE_STRATEGY)
    require_same_organization(actor, policy)
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="policy.deleted",
        obj=policy,
        before={"name": policy.name},
    )
    policy.delete()
