"""The inbox settings under /o/<org>/inbox/settings/ (admin and SMM): routing rules with a "try a message"
box, SLA policies, the business calendar, tags with reply approval, and the spike alert."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onevoice.inbox import settings_services as services
from onevoice.inbox.forms_settings import (
    GERMAN_STATES,
    ApprovalRuleForm,
    CalendarForm,
    ClosedDayForm,
    RoutingRuleForm,
    SlaPolicyForm,
    SpikeForm,
    TagForm,
    TryMessageForm,
)
from onevoice.inbox.ingest import signals_of
from onevoice.inbox.models import ClosedDay, ReplyApprovalRule, RoutingRule, SlaPolicy, Tag
from onevoice.inbox.routing import RoutingInput, rules_of
from onevoice.organization.access import membership_for
from onevoice.organization.models import Membership
from onevoice.organization.roles import Capability
from onevoice.organization.shortcuts import render_for_member

C = Capability


def _member(request: HttpRequest, org: str) -> Membership:
    return membership_for(request.user, org, need=C.MANAGE_INBOX)


def _own[T: models.Model](member: Membership, model: type[T], **lookup: Any) -> T:
    """One settings row of the member's organisation; 404 for anything else."""
    found = model._default_manager.filter(organization_id=member.organization_id, **lookup).first()
    if found is None:
        raise Http404
    return found


def _render(
    request: HttpRequest, member: Membership, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render_for_member(
        request, member, f"inbox/settings/{template}", {"nav": "inbox", **context}, status
    )


def _apply_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# ---- routing rules -----------------------------------------------------------------------------------


@login_required
def routing(request: HttpRequest, org: str) -> HttpResponse:
    """The rules in the order they run, and a box to try a message against them."""
    member = _member(request, org)
    rules = list(
        RoutingRule.objects.filter(organization_id=member.organization_id)
        .select_related("channel", "assign_department", "assign_to__user", "post_department", "campaign")
        .prefetch_related("add_tags")
        .order_by("position", "id")
    )
    form = TryMessageForm(request.POST or None, member=member)
    trial = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            trial = _try(member, form.cleaned_data)
        else:
            status = 400
    context = {"rules": rules, "try_form": form, "trial": trial, "tab": "routing"}
    return _render(request, member, "routing.html", context, status)


def _try(member: Membership, data: dict[str, Any]) -> dict[str, Any]:
    """Which rules a message would match (as a new case) and what they would do; nothing is stored."""
    text = data["text"]
    signals = signals_of(text)
    channel = data.get("channel")
    decision = rules_of(member.organization_id).route(
        RoutingInput(
            channel_id=channel.pk if channel else None,
            text=text,
            kind=data["kind"],
            language=signals.language,
            author_handle=data.get("author") or "",
            sentiment=signals.sentiment,
            offensive=signals.offensive,
        )
    )
    return {"decision": decision, "signals": signals, "matched_ids": {r.pk for r in decision.matched}}


def _rule_form(request: HttpRequest, org: str, rule: RoutingRule | None) -> HttpResponse:
    member = _member(request, org)
    form = RoutingRuleForm(request.POST or None, instance=rule, member=member)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            tags = list(data.pop("add_tags", []))
            data["language"] = data.get("language") or ""
            try:
                if rule is None:
                    saved = services.rule_create(actor=member, data=data, tags=tags)
                else:
                    saved = services.rule_update(actor=member, rule=rule, data=data, tags=tags)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("The rule “%(name)s” was saved.") % {"name": saved.name})
                return redirect("inbox:settings", org)
    return _render(request, member, "rule_form.html", {"form": form, "rule": rule, "tab": "routing"}, status)


@login_required
def rule_new(request: HttpRequest, org: str) -> HttpResponse:
    return _rule_form(request, org, None)


@login_required
def rule_edit(request: HttpRequest, org: str, rule_id: UUID) -> HttpResponse:
    member = _member(request, org)
    return _rule_form(request, org, _own(member, RoutingRule, public_id=rule_id))


@require_POST
@login_required
def rule_delete(request: HttpRequest, org: str, rule_id: UUID) -> HttpResponse:
    member = _member(request, org)
    rule = _own(member, RoutingRule, public_id=rule_id)
    services.rule_delete(actor=member, rule=rule)
    messages.success(request, _("The rule “%(name)s” was deleted.") % {"name": rule.name})
    return redirect("inbox:settings", org)


@require_POST
@login_required
def rule_move(request: HttpRequest, org: str, rule_id: UUID, direction: str) -> HttpResponse:
    member = _member(request, org)
    if direction not in ("up", "down"):
        raise Http404
    rule = _own(member, RoutingRule, public_id=rule_id)
    services.rule_move(actor=member, rule=rule, up=direction == "up")
    return redirect(f"{_settings_url(org)}#rule-{rule.public_id}")


def _settings_url(org: str) -> str:
    from django.urls import reverse

    return reverse("inbox:settings", args=[org])


# ---- SLA policies ------------------------------------------------------------------------------------


@login_required
def sla(request: HttpRequest, org: str) -> HttpResponse:
    member = _member(request, org)
    policies = SlaPolicy.objects.filter(organization_id=member.organization_id).select_related("channel")
    return _render(request, member, "sla.html", {"policies": policies, "tab": "sla"})


def _policy_form(request: HttpRequest, org: str, policy: SlaPolicy | None) -> HttpResponse:
    member = _member(request, org)
    form = SlaPolicyForm(request.POST or None, instance=policy, member=member)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                if policy is None:
                    saved = services.policy_create(actor=member, data=form.cleaned_data)
                else:
                    saved = services.policy_update(actor=member, policy=policy, data=form.cleaned_data)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("The policy “%(name)s” was saved.") % {"name": saved.name})
                return redirect("inbox:settings-sla", org)
    return _render(
        request, member, "policy_form.html", {"form": form, "policy": policy, "tab": "sla"}, status
    )


@login_required
def policy_new(request: HttpRequest, org: str) -> HttpResponse:
    return _policy_form(request, org, None)


@login_required
def policy_edit(request: HttpRequest, org: str, policy_id: UUID) -> HttpResponse:
    member = _member(request, org)
    return _policy_form(request, org, _own(member, SlaPolicy, public_id=policy_id))


@require_POST
@login_required
def policy_delete(request: HttpRequest, org: str, policy_id: UUID) -> HttpResponse:
    member = _member(request, org)
    policy = _own(member, SlaPolicy, public_id=policy_id)
    services.policy_delete(actor=member, policy=policy)
    messages.success(request, _("The policy “%(name)s” was deleted.") % {"name": policy.name})
    return redirect("inbox:settings-sla", org)


# ---- business calendar -------------------------------------------------------------------------------


@login_required
def calendar(request: HttpRequest, org: str) -> HttpResponse:
    member = _member(request, org)
    settings = services.settings_of(member.organization_id)
    form = CalendarForm(request.POST or None, initial={"holiday_state": settings.holiday_state})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.calendar_update(actor=member, holiday_state=form.cleaned_data["holiday_state"])
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("The business calendar was saved."))
                return redirect("inbox:settings-calendar", org)
    return _calendar_page(request, member, form, ClosedDayForm(), status)


def _calendar_page(
    request: HttpRequest, member: Membership, form: CalendarForm, day_form: ClosedDayForm, status: int = 200
) -> HttpResponse:
    settings = services.settings_of(member.organization_id)
    context = {
        "form": form,
        "day_form": day_form,
        "closed_days": ClosedDay.objects.filter(organization_id=member.organization_id),
        "state_name": GERMAN_STATES.get(settings.holiday_state, ""),
        "hours": member.organization.business_hours_rows(),
        "may_edit_hours": member.can(C.MANAGE_SETTINGS),
        "tab": "calendar",
    }
    return _render(request, member, "calendar.html", context, status)


@require_POST
@login_required
def closed_day_add(request: HttpRequest, org: str) -> HttpResponse:
    member = _member(request, org)
    settings = services.settings_of(member.organization_id)
    day_form = ClosedDayForm(request.POST)
    if day_form.is_valid():
        try:
            services.closed_day_add(
                actor=member, day=day_form.cleaned_data["day"], name=day_form.cleaned_data["name"]
            )
        except ValidationError as error:
            _apply_errors(day_form, error)
        else:
            messages.success(request, _("The day was added."))
            return redirect("inbox:settings-calendar", org)
    form = CalendarForm(initial={"holiday_state": settings.holiday_state})
    return _calendar_page(request, member, form, day_form, 400)


@require_POST
@login_required
def closed_day_delete(request: HttpRequest, org: str, day_id: int) -> HttpResponse:
    member = _member(request, org)
    services.closed_day_delete(actor=member, closed=_own(member, ClosedDay, pk=day_id))
    messages.success(request, _("The day was removed."))
    return redirect("inbox:settings-calendar", org)


# ---- tags and reply approval -------------------------------------------------------------------------


def _tags_page(
    request: HttpRequest,
    member: Membership,
    tag_form: TagForm | None = None,
    approval_form: ApprovalRuleForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "tags": Tag.objects.filter(organization_id=member.organization_id),
        "approval_rules": ReplyApprovalRule.objects.filter(
            organization_id=member.organization_id
        ).select_related("membership__user", "channel"),
        "tag_form": tag_form or TagForm(),
        "approval_form": approval_form or ApprovalRuleForm(member=member),
        "tab": "tags",
    }
    return _render(request, member, "tags.html", context, status)


@login_required
def tags(request: HttpRequest, org: str) -> HttpResponse:
    member = _member(request, org)
    if request.method != "POST":
        return _tags_page(request, member)
    form = TagForm(request.POST)
    if form.is_valid():
        try:
            tag = services.tag_create(
                actor=member,
                name=form.cleaned_data["name"],
                replies_need_approval=form.cleaned_data["replies_need_approval"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The tag “%(name)s” was added.") % {"name": tag.name})
            return redirect("inbox:settings-tags", org)
    return _tags_page(request, member, tag_form=form, status=400)


@login_required
def tag_edit(request: HttpRequest, org: str, tag_id: UUID) -> HttpResponse:
    member = _member(request, org)
    tag = _own(member, Tag, public_id=tag_id)
    form = TagForm(
        request.POST or None, initial={"name": tag.name, "replies_need_approval": tag.replies_need_approval}
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.tag_update(
                    actor=member,
                    tag=tag,
                    name=form.cleaned_data["name"],
                    replies_need_approval=form.cleaned_data["replies_need_approval"],
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("The tag “%(name)s” was saved.") % {"name": tag.name})
                return redirect("inbox:settings-tags", org)
    return _render(request, member, "tag_form.html", {"form": form, "tag": tag, "tab": "tags"}, status)


@require_POST
@login_required
def tag_delete(request: HttpRequest, org: str, tag_id: UUID) -> HttpResponse:
    member = _member(request, org)
    tag = _own(member, Tag, public_id=tag_id)
    services.tag_delete(actor=member, tag=tag)
    messages.success(request, _("The tag “%(name)s” was deleted.") % {"name": tag.name})
    return redirect("inbox:settings-tags", org)


@require_POST
@login_required
def approval_add(request: HttpRequest, org: str) -> HttpResponse:
    member = _member(request, org)
    form = ApprovalRuleForm(request.POST, member=member)
    if form.is_valid():
        try:
            services.approval_rule_add(
                actor=member,
                membership=form.cleaned_data.get("membership"),
                channel=form.cleaned_data.get("channel"),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Replies there now wait for approval."))
            return redirect("inbox:settings-tags", org)
    return _tags_page(request, member, approval_form=form, status=400)


@require_POST
@login_required
def approval_delete(request: HttpRequest, org: str, rule_id: int) -> HttpResponse:
    member = _member(request, org)
    services.approval_rule_delete(actor=member, rule=_own(member, ReplyApprovalRule, pk=rule_id))
    messages.success(request, _("Replies there no longer wait for approval."))
    return redirect("inbox:settings-tags", org)


# ---- spike alert -------------------------------------------------------------------------------------


@login_required
def spike(request: HttpRequest, org: str) -> HttpResponse:
    member = _member(request, org)
    settings = services.settings_of(member.organization_id)
    form = SpikeForm(
        request.POST or None,
        initial={"spike_factor": settings.spike_factor, "spike_minimum": settings.spike_minimum},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.spike_update(
                    actor=member,
                    factor=form.cleaned_data["spike_factor"],
                    minimum=form.cleaned_data["spike_minimum"],
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("The spike alert was saved."))
                return redirect("inbox:settings-spike", org)
    from onevoice.inbox.models import SpikeAlert

    alerts = SpikeAlert.objects.filter(organization_id=member.organization_id).select_related(
        "channel", "topic"
    )[:10]
    return _render(request, member, "spike.html", {"form": form, "alerts": alerts, "tab": "spike"}, status)
