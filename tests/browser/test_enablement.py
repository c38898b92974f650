"""Onboarding and training in a real browser (German UI): a new Community Manager works through the
checklist (manual steps with a day, a step OneVoice ticks itself from a draft), the SMM adds a step, sees
the progress per team, one person's page and the skills per team; axe-core on each page and screenshots at
desktop and phone width. Locators use test ids and addresses, so the test holds before and after the German
translation lands."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from onevoice.enablement import services
from onevoice.enablement.models import OnboardingProgress, RoleProfile, Skill, TrainingRecord
from onevoice.planning.models import Post
from tests.browser.conftest import DESKTOP, assert_accessible, shoot
from tests.browser.test_people import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_new_member_works_through_the_checklist_and_the_smm_sees_team_progress(
    page: Page, browser: Browser, live_url: str, personas
) -> None:
    org = personas.organization.slug
    base = f"{live_url}/o/{org}/enablement"

    # The new Community Manager opens "Onboarding & training" from the navigation.
    log_in(page, live_url, "cm@muster.example")
    expect(page.get_by_role("heading", name="Muster GmbH")).to_be_visible()
    page.locator(f'#ov-nav a[href="/o/{org}/enablement/"]').first.click()
    expect(page).to_have_url(f"{base}/")
    expect(page.get_by_test_id("checklist")).to_have_count(1)
    assert_accessible(page)
    shoot(page, "enablement-my-onboarding-new")

    steps = page.get_by_test_id("step")
    total = steps.count()
    assert total >= 6
    open_before = page.locator('[data-testid="step"][data-done="0"]').count()

    # Tick the first manual step with a day three days ago.
    first = page.locator('[data-testid="step"]:has([data-testid="step-tick"])').first
    three_days_ago = (timezone.localdate() - timedelta(days=3)).isoformat()
    first.locator('input[type="date"]').fill(three_days_ago)
    first.get_by_test_id("step-tick").click()
    expect(page.locator('[data-testid="step"][data-done="0"]')).to_have_count(open_before - 1)
    progress = OnboardingProgress.objects.get(membership=personas.cm)
    assert progress.done_on.isoformat() == three_days_ago

    # Open it again by mistake, then tick every manual step.
    page.get_by_test_id("step-reopen").first.click()
    expect(page.locator('[data-testid="step"][data-done="0"]')).to_have_count(open_before)
    while page.get_by_test_id("step-tick").count():
        page.get_by_test_id("step-tick").first.click()
        page.wait_for_load_state()
    assert OnboardingProgress.objects.filter(membership=personas.cm).count() >= 3

    # A draft in the plan ticks "practise with a draft" by itself.
    automatic_open = page.locator('[data-testid="step"][data-done="0"]').count()
    Post.objects.create(
        organization=personas.organization, department=personas.marketing, owner=personas.cm, title="Übung"
    )
    page.reload()
    expect(page.locator('[data-testid="step"][data-done="0"]')).to_have_count(automatic_open - 1)
    assert_accessible(page)
    shoot(page, "enablement-my-onboarding-progress")

    # The role profile is one click away and readable.
    page.locator('[data-testid="checklist"] a[href*="/enablement/profiles/"]').first.click()
    expect(page.get_by_test_id("profile-title")).to_have_text("Community Manager")
    assert_accessible(page)
    shoot(page, "enablement-profile")

    # The member records a training of their own.
    page.goto(f"{base}/trainings/")
    form = page.get_by_test_id("training-form")
    form.locator("#id_title").fill("Deeskalation in Kommentaren")
    form.locator("#id_starts_on").fill("2026-02-01")
    form.locator("#id_hours").fill("-3")
    form.get_by_role("button").click()
    expect(page.locator("#id_title")).to_have_value("Deeskalation in Kommentaren")  # kept after the error
    expect(page.locator("#id_hours")).to_have_class(re.compile("is-invalid"))
    page.locator("#id_hours").fill("3")
    page.get_by_test_id("training-form").locator('input[name="skills"]').first.check()
    page.get_by_test_id("training-form").get_by_role("button").click()
    expect(page.get_by_test_id("trainings")).to_contain_text("Deeskalation in Kommentaren")
    assert_accessible(page)
    shoot(page, "enablement-trainings-member")

    # The SMM: adds a step to the CM checklist, looks at team progress, a person and the skills per team.
    context = browser.new_context(locale="de-DE", viewport=DESKTOP, timezone_id="Europe/Berlin")
    smm = context.new_page()
    smm.set_default_timeout(10_000)
    log_in(smm, live_url, "smm@muster.example")
    expect(smm.get_by_role("heading", name="Muster GmbH")).to_be_visible()
    cm_profile = RoleProfile.objects.get(organization=personas.organization, role="cm")
    smm.goto(f"{base}/profiles/")
    expect(smm.get_by_test_id("profile-card")).to_have_count(3)
    assert_accessible(smm)
    shoot(smm, "enablement-profiles")

    # Editing a profile: an empty title is refused and the tasks typed stay.
    smm.goto(f"{base}/profiles/{cm_profile.public_id}/edit/")
    smm.locator("#id_title").fill("")
    smm.locator("#id_tasks").fill("Antworten in 2 Stunden\nWochenend-Bereitschaft im Wechsel")
    smm.get_by_test_id("profile-form").get_by_role("button").first.click()
    expect(smm.locator("#id_title")).to_have_class(re.compile("is-invalid"))
    expect(smm.locator("#id_tasks")).to_have_value(
        "Antworten in 2 Stunden\nWochenend-Bereitschaft im Wechsel"
    )
    assert_accessible(smm)
    shoot(smm, "enablement-profile-edit-error")
    smm.locator("#id_title").fill("Community Manager")
    smm.get_by_test_id("profile-form").get_by_role("button").first.click()
    expect(smm.get_by_test_id("profile-title")).to_have_text("Community Manager")
    expect(smm.locator("main")).to_contain_text("Wochenend-Bereitschaft im Wechsel")

    smm.goto(f"{base}/skills/")
    expect(smm.get_by_test_id("skills")).to_be_visible()
    assert_accessible(smm)
    shoot(smm, "enablement-skills")

    smm.goto(f"{base}/profiles/{cm_profile.public_id}/checklist/")
    add = smm.get_by_test_id("step-form")
    add.locator("#id_title").fill("Netiquette mit dem Team besprechen")
    add.locator("#id_destination").select_option("guidelines")
    add.get_by_role("button").click()
    expect(smm.get_by_test_id("checklist-steps")).to_contain_text("Netiquette mit dem Team besprechen")
    assert_accessible(smm)
    shoot(smm, "enablement-checklist-edit")

    services.training_create(
        actor=personas.smm,
        attendees=[personas.smm, personas.contributor],
        title="Recht im Social Web",
        kind=TrainingRecord.Kind.ELEARNING,
        delivery=TrainingRecord.Delivery.EXTERNAL,
        starts_on=timezone.localdate() - timedelta(days=20),
        hours=3,
        skills=list(Skill.objects.filter(organization=personas.organization)[:2]),
    )

    smm.goto(f"{base}/team/")
    table = smm.get_by_test_id("team-progress")
    expect(table).to_contain_text("Marketing")
    expect(table).to_contain_text("Personal")
    marketing = table.locator('[data-testid="team-row"]', has_text="Marketing")
    expect(marketing.get_by_test_id("team-with-checklist")).to_have_text(
        "2"
    )  # the SMM and the CM have a checklist
    assert "Chris Community" not in table.inner_text()  # figures per team, no names
    assert_accessible(smm)
    shoot(smm, "enablement-team")

    smm.goto(f"{base}/people/{personas.cm.public_id}/")
    expect(smm.get_by_test_id("person-name")).to_have_text("Chris Community")
    assert_accessible(smm)
    shoot(smm, "enablement-person")

    smm.goto(f"{base}/skills/coverage/")
    expect(smm.get_by_test_id("coverage")).to_be_visible()
    expect(smm.locator('[data-testid="coverage-cell"][data-gap="1"]').first).to_be_visible()
    assert_accessible(smm)
    shoot(smm, "enablement-coverage")
    with smm.expect_download() as download:
        smm.get_by_test_id("coverage-csv").click()
    assert download.value.suggested_filename.endswith(".csv")
    context.close()
