"""Reads for the token pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from onevoice.api import scopes as scope_rules
from onevoice.api.models import ApiToken
from onevoice.api.services import may_manage_service_tokens
from onevoice.organization.models import Membership


def personal_tokens_of(member: Membership) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(
        organization_id=member.organization_id, kind=ApiToken.Kind.PERSONAL, membership=member
    ).order_by("revoked_at", "-created_at")


def service_tokens_of(member: Membership) -> QuerySet[ApiToken]:
    """The organisation's service tokens, for administrators (nobody else sees them)."""
    if not may_manage_service_tokens(member):
        return ApiToken.objects.none()
    return (
        ApiToken.objects.filter(organization_id=member.organization_id, kind=ApiToken.Kind.SERVICE)
        .select_related("created_by__user")
        .prefetch_related("membership__departments")
        .order_by("revoked_at", "-created_at")
    )


@dataclass(frozen=True)
class ScopeRow:
    key: str
    label: str
    help: str
    read: str
    write: str | None
    read_allowed: bool
    write_allowed: bool


def scope_rows(role: str) -> list[ScopeRow]:
    """One row per area for the form's checkboxes; what the role cannot do is shown but disabled."""
    allowed = set(scope_rules.scopes_for_role(role))
    rows = []
    for area in scope_rules.AREAS:
        read, write = f"{area.key}:read", (f"{area.key}:write" if area.write else None)
        rows.append(
            ScopeRow(
                area.key,
                str(area.label),
                str(area.help),
                read,
                write,
                read in allowed,
                bool(write and write in allowed),
            )
        )
    return rows
