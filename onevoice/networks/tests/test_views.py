from __future__ import annotations

import io

import feedparser
import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from onevoice.networks import services
from onevoice.networks.connectors.base import AuthExpired
from onevoice.networks.models import Access, Channel, ChannelPermission, ChannelPost

pytestmark = pytest.mark.django_db


def url(name: str, personas, *args) -> str:
    return reverse(f"networks:{name}", args=[personas.organization.slug, *args])


@pytest.fixture
def channel(personas, scripted) -> Channel:
    return services.channel_connect_bluesky(
        actor=personas.smm,
        name="Bluesky Marketing",
        department=personas.marketing,
        identifier="muster.test",
        app_password="pw",
        service="https://bsky.social",
    )


def png(size: tuple[int, int] = (40, 30)) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#0b5cad").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "bild.png"
    return buffer


class TestWhoSeesWhat:
    @pytest.mark.parametrize(
        ("persona", "status"),
        [("admin", 200), ("smm", 200), ("cm", 200), ("contributor", 200), ("viewer", 200), ("outsider", 404)],
    )
    def test_channel_list(self, personas, channel, persona, status) -> None:
        response = personas.client_for(getattr(personas, persona)).get(url("channels", personas))
        assert response.status_code == status

    @pytest.mark.parametrize(
        ("persona", "status"),
        [("admin", 200), ("smm", 200), ("cm", 404), ("contributor", 404), ("viewer", 404), ("outsider", 404)],
    )
    def test_connect_and_settings_pages(self, personas, channel, persona, status) -> None:
        client = personas.client_for(getattr(personas, persona))
        assert client.get(url("connect", personas)).status_code == status
        assert client.get(url("connect-bluesky", personas)).status_code == status
        assert client.get(url("channel-settings", personas, channel.public_id)).status_code == status

    def test_an_outsider_cannot_reach_the_channel_or_its_actions(self, personas, channel) -> None:
        client = personas.client_for(personas.outsider)
        other = f"/o/{personas.outsider.organization.slug}/channels/{channel.public_id}/"
        assert client.get(other).status_code == 404
        assert client.get(url("channel", personas, channel.public_id)).status_code == 404
        assert client.post(url("channel-disconnect", personas, channel.public_id)).status_code == 404
        assert Channel.objects.filter(pk=channel.pk).exists()

    def test_a_person_with_no_access_does_not_see_the_channel(self, personas, channel) -> None:
        ChannelPermission.objects.create(channel=channel, membership=personas.viewer, access=Access.NONE)
        client = personas.client_for(personas.viewer)
        assert "Bluesky Marketing" not in client.get(url("channels", personas)).content.decode()
        assert client.get(url("channel", personas, channel.public_id)).status_code == 404

    def test_a_reader_sees_no_composer_and_cannot_post(self, personas, channel, scripted) -> None:
        client = personas.client_for(personas.viewer)
        page = client.get(url("channel", personas, channel.public_id)).content.decode()
        assert "Publish now" not in page
        response = client.post(url("channel", personas, channel.public_id), {"text": "Hallo"})
        assert response.status_code == 404
        assert scripted.published == {}


class TestConnectPages:
    def test_connecting_bluesky(self, personas, scripted) -> None:
        response = personas.client_for(personas.smm).post(
            url("connect-bluesky", personas),
            {
                "identifier": "@muster.test",
                "app_password": "pw",
                "service": "https://bsky.social",
                "name": "",
            },
        )
        channel = Channel.objects.get()
        assert response["Location"] == url("channel", personas, channel.public_id)
        assert channel.name == "muster.test"

    def test_a_wrong_app_password_shows_why_and_keeps_the_input(self, personas, scripted) -> None:
        scripted.fail_verify = AuthExpired("Invalid identifier or password")
        response = personas.client_for(personas.smm).post(
            url("connect-bluesky", personas),
            {
                "identifier": "muster.test",
                "app_password": "falsch",
                "service": "https://bsky.social",
                "name": "Mein Kanal",
            },
        )
        assert response.status_code == 400
        body = response.content.decode()
        assert "no longer accepts the login" in body
        assert 'value="Mein Kanal"' in body
        assert not Channel.objects.exists()

    def test_creating_a_newsroom_serves_a_valid_atom_feed(self, personas) -> None:
        client = personas.client_for(personas.smm)
        client.post(url("connect-newsroom", personas), {"name": "Muster Newsroom", "subtitle": "Neuigkeiten"})
        channel = Channel.objects.get()
        first = services.post_publish_now(
            actor=personas.smm, channel=channel, text="Erste Meldung\nmit Text", language="de"
        )
        second = services.post_publish_now(actor=personas.smm, channel=channel, text="Zweite <b>Meldung</b>")
        gone = services.post_publish_now(actor=personas.smm, channel=channel, text="Zurückgezogen")
        services.post_delete(actor=personas.smm, post=gone)
        response = Client().get(reverse("newsroom-feed", args=[channel.public_id]))
        assert response["Content-Type"].startswith("application/atom+xml")
        feed = feedparser.parse(response.content)
        assert not feed.bozo, feed.bozo_exception
        assert feed.feed.title == "Muster Newsroom"
        assert [e.id for e in feed.entries] == [f"urn:uuid:{second.public_id}", f"urn:uuid:{first.public_id}"]
        assert feed.entries[0].content[0].value == "Zweite <b>Meldung</b>"  # text, not HTML
        assert feed.entries[1].title == "Erste Meldung"
        page = Client().get(reverse("newsroom-page", args=[channel.public_id])).content.decode()
        assert "Zweite &lt;b&gt;Meldung&lt;/b&gt;" in page
        assert "Zurückgezogen" not in page


class TestComposer:
    def test_publishing_with_an_image_and_alt_text(self, personas, channel, scripted) -> None:
        response = personas.client_for(personas.cm).post(
            url("channel", personas, channel.public_id),
            {
                "text": "Neues Produkt! https://muster.example/neu #launch",
                "language": "de",
                "image_0": png(),
                "alt_0": "Ein blaues Rechteck",
            },
        )
        assert response.status_code == 302
        post = ChannelPost.objects.get()
        assert post.state == ChannelPost.State.PUBLISHED
        request = scripted.published[post.idempotency_key]
        assert request.media[0].alt_text == "Ein blaues Rechteck"
        assert request.media[0].mime_type == "image/png"

    def test_a_file_that_is_not_an_image_is_refused_and_the_text_kept(
        self, personas, channel, scripted
    ) -> None:
        fake = io.BytesIO(b"%PDF-1.7 not an image")
        fake.name = "rechnung.png"
        response = personas.client_for(personas.cm).post(
            url("channel", personas, channel.public_id),
            {"text": "Mein Entwurf", "image_0": fake, "alt_0": "x"},
        )
        assert response.status_code == 400
        body = response.content.decode()
        assert "Only JPEG, PNG, GIF and WebP" in body
        assert "Mein Entwurf" in body
        assert scripted.published == {}

    def test_too_long_text_is_refused_naming_the_limit(self, personas, channel, scripted) -> None:
        response = personas.client_for(personas.cm).post(
            url("channel", personas, channel.public_id), {"text": "x" * 301}
        )
        assert response.status_code == 400
        assert "allows at most 300" in response.content.decode()

    def test_network_text_is_escaped(self, personas, channel, scripted) -> None:
        services.post_publish_now(actor=personas.cm, channel=channel, text="<script>alert(1)</script>")
        body = (
            personas.client_for(personas.cm).get(url("channel", personas, channel.public_id)).content.decode()
        )
        assert "<script>alert(1)</script>" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body

    def test_delete_and_retry_need_publish_access(self, personas, channel, scripted) -> None:
        post = services.post_publish_now(actor=personas.cm, channel=channel, text="Hallo")
        viewer = personas.client_for(personas.viewer)
        assert viewer.post(url("post-delete", personas, channel.public_id, post.public_id)).status_code == 404
        cm = personas.client_for(personas.cm)
        assert cm.post(url("post-delete", personas, channel.public_id, post.public_id)).status_code == 302
        assert scripted.deleted == [post.external_id]


class TestSettingsPage:
    def test_setting_a_persons_access(self, personas, channel) -> None:
        client = personas.client_for(personas.smm)
        response = client.post(
            url("channel-access", personas, channel.public_id, personas.contributor.public_id),
            {"access": "publish"},
        )
        assert response.status_code == 302
        assert ChannelPermission.objects.get(membership=personas.contributor).access == Access.PUBLISH

    def test_a_person_of_another_organisation_cannot_be_given_access(self, personas, channel) -> None:
        client = personas.client_for(personas.smm)
        response = client.post(
            url("channel-access", personas, channel.public_id, personas.outsider.public_id),
            {"access": "publish"},
        )
        assert response.status_code == 404
        assert not ChannelPermission.objects.exists()

    def test_pause_and_resume(self, personas, channel) -> None:
        client = personas.client_for(personas.admin)
        client.post(url("channel-pause", personas, channel.public_id), {"paused": "1"})
        channel.refresh_from_db()
        assert channel.state == Channel.State.PAUSED
        client.post(url("channel-pause", personas, channel.public_id), {"paused": "0"})
        channel.refresh_from_db()
        assert channel.state == Channel.State.CONNECTED
