"""Charts as plain inline SVG: no library, no script, no network.

A chart is bars and lines over labelled slots (months, or categories), one shared value axis.
It scales with its container (viewBox, width 100%), carries role="img" with a title and a
description for screen readers, and tells plainly when it has nothing to draw.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 78, 16, 16, 44

# Dark enough for 3:1 against white (WCAG 1.4.11 non-text contrast), told apart by dash too.
PALETTE = ("#1f4e99", "#a8460d", "#17703a", "#6b3fa0", "#b0123f", "#3f4650")
DASHES = ("", "6 4", "2 3", "10 3 2 3", "", "6 4")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]  # one per slot; None: no figure for that slot
    kind: str = "bar"  # "bar" or "line"


@dataclass(frozen=True)
class Reference:
    """A horizontal line at a target, labelled (the path's end, a deadline)."""

    value: float
    label: str


def nice_step(span: float, ticks: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about `ticks` gridlines."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1.0, 2.0, 2.5, 5.0):
        if raw <= factor * power:
            return factor * power
    return 10.0 * power


def chart(
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    value_label: Callable[[float], str] = lambda v: f"{v:,.0f}",
    reference: Reference | None = None,
    floor: float | None = 0.0,
    ceiling: float | None = None,
) -> str:
    """One SVG chart. `floor`/`ceiling` fix the value axis (0 and 1 for shares); None: fit."""
    head = (
        f'<svg id="{chart_id}" class="chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
    )
    values = [v for s in series for v in s.values if v is not None]
    if not labels or not values:
        return (
            head + f'<text class="no-data" x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle">'
            "No figures for this chart in this export yet.</text></svg>"
        )
    marks = [*values, *([reference.value] if reference else [])]
    low = min(marks) if floor is None else min(floor, *marks)
    high = max(marks) if ceiling is None else max(ceiling, *marks)
    step = nice_step(high - low if high > low else abs(high) or 1.0)
    if ceiling is None and all(float(v).is_integer() for v in marks):
        step = max(step, 1.0)  # counts: no gridline between two whole numbers
    low = math.floor(low / step) * step
    high = math.ceil(high / step) * step if high > low else low + step
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(v: float) -> float:
        return TOP + plot_h * (1 - (v - low) / (high - low))

    slot = plot_w / len(labels)
    parts = [head]
    tick = low
    while tick <= high + step / 2:
        ty = y(tick)
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}"/>'
            f'<text class="axis" x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end">'
            f"{escape(value_label(tick))}</text>"
        )
        tick += step
    every = max(1, math.ceil(len(labels) / 6))  # at most 6 labels: readable on a phone
    for i, label in enumerate(labels):
        if i % every == 0:
            parts.append(
                f'<text class="axis" x="{LEFT + slot * (i + 0.5):.1f}" y="{HEIGHT - BOTTOM + 18}"'
                f' text-anchor="middle">{escape(label)}</text>'
            )
    bars = [s for s in series if s.kind == "bar"]
    width = slot * 0.8 / max(1, len(bars))
    base = y(max(low, 0.0))
    for n, s in enumerate(series):
        colour, dash = PALETTE[n % len(PALETTE)], DASHES[n % len(DASHES)]
        if s.kind == "bar":
            k = bars.index(s)
            for i, v in enumerate(s.values):
                if v is None:
                    continue
                x = LEFT + slot * (i + 0.1) + width * k
                top, bottom = sorted((y(v), base))
                parts.append(
                    f'<rect class="mark" x="{x:.1f}" y="{top:.1f}" width="{width:.1f}" '
                    f'height="{max(bottom - top, 0.5):.1f}" fill="{colour}">'
                    f"<title>{escape(s.name)}, {escape(labels[i])}: "
                    f"{escape(value_label(v))}</title></rect>"
                )
        else:
            points = [
                (LEFT + slot * (i + 0.5), y(v), i, v)
                for i, v in enumerate(s.values)
                if v is not None
            ]
            if len(points) > 1:
                path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _, _ in points)
                parts.append(
                    f'<polyline class="mark" points="{path}" fill="none" stroke="{colour}" '
                    f'stroke-width="2.5" stroke-dasharray="{dash}"/>'
                )
            for px, py, i, v in points:
                parts.append(
                    f'<circle class="mark" cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="{colour}">'
                    f"<title>{escape(s.name)}, {escape(labels[i])}: "
                    f"{escape(value_label(v))}</title></circle>"
                )
    if reference is not None:
        ry = y(reference.value)
        parts.append(
            f'<line class="reference" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ry:.1f}" '
            f'y2="{ry:.1f}"/><text class="axis" x="{WIDTH - RIGHT}" y="{ry - 5:.1f}" '
            f'text-anchor="end">{escape(reference.label)}</text>'
        )
    parts.append(
        f'<line class="axis-line" x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{HEIGHT - BOTTOM}"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


def legend(series: Sequence[Series]) -> str:
    """The series' names with their colour and dash, as an HTML list under the chart."""
    items = []
    for n, s in enumerate(series):
        colour, dash = PALETTE[n % len(PALETTE)], DASHES[n % len(DASHES)]
        swatch = (
            f'<svg class="swatch" viewBox="0 0 24 12" aria-hidden="true"><line x1="0" x2="24" '
            f'y1="6" y2="6" stroke="{colour}" stroke-width="{8 if s.kind == "bar" else 3}" '
            f'stroke-dasharray="{dash if s.kind == "line" else ""}"/></svg>'
        )
        items.append(f"<li>{swatch}{escape(s.name)}</li>")
    return f'<ul class="legend">{"".join(items)}</ul>'
