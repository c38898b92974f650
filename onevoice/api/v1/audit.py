"""The audit log of the organisation (who changed what, when), for those who may see it."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router

from onevoice.api.v1.core import ERRORS, MAX_PAGE_SIZE, PAGE_SIZE, acting, page_links, page_slice
from onevoice.api.v1.schemas import AuditPage
from onevoice.core.audit import verb_label
from onevoice.organization.selectors import audit_events

router = Router(tags=["audit"])


@router.get("/audit", response={200: AuditPage, **ERRORS}, summary="Audit log")
def audit_log(
    request: HttpRequest,
    verb: Annotated[str, Query(max_length=80, description="e.g. post.approved")] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    start: Annotated[date | None, Query(description="First day (organisation time zone).")] = None,
    end: Annotated[date | None, Query(description="Last day (inclusive).")] = None,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = PAGE_SIZE,
) -> dict[str, Any]:
    member = acting(request, "audit:read")
    events = audit_events(member, q=q.strip(), verb=verb.strip(), date_from=start, date_to=end)
    count = events.count()
    rows = list(events[page_slice(page, page_size)]) if count else []
    return {
        **page_links(request, page, page_size, count),
        "results": [
            {
                "id": e.pk,
                "at": e.created_at,
                "actor": (e.actor.full_name if e.actor else "") or e.actor_label,
                "verb": e.verb,
                "label": verb_label(e.verb),
                "object_type": e.object_type,
                "object_id": e.object_id,
                "object_repr": e.object_repr,
                "before": e.before,
                "after": e.after,
                "ip_address": e.ip_address,
            }
            for e in rows
        ],
    }
