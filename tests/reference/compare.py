"""Compare an expected frame (the reference) with an actual one (a mart), row by row and column
by column, and describe the differences readably."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

REL_TOLERANCE = 1e-9
ABS_TOLERANCE = 1e-12  # for values that should be 0 and are a rounding error away
EXAMPLES = 5


@dataclass
class Comparison:
    name: str
    keys: tuple[str, ...]
    expected_rows: int = 0
    actual_rows: int = 0
    missing_columns: list[str] = field(default_factory=list)
    duplicate_keys: pl.DataFrame | None = None
    missing_rows: pl.DataFrame | None = None  # in the reference, not in the mart
    extra_rows: pl.DataFrame | None = None  # in the mart, not in the reference
    column_diffs: dict[str, tuple[int, pl.DataFrame]] = field(default_factory=dict)
    uncomparable: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not (
            self.missing_columns
            or self.uncomparable
            or (self.duplicate_keys is not None and self.duplicate_keys.height)
            or (self.missing_rows is not None and self.missing_rows.height)
            or (self.extra_rows is not None and self.extra_rows.height)
            or self.column_diffs
        )

    def report(self) -> str:
        lines = [
            f"{self.name}: reference {self.expected_rows} rows, mart {self.actual_rows} rows,"
            f" keyed by {', '.join(self.keys)}"
        ]
        if self.missing_columns:
            lines.append(f"  columns missing from the mart: {', '.join(self.missing_columns)}")
        for column, problem in self.uncomparable.items():
            lines.append(f"  column {column}: {problem}")
        with pl.Config(tbl_rows=EXAMPLES * 2, tbl_cols=-1, tbl_width_chars=200, fmt_str_lengths=60):
            if self.duplicate_keys is not None and self.duplicate_keys.height:
                lines.append(f"  {self.duplicate_keys.height} duplicate keys in the mart, e.g.:")
                lines.append(_indent(str(self.duplicate_keys.head(EXAMPLES))))
            if self.missing_rows is not None and self.missing_rows.height:
                lines.append(
                    f"  {self.missing_rows.height} rows of the reference missing from the mart,"
                    " e.g.:"
                )
                lines.append(_indent(str(self.missing_rows.head(EXAMPLES))))
            if self.extra_rows is not None and self.extra_rows.height:
                lines.append(
                    f"  {self.extra_rows.height} rows of the mart not in the reference, e.g.:"
                )
                lines.append(_indent(str(self.extra_rows.head(EXAMPLES))))
            for column, (count, examples) in self.column_diffs.items():
                lines.append(
                    f"  column {column}: {count} rows differ (expected = reference), e.g.:"
                )
                lines.append(_indent(str(examples)))
        if self.ok:
            lines.append("  identical")
        return "\n".join(lines)


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


def _normalise(series: pl.Series, target: pl.DataType) -> pl.Series:
    """Bring a mart column to the reference's type (HUGEINT sums, DECIMAL, time zones...)."""
    if series.dtype == target:
        return series
    if isinstance(target, pl.Datetime) and isinstance(series.dtype, pl.Datetime):
        if series.dtype.time_zone is not None:
            series = series.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
        return series.cast(target)
    if target == pl.Date and isinstance(series.dtype, pl.Datetime):
        raise TypeError(f"a timestamp ({series.dtype}) where a date is expected")
    return series.cast(target, strict=True)


def compare_frames(
    name: str, expected: pl.DataFrame, actual: pl.DataFrame, keys: tuple[str, ...]
) -> Comparison:
    result = Comparison(name, keys, expected.height, actual.height)
    result.missing_columns = [c for c in expected.columns if c not in actual.columns]
    columns = [c for c in expected.columns if c in actual.columns]
    normalised = {}
    for column in columns:
        try:
            normalised[column] = _normalise(actual[column], expected.schema[column])
        except Exception as error:  # noqa: BLE001 - reported, not raised
            result.uncomparable[column] = (
                f"mart type {actual.schema[column]} does not convert to {expected.schema[column]}:"
                f" {error}"
            )
    if any(k not in normalised for k in keys):
        return result
    got = pl.DataFrame([normalised[c] for c in normalised])
    dupes = got.group_by(list(keys)).len().filter(pl.col("len") > 1)
    result.duplicate_keys = dupes.sort(list(keys))
    result.missing_rows = expected.join(got, on=list(keys), how="anti").sort(list(keys))
    result.extra_rows = got.join(expected, on=list(keys), how="anti").sort(list(keys))
    joined = expected.join(
        got.unique(subset=list(keys), keep="first"), on=list(keys), how="inner", suffix="__got"
    ).sort(list(keys))
    for column in expected.columns:
        if column in keys or column not in normalised:
            continue
        want, have = pl.col(column), pl.col(f"{column}__got")
        if expected.schema[column] in (pl.Float64, pl.Float32):
            close = (want - have).abs() <= pl.max_horizontal(
                REL_TOLERANCE * pl.max_horizontal(want.abs(), have.abs()), pl.lit(ABS_TOLERANCE)
            )
            same = (want.is_null() & have.is_null()) | (close.fill_null(False))
        else:
            same = want.eq_missing(have)
        differing = joined.filter(~same)
        if differing.height:
            examples = differing.select(
                *keys, pl.col(column).alias("expected"), pl.col(f"{column}__got").alias("got")
            ).head(EXAMPLES)
            result.column_diffs[column] = (differing.height, examples)
    return result
