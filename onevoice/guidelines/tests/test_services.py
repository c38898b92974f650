"""The guideline services: who may write, publish, confirm and remind, the rules they keep, and the audit."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from onevoice.core.models import AuditEvent
from onevoice.guidelines import services
from onevoice.guidelines.models import Acknowledgement, Guideline, GuidelineVersion, Reminder
from onevoice.guidelines.tests.conftest import BODY_V1, BODY_V2, new_version, publish_guideline
from onevoice.organization.access import NotAllowed

pytestmark = pytest.mark.django_db


def verbs(personas) -> list[str]:
    return list(
        AuditEvent.objects.filter(organization=personas.organization, verb__startswith="guideline.")
        .order_by("pk")
        .values_list("verb", flat=True)
    )


class TestGuidelineCreate:
    def test_it_starts_a_guideline_with_a_draft_of_version_one(self, personas) -> None:
        version = services.guideline_create(actor=personas.smm, title=" Netiquette ", body=BODY_V1)
        assert version.guideline.title == "Netiquette"
        assert (version.number, version.published_at, version.created_by) == (1, None, personas.smm)
        assert verbs(personas) == ["guideline.created"]

    def test_an_admin_may_write_guidelines_too(self, personas) -> None:
        services.guideline_create(actor=personas.admin, title="Netiquette", body=BODY_V1)

    @pytest.mark.parametrize("role", ["cm", "contributor", "reviewer", "viewer"])
    def test_it_refuses_everyone_who_does_not_manage_strategy(self, personas, role) -> None:
        with pytest.raises(NotAllowed):
            services.guideline_create(actor=getattr(personas, role), title="Netiquette", body=BODY_V1)
        assert not Guideline.objects.exists()

    def test_it_refuses_an_empty_title_or_text(self, personas) -> None:
        with pytest.raises(ValidationError, match="title"):
            services.guideline_create(actor=personas.smm, title="  ", body=BODY_V1)
        with pytest.raises(ValidationError, match="cannot be empty"):
            services.guideline_create(actor=personas.smm, title="Netiquette", body=" \n ")

    def test_titles_are_unique_within_an_organisation_only(self, personas) -> None:
        services.guideline_create(actor=personas.smm, title="Netiquette", body=BODY_V1)
        with pytest.raises(ValidationError, match="already exists"):
            services.guideline_create(actor=personas.smm, title="netiquette", body=BODY_V1)
        services.guideline_create(actor=personas.outsider, title="Netiquette", body=BODY_V1)


class TestDraftSave:
    def test_a_new_draft_follows_the_published_version(self, personas, published) -> None:
        draft = services.draft_save(
            actor=personas.smm,
            guideline=published.guideline,
            title="Leitlinien",
            body=BODY_V2,
            change_note="x",
        )
        assert draft.number == 2
        assert draft.published_at is None
        assert Guideline.objects.get().title == "Leitlinien"

    def test_saving_again_changes_the_same_draft(self, personas, published) -> None:
        first = services.draft_save(
            actor=personas.smm, guideline=published.guideline, title="T", body="eins", change_note=""
        )
        second = services.draft_save(
            actor=personas.smm, guideline=published.guideline, title="T", body="zwei", change_note="n"
        )
        assert first.pk == second.pk
        assert GuidelineVersion.objects.filter(published_at=None).get().body == "zwei"
        assert verbs(personas)[-2:] == ["guideline.draft_saved", "guideline.draft_saved"]

    def test_the_published_text_never_changes(self, personas, published) -> None:
        services.draft_save(
            actor=personas.smm, guideline=published.guideline, title="T", body="neu", change_note=""
        )
        published.refresh_from_db()
        assert published.body == BODY_V1

    def test_it_refuses_a_cm_and_another_organisation(self, personas, published) -> None:
        with pytest.raises(NotAllowed):
            services.draft_save(
                actor=personas.cm, guideline=published.guideline, title="T", body="x", change_note=""
            )
        with pytest.raises(NotAllowed):
            services.draft_save(
                actor=personas.outsider, guideline=published.guideline, title="T", body="x", change_note=""
            )


class TestVersionPublish:
    def test_it_publishes_a_draft_and_audits_it(self, personas) -> None:
        version = services.guideline_create(actor=personas.smm, title="Netiquette", body=BODY_V1)
        services.version_publish(actor=personas.smm, version=version)
        version.refresh_from_db()
        assert version.published_at is not None
        assert version.published_by == personas.smm
        event = AuditEvent.objects.get(verb="guideline.published")
        assert event.after == {"title": "Netiquette", "version": 1, "change_note": ""}

    def test_it_calls_the_notification_hook_with_the_published_version(self, personas, monkeypatch) -> None:
        called: list[GuidelineVersion] = []
        monkeypatch.setattr(services, "notify_published", called.append)
        version = publish_guideline(personas)
        assert called == [version]

    def test_the_hook_names_everyone_who_must_read_it_but_the_publisher(self, personas, published) -> None:
        names = {m.user.full_name for m in services.notify_published(published)}
        assert "Sabine Strategie" not in names
        assert {"Petra Admin", "Chris Community", "Hanna Personal", "Gerd Geschäftsführer"} <= names
        assert "Otto Fremd" not in names

    def test_publishing_an_already_published_version_is_refused(self, personas, published) -> None:
        with pytest.raises(ValidationError, match="Version 1 was already published"):
            services.version_publish(actor=personas.smm, version=published)

    def test_a_new_version_needs_a_change_note_and_a_changed_text(self, personas, published) -> None:
        same = services.draft_save(
            actor=personas.smm, guideline=published.guideline, title="T", body=BODY_V1, change_note="x"
        )
        with pytest.raises(ValidationError, match="same text as version 1"):
            services.version_publish(actor=personas.smm, version=same)
        silent = services.draft_save(
            actor=personas.smm, guideline=published.guideline, title="T", body=BODY_V2, change_note=""
        )
        with pytest.raises(ValidationError, match="what changed"):
            services.version_publish(actor=personas.smm, version=silent)

    def test_it_refuses_those_who_do_not_manage_strategy(self, personas) -> None:
        version = services.guideline_create(actor=personas.smm, title="Netiquette", body=BODY_V1)
        for member in (personas.cm, personas.viewer, personas.outsider):
            with pytest.raises(NotAllowed):
                services.version_publish(actor=member, version=version)
        version.refresh_from_db()
        assert version.published_at is None


class TestAcknowledge:
    def test_a_member_confirms_the_current_version_once(self, personas, published) -> None:
        first = services.acknowledge(member=personas.contributor, version=published)
        again = services.acknowledge(member=personas.contributor, version=published)
        assert first.pk == again.pk
        assert Acknowledgement.objects.count() == 1
        assert verbs(personas).count("guideline.acknowledged") == 1

    def test_every_role_may_confirm(self, personas, published) -> None:
        for role in ("admin", "smm", "cm", "contributor", "reviewer", "viewer"):
            services.acknowledge(member=getattr(personas, role), version=published)
        assert Acknowledgement.objects.count() == 6

    def test_an_older_version_cannot_be_confirmed(self, personas, published) -> None:
        new_version(personas, published)
        with pytest.raises(ValidationError, match="newer version"):
            services.acknowledge(member=personas.cm, version=published)

    def test_a_draft_cannot_be_confirmed(self, personas) -> None:
        draft = services.guideline_create(actor=personas.smm, title="Netiquette", body=BODY_V1)
        with pytest.raises(ValidationError):
            services.acknowledge(member=personas.cm, version=draft)

    def test_someone_from_another_organisation_cannot_confirm(self, personas, published) -> None:
        with pytest.raises(NotAllowed):
            services.acknowledge(member=personas.outsider, version=published)


class TestRemindersSend:
    def test_it_reminds_everyone_who_has_not_confirmed_and_records_when(self, personas, published) -> None:
        services.acknowledge(member=personas.cm, version=published)
        reminded = services.reminders_send(actor=personas.smm, version=published)
        names = sorted(m.user.full_name for m in reminded)
        assert names == ["Gerd Geschäftsführer", "Hanna Personal", "Petra Admin", "Robert Recht"]
        assert Reminder.objects.filter(version=published, reminded_by=personas.smm).count() == 4
        assert all(r.reminded_at is not None for r in Reminder.objects.all())
        event = AuditEvent.objects.get(verb="guideline.reminded")
        assert event.after["members"] == names

    def test_it_calls_the_reminder_hook(self, personas, published, monkeypatch) -> None:
        calls = []
        monkeypatch.setattr(
            services, "remind", lambda version, members, by=None: calls.append((version, len(members)))
        )
        services.reminders_send(actor=personas.smm, version=published)
        assert calls == [(published, 5)]

    def test_nobody_left_to_remind_is_a_clear_message(self, personas, published) -> None:
        for role in ("admin", "smm", "cm", "contributor", "reviewer", "viewer"):
            services.acknowledge(member=getattr(personas, role), version=published)
        with pytest.raises(ValidationError, match="nobody to remind"):
            services.reminders_send(actor=personas.smm, version=published)

    def test_only_managers_remind(self, personas, published) -> None:
        with pytest.raises(NotAllowed):
            services.reminders_send(actor=personas.cm, version=published)
        assert not Reminder.objects.exists()


class TestDraftDiscard:
    def test_discarding_the_only_draft_removes_the_guideline(self, personas) -> None:
        draft = services.guideline_create(actor=personas.smm, title="Netiquette", body=BODY_V1)
        services.draft_discard(actor=personas.smm, version=draft)
        assert not Guideline.objects.exists()
        assert "guideline.draft_discarded" in verbs(personas)

    def test_discarding_a_later_draft_keeps_the_published_version(self, personas, published) -> None:
        draft = services.draft_save(
            actor=personas.smm, guideline=published.guideline, title="T", body="x", change_note=""
        )
        services.draft_discard(actor=personas.smm, version=draft)
        assert list(GuidelineVersion.objects.all()) == [published]

    def test_a_published_version_cannot_be_discarded(self, personas, published) -> None:
        with pytest.raises(ValidationError, match="stays in the history"):
            services.draft_discard(actor=personas.smm, version=published)
