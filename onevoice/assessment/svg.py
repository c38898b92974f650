"""A radar chart as SVG for the PDF (a PDF runs no JavaScript); the page draws the same with Chart.js."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 600, 380
CX, CY = WIDTH / 2, HEIGHT / 2
RADIUS = 140


def _point(index: int, count: int, value: float) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count
    r = RADIUS * max(0.0, min(100.0, value)) / 100
    return CX + r * math.cos(angle), CY + r * math.sin(angle)


def _polygon(values: Sequence[float], count: int) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in (_point(i, count, v) for i, v in enumerate(values)))


def radar_chart(
    labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None], str]], title: str
) -> SafeString:
    """Axes 0–100 % per label; each series (name, values, colour) is one polygon, the last drawn on top."""
    count = max(len(labels), 3)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'aria-label="{escape(title)}" font-family="sans-serif" font-size="10">',
        f"<title>{escape(title)}</title>",
    ]
    for ring in (20, 40, 60, 80, 100):
        parts.append(f'<polygon points="{_polygon([ring] * count, count)}" fill="none" stroke="#dee2e6"/>')
        x, y = _point(0, count, ring)
        parts.append(f'<text x="{x + 3:.1f}" y="{y + 3:.1f}" fill="#6c757d" font-size="8">{ring}</text>')
    for index, label in enumerate(labels):
        x, y = _point(index, count, 100)
        parts.append(f'<line x1="{CX}" y1="{CY}" x2="{x:.1f}" y2="{y:.1f}" stroke="#dee2e6"/>')
        lx, ly = _point(index, count, 110)
        anchor = "middle" if abs(lx - CX) < 10 else ("start" if lx > CX else "end")
        ly += -4 if ly < CY - RADIUS else 0
        parts.append(
            f'<text x="{lx:.1f}" y="{ly + 3:.1f}" text-anchor="{anchor}" fill="#212529">{escape(label)}</text>'
        )
    for name, values, colour in series:
        numbers = [float(v or 0) for v in values]
        parts.append(
            f'<polygon points="{_polygon(numbers, count)}" fill="{colour}" fill-opacity="0.18" '
            f'stroke="{colour}" stroke-width="2"><title>{escape(name)}</title></polygon>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - built from numbers and escaped labels only
