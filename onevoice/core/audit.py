"""The audit log: services call `record` for every change that matters; nothing in the app deletes it."""

from __future__ import annotations

import contextvars
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from onevoice.core.models import AuditEvent

if TYPE_CHECKING:
    from onevoice.accounts.models import User
    from onevoice.organization.models import Organization

# The client address of the request being served; set by middleware, empty in tasks and commands.
current_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("current_ip", default=None)


def _jsonable(value: Any) -> Any:
    """Turn a snapshot into plain JSON (dates, decimals and UUIDs as strings)."""
    if value is None:
        return None
    import json

    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def record(
    *,
    actor: User | None,
    organization: Organization | None,
    verb: str,
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event; call it inside the service's transaction so both commit together."""
    object_id = ""
    if obj is not None:
        object_id = str(getattr(obj, "public_id", None) or obj.pk)
    return AuditEvent.objects.create(
        organization=organization,
        actor=actor if actor is not None and actor.pk else None,
        actor_label=getattr(actor, "email", "") or "",
        verb=verb,
        object_type=(obj._meta.model_name or "") if obj is not None else "",
        object_id=object_id,
        object_repr=str(obj)[:255] if obj is not None else "",
        before=_jsonable(before),
        after=_jsonable(after),
        ip_address=current_ip.get(),
    )


# Readable names of the audit verbs, for the audit log page and its CSV export.
VERB_LABELS: dict[str, Any] = {}


def _register_labels() -> None:
    from django.utils.translation import gettext_lazy as _

    VERB_LABELS.update(
        {
            "organization.created": _("Organisation created"),
            "organization.updated": _("Organisation settings changed"),
            "department.created": _("Department created"),
            "department.updated": _("Department changed"),
            "department.deleted": _("Department deleted"),
            "membership.created": _("Person joined"),
            "membership.updated": _("Role, departments or hours changed"),
            "membership.deactivated": _("Person removed"),
            "membership.reactivated": _("Person re-admitted"),
            "invitation.created": _("Invitation sent"),
            "invitation.resent": _("Invitation sent again"),
            "invitation.revoked": _("Invitation withdrawn"),
            "invitation.accepted": _("Invitation accepted"),
            "channel.connected": _("Channel connected"),
            "channel.updated": _("Channel settings changed"),
            "channel.needs_reconnect": _("Channel needs reconnecting"),
            "channel.reconnected": _("Channel reconnected"),
            "channel.paused": _("Channel paused"),
            "channel.resumed": _("Channel resumed"),
            "channel.disconnected": _("Channel disconnected"),
            "channel.access_changed": _("Channel access changed"),
            "post.publish_requested": _("Publication requested"),
            "post.published": _("Post published"),
            "post.publish_failed": _("Publication failed"),
            "post.deleted": _("Post deleted"),
            "post.created": _("Post planned"),
            "post.updated": _("Post changed"),
            "variant.updated": _("Channel text changed"),
            "post.back_to_review": _("Back to review after a change"),
            "post.rescheduled": _("Post rescheduled"),
            "post.submitted": _("Submitted for review"),
            "post.approved": _("Approved"),
            "post.changes_requested": _("Changes requested"),
            "post.feedback": _("Feedback given"),
            "post.approved_all": _("Fully approved"),
            "post.withdrawn": _("Post withdrawn"),
            "post.reopened": _("Back to draft"),
            "post.commented": _("Commented"),
            "request.filed": _("Request filed"),
            "request.question": _("Question about a request"),
            "request.answered": _("Request question answered"),
            "request.accepted": _("Request accepted into the plan"),
            "request.declined": _("Request declined"),
            "campaign.created": _("Campaign created"),
            "campaign.updated": _("Campaign changed"),
            "topic.created": _("Topic created"),
            "topic.updated": _("Topic changed"),
            "topic.deleted": _("Topic deleted"),
            "blackout.created": _("Blackout period set"),
            "blackout.deleted": _("Blackout period removed"),
            "channel.rules_changed": _("Channel planning rules changed"),
            "policy.created": _("Approval policy created"),
            "policy.updated": _("Approval policy changed"),
            "policy.deleted": _("Approval policy deleted"),
            "calendar_feed.created": _("Calendar feed created"),
            "calendar_feed.revoked": _("Calendar feed revoked"),
            "plan.imported": _("Plan imported from CSV"),
            "post.status_followed": _("Post status set by its publications"),
            "publication.published": _("Published on a channel"),
            "publication.failed": _("Publication failed"),
            "publication.unconfirmed": _("Publication unconfirmed"),
            "publication.needs_person": _("Publication too late: waiting for a person"),
            "publication.changed": _("Publication changed"),
            "publication.retried": _("Publication sent again"),
            "publication.cancelled": _("Publication cancelled"),
            "publishing.paused": _("All publishing paused"),
            "publishing.resumed": _("Publishing resumed"),
            "publishing.settings_changed": _("Publishing settings changed"),
            "target_group.created": _("Target group created"),
            "target_group.updated": _("Target group changed"),
            "target_group.deleted": _("Target group deleted"),
            "goal.created": _("Goal created"),
            "goal.updated": _("Goal changed"),
            "goal.deleted": _("Goal deleted"),
            "kpi_target.created": _("KPI target added"),
            "kpi_target.updated": _("KPI target changed"),
            "kpi_target.deleted": _("KPI target deleted"),
            "channel_strategy.updated": _("Channel strategy changed"),
            "voice_rule.created": _("Voice rule created"),
            "voice_rule.updated": _("Voice rule changed"),
            "voice_rule.deleted": _("Voice rule deleted"),
            "voice_finding.overridden": _("Voice finding allowed to pass"),
            "post.partnership_changed": _("Paid partnership changed"),
            "post.extra_approval_required": _("Extra approval required (sensitive mention)"),
            "channel.impressum_set": _("Impressum of the channel set"),
            "guideline.created": _("Guideline created"),
            "guideline.draft_saved": _("Guideline draft saved"),
            "guideline.draft_discarded": _("Guideline draft discarded"),
            "guideline.published": _("Guideline version published"),
            "guideline.acknowledged": _("Guideline read and confirmed"),
            "guideline.reminded": _("Reminded to read a guideline"),
            "app_registration.saved": _("App registration saved"),
            "app_registration.removed": _("App registration removed"),
            "case.assigned": _("Case assigned"),
            "case.status_changed": _("Case status changed"),
            "case.updated": _("Case changed (priority, tags, needs a reply)"),
            "case.note_added": _("Internal note added"),
            "case.triage_corrected": _("Triage label corrected"),
            "reply.submitted": _("Reply written"),
            "reply.confirmed": _("Held reply sent anyway"),
            "reply.resubmitted": _("Reply edited and sent again"),
            "reply.discarded": _("Reply discarded"),
            "reply.approved": _("Reply approved"),
            "reply.returned": _("Reply returned with a note"),
            "reply.sent": _("Reply sent"),
            "reply.failed": _("Reply failed"),
            "message.liked": _("Message liked"),
            "message.hidden": _("Message hidden"),
            "message.deleted": _("Our answer deleted from the network"),
            "saved_reply.created": _("Saved reply created"),
            "saved_reply.updated": _("Saved reply changed"),
            "saved_reply.deleted": _("Saved reply deleted"),
            "inbox.rule_created": _("Routing rule created"),
            "inbox.rule_updated": _("Routing rule changed"),
            "inbox.rule_deleted": _("Routing rule deleted"),
            "inbox.rule_moved": _("Routing rule moved"),
            "inbox.sla_policy_created": _("Response time target created"),
            "inbox.sla_policy_updated": _("Response time target changed"),
            "inbox.sla_policy_deleted": _("Response time target deleted"),
            "inbox.calendar_updated": _("Inbox business calendar changed"),
            "inbox.closed_day_added": _("Closed day added"),
            "inbox.closed_day_deleted": _("Closed day removed"),
            "inbox.tag_created": _("Inbox tag created"),
            "inbox.tag_updated": _("Inbox tag changed"),
            "inbox.tag_deleted": _("Inbox tag deleted"),
            "inbox.approval_rule_added": _("Reply approval rule added"),
            "inbox.approval_rule_deleted": _("Reply approval rule removed"),
            "inbox.spike_updated": _("Spike alert thresholds changed"),
            "inbox.retention_changed": _("Retention rule changed"),
            "inbox.retention_applied": _("Retention applied to old cases"),
            "contact.updated": _("Contact changed"),
            "contact.merged": _("Contacts merged"),
            "contact.exported": _("Contact data exported (DSGVO)"),
            "contact.erased": _("Contact erased on request (DSGVO)"),
            "forward.created": _("Question forwarded to an expert"),
            "forward.revoked": _("Expert link revoked"),
            "forward.answered": _("Expert suggested an answer"),
            "workload.settings_changed": _("Workload rules changed"),
            "workload.norm_saved": _("Effort norm saved"),
            "workload.norm_deleted": _("Effort norm removed"),
            "workload.inbox_norm_saved": _("Minutes per inbox case saved"),
            "workload.duty_created": _("Recurring duty added"),
            "workload.duty_deleted": _("Recurring duty removed"),
            "workload.absence_recorded": _("Absence recorded"),
            "workload.absence_deleted": _("Absence removed"),
            "workload.holidays_imported": _("Public holidays imported"),
            "workload.holiday_deleted": _("Public holiday removed"),
            "workload.task_done": _("Task marked done"),
            "workload.task_reopened": _("Task opened again"),
            "workload.task_reassigned": _("Task reassigned"),
            "workload.person_viewed": _("Per-person workload figures viewed"),
            "workload.person_view_refused": _("Per-person workload figures refused"),
            "analytics.schedule_created": _("Report schedule created"),
            "analytics.schedule_changed": _("Report schedule changed"),
            "analytics.schedule_deleted": _("Report schedule deleted"),
            "analytics.retention_changed": _("Retention of metric samples changed"),
            "analytics.report_sent": _("Report sent by hand"),
            "sso.settings_changed": _("Single sign-on settings changed"),
            "sso.login": _("Signed in with single sign-on"),
            "sso.member_joined": _("Joined through single sign-on"),
            "sso.role_changed": _("Role changed by the identity provider's groups"),
            "sso.last_admin_kept": _("Last administrator kept (group mapping would have demoted)"),
            "totp.enabled": _("Two-factor authentication switched on"),
            "totp.disabled": _("Two-factor authentication switched off"),
            "totp.recovery_codes_renewed": _("New recovery codes created"),
            "totp.recovery_code_used": _("Recovery code used to log in"),
            "enablement.defaults_created": _("Default role profiles and onboarding created"),
            "skill.created": _("Skill added"),
            "skill.updated": _("Skill changed"),
            "skill.deleted": _("Skill removed"),
            "role_profile.created": _("Role profile created"),
            "role_profile.updated": _("Role profile changed"),
            "role_profile.deleted": _("Role profile deleted"),
            "role_profile.attached": _("Role profile attached to a person"),
            "role_profile.detached": _("Role profile taken off a person"),
            "onboarding.checklist_updated": _("Onboarding welcome text changed"),
            "onboarding.step_added": _("Onboarding step added"),
            "onboarding.step_changed": _("Onboarding step changed"),
            "onboarding.steps_reordered": _("Onboarding steps reordered"),
            "onboarding.step_removed": _("Onboarding step removed"),
            "onboarding.step_done": _("Onboarding step done"),
            "onboarding.step_reopened": _("Onboarding step opened again"),
            "onboarding.person_viewed": _("A person's onboarding viewed"),
            "training.recorded": _("Training recorded"),
            "training.updated": _("Training changed"),
            "training.deleted": _("Training deleted"),
            "webhook.created": _("Webhook created"),
            "webhook.updated": _("Webhook changed"),
            "webhook.deleted": _("Webhook deleted"),
            "webhook.secret_rotated": _("Webhook secret renewed"),
            "webhook.tested": _("Webhook test event sent"),
            "webhook.redelivered": _("Webhook delivery sent again"),
            "webhook.failing": _("Webhook marked failing"),
            "webhook.recovered": _("Webhook delivering again"),
            "chat_target.created": _("Chat notification created"),
            "chat_target.updated": _("Chat notification changed"),
            "chat_target.deleted": _("Chat notification deleted"),
            "chat_target.tested": _("Chat test message sent"),
            "chat_target.redelivered": _("Chat message sent again"),
            "chat_target.failing": _("Chat notification marked failing"),
            "chat_target.recovered": _("Chat notification delivering again"),
            "api_token.created": _("API token created"),
            "api_token.revoked": _("API token revoked"),
            "assessment.started": _("Self-assessment started"),
            "assessment.completed": _("Self-assessment completed"),
            "assessment.deleted": _("Self-assessment deleted"),
            "assessment.model_applied": _("Organisation model applied from the self-assessment"),
        }
    )


_register_labels()


def verb_label(verb: str) -> str:
    return str(VERB_LABELS.get(verb, verb))


def _field_labels() -> dict[str, Any]:
    from django.utils.translation import gettext_lazy as _

    return {
        "name": _("name"),
        "description": _("description"),
        "is_central_team": _("central team"),
        "time_zone": _("time zone"),
        "form_of_address": _("form of address"),
        "model": _("organisation model"),
        "business_hours": _("business hours"),
        "person": _("person"),
        "role": _("role"),
        "departments": _("departments"),
        "weekly_hours": _("weekly hours"),
        "is_active": _("active"),
        "email": _("e-mail address"),
        "expires_at": _("valid until"),
        "state": _("state"),
        "network": _("network"),
        "handle": _("handle"),
        "department": _("department"),
        "require_alt_text": _("images need alt text"),
        "access": _("access"),
        "members": _("members"),
        "reason": _("reason"),
        "url": _("link"),
        "text": _("text"),
        "error": _("error"),
        "channel": _("channel"),
        "comment": _("comment"),
        "title": _("title"),
        "version": _("version"),
        "change_note": _("what changed"),
        "priority": _("priority"),
        "assignee": _("assigned to"),
        "tags": _("tags"),
        "needs_reply": _("needs a reply"),
        "status": _("status"),
    }


def _choice_label(field: str, value: str) -> str | None:
    from onevoice.networks.models import Access, Channel
    from onevoice.organization.models import Organization
    from onevoice.organization.roles import Role

    choices = {
        "role": Role,
        "form_of_address": Organization.FormOfAddress,
        "model": Organization.Model,
        "access": Access,
        "state": Channel.State,
    }.get(field)
    if choices is None or value not in choices.values:
        return None
    return str(choices(value).label)


def readable_value(value: Any, field: str = "") -> str:
    """A stored before/after value as a person reads it: Ja/Nein, lists joined, business hours compact."""
    from django.utils.translation import gettext as _

    if isinstance(value, str) and (label := _choice_label(field, value)):
        return label
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return str(_("yes")) if value else str(_("no"))
    if isinstance(value, list):
        return ", ".join(readable_value(v) for v in value)
    if isinstance(value, dict):
        days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        if set(value) <= set(days):
            from onevoice.organization.models import WEEKDAY_LABELS

            parts = []
            for day in days:
                span = value.get(day)
                label = str(WEEKDAY_LABELS[day])[:2]
                parts.append(f"{label} {span[0]}–{span[1]}" if span else f"{label} –")
            return ", ".join(parts)
        return ", ".join(f"{k}: {readable_value(v)}" for k, v in value.items())
    return str(value)


def readable_changes(event: AuditEvent) -> list[tuple[str, str | None, str | None]]:
    """(field label, before, after) in words; before is None for a creation, after None for a deletion."""
    labels = _field_labels()
    rows = []
    for field, old, new in event.changed_fields:
        rows.append(
            (
                str(labels.get(field, field)),
                readable_value(old, field) if event.before is not None else None,
                readable_value(new, field) if event.after is not None else None,
            )
        )
    return rows
