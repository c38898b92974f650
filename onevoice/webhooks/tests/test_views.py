"""The pages: who may see and change webhooks and chat notifications, forms that keep what was typed,
test events, the delivery log with its filter and redelivery; other organisations get 404."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from onevoice.core.models import AuditEvent
from onevoice.webhooks import services
from onevoice.webhooks.models import Delivery, Event, Target
from onevoice.webhooks.tests.conftest import Receiver

pytestmark = pytest.mark.django_db


def url(personas: Any, name: str, *args: Any) -> str:
    return reverse(f"webhooks:{name}", args=[personas.organization.slug, *args])


def chat_target(personas: Any, receiver: Receiver, kind: str = Target.Kind.SLACK) -> Target:
    return services.chat_target_create(
        actor=personas.smm,
        kind=kind,
        data=services.TargetInput(name="Team-Kanal", events=[Event.CASE_OVERDUE], chat_url=receiver.url),
    )


class TestWebhookPages:
    def test_the_admin_registers_a_webhook_and_sees_its_secret(self, personas, receiver: Receiver) -> None:
        client = personas.client_for(personas.admin)
        response = client.post(
            url(personas, "new"),
            {
                "name": "Intranet",
                "url": receiver.url,
                "events": [Event.POST_PUBLISHED, Event.CASE_OVERDUE],
                "language": "en",
                "is_active": "on",
            },
        )
        target = Target.objects.get()
        assert response.status_code == 302
        assert response["Location"] == url(personas, "target", target.public_id)
        assert target.events == [Event.POST_PUBLISHED, Event.CASE_OVERDUE]
        page = client.get(response["Location"])
        assert target.secrets["secret"] in page.content.decode()
        assert AuditEvent.objects.filter(verb="webhook.created").exists()
        listing = client.get(url(personas, "list")).content.decode()
        assert "Intranet" in listing

    def test_a_refused_address_keeps_what_was_typed(self, personas) -> None:
        response = personas.client_for(personas.admin).post(
            url(personas, "new"),
            {
                "name": "Intern",
                "url": "https://10.1.2.3/hook",
                "events": [Event.POST_FAILED],
                "language": "de",
            },
        )
        assert response.status_code == 400
        body = response.content.decode()
        assert "internal network" in body
        assert 'value="Intern"' in body
        assert 'value="https://10.1.2.3/hook"' in body
        assert not Target.objects.exists()

    def test_without_events_it_asks_for_one(self, personas, receiver: Receiver) -> None:
        response = personas.client_for(personas.admin).post(
            url(personas, "new"), {"name": "X", "url": receiver.url, "language": "de"}
        )
        assert response.status_code == 400
        assert "This field is required." in response.content.decode()

    @pytest.mark.parametrize("role", ["smm", "cm", "contributor", "reviewer", "viewer"])
    def test_only_the_administrator_manages_webhooks(self, personas, webhook, role) -> None:
        client = personas.client_for(getattr(personas, role))
        for name, args in [("new", []), ("target", [webhook.public_id]), ("edit", [webhook.public_id])]:
            assert client.get(url(personas, name, *args)).status_code == 404
        for name in ("test", "rotate", "toggle", "delete"):
            assert client.post(url(personas, name, webhook.public_id)).status_code == 404
        assert Target.objects.filter(pk=webhook.pk, is_active=True).exists()

    def test_the_smm_is_sent_to_the_chat_notifications(self, personas) -> None:
        response = personas.client_for(personas.smm).get(url(personas, "list"))
        assert response.status_code == 302
        assert response["Location"] == url(personas, "chat")

    def test_another_organisation_gets_404(self, personas, webhook) -> None:
        client = personas.client_for(personas.outsider)
        other = reverse("webhooks:target", args=[personas.outsider.organization.slug, webhook.public_id])
        assert client.get(other).status_code == 404
        assert client.get(url(personas, "target", webhook.public_id)).status_code == 404
        assert client.post(url(personas, "test", webhook.public_id)).status_code == 404

    def test_the_test_event_button_shows_the_outcome(
        self, personas, webhook, receiver: Receiver, django_capture_on_commit_callbacks
    ) -> None:
        client = personas.client_for(personas.admin)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url(personas, "test", webhook.public_id))
        delivery = Delivery.objects.get()
        assert response["Location"] == url(personas, "delivery", delivery.public_id)
        page = client.get(response["Location"]).content.decode()
        assert "Delivered" in page
        assert "HTTP 200" in page
        assert str(delivery.public_id) in page
        assert receiver.requests[0].json()["event"] == "ping"

    def test_the_delivery_log_filters_by_event_and_state(
        self, personas, webhook, receiver: Receiver, django_capture_on_commit_callbacks
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            services.target_test(actor=personas.admin, target=webhook)
        receiver.status = 500
        with django_capture_on_commit_callbacks(execute=True):
            services.target_test(actor=personas.admin, target=webhook)
        client = personas.client_for(personas.admin)
        page = client.get(url(personas, "target", webhook.public_id), {"state": "pending"}).content.decode()
        assert page.count("HTTP 500") == 1
        assert "HTTP 200" not in page
        page = client.get(
            url(personas, "target", webhook.public_id), {"event": "post.published"}
        ).content.decode()
        assert "No deliveries match the filter." in page

    def test_redeliver_from_the_delivery_page(
        self, personas, webhook, receiver: Receiver, django_capture_on_commit_callbacks
    ) -> None:
        delivery = services.target_test(actor=personas.admin, target=webhook)
        services.delivery_send(delivery.pk)
        client = personas.client_for(personas.admin)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url(personas, "redeliver", delivery.public_id))
        assert response.status_code == 302
        assert len(receiver.requests) == 2

    def test_rotating_and_switching_off_and_deleting(self, personas, webhook) -> None:
        client = personas.client_for(personas.admin)
        old = webhook.secrets["secret"]
        client.post(url(personas, "rotate", webhook.public_id))
        webhook.refresh_from_db()
        assert webhook.secrets["secret"] != old
        client.post(url(personas, "toggle", webhook.public_id))
        webhook.refresh_from_db()
        assert not webhook.is_active
        response = client.post(url(personas, "delete", webhook.public_id))
        assert response["Location"] == url(personas, "list")
        assert not Target.objects.exists()
        assert AuditEvent.objects.filter(verb="webhook.deleted").exists()

    def test_the_page_escapes_what_receivers_answer(
        self, personas, webhook, receiver: Receiver, django_capture_on_commit_callbacks
    ) -> None:
        receiver.status = 400
        receiver.answer = b"<script>alert(1)</script>"
        with django_capture_on_commit_callbacks(execute=True):
            delivery = services.target_test(actor=personas.admin, target=webhook)
        page = personas.client_for(personas.admin).get(url(personas, "delivery", delivery.public_id))
        assert b"<script>alert(1)</script>" not in page.content
        assert b"&lt;script&gt;" in page.content


class TestChatPages:
    def test_the_smm_sets_up_a_department_slack_channel(self, personas, receiver: Receiver) -> None:
        client = personas.client_for(personas.smm)
        assert client.get(url(personas, "chat_new")).status_code == 200
        response = client.post(
            url(personas, "chat_new_kind", "slack"),
            {
                "name": "#social-hr",
                "chat_url": receiver.url,
                "events": [Event.REQUEST_FILED, Event.CASE_CREATED],
                "department": personas.hr.pk,
                "language": "de",
                "is_active": "on",
            },
        )
        target = Target.objects.get()
        assert response["Location"] == url(personas, "target", target.public_id)
        assert target.kind == "slack"
        assert target.department == personas.hr
        assert target.secrets == {"url": receiver.url}
        assert receiver.url not in json.dumps(target.snapshot())
        assert AuditEvent.objects.filter(verb="chat_target.created").exists()

    def test_a_matrix_room_needs_a_proper_room_id_and_a_token(self, personas, receiver: Receiver) -> None:
        client = personas.client_for(personas.smm)
        response = client.post(
            url(personas, "chat_new_kind", "matrix"),
            {
                "name": "Social-Raum",
                "url": receiver.url.rsplit("/hooks", 1)[0],
                "room_id": "social-team",
                "events": [Event.SPIKE_ALERT],
                "language": "de",
            },
        )
        assert response.status_code == 400
        body = response.content.decode()
        assert "internal ID" in body
        assert 'value="social-team"' in body

    def test_editing_keeps_the_stored_token_when_left_empty(self, personas, receiver: Receiver) -> None:
        target = chat_target(personas, receiver)
        client = personas.client_for(personas.smm)
        response = client.post(
            url(personas, "edit", target.public_id),
            {"name": "Umbenannt", "events": [Event.CASE_OVERDUE, Event.SPIKE_ALERT], "language": "en"},
        )
        assert response.status_code == 302
        target.refresh_from_db()
        assert target.name == "Umbenannt"
        assert target.secrets == {"url": receiver.url}
        assert target.language == "en"

    @pytest.mark.parametrize("role", ["cm", "contributor", "reviewer", "viewer"])
    def test_other_roles_do_not_see_chat_notifications(self, personas, receiver: Receiver, role) -> None:
        target = chat_target(personas, receiver)
        client = personas.client_for(getattr(personas, role))
        assert client.get(url(personas, "chat")).status_code == 404
        assert client.get(url(personas, "list")).status_code == 404
        assert client.get(url(personas, "target", target.public_id)).status_code == 404
        assert client.post(url(personas, "test", target.public_id)).status_code == 404

    def test_the_navigation_shows_the_entry_to_admin_and_smm_only(self, personas) -> None:
        link = url(personas, "list")
        overview = reverse("organization:overview", args=[personas.organization.slug])
        assert link in personas.client_for(personas.smm).get(overview).content.decode()
        assert link not in personas.client_for(personas.cm).get(overview).content.decode()
