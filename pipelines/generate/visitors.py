"""The browsers (visitor_id cookies) seen so far, and which of them a contact has identified.

Visitors are numbered in order of first visit; the number is turned into an opaque id only when
written. Returning visitors are drawn from those seen on earlier days, recent ones more often.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.generate.sampling import hex_ids, unit_hash
from pipelines.generate.vocabulary import COUNTRIES

_DEVICES = (("desktop", 62), ("mobile", 33), ("tablet", 5))
_COUNTRIES = tuple((name, weight) for name, weight, _, _ in COUNTRIES)


class VisitorRegistry:
    def __init__(self, seed: int) -> None:
        self._salt = seed * 7919 + 17
        self._count = 0
        self._seen_before_today = 0
        self._identified = np.zeros(4096, dtype=bool)

    def new(self, n: int) -> np.ndarray:
        numbers = np.arange(self._count, self._count + n, dtype=np.int64)
        self._count += n
        if self._count > self._identified.size:
            grown = np.zeros(max(self._count, self._identified.size * 2), dtype=bool)
            grown[: self._identified.size] = self._identified
            self._identified = grown
        return numbers

    def returning(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """n visitors seen on earlier days (repeats allowed), or fewer if there are none."""
        seen = self._seen_before_today
        if seen == 0:
            return np.empty(0, dtype=np.int64)
        # Recent visitors come back more often than old ones.
        age = rng.exponential(max(seen * 0.35, 1.0), n).astype(np.int64)
        return seen - 1 - np.minimum(age, seen - 1)

    def returning_anonymous(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Up to n distinct visitors of earlier days that no contact has identified yet."""
        candidates = np.flatnonzero(~self._identified[: self._seen_before_today])
        if candidates.size == 0:
            return np.empty(0, dtype=np.int64)
        chosen = rng.choice(candidates, size=min(n, candidates.size), replace=False)
        return chosen.astype(np.int64)

    def identify(self, numbers: np.ndarray) -> None:
        self._identified[numbers] = True

    def end_day(self) -> None:
        self._seen_before_today = self._count

    def visitor_ids(self, numbers: np.ndarray) -> pl.Series:
        return hex_ids(numbers, self._salt)

    def devices(self, numbers: np.ndarray) -> np.ndarray:
        return _stable_trait(numbers, self._salt + 1, _DEVICES)

    def countries(self, numbers: np.ndarray) -> np.ndarray:
        return _stable_trait(numbers, self._salt + 2, _COUNTRIES)


def device_names() -> tuple[str, ...]:
    return tuple(name for name, _ in _DEVICES)


def country_names() -> tuple[str, ...]:
    return tuple(name for name, _ in _COUNTRIES)


def _stable_trait(numbers: np.ndarray, salt: int, table: tuple[tuple[str, float], ...]):
    """Index into `table`, the same for a visitor every time it comes back."""
    weights = np.array([w for _, w in table], dtype=float)
    edges = np.cumsum(weights) / weights.sum()
    return np.minimum(np.searchsorted(edges, unit_hash(numbers, salt), side="right"),
                      len(table) - 1)

