"""Converting a text (or already typed) column to its contract type, normalised: trimmed text,
lower-case emails, numbers, naive UTC timestamps; where a value cannot be converted, the reason
per row."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from pipelines.contract import EMAIL, NUMBER, STRING, TIMESTAMP
from pipelines.ingestion.timestamp_parsing import parse_timestamp


@dataclass
class Typed:
    """A column converted to its contract type."""

    value: pl.Series
    problem: pl.Series | None = None  # per row: why a non-empty value could not be converted
    date_only: pl.Series | None = None  # per row: the timestamp was given as a date alone


def normalise(column: pl.Series, kind: str, timestamp_format: str | None) -> Typed:
    """The typed value of a column and, where conversion can fail, the reason per row."""
    name = column.name
    if kind in (STRING, EMAIL):
        text = clean_text(_integral_floats_as_integers(column))
        return Typed((text.str.to_lowercase() if kind == EMAIL else text).alias(name))
    if kind == NUMBER:
        if column.dtype.is_numeric():
            return Typed(column.cast(pl.Float64))
        text = clean_text(column)
        number = text.cast(pl.Float64, strict=False)
        return Typed(number, _reason(text, number, "not a number"))
    if kind == TIMESTAMP:
        return _normalise_timestamp(column, timestamp_format)
    raise ValueError(f"unknown column kind {kind!r} for {name}")


def _normalise_timestamp(column: pl.Series, timestamp_format: str | None) -> Typed:
    name = column.name
    if isinstance(column.dtype, pl.Datetime):
        value = column.dt.convert_time_zone("UTC").dt.replace_time_zone(None) \
            if column.dtype.time_zone else column
        return Typed(value.cast(pl.Datetime("us")), date_only=_all(column, False))
    if isinstance(column.dtype, pl.Date):
        return Typed(column.cast(pl.Datetime("us")), date_only=_all(column, True))
    text = clean_text(column)
    parsed = parse_timestamp(text, timestamp_format).alias(name)
    if timestamp_format:
        has_time = any(d in timestamp_format for d in _TIME_DIRECTIVES)
        expected = f"format '{timestamp_format}'"
        return Typed(parsed, _reason(text, parsed, f"not {expected}"), _all(column, not has_time))
    # Polars reads `26-01-02` with %Y as the year 26: a year must have four digits. (Only
    # values parsed before the year 1000 can be such; most files have none to look at.)
    reason = _reason(text, parsed, "not an ISO 8601 timestamp")
    if (parsed.dt.year() < 1000).any():
        short_year = ((parsed.dt.year() < 1000) & text.str.contains(r"^\d{1,3}[-/.]\d")).fill_null(False)
        parsed = pl.select(pl.when(short_year).then(None).otherwise(parsed)).to_series().alias(name)
        reason = pl.select(
            pl.when(short_year).then(pl.lit("ambiguous year (write it with four digits, YYYY-MM-DD): '")
                                     + text + pl.lit("'"))
            .otherwise(_reason(text, parsed, "not an ISO 8601 timestamp"))).to_series()
    # The only ISO spelling of ten characters that parses is a date alone (YYYY-MM-DD).
    date_only = (parsed.is_not_null() & (text.str.len_bytes() == 10)).fill_null(False)
    return Typed(parsed, reason, date_only)


def in_zone(typed: Typed, original: pl.Series, zone: str) -> Typed:
    """Naive times (no offset in the text) read as local times of `zone`; dates stay dates."""
    naive = ~original.cast(pl.String).str.contains(r"(?:[zZ]|[+-]\d\d(?::?\d\d)?)$").fill_null(True)
    naive = naive if typed.date_only is None else naive & ~typed.date_only
    local = typed.value.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null") \
        .dt.convert_time_zone("UTC").dt.replace_time_zone(None)
    return Typed(pl.select(pl.when(naive).then(local).otherwise(typed.value)).to_series()
                  .alias(typed.value.name), typed.problem, typed.date_only)


_TIME_DIRECTIVES = ("%H", "%I", "%k", "%l", "%T", "%R", "%c", "%s", "%X")


def _all(column: pl.Series, value: bool) -> pl.Series:
    return pl.Series(column.name, [value] * len(column), dtype=pl.Boolean)


def _integral_floats_as_integers(column: pl.Series) -> pl.Series:
    """An id that a spreadsheet or Parquet writer stored as a float (71200502.0) is the
    integer's text, not '71200502.0'."""
    if not column.dtype.is_float():
        return column
    whole = column.is_finite() & (column == column.floor()) & (column.abs() < 2**63)
    return pl.select(
        pl.when(whole).then(column.cast(pl.Int64, strict=False).cast(pl.String))
        .otherwise(column.cast(pl.String))).to_series().alias(column.name)


def _reason(text: pl.Series, converted: pl.Series, message: str) -> pl.Series:
    failed = text.is_not_null() & converted.is_null()
    return pl.select(pl.when(failed).then(pl.lit(f"{message}: '") + text + pl.lit("'"))).to_series()


def clean_text(column: pl.Series) -> pl.Series:
    text = column if column.dtype == pl.String else column.cast(pl.String)
    text = text.str.strip_chars()
    return pl.select(pl.when(text == "").then(None).otherwise(text)).to_series().alias(column.name)
