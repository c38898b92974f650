"""Workload pages: roles, other organisation, bad input, and the works-council rules for per-person data."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from onevoice.core.models import AuditEvent
from onevoice.planning.models import Post
from onevoice.workload import selectors, services
from onevoice.workload.models import Absence, EffortNorm, RecurringDuty, Task, WorkloadSettings
from onevoice.workload.tests.conftest import at, make_post

pytestmark = pytest.mark.django_db


def url(personas, name: str, *args) -> str:
    return reverse(f"workload:{name}", args=[personas.organization.slug, *args])


class TestCapacityView:
    def test_the_smm_sees_the_heat_map_with_numbers(self, personas, channel):
        monday = selectors.this_monday(personas.organization)
        make_post(
            personas.cm, personas.marketing, at(monday + timedelta(weeks=2, days=1)), [channel["mastodon"]]
        )
        response = personas.client_for(personas.smm).get(url(personas, "capacity"))
        assert response.status_code == 200
        html = response.content.decode()
        assert 'data-testid="heatmap"' in html
        assert "Marketing" in html
        assert "35 h" in html
        assert "workload-chart-data" in html

    @pytest.mark.parametrize("who", ["contributor", "reviewer"])
    def test_roles_without_reports_do_not_get_it(self, personas, who):
        assert personas.client_for(getattr(personas, who)).get(url(personas, "capacity")).status_code == 404

    def test_another_organisation_gets_nothing(self, personas):
        assert personas.client_for(personas.outsider).get(url(personas, "capacity")).status_code == 404

    def test_the_drill_down_shows_the_posts_behind_a_number(self, personas, channel):
        monday = selectors.this_monday(personas.organization) + timedelta(weeks=1)
        make_post(personas.cm, personas.marketing, at(monday), [channel["mastodon"]], title="Messe-Teaser")
        response = personas.client_for(personas.viewer).get(
            url(personas, "cell", monday.isoformat(), str(personas.marketing.public_id))
        )
        assert response.status_code == 200
        assert "Messe-Teaser" in response.content.decode()

    @pytest.mark.parametrize(("week", "team"), [("2027-13-01", None), ("2027-05-03", "nonsense")])
    def test_a_bad_cell_address_is_not_found(self, personas, week, team):
        team = team or str(personas.marketing.public_id)
        assert personas.client_for(personas.smm).get(url(personas, "cell", week, team)).status_code == 404

    def test_a_department_of_another_organisation_is_not_found(self, personas):
        other = personas.outsider.organization.departments.first()
        response = personas.client_for(personas.smm).get(
            url(personas, "cell", "2027-05-03", str(other.public_id))
        )
        assert response.status_code == 404


class TestSetup:
    def post_norm(self, personas, who, **values):
        data = {
            "action": "norm",
            "content_format": "video",
            "network": "linkedin",
            "create_hours": "12",
            "review_hours": "1",
            "publish_hours": "0.25",
            **values,
        }
        return personas.client_for(who).post(url(personas, "setup"), data)

    def test_the_smm_sets_a_norm(self, personas):
        response = self.post_norm(personas, personas.smm)
        assert response.status_code == 302
        norm = EffortNorm.objects.get(organization=personas.organization)
        assert norm.create_hours == Decimal(12)
        assert AuditEvent.objects.filter(verb="workload.norm_saved").exists()

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [("create_hours", "-1", "Hours cannot be negative."), ("review_hours", "120", "not plausible")],
    )
    def test_negative_or_absurd_hours_are_refused_and_the_input_kept(self, personas, field, value, message):
        response = self.post_norm(personas, personas.smm, **{field: value})
        assert response.status_code == 400
        html = response.content.decode()
        assert message in html
        assert f'value="{value}"' in html
        assert not EffortNorm.objects.exists()

    def test_a_cm_cannot_change_norms(self, personas):
        assert self.post_norm(personas, personas.cm).status_code == 404
        assert personas.client_for(personas.cm).get(url(personas, "setup")).status_code == 404

    def test_an_outsider_cannot_change_norms(self, personas):
        assert self.post_norm(personas, personas.outsider).status_code == 404

    def test_minutes_per_case_above_the_limit_are_refused(self, personas):
        data = {"action": "inbox", "reply": "500", "mention": "4", "quote": "4", "direct_message": "8"}
        response = personas.client_for(personas.smm).post(url(personas, "setup"), data)
        assert response.status_code == 400
        assert "240" in response.content.decode()

    def test_a_duty_needs_hours_above_zero(self, personas):
        data = {"action": "duty", "name": "Monitoring", "hours": "0", "interval": "weekly"}
        response = personas.client_for(personas.smm).post(url(personas, "setup"), data)
        assert response.status_code == 400
        assert not RecurringDuty.objects.exists()

    def test_public_holidays_of_a_state_are_imported(self, personas):
        data = {"action": "holidays", "state": "BY", "year": "2027"}
        response = personas.client_for(personas.smm).post(url(personas, "setup"), data)
        assert response.status_code == 302
        names = set(personas.organization.public_holidays.values_list("name", flat=True))
        assert "Heilige Drei Könige" in names
        assert "Fronleichnam" in names
        # Importing again adds nothing twice.
        personas.client_for(personas.smm).post(url(personas, "setup"), data)
        assert personas.organization.public_holidays.count() == len(names)

    def test_a_role_for_per_person_figures_needs_a_documented_purpose(self, personas):
        data = {
            "action": "settings",
            "write_lead_hours": "72",
            "review_lead_hours": "48",
            "approve_lead_hours": "24",
            "overbooking_percent": "100",
            "inbox_weeks": "8",
            "person_view_role": "smm",
            "person_view_purpose": "",
        }
        response = personas.client_for(personas.smm).post(url(personas, "setup"), data)
        assert response.status_code == 400
        assert "works council" in response.content.decode()
        assert selectors.settings_of(personas.organization).person_view_role == ""


class TestAbsences:
    def test_a_person_records_their_own_absence(self, personas):
        data = {"kind": "holiday", "starts_on": "2027-05-03", "ends_on": "2027-05-07"}
        response = personas.client_for(personas.contributor).post(url(personas, "absences"), data)
        assert response.status_code == 302
        assert Absence.objects.get().membership == personas.contributor

    def test_the_last_day_before_the_first_is_refused(self, personas):
        data = {"kind": "holiday", "starts_on": "2027-05-07", "ends_on": "2027-05-03"}
        response = personas.client_for(personas.contributor).post(url(personas, "absences"), data)
        assert response.status_code == 400
        assert "cannot be before the first day" in response.content.decode()
        assert not Absence.objects.exists()

    def test_nobody_removes_someone_elses_absence_without_managing_people(self, personas):
        absence = Absence.objects.create(
            membership=personas.cm,
            starts_on=at(personas_day := personas.cm.joined_at).date(),
            ends_on=personas_day.date(),
        )
        client = personas.client_for(personas.contributor)
        assert client.post(url(personas, "absence_delete", absence.public_id)).status_code == 404
        assert (
            personas.client_for(personas.outsider)
            .post(url(personas, "absence_delete", absence.public_id))
            .status_code
            == 404
        )
        assert (
            personas.client_for(personas.smm)
            .post(url(personas, "absence_delete", absence.public_id))
            .status_code
            == 302
        )

    def test_a_contributor_sees_only_their_own_absences(self, personas):
        Absence.objects.create(
            membership=personas.cm,
            starts_on=at(personas.cm.joined_at).date() + timedelta(days=3),
            ends_on=at(personas.cm.joined_at).date() + timedelta(days=4),
        )
        html = personas.client_for(personas.contributor).get(url(personas, "absences")).content.decode()
        assert "Chris Community" not in html


class TestPerPersonFigures:
    def test_a_person_sees_their_own_and_it_is_audited(self, personas):
        response = personas.client_for(personas.cm).get(url(personas, "person", personas.cm.public_id))
        assert response.status_code == 200
        event = AuditEvent.objects.get(verb="workload.person_viewed")
        assert event.actor == personas.cm.user
        assert event.after["as"] == "self"

    def test_others_are_refused_and_the_attempt_is_audited(self, personas):
        for who in (personas.smm, personas.admin, personas.viewer):
            response = personas.client_for(who).get(url(personas, "person", personas.cm.public_id))
            assert response.status_code == 404
        assert AuditEvent.objects.filter(verb="workload.person_view_refused").count() == 3
        assert personas.client_for(personas.smm).get(url(personas, "people")).status_code == 404

    def test_the_enabled_role_sees_them_with_the_purpose_and_it_is_audited(self, personas):
        purpose = "§ 5 BV Social Media: Einsatzplanung bei Überlastung, nur durch die Teamleitung."
        services.settings_update(actor=personas.admin, person_view_role="smm", person_view_purpose=purpose)
        client = personas.client_for(personas.smm)
        people = client.get(url(personas, "people")).content.decode()
        assert "Chris Community" in people
        assert " h" not in people.split("Chris Community")[1][:40]
        response = client.get(url(personas, "person", personas.cm.public_id))
        assert response.status_code == 200
        assert purpose in response.content.decode()
        event = AuditEvent.objects.get(verb="workload.person_viewed")
        assert event.after == {"person": personas.cm.user.email, "as": "smm", "purpose": purpose}
        # Another role is still refused.
        assert (
            personas.client_for(personas.viewer)
            .get(url(personas, "person", personas.cm.public_id))
            .status_code
            == 404
        )

    def test_another_organisation_never_sees_a_person(self, personas):
        response = personas.client_for(personas.outsider).get(url(personas, "person", personas.cm.public_id))
        assert response.status_code == 404


class TestMyTasks:
    @pytest.fixture
    def task(self, personas, channel) -> Task:
        monday = selectors.this_monday(personas.organization)
        post = make_post(
            personas.cm, personas.marketing, at(monday + timedelta(days=6), "23:00"), [channel["mastodon"]]
        )
        services.tasks_rederive(post.pk)
        return Task.objects.get(post=post, key="publish")

    def test_my_tasks_this_week_and_mark_done(self, personas, task):
        client = personas.client_for(personas.cm)
        assert "Beitrag" in client.get(url(personas, "tasks")).content.decode()
        response = client.post(url(personas, "task_done", task.public_id), {"done": "1"})
        assert response.status_code == 302
        task.refresh_from_db()
        assert task.status == "done"

    def test_marking_done_with_htmx_returns_the_row(self, personas, task):
        response = personas.client_for(personas.cm).post(
            url(personas, "task_done", task.public_id), {"done": "1"}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200
        assert "ov-task-done" in response.content.decode()

    def test_someone_elses_task_cannot_be_marked(self, personas, task):
        for who in (personas.contributor, personas.outsider):
            assert (
                personas.client_for(who).post(url(personas, "task_done", task.public_id)).status_code == 404
            )
        task.refresh_from_db()
        assert task.status == "open"

    def test_logging_nonsense_time_says_why(self, personas, task):
        client = personas.client_for(personas.cm)
        response = client.post(url(personas, "task_log", task.public_id), {"hours": "-2"}, follow=True)
        assert "above 0 hours" in response.content.decode()
        assert not task.time_entries.exists()

    def test_reassigning_is_for_the_smm(self, personas, task):
        assert personas.client_for(personas.cm).get(url(personas, "reassign")).status_code == 404
        response = personas.client_for(personas.smm).post(
            url(personas, "reassign"), {"task": str(task.public_id), "assignee": personas.contributor.pk}
        )
        assert response.status_code == 302
        task.refresh_from_db()
        assert task.assignee == personas.contributor
        assert task.assignee_locked


class TestWhatIf:
    def test_a_campaign_raises_the_load_and_nothing_is_saved(self, personas):
        monday = selectors.this_monday(personas.organization) + timedelta(weeks=2)
        query = {
            "scenario": "campaign",
            "posts": "8",
            "content_format": "video",
            "network": "linkedin",
            "department": personas.marketing.pk,
            "first_week": monday.isoformat(),
            "weeks": "2",
        }
        response = personas.client_for(personas.smm).get(url(personas, "what_if"), query)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'data-testid="what-if-result"' in html
        assert "106 h more for Marketing" in html
        assert "151 %" in html  # 4 × 13.25 h = 53 h against 35 h
        assert not Post.objects.exists()

    def test_one_person_fewer_takes_their_hours_out(self, personas):
        month = (selectors.this_monday(personas.organization) + timedelta(weeks=6)).strftime("%Y-%m")
        query = {"scenario": "person", "person": personas.smm.pk, "month": month}
        response = personas.client_for(personas.smm).get(url(personas, "what_if"), query)
        assert response.status_code == 200
        assert "Without Sabine Strategie" in response.content.decode()

    def test_missing_fields_are_named(self, personas):
        response = personas.client_for(personas.smm).get(url(personas, "what_if"), {"scenario": "campaign"})
        assert response.status_code == 400
        assert "Fill this in to try the campaign." in response.content.decode()

    def test_a_cm_cannot_use_it(self, personas):
        assert personas.client_for(personas.cm).get(url(personas, "what_if")).status_code == 404


class TestComposerWarning:
    def query(self, personas, when, **extra):
        return {"publish_at": when.strftime("%Y-%m-%dT%H:%M"), "department": personas.hr.pk, **extra}

    def test_it_warns_and_names_weeks_and_people_with_room(self, personas, channel):
        monday = selectors.this_monday(personas.organization) + timedelta(weeks=3)
        WorkloadSettings.objects.create(organization=personas.organization)
        for day in range(3):  # 3 × 2.4 h of images against Hanna's 2 h
            make_post(
                personas.contributor,
                personas.hr,
                at(monday + timedelta(days=day)),
                [channel["mastodon"]],
                images=1,
            )
        colleague = personas.reviewer
        colleague.weekly_hours = 3  # 5 h in all against 7.2 h + this post
        colleague.save()
        colleague.departments.add(personas.hr)
        response = personas.client_for(personas.contributor).get(
            url(personas, "composer_warning"), self.query(personas, at(monday + timedelta(days=3)))
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert 'data-testid="overbooking-warning"' in html
        assert "Personal is over-booked" in html
        assert "Weeks with room" in html
        assert "Robert Recht" in html

    def test_it_is_quiet_when_there_is_room(self, personas):
        monday = selectors.this_monday(personas.organization) + timedelta(weeks=3)
        personas.contributor.weekly_hours = 20
        personas.contributor.save()
        response = personas.client_for(personas.contributor).get(
            url(personas, "composer_warning"), self.query(personas, at(monday))
        )
        assert response.status_code == 200
        assert response.content.strip() == b""

    @pytest.mark.parametrize("bad", [{"publish_at": "gestern"}, {"department": "999999"}, {"publish_at": ""}])
    def test_bad_input_gives_no_warning_and_no_error(self, personas, bad):
        query = {
            **self.query(personas, at(selectors.this_monday(personas.organization) + timedelta(weeks=1))),
            **bad,
        }
        response = personas.client_for(personas.contributor).get(url(personas, "composer_warning"), query)
        assert response.status_code == 200
        assert response.content.strip() == b""

    def test_another_department_id_of_another_organisation_is_ignored(self, personas):
        other = personas.outsider.organization.departments.first()
        query = {
            **self.query(personas, at(selectors.this_monday(personas.organization) + timedelta(weeks=1))),
            "department": other.pk,
        }
        response = personas.client_for(personas.contributor).get(url(personas, "composer_warning"), query)
        assert response.content.strip() == b""

    def test_roles_without_content_and_outsiders_get_nothing(self, personas):
        query = self.query(personas, at(selectors.this_monday(personas.organization) + timedelta(weeks=1)))
        for who in (personas.reviewer, personas.outsider):
            assert personas.client_for(who).get(url(personas, "composer_warning"), query).status_code == 404
