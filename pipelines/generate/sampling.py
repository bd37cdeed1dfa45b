"""Random draws shared by the generators, all from numpy Generators seeded per day and stream.

Seeding each (seed, day, stream) separately keeps a day's data independent of how many days
are generated, so generating more days leaves the earlier files byte-identical.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np
import polars as pl

DAY = 86_400
HOUR = 3_600
MINUTE = 60
NO_TIME = -1  # marks "never happens" in arrays of epoch seconds

# Share of a day's sessions starting in each UTC hour: Europe's working day, then the
# Americas', with a little traffic all night (so some sessions cross midnight).
_WEB_HOURS = np.array([
    2.0, 1.5, 1.2, 1.0, 1.2, 1.8, 3.0, 4.5, 6.0, 7.0, 7.5, 7.0,
    6.5, 7.0, 7.5, 7.5, 7.0, 6.0, 5.0, 4.5, 4.0, 3.5, 3.0, 2.5,
])
# When sales reps and CRM imports work (UTC).
_OFFICE_HOURS = np.array([
    0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1.5, 4.0, 7.0, 8.0, 8.0, 7.0,
    6.5, 7.5, 8.0, 8.0, 7.5, 6.0, 4.0, 2.5, 1.5, 1.0, 0.5, 0.3,
])


def day_rng(seed: int, day_index: int, stream: str) -> np.random.Generator:
    return np.random.default_rng([seed, day_index, zlib.crc32(stream.encode())])


def pick(rng: np.random.Generator, weights: Sequence[float], n: int) -> np.ndarray:
    """n indices into `weights`, drawn in proportion to them."""
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), size=n, p=p / p.sum())


def seconds_into_day(rng: np.random.Generator, n: int, office_hours: bool = False) -> np.ndarray:
    profile = _OFFICE_HOURS if office_hours else _WEB_HOURS
    return pick(rng, profile, n) * HOUR + rng.integers(0, HOUR, n)


def delay(rng: np.random.Generator, n: int, mean_s: float, minimum_s: float = 0) -> np.ndarray:
    """Exponentially distributed waiting times in whole seconds."""
    return (minimum_s + rng.exponential(mean_s, n)).astype(np.int64)


def later_of(times: np.ndarray, floor: np.ndarray) -> np.ndarray:
    """`times`, raised to `floor` where earlier; NO_TIME stays NO_TIME."""
    return np.where(times == NO_TIME, NO_TIME, np.maximum(times, floor))


def as_datetime(seconds: np.ndarray) -> pl.Series:
    """Epoch seconds to a naive UTC datetime column; NO_TIME becomes null."""
    s = pl.Series(np.asarray(seconds, dtype=np.int64))
    return (
        pl.select(pl.when(s >= 0).then(pl.from_epoch(s, time_unit="s"))).to_series()
        .cast(pl.Datetime("us"))
    )


def from_choices(values: Sequence[str | None], indices: np.ndarray) -> pl.Series:
    """The strings at `indices` of a small list, as a polars column (nulls allowed)."""
    return pl.Series(list(values), dtype=pl.String).gather(pl.Series(indices, dtype=pl.UInt32))


def hex_ids(numbers: np.ndarray, salt: int) -> pl.Series:
    """Distinct 16-hex-digit ids for distinct numbers, scrambled so they look random."""
    x = (np.asarray(numbers, dtype=np.uint64) + np.uint64(salt)) * np.uint64(0x9E3779B97F4A7C15)
    x ^= x >> np.uint64(29)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(32)
    text = x.astype(">u8").tobytes().hex().encode()
    return pl.Series(np.frombuffer(text, dtype="S16").astype(str), dtype=pl.String)


def unit_hash(numbers: np.ndarray, salt: int) -> np.ndarray:
    """A fixed pseudo-random number in [0, 1) per number: a visitor's stable traits."""
    x = (np.asarray(numbers, dtype=np.uint64) + np.uint64(salt)) * np.uint64(0x9E3779B97F4A7C15)
    x ^= x >> np.uint64(31)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(29)
    return (x >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def numbered(prefix: str, numbers: np.ndarray, width: int) -> pl.Series:
    """`prefix` followed by each number zero-padded to `width` digits."""
    digits = pl.Series(np.asarray(numbers, dtype=np.int64)).cast(pl.String).str.zfill(width)
    return (prefix + digits).alias("id")


class Numbering:
    """Consecutive ids with a prefix, continuing across days: OPP-000001, OPP-000002, ..."""

    def __init__(self, prefix: str, width: int) -> None:
        self.prefix, self.width, self.count = prefix, width, 0

    def take(self, n: int) -> pl.Series:
        ids = numbered(self.prefix, np.arange(self.count + 1, self.count + n + 1), self.width)
        self.count += n
        return ids
