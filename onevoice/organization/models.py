from __future__ import annotations

import uuid
from datetime import time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onevoice.accounts.models import validate_time_zone
from onevoice.organization.roles import Capability, Role, capabilities_of

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_LABELS = {
    "mon": _("Monday"),
    "tue": _("Tuesday"),
    "wed": _("Wednesday"),
    "thu": _("Thursday"),
    "fri": _("Friday"),
    "sat": _("Saturday"),
    "sun": _("Sunday"),
}


def default_business_hours() -> dict[str, list[str] | None]:
    """Monday to Friday 09:00–17:00, closed at the weekend."""
    return {day: (["09:00", "17:00"] if day not in ("sat", "sun") else None) for day in WEEKDAYS}


class Organization(models.Model):
    """A company, authority or agency client that speaks on social media with one voice."""

    class Model(models.TextChoices):
        DECENTRAL = "decentral", _("Decentral")
        CENTRAL = "central", _("Central")
        SOLO = "solo", _("Solo")

    class FormOfAddress(models.TextChoices):
        SIE = "sie", _("Formal (Sie)")
        DU = "du", _("Informal (du)")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("short name in addresses"), max_length=60, unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Berlin", validators=[validate_time_zone]
    )
    form_of_address = models.CharField(
        _("form of address"), max_length=3, choices=FormOfAddress.choices, default=FormOfAddress.SIE
    )
    model = models.CharField(
        _("organisation model"), max_length=10, choices=Model.choices, default=Model.DECENTRAL
    )
    # {"mon": ["09:00", "17:00"], ..., "sun": None}: the SLA clock of the inbox counts only these hours.
    business_hours = models.JSONField(_("business hours"), default=default_business_hours)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def business_hours_for(self, day: str) -> tuple[time, time] | None:
        span = (self.business_hours or {}).get(day)
        if not span:
            return None
        return time.fromisoformat(span[0]), time.fromisoformat(span[1])

    def business_hours_rows(self) -> list[dict[str, Any]]:
        hours = self.business_hours or {}
        return [{"label": WEEKDAY_LABELS[day], "span": hours.get(day)} for day in WEEKDAYS]

    def snapshot(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "time_zone": self.time_zone,
            "form_of_address": self.form_of_address,
            "model": self.model,
            "business_hours": self.business_hours,
        }


class Department(models.Model):
    """A part of the organisation that speaks on social media (Marketing, PR, HR …) or the central team."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="departments")
    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("description"), max_length=255, blank=True)
    is_central_team = models.BooleanField(
        _("central social media team"),
        default=False,
        help_text=_("The team that creates content from the other departments' input (central model)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_central_team", "name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.UniqueConstraint("organization", Lower("name"), name="department_name_unique_per_org"),
        ]

    def __str__(self) -> str:
        return self.name

    def snapshot(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "is_central_team": self.is_central_team}


weekly_hours_validators = [
    MinValueValidator(Decimal(0), message=_("Weekly hours cannot be below 0.")),
    MaxValueValidator(Decimal(60), message=_("Weekly hours cannot be above 60.")),
]


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        return self.filter(is_active=True, user__is_active=True)


class Membership(models.Model):
    """A person's place in one organisation: role, departments and the hours they have for social media."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CONTRIBUTOR)
    departments = models.ManyToManyField(
        Department, blank=True, related_name="memberships", verbose_name=_("departments")
    )
    weekly_hours = models.DecimalField(
        _("weekly hours for social media"),
        max_digits=4,
        decimal_places=1,
        default=Decimal(0),
        validators=weekly_hours_validators,
    )
    is_active = models.BooleanField(_("active"), default=True)
    joined_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["user__full_name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="membership_unique_per_org"),
            models.CheckConstraint(
                condition=models.Q(weekly_hours__gte=0) & models.Q(weekly_hours__lte=60),
                name="membership_weekly_hours_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    @property
    def capabilities(self) -> frozenset[Capability]:
        return capabilities_of(self.role) if self.is_active else frozenset()

    def can(self, capability: Capability) -> bool:
        return capability in self.capabilities

    def require(self, capability: Capability) -> None:
        """Raise PermissionDenied unless this member's role grants the capability."""
        from onevoice.organization.access import NotAllowed

        if not self.can(capability):
            raise NotAllowed(capability)

    def snapshot(self) -> dict[str, Any]:
        return {
            "person": self.user.email,
            "role": self.role,
            "departments": sorted(d.name for d in self.departments.all()),
            "weekly_hours": str(self.weekly_hours),
            "is_active": self.is_active,
        }


class Invitation(models.Model):
    """An e-mail invitation to join an organisation with a given role; the link expires and works once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CONTRIBUTOR)
    departments = models.ManyToManyField(
        Department, blank=True, related_name="+", verbose_name=_("departments")
    )
    weekly_hours = models.DecimalField(
        _("weekly hours for social media"),
        max_digits=4,
        decimal_places=1,
        default=Decimal(0),
        validators=weekly_hours_validators,
    )
    # Only a hash of the link's secret is stored: a copy of the database cannot be used to join.
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return self.email

    @property
    def status(self) -> Invitation.Status:
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    def get_status_display(self) -> str:
        return str(self.status.label)
