from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from onevoice.organization.access import SWITCHER_ATTRIBUTE, memberships_of

# Which entry of the navigation a page belongs to, by (URL namespace, URL name); the namespace alone
# decides where no name is listed.
NAV_SECTIONS: dict[tuple[str, str], str] = {
    ("planning", "requests"): "requests",
    ("planning", "request"): "requests",
    ("planning", "request-new"): "requests",
    ("planning", "request-act"): "requests",
    ("planning", "reviews"): "reviews",
    ("planning", "notifications"): "",
    ("planning", "notification-settings"): "",
    ("planning", "campaigns"): "campaigns",
    ("planning", "campaign"): "campaigns",
    ("planning", "campaign-new"): "campaigns",
    ("planning", "campaign-edit"): "campaigns",
    ("planning", "setup"): "plan-setup",
    ("planning", "topics"): "plan-setup",
    ("planning", "topic"): "plan-setup",
    ("planning", "blackouts"): "plan-setup",
    ("planning", "channel-rules"): "plan-setup",
    ("planning", "policies"): "plan-setup",
    ("planning", "policy"): "plan-setup",
    ("planning", "policy-new"): "plan-setup",
    ("organization", "departments"): "departments",
    ("organization", "department"): "departments",
    ("organization", "people"): "people",
    ("organization", "invite"): "people",
    ("organization", "membership"): "people",
    ("organization", "settings"): "settings",
    ("organization", "audit"): "audit",
    ("organization", "overview"): "overview",
}
NAV_BY_NAMESPACE = {
    "planning": "plan",
    "networks": "channels",
    "publishing": "publishing",
    "guidelines": "guidelines",
    "strategy": "strategy",
    "voice": "voice",
}


def nav_section(request: HttpRequest) -> str:
    match = request.resolver_match
    if match is None:
        return ""
    key = (match.namespace, match.url_name or "")
    if key in NAV_SECTIONS:
        return NAV_SECTIONS[key]
    return NAV_BY_NAMESPACE.get(match.namespace, "")


def _switcher(request: HttpRequest) -> list[Any]:
    """The memberships `membership_for` loaded for this request, else a query of its own."""
    loaded = getattr(request.user, SWITCHER_ATTRIBUTE, None)
    return loaded if loaded is not None else memberships_of(request.user)


def current_organization(request: HttpRequest) -> dict[str, Any]:
    """The organisations the person can switch between (loaded only when shown) and the navigation entry."""
    return {
        "switcher_memberships": SimpleLazyObject(lambda: _switcher(request)),
        "nav": SimpleLazyObject(lambda: nav_section(request)),
    }
