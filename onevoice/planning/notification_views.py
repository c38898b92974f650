"""Each person's notifications: the bell in the top bar, the full list, and what they also get by e-mail."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from onevoice.organization.access import membership_for
from onevoice.organization.models import Membership
from onevoice.organization.shortcuts import render_for_member
from onevoice.planning.models import Notification, NotificationPreference
from onevoice.planning.notifications import DEFAULT_EMAIL_KINDS, bell_of, email_kinds_of

StrOrPromise = str | Promise

# What each kind means, for the settings page.
KIND_HELP: dict[str, StrOrPromise] = {
    Notification.Kind.REQUEST_STATUS: gettext_lazy(
        "A request from a department was filed, asked about, answered, accepted or declined."
    ),
    Notification.Kind.REVIEW_NEEDED: gettext_lazy("A post waits for your approval or feedback."),
    Notification.Kind.CHANGES_REQUESTED: gettext_lazy("A reviewer asked for changes to your post."),
    Notification.Kind.APPROVED: gettext_lazy("Your post was approved."),
    Notification.Kind.APPROVAL_EXPIRING: gettext_lazy("A post is due soon and still not approved."),
    Notification.Kind.POST_FAILED: gettext_lazy("A post could not be published."),
    Notification.Kind.MENTIONED: gettext_lazy("Someone mentioned you in a comment."),
}


def _bell_context(member: Membership) -> dict[str, object]:
    return {"organization": member.organization, **bell_of(member)}


@require_GET
@login_required
def notification_bell(request: HttpRequest, org: str) -> HttpResponse:
    """The bell's dropdown (unread count and the latest notifications); htmx fetches it every minute."""
    member = membership_for(request.user, org)
    response = render(request, "planning/includes/notification_bell.html", _bell_context(member))
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def notifications(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org)
    page = Paginator(member.notifications.all(), 50).get_page(request.GET.get("page"))
    context = {"page": page, "unread_count": member.notifications.unread().count()}
    return render_for_member(request, member, "planning/notifications.html", context)


def _safe(url: str, request: HttpRequest) -> bool:
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


@require_POST
@login_required
def notification_read(request: HttpRequest, org: str, notification_id: int) -> HttpResponse:
    """Mark one of your notifications as read; with `open`, go on to what it is about."""
    member = membership_for(request.user, org)
    notification = member.notifications.filter(pk=notification_id).first()
    if notification is None:  # someone else's, or none at all
        raise Http404
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    if request.POST.get("open") and _safe(notification.url, request):
        return redirect(notification.url)
    return redirect("planning:notifications", org)


@require_POST
@login_required
def notifications_read_all(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org)
    count = member.notifications.unread().update(read_at=timezone.now())
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("planning:notifications", org)


@login_required
def notification_settings(request: HttpRequest, org: str) -> HttpResponse:
    """Everything appears in the app; each person chooses per kind whether they also get an e-mail."""
    member = membership_for(request.user, org)
    if request.method == "POST":
        chosen = sorted({k for k in request.POST.getlist("email") if k in Notification.Kind.values})
        NotificationPreference.objects.update_or_create(membership=member, defaults={"email_kinds": chosen})
        messages.success(request, _("Your notification settings were saved."))
        return redirect("planning:notification-settings", org)
    wanted = email_kinds_of(member)
    kinds = [
        {
            "value": value,
            "label": label,
            "help": KIND_HELP.get(value, ""),
            "on": value in wanted,
            "default": value in DEFAULT_EMAIL_KINDS,
        }
        for value, label in Notification.Kind.choices
    ]
    return render_for_member(request, member, "planning/notification_settings.html", {"kinds": kinds})
