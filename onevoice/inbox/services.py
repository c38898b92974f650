"""Writes of casework: owning and triaging cases, notes, answers to the community and moderation.

Every function checks the permission through organization/access.py, checks the state it starts from,
saves with `update_fields`, writes an audit event and sends side effects (notifications, the worker task
that talks to the network) only after commit.

Replies go out exactly once: a `Reply` is queued, one worker claims it with a conditional update
(queued → sending), calls the connector with the reply's idempotency key (Bluesky: a record key derived
from it, so a retry after a lost answer finds the same post instead of making a second) and stores the
answer as an outbound message of the thread. A refused reply keeps its text for editing and resending
under the same key. Two people answering at once: the second reply is held until its author confirms.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onevoice.core import audit
from onevoice.core.http import BlockedAddress
from onevoice.inbox.models import (
    Assignment,
    Case,
    CasePresence,
    InternalNote,
    Message,
    MessageKind,
    Priority,
    Reply,
    ReplyApprovalRule,
    SavedReply,
    Sentiment,
    Tag,
    TriageCorrection,
)
from onevoice.networks.connectors.base import (
    AuthExpired,
    ConnectorError,
    PublishRequest,
    PublishResult,
    RateLimited,
    Unconfirmed,
)
from onevoice.networks.connectors.base import Capability as ConnectorCapability
from onevoice.networks.models import Channel
from onevoice.networks.registry import connector_class, connector_for
from onevoice.organization.access import (
    NotAllowed,
    may_reply_case,
    may_see_case,
    may_work_case,
    require_same_organization,
)
from onevoice.organization.models import Department, Membership
from onevoice.organization.roles import Capability, Role
from onevoice.planning.models import Notification, Topic
from onevoice.planning.notifications import notify
from onevoice.webhooks import events as webhook_events

log = logging.getLogger(__name__)

R = Reply.State
S = Case.Status
PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]{0,40})\}")
LANGUAGES = ("de", "en", "fr", "it", "es", "nl", "pl", "tr")
# Rules about campaigns' hashtags and ad disclosure are about posts, not answers to a person.
RULES_NOT_FOR_REPLIES = frozenset({"required_hashtags", "disclosure"})
CLOSED_OR_DISCARDED = (R.SENT, R.DISCARDED)


def case_url(case: Case) -> str:
    return reverse("inbox:case", args=[case.organization.slug, case.public_id])


def _snapshot(case: Case) -> dict[str, Any]:
    return {
        "status": case.status,
        "priority": case.priority,
        "department": case.department.name if case.department_id and case.department else None,
        "assignee": case.assignee.user.email if case.assignee_id and case.assignee else None,
        "needs_reply": case.needs_reply,
    }


def _record(actor: Membership | None, case: Case, verb: str, **kwargs: Any) -> None:
    audit.record(
        actor=actor.user if actor is not None else None,
        organization=case.organization,
        verb=verb,
        obj=case,
        **kwargs,
    )


def _require_work(actor: Membership, case: Case) -> None:
    if not may_work_case(actor, case):
        raise NotAllowed(Capability.REPLY)


def may_manage_inbox(member: Membership) -> bool:
    """Saved replies, approval rules and tags are the SMM's (and the admin's)."""
    manage = getattr(Capability, "MANAGE_INBOX", None)
    if manage is not None and member.can(manage):
        return True
    return member.is_active and member.role in (Role.ADMIN, Role.SMM)


# ---- owning a case ---------------------------------------------------------------------------------


@transaction.atomic
def case_assign(
    *,
    actor: Membership,
    case: Case,
    assignee: Membership | None,
    department: Department | None = None,
    keep_department: bool = True,
) -> Case:
    """Give the case to a person (or nobody) and optionally another department; the new owner is told."""
    _require_work(actor, case)
    require_same_organization(actor, department, capability=Capability.REPLY)
    if assignee is not None and (assignee.organization_id != actor.organization_id or not assignee.is_active):
        raise NotAllowed(Capability.REPLY)
    if assignee is not None and not assignee.can(Capability.REPLY):
        raise ValidationError(
            _("%(name)s does not answer the community in OneVoice.") % {"name": assignee.user}
        )
    before = _snapshot(case)
    case.assignee = assignee
    if not keep_department:
        case.department = department
    if case.status == S.NEW and assignee is not None:
        case.status = S.OPEN
    case.save(update_fields=["assignee", "department", "status", "updated_at"])
    Assignment.objects.create(
        case=case,
        department=case.department,
        assignee=assignee,
        by=actor,
        reason=_("taken") if assignee is not None and assignee.pk == actor.pk else _("assigned by hand"),
    )
    _record(actor, case, "case.assigned", before=before, after=_snapshot(case))
    webhook_events.case_assigned(case)
    if assignee is not None and assignee.pk != actor.pk:
        notify(
            [assignee],
            Notification.Kind.CASE_ASSIGNED,
            _("%(who)s gave you a case on %(channel)s: %(subject)s")
            % {"who": actor.user, "channel": case.channel.name, "subject": case.subject[:200]},
            case_url(case),
            exclude=actor,
        )
    return case


def case_take(*, actor: Membership, case: Case) -> Case:
    return case_assign(actor=actor, case=case, assignee=actor)


TRANSITIONS: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.OPEN, S.WAITING, S.CLOSED}),
    S.OPEN: frozenset({S.WAITING, S.CLOSED}),
    S.WAITING: frozenset({S.OPEN, S.CLOSED}),
    S.CLOSED: frozenset({S.OPEN}),
}


@transaction.atomic
def case_set_status(*, actor: Membership, case: Case, status: str) -> Case:
    """new → open → waiting for the customer → closed; a person may reopen a closed case."""
    _require_work(actor, case)
    if status not in S.values:
        raise ValidationError(_("Choose one of the statuses."))
    if status == case.status:
        return case
    if status not in TRANSITIONS[case.status]:
        raise ValidationError(
            _("A case that is “%(from)s” cannot become “%(to)s”.")
            % {"from": case.get_status_display(), "to": S(status).label}
        )
    before = _snapshot(case)
    case.status = status
    case.closed_at = timezone.now() if status == S.CLOSED else None
    case.save(update_fields=["status", "closed_at", "updated_at"])
    _record(actor, case, "case.status_changed", before=before, after=_snapshot(case))
    return case


@transaction.atomic
def case_update(
    *,
    actor: Membership,
    case: Case,
    priority: str | None = None,
    tags: Iterable[Tag] | None = None,
    needs_reply: bool | None = None,
) -> Case:
    """Priority, tags and "needs no reply": each only when given."""
    _require_work(actor, case)
    before = {**_snapshot(case), "tags": sorted(t.name for t in case.tags.all())}
    fields = ["updated_at"]
    if priority is not None:
        if priority not in Priority.values:
            raise ValidationError(_("Choose one of the priorities."))
        case.priority = priority
        fields.append("priority")
    if needs_reply is not None:
        case.needs_reply = needs_reply
        fields.append("needs_reply")
    case.save(update_fields=fields)
    if tags is not None:
        chosen = list(tags)
        require_same_organization(actor, *chosen, capability=Capability.REPLY)
        case.tags.set(chosen)
    after = {**_snapshot(case), "tags": sorted(t.name for t in case.tags.all())}
    if after != before:
        _record(actor, case, "case.updated", before=before, after=after)
    return case


# ---- notes and triage ------------------------------------------------------------------------------

MENTION = re.compile(r"@([\wÀ-ÿ.\-]+(?: [\wÀ-ÿ.\-]+)?)")


def mentioned_members(organization_id: int, text: str) -> list[Membership]:
    """People named as @Vorname Nachname, or @Vorname when only one person has that first name."""
    members = list(Membership.objects.active().filter(organization_id=organization_id).select_related("user"))
    found: dict[int, Membership] = {}
    lowered = text.lower()
    for member in members:
        if member.user.full_name and f"@{member.user.full_name.lower()}" in lowered:
            found[member.pk] = member
    for word in MENTION.findall(text):
        first = word.split(" ")[0].lower()
        same = [m for m in members if m.user.full_name.lower().split(" ")[0] == first]
        if len(same) == 1:
            found.setdefault(same[0].pk, same[0])
    return list(found.values())


@transaction.atomic
def note_add(*, actor: Membership, case: Case, text: str) -> InternalNote:
    """An internal note for colleagues; the people @mentioned who can see the case are notified."""
    if not may_see_case(actor, case) or not actor.can(Capability.COMMENT):
        raise NotAllowed(Capability.COMMENT)
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write the note first.")})
    if len(text) > 5000:
        raise ValidationError({"text": _("A note can have at most 5,000 characters.")})
    note = InternalNote.objects.create(case=case, author=actor, text=text)
    named = mentioned_members(case.organization_id, text)
    reachable = [m for m in named if may_see_case(m, case)]
    note.mentions.set(reachable)
    note.unreachable = [m for m in named if m not in reachable]  # type: ignore[attr-defined]
    _record(actor, case, "case.note_added", after={"text": text[:500]})
    notify(
        reachable,
        Notification.Kind.CASE_NOTE_MENTION,
        _("%(who)s mentioned you in a case note: %(text)s") % {"who": actor.user, "text": text[:300]},
        case_url(case),
        exclude=actor,
    )
    return note


TRIAGE_VALUES: dict[str, set[str]] = {
    TriageCorrection.Field.SENTIMENT: set(Sentiment.values),
    TriageCorrection.Field.OFFENSIVE: {"yes", "no"},
}


@transaction.atomic
def triage_correct(*, actor: Membership, message: Message, field: str, value: str) -> TriageCorrection | None:
    """Correct one triage label of an inbound message; the correction is kept to evaluate triage later.

    The case shows the triage of its newest inbound message, so correcting that one updates the case too."""
    case = message.case
    _require_work(actor, case)
    if message.direction != Message.Direction.INBOUND:
        raise ValidationError(_("Only messages from the community have triage labels."))
    value = value.strip().lower()
    if field == TriageCorrection.Field.LANGUAGE:
        if not re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{2,8})?", value):
            raise ValidationError(_("Give the language as a code such as de or en."))
    elif field not in TRIAGE_VALUES or value not in TRIAGE_VALUES[field]:
        raise ValidationError(_("Choose one of the offered labels."))
    if field == TriageCorrection.Field.OFFENSIVE:
        old = "yes" if message.offensive else "no"
    else:
        old = str(getattr(message, field) or "")
    if old == value:
        return None
    correction = TriageCorrection.objects.create(
        message=message, field=field, old_value=old, new_value=value, by=actor
    )
    stored: Any = value == "yes" if field == TriageCorrection.Field.OFFENSIVE else value
    setattr(message, field, stored)
    message.save(update_fields=[field])
    newest = (
        Message.objects.filter(case=case, direction=Message.Direction.INBOUND)
        .order_by("-created_at", "-id")
        .first()
    )
    if newest is not None and newest.pk == message.pk:
        setattr(case, field, stored)
        case.save(update_fields=[field, "updated_at"])
    _record(actor, case, "case.triage_corrected", before={field: old}, after={field: value})
    return correction


# ---- replies ---------------------------------------------------------------------------------------


def author_name_of(case: Case) -> str:
    """How a saved reply addresses the person: their name if the network gave one, else @handle."""
    message = (
        Message.objects.filter(case=case, direction=Message.Direction.INBOUND)
        .order_by("-created_at", "-id")
        .first()
    )
    if message is not None:
        if message.author_name.strip():
            return message.author_name.strip()
        if message.author_handle:
            return f"@{message.author_handle}"
    if case.contact is not None and case.contact.display_name:
        return case.contact.display_name
    return ""


def fill_placeholders(text: str, case: Case) -> str:
    """Fill what OneVoice knows ({name}); the rest ({order_number} …) stays for the person to fill."""
    name = author_name_of(case)
    return text.replace("{name}", name) if name else text


def placeholders_left(text: str) -> list[str]:
    return list(dict.fromkeys(m.group(0) for m in PLACEHOLDER.finditer(text)))


def voice_findings(case: Case, text: str) -> Any:
    """The voice rules that apply to the case (organisation, its department, channel or campaign) on the
    reply's text, in the form the composer shows (`voice.selectors.VariantFindings`-like)."""
    from onevoice.voice import selectors as voice
    from onevoice.voice.checker import VariantFacts

    rules = [
        r
        for r in voice.active_rules(case.organization_id)
        if r.kind not in RULES_NOT_FOR_REPLIES
        and (r.department_id is None or r.department_id == case.department_id)
        and (r.channel_id is None or r.channel_id == case.channel_id)
        and (r.campaign_id is None or (case.post is not None and r.campaign_id == case.post.campaign_id))
    ]
    facts = VariantFacts(text=text, language=(case.language or "de")[:2], network=case.channel.network)
    items = voice.run_check(facts, rules)
    return voice.VariantFindings(variant=None, text=text, items=items, rules=len(rules))  # type: ignore[arg-type]


def reply_problems(case: Case, text: str) -> list[str]:
    """Everything that stops this text from going out: empty, too long for the network, a placeholder
    still to fill, a blocking voice rule."""
    problems: list[str] = []
    if not text.strip():
        return [_("Write the answer first.")]
    try:
        connector = connector_class(case.channel.network)
    except KeyError:
        connector = None
    if connector is not None:
        for violation in connector(credentials={}).check(PublishRequest(text=text)):
            problems.append(violation.message)
    left = placeholders_left(text)
    if left:
        problems.append(_("Fill in %(placeholders)s before sending.") % {"placeholders": ", ".join(left)})
    found = voice_findings(case, text)
    for item in found.blocking:
        problems.append(f"{item.rule.name}: {item.finding.message}")
    return problems


def needs_approval(case: Case, author: Membership) -> bool:
    """A rule for this person or this channel, or a tag of the case, says replies wait for approval."""
    rules = ReplyApprovalRule.objects.filter(organization_id=case.organization_id)
    if rules.filter(membership=author).exists() or rules.filter(channel_id=case.channel_id).exists():
        return True
    return case.tags.filter(replies_need_approval=True).exists()


def _latest_inbound(case: Case) -> Message | None:
    return (
        Message.objects.filter(case=case, direction=Message.Direction.INBOUND)
        .order_by("-created_at", "-id")
        .first()
    )


def _lock_case(case: Case) -> None:
    """Take the case's row lock (PostgreSQL) or the write lock (SQLite) so replies are decided one at a time."""
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())


def _answered_meanwhile(
    case: Case, actor: Membership, opened_at: datetime | None, exclude: Reply | None
) -> bool:
    if opened_at is None:
        return False
    others = Reply.objects.filter(
        case=case,
        created_at__gt=opened_at,
        state__in=[R.QUEUED, R.SENDING, R.SENT, R.PENDING_APPROVAL],
    ).exclude(author=actor)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    outbound = Message.objects.filter(
        case=case, direction=Message.Direction.OUTBOUND, received_at__gt=opened_at
    )
    return others.exists() or outbound.exclude(sent_by=actor).exists()


def _route(reply: Reply, actor: Membership, *, held: bool) -> None:
    """Decide where a reply goes next: held, waiting for approval or queued for the worker."""
    case = reply.case
    if held:
        reply.state = R.HELD
    elif needs_approval(case, actor):
        reply.state = R.PENDING_APPROVAL
    else:
        reply.state = R.QUEUED
    reply.error = ""
    reply.save(update_fields=["state", "error", "text", "saved_reply", "decision_note", "decided_by"])
    if reply.state == R.PENDING_APPROVAL:
        from onevoice.inbox.selectors import approvers_for

        notify(
            approvers_for(case),
            Notification.Kind.REPLY_APPROVAL_NEEDED,
            _("%(who)s wrote a reply on %(channel)s that needs your approval: %(text)s")
            % {"who": actor.user, "channel": case.channel.name, "text": reply.text[:300]},
            case_url(case),
            exclude=actor,
        )
    elif reply.state == R.QUEUED:
        enqueue_reply(reply)


def enqueue_reply(reply: Reply) -> None:
    from onevoice.inbox import tasks_casework

    reply_id = reply.pk
    transaction.on_commit(lambda: tasks_casework.send_reply(reply_id))


@transaction.atomic
def reply_submit(
    *,
    actor: Membership,
    case: Case,
    text: str,
    saved_reply: SavedReply | None = None,
    opened_at: datetime | None = None,
    confirm: bool = False,
) -> Reply:
    """Write an answer: checked (length, placeholders, voice rules), then held if someone else answered
    since the composer opened (unless confirmed), else waiting for approval or on its way."""
    if not may_reply_case(actor, case):
        raise NotAllowed(Capability.REPLY)
    require_same_organization(actor, saved_reply, capability=Capability.REPLY)
    text = text.strip()
    problems = reply_problems(case, text)
    if problems:
        raise ValidationError(problems)
    _lock_case(case)
    held = not confirm and _answered_meanwhile(case, actor, opened_at, None)
    reply = Reply.objects.create(
        case=case,
        in_reply_to=_latest_inbound(case),
        author=actor,
        text=text,
        saved_reply=saved_reply,
        state=R.HELD if held else R.QUEUED,
    )
    _route(reply, actor, held=held)
    _record(actor, case, "reply.submitted", after={"text": text[:500], "state": reply.state})
    return reply


def _require_author_or_manager(actor: Membership, reply: Reply) -> None:
    if not may_reply_case(actor, reply.case):
        raise NotAllowed(Capability.REPLY)
    if reply.author_id != actor.pk and not may_manage_inbox(actor):
        raise NotAllowed(Capability.REPLY)


@transaction.atomic
def reply_confirm(*, actor: Membership, reply: Reply) -> Reply:
    """Send a held reply anyway (its author has read what the colleague answered)."""
    _require_author_or_manager(actor, reply)
    if reply.state != R.HELD:
        raise ValidationError(_("This reply is not held."))
    _lock_case(reply.case)
    _route(reply, actor, held=False)
    _record(actor, reply.case, "reply.confirmed", after={"state": reply.state})
    return reply


@transaction.atomic
def reply_resubmit(
    *, actor: Membership, reply: Reply, text: str, opened_at: datetime | None = None, confirm: bool = False
) -> Reply:
    """Edit and send again a reply that failed or came back from approval; it keeps its idempotency key,
    so a reply the network took after all is not posted twice."""
    _require_author_or_manager(actor, reply)
    if reply.state not in (R.FAILED, R.REJECTED, R.HELD):
        raise ValidationError(_("Only a failed, returned or held reply can be sent again."))
    text = text.strip()
    problems = reply_problems(reply.case, text)
    if problems:
        raise ValidationError(problems)
    _lock_case(reply.case)
    reply.text = text
    reply.decision_note = ""
    reply.decided_by = None
    held = not confirm and _answered_meanwhile(reply.case, actor, opened_at, reply)
    _route(reply, actor, held=held)
    _record(actor, reply.case, "reply.resubmitted", after={"text": text[:500], "state": reply.state})
    return reply


@transaction.atomic
def reply_discard(*, actor: Membership, reply: Reply) -> Reply:
    _require_author_or_manager(actor, reply)
    if reply.state not in (R.HELD, R.FAILED, R.REJECTED, R.PENDING_APPROVAL):
        raise ValidationError(_("This reply is already on its way or sent."))
    reply.state = R.DISCARDED
    reply.save(update_fields=["state"])
    _record(actor, reply.case, "reply.discarded", after={"text": reply.text[:500]})
    return reply


def _require_approver(actor: Membership, reply: Reply) -> None:
    if not actor.can(Capability.APPROVE) or not may_see_case(actor, reply.case):
        raise NotAllowed(Capability.APPROVE)
    if reply.author_id == actor.pk:
        raise ValidationError(_("Someone else has to approve your own reply."))
    if reply.state != R.PENDING_APPROVAL:
        raise ValidationError(_("This reply is not waiting for approval any more."))


@transaction.atomic
def reply_approve(*, actor: Membership, reply: Reply) -> Reply:
    """Approve a reply: it goes out at once, and its author is told."""
    _require_approver(actor, reply)
    changed = Reply.objects.filter(pk=reply.pk, state=R.PENDING_APPROVAL).update(
        state=R.QUEUED, decided_by=actor
    )
    if not changed:
        raise ValidationError(_("This reply is not waiting for approval any more."))
    reply.state, reply.decided_by = R.QUEUED, actor
    enqueue_reply(reply)
    _record(actor, reply.case, "reply.approved", after={"text": reply.text[:500]})
    if reply.author is not None:
        notify(
            [reply.author],
            Notification.Kind.REPLY_DECIDED,
            _("%(who)s approved your reply; it is being sent.") % {"who": actor.user},
            case_url(reply.case),
            exclude=actor,
        )
    return reply


@transaction.atomic
def reply_return(*, actor: Membership, reply: Reply, note: str) -> Reply:
    """Send a reply back to its author with a note; the text stays for editing."""
    _require_approver(actor, reply)
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Say what should change, so the author can fix it.")})
    reply.state = R.REJECTED
    reply.decided_by = actor
    reply.decision_note = note[:1000]
    reply.save(update_fields=["state", "decided_by", "decision_note"])
    _record(actor, reply.case, "reply.returned", after={"note": note[:500]})
    if reply.author is not None:
        notify(
            [reply.author],
            Notification.Kind.REPLY_DECIDED,
            _("%(who)s returned your reply: %(note)s") % {"who": actor.user, "note": note[:300]},
            case_url(reply.case),
            exclude=actor,
        )
    return reply


# ---- the worker's side -----------------------------------------------------------------------------


def reply_run(reply_id: int) -> str:
    """Send one queued reply through the channel's connector; safe to call twice (one claim wins)."""
    now = timezone.now()
    if not Reply.objects.filter(pk=reply_id, state=R.QUEUED).update(state=R.SENDING):
        return ""
    reply = Reply.objects.select_related(
        "case__channel", "case__organization", "case__contact", "in_reply_to", "author__user"
    ).get(pk=reply_id)
    case = reply.case
    channel = case.channel
    if channel.state != Channel.State.CONNECTED:
        return _reply_failed(
            reply,
            _(
                "The channel %(channel)s is not connected (%(state)s). Reconnect or resume it, then send again."
            )
            % {"channel": channel.name, "state": channel.get_state_display()},
        )
    target = reply.in_reply_to or _latest_inbound(case)
    if target is None:
        return _reply_failed(reply, _("There is no message from the community to answer in this case."))
    request = PublishRequest(
        text=reply.text, language=(case.language or "")[:2], in_reply_to=target.external_id
    )
    connector = None
    try:
        connector = connector_for(channel)
        try:
            result = connector.reply(
                to_external_id=target.external_id, request=request, idempotency_key=reply.idempotency_key
            )
        except Unconfirmed as error:
            found = connector.find_published(
                idempotency_key=reply.idempotency_key, request=request, not_before=now
            )
            if found is None:
                return _reply_failed(
                    reply,
                    _(
                        "%(network)s did not confirm the reply and does not show it. Send it again: "
                        "it will not be posted twice."
                    )
                    % {"network": connector.label},
                    detail=error.message,
                )
            result = found
    except RateLimited as error:
        Reply.objects.filter(pk=reply.pk, state=R.SENDING).update(state=R.QUEUED, error=error.message[:1000])
        from onevoice.inbox import tasks_casework

        tasks_casework.send_reply.schedule(args=(reply.pk,), eta=error.retry_after)
        return R.QUEUED
    except AuthExpired as error:
        from onevoice.networks.services import channel_mark_reconnect, explain

        channel_mark_reconnect(channel, explain(error, channel.get_network_display()), None)
        return _reply_failed(reply, explain(error, channel.get_network_display()))
    except ConnectorError as error:
        from onevoice.networks.services import explain

        return _reply_failed(reply, explain(error, channel.get_network_display()))
    except (BlockedAddress, OSError, ValueError) as error:
        return _reply_failed(reply, str(error))
    finally:
        close = getattr(connector, "close", None)
        if callable(close):
            close()
    _reply_sent(reply, target, result)
    return R.SENT


@transaction.atomic
def _reply_sent(reply: Reply, target: Message, result: PublishResult) -> None:
    case = reply.case
    channel = case.channel
    at = result.published_at or timezone.now()
    message, _created = Message.objects.get_or_create(
        channel=channel,
        external_id=result.external_id,
        defaults={
            "case": case,
            "direction": Message.Direction.OUTBOUND,
            "kind": MessageKind.OUR_REPLY,
            "author_id": channel.external_account_id,
            "author_handle": channel.handle,
            "author_name": channel.display_name or channel.name,
            "text": reply.text,
            "url": result.url[:1000],
            "in_reply_to": target.external_id,
            "thread_root": target.thread_root or target.external_id,
            "created_at": at,
            "language": (case.language or "")[:12],
            "sent_by": reply.author,
        },
    )
    Reply.objects.filter(pk=reply.pk).update(state=R.SENT, message=message, sent_at=at, error="")
    reply.state, reply.message, reply.sent_at = R.SENT, message, at
    locked = Case.objects.select_for_update().get(pk=case.pk)
    fields = ["updated_at", "message_count", "last_message_at"]
    locked.message_count = Message.objects.filter(case=locked).count()
    locked.last_message_at = max(locked.last_message_at, at)
    if locked.first_response_at is None:
        locked.first_response_at = at  # the SLA clock of the first response stops here
        fields.append("first_response_at")
    if locked.status in (S.NEW, S.OPEN):
        locked.status = S.WAITING
        fields.append("status")
    locked.save(update_fields=fields)
    audit.record(
        actor=reply.author.user if reply.author else None,
        organization=case.organization,
        verb="reply.sent",
        obj=case,
        after={"text": reply.text[:500], "url": result.url},
    )


def _reply_failed(reply: Reply, reason: str, *, detail: str = "") -> str:
    with transaction.atomic():
        Reply.objects.filter(pk=reply.pk).update(state=R.FAILED, error=reason[:1000])
        case = reply.case
        audit.record(
            actor=reply.author.user if reply.author else None,
            organization=case.organization,
            verb="reply.failed",
            obj=case,
            after={"error": reason[:500], "detail": detail[:500]},
        )
        if reply.author is not None:
            notify(
                [reply.author],
                Notification.Kind.REPLY_FAILED,
                _("Your reply on %(channel)s was not sent: %(reason)s")
                % {"channel": case.channel.name, "reason": reason[:300]},
                case_url(case),
            )
    log.info("reply %s failed: %s %s", reply.pk, reason, detail)
    return R.FAILED


def replies_sweep() -> int:
    """Re-send the task of replies queued for more than a minute (a lost task never strands a reply)."""
    from datetime import timedelta

    from onevoice.inbox import tasks_casework

    stale = timezone.now() - timedelta(minutes=1)
    ids = list(Reply.objects.filter(state=R.QUEUED, created_at__lt=stale).values_list("pk", flat=True)[:200])
    for reply_id in ids:
        tasks_casework.send_reply(reply_id)
    return len(ids)


# ---- moderation ------------------------------------------------------------------------------------


def _network_action(actor: Membership, message: Message, action: str) -> None:
    case = message.case
    if not actor.can(Capability.MODERATE) or not may_work_case(actor, case):
        raise NotAllowed(Capability.MODERATE)
    connector = connector_for(case.channel)
    try:
        getattr(connector, action)(message.external_id)
    except ConnectorError as error:
        from onevoice.networks.services import explain

        raise ValidationError(explain(error, case.channel.get_network_display())) from error
    finally:
        close = getattr(connector, "close", None)
        if callable(close):
            close()


def message_like(*, actor: Membership, message: Message) -> Message:
    """Like a message from the community as the channel's account."""
    if message.direction != Message.Direction.INBOUND:
        raise ValidationError(_("Only messages from the community can be liked."))
    _network_action(actor, message, "like")
    message.liked_at = timezone.now()
    message.save(update_fields=["liked_at"])
    _record(actor, message.case, "message.liked", after={"message": message.external_id})
    return message


def message_hide(*, actor: Membership, message: Message) -> Message:
    """Hide a comment on the network (moderation), where the network has that."""
    if message.direction != Message.Direction.INBOUND:
        raise ValidationError(_("Only messages from the community can be hidden."))
    _network_action(actor, message, "hide")
    message.hidden_at = timezone.now()
    message.save(update_fields=["hidden_at"])
    Case.objects.filter(pk=message.case_id).update(hidden=True)
    _record(actor, message.case, "message.hidden", after={"message": message.external_id})
    return message


def message_delete(*, actor: Membership, message: Message) -> Message:
    """Delete one of our own answers from the network; it stays in the thread, marked as deleted."""
    if message.direction != Message.Direction.OUTBOUND:
        raise ValidationError(_("OneVoice can only delete the organisation's own answers."))
    if message.deleted_at is not None:
        return message
    _network_action(actor, message, "delete")
    message.deleted_at = timezone.now()
    message.save(update_fields=["deleted_at"])
    _record(
        actor,
        message.case,
        "message.deleted",
        after={"message": message.external_id, "text": message.text[:500]},
    )
    return message


def cases_hide_on_network(case_ids: list[int]) -> int:
    """A routing rule said "hide": hide these cases' community messages on networks that can.

    Runs on the worker after ingestion committed; a network that refuses leaves the message visible there
    (the case stays marked hidden in OneVoice, and a CM can try again from the case page).
    """
    hidden = 0
    messages = Message.objects.filter(
        case_id__in=case_ids, direction=Message.Direction.INBOUND, hidden_at=None
    ).select_related("case__channel")
    connectors: dict[int, Any] = {}
    try:
        for message in messages:
            channel = message.case.channel
            if ConnectorCapability.HIDE not in connector_class(channel.network).capabilities:
                continue
            if channel.pk not in connectors:
                connectors[channel.pk] = connector_for(channel)
            try:
                connectors[channel.pk].hide(message.external_id)
            except ConnectorError as error:
                log.warning("inbox: hiding %s on %s failed: %s", message.external_id, channel.network, error)
                continue
            Message.objects.filter(pk=message.pk).update(hidden_at=timezone.now())
            hidden += 1
    finally:
        for connector in connectors.values():
            close = getattr(connector, "close", None)
            if callable(close):
                close()
    return hidden


# ---- collision detection ---------------------------------------------------------------------------


def presence_beat(*, actor: Membership, case: Case, typing: bool = False) -> None:
    """This person has the case open (and is typing): one row per person and case, updated in place."""
    if not may_see_case(actor, case):
        raise NotAllowed(Capability.COMMENT)
    now = timezone.now()
    updated = CasePresence.objects.filter(case=case, membership=actor).update(
        seen_at=now, **({"typing_at": now} if typing else {})
    )
    if not updated:
        CasePresence.objects.get_or_create(
            case=case, membership=actor, defaults={"seen_at": now, "typing_at": now if typing else None}
        )


def presence_leave(*, actor: Membership, case: Case) -> None:
    CasePresence.objects.filter(case=case, membership=actor).delete()


# ---- saved replies (Textbausteine) -----------------------------------------------------------------


def _saved_snapshot(saved: SavedReply) -> dict[str, Any]:
    return {
        "title": saved.title,
        "topic": saved.topic.name if saved.topic_id and saved.topic else None,
        "language": saved.language,
        "text": saved.text,
        "active": saved.active,
    }


def _clean_saved(actor: Membership, *, title: str, text: str, language: str, topic: Topic | None) -> None:
    if not may_manage_inbox(actor):
        raise NotAllowed(Capability.MANAGE_STRATEGY)
    require_same_organization(actor, topic)
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Give the saved reply a title the team will recognise.")
    if not text.strip():
        errors["text"] = _("Write the text of the saved reply.")
    if language not in LANGUAGES:
        errors["language"] = _("Choose one of the languages.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def saved_reply_create(
    *,
    actor: Membership,
    title: str,
    text: str,
    language: str = "de",
    topic: Topic | None = None,
    active: bool = True,
) -> SavedReply:
    _clean_saved(actor, title=title, text=text, language=language, topic=topic)
    saved = SavedReply.objects.create(
        organization=actor.organization,
        title=title.strip(),
        text=text.strip(),
        language=language,
        topic=topic,
        active=active,
        created_by=actor,
    )
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="saved_reply.created",
        obj=saved,
        after=_saved_snapshot(saved),
    )
    return saved


@transaction.atomic
def saved_reply_update(
    *,
    actor: Membership,
    saved: SavedReply,
    title: str,
    text: str,
    language: str,
    topic: Topic | None,
    active: bool,
) -> SavedReply:
    _clean_saved(actor, title=title, text=text, language=language, topic=topic)
    require_same_organization(actor, saved)
    before = _saved_snapshot(saved)
    saved.title, saved.text, saved.language, saved.topic, saved.active = (
        title.strip(),
        text.strip(),
        language,
        topic,
        active,
    )
    saved.save(update_fields=["title", "text", "language", "topic", "active", "updated_at"])
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="saved_reply.updated",
        obj=saved,
        before=before,
        after=_saved_snapshot(saved),
    )
    return saved


@transaction.atomic
def saved_reply_delete(*, actor: Membership, saved: SavedReply) -> None:
    if not may_manage_inbox(actor):
        raise NotAllowed(Capability.MANAGE_STRATEGY)
    require_same_organization(actor, saved)
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="saved_reply.deleted",
        obj=saved,
        before=_saved_snapshot(saved),
    )
    saved.delete()


# Textbausteine of the demo organisation (formal address); `inbox/demo.py` calls this once.
DEMO_SAVED_REPLIES = (
    (
        "Lieferstatus erfragen",
        "Hallo {name}, danke für Ihre Nachricht! Bitte schicken Sie uns Ihre Bestellnummer {order_number} "
        "per Direktnachricht, dann sehen wir sofort nach, wo Ihre Lieferung bleibt.",
    ),
    (
        "Danke für das Lob",
        "Vielen Dank, {name}! Das freut das ganze Team sehr. Wir geben Ihr Lob gern weiter.",
    ),
    (
        "Beschwerde aufnehmen",
        "Hallo {name}, das tut uns leid. Wir möchten das klären: Bitte schreiben Sie uns per Direktnachricht, "
        "was passiert ist, und nennen Sie uns Ihre Kundennummer {customer_number}.",
    ),
    (
        "Bewerbung und Ausbildung",
        "Hallo {name}, schön, dass Sie sich für uns interessieren! Alle offenen Stellen und "
        "Ausbildungsplätze finden Sie auf unserer Karriereseite. Bei Fragen hilft Ihnen unser Personalteam gern.",
    ),
)


def saved_replies_for_demo(*, actor: Membership) -> list[SavedReply]:
    """The demo's saved replies, created by its SMM (audited like any other)."""
    return [
        saved_reply_create(actor=actor, title=title, text=text, language="de")
        for title, text in DEMO_SAVED_REPLIES
    ]
