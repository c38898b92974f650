"""Writes for single sign-on: an organisation's provider settings, and logging a person in through it
(matching or creating the account, just-in-time membership, group→role mapping)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onevoice.accounts.models import User
from onevoice.core import audit
from onevoice.organization.models import Department, Membership, Organization
from onevoice.organization.roles import Capability, Role
from onevoice.sso import oidc
from onevoice.sso.models import GroupMapping, Identity, SsoSettings, role_rank
from onevoice.sso.selectors import email_domain

logger = logging.getLogger(__name__)


class LoginRefused(Exception):
    """Single sign-on worked at the provider, but OneVoice does not let this person in; `message` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class MappingRow:
    group: str
    role: str
    department: Department | None


def settings_get_or_create(organization: Organization) -> SsoSettings:
    sso, _created = SsoSettings.objects.get_or_create(organization=organization)
    return sso


def _refuse_taken_domains(sso: SsoSettings, domains: list[str]) -> None:
    others = SsoSettings.objects.exclude(pk=sso.pk).select_for_update()
    taken = sorted({d for other in others for d in other.email_domains} & set(domains))
    if taken:
        raise ValidationError(
            {
                "email_domains": _(
                    "%(domains)s already leads to another organisation's single sign-on. Each domain can "
                    "belong to one organisation only."
                )
                % {"domains": ", ".join(taken)}
            }
        )


@transaction.atomic
def settings_update(
    *,
    actor: Membership,
    sso: SsoSettings,
    mappings: list[MappingRow],
    client_secret: str = "",
    **fields: Any,
) -> SsoSettings:
    """Save the provider settings; a provider that is switched on is fetched and checked first."""
    actor.require(Capability.MANAGE_SETTINGS)
    if sso.organization_id != actor.organization_id:
        raise ValidationError(_("These settings belong to another organisation."))
    before = sso.snapshot()
    for name, value in fields.items():
        setattr(sso, name, value)
    if client_secret:
        sso.set_client_secret(client_secret)
    department = sso.default_department
    if department is not None and department.organization_id != sso.organization_id:
        raise ValidationError({"default_department": _("Choose a department of this organisation.")})
    if any(
        m.department is not None and m.department.organization_id != sso.organization_id for m in mappings
    ):
        raise ValidationError(_("Choose departments of this organisation."))
    _refuse_taken_domains(sso, list(sso.email_domains))
    if sso.enabled:
        missing = [
            label
            for label, value in (
                (_("issuer"), sso.issuer),
                (_("client ID"), sso.client_id),
                (_("e-mail domains"), sso.email_domains),
            )
            if not value
        ]
        if missing:
            raise ValidationError(
                _("To switch single sign-on on, fill in: %(fields)s.")
                % {"fields": ", ".join(map(str, missing))}
            )
    if sso.enforce and not sso.enabled:
        raise ValidationError(
            {"enforce": _("Password logins can only be switched off while single sign-on is switched on.")}
        )
    if sso.issuer and (sso.enabled or before["issuer"] != sso.issuer):
        try:
            sso.discovery = oidc.fetch_discovery(sso.issuer)
        except oidc.ProviderError as error:
            raise ValidationError(
                {
                    "issuer": _(
                        "The provider's settings could not be fetched from %(url)s (%(reason)s). Check the "
                        "issuer URL; an internal host must be listed in ONEVOICE_HTTP_ALLOWED_PRIVATE_HOSTS."
                    )
                    % {"url": oidc.discovery_url(sso.issuer), "reason": error}
                }
            ) from error
        sso.discovered_at = timezone.now()
    sso.full_clean(exclude=["organization"])
    sso.save()
    sso.group_mappings.all().delete()
    GroupMapping.objects.bulk_create(
        [
            GroupMapping(settings=sso, position=i, group=m.group, role=m.role, department=m.department)
            for i, m in enumerate(mappings)
        ]
    )
    after = sso.snapshot()
    if before != after:
        audit.record(
            actor=actor.user,
            organization=sso.organization,
            verb="sso.settings_changed",
            obj=sso,
            before=before,
            after=after,
        )
    return sso


def connection_test(sso: SsoSettings) -> dict[str, Any]:
    """Fetch discovery and signing keys now; raise ProviderError with the reason when that fails."""
    if not sso.issuer:
        raise oidc.ProviderError("no issuer")
    discovery = oidc.fetch_discovery(sso.issuer)
    keys = oidc.fetch_jwks(discovery)
    return {"issuer": discovery["issuer"], "keys": len(keys.keys), "discovery": discovery}


# ---- logging in -----------------------------------------------------------------------------------


def mapped_role(sso: SsoSettings, groups: list[str]) -> tuple[str, Department | None] | None:
    """The role (and department) the person's groups give: the highest role wins, on a tie the first row."""
    matches = [m for m in sso.group_mappings.select_related("department") if m.group in groups]
    if not matches:
        return None
    best = min(matches, key=lambda m: (role_rank(m.role), m.position))
    return best.role, best.department


def _groups_from(claims: dict[str, Any], claim: str) -> list[str]:
    value = claims.get(claim) if claim else None
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value]
    return []


def _is_last_admin(membership: Membership) -> bool:
    admins = list(
        Membership.objects.select_for_update()
        .filter(
            organization_id=membership.organization_id, role=Role.ADMIN, is_active=True, user__is_active=True
        )
        .values_list("pk", flat=True)
    )
    return membership.role == Role.ADMIN and admins == [membership.pk]


def _apply_groups(sso: SsoSettings, membership: Membership, groups: list[str]) -> None:
    result = mapped_role(sso, groups)
    if result is None:
        return
    role, department = result
    before = membership.snapshot()
    if role != membership.role:
        if membership.role == Role.ADMIN and _is_last_admin(membership):
            audit.record(
                actor=None,
                organization=sso.organization,
                verb="sso.last_admin_kept",
                obj=membership,
                before=before,
                after={**before, "role": role},
            )
            return
        membership.role = role
        membership.save(update_fields=["role", "updated_at"])
    if department is not None:
        membership.departments.add(department)
    after = membership.snapshot()
    if after != before:
        audit.record(
            actor=None,
            organization=sso.organization,
            verb="sso.role_changed",
            obj=membership,
            before=before,
            after=after,
        )


def _find_or_create_user(sso: SsoSettings, issuer: str, claims: dict[str, Any]) -> User:
    subject = str(claims["sub"])
    identity = Identity.objects.select_related("user").filter(issuer=issuer, subject=subject).first()
    if identity is not None:
        identity.last_login_at = timezone.now()
        identity.save(update_fields=["last_login_at"])
        return identity.user
    email = str(claims.get("email") or "").strip().lower()
    if not email:
        raise LoginRefused(
            _(
                "Your provider did not send an e-mail address. Ask your administrator to release the e-mail claim."
            )
        )
    if claims.get("email_verified") is not True and not sso.trust_unverified_email:
        raise LoginRefused(
            _("Your provider did not confirm your e-mail address (email_verified). Ask your administrator.")
        )
    if email_domain(email) not in sso.email_domains:
        raise LoginRefused(
            _("The address %(email)s does not belong to the domains of %(organization)s.")
            % {"email": email, "organization": sso.organization.name}
        )
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        name = (
            str(claims.get("name") or "").strip()
            or " ".join(str(claims.get(k) or "") for k in ("given_name", "family_name")).strip()
        )
        user = User(email=email, full_name=(name or email.split("@")[0])[:150])
        user.set_unusable_password()
        user.save()
    try:
        with transaction.atomic():
            Identity.objects.create(
                user=user,
                organization=sso.organization,
                issuer=issuer,
                subject=subject,
                last_login_at=timezone.now(),
            )
    except IntegrityError:
        pass  # a parallel login linked it a moment ago
    return user


@transaction.atomic
def login_complete(*, sso: SsoSettings, claims: dict[str, Any]) -> tuple[User, Membership]:
    """Let the person in after a verified ID token: their account, their membership, their mapped role."""
    issuer = str(sso.discovery.get("issuer", sso.issuer)).rstrip("/")
    user = _find_or_create_user(sso, issuer, claims)
    if not user.is_active:
        raise LoginRefused(_("This account is deactivated. Ask your administrator."))
    organization = sso.organization
    membership = Membership.objects.filter(organization=organization, user=user).first()
    groups = _groups_from(claims, sso.group_claim)
    if membership is None:
        result = mapped_role(sso, groups)
        role, department = result if result else (sso.default_role, None)
        membership = Membership.objects.create(organization=organization, user=user, role=role)
        departments = [d for d in (sso.default_department, department) if d is not None]
        membership.departments.set(departments)
        audit.record(
            actor=user,
            organization=organization,
            verb="sso.member_joined",
            obj=membership,
            after=membership.snapshot(),
        )
    elif not membership.is_active:
        raise LoginRefused(
            _("You were removed from %(organization)s. Ask an administrator to re-admit you.")
            % {"organization": organization.name}
        )
    else:
        _apply_groups(sso, membership, groups)
    user.last_organization = organization
    user.save(update_fields=["last_organization"])
    audit.record(actor=user, organization=organization, verb="sso.login", obj=user)
    return user, membership
