"""How timestamps are spelled in text files: the same UTC instant, written the ways real
exports write it (naive UTC with a space or a 'T', 'Z', or a local time with its offset).

Each row draws one style when it is created and keeps it, so a row sent again is
spelled identically.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.contract import TIMESTAMP, Source
from pipelines.generate.rows import TIME_STYLE
from pipelines.generate.sampling import pick

# (separator between date and time, minutes ahead of UTC, suffix, weight)
STYLES = (
    (" ", 0, "", 20),
    ("T", 0, "", 20),
    ("T", 0, "Z", 30),
    ("T", 0, "+00:00", 5),
    ("T", 120, "+02:00", 8),
    ("T", 60, "+01:00", 7),
    ("T", -300, "-05:00", 7),
    ("T", -480, "-08:00", 3),
)


def with_time_styles(rng: np.random.Generator, frame: pl.DataFrame) -> pl.DataFrame:
    styles = pick(rng, [s[3] for s in STYLES], frame.height)
    return frame.with_columns(pl.Series(TIME_STYLE, styles, dtype=pl.UInt8))


def timestamps_as_text(frame: pl.DataFrame, source: Source) -> pl.DataFrame:
    """The frame with every timestamp column spelled in its row's style."""
    style = pl.col(TIME_STYLE)
    separator = style.replace_strict({i: s[0] for i, s in enumerate(STYLES)},
                                     return_dtype=pl.String)
    offset = style.replace_strict({i: s[1] for i, s in enumerate(STYLES)},
                                  return_dtype=pl.Int64)
    suffix = style.replace_strict({i: s[2] for i, s in enumerate(STYLES)},
                                  return_dtype=pl.String)
    columns = []
    for name, kind in source.columns.items():
        if kind != TIMESTAMP:
            continue
        local = pl.col(name) + pl.duration(minutes=offset)
        columns.append(pl.concat_str([local.dt.strftime("%Y-%m-%d"), separator,
                                      local.dt.strftime("%H:%M:%S"), suffix]).alias(name))
    return frame.with_columns(columns)


def timestamps_as_utc(frame: pl.DataFrame, source: Source) -> pl.DataFrame:
    """The frame with timestamp columns as timezone-aware UTC datetimes (for Parquet)."""
    return frame.with_columns(
        pl.col(name).dt.replace_time_zone("UTC")
        for name, kind in source.columns.items() if kind == TIMESTAMP
    )
