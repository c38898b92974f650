"""Social media guidelines in a real browser: the SMM writes with a preview and publishes, a member reads
and confirms, the SMM sees who has read it and reminds the others; axe-core on each page and screenshots
at desktop and phone width. New strings are found by test id, so the test holds before and after the
German translation lands."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from onevoice.guidelines.models import Acknowledgement, GuidelineVersion, Reminder
from tests.browser.conftest import DESKTOP, assert_accessible, shoot
from tests.browser.test_people import log_in

pytestmark = pytest.mark.django_db(transaction=True)

BODY = """# Unser Ton

Wir schreiben **freundlich, klar und auf Augenhöhe**.

# Sie oder du?

- Auf LinkedIn **siezen** wir.
- Auf Instagram **duzen** wir.

> Eine gute Antwort auf Kritik überzeugt auch alle, die nur mitlesen.

<script>alert("xss")</script>
[Impressum](https://muster-gmbh.example/impressum)
"""


def no_dialogs(page: Page) -> list[str]:
    """Collect any alert() a script manages to open; a sanitised guideline opens none."""
    opened: list[str] = []

    def record(dialog: Dialog) -> None:
        opened.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    return opened


def test_the_smm_publishes_guidelines_a_member_confirms_and_the_smm_reminds_the_rest(
    page: Page, browser: Browser, live_url: str, personas
) -> None:
    alerts = no_dialogs(page)
    org = personas.organization.slug
    log_in(page, live_url, "smm@muster.example")
    expect(page.get_by_role("heading", name="Muster GmbH")).to_be_visible()
    page.goto(f"{live_url}/o/{org}/guidelines/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    assert_accessible(page)

    # Write the first version with a preview; empty fields first, to see nothing typed is lost.
    page.get_by_test_id("guideline-new").click()
    page.locator("#id_change_note").fill("Erste Fassung, mit dem Betriebsrat abgestimmt.")
    page.get_by_test_id("guideline-save").click()
    expect(page.locator("#id_title")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_change_note")).to_have_value("Erste Fassung, mit dem Betriebsrat abgestimmt.")
    assert_accessible(page)
    page.locator("#id_title").fill("Social-Media-Leitlinien")
    page.locator("#id_body").fill(BODY)
    page.get_by_test_id("guideline-preview-button").click()
    preview = page.get_by_test_id("guideline-preview")
    expect(preview.get_by_role("heading", level=2, name="Unser Ton")).to_be_visible()
    expect(preview.get_by_role("link", name="Impressum")).to_have_attribute(
        "rel", "noopener noreferrer nofollow"
    )
    expect(preview.locator("script")).to_have_count(0)
    # Off the button, and its hover colours faded back, before axe measures the contrast.
    page.mouse.move(0, 0)
    expect(page.get_by_test_id("guideline-preview-button")).to_have_css("color", "rgb(73, 80, 87)")
    assert_accessible(page)
    shoot(page, "guideline-write")
    page.get_by_test_id("guideline-publish").click()

    # Published: the SMM sees the text, the version and the way to who has read it.
    expect(page.get_by_role("heading", level=1)).to_have_text("Social-Media-Leitlinien")
    body = page.get_by_test_id("guideline-body")
    expect(body.get_by_role("heading", level=2, name="Sie oder du?")).to_be_visible()
    expect(body).not_to_contain_text("xss")
    assert GuidelineVersion.objects.get().published_at is not None
    assert_accessible(page)
    shoot(page, "guideline-published")

    # A member from HR sees the gentle banner, reads the guideline and confirms.
    context = browser.new_context(locale="de-DE", viewport=DESKTOP, timezone_id="Europe/Berlin")
    member = context.new_page()
    member.set_default_timeout(10_000)
    member_alerts = no_dialogs(member)
    try:
        log_in(member, live_url, "hr@muster.example")
        expect(member.get_by_role("heading", name="Muster GmbH")).to_be_visible()
        member.goto(f"{live_url}/o/{org}/guidelines/")
        banner = member.get_by_test_id("guideline-banner")
        expect(banner).to_contain_text("Social-Media-Leitlinien")
        assert_accessible(member)
        shoot(member, "guidelines-banner")
        banner.get_by_role("link", name="Social-Media-Leitlinien").click()
        expect(member.get_by_test_id("guideline-edit")).to_have_count(0)
        assert_accessible(member)
        shoot(member, "guideline-read")
        member.get_by_test_id("guideline-acknowledge").click()
        expect(member.get_by_test_id("guideline-confirmation")).not_to_contain_text(
            re.compile("I have read it|Gelesen")
        )
        expect(member.get_by_test_id("guideline-acknowledge")).to_have_count(0)
        assert Acknowledgement.objects.filter(membership=personas.contributor).count() == 1
        member.goto(f"{live_url}/o/{org}/guidelines/")
        expect(member.get_by_test_id("guideline-card")).to_be_visible()
        expect(member.get_by_test_id("guideline-banner")).to_have_count(0)
        assert member_alerts == []
    finally:
        context.close()

    # The SMM sees one of six confirmed, and reminds the others.
    page.get_by_test_id("guideline-who-read").click()
    expect(page.get_by_test_id("guideline-share")).to_contain_text("17 %")
    people = page.get_by_test_id("guideline-people")
    expect(people.get_by_role("row", name=re.compile("Hanna Personal"))).to_contain_text(
        re.compile(r"\d{2}\.\d{2}\.\d{4}")
    )
    assert_accessible(page)
    shoot(page, "guideline-who-read")
    page.get_by_test_id("guideline-remind").click()
    expect(page.locator(".alert-success")).to_contain_text("4")
    assert Reminder.objects.count() == 4  # everyone but Hanna (confirmed) and Sabine (who reminds)
    expect(people.get_by_role("row", name=re.compile("Gerd Geschäftsführer"))).to_contain_text(
        re.compile(r"\d{2}\.\d{2}\.\d{4}")
    )

    # Version 2 with a change note: the history shows what changed.
    page.goto(f"{live_url}/o/{org}/guidelines/")
    page.get_by_role("link", name="Social-Media-Leitlinien").first.click()
    page.get_by_test_id("guideline-edit").click()
    page.locator("#id_body").fill(BODY + "\n# Krisenfall\n\nSofort das Social-Media-Team anrufen.\n")
    page.locator("#id_change_note").fill("Neu: der Ablauf im Krisenfall.")
    page.get_by_test_id("guideline-publish").click()
    expect(page.get_by_test_id("guideline-version")).to_contain_text("2")
    expect(page.get_by_test_id("guideline-change-note")).to_have_text("Neu: der Ablauf im Krisenfall.")
    page.locator("summary").click()
    expect(page.get_by_test_id("guideline-changes")).to_contain_text("Sofort das Social-Media-Team anrufen.")
    assert_accessible(page)
    shoot(page, "guideline-version-2")
    assert alerts == []
