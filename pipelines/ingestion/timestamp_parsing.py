"""Parsing timestamp text to naive UTC: the ISO 8601 spellings, or a mapping's explicit format."""

from __future__ import annotations

import polars as pl

# ISO 8601 spellings, most common first. Each is tried only on the values the previous ones
# could not parse, so the usual file costs one parse per value.
_ISO_ZONED = ("%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z")
_ISO_NAIVE = ("%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d")
# Rare spellings, tried last: an offset of hours alone (`+02`, as PostgreSQL writes it).
_ISO_RARE = ("%Y-%m-%dT%H:%M:%S%.f%#z",)


def parse_timestamp(text: pl.Series, timestamp_format: str | None) -> pl.Series:
    """Parse to naive UTC. ISO 8601 with or without offset (naive means UTC), 'T' or space,
    optional seconds and fractions, 'Z' or ' UTC'; or the mapping's explicit format (naive = UTC)."""
    if timestamp_format:
        return _parse_with(text, timestamp_format)
    # " UTC" is how BigQuery and warehouse CSV unloads end a UTC time (connector tables).
    iso = (text.str.replace(r"\s+UTC$", "Z").str.replace(" ", "T", literal=True)
           .str.replace(r"[zZ]$", "+00:00"))
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
