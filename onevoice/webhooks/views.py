"""Pages of webhooks and chat notifications: lists, set-up, the signing secret, test events, delivery log."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onevoice.organization.access import (
    access_delivery,
    access_notification_target,
    may_manage_notification_target,
    membership_for,
)
from onevoice.organization.models import Membership
from onevoice.organization.shortcuts import render_for_member
from onevoice.webhooks import services
from onevoice.webhooks.forms import FORMS, DeliveryFilterForm, TargetForm
from onevoice.webhooks.models import Delivery, Event, Target

WEBHOOK = Target.Kind.WEBHOOK
CHAT_KINDS = (Target.Kind.MATRIX, Target.Kind.SLACK, Target.Kind.TEAMS)


def _member(request: HttpRequest, org: str, kind: str = "chat") -> Membership:
    member = membership_for(request.user, org)
    if not may_manage_notification_target(member, kind):
        raise Http404
    return member


def _page(
    request: HttpRequest, member: Membership, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    context = {
        "nav": "webhooks",
        "may_webhooks": may_manage_notification_target(member, WEBHOOK),
        **context,
    }
    return render_for_member(request, member, template, context, status=status)


def _apply_errors(form: TargetForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# ---- lists -------------------------------------------------------------------------------------------


@login_required
def webhooks(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org)
    if not may_manage_notification_target(member, WEBHOOK):
        if may_manage_notification_target(member, "chat"):
            return redirect("webhooks:chat", org)
        raise Http404
    targets = list(
        Target.objects.filter(organization_id=member.organization_id, kind=WEBHOOK).select_related(
            "department"
        )
    )
    return _page(request, member, "webhooks/webhooks.html", {"targets": targets, "tab": "webhooks"})


@login_required
def chat(request: HttpRequest, org: str) -> HttpResponse:
    member = _member(request, org)
    targets = list(
        Target.objects.filter(organization_id=member.organization_id, kind__in=CHAT_KINDS).select_related(
            "department"
        )
    )
    return _page(request, member, "webhooks/chat.html", {"targets": targets, "tab": "chat"})


# ---- set-up ------------------------------------------------------------------------------------------


@login_required
def webhook_new(request: HttpRequest, org: str) -> HttpResponse:
    member = _member(request, org, WEBHOOK)
    form = FORMS[WEBHOOK](
        request.POST or None,
        organization=member.organization,
        initial={
            "language": request.LANGUAGE_CODE if request.LANGUAGE_CODE in ("de", "en") else "de",
            "is_active": True,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            target = services.webhook_create(actor=member, data=form.target_input())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "The webhook was saved. Copy its signing secret into the receiving system, then send a test event."
                ),
            )
            return redirect("webhooks:target", org, target.public_id)
    status = 400 if request.method == "POST" else 200
    return _page(
        request,
        member,
        "webhooks/target_form.html",
        {"form": form, "kind": WEBHOOK, "kind_label": Target.Kind(WEBHOOK).label},
        status,
    )


@login_required
def chat_new(request: HttpRequest, org: str) -> HttpResponse:
    member = _member(request, org)
    return _page(request, member, "webhooks/chat_choose.html", {"tab": "chat"})


@login_required
def chat_new_kind(request: HttpRequest, org: str, kind: str) -> HttpResponse:
    if kind not in CHAT_KINDS:
        raise Http404
    member = _member(request, org, kind)
    initial = {
        "language": request.LANGUAGE_CODE if request.LANGUAGE_CODE in ("de", "en") else "de",
        "is_active": True,
        "events": [Event.POST_FAILED, Event.CASE_OVERDUE, Event.SPIKE_ALERT],
    }
    form = FORMS[kind](request.POST or None, organization=member.organization, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            target = services.chat_target_create(actor=member, kind=kind, data=form.target_input())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The chat notification was saved. Send a test message to check it."))
            return redirect("webhooks:target", org, target.public_id)
    status = 400 if request.method == "POST" else 200
    return _page(
        request,
        member,
        "webhooks/target_form.html",
        {"form": form, "kind": kind, "kind_label": Target.Kind(kind).label},
        status,
    )


@login_required
def target_edit(request: HttpRequest, org: str, target_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org)
    target = access_notification_target(member, target_id)
    form = FORMS[target.kind](request.POST or None, organization=member.organization, target=target)
    if request.method == "POST" and form.is_valid():
        try:
            services.target_update(actor=member, target=target, data=form.target_input())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("webhooks:target", org, target.public_id)
    status = 400 if request.method == "POST" else 200
    return _page(
        request,
        member,
        "webhooks/target_form.html",
        {"form": form, "target": target, "kind": target.kind, "kind_label": target.get_kind_display()},
        status,
    )


# ---- one target --------------------------------------------------------------------------------------


@login_required
def target(request: HttpRequest, org: str, target_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org)
    found = access_notification_target(member, target_id)
    filters = DeliveryFilterForm(request.GET or None)
    deliveries = Delivery.objects.filter(target=found).order_by("-created_at", "-id")
    if filters.is_valid():
        if filters.cleaned_data["event"]:
            deliveries = deliveries.filter(event=filters.cleaned_data["event"])
        if filters.cleaned_data["state"]:
            deliveries = deliveries.filter(state=filters.cleaned_data["state"])
    page = Paginator(deliveries, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "target": found,
        "deliveries": page,
        "filters": filters,
        "query": query.urlencode(),
        "secret": found.secrets.get("secret", "") if found.is_webhook else "",
        "tab": "webhooks" if found.is_webhook else "chat",
        "max_tries": services.MAX_TRIES,
    }
    return _page(request, member, "webhooks/target.html", context)


@require_POST
@login_required
def target_test(request: HttpRequest, org: str, target_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org)
    found = access_notification_target(member, target_id)
    delivery = services.target_test(actor=member, target=found)
    return redirect("webhooks:delivery", org, delivery.public_id)


@require_POST
@login_required
def target_rotate(request: HttpRequest, org: str, target_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org)
    found = access_notification_target(member, target_id)
    if not found.is_webhook:
        raise Http404
    services.webhook_rotate_secret(actor=member, target=found)
    messages.success(
        request,
        _(
            "A new signing secret was made. The old one keeps signing alongside it for 24 hours: update the receiver now."
        ),
    )
    return redirect("webhooks:target", org, found.public_id)


@require_POST
@login_required
def target_toggle(request: HttpRequest, org: str, target_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org)
    found = access_notification_target(member, target_id)
    services.target_set_active(actor=member, target=found, active=not found.is_active)
    messages.success(
        request,
        _("Switched on.")
        if found.is_active
        else _("Switched off: no events are sent until you switch it on again."),
    )
    return redirect("webhooks:target", org, found.public_id)


@require_POST
@login_required
def target_delete(request: HttpRequest, org: str, target_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org)
    found = access_notification_target(member, target_id)
    webhook = found.is_webhook
    services.target_delete(actor=member, target=found)
    messages.success(request, _("“%(name)s” was deleted.") % {"name": found.name})
    return redirect("webhooks:list" if webhook else "webhooks:chat", org)


# ---- deliveries --------------------------------------------------------------------------------------


@login_required
def delivery(request: HttpRequest, org: str, delivery_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org)
    found = access_delivery(member, delivery_id)
    try:
        pretty = json.dumps(json.loads(found.body), indent=2, ensure_ascii=False)
    except ValueError:
        pretty = found.body
    context = {
        "delivery": found,
        "target": found.target,
        "body": pretty,
        "attempts": list(found.attempts.all()),
        "busy": found.state in (Delivery.State.PENDING, Delivery.State.SENDING),
        "tab": "webhooks" if found.target.is_webhook else "chat",
        "max_tries": services.MAX_TRIES,
    }
    partial = bool(getattr(request, "htmx", False))
    template = "webhooks/includes/delivery_status.html" if partial else "webhooks/delivery.html"
    return _page(request, member, template, context)


@require_POST
@login_required
def delivery_redeliver(request: HttpRequest, org: str, delivery_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org)
    found = access_delivery(member, delivery_id)
    try:
        services.delivery_redeliver(actor=member, delivery=found)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The delivery is being sent again with the same delivery ID."))
    return redirect("webhooks:delivery", org, found.public_id)
