"""The demo organisation's inbox: a week of German comments, questions, complaints and praise on Bluesky and
Mastodon, and one small storm of protest about the sustainability report within the last hour.

Everything goes through `ingest_items`, so the routing rules, the default owners and the SLA clock apply as
they would to real messages. The network ids are fixed, so running it again adds nothing; the times are
relative to `now`, so the inbox looks alive whenever the demo is built. Cases older than two days are
closed as handled (their replies are the case workers' part of the demo).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from onevoice.inbox import escalation, services, settings_services
from onevoice.inbox.ingest import ingest_items
from onevoice.inbox.models import (
    Case,
    ClosedDay,
    Contact,
    Priority,
    RoutingRule,
    SavedReply,
    Sentiment,
    SlaPolicy,
    Tag,
)
from onevoice.networks.connectors.base import InboundItem, InboundKind
from onevoice.networks.models import Channel, Network
from onevoice.organization.models import Department, Membership, Organization
from onevoice.organization.roles import Role
from onevoice.planning.models import Post, PostVariant

R, M, Q = InboundKind.REPLY, InboundKind.MENTION, InboundKind.QUOTE
BS, MA = Network.BLUESKY, Network.MASTODON

TAGS = [("Recht", True), ("Lieferung", False), ("Lob", False), ("Bewerbung", False), ("Greenwashing", False)]

SLA = [
    # name, priority, first response, resolution (business minutes)
    ("Dringend", Priority.URGENT, 30, 240),
    ("Hoch", Priority.HIGH, 60, 480),
    ("Standard", "", 240, 1440),
]


@dataclass(frozen=True)
class DemoRule:
    name: str
    keywords: str = ""
    sentiment: str = ""
    offensive: bool | None = None
    vip_only: bool = False
    department: str = ""
    priority: str = ""
    tags: tuple[str, ...] = ()
    no_reply_needed: bool = False
    hide: bool = False
    stop: bool = True


RULES = [
    DemoRule("Beleidigungen ausblenden", offensive=True, priority=Priority.HIGH, hide=True, stop=False),
    DemoRule(
        "Rechtliches: dringend, mit Freigabe",
        keywords="Anwalt\nAbmahnung\nDatenschutz\nDSGVO\nVerbraucherzentrale",
        priority=Priority.URGENT,
        tags=("Recht",),
    ),
    DemoRule(
        "Greenwashing an PR",
        keywords="Greenwashing\nGreenwashing-Vorwurf",
        department="PR/Unternehmenskommunikation",
        priority=Priority.HIGH,
        tags=("Greenwashing",),
    ),
    DemoRule(
        "Bewerbungen an Personal",
        keywords="Bewerbung\nAusbildung\nAusbildungsplatz\nPraktikum\nStelle\nJob",
        department="Personal",
        tags=("Bewerbung",),
    ),
    DemoRule(
        "Lieferung an Kundenservice",
        keywords="Lieferung\nPaket\nSendung\nRetoure\nReklamation\nbestellt\nBestellung",
        department="Kundenservice",
        tags=("Lieferung",),
    ),
    DemoRule(
        "Händler an Vertrieb", keywords="Händler\nGroßkunde\nAngebot\nFachhandel", department="Vertrieb"
    ),
    DemoRule("Negatives zuerst", sentiment=Sentiment.NEGATIVE, priority=Priority.HIGH, stop=False),
    DemoRule(
        "Dank braucht keine Antwort",
        keywords="danke\ndankeschön\nsuper\ntoll\nklasse",
        sentiment=Sentiment.POSITIVE,
        tags=("Lob",),
        no_reply_needed=True,
    ),
]

# (days ago, hour, author, text, kind, network, topic of the post answered or "")
WEEK: list[tuple[int, int, str, str, InboundKind, str, str]] = [
    (
        6,
        9,
        "jana.k",
        "Seit einer Woche warte ich auf meine Lieferung, Bestellnummer 48213. Können Sie nachsehen?",
        R,
        BS,
        "Produkte",
    ),
    (6, 11, "m.oezdemir", "Gibt es das neue Modell auch in Anthrazit?", R, BS, "Produkte"),
    (6, 14, "lea_bauer", "Super Beitrag, danke für die Einblicke in die Ausbildung!", R, MA, "Karriere"),
    (
        6,
        16,
        "techblog.de",
        "@muster-gmbh.bsky.social wann kommt das Firmware-Update für die Serie X?",
        M,
        BS,
        "",
    ),
    (
        5,
        8,
        "k.schroeder",
        "Ich habe mich auf die Ausbildung zur Industriekauffrau beworben. Wie lange dauert die Rückmeldung?",
        R,
        MA,
        "Karriere",
    ),
    (5, 10, "jana.k", "Noch immer keine Sendung angekommen. Das ist wirklich ärgerlich.", R, BS, "Produkte"),
    (
        5,
        13,
        "handel.nord",
        "Wir sind Fachhandel in Kiel und hätten gern ein Angebot für 40 Geräte.",
        M,
        BS,
        "",
    ),
    (5, 15, "p.wagner", "Toll, dass Sie auf der Messe sind! Welche Halle?", R, BS, "Messen & Events"),
    (4, 9, "r.hoffmann", "Meine Retoure ist seit 14 Tagen unterwegs, wo bleibt die Erstattung?", M, MA, ""),
    (4, 11, "anna.lindner", "Klasse Aktion, danke!", R, MA, "Nachhaltigkeit"),
    (
        4,
        14,
        "verbraucher.info",
        "Ihr Newsletter-Formular fragt das Geburtsdatum ab. Ist das DSGVO-konform?",
        M,
        BS,
        "",
    ),
    (4, 17, "f.yilmaz", "Gibt es noch Praktikumsplätze im Sommer?", R, BS, "Karriere"),
    (3, 8, "m.oezdemir", "Danke für die schnelle Antwort gestern, bestellt!", R, BS, "Produkte"),
    (
        3,
        10,
        "s.keller",
        "Das Gerät ist nach drei Tagen kaputt gegangen. Ich möchte es reklamieren.",
        M,
        MA,
        "",
    ),
    (
        3,
        12,
        "zukunft.jetzt",
        "Quote: 18 % weniger CO₂ klingt gut, aber wie wird das gemessen?",
        Q,
        BS,
        "Nachhaltigkeit",
    ),
    (3, 15, "t.richter", "Der Kundenservice am Telefon war heute sehr freundlich, danke!", M, MA, ""),
    (
        2,
        9,
        "b.neumann",
        "Warum antwortet bei Ihnen niemand auf E-Mails? Seit Montag keine Reaktion zur Bestellung 48990.",
        M,
        BS,
        "",
    ),
    (2, 11, "handel.sued", "Gibt es ein Händlerprogramm für kleine Läden?", R, BS, "Messen & Events"),
    (
        2,
        13,
        "c.krause",
        "Ist der Standort Leipzig barrierefrei erreichbar? Ich möchte mich bewerben.",
        R,
        BS,
        "Karriere",
    ),
    (2, 16, "troll_4711", "Ihr seid doch alle Idioten, euer Zeug ist Müll", R, BS, "Produkte"),
    (1, 9, "jana.k", "Lieferung endlich da, danke an das Team!", R, BS, "Produkte"),
    (1, 10, "d.fischer", "Mein Anwalt wird sich wegen der defekten Lieferung bei Ihnen melden.", M, MA, ""),
    (1, 12, "e.wolf", "Wie lange gilt die Garantie auf das Zubehör?", M, BS, ""),
    (1, 15, "l.braun", "Can you ship to Austria? The website only shows Germany.", M, BS, ""),
    (
        0,
        8,
        "n.schulz",
        "Mein Paket wurde als zugestellt markiert, ist aber nicht da. Bestellung 49102.",
        M,
        BS,
        "",
    ),
    (0, 9, "o.peters", "Wann startet die Ausbildung 2027 genau?", R, MA, "Karriere"),
]

# The storm: the sustainability report is called greenwashing, many voices within the last hour.
STORM = [
    "Greenwashing! 18 % weniger CO₂ heißt doch nur, dass ihr vorher noch mehr rausgeblasen habt.",
    "Das ist reines Greenwashing, eure Lieferkette ist nicht mal im Bericht.",
    "Wer hat diesen Bericht eigentlich geprüft? Niemand unabhängiges, oder?",
    "Ich kaufe bei euch nichts mehr. Greenwashing vom Feinsten.",
    "Die Zahlen sind nicht nachvollziehbar. Legen Sie die Methodik offen!",
    "Schon wieder ein Unternehmen, das sich grün rechnet. Enttäuschend.",
    "Ihr fliegt Mitarbeitende zu jeder Messe und redet von Nachhaltigkeit?",
    "Greenwashing-Vorwurf ist berechtigt, siehe Recherche von heute Morgen.",
    "Peinlich. Einfach nur peinlich.",
    "Bitte beantworten Sie die Fragen zur Methodik, statt zu schweigen.",
    "Warum wurden kritische Kommentare unter dem Beitrag gelöscht?",
    "Scope 3 fehlt komplett. Das ist kein Nachhaltigkeitsbericht.",
    "Ich dachte, ihr seid anders. Leider nicht.",
    "Enttäuschend, wie hier mit Kritik umgegangen wird.",
    "Nachhaltigkeit als Werbeslogan. Schade.",
    "Wann kommt eine Stellungnahme zu den Vorwürfen?",
]
STORM_AUTHORS = [f"kritik.{n:02d}" for n in range(len(STORM))]

VIP_HANDLES = ("techblog.de", "verbraucher.info")


@dataclass
class SeedReport:
    messages: int = 0
    cases: int = 0
    overdue: int = 0
    spike_alerts: int = 0


def _smm_of(organization: Organization) -> Membership:
    found = (
        Membership.objects.active()
        .filter(organization=organization, role__in=[Role.SMM, Role.ADMIN])
        .order_by("-role")  # "smm" before "admin"
        .first()
    )
    assert found is not None, "the demo inbox needs an SMM or admin"
    return found


def _configure(organization: Organization, smm: Membership) -> None:
    """Tags, response times, the calendar and the routing rules, as the SMM would set them (audited)."""
    tags = {t.name: t for t in Tag.objects.filter(organization=organization)}
    for name, approval in TAGS:
        if name not in tags:
            tags[name] = settings_services.tag_create(actor=smm, name=name, replies_need_approval=approval)
    known_policies = set(SlaPolicy.objects.filter(organization=organization).values_list("name", flat=True))
    for name, priority, first, resolution in reversed(SLA):
        if name not in known_policies:
            settings_services.policy_create(
                actor=smm,
                data={
                    "name": name,
                    "priority": priority,
                    "channel": None,
                    "first_response_minutes": first,
                    "resolution_minutes": resolution,
                },
            )
    settings = settings_services.settings_of(organization.pk)
    if not settings.holiday_state:
        settings_services.calendar_update(actor=smm, holiday_state="NW")
        settings_services.spike_update(actor=smm, factor=Decimal(4), minimum=8)
    year = timezone.now().year
    for day, name in ((f"{year}-12-24", "Heiligabend"), (f"{year}-12-31", "Silvester")):
        if not ClosedDay.objects.filter(organization=organization, day=day).exists():
            settings_services.closed_day_add(actor=smm, day=datetime.fromisoformat(day).date(), name=name)
    departments = {d.name: d for d in Department.objects.filter(organization=organization)}
    known_rules = set(RoutingRule.objects.filter(organization=organization).values_list("name", flat=True))
    for rule in RULES:
        if rule.name in known_rules:
            continue
        settings_services.rule_create(
            actor=smm,
            data={
                "name": rule.name,
                "active": True,
                "keywords": rule.keywords,
                "sentiment": rule.sentiment,
                "offensive": rule.offensive,
                "vip_only": rule.vip_only,
                "assign_department": departments.get(rule.department),
                "set_priority": rule.priority,
                "no_reply_needed": rule.no_reply_needed,
                "hide": rule.hide,
                "stop": rule.stop,
            },
            tags=[tags[name] for name in rule.tags],
        )


def _published_roots(organization: Organization, channel: Channel) -> dict[str, str]:
    """Topic name → network id of a published plan post on this channel (recorded as published if the
    demo plan did not give it one), so answers to it land in cases linked to the post."""
    from onevoice.publishing.models import Publication

    roots: dict[str, str] = {}
    variants = (
        PostVariant.objects.filter(
            channel=channel, post__status=Post.Status.PUBLISHED, post__topic__isnull=False
        )
        .select_related("post__topic")
        .order_by("-post__publish_at")
    )
    for variant in variants:
        topic = variant.post.topic.name if variant.post.topic else ""
        if topic in roots:
            continue
        publication = Publication.objects.filter(variant=variant).first()
        if publication is None:
            published_at = variant.post.publish_at or timezone.now()
            key = f"demo-{variant.public_id.hex}"
            publication = Publication.objects.create(
                organization=organization,
                variant=variant,
                channel=channel,
                state=Publication.State.PUBLISHED,
                due_at=published_at,
                next_attempt_at=published_at,
                idempotency_key=key,
                external_id=_post_id(channel, key[:13]),
                published_at=published_at,
            )
        if publication.external_id:
            roots[topic] = publication.external_id
    return roots


def _post_id(channel: Channel, key: str) -> str:
    if channel.network == BS:
        return f"at://did:plc:mustergmbhdemo/app.bsky.feed.post/{key}"
    return f"https://social.example/@muster_gmbh/{int(key.encode().hex()[:12], 16)}"


def _author_id(network: str, handle: str) -> str:
    return (
        f"did:plc:demo-{handle.replace('.', '-').replace('_', '-')}"
        if network == BS
        else f"{handle}@social.example"
    )


def _item(
    channel: Channel, n: str, handle: str, text: str, kind: InboundKind, at: datetime, root: str
) -> InboundItem:
    author_id = _author_id(channel.network, handle)
    if channel.network == BS:
        external_id = f"at://{author_id}/app.bsky.feed.post/demo{n}"
        shown = f"{handle}.bsky.social" if "." not in handle else handle
        url = f"https://bsky.app/profile/{shown}/post/demo{n}"
    else:
        external_id = f"https://social.example/@{handle}/demo{n}"
        shown = f"@{handle}@social.example"
        url = external_id
    return InboundItem(
        external_id=external_id,
        kind=kind,
        author_id=author_id,
        author_handle=shown,
        author_name=handle.replace(".", " ").replace("_", " ").title(),
        text=text,
        created_at=at,
        url=url,
        in_reply_to=root if kind != InboundKind.MENTION else "",
        thread_root=root or external_id,
        language="de",
    )


@transaction.atomic
def seed(
    organization: Organization, *, now: datetime | None = None, smm: Membership | None = None
) -> SeedReport:
    """A week of inbox for the demo organisation; run again and nothing is added twice."""
    now = now or timezone.now()
    smm = smm or _smm_of(organization)
    _configure(organization, smm)
    if not SavedReply.objects.filter(organization=organization).exists():
        services.saved_replies_for_demo(actor=smm)
    channels = {
        c.network: c
        for c in Channel.objects.filter(organization=organization, network__in=[BS, MA]).select_related(
            "organization"
        )
    }
    report = SeedReport()
    if not channels:
        return report
    roots = {network: _published_roots(organization, channel) for network, channel in channels.items()}
    batches: dict[str, list[InboundItem]] = {network: [] for network in channels}
    for n, (days, hour, handle, text, kind, network, topic) in enumerate(WEEK):
        channel = channels.get(network) or next(iter(channels.values()))
        local = timezone.localtime(now - timedelta(days=days)).replace(hour=hour, minute=(n * 7) % 60)
        at = min(local, now - timedelta(minutes=70 + n))
        root = roots[channel.network].get(topic, "") if kind != InboundKind.MENTION else ""
        batches[channel.network].append(_item(channel, f"w{n:03d}", handle, text, kind, at, root))
    storm_channel = channels.get(BS) or next(iter(channels.values()))
    storm_root = roots[storm_channel.network].get("Nachhaltigkeit", "")
    for n, (handle, text) in enumerate(zip(STORM_AUTHORS, STORM, strict=True)):
        at = now - timedelta(minutes=55 - n * 3)
        kind = InboundKind.REPLY if storm_root else InboundKind.MENTION
        batches[storm_channel.network].append(
            _item(storm_channel, f"s{n:03d}", handle, text, kind, at, storm_root)
        )
    for network, items in batches.items():
        result = ingest_items(channels[network], items)
        report.messages += result.new_messages
        report.cases += result.new_cases
    Contact.objects.filter(organization=organization, handles__handle__in=VIP_HANDLES).update(is_vip=True)
    # Older cases were handled; the newer ones are the team's work today, some already late.
    handled = Case.objects.filter(organization=organization, last_message_at__lt=now - timedelta(days=2))
    for case in handled.filter(status=Case.Status.NEW):
        answered = case.first_message_at + timedelta(minutes=45)
        Case.objects.filter(pk=case.pk).update(
            status=Case.Status.CLOSED,
            first_response_at=answered if case.needs_reply else None,
            closed_at=answered + timedelta(hours=3),
        )
    Case.objects.filter(organization=organization, needs_reply=False, status=Case.Status.NEW).update(
        status=Case.Status.CLOSED, closed_at=now
    )
    report.overdue = (
        Case.objects.filter(organization=organization).filter(escalation.overdue_cases(now)).count()
    )
    report.spike_alerts = len(escalation.spikes_alert(now))
    return report
