from __future__ import annotations

from decimal import Decimal

import pytest

from onevoice.accounts.models import User
from onevoice.core.models import AuditEvent
from onevoice.organization.demo import (
    DEMO_PASSWORD,
    DEMO_PEOPLE,
    PENDING_INVITATIONS,
    build_demo_organization,
)
from onevoice.organization.models import Invitation, Membership, Organization
from onevoice.organization.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> Organization:
    return build_demo_organization()


class TestBuildDemoOrganization:
    def test_it_creates_muster_gmbh_with_its_settings(self, demo: Organization) -> None:
        assert (demo.name, demo.slug) == ("Muster GmbH", "muster-gmbh")
        assert (demo.model, demo.time_zone, demo.form_of_address) == ("decentral", "Europe/Berlin", "sie")
        assert demo.business_hours["mon"] == ["08:30", "17:30"]
        assert demo.business_hours["fri"] == ["08:30", "17:30"]
        assert demo.business_hours["sat"] is None

    def test_it_creates_the_five_departments_with_descriptions(self, demo: Organization) -> None:
        departments = {d.name: d for d in demo.departments.all()}
        assert sorted(departments) == sorted(
            ["Marketing", "PR/Unternehmenskommunikation", "Vertrieb", "Kundenservice", "Personal"]
        )
        assert all(d.description for d in departments.values())
        assert not any(d.is_central_team for d in departments.values())

    def test_it_fills_every_role(self, demo: Organization) -> None:
        roles = set(
            Membership.objects.filter(organization=demo, is_active=True).values_list("role", flat=True)
        )
        assert roles == set(Role.values)

    def test_each_person_has_the_planned_role_departments_and_hours(self, demo: Organization) -> None:
        for person in DEMO_PEOPLE:
            member = Membership.objects.get(organization=demo, user__email=person.email)
            assert member.role == person.role, person.email
            assert sorted(d.name for d in member.departments.all()) == sorted(person.departments), (
                person.email
            )
            assert member.weekly_hours == person.weekly_hours, person.email

    def test_the_smm_sits_in_pr_and_the_cms_in_four_departments(self, demo: Organization) -> None:
        smm = Membership.objects.get(organization=demo, role=Role.SMM)
        assert [d.name for d in smm.departments.all()] == ["PR/Unternehmenskommunikation"]
        cm_departments = {d.name for m in demo.memberships.filter(role=Role.CM) for d in m.departments.all()}
        assert cm_departments == {"Marketing", "Vertrieb", "Kundenservice", "Personal"}

    def test_everyone_can_log_in_with_the_demo_password(self, demo: Organization) -> None:
        for person in DEMO_PEOPLE:
            user = User.objects.get(email=person.email)
            assert user.is_active, person.email
            assert user.check_password(DEMO_PASSWORD), person.email
        assert User.objects.get(email="admin@muster-gmbh.example").is_superuser is False

    def test_it_leaves_two_invitations_open_and_one_withdrawn(self, demo: Organization) -> None:
        statuses = {i.email: i.status for i in Invitation.objects.filter(organization=demo)}
        for person in PENDING_INVITATIONS:
            assert statuses[person.email] == Invitation.Status.PENDING
        assert statuses["tobias.schafer@muster-gmbh.example"] == Invitation.Status.REVOKED
        # Everybody else joined through an invitation they accepted.
        accepted = {email for email, status in statuses.items() if status == Invitation.Status.ACCEPTED}
        assert accepted == {p.email for p in DEMO_PEOPLE} - {"admin@muster-gmbh.example"}

    def test_the_audit_log_tells_how_the_organisation_was_set_up(self, demo: Organization) -> None:
        events = list(AuditEvent.objects.filter(organization=demo).order_by("id"))
        verbs = [e.verb for e in events]
        assert verbs[0] == "organization.created"
        assert verbs.count("department.created") == 5
        assert verbs.count("department.updated") == 5
        assert verbs.count("invitation.created") == len(DEMO_PEOPLE) - 1 + 1 + len(PENDING_INVITATIONS)
        assert verbs.count("invitation.accepted") == len(DEMO_PEOPLE) - 1
        assert verbs.count("invitation.revoked") == 1
        assert verbs.count("membership.created") == len(DEMO_PEOPLE)
        # The SMM, not the administrator, invited the team and raised Lukas's hours.
        raise_ = next(
            e for e in events if e.verb == "membership.updated" and "lukas" in e.object_repr.lower()
        )
        assert raise_.actor_label == "sabine.krueger@muster-gmbh.example"
        assert raise_.before is not None
        assert raise_.after is not None
        assert Decimal(raise_.before["weekly_hours"]) == Decimal(16)
        assert Decimal(raise_.after["weekly_hours"]) == Decimal(20)
        inviters = {e.actor_label for e in events if e.verb == "invitation.created"}
        assert inviters == {"admin@muster-gmbh.example", "sabine.krueger@muster-gmbh.example"}

    def test_building_twice_returns_the_same_organisation(self, demo: Organization) -> None:
        events = AuditEvent.objects.count()
        assert build_demo_organization() == demo
        assert Organization.objects.filter(slug="muster-gmbh").count() == 1
        assert AuditEvent.objects.count() == events

    def test_contributors_have_a_few_hours_and_cms_more(self, demo: Organization) -> None:
        contributors = demo.memberships.filter(role=Role.CONTRIBUTOR)
        cms = demo.memberships.filter(role=Role.CM)
        assert all(Decimal(2) <= m.weekly_hours <= Decimal(4) for m in contributors)
        assert all(Decimal(10) <= m.weekly_hours <= Decimal(20) for m in cms)


@pytest.mark.django_db
def test_the_demo_has_a_newsroom_with_published_posts() -> None:
    from onevoice.networks.models import Channel, ChannelPost

    build_demo_organization()
    newsroom = Channel.objects.get(network="newsroom")
    assert newsroom.department is not None
    assert ChannelPost.objects.filter(channel=newsroom, state="published").count() == 3
