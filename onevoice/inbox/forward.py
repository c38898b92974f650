"""Forwarding a question to a department expert without a seat, and their answer suggestion.

The expert gets an e-mail with a personal link (a random token; only its SHA-256 is stored, so a leaked
database opens no link). The link shows the case's thread read-only, without the person's name or handle,
expires after `FORWARD_LINK_DAYS`, works for one answer and can be revoked from the case. The answer is a
suggestion: the Community Manager inserts it into the reply composer and sends it as usual.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onevoice.core import audit
from onevoice.inbox.models import Case, ForwardToken, Message
from onevoice.organization.access import NotAllowed
from onevoice.organization.models import Membership
from onevoice.organization.roles import Capability
from onevoice.planning.models import Notification
from onevoice.planning.notifications import notify

FORWARD_LINK_DAYS = 7
ANSWER_MAX_LENGTH = 5000


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def case_url(case: Case) -> str:
    return reverse("inbox:case", kwargs={"org": case.organization.slug, "case_id": case.public_id})


class LinkState:
    WAITING = "waiting"
    ANSWERED = "answered"
    EXPIRED = "expired"
    REVOKED = "revoked"


STATE_LABELS = {
    LinkState.WAITING: gettext_lazy("Waiting for the answer"),
    LinkState.ANSWERED: gettext_lazy("Answer suggested"),
    LinkState.EXPIRED: gettext_lazy("Link expired"),
    LinkState.REVOKED: gettext_lazy("Link revoked"),
}


def link_state(forward: ForwardToken) -> str:
    if forward.answered_at is not None:
        return LinkState.ANSWERED
    if forward.revoked_at is not None:
        return LinkState.REVOKED
    if forward.expires_at <= timezone.now():
        return LinkState.EXPIRED
    return LinkState.WAITING


# ---- reads -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    forward: ForwardToken
    state: str

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])


def forward_suggestions(case: Case) -> list[Suggestion]:
    """The questions forwarded from this case, newest first, with their state and any suggested answer."""
    forwards = (
        ForwardToken.objects.filter(case=case)
        .select_related("created_by__user")
        .order_by("-created_at", "-id")
    )
    return [Suggestion(forward=f, state=link_state(f)) for f in forwards]


def forward_by_token(token: str) -> ForwardToken | None:
    """The forward behind a link, looked up by the token's hash only (no scan, no timing on the token)."""
    if not token or len(token) > 100:
        return None
    return (
        ForwardToken.objects.select_related("case__organization", "case__channel", "created_by__user")
        .filter(token_hash=token_hash(token))
        .first()
    )


def expert_thread(forward: ForwardToken) -> list[Message]:
    """The case's messages for the expert's page (texts only; the page shows no names or handles)."""
    return list(Message.objects.filter(case_id=forward.case_id).order_by("created_at", "id"))


# ---- writes ------------------------------------------------------------------------------------------


@transaction.atomic
def forward_create(
    *, actor: Membership, case: Case, email: str, name: str, question: str
) -> tuple[ForwardToken, str]:
    """Forward a question from a case to an expert: store the token's hash and mail the link after commit."""
    from onevoice.inbox.tasks_privacy import send_forward_link

    if not actor.can(Capability.REPLY) or case.organization_id != actor.organization_id:
        raise NotAllowed(Capability.REPLY)
    if not question.strip():
        raise ValidationError({"question": _("Write the question the expert should answer.")})
    token = secrets.token_urlsafe(32)
    forward = ForwardToken.objects.create(
        case=case,
        email=email.strip().lower(),
        name=name.strip(),
        question=question.strip(),
        token_hash=token_hash(token),
        created_by=actor,
        expires_at=timezone.now() + timedelta(days=FORWARD_LINK_DAYS),
    )
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="forward.created",
        obj=case,
        after={"forward": str(forward.public_id), "to": forward.email, "expires_at": forward.expires_at},
    )
    transaction.on_commit(functools.partial(send_forward_link, forward.pk, token))
    return forward, token


@transaction.atomic
def forward_revoke(*, actor: Membership, forward: ForwardToken) -> ForwardToken:
    """Revoke a link that has not been answered; the expert then sees a page saying so."""
    if not actor.can(Capability.REPLY) or forward.case.organization_id != actor.organization_id:
        raise NotAllowed(Capability.REPLY)
    forward = ForwardToken.objects.select_for_update().get(pk=forward.pk)
    if forward.answered_at is not None:
        raise ValidationError(_("The expert has already answered; there is nothing to revoke."))
    if forward.revoked_at is not None:
        return forward
    forward.revoked_at = timezone.now()
    forward.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="forward.revoked",
        obj=forward.case,
        after={"forward": str(forward.public_id)},
    )
    return forward


@transaction.atomic
def forward_answer(*, token: str, answer: str) -> ForwardToken:
    """The expert's suggestion through their link: once, before it expires or is revoked; the CM who forwarded
    and the case's assignee are notified."""
    found = forward_by_token(token)
    if found is None:
        raise ValidationError(_("This link is not valid."), code="unknown")
    forward = ForwardToken.objects.select_for_update().select_related("case__organization").get(pk=found.pk)
    state = link_state(forward)
    if state == LinkState.ANSWERED:
        raise ValidationError(_("This link has already been used. Thank you!"), code="used")
    if state == LinkState.REVOKED:
        raise ValidationError(_("This link was withdrawn by the team."), code="revoked")
    if state == LinkState.EXPIRED:
        raise ValidationError(_("This link has expired."), code="expired")
    answer = answer.strip()
    if not answer:
        raise ValidationError({"answer": _("Write your suggested answer.")})
    if len(answer) > ANSWER_MAX_LENGTH:
        raise ValidationError(
            {"answer": _("Please shorten the answer to at most %(n)s characters.") % {"n": ANSWER_MAX_LENGTH}}
        )
    forward.answer = answer
    forward.answered_at = timezone.now()
    forward.save(update_fields=["answer", "answered_at"])
    case = forward.case
    audit.record(
        actor=None,
        organization=case.organization,
        verb="forward.answered",
        obj=case,
        after={"forward": str(forward.public_id), "by": forward.email},
    )
    recipients = [m for m in (forward.created_by, case.assignee) if m is not None]
    expert = forward.name or forward.email
    notify(
        recipients,
        Notification.Kind.FORWARD_ANSWERED,
        _("%(expert)s suggested an answer in a case.") % {"expert": expert},
        case_url(case),
    )
    return forward
