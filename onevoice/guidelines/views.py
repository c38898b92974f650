"""Guideline pages: everyone reads and confirms the current version; managers write, publish and remind."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from onevoice.guidelines import selectors, services
from onevoice.guidelines.forms import GuidelineForm
from onevoice.guidelines.models import Acknowledgement, Guideline, GuidelineVersion
from onevoice.guidelines.rendering import changed_lines, render_markdown
from onevoice.organization.access import membership_for
from onevoice.organization.models import Membership
from onevoice.organization.roles import Capability
from onevoice.organization.shortcuts import render_for_member

C = Capability


def _page(
    request: HttpRequest, member: Membership, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    context = {"nav": "guidelines", "may_manage": selectors.may_manage(member), **context}
    return render_for_member(request, member, template, context, status)


def _messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


@login_required
def guideline_list(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org, need=C.VIEW_PLAN)
    rows = selectors.guideline_rows(member)
    pending = [row for row in rows if row.needs_my_confirmation]
    return _page(request, member, "guidelines/list.html", {"rows": rows, "pending": pending})


def _form_page(
    request: HttpRequest,
    member: Membership,
    form: GuidelineForm,
    *,
    guideline: Guideline | None,
    draft: GuidelineVersion | None,
    current: GuidelineVersion | None,
    preview: Any = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "guideline": guideline,
        "draft": draft,
        "current": current,
        "preview": preview,
    }
    return _page(request, member, "guidelines/form.html", context, status)


@login_required
def guideline_new(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_STRATEGY)
    form = GuidelineForm(request.POST or None, initial={"change_note": _("First version.")})
    if request.method == "POST" and "preview" in request.POST:  # the Preview button without JavaScript
        preview = render_markdown(request.POST.get("body", ""))
        return _form_page(request, member, form, guideline=None, draft=None, current=None, preview=preview)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.guideline_create(actor=member, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _after_save(request, member, version)
    status = 400 if request.method == "POST" else 200
    return _form_page(request, member, form, guideline=None, draft=None, current=None, status=status)


def _after_save(request: HttpRequest, member: Membership, version: GuidelineVersion) -> HttpResponse:
    org, guideline = member.organization.slug, version.guideline
    if "publish" not in request.POST:
        messages.success(request, _("The draft was saved. Nobody else sees it until you publish it."))
        return redirect("guidelines:draft", org, guideline.public_id)
    try:
        services.version_publish(actor=member, version=version)
    except ValidationError as error:
        messages.error(
            request, _("The draft was saved but not published: %(reason)s") % {"reason": _messages_of(error)}
        )
        return redirect("guidelines:draft", org, guideline.public_id)
    messages.success(
        request,
        _("Version %(number)s is published. Everyone is asked to read it.") % {"number": version.number},
    )
    return redirect("guidelines:detail", org, guideline.public_id)


@login_required
def draft_edit(request: HttpRequest, org: str, guideline_id: UUID) -> HttpResponse:
    """The guideline's draft; with none yet, a new one starts from the current text."""
    member = membership_for(request.user, org, need=C.MANAGE_STRATEGY)
    guideline = selectors.access_guideline(member, guideline_id, manage=True)
    draft = selectors.draft_of(guideline)
    current = selectors.current_version(guideline)
    source = draft or current
    initial = {
        "title": guideline.title,
        "body": source.body if source else "",
        "change_note": draft.change_note if draft else "",
    }
    form = GuidelineForm(request.POST or None, initial=initial)
    if request.method == "POST" and "preview" in request.POST:
        preview = render_markdown(request.POST.get("body", ""))
        return _form_page(
            request, member, form, guideline=guideline, draft=draft, current=current, preview=preview
        )
    if request.method == "POST" and form.is_valid():
        try:
            version = services.draft_save(actor=member, guideline=guideline, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _after_save(request, member, version)
    status = 400 if request.method == "POST" else 200
    return _form_page(request, member, form, guideline=guideline, draft=draft, current=current, status=status)


@require_POST
@login_required
def preview(request: HttpRequest, org: str) -> HttpResponse:
    """The Markdown as it will look, for the Preview button (htmx swaps it into the page)."""
    membership_for(request.user, org, need=C.MANAGE_STRATEGY)
    html = render_markdown(request.POST.get("body", ""))
    return render(request, "guidelines/includes/preview.html", {"preview": html})


@require_POST
@login_required
def draft_discard(request: HttpRequest, org: str, guideline_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_STRATEGY)
    guideline = selectors.access_guideline(member, guideline_id, manage=True)
    draft = selectors.draft_of(guideline)
    if draft is None:
        messages.info(request, _("There is no draft to discard."))
        return redirect("guidelines:detail", org, guideline.public_id)
    had_published = selectors.current_version(guideline) is not None
    services.draft_discard(actor=member, version=draft)
    messages.success(request, _("The draft was discarded."))
    if had_published:
        return redirect("guidelines:detail", org, guideline.public_id)
    return redirect("guidelines:list", org)


@login_required
def guideline_detail(request: HttpRequest, org: str, guideline_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org, need=C.VIEW_PLAN)
    guideline = selectors.access_guideline(member, guideline_id)
    current = selectors.current_version(guideline)
    return _version_page(request, member, guideline, current)


@login_required
def version_detail(request: HttpRequest, org: str, guideline_id: UUID, number: int) -> HttpResponse:
    member = membership_for(request.user, org, need=C.VIEW_PLAN)
    guideline = selectors.access_guideline(member, guideline_id)
    return _version_page(request, member, guideline, selectors.access_version(member, guideline, number))


def _version_page(
    request: HttpRequest, member: Membership, guideline: Guideline, version: GuidelineVersion | None
) -> HttpResponse:
    current = selectors.current_version(guideline)
    history = selectors.history(guideline)
    changes = []
    if version is not None:
        before = next((e.version for e in history if e.version.number < version.number), None)
        if before is not None:
            changes = changed_lines(before.body, version.body)
    acknowledged = None
    if current is not None and version is not None and version.pk == current.pk:
        acknowledged = Acknowledgement.objects.filter(version=current, membership=member).first()
    context = {
        "guideline": guideline,
        "version": version,
        "current": current,
        "is_current": version is not None and current is not None and version.pk == current.pk,
        "body": render_markdown(version.body) if version else "",
        "changes": changes,
        "history": history,
        "acknowledged": acknowledged,
        "draft": selectors.draft_of(guideline) if selectors.may_manage(member) else None,
    }
    return _page(request, member, "guidelines/detail.html", context)


@require_POST
@login_required
def version_publish(request: HttpRequest, org: str, guideline_id: UUID, number: int) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_STRATEGY)
    guideline = selectors.access_guideline(member, guideline_id, manage=True)
    version = selectors.access_version(member, guideline, number)
    try:
        services.version_publish(actor=member, version=version)
    except ValidationError as error:
        messages.error(request, _messages_of(error))
        if version.is_published:
            return redirect("guidelines:version", org, guideline.public_id, number)
        return redirect("guidelines:draft", org, guideline.public_id)
    messages.success(
        request, _("Version %(number)s is published. Everyone is asked to read it.") % {"number": number}
    )
    return redirect("guidelines:detail", org, guideline.public_id)


@require_POST
@login_required
def acknowledge(request: HttpRequest, org: str, guideline_id: UUID, number: int) -> HttpResponse:
    member = membership_for(request.user, org, need=C.VIEW_PLAN)
    guideline = selectors.access_guideline(member, guideline_id)
    version = selectors.access_version(member, guideline, number)
    try:
        services.acknowledge(member=member, version=version)
    except ValidationError as error:
        messages.error(request, _messages_of(error))
    else:
        messages.success(
            request,
            _("Thank you for confirming that you have read “%(title)s”.") % {"title": guideline.title},
        )
    return redirect("guidelines:detail", org, guideline.public_id)


@login_required
def acknowledgements(request: HttpRequest, org: str, guideline_id: UUID) -> HttpResponse:
    """Who has confirmed the current version and who has not, with the dates and the share."""
    member = membership_for(request.user, org, need=C.MANAGE_STRATEGY)
    guideline = selectors.access_guideline(member, guideline_id, manage=True)
    current = selectors.current_version(guideline)
    report = selectors.acknowledgement_report(current) if current else None
    # Those who remind are not reminded themselves.
    to_remind = (
        [r for r in report.rows if r.acknowledged_at is None and r.membership.pk != member.pk]
        if report
        else []
    )
    return _page(
        request,
        member,
        "guidelines/acknowledgements.html",
        {"guideline": guideline, "current": current, "report": report, "to_remind": len(to_remind)},
    )


@require_POST
@login_required
def remind(request: HttpRequest, org: str, guideline_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_STRATEGY)
    guideline = selectors.access_guideline(member, guideline_id, manage=True)
    current = selectors.current_version(guideline)
    if current is None:
        messages.error(request, _("Publish a version first; then you can remind people to read it."))
        return redirect("guidelines:draft", org, guideline.public_id)
    try:
        reminded = services.reminders_send(actor=member, version=current)
    except ValidationError as error:
        messages.error(request, _messages_of(error))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)s person was reminded to read version %(number)s.",
                "%(count)s people were reminded to read version %(number)s.",
                len(reminded),
            )
            % {"count": len(reminded), "number": current.number},
        )
    return redirect("guidelines:acknowledgements", org, guideline.public_id)
