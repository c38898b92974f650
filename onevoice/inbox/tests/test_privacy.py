"""DSGVO export and erasure of one contact, and the nightly retention rule with its settings page."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from onevoice.core.models import AuditEvent
from onevoice.inbox import privacy
from onevoice.inbox.models import (
    Case,
    Contact,
    ContactHandle,
    ForwardToken,
    InboxSettings,
    InternalNote,
    Message,
    Reply,
    TriageCorrection,
)
from onevoice.inbox.tests.factories import add_message, make_case, make_channel

pytestmark = pytest.mark.django_db

SECRET = "Meine Kundennummer ist 4711 <script>alert(1)</script>"


@pytest.fixture
def channel(personas):
    return make_channel(personas.organization, department=personas.marketing)


@pytest.fixture
def karla_case(personas, channel):
    case = make_case(channel, text=SECRET, handle="karla.test", name="Karla Kundin")
    message = case.messages.get()
    TriageCorrection.objects.create(
        message=message, field="sentiment", old_value="neutral", new_value="negative", by=personas.cm
    )
    InternalNote.objects.create(case=case, author=personas.cm, text="Karla ruft oft an")
    Reply.objects.create(case=case, author=personas.cm, text="Hallo Karla, wir prüfen das.", state="failed")
    return case


def _audit_text(verb: str) -> str:
    event = AuditEvent.objects.get(verb=verb)
    return json.dumps([event.object_repr, event.before, event.after])


class TestExport:
    def test_it_collects_everything_about_the_contact_and_nothing_about_others(
        self, personas, channel, karla_case
    ):
        other = make_case(channel, text="Ich bin jemand anderes", handle="otto.test", name="Otto")
        # Karla also wrote in Otto's thread; a note elsewhere mentions her handle.
        add_message(other, "Karla mischt sich ein", author_id="did:plc:karlatest", author_handle="karla.test")
        InternalNote.objects.create(case=other, text="Siehe auch karla.test")
        data = privacy.contact_export(karla_case.contact)
        assert data["contact"]["name"] == "Karla Kundin"
        assert data["handles"] == [
            {"network": "bluesky", "account_id": "did:plc:karlatest", "handle": "karla.test"}
        ]
        [case] = data["cases"]
        assert case["messages"][0]["text"] == SECRET
        assert case["messages"][0]["corrections"][0]["to"] == "negative"
        assert case["internal_notes"][0]["text"] == "Karla ruft oft an"
        assert case["replies_not_sent"][0]["text"].startswith("Hallo Karla")
        assert [m["text"] for m in data["messages_in_other_conversations"]] == ["Karla mischt sich ein"]
        assert [n["text"] for n in data["notes_mentioning_the_contact"]] == ["Siehe auch karla.test"]
        assert "Ich bin jemand anderes" not in privacy.export_json(data).decode()

    def test_the_smm_downloads_json_and_it_is_audited_without_personal_text(self, personas, karla_case):
        url = reverse("inbox:contact-export", args=[personas.organization.slug, karla_case.contact.public_id])
        response = personas.client_for(personas.smm).post(url, {"format": "json"})
        assert response.status_code == 200
        assert response["Content-Disposition"].endswith('.json"')
        assert json.loads(response.content)["cases"][0]["messages"][0]["text"] == SECRET
        logged = _audit_text("contact.exported")
        assert "Karla" not in logged
        assert "4711" not in logged

    def test_the_zip_has_json_csv_and_an_escaped_readable_page(self, personas, karla_case):
        url = reverse("inbox:contact-export", args=[personas.organization.slug, karla_case.contact.public_id])
        response = personas.client_for(personas.admin, "de").post(url, {"format": "zip"})
        assert response.status_code == 200
        archive = zipfile.ZipFile(io.BytesIO(response.content))
        assert sorted(archive.namelist()) == ["contact.json", "index.html", "messages.csv"]
        page = archive.read("index.html").decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<script>alert" not in page
        assert "Gespeicherte Daten" in page or "Data stored" in page
        assert "4711" in archive.read("messages.csv").decode("utf-8-sig")

    @pytest.mark.parametrize("who", ["cm", "contributor", "viewer", "outsider"])
    def test_only_smm_and_admin_may_export(self, personas, karla_case, who):
        url = reverse("inbox:contact-export", args=[personas.organization.slug, karla_case.contact.public_id])
        response = personas.client_for(getattr(personas, who)).post(url, {"format": "json"})
        assert response.status_code == 404
        assert not AuditEvent.objects.filter(verb="contact.exported").exists()

    def test_a_get_does_not_download(self, personas, karla_case):
        url = reverse("inbox:contact-export", args=[personas.organization.slug, karla_case.contact.public_id])
        assert personas.client_for(personas.smm).get(url).status_code == 405


class TestErasure:
    def test_anonymising_keeps_the_figures_and_removes_the_person(self, personas, channel, karla_case):
        other = make_case(channel, text="Andere Frage", handle="otto.test", name="Otto")
        add_message(other, "Karla auch hier", author_id="did:plc:karlatest", author_handle="karla.test")
        forward = ForwardToken.objects.create(
            case=karla_case,
            email="expertin@muster.example",
            question="Was sagen wir Karla?",
            token_hash="x" * 64,
            expires_at=timezone.now() + timedelta(days=3),
        )
        contact = karla_case.contact
        result = privacy.contact_erase(actor=personas.smm, contact=contact, mode="anonymize")
        assert result.cases == 1
        assert result.messages_elsewhere == 1
        assert not Contact.objects.filter(pk=contact.pk).exists()
        assert not ContactHandle.objects.filter(author_id="did:plc:karlatest").exists()
        case = Case.objects.get(pk=karla_case.pk)
        assert case.contact is None
        assert case.subject == ""
        assert case.thread_key.startswith("anon:")
        assert case.message_count == 1
        assert case.sentiment == "neutral"
        message = case.messages.get()
        assert (message.text, message.author_id, message.author_handle, message.url) == ("", "", "", "")
        assert message.external_id.startswith("anon:")
        assert TriageCorrection.objects.filter(message=message).exists()  # labels only, kept for quality
        assert InternalNote.objects.get(case=case).text == ""
        assert Reply.objects.get(case=case).text == ""
        forward.refresh_from_db()
        assert forward.question == ""
        assert forward.revoked_at is not None
        assert not Message.objects.filter(text="Karla auch hier").exists()
        assert Message.objects.filter(case=other, text="Andere Frage").exists()
        logged = _audit_text("contact.erased")
        assert "Karla" not in logged
        assert "karla.test" not in logged

    def test_deleting_removes_the_cases(self, personas, channel, karla_case):
        kept = make_case(channel, text="Bleibt", handle="otto.test", name="Otto")
        privacy.contact_erase(actor=personas.admin, contact=karla_case.contact, mode="delete")
        assert list(Case.objects.all()) == [kept]
        assert not TriageCorrection.objects.exists()

    def test_the_page_explains_and_requires_a_confirmation(self, personas, karla_case):
        url = reverse("inbox:contact-erase", args=[personas.organization.slug, karla_case.contact.public_id])
        client = personas.client_for(personas.smm, "de")
        page = client.get(url)
        assert page.status_code == 200
        assert "anonyme Kennzahlen" in page.content.decode() or "anonymous figures" in page.content.decode()
        refused = client.post(url, {"mode": "anonymize"})
        assert refused.status_code == 400
        assert Contact.objects.filter(pk=karla_case.contact.pk).exists()
        done = client.post(url, {"mode": "delete", "confirm": "on"})
        assert done.status_code == 302
        assert not Case.objects.exists()

    def test_an_unknown_mode_is_refused(self, personas, karla_case):
        url = reverse("inbox:contact-erase", args=[personas.organization.slug, karla_case.contact.public_id])
        response = personas.client_for(personas.smm).post(url, {"mode": "shred", "confirm": "on"})
        assert response.status_code == 400
        assert Contact.objects.filter(pk=karla_case.contact.pk).exists()

    @pytest.mark.parametrize("who", ["cm", "contributor", "viewer", "outsider"])
    def test_only_smm_and_admin_may_erase(self, personas, karla_case, who):
        url = reverse("inbox:contact-erase", args=[personas.organization.slug, karla_case.contact.public_id])
        client = personas.client_for(getattr(personas, who))
        assert client.get(url).status_code == 404
        assert client.post(url, {"mode": "delete", "confirm": "on"}).status_code == 404
        assert Case.objects.filter(pk=karla_case.pk).exists()


class TestRetention:
    NOW = datetime(2026, 11, 27, 3, 17, tzinfo=UTC)

    def _closed(self, channel, handle: str, months_ago: float, **fields):
        closed = self.NOW - timedelta(days=30.5 * months_ago)
        return make_case(
            channel,
            text=f"Nachricht von {handle}",
            handle=handle,
            at=closed - timedelta(days=1),
            status=Case.Status.CLOSED,
            closed_at=closed,
            **fields,
        )

    def test_months_before_keeps_the_day_or_takes_the_month_end(self):
        assert privacy.months_before(datetime(2026, 3, 31, tzinfo=UTC), 1) == datetime(
            2026, 2, 28, tzinfo=UTC
        )
        assert privacy.months_before(datetime(2026, 1, 15, tzinfo=UTC), 12) == datetime(
            2025, 1, 15, tzinfo=UTC
        )
        assert privacy.months_before(datetime(2024, 3, 30, tzinfo=UTC), 1) == datetime(
            2024, 2, 29, tzinfo=UTC
        )

    def test_it_anonymises_old_closed_cases_and_deletes_contacts_left_without_any(self, personas, channel):
        old = self._closed(channel, "alt.test", 13)
        recent = self._closed(channel, "neu.test", 11)
        still_open = make_case(
            channel, text="Noch offen", handle="offen.test", at=self.NOW - timedelta(days=500)
        )
        both = self._closed(channel, "beide.test", 14)
        make_case(channel, text="Neuer Fall", handle="beide.test", at=self.NOW - timedelta(days=2))
        Contact.objects.update(created_at=self.NOW - timedelta(days=600))
        preview = privacy.retention_preview(personas.organization, months=12, mode="anonymize", now=self.NOW)
        assert (preview.cases, preview.contacts) == (2, 1)

        result = privacy.retention_apply(personas.organization, now=self.NOW)
        assert (result.cases, result.contacts) == (2, 1)
        old.refresh_from_db()
        assert old.messages.get().text == ""
        assert old.contact is None
        assert not Contact.objects.filter(handles__handle="alt.test").exists()
        assert Contact.objects.filter(handles__handle="beide.test").exists()  # has a newer case
        both.refresh_from_db()
        assert both.contact is None
        assert both.messages.get().text == ""
        recent.refresh_from_db()
        still_open.refresh_from_db()
        assert recent.messages.get().text
        assert still_open.messages.get().text
        assert AuditEvent.objects.filter(verb="inbox.retention_applied").count() == 1

        again = privacy.retention_apply(personas.organization, now=self.NOW)
        assert (again.cases, again.contacts) == (0, 0)
        assert AuditEvent.objects.filter(verb="inbox.retention_applied").count() == 1

    def test_delete_mode_removes_old_cases_and_follows_the_months_setting(self, personas, channel):
        InboxSettings.objects.create(
            organization=personas.organization, retention_months=6, retention_mode="delete"
        )
        old = self._closed(channel, "alt.test", 7)
        kept = self._closed(channel, "neu.test", 5)
        result = privacy.retention_apply(personas.organization, now=self.NOW)
        assert result.cases == 1
        assert list(Case.objects.all()) == [kept]
        assert not Message.objects.filter(case_id=old.pk).exists()

    def test_other_organisations_are_untouched(self, personas, channel):
        mine = self._closed(channel, "alt.test", 13)
        privacy.retention_apply(personas.outsider.organization, now=self.NOW)
        mine.refresh_from_db()
        assert mine.messages.get().text

    def test_the_periodic_task_runs_every_organisation(self, personas, channel):
        from onevoice.inbox.tasks_privacy import apply_retention

        case = make_case(
            channel,
            text="uralt",
            handle="alt.test",
            at=timezone.now() - timedelta(days=800),
            status=Case.Status.CLOSED,
            closed_at=timezone.now() - timedelta(days=700),
        )
        apply_retention.call_local()
        case.refresh_from_db()
        assert case.messages.get().text == ""


class TestPrivacySettingsPage:
    def url(self, personas) -> str:
        return reverse("inbox:privacy", args=[personas.organization.slug])

    def test_the_smm_previews_then_saves(self, personas, channel):
        make_case(
            channel,
            text="alt",
            handle="alt.test",
            at=timezone.now() - timedelta(days=400),
            status=Case.Status.CLOSED,
            closed_at=timezone.now() - timedelta(days=100),
        )
        client = personas.client_for(personas.smm)
        page = client.get(self.url(personas))
        assert page.status_code == 200
        assert "would anonymise 0 cases" in page.content.decode()
        preview = client.post(
            self.url(personas), {"retention_months": "3", "retention_mode": "delete", "preview": "1"}
        )
        assert "would delete 1 case" in preview.content.decode()
        assert privacy.settings_of(personas.organization).retention_months == 12  # nothing saved yet
        saved = client.post(
            self.url(personas), {"retention_months": "3", "retention_mode": "delete", "save": "1"}
        )
        assert saved.status_code == 302
        current = InboxSettings.objects.get(organization=personas.organization)
        assert (current.retention_months, current.retention_mode) == (3, "delete")
        event = AuditEvent.objects.get(verb="inbox.retention_changed")
        assert event.after == {"retention_months": 3, "retention_mode": "delete"}

    def test_bad_input_is_explained_in_german_and_kept(self, personas):
        response = personas.client_for(personas.smm, "de").post(
            self.url(personas), {"retention_months": "0", "retention_mode": "anonymize", "save": "1"}
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert 'value="0"' in html
        assert "mindestens einen Monat" in html or "at least one month" in html
        assert not AuditEvent.objects.filter(verb="inbox.retention_changed").exists()

    @pytest.mark.parametrize("who", ["cm", "contributor", "viewer", "outsider"])
    def test_only_smm_and_admin_see_it(self, personas, who):
        client = personas.client_for(getattr(personas, who))
        assert client.get(self.url(personas)).status_code == 404
        assert (
            client.post(
                self.url(personas), {"retention_months": "1", "retention_mode": "delete", "save": "1"}
            ).status_code
            == 404
        )
