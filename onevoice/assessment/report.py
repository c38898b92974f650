"""The self-assessment as a PDF for management, in German or English (WeasyPrint, like the monthly report)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from onevoice.assessment import selectors, svg
from onevoice.assessment.models import Assessment


def assessment_html(assessment: Assessment, language: str) -> str:
    with translation.override(language):
        view = selectors.result_view(assessment)
        series = []
        if view.previous is not None:
            series.append((_("Previous assessment"), [r.previous for r in view.rows], "#6c757d"))
        series.append((_("This assessment"), [r.percent for r in view.rows], "#0d6efd"))
        chart = svg.radar_chart(
            [str(r.dimension.title) for r in view.rows],
            series,
            _("Maturity per dimension in per cent of the best answers"),
        )
        return render_to_string(
            "assessment/pdf.html",
            {
                "view": view,
                "organization": assessment.organization,
                "chart": chart,
                "levels": selectors.levels(),
                "LANGUAGE_CODE": language,
            },
        )


def assessment_pdf(assessment: Assessment, language: str) -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(string=assessment_html(assessment, language), base_url=None).write_pdf()
    return pdf


def assessment_filename(assessment: Assessment, language: str) -> str:
    when = assessment.completed_at or assessment.created_at
    return f"onevoice-{assessment.organization.slug}-self-assessment-{when:%Y-%m-%d}-{language}.pdf"
