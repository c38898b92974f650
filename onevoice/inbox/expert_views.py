"""Forwarding a question from a case to an expert (CMs), revoking it, and the expert's page behind the link."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from onevoice.inbox import forward as forwarding
from onevoice.inbox.forms_privacy import ExpertAnswerForm, ForwardForm
from onevoice.inbox.models import Case, ForwardToken
from onevoice.organization.access import access_case, membership_for
from onevoice.organization.models import Membership
from onevoice.organization.roles import Capability
from onevoice.organization.shortcuts import render_for_member


def _case(member: Membership, case_id: UUID) -> Case:
    if not member.can(Capability.REPLY):
        raise Http404
    return access_case(member, case_id, act=True)


@login_required
def case_forward(request: HttpRequest, org: str, case_id: UUID) -> HttpResponse:
    """Forward a question to an expert; errors show the form on its own page with everything typed kept."""
    member = membership_for(request.user, org)
    case = _case(member, case_id)
    form = ForwardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            forward, _token = forwarding.forward_create(
                actor=member,
                case=case,
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                question=form.cleaned_data["question"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The question was sent to %(email)s. You will be notified when the answer arrives.")
                % {"email": forward.email},
            )
            return redirect(forwarding.case_url(case) + "#forwards")
    return render_for_member(
        request,
        member,
        "inbox/expert/forward.html",
        {
            "nav": "inbox",
            "case": case,
            "forward_form": form,
            "suggestions": forwarding.forward_suggestions(case),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@login_required
def forward_revoke(request: HttpRequest, org: str, forward_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org)
    found = (
        ForwardToken.objects.select_related("case__organization")
        .filter(public_id=forward_id, case__organization_id=member.organization_id)
        .first()
    )
    if found is None:
        raise Http404
    case = _case(member, found.case.public_id)
    try:
        forwarding.forward_revoke(actor=member, forward=found)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The link was revoked; it no longer opens the case."))
    return redirect(forwarding.case_url(case) + "#forwards")


def _problem(forward: ForwardToken | None) -> str:
    if forward is None:
        return _("This link is not valid. Please check that you copied it completely from the e-mail.")
    state = forwarding.link_state(forward)
    if state == forwarding.LinkState.ANSWERED:
        return _("This link has already been used. Thank you for your answer!")
    if state == forwarding.LinkState.REVOKED:
        return _("The community team has withdrawn this question; the link no longer opens the conversation.")
    if state == forwarding.LinkState.EXPIRED:
        return _(
            "This link has expired. If your answer is still needed, ask the community team for a new link."
        )
    return ""


def _private(response: HttpResponse) -> HttpResponse:
    """The address is the key: no search engine indexes it and no other site learns it as a referrer.

    `same-origin`, not `no-referrer`: with the latter the browser sends `Origin: null` on the answer form's
    POST, which Django's CSRF check rightly refuses.
    """
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    return response


@never_cache
def expert(request: HttpRequest, token: str) -> HttpResponse:
    """The page behind the expert's link: the thread read-only, the question and the answer form."""
    return _private(_expert(request, token))


def _expert(request: HttpRequest, token: str) -> HttpResponse:
    found = forwarding.forward_by_token(token)
    problem = _problem(found)
    if problem:
        return render(request, "inbox/expert/page.html", {"problem": problem}, status=410 if found else 404)
    assert found is not None
    form = ExpertAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            forwarding.forward_answer(token=token, answer=form.cleaned_data["answer"])
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                return render(
                    request, "inbox/expert/page.html", {"problem": " ".join(error.messages)}, status=410
                )
        else:
            return render(request, "inbox/expert/page.html", {"done": True, "forward": found})
    return render(
        request,
        "inbox/expert/page.html",
        {
            "forward": found,
            "organization": found.case.organization,
            "thread": forwarding.expert_thread(found),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )
