"""Forwarding a question to an expert without a seat: the mail, the link page, the answer and revoking."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from onevoice.core.models import AuditEvent
from onevoice.inbox import forward as forwarding
from onevoice.inbox.models import ForwardToken
from onevoice.inbox.tests.factories import add_message, make_case, make_channel
from onevoice.planning.models import Notification

pytestmark = pytest.mark.django_db

_capture: Any = None  # the on-commit capturer of the running test
XSS = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


@pytest.fixture
def case(personas):
    channel = make_channel(personas.organization, department=personas.marketing)
    case = make_case(
        channel, text=f"Gilt die Garantie auch im Ausland? {XSS}", handle="karla.test", name="Karla Kundin"
    )
    case.assignee = personas.cm
    case.save(update_fields=["assignee"])
    return case


def _forward_url(personas, case) -> str:
    return reverse("inbox:case-forward", args=[personas.organization.slug, case.public_id])


@pytest.fixture(autouse=True)
def _commit_hooks(django_capture_on_commit_callbacks):
    """Mails go out after commit; run those hooks inside the test's transaction."""
    global _capture
    _capture = django_capture_on_commit_callbacks


def _send(personas, case, who="cm", **data):
    values = {
        "name": "Erika Expertin",
        "email": "Erika@Muster.example",
        "question": "Wie lange gilt die Garantie?",
    }
    values.update(data)
    with _capture(execute=True):
        return personas.client_for(getattr(personas, who)).post(_forward_url(personas, case), values)


def _link(message) -> str:
    found = re.findall(r"https?://\S+/expert/\S+/", message.body)
    assert found, message.body
    return urlsplit(found[0]).path


def _token(personas, case) -> str:
    _send(personas, case)
    path = _link(mail.outbox[-1])
    return path.rstrip("/").rsplit("/", 1)[1]


class TestForwarding:
    def test_a_cm_forwards_and_the_expert_gets_a_link_whose_token_is_stored_only_as_a_hash(
        self, personas, case
    ):
        response = _send(personas, case)
        assert response.status_code == 302
        assert response.url.endswith("#forwards")
        forward = ForwardToken.objects.get()
        assert (forward.email, forward.name, forward.created_by) == (
            "erika@muster.example",
            "Erika Expertin",
            personas.cm,
        )
        [message] = mail.outbox
        assert message.to == ["erika@muster.example"]
        assert "Wie lange gilt die Garantie?" in message.body
        token = _link(message).rstrip("/").rsplit("/", 1)[1]
        assert forward.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in forward.token_hash
        assert forward.expires_at - timezone.now() > timedelta(days=6)
        assert AuditEvent.objects.get(verb="forward.created").after["to"] == "erika@muster.example"

    def test_bad_input_shows_the_form_again_with_the_text_kept(self, personas, case):
        response = _send(personas, case, email="keine-adresse", question="Bitte behalten")
        assert response.status_code == 400
        html = response.content.decode()
        assert "Enter a valid e-mail address" in html
        assert "Bitte behalten" in html
        assert not ForwardToken.objects.exists()
        assert not mail.outbox

    def test_an_empty_question_is_refused(self, personas, case):
        response = _send(personas, case, question="   ")
        assert response.status_code == 400
        assert "Write the question the expert should answer." in response.content.decode()

    @pytest.mark.parametrize("who", ["contributor", "viewer", "outsider"])
    def test_people_who_do_not_work_the_case_get_404(self, personas, case, who):
        assert _send(personas, case, who=who).status_code == 404
        assert not ForwardToken.objects.exists()

    def test_a_cm_of_another_department_cannot_forward(self, personas):
        hr_channel = make_channel(personas.organization, department=personas.hr, name="Karriere")
        hr_case = make_case(hr_channel, text="Bewerbung", handle="bewerber.test")
        assert _send(personas, hr_case).status_code == 404


class TestExpertPage:
    def test_it_shows_the_question_and_the_thread_as_plain_text_without_the_persons_handle(
        self, personas, case
    ):
        add_message(case, "Noch eine Frage", author_name="Karla Kundin")
        token = _token(personas, case)
        response = self.client_get(token)
        html = response.content.decode()
        assert response.status_code == 200
        assert "Wie lange gilt die Garantie?" in html
        assert "Noch eine Frage" in html
        assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
        assert "<script>alert(2)" not in html
        assert "<img src=x" not in html
        assert "karla.test" not in html
        assert "Karla Kundin" not in html
        assert response["Cache-Control"].startswith("max-age=0")
        assert response["Referrer-Policy"] == "same-origin"
        assert "noindex" in response["X-Robots-Tag"]

    @staticmethod
    def client_get(token: str, **kwargs):
        from django.test import Client

        kwargs.setdefault("HTTP_ACCEPT_LANGUAGE", "en")
        return Client().get(reverse("inbox_public:expert", args=[token]), **kwargs)

    @staticmethod
    def client_post(token: str, data: dict):
        from django.test import Client

        return Client().post(reverse("inbox_public:expert", args=[token]), data, HTTP_ACCEPT_LANGUAGE="en")

    def test_the_answer_notifies_the_cm_and_appears_on_the_case_and_the_link_then_is_used(
        self, personas, case
    ):
        token = _token(personas, case)
        response = self.client_post(token, {"answer": "Zwei Jahre, weltweit. <b>Belege</b> aufheben."})
        assert response.status_code == 200
        assert "Thank you!" in response.content.decode()
        forward = ForwardToken.objects.get()
        assert forward.answer == "Zwei Jahre, weltweit. <b>Belege</b> aufheben."
        assert forward.answered_at
        [note] = Notification.objects.filter(kind=Notification.Kind.FORWARD_ANSWERED)
        assert note.recipient == personas.cm
        assert "Erika Expertin" in note.text
        assert note.url == reverse("inbox:case", args=[personas.organization.slug, case.public_id])
        assert AuditEvent.objects.get(verb="forward.answered").after["by"] == "erika@muster.example"

        [suggestion] = forwarding.forward_suggestions(case)
        assert suggestion.state == "answered"
        html = render_to_string(
            "inbox/includes/forward_suggestions.html",
            {"suggestions": [suggestion], "organization": personas.organization, "composer": "#reply-text"},
        )
        assert "&lt;b&gt;Belege&lt;/b&gt;" in html
        assert "data-ov-insert-suggestion" in html

        again = self.client_get(token)
        assert again.status_code == 410
        assert "already been used" in again.content.decode()
        assert self.client_post(token, {"answer": "Noch mal"}).status_code == 410
        forward.refresh_from_db()
        assert forward.answer.startswith("Zwei Jahre")

    def test_an_empty_answer_is_refused_and_the_link_stays_usable(self, personas, case):
        token = _token(personas, case)
        response = self.client_post(token, {"answer": "  "})
        assert response.status_code == 400
        assert "Write your suggested answer." in response.content.decode()
        assert ForwardToken.objects.get().answered_at is None

    def test_an_expired_link_says_so(self, personas, case):
        token = _token(personas, case)
        ForwardToken.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
        response = self.client_get(token)
        assert response.status_code == 410
        assert "This link has expired." in response.content.decode()
        assert "Garantie" not in response.content.decode()

    def test_an_unknown_or_overlong_token_is_404(self, personas, case):
        _token(personas, case)
        assert self.client_get("x" * 43).status_code == 404
        assert self.client_get("x" * 500).status_code == 404

    def test_a_revoked_link_no_longer_opens_the_case(self, personas, case):
        token = _token(personas, case)
        forward = ForwardToken.objects.get()
        response = personas.client_for(personas.cm).post(
            reverse("inbox:forward-revoke", args=[personas.organization.slug, forward.public_id])
        )
        assert response.status_code == 302
        page = self.client_get(token)
        assert page.status_code == 410
        assert "withdrawn" in page.content.decode()
        assert AuditEvent.objects.filter(verb="forward.revoked").exists()

    def test_an_answered_link_cannot_be_revoked_and_outsiders_cannot_revoke(self, personas, case):
        token = _token(personas, case)
        forward = ForwardToken.objects.get()
        url = reverse("inbox:forward-revoke", args=[personas.organization.slug, forward.public_id])
        assert personas.client_for(personas.outsider).post(url).status_code == 404
        assert personas.client_for(personas.viewer).post(url).status_code == 404
        self.client_post(token, {"answer": "Ja."})
        done = personas.client_for(personas.cm).post(url, follow=True)
        assert "already answered" in done.content.decode()
        forward.refresh_from_db()
        assert forward.revoked_at is None
