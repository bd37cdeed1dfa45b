"""Frames of source rows in contract shape: every contract column, in order, with its type.

Timestamps are naive datetimes in UTC, numbers floats, everything else strings. Helper columns
used while generating start with an underscore and are dropped when a file is written.
"""

from __future__ import annotations

import polars as pl

from pipelines.contract import NUMBER, TIMESTAMP, Source

TIME_STYLE = "_time_style"  # how this row's timestamps are spelled in text files
CARRIED = "_carried"  # a row already written to an earlier day's file, sent again

# The column that dates a row: it decides which daily batch the row belongs to.
BATCH_TIME = {
    "web_visits": "occurred_at",
    "contacts": "updated_at",
    "opportunities": "updated_at",
    "sales_interactions": "occurred_at",
}


def polars_type(kind: str) -> pl.DataType:
    if kind == TIMESTAMP:
        return pl.Datetime("us")
    if kind == NUMBER:
        return pl.Float64()
    return pl.String()


def conform(frame: pl.DataFrame, source: Source) -> pl.DataFrame:
    """The contract columns of `source` in order (missing ones null), then helper columns."""
    contract = [
        (pl.col(name) if name in frame.columns else pl.lit(None)).cast(polars_type(kind))
        .alias(name)
        for name, kind in source.columns.items()
    ]
    helpers = [c for c in frame.columns if c.startswith("_")]
    return frame.select(*contract, *helpers)


def contract_only(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select([c for c in frame.columns if not c.startswith("_")])
