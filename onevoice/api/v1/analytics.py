"""Metrics of a period (as the analytics dashboard shows them) and where the strategy's KPI targets stand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router

from onevoice.analytics.community import tz_of
from onevoice.analytics.periods import PeriodError, period_from
from onevoice.analytics.selectors import Scope, dashboard
from onevoice.api.v1.core import ERRORS, ApiError, acting
from onevoice.api.v1.schemas import GoalOut, MetricsOut
from onevoice.organization.access import access_channel, access_department, visible_channels
from onevoice.strategy.selectors import goals_with_state

router = Router(tags=["analytics"])


def _number(value: Decimal | int | None) -> float | None:
    return float(value) if value is not None else None


@router.get("/metrics", response={200: MetricsOut, **ERRORS}, summary="Figures of a period")
def metrics(
    request: HttpRequest,
    period: Annotated[Literal["7d", "30d", "90d", "month", "last_month", "quarter"], Query()] = "30d",
    start: Annotated[date | None, Query(description="Instead of `period`: first day…")] = None,
    end: Annotated[date | None, Query(description="…and last day (inclusive).")] = None,
    channel: Annotated[UUID | None, Query()] = None,
    department: Annotated[UUID | None, Query()] = None,
) -> dict[str, Any]:
    """Published posts, interactions, engagement rate, followers and impressions, with the period before."""
    member = acting(request, "analytics:read")
    today = timezone.now().astimezone(tz_of(member.organization)).date()
    params: dict[str, str] = {"period": period}
    if start or end:
        params = {"from": start.isoformat() if start else "", "to": end.isoformat() if end else ""}
    try:
        chosen, _name = period_from(params, today)
    except PeriodError as error:
        raise ApiError(422, "invalid", str(error)) from None
    channels = [c for c, _level in visible_channels(member)]
    if channel:
        found = access_channel(member, channel)
        scope = Scope("channel", member.organization, [found], found)
    elif department:
        scope = Scope("department", member.organization, channels, access_department(member, department))
    else:
        scope = Scope("organization", member.organization, channels)
    board = dashboard(scope, chosen)
    return {
        "start": chosen.start,
        "end": chosen.end,
        "figures": [
            {
                "key": f.key,
                "label": f.label,
                "value": _number(f.value),
                "previous": _number(f.previous),
                "change_percent": _number(f.change),
                "available": f.available,
                "unit": f.unit,
            }
            for f in board.figures
        ],
        "inbox_cases": board.inbox.cases,
        "planned_posts": board.plan.planned,
    }


@router.get(
    "/kpis", response={200: list[GoalOut], **ERRORS}, summary="Goals and KPI targets with their state"
)
def kpis(request: HttpRequest) -> list[dict[str, Any]]:
    member = acting(request, "analytics:read")
    rows = goals_with_state(member.organization)
    return [
        {
            "id": row.goal.public_id,
            "name": row.goal.name,
            "period": row.period,
            "period_start": row.goal.period_start,
            "department": (
                {"id": row.goal.department.public_id, "name": row.goal.department.name}
                if row.goal.department
                else None
            ),
            "targets": [
                {
                    "id": target.public_id,
                    "metric": target.metric,
                    "label": str(target.get_metric_display()),
                    "comparison": target.comparison,
                    "target_value": float(target.target_value),
                    "unit": target.unit,
                    "channel": (
                        {
                            "id": target.channel.public_id,
                            "name": target.channel.name,
                            "network": target.channel.network,
                        }
                        if target.channel
                        else None
                    ),
                    "network": target.network,
                    "state": state.state,
                    "state_label": state.label,
                    "actual": _number(state.actual),
                    "expected": _number(state.expected),
                }
                for target, state in row.targets
            ],
        }
        for row in rows
    ]
