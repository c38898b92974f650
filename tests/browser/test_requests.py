from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import FilePayload, Page, expect

from onevoice.networks import services as channel_services
from onevoice.planning.models import ContentRequest, Notification, Post
from tests.browser.conftest import assert_accessible, shoot
from tests.browser.test_people import log_in

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n% Briefing Azubi-Tag\n"


@pytest.fixture(autouse=True)
def media_in_a_temporary_directory(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def karriere(personas):
    return channel_services.channel_create_newsroom(
        actor=personas.smm, name="Karriere-Newsroom", department=personas.hr
    )


def test_a_request_from_hr_becomes_a_post(page: Page, live_url: str, personas, karriere) -> None:
    start = timezone.localdate() + timedelta(days=14)
    slug = personas.organization.slug

    # Hanna from HR brings a topic, with a file and a link.
    log_in(page, live_url, "hr@muster.example")
    page.get_by_role("link", name="Anfragen", exact=True).click()
    expect(page.get_by_role("heading", name="Anfragen aus den Abteilungen")).to_be_visible()
    page.get_by_role("link", name="Neue Anfrage").click()
    assert_accessible(page)
    shoot(page, "request-form")
    page.locator("#id_title").fill("Azubi-Tag am Standort Kassel")
    page.locator("#id_goal").fill("Mehr Bewerbungen für die Ausbildung 2027.")
    page.locator("#id_briefing").fill("Am Azubi-Tag zeigen unsere Auszubildenden ihre Werkstätten.")
    page.locator("#id_links").fill("https://muster.example/ausbildung")
    page.locator("#id_wished_from").fill(start.isoformat())
    page.locator("#id_wished_until").fill((start - timedelta(days=2)).isoformat())  # a slip
    page.get_by_label("Karriere-Newsroom").check()
    files = [FilePayload(name="Azubi-Tag.pdf", mimeType="application/pdf", buffer=PDF)]
    page.locator("#id_attachments").set_input_files(files)
    page.get_by_role("button", name="Anfrage senden").click()

    # The slip is named; what she typed is still there; the file must be chosen again.
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator("#id_briefing")).to_have_value(
        "Am Azubi-Tag zeigen unsere Auszubildenden ihre Werkstätten."
    )
    expect(page.locator("#id_wished_until")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_attachments")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    shoot(page, "request-form-errors")
    assert not ContentRequest.objects.exists()
    page.locator("#id_wished_until").fill((start + timedelta(days=2)).isoformat())
    page.locator("#id_attachments").set_input_files(files)
    page.get_by_role("button", name="Anfrage senden").click()

    expect(page.get_by_test_id("request-status")).to_have_text("Eingereicht")
    expect(page.get_by_test_id("request-material")).to_contain_text("Azubi-Tag.pdf")
    expect(page.get_by_test_id("request-material")).to_contain_text("https://muster.example/ausbildung")
    assert_accessible(page)
    shoot(page, "request-detail-filed")
    request = ContentRequest.objects.get()
    assert request.attachments.get().size == len(PDF)

    # Sabine (SMM) is told under the bell and takes it into the plan.
    page.context.clear_cookies()
    log_in(page, live_url, "smm@muster.example")
    expect(page.get_by_test_id("notification-count")).to_have_text("1")
    page.get_by_test_id("notification-bell").click()
    expect(page.locator("#notification-bell .dropdown-menu")).to_contain_text("Azubi-Tag am Standort Kassel")
    assert_accessible(page)
    shoot(page, "notification-bell")
    page.locator("#notification-bell .dropdown-menu").get_by_role("button", name="Azubi-Tag").click()
    expect(page.get_by_role("heading", name="Azubi-Tag am Standort Kassel")).to_be_visible()
    expect(page.get_by_test_id("request-decide")).to_be_visible()
    assert_accessible(page)
    shoot(page, "request-decide")
    with page.expect_download() as download:
        page.get_by_role("link", name="Azubi-Tag.pdf").click()
    assert download.value.suggested_filename == "Azubi-Tag.pdf"
    page.get_by_role("button", name="In den Plan übernehmen").click()
    post = Post.objects.get(request=request)
    page.wait_for_url(f"**/o/{slug}/plan/posts/{post.public_id}/")
    assert post.status == Post.Status.DRAFT
    assert post.department == personas.hr
    assert timezone.localtime(post.publish_at).date() == start
    assert timezone.localtime(post.publish_at).hour == 10
    assert [v.channel for v in post.variants.all()] == [karriere]

    # Hanna sees "Angenommen", a link to the post and the notification.
    page.context.clear_cookies()
    log_in(page, live_url, "hr@muster.example")
    expect(page.get_by_test_id("notification-count")).to_have_text("1")
    page.goto(f"{live_url}/o/{slug}/plan/requests/")
    expect(page.get_by_test_id("requests")).to_contain_text("Angenommen")
    assert_accessible(page)
    shoot(page, "requests")
    page.get_by_role("link", name="Azubi-Tag am Standort Kassel").click()
    expect(page.get_by_test_id("request-status")).to_have_text("Angenommen")
    link = page.get_by_test_id("request-post").get_by_role("link", name="Azubi-Tag am Standort Kassel")
    expect(link).to_have_attribute("href", f"/o/{slug}/plan/posts/{post.public_id}/")
    expect(page.get_by_test_id("request-history")).to_contain_text("Sabine Strategie")
    assert_accessible(page)
    shoot(page, "request-accepted")
    page.get_by_test_id("notification-bell").click()
    page.locator("#notification-bell").get_by_role("link", name="Alle Benachrichtigungen").click()
    expect(page.get_by_test_id("notification")).to_contain_text("Azubi-Tag am Standort Kassel")
    assert_accessible(page)
    shoot(page, "notifications")
    page.get_by_role("button", name="Alle als gelesen markieren").click()
    expect(page.get_by_test_id("notification-count")).to_have_count(0)
    assert not Notification.objects.filter(recipient=personas.contributor, read_at=None).exists()


def test_a_question_and_its_answer(page: Page, live_url: str, personas) -> None:
    from onevoice.planning import request_services as rs

    request = rs.request_file(
        actor=personas.contributor, department=personas.hr, title="Sommerfest", briefing="Fotos folgen."
    )
    log_in(page, live_url, "smm@muster.example")
    page.goto(f"{live_url}/o/{personas.organization.slug}/plan/requests/{request.public_id}/")
    page.get_by_role("button", name="Rückfrage stellen").click()
    expect(page.locator("#act-text")).to_have_attribute("aria-invalid", "true")
    page.locator("#act-text").fill("Dürfen wir Fotos mit Gesichtern zeigen?")
    page.get_by_role("button", name="Rückfrage stellen").click()
    expect(page.get_by_test_id("request-question")).to_contain_text("Dürfen wir Fotos")

    page.context.clear_cookies()
    log_in(page, live_url, "hr@muster.example")
    page.goto(f"{live_url}/o/{personas.organization.slug}/plan/requests/{request.public_id}/")
    assert_accessible(page)
    shoot(page, "request-question")
    page.locator("#answer-text").fill("Ja, alle haben zugestimmt.")
    page.locator("#answer-text").press("Tab")
    page.get_by_role("button", name="Antwort senden").click()
    expect(page.get_by_test_id("request-status")).to_have_text("Eingereicht")
    expect(page.get_by_test_id("request-history")).to_contain_text("Ja, alle haben zugestimmt.")
