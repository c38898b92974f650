"""Content requests from the departments: the list, the briefing form, the request page and its decisions."""

from __future__ import annotations

import mimetypes
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
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
from onevoice.planning import services
from onevoice.planning.models import ContentRequest, Post, RequestAttachment, Topic

C = Capability
R = ContentRequest.Status
ATTACHMENT_ACCEPT = ",".join(rs.ATTACHMENT_SIGNATURES)
FILES_AGAIN = gettext_lazy(
    "For safety, browsers do not keep chosen files when a form comes back: choose your files again."
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern)."""

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class RequestForm(Form):
    title = forms.CharField(
        label=gettext_lazy("What should be on social media?"),
        max_length=200,
        error_messages={
            "required": gettext_lazy("Give the request a title: what should be on social media?")
        },
        help_text=gettext_lazy("A short title, e.g. “Girls' Day: we open our workshops”."),
    )
    department = forms.ModelChoiceField(
        label=gettext_lazy("Department"),
        queryset=Department.objects.none(),
        error_messages={"required": gettext_lazy("Choose the department the request comes from.")},
    )
    topic = forms.ModelChoiceField(
        label=gettext_lazy("Topic"), queryset=Topic.objects.none(), required=False, empty_label="—"
    )
    goal = forms.CharField(
        label=gettext_lazy("Goal"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("What should the post achieve, and for whom?"),
    )
    briefing = forms.CharField(
        label=gettext_lazy("Briefing"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy(
            "The facts and the message: who, what, when, where. The team writes the post."
        ),
    )
    links = forms.CharField(
        label=gettext_lazy("Links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "https://"}),
        help_text=gettext_lazy("One link per line."),
    )
    attachments = MultipleFileField(
        label=gettext_lazy("Files"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": ATTACHMENT_ACCEPT}),
        help_text=gettext_lazy(
            "Images, PDF or office documents (Word, Excel, PowerPoint, OpenDocument), at most 20 MB each and "
            "10 files. Share larger material as a link."
        ),
    )
    wished_from = forms.DateField(
        label=gettext_lazy("Wished from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    wished_until = forms.DateField(
        label=gettext_lazy("Wished until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Leave empty for one day."),
    )
    channels = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Channels wished"),
        queryset=Channel.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    contact = forms.ModelChoiceField(
        label=gettext_lazy("Contact person"),
        queryset=Membership.objects.none(),
        required=False,
        empty_label="—",
        help_text=gettext_lazy("Who answers questions about the content? They are told about every step."),
    )

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org = member.organization
        departments = Department.objects.filter(organization=org).order_by("name")
        if member.role not in (Role.ADMIN, Role.SMM, Role.CM):
            departments = departments.filter(memberships=member)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]
        self.fields["topic"].queryset = Topic.objects.filter(organization=org)  # type: ignore[attr-defined]
        channel_ids = [c.pk for c, _level in visible_channels(member)]
        self.fields["channels"].queryset = Channel.objects.filter(pk__in=channel_ids).order_by("name")  # type: ignore[attr-defined]
        self.fields["channels"].label_from_instance = lambda c: f"{c.name} · {c.get_network_display()}"  # type: ignore[attr-defined]
        # Contacts must be able to open the request they are told about.
        contacts = (
            Membership.objects.active()
            .filter(organization=org, role__in=[Role.ADMIN, Role.SMM, Role.CM, Role.CONTRIBUTOR])
            .select_related("user")
            .order_by("user__full_name")
        )
        self.fields["contact"].queryset = contacts  # type: ignore[attr-defined]
        self.fields["contact"].label_from_instance = lambda m: m.user.full_name or m.user.email  # type: ignore[attr-defined]
        style_form(self)

    def clean_links(self) -> str:
        return rs.clean_links(self.cleaned_data["links"])

    def clean_wished_from(self) -> Any:
        value = self.cleaned_data["wished_from"]
        if value and value < timezone.localdate():
            raise ValidationError(_("The wished date is in the past. Choose today or a later day."))
        return value

    def clean_attachments(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data["attachments"]
        if len(files) > rs.MAX_ATTACHMENTS:
            raise ValidationError(
                _("Attach at most %(count)s files; share more as a link.") % {"count": rs.MAX_ATTACHMENTS}
            )
        errors = []
        for upload in files:
            head = upload.read(16)
            upload.seek(0)
            try:
                rs.check_attachment(upload.name or "", upload.size or 0, head)
            except ValidationError as error:
                errors.append(error)
        if errors:
            raise ValidationError(errors)
        return files

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("wished_from"), data.get("wished_until")
        if start and end and end < start:
            self.add_error(
                "wished_until",
                _("The end of the wished period is before its start. Choose a later end date."),
            )
        return data


class TextForm(Form):
    text = forms.CharField(label=gettext_lazy("Text"), widget=forms.Textarea(attrs={"rows": 3}))


def _mark_invalid(form: forms.Form, name: str) -> None:
    attrs = form.fields[name].widget.attrs
    if "is-invalid" not in attrs.get("class", ""):
        attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
    attrs["aria-invalid"] = "true"


def _access_request(member: Membership, request_id: UUID) -> ContentRequest:
    """A request this person may see; 404 for everything else, as for every organisation object."""
    found = access_plan_object(member, ContentRequest, request_id)
    if not rs.may_see_request(member, found):
        raise Http404
    return ContentRequest.objects.select_related(
        "organization", "department", "topic", "requester__user", "contact__user", "decided_by__user"
    ).get(pk=found.pk)


@login_required
def requests(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org, need=C.CREATE_CONTENT)
    items = rs.visible_requests(member)
    status = request.GET.get("status", "")
    if status in R.values:
        items = items.filter(status=status)
    departments = Department.objects.filter(organization_id=member.organization_id).order_by("name")
    department = request.GET.get("department", "")
    chosen = next((d for d in departments if str(d.public_id) == department), None)
    if chosen is not None:
        items = items.filter(department=chosen)
    mine = bool(request.GET.get("mine"))
    if mine:
        items = items.filter(requester=member)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "statuses": R.choices,
        "departments": departments,
        "filter_status": status,
        "filter_department": str(chosen.public_id) if chosen else "",
        "mine": mine,
        "filtered": bool(status or chosen or mine),
        "query": query.urlencode(),
    }
    return render_for_member(request, member, "planning/requests.html", context)


def _attachments(files: list[UploadedFile]) -> list[rs.Attachment]:
    return [rs.Attachment(f.name or "", f.read(), f.content_type or "") for f in files]


@login_required
def request_new(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org, need=C.CREATE_CONTENT)
    form = RequestForm(
        request.POST or None,
        request.FILES or None,
        member=member,
        initial={"department": member.departments.order_by("name").first(), "contact": member},
    )
    if request.method == "POST":
        if form.is_valid():
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
                    attachments=_attachments(data["attachments"]),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your request was sent. You will be told when it is decided."))
                return redirect("planning:request", org, created.public_id)
        if request.FILES.getlist("attachments"):
            form.add_error("attachments", str(FILES_AGAIN))
            _mark_invalid(form, "attachments")
        return render_for_member(request, member, "planning/request_form.html", {"form": form}, status=400)
    return render_for_member(request, member, "planning/request_form.html", {"form": form})


def _detail_context(
    member: Membership, item: ContentRequest, form: TextForm, action: str = ""
) -> dict[str, Any]:
    post = Post.objects.filter(request=item).only("public_id", "title", "status", "publish_at").first()
    return {
        "item": item,
        "form": form,
        "failed_action": action,
        "may_decide": rs.may_decide_request(member, item) and item.status in rs.OPEN,
        "may_answer": rs.may_answer_request(member, item),
        "post": post,
        "history": rs.request_history(item),
        "attachments": list(item.attachments.all()),
        "channels": list(item.wished_channels.order_by("name")),
        "period": rs.wished_period(item),
    }


@login_required
def request_detail(request: HttpRequest, org: str, request_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org, need=C.CREATE_CONTENT)
    item = _access_request(member, request_id)
    return render_for_member(
        request, member, "planning/request_detail.html", _detail_context(member, item, TextForm())
    )


@require_POST
@login_required
def request_act(request: HttpRequest, org: str, request_id: UUID, action: str) -> HttpResponse:
    member = membership_for(request.user, org, need=C.CREATE_CONTENT)
    item = _access_request(member, request_id)
    if action not in ("accept", "ask", "decline", "answer"):
        raise Http404
    form = TextForm(request.POST)
    text = request.POST.get("text", "")
    try:
        if action == "accept":
            post = rs.request_accept(actor=member, request=item)
            messages.success(
                request, _("The request is in the plan as a draft. Write the post and plan its channels.")
            )
            return redirect("planning:post", org, post.public_id)
        if action == "ask":
            rs.request_ask(actor=member, request=item, question=text)
            messages.success(request, _("Your question was sent to the department."))
        elif action == "decline":
            rs.request_decline(actor=member, request=item, reason=text)
            messages.success(request, _("The request was declined; the department has been told why."))
        else:
            rs.request_answer(actor=member, request=item, answer=text)
            messages.success(request, _("Your answer was sent. The social media team will decide now."))
    except NotAllowed:
        raise Http404 from None
    except services.InvalidTransition as error:
        # Someone else decided first, or the question was already answered: show the request as it is now.
        messages.error(request, " ".join(error.messages))
        return redirect("planning:request", org, item.public_id)
    except ValidationError as error:
        form.full_clean()
        form.errors.clear()
        form.add_error(None, error)
        context = _detail_context(member, item, form, action)
        return render_for_member(request, member, "planning/request_detail.html", context, status=400)
    return redirect("planning:request", org, item.public_id)


@login_required
def request_file(request: HttpRequest, org: str, request_id: UUID, file_id: int) -> FileResponse:
    """A file of the request, only for people who may see the request; always downloaded, never rendered."""
    member = membership_for(request.user, org, need=C.CREATE_CONTENT)
    item = _access_request(member, request_id)
    attachment = RequestAttachment.objects.filter(request=item, pk=file_id).first()
    if attachment is None:
        raise Http404
    content_type = mimetypes.guess_type(attachment.name)[0] or "application/octet-stream"
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
