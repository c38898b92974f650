"""The audit log: services call `record` for every change that matters; nothing in the app deletes it."""

from __future__ import annotations

import contextvars
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from onevoice.core.models import AuditEvent

if TYPE_CHECKING:
    from onevoice.accounts.models import User
    from onevoice.organization.models import Organization

# The client address of the request being served; set by middleware, empty in tasks and commands.
current_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("current_ip", default=None)


def _jsonable(value: Any) -> Any:
    """Turn a snapshot into plain JSON (dates, decimals and UUIDs as strings)."""
    if value is None:
        return None
    import json

    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def record(
    *,
    actor: User | None,
    organization: Organization | None,
    verb: str,
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event; call it inside the service's transaction so both commit together."""
    object_id = ""
    if obj is not None:
        object_id = str(getattr(obj, "public_id", None) or obj.pk)
    return AuditEvent.objects.create(
        organization=organization,
        actor=actor if actor is not None and actor.pk else None,
        actor_label=getattr(actor, "email", "") or "",
        verb=verb,
        object_type=obj._meta.model_name if obj is not None else "",
        object_id=object_id,
        object_repr=str(obj)[:255] if obj is not None else "",
        before=_jsonable(before),
        after=_jsonable(after),
        ip_address=current_ip.get(),
    )


# Readable names of the audit verbs, for the audit log page and its CSV export.
VERB_LABELS: dict[str, Any] = {}


def _register_labels() -> None:
    from django.utils.translation import gettext_lazy as _

    VERB_LABELS.update(
        {
            "organization.created": _("Organisation created"),
            "organization.updated": _("Organisation settings changed"),
            "department.created": _("Department created"),
            "department.updated": _("Department changed"),
            "department.deleted": _("Department deleted"),
            "membership.created": _("Person joined"),
            "membership.updated": _("Role, departments or hours changed"),
            "membership.deactivated": _("Person removed"),
            "membership.reactivated": _("Person re-admitted"),
            "invitation.created": _("Invitation sent"),
            "invitation.resent": _("Invitation sent again"),
            "invitation.revoked": _("Invitation withdrawn"),
            "invitation.accepted": _("Invitation accepted"),
        }
    )


_register_labels()


def verb_label(verb: str) -> str:
    return str(VERB_LABELS.get(verb, verb))
