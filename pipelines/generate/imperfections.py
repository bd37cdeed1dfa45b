"""What real exports do to rows: send some late, send some twice, and break a few.

- late: a row of one day written into the next day's file;
- re-sent: a row written again, unchanged, into the next day's file;
- duplicated: a row written twice in the same file;
- malformed: a few extra rows per text file with a bad timestamp, no key, or a value of the
  wrong type. They copy a real row under a new key (or none), so a real row is never shadowed.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.contract import Source
from pipelines.generate.rows import CARRIED

BAD_TIMESTAMPS = ("2026-13-45T99:00", "2026-02-30 25:61:00")

# Per source: (column, value) of the wrong-type malformation.
WRONG_VALUES = {
    "web_visits": ("time_on_page_s", "n/a"),
    "contacts": ("created_at", "last tuesday"),
    "opportunities": ("amount", "twelve"),
    "sales_interactions": ("occurred_at", "31/02/2026 10:00"),
}
# The timestamp column a bad timestamp goes into: one every row must have.
REQUIRED_TIME = {
    "web_visits": "occurred_at",
    "contacts": "created_at",
    "opportunities": "created_at",
    "sales_interactions": "occurred_at",
}


def _some(rng: np.random.Generator, rows: np.ndarray, share: float, at_least: int) -> np.ndarray:
    if rows.size == 0:
        return rows
    n = min(rows.size, max(at_least, int(rng.binomial(rows.size, share))))
    return np.sort(rng.choice(rows, size=n, replace=False))


def hold_back_late(
    rng: np.random.Generator, frame: pl.DataFrame, share: float
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rows for today's file, rows that will arrive in tomorrow's file instead)."""
    fresh = np.flatnonzero(~frame[CARRIED].to_numpy())
    late = np.zeros(frame.height, dtype=bool)
    late[_some(rng, fresh, share, 0)] = True
    mask = pl.Series(late)
    return frame.filter(~mask), frame.filter(mask).with_columns(pl.lit(True).alias(CARRIED))


def resent_tomorrow(rng: np.random.Generator, frame: pl.DataFrame, share: float,
                    at_least: int = 0) -> pl.DataFrame:
    """Copies of some of today's rows that the next file repeats unchanged."""
    fresh = np.flatnonzero(~frame[CARRIED].to_numpy())
    chosen = _some(rng, fresh, share, at_least)
    return frame[chosen].with_columns(pl.lit(True).alias(CARRIED))


def with_duplicates(rng: np.random.Generator, frame: pl.DataFrame, share: float,
                    at_least: int = 0) -> pl.DataFrame:
    """Some rows written twice, the copy right after the original."""
    chosen = _some(rng, np.arange(frame.height), share, at_least)
    times = np.ones(frame.height, dtype=np.int64)
    times[chosen] = 2
    return frame[np.repeat(np.arange(frame.height), times)]


def malformed_count(rows: int) -> int:
    return 0 if rows == 0 else min(3, max(1, rows // 20))


def malformed_records(
    rng: np.random.Generator, text: pl.DataFrame, source: Source, n: int,
    rename: dict[str, str] | None = None,
) -> list[dict[str, object]]:
    """n broken records built from rows of `text` (timestamps already text).

    `rename` maps contract column names onto the file's own names (for CRM exports)."""
    if n == 0 or text.height == 0:
        return []
    names = rename or {}
    candidates = text
    if source.name == "web_visits":  # break anonymous page views, not identity events
        candidates = text.filter(pl.col("contact_id").is_null() & pl.col("email").is_null())
        candidates = candidates if candidates.height else text
    bases = candidates[rng.integers(0, candidates.height, n)].rows(named=True)
    records = []
    first_kind = int(rng.integers(0, 3))  # small files get one record: vary which kind
    for i, base in enumerate(bases):
        record = {names.get(k, k): v for k, v in base.items() if not k.startswith("_")}
        key = names.get(source.key, source.key)
        record[key] = f"{record[key]}-x{i + 1}"
        kind = (first_kind + i) % 3
        if kind == 0:
            column = names.get(REQUIRED_TIME[source.name], REQUIRED_TIME[source.name])
            record[column] = BAD_TIMESTAMPS[int(rng.integers(0, len(BAD_TIMESTAMPS)))]
        elif kind == 1:
            del record[key]
        else:
            column, value = WRONG_VALUES[source.name]
            record[names.get(column, column)] = value
        records.append(record)
    return records
