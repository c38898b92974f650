"""Team-level figures of the inbox and the plan for a period: never per person (works councils, § 87 BetrVG).

Response and resolution times count business hours (the inbox's SLA calendar: opening hours, closed days
and public holidays).
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q

from onevoice.organization.models import Organization

try:  # the inbox's business-hours clock
    from onevoice.inbox.sla import business_minutes_between, calendar_for
except ImportError:  # pragma: no cover - only while the inbox is being built
    business_minutes_between = None  # type: ignore[assignment]
    calendar_for = None  # type: ignore[assignment]


def _minutes_function(organization: Organization) -> Any:
    if calendar_for is not None and business_minutes_between is not None:
        calendar = calendar_for(organization)
        return lambda start, end: business_minutes_between(calendar, start, end)
    return lambda start, end: int(
        (end - start).total_seconds() // 60
    )  # wall clock until the SLA clock exists


def _median_hours(minutes: list[int]) -> Decimal | None:
    if not minutes:
        return None
    return (Decimal(statistics.median(minutes)) / 60).quantize(Decimal("0.1"))


@dataclass
class InboxFigures:
    cases: int = 0
    answered: int = 0
    closed: int = 0
    first_response_hours: Decimal | None = None  # median, business hours
    resolution_hours: Decimal | None = None  # median, business hours
    within_sla: Decimal | None = None  # percent of cases with a due time
    sentiment: dict[str, int] = field(default_factory=dict)
    tags: list[tuple[str, int]] = field(default_factory=list)
    by_department: list[dict[str, Any]] = field(default_factory=list)
    by_channel: list[dict[str, Any]] = field(default_factory=list)


def inbox_figures(
    organization: Organization,
    start: datetime,
    end: datetime,
    *,
    channel_ids: list[int],
    department_id: int | None = None,
    now: datetime,
) -> InboxFigures:
    """Cases that came in during [start, end): volume, response and resolution times, SLA share, mix."""
    from onevoice.inbox.models import Case

    cases = Case.objects.filter(
        organization=organization,
        channel_id__in=channel_ids,
        first_message_at__gte=start,
        first_message_at__lt=end,
    )
    if department_id is not None:
        cases = cases.filter(department_id=department_id)
    rows = list(
        cases.values(
            "id",
            "channel__name",
            "department__name",
            "first_message_at",
            "first_response_at",
            "first_response_due",
            "closed_at",
            "sentiment",
        )
    )
    figures = InboxFigures(cases=len(rows))
    if not rows:
        return figures
    minutes = _minutes_function(organization)
    response, resolution = [], []
    due_total = due_met = 0
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        answered = row["first_response_at"]
        if answered:
            figures.answered += 1
            response.append(max(minutes(row["first_message_at"], answered), 0))
        if row["closed_at"]:
            figures.closed += 1
            resolution.append(max(minutes(row["first_message_at"], row["closed_at"]), 0))
        due = row["first_response_due"]
        if due is not None and (answered or due < now):
            due_total += 1
            due_met += bool(answered and answered <= due)
        for key, name in (("department", row["department__name"]), ("channel", row["channel__name"])):
            group = groups.setdefault((key, name or ""), {"name": name or "", "cases": 0, "minutes": []})
            group["cases"] += 1
            if answered:
                group["minutes"].append(max(minutes(row["first_message_at"], answered), 0))
    figures.first_response_hours = _median_hours(response)
    figures.resolution_hours = _median_hours(resolution)
    if due_total:
        figures.within_sla = (Decimal(due_met) * 100 / due_total).quantize(Decimal("0.1"))
    figures.sentiment = dict(Counter(row["sentiment"] or "unknown" for row in rows))
    figures.tags = list(
        cases.filter(tags__isnull=False)
        .values_list("tags__name")
        .annotate(n=Count("id"))
        .order_by("-n", "tags__name")[:8]
    )
    for (key, _name), group in sorted(groups.items(), key=lambda item: (-item[1]["cases"], item[1]["name"])):
        entry = {
            "name": group["name"],
            "cases": group["cases"],
            "first_response_hours": _median_hours(group["minutes"]),
        }
        (figures.by_department if key == "department" else figures.by_channel).append(entry)
    return figures


@dataclass
class PlanFigures:
    planned: int = 0
    published: int = 0
    approval_lead_days: Decimal | None = None  # median: approval → publication
    review_hours: Decimal | None = None  # median: submitted → fully approved
    requests: list[dict[str, Any]] = field(default_factory=list)


def plan_figures(
    organization: Organization,
    start: datetime,
    end: datetime,
    *,
    department_id: int | None = None,
    campaign_id: int | None = None,
    topic_id: int | None = None,
) -> PlanFigures:
    """Posts planned for the period and how many went out; approval times from the audit log; requests."""
    from onevoice.core.models import AuditEvent
    from onevoice.planning.models import ContentRequest, Post

    S = Post.Status
    posts = Post.objects.filter(organization=organization, publish_at__gte=start, publish_at__lt=end).exclude(
        status__in=[S.IDEA, S.WITHDRAWN]
    )
    if department_id is not None:
        posts = posts.filter(department_id=department_id)
    if campaign_id is not None:
        posts = posts.filter(campaign_id=campaign_id)
    if topic_id is not None:
        posts = posts.filter(topic_id=topic_id)
    figures = PlanFigures()
    published = dict(posts.filter(status=S.PUBLISHED).values_list("public_id", "publish_at"))
    figures.planned = posts.count()
    figures.published = len(published)
    if published:
        events = (
            AuditEvent.objects.filter(
                organization=organization,
                object_type="post",
                object_id__in=[str(p) for p in published],
                verb__in=["post.submitted", "post.approved_all"],
            )
            .order_by("created_at")
            .values_list("object_id", "verb", "created_at")
        )
        submitted: dict[str, datetime] = {}
        lead, review = [], []
        approved: dict[str, datetime] = {}
        for object_id, verb, at in events:
            if verb == "post.submitted":
                submitted[object_id] = at
            else:
                approved[object_id] = at
                if object_id in submitted:
                    review.append((at - submitted[object_id]).total_seconds() / 3600)
        for public_id, publish_at in published.items():
            approved_at = approved.get(str(public_id))
            if approved_at is not None and publish_at is not None and publish_at >= approved_at:
                lead.append((publish_at - approved_at).total_seconds() / 86400)
        if lead:
            figures.approval_lead_days = Decimal(statistics.median(lead)).quantize(Decimal("0.1"))
        if review:
            figures.review_hours = Decimal(statistics.median(review)).quantize(Decimal("0.1"))
    requests = ContentRequest.objects.filter(
        organization=organization, created_at__gte=start, created_at__lt=end
    )
    if department_id is not None:
        requests = requests.filter(department_id=department_id)
    R = ContentRequest.Status
    figures.requests = [
        dict(row)
        for row in requests.values("department__name")
        .annotate(
            received=Count("id"),
            accepted=Count("id", filter=Q(status=R.ACCEPTED)),
            declined=Count("id", filter=Q(status=R.DECLINED)),
            open=Count("id", filter=Q(status__in=[R.SUBMITTED, R.QUESTION])),
        )
        .order_by("department__name")
    ]
    return figures


def plan_realism(organization: Organization, start: Any, end: Any) -> dict[str, Any] | None:
    """The workload view's verdict on the plan, when the workload app provides it."""
    try:
        from onevoice.workload.selectors import plan_realism as realism
    except ImportError:
        return None
    try:
        result: dict[str, Any] = realism(organization, start, end)
    except Exception:  # a half-built workload view must not break the report
        return None
    weeks, overbooked = result.get("weeks"), result.get("overbooked_weeks")
    return {
        **result,
        "weeks_count": len(weeks) if isinstance(weeks, list | tuple) else weeks,
        "overbooked_count": len(overbooked) if isinstance(overbooked, list | tuple) else overbooked,
    }


def tz_of(organization: Organization) -> ZoneInfo:
    return ZoneInfo(organization.time_zone or "Europe/Berlin")
