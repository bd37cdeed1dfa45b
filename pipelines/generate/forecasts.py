"""The forecast fields of deal versions: expected close date, probability, forecast category
and pipeline, as a CRM fills them in.

- Probability and forecast category follow the stage (the CRM's defaults per stage).
- The expected close date is a date (midnight UTC). For a share of deals the rep is an
  optimist: at each stage change the close is promised sooner than it comes, and when that
  day passes with the deal still in the stage, the rep pushes the date out once (a version
  of its own, nothing else changed), so dates slip version after version, some out of their
  month. The other deals are forecast within a few days of their close. A deal not yet
  estimated (no amount while prospecting) has no date; a closing version has the day it
  closed.

Drawn from their own random stream, so the other columns are the same as without them.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.generate.sampling import DAY, HOUR

STAGE_PROBABILITY = {
    "prospecting": 0.1, "discovery": 0.2, "proposal": 0.5, "negotiation": 0.75,
    "closed_won": 1.0, "closed_lost": 0.0,
}
STAGE_FORECAST_CATEGORY = {
    "prospecting": "pipeline", "discovery": "pipeline", "proposal": "best_case",
    "negotiation": "commit", "closed_won": "closed", "closed_lost": "omitted",
}
PIPELINES = ("new_business", "expansion")
SHARE_SLIPPING = 0.4  # deals whose expected close is promised too soon, and slips
_EXPANSION_SHARE = 0.2
_CLOSED = ("closed_won", "closed_lost")


def with_forecasts(rng: np.random.Generator, versions: pl.DataFrame,
                   timelines: pl.DataFrame) -> pl.DataFrame:
    """`versions` with expected_close_at, probability, forecast_category and pipeline, and the
    versions that only push an expected close date out."""
    n = timelines.height
    deals = pl.DataFrame({
        "opportunity_id": timelines["opportunity_id"],
        "_close_s": timelines["closed_at"],
        "_slips": rng.random(n) < SHARE_SLIPPING,
        "_optimism": rng.uniform(0.2, 0.7, n),
        "_jitter_s": rng.integers(-3, 4, n) * DAY,
        "_pipeline": pl.Series(np.array(PIPELINES)[(rng.random(n) < _EXPANSION_SHARE) * 1]),
        "_push_hour_s": rng.integers(8 * HOUR, 17 * HOUR, n),
    })
    joined = versions.join(deals, on="opportunity_id", how="left", maintain_order="left")
    now = joined["updated_at"].dt.epoch("s").to_numpy()
    close = joined["_close_s"].to_numpy()
    slips = joined["_slips"].to_numpy()
    optimism = joined["_optimism"].to_numpy()
    closing = joined["stage"].is_in(_CLOSED).to_numpy()
    honest = _next_midnight(np.maximum(close + joined["_jitter_s"].to_numpy(), now))
    day_of = np.where(closing, close // DAY,
                      np.where(slips, _next_midnight(now + (close - now) * optimism), honest))
    unestimated = ((joined["stage"] == "prospecting") & joined["amount"].is_null()).to_numpy()
    forecast = joined.with_columns(
        _expected_day=pl.Series(np.where(unestimated, -1, day_of)),
        probability=pl.col("stage").replace_strict(STAGE_PROBABILITY, default=None,
                                                   return_dtype=pl.Float64),
        forecast_category=pl.col("stage").replace_strict(STAGE_FORECAST_CATEGORY,
                                                         default=None, return_dtype=pl.String),
        pipeline=pl.col("_pipeline"),
    )
    rows = pl.concat([forecast, _pushes(forecast)])
    expected = rows["_expected_day"] * DAY
    return rows.with_columns(
        expected_close_at=pl.when(expected >= 0).then(pl.from_epoch(expected, time_unit="s"))
        .cast(pl.Datetime("us")),
    ).select(versions.columns)


def _pushes(forecast: pl.DataFrame) -> pl.DataFrame:
    """For optimists' open versions whose expected close passes before the deal's next
    version: a version the day after, with the date pushed out (never past the close)."""
    nxt = pl.col("updated_at").shift(-1).over("opportunity_id", order_by="updated_at")
    pushed_at = pl.col("_expected_day") * DAY + DAY + pl.col("_push_hour_s")
    due = forecast.with_columns(_next_s=nxt.dt.epoch("s"), _pushed_s=pushed_at).filter(
        pl.col("_slips") & ~pl.col("stage").is_in(_CLOSED) & (pl.col("_expected_day") >= 0)
        & (pl.col("_pushed_s") < pl.col("_next_s")))
    at = due["_pushed_s"].to_numpy()
    later = at + (due["_close_s"].to_numpy() - at) * due["_optimism"].to_numpy()
    return due.with_columns(
        updated_at=pl.from_epoch(pl.Series(at), time_unit="s").cast(pl.Datetime("us")),
        _expected_day=pl.Series(_next_midnight(later)),
    ).drop("_next_s", "_pushed_s")


def _next_midnight(seconds: np.ndarray) -> np.ndarray:
    """Days since the epoch of the first midnight (UTC) at or after each instant."""
    return -(-np.asarray(seconds).astype(np.int64) // DAY)
