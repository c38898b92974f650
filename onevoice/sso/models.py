"""Single sign-on: an organisation's OpenID Connect provider, its group→role mappings and linked identities."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onevoice.organization.models import Department, Organization
from onevoice.organization.roles import Role

# From most to least powerful: when several groups match, the highest role wins.
ROLE_RANK: list[str] = [Role.ADMIN, Role.SMM, Role.CM, Role.CONTRIBUTOR, Role.REVIEWER, Role.VIEWER]


def role_rank(role: str) -> int:
    """Lower is more powerful."""
    return ROLE_RANK.index(role) if role in ROLE_RANK else len(ROLE_RANK)


class SsoSettings(models.Model):
    """How the people of one organisation log in: its OpenID Connect provider and the password rules."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="sso_settings")
    enabled = models.BooleanField(_("single sign-on switched on"), default=False)
    issuer = models.URLField(_("issuer"), max_length=500, blank=True)
    client_id = models.CharField(_("client ID"), max_length=255, blank=True)
    # Fernet-encrypted JSON {"client_secret": "..."}; never shown again after saving.
    client_secret_encrypted = models.TextField(blank=True)
    scopes = models.CharField(_("scopes"), max_length=255, default="openid email profile")
    email_domains = models.JSONField(_("e-mail domains"), default=list, blank=True)
    default_role = models.CharField(
        _("role of new members"), max_length=20, choices=Role.choices, default=Role.CONTRIBUTOR
    )
    default_department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("department of new members"),
    )
    group_claim = models.CharField(_("group claim"), max_length=100, default="groups", blank=True)
    trust_unverified_email = models.BooleanField(
        _("accept e-mail addresses without email_verified"), default=False
    )
    enforce = models.BooleanField(_("password login off"), default=False)
    break_glass_emails = models.JSONField(_("may still use the password"), default=list, blank=True)
    require_totp = models.BooleanField(
        _("two-factor authentication required for password logins"), default=False
    )
    # The provider's discovery document as last fetched and validated.
    discovery = models.JSONField(default=dict, blank=True)
    discovered_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("single sign-on settings")
        verbose_name_plural = _("single sign-on settings")

    def __str__(self) -> str:
        return f"{self.organization}: {self.issuer or '—'}"

    @property
    def is_usable(self) -> bool:
        return bool(self.enabled and self.issuer and self.client_id and self.discovery)

    @property
    def has_secret(self) -> bool:
        return bool(self.client_secret_encrypted)

    def client_secret(self) -> str:
        from onevoice.networks import crypto

        return str(crypto.decrypt(self.client_secret_encrypted).get("client_secret", ""))

    def set_client_secret(self, secret: str) -> None:
        from onevoice.networks import crypto

        self.client_secret_encrypted = crypto.encrypt({"client_secret": secret}) if secret else ""

    def snapshot(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "issuer": self.issuer,
            "client_id": self.client_id,
            "client_secret": "(stored)" if self.client_secret_encrypted else "",
            "scopes": self.scopes,
            "email_domains": list(self.email_domains),
            "default_role": self.default_role,
            "default_department": self.default_department.name if self.default_department else "",
            "group_claim": self.group_claim,
            "trust_unverified_email": self.trust_unverified_email,
            "enforce": self.enforce,
            "break_glass_emails": list(self.break_glass_emails),
            "require_totp": self.require_totp,
            "group_mappings": [m.describe() for m in self.group_mappings.all()],
        }


class GroupMapping(models.Model):
    """A group the provider names in the group claim, and the role (and department) it gives."""

    settings = models.ForeignKey(SsoSettings, on_delete=models.CASCADE, related_name="group_mappings")
    position = models.PositiveIntegerField(default=0)
    group = models.CharField(_("group"), max_length=255)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("department"),
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("group mapping")
        verbose_name_plural = _("group mappings")

    def __str__(self) -> str:
        return self.describe()

    def describe(self) -> str:
        text = f"{self.group} → {self.role}"
        return f"{text} ({self.department.name})" if self.department else text


class Identity(models.Model):
    """A person's account at a provider (issuer + subject), linked at their first single sign-on."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_identities"
    )
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    issuer = models.CharField(max_length=500)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("single sign-on identity")
        verbose_name_plural = _("single sign-on identities")
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="sso_identity_unique")]

    def __str__(self) -> str:
        return f"{self.issuer} {self.subject}"
