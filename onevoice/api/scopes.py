"""What a token may touch: read/write per area, and the role capability each scope needs on top."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onevoice.organization.roles import Capability, Role, capabilities_of

C = Capability


@dataclass(frozen=True)
class Area:
    key: str
    label: str | Promise
    help: str | Promise
    read: Capability
    write: Capability | None  # None: the area is read-only through the API


AREAS: tuple[Area, ...] = (
    Area(
        "posts",
        _("Posts"),
        _("Posts and their channel variants: read, create drafts, edit, submit."),
        C.VIEW_PLAN,
        C.CREATE_CONTENT,
    ),
    Area(
        "requests",
        _("Content requests"),
        _("Read requests and file new ones (e.g. from an intranet form)."),
        C.CREATE_CONTENT,
        C.CREATE_CONTENT,
    ),
    Area("calendar", _("Calendar"), _("Posts and blackout periods of a date range."), C.VIEW_PLAN, None),
    Area("cases", _("Inbox cases"), _("Read cases; assign, reply and close them."), C.COMMENT, C.REPLY),
    Area("channels", _("Channels"), _("The connected accounts and their state."), C.VIEW_PLAN, None),
    Area(
        "analytics",
        _("Metrics and KPIs"),
        _("Figures of a period and where the KPI targets stand."),
        C.VIEW_REPORTS,
        None,
    ),
    Area("audit", _("Audit log"), _("Who changed what and when (administrators)."), C.VIEW_AUDIT, None),
)
AREA_BY_KEY = {area.key: area for area in AREAS}

ALL_SCOPES: tuple[str, ...] = tuple(
    scope
    for area in AREAS
    for scope in ((f"{area.key}:read",) + ((f"{area.key}:write",) if area.write else ()))
)


def capability_for(scope: str) -> Capability:
    """The role capability a scope needs: a token never does more than its role allows."""
    key, _sep, mode = scope.partition(":")
    area = AREA_BY_KEY[key]
    if mode == "write" and area.write is not None:
        return area.write
    return area.read


def scopes_for_role(role: str) -> list[str]:
    """The scopes a token acting with this role can use (the others would never work)."""
    capabilities = capabilities_of(Role(role))
    return [scope for scope in ALL_SCOPES if capability_for(scope) in capabilities]


def normalise(scopes: list[str] | tuple[str, ...]) -> list[str]:
    """Known scopes, in the canonical order; write implies read of the same area."""
    chosen = set(scopes)
    for scope in list(chosen):
        if scope.endswith(":write"):
            chosen.add(scope.replace(":write", ":read"))
    return [scope for scope in ALL_SCOPES if scope in chosen]


def scope_label(scope: str) -> str:
    key, _sep, mode = scope.partition(":")
    area = AREA_BY_KEY.get(key)
    if area is None:
        return scope
    return f"{area.label} ({_('write') if mode == 'write' else _('read')})"
