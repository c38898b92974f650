"""Workload and capacity: effort norms, recurring duties, absences, public holidays, the tasks derived
from the plan and the (optional) time people log on them.

Nothing here ranks people: capacity and load are reported per team; a person's own figures are shown to
that person and to the one role the organisation enables for a documented purpose (see selectors).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onevoice.inbox.models import MessageKind
from onevoice.organization.models import Department, Membership, Organization
from onevoice.planning.models import Post

# Upper bounds that catch a typo (120 instead of 1.2) without getting in the way of real work.
MAX_PHASE_HOURS = Decimal(40)
MAX_CASE_MINUTES = 240
MAX_DUTY_HOURS = Decimal(40)


class ContentFormat(models.TextChoices):
    """What a variant is, as far as effort goes: worked out from its media (see selectors)."""

    TEXT = "text", _("Text post")
    IMAGE = "image", _("Image post")
    CAROUSEL = "carousel", _("Carousel (several images)")
    VIDEO = "video", _("Video")


class GermanState(models.TextChoices):
    BW = "BW", "Baden-Württemberg"
    BY = "BY", "Bayern"
    BE = "BE", "Berlin"
    BB = "BB", "Brandenburg"
    HB = "HB", "Bremen"
    HH = "HH", "Hamburg"
    HE = "HE", "Hessen"
    MV = "MV", "Mecklenburg-Vorpommern"
    NI = "NI", "Niedersachsen"
    NW = "NW", "Nordrhein-Westfalen"
    RP = "RP", "Rheinland-Pfalz"
    SL = "SL", "Saarland"
    SN = "SN", "Sachsen"
    ST = "ST", "Sachsen-Anhalt"
    SH = "SH", "Schleswig-Holstein"
    TH = "TH", "Thüringen"


def _hours(label: Any, maximum: Decimal = MAX_PHASE_HOURS) -> models.DecimalField:
    return models.DecimalField(
        label,
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=[
            MinValueValidator(Decimal(0), message=_("Hours cannot be negative.")),
            MaxValueValidator(maximum, message=_("More than %(limit_value)s hours is not plausible here.")),
        ],
    )


class WorkloadSettings(models.Model):
    """The organisation's rules for workload: lead times, the overbooking threshold and per-person views."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="workload_settings"
    )
    write_lead_hours = models.PositiveIntegerField(
        _("writing due (hours before publishing)"),
        default=72,
        validators=[MaxValueValidator(24 * 60)],
    )
    review_lead_hours = models.PositiveIntegerField(
        _("review due (hours before publishing)"), default=48, validators=[MaxValueValidator(24 * 60)]
    )
    approve_lead_hours = models.PositiveIntegerField(
        _("approval due (hours before publishing)"), default=24, validators=[MaxValueValidator(24 * 60)]
    )
    overbooking_percent = models.PositiveIntegerField(
        _("over-booked above (per cent of capacity)"),
        default=100,
        validators=[MinValueValidator(50), MaxValueValidator(200)],
    )
    inbox_weeks = models.PositiveIntegerField(
        _("weeks of inbox history for the expected load"),
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(26)],
    )
    holiday_state = models.CharField(
        _("state for public holidays"), max_length=2, choices=GermanState.choices, blank=True
    )
    # Works council: per-person figures are off for everyone but the person, unless one role is named here
    # together with the purpose the works agreement allows.
    person_view_role = models.CharField(_("role that may see per-person figures"), max_length=20, blank=True)
    person_view_purpose = models.TextField(_("documented purpose"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("workload settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(overbooking_percent__gte=50) & Q(overbooking_percent__lte=200),
                name="workload_overbooking_range",
            ),
        ]

    def __str__(self) -> str:
        return str(self.organization)


class EffortNorm(models.Model):
    """Hours to create, review and publish one variant of a format on a network (blank: every network)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="effort_norms")
    content_format = models.CharField(_("format"), max_length=10, choices=ContentFormat.choices)
    network = models.CharField(_("network"), max_length=20, blank=True)
    create_hours = _hours(_("create (hours)"))
    review_hours = _hours(_("review (hours)"))
    publish_hours = _hours(_("publish (hours)"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["content_format", "network"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "content_format", "network"], name="effort_norm_unique"
            ),
            models.CheckConstraint(
                condition=Q(create_hours__gte=0, review_hours__gte=0, publish_hours__gte=0)
                & Q(create_hours__lte=40, review_hours__lte=40, publish_hours__lte=40),
                name="effort_norm_hours_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_content_format_display()} {self.network or '*'}"

    @property
    def total_hours(self) -> Decimal:
        return self.create_hours + self.review_hours + self.publish_hours


class InboxNorm(models.Model):
    """Minutes one inbox case of a kind takes on average."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="inbox_norms")
    case_kind = models.CharField(_("type of case"), max_length=20, choices=MessageKind.choices)
    minutes = models.PositiveIntegerField(
        _("minutes per case"),
        validators=[
            MaxValueValidator(
                MAX_CASE_MINUTES, message=_("More than 240 minutes per case is not plausible.")
            ),
        ],
    )

    class Meta:
        ordering = ["case_kind"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "case_kind"], name="inbox_norm_unique"),
            models.CheckConstraint(condition=Q(minutes__lte=240), name="inbox_norm_minutes_range"),
        ]

    def __str__(self) -> str:
        return f"{self.case_kind}: {self.minutes} min"


class RecurringDuty(models.Model):
    """Fixed work that comes back (monitoring, reporting, meetings), for a department or the whole team."""

    class Interval(models.TextChoices):
        WEEKLY = "weekly", _("Every week")
        BIWEEKLY = "biweekly", _("Every two weeks")
        MONTHLY = "monthly", _("Every month")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="recurring_duties")
    name = models.CharField(_("name"), max_length=120)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("department"),
        help_text=_("Empty: work across departments."),
    )
    hours = _hours(_("hours each time"), MAX_DUTY_HOURS)
    interval = models.CharField(
        _("how often"), max_length=10, choices=Interval.choices, default=Interval.WEEKLY
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0) & Q(hours__lte=40), name="duty_hours_range"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def weekly_hours(self) -> Decimal:
        factor = {"weekly": Decimal(1), "biweekly": Decimal("0.5"), "monthly": Decimal(12) / Decimal(52)}
        return self.hours * factor[self.interval]


class Absence(models.Model):
    """A person is away on whole days (holiday, training, other); sick leave is deliberately not a kind."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday")
        TRAINING = "training", _("Training")
        OTHER = "other", _("Other absence")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="absences")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.HOLIDAY)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until (inclusive)"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="absence_period"),
        ]

    def __str__(self) -> str:
        return f"{self.membership} {self.starts_on}–{self.ends_on}"


class PublicHoliday(models.Model):
    """A day off for everyone in the organisation (imported per German state, or added by hand)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="public_holidays")
    day = models.DateField(_("day"))
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["organization", "day"], name="public_holiday_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.name}"


class Task(models.Model):
    """One step of getting a planned post out, derived from the plan: it moves when the plan moves."""

    class Kind(models.TextChoices):
        WRITE = "write", _("Write")
        REVIEW = "review", _("Review")
        APPROVE = "approve", _("Approve")
        PUBLISH = "publish", _("Publish")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="workload_tasks")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="workload_tasks")
    # What makes the task the same task across re-derivations: "write", "publish", "approve:<step>" …
    key = models.CharField(max_length=40)
    kind = models.CharField(_("step"), max_length=10, choices=Kind.choices)
    assignee = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="workload_tasks"
    )
    # Set when someone reassigned the task by hand: re-derivation then keeps their choice.
    assignee_locked = models.BooleanField(default=False)
    due_at = models.DateTimeField(_("due"), db_index=True)
    effort_hours = models.DecimalField(
        _("estimated hours"), max_digits=6, decimal_places=2, default=Decimal(0)
    )
    # Known only when the post has a single variant: what the logged time can teach the norm.
    content_format = models.CharField(max_length=10, choices=ContentFormat.choices, blank=True)
    network = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=5, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [models.UniqueConstraint(fields=["post", "key"], name="task_key_unique_per_post")]
        indexes = [models.Index(fields=["assignee", "status", "due_at"], name="task_assignee_open")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.post}"

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE


class TimeEntry(models.Model):
    """Time a person logged on a task (optional): it teaches the norms, it never rates the person."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="time_entries")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="time_entries")
    hours = models.DecimalField(
        _("hours"),
        max_digits=5,
        decimal_places=2,
        validators=[
            MinValueValidator(Decimal("0.05"), message=_("Log at least 3 minutes (0.05 hours).")),
            MaxValueValidator(MAX_PHASE_HOURS, message=_("More than 40 hours on one task is not plausible.")),
        ],
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=40), name="time_entry_hours_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hours} h on {self.task}"


class InboxWeek(models.Model):
    """Cases that came in during one finished week, per department and kind: a roll-up the capacity view
    reads instead of scanning every case again (finished weeks do not change)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    week_start = models.DateField()
    department = models.ForeignKey(Department, null=True, on_delete=models.CASCADE, related_name="+")
    case_kind = models.CharField(max_length=20)
    cases = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["organization", "week_start"], name="inbox_week_org")]

    def __str__(self) -> str:
        return f"{self.week_start} {self.case_kind}: {self.cases}"


class InboxWeekDone(models.Model):
    """Marks a week as rolled up (also when no case came in)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    week_start = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "week_start"], name="inbox_week_done_unique")
        ]

    def __str__(self) -> str:
        return str(self.week_start)
