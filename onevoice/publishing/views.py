"""The publishing log, retry/cancel, bulk re-drive, pause all and resume, the late window."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from onevoice.core.forms import style_form
from onevoice.networks.models import Access
from onevoice.organization.access import (
    access_channel,
    access_publication,
    has_channel_access,
    membership_for,
    publications_of,
)
from onevoice.organization.roles import Capability
from onevoice.organization.shortcuts import render_for_member
from onevoice.publishing import selectors, services
from onevoice.publishing.models import STUCK, Publication

C = Capability
P = Publication.State
FILTERS: dict[str, list[str]] = {
    "stuck": sorted(STUCK),
    "waiting": [P.QUEUED, P.RUNNING],
    "published": [P.PUBLISHED],
    "cancelled": [P.CANCELLED],
}


class LateWindowForm(forms.Form):
    late_window_minutes = forms.IntegerField(
        label=gettext_lazy("Late window (minutes)"),
        min_value=5,
        max_value=7 * 24 * 60,
        help_text=gettext_lazy(
            "A post that could not go out within this time after its planned time is not published late "
            "without a person deciding."
        ),
    )


class PauseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=500,
        required=True,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("e.g. crisis: all planned posts on hold")}),
    )


def _back(request: HttpRequest, org: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect("publishing:log", org)


@login_required
def log(request: HttpRequest, org: str) -> HttpResponse:
    """Every publication and every try, for the organisation or one channel; actions by role."""
    member = membership_for(request.user, org, need=C.VIEW_PLAN)
    channel = None
    if request.GET.get("channel"):
        try:
            channel = access_channel(member, UUID(request.GET["channel"]))
        except ValueError:
            channel = None
    scope = selectors.LogScope.of(member)
    stuck = selectors.stuck_count(scope)
    shown = request.GET.get("show", "stuck" if stuck else "")
    if shown not in FILTERS:
        shown = ""
    rows = list(
        selectors.publications(scope, channel=channel, states=FILTERS.get(shown))[: selectors.LOG_SIZE]
    )
    publishable = {c.pk for c, level in scope.channels if level == Access.PUBLISH}
    for row in rows:
        row.explanation = selectors.explain(row)  # type: ignore[attr-defined]
        row.may_act = row.channel_id in publishable  # type: ignore[attr-defined]
    current = services.settings_for(member.organization)
    return render_for_member(
        request,
        member,
        "publishing/log.html",
        {
            "rows": rows,
            "attempts": selectors.attempts(scope, channel=channel),
            "channel": channel,
            "channels": [c for c, _level in scope.channels],
            "shown": shown,
            "stuck": stuck,
            "settings": current,
            "may_manage": member.can(C.MANAGE_PUBLISHING),
            "pause_form": style_form(PauseForm()),
            "window_form": style_form(
                LateWindowForm(initial={"late_window_minutes": current.late_window_minutes})
            ),
            "stuck_states": STUCK,
        },
    )


@require_POST
@login_required
def retry(request: HttpRequest, org: str, publication_id: UUID) -> HttpResponse:
    return _act(
        request,
        org,
        publication_id,
        services.publication_retry,
        _("“%(title)s” is on its way to %(channel)s again."),
    )


@require_POST
@login_required
def cancel(request: HttpRequest, org: str, publication_id: UUID) -> HttpResponse:
    return _act(
        request,
        org,
        publication_id,
        services.publication_cancel,
        _("“%(title)s” will not be published on %(channel)s."),
    )


def _act(
    request: HttpRequest, org: str, publication_id: UUID, action: Callable[..., Publication], done: str
) -> HttpResponse:
    """Retry or cancel one publication: for those who may publish on its channel."""
    member = membership_for(request.user, org, need=C.PUBLISH)
    publication = access_publication(member, publication_id)
    names = {"title": publication.variant.post.title, "channel": publication.channel.name}
    if not has_channel_access(member, publication.channel, Access.PUBLISH):
        messages.error(request, _("You may not publish on %(channel)s.") % names)
        return _back(request, org)
    try:
        action(actor=member, publication=publication)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done % names)
    return _back(request, org)


@require_POST
@login_required
def bulk(request: HttpRequest, org: str) -> HttpResponse:
    """The SMM re-drives or cancels everything ticked (by default: everything stuck)."""
    member = membership_for(request.user, org, need=C.MANAGE_PUBLISHING)
    ids = []
    for value in request.POST.getlist("publication"):
        try:
            ids.append(UUID(value))
        except ValueError:
            continue
    chosen = publications_of(member, ids)
    if not chosen:
        messages.error(request, _("Tick at least one publication."))
        return _back(request, org)
    action = request.POST.get("action")
    if action == "redrive":
        result = services.publications_redrive(actor=member, publications=chosen)
        text = _("%(done)s sent again, %(skipped)s left as they were.")
    elif action == "cancel":
        result = services.publications_cancel(actor=member, publications=chosen)
        text = _("%(done)s cancelled, %(skipped)s left as they were.")
    else:
        messages.error(request, _("Choose send again or cancel."))
        return _back(request, org)
    messages.success(request, text % {"done": result.done, "skipped": result.skipped})
    return _back(request, org)


@require_POST
@login_required
def pause(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_PUBLISHING)
    form = PauseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason, so everyone knows why nothing goes out."))
        return _back(request, org)
    try:
        services.publishing_pause(actor=member, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.warning(request, _("All publishing is paused. Nothing goes out until you resume."))
    return _back(request, org)


@require_POST
@login_required
def resume(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_PUBLISHING)
    try:
        result = services.publishing_resume(actor=member)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back(request, org)
    messages.success(
        request,
        _(
            "Publishing resumed: %(sent)s on their way now, %(waiting)s too late and waiting for your decision."
        )
        % {"sent": result.sent, "waiting": result.waiting},
    )
    if result.waiting:
        return redirect(reverse("publishing:log", args=[org]) + "?show=stuck")
    return _back(request, org)


@require_POST
@login_required
def late_window(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_PUBLISHING)
    form = LateWindowForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return _back(request, org)
    services.publishing_settings_update(
        actor=member, late_window_minutes=form.cleaned_data["late_window_minutes"]
    )
    messages.success(request, _("The late window is saved."))
    return _back(request, org)
