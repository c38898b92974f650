"""Contact pages (CMs and SMMs), the DSGVO export and erasure and the retention settings (SMM/admin)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onevoice.inbox import contacts as contact_services
from onevoice.inbox import privacy
from onevoice.inbox.forms_privacy import ContactForm, EraseForm, MergeForm, RetentionForm
from onevoice.inbox.models import Contact
from onevoice.organization.access import access_contact, may_manage_contacts, membership_for
from onevoice.organization.models import Membership
from onevoice.organization.roles import Capability
from onevoice.organization.shortcuts import render_for_member

C = Capability


def _member(request: HttpRequest, org: str) -> Membership:
    """Contacts are for the people who answer the community (CMs) and those who manage the inbox."""
    member = membership_for(request.user, org)
    if not (member.can(C.REPLY) or may_manage_contacts(member)):
        raise Http404
    return member


@login_required
def contacts(request: HttpRequest, org: str) -> HttpResponse:
    member = _member(request, org)
    query = request.GET.get("q", "")[:200]
    vip_only = request.GET.get("vip") == "1"
    page = Paginator(contact_services.contact_list(member, query=query, vip_only=vip_only), 50).get_page(
        request.GET.get("page")
    )
    return render_for_member(
        request,
        member,
        "inbox/contacts/list.html",
        {
            "nav": "inbox",
            "page": page,
            "query": query,
            "vip_only": vip_only,
            "may_manage": may_manage_contacts(member),
        },
    )


def _detail(
    request: HttpRequest,
    member: Membership,
    contact: Contact,
    form: ContactForm | None = None,
    status: int = 200,
) -> HttpResponse:
    cases = contact_services.contact_cases(member, contact)
    merge_query = request.GET.get("merge_q", "")[:200]
    return render_for_member(
        request,
        member,
        "inbox/contacts/detail.html",
        {
            "nav": "inbox",
            "contact": contact,
            "handles": list(contact.handles.all().order_by("network", "handle")),
            "cases": cases,
            "hidden_cases": contact_services.contact_hidden_case_count(member, contact, len(cases)),
            "form": form
            or ContactForm(
                initial={
                    "display_name": contact.display_name,
                    "notes": contact.notes,
                    "is_vip": contact.is_vip,
                }
            ),
            "merge_query": merge_query,
            "merge_candidates": contact_services.merge_candidates(member, contact, merge_query),
            "may_manage": may_manage_contacts(member),
        },
        status=status,
    )


@login_required
def contact(request: HttpRequest, org: str, contact_id: UUID) -> HttpResponse:
    member = _member(request, org)
    found = access_contact(member, contact_id)
    if request.method != "POST":
        return _detail(request, member, found)
    form = ContactForm(request.POST)
    if not form.is_valid():
        return _detail(request, member, found, form, status=400)
    try:
        contact_services.contact_update(
            actor=member,
            contact=found,
            changes=contact_services.ContactChanges(
                display_name=form.cleaned_data["display_name"],
                notes=form.cleaned_data["notes"],
                is_vip=form.cleaned_data["is_vip"],
            ),
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _detail(request, member, found, form, status=400)
    messages.success(request, _("The contact was saved."))
    return redirect("inbox:contact", org=org, contact_id=found.public_id)


@require_POST
@login_required
def contact_merge(request: HttpRequest, org: str, contact_id: UUID) -> HttpResponse:
    """Merge another contact (the same person on another network) into this one."""
    member = _member(request, org)
    target = access_contact(member, contact_id)
    form = MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the contact to merge from the search results."))
        return redirect("inbox:contact", org=org, contact_id=target.public_id)
    source = access_contact(member, form.cleaned_data["source"])
    try:
        contact_services.contact_merge(actor=member, target=target, source=source)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The contacts were merged: handles and cases are now on this page."))
    return redirect("inbox:contact", org=org, contact_id=target.public_id)


@require_POST
@login_required
def contact_export(request: HttpRequest, org: str, contact_id: UUID) -> HttpResponse:
    """Download everything stored about the person (JSON, or a ZIP with JSON, CSV and a readable page)."""
    member = _member(request, org)
    found = access_contact(member, contact_id, manage=True)
    fmt = "zip" if request.POST.get("format") == "zip" else "json"
    data = privacy.contact_export_record(actor=member, contact=found, fmt=fmt)
    stamp = timezone.localdate().isoformat()
    name = f"contact-{found.public_id}-{stamp}"
    if fmt == "zip":
        response = HttpResponse(
            privacy.export_zip(data, language=get_language()), content_type="application/zip"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.zip"'
    else:
        response = HttpResponse(privacy.export_json(data), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def contact_erase(request: HttpRequest, org: str, contact_id: UUID) -> HttpResponse:
    """Erase a person on request: a confirmation page that says what will happen, then the erasure."""
    member = _member(request, org)
    found = access_contact(member, contact_id, manage=True)
    inbox_settings = privacy.settings_of(member.organization)
    form = EraseForm(request.POST or None, initial={"mode": inbox_settings.retention_mode})
    if request.method == "POST" and form.is_valid():
        result = privacy.contact_erase(actor=member, contact=found, mode=form.cleaned_data["mode"])
        if result.mode == privacy.RetentionMode.DELETE:
            text = _("The contact and %(cases)s cases were deleted.")
        else:
            text = _("The contact was deleted and %(cases)s cases were anonymised.")
        messages.success(request, text % {"cases": result.cases})
        return redirect("inbox:contacts", org=org)
    return render_for_member(
        request,
        member,
        "inbox/contacts/erase.html",
        {"nav": "inbox", "contact": found, "form": form, "preview": privacy.erasure_preview(found)},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def privacy_settings(request: HttpRequest, org: str) -> HttpResponse:
    """Retention (how long closed cases are kept, then anonymised or deleted) with a dry run."""
    member = membership_for(request.user, org)
    if not may_manage_contacts(member):
        raise Http404
    current = privacy.settings_of(member.organization)
    form = RetentionForm(
        request.POST or None,
        initial={"retention_months": current.retention_months, "retention_mode": current.retention_mode},
    )
    months, mode = current.retention_months, current.retention_mode
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            status = 400
        else:
            months, mode = form.cleaned_data["retention_months"], form.cleaned_data["retention_mode"]
            if "save" in request.POST:
                privacy.retention_update(actor=member, months=months, mode=mode)
                messages.success(request, _("The retention rule was saved. It runs every night."))
                return redirect("inbox:privacy", org=org)
    preview = privacy.retention_preview(member.organization, months=months, mode=mode)
    return render_for_member(
        request,
        member,
        "inbox/contacts/privacy.html",
        {
            "nav": "inbox",
            "form": form,
            "current": current,
            "preview": preview,
            "previewing": request.method == "POST" and "save" not in request.POST and status == 200,
        },
        status=status,
    )
