"""Chat messages as Matrix, Slack and Teams expect them: short text in the target's language with a link,
escaped for each format; Matrix gets the delivery id as its transaction id."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from onevoice.inbox.tests.factories import make_case, make_channel
from onevoice.webhooks import events, services
from onevoice.webhooks.models import Delivery, Event, Target
from onevoice.webhooks.tests.conftest import Receiver

pytestmark = pytest.mark.django_db


def make(personas: Any, receiver: Receiver, kind: str, language: str = "de") -> Target:
    base = receiver.url.rsplit("/hooks", 1)[0]
    data = services.TargetInput(
        name="Team",
        events=[Event.CASE_ASSIGNED],
        language=language,
        url=base if kind == Target.Kind.MATRIX else "",
        room_id="!RaUm:matrix.muster.example",
        access_token="syt_geheim",
        chat_url=receiver.url,
    )
    return services.chat_target_create(actor=personas.admin, kind=kind, data=data)


def assign(personas: Any, capture: Any, channel_name: str = "Bluesky <b>Muster</b>") -> None:
    from onevoice.inbox import services as inbox

    channel = make_channel(personas.organization, name=channel_name, department=personas.marketing)
    case = make_case(channel)
    with capture(execute=True):
        inbox.case_assign(actor=personas.smm, case=case, assignee=personas.cm)


class TestMatrix:
    def test_a_notice_with_escaped_html_goes_to_the_room_under_the_delivery_id(
        self, personas, receiver: Receiver, scripted, django_capture_on_commit_callbacks
    ) -> None:
        target = make(personas, receiver, Target.Kind.MATRIX)
        assign(personas, django_capture_on_commit_callbacks)
        delivery = Delivery.objects.get(target=target)
        (request,) = receiver.requests
        assert request.method == "PUT"
        assert request.path == (
            f"/_matrix/client/v3/rooms/%21RaUm%3Amatrix.muster.example/send/m.room.message/{delivery.public_id}"
        )
        assert request.headers["authorization"] == "Bearer syt_geheim"
        content = request.json()
        assert content["msgtype"] == "m.notice"
        assert "Chris Community" in content["body"]
        assert "&lt;b&gt;Muster&lt;/b&gt;" in content["formatted_body"]
        assert "<b>Muster</b>" not in content["formatted_body"]
        assert settings.BASE_URL in content["formatted_body"]
        assert "syt_geheim" not in delivery.body


class TestSlackAndTeams:
    def test_slack_gets_text_and_a_block_with_the_link(
        self, personas, receiver: Receiver, scripted, django_capture_on_commit_callbacks
    ) -> None:
        make(personas, receiver, Target.Kind.SLACK, language="en")
        assign(personas, django_capture_on_commit_callbacks, channel_name="Bluesky <!channel> & Co")
        message = receiver.requests[0].json()
        assert "assigned to Chris Community" in message["text"]
        block = message["blocks"][0]["text"]["text"]
        assert "&lt;!channel&gt; &amp; Co" in block  # no @channel ping smuggled in by a name
        assert "|Open in OneVoice>" in block

    def test_teams_gets_an_adaptive_card(
        self, personas, receiver: Receiver, scripted, django_capture_on_commit_callbacks
    ) -> None:
        make(personas, receiver, Target.Kind.TEAMS, language="en")
        assign(personas, django_capture_on_commit_callbacks)
        card = receiver.requests[0].json()["attachments"][0]
        assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
        assert card["content"]["type"] == "AdaptiveCard"
        assert card["content"]["actions"][0]["url"].startswith(settings.BASE_URL)

    def test_the_webhook_address_is_kept_encrypted(self, personas, receiver: Receiver) -> None:
        target = make(personas, receiver, Target.Kind.SLACK)
        stored = Target.objects.filter(pk=target.pk).values_list("secrets_encrypted", "url").get()
        assert receiver.url not in stored[0]
        assert stored[1] == ""

    def test_the_test_message_names_the_organisation(
        self, personas, receiver: Receiver, django_capture_on_commit_callbacks
    ) -> None:
        target = make(personas, receiver, Target.Kind.SLACK, language="en")
        with django_capture_on_commit_callbacks(execute=True):
            services.target_test(actor=personas.smm, target=target)
        assert "notifications of Muster GmbH arrive here" in receiver.requests[0].json()["text"]

    def test_the_message_is_in_the_targets_language(self, personas, receiver: Receiver) -> None:
        from onevoice.planning import request_services

        german = services.chat_target_create(
            actor=personas.smm,
            kind=Target.Kind.SLACK,
            data=services.TargetInput(name="DE", events=[Event.REQUEST_FILED], chat_url=receiver.url),
        )
        english = services.chat_target_create(
            actor=personas.smm,
            kind=Target.Kind.SLACK,
            data=services.TargetInput(
                name="EN", events=[Event.REQUEST_FILED], chat_url=receiver.url, language="en"
            ),
        )
        request_services.request_file(actor=personas.contributor, department=personas.hr, title="Girls' Day")
        assert Delivery.objects.get(target=german).summary == "Neue Anfrage von Personal: „Girls' Day“."
        assert Delivery.objects.get(target=english).summary == "New request from Personal: “Girls' Day”."

    def test_department_targets_only_get_their_departments_events(
        self, personas, receiver: Receiver, scripted
    ) -> None:
        hr = services.chat_target_create(
            actor=personas.smm,
            kind=Target.Kind.SLACK,
            data=services.TargetInput(
                name="HR", events=[Event.CASE_ASSIGNED], department=personas.hr, chat_url=receiver.url
            ),
        )
        channel = make_channel(personas.organization, department=personas.marketing)
        events.case_assigned(make_case(channel))
        assert not Delivery.objects.filter(target=hr).exists()
