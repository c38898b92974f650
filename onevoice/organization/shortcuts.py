from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject

from onevoice.organization.models import Membership, Organization


def render_for_member(
    request: HttpRequest, member: Membership, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Render a page inside an organisation: the navigation needs the member and their organisation, and
    every page shows the banner while publishing is paused."""
    page = {
        "member": member,
        "organization": member.organization,
        "publishing_pause": SimpleLazyObject(lambda: _pause(member)),
    }
    return render(request, template, {**page, **context}, status=status)


def _pause(member: Membership) -> Any:
    """The pause for the banner; `membership_for` loads the publishing settings with the membership."""
    from onevoice.publishing.selectors import pause_of

    organization = member.organization
    if Organization.publishing.is_cached(organization):
        settings = getattr(organization, "publishing", None)
        if settings is None or settings.paused_at is None:
            return False
    return pause_of(member.organization_id) or False
