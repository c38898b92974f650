"""The KPI metrics a goal can target: a fixed, documented list, each with its units and how it is measured.

Posts published come from the publishing log; every other metric is measured from the figures analytics
collects (`onevoice/analytics/kpis.py`), and a target shows "no data yet" while none are collected.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Metric(models.TextChoices):
    ENGAGEMENT_RATE = "engagement_rate", _("Engagement rate")
    FOLLOWERS = "followers", _("Followers")
    POSTS_PUBLISHED = "posts_published", _("Posts published")
    REACH = "reach", _("Reach (impressions)")
    FIRST_RESPONSE = "first_response", _("First response time in the inbox")
    WITHIN_SLA = "within_sla", _("Inbox cases answered within the SLA")
    REQUESTS_HANDLED = "requests_handled", _("Content requests handled")


class Unit(models.TextChoices):
    PERCENT = "percent", _("%")
    IN_PERIOD = "in_period", _("in the period")
    PER_WEEK = "per_week", _("per week")
    AT_PERIOD_END = "at_period_end", _("at the end of the period")
    # A unit (German "Geschäftsstunden"), not the opening hours: its own context keeps the translations apart.
    BUSINESS_HOURS = "business_hours", pgettext_lazy("unit", "business hours")


class Comparison(models.TextChoices):
    AT_LEAST = "gte", _("at least (≥)")
    AT_MOST = "lte", _("at most (≤)")


@dataclass(frozen=True)
class MetricInfo:
    description: Promise
    units: tuple[Unit, ...]  # the first is the default
    measured: bool = False  # computed from data OneVoice already has


METRICS: dict[Metric, MetricInfo] = {
    Metric.ENGAGEMENT_RATE: MetricInfo(
        _(
            "Interactions (likes, reposts, replies, quotes) on the posts published in the period divided by "
            "the followers of their channel when they went out, in percent."
        ),
        (Unit.PERCENT,),
        measured=True,
    ),
    Metric.FOLLOWERS: MetricInfo(
        _("Followers of the channel(s) at the end of the period."), (Unit.AT_PERIOD_END,), measured=True
    ),
    Metric.POSTS_PUBLISHED: MetricInfo(
        _("Publications that went out, one per channel a post went to (from the publishing log)."),
        (Unit.PER_WEEK, Unit.IN_PERIOD),
        measured=True,
    ),
    Metric.REACH: MetricInfo(
        _("Impressions of the posts published in the period."), (Unit.IN_PERIOD, Unit.PER_WEEK), measured=True
    ),
    Metric.FIRST_RESPONSE: MetricInfo(
        _("Median time until an inbox case gets its first answer, counted in business hours."),
        (Unit.BUSINESS_HOURS,),
        measured=True,
    ),
    Metric.WITHIN_SLA: MetricInfo(
        _("Share of inbox cases answered within their SLA."), (Unit.PERCENT,), measured=True
    ),
    Metric.REQUESTS_HANDLED: MetricInfo(
        _("Content requests of the goal's department accepted or declined."),
        (Unit.IN_PERIOD, Unit.PER_WEEK),
        measured=True,
    ),
}


def units_for(metric: str) -> tuple[Unit, ...]:
    return METRICS[Metric(metric)].units
