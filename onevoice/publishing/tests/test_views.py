"""The publishing pages: the log, retry and cancel, bulk re-drive, pause all and resume, the late window.

Posts are scheduled through the real workflow (see conftest.py) and made due; Bluesky talks to the
scripted connector; tasks run inline, after the commit (hence `django_capture_on_commit_callbacks`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from onevoice.networks import services as channel_services
from onevoice.networks.connectors.base import ConnectorError
from onevoice.networks.models import Channel
from onevoice.planning.models import Post
from onevoice.publishing import services
from onevoice.publishing.models import Publication, PublishingSettings
from onevoice.publishing.tests.conftest import make_due

pytestmark = pytest.mark.django_db
P = Publication.State

BANNER = "All publishing is paused."
NOT_MEMBERS_ACTIONS = ("contributor", "reviewer", "viewer")


def url(name: str, personas, *args: object, org: str | None = None) -> str:
    return reverse(f"publishing:{name}", args=[org or personas.organization.slug, *args])


def calendar(personas, org: str | None = None) -> str:
    return reverse("planning:calendar", args=[org or personas.organization.slug])


def body(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def rows(page: str) -> str:
    """The table of publications (not the tries below it, nor the notifications)."""
    start = page.find('data-testid="publications"')
    return page[start : page.index("</table>", start)] if start >= 0 else ""


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.nested: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "form":
            action = dict(attrs).get("action") or ""
            if self.open:
                self.nested.append(f"{action} inside {self.open[-1]}")
            self.open.append(action)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.open:
            self.open.pop()


def nested_forms(page: str) -> list[str]:
    """Forms inside forms: a browser ignores the inner <form> tag and its button submits the outer form."""
    parser = _Forms()
    parser.feed(page)
    return parser.nested


def run(publication: Publication) -> str:
    publication.refresh_from_db()
    return services.publication_run(publication.pk, publication.schedule_version)


def fresh(publication: Publication) -> Publication:
    publication.refresh_from_db()
    return publication


def state_of(publication: Publication) -> str:
    return fresh(publication).state


@pytest.fixture
def failed(schedule, bluesky, scripted) -> Callable[..., Publication]:
    """A publication the network refused; the connector works again afterwards."""

    def make(title: str = "Produktlaunch", message: str = "Text too long", channel: Channel | None = None):
        scripted.fail_publish = ConnectorError(message, permanent=True)
        post = schedule([channel or bluesky], title=title)
        (publication,) = make_due(post)
        assert run(publication) == P.FAILED
        scripted.fail_publish = None
        return fresh(publication)

    return make


@pytest.fixture
def too_late(schedule, bluesky, scripted) -> Publication:
    """A post whose time passed long ago (an outage): it waits for a person instead of going out."""
    post = schedule([bluesky], title="Sommerfest")
    (publication,) = make_due(post, minutes_ago=180)
    assert run(publication) == P.NEEDS_PERSON
    return fresh(publication)


@pytest.fixture
def waiting(schedule, bluesky) -> Publication:
    """Scheduled for a day ahead: queued."""
    post = schedule([bluesky], title="Messe-Teaser")
    return Publication.objects.get(variant__post=post)


@pytest.fixture
def hr_bluesky(personas, scripted) -> Channel:
    """A channel of another department: the CM (Marketing) may only read it."""
    return channel_services.channel_connect_bluesky(
        actor=personas.smm,
        name="Bluesky Karriere",
        department=personas.hr,
        identifier="karriere.test",
        app_password="abcd-efgh-ijkl-mnop",
        service="https://bsky.social",
    )


def paused(personas) -> bool:
    return PublishingSettings.objects.filter(
        organization=personas.organization, paused_at__isnull=False
    ).exists()


# ---- the log ------------------------------------------------------------------------------------------


class TestLog:
    def test_the_smm_sees_what_failed_why_and_what_to_do(self, personas, failed) -> None:
        publication = failed(message="Text too long")
        page = body(personas.client_for(personas.smm).get(url("log", personas)))
        assert "Produktlaunch" in page
        assert 'data-state="failed"' in page
        assert "Bluesky refused the post: Text too long" in page
        assert "Change the text or images so the network accepts them, then retry." in page
        # Stuck ones are ticked for the bulk actions, and the SMM has the crisis button and the late window.
        assert f'name="publication" value="{publication.public_id}" checked' in page
        assert 'data-testid="bulk-redrive"' in page
        assert 'data-testid="pause-open"' in page
        assert url("late-window", personas) in page
        assert url("retry", personas, publication.public_id) in page
        # Every try is listed with the network's answer.
        assert 'data-testid="attempts"' in page
        assert "Refused" in page

    def test_the_log_opens_on_what_needs_attention_when_something_is_stuck(
        self, personas, failed, waiting
    ) -> None:
        failed()
        client = personas.client_for(personas.smm)
        page = body(client.get(url("log", personas)))
        assert "Produktlaunch" in rows(page)
        assert "Messe-Teaser" not in rows(page)
        assert 'data-testid="stuck-count">1<' in page
        page = body(client.get(url("log", personas), {"show": "waiting"}))
        assert "Messe-Teaser" in rows(page)
        assert "Produktlaunch" not in rows(page)
        page = body(client.get(url("log", personas), {"show": "all"}))
        assert "Messe-Teaser" in rows(page)
        assert "Produktlaunch" in rows(page)

    def test_nothing_stuck_shows_everything(self, personas, waiting) -> None:
        page = body(personas.client_for(personas.smm).get(url("log", personas)))
        assert "Messe-Teaser" in rows(page)
        assert 'data-state="queued"' in page
        page = body(personas.client_for(personas.smm).get(url("log", personas), {"show": "stuck"}))
        assert "Nothing needs attention." in page

    def test_a_channel_filter_shows_only_that_channel(self, personas, failed, hr_bluesky) -> None:
        failed(title="Marketing-Post")
        failed(title="Karriere-Post", channel=hr_bluesky)
        client = personas.client_for(personas.smm)
        page = body(client.get(url("log", personas), {"channel": str(hr_bluesky.public_id)}))
        assert "Karriere-Post" in rows(page)
        assert "Marketing-Post" not in rows(page)
        assert "Bluesky Karriere" in page
        # A broken channel id is ignored rather than an error.
        page = body(client.get(url("log", personas), {"channel": "nonsense"}))
        assert "Marketing-Post" in rows(page)

    def test_a_cm_acts_on_the_channels_of_their_department_but_does_not_manage(
        self, personas, failed, hr_bluesky
    ) -> None:
        own = failed(title="Marketing-Post")
        other = failed(title="Karriere-Post", channel=hr_bluesky)
        page = body(personas.client_for(personas.cm).get(url("log", personas)))
        assert "Marketing-Post" in rows(page)
        assert "Karriere-Post" in rows(page)  # read access: listed
        assert url("retry", personas, own.public_id) in page
        assert url("retry", personas, other.public_id) not in page
        assert url("cancel", personas, other.public_id) not in page
        assert 'data-testid="pause-open"' not in page
        assert 'name="publication"' not in page
        assert url("late-window", personas) not in page
        assert "60 minutes" in page  # the late window, read only

    @pytest.mark.parametrize("role", ["contributor", "reviewer", "viewer"])
    def test_everyone_who_sees_the_plan_reads_the_log_without_actions(self, personas, failed, role) -> None:
        publication = failed()
        page = body(personas.client_for(getattr(personas, role)).get(url("log", personas)))
        assert "Produktlaunch" in rows(page)
        assert 'data-state="failed"' in page
        assert "Bluesky refused the post" in page
        for action in ("retry", "cancel"):
            assert url(action, personas, publication.public_id) not in page
        for action in ("pause", "resume", "late-window"):
            assert url(action, personas) not in page
        assert 'name="publication"' not in page  # nothing to tick
        assert 'data-testid="bulk-redrive"' not in page

    def test_another_organisation_gets_404(self, personas, failed) -> None:
        failed()
        client = personas.client_for(personas.outsider)
        assert client.get(url("log", personas)).status_code == 404
        # Their own log does not list this organisation's publications.
        page = body(client.get(url("log", personas, org=personas.outsider.organization.slug)))
        assert "Produktlaunch" not in page
        assert "Nothing here yet." in page

    def test_a_channel_of_another_organisation_is_not_found(self, personas, bluesky) -> None:
        client = personas.client_for(personas.outsider)
        response = client.get(
            url("log", personas, org=personas.outsider.organization.slug), {"channel": str(bluesky.public_id)}
        )
        assert response.status_code == 404

    def test_anonymous_people_are_sent_to_log_in(self, personas) -> None:
        response = Client().get(url("log", personas))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]

    def test_text_from_the_network_is_escaped(self, personas, failed) -> None:
        failed(message='<script>alert("x")</script>')
        page = body(personas.client_for(personas.smm).get(url("log", personas)))
        assert "<script>alert(" not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page  # the reason and the try's answer
        assert page.count("&lt;script&gt;") >= 2

    @pytest.mark.parametrize("role", ["smm", "cm"])
    def test_no_form_is_nested_in_another(self, personas, failed, too_late, role) -> None:
        failed()
        page = body(personas.client_for(getattr(personas, role)).get(url("log", personas), {"show": "all"}))
        assert url("retry", personas, too_late.public_id) in page
        assert nested_forms(page) == []

    def test_the_nav_leads_to_the_log(self, personas) -> None:
        page = body(personas.client_for(personas.viewer).get(calendar(personas)))
        assert f'href="{url("log", personas)}"' in page

    def test_the_number_of_queries_does_not_grow_with_the_publications(
        self, personas, failed, too_late, waiting, django_assert_max_num_queries
    ) -> None:
        client = personas.client_for(personas.smm)
        for show in ("stuck", "all"):
            body(client.get(url("log", personas), {"show": show}))  # warm: settings row, sessions
        failed(title="Fehlgeschlagen 0")
        counts = {}
        for show in ("stuck", "all"):
            with django_assert_max_num_queries(40) as few:
                page = body(client.get(url("log", personas), {"show": show}))
            assert page.count('data-testid="publication"') == (2 if show == "stuck" else 3)
            counts[show] = len(few.captured_queries)
        for i in range(1, 28):
            failed(title=f"Fehlgeschlagen {i}")
        for show in ("stuck", "all"):
            with django_assert_max_num_queries(counts[show]):
                page = body(client.get(url("log", personas), {"show": show}))
            assert page.count('data-testid="publication"') == (29 if show == "stuck" else 30)


# ---- the post page -----------------------------------------------------------------------------------


class TestPostPage:
    def test_each_variant_shows_its_publication_with_what_to_do(self, personas, too_late) -> None:
        post = too_late.variant.post
        post_url = reverse("planning:post", args=[personas.organization.slug, post.public_id])
        page = body(personas.client_for(personas.cm).get(post_url))
        assert 'data-testid="publication-state"' in page
        assert 'data-state="needs_person"' in page
        assert "It could not go out in time" in page
        assert "Publish now" in page
        assert url("retry", personas, too_late.public_id) in page
        page = body(personas.client_for(personas.viewer).get(post_url))
        assert 'data-state="needs_person"' in page
        assert url("retry", personas, too_late.public_id) not in page

    def test_publish_now_from_the_post_page_returns_there(
        self, personas, too_late, scripted, django_capture_on_commit_callbacks
    ) -> None:
        post = too_late.variant.post
        post_url = reverse("planning:post", args=[personas.organization.slug, post.public_id])
        client = personas.client_for(personas.cm)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url("retry", personas, too_late.public_id), {"next": post_url})
        assert response.status_code == 302
        assert response["Location"] == post_url
        page = body(client.get(post_url))
        assert "“Sommerfest” is on its way to Bluesky Muster again." in page
        assert 'data-state="published"' in page
        assert state_of(too_late) == P.PUBLISHED
        assert scripted.publish_calls == 1


# ---- retry --------------------------------------------------------------------------------------------


class TestRetry:
    def test_the_smm_retries_a_failed_publication_and_it_goes_out(
        self, personas, failed, scripted, django_capture_on_commit_callbacks
    ) -> None:
        publication = failed()
        client = personas.client_for(personas.smm)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url("retry", personas, publication.public_id), follow=True)
        page = body(response)
        assert response.redirect_chain[-1][0].startswith(url("log", personas))
        assert "“Produktlaunch” is on its way to Bluesky Muster again." in page
        assert state_of(publication) == P.PUBLISHED
        assert fresh(publication).variant.post.status == Post.Status.PUBLISHED
        assert scripted.publish_calls == 2  # the refused try and this one

    def test_the_cm_publishes_a_too_late_post_on_their_channel(
        self, personas, too_late, django_capture_on_commit_callbacks
    ) -> None:
        client = personas.client_for(personas.cm)
        with django_capture_on_commit_callbacks(execute=True):
            page = body(client.post(url("retry", personas, too_late.public_id), follow=True))
        assert "“Sommerfest” is on its way to Bluesky Muster again." in page
        assert state_of(too_late) == P.PUBLISHED

    def test_what_is_not_waiting_for_a_retry_is_refused_with_a_message(
        self, personas, waiting, scripted, django_capture_on_commit_callbacks
    ) -> None:
        client = personas.client_for(personas.smm)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            page = body(client.post(url("retry", personas, waiting.public_id), follow=True))
        assert "This publication is not waiting for a retry." in page
        assert not callbacks
        assert state_of(waiting) == P.QUEUED
        assert fresh(waiting).schedule_version == waiting.schedule_version
        assert scripted.publish_calls == 0

    def test_a_published_one_is_not_sent_twice(
        self, personas, failed, scripted, django_capture_on_commit_callbacks
    ) -> None:
        publication = failed()
        client = personas.client_for(personas.smm)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url("retry", personas, publication.public_id))
        with django_capture_on_commit_callbacks(execute=True):
            page = body(client.post(url("retry", personas, publication.public_id), follow=True))
        assert "This publication is not waiting for a retry." in page
        assert scripted.publish_calls == 2

    def test_a_paused_channel_is_resumed_first(self, personas, failed, bluesky) -> None:
        publication = failed()
        channel_services.channel_set_paused(actor=personas.smm, channel=bluesky, paused=True)
        page = body(
            personas.client_for(personas.smm).post(url("retry", personas, publication.public_id), follow=True)
        )
        assert "reconnect or resume it first" in page
        assert state_of(publication) == P.FAILED

    @pytest.mark.parametrize("role", NOT_MEMBERS_ACTIONS)
    def test_roles_without_publishing_get_404(self, personas, failed, role) -> None:
        publication = failed()
        response = personas.client_for(getattr(personas, role)).post(
            url("retry", personas, publication.public_id)
        )
        assert response.status_code == 404
        assert state_of(publication) == P.FAILED

    def test_a_cm_may_not_retry_on_a_channel_of_another_department(
        self, personas, failed, hr_bluesky, scripted
    ) -> None:
        publication = failed(channel=hr_bluesky)
        client = personas.client_for(personas.cm)
        response = client.post(url("retry", personas, publication.public_id), follow=True)
        assert "You may not publish on Bluesky Karriere" in response.content.decode()
        assert state_of(publication) == P.FAILED
        assert scripted.publish_calls == 1

    def test_another_organisation_gets_404_for_this_organisations_publication(
        self, personas, failed, scripted
    ) -> None:
        publication = failed()
        client = personas.client_for(personas.outsider)
        own_org = personas.outsider.organization.slug
        assert client.post(url("retry", personas, publication.public_id)).status_code == 404
        assert client.post(url("retry", personas, publication.public_id, org=own_org)).status_code == 404
        assert state_of(publication) == P.FAILED
        assert scripted.publish_calls == 1

    def test_only_post(self, personas, failed) -> None:
        publication = failed()
        response = personas.client_for(personas.smm).get(url("retry", personas, publication.public_id))
        assert response.status_code == 405

    def test_back_goes_only_to_this_site(self, personas, failed, django_capture_on_commit_callbacks) -> None:
        publication = failed()
        with django_capture_on_commit_callbacks(execute=True):
            response = personas.client_for(personas.smm).post(
                url("retry", personas, publication.public_id), {"next": "https://evil.example/"}
            )
        assert response.status_code == 302
        assert response["Location"] == url("log", personas)


# ---- cancel -------------------------------------------------------------------------------------------


class TestCancel:
    def test_the_cm_cancels_a_waiting_publication(self, personas, waiting) -> None:
        client = personas.client_for(personas.cm)
        page = body(client.post(url("cancel", personas, waiting.public_id), follow=True))
        assert "“Messe-Teaser” will not be published on Bluesky Muster." in page
        assert state_of(waiting) == P.CANCELLED
        assert fresh(waiting).variant.post.status == Post.Status.APPROVED
        page = body(client.get(url("log", personas), {"show": "cancelled"}))
        assert 'data-state="cancelled"' in page

    def test_the_smm_cancels_a_failed_one(self, personas, failed) -> None:
        publication = failed()
        page = body(
            personas.client_for(personas.smm).post(
                url("cancel", personas, publication.public_id), follow=True
            )
        )
        assert "will not be published on Bluesky Muster" in page
        assert state_of(publication) == P.CANCELLED

    def test_what_went_out_cannot_be_cancelled(
        self, personas, failed, django_capture_on_commit_callbacks
    ) -> None:
        publication = failed()
        client = personas.client_for(personas.smm)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url("retry", personas, publication.public_id))
        page = body(client.post(url("cancel", personas, publication.public_id), follow=True))
        assert "This publication can no longer be cancelled." in page
        assert state_of(publication) == P.PUBLISHED

    def test_a_cm_is_told_they_may_not_publish_on_another_departments_channel(
        self, personas, failed, hr_bluesky
    ) -> None:
        publication = failed(channel=hr_bluesky)
        page = body(
            personas.client_for(personas.cm).post(url("cancel", personas, publication.public_id), follow=True)
        )
        assert "You may not publish on Bluesky Karriere." in page
        assert state_of(publication) == P.FAILED

    @pytest.mark.parametrize("role", NOT_MEMBERS_ACTIONS)
    def test_roles_without_publishing_get_404(self, personas, waiting, role) -> None:
        response = personas.client_for(getattr(personas, role)).post(
            url("cancel", personas, waiting.public_id)
        )
        assert response.status_code == 404
        assert state_of(waiting) == P.QUEUED

    def test_another_organisation_gets_404_for_this_organisations_publication(
        self, personas, waiting
    ) -> None:
        client = personas.client_for(personas.outsider)
        own_org = personas.outsider.organization.slug
        assert client.post(url("cancel", personas, waiting.public_id)).status_code == 404
        assert client.post(url("cancel", personas, waiting.public_id, org=own_org)).status_code == 404
        assert state_of(waiting) == P.QUEUED


# ---- bulk ---------------------------------------------------------------------------------------------


class TestBulk:
    def test_the_smm_sends_everything_ticked_again(
        self, personas, failed, too_late, scripted, django_capture_on_commit_callbacks
    ) -> None:
        first, second = failed(title="Eins"), failed(title="Zwei")
        client = personas.client_for(personas.smm)
        ticked = [str(p.public_id) for p in (first, second, too_late)]
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                url("bulk", personas), {"publication": ticked, "action": "redrive"}, follow=True
            )
        assert "3 sent again, 0 left as they were." in body(response)
        assert [state_of(p) for p in (first, second, too_late)] == [P.PUBLISHED] * 3
        assert scripted.publish_calls == 5

    def test_what_cannot_be_sent_again_is_counted_as_left(
        self, personas, failed, waiting, django_capture_on_commit_callbacks
    ) -> None:
        publication = failed()
        client = personas.client_for(personas.smm)
        ticked = [str(publication.public_id), str(waiting.public_id)]
        with django_capture_on_commit_callbacks(execute=True):
            page = body(
                client.post(url("bulk", personas), {"publication": ticked, "action": "redrive"}, follow=True)
            )
        assert "1 sent again, 1 left as they were." in page
        assert state_of(waiting) == P.QUEUED

    def test_the_smm_cancels_everything_ticked(self, personas, failed, too_late, waiting) -> None:
        publication = failed()
        ticked = [str(p.public_id) for p in (publication, too_late, waiting)]
        page = body(
            personas.client_for(personas.smm).post(
                url("bulk", personas), {"publication": ticked, "action": "cancel"}, follow=True
            )
        )
        assert "3 cancelled, 0 left as they were." in page
        assert {state_of(p) for p in (publication, too_late, waiting)} == {P.CANCELLED}

    def test_nothing_ticked_is_a_message(self, personas, failed) -> None:
        publication = failed()
        client = personas.client_for(personas.smm)
        for data in ({"action": "redrive"}, {"action": "redrive", "publication": ["nonsense", ""]}):
            page = body(client.post(url("bulk", personas), data, follow=True))
            assert "Tick at least one publication." in page
        assert state_of(publication) == P.FAILED

    def test_an_unknown_action_is_a_message(self, personas, failed, scripted) -> None:
        publication = failed()
        client = personas.client_for(personas.smm)
        for action in ({}, {"action": "delete"}):
            page = body(
                client.post(
                    url("bulk", personas),
                    {"publication": [str(publication.public_id)], **action},
                    follow=True,
                )
            )
            assert "Choose send again or cancel." in page
        assert state_of(publication) == P.FAILED
        assert scripted.publish_calls == 1

    def test_bulk_returns_to_the_filtered_log(self, personas, failed) -> None:
        publication = failed()
        back = url("log", personas) + "?show=stuck"
        response = personas.client_for(personas.smm).post(
            url("bulk", personas),
            {"publication": [str(publication.public_id)], "action": "cancel", "next": back},
        )
        assert response["Location"] == back

    @pytest.mark.parametrize("role", ["cm", *NOT_MEMBERS_ACTIONS])
    def test_only_those_who_manage_publishing_may(self, personas, failed, role) -> None:
        publication = failed()
        response = personas.client_for(getattr(personas, role)).post(
            url("bulk", personas), {"publication": [str(publication.public_id)], "action": "cancel"}
        )
        assert response.status_code == 404
        assert state_of(publication) == P.FAILED

    def test_another_organisation_cannot_tick_this_organisations_publications(self, personas, failed) -> None:
        publication = failed()
        client = personas.client_for(personas.outsider)
        data = {"publication": [str(publication.public_id)], "action": "cancel"}
        assert client.post(url("bulk", personas), data).status_code == 404
        page = body(
            client.post(url("bulk", personas, org=personas.outsider.organization.slug), data, follow=True)
        )
        assert "Tick at least one publication." in page
        assert state_of(publication) == P.FAILED


# ---- pause all and resume ----------------------------------------------------------------------------


class TestPause:
    def test_the_smm_pauses_and_everyone_sees_the_banner_with_the_reason(self, personas) -> None:
        client = personas.client_for(personas.smm)
        page = body(client.post(url("pause", personas), {"reason": "Krisenfall: Shitstorm"}, follow=True))
        assert "All publishing is paused. Nothing goes out until you resume." in page
        assert 'data-testid="pause-banner"' in page
        assert 'data-testid="resume"' in page
        assert paused(personas)
        for member in (personas.viewer, personas.contributor, personas.cm):
            page = body(personas.client_for(member).get(calendar(personas)))
            assert 'data-testid="pause-banner"' in page
            assert BANNER in page
            assert "Krisenfall: Shitstorm" in page
            assert "Sabine Strategie" in page
        # Not in another organisation.
        page = body(
            personas.client_for(personas.outsider).get(
                calendar(personas, org=personas.outsider.organization.slug)
            )
        )
        assert BANNER not in page

    def test_the_admin_may_pause_too(self, personas) -> None:
        personas.client_for(personas.admin).post(url("pause", personas), {"reason": "Wartung"})
        assert paused(personas)

    @pytest.mark.parametrize("reason", [None, "", "   "])
    def test_without_a_reason_nothing_is_paused(self, personas, reason) -> None:
        data = {} if reason is None else {"reason": reason}
        page = body(personas.client_for(personas.smm).post(url("pause", personas), data, follow=True))
        assert "Give a reason, so everyone knows why nothing goes out." in page
        assert not paused(personas)
        assert 'data-testid="pause-banner"' not in page

    def test_pausing_twice_is_a_message(self, personas) -> None:
        client = personas.client_for(personas.smm)
        client.post(url("pause", personas), {"reason": "Krisenfall"})
        page = body(client.post(url("pause", personas), {"reason": "Nochmal"}, follow=True))
        assert "Publishing is already paused." in page
        assert PublishingSettings.objects.get(organization=personas.organization).pause_reason == "Krisenfall"

    def test_the_reason_is_escaped_in_the_banner(self, personas) -> None:
        personas.client_for(personas.smm).post(url("pause", personas), {"reason": "<b>Krise</b>"})
        page = body(personas.client_for(personas.viewer).get(calendar(personas)))
        assert "<b>Krise</b>" not in page
        assert "&lt;b&gt;Krise&lt;/b&gt;" in page

    @pytest.mark.parametrize("role", ["cm", *NOT_MEMBERS_ACTIONS])
    def test_only_those_who_manage_publishing_may(self, personas, role) -> None:
        response = personas.client_for(getattr(personas, role)).post(url("pause", personas), {"reason": "x"})
        assert response.status_code == 404
        assert not paused(personas)

    def test_another_organisation_gets_404(self, personas) -> None:
        response = personas.client_for(personas.outsider).post(url("pause", personas), {"reason": "x"})
        assert response.status_code == 404
        assert not paused(personas)

    def test_a_due_post_waits_while_paused(self, personas, schedule, bluesky, scripted) -> None:
        personas.client_for(personas.smm).post(url("pause", personas), {"reason": "Krisenfall"})
        (publication,) = make_due(schedule([bluesky]), minutes_ago=1)
        assert run(publication) == P.QUEUED
        assert scripted.publish_calls == 0

    def test_csrf_is_required(self, personas) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(personas.smm.user)
        assert client.post(url("pause", personas), {"reason": "Krisenfall"}).status_code == 403
        assert not paused(personas)
        page = body(client.get(url("log", personas)))
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token
        response = client.post(
            url("pause", personas), {"reason": "Krisenfall", "csrfmiddlewaretoken": token.group(1)}
        )
        assert response.status_code == 302
        assert paused(personas)


class TestResume:
    def test_resuming_sends_what_is_in_time_and_leaves_the_rest_to_a_person(
        self, personas, schedule, bluesky, scripted, django_capture_on_commit_callbacks
    ) -> None:
        client = personas.client_for(personas.smm)
        client.post(url("pause", personas), {"reason": "Krisenfall"})
        (recent,) = make_due(schedule([bluesky], title="Aktuell"), minutes_ago=5)
        (old,) = make_due(schedule([bluesky], title="Veraltet"), minutes_ago=120)
        assert run(recent) == P.QUEUED
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url("resume", personas), follow=True)
        page = body(response)
        assert response.redirect_chain[-1][0] == url("log", personas) + "?show=stuck"
        assert "Publishing resumed: 1 on their way now, 1 too late and waiting for your decision." in page
        assert 'data-testid="pause-banner"' not in page
        assert state_of(recent) == P.PUBLISHED
        assert state_of(old) == P.NEEDS_PERSON
        assert "Veraltet" in rows(page)
        assert 'data-state="needs_person"' in page
        assert scripted.publish_calls == 1
        assert BANNER not in body(personas.client_for(personas.viewer).get(calendar(personas)))

    def test_resuming_with_nothing_late_goes_back(self, personas, django_capture_on_commit_callbacks) -> None:
        client = personas.client_for(personas.smm)
        client.post(url("pause", personas), {"reason": "Krisenfall"})
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url("resume", personas), {"next": calendar(personas)})
        assert response["Location"] == calendar(personas)
        page = body(client.get(calendar(personas)))
        assert "Publishing resumed: 0 on their way now, 0 too late and waiting for your decision." in page
        assert 'data-testid="pause-banner"' not in page

    def test_resuming_what_is_not_paused_is_a_message(self, personas) -> None:
        page = body(personas.client_for(personas.smm).post(url("resume", personas), follow=True))
        assert "Publishing is not paused." in page

    @pytest.mark.parametrize("role", ["cm", *NOT_MEMBERS_ACTIONS])
    def test_only_those_who_manage_publishing_may(self, personas, role) -> None:
        personas.client_for(personas.smm).post(url("pause", personas), {"reason": "Krisenfall"})
        response = personas.client_for(getattr(personas, role)).post(url("resume", personas))
        assert response.status_code == 404
        assert paused(personas)

    def test_another_organisation_gets_404(self, personas) -> None:
        personas.client_for(personas.smm).post(url("pause", personas), {"reason": "Krisenfall"})
        assert personas.client_for(personas.outsider).post(url("resume", personas)).status_code == 404
        assert paused(personas)


# ---- the late window ---------------------------------------------------------------------------------


class TestLateWindow:
    def window(self, personas) -> int:
        return services.settings_for(personas.organization).late_window_minutes

    def test_the_smm_sets_it(self, personas) -> None:
        client = personas.client_for(personas.smm)
        page = body(client.post(url("late-window", personas), {"late_window_minutes": "120"}, follow=True))
        assert "The late window is saved." in page
        assert 'value="120"' in page
        assert self.window(personas) == 120

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ("2", "Ensure this value is greater than or equal to 5."),
            ("abc", "Enter a whole number."),
            ("", "This field is required."),
            ("99999", "Ensure this value is less than or equal to 10080."),
        ],
    )
    def test_bad_input_is_a_message_and_changes_nothing(self, personas, value, message) -> None:
        page = body(
            personas.client_for(personas.smm).post(
                url("late-window", personas), {"late_window_minutes": value}, follow=True
            )
        )
        assert message in page
        assert "The late window is saved." not in page
        assert self.window(personas) == 60

    def test_a_longer_window_lets_a_late_post_still_go_out(
        self, personas, schedule, bluesky, scripted
    ) -> None:
        personas.client_for(personas.smm).post(url("late-window", personas), {"late_window_minutes": "240"})
        (publication,) = make_due(schedule([bluesky]), minutes_ago=180)
        assert run(publication) == P.PUBLISHED

    @pytest.mark.parametrize("role", ["cm", *NOT_MEMBERS_ACTIONS])
    def test_only_those_who_manage_publishing_may(self, personas, role) -> None:
        response = personas.client_for(getattr(personas, role)).post(
            url("late-window", personas), {"late_window_minutes": "30"}
        )
        assert response.status_code == 404
        assert self.window(personas) == 60

    def test_another_organisation_gets_404(self, personas) -> None:
        response = personas.client_for(personas.outsider).post(
            url("late-window", personas), {"late_window_minutes": "30"}
        )
        assert response.status_code == 404
        assert self.window(personas) == 60
