"""Answers OneVoice can already give from its own data, each with the evidence it is based on.

Read-only: uses the other apps' models and selectors, always filtered by the organisation. The evidence is
stored as a kind plus numbers and put into words when shown, so it reads in the reader's language.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from onevoice.organization.models import Department, Membership, Organization
from onevoice.organization.roles import Role

Prefill = dict[str, dict[str, Any]]


def _hint(value: Any, evidence: str, **params: Any) -> dict[str, Any]:
    return {"value": value, "evidence": evidence, "params": params}


def _guidelines(member: Membership, found: Prefill) -> None:
    from onevoice.guidelines.selectors import guideline_rows

    rows = guideline_rows(member)
    published = [r for r in rows if r.current is not None]
    if not published:
        if rows:
            found["strategy_guidelines"] = _hint("draft", "guidelines_draft")
        else:
            found["strategy_guidelines"] = _hint("none", "guidelines_none")
        return
    best = max(published, key=lambda r: (r.share, r.current.number if r.current else 0))
    assert best.current is not None
    share = best.share
    params = {"title": best.guideline.title, "version": best.current.number, "share": share}
    found["strategy_guidelines"] = _hint(
        "acknowledged" if share >= 80 else "published", "guidelines_published", **params
    )
    if share >= 95:
        value = "all"
    elif share >= 60:
        value = "most"
    elif share > 0:
        value = "some"
    else:
        value = "none"
    found["training_employees"] = _hint(value, "guidelines_published", **params)


def _strategy(organization: Organization, found: Prefill) -> None:
    from onevoice.strategy.models import Goal, KpiTarget

    goals = Goal.objects.filter(organization=organization).count()
    targets = KpiTarget.objects.filter(organization=organization).count()
    if targets:
        found["strategy_goals"] = _hint("measurable", "goals", goals=goals, targets=targets)
        found["measurement_kpis"] = _hint("goals", "goals", goals=goals, targets=targets)
    elif goals:
        found["strategy_goals"] = _hint("written", "goals", goals=goals, targets=0)


def _voice(organization: Organization, found: Prefill) -> None:
    from onevoice.voice.models import VoiceRule

    rules = VoiceRule.objects.filter(organization=organization, active=True).count()
    if rules:
        found["strategy_voice"] = _hint("checked", "voice_rules", rules=rules)


def _roles(organization: Organization, found: Prefill) -> None:
    members = list(
        Membership.objects.active()
        .filter(organization=organization)
        .prefetch_related("departments")
        .only("role", "weekly_hours")
    )
    smms = sum(1 for m in members if m.role == Role.SMM)
    if smms:
        found["roles_smm"] = _hint("named", "smm", count=smms)
    departments = list(Department.objects.filter(organization=organization))
    speaking = [d for d in departments if not d.is_central_team]
    central = [d for d in departments if d.is_central_team]
    with_cm = {d.pk for m in members if m.role == Role.CM for d in m.departments.all()}
    if any(d.pk in with_cm for d in central):
        found["roles_cms"] = _hint("all", "cms_central")
    elif speaking:
        covered = sum(1 for d in speaking if d.pk in with_cm)
        value = "all" if covered == len(speaking) else ("some" if covered else "none")
        found["roles_cms"] = _hint(value, "cms", covered=covered, departments=len(speaking))
    doing = [m for m in members if m.role in (Role.ADMIN, Role.SMM, Role.CM)]
    if doing:
        with_hours = sum(1 for m in doing if m.weekly_hours > 0)
        value = "all" if with_hours == len(doing) else ("partly" if with_hours else "none")
        found["resources_hours"] = _hint(value, "hours_recorded", recorded=with_hours, people=len(doing))


def _approvals(organization: Organization, found: Prefill) -> None:
    from onevoice.planning.models import ApprovalPolicy

    policies = (
        ApprovalPolicy.objects.filter(organization=organization)
        .annotate(n=Count("steps"))
        .filter(n__gt=0)
        .count()
    )
    if policies:
        found["roles_approval"] = _hint("enforced", "approvals", policies=policies)


def _planning(organization: Organization, today: date, found: Prefill) -> None:
    from onevoice.planning.models import Post

    now = timezone.now()
    ahead = Post.objects.filter(
        organization=organization,
        publish_at__gte=now + timedelta(days=14),
        publish_at__lt=now + timedelta(days=42),
    ).exclude(status=Post.Status.WITHDRAWN)
    posts = ahead.count()
    if posts:
        in_campaigns = ahead.exclude(campaign=None, topic=None).count()
        value = "campaigns" if in_campaigns * 2 >= posts else "weeks"
        found["processes_planning"] = _hint(value, "plan_ahead", posts=posts, grouped=in_campaigns)


def _inbox(organization: Organization, today: date, found: Prefill) -> None:
    from onevoice.analytics.community import inbox_figures, tz_of
    from onevoice.analytics.periods import month_of
    from onevoice.inbox.models import InboxSettings, SlaPolicy
    from onevoice.networks.models import Channel

    channel_ids = list(Channel.objects.filter(organization=organization).values_list("id", flat=True))
    policies = SlaPolicy.objects.filter(organization=organization).count()
    last_month = month_of(today.replace(day=1) - timedelta(days=1))
    if channel_ids:
        start, end = last_month.bounds(tz_of(organization))
        figures = inbox_figures(organization, start, end, channel_ids=channel_ids, now=timezone.now())
        if figures.within_sla is not None:
            share = int(figures.within_sla.quantize(Decimal(1)))
            value = "sla" if share >= 90 else "owners"
            found["processes_inbox"] = _hint(value, "inbox_sla", share=share, cases=figures.cases)
    if "processes_inbox" not in found and policies:
        found["processes_inbox"] = _hint("owners", "sla_policies", policies=policies)
    if InboxSettings.objects.filter(organization=organization).exists():
        months = InboxSettings.objects.get(organization=organization).retention_months
        found["legal_dsgvo"] = _hint("partly", "retention", months=months)


def _workload(organization: Organization, today: date, found: Prefill) -> None:
    from onevoice.workload.selectors import monday_of, plan_realism

    monday = monday_of(today)  # this week and the 11 after it
    realism = plan_realism(organization, monday, monday + timedelta(weeks=12) - timedelta(days=1))
    if realism["score"] is None:
        return
    weeks = len(realism["weeks"])
    over = realism["overbooked_weeks"]
    if over == 0:
        value = "buffer" if max((w["load_percent"] or 0) for w in realism["weeks"]) < 80 else "mostly"
    elif over * 3 <= weeks:
        value = "sometimes"
    else:
        value = "overloaded"
    found["resources_fit"] = _hint(value, "realism", over=over, weeks=weeks, score=realism["score"])


def _reports(organization: Organization, found: Prefill) -> None:
    from onevoice.analytics.models import ReportSchedule

    schedules = (
        ReportSchedule.objects.filter(organization=organization, active=True)
        .annotate(n=Count("recipients"))
        .filter(n__gt=0)
    )
    count = schedules.count()
    if count:
        found["measurement_reporting"] = _hint("automatic", "reports", schedules=count)


def _channels(organization: Organization, found: Prefill) -> None:
    from onevoice.networks.models import Channel

    channels = list(Channel.objects.filter(organization=organization).only("config", "require_alt_text"))
    if not channels:
        return
    total = len(channels)
    with_impressum = sum(1 for c in channels if (c.config or {}).get("impressum_url"))
    value = "all" if with_impressum == total else ("some" if with_impressum else "none")
    found["legal_impressum"] = _hint(value, "impressum", count=with_impressum, channels=total)
    alt = sum(1 for c in channels if c.require_alt_text)
    value = "always" if alt == total else ("sometimes" if alt else "none")
    found["legal_accessibility"] = _hint(value, "alt_text", count=alt, channels=total)


def _training(organization: Organization, today: date, found: Prefill) -> None:
    from onevoice.enablement.models import OnboardingProgress, TrainingRecord

    year_ago = today - timedelta(days=365)
    records = TrainingRecord.objects.filter(organization=organization)
    recent = records.filter(starts_on__gte=year_ago, starts_on__lte=today).count()
    if recent:
        found["training_regular"] = _hint("yearly", "trainings", count=recent)
    elif records.exists():
        found["training_regular"] = _hint("occasionally", "trainings_old")
    onboarded = (
        OnboardingProgress.objects.filter(membership__organization=organization, done_on__gte=year_ago)
        .values("membership")
        .distinct()
        .count()
    )
    if onboarded:
        found["training_onboarding"] = _hint("structured", "onboarding", people=onboarded)


def _facts(organization: Organization, found: Prefill) -> None:
    from onevoice.networks.models import Channel

    departments = Department.objects.filter(organization=organization).annotate(
        channels_n=Count("channels", distinct=True),
        people=Count(
            "memberships",
            filter=Q(
                memberships__is_active=True, memberships__role__in=[Role.CM, Role.CONTRIBUTOR, Role.SMM]
            ),
            distinct=True,
        ),
    )
    active = [d for d in departments if d.channels_n or d.people]
    if active:
        found["departments_active"] = _hint(len(active), "departments", count=len(active))
    if any(d.is_central_team for d in departments):
        found["central_team"] = _hint(
            True, "central_team", name=next(d.name for d in departments if d.is_central_team)
        )
    hours = (
        Membership.objects.active().filter(organization=organization).aggregate(s=Sum("weekly_hours"))["s"]
    )
    if hours:
        text = f"{Decimal(hours).normalize():f}"
        found["weekly_hours"] = _hint(text, "weekly_hours", hours=text)
    channels = Channel.objects.filter(organization=organization).count()
    if channels:
        found["channels"] = _hint(channels, "channels", count=channels)


def prefill_for(member: Membership, *, today: date | None = None) -> Prefill:
    """Everything OneVoice can answer for the member's organisation right now."""
    organization = member.organization
    if today is None:
        today = timezone.localdate(timezone=_zone(organization))
    found: Prefill = {}
    _facts(organization, found)
    _guidelines(member, found)
    _strategy(organization, found)
    _voice(organization, found)
    _roles(organization, found)
    _approvals(organization, found)
    _planning(organization, today, found)
    _inbox(organization, today, found)
    _workload(organization, today, found)
    _reports(organization, found)
    _channels(organization, found)
    _training(organization, today, found)
    return found


def _zone(organization: Organization) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(organization.time_zone or "Europe/Berlin")


def evidence_text(hint: dict[str, Any]) -> str:
    """The sentence shown next to a pre-filled answer, in the active language."""
    p = hint.get("params") or {}
    kind = hint.get("evidence")
    if kind == "guidelines_none":
        return _("No guideline has been written in OneVoice yet.")
    if kind == "guidelines_draft":
        return _("Guidelines are being drafted in OneVoice; none is published yet.")
    if kind == "guidelines_published":
        return (
            _("Guidelines “%(title)s”: version %(version)s published, confirmed by %(share)s %% of members.")
            % p
        )
    if kind == "goals":
        return (
            ngettext(
                "%(goals)s goal with %(targets)s KPI targets in the strategy.",
                "%(goals)s goals with %(targets)s KPI targets in the strategy.",
                p.get("goals", 0),
            )
            % p
        )
    if kind == "voice_rules":
        return (
            ngettext(
                "%(rules)s active voice rule checks every post.",
                "%(rules)s active voice rules check every post.",
                p.get("rules", 0),
            )
            % p
        )
    if kind == "smm":
        return (
            ngettext(
                "%(count)s person has the role Social Media Manager; whether management backs them, only you can say.",
                "%(count)s people have the role Social Media Manager; whether management backs them, only you can say.",
                p.get("count", 0),
            )
            % p
        )
    if kind == "cms_central":
        return _("The central team has a community manager.")
    if kind == "cms":
        return _("Community managers in %(covered)s of %(departments)s departments.") % p
    if kind == "hours_recorded":
        return _("Weekly hours recorded for %(recorded)s of %(people)s administrators, SMMs and CMs.") % p
    if kind == "approvals":
        return (
            ngettext(
                "%(policies)s approval workflow is set up.",
                "%(policies)s approval workflows are set up.",
                p.get("policies", 0),
            )
            % p
        )
    if kind == "plan_ahead":
        return (
            _("%(posts)s posts planned 2 to 6 weeks ahead, %(grouped)s of them in a campaign or topic.") % p
        )
    if kind == "inbox_sla":
        return _("Inbox: %(share)s %% of first responses within SLA last month (%(cases)s cases).") % p
    if kind == "sla_policies":
        return (
            ngettext(
                "%(policies)s response time (SLA) is set; last month had no cases to measure it.",
                "%(policies)s response times (SLA) are set; last month had no cases to measure them.",
                p.get("policies", 0),
            )
            % p
        )
    if kind == "retention":
        return _("Closed inbox cases are deleted or anonymised after %(months)s months.") % p
    if kind == "realism":
        return (
            _("Plan realism: %(over)s of the next %(weeks)s weeks over-booked (score %(score)s of 100).") % p
        )
    if kind == "reports":
        return (
            ngettext(
                "%(schedules)s monthly report is sent automatically.",
                "%(schedules)s monthly reports are sent automatically.",
                p.get("schedules", 0),
            )
            % p
        )
    if kind == "impressum":
        return _("%(count)s of %(channels)s channels have an Impressum address.") % p
    if kind == "alt_text":
        return _("%(count)s of %(channels)s channels refuse images without alt text.") % p
    if kind == "trainings":
        return (
            ngettext(
                "%(count)s training recorded in the last 12 months.",
                "%(count)s trainings recorded in the last 12 months.",
                p.get("count", 0),
            )
            % p
        )
    if kind == "trainings_old":
        return _("Trainings are recorded, but none in the last 12 months.")
    if kind == "onboarding":
        return (
            ngettext(
                "%(people)s person worked through an onboarding checklist in the last 12 months.",
                "%(people)s people worked through an onboarding checklist in the last 12 months.",
                p.get("people", 0),
            )
            % p
        )
    if kind == "departments":
        return _("%(count)s departments have channels or people working on social media.") % p
    if kind == "central_team":
        return _("“%(name)s” is marked as the central team.") % p
    if kind == "weekly_hours":
        return _("The people in OneVoice have %(hours)s hours a week for social media together.") % p
    if kind == "channels":
        return (
            ngettext(
                "%(count)s channel is connected.", "%(count)s channels are connected.", p.get("count", 0)
            )
            % p
        )
    return ""
