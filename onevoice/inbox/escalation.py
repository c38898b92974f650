"""Escalation of overdue cases and the spike alert, run by the worker every minute.

A case is overdue when it still waits for its first answer after `first_response_due`, or is not resolved
by `resolution_due`. It escalates once (`escalated_at`): its assignee (or, without one, the CMs of its
department) and the SMMs are told. A reopened case starts a new clock and may escalate again.

A spike: within the last hour, the negative or unanswered messages on one channel, or on one topic (of the
posts people answer), reach `spike_factor` × their usual hourly level over the seven days before, and at
least `spike_minimum`. The SMMs and the CMs are told, with a link to the cases and to "pause all"
publishing; one alert per channel or topic and hour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings as django_settings
from django.db import transaction
from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onevoice.inbox.models import Case, InboxSettings, Message, Sentiment, SpikeAlert
from onevoice.networks.models import Channel
from onevoice.organization.models import Membership, Organization
from onevoice.organization.roles import Role
from onevoice.planning.models import Notification, Topic
from onevoice.planning.notifications import notify
from onevoice.webhooks import events as webhook_events

OPEN_STATES = (Case.Status.NEW, Case.Status.OPEN)
BASELINE_DAYS = 7
DEFAULT_FACTOR = Decimal(4)
DEFAULT_MINIMUM = 10


def case_link(case: Case, slug: str) -> str:
    try:
        return reverse("inbox:case", args=[slug, case.public_id])
    except NoReverseMatch:
        return f"/o/{slug}/inbox/"


def inbox_link(slug: str, query: str = "") -> str:
    for name in ("inbox:cases", "inbox:list"):
        try:
            return reverse(name, args=[slug]) + (f"?{query}" if query else "")
        except NoReverseMatch:
            continue
    return f"/o/{slug}/inbox/" + (f"?{query}" if query else "")


def _smms(organization_id: int) -> list[Membership]:
    return list(Membership.objects.active().filter(organization_id=organization_id, role=Role.SMM))


def overdue_cases(now: datetime) -> Q:
    late_answer = Q(first_response_at__isnull=True, first_response_due__lt=now)
    return Q(status__in=OPEN_STATES, needs_reply=True, escalated_at__isnull=True) & (
        late_answer | Q(resolution_due__lt=now)
    )


def cases_escalate(now: datetime | None = None, *, limit: int = 500) -> int:
    """Mark overdue cases as escalated (once) and tell their owners and the SMMs; the count escalated."""
    now = now or timezone.now()
    candidates = list(
        Case.objects.filter(overdue_cases(now))
        .select_related("organization", "channel", "assignee")
        .order_by("first_response_due")[:limit]
    )
    escalated = 0
    smms: dict[int, list[Membership]] = {}
    for case in candidates:
        with transaction.atomic():
            # Conditional: a second worker running the same sweep escalates nothing twice.
            if not Case.objects.filter(pk=case.pk, escalated_at__isnull=True).update(escalated_at=now):
                continue
            escalated += 1
            recipients: list[Membership] = []
            if case.assignee_id is not None and case.assignee is not None:
                recipients.append(case.assignee)
            elif case.department_id is not None:
                recipients.extend(
                    Membership.objects.active().filter(
                        organization_id=case.organization_id, role=Role.CM, departments=case.department_id
                    )
                )
            if case.organization_id not in smms:
                smms[case.organization_id] = _smms(case.organization_id)
            recipients.extend(smms[case.organization_id])
            text = _("Case “%(subject)s” on %(channel)s is overdue: nobody has answered in time.") % {
                "subject": case.subject[:120] or _("(no text)"),
                "channel": case.channel.name,
            }
            notify(recipients, Notification.Kind.CASE_OVERDUE, text, case_link(case, case.organization.slug))
            webhook_events.case_overdue(case)
    return escalated


# ---- spike alert -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spike:
    organization_id: int
    channel_id: int | None
    topic_id: int | None
    count: int
    baseline: Decimal


def _counts(group: str, now: datetime) -> dict[tuple[int, int], tuple[int, int]]:
    """(organisation, channel or topic) → (messages in the last hour, messages in the 7 days before)."""
    hour_ago = now - timedelta(hours=1)
    week_ago = hour_ago - timedelta(days=BASELINE_DAYS)
    worrying = Q(sentiment=Sentiment.NEGATIVE) | Q(
        case__first_response_at__isnull=True, case__needs_reply=True, case__status__in=OPEN_STATES
    )
    field = {"channel": "channel_id", "topic": "case__post__topic_id"}[group]
    rows = (
        Message.objects.filter(
            direction=Message.Direction.INBOUND, created_at__gte=week_ago, created_at__lte=now
        )
        .filter(worrying)
        .exclude(**{f"{field}__isnull": True})
        .values("case__organization_id", field)
        .annotate(
            recent=Count("id", filter=Q(created_at__gt=hour_ago)),
            before=Count("id", filter=Q(created_at__lte=hour_ago)),
        )
        .filter(recent__gt=0)
    )
    return {(r["case__organization_id"], r[field]): (r["recent"], r["before"]) for r in rows}


def spikes_find(now: datetime | None = None) -> list[Spike]:
    """Channels and topics whose last hour is far above their usual level, by each organisation's settings."""
    now = now or timezone.now()
    thresholds = {s.organization_id: (s.spike_factor, s.spike_minimum) for s in InboxSettings.objects.all()}
    found = []
    for group in ("channel", "topic"):
        for (org_id, key), (recent, before) in _counts(group, now).items():
            factor, minimum = thresholds.get(org_id, (DEFAULT_FACTOR, DEFAULT_MINIMUM))
            baseline = (Decimal(before) / Decimal(BASELINE_DAYS * 24)).quantize(Decimal("0.01"))
            if recent >= minimum and recent >= factor * baseline:
                found.append(
                    Spike(
                        org_id,
                        key if group == "channel" else None,
                        key if group == "topic" else None,
                        recent,
                        baseline,
                    )
                )
    return found


def spikes_alert(now: datetime | None = None) -> list[SpikeAlert]:
    """Record and announce each new spike; a channel or topic alerts at most once an hour."""
    now = now or timezone.now()
    alerts = []
    for spike in spikes_find(now):
        with transaction.atomic():
            recent = SpikeAlert.objects.select_for_update().filter(
                organization_id=spike.organization_id,
                channel=spike.channel_id,
                topic=spike.topic_id,
                created_at__gt=now - timedelta(hours=1),
            )
            if recent.exists():
                continue
            alert = SpikeAlert.objects.create(
                organization_id=spike.organization_id,
                channel_id=spike.channel_id,
                topic_id=spike.topic_id,
                hour_start=now - timedelta(hours=1),
                count=spike.count,
                baseline=spike.baseline,
            )
            _announce(alert)
            alerts.append(alert)
    return alerts


def _announce(alert: SpikeAlert) -> None:
    organization = Organization.objects.get(pk=alert.organization_id)
    slug = organization.slug
    if alert.channel_id is not None:
        channel = Channel.objects.get(pk=alert.channel_id)
        where, query = channel.name, f"channel={channel.public_id}"
    else:
        topic = Topic.objects.get(pk=alert.topic_id or 0)
        where, query = topic.name, f"topic={topic.public_id}"
    pause = django_settings.BASE_URL + reverse("publishing:log", args=[slug])
    text = _(
        "Spike in the inbox: %(count)s negative or unanswered messages on %(where)s in the last hour "
        "(usually %(baseline)s an hour). If needed, pause all publishing: %(pause)s"
    ) % {"count": alert.count, "where": where, "baseline": alert.baseline, "pause": pause}
    recipients = Membership.objects.active().filter(
        organization_id=alert.organization_id, role__in=[Role.SMM, Role.CM]
    )
    notify(recipients, Notification.Kind.SPIKE_ALERT, text, inbox_link(slug, query))
    webhook_events.spike_alert(alert, where, inbox_link(slug, query))
