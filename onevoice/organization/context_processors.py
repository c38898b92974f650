from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from onevoice.organization.access import memberships_of


def current_organization(request: HttpRequest) -> dict[str, Any]:
    """The organisations the person can switch between, loaded only when a page shows the switcher."""
    return {"switcher_memberships": SimpleLazyObject(lambda: memberships_of(request.user))}
