from __future__ import annotations

import csv
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from onevoice.accounts import services as account_services
from onevoice.accounts.forms import AccountForm
from onevoice.accounts.models import User
from onevoice.accounts.views import remember_language
from onevoice.core.audit import verb_label
from onevoice.organization import selectors, services
from onevoice.organization.access import (
    access_department,
    access_invitation,
    access_membership,
    current_membership,
    membership_for,
)
from onevoice.organization.forms import (
    AuditFilterForm,
    DepartmentForm,
    InvitationForm,
    MembershipForm,
    OrganizationForm,
)
from onevoice.organization.models import Membership
from onevoice.organization.roles import ROLE_DESCRIPTIONS, Capability, Role
from onevoice.organization.shortcuts import render_for_member

C = Capability


@login_required
def overview(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org, need=C.VIEW_PLAN)
    user = member.user
    if user.last_organization_id != member.organization_id:
        user.last_organization = member.organization
        user.save(update_fields=["last_organization"])
    departments = selectors.departments_with_figures(member)
    members = selectors.members_of(member)
    context = {
        "departments": departments,
        "member_count": members.count(),
        "role_counts": _role_counts(members),
        "total_hours": selectors.total_weekly_hours(member),
        "pending_invitations": selectors.pending_invitations_of(member).count()
        if member.can(C.MANAGE_MEMBERS)
        else None,
        "recent_events": selectors.audit_events(member)[:8] if member.can(C.VIEW_AUDIT) else None,
    }
    return render_for_member(request, member, "organization/overview.html", context)


def _role_counts(members: Any) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for m in members:
        counts[m.role] = counts.get(m.role, 0) + 1
    return [(str(Role(r).label), counts[r]) for r in Role.values if counts.get(r)]


@login_required
def settings_edit(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_SETTINGS)
    organization = member.organization
    initial = {
        "name": organization.name,
        "time_zone": organization.time_zone,
        "form_of_address": organization.form_of_address,
        "model": organization.model,
    }
    form = OrganizationForm(request.POST or None, initial=initial, business_hours=organization.business_hours)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.organization_update(
                actor=member,
                organization=organization,
                name=data["name"],
                time_zone=data["time_zone"],
                form_of_address=data["form_of_address"],
                model=data["model"],
                business_hours=data["business_hours"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The settings were saved."))
            return redirect("organization:settings", organization.slug)
    status = 400 if request.method == "POST" else 200
    return render_for_member(request, member, "organization/settings.html", {"form": form}, status=status)


@login_required
def departments(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org, need=C.VIEW_PLAN)
    form = DepartmentForm(request.POST or None)
    if request.method == "POST":
        if not member.can(C.MANAGE_MEMBERS):
            raise Http404
        if form.is_valid():
            try:
                department = services.department_create(actor=member, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Department “%(name)s” was created.") % {"name": department.name})
                return redirect("organization:departments", org)
    context = {"departments": selectors.departments_with_figures(member), "form": form}
    status = 400 if request.method == "POST" else 200
    return render_for_member(request, member, "organization/departments.html", context, status=status)


@login_required
def department_edit(request: HttpRequest, org: str, department_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_MEMBERS)
    department = access_department(member, department_id)
    form = DepartmentForm(request.POST or None, initial=department.snapshot())
    if request.method == "POST" and form.is_valid():
        try:
            services.department_update(actor=member, department=department, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The department was saved."))
            return redirect("organization:departments", org)
    people = selectors.members_of(member).filter(departments=department)
    context = {"department": department, "form": form, "people": people}
    status = 400 if request.method == "POST" else 200
    return render_for_member(request, member, "organization/department_edit.html", context, status=status)


@require_POST
@login_required
def department_delete(request: HttpRequest, org: str, department_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_MEMBERS)
    department = access_department(member, department_id)
    services.department_delete(actor=member, department=department)
    messages.success(request, _("Department “%(name)s” was deleted.") % {"name": department.name})
    return redirect("organization:departments", org)


@login_required
def people(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_MEMBERS)
    members = selectors.members_of(member)
    role = request.GET.get("role", "")
    department = request.GET.get("department", "")
    if role in Role.values:
        members = members.filter(role=role)
    if department:
        members = members.filter(departments__public_id__in=[department] if _is_uuid(department) else [])
    context = {
        "members": members,
        "former_members": selectors.members_of(member, active=False),
        "invitations": selectors.pending_invitations_of(member),
        "departments": selectors.departments_with_figures(member),
        "roles": Role.choices,
        "filter_role": role,
        "filter_department": department,
    }
    return render_for_member(request, member, "organization/people.html", context)


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True


@login_required
def invite(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_MEMBERS)
    form = InvitationForm(
        request.POST or None,
        organization=member.organization,
        may_grant_admin=member.role == Role.ADMIN,
        initial={"role": Role.CM if member.organization.model != "solo" else Role.CONTRIBUTOR},
    )
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.invitation_create(actor=member, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                ngettext(
                    "An invitation was sent to %(email)s. The link is valid for %(days)s day.",
                    "An invitation was sent to %(email)s. The link is valid for %(days)s days.",
                    settings.INVITATION_VALID_DAYS,
                )
                % {"email": invitation.email, "days": settings.INVITATION_VALID_DAYS},
            )
            return redirect("organization:people", org)
    context = {"form": form, "role_descriptions": [(r.label, ROLE_DESCRIPTIONS[r]) for r in Role]}
    status = 400 if request.method == "POST" else 200
    return render_for_member(request, member, "organization/invite.html", context, status=status)


@require_POST
@login_required
def invitation_resend(request: HttpRequest, org: str, invitation_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_MEMBERS)
    invitation = access_invitation(member, invitation_id)
    try:
        services.invitation_resend(actor=member, invitation=invitation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The invitation was sent to %(email)s again.") % {"email": invitation.email}
        )
    return redirect("organization:people", org)


@require_POST
@login_required
def invitation_revoke(request: HttpRequest, org: str, invitation_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_MEMBERS)
    invitation = access_invitation(member, invitation_id)
    try:
        services.invitation_revoke(actor=member, invitation=invitation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email}
        )
    return redirect("organization:people", org)


@login_required
def membership_edit(request: HttpRequest, org: str, membership_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_MEMBERS)
    target = access_membership(member, membership_id)
    may_grant_admin = member.role == Role.ADMIN
    form = MembershipForm(
        request.POST or None,
        organization=member.organization,
        may_grant_admin=may_grant_admin or target.role == Role.ADMIN,
        initial={
            "role": target.role,
            "departments": list(target.departments.all()),
            "weekly_hours": target.weekly_hours,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(actor=member, membership=target, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        except services.NotAllowed:
            form.add_error("role", _("Only an administrator can give or take the administrator role."))
        else:
            messages.success(request, _("Changes for %(name)s were saved.") % {"name": target.user})
            return redirect("organization:people", org)
    context = {
        "target": target,
        "form": form,
        "role_descriptions": [(r.label, ROLE_DESCRIPTIONS[r]) for r in Role],
        "may_remove": may_grant_admin or target.role != Role.ADMIN,
    }
    status = 400 if request.method == "POST" else 200
    return render_for_member(request, member, "organization/membership_edit.html", context, status=status)


@require_POST
@login_required
def membership_deactivate(request: HttpRequest, org: str, membership_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_MEMBERS)
    target = access_membership(member, membership_id)
    try:
        services.membership_deactivate(actor=member, membership=target)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("organization:membership", org, target.public_id)
    except services.NotAllowed:
        messages.error(request, _("Only an administrator can remove an administrator."))
        return redirect("organization:membership", org, target.public_id)
    messages.success(request, _("%(name)s was removed from the organisation.") % {"name": target.user})
    if target.pk == member.pk:
        return redirect("home")
    return redirect("organization:people", org)


@require_POST
@login_required
def membership_reactivate(request: HttpRequest, org: str, membership_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_MEMBERS)
    target = access_membership(member, membership_id)
    try:
        services.membership_reactivate(actor=member, membership=target)
    except services.NotAllowed:
        messages.error(request, _("Only an administrator can re-admit an administrator."))
    else:
        messages.success(request, _("%(name)s is a member again.") % {"name": target.user})
    return redirect("organization:people", org)


@login_required
def audit_log(request: HttpRequest, org: str) -> HttpResponse | StreamingHttpResponse:
    member = membership_for(request.user, org, need=C.VIEW_AUDIT)
    verbs, actors = selectors.audit_filter_choices(member)
    form = AuditFilterForm(request.GET or None, verbs=verbs, actors=actors)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_events(member, **{k: v for k, v in filters.items() if v})
    if request.GET.get("format") == "csv":
        return _audit_csv(member, events)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render_for_member(request, member, "organization/audit_log.html", context)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _audit_csv(member: Membership, events: Any) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    zone = timezone.get_current_timezone()

    def rows() -> Any:
        yield "\ufeff"  # so Excel opens the UTF-8 file with umlauts intact
        yield writer.writerow(
            [
                _("Time"),
                _("Person"),
                _("Action"),
                _("Action code"),
                _("Object type"),
                _("Object"),
                _("Before"),
                _("After"),
                _("IP address"),
            ]
        )
        for e in events.iterator(chunk_size=500):
            yield writer.writerow(
                [
                    timezone.localtime(e.created_at, zone).isoformat(timespec="seconds"),
                    e.actor_label,
                    verb_label(e.verb),
                    e.verb,
                    e.object_type,
                    _csv_safe(e.object_repr),
                    _csv_safe(_json(e.before)),
                    _csv_safe(_json(e.after)),
                    e.ip_address or "",
                ]
            )

    stamp = timezone.localtime().strftime("%Y-%m-%d")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{member.organization.slug}-{stamp}.csv"'
    return response


def _json(value: Any) -> str:
    import json

    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _csv_safe(value: str) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def home(request: HttpRequest) -> HttpResponse:
    """Send people to the organisation they used last, to the wizard on a fresh installation."""

    if not request.user.is_authenticated:
        return redirect("setup" if not User.objects.exists() else "accounts:login")
    chosen = current_membership(request.user)
    if chosen is None:
        return render(request, "organization/no_organization.html")
    return redirect("organization:overview", chosen.organization.slug)


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Open an invitation link: create an account or log in, then join the organisation."""

    try:
        invitation = services.invitation_by_token(token)
    except services.InvitationUnusable as error:
        return render(request, "organization/invitation_unusable.html", {"error": error}, status=410)

    context: dict[str, Any] = {"invitation": invitation, "organization": invitation.organization}
    if request.user.is_authenticated:
        if request.method == "POST" and request.POST.get("action") == "logout":
            logout(request)
            return redirect("invitation-accept", token)
        if request.method == "POST":
            try:
                membership = services.invitation_accept(token=token, user=request.user)
            except services.InvitationUnusable as error:
                context["error"] = error
                return render(request, "organization/invitation_accept.html", context, status=400)
            messages.success(request, _("Welcome to %(name)s!") % {"name": membership.organization.name})
            return redirect("organization:overview", membership.organization.slug)
        context["foreign"] = request.user.email.lower() != invitation.email.lower()
        return render(request, "organization/invitation_accept.html", context)

    if User.objects.filter(email__iexact=invitation.email).exists():
        context["has_account"] = True
        return render(request, "organization/invitation_accept.html", context)

    form = AccountForm(request.POST or None, fixed_email=invitation.email, initial={"language": "de"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                user = account_services.account_create(
                    email=invitation.email,
                    full_name=data["full_name"],
                    password=data["password1"],
                    language=data["language"],
                )
                membership = services.invitation_accept(token=token, user=user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to %(name)s!") % {"name": membership.organization.name})
            response = redirect("organization:overview", membership.organization.slug)
            return remember_language(response, user.language)
    context["form"] = form
    status = 400 if request.method == "POST" else 200
    return render(request, "organization/invitation_accept.html", context, status=status)
