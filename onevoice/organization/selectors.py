"""Reads of organisation data, always scoped to the member's own organisation."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from onevoice.core.audit import verb_label
from onevoice.core.models import AuditEvent
from onevoice.organization.models import Department, Invitation, Membership


def members_of(member: Membership, *, active: bool = True) -> QuerySet[Membership]:
    found = Membership.objects.filter(organization_id=member.organization_id, is_active=active)
    if not active:  # a service token's own membership is never active and is not a person who left
        found = found.exclude(api_tokens__kind="service")
    return (
        found.select_related("user")
        .prefetch_related("departments")
        .order_by("user__full_name", "user__email")
    )


def pending_invitations_of(member: Membership) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(organization_id=member.organization_id, accepted_at=None, revoked_at=None)
        .prefetch_related("departments")
        .order_by("-created_at")
    )


def departments_with_figures(member: Membership) -> QuerySet[Department]:
    """Departments with their number of active people and the hours those people have per week."""
    active = Q(memberships__is_active=True)
    return Department.objects.filter(organization_id=member.organization_id).annotate(
        member_count=Count("memberships", filter=active),
        hours=Sum("memberships__weekly_hours", filter=active),
    )


def total_weekly_hours(member: Membership) -> Decimal:
    total = Membership.objects.filter(organization_id=member.organization_id, is_active=True).aggregate(
        s=Sum("weekly_hours")
    )["s"]
    return total or Decimal(0)


def audit_events(
    member: Membership,
    *,
    q: str = "",
    verb: str = "",
    actor: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEvent]:
    """The organisation's audit events, newest first, filtered; dates are whole days in the user's zone."""
    events = AuditEvent.objects.filter(organization_id=member.organization_id).select_related("actor")
    if q:
        events = events.filter(
            Q(object_repr__icontains=q) | Q(actor_label__icontains=q) | Q(verb__icontains=q)
        )
    if verb:
        events = events.filter(verb=verb)
    if actor:
        events = events.filter(actor__public_id=actor)
    zone = timezone.get_current_timezone()
    if date_from:
        events = events.filter(created_at__gte=datetime.combine(date_from, time.min, tzinfo=zone))
    if date_to:
        events = events.filter(
            created_at__lt=datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=zone)
        )
    return events.order_by("-created_at", "-id")


def audit_filter_choices(member: Membership) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    verbs = (
        AuditEvent.objects.filter(organization_id=member.organization_id)
        .order_by()
        .values_list("verb", flat=True)
        .distinct()
    )
    verb_choices = sorted(((v, verb_label(v)) for v in verbs), key=lambda c: c[1])
    actors = (
        Membership.objects.filter(organization_id=member.organization_id)
        .select_related("user")
        .order_by("user__full_name")
    )
    actor_choices = [(str(m.user.public_id), f"{m.user.full_name} <{m.user.email}>") for m in actors]
    return verb_choices, actor_choices
