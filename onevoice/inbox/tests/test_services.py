"""Casework services: owning a case, its status, priority and tags, notes with @mentions, triage corrections,
moderation and the SMM's saved replies; each audited, each refused to the wrong person."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from onevoice.core.models import AuditEvent
from onevoice.inbox import services
from onevoice.inbox.models import Assignment, Case, Message, SavedReply, TriageCorrection
from onevoice.inbox.tests.casework import inbox_fixture  # noqa: F401
from onevoice.inbox.tests.factories import add_message, make_tag
from onevoice.networks.connectors.base import ConnectorError
from onevoice.organization.access import NotAllowed
from onevoice.planning.models import Notification

pytestmark = pytest.mark.django_db


class TestAssign:
    def test_taking_a_case_makes_it_mine_and_open_with_history_and_audit(self, personas, inbox):
        services.case_take(actor=personas.cm, case=inbox.marketing)
        inbox.marketing.refresh_from_db()
        assert inbox.marketing.assignee == personas.cm
        assert inbox.marketing.status == Case.Status.OPEN
        assert Assignment.objects.get(case=inbox.marketing).by == personas.cm
        assert AuditEvent.objects.filter(verb="case.assigned").count() == 1

    def test_the_new_owner_is_notified_and_may_move_it_to_another_department(self, personas, inbox):
        services.case_assign(
            actor=personas.smm,
            case=inbox.central,
            assignee=personas.cm,
            department=personas.marketing,
            keep_department=False,
        )
        inbox.central.refresh_from_db()
        assert inbox.central.department == personas.marketing
        note = Notification.objects.get(recipient=personas.cm)
        assert note.kind == Notification.Kind.CASE_ASSIGNED
        assert str(inbox.central.public_id) in note.url

    def test_nobody_outside_the_organisation_or_without_reply_can_own_it(self, personas, inbox):
        with pytest.raises(NotAllowed):
            services.case_assign(actor=personas.smm, case=inbox.marketing, assignee=personas.outsider)
        with pytest.raises(ValidationError):
            services.case_assign(actor=personas.smm, case=inbox.marketing, assignee=personas.viewer)

    def test_a_contributor_or_a_cm_of_another_department_cannot_work_the_case(self, personas, inbox):
        with pytest.raises(NotAllowed):
            services.case_take(actor=personas.contributor, case=inbox.hr)
        with pytest.raises(NotAllowed):
            services.case_take(actor=personas.cm, case=inbox.hr)


class TestStatus:
    def test_new_open_waiting_closed_and_reopened(self, personas, inbox):
        case = inbox.marketing
        for status in (Case.Status.OPEN, Case.Status.WAITING, Case.Status.CLOSED):
            services.case_set_status(actor=personas.cm, case=case, status=status)
        assert case.closed_at is not None
        services.case_set_status(actor=personas.cm, case=case, status=Case.Status.OPEN)
        case.refresh_from_db()
        assert (case.status, case.closed_at) == (Case.Status.OPEN, None)
        assert AuditEvent.objects.filter(verb="case.status_changed").count() == 4

    def test_a_closed_case_cannot_wait_for_the_customer_and_a_bad_status_is_refused(self, personas, inbox):
        services.case_set_status(actor=personas.cm, case=inbox.marketing, status=Case.Status.CLOSED)
        with pytest.raises(ValidationError, match="cannot become"):
            services.case_set_status(actor=personas.cm, case=inbox.marketing, status=Case.Status.WAITING)
        with pytest.raises(ValidationError):
            services.case_set_status(actor=personas.cm, case=inbox.marketing, status="deleted")


class TestDetails:
    def test_priority_tags_and_needs_no_reply(self, personas, inbox):
        tag = make_tag(personas.organization, "Lob")
        services.case_update(
            actor=personas.cm, case=inbox.marketing, priority="high", tags=[tag], needs_reply=False
        )
        inbox.marketing.refresh_from_db()
        assert (inbox.marketing.priority, inbox.marketing.needs_reply) == ("high", False)
        assert list(inbox.marketing.tags.all()) == [tag]
        event = AuditEvent.objects.get(verb="case.updated")
        assert event.after["tags"] == ["Lob"]

    def test_a_tag_of_another_organisation_is_refused(self, personas, inbox):
        foreign = make_tag(personas.outsider.organization, "Fremd")
        with pytest.raises(NotAllowed):
            services.case_update(actor=personas.cm, case=inbox.marketing, tags=[foreign])


class TestNotes:
    def test_mentioned_colleagues_who_see_the_case_are_notified(self, personas, inbox):
        note = services.note_add(
            actor=personas.cm, case=inbox.marketing, text="@Sabine Strategie bitte prüfen, @Hanna weiß mehr?"
        )
        assert list(note.mentions.all()) == [personas.smm]
        unreachable = note.unreachable  # type: ignore[attr-defined]
        assert [m.pk for m in unreachable] == [personas.contributor.pk]  # HR cannot see Marketing's case
        told = Notification.objects.get(kind=Notification.Kind.CASE_NOTE_MENTION)
        assert told.recipient == personas.smm
        assert AuditEvent.objects.filter(verb="case.note_added").count() == 1

    def test_an_empty_note_is_refused_and_a_contributor_may_note_their_departments_case(
        self, personas, inbox
    ):
        with pytest.raises(ValidationError):
            services.note_add(actor=personas.cm, case=inbox.marketing, text="   ")
        services.note_add(actor=personas.contributor, case=inbox.hr, text="Bewerbungsfrist ist der 31.1.")
        with pytest.raises(NotAllowed):
            services.note_add(actor=personas.contributor, case=inbox.marketing, text="Hallo")


class TestTriage:
    def test_a_correction_is_kept_and_updates_the_message_and_the_case(self, personas, inbox):
        message = inbox.marketing.messages.get()
        correction = services.triage_correct(
            actor=personas.cm, message=message, field="sentiment", value="negative"
        )
        assert correction is not None
        assert (correction.old_value, correction.new_value, correction.by) == (
            "neutral",
            "negative",
            personas.cm,
        )
        inbox.marketing.refresh_from_db()
        assert inbox.marketing.sentiment == "negative"
        services.triage_correct(actor=personas.cm, message=message, field="offensive", value="yes")
        services.triage_correct(actor=personas.cm, message=message, field="language", value="en")
        message.refresh_from_db()
        assert (message.offensive, message.language) == (True, "en")
        assert TriageCorrection.objects.count() == 3
        assert AuditEvent.objects.filter(verb="case.triage_corrected").count() == 3

    def test_an_older_message_does_not_change_the_case_and_bad_labels_are_refused(self, personas, inbox):
        first = inbox.marketing.messages.get()
        add_message(inbox.marketing, "Noch eine Frage")
        services.triage_correct(actor=personas.cm, message=first, field="sentiment", value="positive")
        inbox.marketing.refresh_from_db()
        assert inbox.marketing.sentiment == "neutral"
        with pytest.raises(ValidationError):
            services.triage_correct(actor=personas.cm, message=first, field="sentiment", value="wütend")
        with pytest.raises(ValidationError):
            services.triage_correct(actor=personas.cm, message=first, field="language", value="<script>")
        assert (
            services.triage_correct(actor=personas.cm, message=first, field="sentiment", value="positive")
            is None
        )


class TestModeration:
    def test_liking_goes_to_the_network_once_and_is_audited(self, personas, inbox, scripted):
        message = inbox.marketing.messages.get()
        services.message_like(actor=personas.cm, message=message)
        assert scripted.liked == [message.external_id]
        assert Message.objects.get(pk=message.pk).liked_at is not None
        assert AuditEvent.objects.filter(verb="message.liked").count() == 1

    def test_a_refusal_of_the_network_is_said_in_words(self, personas, inbox, scripted):
        scripted.fail_like = ConnectorError("Post not found", permanent=True, status=400)
        with pytest.raises(ValidationError, match="Post not found"):
            services.message_like(actor=personas.cm, message=inbox.marketing.messages.get())

    def test_a_contributor_cannot_moderate(self, personas, inbox):
        with pytest.raises(NotAllowed):
            services.message_like(actor=personas.contributor, message=inbox.hr.messages.get())

    def test_only_our_own_answers_can_be_deleted(self, personas, inbox):
        with pytest.raises(ValidationError, match="own answers"):
            services.message_delete(actor=personas.cm, message=inbox.marketing.messages.get())


class TestSavedReplies:
    def test_the_smm_creates_edits_and_deletes_them_audited(self, personas):
        saved = services.saved_reply_create(
            actor=personas.smm, title="Lieferzeit", text="Hallo {name}, …", language="de"
        )
        services.saved_reply_update(
            actor=personas.smm,
            saved=saved,
            title="Lieferung",
            text="Hallo {name}!",
            language="de",
            topic=None,
            active=False,
        )
        services.saved_reply_delete(actor=personas.smm, saved=saved)
        assert not SavedReply.objects.exists()
        verbs = list(
            AuditEvent.objects.filter(verb__startswith="saved_reply.").values_list("verb", flat=True)
        )
        assert sorted(verbs) == ["saved_reply.created", "saved_reply.deleted", "saved_reply.updated"]

    def test_a_cm_only_uses_them_and_an_empty_one_is_refused(self, personas):
        with pytest.raises(NotAllowed):
            services.saved_reply_create(actor=personas.cm, title="X", text="Y")
        with pytest.raises(ValidationError) as error:
            services.saved_reply_create(actor=personas.smm, title=" ", text="", language="xx")
        assert set(error.value.message_dict) == {"title", "text", "language"}

    def test_placeholders_name_is_filled_the_rest_left_to_fill(self, personas, inbox):
        text = services.fill_placeholders("Hallo {name}, Ihre Bestellung {order_number}?", inbox.marketing)
        assert text == "Hallo Karla Kundin, Ihre Bestellung {order_number}?"
        assert services.placeholders_left(text) == ["{order_number}"]


class TestHidingWhatARoutingRuleHides:
    def test_the_cases_community_messages_are_hidden_on_the_network_once(self, personas, scripted) -> None:
        from onevoice.inbox.tests.factories import make_case, make_channel

        case = make_case(make_channel(personas.organization))
        inbound = case.messages.get()

        assert services.cases_hide_on_network([case.pk]) == 1
        assert services.cases_hide_on_network([case.pk]) == 0

        assert scripted.hidden == [inbound.external_id]
        inbound.refresh_from_db()
        assert inbound.hidden_at is not None

    def test_a_refusing_network_leaves_the_message_visible_and_goes_on(
        self, personas, scripted, monkeypatch
    ) -> None:
        from onevoice.inbox.tests.factories import make_case, make_channel

        def refuse(self, external_id: str) -> None:
            raise ConnectorError("not allowed", permanent=True)

        monkeypatch.setattr(scripted, "hide", refuse)
        case = make_case(make_channel(personas.organization))

        assert services.cases_hide_on_network([case.pk]) == 0

        assert case.messages.get().hidden_at is None

    def test_routing_hands_hidden_cases_to_the_worker(self) -> None:
        from onevoice.inbox import routing
        from onevoice.inbox.tasks_casework import enqueue_hide

        assert enqueue_hide in routing.HIDE_ON_NETWORK
