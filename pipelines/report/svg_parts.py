"""The pieces the charts are drawn from: the `<svg>` element, axes, tick values, labels."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date
from html import escape

from pipelines.report.chart_style import FONT, Formatter


def nice_ticks(maximum: float, count: int = 5, integer: bool = False) -> list[float]:
    """Round tick values from 0 to at least `maximum` (steps of 1, 2, 2.5 or 5 × 10^k; whole
    steps for counts)."""
    if maximum is None or maximum <= 0 or not math.isfinite(maximum):
        return [0.0, 1.0]
    raw = maximum / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if integer:
        step = max(1, math.ceil(step))
    top = math.ceil(maximum / step - 1e-9) * step
    return [i * step for i in range(int(round(top / step)) + 1)]


def svg(width: int, height: int, label: str, body: list[str], empty: bool = False) -> str:
    marker = ' data-empty="true"' if empty else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}"{marker} '
            f'style="max-width:{width}px" role="img" aria-label="{escape(label)}" {FONT} '
            f'font-size="11">'
            f"<title>{escape(label)}</title>{''.join(body)}</svg>")


def empty_chart(width: int, height: int, label: str, message: str = "no data") -> str:
    return svg(width, height, label, [
        f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" fill="#fafafa" stroke="#ddd"/>',
        f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" fill="#888">{escape(message)}</text>'],
        empty=True)


def y_axis(ticks: list[float], top: float, scale: Callable[[float], float], left: int,
            right: int, fmt: Formatter) -> list[str]:
    parts = []
    for tick in ticks:
        y = scale(tick)
        parts.append(f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="{"#999" if tick == 0 else "#e5e5e5"}"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#555">'
                     f"{escape(fmt(tick))}</text>")
    return parts


def short_label(label: str) -> str:
    """Axis text: an ISO date as "Jan 05"; anything else as is."""
    try:
        return date.fromisoformat(label).strftime("%b %d")
    except ValueError:
        return label


def x_labels(labels: Sequence[str], x_of: Callable[[int], float], y: float,
              max_labels: int = 8) -> list[str]:
    every = max(1, math.ceil(len(labels) / max_labels))
    parts = []
    for i, label in enumerate(labels):
        if i % every == 0:
            parts.append(f'<text x="{x_of(i):.1f}" y="{y}" text-anchor="middle" fill="#555">'
                         f"{escape(short_label(label))}</text>")
    return parts
