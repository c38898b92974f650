"""Voice rules in a real browser: live findings while typing in the composer, a blocked submission, the
SMM's override, the rules page with the preview of a new rule, the weekly report and a channel's Impressum.

Strings of the voice pages may not be translated yet, so the steps find them by role, id or test id.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from onevoice.networks import services as channel_services
from onevoice.networks.models import Channel
from onevoice.planning import services
from onevoice.planning.models import Post
from onevoice.planning.tests.conftest import later
from onevoice.voice.checker import RuleKind
from onevoice.voice.models import FindingOverride, VoiceRule
from onevoice.voice.tests.conftest import make_rule
from tests.browser.conftest import assert_accessible, shoot
from tests.browser.test_people import log_in

pytestmark = pytest.mark.django_db(transaction=True)

TYPED = "Liebe Kunden, melde dich für das Schnäppchen an!"


@pytest.fixture
def post(personas) -> Post:
    newsroom = channel_services.channel_create_newsroom(
        actor=personas.smm, name="Newsroom", department=personas.marketing
    )
    make_rule(personas)  # "Keine Schnäppchen", blocking
    make_rule(personas, RuleKind.ADDRESS, name="Sie-Form", params={"form": "sie"})
    make_rule(
        personas,
        RuleKind.PREFERRED_TERMS,
        name="Kund*innen",
        severity="warn",
        params={"replacements": {"Kunden": "Kund*innen"}},
    )
    return services.post_create(
        actor=personas.cm,
        title="Sommeraktion",
        department=personas.marketing,
        channels=[newsroom],
        base_text="Unser Sommer wird gut.",
        publish_at=later(),
    )


def open_post(page: Page, live_url: str, personas, post: Post) -> None:
    page.goto(f"{live_url}/o/{personas.organization.slug}/plan/posts/{post.public_id}/")
    expect(page.get_by_role("heading", name=post.title)).to_be_visible()


def test_live_findings_a_blocked_submission_and_the_smms_override(
    page: Page, live_url: str, personas, post
) -> None:
    variant = post.variants.get()
    log_in(page, live_url, "cm@muster.example")
    open_post(page, live_url, personas, post)
    findings = page.locator(f"#findings-{variant.public_id}")
    expect(findings.get_by_test_id("voice-clean")).to_be_visible()

    text = page.locator(f"#text-{variant.public_id}")
    text.fill("")
    text.press_sequentially(TYPED, delay=5)
    expect(findings.get_by_test_id("voice-finding")).to_have_count(3)
    expect(findings.locator("[data-severity=block]")).to_have_count(2)
    expect(findings.locator("[data-severity=warn]")).to_contain_text("Kund*innen")
    expect(findings.locator("mark")).to_have_text(["Kunden", re.compile("dich"), "Schnäppchen"])
    expect(findings.locator("[data-severity=block]").first).to_contain_text("Sie-Form")
    assert findings.locator("details").count() == 0  # only the SMM may let a finding pass
    assert_accessible(page)
    shoot(page, "voice-composer-live-findings")

    # Fixing one word while typing takes its finding away.
    text.fill("")
    text.press_sequentially(TYPED.replace("Schnäppchen", "Angebot"), delay=5)
    expect(findings.get_by_test_id("voice-finding")).to_have_count(2)
    text.fill("")
    text.press_sequentially(TYPED, delay=5)
    expect(findings.get_by_test_id("voice-finding")).to_have_count(3)

    page.locator(f"#variant-{variant.public_id}").get_by_role("button", name="Text speichern").click()
    problems = page.locator("#submit-problems")
    expect(problems).to_contain_text("Keine Schnäppchen")
    expect(problems).to_contain_text("Sie-Form")
    submit = page.get_by_role("button", name="Zur Prüfung einreichen")
    expect(submit).to_be_disabled()

    # Even a forced click is refused by the server, with the list of what blocks it.
    submit.evaluate("button => button.disabled = false")
    submit.click()
    expect(page.get_by_role("alert").filter(has_text="Keine Schnäppchen")).to_be_visible()
    expect(page.get_by_test_id("post-status")).to_have_text("Entwurf")
    assert_accessible(page)
    shoot(page, "voice-blocked-submission")

    page.context.clear_cookies()
    log_in(page, live_url, "smm@muster.example")
    open_post(page, live_url, personas, post)
    for reason in ("Zitat einer Kundin, wörtlich.", "Kampagnenname, mit Recht abgestimmt."):
        blocking = findings.locator("[data-severity=block]").first
        blocking.locator("summary").click()
        blocking.get_by_role("textbox").fill(reason)
        assert_accessible(page)
        blocking.get_by_role("button").click()
        expect(page.locator("#submit-problems")).to_have_count(1 if reason.startswith("Zitat") else 0)
    expect(findings.locator("[data-severity=overridden]")).to_have_count(2)
    shoot(page, "voice-overridden")
    page.get_by_role("button", name="Zur Prüfung einreichen").click()
    expect(page.get_by_test_id("post-status")).to_have_text("In Prüfung")
    assert FindingOverride.objects.count() == 2


def test_the_smm_keeps_the_rules_and_reads_the_weekly_report(
    page: Page, live_url: str, personas, post
) -> None:
    Post.objects.filter(pk=post.pk).update(status=Post.Status.SCHEDULED)
    post.variants.update(text="Das Ramsch-Angebot der Woche")
    log_in(page, live_url, "smm@muster.example")
    page.goto(f"{live_url}/o/{personas.organization.slug}/voice/")
    expect(page.get_by_test_id("voice-rules").first).to_contain_text("Sie-Form")
    assert_accessible(page)
    shoot(page, "voice-rules")

    page.get_by_test_id("new-rule").click()
    page.locator(f"a[href$='/voice/new/{RuleKind.FORBIDDEN_TERMS.value}/']").click()
    page.locator("#id_name").fill("Kein Ramsch")
    page.locator("#id_severity_0").check()  # blocking
    page.locator("#id_p_terms").fill("Ramsch\nPlunder")
    page.get_by_test_id("rule-form").locator("button[type=submit]").click()
    affected = page.get_by_test_id("rule-affected")
    expect(affected).to_contain_text("Sommeraktion")
    assert not VoiceRule.objects.filter(name="Kein Ramsch").exists()
    assert_accessible(page)
    shoot(page, "voice-rule-preview")
    page.locator("#id_confirm").check()
    page.get_by_test_id("rule-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("voice-rules").first).to_contain_text("Kein Ramsch")
    assert VoiceRule.objects.get(name="Kein Ramsch").params["terms"] == ["Ramsch", "Plunder"]

    submitted = services.post_create(
        actor=personas.cm,
        title="Kundentag",
        department=personas.marketing,
        channels=[post.variants.get().channel],
        base_text="Liebe Kunden, wir freuen uns auf Ihren Besuch.",
        publish_at=later(days=4),
    )
    services.post_submit(actor=personas.cm, post=submitted)
    page.goto(f"{live_url}/o/{personas.organization.slug}/voice/report/")
    expect(page.get_by_test_id("report-rules")).to_contain_text("Kund*innen")
    expect(page.get_by_test_id("report-departments")).to_contain_text("Marketing")
    assert_accessible(page)
    shoot(page, "voice-report")

    channel = Channel.objects.create(
        organization=personas.organization, network="bluesky", name="Bluesky Muster"
    )
    page.goto(f"{live_url}/o/{personas.organization.slug}/channels/{channel.public_id}/")
    warning = page.get_by_test_id("impressum-missing")
    expect(warning).to_be_visible()
    assert_accessible(page)
    shoot(page, "voice-channel-impressum")
    warning.locator("#impressum-url").fill("https://muster.example/impressum")
    warning.get_by_role("button").click()
    expect(page.get_by_test_id("impressum-set")).to_contain_text("https://muster.example/impressum")


def test_a_community_manager_reads_the_rules(page: Page, live_url: str, personas, post) -> None:
    log_in(page, live_url, "cm@muster.example")
    page.goto(f"{live_url}/o/{personas.organization.slug}/voice/")
    expect(page.get_by_test_id("voice-rules").first).to_contain_text("Keine Schnäppchen")
    expect(page.get_by_test_id("new-rule")).to_have_count(0)
    assert_accessible(page)
