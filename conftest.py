"""Shared personas: one organisation (Muster GmbH) with every role, and an outsider in another one."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from onevoice.accounts.models import User
from onevoice.networks.tests.fakes import ScriptedConnector
from onevoice.organization import services
from onevoice.organization.models import Department, Membership, Organization, default_business_hours
from onevoice.organization.roles import Role

PASSWORD = "Test-Passwort-2026"


@pytest.fixture(autouse=True)
def english_by_default() -> object:
    """Tests read English messages; tests of the German UI ask for it explicitly."""
    with translation.override("en"):
        yield


def make_user(email: str, name: str) -> User:
    return User.objects.create_user(email, PASSWORD, full_name=name)


@dataclass
class Personas:
    organization: Organization
    marketing: Department
    hr: Department
    admin: Membership
    smm: Membership
    cm: Membership
    contributor: Membership
    reviewer: Membership
    viewer: Membership
    outsider: Membership

    def client_for(self, membership: Membership, language: str = "en") -> Client:
        client = Client()
        client.force_login(membership.user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return client


def _join(
    org: Organization, email: str, name: str, role: str, *departments: Department, hours: str = "0"
) -> Membership:
    membership = Membership.objects.create(
        organization=org, user=make_user(email, name), role=role, weekly_hours=Decimal(hours)
    )
    membership.departments.set(departments)
    return membership


@pytest.fixture
def personas(db: None) -> Personas:
    admin_user = make_user("admin@muster.example", "Petra Admin")
    admin = services.organization_create(
        creator=admin_user,
        name="Muster GmbH",
        time_zone="Europe/Berlin",
        form_of_address="sie",
        model="decentral",
        business_hours=default_business_hours(),
        departments=[services.DepartmentProposal("Marketing"), services.DepartmentProposal("Personal")],
    )
    org = admin.organization
    marketing = org.departments.get(name="Marketing")
    hr = org.departments.get(name="Personal")
    other_admin = make_user("admin@andere.example", "Otto Fremd")
    outsider = services.organization_create(
        creator=other_admin,
        name="Andere AG",
        time_zone="Europe/Vienna",
        form_of_address="du",
        model="solo",
        business_hours=default_business_hours(),
        departments=[services.DepartmentProposal("Kommunikation", is_central_team=True)],
    )
    return Personas(
        organization=org,
        marketing=marketing,
        hr=hr,
        admin=admin,
        smm=_join(org, "smm@muster.example", "Sabine Strategie", Role.SMM, marketing, hours="20"),
        cm=_join(org, "cm@muster.example", "Chris Community", Role.CM, marketing, hours="15"),
        contributor=_join(org, "hr@muster.example", "Hanna Personal", Role.CONTRIBUTOR, hr, hours="2"),
        reviewer=_join(org, "recht@muster.example", "Robert Recht", Role.REVIEWER),
        viewer=_join(org, "gf@muster.example", "Gerd Geschäftsführer", Role.VIEWER),
        outsider=outsider,
    )


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[ScriptedConnector]]:
    """Bluesky channels talk to the scripted connector during this test (see networks/tests/fakes.py)."""
    from onevoice.networks import registry

    ScriptedConnector.reset()
    monkeypatch.setitem(registry.CONNECTORS, "bluesky", "onevoice.networks.tests.fakes.ScriptedConnector")
    yield ScriptedConnector
    ScriptedConnector.reset()
