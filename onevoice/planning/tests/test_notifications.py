from __future__ import annotations

import pytest
from django.urls import reverse

from onevoice.planning import request_services as rs
from onevoice.planning.models import Notification, NotificationPreference
from onevoice.planning.notifications import DEFAULT_EMAIL_KINDS, email_kinds_of, notify

pytestmark = pytest.mark.django_db
K = Notification.Kind


def url(name: str, personas, *args) -> str:
    return reverse(f"planning:{name}", args=[personas.organization.slug, *args])


def note(
    member, text: str = "Bitte prüfen", kind: str = K.REVIEW_NEEDED, link: str = "/o/x/"
) -> Notification:
    return Notification.objects.create(recipient=member, kind=kind, text=text, url=link)


class TestNotify:
    def test_one_per_person_never_the_actor_nor_someone_who_left(self, personas) -> None:
        personas.viewer.is_active = False
        personas.viewer.save()
        people = [personas.smm, personas.smm, personas.cm, personas.viewer]
        created = notify(people, K.APPROVED, "Freigegeben", exclude=personas.cm)
        assert [n.recipient for n in created] == [personas.smm]

    def test_a_filed_request_reaches_the_deciders_only(self, personas) -> None:
        rs.request_file(actor=personas.contributor, department=personas.hr, title="Azubi-Tag")
        got = set(Notification.objects.values_list("recipient__user__email", flat=True))
        assert got == {"smm@muster.example", "admin@muster.example"}

    def test_mail_follows_the_default_until_the_person_chooses(
        self, personas, mailoutbox, django_capture_on_commit_callbacks
    ) -> None:
        assert set(DEFAULT_EMAIL_KINDS) == {
            K.REVIEW_NEEDED,
            K.POST_FAILED,
            K.PUBLISH_WAITING,
            K.PUBLISHING_PAUSED,
            K.APPROVAL_EXPIRING,
            K.CASE_OVERDUE,
            K.SPIKE_ALERT,
            K.REPLY_APPROVAL_NEEDED,
            K.REPLY_FAILED,
            K.WEBHOOK_FAILING,
        }
        with django_capture_on_commit_callbacks(execute=True):
            notify([personas.smm], K.REVIEW_NEEDED, "Bitte prüfen", "/o/muster-gmbh/plan/")
            notify([personas.smm], K.REQUEST_STATUS, "Neue Anfrage")
        assert [m.to for m in mailoutbox] == [["smm@muster.example"]]
        assert "Bitte prüfen" in mailoutbox[0].body
        assert "/o/muster-gmbh/plan/" in mailoutbox[0].body

        NotificationPreference.objects.create(membership=personas.smm, email_kinds=[K.REQUEST_STATUS])
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            notify([personas.smm, personas.cm], K.REVIEW_NEEDED, "Bitte prüfen")
            notify([personas.smm, personas.cm], K.REQUEST_STATUS, "Neue Anfrage")
        # The SMM chose request status only; the CM keeps the default (review needed).
        assert sorted((m.to[0], m.body.split("\n")[0]) for m in mailoutbox) == [
            ("cm@muster.example", "Bitte prüfen"),
            ("smm@muster.example", "Neue Anfrage"),
        ]
        assert Notification.objects.count() == 6  # in the app, everything is there


class TestReading:
    def test_the_list_shows_only_my_notifications(self, personas) -> None:
        note(personas.smm, "Für Sabine")
        note(personas.cm, "Für Chris")
        page = personas.client_for(personas.smm).get(url("notifications", personas)).content.decode()
        assert "Für Sabine" in page
        assert "Für Chris" not in page

    @pytest.mark.parametrize("persona", ["viewer", "reviewer", "contributor", "admin"])
    def test_everyone_in_the_organisation_has_a_list_and_a_bell(self, personas, persona) -> None:
        client = personas.client_for(getattr(personas, persona))
        assert client.get(url("notifications", personas)).status_code == 200
        assert client.get(url("notification-bell", personas)).status_code == 200
        assert client.get(url("notification-settings", personas)).status_code == 200

    def test_the_outsider_gets_404(self, personas) -> None:
        client = personas.client_for(personas.outsider)
        for name in ("notifications", "notification-bell", "notification-settings"):
            assert client.get(url(name, personas)).status_code == 404

    def test_marking_one_as_read(self, personas) -> None:
        mine = note(personas.smm)
        client = personas.client_for(personas.smm)
        response = client.post(url("notification-read", personas, mine.pk))
        assert response["Location"] == url("notifications", personas)
        mine.refresh_from_db()
        assert mine.read_at is not None
        first = mine.read_at
        client.post(url("notification-read", personas, mine.pk))  # again: stays read, same time
        mine.refresh_from_db()
        assert mine.read_at == first

    def test_opening_marks_read_and_goes_to_the_thing(self, personas) -> None:
        mine = note(personas.smm, link="/o/muster-gmbh/plan/requests/")
        response = personas.client_for(personas.smm).post(
            url("notification-read", personas, mine.pk), {"open": "1"}
        )
        assert response["Location"] == "/o/muster-gmbh/plan/requests/"
        mine.refresh_from_db()
        assert mine.read_at is not None

    def test_an_address_elsewhere_is_not_followed(self, personas) -> None:
        mine = note(personas.smm, link="https://evil.example/")
        response = personas.client_for(personas.smm).post(
            url("notification-read", personas, mine.pk), {"open": "1"}
        )
        assert response["Location"] == url("notifications", personas)

    def test_another_persons_notification_cannot_be_marked(self, personas) -> None:
        theirs = note(personas.cm)
        client = personas.client_for(personas.smm)
        assert client.post(url("notification-read", personas, theirs.pk)).status_code == 404
        assert client.post(url("notification-read", personas, 999_999)).status_code == 404
        outsider = personas.client_for(personas.outsider)
        other = reverse("planning:notification-read", args=[personas.outsider.organization.slug, theirs.pk])
        assert outsider.post(other).status_code == 404
        theirs.refresh_from_db()
        assert theirs.read_at is None

    def test_marking_all_as_read_touches_only_mine(self, personas) -> None:
        note(personas.smm)
        note(personas.smm)
        theirs = note(personas.cm)
        personas.client_for(personas.smm).post(url("notifications-read-all", personas))
        assert not Notification.objects.filter(recipient=personas.smm, read_at=None).exists()
        theirs.refresh_from_db()
        assert theirs.read_at is None

    def test_marking_needs_post(self, personas) -> None:
        mine = note(personas.smm)
        client = personas.client_for(personas.smm)
        assert client.get(url("notification-read", personas, mine.pk)).status_code == 405
        assert client.get(url("notifications-read-all", personas)).status_code == 405


class TestBell:
    def test_it_counts_unread_and_lists_the_latest_eight(self, personas) -> None:
        for n in range(10):
            note(personas.smm, f"Nachricht {n:02}")
        Notification.objects.filter(text="Nachricht 09").update(read_at="2026-01-01T00:00:00Z")
        response = personas.client_for(personas.smm).get(url("notification-bell", personas))
        page = response.content.decode()
        assert response["Cache-Control"] == "private, no-store"
        assert '<span class="visually-hidden">Notifications: 9 unread</span>' in page
        assert 'data-testid="notification-count">9<' in page
        assert [f"Nachricht {n:02}" in page for n in range(10)] == [False, False] + [True] * 8
        assert 'hx-trigger="every 60s' in page
        assert url("notifications", personas) in page

    def test_it_is_quiet_without_unread_notifications(self, personas) -> None:
        page = personas.client_for(personas.cm).get(url("notification-bell", personas)).content.decode()
        assert "notification-count" not in page
        assert "No notifications yet." in page

    def test_it_takes_a_constant_number_of_queries(self, personas, django_assert_max_num_queries) -> None:
        for n in range(30):
            note(personas.smm, f"Nachricht {n}")
        client = personas.client_for(personas.smm)
        with django_assert_max_num_queries(6):
            client.get(url("notification-bell", personas))

    def test_every_page_of_the_organisation_shows_it(self, personas) -> None:
        note(personas.contributor, "Ihre Anfrage wurde angenommen")
        page = personas.client_for(personas.contributor).get(url("requests", personas)).content.decode()
        assert 'id="notification-bell"' in page
        assert "Ihre Anfrage wurde angenommen" in page


class TestSettings:
    def test_the_defaults_are_shown_until_chosen(self, personas) -> None:
        page = personas.client_for(personas.cm).get(url("notification-settings", personas)).content.decode()
        assert (
            'value="review_needed" id="k-review_needed" aria-describedby="k-review_needed-help" checked'
            in page
        )
        assert (
            'value="request_status" id="k-request_status" aria-describedby="k-request_status-help">' in page
        )
        assert not NotificationPreference.objects.exists()  # looking saves nothing

    def test_choosing_kinds_saves_them_and_ignores_unknown_ones(self, personas) -> None:
        client = personas.client_for(personas.cm)
        response = client.post(url("notification-settings", personas), {"email": ["request_status", "bogus"]})
        assert response["Location"] == url("notification-settings", personas)
        assert email_kinds_of(personas.cm) == {"request_status"}
        client.post(url("notification-settings", personas), {})
        assert email_kinds_of(personas.cm) == set()
        assert email_kinds_of(personas.smm) == set(DEFAULT_EMAIL_KINDS)

    def test_the_choice_decides_the_mail_of_a_request_decision(
        self, personas, mailoutbox, django_capture_on_commit_callbacks
    ) -> None:
        personas.client_for(personas.contributor).post(
            url("notification-settings", personas), {"email": ["request_status"]}
        )
        request = rs.request_file(actor=personas.contributor, department=personas.hr, title="Azubi-Tag")
        with django_capture_on_commit_callbacks(execute=True):
            rs.request_decline(actor=personas.smm, request=request, reason="Kein Platz.")
        assert [m.to for m in mailoutbox] == [["hr@muster.example"]]
        assert "Kein Platz." in mailoutbox[0].body
