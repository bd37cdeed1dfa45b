"""The limits a value must respect to enter the raw layer (DESIGN.md section 3: "a bad batch
never stops the nightly run"). Defined once, here: ingestion rejects a row that breaks one at
the door (pipelines/ingestion/limit_rules.py, applied by validation.py), and the Great
Expectations suites read the same bounds as suite parameters (pipelines/quality/suites.py) and
the same ordered pairs as flags (pipelines/quality/raw_checks.py). So a blocking check can only
fail on a defect of the pipeline, never on a value in an input file.

Settings (environment): FUNNEL_TIMESTAMP_FLOOR (default 2000-01-01), the oldest plausible
timestamp; FUNNEL_FUTURE_TOLERANCE_HOURS (default 24), how far past the run's time a timestamp
may lie (clock skew, time zones).
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

DEFAULT_TIMESTAMP_FLOOR = "2000-01-01"
DEFAULT_FUTURE_TOLERANCE_HOURS = 24.0

# Columns whose values are never negative (money).
NON_NEGATIVE = {"opportunities": ("amount",), "marketing_spend": ("amount",)}

# Timestamps that forecast the future (an open deal's expected close): exempt from the future
# tolerance, bounded instead by this many years after the run's time.
FORECAST_TIMESTAMPS = {"opportunities": ("expected_close_at",)}
FORECAST_HORIZON_YEARS = 20

# Probabilities: a fraction 0-1, or a percentage; a value above 1 (up to 100) is a percentage
# and is divided by 100 (so 1 means 100%, never 1%). Below 0 or above 100: rejected.
PROBABILITIES = {"opportunities": ("probability",)}

# (later, earlier): the first may not precede the second. Where either value was given as a
# date alone (Salesforce's CloseDate), they are compared as dates: the same day is valid.
ORDERED_PAIRS = {
    "opportunities": (("closed_at", "created_at"),),
    "contacts": (("updated_at", "created_at"),),
}


def timestamp_floor() -> datetime:
    text = os.environ.get("FUNNEL_TIMESTAMP_FLOOR") or DEFAULT_TIMESTAMP_FLOOR
    try:
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"FUNNEL_TIMESTAMP_FLOOR={text!r} is not an ISO date (YYYY-MM-DD)") from exc


def future_tolerance() -> timedelta:
    text = os.environ.get("FUNNEL_FUTURE_TOLERANCE_HOURS")
    try:
        hours = float(text) if text else DEFAULT_FUTURE_TOLERANCE_HOURS
    except ValueError as exc:
        raise ValueError(f"FUNNEL_FUTURE_TOLERANCE_HOURS={text!r} is not a number of hours") from exc
    return timedelta(hours=hours)


def latest_allowed(now: datetime) -> datetime:
    """The latest timestamp a row may carry when loaded (or checked) at `now` (naive UTC)."""
    return now + future_tolerance()


def latest_forecast(now: datetime) -> datetime:
    """The latest forecast timestamp (FORECAST_TIMESTAMPS) a row may carry when loaded at `now`."""
    return now.replace(year=now.year + FORECAST_HORIZON_YEARS, day=min(now.day, 28))


def suite_parameters(now: datetime) -> dict[str, datetime]:
    """The bounds the suites refer to as `{"$PARAMETER": name}`."""
    return {"now": now, "timestamp_floor": timestamp_floor(), "latest_allowed": latest_allowed(now)}
