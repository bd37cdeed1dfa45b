"""Validating rows against the contract and normalising them (UTC timestamps, trimmed text,
trimmed lower-case emails). Vectorised: one polars expression per column and rule.

A row that breaks a rule is rejected with the field and a reason; every other row is kept,
including rows whose category value is unknown (those are counted and reported).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from pipelines.contract import EMAIL, NUMBER, STRING, TIMESTAMP, Source
from pipelines.ingestion.file_formats import LINE_COLUMN


@dataclass
class ValidationResult:
    valid: pl.DataFrame  # contract columns, typed, plus LINE_COLUMN
    rejected: pl.DataFrame  # LINE_COLUMN, field, reason, raw_record
    unknown_values: dict[str, dict[str, int]] = field(default_factory=dict)


def validate(frame: pl.DataFrame, source: Source, timestamp_format: str | None = None) -> ValidationResult:
    original = frame
    frame = frame.with_columns(
        pl.lit(None, dtype=pl.String).alias(c) for c in source.columns if c not in frame.columns
    )
    typed: dict[str, pl.Series] = {}
    problems: list[tuple[str, pl.Series]] = []  # (field, reason per row, null where fine)
    for name, kind in source.columns.items():
        value, problem = _normalise(frame.get_column(name), kind, timestamp_format)
        typed[name] = value
        if problem is not None:
            problems.append((name, problem))
        if name in source.required:
            if name not in original.columns:
                reason = f"required column '{name}' is missing from the file"
            elif name == source.key:
                reason = "missing key: the natural key is empty"
            else:
                reason = "required field is empty"
            empty = _clean_text(frame.get_column(name)).is_null()
            problems.append((name, pl.select(pl.when(empty).then(pl.lit(reason))).to_series()))

    reasons = pl.DataFrame([p.alias(f"p{i}") for i, (_, p) in enumerate(problems)]) \
        if problems else pl.DataFrame({"p": pl.Series([None] * frame.height, dtype=pl.String)})
    names = [n for n, _ in problems]
    summary = reasons.select(
        pl.concat_str([pl.when(pl.col(c).is_not_null()).then(pl.lit(f"{names[i]}: ") + pl.col(c))
                       for i, c in enumerate(reasons.columns)] if problems else [pl.col("p")],
                      separator="; ", ignore_nulls=True).alias("reason"),
        pl.coalesce([pl.when(pl.col(c).is_not_null()).then(pl.lit(names[i]))
                     for i, c in enumerate(reasons.columns)] if problems else [pl.col("p")]
                    ).alias("field"),
    )
    is_bad = summary.get_column("reason").fill_null("") != ""
    lines = frame.get_column(LINE_COLUMN)
    valid = pl.DataFrame([typed[c] for c in source.columns]).with_columns(lines).filter(~is_bad)
    bad_original = original.filter(is_bad)
    raw_columns = [c for c in original.columns if c != LINE_COLUMN]
    rejected = pl.DataFrame({
        LINE_COLUMN: bad_original.get_column(LINE_COLUMN),
        "field": summary.get_column("field").filter(is_bad),
        "reason": summary.get_column("reason").filter(is_bad),
        "raw_record": bad_original.select(
            pl.struct([pl.col(c).cast(pl.String) for c in raw_columns]).struct.json_encode()
        ).to_series() if raw_columns else pl.Series(["{}"] * bad_original.height),
    }).cast({LINE_COLUMN: pl.Int64, "field": pl.String, "reason": pl.String, "raw_record": pl.String})
    return ValidationResult(valid, rejected, _unknown_values(valid, source))


def _normalise(column: pl.Series, kind: str, timestamp_format: str | None
               ) -> tuple[pl.Series, pl.Series | None]:
    """The typed value of a column and, where conversion can fail, a reason series that is
    non-null for rows whose non-empty value could not be converted."""
    name = column.name
    if kind in (STRING, EMAIL):
        text = _clean_text(column)
        return (text.str.to_lowercase() if kind == EMAIL else text).alias(name), None
    if kind == NUMBER:
        if column.dtype.is_numeric():
            return column.cast(pl.Float64), None
        text = _clean_text(column)
        number = text.cast(pl.Float64, strict=False)
        return number, _reason(text, number, "not a number")
    if kind == TIMESTAMP:
        if isinstance(column.dtype, pl.Datetime):
            value = column.dt.convert_time_zone("UTC").dt.replace_time_zone(None) \
                if column.dtype.time_zone else column
            return value.cast(pl.Datetime("us")), None
        if isinstance(column.dtype, pl.Date):
            return column.cast(pl.Datetime("us")), None
        text = _clean_text(column)
        parsed = _parse_timestamp(text, timestamp_format).alias(name)
        expected = f"format '{timestamp_format}'" if timestamp_format else "an ISO 8601 timestamp"
        return parsed, _reason(text, parsed, f"not {expected}")
    raise ValueError(f"unknown column kind {kind!r} for {name}")


def _reason(text: pl.Series, converted: pl.Series, message: str) -> pl.Series:
    failed = text.is_not_null() & converted.is_null()
    return pl.select(pl.when(failed).then(pl.lit(f"{message}: '") + text + pl.lit("'"))).to_series()


def _clean_text(column: pl.Series) -> pl.Series:
    text = column if column.dtype == pl.String else column.cast(pl.String)
    text = text.str.strip_chars()
    return pl.select(pl.when(text == "").then(None).otherwise(text)).to_series().alias(column.name)


# ISO 8601 spellings, most common first. Each is tried only on the values the previous ones
# could not parse, so the usual file costs one parse per value.
_ISO_ZONED = ("%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z")
_ISO_NAIVE = ("%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d")


def _parse_timestamp(text: pl.Series, timestamp_format: str | None) -> pl.Series:
    """Parse to naive UTC. ISO 8601 with or without offset (naive means UTC), 'T' or space,
    optional seconds and fractions, 'Z'; or the mapping's explicit format (naive = UTC)."""
    if timestamp_format:
        return _parse_with(text, timestamp_format)
    iso = text.str.replace(" ", "T", literal=True).str.replace(r"[zZ]$", "+00:00")
    parsed = pl.Series(text.name, [None] * len(text), dtype=pl.Datetime("us"))
    pending = iso.is_not_null()
    for fmt in (*_ISO_ZONED, *_ISO_NAIVE):
        if not pending.any():
            break
        indices = pending.arg_true()
        attempt = _parse_with(iso.gather(indices), fmt)
        parsed = parsed.scatter(indices, attempt)
        pending = pending.scatter(indices, attempt.is_null())
    return parsed


def _parse_with(text: pl.Series, fmt: str) -> pl.Series:
    zoned = "%z" in fmt or "%Z" in fmt
    parsed = text.str.to_datetime(fmt, strict=False, time_unit="us",
                                  time_zone="UTC" if zoned else None)
    return parsed.dt.replace_time_zone(None) if zoned else parsed


def _unknown_values(valid: pl.DataFrame, source: Source) -> dict[str, dict[str, int]]:
    report: dict[str, dict[str, int]] = {}
    for column, known in source.known_values.items():
        counts = (
            valid.filter(pl.col(column).is_not_null() & ~pl.col(column).is_in(list(known)))
            .group_by(column).len().sort(column)
        )
        if counts.height:
            report[column] = dict(zip(counts[column].to_list(), counts["len"].to_list(), strict=False))
    return report
