"""Fixtures of the casework tests: channels of Marketing, HR and the centre, and a case on each."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import reverse

from onevoice.inbox.models import Case
from onevoice.inbox.tests.factories import make_case, make_channel
from onevoice.networks.models import Channel
from onevoice.organization.models import Membership


@dataclass
class Inbox:
    marketing_channel: Channel
    hr_channel: Channel
    central_channel: Channel
    marketing: Case
    hr: Case
    central: Case
    foreign: Case


@pytest.fixture(name="inbox")
def inbox_fixture(personas, scripted) -> Inbox:
    org = personas.organization
    marketing_channel = make_channel(org, department=personas.marketing, name="Bluesky Marketing")
    hr_channel = make_channel(org, department=personas.hr, name="Bluesky Karriere", handle="karriere.test")
    central_channel = make_channel(org, name="Bluesky Zentrale", handle="zentrale.test")
    foreign_channel = make_channel(
        personas.outsider.organization, name="Andere Bluesky", handle="andere.test"
    )
    return Inbox(
        marketing_channel=marketing_channel,
        hr_channel=hr_channel,
        central_channel=central_channel,
        marketing=make_case(marketing_channel, text="Wann kommt meine Bestellung?", handle="karla.test"),
        hr=make_case(hr_channel, text="Sind noch Ausbildungsplätze frei?", handle="bernd.test", name="Bernd"),
        central=make_case(central_channel, text="Wer ist zuständig?", handle="clara.test", name="Clara"),
        foreign=make_case(foreign_channel, text="Fremde Anfrage", handle="fremd.test", name="Fremd"),
    )


def case_url(case: Case, name: str = "inbox:case", *args: object) -> str:
    return reverse(name, args=[case.organization.slug, case.public_id, *args])


def cases_url(member: Membership) -> str:
    return reverse("inbox:cases", args=[member.organization.slug])
