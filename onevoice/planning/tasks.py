from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from onevoice.organization.models import Membership
from onevoice.organization.roles import Role
from onevoice.planning.models import ApprovalLink, ApprovalPolicy, Notification, Post
from onevoice.planning.notifications import notify


@db_task(retries=3, retry_delay=60)
def send_approval_link(link_id: int, token: str) -> None:
    """Mail an approver without an account their personal link for this post and round."""
    link = (
        ApprovalLink.objects.select_related("post__organization", "post__owner__user")
        .filter(pk=link_id)
        .first()
    )
    if link is None or link.used_at is not None:
        return
    post = link.post
    with translation.override(settings.LANGUAGE_CODE):
        url = settings.BASE_URL + reverse("approval-link", args=[token])
        subject = _("Please approve: %(title)s") % {"title": post.title}
        when = (
            formats.date_format(timezone.localtime(post.publish_at), "SHORT_DATETIME_FORMAT")
            if post.publish_at
            else "—"
        )
        body = _(
            "%(owner)s of %(organization)s asks you to approve a social media post (planned for %(when)s).\n\n"
            "Read it and approve or request changes here (the link works once and expires on %(expires)s):\n%(url)s"
        ) % {
            "owner": post.owner.user,
            "organization": post.organization.name,
            "when": when,
            "url": url,
            "expires": formats.date_format(timezone.localtime(link.expires_at), "SHORT_DATE_FORMAT"),
        }
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [link.email])


@db_periodic_task(crontab(minute="*/5"))
@lock_task("flag-unapproved-posts")
def flag_unapproved_posts() -> None:
    """A post still in review shortly before its time will not go out: tell its owner and the SMMs, once."""
    now = timezone.now()
    horizon = now + timedelta(
        hours=max([2, *ApprovalPolicy.objects.values_list("review_hours_before", flat=True)])
    )
    due = Post.objects.filter(
        Q(status__in=[Post.Status.IN_REVIEW, Post.Status.CHANGES_REQUESTED, Post.Status.DRAFT]),
        publish_at__isnull=False,
        publish_at__lte=horizon,
        publish_at__gte=now - timedelta(days=1),
    ).select_related("owner__user", "organization")
    for post in due:
        url = reverse("planning:post", args=[post.organization.slug, post.public_id])
        already = Notification.objects.filter(kind=Notification.Kind.APPROVAL_EXPIRING, url=url).exists()
        if already:
            continue
        smms = Membership.objects.active().filter(organization=post.organization, role=Role.SMM)
        when = formats.date_format(timezone.localtime(post.publish_at), "SHORT_DATETIME_FORMAT")
        notify(
            [post.owner, *smms],
            Notification.Kind.APPROVAL_EXPIRING,
            _(
                "“%(title)s” is planned for %(when)s but not approved. It will not go out unless it is approved."
            )
            % {"title": post.title, "when": when},
            url,
        )
