"""Reads for single sign-on: which provider an e-mail address belongs to, and who may still use a password."""

from __future__ import annotations

from typing import TYPE_CHECKING

from onevoice.organization.roles import Role
from onevoice.sso.models import SsoSettings

if TYPE_CHECKING:
    from onevoice.accounts.models import User


def email_domain(email: str) -> str:
    return email.strip().rsplit("@", 1)[-1].lower() if "@" in email else ""


def settings_for_email(email: str) -> SsoSettings | None:
    """The switched-on provider whose e-mail domains include this address's domain."""
    domain = email_domain(email)
    if not domain:
        return None
    for candidate in SsoSettings.objects.filter(enabled=True).select_related("organization"):
        if domain in candidate.email_domains:
            return candidate
    return None


def settings_of(organization_id: int) -> SsoSettings | None:
    return (
        SsoSettings.objects.select_related("organization", "default_department")
        .filter(organization_id=organization_id)
        .first()
    )


def may_use_password_anyway(sso: SsoSettings, user: User) -> bool:
    """Break-glass: an administrator with two-factor authentication, or an address on the explicit list."""
    from onevoice.accounts.totp import is_enabled

    if user.email.lower() in {e.lower() for e in sso.break_glass_emails}:
        return True
    is_admin = sso.organization.memberships.filter(user=user, role=Role.ADMIN, is_active=True).exists()
    return is_admin and is_enabled(user)


def password_login_blocked_by(user: User) -> SsoSettings | None:
    """The organisation that switched password logins off for this person, if any (break-glass honoured)."""
    enforcing = SsoSettings.objects.filter(enabled=True, enforce=True).select_related("organization")
    domain = email_domain(user.email)
    member_of = set(user.memberships.filter(is_active=True).values_list("organization_id", flat=True))
    for sso in enforcing:
        concerned = sso.organization_id in member_of or domain in sso.email_domains
        if concerned and not may_use_password_anyway(sso, user):
            return sso
    return None
