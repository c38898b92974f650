"""The SMM sets up the inbox in the browser: a routing rule, trying a message, response times, the calendar."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from conftest import PASSWORD
from onevoice.inbox.models import RoutingRule, SlaPolicy, Tag
from tests.browser.conftest import assert_accessible, shoot


def log_in(page: Page, live_url: str, email: str) -> None:
    page.goto(f"{live_url}/accounts/login/")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_role("textbox", name="Passwort", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()


def test_the_smm_sets_up_routing_and_tries_a_message(page: Page, live_url: str, personas: Any) -> None:
    org = personas.organization
    legal = Tag.objects.create(organization=org, name="Recht", replies_need_approval=True)
    first = RoutingRule.objects.create(
        organization=org,
        name="Rechtliches dringend",
        keywords="Anwalt\nAbmahnung",
        set_priority="urgent",
        position=1,
    )
    first.add_tags.add(legal)
    RoutingRule.objects.create(
        organization=org,
        name="Bewerbungen an Personal",
        keywords="Bewerbung",
        assign_department=personas.hr,
        position=2,
    )
    SlaPolicy.objects.create(
        organization=org, name="Standard", first_response_minutes=240, resolution_minutes=1440
    )
    from onevoice.inbox.triage import classify

    classify("Warm-up", language_hint="de")  # triage loads its model once per process, not on the click
    personas.smm.user.language = "en"
    personas.smm.user.save(update_fields=["language"])
    log_in(page, live_url, "smm@muster.example")
    # English until the German of these pages is in locale/ (see /work/helpers/tr/ingest.py).
    page.context.add_cookies([{"name": "onevoice_language", "value": "en", "url": live_url}])
    page.goto(f"{live_url}/o/{org.slug}/inbox/settings/")
    expect(page.get_by_role("heading", name="Inbox settings")).to_be_visible()
    page.get_by_label("Message").fill("Meine Bewerbung ist seit Wochen ohne Antwort!")
    page.get_by_role("button", name="Try").click()
    expect(page.get_by_test_id("try-result")).to_contain_text("Bewerbungen an Personal")
    assert_accessible(page)
    shoot(page, "inbox-settings-routing")

    page.get_by_test_id("new-routing-rule").click()
    page.locator("#id_name").fill("Lob ohne Antwort")
    page.locator("#id_keywords").fill("danke\nsuper")
    shoot(page, "inbox-settings-rule-form")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("routing-rules")).to_contain_text("Lob ohne Antwort")

    page.get_by_role("link", name="Response times").click()
    expect(page.get_by_test_id("sla-policies")).to_contain_text("Standard")
    assert_accessible(page)
    shoot(page, "inbox-settings-sla")
    page.get_by_role("link", name="Business calendar").click()
    page.get_by_label("Public holidays of the state").select_option("BY")
    page.get_by_test_id("holiday-form").get_by_role("button", name="Save").click()
    expect(page.get_by_text("The business calendar was saved.")).to_be_visible()
    assert_accessible(page)
    shoot(page, "inbox-settings-calendar")
    page.get_by_role("link", name="Tags and approval").click()
    assert_accessible(page)
    shoot(page, "inbox-settings-tags")
    page.get_by_role("link", name="Spike alert").click()
    assert_accessible(page)
    shoot(page, "inbox-settings-spike")
    assert RoutingRule.objects.filter(name="Lob ohne Antwort", keywords="danke\nsuper").exists()
