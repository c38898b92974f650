"""The plan's set-up pages: campaigns (with their timeline), topics, blackout periods, channel rules, approvals."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import Count, F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
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
from onevoice.planning.conflicts import org_time_zone
from onevoice.planning.models import (
    ApprovalPolicy,
    ApprovalStep,
    BlackoutPeriod,
    Campaign,
    PlanningRules,
    Post,
    Topic,
)

C = Capability
COLOUR = forms.TextInput(attrs={"type": "color", "class": "form-control form-control-color"})
# Date inputs only understand ISO values; the locale's format would leave them empty when editing.
HEX_COLOUR = [RegexValidator(r"^#[0-9a-fA-F]{6}$", gettext_lazy("Choose a colour, written like #1c7ed6."))]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MAX_STEPS = 4


class CampaignForm(Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    goal = forms.CharField(
        label=gettext_lazy("Goal"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    starts_on = forms.DateField(label=gettext_lazy("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=gettext_lazy("Ends on"), widget=DATE)
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
    color = forms.CharField(
        label=gettext_lazy("Colour"), max_length=7, initial="#fd7e14", widget=COLOUR, validators=HEX_COLOUR
    )

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
    color = forms.CharField(
        label=gettext_lazy("Colour"), max_length=7, initial="#6f42c1", widget=COLOUR, validators=HEX_COLOUR
    )

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
        label=gettext_lazy("Starts at"),
        widget=DATETIME,
        help_text=gettext_lazy("In the organisation's time zone."),
    )
    ends_at = forms.DateTimeField(label=gettext_lazy("Ends at"), widget=DATETIME)
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
        label=gettext_lazy("Minimum gap (minutes)"),
        min_value=0,
        max_value=10080,
        error_messages={
            "required": gettext_lazy("Enter the minimum gap in minutes; 0 means no gap."),
            "invalid": gettext_lazy("Enter the minimum gap as a whole number of minutes."),
            "min_value": gettext_lazy("The minimum gap cannot be negative."),
            "max_value": gettext_lazy("The minimum gap can be at most 10080 minutes (one week)."),
        },
    )
    max_per_day = forms.IntegerField(
        label=gettext_lazy("At most per day"),
        min_value=1,
        max_value=100,
        required=False,
        error_messages={
            "invalid": gettext_lazy("Enter a whole number of posts per day, or leave it empty for no limit."),
            "min_value": gettext_lazy("Allow at least 1 post per day, or leave it empty for no limit."),
            "max_value": gettext_lazy("More than 100 posts a day is not a plan: enter at most 100."),
        },
    )
    max_per_week = forms.IntegerField(
        label=gettext_lazy("At most per week"),
        min_value=1,
        max_value=500,
        required=False,
        error_messages={
            "invalid": gettext_lazy(
                "Enter a whole number of posts per week, or leave it empty for no limit."
            ),
            "min_value": gettext_lazy("Allow at least 1 post per week, or leave it empty for no limit."),
            "max_value": gettext_lazy("More than 500 posts a week is not a plan: enter at most 500."),
        },
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
                label=_("Name of the step"), required=False, max_length=120
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
        """The step fieldsets; steps after the first empty one start folded away."""
        rows: list[dict[str, Any]] = []
        open_slots = 1
        for i in range(MAX_STEPS):
            row: dict[str, Any] = {
                key: self[f"step{i}_{key}"]
                for key in ("name", "kind", "mode", "people", "roles", "departments", "emails")
            }
            filled = bool(str(row["name"].value() or "").strip())
            if not filled:
                open_slots -= 1
            folded = not filled and open_slots < 0
            first_folded = folded and not any(r["folded"] for r in rows)
            rows.append(row | {"n": i + 1, "folded": folded, "first_folded": first_folded})
        return rows

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
    items = (
        Campaign.objects.filter(organization=member.organization)
        .annotate(post_count=Count("posts"))
        .prefetch_related("departments")
    )
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
        "planning/campaign_form.html",
        {
            "form": form,
            "heading": _("New campaign") if campaign is None else _("Edit campaign"),
            "back": "planning:campaigns",
            "item": campaign,
        },
        status,
    )


@login_required
def campaign_new(request: HttpRequest, org: str) -> HttpResponse:
    return _campaign_form(request, org, None)


@login_required
def campaign_edit(request: HttpRequest, org: str, campaign_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org, need=C.VIEW_PLAN)
    return _campaign_form(request, org, access_plan_object(member, Campaign, campaign_id))


@dataclass
class TimelineMark:
    post: Post
    left: str  # a CSS percentage, never localised ("12.5", not "12,5")
    lane: int
    outside: bool  # planned outside the campaign's period


def campaign_timeline(item: Campaign, posts: list[Post], tz: ZoneInfo) -> dict[str, Any]:
    """Where each dated post sits between the campaign's first and last day, in lanes so none overlap."""
    first, last = item.starts_on, item.ends_on
    days = (last - first).days + 1

    def left(day: date) -> float:
        return 100 * min(max((day - first).days + 0.5, 0), days) / days

    marks: list[TimelineMark] = []
    lane_ends: list[float] = []
    for post in posts:
        if post.publish_at is None:
            continue
        day = post.publish_at.astimezone(tz).date()
        x = left(day)
        lane = next((i for i, end in enumerate(lane_ends) if x - end >= 3.5), len(lane_ends))
        if lane == len(lane_ends):
            lane_ends.append(x)
        lane_ends[lane] = x
        marks.append(TimelineMark(post, f"{x:.2f}", lane, not first <= day <= last))
    step = 1 if days <= 14 else 7
    ticks = []
    day = first if step == 1 else first + timedelta(days=(7 - first.weekday()) % 7)  # Mondays
    while day <= last:
        ticks.append({"left": f"{left(day):.2f}", "day": day})
        day += timedelta(days=step)
    today = timezone.localdate(timezone=tz)
    return {
        "marks": marks,
        "lanes": max(len(lane_ends), 1),
        "ticks": ticks,
        "today": f"{left(today):.2f}" if first <= today <= last else None,
        "states": sorted({m.post.status for m in marks}, key=Post.Status.values.index),
    }


@login_required
def campaign(request: HttpRequest, org: str, campaign_id: UUID) -> HttpResponse:
    """The campaign's posts on a timeline from its first to its last day, with their states."""
    member = membership_for(request.user, org, need=C.VIEW_PLAN)
    item = access_plan_object(member, Campaign, campaign_id)
    posts = list(
        item.posts.select_related("department", "topic").order_by(F("publish_at").asc(nulls_last=True), "id")
    )
    tz = org_time_zone(member.organization)
    with timezone.override(tz):
        context = {
            "item": item,
            "posts": posts,
            "timeline": campaign_timeline(item, posts, tz),
            "status_counts": Counter(p.get_status_display() for p in posts).most_common(),
            "post_states": Post.Status.choices,
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


@login_required
def topic_edit(request: HttpRequest, org: str, topic_id: UUID) -> HttpResponse:
    member = _setup_member(request, org)
    topic = access_plan_object(member, Topic, topic_id)
    initial = {"name": topic.name, "department": topic.department, "color": topic.color}
    form = TopicForm(request.POST or None, member=member, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            ss.topic_save(actor=member, topic=topic, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The topic was saved."))
            return redirect("planning:topics", org)
    status = 400 if request.method == "POST" else 200
    context = {
        "form": form,
        "heading": _("Edit topic"),
        "back": "planning:topics",
        "back_label": _("Topics"),
        "item": topic,
    }
    return render_for_member(request, member, "planning/setup/form.html", context, status)


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
    """Blackout periods; a new one that catches planned posts names them and asks to confirm."""
    member = _setup_member(request, org)
    # Entered and shown in the organisation's time zone, whatever the person's own setting is.
    with timezone.override(org_time_zone(member.organization)):
        form = BlackoutForm(request.POST or None, member=member)
        affected = None
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            affected = ss.posts_inside(
                member.organization_id, data["starts_at"], data["ends_at"], list(data["channels"])
            )
            if not (affected and request.POST.get("confirm") != "1"):
                try:
                    ss.blackout_create(actor=member, **data)
                except ValidationError as error:
                    form.add_error(None, error)
                    affected = None
                else:
                    messages.success(
                        request, _("The blackout period “%(name)s” was saved.") % {"name": data["name"]}
                    )
                    return redirect("planning:blackouts", org)
        items = BlackoutPeriod.objects.filter(organization=member.organization).prefetch_related("channels")
        status = 400 if request.method == "POST" and not affected else 200
        context = {"form": form, "items": items, "affected": affected, "now": timezone.now()}
        return render_for_member(request, member, "planning/setup/blackouts.html", context, status)


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
    rows = []
    for c in channels:
        shown: Any = rules.get(c.pk)
        if c.pk in errors:  # show what was typed, so it can be corrected
            shown = {
                key: request.POST.get(key, "") for key in ("min_gap_minutes", "max_per_day", "max_per_week")
            }
        rows.append({"channel": c, "rules": shown, "saved": c.pk in rules, "errors": errors.get(c.pk, [])})
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
