"""Worker tasks of the inbox (privacy); imported by `tasks.py`, which huey discovers."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from onevoice.inbox.models import ForwardToken
from onevoice.organization.models import Organization

logger = logging.getLogger(__name__)

__all__ = ["apply_retention", "send_forward_link"]


@db_task(retries=3, retry_delay=60)
def send_forward_link(forward_id: int, token: str) -> None:
    """Mail the expert their personal link; a mail server that is down is retried three times."""
    forward = (
        ForwardToken.objects.select_related("case__organization", "created_by__user")
        .filter(pk=forward_id)
        .first()
    )
    if forward is None or forward.revoked_at is not None or forward.answered_at is not None:
        return
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "forward": forward,
            "organization": forward.case.organization,
            "sender": forward.created_by.user if forward.created_by else None,
            "url": settings.BASE_URL + reverse("inbox_public:expert", args=[token]),
        }
        subject = render_to_string("inbox/email/forward_subject.txt", context).strip()
        body = render_to_string("inbox/email/forward.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [forward.email])


@db_periodic_task(crontab(hour="3", minute="17"))
@lock_task("inbox-retention")
def apply_retention() -> None:
    """Every night: anonymise or delete closed cases past each organisation's retention period."""
    from onevoice.inbox.privacy import retention_apply

    for organization in Organization.objects.all().iterator():
        try:
            result = retention_apply(organization)
        except Exception:  # one organisation's failure must not keep the others' data longer
            logger.exception("retention failed for organisation %s", organization.pk)
            continue
        if result.cases or result.contacts:
            logger.info(
                "retention %s: %s cases, %s contacts (%s)",
                organization.pk,
                result.cases,
                result.contacts,
                result.mode,
            )
