"""Validating rows against the contract and normalising them (UTC timestamps, trimmed text,
trimmed lower-case emails). Vectorised: one polars expression per column and rule.

A row that breaks a rule is rejected with the field and a reason; every other row is kept,
including rows whose category value is unknown (those are counted and reported). The value
limits of pipelines/limits.py are rules too: a value that parses but is impossible (not finite,
a negative amount, a timestamp before the floor or in the future, an ambiguous year, a close
before the creation) is rejected here, at the door, never loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import polars as pl

from pipelines import limits
from pipelines.contract import EMAIL, NUMBER, STRING, TIMESTAMP, Source
from pipelines.ingestion.file_formats import LINE_COLUMN


@dataclass
class ValidationResult:
    valid: pl.DataFrame  # contract columns, typed, plus LINE_COLUMN
    rejected: pl.DataFrame  # LINE_COLUMN, field, reason, raw_record
    unknown_values: dict[str, dict[str, int]] = field(default_factory=dict)
    # One entry per version (pipelines/contract.py `version_columns`) given with different
    # contents on several lines of the batch: (the version's values, the lines).
    conflicting_versions: list[tuple[tuple, list[int]]] = field(default_factory=list)


@dataclass
class _Typed:
    """A column converted to its contract type."""

    value: pl.Series
    problem: pl.Series | None = None  # per row: why a non-empty value could not be converted
    date_only: pl.Series | None = None  # per row: the timestamp was given as a date alone


def validate(frame: pl.DataFrame, source: Source, timestamp_format: str | None = None,
             now: datetime | None = None, timezone: str | None = None) -> ValidationResult:
    """Type, normalise and check `frame` (text columns named as in the contract). `now`
    (naive UTC, default the current time) bounds future timestamps."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    original = frame
    frame = frame.with_columns(
        pl.lit(None, dtype=pl.String).alias(c) for c in source.columns if c not in frame.columns
    )
    converted: dict[str, _Typed] = {}
    problems: list[tuple[str, pl.Series]] = []  # (field, reason per row, null where fine)
    for name, kind in source.columns.items():
        converted[name] = _normalise(frame.get_column(name), kind, timestamp_format)
        if kind == TIMESTAMP and timezone:
            converted[name] = _in_zone(converted[name], frame.get_column(name), timezone)
        if converted[name].problem is not None:
            problems.append((name, converted[name].problem))
        if name in source.required:
            if name not in original.columns:
                reason = f"required column '{name}' is missing from the file"
            elif name == source.key:
                reason = "missing key: the natural key is empty"
            else:
                reason = "required field is empty"
            empty = _clean_text(frame.get_column(name)).is_null()
            problems.append((name, pl.select(pl.when(empty).then(pl.lit(reason))).to_series()))
    problems.extend(_limit_problems(converted, source, now))
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
    return ValidationResult(valid, rejected, _unknown_values(valid, source),
                            _conflicting_versions(valid, source))


def _normalise(column: pl.Series, kind: str, timestamp_format: str | None) -> _Typed:
    """The typed value of a column and, where conversion can fail, the reason per row."""
    name = column.name
    if kind in (STRING, EMAIL):
        text = _clean_text(_integral_floats_as_integers(column))
        return _Typed((text.str.to_lowercase() if kind == EMAIL else text).alias(name))
    if kind == NUMBER:
        if column.dtype.is_numeric():
            return _Typed(column.cast(pl.Float64))
        text = _clean_text(column)
        number = text.cast(pl.Float64, strict=False)
        return _Typed(number, _reason(text, number, "not a number"))
    if kind == TIMESTAMP:
        return _normalise_timestamp(column, timestamp_format)
    raise ValueError(f"unknown column kind {kind!r} for {name}")


def _normalise_timestamp(column: pl.Series, timestamp_format: str | None) -> _Typed:
    name = column.name
    if isinstance(column.dtype, pl.Datetime):
        value = column.dt.convert_time_zone("UTC").dt.replace_time_zone(None) \
            if column.dtype.time_zone else column
        return _Typed(value.cast(pl.Datetime("us")), date_only=_all(column, False))
    if isinstance(column.dtype, pl.Date):
        return _Typed(column.cast(pl.Datetime("us")), date_only=_all(column, True))
    text = _clean_text(column)
    parsed = _parse_timestamp(text, timestamp_format).alias(name)
    if timestamp_format:
        has_time = any(d in timestamp_format for d in _TIME_DIRECTIVES)
        expected = f"format '{timestamp_format}'"
        return _Typed(parsed, _reason(text, parsed, f"not {expected}"), _all(column, not has_time))
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
    return _Typed(parsed, reason, date_only)


def _in_zone(typed: _Typed, original: pl.Series, zone: str) -> _Typed:
    """Naive times (no offset in the text) read as local times of `zone`; dates stay dates."""
    naive = ~original.cast(pl.String).str.contains(r"(?:[zZ]|[+-]\d\d(?::?\d\d)?)$").fill_null(True)
    naive = naive if typed.date_only is None else naive & ~typed.date_only
    local = typed.value.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null") \
        .dt.convert_time_zone("UTC").dt.replace_time_zone(None)
    return _Typed(pl.select(pl.when(naive).then(local).otherwise(typed.value)).to_series()
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


def _limit_problems(converted: dict[str, _Typed], source: Source, now: datetime
                    ) -> list[tuple[str, pl.Series]]:
    """The values that converted but break a limit of pipelines/limits.py. Every rule is an
    expression over one frame, evaluated in a single pass (a file costs one query, not one
    per rule and column); messages are built only for the rules some row breaks."""
    floor, latest = limits.timestamp_floor(), limits.latest_allowed(now)
    forecast_latest = limits.latest_forecast(now)
    # (field, rows breaking the rule, message, the column it is compared with where it is a pair)
    rules: list[tuple[str, pl.Expr, str, str | None]] = []
    for name, kind in source.columns.items():
        value = pl.col(name)
        if kind == TIMESTAMP:
            rules.append((name, value < floor, f"before the timestamp floor {floor:%Y-%m-%d} "
                          "(FUNNEL_TIMESTAMP_FLOOR)", None))
            if name in limits.FORECAST_TIMESTAMPS.get(source.name, ()):
                rules.append((name, value > forecast_latest, "more than "
                              f"{limits.FORECAST_HORIZON_YEARS} years in the future", None))
            else:
                rules.append((name, value > latest, "in the future: later than "
                              f"{latest:%Y-%m-%d %H:%M} UTC, the run's time plus the tolerance "
                              "(FUNNEL_FUTURE_TOLERANCE_HOURS)", None))
        elif kind == NUMBER:
            rules.append((name, value.is_nan() | value.is_infinite(), "not a finite number", None))
            if name in limits.NON_NEGATIVE.get(source.name, ()):
                rules.append((name, value < 0, "negative amount", None))
            if name in limits.PROBABILITIES.get(source.name, ()):
                rules.append((name, (value < 0) | (value > 100),
                              "not a probability (0-1, or a percentage 0-100)", None))
    pair_columns = {}
    for later, earlier in limits.ORDERED_PAIRS.get(source.name, ()):
        by_date = f"_by_date_{later}_{earlier}"
        pair_columns[by_date] = converted[later].date_only | converted[earlier].date_only
        before = pl.when(pl.col(by_date)).then(pl.col(later).dt.date() < pl.col(earlier).dt.date()) \
            .otherwise(pl.col(later) < pl.col(earlier))
        rules.append((later, before, f"before {earlier}", earlier))
    if not rules:
        return []
    values = pl.DataFrame([c.value for c in converted.values()]).with_columns(
        pl.Series(name, column) for name, column in pair_columns.items())
    masks = values.select(rule.fill_null(False).alias(f"rule{i}")
                          for i, (_, rule, _, _) in enumerate(rules))
    broken_rules = [i for i, hit in enumerate(masks.select(pl.all().any()).row(0)) if hit]
    problems = []
    for i in broken_rules:  # rare: messages only where a rule is broken
        name, _, message, compared = rules[i]
        text = pl.lit(f"{message}: '") + _shown(converted[name].value) + pl.lit("'")
        if compared is not None:
            text = text + pl.lit(" < '") + _shown(converted[compared].value) + pl.lit("'")
        problems.append((name, pl.select(pl.when(masks.get_column(f"rule{i}")).then(text)).to_series()))
    return problems


def _shown(value: pl.Series) -> pl.Series:
    """A converted value as a message shows it."""
    if isinstance(value.dtype, pl.Datetime):
        return value.dt.to_string("%Y-%m-%d %H:%M:%S")
    return value.cast(pl.String)


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
# Rare spellings, tried last: an offset of hours alone (`+02`, as PostgreSQL writes it).
_ISO_RARE = ("%Y-%m-%dT%H:%M:%S%.f%#z",)


def _parse_timestamp(text: pl.Series, timestamp_format: str | None) -> pl.Series:
    """Parse to naive UTC. ISO 8601 with or without offset (naive means UTC), 'T' or space,
    optional seconds and fractions, 'Z'; or the mapping's explicit format (naive = UTC)."""
    if timestamp_format:
        return _parse_with(text, timestamp_format)
    iso = text.str.replace(" ", "T", literal=True).str.replace(r"[zZ]$", "+00:00")
    parsed = pl.Series(text.name, [None] * len(text), dtype=pl.Datetime("us"))
    pending = iso.is_not_null()
    for fmt in (*_ISO_ZONED, *_ISO_NAIVE, *_ISO_RARE):
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


def _conflicting_versions(valid: pl.DataFrame, source: Source) -> list[tuple[tuple, list[int]]]:
    """Versions given twice in the batch with different contents (an exact repeat is not a
    conflict). Marketing spend has no natural id: its rows are never versions of each other."""
    if source.name == "marketing_spend" or valid.is_empty():
        return []
    version = list(source.version_columns)
    # Hashes first, sorted with numpy (a fifth of is_duplicated's time on 1M keys): a batch
    # almost never repeats a version; a collision only adds a candidate, dropped below.
    hashes = valid.select(pl.struct(version).hash()).to_series().to_numpy()
    ordered = np.sort(hashes)
    repeated = ordered[1:][ordered[1:] == ordered[:-1]]
    if not len(repeated):
        return []
    twice = valid.filter(pl.Series(np.isin(hashes, repeated)))
    contents = twice.unique(subset=list(source.columns))
    conflicting = contents.filter(pl.struct(version).is_duplicated()).select(version).unique()
    lines = (twice.join(conflicting, on=version, nulls_equal=True)
             .group_by(version).agg(pl.col(LINE_COLUMN).sort()).sort(version))
    return [(tuple(row[c] for c in version), row[LINE_COLUMN])
            for row in lines.iter_rows(named=True)]
