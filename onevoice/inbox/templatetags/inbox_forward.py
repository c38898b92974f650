"""The case page's "Forward to an expert" panel: the forwarded questions, their answers and the form."""

from __future__ import annotations

from typing import Any

from django import template

from onevoice.inbox.forward import forward_suggestions
from onevoice.inbox.models import Case

register = template.Library()


@register.inclusion_tag("inbox/includes/forward_panel.html", takes_context=True)
def forward_panel(
    context: template.Context, case: Case, composer: str = "textarea[name=text]"
) -> dict[str, Any]:
    """Render the panel for people who work the case (the page's `may_work`); nothing for the others."""
    return {
        "case": case,
        "organization": context.get("organization"),
        "csrf_token": context.get("csrf_token"),
        "show": bool(context.get("may_work", True)),
        "suggestions": forward_suggestions(case),
        "composer": composer,
        "forward_form": None,
    }
