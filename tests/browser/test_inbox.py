"""The Community Manager's journey through the inbox in a real browser (German UI): the list, a case
triaged, taken, answered with a saved reply (placeholder filled in the composer), sent through the
(scripted) network and closed; axe-core on the list and the case page, screenshots at desktop and phone
width. A second test: a colleague's presence and a held second reply.

Bluesky talks to the scripted connector; tasks run inline, so the reply goes out within the request.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from onevoice.inbox.models import Case, CasePresence, Message, Priority, Reply
from onevoice.inbox.tests.factories import make_case, make_channel, make_saved_reply, make_tag
from onevoice.planning import services as plan
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, shoot
from tests.browser.test_people import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def busy_inbox(personas, scripted):
    """A Monday morning: a question on a post, a complaint running late, praise, an insult, a central case."""
    org = personas.organization
    now = timezone.now()
    marketing = make_channel(org, department=personas.marketing, name="Bluesky Marketing")
    central = make_channel(org, name="Bluesky Zentrale", handle="zentrale.test")
    post = plan.post_create(
        actor=personas.cm,
        title="Herbstaktion: 20 % auf alle Thermoskannen",
        department=personas.marketing,
        channels=[marketing],
        base_text="Unsere Herbstaktion startet!",
    )
    lieferung = make_tag(org, "Lieferung")
    lob = make_tag(org, "Lob")
    make_saved_reply(
        org,
        title="Lieferstatus erfragen",
        text="Hallo {name}, danke für Ihre Nachricht! Wir sehen uns die Bestellung {order_number} sofort an "
        "und melden uns heute noch.",
    )
    make_saved_reply(org, title="Danke für das Lob", text="Vielen Dank, {name}! Das freut das ganze Team.")
    question = make_case(
        marketing,
        text="Hallo, ich habe vor 10 Tagen bestellt und noch nichts bekommen. Wo bleibt meine Thermoskanne?",
        handle="karla.bsky.social",
        name="Karla Kundin",
        at=now - timedelta(minutes=35),
        post=post,
        tags=[lieferung],
        priority=Priority.HIGH,
    )
    make_case(
        marketing,
        text="Seit zwei Wochen keine Antwort vom Kundenservice. So geht man nicht mit Kunden um!",
        handle="frank.bsky.social",
        name="Frank Frust",
        at=now - timedelta(hours=6),
        first_response_due=now - timedelta(hours=2),
        sentiment="negative",
        priority=Priority.URGENT,
        tags=[lieferung],
    )
    make_case(
        marketing,
        text="Die neue Kanne hält den Tee wirklich 12 Stunden heiß. Top! 👍",
        handle="lena.bsky.social",
        name="Lena Lob",
        at=now - timedelta(hours=1),
        sentiment="positive",
        post=post,
        tags=[lob],
        priority=Priority.LOW,
    )
    make_case(
        central,
        text="Ihr seid doch alle Idioten <script>alert('x')</script>",
        handle="troll.bsky.social",
        name="<b>Troll</b>",
        at=now - timedelta(hours=2),
        sentiment="negative",
        offensive=True,
    )
    make_case(
        central,
        text="Gibt es die Kanne auch in Grün? Und liefern Sie nach Österreich?",
        handle="oskar.bsky.social",
        name="Oskar Ost",
        at=now - timedelta(minutes=5),
        status=Case.Status.NEW,
    )
    return question


def test_the_cm_triages_takes_answers_with_a_saved_reply_and_closes(
    page: Page, live_url: str, personas, busy_inbox, scripted
) -> None:
    case = busy_inbox
    log_in(page, live_url, "cm@muster.example")
    page.goto(f"{live_url}/o/{personas.organization.slug}/inbox/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    rows = page.get_by_test_id("case-row")
    expect(rows).to_have_count(5)
    expect(page.locator(".ov-case-row.is-overdue")).to_have_count(1)
    expect(page.get_by_test_id("cases")).to_contain_text("<b>Troll</b>")  # shown as text, not markup
    shoot(page, "inbox-list")
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    try:
        assert_accessible(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the list is {width}px wide on a {PHONE['width']}px phone"
    finally:
        page.set_viewport_size(DESKTOP)

    # A colleague has the case open: the page says so.
    CasePresence.objects.create(case=case, membership=personas.smm, seen_at=timezone.now())
    rows.filter(has_text="Karla Kundin").click()
    expect(page).to_have_url(re.compile(rf"/inbox/{case.public_id}/$"))
    expect(page.get_by_test_id("presence-person")).to_be_visible()
    expect(page.get_by_test_id("case-post")).to_contain_text("Herbstaktion")

    # Triage: one click corrects the sentiment.
    page.get_by_test_id("triage-open").first.click()
    page.get_by_test_id("triage-negative").first.click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert Case.objects.get(pk=case.pk).sentiment == "negative"

    # Take the case.
    page.get_by_test_id("take").click()
    expect(page.get_by_test_id("take")).to_have_count(0)
    assert Case.objects.get(pk=case.pk).assignee_id == personas.cm.pk

    # A saved reply, {name} filled, {order_number} selected for typing over.
    page.get_by_test_id("saved-replies").click()
    page.get_by_test_id("saved-reply").filter(has_text="Lieferstatus").click()
    composer = page.get_by_test_id("reply-text")
    expect(composer).to_have_value(re.compile(r"^Hallo Karla Kundin, danke"))
    expect(page.get_by_test_id("placeholders-left")).to_contain_text("{order_number}")
    expect(page.locator("mark.ov-placeholder")).to_have_count(1)
    shoot(page, "inbox-case-placeholder")
    page.keyboard.type("4711")
    expect(composer).to_have_value(re.compile(r"Bestellung 4711 sofort"))
    expect(page.get_by_test_id("reply-clean")).to_be_visible()
    shoot(page, "inbox-case")
    assert_accessible(page)

    page.get_by_test_id("send-reply").click()
    ours = page.get_by_test_id("message").filter(has_text="Bestellung 4711")
    expect(ours).to_have_class(re.compile(r"is-ours"))
    reply = Reply.objects.get(case=case)
    assert reply.state == Reply.State.SENT
    assert reply.saved_reply is not None
    to, request = scripted.replies[reply.idempotency_key]
    assert to == case.messages.get(direction=Message.Direction.INBOUND).external_id
    assert "4711" in request.text
    shoot(page, "inbox-case-answered")

    page.get_by_test_id("close-case").click()
    expect(page).to_have_url(re.compile(r"/inbox/$"))
    expect(page.get_by_test_id("case-row").filter(has_text="Karla Kundin")).to_have_count(0)
    closed = Case.objects.get(pk=case.pk)
    assert closed.status == Case.Status.CLOSED
    assert closed.first_response_at is not None


def test_a_second_reply_while_a_colleague_answered_is_held_until_confirmed(
    page: Page, live_url: str, personas, busy_inbox, scripted
) -> None:
    case = busy_inbox
    log_in(page, live_url, "cm@muster.example")
    page.goto(f"{live_url}/o/{personas.organization.slug}/inbox/{case.public_id}/")
    page.get_by_test_id("reply-text").fill("Wir kümmern uns darum!")
    # Meanwhile the SMM answers from her own browser.
    Reply.objects.create(case=case, author=personas.smm, text="Ist unterwegs!", state=Reply.State.SENT)
    expect(page.get_by_test_id("answered-meanwhile")).to_be_visible(timeout=12_000)
    page.get_by_test_id("send-reply").click()
    held = page.get_by_test_id("reply").filter(has_text="Wir kümmern uns darum!")
    expect(held).to_have_attribute("data-state", "held")
    shoot(page, "inbox-case-held")
    assert scripted.replies == {}
    page.get_by_test_id("confirm-held").click()
    expect(page.get_by_test_id("message").filter(has_text="Wir kümmern uns darum!")).to_be_visible()
    assert len(scripted.replies) == 1
