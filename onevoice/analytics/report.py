"""The monthly management report: the organisation's month as HTML, and the same HTML as a PDF.

Team-level only: no figure in it names or ranks a person. Charts are SVG drawn here (a PDF runs no
JavaScript).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from onevoice.analytics import svg
from onevoice.analytics.community import plan_realism, tz_of
from onevoice.analytics.definitions import ENGAGEMENT_RATE_DEFINITION, NOT_AVAILABLE
from onevoice.analytics.periods import Period, month_of
from onevoice.analytics.selectors import Dashboard, Scope, dashboard
from onevoice.networks.models import Channel
from onevoice.organization.models import Organization


@dataclass
class Report:
    organization: Organization
    period: Period
    language: str
    html: str


def organization_scope(organization: Organization) -> Scope:
    """The report covers every channel of the organisation (it goes to management, not to one person)."""
    channels = list(
        Channel.objects.filter(organization=organization).select_related("department").order_by("name")
    )
    return Scope("organization", organization, channels)


def _highlights(board: Dashboard) -> list[str]:
    lines: list[str] = []
    for figure in board.figures:
        if not figure.available or figure.value is None or figure.change is None:
            continue
        if (
            figure.key in ("interactions", "engagement_rate", "followers", "published")
            and abs(figure.change) >= 5
        ):
            direction = _("rose") if figure.change > 0 else _("fell")
            lines.append(
                _("%(figure)s %(direction)s by %(change)s %% against the previous month.")
                % {"figure": figure.label, "direction": direction, "change": abs(figure.change)}
            )
    if board.top:
        best = board.top[0]
        lines.append(
            _("Best post: “%(title)s” on %(channel)s with an engagement rate of %(rate)s %%.")
            % {
                "title": (best.tracked.title or best.tracked.excerpt)[:80],
                "channel": best.channel.name,
                "rate": best.rate,
            }
        )
    if board.inbox.cases:
        lines.append(
            _("%(cases)s community conversations came in; %(answered)s were answered.")
            % {"cases": board.inbox.cases, "answered": board.inbox.answered}
        )
    return lines


def report_context(
    organization: Organization, month_start: date, *, now: datetime | None = None
) -> dict[str, Any]:
    """Everything the report shows for the month that begins on `month_start`."""
    from onevoice.strategy.periods import period_end
    from onevoice.strategy.selectors import goals_with_state

    now = now or timezone.now()
    period = month_of(month_start)
    tz = tz_of(organization)
    _start, end = period.bounds(tz)
    as_of = min(now, end)
    board = dashboard(organization_scope(organization), period, now=as_of)
    goals = [
        row
        for row in goals_with_state(organization, now=as_of)
        if row.goal.period_start <= period.end
        and period_end(row.goal.period_kind, row.goal.period_start) > period.start
    ]
    labels = [
        date_format(d, "j.n.") if translation.get_language() == "de" else date_format(d, "n/j")
        for d in period.dates()
    ]
    series = board.series
    charts = {
        "interactions": svg.bar_chart(labels, series["interactions"], _("Interactions per day"))
        if series["has_interactions"]
        else None,
        "followers": svg.line_chart(labels, series["followers"], _("Followers"))
        if series["has_followers"]
        else None,
        "published": svg.bar_chart(labels, series["published"], _("Posts published per day")),
    }
    return {
        "organization": organization,
        "period": period,
        "month_label": date_format(period.start, "F Y"),
        "board": board,
        "goals": goals,
        "charts": charts,
        "highlights": _highlights(board),
        "realism": plan_realism(organization, period.start, period.end),
        "rate_definition": ENGAGEMENT_RATE_DEFINITION,
        "not_available": NOT_AVAILABLE,
        "generated_at": now,
    }


def report_build(
    organization: Organization, month_start: date, language: str, *, now: datetime | None = None
) -> Report:
    with translation.override(language):
        context = report_context(organization, month_start, now=now)
        html = render_to_string("analytics/report.html", {**context, "LANGUAGE_CODE": language})
    return Report(organization, context["period"], language, html)


def report_pdf(report: Report) -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(string=report.html, base_url=None).write_pdf()
    return pdf


def previous_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def report_filename(report: Report) -> str:
    return f"onevoice-{report.organization.slug}-{report.period.start:%Y-%m}-{report.language}.pdf"
