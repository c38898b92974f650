"""Self-assessment in a real browser: the SMM answers every step (one wrong number on the way, one draft
saved and resumed), sees the radar chart, the model that fits and the recommendations, compares with the
earlier assessments in the history and downloads the PDF; axe-core on every page, screenshots at desktop
and phone width.

Locators use test ids, names and values, so the test does not depend on the wording of the translation.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect

from onevoice.assessment import demo
from onevoice.assessment.models import Assessment
from onevoice.assessment.questionnaire import DIMENSIONS
from onevoice.assessment.tests.test_scoring import best_answers
from tests.browser.conftest import assert_accessible, shoot
from tests.browser.test_people import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def _choose(page: Page, answers: dict[str, str], index: int) -> None:
    for question in DIMENSIONS[index].questions:
        page.locator(f'input[name="{question.key}"][value="{answers[question.key]}"]').check()


def test_a_full_self_assessment(page: Page, live_url: str, personas) -> None:
    demo.seed(personas.organization, personas.smm)  # two earlier assessments to compare with
    slug = personas.organization.slug
    log_in(page, live_url, "smm@muster.example")
    page.locator(f'nav a[href="/o/{slug}/assessment/"]').click()
    expect(page.get_by_test_id("start")).to_be_visible()
    expect(page.locator("#assessment-radar")).to_be_visible()
    assert_accessible(page)
    shoot(page, "assessment-index")

    page.get_by_test_id("start").click()
    expect(page.get_by_test_id("step-form")).to_be_visible()
    # Facts: what OneVoice knows is pre-filled and says so.
    expect(page.get_by_test_id("evidence-weekly_hours")).to_be_visible()
    expect(page.locator("#id_weekly_hours")).to_have_value("37")
    page.locator("#id_employees").fill("0")
    page.locator("#id_departments_active").fill("5")
    page.locator('input[name="central_team"][value="no"]').check()
    page.locator("#id_weekly_hours").fill("120")
    page.locator("#id_channels").fill("8")
    page.get_by_test_id("next").click()
    # A wrong number: a clear message, and what was typed is still there.
    expect(page.locator(".invalid-feedback")).to_be_visible()
    expect(page.locator("#id_weekly_hours")).to_have_value("120")
    assert_accessible(page)
    shoot(page, "assessment-step-facts-error")
    page.locator("#id_employees").fill("2000")
    page.get_by_test_id("next").click()

    answers = best_answers()
    answers.update({"processes_inbox": "whoever", "roles_smm": "side", "legal_dsgvo": "none"})
    _choose(page, answers, 0)
    expect(page.get_by_test_id("evidence-strategy_guidelines")).to_be_visible()
    assert_accessible(page)
    shoot(page, "assessment-step-strategy")
    page.get_by_test_id("next").click()
    _choose(page, answers, 1)
    page.get_by_test_id("save-draft").click()  # leave and come back later
    expect(page.get_by_test_id("resume")).to_be_visible()
    page.get_by_test_id("resume").click()
    for index in range(2, len(DIMENSIONS)):
        expect(page.get_by_test_id("step-form")).to_be_visible()
        if index == 2:
            # The answers of the step saved before leaving are still there.
            titles = []
            for language in ("de", "en"):
                with translation.override(language):
                    titles.append(re.escape(str(DIMENSIONS[1].title)))
            page.get_by_role("link", name=re.compile("^(" + "|".join(titles) + ")")).click()
            expect(page.locator(f'input[name="roles_smm"][value="{answers["roles_smm"]}"]')).to_be_checked()
            page.get_by_test_id("next").click()
        _choose(page, answers, index)
        if index == len(DIMENSIONS) - 1:
            page.get_by_test_id("finish").click()
        else:
            page.get_by_test_id("next").click()

    expect(page.get_by_test_id("recommendations")).to_be_visible()
    assessment = (
        Assessment.objects.filter(organization=personas.organization).order_by("-completed_at").first()
    )
    assert assessment is not None
    assert assessment.result["model"] == "decentral"
    expect(page.get_by_test_id("model")).to_contain_text("5")
    expect(page.get_by_test_id("dimension-table")).to_be_visible()
    expect(page.locator("#assessment-radar")).to_be_visible()
    # The first recommendation links to the page that implements it.
    first = page.get_by_test_id("recommendations").locator("a").first
    assert first.get_attribute("href") == reverse("organization:people", args=[slug])
    assert_accessible(page)
    shoot(page, "assessment-result")

    with page.expect_download() as download:
        page.get_by_test_id("pdf-de").click()
    assert download.value.suggested_filename.endswith("-de.pdf")

    page.goto(f"{live_url}/o/{slug}/assessment/history/")
    expect(page.get_by_test_id("history-table").locator("tbody tr")).to_have_count(3)
    expect(page.locator("#assessment-history")).to_be_visible()
    assert_accessible(page)
    shoot(page, "assessment-history")


def test_management_reads_the_result_but_cannot_take_it(page: Page, live_url: str, personas) -> None:
    demo.seed(personas.organization, personas.smm)
    latest = Assessment.objects.filter(organization=personas.organization).order_by("-completed_at").first()
    assert latest is not None
    log_in(page, live_url, "gf@muster.example")
    page.goto(f"{live_url}/o/{personas.organization.slug}/assessment/{latest.public_id}/")
    expect(page.get_by_test_id("recommendations")).to_be_visible()
    expect(page.get_by_test_id("apply-model")).to_have_count(0)
    page.goto(f"{live_url}/o/{personas.organization.slug}/assessment/")
    expect(page.get_by_test_id("start")).to_have_count(0)
    assert_accessible(page)
