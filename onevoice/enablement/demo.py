"""Demo data for enablement: the default profiles (in German), one profile of the organisation's own attached
to two people, onboarding partly done and a year of trainings, so the team views have something to say."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone, translation

from onevoice.enablement import defaults, services
from onevoice.enablement.models import OnboardingItem, RoleProfile, Skill, TrainingRecord
from onevoice.organization.models import Membership, Organization
from onevoice.organization.roles import Role

# (title, topic, kind, delivery, provider, days ago, days, hours, skill keys, departments or roles attending)
TRAININGS: list[tuple[str, str, str, str, str, int, int, str, list[str], list[str]]] = [
    (
        "Krisenkommunikation in sozialen Medien",
        "Shitstorm erkennen, eskalieren, antworten",
        TrainingRecord.Kind.TRAINING,
        TrainingRecord.Delivery.EXTERNAL,
        "Akademie für Kommunikation",
        150,
        2,
        "14",
        ["crisis", "community"],
        ["PR/Unternehmenskommunikation", "Kundenservice"],
    ),
    (
        "Recht im Social Web",
        "Impressum, Bildrechte, DSGVO",
        TrainingRecord.Kind.ELEARNING,
        TrainingRecord.Delivery.EXTERNAL,
        "IHK-Lernplattform",
        110,
        1,
        "3",
        ["law"],
        [Role.CM],
    ),
    (
        "OneVoice-Einführung für Fachabteilungen",
        "Anfragen, Entwürfe und Freigaben",
        TrainingRecord.Kind.TRAINING,
        TrainingRecord.Delivery.INTERNAL,
        "Sabine Krüger",
        60,
        1,
        "2",
        ["tools", "writing"],
        [Role.CONTRIBUTOR],
    ),
    (
        "Coaching: schwierige Gespräche in der Community",
        "Deeskalation bei Reklamationen",
        TrainingRecord.Kind.COACHING,
        TrainingRecord.Delivery.EXTERNAL,
        "Coaching Rhein-Ruhr",
        30,
        1,
        "4",
        ["community"],
        ["Kundenservice"],
    ),
    (
        "Barrierefreie Social-Media-Inhalte",
        "Alt-Texte, Untertitel, Leichte Sprache",
        TrainingRecord.Kind.ELEARNING,
        TrainingRecord.Delivery.INTERNAL,
        "",
        12,
        1,
        "1.5",
        ["accessibility", "visual"],
        ["Marketing", "Personal"],
    ),
    (
        "Social Media Week Hamburg",
        "Trends, Plattformen, Community-Formate",
        TrainingRecord.Kind.CONFERENCE,
        TrainingRecord.Delivery.EXTERNAL,
        "Social Media Week",
        200,
        2,
        "12",
        ["strategy", "analytics"],
        [Role.SMM],
    ),
]


@transaction.atomic
def seed(organization: Organization) -> None:
    """Fill enablement for the demo organisation; does nothing if it has training records already."""
    if TrainingRecord.objects.filter(organization=organization).exists():
        return
    smm = (
        Membership.objects.active()
        .filter(organization=organization, role__in=[Role.SMM, Role.ADMIN])
        .select_related("organization", "user")
        .order_by("-role")
        .first()
    )
    if smm is None:
        return
    services.ensure_defaults(organization, language="de")
    with translation.override("de"):
        names = {spec.key: spec.name for spec in defaults.default_skills()}
    skills = {
        key: Skill.objects.filter(organization=organization, name=name).first() for key, name in names.items()
    }
    people = list(
        Membership.objects.active()
        .filter(organization=organization)
        .select_related("user")
        .prefetch_related("departments")
        .order_by("pk")
    )
    _own_profile(organization, smm, people, skills)
    _onboarding(organization, smm, people)
    today = timezone.localdate()
    for title, topic, kind, delivery, provider, ago, days, hours, keys, who in TRAININGS:
        attendees = [p for p in people if p.role in who or any(d.name in who for d in p.departments.all())]
        if not attendees:
            continue
        starts = today - timedelta(days=ago)
        services.training_create(
            actor=smm,
            attendees=attendees,
            skills=[s for k in keys if (s := skills.get(k)) is not None],
            title=title,
            topic=topic,
            kind=kind,
            delivery=delivery,
            provider=provider,
            starts_on=starts,
            ends_on=starts + timedelta(days=days - 1) if days > 1 else None,
            hours=Decimal(hours),
        )


def _own_profile(
    organization: Organization, smm: Membership, people: list[Membership], skills: dict[str, Skill | None]
) -> None:
    """A profile the organisation wrote itself, attached to the people who do it beside their role."""
    profile = services.profile_create(
        actor=smm,
        title="Azubi-Botschafter:in",
        summary="Zeigt auf Instagram und TikTok den Ausbildungsalltag bei Muster aus erster Hand.",
        tasks="Stories aus dem Ausbildungsalltag drehen\nFragen von Bewerber:innen in den Kommentaren beantworten\n"
        "Einmal im Monat einen Beitrag für das Employer Branding vorschlagen",
        responsibilities="Nur zeigen, wer zugestimmt hat\nKeine Interna aus Kundengesprächen",
        authority="Antwortet auf Fragen zur Ausbildung im Namen der Muster GmbH",
        skills=[s for k in ("visual", "writing", "law") if (s := skills.get(k))],
    )
    checklist = profile.checklist
    for title, description, verification, destination in (
        ("Einwilligungen zum Fotografieren kennen", "Vorlage bei der Personalabteilung.", "manual", ""),
        ("Leitlinien lesen und bestätigen", "", "guidelines", "guidelines"),
        ("Eine erste Story als Entwurf anlegen", "", "draft", "new_post"),
    ):
        services.item_create(
            actor=smm,
            checklist=checklist,
            title=title,
            description=description,
            verification=verification,
            destination=destination,
            required=True,
        )
    hr = [p for p in people if any(d.name == "Personal" for d in p.departments.all())]
    for person in hr[:2]:
        services.profile_attach(actor=smm, profile=profile, membership=person)


def _onboarding(organization: Organization, smm: Membership, people: list[Membership]) -> None:
    """The SMM and most CMs are through the manual steps; contributors have started; one CM is new."""
    today = timezone.localdate()
    defaults_by_role = {p.role: p for p in RoleProfile.objects.filter(organization=organization) if p.role}
    for index, person in enumerate(people):
        profile = defaults_by_role.get(person.role)
        if profile is None:
            continue
        manual = list(profile.checklist.items.filter(verification=OnboardingItem.Verification.MANUAL))
        share = {Role.SMM: 1.0, Role.CM: 0.75 if index % 3 else 0.25, Role.CONTRIBUTOR: 0.5}.get(
            Role(person.role), 0.0
        )
        for i, item in enumerate(manual[: round(len(manual) * share)]):
            services.step_tick(
                actor=person if person.pk != smm.pk else smm,
                item=item,
                person=person,
                done_on=today - timedelta(days=170 - i * 9 - index),
            )
