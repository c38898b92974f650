"""Content requests (briefings) from the departments: filed, asked back, answered, accepted into the plan or
declined. Every step is audited and tells the people concerned."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import PurePath
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from onevoice.core import audit
from onevoice.networks.models import Channel
from onevoice.organization.access import NotAllowed
from onevoice.organization.models import Department, Membership
from onevoice.organization.roles import Capability, Role
from onevoice.planning import services
from onevoice.planning.models import ContentRequest, Notification, Post, RequestAttachment, Topic
from onevoice.planning.notifications import notify
from onevoice.webhooks import events as webhook_events

R = ContentRequest.Status
OPEN = (R.SUBMITTED, R.QUESTION)
DECIDERS = (Role.ADMIN, Role.SMM)
PUBLISH_HOUR = time(10, 0)  # an accepted request is planned at 10:00 on the first wished day

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_ATTACHMENTS = 10
_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
# What a file must start with, by its extension: the browser's content type is not trusted.
ATTACHMENT_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".webp": (b"RIFF",),
    ".pdf": (b"%PDF-",),
    ".docx": _ZIP,
    ".xlsx": _ZIP,
    ".pptx": _ZIP,
    ".odt": _ZIP,
    ".ods": _ZIP,
    ".odp": _ZIP,
    ".doc": _OLE,
    ".xls": _OLE,
    ".ppt": _OLE,
}


@dataclass(frozen=True)
class Attachment:
    name: str
    content: bytes
    content_type: str = ""  # as the browser said; informative only


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    who: str
    verb: str
    label: str
    text: str


def request_url(request: ContentRequest) -> str:
    return reverse("planning:request", args=[request.organization.slug, request.public_id])


# ---- who may do what ---------------------------------------------------------------------------------


def may_decide_request(member: Membership, request: ContentRequest) -> bool:
    """The SMM and admins decide every request; a CM those of their own departments."""
    if not member.is_active or member.organization_id != request.organization_id:
        return False
    if member.role in DECIDERS:
        return True
    return member.role == Role.CM and member.departments.filter(pk=request.department_id).exists()


def may_see_request(member: Membership, request: ContentRequest) -> bool:
    """Deciders see all requests; contributors their own, those naming them as contact, their departments'."""
    if request.organization_id != member.organization_id or not member.can(Capability.CREATE_CONTENT):
        return False
    if member.role in (*DECIDERS, Role.CM):
        return True
    if member.pk in (request.requester_id, request.contact_id):
        return True
    return member.departments.filter(pk=request.department_id).exists()


def visible_requests(member: Membership) -> QuerySet[ContentRequest]:
    """The requests this person may see (the same rule as `may_see_request`), newest first."""
    requests = ContentRequest.objects.filter(organization_id=member.organization_id).select_related(
        "department", "requester__user", "topic"
    )
    if not member.can(Capability.CREATE_CONTENT):
        return requests.none()
    if member.role not in (*DECIDERS, Role.CM):
        requests = requests.filter(
            Q(requester=member) | Q(contact=member) | Q(department__in=member.departments.all())
        ).distinct()
    return requests.order_by("-created_at", "-pk")


def may_answer_request(member: Membership, request: ContentRequest) -> bool:
    return request.status == R.QUESTION and member.pk in (request.requester_id, request.contact_id)


def deciders_of(request: ContentRequest) -> QuerySet[Membership]:
    """The people who decide this request: SMM and admins, and the CMs of its department (one query)."""
    return (
        Membership.objects.active()
        .filter(organization_id=request.organization_id)
        .filter(Q(role__in=DECIDERS) | Q(role=Role.CM, departments=request.department_id))
        .distinct()
    )


def _require_decider(actor: Membership, request: ContentRequest) -> None:
    if not may_decide_request(actor, request):
        raise NotAllowed(Capability.CREATE_CONTENT)


def _locked(request: ContentRequest) -> ContentRequest:
    """The request as it is now, inside the transaction: two people deciding at once cannot both win."""
    current = ContentRequest.objects.select_for_update().get(pk=request.pk)
    request.status, request.answer = current.status, current.answer
    return request


def _tell_requester(request: ContentRequest, actor: Membership, text: str) -> None:
    people = [request.requester] + ([request.contact] if request.contact else [])
    notify(people, Notification.Kind.REQUEST_STATUS, text, request_url(request), exclude=actor)


def _tell_deciders(request: ContentRequest, actor: Membership, text: str) -> None:
    notify(deciders_of(request), Notification.Kind.REQUEST_STATUS, text, request_url(request), exclude=actor)


# ---- checks of the material --------------------------------------------------------------------------


def check_attachment(name: str, size: int, head: bytes) -> None:
    """Refuse files over 20 MB and files that are not images, PDFs or office documents (by their content)."""
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            _(
                "“%(name)s” has %(size)s; files can have at most 20 MB each. Make it smaller, or share it "
                "as a link."
            )
            % {"name": name, "size": filesizeformat(size)},
            code="too_large",
        )
    signatures = ATTACHMENT_SIGNATURES.get(PurePath(name).suffix.lower())
    if (
        not signatures
        or not any(head.startswith(s) for s in signatures)
        or (PurePath(name).suffix.lower() == ".webp" and head[8:12] != b"WEBP")
    ):
        raise ValidationError(
            _(
                "“%(name)s” is not an image, PDF or office document. Allowed are JPEG, PNG, GIF, WebP, PDF, "
                "Word, Excel, PowerPoint and OpenDocument files of at most 20 MB each."
            )
            % {"name": name},
            code="wrong_type",
        )


def clean_links(links: str) -> str:
    """One web address per line; blank lines dropped; anything else refused with its line number."""
    validate = URLValidator(schemes=["http", "https"])
    kept = []
    for number, line in enumerate(links.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        try:
            validate(line)
        except ValidationError:
            raise ValidationError(
                _("Line %(number)s is not a web address: “%(line)s”. Put one link per line, with https://.")
                % {"number": number, "line": line[:80]},
                code="bad_link",
            ) from None
        kept.append(line)
    return "\n".join(kept)


def _date(value: date | None) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else ""


def wished_period(request: ContentRequest) -> str:
    if request.wished_from and request.wished_until and request.wished_until != request.wished_from:
        return f"{_date(request.wished_from)} – {_date(request.wished_until)}"
    return _date(request.wished_from) or (
        _("until %(date)s") % {"date": _date(request.wished_until)} if request.wished_until else ""
    )


# ---- the transitions ---------------------------------------------------------------------------------


@transaction.atomic
def request_file(
    *,
    actor: Membership,
    department: Department,
    title: str,
    goal: str = "",
    briefing: str = "",
    links: str = "",
    topic: Topic | None = None,
    wished_from: date | None = None,
    wished_until: date | None = None,
    channels: Sequence[Channel] = (),
    contact: Membership | None = None,
    attachments: Sequence[Attachment] = (),
) -> ContentRequest:
    """A department brings a topic: a briefing with material, a wished date and channels."""
    actor.require(Capability.CREATE_CONTENT)
    for obj in (department, topic, contact, *channels):
        if obj is not None and obj.organization_id != actor.organization_id:
            raise NotAllowed(Capability.CREATE_CONTENT)
    errors: dict[str, list[ValidationError]] = {}
    if not title.strip():
        errors.setdefault("title", []).append(
            ValidationError(_("Give the request a title: what should be on social media?"))
        )
    if actor.role not in (*DECIDERS, Role.CM) and not actor.departments.filter(pk=department.pk).exists():
        errors.setdefault("department", []).append(ValidationError(_("Choose one of your own departments.")))
    if wished_from and wished_until and wished_until < wished_from:
        errors.setdefault("wished_until", []).append(
            ValidationError(_("The end of the wished period is before its start. Choose a later end date."))
        )
    try:
        links = clean_links(links)
    except ValidationError as error:
        errors.setdefault("links", []).append(error)
    if len(attachments) > MAX_ATTACHMENTS:
        errors.setdefault("attachments", []).append(
            ValidationError(
                _("Attach at most %(count)s files; share more as a link.") % {"count": MAX_ATTACHMENTS}
            )
        )
    for attachment in attachments:
        try:
            check_attachment(attachment.name, len(attachment.content), attachment.content[:16])
        except ValidationError as error:
            errors.setdefault("attachments", []).append(error)
    if errors:
        raise ValidationError(errors)

    request = ContentRequest.objects.create(
        organization=actor.organization,
        department=department,
        requester=actor,
        contact=contact,
        title=title.strip(),
        topic=topic,
        goal=goal.strip(),
        briefing=briefing.strip(),
        links=links,
        wished_from=wished_from,
        wished_until=wished_until,
    )
    request.wished_channels.set(channels)
    for attachment in attachments:
        name = PurePath(attachment.name).name[-200:]
        item = RequestAttachment(request=request, name=name, size=len(attachment.content))
        item.file.save(name[-80:], ContentFile(attachment.content), save=False)
        item.save()
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="request.filed",
        obj=request,
        after={
            "title": request.title,
            "department": department.name,
            "wished_from": wished_from,
            "wished_until": wished_until,
            "channels": sorted(c.name for c in channels),
            "attachments": [a.name for a in attachments],
        },
    )
    _tell_deciders(
        request,
        actor,
        _("New request from %(department)s: “%(title)s”.") % {"department": department.name, "title": title},
    )
    webhook_events.request_filed(request)
    return request


def _post_notes(request: ContentRequest) -> str:
    """What the planner should know from the request, in the post's internal notes."""
    lines = [
        _("From the request of %(who)s (%(department)s).")
        % {"who": request.requester.user, "department": request.department.name}
    ]
    if request.goal:
        lines.append(_("Goal: %(goal)s") % {"goal": request.goal})
    if request.wished_from or request.wished_until:
        lines.append(_("Wished: %(period)s") % {"period": wished_period(request)})
    if request.contact:
        lines.append(_("Contact person: %(who)s") % {"who": request.contact.user})
    if request.links:
        lines.append(_("Links:") + "\n" + request.links)
    for entry in request_history(request):
        if entry.verb in ("request.question", "request.answered"):
            lines.append(f"{entry.label} ({entry.who}): {entry.text}")
    return "\n".join(lines)


@transaction.atomic
def request_accept(*, actor: Membership, request: ContentRequest) -> Post:
    """Take the request into the plan: a draft post linked to it, on the wished channels, at 10:00 (in the
    organisation's time zone) on the first wished day if that is still ahead."""
    _require_decider(actor, _locked(request))
    if request.status not in OPEN:
        raise services.InvalidTransition(
            _("This request was already decided (%(status)s).") % {"status": request.get_status_display()}
        )
    publish_at: datetime | None = None
    if request.wished_from:
        zone = ZoneInfo(request.organization.time_zone)
        planned = datetime.combine(request.wished_from, PUBLISH_HOUR, tzinfo=zone)
        publish_at = planned if planned > timezone.now() else None
    post = services.post_create(
        actor=actor,
        title=request.title,
        department=request.department,
        channels=list(request.wished_channels.all()),
        topic=request.topic,
        base_text=request.briefing,
        notes=_post_notes(request),
        publish_at=publish_at,
        status=Post.Status.DRAFT,
    )
    post.request = request
    post.save(update_fields=["request"])
    request.status = R.ACCEPTED
    request.answer = ""
    request.decided_by = actor
    request.save(update_fields=["status", "answer", "decided_by", "updated_at"])
    audit.record(
        actor=actor.user,
        organization=request.organization,
        verb="request.accepted",
        obj=request,
        after={"post": post.title, "post_id": post.public_id, "publish_at": publish_at},
    )
    _tell_requester(
        request,
        actor,
        _("Your request “%(title)s” was accepted and is in the plan.") % {"title": request.title},
    )
    return post


@transaction.atomic
def request_ask(*, actor: Membership, request: ContentRequest, question: str) -> ContentRequest:
    """Ask the requester something before deciding; the request waits for the answer."""
    _require_decider(actor, _locked(request))
    if request.status != R.SUBMITTED:
        raise services.InvalidTransition(
            _("Only a submitted request can be asked about; this one is: %(status)s.")
            % {"status": request.get_status_display()}
        )
    question = question.strip()
    if not question:
        raise ValidationError({"text": _("Write your question to the department.")})
    request.status = R.QUESTION
    request.answer = question
    request.save(update_fields=["status", "answer", "updated_at"])
    audit.record(
        actor=actor.user,
        organization=request.organization,
        verb="request.question",
        obj=request,
        after={"question": question},
    )
    _tell_requester(
        request,
        actor,
        _("Question about your request “%(title)s”: %(question)s")
        % {"title": request.title, "question": question},
    )
    return request


@transaction.atomic
def request_answer(*, actor: Membership, request: ContentRequest, answer: str) -> ContentRequest:
    """The requester (or the contact person) answers; the request is back with the deciders. The question
    and the answer stay in the request's history."""
    _locked(request)
    if request.organization_id != actor.organization_id or actor.pk not in (
        request.requester_id,
        request.contact_id,
    ):
        raise NotAllowed(Capability.CREATE_CONTENT)
    if request.status != R.QUESTION:
        raise services.InvalidTransition(_("There is no open question on this request."))
    answer = answer.strip()
    if not answer:
        raise ValidationError({"text": _("Write your answer to the question.")})
    question = request.answer
    request.status = R.SUBMITTED
    request.answer = ""
    request.save(update_fields=["status", "answer", "updated_at"])
    audit.record(
        actor=actor.user,
        organization=request.organization,
        verb="request.answered",
        obj=request,
        before={"question": question},
        after={"answer": answer},
    )
    _tell_deciders(
        request,
        actor,
        _("%(who)s answered on “%(title)s”: %(answer)s")
        % {
            "who": actor.user,
            "title": request.title,
            "answer": answer,
        },
    )
    return request


@transaction.atomic
def request_decline(*, actor: Membership, request: ContentRequest, reason: str) -> ContentRequest:
    """Decline with a reason the department can act on."""
    _require_decider(actor, _locked(request))
    if request.status not in OPEN:
        raise services.InvalidTransition(
            _("This request was already decided (%(status)s).") % {"status": request.get_status_display()}
        )
    reason = reason.strip()
    if not reason:
        raise ValidationError({"text": _("Give a reason, so the department understands the decision.")})
    request.status = R.DECLINED
    request.answer = reason
    request.decided_by = actor
    request.save(update_fields=["status", "answer", "decided_by", "updated_at"])
    audit.record(
        actor=actor.user,
        organization=request.organization,
        verb="request.declined",
        obj=request,
        after={"reason": reason},
    )
    _tell_requester(
        request,
        actor,
        _("Your request “%(title)s” was declined: %(reason)s") % {"title": request.title, "reason": reason},
    )
    return request


# ---- reading -----------------------------------------------------------------------------------------

_HISTORY_TEXT = {
    "request.question": "question",
    "request.answered": "answer",
    "request.declined": "reason",
    "request.accepted": "post",
}


def request_history(request: ContentRequest) -> list[HistoryEntry]:
    """Every step of the request from the audit log, oldest first, with the question, answer or reason."""
    from onevoice.core.models import AuditEvent

    events = (
        AuditEvent.objects.filter(
            organization_id=request.organization_id,
            object_type=ContentRequest._meta.model_name,
            object_id=str(request.public_id),
        )
        .select_related("actor")
        .order_by("created_at", "id")
    )
    return [
        HistoryEntry(
            at=event.created_at,
            who=str(event.actor) if event.actor else event.actor_label,
            verb=event.verb,
            label=audit.verb_label(event.verb),
            text=str((event.after or {}).get(_HISTORY_TEXT.get(event.verb, ""), "")),
        )
        for event in events
    ]
