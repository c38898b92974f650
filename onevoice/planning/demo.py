"""A month of editorial plan for the demo organisation Muster GmbH, built through the services.

From a week ago to four weeks ahead (dates relative to today in Europe/Berlin): topics, two campaigns,
approval policies, requests from the departments, posts in every state, a blackout period before the
quarterly figures, and a few conflicts on purpose, so every part of the plan has something to show.
Bluesky and Mastodon are channels without a network behind them: paused, so nothing is ever sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone, translation

from onevoice.core import audit
from onevoice.networks.models import Channel, Network
from onevoice.organization.models import Department, Membership, Organization
from onevoice.organization.roles import Role
from onevoice.planning import request_services, services
from onevoice.planning import setup_services as setup
from onevoice.planning.models import (
    ApprovalDecision,
    ApprovalStep,
    Campaign,
    ContentRequest,
    Notification,
    Post,
    PostVariant,
    Topic,
)

BERLIN = ZoneInfo("Europe/Berlin")
DOMAIN = "muster-gmbh.example"
OFFLINE_REASON = "Demo: nicht mit einem Netzwerk verbunden"
S = Post.Status
V = ApprovalDecision.Verdict

MARKETING = "Marketing"
PR = "PR/Unternehmenskommunikation"
SALES = "Vertrieb"
SERVICE = "Kundenservice"
HR = "Personal"

TOPICS = {  # name: (owning department, colour)
    "Karriere": (HR, "#0ca678"),
    "Produkte": (MARKETING, "#1c7ed6"),
    "Nachhaltigkeit": (PR, "#37b24d"),
    "Messen & Events": (MARKETING, "#f76707"),
    "Kundenservice": (SERVICE, "#ae3ec9"),
}
MESSE = "Hannover Messe 2027"
AUSBILDUNG = "Ausbildungsstart 2027"


@dataclass(frozen=True)
class DemoPost:
    title: str
    author: str  # the local part of the author's e-mail address
    department: str
    channels: tuple[str, ...]  # "newsroom", "bluesky", "mastodon"
    text: str
    state: str
    day: int | None = None  # days from today; None: an unscheduled idea
    at: str = "10:00"
    topic: str | None = None
    campaign: str | None = None
    note: str = ""  # the comment of the decision or the withdrawal


BS, MA, NR = "bluesky", "mastodon", "newsroom"
ALL = (NR, BS, MA)

PLAN: tuple[DemoPost, ...] = (
    # ---- last week: published -----------------------------------------------------------------------
    DemoPost(
        "Rückblick: Tag der offenen Tür in Kassel", "sabine.krueger", PR, ALL,
        "Über 800 Gäste beim Tag der offenen Tür in Kassel – danke für Ihren Besuch, die vielen Fragen "
        "und die Begeisterung in der Werkstatt! Die schönsten Bilder finden Sie im Newsroom.",
        S.PUBLISHED, day=-7,
    ),
    DemoPost(
        "Azubi-Blog: Die erste Woche in der Werkstatt", "julia.wagner", HR, (BS, MA),
        "Werkbank statt Schulbank: Unsere neuen Azubis erzählen von ihrer ersten Woche bei der Muster GmbH. "
        "#Ausbildung #Karriere",
        S.PUBLISHED, day=-6, at="11:00", topic="Karriere", campaign=AUSBILDUNG,
    ),
    DemoPost(
        "Solardach auf Halle 3 in Betrieb", "lukas.weber", MARKETING, (NR, BS),
        "Seit dieser Woche liefert das Solardach auf Halle 3 Strom für die Fertigung: rund 420 MWh im Jahr.",
        S.PUBLISHED, day=-5, at="14:00", topic="Nachhaltigkeit",
    ),
    DemoPost(
        "Servicezeiten zwischen den Jahren", "mehmet.yilmaz", SERVICE, (BS, MA),
        "Zwischen den Jahren erreichen Sie unseren Kundenservice werktags von 9 bis 14 Uhr. "
        "Ersatzteile bestellen Sie rund um die Uhr online.",
        S.PUBLISHED, day=-3, at="09:30", topic="Kundenservice",
    ),
    DemoPost(
        "Kundenstimme: Fachhandel Schulz & Söhne", "anna.schneider", SALES, (NR, MA),
        "„Die Lieferung kam in 24 Stunden, der Einbau war ein Kinderspiel.“ – Danke an Schulz & Söhne aus "
        "Göttingen für das Lob!",
        S.PUBLISHED, day=-2, at="15:00",
    ),
    DemoPost(
        "Wartungstipp: Filter im Winter wechseln", "lukas.weber", MARKETING, (BS, MA),
        "Wartungstipp für die kalte Jahreszeit: Wechseln Sie den Filter Ihrer M100 alle drei Monate – "
        "so bleibt die Leistung konstant. Anleitung im Video.",
        S.PUBLISHED, day=-1, topic="Produkte",
    ),
    # ---- the weeks ahead: scheduled -----------------------------------------------------------------
    DemoPost(
        "Tipps zur Ersatzteilbestellung", "mehmet.yilmaz", SERVICE, (BS, MA),
        "Ersatzteil gesucht? Mit der Seriennummer vom Typenschild finden Sie es im Online-Shop in "
        "Sekunden. Unser Service-Team hilft gern weiter.",
        S.SCHEDULED, day=1, at="09:00", topic="Kundenservice",
    ),
    # Two posts on Bluesky 20 minutes apart, on the same topic from two departments: conflicts to see.
    DemoPost(
        "Termine für die Hannover Messe buchen", "lukas.weber", MARKETING, (NR, BS),
        "Die Hannover Messe 2027 rückt näher: Buchen Sie schon jetzt Ihren Gesprächstermin an unserem "
        "Stand in Halle 7. #HM27",
        S.SCHEDULED, day=2, topic="Messen & Events", campaign=MESSE,
    ),
    DemoPost(
        "Fragen zur Rechnung? So geht's", "mehmet.yilmaz", SERVICE, (BS,),
        "Fragen zu Ihrer Rechnung? Im Kundenportal finden Sie alle Belege – oder Sie schreiben uns direkt.",
        S.SCHEDULED, day=2, at="16:30", topic="Kundenservice",
    ),
    DemoPost(
        "Ausbildungsstart 2027: Die Bewerbungsphase läuft", "julia.wagner", HR, ALL,
        "Ausbildung bei der Muster GmbH: 14 Plätze in 6 Berufen, Bewerbungen ab sofort – ganz ohne "
        "Anschreiben. #Ausbildung2027",
        S.SCHEDULED, day=4, at="11:00", topic="Karriere", campaign=AUSBILDUNG,
    ),
    DemoPost(
        "Nachhaltigkeitsbericht: 3 Zahlen, die uns stolz machen", "sabine.krueger", PR, ALL,
        "18 % weniger CO₂, 92 % Recyclingquote, 420 MWh Solarstrom: drei Zahlen aus unserem "
        "Nachhaltigkeitsbericht 2026.",
        S.SCHEDULED, day=7, topic="Nachhaltigkeit",
    ),
    DemoPost(
        "Messe-Vorbericht: Das zeigen wir in Halle 7", "lukas.weber", MARKETING, (NR, BS),
        "Was Sie auf der Hannover Messe bei uns erwartet: die neue X200, Live-Vorführungen und unser "
        "Service-Team zum Anfassen.",
        S.SCHEDULED, day=11, at="14:00", topic="Messen & Events", campaign=MESSE,
    ),
    DemoPost(
        "Tag der Ausbildung: Werkstatt live", "julia.wagner", HR, (BS, MA),
        "Am Samstag öffnen wir die Lehrwerkstatt: Schauen Sie unseren Azubis über die Schulter! "
        "#TagDerAusbildung",
        S.SCHEDULED, day=18, topic="Karriere", campaign=AUSBILDUNG,
    ),
    DemoPost(
        "Produktneuheit X200 – erste Einblicke", "lukas.weber", MARKETING, ALL,
        "Leiser, sparsamer, vernetzt: Die X200 kommt im Frühjahr. Ein erster Blick auf unsere Neuheit.",
        S.SCHEDULED, day=25, topic="Produkte", campaign=MESSE,
    ),
    # ---- approved, in review, changes requested -----------------------------------------------------
    DemoPost(
        "Evergreen: So erreichen Sie unseren Kundenservice", "mehmet.yilmaz", SERVICE, (BS, MA),
        "Telefon, E-Mail oder Chat: So erreichen Sie unseren Kundenservice am schnellsten.",
        S.APPROVED, topic="Kundenservice",
    ),
    DemoPost(
        "Stellenanzeige: Ausbildung Mechatroniker/in (m/w/d)", "julia.wagner", HR, ALL,
        "Du schraubst gern und verstehst Elektronik? Starte 2027 deine Ausbildung zur/zum Mechatroniker/in "
        "(m/w/d) bei uns in Kassel.",
        S.IN_REVIEW, day=9, at="11:00", topic="Karriere", campaign=AUSBILDUNG,
    ),
    DemoPost(
        "Hannover Messe: Standplan und Öffnungszeiten", "lukas.weber", MARKETING, (BS, MA),
        "Halle 7, Stand C12: Hier finden Sie uns auf der Hannover Messe 2027 – täglich von 9 bis 18 Uhr.",
        S.IN_REVIEW, day=10, topic="Messen & Events", campaign=MESSE,
        note="Bitte bei der X200 das ®-Zeichen ergänzen, sonst passt es aus Sicht der Rechtsabteilung.",
    ),
    DemoPost(
        "Webinar: Energiesparen in der Fertigung", "anna.schneider", SALES, (BS, MA),
        "Kostenloses Webinar für Fachhändler: So sparen Ihre Kunden mit der richtigen Steuerung bis zu 20 % "
        "Energie.",
        S.IN_REVIEW, day=13, at="15:00",
    ),
    DemoPost(
        "Preisaktion für Fachhändler im Dezember", "anna.schneider", SALES, (BS, MA),
        "Nur im Dezember: 15 % Rabatt auf alle Ersatzteile für Fachhändler!!!",
        S.CHANGES_REQUESTED, day=5,
        note="Bitte keinen Rabatt ohne Bedingungen nennen: Die Aktionsbedingungen müssen verlinkt sein. "
        "Und bitte „Fachhandelspartner“ statt „Fachhändler“ – so steht es in unseren Leitlinien.",
    ),
    # ---- drafts and ideas ---------------------------------------------------------------------------
    DemoPost(
        "Neue Hotline-Zeiten ab Januar", "mehmet.yilmaz", SERVICE, (BS, MA),
        "Ab Januar ist unsere Hotline länger für Sie da: montags bis freitags von 7 bis 19 Uhr.",
        S.DRAFT, day=6, at="13:00", topic="Kundenservice",
    ),
    DemoPost(
        "Azubis stellen sich vor: Lea, Industriekauffrau", "julia.wagner", HR, (BS, MA),
        "Lea ist im zweiten Lehrjahr und erzählt, warum sie sich für die Muster GmbH entschieden hat.",
        S.DRAFT, day=12, topic="Karriere", campaign=AUSBILDUNG,
    ),
    # Planned before the SMM set the quiet period: now inside it, it cannot be submitted.
    DemoPost(
        "Produktvideo X200 – Teaser", "lukas.weber", MARKETING, (BS, MA),
        "30 Sekunden, die neugierig machen: der erste Teaser zur X200.",
        S.DRAFT, day=16, at="11:00", topic="Produkte", campaign=MESSE,
    ),
    DemoPost(
        "Unser Team beim Firmenlauf", "tobias.schaefer", MARKETING, (MA,),
        "42 Kolleginnen und Kollegen, 5 Kilometer, ein Ziel: Die Muster GmbH war beim Kasseler Firmenlauf dabei!",
        S.DRAFT, day=22, at="09:30",
    ),
    DemoPost(
        "Mitarbeiterporträt: 25 Jahre in der Logistik", "julia.wagner", HR, (BS, MA),
        "", S.IDEA, topic="Karriere",
    ),
    DemoPost(
        "Blick hinter die Kulissen: Qualitätsprüfung", "tobias.schaefer", MARKETING, (BS,),
        "", S.IDEA, topic="Produkte",
    ),
    DemoPost(
        "FAQ-Reihe Ersatzteile", "stefan.neumann", SERVICE, (BS, MA),
        "Jede Woche eine Frage aus dem Kundenservice – kurz beantwortet.", S.IDEA, topic="Kundenservice",
    ),
    # ---- withdrawn ----------------------------------------------------------------------------------
    DemoPost(
        "Adventsgewinnspiel: 24 Türchen", "lukas.weber", MARKETING, (BS, MA),
        "Hinter jedem Türchen ein Gewinn! Kommentieren Sie und gewinnen Sie eine X200.",
        S.WITHDRAWN, day=3, at="12:00",
        note="Ohne Teilnahmebedingungen ist das Gewinnspiel so nicht zulässig.",
    ),
)  # fmt: skip


class _Plan:
    """What the builder needs at hand: the people, departments, channels, topics and campaigns by name."""

    def __init__(self, organization: Organization) -> None:
        self.organization = organization
        self.today = timezone.localdate(timezone=BERLIN)
        self.members = {
            m.user.email.split("@")[0]: m
            for m in Membership.objects.filter(organization=organization).select_related(
                "user", "organization"
            )
        }
        self.departments = {d.name: d for d in Department.objects.filter(organization=organization)}
        self.channels: dict[str, Channel] = {}
        self.topics: dict[str, Topic] = {}
        self.campaigns: dict[str, Campaign] = {}

    @property
    def smm(self) -> Membership:
        return self.members["sabine.krueger"]

    def at(self, day: int, clock: str = "10:00") -> datetime:
        return datetime.combine(self.today + timedelta(days=day), time.fromisoformat(clock), tzinfo=BERLIN)

    def on(self, day: int) -> date:
        return self.today + timedelta(days=day)


def build_demo_plan(organization: Organization) -> None:
    """Fill the demo organisation's editorial plan; does nothing if it already has one."""
    if Post.objects.filter(organization=organization).exists():
        return
    with translation.override("de"), timezone.override(BERLIN), transaction.atomic():
        plan = _Plan(organization)
        _channels(plan)
        _set_up(plan)
        _requests(plan)
        for item in PLAN:
            _post(plan, item)
        # The SMM sets the quiet period after the teaser was planned: the plan shows the clash.
        setup.blackout_create(
            actor=plan.smm,
            name="Ruhephase vor den Quartalszahlen",
            reason="Keine Beiträge in den Tagen vor der Veröffentlichung der Quartalszahlen (Ad-hoc-Pflichten).",
            starts_at=plan.at(15, "00:00"),
            ends_at=plan.at(17, "18:00"),
            channels=[],
        )
        _read_what_is_done(plan)


def _read_what_is_done(plan: _Plan) -> None:
    """People have read what is settled; what still waits for them (reviews, changes, questions) stays new."""
    open_urls = [
        services.post_url(p)
        for p in Post.objects.filter(
            organization=plan.organization, status__in=[S.IN_REVIEW, S.CHANGES_REQUESTED]
        )
    ] + [
        request_services.request_url(r)
        for r in ContentRequest.objects.filter(
            organization=plan.organization,
            status__in=[ContentRequest.Status.SUBMITTED, ContentRequest.Status.QUESTION],
        )
    ]
    Notification.objects.filter(recipient__organization=plan.organization).exclude(url__in=open_urls).update(
        read_at=timezone.now()
    )


def _channels(plan: _Plan) -> None:
    """The newsroom exists; Bluesky and Mastodon are paused rows with no account behind them."""
    plan.channels[NR] = Channel.objects.get(organization=plan.organization, network=Network.NEWSROOM)
    for key, network, name, handle in (
        (BS, Network.BLUESKY, "Muster GmbH (Bluesky)", "muster-gmbh.bsky.social"),
        (MA, Network.MASTODON, "Muster GmbH (Mastodon)", "@muster_gmbh@social.example"),
    ):
        plan.channels[key] = Channel.objects.create(
            organization=plan.organization,
            network=network,
            name=name,
            handle=handle,
            display_name="Muster GmbH",
            department=plan.departments[PR],
            config={"demo": True},
            state=Channel.State.PAUSED,
            state_reason=OFFLINE_REASON,
        )


def _set_up(plan: _Plan) -> None:
    smm, departments, channels = plan.smm, plan.departments, plan.channels
    for name, (department, colour) in TOPICS.items():
        plan.topics[name] = setup.topic_save(
            actor=smm, topic=None, name=name, department=departments[department], color=colour
        )
    plan.campaigns[MESSE] = setup.campaign_save(
        actor=plan.members["lukas.weber"],
        campaign=None,
        name=MESSE,
        goal="Vor der Messe 300 Gesprächstermine mit Fachbesuchern vereinbaren und die neue X200 bekannt machen.",
        starts_on=plan.on(-7),
        ends_on=plan.on(28),
        departments=[departments[MARKETING], departments[SALES]],
        channels=[channels[NR], channels[BS], channels[MA]],
        color="#fd7e14",
    )
    plan.campaigns[AUSBILDUNG] = setup.campaign_save(
        actor=plan.members["julia.wagner"],
        campaign=None,
        name=AUSBILDUNG,
        goal="40 Bewerbungen für die 14 Ausbildungsplätze 2027, vor allem in den technischen Berufen.",
        starts_on=plan.on(-7),
        ends_on=plan.on(24),
        departments=[departments[HR]],
        channels=[channels[BS], channels[MA]],
        color="#20c997",
    )
    setup.channel_rules_save(
        actor=smm, channel=channels[BS], min_gap_minutes=60, max_per_day=2, max_per_week=10
    )
    setup.channel_rules_save(
        actor=smm, channel=channels[MA], min_gap_minutes=90, max_per_day=3, max_per_week=12
    )
    legal = setup.StepSpec(
        name="Rechtsabteilung (Feedback)",
        kind=ApprovalStep.Kind.FEEDBACK,
        people=[plan.members["katharina.vogel"]],
    )
    social_media = setup.StepSpec(name="Freigabe Social Media", roles=[Role.SMM, Role.ADMIN])
    setup.policy_save(
        actor=smm,
        policy=None,
        name="Standard: Social Media gibt frei",
        department=None,
        channel=None,
        campaign=None,
        reapprove_after_edit=True,
        review_hours_before=2,
        steps=[social_media, legal],
    )
    setup.policy_save(
        actor=smm,
        policy=None,
        name="Personal: Betriebsrat, dann Social Media",
        department=departments[HR],
        channel=None,
        campaign=None,
        reapprove_after_edit=True,
        review_hours_before=24,
        steps=[
            setup.StepSpec(name="Betriebsrat", people=[plan.members["petra.zimmermann"]]),
            social_media,
            legal,
        ],
    )


def _requests(plan: _Plan) -> None:
    """Four briefings from the departments: accepted, asked back, declined, and one still open."""
    m, departments, channels, topics = plan.members, plan.departments, plan.channels, plan.topics
    handlertag = request_services.request_file(
        actor=m["laura.fischer"],
        department=departments[SALES],
        title="Händlertag 2027: Jetzt anmelden",
        goal="60 Anmeldungen von Fachhandelspartnern für den Händlertag im März.",
        briefing="Einladung zum Händlertag am 18. März in Kassel: Werksführung, X200-Vorpremiere, Grillabend. "
        "Anmeldung über das Partnerportal.",
        links="https://muster-gmbh.example/haendlertag",
        topic=topics["Messen & Events"],
        wished_from=plan.on(2),
        wished_until=plan.on(4),
        channels=[channels[BS], channels[MA]],
        contact=m["laura.fischer"],
    )
    post = request_services.request_accept(actor=m["anna.schneider"], request=handlertag)
    # Anna moves it to 10:20 to sit next to the Messe post: 20 minutes apart on Bluesky.
    post = services.post_update(
        actor=m["anna.schneider"],
        post=post,
        expected_version=post.version,
        title=post.title,
        department=post.department,
        base_text="Save the Date: Händlertag 2027 am 18. März in Kassel – mit Werksführung und "
        "X200-Vorpremiere. Jetzt im Partnerportal anmelden!",
        notes=post.notes,
        campaign=None,
        topic=post.topic,
        publish_at=plan.at(2, "10:20"),
        window_end=None,
        channels=[channels[BS], channels[MA]],
    )
    services.variants_copy_base(actor=m["anna.schneider"], post=post, expected_version=post.version)
    post.refresh_from_db()
    _through_review(plan, post, S.SCHEDULED)

    shop = request_services.request_file(
        actor=m["stefan.neumann"],
        department=departments[SERVICE],
        title="Ersatzteile jetzt online bestellen",
        goal="Weniger Anrufe für einfache Ersatzteilbestellungen.",
        briefing="Der neue Ersatzteil-Shop geht bald online. Bitte auf allen Kanälen bekannt machen.",
        topic=topics["Kundenservice"],
        wished_from=plan.on(8),
        channels=[channels[BS], channels[MA]],
    )
    request_services.request_ask(
        actor=m["mehmet.yilmaz"],
        request=shop,
        question="Ab wann genau ist der Shop freigeschaltet, und gibt es einen Link mit Anleitung?",
    )

    referenz = request_services.request_file(
        actor=m["tobias.schaefer"],
        department=departments[MARKETING],
        title="Referenz: Stadtwerke Musterstadt setzen auf die M100",
        briefing="Die Stadtwerke haben 12 Anlagen umgerüstet. Schöne Fotos vom Einbau liegen vor.",
        topic=topics["Produkte"],
        wished_from=plan.on(14),
    )
    request_services.request_decline(
        actor=m["lukas.weber"],
        request=referenz,
        reason="Die schriftliche Freigabe der Stadtwerke fehlt noch. Bitte reichen Sie die Anfrage mit "
        "der Zustimmung erneut ein.",
    )

    request_services.request_file(
        actor=m["laura.fischer"],
        department=departments[SALES],
        title="Erfolgsgeschichte: Großkunde spart 20 % Energie",
        goal="Großkunden zeigen, was die neue Steuerung bringt.",
        briefing="Die Bäckerei Kornblume hat mit unserer Steuerung 20 % Energie gespart. Ansprechpartner und "
        "Zahlen liegen vor; Fotos können wir vor Ort machen.",
        topic=topics["Nachhaltigkeit"],
        wished_from=plan.on(19),
        wished_until=plan.on(26),
        channels=[channels[NR], channels[BS]],
        contact=m["laura.fischer"],
    )


def _post(plan: _Plan, item: DemoPost) -> Post:
    author = plan.members[item.author]
    published = item.state == S.PUBLISHED
    when = None if item.day is None else plan.at(item.day, item.at)
    if published:
        # Services refuse past times: plan it ahead, take it through review, then record that it went out.
        when = plan.at(item.day or 0, item.at) + timedelta(days=60)
    post = services.post_create(
        actor=author,
        title=item.title,
        department=plan.departments[item.department],
        channels=[plan.channels[c] for c in item.channels],
        base_text=item.text,
        topic=plan.topics.get(item.topic or ""),
        campaign=plan.campaigns.get(item.campaign or ""),
        publish_at=when,
        status=S.IDEA if item.state == S.IDEA else S.DRAFT,
    )
    if item.state in (S.IDEA, S.DRAFT):
        return post
    if item.state == S.WITHDRAWN:
        _withdraw(plan, post, item)
    elif item.state == S.CHANGES_REQUESTED:
        services.post_submit(actor=author, post=post)
        services.post_decide(actor=plan.smm, post=post, verdict=V.CHANGES_REQUESTED, comment=item.note)
    elif item.state == S.IN_REVIEW:
        services.post_submit(actor=author, post=post)
        if item.note:
            services.post_decide(
                actor=plan.members["katharina.vogel"], post=post, verdict=V.FEEDBACK, comment=item.note
            )
        if post.department.name == HR:  # the works council has agreed; the SMM's approval is still open
            services.post_decide(actor=plan.members["petra.zimmermann"], post=post, verdict=V.APPROVED)
    else:
        _through_review(plan, post, S.SCHEDULED if post.publish_at else S.APPROVED)
    if published:
        _record_published(post, plan.at(item.day or 0, item.at))
    return post


def _through_review(plan: _Plan, post: Post, expected: str) -> None:
    """Submit and approve under the post's policy: the works council first for HR, then the SMM (or admin)."""
    services.post_submit(actor=post.owner, post=post)
    if post.department.name == HR:
        services.post_decide(actor=plan.members["petra.zimmermann"], post=post, verdict=V.APPROVED)
    approver = plan.smm if post.owner_id != plan.smm.pk else plan.members["admin"]
    services.post_decide(actor=approver, post=post, verdict=V.APPROVED)
    post.refresh_from_db()
    assert post.status == expected, (post.title, post.status)


def _withdraw(plan: _Plan, post: Post, item: DemoPost) -> None:
    services.post_submit(actor=post.owner, post=post)
    legal = plan.members["katharina.vogel"]
    services.post_decide(actor=legal, post=post, verdict=V.FEEDBACK, comment=item.note)
    services.comment_add(
        actor=post.owner,
        post=post,
        text="@Dr. Katharina Vogel danke für den Hinweis! Wir ziehen das Gewinnspiel zurück und planen es "
        "mit Teilnahmebedingungen neu.",
    )
    services.post_withdraw(actor=post.owner, post=post, reason=item.note)


def _record_published(post: Post, published_at: datetime) -> None:
    """The publisher's part: the post went out at its time on every channel."""
    Post.objects.filter(pk=post.pk).update(publish_at=published_at, status=S.PUBLISHED)
    variants = PostVariant.objects.filter(post=post)
    variants.update(state=PostVariant.State.PUBLISHED)
    post.refresh_from_db()
    audit.record(
        actor=None,
        organization=post.organization,
        verb="post.published",
        obj=post,
        before={"status": S.SCHEDULED},
        after={
            "status": S.PUBLISHED,
            "channels": sorted(v.channel.name for v in variants.select_related("channel")),
        },
    )
