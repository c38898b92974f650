from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from onevoice.core.audit import VERB_LABELS
from onevoice.core.models import AuditEvent
from onevoice.organization.access import NotAllowed
from onevoice.planning import request_services as rs
from onevoice.planning.models import ContentRequest, Notification, Post

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 briefing"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
R = ContentRequest.Status


@pytest.fixture(autouse=True)
def media_in_a_temporary_directory(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path


def url(name: str, personas, *args) -> str:
    return reverse(f"planning:{name}", args=[personas.organization.slug, *args])


def file_request(personas, **kwargs) -> ContentRequest:
    values = {"actor": personas.contributor, "department": personas.hr, "title": "X"} | kwargs
    return rs.request_file(**values)


@pytest.fixture
def filed(personas, channels) -> ContentRequest:
    return rs.request_file(
        actor=personas.contributor,
        department=personas.hr,
        title="Azubi-Tag",
        goal="Bewerbungen für 2027",
        briefing="Wir zeigen unsere Ausbildung.",
        links="https://muster.example/azubi",
        wished_from=timezone.localdate() + timedelta(days=10),
        wished_until=timezone.localdate() + timedelta(days=12),
        channels=channels[1:],
    )


def table(response) -> str:
    """The list's table only (the bell in the top bar names requests too)."""
    page = response.content.decode()
    return page[page.index('data-testid="requests"') : page.index("</table>")]


def last_sunday(year: int, month: int) -> date:
    day = date(year, month, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def recipients(kind: str = "request_status") -> set[str]:
    return {
        n.recipient.user.email
        for n in Notification.objects.filter(kind=kind).select_related("recipient__user")
    }


class TestFiling:
    def test_it_tells_the_deciders_of_the_department_only(self, personas, filed) -> None:
        # SMM and admin decide everything; the CM is Marketing's, this request is HR's.
        assert recipients() == {"smm@muster.example", "admin@muster.example"}
        assert AuditEvent.objects.filter(verb="request.filed", object_id=str(filed.public_id)).exists()

    def test_a_cm_of_the_department_is_told_too(self, personas) -> None:
        file_request(personas, actor=personas.smm, department=personas.marketing)
        assert recipients() == {"cm@muster.example", "admin@muster.example"}  # not the SMM who filed it

    def test_a_contributor_files_only_for_own_departments(self, personas) -> None:
        with pytest.raises(ValidationError, match="your own departments"):
            file_request(personas, department=personas.marketing)

    def test_a_cm_may_file_for_any_department(self, personas) -> None:
        assert file_request(personas, actor=personas.cm, department=personas.hr).department == personas.hr

    def test_viewers_and_reviewers_cannot_file(self, personas) -> None:
        for member in (personas.viewer, personas.reviewer):
            with pytest.raises(NotAllowed):
                file_request(personas, actor=member)

    def test_nothing_of_another_organisation_can_be_used(self, personas) -> None:
        other = personas.outsider.organization.departments.get()
        with pytest.raises(NotAllowed):
            file_request(personas, actor=personas.smm, department=other)
        with pytest.raises(NotAllowed):
            file_request(personas, contact=personas.outsider)

    def test_a_title_is_required(self, personas) -> None:
        with pytest.raises(ValidationError, match="Give the request a title"):
            file_request(personas, title="  ")

    def test_a_period_ending_before_it_starts_is_refused(self, personas) -> None:
        today = timezone.localdate()
        with pytest.raises(ValidationError, match="before its start"):
            file_request(personas, wished_from=today + timedelta(days=5), wished_until=today)

    def test_links_are_one_web_address_per_line(self, personas) -> None:
        request = file_request(personas, links="  https://a.example/x \n\nhttp://b.example\n")
        assert request.links == "https://a.example/x\nhttp://b.example"
        with pytest.raises(ValidationError, match="Line 2 is not a web address"):
            file_request(personas, links="https://a.example\njavascript:alert(1)")

    def test_files_are_stored_with_their_names(self, personas) -> None:
        request = file_request(
            personas,
            attachments=[rs.Attachment("Plakat.png", PNG), rs.Attachment("../../Briefing.pdf", PDF)],
        )
        assert sorted(a.name for a in request.attachments.all()) == ["Briefing.pdf", "Plakat.png"]
        assert request.attachments.get(name="Briefing.pdf").file.read() == PDF

    @pytest.mark.parametrize(
        ("name", "content", "message"),
        [
            ("tool.exe", b"MZ\x90\0", "not an image, PDF or office document"),
            ("fake.pdf", b"MZ\x90\0", "not an image, PDF or office document"),  # the content decides
            ("notes.txt", b"hello", "not an image, PDF or office document"),
            ("riff.webp", b"RIFF\0\0\0\0WAVE", "not an image, PDF or office document"),
            ("big.pdf", b"%PDF-" + b"0" * (20 * 1024 * 1024), "at most 20 MB"),
        ],
    )
    def test_wrong_or_large_files_are_refused_with_the_limit(self, personas, name, content, message) -> None:
        with pytest.raises(ValidationError, match=message):
            file_request(personas, attachments=[rs.Attachment(name, content, "application/pdf")])
        assert not ContentRequest.objects.exists()

    @pytest.mark.parametrize(
        ("name", "head"),
        [
            ("a.docx", b"PK\x03\x04"),
            ("a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
            ("a.odt", b"PK\x03\x04"),
            ("a.JPG", b"\xff\xd8\xff\xe0"),
            ("a.webp", b"RIFF\0\0\0\0WEBPVP8 "),
        ],
    )
    def test_office_documents_and_images_are_accepted(self, personas, name, head) -> None:
        assert file_request(personas, attachments=[rs.Attachment(name, head + b"\0" * 8)]).attachments.count()


class TestDeciding:
    def test_accepting_makes_a_draft_linked_to_the_request(self, personas, filed) -> None:
        Notification.objects.all().delete()
        post = rs.request_accept(actor=personas.smm, request=filed)
        assert post.request == filed
        assert post.status == Post.Status.DRAFT
        assert post.department == personas.hr
        assert post.base_text == "Wir zeigen unsere Ausbildung."
        assert post.title == "Azubi-Tag"
        assert timezone.localtime(post.publish_at).hour == 10
        assert timezone.localtime(post.publish_at).date() == filed.wished_from
        assert [v.channel.name for v in post.variants.all()] == ["Newsroom Karriere"]
        assert "Bewerbungen für 2027" in post.notes
        assert "https://muster.example/azubi" in post.notes
        filed.refresh_from_db()
        assert filed.status == R.ACCEPTED
        assert filed.decided_by == personas.smm
        assert recipients() == {"hr@muster.example"}
        assert "accepted" in Notification.objects.get().text

    def test_the_contact_person_is_told_too(self, personas) -> None:
        request = file_request(personas, contact=personas.admin)
        Notification.objects.all().delete()
        rs.request_decline(actor=personas.smm, request=request, reason="Nicht jetzt.")
        assert recipients() == {"hr@muster.example", "admin@muster.example"}

    def test_without_a_wished_date_it_is_an_unscheduled_draft(self, personas) -> None:
        post = rs.request_accept(actor=personas.smm, request=file_request(personas))
        assert post.status == Post.Status.DRAFT
        assert post.publish_at is None

    def test_a_wished_day_already_past_leaves_the_time_open(self, personas) -> None:
        request = file_request(personas, wished_from=timezone.localdate() + timedelta(days=1))
        # Days go by before anyone decides:
        request.wished_from = timezone.localdate() - timedelta(days=1)
        assert rs.request_accept(actor=personas.smm, request=request).publish_at is None

    @pytest.mark.parametrize(
        ("month", "days_after_change", "utc_hour"),
        [(3, 0, 8), (3, -1, 9), (10, 0, 9), (10, -1, 8)],
    )
    def test_ten_oclock_in_the_organisation_across_daylight_saving(
        self, personas, month, days_after_change, utc_hour
    ) -> None:
        # Next year's change days: the last Sundays of March (spring forward) and October (fall back).
        day = last_sunday(timezone.localdate().year + 1, month) + timedelta(days=days_after_change)
        request = file_request(personas, wished_from=day)
        post = rs.request_accept(actor=personas.smm, request=request)
        assert post.publish_at.astimezone(ZoneInfo("UTC")).hour == utc_hour
        assert post.publish_at.astimezone(ZoneInfo("Europe/Berlin")).hour == 10

    def test_the_organisations_time_zone_counts_not_the_servers(self, personas) -> None:
        personas.organization.time_zone = "America/New_York"
        personas.organization.save()
        request = file_request(personas, wished_from=date(timezone.localdate().year + 1, 6, 1))
        post = rs.request_accept(actor=personas.smm, request=request)
        assert post.publish_at.astimezone(ZoneInfo("UTC")).hour == 14

    def test_ask_answer_then_decline_keeps_everything_in_the_history(self, personas, filed) -> None:
        Notification.objects.all().delete()
        rs.request_ask(actor=personas.smm, request=filed, question="Welche Standorte?")
        assert filed.status == R.QUESTION
        assert recipients() == {"hr@muster.example"}
        Notification.objects.all().delete()
        rs.request_answer(actor=personas.contributor, request=filed, answer="München und Köln")
        assert filed.status == R.SUBMITTED
        assert filed.briefing == "Wir zeigen unsere Ausbildung."  # the briefing itself is untouched
        assert recipients() == {"smm@muster.example", "admin@muster.example"}
        with pytest.raises(ValidationError, match="reason"):
            rs.request_decline(actor=personas.smm, request=filed, reason=" ")
        rs.request_decline(actor=personas.smm, request=filed, reason="Passt nicht in den Plan.")
        assert filed.status == R.DECLINED
        history = [(h.verb, h.text) for h in rs.request_history(filed)]
        assert history == [
            ("request.filed", ""),
            ("request.question", "Welche Standorte?"),
            ("request.answered", "München und Köln"),
            ("request.declined", "Passt nicht in den Plan."),
        ]
        assert all(verb in VERB_LABELS for verb, _text in history)

    def test_the_answer_goes_into_the_posts_notes(self, personas, filed) -> None:
        rs.request_ask(actor=personas.smm, request=filed, question="Welche Standorte?")
        rs.request_answer(actor=personas.contributor, request=filed, answer="München und Köln")
        post = rs.request_accept(actor=personas.smm, request=filed)
        assert "Welche Standorte?" in post.notes
        assert "München und Köln" in post.notes

    def test_a_question_needs_text_and_only_the_requester_answers(self, personas, filed) -> None:
        with pytest.raises(ValidationError, match="Write your question"):
            rs.request_ask(actor=personas.smm, request=filed, question="")
        rs.request_ask(actor=personas.smm, request=filed, question="Wann genau?")
        with pytest.raises(NotAllowed):
            rs.request_answer(actor=personas.cm, request=filed, answer="Montag")
        with pytest.raises(ValidationError, match="Write your answer"):
            rs.request_answer(actor=personas.contributor, request=filed, answer="")

    def test_a_decided_request_cannot_be_decided_again(self, personas, filed) -> None:
        rs.request_accept(actor=personas.smm, request=filed)
        stale = ContentRequest.objects.get(pk=filed.pk)
        stale.status = R.SUBMITTED  # as another tab still shows it
        with pytest.raises(ValidationError, match="already decided"):
            rs.request_accept(actor=personas.admin, request=stale)
        with pytest.raises(ValidationError, match="already decided"):
            rs.request_decline(actor=personas.admin, request=stale, reason="Doch nicht")
        assert Post.objects.count() == 1

    def test_a_cm_of_another_department_cannot_decide(self, personas, filed) -> None:
        for decide in (
            lambda: rs.request_accept(actor=personas.cm, request=filed),
            lambda: rs.request_ask(actor=personas.cm, request=filed, question="?"),
            lambda: rs.request_decline(actor=personas.cm, request=filed, reason="Nein"),
        ):
            with pytest.raises(NotAllowed):
                decide()

    def test_a_cm_decides_requests_of_their_department(self, personas, channels) -> None:
        request = file_request(
            personas, actor=personas.smm, department=personas.marketing, channels=channels[:1]
        )
        post = rs.request_accept(actor=personas.cm, request=request)
        assert post.owner == personas.cm
        assert {e.verb for e in AuditEvent.objects.filter(object_id=str(request.public_id))} == {
            "request.filed",
            "request.accepted",
        }

    def test_contributors_do_not_decide(self, personas, filed) -> None:
        with pytest.raises(NotAllowed):
            rs.request_accept(actor=personas.contributor, request=filed)


class TestPages:
    @pytest.mark.parametrize(
        ("persona", "status"),
        [
            ("contributor", 200),
            ("cm", 200),
            ("smm", 200),
            ("admin", 200),
            ("viewer", 404),
            ("reviewer", 404),
            ("outsider", 404),
        ],
    )
    def test_who_sees_requests(self, personas, filed, persona, status) -> None:
        client = personas.client_for(getattr(personas, persona))
        assert client.get(url("requests", personas)).status_code == status
        assert client.get(url("request-new", personas)).status_code == status
        assert client.get(url("request", personas, filed.public_id)).status_code == status

    def test_a_contributor_sees_own_and_own_departments_requests_only(self, personas) -> None:
        mine = file_request(personas, title="Meine Anfrage")
        marketing = file_request(personas, actor=personas.cm, department=personas.marketing, title="Messe")
        named = file_request(
            personas,
            actor=personas.cm,
            department=personas.marketing,
            title="Mit Kontakt",
            contact=personas.contributor,
        )
        client = personas.client_for(personas.contributor)
        listed = table(client.get(url("requests", personas)))
        assert "Meine Anfrage" in listed
        assert "Mit Kontakt" in listed
        assert "Messe" not in listed
        assert client.get(url("request", personas, mine.public_id)).status_code == 200
        assert client.get(url("request", personas, named.public_id)).status_code == 200
        assert client.get(url("request", personas, marketing.public_id)).status_code == 404

    def test_the_list_filters_by_status_department_and_mine(self, personas) -> None:
        file_request(personas, title="Von Hanna")
        declined = file_request(personas, actor=personas.cm, department=personas.marketing, title="Von Chris")
        rs.request_decline(actor=personas.smm, request=declined, reason="Nein")
        client = personas.client_for(personas.cm)

        def titles(**query: str) -> set[str]:
            listed = table(client.get(url("requests", personas), query))
            return {t for t in ("Von Hanna", "Von Chris") if t in listed}

        assert titles() == {"Von Hanna", "Von Chris"}
        assert titles(status="declined") == {"Von Chris"}
        assert titles(department=str(personas.hr.public_id)) == {"Von Hanna"}
        assert titles(mine="1") == {"Von Chris"}
        assert titles(department="not-a-uuid", status="bogus") == {"Von Hanna", "Von Chris"}

    def test_the_list_takes_a_constant_number_of_queries(
        self, personas, django_assert_max_num_queries
    ) -> None:
        for n in range(30):
            file_request(personas, title=f"Anfrage {n}")
        client = personas.client_for(personas.contributor)
        with django_assert_max_num_queries(14):
            assert client.get(url("requests", personas)).status_code == 200

    def test_filing_with_a_file_and_a_link_through_the_form(self, personas, channels) -> None:
        response = personas.client_for(personas.contributor).post(
            url("request-new", personas),
            {
                "title": "Girls' Day",
                "department": personas.hr.pk,
                "briefing": "Mehr Technikerinnen!",
                "links": "https://muster.example/girlsday",
                "channels": [channels[1].pk],
                "contact": personas.contributor.pk,
                "attachments": [SimpleUploadedFile("briefing.pdf", PDF, "application/pdf")],
            },
        )
        request = ContentRequest.objects.get()
        assert response["Location"] == url("request", personas, request.public_id)
        assert request.attachments.get().name == "briefing.pdf"
        assert list(request.wished_channels.all()) == [channels[1]]

    def test_missing_title_and_a_reversed_period_keep_the_text(self, personas) -> None:
        today = timezone.localdate()
        response = personas.client_for(personas.contributor).post(
            url("request-new", personas),
            {
                "title": "",
                "department": personas.hr.pk,
                "briefing": "Mein langer Text",
                "wished_from": (today + timedelta(days=9)).isoformat(),
                "wished_until": today.isoformat(),
                "attachments": [SimpleUploadedFile("ok.pdf", PDF)],
            },
        )
        page = response.content.decode()
        assert response.status_code == 400
        assert "Mein langer Text" in page
        assert (today + timedelta(days=9)).isoformat() in page
        assert "Give the request a title" in page
        assert "before its start" in page
        assert "choose your files again" in page
        assert not ContentRequest.objects.exists()

    def test_a_wrong_file_is_refused_with_the_limit_and_the_rest_kept(self, personas) -> None:
        response = personas.client_for(personas.contributor).post(
            url("request-new", personas),
            {
                "title": "Sommerfest",
                "department": personas.hr.pk,
                "attachments": [SimpleUploadedFile("tool.exe", b"MZ\x90\0", "application/pdf")],
            },
        )
        page = response.content.decode()
        assert response.status_code == 400
        assert "Sommerfest" in page
        assert "at most 20 MB" in page
        assert "choose your files again" in page
        assert not ContentRequest.objects.exists()

    def test_a_contributor_cannot_pick_another_department_in_the_form(self, personas) -> None:
        response = personas.client_for(personas.contributor).post(
            url("request-new", personas), {"title": "X", "department": personas.marketing.pk}
        )
        assert response.status_code == 400
        assert not ContentRequest.objects.exists()

    def test_the_detail_page_shows_material_and_links_to_the_post(self, personas) -> None:
        request = file_request(
            personas, links="https://muster.example/a", attachments=[rs.Attachment("Flyer.pdf", PDF)]
        )
        client = personas.client_for(personas.contributor)
        page = client.get(url("request", personas, request.public_id)).content.decode()
        attachment = request.attachments.get()
        assert url("request-file", personas, request.public_id, attachment.pk) in page
        assert 'href="https://muster.example/a"' in page
        assert "Accept into the plan" not in page
        post = rs.request_accept(actor=personas.smm, request=request)
        page = client.get(url("request", personas, request.public_id)).content.decode()
        assert url("post", personas, post.public_id) in page
        assert "Accepted" in page

    def test_files_are_downloaded_only_by_people_who_see_the_request(self, personas) -> None:
        request = file_request(personas, attachments=[rs.Attachment("Flyer.pdf", PDF)])
        file_url = url("request-file", personas, request.public_id, request.attachments.get().pk)
        response = personas.client_for(personas.smm).get(file_url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        for persona in ("viewer", "outsider"):
            assert personas.client_for(getattr(personas, persona)).get(file_url).status_code == 404
        other = file_request(personas, actor=personas.smm, department=personas.marketing)
        wrong = url("request-file", personas, other.public_id, request.attachments.get().pk)
        assert personas.client_for(personas.smm).get(wrong).status_code == 404

    def test_accept_through_the_page_and_the_cm_of_another_department_cannot(self, personas, filed) -> None:
        cm = personas.client_for(personas.cm)
        assert (
            "Accept into the plan" not in cm.get(url("request", personas, filed.public_id)).content.decode()
        )
        assert cm.post(url("request-act", personas, filed.public_id, "accept")).status_code == 404
        smm = personas.client_for(personas.smm)
        response = smm.post(url("request-act", personas, filed.public_id, "accept"))
        post = Post.objects.get()
        assert response["Location"] == url("post", personas, post.public_id)
        # A second click (another tab) explains instead of failing.
        again = smm.post(url("request-act", personas, filed.public_id, "accept"), follow=True)
        assert "already decided" in again.content.decode()
        assert Post.objects.count() == 1

    def test_ask_and_answer_through_the_pages(self, personas, filed) -> None:
        smm = personas.client_for(personas.smm)
        response = smm.post(url("request-act", personas, filed.public_id, "ask"), {"text": ""})
        assert response.status_code == 400
        assert "Write your question" in response.content.decode()
        smm.post(url("request-act", personas, filed.public_id, "ask"), {"text": "Welche Standorte?"})
        contributor = personas.client_for(personas.contributor)
        page = contributor.get(url("request", personas, filed.public_id)).content.decode()
        assert "Welche Standorte?" in page
        assert "Send answer" in page
        contributor.post(url("request-act", personas, filed.public_id, "answer"), {"text": "Köln"})
        filed.refresh_from_db()
        assert filed.status == R.SUBMITTED
        page = smm.get(url("request", personas, filed.public_id)).content.decode()
        assert "Köln" in page  # in the history

    def test_declining_needs_a_reason_and_keeps_the_typed_text(self, personas, filed) -> None:
        smm = personas.client_for(personas.smm)
        response = smm.post(url("request-act", personas, filed.public_id, "decline"), {"text": "  "})
        assert response.status_code == 400
        assert "Give a reason" in response.content.decode()
        smm.post(url("request-act", personas, filed.public_id, "decline"), {"text": "Kein Platz im Mai."})
        page = personas.client_for(personas.contributor).get(url("request", personas, filed.public_id))
        assert "Kein Platz im Mai." in page.content.decode()

    def test_unknown_actions_and_other_organisations_are_404(self, personas, filed) -> None:
        smm = personas.client_for(personas.smm)
        assert smm.post(url("request-act", personas, filed.public_id, "delete")).status_code == 404
        outsider = personas.client_for(personas.outsider)
        other_url = reverse(
            "planning:request-act", args=[personas.outsider.organization.slug, filed.public_id, "accept"]
        )
        assert outsider.post(other_url).status_code == 404
        assert not Post.objects.exists()
