"""Access tokens for the REST API: personal (acting as their owner) and organisation service tokens.

Only a prefix (for the lookup) and the SHA-256 hash of the whole token are stored; the token itself is
shown once, after creation.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onevoice.organization.models import Membership, Organization
from onevoice.organization.roles import Role


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    class Kind(models.TextChoices):
        PERSONAL = "personal", _("Personal token")
        SERVICE = "service", _("Service token")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="api_tokens")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PERSONAL)
    # Whom the token acts as: the owner's membership, or the service token's own (inactive) membership.
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="api_tokens")
    # The role a service token acts with (for personal tokens: empty, the owner's current role counts).
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = models.JSONField(_("scopes"), default=list)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        indexes = [models.Index(fields=["organization", "kind"], name="apitoken_org_kind")]

    def __str__(self) -> str:
        return f"{self.name} (ov_{self.prefix}_…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return not self.is_revoked and not self.is_expired

    @property
    def masked(self) -> str:
        return f"ov_{self.prefix}_••••"

    def snapshot(self) -> dict[str, object]:
        return {
            "name": self.name,
            "kind": self.kind,
            "role": self.role,
            "scopes": list(self.scopes),
            "expires_at": self.expires_at,
            "prefix": self.prefix,
        }
