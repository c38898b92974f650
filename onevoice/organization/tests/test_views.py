from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from onevoice.core.models import AuditEvent
from onevoice.organization import services
from onevoice.organization.models import Department, Invitation, Membership
from onevoice.organization.roles import Role

pytestmark = pytest.mark.django_db


def url(name: str, personas, *args) -> str:
    return reverse(f"organization:{name}", args=[personas.organization.slug, *args])


# (page, who may open it)
PAGES = [
    ("overview", {"admin", "smm", "cm", "contributor", "reviewer", "viewer"}),
    ("departments", {"admin", "smm", "cm", "contributor", "reviewer", "viewer"}),
    ("people", {"admin", "smm"}),
    ("invite", {"admin", "smm"}),
    ("audit", {"admin", "smm"}),
    ("settings", {"admin"}),
]
ROLES = ["admin", "smm", "cm", "contributor", "reviewer", "viewer", "outsider"]


class TestWhoMayOpenWhichPage:
    @pytest.mark.parametrize(("page", "allowed"), PAGES)
    @pytest.mark.parametrize("persona", ROLES)
    def test_page_access(self, personas, page: str, allowed: set[str], persona: str) -> None:
        client = personas.client_for(getattr(personas, persona))
        response = client.get(url(page, personas))
        assert response.status_code == (200 if persona in allowed else 404)

    def test_an_anonymous_visitor_is_sent_to_login(self, personas) -> None:
        response = Client().get(url("overview", personas))
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]

    def test_an_unknown_organisation_looks_like_a_forbidden_one(self, personas) -> None:
        client = personas.client_for(personas.admin)
        assert client.get("/o/gibt-es-nicht/").status_code == 404
        assert client.get(f"/o/{personas.outsider.organization.slug}/").status_code == 404

    def test_a_removed_member_loses_access(self, personas) -> None:
        client = personas.client_for(personas.cm)
        services.membership_deactivate(actor=personas.admin, membership=personas.cm)
        assert client.get(url("overview", personas)).status_code == 404


class TestObjectsOfAnotherOrganisation:
    def test_departments_memberships_and_invitations_of_others_are_404(self, personas) -> None:
        foreign_org = personas.outsider.organization
        foreign_department = Department.objects.get(organization=foreign_org)
        invitation, _token = services.invitation_create(
            actor=personas.outsider,
            email="x@andere.example",
            role=Role.VIEWER,
            departments=[],
            weekly_hours=Decimal(0),
        )
        client = personas.client_for(personas.admin)
        assert client.get(url("department", personas, foreign_department.public_id)).status_code == 404
        assert client.get(url("membership", personas, personas.outsider.public_id)).status_code == 404
        assert (
            client.post(url("department-delete", personas, foreign_department.public_id)).status_code == 404
        )
        assert client.post(url("membership-remove", personas, personas.outsider.public_id)).status_code == 404
        assert client.post(url("invitation-revoke", personas, invitation.public_id)).status_code == 404
        assert Department.objects.filter(pk=foreign_department.pk).exists()
        assert Membership.objects.get(pk=personas.outsider.pk).is_active
        assert Invitation.objects.get(pk=invitation.pk).revoked_at is None


class TestSettingsPage:
    def form(self, **overrides) -> dict[str, str]:
        data = {
            "name": "Muster GmbH",
            "time_zone": "Europe/Berlin",
            "form_of_address": "du",
            "model": "central",
        }
        for day in ("mon", "tue", "wed", "thu", "fri"):
            data |= {f"bh_{day}_open": "on", f"bh_{day}_start": "08:00", f"bh_{day}_end": "16:30"}
        return data | overrides

    def test_the_admin_saves_settings(self, personas) -> None:
        response = personas.client_for(personas.admin).post(url("settings", personas), self.form())
        assert response.status_code == 302
        personas.organization.refresh_from_db()
        assert personas.organization.form_of_address == "du"
        assert personas.organization.business_hours["mon"] == ["08:00", "16:30"]
        assert personas.organization.business_hours["sat"] is None

    def test_a_wrong_time_zone_is_refused_and_the_input_kept(self, personas) -> None:
        response = personas.client_for(personas.admin).post(
            url("settings", personas), self.form(time_zone="Mars/Olympus", name="Neuer Name")
        )
        assert response.status_code == 400
        assert "is not a known time zone" in response.content.decode()
        assert 'value="Neuer Name"' in response.content.decode()
        personas.organization.refresh_from_db()
        assert personas.organization.name == "Muster GmbH"

    def test_business_hours_that_end_before_they_start_are_refused(self, personas) -> None:
        response = personas.client_for(personas.admin).post(
            url("settings", personas), self.form(bh_mon_start="18:00", bh_mon_end="09:00")
        )
        assert response.status_code == 400
        assert "must end after they start" in response.content.decode()

    def test_an_smm_cannot_post_settings(self, personas) -> None:
        response = personas.client_for(personas.smm).post(
            url("settings", personas), self.form(name="Übernahme")
        )
        assert response.status_code == 404
        personas.organization.refresh_from_db()
        assert personas.organization.name == "Muster GmbH"


class TestDepartmentPages:
    def test_the_smm_creates_a_department(self, personas) -> None:
        response = personas.client_for(personas.smm).post(url("departments", personas), {"name": "Vertrieb"})
        assert response.status_code == 302
        assert personas.organization.departments.filter(name="Vertrieb").exists()

    def test_a_duplicate_name_shows_a_message_and_keeps_the_input(self, personas) -> None:
        response = personas.client_for(personas.smm).post(
            url("departments", personas), {"name": "marketing", "description": "Zweites Marketing"}
        )
        assert response.status_code == 400
        body = response.content.decode()
        assert "already exists" in body
        assert "Zweites Marketing" in body

    def test_a_cm_sees_departments_but_cannot_create_one(self, personas) -> None:
        client = personas.client_for(personas.cm)
        assert "New department" not in client.get(url("departments", personas)).content.decode()
        assert client.post(url("departments", personas), {"name": "Vertrieb"}).status_code == 404
        assert not personas.organization.departments.filter(name="Vertrieb").exists()

    def test_editing_and_deleting(self, personas) -> None:
        client = personas.client_for(personas.admin)
        response = client.post(
            url("department", personas, personas.hr.public_id),
            {"name": "HR", "description": "Personalabteilung"},
        )
        assert response.status_code == 302
        personas.hr.refresh_from_db()
        assert personas.hr.name == "HR"
        assert client.post(url("department-delete", personas, personas.hr.public_id)).status_code == 302
        assert not Department.objects.filter(pk=personas.hr.pk).exists()


class TestPeoplePages:
    def test_the_list_shows_members_and_filters_by_role(self, personas) -> None:
        client = personas.client_for(personas.smm)
        body = client.get(url("people", personas)).content.decode()
        assert "Chris Community" in body
        assert "Hanna Personal" in body
        body = client.get(url("people", personas) + "?role=cm").content.decode()
        assert "Chris Community" in body
        assert "Hanna Personal" not in body

    def test_inviting_sends_the_mail_and_lists_the_invitation(
        self, personas, mailoutbox, django_capture_on_commit_callbacks
    ) -> None:
        client = personas.client_for(personas.smm)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                url("invite", personas),
                {
                    "email": "Neu@Muster.example",
                    "role": "cm",
                    "departments": [personas.marketing.pk],
                    "weekly_hours": "10",
                },
            )
        assert response.status_code == 302
        assert mailoutbox[0].to == ["neu@muster.example"]
        assert "neu@muster.example" in client.get(url("people", personas)).content.decode()

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"email": "cm@muster.example", "role": "cm", "weekly_hours": "5"}, "already a member"),
            ({"email": "neu@muster.example", "role": "cm", "weekly_hours": "61"}, "cannot be above 60"),
            ({"email": "neu@muster.example", "role": "cm", "weekly_hours": "-2"}, "cannot be below 0"),
            ({"email": "kein-mail", "role": "cm", "weekly_hours": "5"}, "valid email"),
        ],
    )
    def test_bad_invitations_are_refused_with_a_message(self, personas, data, message) -> None:
        response = personas.client_for(personas.smm).post(url("invite", personas), data)
        assert response.status_code == 400
        body = response.content.decode()
        assert message in body
        assert f'value="{data["email"]}"' in body  # what was typed is still there
        assert not Invitation.objects.filter(organization=personas.organization).exists()

    def test_an_smm_is_not_offered_the_admin_role(self, personas) -> None:
        body = personas.client_for(personas.smm).get(url("invite", personas)).content.decode()
        assert 'value="admin"' not in body
        response = personas.client_for(personas.smm).post(
            url("invite", personas), {"email": "a@muster.example", "role": "admin", "weekly_hours": "0"}
        )
        assert response.status_code == 400

    def test_demoting_the_last_admin_shows_why(self, personas) -> None:
        response = personas.client_for(personas.admin).post(
            url("membership", personas, personas.admin.public_id), {"role": "smm", "weekly_hours": "3"}
        )
        assert response.status_code == 400
        assert "last administrator" in response.content.decode()
        personas.admin.refresh_from_db()
        assert personas.admin.role == Role.ADMIN

    def test_removing_the_last_admin_is_refused(self, personas) -> None:
        client = personas.client_for(personas.admin)
        response = client.post(url("membership-remove", personas, personas.admin.public_id), follow=True)
        assert "last administrator" in response.content.decode()
        personas.admin.refresh_from_db()
        assert personas.admin.is_active

    def test_editing_a_membership(self, personas) -> None:
        response = personas.client_for(personas.smm).post(
            url("membership", personas, personas.contributor.public_id),
            {"role": "reviewer", "departments": [personas.hr.pk], "weekly_hours": "4.5"},
        )
        assert response.status_code == 302
        personas.contributor.refresh_from_db()
        assert personas.contributor.role == Role.REVIEWER
        assert personas.contributor.weekly_hours == Decimal("4.5")

    def test_resend_and_withdraw(self, personas, mailoutbox, django_capture_on_commit_callbacks) -> None:
        invitation, _ = services.invitation_create(
            actor=personas.smm,
            email="neu@muster.example",
            role=Role.CM,
            departments=[],
            weekly_hours=Decimal(1),
        )
        client = personas.client_for(personas.smm)
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(url("invitation-resend", personas, invitation.public_id)).status_code == 302
        assert len(mailoutbox) == 1
        assert client.post(url("invitation-revoke", personas, invitation.public_id)).status_code == 302
        invitation.refresh_from_db()
        assert invitation.revoked_at is not None


class TestAuditLogPage:
    def test_it_filters_by_action_and_person(self, personas) -> None:
        services.department_create(actor=personas.smm, name="Vertrieb")
        client = personas.client_for(personas.admin)
        body = client.get(url("audit", personas) + "?verb=department.created").content.decode()
        assert "Vertrieb" in body
        assert "Marketing" in body
        body = client.get(url("audit", personas) + f"?actor={personas.smm.user.public_id}").content.decode()
        assert "Vertrieb" in body
        assert "Marketing" not in body

    def test_it_exports_csv_with_the_same_filter(self, personas) -> None:
        services.department_create(actor=personas.smm, name='=HYPERLINK("x")')
        response = personas.client_for(personas.smm).get(
            url("audit", personas) + "?format=csv&verb=department.created"
        )
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
        assert rows[0][0] == "Time"
        objects = [r[5] for r in rows[1:]]
        assert '\'=HYPERLINK("x")' in objects  # neutralised for spreadsheets
        assert "Marketing" in objects
        assert all(r[3] == "department.created" for r in rows[1:])

    def test_it_shows_only_the_own_organisation(self, personas) -> None:
        body = personas.client_for(personas.admin).get(url("audit", personas)).content.decode()
        assert "Andere AG" not in body
        assert AuditEvent.objects.filter(organization=personas.outsider.organization).exists()

    def test_the_page_needs_a_constant_number_of_queries(
        self, personas, django_assert_max_num_queries
    ) -> None:
        for i in range(30):
            services.department_create(actor=personas.smm, name=f"Abteilung {i}")
        client = personas.client_for(personas.admin)
        # 13: the navigation counts the person's open inbox cases on every page.
        with django_assert_max_num_queries(13):
            client.get(url("audit", personas))


class TestAuditLogReadsLikeSentences:
    def test_changes_are_shown_with_labels_and_words(self, personas) -> None:
        services.membership_update(
            actor=personas.admin,
            membership=personas.cm,
            role=Role.SMM,
            departments=[],
            weekly_hours=Decimal(15),
        )
        body = personas.client_for(personas.admin).get(url("audit", personas) + "?verb=membership.updated")
        text = body.content.decode()
        assert "<del>Community Manager</del> → <ins>Social Media Manager</ins>" in text
        assert "<del>Marketing</del> → <ins>—</ins>" in text


class TestInvitationLink:
    def invite(self, personas) -> str:
        _invitation, token = services.invitation_create(
            actor=personas.smm,
            email="neu@muster.example",
            role=Role.CM,
            departments=[],
            weekly_hours=Decimal(5),
        )
        return token

    def test_an_expired_link_shows_a_clear_page(self, personas) -> None:
        from datetime import timedelta

        from django.utils import timezone

        token = self.invite(personas)
        Invitation.objects.update(expires_at=timezone.now() - timedelta(hours=1))
        response = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("invitation-accept", args=[token]))
        assert response.status_code == 410
        assert "expired" in response.content.decode()
        assert not Membership.objects.filter(user__email="neu@muster.example").exists()

    def test_an_unknown_link_shows_a_clear_page(self, db) -> None:
        response = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("invitation-accept", args=["erfunden"]))
        assert response.status_code == 410
        assert "not valid" in response.content.decode()

    def test_someone_logged_in_as_another_person_is_told_and_not_joined(self, personas) -> None:
        token = self.invite(personas)
        client = personas.client_for(personas.outsider)
        page = client.get(reverse("invitation-accept", args=[token])).content.decode()
        assert "This invitation is for neu@muster.example" in page
        response = client.post(reverse("invitation-accept", args=[token]), {"action": "accept"})
        assert response.status_code == 400
        assert not Membership.objects.filter(
            user=personas.outsider.user, organization=personas.organization
        ).exists()

    def test_an_existing_account_is_asked_to_log_in(self, personas) -> None:
        _invitation, token = services.invitation_create(
            actor=personas.outsider,
            email="cm@muster.example",
            role=Role.VIEWER,
            departments=[],
            weekly_hours=Decimal(0),
        )
        page = (
            Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("invitation-accept", args=[token])).content.decode()
        )
        assert "Log in to accept the invitation" in page
