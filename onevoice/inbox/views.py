"""Working the inbox: the case list (live), one case with its thread, owner, status, notes and the reply
composer (saved replies, voice check, approval, collision detection), moderation, and the SMM's saved replies.

Every view starts with `membership_for` and loads cases through `access_case` (organization/access.py):
missing, foreign and forbidden cases are the same 404.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import select_template
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from onevoice.inbox import selectors, services
from onevoice.inbox.forms import (
    AssignForm,
    DetailsForm,
    NoteForm,
    ReplyForm,
    ReturnForm,
    SavedReplyForm,
    StatusForm,
    TriageForm,
    filters_from,
)
from onevoice.inbox.models import Case, Message, Priority, Reply, SavedReply, Sentiment
from onevoice.inbox.templatetags.inbox_tags import case_status
from onevoice.organization.access import (
    NotAllowed,
    access_case,
    may_reply_case,
    may_use_inbox,
    may_work_case,
    membership_for,
)
from onevoice.organization.models import Membership
from onevoice.organization.roles import Capability
from onevoice.organization.shortcuts import render_for_member

C = Capability
R = Reply.State


def _inbox_member(request: HttpRequest, org: str) -> Membership:
    member = membership_for(request.user, org)
    if not may_use_inbox(member):
        raise Http404
    return member


def _problems(error: ValidationError) -> list[str]:
    return list(error.messages)


# ---- the list --------------------------------------------------------------------------------------


@require_GET
@login_required
def cases(request: HttpRequest, org: str) -> HttpResponse:
    """The inbox: newest (or most urgent) first, filtered; a banner appears when new messages arrive."""
    member = _inbox_member(request, org)
    options = selectors.filter_options(member)
    filters, number = filters_from(request.GET, member, options)
    now = timezone.now()
    page = selectors.case_page(member, filters, number=number, now=now)
    context = {
        "nav": "inbox",
        "page": page,
        "filters": filters,
        "options": options,
        "now": now,
        "views": _views(filters),
        "statuses": [("active", _("Active"))]
        + [(v, case_status(v)) for v in Case.Status.values]
        + [("all", _("All"))],
        "priorities": Priority.choices,
        "query": urlencode(filters.query()),
        "prev_query": urlencode(filters.query(page=page.number - 1)) if page.has_previous else "",
        "next_query": urlencode(filters.query(page=page.number + 1)) if page.has_next else "",
        "may_manage": services.may_manage_inbox(member),
    }
    return render_for_member(request, member, "inbox/cases.html", context)


def _views(filters: selectors.CaseFilters) -> list[dict[str, Any]]:
    labels = [
        ("", _("All"), "bi-inbox"),
        ("mine", _("Mine"), "bi-person"),
        ("department", _("My department"), "bi-diagram-3"),
        ("unassigned", _("Unassigned"), "bi-person-dash"),
        ("overdue", _("Overdue"), "bi-alarm"),
        ("approval", _("Awaiting approval"), "bi-patch-check"),
    ]
    return [
        {
            "key": key,
            "label": label,
            "icon": icon,
            "active": filters.view == key,
            "query": urlencode(filters.query(view=key))
            if key
            else urlencode({k: v for k, v in filters.query().items() if k != "view"}),
        }
        for key, label, icon in labels
    ]


@require_GET
@login_required
def cases_poll(request: HttpRequest, org: str) -> HttpResponse:
    """Polled by the list every 15 s: how many cases got new messages since the page was loaded."""
    member = _inbox_member(request, org)
    options = selectors.filter_options(member)
    filters, _number = filters_from(request.GET, member, options)
    since = parse_datetime(request.GET.get("since", "") or "")
    count = selectors.new_since(member, filters, since) if since is not None else 0
    context = {"count": count, "query": urlencode(filters.query()), "organization": member.organization}
    return render(request, "inbox/includes/new_banner.html", context)


# ---- one case --------------------------------------------------------------------------------------


def _case_context(
    request: HttpRequest,
    member: Membership,
    case: Case,
    *,
    reply_form: ReplyForm | None = None,
    note_form: NoteForm | None = None,
    problems: list[str] | None = None,
) -> dict[str, Any]:
    view = selectors.case_view(member, case)
    now = timezone.now()
    selectors.decorate_sla(case, now)
    people = selectors.assignable_members(member, case)
    saved = selectors.saved_replies_for(member, language=case.language[:2] if case.language else "")
    for item in saved:
        item.filled = services.fill_placeholders(item.text, case)  # type: ignore[attr-defined]
    if reply_form is None:
        initial: dict[str, Any] = {"opened": now.isoformat()}
        chosen = request.GET.get("saved")
        if chosen:
            pick = next((s for s in saved if str(s.public_id) == chosen), None)
            if pick is not None:
                initial.update(text=pick.filled, saved_reply=pick.public_id)  # type: ignore[attr-defined]
        reply_form = ReplyForm(initial=initial, member=member)
    contact_page = ""
    if case.contact_id is not None:
        try:
            contact_page = reverse("inbox:contact", args=[member.organization.slug, case.contact.public_id])  # type: ignore[union-attr]
        except Exception:  # the contacts pages are another part of the inbox; without them the name is plain
            contact_page = ""
    return {
        "nav": "inbox",
        "case": case,
        "view": view,
        "now": now,
        "opened": now.isoformat(),
        "may_work": may_work_case(member, case),
        "may_reply": may_reply_case(member, case),
        "may_moderate": member.can(C.MODERATE) and may_work_case(member, case),
        "may_approve": member.can(C.APPROVE),
        "may_manage": services.may_manage_inbox(member),
        "reply_form": reply_form,
        "note_form": note_form or NoteForm(),
        "assign_form": AssignForm(
            initial={
                "assignee": case.assignee.public_id if case.assignee else None,
                "department": case.department.public_id if case.department else None,
            },
            member=member,
            people=people,
        ),
        "details_form": DetailsForm(
            initial={
                "priority": case.priority,
                "tags": [t.public_id for t in view.tags],
                "needs_reply": case.needs_reply,
            },
            member=member,
        ),
        "statuses": Case.Status.choices,
        "sentiments": Sentiment.choices,
        "saved_replies": saved,
        "problems": problems or [],
        "contact_page": contact_page,
        "forward_include": _optional_template("inbox/includes/case_forward.html"),
        "others": selectors.others_present(case, member, now=now),
        "capabilities": _network_capabilities(case),
        "limits": _limits(case),
    }


def _limits(case: Case) -> dict[str, Any]:
    """How the network counts and limits text, for the composer's live counter."""
    from onevoice.networks.registry import connector_class

    try:
        connector = connector_class(case.channel.network)
    except KeyError:
        return {"max": 0, "counting": "", "url_length": 0}
    return {
        "max": connector.max_text_length,
        "counting": str(connector.text_counting),
        "url_length": connector.url_length,
    }


def _optional_template(name: str) -> str:
    """A part another slice of the inbox may provide (forwarding to an expert); empty while it does not exist."""
    try:
        select_template([name])
    except Exception:
        return ""
    return name


def _network_capabilities(case: Case) -> set[str]:
    from onevoice.networks.registry import connector_class

    try:
        return {str(c) for c in connector_class(case.channel.network).capabilities}
    except KeyError:
        return set()


@login_required
def case(request: HttpRequest, org: str, case_id: UUID) -> HttpResponse:
    member = _inbox_member(request, org)
    found = access_case(member, case_id)
    services.presence_beat(actor=member, case=found)
    return render_for_member(request, member, "inbox/case.html", _case_context(request, member, found))


def _back(case: Case, anchor: str = "") -> HttpResponse:
    return redirect(reverse("inbox:case", args=[case.organization.slug, case.public_id]) + anchor)


@require_POST
@login_required
def take(request: HttpRequest, org: str, case_id: UUID) -> HttpResponse:
    member = _inbox_member(request, org)
    found = access_case(member, case_id, act=True)
    try:
        services.case_take(actor=member, case=found)
    except ValidationError as error:
        messages.error(request, " ".join(_problems(error)))
    else:
        messages.success(request, _("The case is yours."))
    return _back(found)


@require_POST
@login_required
def assign(request: HttpRequest, org: str, case_id: UUID) -> HttpResponse:
    member = _inbox_member(request, org)
    found = access_case(member, case_id, act=True)
    form = AssignForm(request.POST, member=member, people=selectors.assignable_members(member, found))
    if not form.is_valid():
        messages.error(request, _("Choose a person and a department from the lists."))
        return _back(found)
    data = form.cleaned_data
    try:
        services.case_assign(
            actor=member,
            case=found,
            assignee=data["assignee"],
            department=data["department"],
            keep_department="department" not in request.POST,
        )
    except ValidationError as error:
        messages.error(request, " ".join(_problems(error)))
    else:
        if data["assignee"] is None:
            messages.success(request, _("The case has no owner now."))
        else:
            messages.success(
                request, _("%(name)s owns the case now.") % {"name": data["assignee"].user.full_name}
            )
    return _back(found)


@require_POST
@login_required
def status(request: HttpRequest, org: str, case_id: UUID) -> HttpResponse:
    member = _inbox_member(request, org)
    found = access_case(member, case_id, act=True)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the statuses."))
        return _back(found)
    try:
        services.case_set_status(actor=member, case=found, status=form.cleaned_data["status"])
    except ValidationError as error:
        messages.error(request, " ".join(_problems(error)))
    else:
        messages.success(request, _("Status: %(status)s.") % {"status": found.get_status_display()})
        if found.status == Case.Status.CLOSED and request.POST.get("next") == "list":
            return redirect("inbox:cases", org)
    return _back(found)


@require_POST
@login_required
def details(request: HttpRequest, org: str, case_id: UUID) -> HttpResponse:
    member = _inbox_member(request, org)
    found = access_case(member, case_id, act=True)
    form = DetailsForm(request.POST, member=member)
    if not form.is_valid():
        messages.error(request, _("Choose a priority and tags from the lists."))
        return _back(found)
    data = form.cleaned_data
    try:
        services.case_update(
            actor=member,
            case=found,
            priority=data["priority"],
            tags=data["tags"],
            needs_reply=data["needs_reply"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(_problems(error)))
    else:
        messages.success(request, _("Saved."))
    return _back(found)


@require_POST
@login_required
def note(request: HttpRequest, org: str, case_id: UUID) -> HttpResponse:
    member = _inbox_member(request, org)
    found = access_case(member, case_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            added = services.note_add(actor=member, case=found, text=form.cleaned_data["text"])
        except NotAllowed:
            raise Http404 from None
        except ValidationError as error:
            form.add_error("text", error)
        else:
            unreachable = getattr(added, "unreachable", [])
            if unreachable:
                messages.warning(
                    request,
                    _("%(names)s cannot see this case and was not notified.")
                    % {"names": ", ".join(m.user.full_name for m in unreachable)},
                )
            return _back(found, "#notes")
    context = _case_context(request, member, found, note_form=form)
    return render_for_member(request, member, "inbox/case.html", context, status=400)


@require_POST
@login_required
def triage(request: HttpRequest, org: str, case_id: UUID, message_id: UUID) -> HttpResponse:
    member = _inbox_member(request, org)
    found = access_case(member, case_id, act=True)
    message = Message.objects.filter(case=found, public_id=message_id).select_related("case").first()
    if message is None:
        raise Http404
    message.case = found
    form = TriageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the offered labels."))
        return _back(found)
    try:
        done = services.triage_correct(
            actor=member, message=message, field=form.cleaned_data["field"], value=form.cleaned_data["value"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(_problems(error)))
    else:
        if done is not None:
            messages.success(request, _("Label corrected. Thank you: corrections help to check the triage."))
    return _back(found, f"#m-{message.public_id}")


@require_POST
@login_required
def moderate(request: HttpRequest, org: str, case_id: UUID, message_id: UUID, action: str) -> HttpResponse:
    member = _inbox_member(request, org)
    found = access_case(member, case_id, act=True)
    message = Message.objects.filter(case=found, public_id=message_id).first()
    if message is None or action not in ("like", "hide", "delete"):
        raise Http404
    message.case = found
    act = {"like": services.message_like, "hide": services.message_hide, "delete": services.message_delete}[
        action
    ]
    try:
        act(actor=member, message=message)
    except NotAllowed:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(_problems(error)))
    else:
        messages.success(
            request,
            {
                "like": _("Liked on %(channel)s."),
                "hide": _("Hidden on %(channel)s."),
                "delete": _("Our answer was deleted from %(channel)s."),
            }[action]
            % {"channel": found.channel.name},
        )
    return _back(found, f"#m-{message.public_id}")


# ---- replies ---------------------------------------------------------------------------------------


@require_POST
@login_required
def reply(request: HttpRequest, org: str, case_id: UUID) -> HttpResponse:
    """Send (or hold, or put up for approval) an answer; on a problem the page comes back with the text."""
    member = _inbox_member(request, org)
    found = access_case(member, case_id, act=True)
    form = ReplyForm(request.POST, member=member)
    problems: list[str] = []
    if form.is_valid():
        data = form.cleaned_data
        try:
            sent = services.reply_submit(
                actor=member,
                case=found,
                text=data["text"],
                saved_reply=data["saved_reply"],
                opened_at=form.opened_at(),
                confirm=data["confirm"],
            )
        except NotAllowed:
            problems = [_("You may not answer on %(channel)s.") % {"channel": found.channel.name}]
        except ValidationError as error:
            problems = _problems(error)
        else:
            level = messages.warning if sent.state == R.HELD else messages.success
            level(request, _reply_message(sent))
            return _back(found, f"#r-{sent.public_id}")
    context = _case_context(request, member, found, reply_form=form, problems=problems)
    return render_for_member(request, member, "inbox/case.html", context, status=400)


def _reply_message(sent: Reply) -> str:
    texts: dict[str, str] = {
        R.HELD: _(
            "Someone else answered while you were writing. Read their answer, then send yours or discard it."
        ),
        R.PENDING_APPROVAL: _("Your reply waits for approval; you will be told when it is decided."),
        R.QUEUED: _("Your reply is being sent."),
        R.SENDING: _("Your reply is being sent."),
        R.SENT: _("Your reply was sent."),
        R.FAILED: _("Your reply was not sent."),
    }
    return texts.get(sent.state, _("Saved."))


@require_POST
@login_required
def reply_check(request: HttpRequest, org: str, case_id: UUID) -> HttpResponse:
    """The composer's live check while typing: placeholders to fill, length, voice rules. Nothing is saved."""
    member = _inbox_member(request, org)
    found = access_case(member, case_id, act=True)
    text = request.POST.get("text", "")[:10_000]
    return render(request, "inbox/includes/reply_check.html", _check_context(found, text))


def _check_context(case: Case, text: str) -> dict[str, Any]:
    from onevoice.voice.checker import Finding, RuleKind, Severity
    from onevoice.voice.selectors import highlight

    if not text.strip():
        return {"empty": True}
    found = services.voice_findings(case, text)
    placeholders = [
        Finding(
            rule_id="", kind=RuleKind.FORBIDDEN_TERMS, severity=Severity.WARN, message="", spans=(m.span(),)
        )
        for m in services.PLACEHOLDER.finditer(text)
    ]
    problems = services.reply_problems(case, text)
    return {
        "empty": False,
        "segments": highlight(text, [*placeholders, *(i.finding for i in found.items)]),
        "found": found,
        "problems": problems,
        "placeholders": services.placeholders_left(text),
        "length": len(text),
    }


def _reply_of(case: Case, reply_id: UUID) -> Reply:
    found = Reply.objects.filter(case=case, public_id=reply_id).select_related("author__user").first()
    if found is None:
        raise Http404
    found.case = case
    return found


@require_POST
@login_required
def reply_action(request: HttpRequest, org: str, case_id: UUID, reply_id: UUID, action: str) -> HttpResponse:
    """Confirm a held reply, resend a failed or returned one (edited), discard it; approve or return it."""
    member = _inbox_member(request, org)
    found = access_case(member, case_id)
    target = _reply_of(found, reply_id)
    try:
        if action == "confirm":
            services.reply_confirm(actor=member, reply=target)
            done = _reply_message(target)
        elif action == "resend":
            form = ReplyForm(request.POST, member=member)
            if not form.is_valid():
                raise ValidationError(_("Write the answer first."))
            services.reply_resubmit(
                actor=member,
                reply=target,
                text=form.cleaned_data["text"],
                opened_at=form.opened_at(),
                confirm=form.cleaned_data["confirm"],
            )
            done = _reply_message(target)
        elif action == "discard":
            services.reply_discard(actor=member, reply=target)
            done = _("The reply was discarded.")
        elif action == "approve":
            services.reply_approve(actor=member, reply=target)
            done = _("Approved: the reply is being sent.")
        elif action == "return":
            note_form = ReturnForm(request.POST)
            if not note_form.is_valid():
                raise ValidationError(_("Say what should change, so the author can fix it."))
            services.reply_return(actor=member, reply=target, note=note_form.cleaned_data["note"])
            done = _("The reply went back to its author with your note.")
        else:
            raise Http404
    except NotAllowed:
        raise Http404 from None
    except ValidationError as error:
        if action == "resend":
            # The typed text is not lost: the failed reply keeps the old one, the page shows the new one.
            context = _case_context(request, member, found, problems=_problems(error))
            for pending in context["view"].open_replies:
                if pending.pk == target.pk:
                    pending.draft_text = request.POST.get("text", "")
            return render_for_member(request, member, "inbox/case.html", context, status=400)
        messages.error(request, " ".join(_problems(error)))
    else:
        messages.success(request, done)
    return _back(found, f"#r-{target.public_id}")


# ---- collision detection ---------------------------------------------------------------------------


@require_POST
@login_required
def presence(request: HttpRequest, org: str, case_id: UUID) -> HttpResponse:
    """Heartbeat of an open case page (every 5 s): who else is here or typing, and whether someone
    answered since this page was opened."""
    member = _inbox_member(request, org)
    found = access_case(member, case_id)
    services.presence_beat(actor=member, case=found, typing=request.POST.get("typing") == "1")
    opened = parse_datetime(request.POST.get("opened", "") or "")
    answered = selectors.answered_since(found, opened, by_other_than=member) if opened else []
    waiting = Reply.objects.filter(case=found, state__in=[R.QUEUED, R.SENDING]).exists()
    context = {
        "others": selectors.others_present(found, member),
        "answered": answered,
        "case": found,
        "waiting": waiting,
        "organization": member.organization,
    }
    return render(request, "inbox/includes/presence.html", context)


@require_POST
@login_required
def leave(request: HttpRequest, org: str, case_id: UUID) -> HttpResponse:
    member = _inbox_member(request, org)
    found = access_case(member, case_id)
    services.presence_leave(actor=member, case=found)
    return HttpResponse(status=204)


# ---- saved replies (the SMM's) ---------------------------------------------------------------------


def _manager(request: HttpRequest, org: str) -> Membership:
    member = _inbox_member(request, org)
    if not services.may_manage_inbox(member):
        raise Http404
    return member


@require_GET
@login_required
def saved_replies(request: HttpRequest, org: str) -> HttpResponse:
    member = _manager(request, org)
    items = selectors.saved_replies_all(member)
    return render_for_member(request, member, "inbox/saved_replies.html", {"nav": "inbox", "items": items})


def _saved_of(member: Membership, saved_id: UUID) -> SavedReply:
    found = SavedReply.objects.filter(organization_id=member.organization_id, public_id=saved_id).first()
    if found is None:
        raise Http404
    return found


@login_required
def saved_reply_form(request: HttpRequest, org: str, saved_id: UUID | None = None) -> HttpResponse:
    member = _manager(request, org)
    saved = _saved_of(member, saved_id) if saved_id else None
    initial = {}
    if saved is not None:
        initial = {
            "title": saved.title,
            "topic": saved.topic.public_id if saved.topic else None,
            "language": saved.language,
            "text": saved.text,
            "active": saved.active,
        }
    form = SavedReplyForm(request.POST or None, initial=initial, member=member)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if saved is None:
                services.saved_reply_create(actor=member, **data)
                messages.success(request, _("Saved reply “%(title)s” added.") % {"title": data["title"]})
            else:
                services.saved_reply_update(actor=member, saved=saved, **data)
                messages.success(request, _("Saved reply “%(title)s” saved.") % {"title": data["title"]})
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                for message in error.messages:
                    form.add_error(None, message)
        else:
            return redirect("inbox:saved-replies", org)
    status = 400 if request.method == "POST" else 200
    return render_for_member(
        request,
        member,
        "inbox/saved_reply_form.html",
        {"nav": "inbox", "form": form, "saved": saved},
        status=status,
    )


@require_POST
@login_required
def saved_reply_delete(request: HttpRequest, org: str, saved_id: UUID) -> HttpResponse:
    member = _manager(request, org)
    saved = _saved_of(member, saved_id)
    services.saved_reply_delete(actor=member, saved=saved)
    messages.success(request, _("Saved reply “%(title)s” deleted.") % {"title": saved.title})
    return redirect("inbox:saved-replies", org)
