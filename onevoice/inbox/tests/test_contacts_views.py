"""The contact list and page: who sees which contact and case, editing notes and VIP, merging."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onevoice.core.models import AuditEvent
from onevoice.inbox.models import Case, Contact, ContactHandle
from onevoice.inbox.tests.factories import make_case, make_channel

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(personas):
    marketing = make_channel(personas.organization, department=personas.marketing, name="Bluesky Marketing")
    hr = make_channel(
        personas.organization, department=personas.hr, name="Bluesky Karriere", handle="karriere.test"
    )
    return {
        "marketing": make_case(marketing, text="Frage zum Produkt", handle="karla.test", name="Karla Kundin"),
        "hr": make_case(
            hr, text="Bewerbung <b>offen</b>?", handle="bewerber.test", name="Bernd <i>Bewerber</i>"
        ),
        "karla_hr": make_case(hr, text="Karla fragt nach Jobs", handle="karla.test", name="Karla Kundin"),
    }


def _list(personas, who, **params):
    return personas.client_for(getattr(personas, who)).get(
        reverse("inbox:contacts", args=[personas.organization.slug]), params
    )


def _page(personas, contact):
    return reverse("inbox:contact", args=[personas.organization.slug, contact.public_id])


class TestContactList:
    def test_the_smm_sees_every_contact_and_a_cm_only_those_with_cases_they_see(self, personas, cases):
        everyone = _list(personas, "smm").content.decode()
        assert "Karla Kundin" in everyone
        assert "Bernd &lt;i&gt;Bewerber&lt;/i&gt;" in everyone
        marketing_cm = _list(personas, "cm").content.decode()
        assert "Karla Kundin" in marketing_cm
        assert "Bewerber" not in marketing_cm

    def test_it_searches_by_handle_and_vip(self, personas, cases):
        Contact.objects.filter(display_name="Karla Kundin").update(is_vip=True)
        found = _list(personas, "smm", q="bewerber.te").content.decode()
        assert "Bewerber" in found
        assert "Karla" not in found
        vips = _list(personas, "smm", vip="1").content.decode()
        assert "Karla" in vips
        assert "Bewerber" not in vips
        assert "No contact matches" in _list(personas, "smm", q="niemand").content.decode()

    def test_the_list_runs_the_same_number_of_queries_for_many_contacts(self, personas, cases):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client = personas.client_for(personas.cm)
        url = reverse("inbox:contacts", args=[personas.organization.slug])
        client.get(url)  # warm the session and the translation catalogue
        with CaptureQueriesContext(connection) as few:
            client.get(url)
        channel = cases["marketing"].channel
        for n in range(15):
            make_case(channel, text=f"Frage {n}", handle=f"person{n}.test", name=f"Person {n}")
        with CaptureQueriesContext(connection) as many:
            assert "Person 14" in client.get(url).content.decode()
        assert len(many) == len(few)

    @pytest.mark.parametrize("who", ["contributor", "reviewer", "viewer", "outsider"])
    def test_people_who_do_not_answer_the_community_get_404(self, personas, cases, who):
        assert _list(personas, who).status_code == 404


class TestContactPage:
    def test_it_shows_handles_and_only_the_cases_the_viewer_may_open(self, personas, cases):
        karla = cases["marketing"].contact
        html = personas.client_for(personas.cm).get(_page(personas, karla)).content.decode()
        assert "karla.test" in html
        assert "Frage zum Produkt" in html
        assert "Karla fragt nach Jobs" not in html
        assert "1 more case belongs to another department" in html
        full = personas.client_for(personas.smm).get(_page(personas, karla)).content.decode()
        assert "Karla fragt nach Jobs" in full
        assert "more case" not in full
        assert 'data-testid="dsgvo"' in full
        assert 'data-testid="dsgvo"' not in html

    def test_a_cm_cannot_open_a_contact_of_another_department_nor_an_outsider_any(self, personas, cases):
        bernd = cases["hr"].contact
        assert personas.client_for(personas.cm).get(_page(personas, bernd)).status_code == 404
        assert personas.client_for(personas.outsider).get(_page(personas, bernd)).status_code == 404

    def test_names_and_texts_from_the_network_are_escaped(self, personas, cases):
        html = personas.client_for(personas.smm).get(_page(personas, cases["hr"].contact)).content.decode()
        assert "Bernd &lt;i&gt;Bewerber&lt;/i&gt;" in html
        assert "<i>Bewerber" not in html

    def test_a_cm_marks_a_vip_and_writes_a_note_audited_without_the_text(self, personas, cases):
        karla = cases["marketing"].contact
        response = personas.client_for(personas.cm).post(
            _page(personas, karla),
            {"display_name": "Karla K.", "notes": "Stammkundin seit 2019", "is_vip": "on"},
        )
        assert response.status_code == 302
        karla.refresh_from_db()
        assert (karla.display_name, karla.notes, karla.is_vip) == ("Karla K.", "Stammkundin seit 2019", True)
        event = AuditEvent.objects.get(verb="contact.updated")
        assert event.after["is_vip"] is True
        assert sorted(event.after["changed"]) == [
            "display_name",
            "is_vip",
            "notes",
        ]
        assert "Karla" not in event.object_repr + str(event.after)
        assert "Stammkundin" not in str(event.after)

    def test_too_long_input_is_refused_and_the_typed_text_kept(self, personas, cases):
        karla = cases["marketing"].contact
        response = personas.client_for(personas.cm, "de").post(
            _page(personas, karla), {"display_name": "x" * 300, "notes": "Bitte behalten"}
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert "Bitte behalten" in html
        assert "Nothing you typed was lost" not in html
        karla.refresh_from_db()
        assert karla.display_name == "Karla Kundin"

    def test_a_contributor_cannot_edit(self, personas, cases):
        karla = cases["marketing"].contact
        response = personas.client_for(personas.contributor).post(_page(personas, karla), {"is_vip": "on"})
        assert response.status_code == 404
        karla.refresh_from_db()
        assert not karla.is_vip


class TestMerge:
    def test_handles_and_cases_move_and_the_other_contact_disappears(self, personas, cases):
        karla = cases["marketing"].contact
        mastodon = make_channel(
            personas.organization, department=personas.marketing, name="Mastodon", network="mastodon"
        )
        twin_case = make_case(
            mastodon, text="Hallo von Mastodon", handle="karla@social.example", name="Karla"
        )
        twin = twin_case.contact
        twin.notes = "Schreibt auch auf Mastodon"
        twin.save()
        client = personas.client_for(personas.cm)
        search = client.get(_page(personas, karla), {"merge_q": "social.example"}).content.decode()
        assert "karla@social.example" in search
        response = client.post(
            reverse("inbox:contact-merge", args=[personas.organization.slug, karla.public_id]),
            {"source": str(twin.public_id)},
        )
        assert response.status_code == 302
        assert not Contact.objects.filter(pk=twin.pk).exists()
        assert set(ContactHandle.objects.filter(contact=karla).values_list("network", flat=True)) == {
            "bluesky",
            "mastodon",
        }
        assert Case.objects.get(pk=twin_case.pk).contact == karla
        karla.refresh_from_db()
        assert "Schreibt auch auf Mastodon" in karla.notes
        event = AuditEvent.objects.get(verb="contact.merged")
        assert event.after == {"handles_moved": 1, "cases_moved": 1}

    def test_a_contact_of_another_organisation_cannot_be_merged_in(self, personas, cases):
        foreign_channel = make_channel(personas.outsider.organization, name="Fremd")
        foreign = make_case(foreign_channel, text="fremd", handle="fremd.test").contact
        karla = cases["marketing"].contact
        response = personas.client_for(personas.smm).post(
            reverse("inbox:contact-merge", args=[personas.organization.slug, karla.public_id]),
            {"source": str(foreign.public_id)},
        )
        assert response.status_code == 404
        assert Contact.objects.filter(pk=foreign.pk).exists()

    def test_merging_a_contact_into_itself_or_garbage_is_explained(self, personas, cases):
        karla = cases["marketing"].contact
        url = reverse("inbox:contact-merge", args=[personas.organization.slug, karla.public_id])
        client = personas.client_for(personas.cm)
        same = client.post(url, {"source": str(karla.public_id)}, follow=True)
        assert "Choose a different contact to merge." in same.content.decode()
        bad = client.post(url, {"source": "nonsense"}, follow=True)
        assert "Choose the contact to merge from the search results." in bad.content.decode()
        assert Contact.objects.filter(pk=karla.pk).exists()
