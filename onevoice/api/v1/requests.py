"""Content requests: a department (or its intranet form, with a service token) files one; read them."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from onevoice.api.v1.core import ERRORS, MAX_PAGE_SIZE, PAGE_SIZE, ApiError, acting, page_links, page_slice
from onevoice.api.v1.schemas import RequestIn, RequestOut, RequestPage
from onevoice.networks.models import Access
from onevoice.organization.access import access_channel, access_department, access_plan_object
from onevoice.planning import request_services
from onevoice.planning.models import ContentRequest, Topic

router = Router(tags=["requests"])


def request_out(item: ContentRequest) -> dict[str, Any]:
    requester = item.requester.user
    return {
        "id": item.public_id,
        "title": item.title,
        "status": item.status,
        "status_label": str(item.get_status_display()),
        "department": {"id": item.department.public_id, "name": item.department.name},
        "requester": {"id": item.requester.public_id, "name": requester.full_name or requester.email},
        "topic": {"id": item.topic.public_id, "name": item.topic.name} if item.topic else None,
        "goal": item.goal,
        "briefing": item.briefing,
        "links": [line for line in item.links.splitlines() if line],
        "wished_from": item.wished_from,
        "wished_until": item.wished_until,
        "wished_channels": [
            {"id": c.public_id, "name": c.name, "network": c.network} for c in item.wished_channels.all()
        ],
        "answer": item.answer,
        "created_at": item.created_at,
        "web_url": request_services.request_url(item),
    }


def _loaded(queryset: Any) -> Any:
    return queryset.select_related("organization", "department", "requester__user", "topic").prefetch_related(
        "wished_channels"
    )


@router.get("/requests", response={200: RequestPage, **ERRORS}, summary="List content requests")
def list_requests(
    request: HttpRequest,
    status: Annotated[list[Literal["submitted", "question", "accepted", "declined"]] | None, Query()] = None,
    department: Annotated[list[UUID] | None, Query()] = None,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = PAGE_SIZE,
) -> dict[str, Any]:
    """The requests the person may see (deciders: all; contributors: their own and their departments')."""
    member = acting(request, "requests:read")
    found = request_services.visible_requests(member)
    if status:
        found = found.filter(status__in=status)
    if department:
        found = found.filter(department__public_id__in=department)
    count = found.count()
    rows = list(_loaded(found)[page_slice(page, page_size)]) if count else []
    return {**page_links(request, page, page_size, count), "results": [request_out(r) for r in rows]}


@router.get("/requests/{request_id}", response={200: RequestOut, **ERRORS}, summary="Read a request")
def get_request(request: HttpRequest, request_id: UUID) -> dict[str, Any]:
    member = acting(request, "requests:read")
    item = access_plan_object(member, ContentRequest, request_id)
    if not request_services.may_see_request(member, item):
        raise ApiError(404, "not_found", _("Not found, or not in your organisation, or not visible to you."))
    return request_out(_loaded(ContentRequest.objects).get(pk=item.pk))


@router.post("/requests", response={201: RequestOut, **ERRORS}, summary="File a content request")
def file_request(request: HttpRequest, payload: RequestIn) -> Status[dict[str, Any]]:
    """What a department's intranet form sends: title, briefing, links, wished period and channels."""
    member = acting(request, "requests:write")
    item = request_services.request_file(
        actor=member,
        department=access_department(member, payload.department),
        title=payload.title,
        goal=payload.goal,
        briefing=payload.briefing,
        links="\n".join(payload.links),
        topic=access_plan_object(member, Topic, payload.topic) if payload.topic else None,
        wished_from=payload.wished_from,
        wished_until=payload.wished_until,
        channels=[access_channel(member, c, need=Access.READ) for c in dict.fromkeys(payload.channels)],
    )
    return Status(201, request_out(_loaded(ContentRequest.objects).get(pk=item.pk)))
