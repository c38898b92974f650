"""The notification bell's data for the layout (`app.html`)."""

from __future__ import annotations

from django import template

from onevoice.organization.models import Membership
from onevoice.planning.notifications import bell_of

register = template.Library()


@register.simple_tag
def notification_bell_of(member: Membership) -> dict[str, object]:
    return bell_of(member)
