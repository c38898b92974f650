"""Chat notifications into a real Matrix room: a local Synapse, a bot account that posts, a colleague
who reads the room. An overdue case and the test message arrive once each, escaped and with the link;
redelivering under the same delivery id does not post the message twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from pytest_django.fixtures import Settings

from onevoice.inbox import escalation
from onevoice.inbox.models import Case
from onevoice.inbox.tests.factories import make_case, make_channel
from onevoice.webhooks import services
from onevoice.webhooks.models import Delivery, Event, Target
from tests.testbed import conftest as testbed
from tests.testbed.matrix import Homeserver, HomeserverUnavailable, start

pytestmark = [pytest.mark.testbed, pytest.mark.django_db]


@pytest.fixture(scope="module")
def synapse() -> Iterator[Homeserver]:
    try:
        server = start()
    except HomeserverUnavailable as error:
        if testbed.testbed_required():
            pytest.fail(f"ONEVOICE_REQUIRE_TESTBED=1 but Synapse cannot start: {error}")
        pytest.skip(f"a local Synapse cannot start here: {error}")
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def allow_the_homeserver(settings: Settings) -> None:
    settings.HTTP_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]


@pytest.fixture
def room(synapse: Homeserver) -> dict[str, Any]:
    import uuid

    suffix = uuid.uuid4().hex[:8]
    bot = synapse.register(f"onevoice-{suffix}")
    colleague = synapse.register(f"kollegin-{suffix}")
    room_id = synapse.create_room(bot, invite=[colleague.user_id])
    synapse.join(colleague, room_id)
    return {"bot": bot, "colleague": colleague, "room_id": room_id}


def matrix_target(personas: Any, synapse: Homeserver, room: dict[str, Any]) -> Target:
    client = personas.client_for(personas.smm, language="de")
    response = client.post(
        f"/o/{personas.organization.slug}/webhooks/chat/new/matrix/",
        {
            "name": "Social-Media-Raum",
            "url": synapse.url,
            "room_id": room["room_id"],
            "access_token": room["bot"].access_token,
            "events": [Event.CASE_OVERDUE, Event.SPIKE_ALERT],
            "language": "en",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Target.objects.get(kind=Target.Kind.MATRIX)


def test_an_overdue_case_arrives_in_the_room_once(
    personas, synapse: Homeserver, room: dict[str, Any], django_capture_on_commit_callbacks
) -> None:
    target = matrix_target(personas, synapse, room)
    channel = make_channel(personas.organization, name="Bluesky <Muster>", department=personas.marketing)
    case = make_case(channel, text="Wo bleibt meine Antwort?")
    Case.objects.filter(pk=case.pk).update(first_response_due=timezone.now() - timedelta(minutes=3))
    with django_capture_on_commit_callbacks(execute=True):
        assert escalation.cases_escalate() == 1
    delivery = Delivery.objects.get(target=target, event=Event.CASE_OVERDUE)
    assert delivery.state == Delivery.State.DELIVERED, delivery.last_error
    (message,) = synapse.messages(room["colleague"], room["room_id"])
    assert message["sender"] == room["bot"].user_id
    content = message["content"]
    assert content["msgtype"] == "m.notice"
    assert "A case on Bluesky <Muster> is overdue" in content["body"]
    assert "Bluesky &lt;Muster&gt;" in content["formatted_body"]
    assert f"/inbox/{case.public_id}/" in content["formatted_body"]
    assert "Wo bleibt" not in content["body"]  # no words of the community in the team chat

    # Redelivering sends the same transaction id: Synapse answers with the same event, no second post.
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_redeliver(actor=personas.smm, delivery=delivery)
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.DELIVERED
    assert delivery.attempts.count() == 2
    assert len(synapse.messages(room["colleague"], room["room_id"])) == 1


def test_the_test_message_arrives_and_a_wrong_token_marks_the_try_failed(
    personas, synapse: Homeserver, room: dict[str, Any], django_capture_on_commit_callbacks
) -> None:
    target = matrix_target(personas, synapse, room)
    with django_capture_on_commit_callbacks(execute=True):
        services.target_test(actor=personas.smm, target=target)
    (message,) = synapse.messages(room["colleague"], room["room_id"])
    assert "notifications of Muster GmbH arrive here" in message["content"]["body"]

    target.set_secrets({"access_token": "syt_not_a_token"})
    target.save(update_fields=["secrets_encrypted"])
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.target_test(actor=personas.smm, target=target)
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.PENDING  # retried later
    assert delivery.last_status_code == 401
    assert "M_UNKNOWN_TOKEN" in delivery.attempts.get().response
    assert len(synapse.messages(room["colleague"], room["room_id"])) == 1
