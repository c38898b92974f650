"""Inbox cases: list and read (as the inbox shows them to the person), assign, reply, change status."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Status

from onevoice.api.v1.core import ERRORS, MAX_PAGE_SIZE, PAGE_SIZE, acting, page_links, page_slice
from onevoice.api.v1.schemas import AssignIn, CaseDetail, CaseOut, CasePage, ReplyIn, ReplyOut, StatusIn
from onevoice.inbox import selectors, services
from onevoice.inbox.models import Case, Priority
from onevoice.organization.access import access_case, access_channel, access_department, access_membership

router = Router(tags=["cases"])


def case_out(case: Case) -> dict[str, Any]:
    assignee = case.assignee
    return {
        "id": case.public_id,
        "subject": case.subject,
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "priority": case.priority,
        "kind": case.kind,
        "channel": {"id": case.channel.public_id, "name": case.channel.name, "network": case.channel.network},
        "department": {"id": case.department.public_id, "name": case.department.name}
        if case.department
        else None,
        "assignee": (
            {"id": assignee.public_id, "name": assignee.user.full_name or assignee.user.email}
            if assignee
            else None
        ),
        "needs_reply": case.needs_reply,
        "language": case.language,
        "sentiment": case.sentiment,
        "message_count": case.message_count,
        "first_message_at": case.first_message_at,
        "last_message_at": case.last_message_at,
        "first_response_due": case.first_response_due,
        "closed_at": case.closed_at,
        "web_url": services.case_url(case),
    }


@router.get("/cases", response={200: CasePage, **ERRORS}, summary="List inbox cases")
def list_cases(
    request: HttpRequest,
    status: Annotated[Literal["active", "new", "open", "waiting", "closed", "all"], Query()] = "active",
    view: Annotated[Literal["", "mine", "department", "unassigned", "overdue", "approval"], Query()] = "",
    channel: Annotated[UUID | None, Query()] = None,
    priority: Annotated[Literal["", "low", "normal", "high", "urgent"], Query()] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    sort: Annotated[Literal["newest", "urgent"], Query()] = "newest",
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = PAGE_SIZE,
) -> dict[str, Any]:
    """The cases the person sees in the inbox (their departments', assigned to them, central ones)."""
    member = acting(request, "cases:read")
    filters = selectors.CaseFilters(
        view=view,
        status=status,
        channel=access_channel(member, channel) if channel else None,
        priority=priority if priority in Priority.values else "",
        q=q.strip(),
        sort=sort,
    )
    cases = selectors.cases_for(member, filters)
    count = cases.count()
    rows = (
        list(
            cases.select_related("channel", "department", "assignee__user", "organization")[
                page_slice(page, page_size)
            ]
        )
        if count
        else []
    )
    return {**page_links(request, page, page_size, count), "results": [case_out(c) for c in rows]}


@router.get("/cases/{case_id}", response={200: CaseDetail, **ERRORS}, summary="Read a case with its messages")
def get_case(request: HttpRequest, case_id: UUID) -> dict[str, Any]:
    member = acting(request, "cases:read")
    case = access_case(member, case_id)
    messages = case.messages.filter(hidden_at__isnull=True).order_by("created_at", "id")
    return {
        **case_out(case),
        "messages": [
            {
                "id": m.public_id,
                "direction": m.direction,
                "kind": m.kind,
                "author_handle": m.author_handle,
                "author_name": m.author_name,
                "text": m.text,
                "url": m.url,
                "created_at": m.created_at,
            }
            for m in messages
        ],
    }


@router.post("/cases/{case_id}/assign", response={200: CaseOut, **ERRORS}, summary="Assign a case")
def assign_case(request: HttpRequest, case_id: UUID, payload: AssignIn) -> dict[str, Any]:
    member = acting(request, "cases:write")
    case = access_case(member, case_id, act=True)
    assignee = access_membership(member, payload.assignee) if payload.assignee else None
    department = access_department(member, payload.department) if payload.department else None
    services.case_assign(
        actor=member,
        case=case,
        assignee=assignee,
        department=department,
        keep_department=not payload.change_department,
    )
    return case_out(access_case(member, case_id))


@router.post("/cases/{case_id}/replies", response={201: ReplyOut, **ERRORS}, summary="Reply on the network")
def reply_case(request: HttpRequest, case_id: UUID, payload: ReplyIn) -> Status[dict[str, Any]]:
    """The reply is checked (length, placeholders, voice rules) and then sent by the worker, or waits for
    approval when the inbox's rules ask for it."""
    member = acting(request, "cases:write")
    case = access_case(member, case_id, act=True)
    reply = services.reply_submit(actor=member, case=case, text=payload.text, confirm=payload.confirm)
    return Status(201, {"id": reply.public_id, "state": reply.state, "text": reply.text})


@router.post(
    "/cases/{case_id}/status", response={200: CaseOut, **ERRORS}, summary="Open, park or close a case"
)
def set_status(request: HttpRequest, case_id: UUID, payload: StatusIn) -> dict[str, Any]:
    member = acting(request, "cases:write")
    case = access_case(member, case_id, act=True)
    services.case_set_status(actor=member, case=case, status=payload.status)
    return case_out(access_case(member, case_id))


@router.post("/cases/{case_id}/close", response={200: CaseOut, **ERRORS}, summary="Close a case")
def close_case(request: HttpRequest, case_id: UUID) -> dict[str, Any]:
    member = acting(request, "cases:write")
    case = access_case(member, case_id, act=True)
    services.case_set_status(actor=member, case=case, status=Case.Status.CLOSED)
    return case_out(access_case(member, case_id))
