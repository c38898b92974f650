"""Writes to organisations, departments, memberships and invitations. Each one checks, saves and audits."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from onevoice.accounts.models import User
from onevoice.core import audit
from onevoice.organization.access import NotAllowed
from onevoice.organization.models import Department, Invitation, Membership, Organization
from onevoice.organization.roles import Capability, Role


@dataclass(frozen=True)
class DepartmentProposal:
    name: str
    is_central_team: bool = False


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "organisation"
    slug, n = base, 2
    while Organization.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def organization_create(
    *,
    creator: User,
    name: str,
    time_zone: str,
    form_of_address: str,
    model: str,
    business_hours: dict[str, list[str] | None],
    departments: Sequence[DepartmentProposal],
) -> Membership:
    """Create an organisation with its departments; the creator becomes its first administrator."""
    names = [d.name.strip() for d in departments if d.name.strip()]
    duplicates = {n for n in names if sum(1 for m in names if m.casefold() == n.casefold()) > 1}
    if duplicates:
        raise ValidationError(
            _("Each department needs its own name; “%(name)s” appears twice."),
            params={"name": sorted(duplicates)[0]},
            code="duplicate_department",
        )
    organization = Organization(
        name=name.strip(),
        slug=_unique_slug(name),
        time_zone=time_zone,
        form_of_address=form_of_address,
        model=model,
        business_hours=business_hours,
    )
    organization.full_clean()
    organization.save()
    audit.record(
        actor=creator,
        organization=organization,
        verb="organization.created",
        obj=organization,
        after=organization.snapshot(),
    )
    for proposal in departments:
        if not proposal.name.strip():
            continue
        department = Department.objects.create(
            organization=organization, name=proposal.name.strip(), is_central_team=proposal.is_central_team
        )
        audit.record(
            actor=creator,
            organization=organization,
            verb="department.created",
            obj=department,
            after=department.snapshot(),
        )
    membership = Membership.objects.create(organization=organization, user=creator, role=Role.ADMIN)
    if model == Organization.Model.CENTRAL or model == Organization.Model.SOLO:
        # The creator of a central or solo set-up works in the social media team themself.
        central = organization.departments.filter(is_central_team=True).first()
        if central is not None:
            membership.departments.add(central)
    audit.record(
        actor=creator,
        organization=organization,
        verb="membership.created",
        obj=membership,
        after=membership.snapshot(),
    )
    creator.last_organization = organization
    creator.save(update_fields=["last_organization"])
    return membership


@transaction.atomic
def organization_update(*, actor: Membership, organization: Organization, **fields: Any) -> Organization:
    """Change name, time zone, form of address, model or business hours."""
    actor.require(Capability.MANAGE_SETTINGS)
    allowed = {"name", "time_zone", "form_of_address", "model", "business_hours"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"not an organisation setting: {', '.join(sorted(unknown))}")
    before = organization.snapshot()
    for key, value in fields.items():
        setattr(organization, key, value)
    organization.full_clean(exclude=["slug"])
    organization.save(update_fields=[*fields.keys(), "updated_at"])
    after = organization.snapshot()
    if before != after:
        audit.record(
            actor=actor.user,
            organization=organization,
            verb="organization.updated",
            obj=organization,
            before=before,
            after=after,
        )
    return organization


def _refuse_duplicate_department(
    organization: Organization, name: str, exclude_pk: int | None = None
) -> None:
    clash = Department.objects.filter(organization=organization).annotate(lname=Lower("name"))
    clash = clash.filter(lname=name.strip().lower())
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError(
            {"name": _("A department named “%(name)s” already exists. Choose another name.") % {"name": name}}
        )


@transaction.atomic
def department_create(
    *, actor: Membership, name: str, description: str = "", is_central_team: bool = False
) -> Department:
    actor.require(Capability.MANAGE_MEMBERS)
    organization = actor.organization
    _refuse_duplicate_department(organization, name)
    department = Department.objects.create(
        organization=organization,
        name=name.strip(),
        description=description.strip(),
        is_central_team=is_central_team,
    )
    audit.record(
        actor=actor.user,
        organization=organization,
        verb="department.created",
        obj=department,
        after=department.snapshot(),
    )
    return department


@transaction.atomic
def department_update(
    *, actor: Membership, department: Department, name: str, description: str, is_central_team: bool
) -> Department:
    actor.require(Capability.MANAGE_MEMBERS)
    _refuse_duplicate_department(department.organization, name, exclude_pk=department.pk)
    before = department.snapshot()
    department.name = name.strip()
    department.description = description.strip()
    department.is_central_team = is_central_team
    department.save(update_fields=["name", "description", "is_central_team"])
    audit.record(
        actor=actor.user,
        organization=department.organization,
        verb="department.updated",
        obj=department,
        before=before,
        after=department.snapshot(),
    )
    return department


@transaction.atomic
def department_delete(*, actor: Membership, department: Department) -> None:
    """Delete a department; its people stay members of the organisation, without it."""
    actor.require(Capability.MANAGE_MEMBERS)
    before = department.snapshot()
    before["members"] = sorted(department.memberships.values_list("user__email", flat=True))
    audit.record(
        actor=actor.user,
        organization=department.organization,
        verb="department.deleted",
        obj=department,
        before=before,
    )
    department.delete()


def _require_may_grant(actor: Membership, role: str) -> None:
    # Only an administrator may make or unmake administrators; an SMM manages every other role.
    if role == Role.ADMIN and actor.role != Role.ADMIN:
        raise NotAllowed(Capability.MANAGE_SETTINGS)


def _check_departments(organization: Organization, departments: Iterable[Department]) -> list[Department]:
    departments = list(departments)
    if any(d.organization_id != organization.pk for d in departments):
        raise NotAllowed(Capability.MANAGE_MEMBERS)
    return departments


def _active_admin_count(organization: Organization) -> int:
    # Lock the admin rows so two demotions at once cannot both pass the check.
    return len(
        list(
            Membership.objects.select_for_update()
            .filter(organization=organization, role=Role.ADMIN, is_active=True, user__is_active=True)
            .values_list("pk", flat=True)
        )
    )


def _refuse_losing_last_admin(membership: Membership) -> None:
    if (
        membership.role == Role.ADMIN
        and membership.is_active
        and _active_admin_count(membership.organization) <= 1
    ):
        raise ValidationError(
            {
                "role": _(
                    "%(name)s is the last administrator of this organisation. Make someone else an "
                    "administrator first."
                )
                % {"name": membership.user}
            }
        )


@transaction.atomic
def membership_update(
    *,
    actor: Membership,
    membership: Membership,
    role: str,
    departments: Iterable[Department],
    weekly_hours: Decimal,
) -> Membership:
    """Change a person's role, departments and weekly hours for social media."""
    actor.require(Capability.MANAGE_MEMBERS)
    if membership.organization_id != actor.organization_id:
        raise NotAllowed(Capability.MANAGE_MEMBERS)
    if role != membership.role:
        _require_may_grant(actor, role)
        _require_may_grant(actor, membership.role)
        if role != Role.ADMIN:
            _refuse_losing_last_admin(membership)
    departments = _check_departments(membership.organization, departments)
    before = membership.snapshot()
    membership.role = role
    membership.weekly_hours = weekly_hours
    membership.full_clean(exclude=["user", "organization"])
    membership.save(update_fields=["role", "weekly_hours", "updated_at"])
    membership.departments.set(departments)
    after = membership.snapshot()
    if before != after:
        audit.record(
            actor=actor.user,
            organization=membership.organization,
            verb="membership.updated",
            obj=membership,
            before=before,
            after=after,
        )
    return membership


@transaction.atomic
def membership_deactivate(*, actor: Membership, membership: Membership) -> Membership:
    """Remove a person from the organisation; the membership is kept inactive for the history."""
    actor.require(Capability.MANAGE_MEMBERS)
    if membership.organization_id != actor.organization_id:
        raise NotAllowed(Capability.MANAGE_MEMBERS)
    _require_may_grant(actor, membership.role)
    _refuse_losing_last_admin(membership)
    before = membership.snapshot()
    membership.is_active = False
    membership.save(update_fields=["is_active", "updated_at"])
    audit.record(
        actor=actor.user,
        organization=membership.organization,
        verb="membership.deactivated",
        obj=membership,
        before=before,
        after=membership.snapshot(),
    )
    from onevoice.workload.services import member_left

    member_left(membership)  # their open tasks are listed for reassignment; the SMMs are told
    return membership


@transaction.atomic
def membership_reactivate(*, actor: Membership, membership: Membership) -> Membership:
    actor.require(Capability.MANAGE_MEMBERS)
    if membership.organization_id != actor.organization_id:
        raise NotAllowed(Capability.MANAGE_MEMBERS)
    _require_may_grant(actor, membership.role)
    before = membership.snapshot()
    membership.is_active = True
    membership.save(update_fields=["is_active", "updated_at"])
    audit.record(
        actor=actor.user,
        organization=membership.organization,
        verb="membership.reactivated",
        obj=membership,
        before=before,
        after=membership.snapshot(),
    )
    return membership


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _invitation_snapshot(invitation: Invitation, departments: Iterable[Department]) -> dict[str, Any]:
    return {
        "email": invitation.email,
        "role": invitation.role,
        "departments": sorted(d.name for d in departments),
        "weekly_hours": str(invitation.weekly_hours),
        "expires_at": invitation.expires_at,
    }


def _send_invitation_after_commit(invitation: Invitation, token: str) -> None:
    from onevoice.organization.tasks import send_invitation_mail

    language = translation.get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(lambda: send_invitation_mail(invitation.pk, token, language))


@transaction.atomic
def invitation_create(
    *,
    actor: Membership,
    email: str,
    role: str,
    departments: Iterable[Department],
    weekly_hours: Decimal,
) -> tuple[Invitation, str]:
    """Invite someone by e-mail; returns the invitation and the secret of its link (stored only hashed)."""
    actor.require(Capability.MANAGE_MEMBERS)
    _require_may_grant(actor, role)
    organization = actor.organization
    email = email.strip().lower()
    if Membership.objects.filter(
        organization=organization, user__email__iexact=email, is_active=True
    ).exists():
        raise ValidationError(
            {"email": _("%(email)s is already a member of this organisation.") % {"email": email}}
        )
    pending = Invitation.objects.filter(
        organization=organization,
        email__iexact=email,
        accepted_at=None,
        revoked_at=None,
        expires_at__gt=timezone.now(),
    )
    if pending.exists():
        raise ValidationError(
            {
                "email": _(
                    "%(email)s has already been invited. Send the invitation again from the list below."
                )
                % {"email": email}
            }
        )
    departments = _check_departments(organization, departments)
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        organization=organization,
        email=email,
        role=role,
        weekly_hours=weekly_hours,
        token_hash=_hash_token(token),
        invited_by=actor.user,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    invitation.full_clean(exclude=["invited_by", "departments"])
    invitation.save()
    invitation.departments.set(departments)
    audit.record(
        actor=actor.user,
        organization=organization,
        verb="invitation.created",
        obj=invitation,
        after=_invitation_snapshot(invitation, departments),
    )
    _send_invitation_after_commit(invitation, token)
    return invitation, token


@transaction.atomic
def invitation_resend(*, actor: Membership, invitation: Invitation) -> tuple[Invitation, str]:
    """Send a fresh link with a new expiry; the old link stops working."""
    actor.require(Capability.MANAGE_MEMBERS)
    if invitation.status not in (Invitation.Status.PENDING, Invitation.Status.EXPIRED):
        raise ValidationError(_("This invitation was already accepted or revoked and cannot be sent again."))
    token = secrets.token_urlsafe(32)
    invitation.token_hash = _hash_token(token)
    invitation.expires_at = timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)
    invitation.save(update_fields=["token_hash", "expires_at"])
    audit.record(
        actor=actor.user,
        organization=invitation.organization,
        verb="invitation.resent",
        obj=invitation,
        after={"expires_at": invitation.expires_at},
    )
    _send_invitation_after_commit(invitation, token)
    return invitation, token


@transaction.atomic
def invitation_revoke(*, actor: Membership, invitation: Invitation) -> Invitation:
    actor.require(Capability.MANAGE_MEMBERS)
    if invitation.status != Invitation.Status.PENDING and invitation.status != Invitation.Status.EXPIRED:
        raise ValidationError(_("This invitation was already accepted or revoked."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor.user,
        organization=invitation.organization,
        verb="invitation.revoked",
        obj=invitation,
    )
    return invitation


class InvitationUnusable(ValidationError):
    """The link cannot be used: unknown, expired, used, revoked or meant for someone else."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, code=code)
        self.reason = code


def invitation_by_token(token: str) -> Invitation:
    """Find the invitation behind a link, or say in plain words why the link does not work."""
    invitation = (
        Invitation.objects.select_related("organization", "invited_by")
        .filter(token_hash=_hash_token(token))
        .first()
    )
    if invitation is None:
        raise InvitationUnusable(
            _(
                "This invitation link is not valid. It may have been replaced by a newer invitation; "
                "ask the person who invited you to send it again."
            ),
            code="unknown",
        )
    if invitation.status == Invitation.Status.ACCEPTED:
        raise InvitationUnusable(
            _("This invitation has already been used. Log in with the account that accepted it."), code="used"
        )
    if invitation.status == Invitation.Status.REVOKED:
        raise InvitationUnusable(
            _("This invitation was withdrawn. Ask for a new one if you need access."), code="revoked"
        )
    if invitation.status == Invitation.Status.EXPIRED:
        raise InvitationUnusable(
            _("This invitation expired on %(date)s. Ask the person who invited you to send it again.")
            % {"date": timezone.localtime(invitation.expires_at).strftime("%d.%m.%Y %H:%M")},
            code="expired",
        )
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    """Join the organisation with the invited role; only the invited e-mail address can accept."""
    invitation = invitation_by_token(token)
    # Lock the row so a double click or two tabs cannot accept the same invitation twice.
    invitation = Invitation.objects.select_for_update().select_related("organization").get(pk=invitation.pk)
    if invitation.status != Invitation.Status.PENDING:
        raise InvitationUnusable(_("This invitation has already been used."), code="used")
    if user.email.lower() != invitation.email.lower():
        raise InvitationUnusable(
            _(
                "This invitation is for %(invited)s, but you are logged in as %(current)s. Log out and open "
                "the link again, or ask for an invitation to your address."
            )
            % {"invited": invitation.email, "current": user.email},
            code="foreign",
        )
    organization = invitation.organization
    membership, created = Membership.objects.get_or_create(
        organization=organization,
        user=user,
        defaults={"role": invitation.role, "weekly_hours": invitation.weekly_hours},
    )
    if not created:
        if membership.is_active:
            raise InvitationUnusable(_("You are already a member of this organisation."), code="member")
        membership.role = invitation.role
        membership.weekly_hours = invitation.weekly_hours
        membership.is_active = True
        membership.save(update_fields=["role", "weekly_hours", "is_active", "updated_at"])
    membership.departments.set(invitation.departments.all())
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit.record(actor=user, organization=organization, verb="invitation.accepted", obj=invitation)
    audit.record(
        actor=user,
        organization=organization,
        verb="membership.created",
        obj=membership,
        after=membership.snapshot(),
    )
    user.last_organization = organization
    user.save(update_fields=["last_organization"])
    return membership
