"""The inbox against the real local Bluesky network (PDS + AppView): another account replies to the
organisation's post and mentions its account; polling through the real connector makes routed cases, and
polling again adds nothing."""

from __future__ import annotations

import time
from typing import Any

import pytest
from pytest_django.fixtures import Settings

from onevoice.inbox.ingest import ingest_channel, ingest_items
from onevoice.inbox.models import Assignment, Case, Message, MessageKind, RoutingRule
from onevoice.networks.connectors.base import PublishRequest
from onevoice.networks.connectors.bluesky import BlueskyConnector
from onevoice.networks.models import Channel
from onevoice.networks.registry import connector_for
from onevoice.planning.models import Post, PostVariant
from onevoice.publishing.models import Publication
from tests.testbed.bluesky import Account, Network, create_account, create_app_password

pytestmark = [pytest.mark.testbed, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def allow_the_testbed(settings: Settings) -> None:
    settings.HTTP_ALLOWED_PRIVATE_HOSTS = ["localhost", "127.0.0.1"]


def connected(network: Network, account: Account, personas: Any) -> Channel:
    channel = Channel(
        organization=personas.organization,
        network="bluesky",
        name="Muster GmbH (Bluesky)",
        handle=account.handle,
        external_account_id=account.did,
        department=personas.marketing,
        config={"service": network.pds},
    )
    channel.set_credentials(
        {"identifier": account.handle, "app_password": create_app_password(network.pds, account)}
    )
    channel.save()
    return channel


def test_a_reply_and_a_mention_become_routed_cases_once(bluesky_network: Network, personas: Any) -> None:
    ours_account = create_account(bluesky_network.pds, "muster")
    theirs_account = create_account(bluesky_network.pds, "kundin")
    channel = connected(bluesky_network, ours_account, personas)
    ours = connector_for(channel)
    theirs = BlueskyConnector(
        credentials={
            "identifier": theirs_account.handle,
            "app_password": create_app_password(bluesky_network.pds, theirs_account),
        },
        config={"service": bluesky_network.pds},
    )
    # Our plan post, published on the channel: replies to it belong to its department (Marketing).
    published = ours.publish(
        PublishRequest(text="Unsere neue Serie ist da. Fragen?"), idempotency_key="inbox-live"
    )
    post = Post.objects.create(
        organization=personas.organization,
        title="Neue Serie",
        department=personas.marketing,
        owner=personas.cm,
    )
    variant = PostVariant.objects.create(post=post, channel=channel, text="Unsere neue Serie ist da. Fragen?")
    Publication.objects.create(
        organization=personas.organization,
        variant=variant,
        channel=channel,
        state=Publication.State.PUBLISHED,
        due_at=post.created_at,
        next_attempt_at=post.created_at,
        idempotency_key="inbox-live",
        external_id=published.external_id,
    )
    rule = RoutingRule.objects.create(
        organization=personas.organization,
        name="Rechnungen an Personal",
        keywords="Rechnung",
        assign_department=personas.hr,
    )
    deadline = time.monotonic() + 30
    while not ours.fetch_metrics([published.external_id]):  # the AppView must know the post first
        assert time.monotonic() < deadline, "the AppView did not index our post"
        time.sleep(0.3)

    reply = theirs.reply(
        to_external_id=published.external_id,
        request=PublishRequest(text="Meine Rechnung für die Serie stimmt nicht <b>bitte</b> prüfen"),
        idempotency_key="reply",
    )
    mention = theirs.publish(
        PublishRequest(text=f"Hallo @{ours_account.handle}, gibt es die in Grau?"), idempotency_key="m"
    )

    deadline = time.monotonic() + 60
    while Message.objects.filter(channel=channel).count() < 2:
        assert time.monotonic() < deadline, "the reply and the mention did not arrive"
        result = ingest_channel(channel, force=True)
        assert result.outcome == "ingested", result.error
        time.sleep(0.5)

    reply_case = Case.objects.get(messages__external_id=reply.external_id)
    assert reply_case.kind == MessageKind.REPLY
    assert (reply_case.post, reply_case.variant) == (post, variant)
    assert reply_case.department == personas.hr  # the rule, before the post's department
    assert Assignment.objects.get(case=reply_case).rule == rule
    assert reply_case.messages.get().text == "Meine Rechnung für die Serie stimmt nicht <b>bitte</b> prüfen"
    assert reply_case.contact is not None
    assert reply_case.contact.handles.get().author_id == theirs_account.did

    mention_case = Case.objects.get(messages__external_id=mention.external_id)
    assert mention_case.kind == MessageKind.MENTION
    assert mention_case.post is None
    assert mention_case.department == personas.marketing  # the channel's department
    assert mention_case.contact == reply_case.contact

    # Polling again, and the whole inbox delivered again from the start: nothing new.
    again = ingest_channel(channel, force=True)
    assert again.outcome == "ingested"
    assert again.report is not None
    assert again.report.new_messages == 0
    redelivered = ingest_items(channel, ours.fetch_inbox().items)
    assert redelivered.new_messages == 0
    assert redelivered.duplicates >= 2
    assert Message.objects.filter(channel=channel).count() == 2
    assert Case.objects.filter(channel=channel).count() == 2
