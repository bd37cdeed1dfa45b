"""The value limits of pipelines/limits.py as rules over converted columns: a value that parses
but is impossible (not finite, a negative amount, a timestamp before the floor or in the future,
a close before the creation) is a problem of its row."""

from __future__ import annotations

from datetime import datetime

import polars as pl

from pipelines import limits
from pipelines.contract import NUMBER, TIMESTAMP, Source
from pipelines.ingestion.value_conversion import Typed


def limit_problems(converted: dict[str, Typed], source: Source, now: datetime
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
