"""The plan's set-up pages: campaigns (with their timeline), topics, blackout periods, channel rules, approvals."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from onevoice.core.forms import Form, style_form
from onevoice.networks.models import Channel
from onevoice.organization.access import NotAllowed, access_plan_object, membership_for
from onevoice.organization.models import Department, Membership
from onevoice.organization.roles import Capability, Role
from onevoice.organization.shortcuts import render_for_member
from onevoice.planning import setup_services as ss
from onevoice.planning.models import (
    ApprovalPolicy,
    ApprovalStep,
    BlackoutPeriod,
    Campaign,
    PlanningRules,
    Topic,
)

C = Capability
COLOUR = forms.TextInput(attrs={"type": "color"})
MAX_STEPS = 4


class CampaignForm(Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    goal = forms.CharField(
        label=gettext_lazy("Goal"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    starts_on = forms.DateField(
        label=gettext_lazy("Starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(label=gettext_lazy("Ends on"), widget=forms.DateInput(attrs={"type": "date"}))
    departments = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Departments"),
        required=False,
        queryset=Department.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    channels = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Channels"),
        required=False,
        queryset=Channel.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    color = forms.CharField(label=gettext_lazy("Colour"), max_length=7, initial="#fd7e14", widget=COLOUR)

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = Department.objects.filter(organization=member.organization)  # type: ignore[attr-defined]
        self.fields["channels"].queryset = Channel.objects.filter(organization=member.organization)  # type: ignore[attr-defined]
        style_form(self)


class TopicForm(Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=80)
    department = forms.ModelChoiceField(
        label=gettext_lazy("Owning department"), required=False, queryset=Department.objects.none()
    )
    color = forms.CharField(label=gettext_lazy("Colour"), max_length=7, initial="#6f42c1", widget=COLOUR)

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(organization=member.organization)  # type: ignore[attr-defined]
        style_form(self)


class BlackoutForm(Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    reason = forms.CharField(
        label=gettext_lazy("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=gettext_lazy("Ends at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    channels = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Only these channels"),
        required=False,
        queryset=Channel.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Leave empty for all channels."),
    )

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channels"].queryset = Channel.objects.filter(organization=member.organization)  # type: ignore[attr-defined]
        style_form(self)


class RulesForm(Form):
    min_gap_minutes = forms.IntegerField(
        label=gettext_lazy("Minimum gap (minutes)"), min_value=0, max_value=10080
    )
    max_per_day = forms.IntegerField(
        label=gettext_lazy("At most per day"), min_value=1, max_value=100, required=False
    )
    max_per_week = forms.IntegerField(
        label=gettext_lazy("At most per week"), min_value=1, max_value=500, required=False
    )


class PolicyForm(Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    scope = forms.ChoiceField(label=gettext_lazy("Applies to"), required=False)
    reapprove_after_edit = forms.BooleanField(
        label=gettext_lazy("Edits after approval need a new approval"), required=False, initial=True
    )
    review_hours_before = forms.IntegerField(
        label=gettext_lazy("Approval needed hours before publishing"), min_value=0, max_value=720, initial=2
    )

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org = member.organization
        choices: list[tuple[str, Any]] = [("", _("the whole organisation"))]
        choices += [
            (f"department:{d.public_id}", _("Department: %(name)s") % {"name": d.name})
            for d in Department.objects.filter(organization=org)
        ]
        choices += [
            (f"channel:{c.public_id}", _("Channel: %(name)s") % {"name": c.name})
            for c in Channel.objects.filter(organization=org)
        ]
        choices += [
            (f"campaign:{c.public_id}", _("Campaign: %(name)s") % {"name": c.name})
            for c in Campaign.objects.filter(organization=org)
        ]
        self.fields["scope"].choices = choices  # type: ignore[attr-defined]
        members = Membership.objects.active().filter(organization=org).select_related("user")
        departments = Department.objects.filter(organization=org)
        for i in range(MAX_STEPS):
            self.fields[f"step{i}_name"] = forms.CharField(
                label=_("Step %(n)s") % {"n": i + 1}, required=False, max_length=120
            )
            self.fields[f"step{i}_kind"] = forms.ChoiceField(
                label=_("Kind"), choices=ApprovalStep.Kind.choices, initial="approval"
            )
            self.fields[f"step{i}_mode"] = forms.ChoiceField(
                label=_("Who must decide"), choices=ApprovalStep.Mode.choices, initial="any"
            )
            people = forms.ModelMultipleChoiceField(
                label=_("People"), queryset=members, required=False, widget=forms.CheckboxSelectMultiple
            )
            people.label_from_instance = lambda m: m.user.full_name  # type: ignore[method-assign,assignment]
            self.fields[f"step{i}_people"] = people
            self.fields[f"step{i}_roles"] = forms.MultipleChoiceField(
                label=_("Roles"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
            )
            self.fields[f"step{i}_departments"] = forms.ModelMultipleChoiceField(
                label=_("Departments"),
                queryset=departments,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            self.fields[f"step{i}_emails"] = forms.CharField(
                label=_("Approvers without an account (e-mail, one per line)"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        style_form(self)

    def step_rows(self) -> list[dict[str, Any]]:
        return [
            {
                key: self[f"step{i}_{key}"]
                for key in ("name", "kind", "mode", "people", "roles", "departments", "emails")
            }
            | {"n": i + 1}
            for i in range(MAX_STEPS)
        ]

    def steps(self) -> list[ss.StepSpec]:
        data = self.cleaned_data
        return [
            ss.StepSpec(
                name=data[f"step{i}_name"],
                kind=data[f"step{i}_kind"],
                mode=data[f"step{i}_mode"],
                people=list(data[f"step{i}_people"]),
                roles=list(data[f"step{i}_roles"]),
                departments=list(data[f"step{i}_departments"]),
                external_emails=data[f"step{i}_emails"],
            )
            for i in range(MAX_STEPS)
        ]


def _setup_member(request: HttpRequest, org: str) -> Membership:
    return membership_for(request.user, org, need=C.MANAGE_STRATEGY)


@login_required
def setup(request: HttpRequest, org: str) -> HttpResponse:
    member = _setup_member(request, org)
    counts = {
        "campaigns": Campaign.objects.filter(organization=member.organization).count(),
        "topics": Topic.objects.filter(organization=member.organization).count(),
        "blackouts": BlackoutPeriod.objects.filter(organization=member.organization).count(),
        "policies": ApprovalPolicy.objects.filter(organization=member.organization).count(),
    }
    return render_for_member(request, member, "planning/setup/index.html", {"counts": counts})


# ---- campaigns -------------------------------------------------------------------------------------------


@login_required
def campaigns(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org, need=C.VIEW_PLAN)
    items = Campaign.objects.filter(organization=member.organization).prefetch_related("departments")
    may_edit = member.role in (Role.ADMIN, Role.SMM, Role.CM)
    return render_for_member(
        request, member, "planning/campaigns.html", {"items": items, "may_edit": may_edit}
    )


def _campaign_form(request: HttpRequest, org: str, campaign: Campaign | None) -> HttpResponse:
    member = membership_for(request.user, org, need=C.CREATE_CONTENT)
    if member.role not in (Role.ADMIN, Role.SMM, Role.CM):
        raise Http404
    initial = {}
    if campaign is not None:
        initial = {
            "name": campaign.name,
            "goal": campaign.goal,
            "starts_on": campaign.starts_on,
            "ends_on": campaign.ends_on,
            "color": campaign.color,
            "departments": list(campaign.departments.all()),
            "channels": list(campaign.channels.all()),
        }
    form = CampaignForm(request.POST or None, member=member, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = ss.campaign_save(actor=member, campaign=campaign, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The campaign was saved."))
            return redirect("planning:campaign", org, campaign.public_id)
    status = 400 if request.method == "POST" else 200
    return render_for_member(
        request,
        member,
        "planning/setup/form.html",
        {"form": form, "heading": _("Campaign"), "back": "planning:campaigns"},
        status,
    )


@login_required
def campaign_new(request: HttpRequest, org: str) -> HttpResponse:
    return _campaign_form(request, org, None)


@login_required
def campaign_edit(request: HttpRequest, org: str, campaign_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org, need=C.VIEW_PLAN)
    return _campaign_form(request, org, access_plan_object(member, Campaign, campaign_id))


@login_required
def campaign(request: HttpRequest, org: str, campaign_id: UUID) -> HttpResponse:
    """The campaign's posts on a timeline from its first to its last day, with their states."""
    member = membership_for(request.user, org, need=C.VIEW_PLAN)
    item = access_plan_object(member, Campaign, campaign_id)
    posts = list(
        item.posts.select_related("department").prefetch_related("variants__channel").order_by("publish_at")
    )
    span = max((item.ends_on - item.starts_on).days + 1, 1)
    from django.utils import timezone

    rows = []
    for post in posts:
        offset = None
        if post.publish_at:
            day = timezone.localtime(post.publish_at).date()
            offset = round(100 * min(max((day - item.starts_on).days, 0), span - 1) / span, 2)
        rows.append({"post": post, "offset": offset})
    context = {
        "item": item,
        "rows": rows,
        "span": span,
        "may_edit": member.role in (Role.ADMIN, Role.SMM, Role.CM),
    }
    return render_for_member(request, member, "planning/campaign.html", context)


# ---- topics ---------------------------------------------------------------------------------------------


@login_required
def topics(request: HttpRequest, org: str) -> HttpResponse:
    member = _setup_member(request, org)
    form = TopicForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            ss.topic_save(actor=member, topic=None, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The topic was added."))
            return redirect("planning:topics", org)
    items = Topic.objects.filter(organization=member.organization).select_related("department")
    status = 400 if request.method == "POST" else 200
    return render_for_member(
        request, member, "planning/setup/topics.html", {"form": form, "items": items}, status
    )


@require_POST
@login_required
def topic_delete(request: HttpRequest, org: str, topic_id: UUID) -> HttpResponse:
    member = _setup_member(request, org)
    ss.topic_delete(actor=member, topic=access_plan_object(member, Topic, topic_id))
    messages.success(request, _("The topic was deleted."))
    return redirect("planning:topics", org)


# ---- blackout periods ------------------------------------------------------------------------------------


@login_required
def blackouts(request: HttpRequest, org: str) -> HttpResponse:
    member = _setup_member(request, org)
    form = BlackoutForm(request.POST or None, member=member)
    affected = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        affected = ss.posts_inside(
            member.organization_id, data["starts_at"], data["ends_at"], list(data["channels"])
        )
        if affected and request.POST.get("confirm") != "1":
            pass  # show the posts it would catch and ask again
        else:
            try:
                ss.blackout_create(actor=member, **data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The blackout period was saved."))
                return redirect("planning:blackouts", org)
    items = BlackoutPeriod.objects.filter(organization=member.organization).prefetch_related("channels")
    status = 400 if request.method == "POST" and not affected else 200
    return render_for_member(
        request,
        member,
        "planning/setup/blackouts.html",
        {"form": form, "items": items, "affected": affected},
        status,
    )


@require_POST
@login_required
def blackout_delete(request: HttpRequest, org: str, blackout_id: UUID) -> HttpResponse:
    member = _setup_member(request, org)
    ss.blackout_delete(actor=member, period=access_plan_object(member, BlackoutPeriod, blackout_id))
    messages.success(request, _("The blackout period was deleted."))
    return redirect("planning:blackouts", org)


# ---- channel rules --------------------------------------------------------------------------------------


@login_required
def channel_rules(request: HttpRequest, org: str) -> HttpResponse:
    member = _setup_member(request, org)
    channels = list(Channel.objects.filter(organization=member.organization))
    rules = {r.channel_id: r for r in PlanningRules.objects.filter(channel__in=channels)}
    errors: dict[int, list[str]] = {}
    if request.method == "POST":
        channel = next((c for c in channels if str(c.public_id) == request.POST.get("channel")), None)
        if channel is None:
            raise Http404
        form = RulesForm(request.POST)
        if form.is_valid():
            try:
                ss.channel_rules_save(actor=member, channel=channel, **form.cleaned_data)
            except ValidationError as error:
                errors[channel.pk] = error.messages
            else:
                messages.success(
                    request, _("The rules for %(channel)s were saved.") % {"channel": channel.name}
                )
                return redirect("planning:channel-rules", org)
        else:
            errors[channel.pk] = [str(e) for field_errors in form.errors.values() for e in field_errors]
    rows = [{"channel": c, "rules": rules.get(c.pk), "errors": errors.get(c.pk, [])} for c in channels]
    return render_for_member(
        request, member, "planning/setup/channel_rules.html", {"rows": rows}, 400 if errors else 200
    )


# ---- approval policies ----------------------------------------------------------------------------------


@login_required
def policies(request: HttpRequest, org: str) -> HttpResponse:
    member = _setup_member(request, org)
    items = ApprovalPolicy.objects.filter(organization=member.organization).prefetch_related("steps")
    return render_for_member(request, member, "planning/setup/policies.html", {"items": items})


def _scope(member: Membership, value: str) -> dict[str, Any]:
    scope: dict[str, Any] = {"department": None, "channel": None, "campaign": None}
    if not value:
        return scope
    kind, _sep, public_id = value.partition(":")
    models_by_kind: dict[str, Any] = {"department": Department, "channel": Channel, "campaign": Campaign}
    model = models_by_kind.get(kind)
    if model is None:
        raise Http404
    found = model._default_manager.filter(organization=member.organization, public_id=public_id).first()
    if found is None:
        raise Http404
    scope[kind] = found
    return scope


def _policy_form(request: HttpRequest, org: str, policy: ApprovalPolicy | None) -> HttpResponse:
    member = _setup_member(request, org)
    initial: dict[str, Any] = {}
    if policy is not None:
        scope = ""
        for kind in ("department", "channel", "campaign"):
            target = getattr(policy, kind)
            if target is not None:
                scope = f"{kind}:{target.public_id}"
        initial = {
            "name": policy.name,
            "scope": scope,
            "reapprove_after_edit": policy.reapprove_after_edit,
            "review_hours_before": policy.review_hours_before,
        }
        for i, step in enumerate(policy.steps.all()[:MAX_STEPS]):
            initial |= {
                f"step{i}_name": step.name,
                f"step{i}_kind": step.kind,
                f"step{i}_mode": step.mode,
                f"step{i}_people": list(step.approvers.all()),
                f"step{i}_roles": step.roles,
                f"step{i}_departments": list(step.departments.all()),
                f"step{i}_emails": step.external_emails,
            }
    form = PolicyForm(request.POST or None, member=member, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ss.policy_save(
                actor=member,
                policy=policy,
                name=data["name"],
                reapprove_after_edit=data["reapprove_after_edit"],
                review_hours_before=data["review_hours_before"],
                steps=form.steps(),
                **_scope(member, data["scope"]),
            )
        except (ValidationError, NotAllowed) as error:
            form.add_error(None, error if isinstance(error, ValidationError) else _("Not allowed."))
        else:
            messages.success(request, _("The approval policy was saved."))
            return redirect("planning:policies", org)
    status = 400 if request.method == "POST" else 200
    return render_for_member(
        request, member, "planning/setup/policy_form.html", {"form": form, "policy": policy}, status
    )


@login_required
def policy_new(request: HttpRequest, org: str) -> HttpResponse:
    return _policy_form(request, org, None)


@login_required
def policy_edit(request: HttpRequest, org: str, policy_id: UUID) -> HttpResponse:
    member = _setup_member(request, org)
    return _policy_form(request, org, access_plan_object(member, ApprovalPolicy, policy_id))


@require_POST
@login_required
def policy_delete(request: HttpRequest, org: str, policy_id: UUID) -> HttpResponse:
    member = _setup_member(request, org)
    ss.policy_delete(actor=member, policy=access_plan_object(member, ApprovalPolicy, policy_id))
    messages.success(request, _("The approval policy was deleted."))
    return redirect("planning:policies", org)
