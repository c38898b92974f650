from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from onevoice.networks import services as channel_services
from onevoice.planning import services
from onevoice.planning.models import Post
from onevoice.planning.tests.conftest import BERLIN, later
from tests.browser.conftest import assert_accessible, shoot
from tests.browser.test_people import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def plan(personas):
    marketing = channel_services.channel_create_newsroom(
        actor=personas.smm, name="Newsroom", department=personas.marketing
    )
    karriere = channel_services.channel_create_newsroom(
        actor=personas.smm, name="Karriere-Feed", department=personas.marketing
    )
    when = later(days=2, hour=11)
    post = services.post_create(
        actor=personas.cm,
        title="Produktlaunch",
        department=personas.marketing,
        channels=[marketing, karriere],
        base_text="Unser neues Produkt ist da!",
        publish_at=when,
    )
    services.post_create(
        actor=personas.cm,
        title="Messe-Teaser",
        department=personas.marketing,
        channels=[marketing],
        base_text="Bald!",
        status=Post.Status.IDEA,
    )
    return post


def test_from_a_request_to_a_scheduled_post(page: Page, live_url: str, personas, plan) -> None:
    """Contributor files a request → CM turns it into a post with two variants → SMM requests changes →
    CM fixes → SMM approves → it shows as scheduled in the calendar."""
    personas.cm.departments.add(personas.hr)
    log_in(page, live_url, "hr@muster.example")
    page.get_by_role("link", name="Anfragen").click()
    page.get_by_role("link", name="Neue Anfrage").click()
    assert_accessible(page)
    shoot(page, "request-form")
    page.get_by_label("Was soll auf Social Media erscheinen?").fill("Azubi-Tag")
    page.get_by_label("Briefing").fill("Wir zeigen unsere Ausbildung.")
    page.get_by_label("Gewünscht ab").fill((later(days=3)).date().isoformat())
    page.get_by_role("button", name="Anfrage senden").click()
    expect(page.get_by_test_id("request-status")).to_have_text("Eingereicht")

    page.context.clear_cookies()
    log_in(page, live_url, "cm@muster.example")
    page.get_by_role("link", name="Anfragen").click()
    page.get_by_role("link", name="Azubi-Tag").click()
    assert_accessible(page)
    shoot(page, "request-detail")
    page.get_by_role("button", name="In den Plan übernehmen").click()
    expect(page.get_by_role("heading", name="Azubi-Tag")).to_be_visible()
    page.get_by_role("link", name="Details bearbeiten").click()
    page.get_by_label("Newsroom", exact=True).check()
    page.get_by_label("Karriere-Feed").check()
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator("section[id^=variant-]")).to_have_count(2)
    shoot(page, "plan-post-from-request")


def test_a_post_from_draft_to_scheduled(page: Page, live_url: str, personas, plan) -> None:
    log_in(page, live_url, "cm@muster.example")
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Redaktionsplan").click()
    expect(page.locator(".fc-event").filter(has_text="Produktlaunch")).to_be_visible()
    assert_accessible(page)
    shoot(page, "plan-calendar")
    page.locator(".fc-event").filter(has_text="Produktlaunch").click()
    expect(page.get_by_role("heading", name="Produktlaunch")).to_be_visible()
    page.get_by_label("Text für Karriere-Feed").fill("Wir suchen Verstärkung für den Launch!")
    page.locator("#variant-" + str(plan.variants.get(channel__name="Karriere-Feed").public_id)).get_by_role(
        "button", name="Text speichern"
    ).click()
    expect(page.get_by_role("status").filter(has_text="Karriere-Feed")).to_be_visible()
    assert_accessible(page)
    shoot(page, "plan-post")
    page.get_by_role("button", name="Zur Prüfung einreichen").click()
    expect(page.get_by_test_id("post-status")).to_have_text("In Prüfung")

    page.context.clear_cookies()
    log_in(page, live_url, "smm@muster.example")
    page.get_by_role("link", name="Prüfungen").click()
    assert_accessible(page)
    shoot(page, "plan-reviews")
    page.get_by_role("link", name="Produktlaunch").click()
    page.get_by_label("Kommentar").first.fill("Bitte den Preis nennen.")
    page.get_by_role("button", name="Änderungen anfordern").click()
    expect(page.get_by_test_id("post-status")).to_have_text("Änderungen angefordert")

    page.context.clear_cookies()
    log_in(page, live_url, "cm@muster.example")
    page.goto(f"{live_url}/o/{personas.organization.slug}/plan/posts/{plan.public_id}/")
    expect(page.get_by_test_id("post-history")).to_contain_text("Bitte den Preis nennen.")
    page.get_by_role("button", name="Zur Prüfung einreichen").click()

    page.context.clear_cookies()
    log_in(page, live_url, "smm@muster.example")
    page.goto(f"{live_url}/o/{personas.organization.slug}/plan/posts/{plan.public_id}/")
    page.get_by_role("button", name="Freigeben").click()
    expect(page.get_by_test_id("post-status")).to_have_text("Geplant")
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Redaktionsplan").click()
    expect(page.locator(".fc-event").filter(has_text="Produktlaunch")).to_contain_text("Geplant")


def test_the_list_view_and_a_viewer(page: Page, live_url: str, personas, plan) -> None:
    log_in(page, live_url, "gf@muster.example")
    # The week of the post: two days ahead is next week from Saturday on.
    week = plan.publish_at.astimezone(BERLIN).date().isoformat()
    page.goto(f"{live_url}/o/{personas.organization.slug}/plan/list/?span=week&from={week}")
    expect(page.get_by_role("link", name="Produktlaunch")).to_be_visible()
    assert_accessible(page)
    shoot(page, "plan-list")
