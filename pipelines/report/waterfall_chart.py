"""A waterfall chart as inline SVG (start, the steps up and down, end), in the style of
`charts.py`: floating bars, each with a `<title>` giving its exact value."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from pipelines.report.chart_style import compact, plain
from pipelines.report.svg_parts import nice_ticks, svg

UP, DOWN, TOTAL = "#2e7d32", "#c62828", "#4e79a7"


def waterfall(start: tuple[str, float], steps: Sequence[tuple[str, float]],
              end: tuple[str, float], *, label: str, fmt=plain,
              width: int = 600, height: int = 260) -> str:
    """`steps`: (name, signed change). The end bar is drawn from its own value, so a chart
    whose steps do not add up shows it."""
    bars, level = [(start[0], 0.0, start[1], TOTAL, start[1])], start[1]
    for name, value in steps:
        value = value or 0.0
        bars.append((name, level, level + value, UP if value >= 0 else DOWN, value))
        level += value
    bars.append((end[0], 0.0, end[1], TOTAL, end[1]))
    top_value = max(max(b[1], b[2]) for b in bars)
    ticks = nice_ticks(top_value)
    left, right, top, bottom = 56, width - 10, 12, height - 40
    axis_top = ticks[-1] or 1.0

    def y(v: float) -> float:
        return bottom - (bottom - top) * max(v, 0.0) / axis_top

    slot = (right - left) / len(bars)
    body = []
    for tick in ticks:
        body.append(f'<line x1="{left}" x2="{right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
                    f'stroke="#e3e7ec"/><text x="{left - 6}" y="{y(tick) + 4:.1f}" '
                    f'text-anchor="end" fill="#5b6775">{escape(compact(tick))}</text>')
    for i, (name, low, high, color, value) in enumerate(bars):
        x = left + i * slot + slot * 0.15
        y0, y1 = y(max(low, high)), y(min(low, high))
        shown = fmt(value) if color == TOTAL else f"{'+' if value >= 0 else '−'}{fmt(abs(value))}"
        body.append(f'<rect x="{x:.1f}" y="{y0:.1f}" width="{slot * 0.7:.1f}" '
                    f'height="{max(y1 - y0, 1):.1f}" fill="{color}">'
                    f"<title>{escape(name)}: {escape(shown)}</title></rect>")
        body.append(f'<text x="{x + slot * 0.35:.1f}" y="{y0 - 3:.1f}" text-anchor="middle" '
                    f'fill="#1d2733" font-size="10">{escape(compact(value))}</text>')
        body.append(f'<text x="{x + slot * 0.35:.1f}" y="{bottom + 14}" text-anchor="middle" '
                    f'fill="#5b6775">{escape(name)}</text>')
    return svg(width, height, label, body)
