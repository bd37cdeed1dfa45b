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

_ISO_FORMAT = "%Y-%m-%dT%H:%M:%S%.f%z"


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
    typed: list[pl.Expr] = []
    problems: list[tuple[str, pl.Expr]] = []  # (field, reason expression or null)
    for name, kind in source.columns.items():
        value, problem = _normalise(name, kind, frame.schema[name], timestamp_format)
        typed.append(value.alias(name))
        if problem is not None:
            problems.append((name, problem))
        if name in source.required:
            if name not in original.columns:
                reason = pl.lit(f"required column '{name}' is missing from the file")
            elif name == source.key:
                reason = pl.lit("missing key: the natural key is empty")
            else:
                reason = pl.lit("required field is empty")
            is_empty = _clean_text(pl.col(name), frame.schema[name]).is_null()
            problems.append((name, pl.when(is_empty).then(reason)))

    reason_columns = [p.alias(f"__problem_{i}") for i, (_, p) in enumerate(problems)]
    checked = frame.with_columns(*typed_aliased(typed), *reason_columns)
    problem_names = [f"__problem_{i}" for i in range(len(problems))]
    checked = checked.with_columns(
        pl.concat_str(
            [pl.when(pl.col(n).is_not_null()).then(pl.lit(f"{problems[i][0]}: ") + pl.col(n))
             for i, n in enumerate(problem_names)],
            separator="; ", ignore_nulls=True,
        ).alias("__reason"),
        pl.coalesce(
            [pl.when(pl.col(n).is_not_null()).then(pl.lit(problems[i][0]))
             for i, n in enumerate(problem_names)]
        ).alias("__field"),
    ) if problem_names else checked.with_columns(
        pl.lit(None, dtype=pl.String).alias("__reason"), pl.lit(None, dtype=pl.String).alias("__field")
    )
    is_bad = pl.col("__reason").is_not_null() & (pl.col("__reason") != "")
    raw_columns = [c for c in original.columns if c != LINE_COLUMN]
    original_text = original.select(
        pl.col(LINE_COLUMN),
        pl.struct([pl.col(c).cast(pl.String) for c in raw_columns]).struct.json_encode().alias("raw_record")
        if raw_columns else pl.lit("{}").alias("raw_record"),
    )
    bad = checked.filter(is_bad)
    rejected = (
        bad.select(LINE_COLUMN, pl.col("__field").alias("field"), pl.col("__reason").alias("reason"))
        .join(original_text, on=LINE_COLUMN, how="left")
    )
    valid = checked.filter(~is_bad).select(*[pl.col(f"__typed_{c}").alias(c) for c in source.columns],
                                           LINE_COLUMN)
    return ValidationResult(valid, rejected, _unknown_values(valid, source))


def typed_aliased(typed: list[pl.Expr]) -> list[pl.Expr]:
    # Typed values go beside the originals so that the raw text can still be reported.
    return [e.name.prefix("__typed_") for e in typed]


def _normalise(name: str, kind: str, dtype: pl.DataType, timestamp_format: str | None
               ) -> tuple[pl.Expr, pl.Expr | None]:
    """The typed value of a column and, where conversion can fail, a reason expression that is
    non-null for rows whose non-empty value could not be converted."""
    column = pl.col(name)
    if kind in (STRING, EMAIL):
        text = _clean_text(column, dtype)
        return (text.str.to_lowercase() if kind == EMAIL else text), None
    if kind == NUMBER:
        if dtype.is_numeric():
            return column.cast(pl.Float64), None
        text = _clean_text(column, dtype)
        number = text.cast(pl.Float64, strict=False)
        problem = pl.when(text.is_not_null() & number.is_null()).then(
            pl.lit("not a number: '") + text + pl.lit("'"))
        return number, problem
    if kind == TIMESTAMP:
        if isinstance(dtype, pl.Datetime):
            value = column.dt.convert_time_zone("UTC").dt.replace_time_zone(None) \
                if dtype.time_zone else column
            return value.cast(pl.Datetime("us")), None
        if isinstance(dtype, pl.Date):
            return column.cast(pl.Datetime("us")), None
        text = _clean_text(column, dtype)
        parsed = _parse_timestamp(text, timestamp_format)
        expected = f"format '{timestamp_format}'" if timestamp_format else "an ISO 8601 timestamp"
        problem = pl.when(text.is_not_null() & parsed.is_null()).then(
            pl.lit(f"not {expected}: '") + text + pl.lit("'"))
        return parsed, problem
    raise ValueError(f"unknown column kind {kind!r} for {name}")


def _clean_text(column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    text = column if dtype == pl.String else column.cast(pl.String)
    text = text.str.strip_chars()
    return pl.when(text == "").then(None).otherwise(text)


def _parse_timestamp(text: pl.Expr, timestamp_format: str | None) -> pl.Expr:
    """Parse to naive UTC. ISO 8601 with or without offset (naive means UTC), 'T' or space,
    optional seconds and fractions, 'Z'; or the mapping's explicit format (naive = UTC)."""
    if timestamp_format:
        has_zone = "%z" in timestamp_format or "%Z" in timestamp_format
        parsed = text.str.to_datetime(timestamp_format, strict=False, time_unit="us",
                                      time_zone="UTC" if has_zone else None)
        return parsed.dt.replace_time_zone(None) if has_zone else parsed
    iso = text.str.replace(r"^(\d{4}-\d{2}-\d{2})[ T]", "${1}T").str.replace(r"(?i)z$", "+00:00")
    iso = pl.when(iso.str.contains(r"^\d{4}-\d{2}-\d{2}$")).then(iso + "T00:00:00").otherwise(iso)
    iso = pl.when(iso.str.contains(r"T\d{2}:\d{2}($|[+-])")).then(
        iso.str.replace(r"(T\d{2}:\d{2})", "${1}:00")).otherwise(iso)
    iso = pl.when(iso.str.contains(r"[+-]\d{2}:?\d{2}$")).then(iso).otherwise(iso + "+00:00")
    return iso.str.to_datetime(_ISO_FORMAT, strict=False, time_zone="UTC", time_unit="us") \
        .dt.replace_time_zone(None)


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
