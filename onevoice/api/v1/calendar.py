"""The editorial calendar of a date range: scheduled posts and blackout periods."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from django.db.models import Prefetch, Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from onevoice.api.v1.core import ERRORS, ApiError, acting
from onevoice.api.v1.posts import range_bounds, zone_of
from onevoice.api.v1.schemas import CalendarOut
from onevoice.planning.models import BlackoutPeriod, Post, PostVariant
from onevoice.planning.selectors import PlanFilter, readable_channels

router = Router(tags=["calendar"])
MAX_DAYS = 92


@router.get("/calendar", response={200: CalendarOut, **ERRORS}, summary="Calendar of a range")
def calendar(
    request: HttpRequest,
    range: Annotated[Literal["day", "week", "month"] | None, Query()] = "month",
    date: Annotated[date | None, Query(description="The day the range is around (default: today).")] = None,
    start: Annotated[datetime | None, Query(description="Instead of `range`: from (inclusive)…")] = None,
    end: Annotated[datetime | None, Query(description="…until (exclusive); at most 92 days.")] = None,
    channel: Annotated[list[UUID] | None, Query()] = None,
    department: Annotated[list[UUID] | None, Query()] = None,
) -> dict[str, Any]:
    member = acting(request, "calendar:read")
    if start or end:
        if not (start and end):
            raise ApiError(422, "invalid", _("Send both start and end, or a range."))
        range = None
    first, following = range_bounds(member, range, date, start, end)
    assert first is not None
    assert following is not None
    if (following - first).days > MAX_DAYS:
        raise ApiError(422, "invalid", _("Ask for at most 92 days at once."))
    channels = readable_channels(member)
    plan_filter = PlanFilter(
        departments=[str(d) for d in department or []], channels=[str(c) for c in channel or []]
    )
    posts = (
        plan_filter.apply(Post.objects.filter(organization_id=member.organization_id))
        .filter(publish_at__gte=first, publish_at__lt=following)
        .select_related("department")
        .prefetch_related(Prefetch("variants", queryset=PostVariant.objects.order_by("id")))
        .order_by("publish_at", "id")
    )
    blackouts = (
        BlackoutPeriod.objects.filter(organization_id=member.organization_id)
        .filter(Q(starts_at__lt=following) & Q(ends_at__gt=first))
        .prefetch_related("channels")
        .order_by("starts_at")
    )

    def ref(channel_id: int) -> dict[str, Any]:
        c = channels[channel_id]
        return {"id": c.public_id, "name": c.name, "network": c.network}

    return {
        "start": first,
        "end": following,
        "time_zone": str(zone_of(member)),
        "posts": [
            {
                "id": p.public_id,
                "title": p.title,
                "status": p.status,
                "publish_at": p.publish_at,
                "department": {"id": p.department.public_id, "name": p.department.name},
                "channels": [ref(v.channel_id) for v in p.variants.all() if v.channel_id in channels],
            }
            for p in posts
        ],
        "blackouts": [
            {
                "id": b.public_id,
                "name": b.name,
                "reason": b.reason,
                "starts_at": b.starts_at,
                "ends_at": b.ends_at,
                "channels": [
                    {"id": c.public_id, "name": c.name, "network": c.network} for c in b.channels.all()
                ],
            }
            for b in blackouts
        ],
    }
