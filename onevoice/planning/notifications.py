"""Telling people what concerns them: an in-app notification always, an e-mail if they asked for it."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import translation
from huey.contrib.djhuey import db_task

from onevoice.organization.models import Membership
from onevoice.planning.models import Notification, NotificationPreference

# Without a saved preference, only what has a deadline or went wrong is mailed: review requests, approvals
# running out of time and failed posts. Everything else is in the in-app list; each person can change this.
DEFAULT_EMAIL_KINDS: frozenset[str] = frozenset(
    {
        Notification.Kind.REVIEW_NEEDED,
        Notification.Kind.POST_FAILED,
        Notification.Kind.PUBLISH_WAITING,
        Notification.Kind.PUBLISHING_PAUSED,
        Notification.Kind.APPROVAL_EXPIRING,
        Notification.Kind.CASE_OVERDUE,
        Notification.Kind.SPIKE_ALERT,
        Notification.Kind.REPLY_APPROVAL_NEEDED,
        Notification.Kind.REPLY_FAILED,
        Notification.Kind.WEBHOOK_FAILING,
    }
)


def notify(
    recipients: Iterable[Membership],
    kind: str,
    text: str,
    url: str = "",
    *,
    exclude: Membership | None = None,
) -> list[Notification]:
    """Create one notification per person (never for `exclude`, the one who acted); mail after commit."""
    created = []
    seen: set[int] = set()
    for member in recipients:
        if member.pk in seen or (exclude is not None and member.pk == exclude.pk) or not member.is_active:
            continue
        seen.add(member.pk)
        created.append(
            Notification.objects.create(recipient=member, kind=kind, text=text[:500], url=url[:500])
        )
    wanted = _wanting(created, kind) if created else set()
    for notification in created:
        if notification.recipient_id in wanted:
            transaction.on_commit(functools.partial(mail_notification, notification.pk))
    return created


def _wanting(created: list[Notification], kind: str) -> set[int]:
    prefs = dict(
        NotificationPreference.objects.filter(membership__in=[n.recipient_id for n in created]).values_list(
            "membership_id", "email_kinds"
        )
    )
    return {n.recipient_id for n in created if kind in prefs.get(n.recipient_id, DEFAULT_EMAIL_KINDS)}


def email_kinds_of(member: Membership) -> set[str]:
    """The kinds this person gets by e-mail: their choice, or the default if they never chose."""
    preference = NotificationPreference.objects.filter(membership=member).first()
    return set(preference.email_kinds) if preference is not None else set(DEFAULT_EMAIL_KINDS)


@db_task(retries=3, retry_delay=60)
def mail_notification(notification_id: int) -> None:
    notification = (
        Notification.objects.select_related("recipient__user", "recipient__organization")
        .filter(pk=notification_id)
        .first()
    )
    if notification is None:
        return
    user = notification.recipient.user
    with translation.override(user.language):
        subject = f"OneVoice · {notification.recipient.organization.name}: {notification.get_kind_display()}"
        body = notification.text
        if notification.url:
            body += "\n\n" + settings.BASE_URL + notification.url
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


BELL_SIZE = 8


@functools.cache
def _bell_sql() -> str:
    table = connection.ops.quote_name(Notification._meta.db_table)
    # The table's name from the model; the values are parameters.
    return f"""
        SELECT n.*, (SELECT count(*) FROM {table} u WHERE u.recipient_id = n.recipient_id AND u.read_at IS NULL)
            AS unread_total
        FROM {table} n WHERE n.recipient_id = %s ORDER BY n.created_at DESC LIMIT %s
    """  # noqa: S608


def bell_of(member: Membership) -> dict[str, object]:
    """The bell in the top bar: the unread count and the newest notifications, in one statement (every page
    shows it), written out once: building it through the ORM on every page cost five times running it. The
    count rides along on each row; the database runs it once."""
    latest = list(Notification.objects.raw(_bell_sql(), [member.pk, BELL_SIZE]))
    # No notification at all: nothing can be unread either.
    count = getattr(latest[0], "unread_total", 0) if latest else 0
    return {"unread_count": count or 0, "latest": latest}
