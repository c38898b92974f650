"""Single sign-on end to end in Chromium against a real OpenID provider on localhost, and two-factor
authentication: set-up on the profile, then a password login with the code."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pyotp
import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from onevoice.organization.models import Membership
from onevoice.organization.roles import Role
from onevoice.sso import services
from onevoice.sso.tests.provider import Provider, running_provider
from tests.browser.conftest import assert_accessible, shoot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def provider(settings: Any) -> Iterator[Provider]:
    settings.HTTP_ALLOWED_PRIVATE_HOSTS = ["localhost"]
    with running_provider() as running:
        yield running


def log_in_with_password(page: Page, live_url: str, email: str) -> None:
    page.goto(f"{live_url}/accounts/login/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("button.btn-primary[type=submit]").first.click()


def test_a_new_colleague_signs_in_with_single_sign_on(
    page: Page, live_url: str, personas: Any, provider: Provider
) -> None:
    services.settings_update(
        actor=personas.admin,
        sso=services.settings_get_or_create(personas.organization),
        mappings=[services.MappingRow("community", Role.CM, personas.marketing)],
        enabled=True,
        issuer=provider.url,
        client_id="onevoice",
        email_domains=["muster.example"],
        default_role=Role.CONTRIBUTOR,
        group_claim="groups",
    )
    provider.set_user(
        "u-nina",
        {"email": "nina@muster.example", "email_verified": True, "name": "Nina Neu", "groups": ["community"]},
    )

    page.goto(f"{live_url}/accounts/login/")
    assert_accessible(page)
    shoot(page, "sso-1-login")
    page.get_by_test_id("sso-login").click()
    page.locator("#id_email").fill("nina@muster.example")
    assert_accessible(page)
    shoot(page, "sso-2-email")
    page.locator("button.btn-primary[type=submit]").first.click()

    # At the provider: pick the identity, as a person would log in there.
    page.locator("#subject-input").fill("u-nina")
    page.locator("#subject-input").press("Enter")

    expect(page.get_by_role("heading", name="Muster GmbH")).to_be_visible()
    shoot(page, "sso-3-signed-in")
    membership = Membership.objects.get(user__email="nina@muster.example")
    assert membership.role == Role.CM
    assert [d.name for d in membership.departments.all()] == ["Marketing"]


def test_an_unknown_domain_is_told_to_use_the_password(page: Page, live_url: str, personas: Any) -> None:
    page.goto(f"{live_url}/sso/login/")
    page.locator("#id_email").fill("someone@elsewhere.example")
    page.locator("button.btn-primary[type=submit]").first.click()
    expect(page.locator(".invalid-feedback")).to_be_visible()
    expect(page.locator("#id_email")).to_have_value("someone@elsewhere.example")
    assert_accessible(page)


def test_the_admin_sets_up_single_sign_on(
    page: Page, live_url: str, personas: Any, provider: Provider
) -> None:
    log_in_with_password(page, live_url, "admin@muster.example")
    page.goto(f"{live_url}/o/{personas.organization.slug}/sso/")
    expect(page.get_by_test_id("redirect-uri")).to_contain_text("/sso/callback/")
    page.locator("#id_enabled").check()
    page.locator("#id_issuer").fill(provider.url)
    page.locator("#id_client_id").fill("onevoice")
    page.locator("#id_client_secret").fill("geheim")
    page.locator("#id_email_domains").fill("muster.example")
    page.locator("#id_map-0-group").fill("social-team")
    page.locator("#id_map-0-role").select_option(Role.SMM)
    page.locator("#id_require_totp").check()
    page.locator("button.btn-primary[type=submit]").first.click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert_accessible(page)
    shoot(page, "sso-settings")
    page.locator("form[action$='/sso/test/'] button").click()
    expect(page.locator(".alert-success")).to_be_visible()


def test_two_factor_set_up_and_login(page: Page, live_url: str, personas: Any) -> None:
    log_in_with_password(page, live_url, "cm@muster.example")
    page.goto(f"{live_url}/accounts/me/")
    page.get_by_test_id("two-factor-link").click()
    assert_accessible(page)
    page.locator("a[href$='/two-factor/set-up/']").click()
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    assert_accessible(page)
    shoot(page, "totp-1-setup")
    generator = pyotp.TOTP(secret)
    page.locator("#id_code").fill(generator.now())
    page.locator("button.btn-primary[type=submit]").first.click()
    codes = page.get_by_test_id("recovery-codes").locator("li")
    expect(codes).to_have_count(10)
    assert_accessible(page)
    shoot(page, "totp-2-recovery-codes")

    page.context.clear_cookies()
    log_in_with_password(page, live_url, "cm@muster.example")
    expect(page).to_have_url(f"{live_url}/accounts/login/code/")
    assert_accessible(page)
    shoot(page, "totp-3-code")
    page.locator("#id_code").fill("000000")
    page.locator("button.btn-primary[type=submit]").first.click()
    expect(page.locator(".invalid-feedback")).to_be_visible()
    # The next time step's code: the one used for the set-up cannot be used again.
    page.locator("#id_code").fill(generator.at(time.time() + generator.interval))
    page.locator("button.btn-primary[type=submit]").first.click()
    expect(page.get_by_role("heading", name="Muster GmbH")).to_be_visible()
