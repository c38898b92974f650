"""`membership_for`, the check behind every page: the person's active memberships in one statement, with
what the page needs of them (organisation, its publishing settings, the user)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from onevoice.organization import services
from onevoice.organization.access import SWITCHER_ATTRIBUTE, membership_for
from onevoice.organization.models import Membership, Organization, default_business_hours
from onevoice.organization.roles import Role
from onevoice.organization.shortcuts import _pause
from onevoice.publishing.services import publishing_pause

pytestmark = pytest.mark.django_db


def second_organization(personas, name: str) -> Membership:
    other = services.organization_create(
        creator=personas.outsider.user,
        name=name,
        time_zone="Europe/Zurich",
        form_of_address="sie",
        model="solo",
        business_hours=default_business_hours(),
        departments=[services.DepartmentProposal("Kommunikation", is_central_team=True)],
    ).organization
    return Membership.objects.create(organization=other, user=personas.cm.user, role=Role.VIEWER)


def test_it_loads_every_active_membership_by_organisation_name_in_one_statement(personas) -> None:
    second_organization(personas, "Aaa Verein")
    left = second_organization(personas, "Zzz AG")
    Membership.objects.filter(pk=left.pk).update(is_active=False)
    user = personas.cm.user
    with CaptureQueriesContext(connection) as queries:
        member = membership_for(user, personas.organization.slug)
    assert len(queries) == 1
    assert member.pk == personas.cm.pk
    assert member.role == Role.CM
    assert member.organization.name == "Muster GmbH"
    assert member.user.email == user.email
    assert member.organization.time_zone == "Europe/Berlin"
    switcher = getattr(user, SWITCHER_ATTRIBUTE)
    assert [m.organization.name for m in switcher] == ["Aaa Verein", "Muster GmbH"]


def test_another_organisation_a_left_one_or_a_deactivated_person_is_404(personas) -> None:
    with pytest.raises(Http404):
        membership_for(personas.cm.user, personas.outsider.organization.slug)
    Membership.objects.filter(pk=personas.viewer.pk).update(is_active=False)
    with pytest.raises(Http404):
        membership_for(personas.viewer.user, personas.organization.slug)
    user = personas.reviewer.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    with pytest.raises(Http404):
        membership_for(user, personas.organization.slug)


def test_the_pause_banner_needs_no_query_of_its_own(personas) -> None:
    member = membership_for(personas.cm.user, personas.organization.slug)
    assert Organization.publishing.is_cached(member.organization)
    with CaptureQueriesContext(connection) as queries:
        assert _pause(member) is False
    assert len(queries) == 0
    publishing_pause(actor=personas.smm, reason="Krisenfall")
    member = membership_for(personas.cm.user, personas.organization.slug)
    assert member.organization.publishing.paused_at is not None
    assert member.organization.publishing.organization is member.organization
    assert _pause(member)
