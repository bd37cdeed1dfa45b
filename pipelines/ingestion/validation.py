"""Validating rows against the contract and normalising them (UTC timestamps, trimmed text,
trimmed lower-case emails). Vectorised: one polars expression per column and rule.

A row that breaks a rule is rejected with the field and a reason; every other row is kept,
including rows whose category value is unknown (those are counted and reported). The value
limits of pipelines/limits.py are rules too: a value that parses but is impossible (not finite,
a negative amount, a timestamp before the floor or in the future, an ambiguous year, a close
before the creation) is rejected here, at the door, never loaded.

The conversions are in value_conversion.py (timestamps parsed in timestamp_parsing.py), the
limit rules in limit_rules.py, what is reported about the valid rows in batch_findings.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import polars as pl

from pipelines import limits
from pipelines.contract import TIMESTAMP, Source
from pipelines.ingestion.batch_findings import conflicting_versions, unknown_values
from pipelines.ingestion.file_formats import LINE_COLUMN
from pipelines.ingestion.limit_rules import limit_problems
from pipelines.ingestion.value_conversion import Typed, clean_text, in_zone, normalise


@dataclass
class ValidationResult:
    valid: pl.DataFrame  # contract columns, typed, plus LINE_COLUMN
    rejected: pl.DataFrame  # LINE_COLUMN, field, reason, raw_record
    unknown_values: dict[str, dict[str, int]] = field(default_factory=dict)
    # One entry per version (pipelines/contract.py `version_columns`) given with different
    # contents on several lines of the batch: (the version's values, the lines).
    conflicting_versions: list[tuple[tuple, list[int]]] = field(default_factory=list)


def validate(frame: pl.DataFrame, source: Source, timestamp_format: str | None = None,
             now: datetime | None = None, timezone: str | None = None) -> ValidationResult:
    """Type, normalise and check `frame` (text columns named as in the contract). `now`
    (naive UTC, default the current time) bounds future timestamps."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    original = frame
    frame = frame.with_columns(
        pl.lit(None, dtype=pl.String).alias(c) for c in source.columns if c not in frame.columns
    )
    converted: dict[str, Typed] = {}
    problems: list[tuple[str, pl.Series]] = []  # (field, reason per row, null where fine)
    for name, kind in source.columns.items():
        converted[name] = normalise(frame.get_column(name), kind, timestamp_format)
        if kind == TIMESTAMP and timezone:
            converted[name] = in_zone(converted[name], frame.get_column(name), timezone)
        if converted[name].problem is not None:
            problems.append((name, converted[name].problem))
        if name in source.required:
            if name not in original.columns:
                reason = f"required column '{name}' is missing from the file"
            elif name in source.key_columns:
                reason = "missing key: the natural key is empty"
            else:
                reason = "required field is empty"
            empty = clean_text(frame.get_column(name)).is_null()
            problems.append((name, pl.select(pl.when(empty).then(pl.lit(reason))).to_series()))
        if name in source.allowed_values:
            problems.append((name, _not_allowed(converted[name].value, source.allowed_values[name])))
    problems.extend(limit_problems(converted, source, now))
    typed = {name: c.value for name, c in converted.items()}
    for name in limits.PROBABILITIES.get(source.name, ()):
        value = typed[name]
        typed[name] = pl.select(pl.when(value > 1).then(value / 100).otherwise(value)
                                .alias(name)).to_series()

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
    return ValidationResult(valid, rejected, unknown_values(valid, source),
                            conflicting_versions(valid, source))


def _not_allowed(value: pl.Series, allowed: tuple[str, ...]) -> pl.Series:
    """The reason per row whose value is outside `allowed` (null where it is fine or empty)."""
    message = f"not one of {', '.join(allowed)}: '"
    return pl.select(pl.when(value.is_not_null() & ~value.is_in(list(allowed)))
                     .then(pl.lit(message) + value + pl.lit("'"))).to_series()
