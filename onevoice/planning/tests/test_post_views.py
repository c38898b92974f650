from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from onevoice.planning import services
from onevoice.planning.models import ApprovalPolicy, ApprovalStep, Post, VariantImage
from onevoice.planning.tests.conftest import later

pytestmark = pytest.mark.django_db


def url(name: str, personas, *args) -> str:
    return reverse(f"planning:{name}", args=[personas.organization.slug, *args])


def png() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), "#0b5cad").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "bild.png"
    return buffer


class TestWhoMayDoWhat:
    @pytest.mark.parametrize(
        ("persona", "status"),
        [
            ("admin", 200),
            ("smm", 200),
            ("cm", 200),
            ("contributor", 200),
            ("reviewer", 200),
            ("viewer", 200),
            ("outsider", 404),
        ],
    )
    def test_everyone_in_the_organisation_reads_a_post(self, personas, draft, persona, status) -> None:
        response = personas.client_for(getattr(personas, persona)).get(url("post", personas, draft.public_id))
        assert response.status_code == status

    @pytest.mark.parametrize(
        ("persona", "status"),
        [
            ("smm", 200),
            ("cm", 200),
            ("contributor", 404),
            ("viewer", 404),
            ("reviewer", 404),
            ("outsider", 404),
        ],
    )
    def test_only_editors_open_the_edit_page(self, personas, draft, persona, status) -> None:
        response = personas.client_for(getattr(personas, persona)).get(
            url("post-edit", personas, draft.public_id)
        )
        assert response.status_code == status

    def test_a_viewer_cannot_plan(self, personas) -> None:
        assert personas.client_for(personas.viewer).get(url("post-new", personas)).status_code == 404

    def test_an_outsider_cannot_change_or_decide(self, personas, draft) -> None:
        client = personas.client_for(personas.outsider)
        assert client.post(url("post-submit", personas, draft.public_id)).status_code == 404
        assert client.post(url("post-withdraw", personas, draft.public_id)).status_code == 404
        assert (
            client.post(url("post-decide", personas, draft.public_id), {"verdict": "approved"}).status_code
            == 404
        )
        draft.refresh_from_db()
        assert draft.status == Post.Status.DRAFT


class TestComposer:
    def test_planning_a_post_with_two_channels(self, personas, channels) -> None:
        response = personas.client_for(personas.smm).post(
            url("post-new", personas),
            {
                "title": "Karrieretag",
                "department": personas.hr.pk,
                "channels": [c.pk for c in channels],
                "publish_at": later().strftime("%Y-%m-%dT%H:%M"),
                "base_text": "Komm vorbei!",
            },
        )
        post = Post.objects.get()
        assert response["Location"] == url("post", personas, post.public_id)
        assert post.variants.count() == 2
        assert post.status == Post.Status.DRAFT

    def test_without_a_time_it_is_an_idea(self, personas, channels) -> None:
        personas.client_for(personas.smm).post(
            url("post-new", personas),
            {
                "title": "Vielleicht",
                "department": personas.hr.pk,
                "channels": [channels[0].pk],
            },
        )
        assert Post.objects.get().status == Post.Status.IDEA

    def test_a_past_time_is_refused_and_the_input_kept(self, personas, channels) -> None:
        response = personas.client_for(personas.smm).post(
            url("post-new", personas),
            {
                "title": "Zu spät",
                "department": personas.hr.pk,
                "channels": [channels[0].pk],
                "publish_at": "2020-01-01T10:00",
                "base_text": "Mein Text",
            },
        )
        assert response.status_code == 400
        body = response.content.decode()
        assert "is in the past" in body
        assert "Mein Text" in body
        assert not Post.objects.exists()

    def test_a_variant_text_and_an_image_with_alt_text(self, personas, draft) -> None:
        variant = draft.variants.get()
        response = personas.client_for(personas.cm).post(
            url("variant-edit", personas, draft.public_id, variant.public_id),
            {
                "text": "Speziell für den Newsroom",
                "language": "de",
                "link": "",
                "version": draft.version,
                "image": png(),
                "alt_text": "Ein blaues Bild",
            },
        )
        assert response.status_code == 302
        variant.refresh_from_db()
        assert variant.text == "Speziell für den Newsroom"
        image = VariantImage.objects.get()
        assert image.alt_text == "Ein blaues Bild"
        assert image.thumbnail.width <= 480

    def test_a_stale_version_is_refused_with_who_changed_it(self, personas, draft) -> None:
        variant = draft.variants.get()
        stale = draft.version
        services.variant_update(
            actor=personas.smm,
            variant=variant,
            expected_version=stale,
            text="SMM war da",
            link="",
            language="de",
        )
        response = personas.client_for(personas.cm).post(
            url("variant-edit", personas, draft.public_id, variant.public_id),
            {"text": "Mein Stand", "language": "de", "link": "", "version": stale},
        )
        assert response.status_code == 400
        body = response.content.decode()
        assert "was changed by Sabine Strategie" in body
        assert "Mein Stand" in body  # what the CM typed is still in the form
        variant.refresh_from_db()
        assert variant.text == "SMM war da"


class TestWorkflowPages:
    def test_submit_decide_and_history(self, personas, draft) -> None:
        cm = personas.client_for(personas.cm)
        assert cm.post(url("post-submit", personas, draft.public_id)).status_code == 302
        smm = personas.client_for(personas.smm)
        page = smm.get(url("reviews", personas)).content.decode()
        assert "Produktlaunch" in page
        response = smm.post(
            url("post-decide", personas, draft.public_id), {"verdict": "changes_requested", "comment": ""}
        )
        assert response.status_code == 400
        assert "what should change" in response.content.decode()
        smm.post(
            url("post-decide", personas, draft.public_id),
            {"verdict": "changes_requested", "comment": "Bitte mit Preis."},
        )
        draft.refresh_from_db()
        assert draft.status == Post.Status.CHANGES_REQUESTED
        page = cm.get(url("post", personas, draft.public_id)).content.decode()
        assert "Bitte mit Preis." in page

    def test_a_contributor_is_not_offered_a_decision(self, personas, draft) -> None:
        services.post_submit(actor=personas.cm, post=draft)
        page = (
            personas.client_for(personas.contributor)
            .get(url("post", personas, draft.public_id))
            .content.decode()
        )
        assert 'value="approved"' not in page
        response = personas.client_for(personas.contributor).post(
            url("post-decide", personas, draft.public_id), {"verdict": "approved"}
        )
        assert response.status_code == 404

    def test_comment_with_mention(self, personas, draft) -> None:
        response = personas.client_for(personas.cm).post(
            url("post-comment", personas, draft.public_id), {"text": "@Sabine Strategie bitte schauen"}
        )
        assert response.status_code == 302
        assert personas.smm.notifications.filter(kind="mentioned").exists()


class TestApprovalLinkPage:
    def test_an_external_approver_approves_without_an_account(
        self, personas, draft, mailoutbox, django_capture_on_commit_callbacks
    ) -> None:
        policy = ApprovalPolicy.objects.create(organization=personas.organization, name="Extern")
        ApprovalStep.objects.create(policy=policy, name="Kanzlei", external_emails="kanzlei@example.org")
        with django_capture_on_commit_callbacks(execute=True):
            services.post_submit(actor=personas.cm, post=draft)
        link = next(m for m in mailoutbox if m.to == ["kanzlei@example.org"]).body
        path = "/approval/" + link.split("/approval/")[1].split()[0]
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        page = client.get(path).content.decode()
        assert "Unser neues Produkt ist da!" in page
        response = client.post(path, {"verdict": "approved", "comment": ""})
        assert "Thank you" in response.content.decode()
        draft.refresh_from_db()
        assert draft.status == Post.Status.SCHEDULED
        assert client.get(path).status_code == 410

    def test_an_unknown_link_is_a_clear_page(self, db) -> None:
        response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/approval/erfunden/")
        assert response.status_code == 410
        assert "not valid" in response.content.decode()


class TestTimeZones:
    def test_a_time_that_does_not_exist_on_the_spring_forward_day_is_refused(
        self, personas, channels
    ) -> None:
        response = personas.client_for(personas.smm).post(
            url("post-new", personas),
            {
                "title": "Nachts",
                "department": personas.hr.pk,
                "channels": [channels[0].pk],
                "publish_at": "2027-03-28T02:30",
            },
        )
        assert response.status_code == 400
        assert "Europe/Berlin" in response.content.decode()
        assert not Post.objects.exists()

    def test_local_times_are_stored_in_utc_on_both_sides_of_the_autumn_change(
        self, personas, channels
    ) -> None:
        client = personas.client_for(personas.smm)
        for title, local in (("Vorher", "2027-10-30T10:00"), ("Nachher", "2027-11-01T10:00")):
            client.post(
                url("post-new", personas),
                {
                    "title": title,
                    "department": personas.hr.pk,
                    "channels": [channels[0].pk],
                    "publish_at": local,
                },
            )
        times = {p.title: p.publish_at.isoformat() for p in Post.objects.all()}
        assert times == {"Vorher": "2027-10-30T08:00:00+00:00", "Nachher": "2027-11-01T09:00:00+00:00"}
