"""Small server-side SVG charts for the PDF report (a PDF cannot run the dashboard's JavaScript)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 200
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 48, 12, 12, 28
COLORS = ("#0d6efd", "#198754", "#fd7e14", "#6f42c1")


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return value


def _number(value: float, step: float) -> str:
    """A tick label in the active language's format (1.500 in German, 1,500 in English)."""
    places = 0 if step >= 1 else 1
    return str(number_format(round(value, places), places, force_grouping=True))


def _axes(top: float, labels: Sequence[str], title: str, floor: float = 0.0) -> list[str]:
    inner_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'aria-label="{escape(title)}" font-family="sans-serif" font-size="10">',
        f"<title>{escape(title)}</title>",
    ]
    step = (top - floor) / 4
    for i in range(5):
        y = PAD_TOP + inner_h * i / 4
        value = floor + step * (4 - i)
        parts.append(
            f'<line x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#dee2e6"/>'
        )
        parts.append(
            f'<text x="{PAD_LEFT - 6}" y="{y + 3:.1f}" text-anchor="end" fill="#6c757d">{escape(_number(value, step))}</text>'
        )
    if labels:
        step_x = max(1, len(labels) // 6)
        inner_w = WIDTH - PAD_LEFT - PAD_RIGHT
        for index in range(0, len(labels), step_x):
            x = PAD_LEFT + inner_w * (index + 0.5) / len(labels)
            parts.append(
                f'<text x="{x:.1f}" y="{HEIGHT - 8}" text-anchor="middle" fill="#6c757d">{escape(labels[index])}</text>'
            )
    return parts


def bar_chart(labels: Sequence[str], values: Sequence[float | int | None], title: str) -> SafeString:
    """Bars for one series (None counts as no bar)."""
    numbers = [float(v or 0) for v in values]
    top = _nice_max(max(numbers, default=0))
    parts = _axes(top, labels, title)
    inner_w = WIDTH - PAD_LEFT - PAD_RIGHT
    inner_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    width = inner_w / max(len(numbers), 1)
    for index, value in enumerate(numbers):
        height = inner_h * value / top
        x = PAD_LEFT + index * width + width * 0.15
        y = PAD_TOP + inner_h - height
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{width * 0.7:.1f}" height="{height:.1f}" fill="{COLORS[0]}"/>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - built from numbers and escaped labels only


def line_chart(labels: Sequence[str], values: Sequence[float | int | None], title: str) -> SafeString:
    """A line for one series; gaps (None) break the line."""
    present = [float(v) for v in values if v is not None]
    low = min(present, default=0)
    top = _nice_max(max(present, default=0))
    floor = 0.0 if low < top * 0.5 else _nice_floor(low)
    parts = _axes(top, labels, title, floor)
    inner_w = WIDTH - PAD_LEFT - PAD_RIGHT
    inner_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    points: list[str] = []
    paths: list[list[str]] = []
    for index, value in enumerate(values):
        if value is None:
            if points:
                paths.append(points)
                points = []
            continue
        x = PAD_LEFT + inner_w * (index + 0.5) / max(len(values), 1)
        y = PAD_TOP + inner_h * (1 - (float(value) - floor) / max(top - floor, 1e-9))
        points.append(f"{x:.1f},{y:.1f}")
    if points:
        paths.append(points)
    for path in paths:
        parts.append(
            f'<polyline fill="none" stroke="{COLORS[1]}" stroke-width="2" points="{" ".join(path)}"/>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - built from numbers and escaped labels only


def _nice_floor(value: float) -> float:
    magnitude = 10 ** max(len(str(int(value))) - 2, 0)
    return float(int(value // magnitude) * magnitude)
