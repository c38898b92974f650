from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from onevoice.accounts.models import User
from onevoice.core.models import AuditEvent
from onevoice.organization.models import Membership, Organization
from onevoice.organization.roles import Role

pytestmark = pytest.mark.django_db

ACCOUNT = {
    "full_name": "Erika Erste",
    "email": "erika@firma.example",
    "password1": "Sicheres-Passwort-1",
    "password2": "Sicheres-Passwort-1",
    "language": "de",
}


def organization_data(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Firma GmbH",
        "time_zone": "Europe/Berlin",
        "form_of_address": "sie",
        "model": "decentral",
    }
    for day in ("mon", "tue", "wed", "thu", "fri"):
        data |= {f"bh_{day}_open": "on", f"bh_{day}_start": "09:00", f"bh_{day}_end": "17:00"}
    return data | overrides


class TestFirstRun:
    def test_a_fresh_installation_sends_everyone_to_the_wizard(self) -> None:
        assert Client().get("/")["Location"] == reverse("setup")

    def test_the_wizard_creates_the_admin_the_organisation_and_its_departments(self) -> None:
        client = Client(HTTP_ACCEPT_LANGUAGE="de")
        assert "Willkommen" in client.get(reverse("setup")).content.decode()
        response = client.post(reverse("setup"), ACCOUNT)
        assert response["Location"] == reverse("setup-organization")
        response = client.post(reverse("setup-organization"), organization_data())
        assert response["Location"] == reverse("setup-departments")
        page = client.get(reverse("setup-departments")).content.decode()
        for proposed in (
            "Marketing",
            "PR/Unternehmenskommunikation",
            "Vertrieb",
            "Kundenservice",
            "Personal",
        ):
            assert proposed in page
        rows = {f"use_{i}": "on" for i in range(5)} | {
            "name_0": "Marketing",
            "name_1": "PR",
            "name_2": "Vertrieb",
            "name_3": "Kundenservice",
            "name_4": "Personal",
            "use_5": "on",
            "name_5": "Recruiting",
        }
        rows.pop("use_3")  # the user drops customer service
        response = client.post(reverse("setup-departments"), rows)
        organization = Organization.objects.get()
        assert response["Location"] == reverse("organization:overview", args=[organization.slug])
        assert sorted(organization.departments.values_list("name", flat=True)) == [
            "Marketing",
            "PR",
            "Personal",
            "Recruiting",
            "Vertrieb",
        ]
        admin = Membership.objects.get()
        assert admin.role == Role.ADMIN
        assert admin.user.email == "erika@firma.example"
        assert admin.user.is_superuser
        assert AuditEvent.objects.filter(verb="department.created").count() == 5

    def test_the_central_model_proposes_a_central_team(self) -> None:
        client = Client()
        client.post(reverse("setup"), ACCOUNT)
        client.post(reverse("setup-organization"), organization_data(model="central"))
        form = client.get(reverse("setup-departments")).context["form"]
        assert form.fields["central_0"].initial is True
        assert form.fields["name_0"].initial == "Social-Media-Team"  # German first

    def test_step_one_is_gone_once_someone_has_an_account(self, personas) -> None:
        assert Client().get(reverse("setup"))["Location"] == reverse("accounts:login")
        response = Client().post(reverse("setup"), ACCOUNT | {"email": "angreifer@example.org"})
        assert response.status_code == 302
        assert not User.objects.filter(email="angreifer@example.org").exists()

    def test_bad_input_keeps_what_was_typed(self) -> None:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        response = client.post(reverse("setup"), ACCOUNT | {"password2": "anders"})
        assert response.status_code == 400
        assert "not the same" in response.content.decode()
        assert 'value="Erika Erste"' in response.content.decode()
        client.post(reverse("setup"), ACCOUNT)
        response = client.post(reverse("setup-organization"), organization_data(time_zone="Berlin"))
        assert response.status_code == 400
        assert 'value="Firma GmbH"' in response.content.decode()

    def test_a_duplicate_department_name_is_refused(self) -> None:
        client = Client()
        client.post(reverse("setup"), ACCOUNT | {"language": "en"})
        client.post(reverse("setup-organization"), organization_data())
        response = client.post(
            reverse("setup-departments"),
            {"use_0": "on", "name_0": "Marketing", "use_5": "on", "name_5": "marketing"},
        )
        assert response.status_code == 400
        assert "appears twice" in response.content.decode()
        assert not Organization.objects.exists()


class TestAnotherOrganisation:
    def test_a_member_creates_a_second_organisation_and_switches(self, personas) -> None:
        client = personas.client_for(personas.cm)
        client.post(reverse("setup-organization"), organization_data(name="Agentur Zwei", model="solo"))
        response = client.post(reverse("setup-departments"), {"use_0": "on", "name_0": "Team"})
        assert response.status_code == 302
        assert personas.cm.user.memberships.filter(is_active=True).count() == 2
        second = Organization.objects.get(name="Agentur Zwei")
        body = client.get(reverse("organization:overview", args=[second.slug])).content.decode()
        assert "Muster GmbH" in body  # the switcher offers the first organisation
        # home now goes to the organisation used last
        assert client.get("/")["Location"] == reverse("organization:overview", args=[second.slug])
