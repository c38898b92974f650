from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject

from onevoice.organization.models import Membership


def render_for_member(
    request: HttpRequest, member: Membership, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Render a page inside an organisation: the navigation needs the member and their organisation, and
    every page shows the banner while publishing is paused."""
    from onevoice.publishing.selectors import pause_of

    page = {
        "member": member,
        "organization": member.organization,
        "publishing_pause": SimpleLazyObject(lambda: pause_of(member.organization_id) or False),
    }
    return render(request, template, {**page, **context}, status=status)
