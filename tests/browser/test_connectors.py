"""An administrator enters the organisation's own LinkedIn app, sees the callback URL, and starts the sign-in.

The sign-in's redirect to LinkedIn is caught before it leaves the browser: the test checks where it
would go and with which parameters, and never follows it.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import Page, Route, expect

from onevoice.networks.models import AppRegistration
from tests.browser.conftest import assert_accessible, shoot
from tests.browser.test_people import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_admin_sets_up_the_linkedin_app_and_the_sign_in_goes_to_linkedin(
    page: Page, live_url: str, personas
) -> None:
    org = personas.organization.slug
    callback = live_url + reverse("networks:oauth-callback", args=[org, "linkedin"])
    log_in(page, live_url, "admin@muster.example")
    page.goto(live_url + reverse("networks:connect", args=[org]))
    expect(page.get_by_test_id("connect-linkedin")).to_be_visible()
    assert_accessible(page)
    shoot(page, "connectors-connect")

    page.locator(f"a[href='{reverse('networks:app-registrations', args=[org])}']").click()
    expect(page.get_by_test_id("app-linkedin").get_by_test_id("callback-url")).to_have_text(callback)
    assert_accessible(page)
    shoot(page, "connectors-app-registrations")

    page.locator(f"a[href='{reverse('networks:app-registration', args=[org, 'linkedin'])}']").click()
    expect(page.get_by_test_id("callback-url")).to_have_text(callback)
    page.locator("#id_client_id").fill("86abcdefghij")
    page.locator("form button[type=submit].btn-primary").click()
    # No secret yet: refused with a message, the client id stays.
    expect(page.locator("#id_client_id")).to_have_value("86abcdefghij")
    expect(page.locator(".invalid-feedback, .alert-danger").first).to_be_visible()
    assert_accessible(page)
    shoot(page, "connectors-app-registration-error")
    page.locator("#id_client_secret").fill("WPL_AP1.secret")
    page.locator("form button[type=submit].btn-primary").click()
    expect(page.get_by_test_id("app-linkedin").locator(".badge.text-bg-success")).to_be_visible()
    registration = AppRegistration.objects.get()
    assert registration.client_secret == "WPL_AP1.secret"

    # Start the sign-in for a page; catch the redirect to LinkedIn instead of following it.
    seen: list[str] = []

    def at_linkedin(route: Route) -> None:
        seen.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<title>LinkedIn</title>")

    page.route("https://www.linkedin.com/**", at_linkedin)
    page.goto(live_url + reverse("networks:oauth-connect", args=[org, "linkedin"]))
    page.locator("#id_name").fill("LinkedIn Muster GmbH")
    assert_accessible(page)
    shoot(page, "connectors-linkedin-sign-in")
    page.locator("form button[type=submit].btn-primary").click()
    page.wait_for_url("https://www.linkedin.com/**")
    target = urlsplit(seen[0])
    params = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert (
        f"{target.scheme}://{target.netloc}{target.path}" == "https://www.linkedin.com/oauth/v2/authorization"
    )
    assert params["client_id"] == "86abcdefghij"
    assert params["redirect_uri"] == callback
    assert params["response_type"] == "code"
    assert "w_organization_social" in params["scope"].split()
    assert len(params["state"]) >= 32


def test_the_x_sign_in_says_what_it_costs_and_uses_pkce(page: Page, live_url: str, personas) -> None:
    org = personas.organization.slug
    registration = AppRegistration(organization=personas.organization, network="x", client_id="x-client")
    registration.set_client_secret("x-secret")
    registration.save()
    log_in(page, live_url, "smm@muster.example")
    seen: list[str] = []

    def at_x(route: Route) -> None:
        seen.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<title>X</title>")

    page.route("https://x.com/**", at_x)
    page.goto(live_url + reverse("networks:oauth-connect", args=[org, "x"]))
    expect(page.get_by_test_id("x-cost")).to_be_visible()
    assert_accessible(page)
    shoot(page, "connectors-x-sign-in")
    page.locator("form button[type=submit].btn-primary").click()
    page.wait_for_url("https://x.com/**")
    params = {k: v[0] for k, v in parse_qs(urlsplit(seen[0]).query).items()}
    assert params["code_challenge_method"] == "S256"
    assert params["client_id"] == "x-client"


def test_a_channel_page_shows_the_cost_the_version_warning_and_sign_in_again(
    page: Page, live_url: str, personas
) -> None:
    from onevoice.networks.models import Channel

    org = personas.organization.slug
    x = Channel.objects.create(
        organization=personas.organization,
        network="x",
        name="X Muster GmbH",
        handle="muster_gmbh",
        display_name="Muster GmbH",
        external_account_id="1590000000000000001",
        config={"user_id": "1590000000000000001", "username": "muster_gmbh"},
        state=Channel.State.RECONNECT,
        state_reason="X no longer accepts OneVoice's access. Connect the channel again.",
    )
    linkedin = Channel.objects.create(
        organization=personas.organization,
        network="linkedin",
        name="LinkedIn Muster GmbH",
        handle="muster-gmbh",
        config={"author_urn": "urn:li:organization:2414183", "api_version": "202601"},
    )
    log_in(page, live_url, "smm@muster.example")
    page.goto(live_url + reverse("networks:channel", args=[org, x.public_id]))
    expect(page.get_by_test_id("sign-in-again")).to_be_visible()
    expect(page.get_by_test_id("pay-per-use")).to_be_visible()
    assert_accessible(page)
    shoot(page, "connectors-channel-x")
    page.goto(live_url + reverse("networks:channel", args=[org, linkedin.public_id]))
    expect(page.get_by_test_id("api-version-warning")).to_contain_text("202601")
    assert_accessible(page)
    shoot(page, "connectors-channel-linkedin")
