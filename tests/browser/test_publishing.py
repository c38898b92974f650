"""Publishing in a real browser (German UI): the log with a failed post sent again, pause all and resume
with the banner on every page, a post too late for its time published by a person; axe-core on the log
and screenshots at desktop and phone width.

Bluesky talks to the scripted connector (the `scripted` fixture swaps the registry entry for the whole
process, so the live server's thread uses it too); tasks run inline, so what is sent again goes out
within the request.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from onevoice.networks import services as channel_services
from onevoice.networks.connectors.base import ConnectorError
from onevoice.networks.models import Channel
from onevoice.planning import services as plan
from onevoice.planning.models import ApprovalDecision, Post
from onevoice.publishing import services
from onevoice.publishing.models import Publication
from onevoice.publishing.tests.conftest import BERLIN, make_due
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, shoot
from tests.browser.test_people import log_in

pytestmark = pytest.mark.django_db(transaction=True)
P = Publication.State


@pytest.fixture
def bluesky(personas, scripted) -> Channel:
    return channel_services.channel_connect_bluesky(
        actor=personas.smm,
        name="Bluesky Marketing",
        department=personas.marketing,
        identifier="muster.test",
        app_password="abcd-efgh-ijkl-mnop",
        service="https://bsky.social",
    )


def scheduled(personas, channel: Channel, title: str) -> Post:
    """Written by the CM, approved by the SMM: scheduled for three days ahead."""
    when = (datetime.now(BERLIN) + timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
    post = plan.post_create(
        actor=personas.cm,
        title=title,
        department=personas.marketing,
        channels=[channel],
        base_text="Unser neues Produkt ist da!",
        publish_at=when,
    )
    plan.post_submit(actor=personas.cm, post=post)
    plan.post_decide(actor=personas.smm, post=post, verdict=ApprovalDecision.Verdict.APPROVED)
    return post


def run(publication: Publication) -> str:
    publication.refresh_from_db()
    return services.publication_run(publication.pk, publication.schedule_version)


def state_of(publication: Publication) -> str:
    publication.refresh_from_db()
    return publication.state


def open_log(page: Page, live_url: str, personas, query: str = "") -> None:
    page.goto(f"{live_url}/o/{personas.organization.slug}/publishing/{query}")
    expect(page.locator("h1")).to_be_visible()


def row_of(page: Page, title: str) -> Locator:
    return page.get_by_test_id("publication").filter(has_text=title)


def accessible_at_both_widths(page: Page, check: Callable[[Page], None] = assert_accessible) -> None:
    check(page)
    page.set_viewport_size(PHONE)
    try:
        check(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px phone"
    finally:
        page.set_viewport_size(DESKTOP)


def test_the_smm_sends_a_failed_post_again_and_it_goes_out(
    page: Page, live_url: str, personas, bluesky, scripted
) -> None:
    scripted.fail_publish = ConnectorError("Der Text ist zu lang (312 von 300 Zeichen)", permanent=True)
    (publication,) = make_due(scheduled(personas, bluesky, "Produktlaunch"))
    assert run(publication) == P.FAILED
    scripted.fail_publish = None  # fixed meanwhile

    log_in(page, live_url, "smm@muster.example")
    expect(page.get_by_role("heading", name="Muster GmbH")).to_be_visible()
    page.locator(f'nav a[href="/o/{personas.organization.slug}/publishing/"]').first.click()
    expect(page).to_have_url(re.compile(r"/publishing/$"))
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_have_text("Veröffentlichung")
    row = row_of(page, "Produktlaunch")
    expect(row.locator("[data-state]:visible")).to_have_attribute("data-state", "failed")
    expect(row.locator("[data-state]:visible")).to_have_text("Fehlgeschlagen")
    # The reason in plain words, with the network's own message, and what to do about it.
    expect(row).to_contain_text(
        "Bluesky hat den Beitrag abgelehnt: Der Text ist zu lang (312 von 300 Zeichen)"
    )
    expect(row).to_contain_text("Ändern Sie Text oder Bilder so, dass das Netzwerk sie annimmt")
    expect(page.get_by_test_id("stuck-count")).to_have_text("1")
    expect(page.get_by_test_id("attempts")).to_contain_text("Der Text ist zu lang")
    shoot(page, "publishing-log")
    accessible_at_both_widths(page)

    row.get_by_role("checkbox").check()
    page.get_by_role("button", name="Erneut senden").click()
    expect(page.locator(".alert-success")).to_contain_text("1 erneut gesendet, 0 unverändert gelassen.")
    row = row_of(page, "Produktlaunch")
    expect(row.locator("[data-state]:visible")).to_have_attribute("data-state", "published")
    expect(row.locator("[data-state]:visible")).to_have_text("Veröffentlicht")
    expect(row.get_by_role("link", name="ansehen")).to_have_attribute(
        "href", re.compile(r"^https://bsky\.app/profile/muster\.test/post/")
    )
    expect(page.get_by_test_id("stuck-count")).to_have_text("0")
    shoot(page, "publishing-log-sent-again")
    assert state_of(publication) == P.PUBLISHED
    assert scripted.publish_calls == 2  # the refused try, and this one
    assert list(scripted.published) == [publication.idempotency_key]


def test_the_smm_pauses_everything_and_resumes(
    page: Page, live_url: str, personas, bluesky, scripted
) -> None:
    recent = scheduled(personas, bluesky, "Aktuell")
    old = scheduled(personas, bluesky, "Veraltet")
    log_in(page, live_url, "smm@muster.example")
    open_log(page, live_url, personas)
    expect(page.get_by_test_id("pause-banner")).to_have_count(0)

    page.get_by_role("button", name="Alle Veröffentlichungen anhalten", exact=True).click()
    form = page.locator("#pause-all")
    expect(form).to_be_visible()
    # Without a reason nothing is paused: the field is required.
    form.get_by_role("button", name="Jetzt alle Veröffentlichungen anhalten").click()
    expect(form.get_by_label("Grund")).to_have_js_property("validity.valueMissing", True)
    expect(page.get_by_test_id("pause-banner")).to_have_count(0)
    assert not services.settings_for(personas.organization).is_paused
    form.get_by_label("Grund").fill("Krisenfall: alle Beiträge angehalten")
    form.get_by_role("button", name="Jetzt alle Veröffentlichungen anhalten").click()
    expect(page.locator(".alert-warning")).to_contain_text(
        "Alle Veröffentlichungen sind angehalten. Bis Sie fortsetzen, erscheint nichts."
    )
    banner = page.get_by_test_id("pause-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Alle Veröffentlichungen sind angehalten.")
    expect(banner).to_contain_text("Krisenfall: alle Beiträge angehalten")
    expect(banner).to_contain_text("durch Sabine Strategie")
    expect(banner).to_have_attribute("role", "alert")
    expect(banner).to_have_class(re.compile("alert-danger"))
    expect(page.get_by_test_id("resume")).to_be_visible()
    shoot(page, "publishing-paused")
    accessible_at_both_widths(page)

    # Nothing goes out while paused: one post just due, one long past its time.
    (fresh,) = make_due(recent, minutes_ago=5)
    (stale,) = make_due(old, minutes_ago=120)
    assert run(fresh) == P.QUEUED
    assert scripted.publish_calls == 0

    page.goto(f"{live_url}/o/{personas.organization.slug}/plan/")
    banner = page.get_by_test_id("pause-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Alle Veröffentlichungen sind angehalten.")
    expect(banner).to_contain_text("Krisenfall: alle Beiträge angehalten")
    shoot(page, "publishing-paused-calendar")
    banner.get_by_role("link", name="Veröffentlichungsprotokoll").click()
    expect(page).to_have_url(re.compile(r"/publishing/$"))

    page.get_by_role("button", name="Veröffentlichungen fortsetzen").click()
    expect(page.get_by_test_id("pause-banner")).to_have_count(0)
    expect(page.locator(".alert-success")).to_contain_text(
        "Veröffentlichungen fortgesetzt: 1 jetzt unterwegs, 1 zu spät und warten auf Ihre Entscheidung."
    )
    expect(page).to_have_url(re.compile(r"\?show=stuck$"))
    stale_state = row_of(page, "Veraltet").locator("[data-state]:visible")
    expect(stale_state).to_have_attribute("data-state", "needs_person")
    expect(stale_state).to_have_text("Wartet auf eine Person")
    shoot(page, "publishing-resumed")
    assert state_of(fresh) == P.PUBLISHED
    assert state_of(stale) == P.NEEDS_PERSON
    page.goto(f"{live_url}/o/{personas.organization.slug}/plan/")
    expect(page.locator("main")).to_be_visible()
    expect(page.get_by_test_id("pause-banner")).to_have_count(0)


def too_late(personas, bluesky, title: str = "Sommerfest") -> Publication:
    (publication,) = make_due(scheduled(personas, bluesky, title), minutes_ago=180)
    assert run(publication) == P.NEEDS_PERSON
    return publication


def test_a_post_long_past_its_time_waits_for_a_person_who_publishes_it_now(
    page: Page, live_url: str, personas, bluesky, scripted
) -> None:
    publication = too_late(personas, bluesky)
    assert scripted.publish_calls == 0

    log_in(page, live_url, "cm@muster.example")
    open_log(page, live_url, personas)
    row = row_of(page, "Sommerfest")
    expect(row.locator("[data-state]:visible")).to_have_attribute("data-state", "needs_person")
    expect(row.locator("[data-state]:visible")).to_have_text("Wartet auf eine Person")
    expect(row).to_contain_text("Er konnte nicht rechtzeitig erscheinen")
    expect(row.get_by_role("button", name="Jetzt veröffentlichen")).to_be_visible()
    expect(row.get_by_role("button", name="Abbrechen")).to_be_visible()
    shoot(page, "publishing-needs-person")
    accessible_at_both_widths(page)

    # The post's page shows the same state and the same decision.
    row.get_by_role("link", name="Sommerfest").click()
    state = page.get_by_test_id("publication-state")
    expect(state.locator("[data-state]:visible")).to_have_attribute("data-state", "needs_person")
    shoot(page, "publishing-post-needs-person")
    state.get_by_role("button", name="Jetzt veröffentlichen").click()
    expect(page.locator(".alert-success")).to_contain_text(
        "„Sommerfest“ ist wieder auf dem Weg zu Bluesky Marketing."
    )
    expect(page).to_have_url(re.compile(rf"/plan/posts/{publication.variant.post.public_id}/$"))
    state = page.get_by_test_id("publication-state")
    expect(state.locator("[data-state]:visible")).to_have_attribute("data-state", "published")
    assert state_of(publication) == P.PUBLISHED
    assert scripted.publish_calls == 1


def test_publish_now_in_the_log(page: Page, live_url: str, personas, bluesky, scripted) -> None:
    publication = too_late(personas, bluesky)
    log_in(page, live_url, "cm@muster.example")
    open_log(page, live_url, personas)
    row_of(page, "Sommerfest").get_by_role("button", name="Jetzt veröffentlichen").click()
    expect(page.locator(".alert-success")).to_contain_text("Sommerfest", timeout=3000)
    expect(row_of(page, "Sommerfest").locator("[data-state]:visible")).to_have_attribute(
        "data-state", "published"
    )
    assert state_of(publication) == P.PUBLISHED


def test_the_log_passes_axe(page: Page, live_url: str, personas, bluesky, scripted) -> None:
    too_late(personas, bluesky)
    log_in(page, live_url, "smm@muster.example")
    open_log(page, live_url, personas)
    expect(page.get_by_test_id("attempts")).to_have_count(0)  # no try yet: nothing went to the network
    scripted.fail_publish = ConnectorError("Der Text ist zu lang", permanent=True)
    (failed,) = make_due(scheduled(personas, bluesky, "Produktlaunch"))
    assert run(failed) == P.FAILED
    open_log(page, live_url, personas)
    expect(page.get_by_test_id("attempts")).to_be_visible()
    accessible_at_both_widths(page, check=assert_accessible)
