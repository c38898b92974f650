from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import make_user
from onevoice.core.models import AppendOnlyError, AuditEvent
from onevoice.organization import services
from onevoice.organization.access import NotAllowed
from onevoice.organization.models import Department, Invitation, Membership, default_business_hours
from onevoice.organization.roles import Role

pytestmark = pytest.mark.django_db


def last_event(verb: str) -> AuditEvent:
    return AuditEvent.objects.filter(verb=verb).latest("id")


class TestOrganizationCreate:
    def test_it_creates_departments_and_makes_the_creator_admin(self) -> None:
        user = make_user("neu@firma.example", "Nora Neu")
        membership = services.organization_create(
            creator=user,
            name="Firma KG",
            time_zone="Europe/Berlin",
            form_of_address="du",
            model="central",
            business_hours=default_business_hours(),
            departments=[
                services.DepartmentProposal("Social-Media-Team", True),
                services.DepartmentProposal("HR"),
            ],
        )
        assert membership.role == Role.ADMIN
        assert membership.organization.slug == "firma-kg"
        assert sorted(d.name for d in membership.organization.departments.all()) == [
            "HR",
            "Social-Media-Team",
        ]
        # In the central model the creator works in the central team.
        assert [d.name for d in membership.departments.all()] == ["Social-Media-Team"]
        assert AuditEvent.objects.filter(organization=membership.organization).count() == 4
        user.refresh_from_db()
        assert user.last_organization == membership.organization

    def test_it_refuses_the_same_department_twice(self) -> None:
        user = make_user("neu@firma.example", "Nora Neu")
        with pytest.raises(ValidationError, match="twice"):
            services.organization_create(
                creator=user,
                name="Firma",
                time_zone="Europe/Berlin",
                form_of_address="sie",
                model="decentral",
                business_hours=default_business_hours(),
                departments=[
                    services.DepartmentProposal("Vertrieb"),
                    services.DepartmentProposal("vertrieb "),
                ],
            )

    def test_it_refuses_an_unknown_time_zone(self) -> None:
        user = make_user("neu@firma.example", "Nora Neu")
        with pytest.raises(ValidationError, match="time zone"):
            services.organization_create(
                creator=user,
                name="Firma",
                time_zone="Europe/Atlantis",
                form_of_address="sie",
                model="solo",
                business_hours=default_business_hours(),
                departments=[],
            )

    def test_slugs_stay_unique(self, personas) -> None:
        user = make_user("zwei@muster.example", "Zweite")
        second = services.organization_create(
            creator=user,
            name="Muster GmbH",
            time_zone="Europe/Berlin",
            form_of_address="sie",
            model="solo",
            business_hours=default_business_hours(),
            departments=[],
        )
        assert second.organization.slug == "muster-gmbh-2"


class TestOrganizationUpdate:
    def test_it_audits_before_and_after(self, personas) -> None:
        services.organization_update(
            actor=personas.admin,
            organization=personas.organization,
            time_zone="Europe/Vienna",
            name="Muster AG",
        )
        event = last_event("organization.updated")
        assert event.before["time_zone"] == "Europe/Berlin"
        assert event.after["time_zone"] == "Europe/Vienna"
        assert event.actor == personas.admin.user

    def test_an_smm_may_not_change_settings(self, personas) -> None:
        with pytest.raises(NotAllowed):
            services.organization_update(actor=personas.smm, organization=personas.organization, name="X")


class TestDepartments:
    def test_a_duplicate_name_is_refused_whatever_the_case(self, personas) -> None:
        with pytest.raises(ValidationError) as error:
            services.department_create(actor=personas.smm, name="MARKETING")
        assert "already exists" in str(error.value)

    def test_the_same_name_in_another_organisation_is_fine(self, personas) -> None:
        department = services.department_create(actor=personas.outsider, name="Marketing")
        assert department.organization == personas.outsider.organization

    def test_renaming_to_an_existing_name_is_refused(self, personas) -> None:
        with pytest.raises(ValidationError):
            services.department_update(
                actor=personas.admin,
                department=personas.hr,
                name="marketing",
                description="",
                is_central_team=False,
            )

    def test_deleting_keeps_the_people_and_records_them(self, personas) -> None:
        services.department_delete(actor=personas.admin, department=personas.marketing)
        assert Membership.objects.filter(pk=personas.cm.pk, is_active=True).exists()
        assert "cm@muster.example" in last_event("department.deleted").before["members"]

    def test_a_cm_cannot_manage_departments(self, personas) -> None:
        with pytest.raises(NotAllowed):
            services.department_create(actor=personas.cm, name="Neu")


class TestMembershipUpdate:
    def test_it_changes_role_departments_and_hours_and_audits_it(self, personas) -> None:
        services.membership_update(
            actor=personas.smm,
            membership=personas.contributor,
            role=Role.CM,
            departments=[personas.hr, personas.marketing],
            weekly_hours=Decimal("12.5"),
        )
        personas.contributor.refresh_from_db()
        assert personas.contributor.role == Role.CM
        assert personas.contributor.weekly_hours == Decimal("12.5")
        event = last_event("membership.updated")
        assert event.before["role"] == "contributor"
        assert event.after["role"] == "cm"
        assert event.after["departments"] == ["Marketing", "Personal"]

    def test_the_last_admin_cannot_be_demoted(self, personas) -> None:
        with pytest.raises(ValidationError, match="last administrator"):
            services.membership_update(
                actor=personas.admin,
                membership=personas.admin,
                role=Role.SMM,
                departments=[],
                weekly_hours=Decimal(0),
            )
        personas.admin.refresh_from_db()
        assert personas.admin.role == Role.ADMIN

    def test_the_last_admin_cannot_be_removed(self, personas) -> None:
        with pytest.raises(ValidationError, match="last administrator"):
            services.membership_deactivate(actor=personas.admin, membership=personas.admin)

    def test_an_admin_can_step_down_once_there_is_another(self, personas) -> None:
        services.membership_update(
            actor=personas.admin,
            membership=personas.smm,
            role=Role.ADMIN,
            departments=[],
            weekly_hours=Decimal(20),
        )
        services.membership_update(
            actor=personas.admin,
            membership=personas.admin,
            role=Role.SMM,
            departments=[],
            weekly_hours=Decimal(0),
        )
        assert Membership.objects.filter(organization=personas.organization, role=Role.ADMIN).count() == 1

    def test_only_an_admin_can_make_an_admin(self, personas) -> None:
        with pytest.raises(NotAllowed):
            services.membership_update(
                actor=personas.smm,
                membership=personas.cm,
                role=Role.ADMIN,
                departments=[],
                weekly_hours=Decimal(1),
            )

    def test_weekly_hours_outside_0_to_60_are_refused(self, personas) -> None:
        for hours in (Decimal("-1"), Decimal("60.5")):
            with pytest.raises(ValidationError):
                services.membership_update(
                    actor=personas.admin,
                    membership=personas.cm,
                    role=Role.CM,
                    departments=[],
                    weekly_hours=hours,
                )

    def test_a_department_of_another_organisation_is_refused(self, personas) -> None:
        foreign = Department.objects.get(organization=personas.outsider.organization)
        with pytest.raises(NotAllowed):
            services.membership_update(
                actor=personas.admin,
                membership=personas.cm,
                role=Role.CM,
                departments=[foreign],
                weekly_hours=Decimal(1),
            )

    def test_removal_and_readmission_are_audited(self, personas) -> None:
        services.membership_deactivate(actor=personas.smm, membership=personas.cm)
        personas.cm.refresh_from_db()
        assert not personas.cm.is_active
        services.membership_reactivate(actor=personas.smm, membership=personas.cm)
        assert last_event("membership.deactivated").object_id == str(personas.cm.public_id)
        assert last_event("membership.reactivated") is not None


class TestInvitations:
    def invite(
        self, personas, email: str = "neu@muster.example", role: str = Role.CM
    ) -> tuple[Invitation, str]:
        return services.invitation_create(
            actor=personas.smm,
            email=email,
            role=role,
            departments=[personas.marketing],
            weekly_hours=Decimal(8),
        )

    def test_it_mails_a_link_after_commit_and_stores_only_a_hash(
        self, personas, django_capture_on_commit_callbacks
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            invitation, token = self.invite(personas)
        assert token not in invitation.token_hash
        assert len(mail.outbox) == 1
        assert f"/invitation/{token}/" in mail.outbox[0].body
        assert mail.outbox[0].to == ["neu@muster.example"]
        assert "Muster GmbH" in mail.outbox[0].subject

    def test_accepting_creates_the_membership_with_role_departments_and_hours(self, personas) -> None:
        _invitation, token = self.invite(personas)
        user = make_user("neu@muster.example", "Nina Neu")
        membership = services.invitation_accept(token=token, user=user)
        assert membership.role == Role.CM
        assert membership.weekly_hours == Decimal(8)
        assert list(membership.departments.all()) == [personas.marketing]

    def test_a_used_invitation_cannot_be_used_again(self, personas) -> None:
        _invitation, token = self.invite(personas)
        user = make_user("neu@muster.example", "Nina Neu")
        services.invitation_accept(token=token, user=user)
        with pytest.raises(services.InvitationUnusable) as error:
            services.invitation_accept(token=token, user=user)
        assert error.value.reason == "used"

    def test_an_expired_invitation_is_refused(self, personas) -> None:
        invitation, token = self.invite(personas)
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
        with pytest.raises(services.InvitationUnusable) as error:
            services.invitation_accept(token=token, user=make_user("neu@muster.example", "Nina"))
        assert error.value.reason == "expired"

    def test_an_invitation_for_someone_else_is_refused(self, personas) -> None:
        _invitation, token = self.invite(personas)
        with pytest.raises(services.InvitationUnusable) as error:
            services.invitation_accept(token=token, user=personas.outsider.user)
        assert error.value.reason == "foreign"
        assert not Membership.objects.filter(
            user=personas.outsider.user, organization=personas.organization
        ).exists()

    def test_a_revoked_or_replaced_link_is_refused(self, personas) -> None:
        invitation, old_token = self.invite(personas)
        _invitation, new_token = services.invitation_resend(actor=personas.smm, invitation=invitation)
        with pytest.raises(services.InvitationUnusable) as error:
            services.invitation_by_token(old_token)
        assert error.value.reason == "unknown"
        services.invitation_revoke(actor=personas.smm, invitation=invitation)
        with pytest.raises(services.InvitationUnusable) as error:
            services.invitation_by_token(new_token)
        assert error.value.reason == "revoked"

    def test_an_existing_member_cannot_be_invited(self, personas) -> None:
        with pytest.raises(ValidationError, match="already a member"):
            self.invite(personas, email="CM@muster.example")

    def test_a_second_pending_invitation_is_refused(self, personas) -> None:
        self.invite(personas)
        with pytest.raises(ValidationError, match="already been invited"):
            self.invite(personas)

    def test_an_smm_cannot_invite_an_admin(self, personas) -> None:
        with pytest.raises(NotAllowed):
            self.invite(personas, role=Role.ADMIN)

    def test_a_former_member_is_readmitted_by_an_invitation(self, personas) -> None:
        services.membership_deactivate(actor=personas.admin, membership=personas.viewer)
        _invitation, token = self.invite(personas, email="gf@muster.example", role=Role.VIEWER)
        membership = services.invitation_accept(token=token, user=personas.viewer.user)
        assert membership.pk == personas.viewer.pk
        assert membership.is_active

    def test_a_person_can_belong_to_two_organisations(self, personas) -> None:
        _invitation, token = services.invitation_create(
            actor=personas.outsider,
            email="cm@muster.example",
            role=Role.CONTRIBUTOR,
            departments=[],
            weekly_hours=Decimal(1),
        )
        membership = services.invitation_accept(token=token, user=personas.cm.user)
        assert personas.cm.user.memberships.filter(is_active=True).count() == 2
        assert membership.organization == personas.outsider.organization


class TestAuditLogIsAppendOnly:
    def test_events_cannot_be_changed_or_deleted(self, personas) -> None:
        event = AuditEvent.objects.filter(organization=personas.organization).first()
        assert event is not None
        event.verb = "tampered"
        with pytest.raises(AppendOnlyError):
            event.save()
        with pytest.raises(AppendOnlyError):
            event.delete()
        with pytest.raises(AppendOnlyError):
            AuditEvent.objects.filter(pk=event.pk).update(verb="x")
        with pytest.raises(AppendOnlyError):
            AuditEvent.objects.all().delete()
