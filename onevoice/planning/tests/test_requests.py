from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from onevoice.organization.access import NotAllowed
from onevoice.planning import request_services as rs
from onevoice.planning.models import ContentRequest, Notification, Post

pytestmark = pytest.mark.django_db


def url(name: str, personas, *args) -> str:
    return reverse(f"planning:{name}", args=[personas.organization.slug, *args])


@pytest.fixture
def filed(personas, channels) -> ContentRequest:
    return rs.request_file(
        actor=personas.contributor,
        department=personas.hr,
        title="Azubi-Tag",
        briefing="Wir zeigen unsere Ausbildung.",
        wished_from=timezone.localdate() + timedelta(days=10),
        channels=channels[1:],
    )


class TestServices:
    def test_filing_tells_the_deciders(self, personas, filed) -> None:
        assert Notification.objects.filter(recipient=personas.smm, kind="request_status").exists()
        assert not Notification.objects.filter(recipient=personas.cm).exists()  # Marketing's CM: not theirs

    def test_accepting_makes_a_draft_linked_to_the_request(self, personas, filed) -> None:
        post = rs.request_accept(actor=personas.smm, request=filed)
        assert post.request == filed
        assert post.status == Post.Status.DRAFT
        assert timezone.localtime(post.publish_at).hour == 10
        assert [v.channel.name for v in post.variants.all()] == ["Newsroom Karriere"]
        filed.refresh_from_db()
        assert filed.status == ContentRequest.Status.ACCEPTED
        assert Notification.objects.filter(recipient=personas.contributor, kind="request_status").exists()

    def test_ask_answer_decline(self, personas, filed) -> None:
        rs.request_ask(actor=personas.smm, request=filed, question="Welche Standorte?")
        assert filed.status == ContentRequest.Status.QUESTION
        rs.request_answer(actor=personas.contributor, request=filed, answer="München und Köln")
        assert "München und Köln" in filed.briefing
        with pytest.raises(ValidationError, match="reason"):
            rs.request_decline(actor=personas.smm, request=filed, reason="")
        rs.request_decline(actor=personas.smm, request=filed, reason="Passt nicht in den Plan.")
        assert filed.status == ContentRequest.Status.DECLINED

    def test_a_cm_of_another_department_cannot_decide(self, personas, filed) -> None:
        with pytest.raises(NotAllowed):
            rs.request_accept(actor=personas.cm, request=filed)

    def test_a_contributor_files_only_for_own_departments(self, personas) -> None:
        with pytest.raises(ValidationError, match="your own departments"):
            rs.request_file(actor=personas.contributor, department=personas.marketing, title="X")

    def test_a_period_ending_before_it_starts_is_refused(self, personas) -> None:
        today = timezone.localdate()
        with pytest.raises(ValidationError, match="before its start"):
            rs.request_file(
                actor=personas.contributor,
                department=personas.hr,
                title="X",
                wished_from=today + timedelta(days=5),
                wished_until=today,
            )

    def test_wrong_or_large_files_are_refused(self, personas) -> None:
        with pytest.raises(ValidationError, match="not an image, PDF"):
            rs.request_file(
                actor=personas.contributor,
                department=personas.hr,
                title="X",
                attachments=[rs.Attachment("tool.exe", b"MZ", "application/x-msdownload")],
            )
        with pytest.raises(ValidationError, match="larger than 20 MB"):
            rs.request_file(
                actor=personas.contributor,
                department=personas.hr,
                title="X",
                attachments=[rs.Attachment("big.pdf", b"0" * 20_000_001, "application/pdf")],
            )


class TestPages:
    @pytest.mark.parametrize(
        ("persona", "status"),
        [
            ("contributor", 200),
            ("cm", 200),
            ("smm", 200),
            ("viewer", 404),
            ("reviewer", 404),
            ("outsider", 404),
        ],
    )
    def test_who_sees_requests(self, personas, filed, persona, status) -> None:
        client = personas.client_for(getattr(personas, persona))
        assert client.get(url("requests", personas)).status_code == status
        assert client.get(url("request", personas, filed.public_id)).status_code == status

    def test_filing_with_a_file_through_the_form(self, personas, channels) -> None:
        pdf = io.BytesIO(b"%PDF-1.4 briefing")
        pdf.name = "briefing.pdf"
        response = personas.client_for(personas.contributor).post(
            url("request-new", personas),
            {
                "title": "Girls' Day",
                "department": personas.hr.pk,
                "briefing": "Mehr Technikerinnen!",
                "links": "https://muster.example/girlsday",
                "attachments": pdf,
            },
        )
        request = ContentRequest.objects.get()
        assert response["Location"] == url("request", personas, request.public_id)
        assert request.attachments.get().name == "briefing.pdf"

    def test_bad_input_keeps_the_text(self, personas) -> None:
        today = timezone.localdate()
        response = personas.client_for(personas.contributor).post(
            url("request-new", personas),
            {
                "title": "Sommerfest",
                "department": personas.hr.pk,
                "briefing": "Mein langer Text",
                "wished_from": (today + timedelta(days=9)).isoformat(),
                "wished_until": today.isoformat(),
            },
        )
        assert response.status_code == 400
        assert "Mein langer Text" in response.content.decode()
        assert not ContentRequest.objects.exists()

    def test_accept_through_the_page_and_the_cm_of_another_department_cannot(self, personas, filed) -> None:
        response = personas.client_for(personas.cm).post(
            url("request-act", personas, filed.public_id, "accept")
        )
        assert response.status_code == 404
        response = personas.client_for(personas.smm).post(
            url("request-act", personas, filed.public_id, "accept")
        )
        post = Post.objects.get()
        assert response["Location"] == url("post", personas, post.public_id)

    def test_notifications_are_personal(self, personas, filed) -> None:
        note = Notification.objects.filter(recipient=personas.smm).first()
        other = personas.client_for(personas.admin)
        assert other.post(url("notification-read", personas), {"id": note.pk}).status_code == 404
        client = personas.client_for(personas.smm)
        assert "Azubi-Tag" in client.get(url("notifications", personas)).content.decode()
        client.post(url("notification-read", personas), {"id": "all"})
        assert not Notification.objects.filter(recipient=personas.smm, read_at=None).exists()

    def test_email_preferences(self, personas, filed, mailoutbox, django_capture_on_commit_callbacks) -> None:
        personas.client_for(personas.smm).post(
            url("notification-settings", personas), {"email": ["request_status"]}
        )
        with django_capture_on_commit_callbacks(execute=True):
            rs.request_file(actor=personas.contributor, department=personas.hr, title="Zweite Anfrage")
        assert [m.to for m in mailoutbox] == [["smm@muster.example"]]
