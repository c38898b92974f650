"""Writes of the inbox settings (admin and SMM): routing rules, SLA policies, the business calendar, tags,
reply-approval rules and the spike alert. Each write checks the capability and the organisation of every
object it links, and is audited with before and after."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from onevoice.core import audit
from onevoice.inbox.models import (
    ClosedDay,
    InboxSettings,
    ReplyApprovalRule,
    RoutingRule,
    SlaPolicy,
    Tag,
)
from onevoice.networks.models import Channel
from onevoice.organization.access import require_same_organization
from onevoice.organization.models import Membership
from onevoice.organization.roles import Capability

C = Capability

RULE_FIELDS = (
    "name",
    "active",
    "channel",
    "keywords",
    "language",
    "authors",
    "vip_only",
    "post_department",
    "campaign",
    "kind",
    "sentiment",
    "offensive",
    "assign_department",
    "assign_to",
    "set_priority",
    "no_reply_needed",
    "hide",
    "stop",
)
POLICY_FIELDS = ("name", "channel", "priority", "first_response_minutes", "resolution_minutes")


def _require(actor: Membership, *objects: Any) -> None:
    actor.require(C.MANAGE_INBOX)
    require_same_organization(actor, *objects, capability=C.MANAGE_INBOX)


def _record(actor: Membership, verb: str, obj: Any, before: Any = None, after: Any = None) -> None:
    audit.record(
        actor=actor.user, organization=actor.organization, verb=verb, obj=obj, before=before, after=after
    )


def settings_of(organization_id: int) -> InboxSettings:
    found, _created = InboxSettings.objects.get_or_create(organization_id=organization_id)
    return found


# ---- routing rules -----------------------------------------------------------------------------------


def rule_snapshot(rule: RoutingRule) -> dict[str, Any]:
    data: dict[str, Any] = {"position": rule.position}
    for name in RULE_FIELDS:
        value = getattr(rule, name)
        data[name] = str(value) if hasattr(value, "pk") else value
    data["add_tags"] = sorted(t.name for t in rule.add_tags.all()) if rule.pk else []
    return data


def _rule_check(actor: Membership, data: dict[str, Any], tags: list[Tag]) -> None:
    _require(
        actor,
        data.get("channel"),
        data.get("post_department"),
        data.get("campaign"),
        data.get("assign_department"),
        data.get("assign_to"),
        *tags,
    )
    if not str(data.get("name") or "").strip():
        raise ValidationError({"name": _("Give the rule a name people will recognise.")})
    assignee = data.get("assign_to")
    if assignee is not None and not assignee.is_active:
        raise ValidationError({"assign_to": _("Choose a person who is still in the organisation.")})
    for name in ("keywords", "authors"):  # one entry per line, whatever line ends the browser sent
        data[name] = "\n".join(
            line.strip() for line in str(data.get(name) or "").splitlines() if line.strip()
        )


@transaction.atomic
def rule_create(*, actor: Membership, data: dict[str, Any], tags: list[Tag]) -> RoutingRule:
    """A new rule, placed last."""
    _rule_check(actor, data, tags)
    last = RoutingRule.objects.filter(organization_id=actor.organization_id).aggregate(m=Max("position"))["m"]
    rule = RoutingRule(organization_id=actor.organization_id, position=(last or 0) + 1)
    for name in RULE_FIELDS:
        setattr(rule, name, data.get(name, getattr(rule, name)))
    rule.save()
    rule.add_tags.set(tags)
    _record(actor, "inbox.rule_created", rule, after=rule_snapshot(rule))
    return rule


@transaction.atomic
def rule_update(
    *, actor: Membership, rule: RoutingRule, data: dict[str, Any], tags: list[Tag]
) -> RoutingRule:
    _require(actor, rule)
    _rule_check(actor, data, tags)
    before = rule_snapshot(rule)
    for name in RULE_FIELDS:
        setattr(rule, name, data.get(name, getattr(rule, name)))
    rule.save()
    rule.add_tags.set(tags)
    _record(actor, "inbox.rule_updated", rule, before=before, after=rule_snapshot(rule))
    return rule


@transaction.atomic
def rule_delete(*, actor: Membership, rule: RoutingRule) -> None:
    _require(actor, rule)
    before = rule_snapshot(rule)
    _record(actor, "inbox.rule_deleted", rule, before=before)
    rule.delete()


@transaction.atomic
def rule_move(*, actor: Membership, rule: RoutingRule, up: bool) -> RoutingRule:
    """Swap the rule with its neighbour above or below; positions are renumbered 1, 2, 3 … on the way."""
    _require(actor, rule)
    rules = list(
        RoutingRule.objects.select_for_update()
        .filter(organization_id=actor.organization_id)
        .order_by("position", "id")
    )
    index = next(i for i, r in enumerate(rules) if r.pk == rule.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(rules):
        return rule
    rules[index], rules[other] = rules[other], rules[index]
    for position, item in enumerate(rules, start=1):
        if item.position != position:
            RoutingRule.objects.filter(pk=item.pk).update(position=position)
    _record(
        actor,
        "inbox.rule_moved",
        rule,
        before={"position": index + 1},
        after={"position": other + 1},
    )
    rule.position = other + 1
    return rule


# ---- SLA policies ------------------------------------------------------------------------------------


def policy_snapshot(policy: SlaPolicy) -> dict[str, Any]:
    return {
        "name": policy.name,
        "channel": policy.channel.name if policy.channel_id and policy.channel else None,
        "priority": policy.priority,
        "first_response_minutes": policy.first_response_minutes,
        "resolution_minutes": policy.resolution_minutes,
    }


def _policy_check(actor: Membership, data: dict[str, Any]) -> None:
    _require(actor, data.get("channel"))
    if not str(data.get("name") or "").strip():
        raise ValidationError({"name": _("Give the policy a name.")})
    first, resolution = data.get("first_response_minutes"), data.get("resolution_minutes")
    if not first or first < 1:
        raise ValidationError({"first_response_minutes": _("Enter at least one minute.")})
    if not resolution or resolution < first:
        raise ValidationError(
            {"resolution_minutes": _("Resolution cannot be due before the first answer. Enter more minutes.")}
        )


@transaction.atomic
def policy_create(*, actor: Membership, data: dict[str, Any]) -> SlaPolicy:
    _policy_check(actor, data)
    last = SlaPolicy.objects.filter(organization_id=actor.organization_id).aggregate(m=Max("position"))["m"]
    policy = SlaPolicy(organization_id=actor.organization_id, position=(last or 0) + 1)
    for name in POLICY_FIELDS:
        setattr(policy, name, data.get(name))
    policy.priority = policy.priority or ""
    policy.save()
    _record(actor, "inbox.sla_policy_created", policy, after=policy_snapshot(policy))
    return policy


@transaction.atomic
def policy_update(*, actor: Membership, policy: SlaPolicy, data: dict[str, Any]) -> SlaPolicy:
    _require(actor, policy)
    _policy_check(actor, data)
    before = policy_snapshot(policy)
    for name in POLICY_FIELDS:
        setattr(policy, name, data.get(name))
    policy.priority = policy.priority or ""
    policy.save()
    _record(actor, "inbox.sla_policy_updated", policy, before=before, after=policy_snapshot(policy))
    return policy


@transaction.atomic
def policy_delete(*, actor: Membership, policy: SlaPolicy) -> None:
    _require(actor, policy)
    _record(actor, "inbox.sla_policy_deleted", policy, before=policy_snapshot(policy))
    policy.delete()


# ---- business calendar and spike alert --------------------------------------------------------------


@transaction.atomic
def calendar_update(*, actor: Membership, holiday_state: str) -> InboxSettings:
    from onevoice.inbox.sla import holiday_states

    _require(actor)
    if holiday_state and holiday_state not in dict(holiday_states()):
        raise ValidationError({"holiday_state": _("Choose a state from the list.")})
    found = settings_of(actor.organization_id)
    before = {"holiday_state": found.holiday_state}
    found.holiday_state = holiday_state
    found.save(update_fields=["holiday_state", "updated_at"])
    _record(actor, "inbox.calendar_updated", found, before=before, after={"holiday_state": holiday_state})
    return found


@transaction.atomic
def closed_day_add(*, actor: Membership, day: date, name: str) -> ClosedDay:
    _require(actor)
    try:
        with transaction.atomic():
            closed = ClosedDay.objects.create(organization_id=actor.organization_id, day=day, name=name[:80])
    except IntegrityError:
        raise ValidationError({"day": _("This day is already closed.")}) from None
    _record(actor, "inbox.closed_day_added", closed, after={"day": day, "name": name})
    return closed


@transaction.atomic
def closed_day_delete(*, actor: Membership, closed: ClosedDay) -> None:
    _require(actor, closed)
    _record(actor, "inbox.closed_day_deleted", closed, before={"day": closed.day, "name": closed.name})
    closed.delete()


@transaction.atomic
def spike_update(*, actor: Membership, factor: Decimal, minimum: int) -> InboxSettings:
    _require(actor)
    if factor < 1:
        raise ValidationError({"spike_factor": _("The factor must be at least 1 (the usual level).")})
    if minimum < 1:
        raise ValidationError({"spike_minimum": _("Enter at least one message.")})
    found = settings_of(actor.organization_id)
    before = {"spike_factor": found.spike_factor, "spike_minimum": found.spike_minimum}
    found.spike_factor, found.spike_minimum = factor, minimum
    found.save(update_fields=["spike_factor", "spike_minimum", "updated_at"])
    _record(
        actor,
        "inbox.spike_updated",
        found,
        before=before,
        after={"spike_factor": factor, "spike_minimum": minimum},
    )
    return found


# ---- tags and reply approval ------------------------------------------------------------------------


def _tag_check(actor: Membership, name: str, tag: Tag | None) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Give the tag a name.")})
    clash = Tag.objects.filter(organization_id=actor.organization_id, name__iexact=name)
    if tag is not None:
        clash = clash.exclude(pk=tag.pk)
    if clash.exists():
        raise ValidationError({"name": _("A tag with this name exists already.")})
    return name


@transaction.atomic
def tag_create(*, actor: Membership, name: str, replies_need_approval: bool) -> Tag:
    _require(actor)
    name = _tag_check(actor, name, None)
    tag = Tag.objects.create(
        organization_id=actor.organization_id, name=name, replies_need_approval=replies_need_approval
    )
    _record(
        actor, "inbox.tag_created", tag, after={"name": name, "replies_need_approval": replies_need_approval}
    )
    return tag


@transaction.atomic
def tag_update(*, actor: Membership, tag: Tag, name: str, replies_need_approval: bool) -> Tag:
    _require(actor, tag)
    name = _tag_check(actor, name, tag)
    before = {"name": tag.name, "replies_need_approval": tag.replies_need_approval}
    tag.name, tag.replies_need_approval = name, replies_need_approval
    tag.save(update_fields=["name", "replies_need_approval"])
    _record(
        actor,
        "inbox.tag_updated",
        tag,
        before=before,
        after={"name": name, "replies_need_approval": replies_need_approval},
    )
    return tag


@transaction.atomic
def tag_delete(*, actor: Membership, tag: Tag) -> None:
    _require(actor, tag)
    _record(actor, "inbox.tag_deleted", tag, before={"name": tag.name})
    tag.delete()


def _approval_label(rule: ReplyApprovalRule) -> dict[str, Any]:
    if rule.membership_id is not None and rule.membership is not None:
        return {"person": rule.membership.user.email}
    return {"channel": rule.channel.name if rule.channel is not None else None}


@transaction.atomic
def approval_rule_add(
    *, actor: Membership, membership: Membership | None = None, channel: Channel | None = None
) -> ReplyApprovalRule:
    """Replies by this person, or on this channel, wait for approval."""
    _require(actor, membership, channel)
    if (membership is None) == (channel is None):
        raise ValidationError(_("Choose either a person or a channel."))
    existing = ReplyApprovalRule.objects.filter(
        organization_id=actor.organization_id, membership=membership, channel=channel
    ).first()
    if existing is not None:
        return existing
    rule = ReplyApprovalRule.objects.create(
        organization_id=actor.organization_id, membership=membership, channel=channel
    )
    _record(actor, "inbox.approval_rule_added", rule, after=_approval_label(rule))
    return rule


@transaction.atomic
def approval_rule_delete(*, actor: Membership, rule: ReplyApprovalRule) -> None:
    _require(actor, rule)
    _record(actor, "inbox.approval_rule_deleted", rule, before=_approval_label(rule))
    rule.delete()
