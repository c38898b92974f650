"""The expert-forward journey in a real browser: a CM forwards a case's question, the expert opens the link
from the e-mail (real SMTP), suggests an answer, and the CM finds it on the case and inserts it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from onevoice.inbox.models import ForwardToken
from onevoice.inbox.tests.factories import add_message, make_case, make_channel
from onevoice.planning.models import Notification
from tests.browser.conftest import assert_accessible, shoot
from tests.browser.test_people import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def case(personas):
    channel = make_channel(personas.organization, department=personas.marketing, name="Bluesky Muster")
    case = make_case(
        channel,
        text="Gilt die Garantie auch, wenn ich das Gerät im Ausland gekauft habe? <script>alert(1)</script>",
        handle="karla.test",
        name="Karla Kundin",
        at=timezone.now() - timedelta(hours=3),
        assignee=personas.cm,
        status="open",
    )
    add_message(case, "Ich habe die Rechnung noch, falls das hilft.", at=timezone.now() - timedelta(hours=2))
    return case


def test_a_cm_forwards_a_question_and_inserts_the_experts_suggestion(
    page: Page, browser: Browser, live_url: str, personas, case, mailbox
) -> None:
    org = personas.organization.slug
    log_in(page, live_url, "cm@muster.example")
    page.goto(f"{live_url}/o/{org}/inbox/{case.public_id}/")
    panel = page.get_by_test_id("forward-panel")
    expect(panel).to_be_visible()
    panel.locator("input[name=name]").fill("Erika Expertin")
    panel.locator("input[name=email]").fill("erika.expertin@muster.example")
    panel.locator("textarea[name=question]").fill("Gilt unsere Garantie auch für Geräte aus dem Ausland?")
    panel.locator("button[type=submit]").click()
    expect(page.get_by_role("status").filter(has_text="erika.expertin@muster.example")).to_be_visible()
    expect(page.get_by_test_id("forward-suggestions")).to_contain_text("Erika Expertin")

    mailbox.wait_for(1)
    link = mailbox.link(pattern=r"https?://\S+/expert/\S+/")
    assert link.startswith(live_url)

    expert_context = browser.new_context(locale="de-DE")
    expert = expert_context.new_page()
    expert.goto(link)
    expect(expert.get_by_test_id("expert-question")).to_contain_text("Geräte aus dem Ausland")
    thread = expert.get_by_test_id("expert-thread")
    expect(thread).to_contain_text("<script>alert(1)</script>")  # shown as text, not run
    expect(thread).to_contain_text("Rechnung noch")
    expect(expert.locator("body")).not_to_contain_text("karla.test")
    assert_accessible(expert)
    shoot(expert, "inbox-expert-link")
    expert.locator("textarea[name=answer]").fill(
        "Ja: Die Herstellergarantie gilt weltweit zwei Jahre ab Kaufdatum. Bitte die Rechnung aufheben."
    )
    expert.get_by_test_id("send-suggestion").click()
    expect(expert.get_by_test_id("expert-done")).to_be_visible()
    shoot(expert, "inbox-expert-done")
    expert.goto(link)  # the link works for one answer
    expect(expert.get_by_test_id("expert-problem")).to_be_visible()
    shoot(expert, "inbox-expert-used")
    expert_context.close()

    assert Notification.objects.filter(
        recipient=personas.cm, kind=Notification.Kind.FORWARD_ANSWERED
    ).exists()
    page.reload()
    suggestion = page.get_by_test_id("forward-answer")
    expect(suggestion).to_contain_text("weltweit zwei Jahre")
    page.get_by_test_id("forward-panel").locator("[data-ov-insert-suggestion]").click()
    expect(page.get_by_test_id("reply-text")).to_have_value(
        "Ja: Die Herstellergarantie gilt weltweit zwei Jahre ab Kaufdatum. Bitte die Rechnung aufheben."
    )
    assert_accessible(page)
    page.get_by_test_id("forward-panel").scroll_into_view_if_needed()
    shoot(page, "inbox-case-forward-answered")


def test_an_expired_link_explains_itself(page: Page, live_url: str, personas, case) -> None:
    from onevoice.inbox import forward as forwarding

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(forwarding.transaction, "on_commit", lambda *args, **kwargs: None)  # no mail needed
        _forward, token = forwarding.forward_create(
            actor=personas.cm, case=case, email="erika@muster.example", name="Erika", question="Frage?"
        )
    ForwardToken.objects.update(expires_at=timezone.now() - timedelta(days=1))
    page.goto(f"{live_url}/expert/{token}/")
    expect(page.get_by_test_id("expert-problem")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Garantie")
    assert_accessible(page)
    shoot(page, "inbox-expert-expired")


def test_contact_and_privacy_pages_look_right(page: Page, live_url: str, personas, case) -> None:
    org = personas.organization.slug
    log_in(page, live_url, "smm@muster.example")
    page.goto(f"{live_url}/o/{org}/inbox/contacts/")
    expect(page.get_by_test_id("contacts")).to_contain_text("Karla Kundin")
    assert_accessible(page)
    shoot(page, "inbox-contacts")
    page.get_by_test_id("contacts").get_by_role("link", name="Karla Kundin").click()
    expect(page.get_by_test_id("handles")).to_contain_text("karla.test")
    expect(page.get_by_test_id("dsgvo")).to_be_visible()
    assert_accessible(page)
    shoot(page, "inbox-contact")
    page.goto(f"{live_url}/o/{org}/inbox/contacts/{case.contact.public_id}/erase/")
    expect(page.get_by_test_id("erase-preview")).to_be_visible()
    assert_accessible(page)
    shoot(page, "inbox-contact-erase")
    page.goto(f"{live_url}/o/{org}/inbox/contacts/privacy/")
    expect(page.get_by_test_id("dry-run")).to_be_visible()
    assert_accessible(page)
    shoot(page, "inbox-privacy")
