"""The administrator registers a webhook in the browser, reads its secret, sends a test event that a real
receiver verifies, and the SMM sets up a Slack channel for one department."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from onevoice.webhooks import signing
from onevoice.webhooks.models import Delivery, Target
from onevoice.webhooks.tests.conftest import Receiver, serving
from tests.browser.conftest import assert_accessible, shoot


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    cache.clear()  # the cached "who listens" answer must not come from another test's organisation
    with serving(settings) as box:
        yield box
    cache.clear()


def log_in(page: Page, live_url: str, email: str) -> None:
    page.goto(f"{live_url}/accounts/login/")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_role("textbox", name="Passwort", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()


def test_the_admin_registers_a_webhook_and_sends_a_test_event(
    page: Page, live_url: str, personas: Any, receiver: Receiver
) -> None:
    org = personas.organization
    log_in(page, live_url, "admin@muster.example")
    # English until the German of these pages is in locale/ (see /work/helpers/tr/webhooks.py).
    page.context.add_cookies([{"name": "onevoice_language", "value": "en", "url": live_url}])
    page.goto(f"{live_url}/o/{org.slug}/")
    page.get_by_role("link", name="Webhooks and chat").click()
    expect(page.get_by_role("heading", name="Webhooks and chat")).to_be_visible()
    expect(page.get_by_text("No webhooks yet.")).to_be_visible()
    assert_accessible(page)
    shoot(page, "webhooks-empty")

    page.get_by_test_id("new-webhook").click()
    page.get_by_label("Name").fill("Ticketsystem")
    page.get_by_label("Payload address").fill("https://10.0.0.8/hook")
    page.get_by_label("Post published").check()
    page.get_by_label("Inbox case overdue").check()
    page.get_by_role("button", name="Save").click()
    # An internal address is refused; what was typed stays.
    expect(page.get_by_text("points into an internal network")).to_be_visible()
    expect(page.get_by_label("Name")).to_have_value("Ticketsystem")
    expect(page.get_by_label("Inbox case overdue")).to_be_checked()
    assert_accessible(page)
    shoot(page, "webhooks-form-error")
    page.get_by_label("Payload address").fill(receiver.url)
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="Ticketsystem")).to_be_visible()
    target = Target.objects.get()
    page.get_by_text("Show secret").click()
    expect(page.get_by_test_id("secret")).to_have_text(target.secrets["secret"])
    assert_accessible(page)
    shoot(page, "webhooks-detail")

    page.get_by_test_id("send-test").click()
    expect(page.get_by_test_id("delivery-status")).to_contain_text("Delivered")
    expect(page.get_by_test_id("attempts")).to_contain_text("HTTP 200")
    (request,) = receiver.requests
    assert request.json()["event"] == "ping"
    assert signing.verify(target.secrets["secret"], request.headers["onevoice-signature"], request.body)
    assert request.headers["onevoice-delivery"] == str(Delivery.objects.get().public_id)
    assert json.loads(Delivery.objects.get().body)["organization"]["slug"] == org.slug
    assert_accessible(page)
    shoot(page, "webhooks-delivery")

    page.get_by_role("link", name="Ticketsystem").click()
    expect(page.get_by_test_id("deliveries")).to_contain_text("ping")
    receiver.status = 503
    page.get_by_test_id("send-test").click()
    expect(page.get_by_test_id("delivery-status")).to_contain_text("Retrying")
    page.get_by_role("link", name="Ticketsystem").click()
    expect(page.get_by_test_id("deliveries")).to_contain_text("HTTP 503")
    assert_accessible(page)
    shoot(page, "webhooks-log")


def test_the_smm_sends_one_departments_events_to_slack(
    page: Page, live_url: str, personas: Any, receiver: Receiver
) -> None:
    org = personas.organization
    log_in(page, live_url, "smm@muster.example")
    page.context.add_cookies([{"name": "onevoice_language", "value": "en", "url": live_url}])
    page.goto(f"{live_url}/o/{org.slug}/webhooks/")
    expect(page.get_by_role("heading", name="Webhooks and chat")).to_be_visible()
    expect(page.get_by_role("link", name="Webhooks", exact=True)).to_have_count(0)  # the admin's only
    page.get_by_test_id("new-chat").click()
    assert_accessible(page)
    shoot(page, "webhooks-chat-choose")
    page.get_by_test_id("choose-slack").click()
    page.get_by_label("Name").fill("#social-personal")
    page.get_by_label("Incoming webhook address").fill(receiver.url)
    page.get_by_label("Content request filed").check()
    page.get_by_label("Only events of this department").select_option(label="Personal")
    assert_accessible(page)
    shoot(page, "webhooks-chat-form")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="#social-personal")).to_be_visible()
    page.get_by_test_id("send-test").click()
    expect(page.get_by_test_id("delivery-status")).to_contain_text("Delivered")
    assert "Muster GmbH" in receiver.requests[0].json()["text"]
    page.get_by_role("link", name="Chat notifications").first.click()
    expect(page.get_by_test_id("chat-targets")).to_contain_text("#social-personal")
    assert_accessible(page)
    shoot(page, "webhooks-chat-list")
