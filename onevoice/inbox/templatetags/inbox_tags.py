"""Template helpers of the inbox: time left on the SLA in words, the navigation's count of my open cases."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from onevoice.organization.models import Membership

register = template.Library()


@register.filter
def duration(value: timedelta | None) -> str:
    """A span as people say it: "3 d 4 h", "2 h 15 min", "5 min" (the sign is dropped)."""
    if value is None:
        return ""
    minutes = abs(int(value.total_seconds())) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(d)s d %(h)s h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)s h %(m)s min") % {"h": hours, "m": minutes}
    return _("%(m)s min") % {"m": max(minutes, 1)}


@register.simple_tag
def my_open_cases(member: Membership | None) -> int:
    """Cases assigned to this person that are not closed (one query; 0 outside an organisation)."""
    if member is None or not getattr(member, "pk", None):
        return 0
    from onevoice.inbox.selectors import my_open_count
    from onevoice.organization.access import may_use_inbox

    return my_open_count(member) if may_use_inbox(member) else 0


_STATUS_LABELS = {
    "new": pgettext_lazy("case status", "New"),
    "open": pgettext_lazy("case status", "Open"),
    "waiting": pgettext_lazy("case status", "Waiting for customer"),
    "closed": pgettext_lazy("case status", "Closed"),
}


@register.filter
def case_status(value: str) -> str:
    """A case's status as an adjective ("Offen"), not the verb the bare word would translate to."""
    return str(_STATUS_LABELS.get(value, value))
