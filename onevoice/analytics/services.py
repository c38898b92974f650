"""Writes of analytics: report schedules, the sample retention, and mailing a report (with retries)."""

from __future__ import annotations

import logging
from datetime import date, datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from onevoice.analytics.models import AnalyticsSettings, ReportDelivery, ReportSchedule
from onevoice.analytics.report import previous_month, report_build, report_filename, report_pdf
from onevoice.core import audit
from onevoice.organization.models import Membership, Organization
from onevoice.organization.roles import Capability

log = logging.getLogger(__name__)

MAX_TRIES = 4


def _snapshot(schedule: ReportSchedule) -> dict[str, object]:
    return {
        "name": schedule.name,
        "language": schedule.language,
        "day_of_month": schedule.day_of_month,
        "active": schedule.active,
        "recipients": sorted(m.user.email for m in schedule.recipients.select_related("user")),
    }


@transaction.atomic
def schedule_save(
    *,
    actor: Membership,
    schedule: ReportSchedule | None,
    name: str,
    language: str,
    day_of_month: int,
    recipients: list[Membership],
    active: bool = True,
) -> ReportSchedule:
    """Create or change a monthly report schedule; recipients must be people who may read reports."""
    actor.require(Capability.MANAGE_STRATEGY)
    if any(
        m.organization_id != actor.organization_id or not m.can(Capability.VIEW_REPORTS) for m in recipients
    ):
        raise ValueError("recipient outside the organisation or without reports")
    before = _snapshot(schedule) if schedule is not None else None
    if schedule is None:
        schedule = ReportSchedule(organization_id=actor.organization_id, created_by=actor)
    schedule.name, schedule.language, schedule.day_of_month, schedule.active = (
        name,
        language,
        day_of_month,
        active,
    )
    schedule.save()
    schedule.recipients.set(recipients)
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="analytics.schedule_changed" if before else "analytics.schedule_created",
        obj=schedule,
        before=before,
        after=_snapshot(schedule),
    )
    return schedule


@transaction.atomic
def schedule_delete(*, actor: Membership, schedule: ReportSchedule) -> None:
    actor.require(Capability.MANAGE_STRATEGY)
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="analytics.schedule_deleted",
        obj=schedule,
        before=_snapshot(schedule),
    )
    schedule.delete()


@transaction.atomic
def retention_set(*, actor: Membership, days: int | None) -> AnalyticsSettings:
    """How long raw samples are kept (None: for ever)."""
    actor.require(Capability.MANAGE_SETTINGS)
    current, _created = AnalyticsSettings.objects.get_or_create(organization_id=actor.organization_id)
    before = current.sample_retention_days
    current.sample_retention_days = days
    current.save(update_fields=["sample_retention_days", "updated_at"])
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="analytics.retention_changed",
        obj=actor.organization,
        before={"sample_retention_days": before},
        after={"sample_retention_days": days},
    )
    return current


@transaction.atomic
def report_send_now(
    *, actor: Membership, month_start: date, language: str, recipients: list[Membership]
) -> ReportDelivery:
    """Mail one month's report now to chosen people (queued on the worker; shown in the history)."""
    actor.require(Capability.VIEW_REPORTS)
    delivery = ReportDelivery.objects.create(
        organization_id=actor.organization_id,
        period_start=month_start,
        language=language,
        recipients="\n".join(sorted(m.user.email for m in recipients)),
        requested_by=actor,
    )
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="analytics.report_sent",
        obj=delivery,
        after={
            "month": month_start.isoformat(),
            "language": language,
            "recipients": delivery.recipients.split("\n"),
        },
    )
    _enqueue(delivery)
    return delivery


def _enqueue(delivery: ReportDelivery) -> None:
    from onevoice.analytics import tasks

    transaction.on_commit(lambda: tasks.deliver_report(delivery.pk))


def schedules_run(*, now: datetime | None = None) -> list[ReportDelivery]:
    """Queue last month's report for every active schedule whose day has come and that has not sent it yet."""
    from zoneinfo import ZoneInfo

    now = now or timezone.now()
    created = []
    for schedule in ReportSchedule.objects.filter(active=True).select_related("organization"):
        today = now.astimezone(ZoneInfo(schedule.organization.time_zone or "Europe/Berlin")).date()
        month = previous_month(today)
        if today.day < min(schedule.day_of_month, 28) or schedule.last_period == month:
            continue
        with transaction.atomic():
            claimed = (
                ReportSchedule.objects.filter(pk=schedule.pk)
                .exclude(last_period=month)
                .update(last_period=month)
            )
            if not claimed:
                continue  # another worker took it
            recipients = [
                m
                for m in schedule.recipients.active().select_related("user")
                if m.can(Capability.VIEW_REPORTS)
            ]
            delivery, made = ReportDelivery.objects.get_or_create(
                schedule=schedule,
                period_start=month,
                defaults={
                    "organization_id": schedule.organization_id,
                    "language": schedule.language,
                    "recipients": "\n".join(sorted(m.user.email for m in recipients)),
                },
            )
            if made:
                _enqueue(delivery)
                created.append(delivery)
    return created


class DeliveryFailed(Exception):
    """The mail could not be sent this time; the task tries again."""


def delivery_send(delivery_id: int) -> str:
    """Build the PDF and mail it; a failure is recorded and raised until the last try, then it stays failed."""
    delivery = (
        ReportDelivery.objects.select_related("organization", "schedule").filter(pk=delivery_id).first()
    )
    if delivery is None or delivery.state in (ReportDelivery.State.SENT, ReportDelivery.State.FAILED):
        return delivery.state if delivery else ""
    addresses = [a for a in delivery.recipients.split("\n") if a]
    if not addresses:
        ReportDelivery.objects.filter(pk=delivery.pk).update(
            state=ReportDelivery.State.FAILED,
            error=_("Nobody to send it to: choose recipients who may read reports."),
        )
        return ReportDelivery.State.FAILED
    tries = delivery.tries + 1
    try:
        report = report_build(delivery.organization, delivery.period_start, delivery.language)
        pdf = report_pdf(report)
        with translation.override(delivery.language):
            subject = _("Social media report %(month)s · %(organization)s") % {
                "month": f"{delivery.period_start:%m/%Y}",
                "organization": delivery.organization.name,
            }
            body = _(
                "Attached is the social media report of %(organization)s for %(month)s.\n\n"
                "The figures are for teams and departments; the report ranks no person.\n"
                "Dashboards: %(url)s"
            ) % {
                "organization": delivery.organization.name,
                "month": f"{delivery.period_start:%m/%Y}",
                "url": f"{settings.BASE_URL}/o/{delivery.organization.slug}/analytics/",
            }
        message = EmailMessage(subject, body, to=addresses)
        message.attach(report_filename(report), pdf, "application/pdf")
        message.send()
    except Exception as error:
        final = tries >= MAX_TRIES
        ReportDelivery.objects.filter(pk=delivery.pk).update(
            tries=tries,
            state=ReportDelivery.State.FAILED if final else ReportDelivery.State.RETRYING,
            error=str(error)[:500] or error.__class__.__name__,
        )
        log.warning("report %s: try %s failed: %s", delivery.pk, tries, error)
        if final:
            return ReportDelivery.State.FAILED
        raise DeliveryFailed(str(error)) from error
    ReportDelivery.objects.filter(pk=delivery.pk).update(
        tries=tries, state=ReportDelivery.State.SENT, error="", sent_at=timezone.now()
    )
    return ReportDelivery.State.SENT


def settings_of(organization: Organization) -> AnalyticsSettings:
    found, _created = AnalyticsSettings.objects.get_or_create(organization=organization)
    return found
