from __future__ import annotations

import io

import feedparser
import pytest
from PIL import Image
from playwright.sync_api import FilePayload, Page, expect

from onevoice.networks.models import Channel, ChannelPost
from tests.browser.conftest import assert_accessible, shoot
from tests.browser.test_people import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), "#0b5cad").save(buffer, "PNG")
    return buffer.getvalue()


def test_a_newsroom_feed_from_connect_to_publish_to_feed(page: Page, live_url: str, personas) -> None:
    log_in(page, live_url, "smm@muster.example")
    page.get_by_role("link", name="Kanäle").click()
    expect(page.get_by_text("Noch keine Kanäle.")).to_be_visible()
    assert_accessible(page)
    shoot(page, "channels-empty")
    page.get_by_role("link", name="Kanal verbinden").first.click()
    assert_accessible(page)
    shoot(page, "channels-connect")
    page.get_by_role("link", name="Newsroom-Feed starten").click()
    page.get_by_label("Kanalname").fill("Muster Newsroom")
    page.get_by_label("Untertitel").fill("Neuigkeiten der Muster GmbH")
    page.get_by_role("button", name="Prüfen und verbinden").click()

    expect(page.get_by_role("heading", name="Muster Newsroom")).to_be_visible()
    page.get_by_label("Text", exact=True).fill("Wir eröffnen ein Büro in Leipzig! #Standort")
    expect(page.locator("#composer-count")).to_have_text("43 / 10000")
    page.get_by_text("Bilder (bis zu 4").click()
    page.get_by_label("Bild 1", exact=True).set_input_files(
        files=[FilePayload(name="buero.png", mimeType="image/png", buffer=png_bytes())]
    )
    page.get_by_role("button", name="Jetzt veröffentlichen").click()
    # The channel requires alt text: refused, and the text is still there.
    expect(page.locator(".alert-danger")).to_contain_text("Alternativtext")
    expect(page.get_by_label("Text", exact=True)).to_have_value("Wir eröffnen ein Büro in Leipzig! #Standort")
    page.get_by_label("Bild 1", exact=True).set_input_files(
        files=[FilePayload(name="buero.png", mimeType="image/png", buffer=png_bytes())]
    )
    page.get_by_label("Alternativtext von Bild 1").fill("Das neue Büro in Leipzig von außen")
    page.get_by_role("button", name="Jetzt veröffentlichen").click()
    expect(page.get_by_test_id("channel-posts")).to_contain_text("Wir eröffnen ein Büro in Leipzig!")
    assert_accessible(page)
    shoot(page, "channel-newsroom")

    channel = Channel.objects.get()
    post = ChannelPost.objects.get()
    assert post.state == ChannelPost.State.PUBLISHED
    assert post.images.get().alt_text == "Das neue Büro in Leipzig von außen"
    feed = feedparser.parse(page.request.get(f"{live_url}/newsroom/{channel.public_id}/feed.atom").body())
    assert feed.entries[0].title == "Wir eröffnen ein Büro in Leipzig! #Standort"
    page.goto(f"{live_url}/newsroom/{channel.public_id}/")
    expect(page.get_by_role("img", name="Das neue Büro in Leipzig von außen")).to_be_visible()
    assert_accessible(page)
    shoot(page, "newsroom-public")


def test_a_bluesky_channel_that_needs_reconnecting(page: Page, live_url: str, personas, scripted) -> None:
    from onevoice.networks import services
    from onevoice.networks.connectors.base import AuthExpired

    channel = services.channel_connect_bluesky(
        actor=personas.smm,
        name="Bluesky Marketing",
        department=personas.marketing,
        identifier="muster.test",
        app_password="pw",
        service="https://bsky.social",
    )
    services.post_publish_now(
        actor=personas.smm, channel=channel, text="Hallo Bluesky! https://muster.example"
    )
    log_in(page, live_url, "smm@muster.example")
    page.goto(f"{live_url}/o/{personas.organization.slug}/channels/")
    assert_accessible(page)
    shoot(page, "channels")
    page.get_by_role("link", name="Bluesky Marketing").click()
    expect(page.get_by_role("link", name="Im Netzwerk ansehen")).to_have_attribute(
        "href", "https://bsky.app/profile/muster.test/post/" + ChannelPost.objects.get().idempotency_key[:13]
    )
    shoot(page, "channel-bluesky")

    scripted.fail_verify = AuthExpired("Token has been revoked")
    page.get_by_role("button", name="Verbindung prüfen").click()
    expect(page.get_by_test_id("reconnect-notice")).to_be_visible()
    assert_accessible(page)
    shoot(page, "channel-reconnect")
    scripted.fail_verify = None
    page.get_by_label("Neues App-Passwort oder Zugriffstoken").fill("neues-app-passwort")
    page.get_by_role("button", name="Neu verbinden").click()
    expect(page.get_by_test_id("reconnect-notice")).to_have_count(0)
    channel.refresh_from_db()
    assert channel.state == Channel.State.CONNECTED
    assert channel.credentials["app_password"] == "neues-app-passwort"

    page.get_by_role("link", name="Einstellungen und Zugriff").click()
    assert_accessible(page)
    shoot(page, "channel-settings")
