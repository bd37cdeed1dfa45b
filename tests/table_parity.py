"""Two builds of one table compared row for row: both sides sorted by every column (the
non-float ones first, nulls last), then compared position by position, floats within 1e-9
relative, everything else exactly (nulls equal nulls). Column types may differ between engines
(a DuckDB HUGEINT sum is a Spark bigint): the right side is cast to the left side's types."""

from __future__ import annotations

import polars as pl

REL_TOLERANCE = 1e-9
ABS_TOLERANCE = 1e-12  # values that should be 0 and are a rounding error away
EXAMPLES = 5
KEY_COLUMNS_SHOWN = 3  # leading non-float columns printed to locate a differing row


def _is_float(dtype: pl.DataType) -> bool:
    return dtype in (pl.Float32, pl.Float64) or isinstance(dtype, pl.Decimal)


def _exact_columns(frame: pl.DataFrame) -> list[str]:
    return [c for c, t in frame.schema.items() if not _is_float(t)]


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    exact = _exact_columns(frame)
    floats = [c for c, t in frame.schema.items() if _is_float(t)]
    return frame.sort([*exact, *floats], nulls_last=True) if frame.width else frame


def _aligned(left: pl.DataFrame, right: pl.DataFrame) -> pl.DataFrame:
    columns = []
    for name, dtype in left.schema.items():
        column = right[name]
        if isinstance(dtype, pl.Datetime) and isinstance(column.dtype, pl.Datetime) \
                and column.dtype.time_zone is not None:
            column = column.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
        columns.append(column.cast(pl.Float64 if _is_float(dtype) else dtype, strict=True))
    return pl.DataFrame(columns)


def table_differences(name: str, left: pl.DataFrame, right: pl.DataFrame) -> list[str]:
    """What differs between two builds of table `name`; empty when they are equal."""
    if set(left.columns) != set(right.columns):
        return [f"{name}: columns only left {sorted(set(left.columns) - set(right.columns))}, "
                f"only right {sorted(set(right.columns) - set(left.columns))}"]
    if left.height != right.height:
        return [f"{name}: {left.height} rows left, {right.height} rows right"]
    left = left.with_columns(pl.col(c).cast(pl.Float64) for c, t in left.schema.items()
                             if isinstance(t, pl.Decimal))
    try:
        right = _aligned(left, right)
    except Exception as error:  # noqa: BLE001 - reported as a difference
        return [f"{name}: types do not convert: {error}"]
    left, right = _sorted(left), _sorted(right)
    problems = []
    for column, dtype in left.schema.items():
        want, have = left[column], right[column]
        if _is_float(dtype):
            close = _close(want, have)
            same = (want.is_null() & have.is_null()) | close.fill_null(False)
        else:
            same = want.eq_missing(have)
        rows = (~same).arg_true()
        if len(rows):
            shown = rows.head(EXAMPLES)
            examples = left.select(_exact_columns(left)[:KEY_COLUMNS_SHOWN]).gather(shown) \
                .with_columns(want.gather(shown).alias("left"), have.gather(shown).alias("right"))
            problems.append(f"{name}.{column}: {len(rows)} of {left.height} sorted rows differ, "
                            f"e.g.\n{examples}")
    return problems


def _close(want: pl.Series, have: pl.Series) -> pl.Series:
    frame = pl.DataFrame({"want": want, "have": have})
    return frame.select(
        (pl.col("want") - pl.col("have")).abs() <= pl.max_horizontal(
            REL_TOLERANCE * pl.max_horizontal(pl.col("want").abs(), pl.col("have").abs()),
            pl.lit(ABS_TOLERANCE))
    ).to_series()
