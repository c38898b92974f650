"""The inbox pages over HTTP: the list and its filters, a case and its actions, replies, saved replies;
the wrong role and another organisation get a 404, bad input keeps what was typed, network text is escaped."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from onevoice.inbox.models import Case, Message, Reply, SavedReply, TriageCorrection
from onevoice.inbox.tests.casework import case_url, cases_url, inbox_fixture  # noqa: F401
from onevoice.inbox.tests.factories import add_message, make_case, make_saved_reply, make_tag
from onevoice.networks.connectors.base import ConnectorError

pytestmark = pytest.mark.django_db


def saved_url(personas, name: str = "inbox:saved-replies", *args: object) -> str:
    return reverse(name, args=[personas.organization.slug, *args])


class TestList:
    def test_a_cm_sees_their_departments_and_central_cases_with_their_details(self, personas, inbox):
        tag = make_tag(personas.organization, "Lieferung")
        inbox.marketing.tags.add(tag)
        html = personas.client_for(personas.cm).get(cases_url(personas.cm)).content.decode()
        assert "Wann kommt meine Bestellung?" in html
        assert "Wer ist zuständig?" in html
        assert "Ausbildungsplätze" not in html  # HR's case
        assert "Fremde Anfrage" not in html
        assert "@<bdi>karla.test</bdi>" in html
        assert "Lieferung" in html
        assert 'data-testid="sla"' in html

    def test_overdue_cases_are_highlighted_and_filters_apply(self, personas, inbox):
        Case.objects.filter(pk=inbox.marketing.pk).update(
            first_response_due=timezone.now() - timedelta(hours=1)
        )
        client = personas.client_for(personas.smm)
        html = client.get(cases_url(personas.smm), {"view": "overdue"}).content.decode()
        assert "is-overdue" in html
        assert "overdue" in html
        assert "Ausbildungsplätze" not in html
        html = client.get(
            cases_url(personas.smm), {"channel": str(inbox.hr_channel.public_id)}
        ).content.decode()
        assert "Ausbildungsplätze" in html
        assert "Bestellung" not in html

    def test_nonsense_filters_fall_back_to_the_usual_list(self, personas, inbox):
        response = personas.client_for(personas.cm).get(
            cases_url(personas.cm),
            {"view": "<x>", "status": "gone", "channel": "nope", "page": "abc", "sort": "x", "priority": "z"},
        )
        assert response.status_code == 200
        assert "Bestellung" in response.content.decode()

    def test_the_viewer_and_the_outsider_get_no_inbox(self, personas, inbox):
        assert personas.client_for(personas.viewer).get(cases_url(personas.cm)).status_code == 404
        assert personas.client_for(personas.outsider).get(cases_url(personas.cm)).status_code == 404

    def test_the_list_costs_the_same_queries_for_few_and_many_cases(self, personas, inbox):
        client = personas.client_for(personas.cm)
        with CaptureQueriesContext(connection) as few:
            client.get(cases_url(personas.cm))
        tag = make_tag(personas.organization, "Viel")
        for n in range(20):
            make_case(inbox.marketing_channel, text=f"Frage {n}", handle=f"p{n}.test", tags=[tag])
        with CaptureQueriesContext(connection) as many:
            client.get(cases_url(personas.cm))
        assert len(many) == len(few)

    def test_the_live_poll_counts_new_cases_since_the_page_loaded(self, personas, inbox):
        client = personas.client_for(personas.cm)
        poll = reverse("inbox:cases-poll", args=[personas.organization.slug])
        since = timezone.now()
        assert (
            'data-testid="new-banner"' not in client.get(poll, {"since": since.isoformat()}).content.decode()
        )
        make_case(inbox.marketing_channel, text="Ganz neu", handle="neu.test", at=timezone.now())
        make_case(inbox.hr_channel, text="HR neu", handle="hrneu.test", at=timezone.now())
        html = client.get(poll, {"since": since.isoformat()}).content.decode()
        assert "1 case with new messages" in html

    def test_the_navigation_counts_my_open_cases(self, personas, inbox):
        Case.objects.filter(pk__in=[inbox.marketing.pk, inbox.central.pk]).update(assignee=personas.cm)
        html = personas.client_for(personas.cm).get(cases_url(personas.cm)).content.decode()
        assert 'data-testid="nav-open-cases">2' in html
        Case.objects.filter(pk=inbox.central.pk).update(status=Case.Status.CLOSED)
        html = personas.client_for(personas.cm).get(cases_url(personas.cm)).content.decode()
        assert 'data-testid="nav-open-cases">1' in html

    def test_the_navigation_shows_99_plus_beyond_99_open_cases(self, personas, inbox, monkeypatch):
        from onevoice.inbox import selectors

        Case.objects.filter(pk__in=[inbox.marketing.pk, inbox.central.pk]).update(assignee=personas.cm)
        monkeypatch.setattr(selectors, "OPEN_COUNT_CAP", 2)  # counting stops at the cap
        assert selectors.my_open_count(personas.cm) == 2
        monkeypatch.setattr(selectors, "OPEN_COUNT_CAP", 1)
        assert selectors.my_open_count(personas.cm) == 1
        monkeypatch.setattr(selectors, "my_open_count", lambda member: 100)
        html = personas.client_for(personas.cm).get(cases_url(personas.cm)).content.decode()
        assert 'data-testid="nav-open-cases">99+<' in html

    def test_the_filter_bar_offers_the_organisations_channels_and_tags_by_name(self, personas, inbox):
        make_tag(personas.organization, "Zoll")
        make_tag(personas.organization, "Abholung")
        make_tag(personas.outsider.organization, "Fremdes Thema")
        html = personas.client_for(personas.cm).get(cases_url(personas.cm)).content.decode()
        channel_bar = html[html.index('id="case-channel"') : html.index('id="case-priority"')]
        assert channel_bar.index("Abholung") < channel_bar.index("Zoll")
        assert "Fremdes Thema" not in html
        assert f'value="{inbox.hr_channel.public_id}"' in channel_bar
        assert "Andere Bluesky" not in channel_bar  # the other organisation's channel

    def test_the_filter_bar_keeps_what_was_chosen_and_escapes_names(self, personas, inbox):
        tag = make_tag(personas.organization, '<script>alert("x")</script> & Co')
        params = {
            "status": "waiting",
            "channel": str(inbox.marketing_channel.public_id),
            "tag": str(tag.public_id),
            "priority": "high",
        }
        html = personas.client_for(personas.cm).get(cases_url(personas.cm), params).content.decode()
        assert '<option value="waiting" selected>' in html
        assert f'<option value="{inbox.marketing_channel.public_id}" selected>' in html
        assert f'<option value="{tag.public_id}" selected>&lt;script&gt;alert(&quot;x&quot;)' in html
        assert '<option value="high" selected>' in html
        assert "<script>alert" not in html
        assert html.count(" selected>") == 5  # those four and the order ("newest first")


class TestCasePage:
    def test_the_thread_the_contact_and_earlier_cases(self, personas, inbox):
        earlier = make_case(
            inbox.central_channel,
            text="Alte Frage",
            handle="karla.test",
            at=timezone.now() - timedelta(days=30),
        )
        Case.objects.filter(pk=earlier.pk).update(status=Case.Status.CLOSED)
        html = personas.client_for(personas.cm).get(case_url(inbox.marketing)).content.decode()
        assert "Wann kommt meine Bestellung?" in html
        assert "Alte Frage" in html
        assert 'id="composer"' in html

    def test_wrong_department_wrong_role_and_another_organisation_get_404(self, personas, inbox):
        assert personas.client_for(personas.cm).get(case_url(inbox.hr)).status_code == 404
        assert personas.client_for(personas.viewer).get(case_url(inbox.marketing)).status_code == 404
        assert personas.client_for(personas.outsider).get(case_url(inbox.marketing)).status_code == 404
        foreign = reverse("inbox:case", args=[personas.organization.slug, inbox.foreign.public_id])
        assert personas.client_for(personas.smm).get(foreign).status_code == 404

    def test_a_contributor_reads_their_departments_case_and_writes_notes_but_cannot_act(
        self, personas, inbox
    ):
        client = personas.client_for(personas.contributor)
        html = client.get(case_url(inbox.hr)).content.decode()
        assert "Ausbildungsplätze" in html
        assert 'id="composer"' not in html
        assert client.post(case_url(inbox.hr, "inbox:take")).status_code == 404
        assert client.post(case_url(inbox.hr, "inbox:reply"), {"text": "Hallo"}).status_code == 404
        assert client.post(case_url(inbox.hr, "inbox:note"), {"text": "Frist 31.1."}).status_code == 302

    @pytest.mark.parametrize(
        "text",
        [
            "<script>alert('x')</script><img src=x onerror=alert(1)>",
            "Steuerzeichen \x07\x1b[31m rot \u202eesrever\u202c",
            "😀" * 500 + "a" * 20_000,
            "Zalgo: Z̵̧͚̈́a̸̛͉l̴̰̈g̶̱͝o̵̧͛ und \u200b\ufeff Null-Breite",
        ],
    )
    def test_network_text_is_shown_as_plain_text(self, personas, inbox, text):
        case = make_case(inbox.marketing_channel, text=text, handle="xss.test", name="<b>Böse</b>")
        response = personas.client_for(personas.cm).get(case_url(case))
        html = response.content.decode()
        assert response.status_code == 200
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "<b>Böse</b>" not in html
        assert "&lt;b&gt;Böse&lt;/b&gt;" in html
        listing = personas.client_for(personas.cm).get(cases_url(personas.cm)).content.decode()
        assert "<script>alert" not in listing
        assert "<b>Böse</b>" not in listing


class TestCaseActions:
    def test_take_assign_status_details(self, personas, inbox):
        client = personas.client_for(personas.cm)
        assert client.post(case_url(inbox.marketing, "inbox:take")).status_code == 302
        inbox.marketing.refresh_from_db()
        assert inbox.marketing.assignee == personas.cm
        client.post(
            case_url(inbox.marketing, "inbox:assign"),
            {"assignee": str(personas.smm.public_id), "department": str(personas.marketing.public_id)},
        )
        inbox.marketing.refresh_from_db()
        assert inbox.marketing.assignee == personas.smm
        client.post(case_url(inbox.marketing, "inbox:status"), {"status": "waiting"})
        tag = make_tag(personas.organization, "Lob")
        client.post(
            case_url(inbox.marketing, "inbox:details"), {"priority": "high", "tags": [str(tag.public_id)]}
        )
        inbox.marketing.refresh_from_db()
        assert (inbox.marketing.status, inbox.marketing.priority, inbox.marketing.needs_reply) == (
            "waiting",
            "high",
            False,
        )

    def test_closing_from_the_header_goes_back_to_the_list(self, personas, inbox):
        response = personas.client_for(personas.cm).post(
            case_url(inbox.marketing, "inbox:status"), {"status": "closed", "next": "list"}
        )
        assert response["Location"] == cases_url(personas.cm)

    def test_bad_input_is_refused_with_a_message(self, personas, inbox):
        client = personas.client_for(personas.cm)
        response = client.post(
            case_url(inbox.marketing, "inbox:assign"),
            {"assignee": str(personas.outsider.public_id)},
            follow=True,
        )
        assert "Choose a person" in response.content.decode()
        response = client.post(case_url(inbox.marketing, "inbox:status"), {"status": "gone"}, follow=True)
        assert "Choose one of the statuses" in response.content.decode()

    def test_an_empty_note_keeps_the_page_and_a_note_with_a_mention_is_added(self, personas, inbox):
        client = personas.client_for(personas.cm)
        assert client.post(case_url(inbox.marketing, "inbox:note"), {"text": ""}).status_code == 400
        client.post(case_url(inbox.marketing, "inbox:note"), {"text": "@Sabine <b>bitte</b> ansehen"})
        html = client.get(case_url(inbox.marketing)).content.decode()
        assert "@Sabine &lt;b&gt;bitte&lt;/b&gt; ansehen" in html

    def test_one_click_triage_correction(self, personas, inbox):
        message = inbox.marketing.messages.get()
        url = case_url(inbox.marketing, "inbox:triage", message.public_id)
        personas.client_for(personas.cm).post(url, {"field": "sentiment", "value": "negative"})
        assert TriageCorrection.objects.get().new_value == "negative"
        assert (
            personas.client_for(personas.contributor)
            .post(url, {"field": "sentiment", "value": "x"})
            .status_code
            == 404
        )

    def test_like_through_the_network(self, personas, inbox, scripted):
        message = inbox.marketing.messages.get()
        personas.client_for(personas.cm).post(
            case_url(inbox.marketing, "inbox:moderate", message.public_id, "like")
        )
        assert scripted.liked == [message.external_id]


class TestReplyViews:
    def test_a_reply_is_sent_from_the_composer(
        self, personas, inbox, scripted, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = personas.client_for(personas.cm).post(
                case_url(inbox.marketing, "inbox:reply"),
                {"text": "Danke, wir prüfen das!", "opened": timezone.now().isoformat()},
            )
        assert response.status_code == 302
        assert Reply.objects.get().state == Reply.State.SENT
        html = personas.client_for(personas.cm).get(case_url(inbox.marketing)).content.decode()
        assert "Danke, wir prüfen das!" in html

    def test_a_refused_reply_comes_back_with_the_typed_text_and_the_reason(self, personas, inbox):
        response = personas.client_for(personas.cm).post(
            case_url(inbox.marketing, "inbox:reply"), {"text": "Ihre Nummer {order_number} <bitte>"}
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert "Ihre Nummer {order_number} &lt;bitte&gt;</textarea>" in html
        assert "Fill in {order_number} before sending." in html
        assert not Reply.objects.exists()

    def test_a_failed_reply_shows_the_network_error_and_keeps_the_text_for_resending(
        self, personas, inbox, scripted, django_capture_on_commit_callbacks
    ):
        scripted.fail_reply = ConnectorError("Thread is locked", permanent=True, status=400)
        client = personas.client_for(personas.cm)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(case_url(inbox.marketing, "inbox:reply"), {"text": "Unsere Antwort"})
        html = client.get(case_url(inbox.marketing)).content.decode()
        assert "Thread is locked" in html
        assert ">Unsere Antwort</textarea>" in html
        reply = Reply.objects.get()
        bad = client.post(
            case_url(inbox.marketing, "inbox:reply-action", reply.public_id, "resend"), {"text": "x" * 400}
        )
        assert bad.status_code == 400
        assert ">" + "x" * 400 + "</textarea>" in bad.content.decode()
        scripted.fail_reply = None
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                case_url(inbox.marketing, "inbox:reply-action", reply.public_id, "resend"),
                {"text": "Neue Antwort"},
            )
        reply.refresh_from_db()
        assert (reply.state, reply.text) == (Reply.State.SENT, "Neue Antwort")

    def test_the_live_check_marks_placeholders_and_voice_findings(self, personas, inbox):
        response = personas.client_for(personas.cm).post(
            case_url(inbox.marketing, "inbox:reply-check"), {"text": "Hallo {name}, Nr. {order_number}"}
        )
        html = response.content.decode()
        assert 'class="ov-placeholder' in html
        assert "Fill in {name}, {order_number} before sending." in html

    def test_a_saved_reply_prefills_the_composer_without_javascript(self, personas, inbox):
        saved = make_saved_reply(personas.organization)
        html = (
            personas.client_for(personas.cm)
            .get(case_url(inbox.marketing), {"saved": str(saved.public_id)})
            .content.decode()
        )
        assert "Hallo Karla Kundin, danke für Ihre Nachricht!" in html

    def test_held_reply_is_confirmed_and_approval_is_given_in_the_page(
        self, personas, inbox, scripted, django_capture_on_commit_callbacks
    ):
        opened = (timezone.now() - timedelta(seconds=20)).isoformat()
        with django_capture_on_commit_callbacks(execute=True):
            personas.client_for(personas.smm).post(
                case_url(inbox.marketing, "inbox:reply"), {"text": "Erste", "opened": opened}
            )
            personas.client_for(personas.cm).post(
                case_url(inbox.marketing, "inbox:reply"), {"text": "Zweite", "opened": opened}
            )
        held = Reply.objects.get(text="Zweite")
        assert held.state == Reply.State.HELD
        html = personas.client_for(personas.cm).get(case_url(inbox.marketing)).content.decode()
        assert 'data-testid="confirm-held"' in html
        # Another person cannot confirm someone's held reply.
        other = personas.client_for(personas.contributor).post(
            case_url(inbox.marketing, "inbox:reply-action", held.public_id, "confirm")
        )
        assert other.status_code == 404
        with django_capture_on_commit_callbacks(execute=True):
            personas.client_for(personas.cm).post(
                case_url(inbox.marketing, "inbox:reply-action", held.public_id, "confirm")
            )
        held.refresh_from_db()
        assert held.state == Reply.State.SENT

    def test_presence_says_who_else_is_here_and_that_someone_answered(self, personas, inbox):
        opened = (timezone.now() - timedelta(seconds=20)).isoformat()
        personas.client_for(personas.smm).post(case_url(inbox.marketing, "inbox:presence"), {"typing": "1"})
        Reply.objects.create(
            case=inbox.marketing, author=personas.smm, text="Schon da", state=Reply.State.SENT
        )
        html = (
            personas.client_for(personas.cm)
            .post(case_url(inbox.marketing, "inbox:presence"), {"opened": opened})
            .content.decode()
        )
        assert "Sabine Strategie is typing" in html
        assert "answered meanwhile" in html
        assert (
            personas.client_for(personas.outsider)
            .post(case_url(inbox.marketing, "inbox:presence"))
            .status_code
            == 404
        )


class TestSavedReplyViews:
    def test_the_smm_adds_and_edits_a_saved_reply(self, personas):
        client = personas.client_for(personas.smm)
        response = client.post(
            saved_url(personas, "inbox:saved-reply-new"),
            {"title": "Dank", "language": "de", "text": "Danke, {name}!", "active": "on"},
        )
        assert response.status_code == 302
        saved = SavedReply.objects.get()
        client.post(
            saved_url(personas, "inbox:saved-reply", saved.public_id),
            {"title": "Dank!", "language": "en", "text": "Thanks, {name}!"},
        )
        saved.refresh_from_db()
        assert (saved.title, saved.language, saved.active) == ("Dank!", "en", False)
        assert "Dank!" in client.get(saved_url(personas)).content.decode()

    def test_bad_input_keeps_what_was_typed(self, personas):
        response = personas.client_for(personas.smm).post(
            saved_url(personas, "inbox:saved-reply-new"),
            {"title": "", "language": "de", "text": "Mein langer Text"},
        )
        assert response.status_code == 400
        assert "Mein langer Text" in response.content.decode()

    def test_a_cm_and_an_outsider_cannot_manage_them(self, personas):
        saved = make_saved_reply(personas.organization)
        assert personas.client_for(personas.cm).get(saved_url(personas)).status_code == 404
        assert (
            personas.client_for(personas.cm)
            .post(saved_url(personas, "inbox:saved-reply-delete", saved.public_id))
            .status_code
            == 404
        )
        assert personas.client_for(personas.outsider).get(saved_url(personas)).status_code == 404
        other = reverse("inbox:saved-reply", args=[personas.outsider.organization.slug, saved.public_id])
        assert personas.client_for(personas.outsider).get(other).status_code == 404
        assert SavedReply.objects.exists()


def test_a_later_message_of_the_author_joins_the_thread(personas, inbox):
    """The factory other parts' tests use adds to the thread and the case's counters."""
    add_message(inbox.marketing, "Nachtrag")
    assert Message.objects.filter(case=inbox.marketing).count() == 2
    assert Case.objects.get(pk=inbox.marketing.pk).message_count == 2
    assert "Nachtrag" in personas.client_for(personas.cm).get(case_url(inbox.marketing)).content.decode()
