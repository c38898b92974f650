from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, expect

from conftest import PASSWORD
from onevoice.organization.models import Membership
from onevoice.organization.roles import Role
from tests.browser.conftest import assert_accessible, shoot

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page: Page, live_url: str, email: str) -> None:
    page.goto(f"{live_url}/accounts/login/")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_role("textbox", name="Passwort", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()


def test_inviting_a_member_who_accepts_by_mail(
    page: Page, browser: Browser, live_url: str, personas, mailbox
) -> None:
    log_in(page, live_url, "smm@muster.example")
    expect(page.get_by_role("heading", name="Muster GmbH")).to_be_visible()
    page.get_by_role("link", name="Personen", exact=True).click()
    assert_accessible(page)
    shoot(page, "people")
    page.get_by_role("link", name="Personen einladen").click()
    assert_accessible(page)
    shoot(page, "invite")
    page.get_by_label("E-Mail-Adresse").fill("nina.neu@muster.example")
    page.get_by_label("Community Manager").check()
    page.get_by_label("Personal").check()
    page.get_by_label("Wochenstunden für Social Media").fill("12,5")
    page.get_by_role("button", name="Einladung senden").click()
    expect(page.get_by_role("status").filter(has_text="nina.neu@muster.example")).to_be_visible()
    expect(page.get_by_test_id("invitations")).to_contain_text("nina.neu@muster.example")

    mailbox.wait_for(1)
    link = mailbox.link(pattern=r"https?://\S+/invitation/\S+/")
    assert link.startswith(live_url)

    other = browser.new_context(locale="de-DE")
    guest = other.new_page()
    guest.goto(link)
    expect(guest.get_by_role("heading", name="Muster GmbH beitreten")).to_be_visible()
    assert_accessible(guest)
    shoot(guest, "invitation-accept")
    guest.get_by_label("Ihr Name").fill("Nina Neu")
    guest.get_by_role("textbox", name="Passwort", exact=True).fill("Ninas-Passwort-2026")
    guest.get_by_label("Passwort wiederholen").fill("Ninas-Passwort-2026")
    guest.get_by_role("button", name="Konto erstellen und beitreten").click()
    expect(guest.get_by_role("heading", name="Muster GmbH")).to_be_visible()

    nina = Membership.objects.get(user__email="nina.neu@muster.example")
    assert nina.role == Role.CM
    assert str(nina.weekly_hours) == "12.5"
    assert [d.name for d in nina.departments.all()] == ["Personal"]

    guest.goto(link)  # the link works once
    expect(guest.get_by_test_id("invitation-error")).to_contain_text("bereits verwendet")
    other.close()


def test_switching_the_language(page: Page, live_url: str, personas) -> None:
    log_in(page, live_url, "cm@muster.example")
    expect(page.get_by_role("link", name="Übersicht")).to_be_visible()
    page.get_by_test_id("lang-en").click()
    expect(page.get_by_role("link", name="Overview")).to_be_visible()
    page.get_by_role("link", name="Departments", exact=True).click()
    expect(page.get_by_role("heading", name="Departments")).to_be_visible()
    personas.cm.user.refresh_from_db()
    assert personas.cm.user.language == "en"
    page.get_by_test_id("lang-de").click()
    expect(page.get_by_role("heading", name="Abteilungen")).to_be_visible()
    assert page.context.cookies()[0]["name"] in (settings.LANGUAGE_COOKIE_NAME, "sessionid", "csrftoken")


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("", "overview-admin"),
        ("departments/", "departments"),
        ("settings/", "settings"),
        ("audit/", "audit"),
    ],
)
def test_admin_pages_are_accessible(page: Page, live_url: str, personas, path: str, name: str) -> None:
    log_in(page, live_url, "admin@muster.example")
    page.goto(f"{live_url}/o/{personas.organization.slug}/{path}")
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page)
    shoot(page, name)


def test_member_page_and_profile_are_accessible(page: Page, live_url: str, personas) -> None:
    log_in(page, live_url, "admin@muster.example")
    page.goto(f"{live_url}/o/{personas.organization.slug}/people/{personas.cm.public_id}/")
    expect(page.get_by_role("heading", name="Chris Community")).to_be_visible()
    assert_accessible(page)
    shoot(page, "membership")
    page.goto(f"{live_url}/accounts/me/")
    assert_accessible(page)
    shoot(page, "profile")


def test_login_page_is_accessible(page: Page, live_url: str, personas) -> None:
    page.goto(f"{live_url}/accounts/login/")
    assert_accessible(page)
    shoot(page, "login")


def test_department_page_and_password_reset_are_accessible(
    page: Page, live_url: str, personas, mailbox
) -> None:
    log_in(page, live_url, "admin@muster.example")
    page.goto(f"{live_url}/o/{personas.organization.slug}/departments/{personas.marketing.public_id}/")
    expect(page.get_by_role("heading", name="Marketing", exact=True)).to_be_visible()
    assert_accessible(page)
    shoot(page, "department")
    page.context.clear_cookies()
    page.goto(f"{live_url}/accounts/password/reset/")
    assert_accessible(page)
    shoot(page, "password-reset")
    page.get_by_label("E-Mail-Adresse").fill("cm@muster.example")
    page.get_by_role("button", name="Link senden").click()
    mailbox.wait_for(1)
    page.goto(mailbox.link(pattern=r"https?://\S+/password/reset/\S+/"))
    expect(page.get_by_role("heading", name="Neues Passwort wählen")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("textbox", name="Neues Passwort", exact=True).fill("Ganz-Neues-Passwort-7")
    page.get_by_role("textbox", name="Neues Passwort bestätigen").fill("Ganz-Neues-Passwort-7")
    page.get_by_role("button", name="Passwort speichern").click()
    expect(page.get_by_role("heading", name="Passwort gespeichert")).to_be_visible()
