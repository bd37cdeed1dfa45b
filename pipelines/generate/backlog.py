"""Rows waiting for the daily batch file they belong to.

Generators plan ahead (a contact's later stages, a deal's closing, a sales sequence), so rows
are filed under the day their batch time falls on and taken out when that day is written.
Rows dated after the last generated day are never written: they have not happened yet.
"""

from __future__ import annotations

from collections import defaultdict

import polars as pl

from pipelines.contract import SOURCES
from pipelines.generate.rows import BATCH_TIME, CARRIED, TIME_STYLE, conform
from pipelines.generate.sampling import DAY


class Backlog:
    def __init__(self, start_s: int, days: int) -> None:
        self._start_s = start_s
        self._days = days
        self._pending: dict[tuple[int, str], list[pl.DataFrame]] = defaultdict(list)

    def file(self, source: str, frame: pl.DataFrame) -> None:
        """File rows under the day of their batch time."""
        if frame.height == 0:
            return
        if CARRIED not in frame.columns:
            frame = frame.with_columns(pl.lit(False).alias(CARRIED))
        day = ((frame[BATCH_TIME[source]].dt.epoch("s") - self._start_s) // DAY).alias("_day")
        for (index,), part in frame.with_columns(day).partition_by(
                "_day", as_dict=True, maintain_order=True, include_key=False).items():
            self.file_on(index, source, part)

    def file_on(self, day: int, source: str, frame: pl.DataFrame) -> None:
        if 0 <= day < self._days and frame.height:
            self._pending[(day, source)].append(frame)

    def take(self, day: int, source: str) -> pl.DataFrame:
        """All rows of that day's batch, oldest first (ties keep the order they were filed)."""
        parts = self._pending.pop((day, source), [])
        if not parts:
            empty = conform(pl.DataFrame(), SOURCES[source])
            return empty.with_columns(pl.lit(0, dtype=pl.UInt8).alias(TIME_STYLE),
                                      pl.lit(False).alias(CARRIED)).clear()
        return pl.concat(parts).sort(BATCH_TIME[source], maintain_order=True)

