from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from huey.contrib.djhuey import db_task

from onevoice.organization.models import Invitation


@db_task(retries=3, retry_delay=60)
def send_invitation_mail(invitation_id: int, token: str, language: str) -> None:
    """Mail the invitation link; a mail server that is down is retried three times, a minute apart."""
    invitation = (
        Invitation.objects.select_related("organization", "invited_by").filter(pk=invitation_id).first()
    )
    if invitation is None or invitation.status != Invitation.Status.PENDING:
        return
    with translation.override(language):
        context = {
            "invitation": invitation,
            "organization": invitation.organization,
            "inviter": invitation.invited_by,
            "url": settings.BASE_URL + reverse("invitation-accept", args=[token]),
            "valid_days": settings.INVITATION_VALID_DAYS,
        }
        subject = render_to_string("organization/email/invitation_subject.txt", context).strip()
        body = render_to_string("organization/email/invitation.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
