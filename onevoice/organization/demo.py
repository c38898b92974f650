"""The demo organisation Muster GmbH: departments and people in every role, built through the services.

Everything goes through the same services the app uses, so the audit log reads like a real set-up:
the administrator creates the organisation and invites the social media manager, who describes the
departments and invites everyone else; two invitations are still open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone, translation

from onevoice.accounts.models import User
from onevoice.accounts.services import account_create
from onevoice.organization import services
from onevoice.organization.models import Department, Membership, Organization
from onevoice.organization.roles import Role

DEMO_ORGANIZATION_SLUG = "muster-gmbh"
DEMO_PASSWORD = "OneVoice-Demo-2026"  # noqa: S105 - printed on purpose, the demo is public
DEMO_DOMAIN = "muster-gmbh.example"

MARKETING = "Marketing"
PR = "PR/Unternehmenskommunikation"
SALES = "Vertrieb"
SERVICE = "Kundenservice"
HR = "Personal"

DEPARTMENT_DESCRIPTIONS = {
    MARKETING: "Produktkommunikation, Kampagnen und Messen",
    PR: "Presse, Unternehmensnachrichten und Krisenkommunikation; verantwortet die Social-Media-Strategie",
    SALES: "Fachhandel, Großkunden und Veranstaltungen",
    SERVICE: "Fragen, Reklamationen und Lob aus der Community",
    HR: "Employer Branding, Stellenanzeigen und Ausbildung",
}


@dataclass(frozen=True)
class DemoPerson:
    email: str
    full_name: str
    role: Role
    departments: tuple[str, ...]
    weekly_hours: Decimal
    note: str = ""

    @property
    def role_label(self) -> str:
        label = str(self.role.label)
        where = ", ".join([*self.departments, *([self.note] if self.note else [])])
        return f"{label}: {where}" if where else label


def _person(
    local: str, name: str, role: Role, departments: tuple[str, ...], hours: str, note: str = ""
) -> DemoPerson:
    return DemoPerson(f"{local}@{DEMO_DOMAIN}", name, role, departments, Decimal(hours), note)


ADMIN = _person("admin", "Jens Hoffmann", Role.ADMIN, (), "2", note="IT")
SOCIAL_MEDIA_MANAGER = _person("sabine.krueger", "Sabine Krüger", Role.SMM, (PR,), "30")
DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    ADMIN,
    SOCIAL_MEDIA_MANAGER,
    _person("lukas.weber", "Lukas Weber", Role.CM, (MARKETING,), "20"),
    _person("anna.schneider", "Anna Schneider", Role.CM, (SALES,), "10"),
    _person("mehmet.yilmaz", "Mehmet Yılmaz", Role.CM, (SERVICE,), "20"),
    _person("julia.wagner", "Julia Wagner", Role.CM, (HR,), "12"),
    _person("tobias.schaefer", "Tobias Schäfer", Role.CONTRIBUTOR, (MARKETING,), "3"),
    _person("laura.fischer", "Laura Fischer", Role.CONTRIBUTOR, (SALES,), "2"),
    _person("stefan.neumann", "Stefan Neumann", Role.CONTRIBUTOR, (SERVICE,), "4"),
    _person("katharina.vogel", "Dr. Katharina Vogel", Role.REVIEWER, (), "2", note="Rechtsabteilung"),
    _person("petra.zimmermann", "Petra Zimmermann", Role.REVIEWER, (HR,), "1", note="Betriebsrat"),
    _person("michael.braun", "Michael Braun", Role.VIEWER, (), "1"),
)
PENDING_INVITATIONS: tuple[DemoPerson, ...] = (
    _person("nina.hartmann", "Nina Hartmann", Role.CONTRIBUTOR, (MARKETING,), "2"),
    _person("felix.lehmann", "Felix Lehmann", Role.CONTRIBUTOR, (HR,), "3"),
)
# Lukas started with fewer hours; the SMM raised them once the campaign season began.
HOURS_BEFORE_RAISE = Decimal(16)
# A mistyped address, invited and withdrawn again, as happens in every real set-up.
MISTYPED_EMAIL = f"tobias.schafer@{DEMO_DOMAIN}"

BUSINESS_HOURS: dict[str, list[str] | None] = {
    **{day: ["08:30", "17:30"] for day in ("mon", "tue", "wed", "thu", "fri")},
    "sat": None,
    "sun": None,
}


def _account(person: DemoPerson) -> User:
    return account_create(email=person.email, full_name=person.full_name, password=DEMO_PASSWORD)


def _join(
    smm: Membership, person: DemoPerson, departments: dict[str, Department], hours: Decimal
) -> Membership:
    """Invite the person and accept the invitation as them, as a real newcomer would."""
    _, token = services.invitation_create(
        actor=smm,
        email=person.email,
        role=person.role,
        departments=[departments[name] for name in person.departments],
        weekly_hours=hours,
    )
    return services.invitation_accept(token=token, user=_account(person))


@transaction.atomic
def build_demo_organization() -> Organization:
    """Create Muster GmbH with its departments, people and open invitations; return it if it exists."""
    existing = Organization.objects.filter(slug=DEMO_ORGANIZATION_SLUG).first()
    if existing is not None:
        return existing
    with translation.override("de"):
        admin = services.organization_create(
            creator=_account(ADMIN),
            name="Muster GmbH",
            time_zone="Europe/Berlin",
            form_of_address=Organization.FormOfAddress.SIE,
            model=Organization.Model.DECENTRAL,
            business_hours=BUSINESS_HOURS,
            departments=[services.DepartmentProposal(name) for name in DEPARTMENT_DESCRIPTIONS],
        )
        organization = admin.organization
        departments = {d.name: d for d in organization.departments.all()}
        services.membership_update(
            actor=admin, membership=admin, role=Role.ADMIN, departments=[], weekly_hours=ADMIN.weekly_hours
        )

        smm = _join(admin, SOCIAL_MEDIA_MANAGER, departments, SOCIAL_MEDIA_MANAGER.weekly_hours)
        for name, description in DEPARTMENT_DESCRIPTIONS.items():
            services.department_update(
                actor=smm,
                department=departments[name],
                name=name,
                description=description,
                is_central_team=False,
            )

        mistyped, _ = services.invitation_create(
            actor=smm,
            email=MISTYPED_EMAIL,
            role=Role.CONTRIBUTOR,
            departments=[departments[MARKETING]],
            weekly_hours=Decimal(3),
        )
        services.invitation_revoke(actor=smm, invitation=mistyped)

        for person in DEMO_PEOPLE[2:]:
            raise_later = person.email == f"lukas.weber@{DEMO_DOMAIN}"
            member = _join(
                smm, person, departments, HOURS_BEFORE_RAISE if raise_later else person.weekly_hours
            )
            if raise_later:
                services.membership_update(
                    actor=smm,
                    membership=member,
                    role=person.role,
                    departments=member.departments.all(),
                    weekly_hours=person.weekly_hours,
                )

        for person in PENDING_INVITATIONS:
            services.invitation_create(
                actor=smm,
                email=person.email,
                role=person.role,
                departments=[departments[name] for name in person.departments],
                weekly_hours=person.weekly_hours,
            )
        _build_newsroom(smm, departments)
        # The demo team has worked together for a year, so the past weeks of the capacity view have hours.
        Membership.objects.filter(organization=organization).update(
            joined_at=timezone.now() - timedelta(days=365)
        )
        from onevoice.guidelines.demo import build as build_demo_guidelines
        from onevoice.planning.demo import build_demo_plan
        from onevoice.strategy.demo import build as build_demo_strategy
        from onevoice.voice.demo import build as build_demo_voice

        build_demo_plan(organization)
        build_demo_strategy(organization, smm)
        build_demo_guidelines(organization, smm)
        # After the plan: its posts under way get their findings recorded, and none is refused.
        build_demo_voice(organization, smm)
        from onevoice.inbox.demo import seed as seed_demo_inbox

        seed_demo_inbox(organization, smm=smm)  # a week of comments and questions, routed, some overdue
        from onevoice.analytics.demo import seed as seed_demo_metrics

        seed_demo_metrics(organization)  # three months of figures for the dashboards and the report
        from onevoice.workload.demo import seed as seed_workload

        seed_workload(organization)  # after the plan: norms, absences, holidays (NRW), tasks, one full week
        from onevoice.enablement.demo import seed as seed_enablement

        seed_enablement(organization)  # role profiles attached, onboarding partly done, some trainings
        from onevoice.assessment.demo import seed as seed_assessments

        seed_assessments(organization, smm)  # two earlier self-assessments, so progress shows
    return organization


NEWSROOM_POSTS = [
    "Die Muster GmbH eröffnet im Frühjahr einen neuen Standort in Leipzig. 40 neue Arbeitsplätze entstehen.",
    "Unser Nachhaltigkeitsbericht 2026 ist da: 18 % weniger CO₂ in der Produktion. https://muster-gmbh.example/nachhaltigkeit",
    "Wir sind auf der Hannover Messe – besuchen Sie uns in Halle 7, Stand C12! #HM26",
]


def _build_newsroom(smm: Membership, departments: dict[str, Department]) -> None:
    """A newsroom feed with a few published posts: the one channel the demo can run without any network."""
    from onevoice.networks import services as channel_services

    channel = channel_services.channel_create_newsroom(
        actor=smm,
        name="Muster GmbH Newsroom",
        department=departments.get(PR),
        subtitle="Neuigkeiten aus der Muster GmbH",
    )
    for text in NEWSROOM_POSTS:
        channel_services.post_publish_now(actor=smm, channel=channel, text=text, language="de")
