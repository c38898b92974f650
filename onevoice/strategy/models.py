"""The strategy: goals with KPI targets per period, target groups, and a strategy per channel.

Topics (Themenfelder) live in planning (planning.Topic); the maximum posts per day and week and the minimum
gap live in planning.PlanningRules. The channel strategy adds what planning does not know: purpose, target
groups, the minimum per week and the preferred times, which feed the plan's conflict detection.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

from onevoice.networks.models import Channel, Network
from onevoice.organization.models import Department, Organization
from onevoice.strategy.metrics import Comparison, Metric, Unit


class TargetGroup(models.Model):
    """Whom the organisation wants to reach, e.g. "Fachkräfte Logistik", "Bestandskunden", "Presse"."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="target_groups")
    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="target_group_name_unique_per_org")
        ]

    def __str__(self) -> str:
        return self.name


class Goal(models.Model):
    """A goal for one month, quarter or year, measured by its KPI targets."""

    class Period(models.TextChoices):
        MONTH = "month", _("Month")
        QUARTER = "quarter", _("Quarter")
        YEAR = "year", _("Year")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="goals")
    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="goals",
        verbose_name=_("owning department"),
    )
    period_kind = models.CharField(_("period"), max_length=10, choices=Period.choices, default=Period.QUARTER)
    period_start = models.DateField(_("first day of the period"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_start", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def period_end(self) -> date:
        """The first day after the period."""
        from onevoice.strategy.periods import period_end

        return period_end(self.period_kind, self.period_start)


class KpiTarget(models.Model):
    """One measurable target of a goal: metric, ≥ or ≤, value and unit, optionally for a channel or network."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="kpi_targets")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="targets")
    metric = models.CharField(_("metric"), max_length=30, choices=Metric.choices)
    comparison = models.CharField(_("comparison"), max_length=3, choices=Comparison.choices)
    target_value = models.DecimalField(_("target value"), max_digits=12, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices)
    channel = models.ForeignKey(
        Channel,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="kpi_targets",
        verbose_name=_("channel"),
    )
    network = models.CharField(_("network"), max_length=20, choices=Network.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} {self.get_comparison_display()} {self.target_value}"


class ChannelStrategy(models.Model):
    """Per channel: its purpose, whom it speaks to, and how often and when it should post."""

    channel = models.OneToOneField(Channel, on_delete=models.CASCADE, related_name="strategy")
    purpose = models.TextField(_("purpose"), blank=True)
    target_groups = models.ManyToManyField(
        TargetGroup, blank=True, related_name="channel_strategies", verbose_name=_("target groups")
    )
    min_per_week = models.PositiveIntegerField(_("at least per week"), null=True, blank=True)
    # Monday = 0 … Sunday = 6; empty: any day.
    preferred_weekdays = models.JSONField(_("preferred weekdays"), default=list, blank=True)
    # Local wall-clock times "HH:MM", sorted; empty: any time.
    preferred_times = models.JSONField(_("preferred times"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = _("channel strategies")

    def __str__(self) -> str:
        return f"{self.channel}"
