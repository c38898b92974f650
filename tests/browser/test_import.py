"""Exports in the browser: a calendar feed is created and fetched; a CSV plan is refused, then imported."""

from __future__ import annotations

import urllib.request

import icalendar
import pytest
from playwright.sync_api import FilePayload, Page, expect

from onevoice.networks import services as channel_services
from onevoice.planning.models import CalendarFeed, Post
from onevoice.planning.tests.conftest import later
from tests.browser.conftest import assert_accessible, shoot
from tests.browser.test_people import log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("onevoice.planning.tests.feed_urls")]

HEADER = "Date,Time,Title,Department,Campaign,Topic,Status,Channel,Text,Link,Owner e-mail,Post ID"


@pytest.fixture
def newsrooms(personas) -> None:
    for name, department in (
        ("Newsroom Marketing", personas.marketing),
        ("Newsroom Karriere", personas.hr),
        ("Newsroom Presse", None),  # of no department: every CM plans for it
    ):
        channel_services.channel_create_newsroom(actor=personas.smm, name=name, department=department)


def csv_file(*rows: str) -> FilePayload:
    text = "\ufeff" + HEADER + "\r\n" + "".join(f"{r}\r\n" for r in rows)
    return {"name": "plan.csv", "mimeType": "text/csv", "buffer": text.encode()}


def test_a_calendar_feed_is_created_subscribed_and_revoked(
    page: Page, live_url: str, personas, newsrooms
) -> None:
    log_in(page, live_url, "gf@muster.example")
    page.goto(f"{live_url}/o/{personas.organization.slug}/plan/feeds/")
    assert_accessible(page)
    shoot(page, "plan-feeds-empty")
    page.locator("#id_name").fill("Karriere-Plan")
    page.locator("#id_department").select_option(label="Personal")
    page.locator("form:has(#id_name) button[type=submit]").click()

    expect(page.get_by_test_id("new-feed")).to_be_visible()
    address = page.locator("#feed-url").input_value()
    assert address.startswith(f"{live_url}/plan-feed/")
    expect(page.get_by_test_id("feeds")).to_contain_text("Karriere-Plan")
    assert_accessible(page)
    shoot(page, "plan-feeds-new")

    with urllib.request.urlopen(address, timeout=10) as answer:  # noqa: S310 - the live server on 127.0.0.1
        calendar = icalendar.Calendar.from_ical(answer.read())
    assert calendar["X-WR-CALNAME"] == "Muster GmbH: Karriere-Plan"

    page.reload()  # the address is shown only once
    expect(page.get_by_test_id("new-feed")).to_have_count(0)
    page.get_by_test_id("feeds").locator("button[type=submit]").click()
    expect(page.get_by_test_id("feeds")).not_to_contain_text(address)
    assert CalendarFeed.objects.get().revoked_at is not None


def test_a_bad_plan_is_refused_whole_then_the_corrected_one_imported(
    page: Page, live_url: str, personas, newsrooms
) -> None:
    day = later(days=5).date().isoformat()
    log_in(page, live_url, "cm@muster.example")
    page.goto(f"{live_url}/o/{personas.organization.slug}/plan/import/")
    assert_accessible(page)
    shoot(page, "plan-import")

    page.locator("#id_file").set_input_files(
        csv_file(
            f"{day},10:00,Sommerfest,Marketing,,,,Newsroom Marketing,Wir feiern!,,,",
            f"{day},25:00,Tag der offenen Tür,Marketing,,,,Instagram,Kommt vorbei,,,",
            f"{day},11:00,Ausbildung,Personal,,,,Newsroom Karriere,Bewerbt euch,,,",
        )
    )
    page.locator("form:has(#id_file) button[type=submit]").click()
    expect(page.get_by_test_id("import-refused")).to_be_visible()
    expect(page.get_by_test_id("import-row-3")).to_contain_text("Instagram")
    expect(page.get_by_test_id("import-row-3")).to_contain_text("25:00")
    expect(page.get_by_test_id("import-row-4")).to_contain_text("Ihre eigenen Abteilungen")
    expect(page.get_by_test_id("import-confirm")).to_have_count(0)
    assert_accessible(page)
    shoot(page, "plan-import-refused")
    assert not Post.objects.exists()

    page.locator("#id_file").set_input_files(
        csv_file(
            f"{day},10:00,Sommerfest,Marketing,,,,Newsroom Marketing,Wir feiern!,,,",
            f"{day},10:00,Sommerfest,Marketing,,,,Newsroom Presse,Auch für die Presse!,,,",
            f"{day},14:00,Tag der offenen Tür,Marketing,,,,Newsroom Marketing,Kommt vorbei,,,",
        )
    )
    page.locator("form:has(#id_file) button[type=submit]").click()
    expect(page.get_by_test_id("import-ready")).to_be_visible()
    assert_accessible(page)
    shoot(page, "plan-import-preview")
    page.get_by_test_id("import-confirm").click()

    expect(page.get_by_test_id("imported")).to_contain_text("Sommerfest")
    expect(page.get_by_test_id("imported")).to_contain_text("Tag der offenen Tür")
    assert_accessible(page)
    assert Post.objects.count() == 2
    assert Post.objects.get(title="Sommerfest").variants.count() == 2
