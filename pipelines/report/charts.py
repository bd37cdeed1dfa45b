"""Inline SVG charts, generated in Python: no JavaScript library, no download, opens offline.

Every function returns one `<svg>` element as text. Marks carry a `<title>`, so hovering a bar
or a point shows its exact value in any browser. Sizes are in viewBox units; CSS scales the
chart to the width of its container. Colours, number formats and series: chart_style.py; the
axes and the `<svg>` element: svg_parts.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from pipelines.report.chart_style import (
    EXTRA_COLORS,
    STATUS_COLORS,
    Formatter,
    Series,
    color_for,
    compact,
    number,
    percent,
    plain,
)
from pipelines.report.svg_parts import empty_chart, nice_ticks, svg, x_labels, y_axis

# The sections draw through this module alone: what they use of the parts, by name.
__all__ = ["EXTRA_COLORS", "STATUS_COLORS", "Series", "color_for", "compact", "funnel",
           "heatmap", "horizontal_bars", "line_chart", "nice_ticks", "percent", "plain",
           "stacked_bars", "stacked_columns"]


def stacked_columns(labels: Sequence[str], series: Sequence[Series], *, label: str,
                    fmt: Formatter = plain, normalise: bool = False,
                    width: int = 600, height: int = 260) -> str:
    """One column per label (a day), stacked by series (channels). `normalise` stacks shares
    (each column sums to 100%)."""
    totals = [sum((s.values[i] or 0) for s in series) for i in range(len(labels))]
    if not labels or not any(totals):
        return empty_chart(width, height, label)
    left, right, top, bottom = 56, width - 10, 12, height - 26
    ticks = [0, 0.25, 0.5, 0.75, 1.0] if normalise else nice_ticks(max(totals), integer=True)
    axis_top = ticks[-1]

    def scale(v: float) -> float:
        return bottom - (v / axis_top) * (bottom - top)

    slot = (right - left) / len(labels)
    bar = max(1.0, slot * 0.8)
    body = y_axis(ticks, axis_top, scale, left, right, percent if normalise else compact)
    for i, day in enumerate(labels):
        base = 0.0
        x = left + i * slot + (slot - bar) / 2
        for s in series:
            raw = s.values[i] or 0
            value = raw / totals[i] if normalise and totals[i] else raw
            if value <= 0:
                continue
            y0, y1 = scale(base), scale(base + value)
            shown = f"{fmt(raw)} ({value * 100:.0f}%)" if normalise else fmt(raw)
            body.append(f'<rect x="{x:.1f}" y="{y1:.1f}" width="{bar:.1f}" height="{y0 - y1:.2f}" '
                        f'fill="{s.color}"><title>{escape(day)} · {escape(s.name)}: '
                        f"{escape(shown)}</title></rect>")
            base += value
    body += x_labels(labels, lambda i: left + i * slot + slot / 2, height - 8)
    return svg(width, height, label, body)


def line_chart(labels: Sequence[str], series: Sequence[Series], *, label: str,
               fmt: Formatter = plain, axis_fmt: Formatter | None = None,
               y_max: float | None = None, width: int = 600, height: int = 240) -> str:
    """Lines over labels (days); a missing value (None) breaks the line."""
    values = [v for s in series for v in s.values if v is not None]
    if not labels or not values:
        return empty_chart(width, height, label)
    left, right, top, bottom = 56, width - 10, 12, height - 26
    ticks = nice_ticks(y_max if y_max is not None else max(values))
    axis_top = ticks[-1] or 1

    def scale(v: float) -> float:
        return bottom - (v / axis_top) * (bottom - top)

    step = (right - left) / max(1, len(labels) - 1)

    def x_of(i: int) -> float:
        return left + i * step if len(labels) > 1 else (left + right) / 2

    body = y_axis(ticks, axis_top, scale, left, right, axis_fmt or compact)
    for s in series:
        runs: list[list[tuple[float, float]]] = [[]]
        for i, v in enumerate(s.values):
            if v is None:
                runs.append([])
            else:
                runs[-1].append((x_of(i), scale(v)))
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                body.append(f'<polyline points="{points}" fill="none" stroke="{s.color}" '
                            f'stroke-width="2" stroke-linejoin="round"/>')
        for i, v in enumerate(s.values):
            if v is not None:
                body.append(f'<circle cx="{x_of(i):.1f}" cy="{scale(v):.1f}" r="2.5" '
                            f'fill="{s.color}"><title>{escape(labels[i])} · {escape(s.name)}: '
                            f"{escape(fmt(v))}</title></circle>")
    body += x_labels(labels, x_of, height - 8)
    return svg(width, height, label, body)


def horizontal_bars(labels: Sequence[str], values: Sequence[float | None], *, label: str,
                    fmt: Formatter = plain, colors: Sequence[str] | None = None,
                    max_value: float | None = None, reference: float | None = None,
                    reference_label: str = "", width: int = 600) -> str:
    """One bar per label, its value written at its end; an optional reference line (a target)."""
    values = [number(v) for v in values]
    if not labels or not any(v for v in values if v is not None):
        return empty_chart(width, 120, label)
    row, top = 24, 8
    height = top + row * len(labels) + 24
    label_width = min(220, 12 + 7 * max(len(s) for s in labels))
    left, right = label_width, width - 70
    top_value = max([v for v in values if v is not None] + [reference or 0, max_value or 0])

    def scale(v: float) -> float:
        return left + (v / top_value) * (right - left) if top_value else left

    body = []
    for i, (name, value) in enumerate(zip(labels, values, strict=True)):
        y = top + i * row
        color = colors[i] if colors else STATUS_COLORS["neutral"]
        body.append(f'<text x="{left - 8}" y="{y + 15}" text-anchor="end" fill="#333">{escape(name)}</text>')
        if value is None:
            body.append(f'<text x="{left + 4}" y="{y + 15}" fill="#888">–</text>')
            continue
        w = max(0.0, scale(value) - left)
        body.append(f'<rect x="{left}" y="{y + 4}" width="{w:.1f}" height="{row - 8}" fill="{color}">'
                    f"<title>{escape(name)}: {escape(fmt(value))}</title></rect>")
        body.append(f'<text x="{left + w + 5:.1f}" y="{y + 15}" fill="#333">{escape(fmt(value))}</text>')
    if reference is not None:
        x = scale(reference)
        body.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{height - 18}" stroke="#333" '
                    f'stroke-dasharray="4 3"/>')
        body.append(f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle" fill="#333">'
                    f"{escape(reference_label)}</text>")
    body.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{height - 18}" stroke="#999"/>')
    return svg(width, height, label, body)


def stacked_bars(labels: Sequence[str], series: Sequence[Series], *, label: str,
                 fmt: Formatter = plain, width: int = 600) -> str:
    """Horizontal bars stacked by series, each row scaled to 100% (the share of each part)."""
    totals = [sum((s.values[i] or 0) for s in series) for i in range(len(labels))]
    if not labels or not any(totals):
        return empty_chart(width, 120, label)
    row, top = 24, 8
    height = top + row * len(labels) + 8
    label_width = min(220, 12 + 7 * max(len(s) for s in labels))
    left, right = label_width, width - 60
    body = []
    for i, name in enumerate(labels):
        y = top + i * row
        body.append(f'<text x="{left - 8}" y="{y + 15}" text-anchor="end" fill="#333">{escape(name)}</text>')
        x = float(left)
        for s in series:
            value = s.values[i] or 0
            if value <= 0 or not totals[i]:
                continue
            w = value / totals[i] * (right - left)
            body.append(f'<rect x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="{row - 8}" '
                        f'fill="{s.color}"><title>{escape(name)} · {escape(s.name)}: {escape(fmt(value))} '
                        f"({value / totals[i] * 100:.0f}%)</title></rect>")
            x += w
        body.append(f'<text x="{right + 6}" y="{y + 15}" fill="#555">{escape(fmt(totals[i]))}</text>')
    return svg(width, height, label, body)


def funnel(stages: Sequence[tuple[str, float]], *, label: str, width: int = 600) -> str:
    """Centred bars, one per stage, with the conversion from the stage before."""
    stages = [(name, number(value) or 0.0) for name, value in stages]
    if not stages or not stages[0][1]:
        return empty_chart(width, 120, label)
    row, top = 38, 8
    height = top + row * len(stages) + 4
    left, right = 130, width - 150
    middle, span, first = (left + right) / 2, right - left, stages[0][1]
    body = []
    for i, (name, value) in enumerate(stages):
        y = top + i * row
        w = max(2.0, (value or 0) / first * span)
        body.append(f'<text x="{left - 10}" y="{y + 20}" text-anchor="end" fill="#333" '
                    f'font-weight="600">{escape(name)}</text>')
        body.append(f'<rect x="{middle - w / 2:.1f}" y="{y + 4}" width="{w:.1f}" height="{row - 10}" '
                    f'rx="3" fill="#4e79a7" fill-opacity="{1 - i * 0.1:.2f}"><title>{escape(name)}: '
                    f"{value:,.0f}</title></rect>")
        body.append(f'<text x="{middle:.1f}" y="{y + 20}" text-anchor="middle" fill="#fff" '
                    f'font-weight="600" stroke="#2b4a6b" stroke-width="2.5" paint-order="stroke">'
                    f"{value:,.0f}</text>")
        if i:
            before = stages[i - 1][1]
            rate = f"{value / before * 100:.1f}% of {stages[i - 1][0]}" if before else "–"
            body.append(f'<text x="{right + 10}" y="{y + 20}" fill="#555">{escape(rate)}</text>')
    return svg(width, height, label, body)


def heatmap(rows: Sequence[str], columns: Sequence[str], values: Sequence[Sequence[float | None]],
            *, label: str, fmt: Formatter = percent, width: int = 900) -> str:
    """A grid of cells shaded by value (0 to the largest), the value written in each."""
    values = [[number(v) for v in row] for row in values]
    present = [v for r in values for v in r if v is not None]
    if not rows or not columns or not present:
        return empty_chart(width, 120, label)
    top_value = max(present) or 1
    label_width, header, row = 130, 70, 24
    cell = (width - label_width - 60) / len(columns)
    height = header + row * len(rows) + 4
    body = []
    for j, column in enumerate(columns):
        x = label_width + j * cell + cell / 2
        body.append(f'<text transform="translate({x:.1f},{header - 8}) rotate(-35)" fill="#333">'
                    f"{escape(column)}</text>")
    for i, name in enumerate(rows):
        y = header + i * row
        body.append(f'<text x="{label_width - 8}" y="{y + 16}" text-anchor="end" fill="#333">{escape(name)}</text>')
        for j, column in enumerate(columns):
            value = values[i][j]
            x = label_width + j * cell
            strength = 0 if value is None else max(0.0, value) / top_value
            fill = f"rgba(78,121,167,{0.08 + 0.85 * strength:.2f})" if value is not None else "#f4f4f4"
            text_color = "#fff" if strength > 0.55 else "#222"
            body.append(f'<rect x="{x + 1:.1f}" y="{y + 1}" width="{cell - 2:.1f}" height="{row - 2}" '
                        f'fill="{fill}"><title>{escape(name)} · {escape(column)}: '
                        f"{escape(fmt(value) if value is not None else '–')}</title></rect>")
            body.append(f'<text x="{x + cell / 2:.1f}" y="{y + 16}" text-anchor="middle" '
                        f'fill="{text_color}">{escape(fmt(value) if value is not None else "–")}</text>')
    return svg(width, height, label, body)
