"""What every chart shares: colours (one per channel, from the project's channel list), the
font, number formats, and a data series."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from pipelines import value_sets

Formatter = Callable[[float], str]

# One colour per channel, in the order of the channels (dbt_project.yml vars, report order):
# the same channel has the same colour in every chart, and a new channel gets the next one.
CHANNEL_PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
                   "#ff9da7", "#bab0ac", "#9c755f", "#6b6b6b"]
EXTRA_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                "#7f7f7f", "#bcbd22", "#17becf"]
STATUS_COLORS = {"good": "#2e7d32", "warn": "#f9a825", "bad": "#c62828", "neutral": "#4e79a7"}

FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\""


UNATTRIBUTED_COLOR = "#d4d4d4"


@cache
def channel_colors() -> dict[str, str]:
    palette = CHANNEL_PALETTE + EXTRA_COLORS
    colors = {c: palette[i % len(palette)] for i, c in enumerate(value_sets.channels())}
    return {**colors, "(unattributed)": UNATTRIBUTED_COLOR}


def color_for(name: str, index: int = 0) -> str:
    """A channel's colour; anything else (an owner, a model) the index-th extra colour."""
    return channel_colors().get(name, EXTRA_COLORS[index % len(EXTRA_COLORS)])


def number(value) -> float | None:
    """Any number (int, Decimal from a SQL sum, numpy) as a float; None and NaN as None."""
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


@dataclass
class Series:
    name: str
    values: Sequence[float | None]
    color: str

    def __post_init__(self) -> None:
        self.values = [number(v) for v in self.values]


def plain(value: float) -> str:
    if value is None:
        return "–"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if float(value).is_integer():
        return f"{value:.0f}"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def compact(value: float) -> str:
    """Axis labels: 1.2k, 3.4M."""
    magnitude = abs(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if magnitude >= limit:
            text = f"{value / limit:.1f}".rstrip("0").rstrip(".")
            return f"{text}{suffix}"
    return plain(value)


def percent(value: float) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"
