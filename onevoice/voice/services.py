"""Writes of the voice rules: rules (SMM only, validated by the checker), overrides of findings, a post's
paid-partnership flag, a channel's Impressum link, and what submission records (findings, extra approval).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from onevoice.core import audit
from onevoice.networks.models import Channel
from onevoice.organization.access import NotAllowed, may_edit_post, require_same_organization
from onevoice.organization.models import Department, Membership
from onevoice.organization.roles import Capability, Role
from onevoice.planning.models import Campaign, Post, PostVariant
from onevoice.voice import checker, selectors
from onevoice.voice.checker import RuleKind, Severity
from onevoice.voice.models import ExtraApproval, FindingOverride, PostFlags, VoiceFinding, VoiceRule


def _snapshot(rule: VoiceRule) -> dict[str, Any]:
    target = rule.scope_target
    return {
        "name": rule.name,
        "kind": rule.kind,
        "severity": rule.severity,
        "params": rule.params,
        "scope": f"{rule.scope_kind}:{target.name}" if target is not None else "organization",
        "active": rule.active,
    }


def rule_problems(kind: str, params: dict[str, Any]) -> list[str]:
    """What is wrong with a rule, in words: an unknown kind, or what the checker finds in its parameters."""
    if kind not in RuleKind.__members__.values():
        return [_("Choose one of the kinds of rule.")]
    return checker.validate(RuleKind(kind), params)


def _clean(
    actor: Membership,
    *,
    name: str,
    kind: str,
    severity: str,
    params: dict[str, Any],
    department: Department | None,
    channel: Channel | None,
    campaign: Campaign | None,
) -> None:
    actor.require(Capability.MANAGE_STRATEGY)
    require_same_organization(actor, department, channel, campaign)
    if not name.strip():
        raise ValidationError({"name": _("Give the rule a name people will recognise.")})
    if severity not in (Severity.BLOCK, Severity.WARN):
        raise ValidationError({"severity": _("Choose whether the rule blocks or warns.")})
    if sum(x is not None for x in (department, channel, campaign)) > 1:
        raise ValidationError(
            _("A rule applies to the whole organisation or to one department, channel or campaign.")
        )
    problems = rule_problems(kind, params)
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def rule_create(
    *,
    actor: Membership,
    name: str,
    kind: str,
    severity: str,
    params: dict[str, Any],
    department: Department | None = None,
    channel: Channel | None = None,
    campaign: Campaign | None = None,
    active: bool = True,
) -> VoiceRule:
    """Add a voice rule; an invalid one (empty term list, unparseable pattern) is refused with the reason."""
    _clean(
        actor,
        name=name,
        kind=kind,
        severity=severity,
        params=params,
        department=department,
        channel=channel,
        campaign=campaign,
    )
    rule = VoiceRule.objects.create(
        organization=actor.organization,
        name=name.strip(),
        kind=kind,
        severity=severity,
        params=params,
        department=department,
        channel=channel,
        campaign=campaign,
        active=active,
        created_by=actor,
    )
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="voice_rule.created",
        obj=rule,
        after=_snapshot(rule),
    )
    return rule


@transaction.atomic
def rule_update(
    *,
    actor: Membership,
    rule: VoiceRule,
    name: str,
    severity: str,
    params: dict[str, Any],
    department: Department | None = None,
    channel: Channel | None = None,
    campaign: Campaign | None = None,
    active: bool = True,
) -> VoiceRule:
    """Change a rule (its kind stays: a different kind is a different rule)."""
    require_same_organization(actor, rule)
    _clean(
        actor,
        name=name,
        kind=rule.kind,
        severity=severity,
        params=params,
        department=department,
        channel=channel,
        campaign=campaign,
    )
    before = _snapshot(rule)
    rule.name, rule.severity, rule.params, rule.active = name.strip(), severity, params, active
    rule.department, rule.channel, rule.campaign = department, channel, campaign
    rule.save(
        update_fields=[
            "name",
            "severity",
            "params",
            "active",
            "department",
            "channel",
            "campaign",
            "updated_at",
        ]
    )
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="voice_rule.updated",
        obj=rule,
        before=before,
        after=_snapshot(rule),
    )
    return rule


@transaction.atomic
def rule_delete(*, actor: Membership, rule: VoiceRule) -> None:
    actor.require(Capability.MANAGE_STRATEGY)
    require_same_organization(actor, rule)
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="voice_rule.deleted",
        obj=rule,
        before=_snapshot(rule),
    )
    rule.delete()


@transaction.atomic
def finding_override(
    *, actor: Membership, post: Post, variant: PostVariant, rule: VoiceRule, reason: str
) -> FindingOverride:
    """Let a blocking finding pass on one variant; only the SMM (or an admin) may, and must say why."""
    if actor.role not in (Role.SMM, Role.ADMIN):
        raise NotAllowed(Capability.MANAGE_STRATEGY)
    actor.require(Capability.MANAGE_STRATEGY)
    require_same_organization(actor, post, rule)
    if variant.post_id != post.pk:
        raise NotAllowed(Capability.MANAGE_STRATEGY)
    if not reason.strip():
        raise ValidationError(
            {"reason": _("Say why this finding may pass; the reason is kept in the audit log.")}
        )
    if rule.severity != Severity.BLOCK:
        raise ValidationError(_("Only a blocking finding needs an override; a warning never stops a post."))
    override, _created = FindingOverride.objects.update_or_create(
        variant=variant, rule=rule, defaults={"post": post, "reason": reason.strip(), "by": actor}
    )
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="voice_finding.overridden",
        obj=post,
        after={"rule": rule.name, "channel": variant.channel.name, "reason": reason.strip()},
    )
    return override


@transaction.atomic
def post_flags_set(*, actor: Membership, post: Post, paid_partnership: bool) -> PostFlags:
    """Mark a post as a paid partnership (or not): the disclosure rules then ask for "Anzeige"."""
    if not may_edit_post(actor, post) or not post.is_editable:
        raise NotAllowed(Capability.CREATE_CONTENT)
    flags, _created = PostFlags.objects.get_or_create(post=post)
    if flags.paid_partnership != paid_partnership:
        before = flags.paid_partnership
        flags.paid_partnership = paid_partnership
        flags.save(update_fields=["paid_partnership"])
        audit.record(
            actor=actor.user,
            organization=actor.organization,
            verb="post.partnership_changed",
            obj=post,
            before={"paid_partnership": before},
            after={"paid_partnership": paid_partnership},
        )
    return flags


@transaction.atomic
def channel_impressum_set(*, actor: Membership, channel: Channel, url: str) -> Channel:
    """Set the address of the Impressum a channel points to (§ 5 DDG); only channel managers may."""
    actor.require(Capability.MANAGE_CHANNELS)
    require_same_organization(actor, channel)
    url = url.strip()
    try:
        URLValidator(schemes=["https", "http"])(url)
    except ValidationError:
        raise ValidationError(
            {
                "impressum_url": _(
                    "Enter the full address of the Impressum, e.g. https://example.org/impressum."
                )
            }
        ) from None
    channel = Channel.objects.select_for_update().get(pk=channel.pk)
    before = channel.config.get("impressum_url", "")
    channel.config = {**channel.config, "impressum_url": url}
    channel.save(update_fields=["config", "updated_at"])
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="channel.impressum_set",
        obj=channel,
        before={"impressum_url": before},
        after={"impressum_url": url},
    )
    return channel


# ---- submission ------------------------------------------------------------------------------------


def submission_problems(post: Post) -> list[str]:
    """The blocking findings nobody overrode: a post with any of them cannot go to review or be approved."""
    return selectors.blocking_problems(post)


def submission_record(*, actor: Membership, post: Post) -> ExtraApproval | None:
    """At submission: keep the findings for the voice report; a sensitive mention asks for the SMM's
    approval in this review round (returned, or None)."""
    found = selectors.findings_for_post(post)
    VoiceFinding.objects.bulk_create(
        VoiceFinding(
            organization_id=post.organization_id,
            post=post,
            variant=f.variant,
            department_id=post.department_id,
            rule=item.rule,
            rule_name=item.rule.name,
            kind=item.rule.kind,
            severity=item.finding.severity,
            message=item.finding.message,
            overridden=item.override is not None,
            review_round=post.review_round,
        )
        for f in found
        for item in f.items
    )
    sensitive = sorted(
        {f"{item.rule.name}: {item.finding.message}" for f in found for item in f.extra_approval}
    )
    if not sensitive:
        return None
    extra = ExtraApproval.objects.create(
        post=post, review_round=post.review_round, reason="\n".join(sensitive)
    )
    audit.record(
        actor=actor.user,
        organization=post.organization,
        verb="post.extra_approval_required",
        obj=post,
        after={"reason": extra.reason, "round": post.review_round},
    )
    return extra
