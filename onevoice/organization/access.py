"""The tenant choke point: every view, endpoint and task loads organisation data through these functions.

A missing object and a forbidden one look the same (404), so nobody can probe another organisation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404

from onevoice.organization.models import Department, Invitation, Membership, Organization
from onevoice.organization.roles import Capability

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from onevoice.accounts.models import User


class NotAllowed(PermissionDenied):
    """A member tried something their role does not grant."""

    def __init__(self, capability: Capability | str) -> None:
        super().__init__(f"missing capability: {capability}")
        self.capability = capability


def membership_for(
    user: User | AnonymousUser, org_slug: str, *, need: Capability | None = None
) -> Membership:
    """Return the user's active membership in the organisation, or 404 if there is none or it lacks `need`."""
    if not user.is_authenticated:
        raise Http404
    member = (
        Membership.objects.active()
        .select_related("organization", "user")
        .filter(user=user, organization__slug=org_slug)
        .first()
    )
    if member is None or (need is not None and not member.can(need)):
        raise Http404
    return member


def memberships_of(user: User | AnonymousUser) -> list[Membership]:
    """The organisations a person may switch between."""
    if not user.is_authenticated:
        return []
    return list(
        Membership.objects.active()
        .filter(user=user)
        .select_related("organization")
        .order_by("organization__name")
    )


def access_department(
    member: Membership, department_id: UUID, *, need: Capability | None = None
) -> Department:
    if need is not None and not member.can(need):
        raise Http404
    try:
        return Department.objects.get(organization_id=member.organization_id, public_id=department_id)
    except Department.DoesNotExist:
        raise Http404 from None


def access_membership(
    member: Membership, membership_id: UUID, *, need: Capability | None = None
) -> Membership:
    if need is not None and not member.can(need):
        raise Http404
    try:
        return (
            Membership.objects.select_related("user", "organization")
            .prefetch_related("departments")
            .get(organization_id=member.organization_id, public_id=membership_id)
        )
    except Membership.DoesNotExist:
        raise Http404 from None


def access_invitation(
    member: Membership, invitation_id: UUID, *, need: Capability | None = None
) -> Invitation:
    if need is not None and not member.can(need):
        raise Http404
    try:
        return Invitation.objects.select_related("organization").get(
            organization_id=member.organization_id, public_id=invitation_id
        )
    except Invitation.DoesNotExist:
        raise Http404 from None


def organization_departments(member: Membership) -> list[Department]:
    return list(Department.objects.filter(organization_id=member.organization_id))


def organization_of(member: Membership) -> Organization:
    return member.organization
