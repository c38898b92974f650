"""The demo organisation's strategy: goals with KPI targets, target groups and a strategy per channel.

Built through the services by the Social Media Manager; idempotent (what exists by name is left alone), so the
demo builder may call it again. Periods are the current month, quarter and year, so targets have a state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from onevoice.networks.models import Channel, Network
from onevoice.organization.models import Department, Membership, Organization
from onevoice.planning.models import PlanningRules
from onevoice.strategy import services
from onevoice.strategy.models import ChannelStrategy, Goal, TargetGroup

TARGET_GROUPS = {
    "Fachkräfte Logistik": "Disponent*innen, Lagerlogistiker*innen und Berufskraftfahrer*innen, die eine neue "
    "Stelle suchen oder offen dafür sind.",
    "Auszubildende": "Schüler*innen und Schulabgänger*innen in der Region Kassel, die einen technischen "
    "Ausbildungsplatz suchen – und ihre Eltern.",
    "Bestandskunden": "Kund*innen mit Wartungsvertrag: Tipps, Servicezeiten, Ersatzteile und Produktneuheiten.",
    "Fachhandel": "Händler und Installationsbetriebe, die unsere Geräte verkaufen und einbauen.",
    "Presse": "Redaktionen der Fach- und Regionalpresse; sie brauchen Fakten, Ansprechpartner und Bilder.",
}


@dataclass(frozen=True)
class DemoTarget:
    metric: str
    comparison: str
    value: str
    unit: str
    network: str = ""


@dataclass(frozen=True)
class DemoGoal:
    name: str
    description: str
    department: str | None
    period_kind: str
    targets: tuple[DemoTarget, ...]


GOALS = (
    DemoGoal(
        "Engagement-Rate ≥ 3 % im Quartal",
        "Weniger senden, mehr Gespräch: Beiträge, die zum Antworten einladen, und Antworten am selben Tag.",
        "Marketing",
        Goal.Period.QUARTER,
        (
            DemoTarget("engagement_rate", "gte", "3", "percent", Network.BLUESKY),
            DemoTarget("engagement_rate", "gte", "2.5", "percent", Network.MASTODON),
            DemoTarget("reach", "gte", "60000", "in_period"),
        ),
    ),
    DemoGoal(
        "Erste Antwort im Posteingang ≤ 2 Geschäftsstunden",
        "Wer uns öffentlich fragt, bekommt schnell eine Antwort – auch wenn die Lösung länger dauert.",
        "Kundenservice",
        Goal.Period.QUARTER,
        (
            DemoTarget("first_response", "lte", "2", "business_hours"),
            DemoTarget("within_sla", "gte", "90", "percent"),
        ),
    ),
    DemoGoal(
        "8 Beiträge pro Woche über alle Kanäle",
        "Ein verlässlicher Takt statt Funkstille und Beitragsflut; gezählt wird jede Veröffentlichung je Kanal.",
        None,
        Goal.Period.MONTH,
        (DemoTarget("posts_published", "gte", "8", "per_week"),),
    ),
    DemoGoal(
        "Ausbildung 2027: sichtbar für Schulabgänger*innen",
        "Die Kampagne zum Ausbildungsstart trägt die Stimmen der Azubis nach außen.",
        "Personal",
        Goal.Period.QUARTER,
        (
            DemoTarget("posts_published", "gte", "2", "per_week", Network.MASTODON),
            DemoTarget("requests_handled", "gte", "6", "in_period"),
        ),
    ),
    DemoGoal(
        "Community-Wachstum im Jahr",
        "Organisch wachsen, ohne gekaufte Reichweite.",
        "PR/Unternehmenskommunikation",
        Goal.Period.YEAR,
        (
            DemoTarget("followers", "gte", "2500", "at_period_end", Network.BLUESKY),
            DemoTarget("followers", "gte", "1200", "at_period_end", Network.MASTODON),
        ),
    ),
)


@dataclass(frozen=True)
class DemoChannel:
    purpose: str
    target_groups: tuple[str, ...]
    min_per_week: int | None
    weekdays: tuple[int, ...]  # empty: any day (the demo plan's days move with the day it is built)
    times: tuple[str, ...]
    # Used only where the plan set-up has no rules for the channel yet; existing rules are kept.
    min_gap_minutes: int = 60
    max_per_day: int | None = None
    max_per_week: int | None = None


CHANNELS = {
    Network.NEWSROOM: DemoChannel(
        "Pressemitteilungen, Unternehmensnachrichten und Hintergründe: die verlässliche Quelle für Presse "
        "und Fachhandel.",
        ("Presse", "Fachhandel"),
        1,
        (),
        ("10:00", "14:00"),
        min_gap_minutes=240,
        max_per_day=1,
        max_per_week=4,
    ),
    Network.BLUESKY: DemoChannel(
        "Schnelle Neuigkeiten, Wartungstipps und Einblicke aus der Fertigung; Dialog mit Kund*innen und "
        "Fachleuten.",
        ("Bestandskunden", "Fachkräfte Logistik", "Presse"),
        3,
        (),
        ("09:30", "10:30", "14:00"),
    ),
    Network.MASTODON: DemoChannel(
        "Offene Community für Technik-Interessierte und künftige Azubis: Karriere, Nachhaltigkeit, Blick hinter "
        "die Kulissen.",
        ("Auszubildende", "Fachkräfte Logistik"),
        2,
        (),
        ("10:00", "11:00", "15:00"),
    ),
}


def build(organization: Organization, smm: Membership) -> None:
    """Give the demo organisation its strategy; leaves alone what already exists."""
    with transaction.atomic():
        groups = _target_groups(organization, smm)
        _goals(organization, smm)
        _channel_strategies(organization, smm, groups)


def _target_groups(organization: Organization, smm: Membership) -> dict[str, TargetGroup]:
    groups = {g.name: g for g in TargetGroup.objects.filter(organization=organization)}
    for name, description in TARGET_GROUPS.items():
        if name not in groups:
            groups[name] = services.target_group_save(
                actor=smm, target_group=None, name=name, description=description
            )
    return groups


def _goals(organization: Organization, smm: Membership) -> None:
    today = timezone.localdate()
    existing = set(Goal.objects.filter(organization=organization).values_list("name", flat=True))
    departments = {d.name: d for d in Department.objects.filter(organization=organization)}
    for item in GOALS:
        if item.name in existing:
            continue
        goal = services.goal_save(
            actor=smm,
            goal=None,
            name=item.name,
            description=item.description,
            department=departments.get(item.department) if item.department else None,
            period_kind=item.period_kind,
            period_start_on=today,
        )
        for target in item.targets:
            services.kpi_target_save(
                actor=smm,
                goal=goal,
                target=None,
                metric=target.metric,
                comparison=target.comparison,
                target_value=Decimal(target.value),
                unit=target.unit,
                channel=None,
                network=target.network,
            )


def _channel_strategies(organization: Organization, smm: Membership, groups: dict[str, TargetGroup]) -> None:
    channels = Channel.objects.filter(organization=organization).select_related("planning_rules")
    done = set(ChannelStrategy.objects.filter(channel__in=channels).values_list("channel_id", flat=True))
    for channel in channels:
        item = CHANNELS.get(Network(channel.network))
        if item is None or channel.pk in done:
            continue
        rules: PlanningRules | None = getattr(channel, "planning_rules", None)
        services.channel_strategy_save(
            actor=smm,
            channel=channel,
            purpose=item.purpose,
            target_groups=[groups[name] for name in item.target_groups],
            min_per_week=item.min_per_week,
            preferred_weekdays=item.weekdays,
            preferred_times=[time.fromisoformat(t) for t in item.times],
            min_gap_minutes=rules.min_gap_minutes if rules else item.min_gap_minutes,
            max_per_day=rules.max_per_day if rules else item.max_per_day,
            max_per_week=rules.max_per_week if rules else item.max_per_week,
        )
