from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from onevoice.organization.models import Organization
from tests.browser.conftest import assert_accessible, shoot

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_wizard_sets_up_the_organisation(page: Page, live_url: str) -> None:
    page.goto(live_url)
    expect(page.get_by_role("heading", name="Willkommen bei OneVoice")).to_be_visible()
    assert_accessible(page)
    shoot(page, "setup-1-account")

    page.get_by_label("Ihr Name").fill("Erika Erste")
    page.get_by_label("E-Mail-Adresse").fill("erika@firma.example")
    page.get_by_role("textbox", name="Passwort", exact=True).fill("Sicheres-Passwort-1")
    page.get_by_label("Passwort wiederholen").fill("Sicheres-Passwort-1")
    page.get_by_role("button", name="Weiter").click()

    expect(page.get_by_role("heading", name="Ihre Organisation")).to_be_visible()
    assert_accessible(page)
    shoot(page, "setup-2-organisation")
    page.get_by_label("Name der Organisation").fill("Firma GmbH")
    page.get_by_role("radio", name=re.compile(r"^Zentral")).check()
    page.get_by_label("Samstag geöffnet").check()
    page.get_by_role("button", name="Weiter").click()

    expect(page.get_by_role("heading", name="Abteilungen und Rollen")).to_be_visible()
    expect(page.get_by_label("Name der Abteilung 1")).to_have_value("Social-Media-Team")
    assert_accessible(page)
    shoot(page, "setup-3-departments")
    page.get_by_label("Abteilung 6 nutzen").uncheck()  # "Personal" is not on social media yet
    page.get_by_role("button", name="Organisation erstellen").click()

    expect(page.get_by_role("heading", name="Firma GmbH")).to_be_visible()
    assert_accessible(page)
    shoot(page, "overview")
    organization = Organization.objects.get()
    assert organization.model == "central"
    assert organization.business_hours["sat"] == ["09:00", "17:00"]
    assert list(organization.departments.values_list("name", flat=True)) == [
        "Social-Media-Team",
        "Kundenservice",
        "Marketing",
        "PR/Unternehmenskommunikation",
        "Vertrieb",
    ]


def test_a_wrong_time_zone_in_the_wizard_keeps_the_input(page: Page, live_url: str) -> None:
    page.goto(live_url)
    page.get_by_label("Ihr Name").fill("Erika Erste")
    page.get_by_label("E-Mail-Adresse").fill("erika@firma.example")
    page.get_by_role("textbox", name="Passwort", exact=True).fill("kurz")
    page.get_by_label("Passwort wiederholen").fill("kurz")
    page.get_by_role("button", name="Weiter").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    expect(page.get_by_label("Ihr Name")).to_have_value("Erika Erste")
    shoot(page, "setup-1-account-error")
