"""ISO weeks (`2026-W04`: Monday to Sunday), the review's period. Days are UTC days, as in the
marts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_WEEK = re.compile(r"(\d{4})-W(\d{2})")


@dataclass(frozen=True)
class Week:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Week:
        """`YYYY-Www` (ISO 8601); ValueError with the expected form otherwise."""
        match = _WEEK.fullmatch(text.strip())
        if not match:
            raise ValueError(f"--week {text!r}: expected an ISO week YYYY-Www, e.g. 2026-W04")
        year, number = int(match.group(1)), int(match.group(2))
        try:
            date.fromisocalendar(year, number, 1)
        except ValueError:
            raise ValueError(f"--week {text!r}: {year} has no week {number}") from None
        return cls(year, number)

    @classmethod
    def of(cls, day: date) -> Week:
        year, number, _ = day.isocalendar()
        return cls(year, number)

    @property
    def first_day(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def last_day(self) -> date:
        return self.first_day + timedelta(days=6)

    def previous(self) -> Week:
        return Week.of(self.first_day - timedelta(days=7))

    def __str__(self) -> str:
        return f"{self.year}-W{self.number:02d}"


def last_complete_week(last_day_with_data: date) -> Week:
    """The latest week whose every day is in the data: it ends on or before that day."""
    return Week.of(last_day_with_data - timedelta(days=(last_day_with_data.isoweekday() % 7)))
