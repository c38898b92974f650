"""The guideline pages over HTTP: each by role, from another organisation, and with bad input."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onevoice.guidelines import services
from onevoice.guidelines.models import Acknowledgement, Guideline, GuidelineVersion, Reminder
from onevoice.guidelines.tests.conftest import BODY_V1, BODY_V2, new_version

pytestmark = pytest.mark.django_db

HOSTILE = "# Ton\n\nFreundlich <script>alert('xss')</script> [klick](javascript:alert(1)) <img src=x onerror=alert(2)>"


def url(personas, name: str, *args, org: str | None = None) -> str:
    return reverse(f"guidelines:{name}", args=[org or personas.organization.slug, *args])


def text(response) -> str:
    return response.content.decode()


def outsider_get(personas, name: str, *args) -> list[int]:
    """The outsider asks for the page in Muster GmbH and, with Muster's ids, in their own organisation."""
    client = personas.client_for(personas.outsider)
    return [
        client.get(url(personas, name, *args)).status_code,
        client.get(url(personas, name, *args, org=personas.outsider.organization.slug)).status_code,
    ]


def outsider_post(personas, name: str, *args, data=None) -> list[int]:
    client = personas.client_for(personas.outsider)
    return [
        client.post(url(personas, name, *args), data or {}).status_code,
        client.post(
            url(personas, name, *args, org=personas.outsider.organization.slug), data or {}
        ).status_code,
    ]


class TestGuidelineList:
    def test_a_member_sees_the_published_guidelines_and_a_banner_until_confirming(
        self, personas, published
    ) -> None:
        services.guideline_create(actor=personas.smm, title="Geheimer Entwurf", body=BODY_V1)
        client = personas.client_for(personas.contributor)
        page = text(client.get(url(personas, "list")))
        assert "Social-Media-Leitlinien" in page
        assert "Geheimer Entwurf" not in page
        assert 'data-testid="guideline-banner"' in page
        services.acknowledge(member=personas.contributor, version=published)
        page = text(client.get(url(personas, "list")))
        assert 'data-testid="guideline-banner"' not in page
        assert "You confirmed it on" in page

    def test_a_manager_sees_drafts_and_the_share(self, personas, published) -> None:
        services.guideline_create(actor=personas.smm, title="Geheimer Entwurf", body=BODY_V1)
        services.acknowledge(member=personas.cm, version=published)
        page = text(personas.client_for(personas.smm).get(url(personas, "list")))
        assert "Geheimer Entwurf" in page
        assert "1 of 6 people confirmed" in page
        assert "17 %" in page
        assert "New guideline" in page

    def test_a_member_without_the_manager_role_gets_no_new_button(self, personas, published) -> None:
        page = text(personas.client_for(personas.cm).get(url(personas, "list")))
        assert "New guideline" not in page
        assert "Who has read it" not in page

    def test_another_organisation_gets_404(self, personas, published) -> None:
        assert personas.client_for(personas.outsider).get(url(personas, "list")).status_code == 404

    def test_someone_logged_out_is_sent_to_log_in(self, personas, client) -> None:
        assert client.get(url(personas, "list")).status_code == 302


class TestGuidelineNew:
    def test_the_smm_saves_a_draft(self, personas) -> None:
        client = personas.client_for(personas.smm)
        assert client.get(url(personas, "new")).status_code == 200
        response = client.post(
            url(personas, "new"), {"title": "Netiquette", "body": BODY_V1, "change_note": ""}
        )
        guideline = Guideline.objects.get()
        assert response.status_code == 302
        assert response["Location"] == url(personas, "draft", guideline.public_id)
        assert guideline.versions.get().published_at is None

    def test_save_and_publish_publishes_at_once(self, personas) -> None:
        client = personas.client_for(personas.smm)
        response = client.post(
            url(personas, "new"), {"title": "Netiquette", "body": BODY_V1, "change_note": "", "publish": "1"}
        )
        version = GuidelineVersion.objects.get()
        assert response["Location"] == url(personas, "detail", version.guideline.public_id)
        assert version.published_at is not None

    @pytest.mark.parametrize("role", ["cm", "contributor", "reviewer", "viewer"])
    def test_the_wrong_role_gets_404(self, personas, role) -> None:
        client = personas.client_for(getattr(personas, role))
        assert client.get(url(personas, "new")).status_code == 404
        assert client.post(url(personas, "new"), {"title": "T", "body": "x"}).status_code == 404
        assert not Guideline.objects.exists()

    def test_another_organisation_gets_404(self, personas) -> None:
        assert personas.client_for(personas.outsider).get(url(personas, "new")).status_code == 404

    def test_an_empty_title_and_text_are_explained_and_nothing_typed_is_lost(self, personas) -> None:
        client = personas.client_for(personas.smm)
        response = client.post(
            url(personas, "new"), {"title": "", "body": "  ", "change_note": "Mein Hinweis"}
        )
        page = text(response)
        assert response.status_code == 400
        assert "Give the guideline a title" in page
        assert "Write the text of the guideline; it cannot be empty." in page
        assert "Mein Hinweis" in page
        response = client.post(url(personas, "new"), {"title": "Netiquette", "body": "", "change_note": ""})
        assert 'value="Netiquette"' in text(response)
        assert not Guideline.objects.exists()

    def test_a_duplicate_title_is_explained(self, personas, published) -> None:
        response = personas.client_for(personas.smm).post(
            url(personas, "new"), {"title": "Social-Media-Leitlinien", "body": "Mein langer Text"}
        )
        assert response.status_code == 400
        assert "already exists" in text(response)
        assert "Mein langer Text" in text(response)

    def test_the_preview_button_works_without_javascript(self, personas) -> None:
        response = personas.client_for(personas.smm).post(
            url(personas, "new"), {"title": "T", "body": HOSTILE, "preview": "1"}
        )
        page = text(response)
        assert '<h2 class="h4">Ton</h2>' in page
        assert "<script>alert" not in page
        assert not Guideline.objects.exists()


class TestPreview:
    def test_it_returns_the_sanitised_html_for_htmx(self, personas) -> None:
        response = personas.client_for(personas.smm).post(
            url(personas, "preview"), {"body": HOSTILE}, headers={"HX-Request": "true"}
        )
        page = text(response)
        assert response.status_code == 200
        assert '<h2 class="h4">Ton</h2>' in page
        assert "<script" not in page
        assert "onerror" not in page
        assert 'href="javascript' not in page
        assert "<html" not in page

    def test_an_empty_text_says_so(self, personas) -> None:
        response = personas.client_for(personas.smm).post(url(personas, "preview"), {"body": ""})
        assert "Nothing to show yet" in text(response)

    def test_the_wrong_role_and_another_organisation_get_404(self, personas) -> None:
        assert (
            personas.client_for(personas.cm).post(url(personas, "preview"), {"body": "x"}).status_code == 404
        )
        assert (
            personas.client_for(personas.outsider).post(url(personas, "preview"), {"body": "x"}).status_code
            == 404
        )

    def test_it_only_answers_post(self, personas) -> None:
        assert personas.client_for(personas.smm).get(url(personas, "preview")).status_code == 405


class TestDraftEdit:
    def test_a_new_draft_starts_from_the_current_text(self, personas, published) -> None:
        page = text(
            personas.client_for(personas.smm).get(url(personas, "draft", published.guideline.public_id))
        )
        assert "Wir schreiben freundlich." in page
        assert "Write version 2" in page

    def test_the_smm_saves_and_publishes_a_new_version(self, personas, published) -> None:
        client = personas.client_for(personas.smm)
        data = {"title": "Social-Media-Leitlinien", "body": BODY_V2, "change_note": "Neu: Krisenfall."}
        response = client.post(
            url(personas, "draft", published.guideline.public_id), {**data, "publish": "1"}
        )
        assert response.status_code == 302
        current = GuidelineVersion.objects.get(number=2)
        assert current.published_at is not None
        assert current.change_note == "Neu: Krisenfall."

    def test_publishing_without_a_change_note_keeps_the_draft_and_says_why(self, personas, published) -> None:
        client = personas.client_for(personas.smm)
        data = {"title": "Social-Media-Leitlinien", "body": BODY_V2, "change_note": "", "publish": "1"}
        response = client.post(url(personas, "draft", published.guideline.public_id), data, follow=True)
        page = text(response)
        assert "saved but not published" in page
        assert "what changed" in page
        assert "Sofort anrufen." in page  # what was typed is in the draft form
        assert GuidelineVersion.objects.get(number=2).published_at is None

    def test_an_empty_text_is_refused_and_the_title_kept(self, personas, published) -> None:
        response = personas.client_for(personas.smm).post(
            url(personas, "draft", published.guideline.public_id),
            {"title": "Neuer Titel", "body": "", "change_note": "Mein Hinweis"},
        )
        assert response.status_code == 400
        assert 'value="Neuer Titel"' in text(response)
        assert "Mein Hinweis" in text(response)
        assert not GuidelineVersion.objects.filter(number=2).exists()

    def test_the_wrong_role_gets_404(self, personas, published) -> None:
        client = personas.client_for(personas.cm)
        assert client.get(url(personas, "draft", published.guideline.public_id)).status_code == 404
        data = {"title": "T", "body": "x"}
        assert client.post(url(personas, "draft", published.guideline.public_id), data).status_code == 404

    def test_another_organisation_gets_404(self, personas, published) -> None:
        assert outsider_get(personas, "draft", published.guideline.public_id) == [404, 404]


class TestDraftDiscard:
    def test_the_smm_discards_a_draft(self, personas, published) -> None:
        services.draft_save(
            actor=personas.smm, guideline=published.guideline, title="T", body="x", change_note=""
        )
        response = personas.client_for(personas.smm).post(
            url(personas, "draft-discard", published.guideline.public_id)
        )
        assert response.status_code == 302
        assert list(GuidelineVersion.objects.all()) == [published]

    def test_the_wrong_role_and_another_organisation_get_404(self, personas, published) -> None:
        services.draft_save(
            actor=personas.smm, guideline=published.guideline, title="T", body="x", change_note=""
        )
        gid = published.guideline.public_id
        assert personas.client_for(personas.cm).post(url(personas, "draft-discard", gid)).status_code == 404
        assert outsider_post(personas, "draft-discard", gid) == [404, 404]
        assert GuidelineVersion.objects.count() == 2


class TestGuidelineDetail:
    def test_a_member_reads_the_current_version_and_can_confirm(self, personas, published) -> None:
        page = text(
            personas.client_for(personas.viewer).get(url(personas, "detail", published.guideline.public_id))
        )
        assert '<h2 class="h4">Ton</h2>' in page
        assert "I have read it" in page
        assert "Version 1, published on" in page
        assert "Write a new version" not in page

    def test_hostile_markdown_is_shown_sanitised(self, personas) -> None:
        version = services.guideline_create(actor=personas.smm, title="Böse", body=HOSTILE)
        services.version_publish(actor=personas.smm, version=version)
        page = text(
            personas.client_for(personas.cm).get(url(personas, "detail", version.guideline.public_id))
        )
        assert "alert('xss')" not in page
        assert "onerror" not in page
        assert 'href="javascript' not in page
        assert "Freundlich" in page

    def test_an_unpublished_guideline_is_404_for_members_but_shown_to_managers(self, personas) -> None:
        draft = services.guideline_create(actor=personas.smm, title="Entwurf", body=BODY_V1)
        gid = draft.guideline.public_id
        assert personas.client_for(personas.cm).get(url(personas, "detail", gid)).status_code == 404
        page = text(personas.client_for(personas.smm).get(url(personas, "detail", gid)))
        assert "has not been published yet" in page

    def test_another_organisation_gets_404(self, personas, published) -> None:
        assert outsider_get(personas, "detail", published.guideline.public_id) == [404, 404]


class TestVersionDetail:
    def test_an_older_version_shows_its_change_note_and_points_to_the_current(
        self, personas, published
    ) -> None:
        new_version(personas, published)
        client = personas.client_for(personas.cm)
        old = text(client.get(url(personas, "version", published.guideline.public_id, 1)))
        assert "This is the older version 1." in old
        assert "I have read it" not in old
        new = text(client.get(url(personas, "version", published.guideline.public_id, 2)))
        assert "Neu: Krisenfall." in new
        assert "Sofort anrufen." in new  # among the changed lines
        assert "I have read it" in new

    def test_a_draft_version_is_404_for_members(self, personas, published) -> None:
        services.draft_save(
            actor=personas.smm, guideline=published.guideline, title="T", body="x", change_note=""
        )
        gid = published.guideline.public_id
        assert personas.client_for(personas.cm).get(url(personas, "version", gid, 2)).status_code == 404
        assert "This is a draft" in text(
            personas.client_for(personas.smm).get(url(personas, "version", gid, 2))
        )

    def test_a_missing_version_is_404(self, personas, published) -> None:
        response = personas.client_for(personas.smm).get(
            url(personas, "version", published.guideline.public_id, 9)
        )
        assert response.status_code == 404

    def test_another_organisation_gets_404(self, personas, published) -> None:
        assert outsider_get(personas, "version", published.guideline.public_id, 1) == [404, 404]


class TestVersionPublish:
    def test_the_smm_publishes_a_draft(self, personas) -> None:
        draft = services.guideline_create(actor=personas.smm, title="Netiquette", body=BODY_V1)
        response = personas.client_for(personas.smm).post(
            url(personas, "publish", draft.guideline.public_id, 1), follow=True
        )
        assert "Version 1 is published" in text(response)
        draft.refresh_from_db()
        assert draft.published_at is not None

    def test_publishing_an_already_published_version_says_so(self, personas, published) -> None:
        response = personas.client_for(personas.smm).post(
            url(personas, "publish", published.guideline.public_id, 1), follow=True
        )
        assert "Version 1 was already published on" in text(response)
        assert "write a new draft" in text(response)

    def test_the_wrong_role_gets_404(self, personas) -> None:
        draft = services.guideline_create(actor=personas.smm, title="Netiquette", body=BODY_V1)
        assert (
            personas.client_for(personas.cm)
            .post(url(personas, "publish", draft.guideline.public_id, 1))
            .status_code
            == 404
        )
        draft.refresh_from_db()
        assert draft.published_at is None

    def test_another_organisation_gets_404(self, personas) -> None:
        draft = services.guideline_create(actor=personas.smm, title="Netiquette", body=BODY_V1)
        assert outsider_post(personas, "publish", draft.guideline.public_id, 1) == [404, 404]

    def test_it_only_answers_post(self, personas, published) -> None:
        client = personas.client_for(personas.smm)
        assert client.get(url(personas, "publish", published.guideline.public_id, 1)).status_code == 405


class TestAcknowledge:
    def test_a_member_confirms_and_sees_the_date(self, personas, published) -> None:
        client = personas.client_for(personas.contributor)
        response = client.post(url(personas, "acknowledge", published.guideline.public_id, 1), follow=True)
        page = text(response)
        assert "Thank you for confirming" in page
        assert "You confirmed on" in page
        assert Acknowledgement.objects.filter(membership=personas.contributor).exists()

    def test_confirming_an_older_version_explains_there_is_a_newer_one(self, personas, published) -> None:
        new_version(personas, published)
        client = personas.client_for(personas.contributor)
        response = client.post(url(personas, "acknowledge", published.guideline.public_id, 1), follow=True)
        assert "There is a newer version" in text(response)
        assert not Acknowledgement.objects.exists()

    def test_a_draft_cannot_be_confirmed_by_a_member(self, personas, published) -> None:
        services.draft_save(
            actor=personas.smm, guideline=published.guideline, title="T", body="x", change_note=""
        )
        client = personas.client_for(personas.contributor)
        assert client.post(url(personas, "acknowledge", published.guideline.public_id, 2)).status_code == 404

    def test_another_organisation_gets_404(self, personas, published) -> None:
        assert outsider_post(personas, "acknowledge", published.guideline.public_id, 1) == [404, 404]
        assert not Acknowledgement.objects.exists()


class TestAcknowledgements:
    def test_the_smm_sees_who_confirmed_with_dates_and_the_share(self, personas, published) -> None:
        services.acknowledge(member=personas.cm, version=published)
        response = personas.client_for(personas.smm).get(
            url(personas, "acknowledgements", published.guideline.public_id)
        )
        page = text(response)
        assert "17 %" in page
        assert "1 of 6 people confirmed version 1" in page
        assert "Chris Community" in page
        assert "Hanna Personal" in page
        assert "Otto Fremd" not in page
        assert page.count("Not yet") >= 5
        assert "Remind the 4 people who have not confirmed" in page  # not the SMM herself

    def test_the_smm_is_not_counted_among_those_to_remind(self, personas, published) -> None:
        for role in ("admin", "cm", "contributor", "reviewer", "viewer"):
            services.acknowledge(member=getattr(personas, role), version=published)
        gid = published.guideline.public_id
        page = text(personas.client_for(personas.smm).get(url(personas, "acknowledgements", gid)))
        assert "83 %" in page
        assert 'data-testid="guideline-remind"' not in page

    def test_an_unpublished_guideline_says_nobody_was_asked(self, personas) -> None:
        draft = services.guideline_create(actor=personas.smm, title="Netiquette", body=BODY_V1)
        page = text(
            personas.client_for(personas.smm).get(
                url(personas, "acknowledgements", draft.guideline.public_id)
            )
        )
        assert "nobody has been asked" in page

    @pytest.mark.parametrize("role", ["cm", "contributor", "reviewer", "viewer"])
    def test_the_wrong_role_gets_404(self, personas, published, role) -> None:
        client = personas.client_for(getattr(personas, role))
        assert client.get(url(personas, "acknowledgements", published.guideline.public_id)).status_code == 404

    def test_another_organisation_gets_404(self, personas, published) -> None:
        assert outsider_get(personas, "acknowledgements", published.guideline.public_id) == [404, 404]


class TestRemind:
    def test_the_smm_reminds_those_who_have_not_confirmed(self, personas, published) -> None:
        services.acknowledge(member=personas.cm, version=published)
        response = personas.client_for(personas.smm).post(
            url(personas, "remind", published.guideline.public_id), follow=True
        )
        assert "4 people were reminded to read version 1." in text(response)
        assert Reminder.objects.count() == 4

    def test_with_nobody_left_it_says_so(self, personas, published) -> None:
        for role in ("admin", "smm", "cm", "contributor", "reviewer", "viewer"):
            services.acknowledge(member=getattr(personas, role), version=published)
        response = personas.client_for(personas.smm).post(
            url(personas, "remind", published.guideline.public_id), follow=True
        )
        assert "nobody to remind" in text(response)

    def test_an_unpublished_guideline_cannot_be_reminded_of(self, personas) -> None:
        draft = services.guideline_create(actor=personas.smm, title="Netiquette", body=BODY_V1)
        response = personas.client_for(personas.smm).post(
            url(personas, "remind", draft.guideline.public_id), follow=True
        )
        assert "Publish a version first" in text(response)

    def test_the_wrong_role_and_another_organisation_get_404(self, personas, published) -> None:
        gid = published.guideline.public_id
        assert personas.client_for(personas.cm).post(url(personas, "remind", gid)).status_code == 404
        assert outsider_post(personas, "remind", gid) == [404, 404]
        assert not Reminder.objects.exists()
