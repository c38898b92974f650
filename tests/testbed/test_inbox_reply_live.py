"""Answering from the inbox through the real Bluesky connector on the local network (PDS + AppView).

A customer replies to the organisation's post; OneVoice answers that reply from a case, likes it and
finally deletes its own answer. Everything is read back with the plain `atproto` SDK, never through
the connector: the answer must be a reply to the customer's post, in the thread of the organisation's.
"""

from __future__ import annotations

import pytest
from atproto import Client, models
from atproto_client.exceptions import BadRequestError
from django.utils import timezone
from pytest_django.fixtures import Settings

from onevoice.inbox import services
from onevoice.inbox.models import Case, Message, MessageKind, Reply
from onevoice.networks.connectors.base import PublishRequest
from onevoice.networks.connectors.bluesky import BlueskyConnector
from onevoice.networks.connectors.bluesky.connector import parse_at_uri
from onevoice.networks.models import Channel
from tests.testbed.bluesky import Account, Network, create_account, create_app_password

pytestmark = [pytest.mark.testbed, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def allow_the_testbed(settings: Settings) -> None:
    settings.HTTP_ALLOWED_PRIVATE_HOSTS = ["localhost", "127.0.0.1"]


def sdk(network: Network, account: Account) -> Client:
    client = Client(base_url=network.pds)
    client.login(account.handle, account.password, fetch_bsky_profile=False)
    return client


def record_of(reader: Client, uri: str) -> models.ComAtprotoRepoGetRecord.Response:
    repo, collection, rkey = parse_at_uri(uri)
    return reader.com.atproto.repo.get_record(
        models.ComAtprotoRepoGetRecord.Params(repo=repo, collection=collection, rkey=rkey)
    )


def test_a_cm_answers_a_customer_from_the_inbox_and_the_answer_is_on_the_network(
    bluesky_network: Network, personas, django_capture_on_commit_callbacks
) -> None:
    org = create_account(bluesky_network.pds, "muster")
    customer = create_account(bluesky_network.pds, "kundin")
    password = create_app_password(bluesky_network.pds, org)
    ours = BlueskyConnector(
        credentials={"identifier": org.handle, "app_password": password},
        config={"service": bluesky_network.pds},
    )
    post = ours.publish(
        PublishRequest(text="Unsere Herbstaktion startet heute!"), idempotency_key="live-post"
    )
    theirs = BlueskyConnector(
        credentials={
            "identifier": customer.handle,
            "app_password": create_app_password(bluesky_network.pds, customer),
        },
        config={"service": bluesky_network.pds},
    )
    question = theirs.reply(
        to_external_id=post.external_id,
        request=PublishRequest(text="Gilt die Aktion auch für Bestandskunden?"),
        idempotency_key="live-question",
    )

    channel = Channel(
        organization=personas.organization,
        department=personas.marketing,
        network="bluesky",
        name="Bluesky Marketing",
        handle=org.handle,
        external_account_id=org.did,
        config={"service": bluesky_network.pds},
    )
    channel.set_credentials({"identifier": org.handle, "app_password": password})
    channel.save()
    at = timezone.now()
    case = Case.objects.create(
        organization=personas.organization,
        channel=channel,
        thread_key=f"{post.external_id}|{customer.did}",
        kind=MessageKind.REPLY,
        subject="Gilt die Aktion auch für Bestandskunden?",
        department=personas.marketing,
        first_message_at=at,
        last_message_at=at,
        message_count=1,
    )
    inbound = Message.objects.create(
        case=case,
        channel=channel,
        external_id=question.external_id,
        kind=MessageKind.REPLY,
        author_id=customer.did,
        author_handle=customer.handle,
        text="Gilt die Aktion auch für Bestandskunden?",
        in_reply_to=post.external_id,
        thread_root=post.external_id,
        created_at=at,
    )

    with django_capture_on_commit_callbacks(execute=True):
        reply = services.reply_submit(
            actor=personas.cm, case=case, text="Ja, auch für Bestandskunden – bis Sonntag! Ihr Muster-Team"
        )
    reply.refresh_from_db()
    assert reply.state == Reply.State.SENT, reply.error
    answer = Message.objects.get(case=case, direction=Message.Direction.OUTBOUND)

    # Read back independently: the answer is a reply to the customer's post, in our post's thread.
    reader = sdk(bluesky_network, customer)
    found = record_of(reader, answer.external_id)
    assert found.value.text == "Ja, auch für Bestandskunden – bis Sonntag! Ihr Muster-Team"
    assert found.value.reply.parent.uri == question.external_id
    assert found.value.reply.root.uri == post.external_id
    assert answer.external_id.startswith(f"at://{org.did}/app.bsky.feed.post/")
    case.refresh_from_db()
    assert case.first_response_at is not None

    # Sending the same reply again (a re-delivered task) makes no second post.
    Reply.objects.filter(pk=reply.pk).update(state=Reply.State.QUEUED)
    assert services.reply_run(reply.pk) == Reply.State.SENT
    mine = reader.com.atproto.repo.list_records(
        models.ComAtprotoRepoListRecords.Params(repo=org.did, collection="app.bsky.feed.post")
    )
    assert sum(1 for r in mine.records if r.value.text.startswith("Ja, auch für Bestandskunden")) == 1

    # Like the customer's question: one like record, however often.
    services.message_like(actor=personas.cm, message=inbound)
    services.message_like(actor=personas.cm, message=inbound)
    likes = reader.com.atproto.repo.list_records(
        models.ComAtprotoRepoListRecords.Params(repo=org.did, collection="app.bsky.feed.like")
    )
    assert [r.value.subject.uri for r in likes.records] == [question.external_id]

    # Delete our own answer: it is gone from the network, kept (marked) in the thread.
    services.message_delete(actor=personas.cm, message=answer)
    with pytest.raises(BadRequestError):
        record_of(reader, answer.external_id)
    answer.refresh_from_db()
    assert answer.deleted_at is not None
