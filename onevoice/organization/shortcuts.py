from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from onevoice.organization.models import Membership


def render_for_member(
    request: HttpRequest, member: Membership, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Render a page inside an organisation: the navigation needs the member and their organisation."""
    return render(
        request, template, {"member": member, "organization": member.organization, **context}, status=status
    )
