"""Content requests (briefings) from the departments: filed, asked back, accepted into the plan or declined."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onevoice.core import audit
from onevoice.networks.models import Channel
from onevoice.organization.access import NotAllowed
from onevoice.organization.models import Department, Membership
from onevoice.organization.roles import Capability, Role
from onevoice.planning import services
from onevoice.planning.models import ContentRequest, Notification, Post, RequestAttachment, Topic
from onevoice.planning.notifications import notify

R = ContentRequest.Status
MAX_ATTACHMENT_BYTES = 20_000_000
ATTACHMENT_TYPES = {
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/msword",
    "application/vnd.ms-powerpoint",
    "application/vnd.ms-excel",
    "text/plain",
}


@dataclass(frozen=True)
class Attachment:
    name: str
    content: bytes
    content_type: str


def request_url(request: ContentRequest) -> str:
    return reverse("planning:request", args=[request.organization.slug, request.public_id])


def may_decide_request(member: Membership, request: ContentRequest) -> bool:
    """The SMM and admins decide every request; a CM those of their own departments."""
    if member.role in (Role.ADMIN, Role.SMM):
        return True
    return member.role == Role.CM and member.departments.filter(pk=request.department_id).exists()


def may_see_request(member: Membership, request: ContentRequest) -> bool:
    if request.organization_id != member.organization_id or not member.can(Capability.CREATE_CONTENT):
        return False
    if member.role in (Role.ADMIN, Role.SMM, Role.CM):
        return True
    return request.requester_id == member.pk or member.departments.filter(pk=request.department_id).exists()


def _tell_requester(request: ContentRequest, actor: Membership, text: str) -> None:
    people = [request.requester] + ([request.contact] if request.contact else [])
    notify(people, Notification.Kind.REQUEST_STATUS, text, request_url(request), exclude=actor)


def _check_attachment(attachment: Attachment) -> None:
    if len(attachment.content) > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            {
                "attachments": _("“%(name)s” is larger than 20 MB. Share large files as a link.")
                % {"name": attachment.name}
            }
        )
    if attachment.content_type not in ATTACHMENT_TYPES:
        raise ValidationError(
            {
                "attachments": _("“%(name)s” is not an image, PDF or office document.")
                % {"name": attachment.name}
            }
        )


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
    if actor.role == Role.CONTRIBUTOR and not actor.departments.filter(pk=department.pk).exists():
        raise ValidationError({"department": _("Choose one of your own departments.")})
    if wished_from and wished_until and wished_until < wished_from:
        raise ValidationError({"wished_until": _("The end of the wished period is before its start.")})
    for attachment in attachments:
        _check_attachment(attachment)
    request = ContentRequest.objects.create(
        organization=actor.organization,
        department=department,
        requester=actor,
        contact=contact,
        title=title.strip(),
        topic=topic,
        goal=goal,
        briefing=briefing,
        links=links.strip(),
        wished_from=wished_from,
        wished_until=wished_until,
    )
    request.wished_channels.set(channels)
    for attachment in attachments:
        item = RequestAttachment(request=request, name=attachment.name[:200], size=len(attachment.content))
        item.file.save(attachment.name[-80:], ContentFile(attachment.content), save=False)
        item.save()
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="request.filed",
        obj=request,
        after={
            "title": request.title,
            "department": department.name,
            "attachments": [a.name for a in attachments],
        },
    )
    deciders = [
        m
        for m in Membership.objects.active()
        .filter(organization=actor.organization)
        .prefetch_related("departments")
        if may_decide_request(m, request)
    ]
    notify(
        deciders,
        Notification.Kind.REQUEST_STATUS,
        _("New request from %(department)s: “%(title)s”.") % {"department": department.name, "title": title},
        request_url(request),
        exclude=actor,
    )
    return request


def _require_decider(actor: Membership, request: ContentRequest) -> None:
    if request.organization_id != actor.organization_id or not may_decide_request(actor, request):
        raise NotAllowed(Capability.CREATE_CONTENT)


@transaction.atomic
def request_accept(*, actor: Membership, request: ContentRequest) -> Post:
    """Take the request into the plan: a draft post linked to it, on the wished channels and date."""
    _require_decider(actor, request)
    if request.status not in (R.SUBMITTED, R.QUESTION):
        raise services.InvalidTransition(_("This request was already decided."))
    publish_at: datetime | None = None
    if request.wished_from and request.wished_from >= timezone.localdate():
        publish_at = timezone.make_aware(datetime.combine(request.wished_from, time(10, 0)))
    channels = list(request.wished_channels.all())
    department = request.department
    if actor.role not in (Role.ADMIN, Role.SMM) and not actor.departments.filter(pk=department.pk).exists():
        raise NotAllowed(Capability.CREATE_CONTENT)
    post = services.post_create(
        actor=actor,
        title=request.title,
        department=department,
        channels=channels,
        topic=request.topic,
        base_text=request.briefing,
        notes=_("From the request of %(who)s.") % {"who": request.requester.user},
        publish_at=publish_at,
        status=Post.Status.DRAFT if publish_at else Post.Status.IDEA,
    )
    post.request = request
    post.save(update_fields=["request"])
    request.status = R.ACCEPTED
    request.decided_by = actor
    request.save(update_fields=["status", "decided_by", "updated_at"])
    audit.record(
        actor=actor.user,
        organization=request.organization,
        verb="request.accepted",
        obj=request,
        after={"post": post.title},
    )
    _tell_requester(request, actor, _("Your request “%(title)s” is in the plan.") % {"title": request.title})
    return post


@transaction.atomic
def request_ask(*, actor: Membership, request: ContentRequest, question: str) -> ContentRequest:
    _require_decider(actor, request)
    if request.status != R.SUBMITTED:
        raise services.InvalidTransition(_("Only a submitted request can be asked about."))
    if not question.strip():
        raise ValidationError({"text": _("Write the question.")})
    request.status = R.QUESTION
    request.answer = question.strip()
    request.save(update_fields=["status", "answer", "updated_at"])
    audit.record(
        actor=actor.user,
        organization=request.organization,
        verb="request.question",
        obj=request,
        after={"question": question.strip()},
    )
    _tell_requester(
        request,
        actor,
        _("Question about your request “%(title)s”: %(question)s")
        % {"title": request.title, "question": question.strip()},
    )
    return request


@transaction.atomic
def request_answer(*, actor: Membership, request: ContentRequest, answer: str) -> ContentRequest:
    """The requester answers the question; the request is back with the deciders."""
    if request.requester_id != actor.pk and request.contact_id != actor.pk:
        raise NotAllowed(Capability.CREATE_CONTENT)
    if request.status != R.QUESTION:
        raise services.InvalidTransition(_("There is no open question on this request."))
    if not answer.strip():
        raise ValidationError({"text": _("Write your answer.")})
    request.status = R.SUBMITTED
    request.briefing = f"{request.briefing}\n\n— {request.answer}\n{answer.strip()}".strip()
    request.answer = ""
    request.save(update_fields=["status", "briefing", "answer", "updated_at"])
    audit.record(
        actor=actor.user,
        organization=request.organization,
        verb="request.answered",
        obj=request,
        after={"answer": answer.strip()},
    )
    deciders = [
        m
        for m in Membership.objects.active().filter(organization=request.organization)
        if may_decide_request(m, request)
    ]
    notify(
        deciders,
        Notification.Kind.REQUEST_STATUS,
        _("%(who)s answered on “%(title)s”.") % {"who": actor.user, "title": request.title},
        request_url(request),
        exclude=actor,
    )
    return request


@transaction.atomic
def request_decline(*, actor: Membership, request: ContentRequest, reason: str) -> ContentRequest:
    _require_decider(actor, request)
    if request.status not in (R.SUBMITTED, R.QUESTION):
        raise services.InvalidTransition(_("This request was already decided."))
    if not reason.strip():
        raise ValidationError({"text": _("Give a reason, so the department understands the decision.")})
    request.status = R.DECLINED
    request.answer = reason.strip()
    request.decided_by = actor
    request.save(update_fields=["status", "answer", "decided_by", "updated_at"])
    audit.record(
        actor=actor.user,
        organization=request.organization,
        verb="request.declined",
        obj=request,
        after={"reason": reason.strip()},
    )
    _tell_requester(
        request,
        actor,
        _("Your request “%(title)s” was declined: %(reason)s")
        % {"title": request.title, "reason": reason.strip()},
    )
    return request
