"""Content requests from the departments, and each person's notifications."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from onevoice.core.forms import Form, style_form
from onevoice.networks.models import Channel
from onevoice.organization.access import NotAllowed, access_plan_object, membership_for, visible_channels
from onevoice.organization.models import Department, Membership
from onevoice.organization.roles import Capability, Role
from onevoice.organization.shortcuts import render_for_member
from onevoice.planning import request_services as rs
from onevoice.planning.models import ContentRequest, Notification, NotificationPreference, Topic

C = Capability


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern)."""

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class RequestForm(Form):
    title = forms.CharField(label=gettext_lazy("What should be on social media?"), max_length=200)
    department = forms.ModelChoiceField(label=gettext_lazy("Department"), queryset=Department.objects.none())
    topic = forms.ModelChoiceField(label=gettext_lazy("Topic"), queryset=Topic.objects.none(), required=False)
    goal = forms.CharField(
        label=gettext_lazy("Goal"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("What should the post achieve, and for whom?"),
    )
    briefing = forms.CharField(
        label=gettext_lazy("Briefing"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    links = forms.CharField(
        label=gettext_lazy("Links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("One link per line."),
    )
    wished_from = forms.DateField(
        label=gettext_lazy("Wished from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    wished_until = forms.DateField(
        label=gettext_lazy("Wished until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    channels = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Channels wished"),
        queryset=Channel.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    contact = forms.ModelChoiceField(
        label=gettext_lazy("Contact person"), queryset=Membership.objects.none(), required=False
    )
    attachments = MultipleFileField(
        label=gettext_lazy("Material"),
        required=False,
        widget=MultipleFileInput(),
        help_text=gettext_lazy("Images, PDF or office documents, at most 20 MB each."),
    )

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org = member.organization
        departments = Department.objects.filter(organization=org)
        if member.role == Role.CONTRIBUTOR:
            departments = departments.filter(memberships=member)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]
        self.fields["topic"].queryset = Topic.objects.filter(organization=org)  # type: ignore[attr-defined]
        channel_ids = [c.pk for c, _level in visible_channels(member)]
        self.fields["channels"].queryset = Channel.objects.filter(pk__in=channel_ids)  # type: ignore[attr-defined]
        contacts = Membership.objects.active().filter(organization=org).select_related("user")
        self.fields["contact"].queryset = contacts  # type: ignore[attr-defined]
        self.fields["contact"].label_from_instance = lambda m: m.user.full_name  # type: ignore[attr-defined]
        style_form(self)


class TextForm(Form):
    text = forms.CharField(label=gettext_lazy("Text"), widget=forms.Textarea(attrs={"rows": 3}))


def _visible_requests(member: Membership) -> Any:
    requests = ContentRequest.objects.filter(organization_id=member.organization_id).select_related(
        "department", "requester__user", "topic"
    )
    if member.role in (Role.ADMIN, Role.SMM, Role.CM):
        return requests
    return requests.filter(Q(requester=member) | Q(department__in=member.departments.all())).distinct()


def _access_request(member: Membership, request_id: UUID) -> ContentRequest:
    request = access_plan_object(member, ContentRequest, request_id)
    if not rs.may_see_request(member, request):
        raise Http404
    return request


@login_required
def requests(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org, need=C.CREATE_CONTENT)
    items = _visible_requests(member)
    status = request.GET.get("status", "")
    if status in ContentRequest.Status.values:
        items = items.filter(status=status)
    if request.GET.get("mine"):
        items = items.filter(requester=member)
    context = {
        "items": items.order_by("-created_at")[:200],
        "statuses": ContentRequest.Status.choices,
        "filter_status": status,
        "mine": bool(request.GET.get("mine")),
    }
    return render_for_member(request, member, "planning/requests.html", context)


def _attachments(files: list[Any]) -> list[rs.Attachment]:
    return [rs.Attachment(f.name, f.read(), getattr(f, "content_type", "") or "") for f in files]


@login_required
def request_new(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org, need=C.CREATE_CONTENT)
    form = RequestForm(
        request.POST or None,
        request.FILES or None,
        member=member,
        initial={"department": member.departments.first(), "contact": member},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = rs.request_file(
                actor=member,
                department=data["department"],
                title=data["title"],
                goal=data["goal"],
                briefing=data["briefing"],
                links=data["links"],
                topic=data["topic"],
                wished_from=data["wished_from"],
                wished_until=data["wished_until"],
                channels=list(data["channels"]),
                contact=data["contact"],
                attachments=_attachments(request.FILES.getlist("attachments")),
            )
        except ValidationError as error:
            form.add_error(None, error)
            if request.FILES:
                form.add_error("attachments", _("Please choose the files again."))
        else:
            messages.success(request, _("Your request was sent. You will be told when it is decided."))
            return redirect("planning:request", org, created.public_id)
    status = 400 if request.method == "POST" else 200
    return render_for_member(request, member, "planning/request_form.html", {"form": form}, status)


@login_required
def request_detail(request: HttpRequest, org: str, request_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org, need=C.CREATE_CONTENT)
    item = _access_request(member, request_id)
    context = {
        "item": item,
        "form": TextForm(),
        "may_decide": rs.may_decide_request(member, item),
        "may_answer": item.status == ContentRequest.Status.QUESTION
        and member.pk in (item.requester_id, item.contact_id),
        "post": getattr(item, "post", None),
    }
    return render_for_member(request, member, "planning/request_detail.html", context)


@require_POST
@login_required
def request_act(request: HttpRequest, org: str, request_id: UUID, action: str) -> HttpResponse:
    member = membership_for(request.user, org, need=C.CREATE_CONTENT)
    item = _access_request(member, request_id)
    form = TextForm(request.POST)
    text = request.POST.get("text", "")
    try:
        if action == "accept":
            post = rs.request_accept(actor=member, request=item)
            messages.success(request, _("The request is in the plan as a draft."))
            return redirect("planning:post", org, post.public_id)
        if action == "ask":
            rs.request_ask(actor=member, request=item, question=text)
            messages.success(request, _("Your question was sent."))
        elif action == "decline":
            rs.request_decline(actor=member, request=item, reason=text)
            messages.success(request, _("The request was declined; the department has been told."))
        elif action == "answer":
            rs.request_answer(actor=member, request=item, answer=text)
            messages.success(request, _("Your answer was sent."))
        else:
            raise Http404
    except NotAllowed:
        raise Http404 from None
    except ValidationError as error:
        form.add_error(None, error)
        context = {
            "item": item,
            "form": form,
            "may_decide": rs.may_decide_request(member, item),
            "may_answer": action == "answer",
            "post": getattr(item, "post", None),
        }
        return render_for_member(request, member, "planning/request_detail.html", context, status=400)
    return redirect("planning:request", org, item.public_id)


# ---- notifications ----------------------------------------------------------------------------------


@login_required
def notifications(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org)
    items = member.notifications.all()[:100]
    return render_for_member(request, member, "planning/notifications.html", {"items": items})


@login_required
def notification_bell(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org)
    unread = member.notifications.filter(read_at=None)
    return render(
        request,
        "planning/includes/notification_bell.html",
        {"organization": member.organization, "unread_count": unread.count(), "latest": unread[:8]},
    )


@require_POST
@login_required
def notification_read(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org)
    which = request.POST.get("id", "")
    items = member.notifications.filter(read_at=None)
    if which != "all":
        item = items.filter(pk=which if which.isdigit() else 0).first()
        if item is None:
            raise Http404
        items = items.filter(pk=item.pk)
        target = item.url
    else:
        target = ""
    items.update(read_at=timezone.now())
    return redirect(target or "planning:notifications", *([] if target else [org]))


@login_required
def notification_settings(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org)
    preference, _created = NotificationPreference.objects.get_or_create(
        membership=member, defaults={"email_kinds": ["review_needed", "post_failed", "approval_expiring"]}
    )
    if request.method == "POST":
        chosen = [k for k in request.POST.getlist("email") if k in Notification.Kind.values]
        preference.email_kinds = chosen
        preference.save(update_fields=["email_kinds"])
        messages.success(request, _("Your notification settings were saved."))
        return redirect("planning:notification-settings", org)
    kinds = [(value, label, value in preference.email_kinds) for value, label in Notification.Kind.choices]
    return render_for_member(request, member, "planning/notification_settings.html", {"kinds": kinds})
