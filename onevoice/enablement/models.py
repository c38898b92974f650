"""Role profiles, onboarding and training records.

Expectations are written down per role (profiles attached to memberships), new members work through a
checklist per profile, and trainings are recorded with the skills they cover. Team views report per
department, never as a ranking of people; a person's own details are shown to that person and, audited,
to those who manage people.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from onevoice.organization.models import Membership, Organization
from onevoice.organization.roles import Role

MAX_TRAINING_HOURS = Decimal(500)


class EnablementSettings(models.Model):
    """Marks that the default skills, profiles and checklists were created once for the organisation."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="enablement_settings"
    )
    seeded_at = models.DateTimeField(auto_now_add=True)
    seeded_language = models.CharField(max_length=10, blank=True)

    def __str__(self) -> str:
        return str(self.organization)


class Skill(models.Model):
    """One entry of the organisation's skills catalogue; profiles ask for skills, trainings cover them."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="skills")
    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("description"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        constraints = [
            models.UniqueConstraint("organization", Lower("name"), name="skill_name_unique_per_org"),
        ]

    def __str__(self) -> str:
        return self.name

    def snapshot(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description}


def _lines(text: str) -> list[str]:
    return [line.strip().lstrip("-•*").strip() for line in text.splitlines() if line.strip()]


class RoleProfile(models.Model):
    """A written role: what the person does, answers for, may decide and needs to know."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="role_profiles")
    title = models.CharField(_("title"), max_length=120)
    role = models.CharField(
        _("default for the role"),
        max_length=20,
        choices=Role.choices,
        blank=True,
        help_text=_(
            "People with this role who have no profile attached follow this profile's onboarding checklist."
        ),
    )
    summary = models.TextField(_("summary"), blank=True)
    tasks = models.TextField(_("tasks"), blank=True, help_text=_("One per line."))
    responsibilities = models.TextField(_("responsibilities"), blank=True, help_text=_("One per line."))
    authority = models.TextField(
        pgettext_lazy("role profile", "authority"),
        blank=True,
        help_text=_("What the person may decide on their own. One per line."),
    )
    skills = models.ManyToManyField(
        Skill, blank=True, related_name="profiles", verbose_name=_("skills needed")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("role profile")
        verbose_name_plural = _("role profiles")
        constraints = [
            models.UniqueConstraint("organization", Lower("title"), name="role_profile_title_unique_per_org"),
            models.UniqueConstraint(
                fields=["organization", "role"],
                condition=~models.Q(role=""),
                name="role_profile_one_default_per_role",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def task_lines(self) -> list[str]:
        return _lines(self.tasks)

    @property
    def responsibility_lines(self) -> list[str]:
        return _lines(self.responsibilities)

    @property
    def authority_lines(self) -> list[str]:
        return _lines(self.authority)

    def snapshot(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "role": self.role,
            "summary": self.summary,
            "tasks": self.tasks,
            "responsibilities": self.responsibilities,
            "authority": self.authority,
            "skills": sorted(s.name for s in self.skills.all()) if self.pk else [],
        }


class ProfileAssignment(models.Model):
    """A role profile attached to a person's membership: the expectations that apply to them."""

    profile = models.ForeignKey(RoleProfile, on_delete=models.CASCADE, related_name="assignments")
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="role_profile_assignments"
    )
    assigned_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["profile__title"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "membership"], name="profile_attached_once"),
        ]

    def __str__(self) -> str:
        return f"{self.membership} · {self.profile}"


class OnboardingChecklist(models.Model):
    """The steps a new member with one role profile works through."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="onboarding_checklists"
    )
    profile = models.OneToOneField(RoleProfile, on_delete=models.CASCADE, related_name="checklist")
    introduction = models.TextField(_("introduction"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("onboarding checklist")
        verbose_name_plural = _("onboarding checklists")

    def __str__(self) -> str:
        return str(self.profile)


class OnboardingItem(models.Model):
    """One step of a checklist: ticked by the person, or done when OneVoice sees it in the data."""

    class Verification(models.TextChoices):
        MANUAL = "manual", _("Ticked by the person")
        GUIDELINES = "guidelines", _("Done when every current guideline is confirmed")
        DRAFT = "draft", _("Done when the person has created a post")
        SUBMITTED = "submitted", _("Done when the person has submitted a post for review")
        REQUEST = "request", _("Done when the person has filed a content request")
        REPLY = "reply", _("Done when the person has written a reply in the inbox")
        TWO_FACTOR = "two_factor", _("Done when the person has set up two-factor authentication")

    class Destination(models.TextChoices):
        NONE = "", _("No link")
        PROFILE = "profile", _("The role profile")
        GUIDELINES = "guidelines", _("Guidelines")
        STRATEGY = "strategy", _("Strategy")
        VOICE = "voice", _("Voice rules")
        PLAN = "plan", _("Editorial plan")
        NEW_POST = "new_post", _("New post")
        REQUESTS = "requests", _("Requests")
        REVIEWS = "reviews", _("Reviews")
        INBOX = "inbox", _("Inbox")
        CHANNELS = "channels", _("Channels")
        TASKS = "tasks", _("My tasks")
        TRAININGS = "trainings", _("Trainings")
        TWO_FACTOR = "two_factor", _("Two-factor authentication")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    checklist = models.ForeignKey(OnboardingChecklist, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(_("step"), max_length=200)
    description = models.TextField(_("explanation"), blank=True)
    position = models.PositiveIntegerField(default=0)
    required = models.BooleanField(_("required"), default=True)
    verification = models.CharField(
        _("done when"), max_length=20, choices=Verification.choices, default=Verification.MANUAL
    )
    destination = models.CharField(
        _("link to"), max_length=20, choices=Destination.choices, default=Destination.NONE, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("onboarding step")
        verbose_name_plural = _("onboarding steps")

    def __str__(self) -> str:
        return self.title

    @property
    def is_manual(self) -> bool:
        return self.verification == self.Verification.MANUAL

    def snapshot(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "description": self.description,
            "position": self.position,
            "required": self.required,
            "verification": self.verification,
            "destination": self.destination,
        }


class OnboardingProgress(models.Model):
    """A manual step ticked as done, with the day the person says they did it."""

    item = models.ForeignKey(OnboardingItem, on_delete=models.CASCADE, related_name="progress")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="onboarding_progress")
    done_on = models.DateField(_("done on"))
    recorded_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "membership"], name="onboarding_step_done_once"),
        ]

    def __str__(self) -> str:
        return f"{self.membership} ✓ {self.item}"


class TrainingRecord(models.Model):
    """A training, coaching, conference or e-learning that people attended, with the skills it covered."""

    class Kind(models.TextChoices):
        TRAINING = "training", _("Training")
        COACHING = "coaching", _("Coaching")
        CONFERENCE = "conference", _("Conference")
        ELEARNING = "elearning", _("E-learning")

    class Delivery(models.TextChoices):
        INTERNAL = "internal", pgettext_lazy("training", "Internal")
        EXTERNAL = "external", pgettext_lazy("training", "External")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="training_records")
    title = models.CharField(_("title"), max_length=200)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TRAINING)
    delivery = models.CharField(
        _("internal or external"), max_length=10, choices=Delivery.choices, default=Delivery.EXTERNAL
    )
    provider = models.CharField(_("provider"), max_length=120, blank=True)
    starts_on = models.DateField(_("date"))
    ends_on = models.DateField(_("last day"), null=True, blank=True)
    hours = models.DecimalField(
        _("hours"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(MAX_TRAINING_HOURS)],
    )
    skills = models.ManyToManyField(
        Skill, blank=True, related_name="trainings", verbose_name=_("skills covered")
    )
    attendees = models.ManyToManyField(
        Membership, related_name="training_records", verbose_name=_("attendees")
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        indexes = [models.Index(fields=["organization", "starts_on"])]

    def __str__(self) -> str:
        return self.title

    @property
    def last_day(self) -> Any:
        return self.ends_on or self.starts_on

    def snapshot(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "topic": self.topic,
            "kind": self.kind,
            "delivery": self.delivery,
            "provider": self.provider,
            "starts_on": self.starts_on,
            "ends_on": self.ends_on,
            "hours": self.hours,
            "skills": sorted(s.name for s in self.skills.all()) if self.pk else [],
            "attendees": sorted(m.user.email for m in self.attendees.select_related("user"))
            if self.pk
            else [],
        }
