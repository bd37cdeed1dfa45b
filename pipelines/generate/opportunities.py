"""Deals: a share of sales-qualified contacts gets an opportunity that moves through the stages
prospecting → discovery → proposal → negotiation and closes won or lost over the following
weeks. The CRM exports one version row per stage change, each with its `updated_at`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from pipelines.contract import OPPORTUNITIES, OPPORTUNITY_STAGES
from pipelines.generate.rows import conform
from pipelines.generate.sampling import (
    DAY,
    HOUR,
    NO_TIME,
    Numbering,
    as_datetime,
    delay,
    from_choices,
    pick,
)
from pipelines.generate.vocabulary import COMPANIES, CURRENCIES, LOST_REASONS, OWNER_IDS

_OPEN_STAGES = 4  # prospecting, discovery, proposal, negotiation
_MEAN_DAYS_IN_STAGE = np.array([3, 6, 8, 5]) * DAY
_LOSS_CHANCE_IN_STAGE = np.array([0.15, 0.2, 0.25, 0.2])
_SEGMENTS = ("smb", "mid_market", "enterprise")
_SEGMENT_WEIGHTS = (60, 30, 10)
_MEDIAN_AMOUNT = np.array([12_000.0, 45_000.0, 180_000.0])
SHARE_OF_SQLS_WITH_DEAL = 0.55


@dataclass
class Deals:
    versions: pl.DataFrame  # opportunity rows, one per stage change
    # One row per deal: opportunity_id, contact_id, owner, stage entry times, closing time, won.
    timelines: pl.DataFrame


def plan_deals(rng: np.random.Generator, plan: pl.DataFrame, people: pl.DataFrame,
               numbering: Numbering) -> tuple[Deals, np.ndarray, np.ndarray]:
    """Deals of these contacts, and per contact when it became opportunity and customer."""
    sql_at = plan["sql_at"].to_numpy()
    has_deal = (sql_at != NO_TIME) & (rng.random(sql_at.size) < SHARE_OF_SQLS_WITH_DEAL)
    rows = np.flatnonzero(has_deal)
    created = sql_at[rows] + delay(rng, rows.size, 2 * DAY, HOUR)
    deals = _deals(rng, numbering, plan["contact_id"].gather(rows), plan["owner"].gather(rows),
                   people["company"].gather(rows), created)

    opportunity_at = np.full(sql_at.size, NO_TIME)
    opportunity_at[rows] = created
    customer_at = np.full(sql_at.size, NO_TIME)
    won = deals.timelines["won"].to_numpy()
    customer_at[rows[won]] = deals.timelines["closed_at"].to_numpy()[won]
    return deals, opportunity_at, customer_at


def deals_from_elsewhere(rng: np.random.Generator, day_start: int, n: int,
                         numbering: Numbering) -> Deals:
    """Deals whose contact lives in another system and never appears in contacts."""
    contact_ids = pl.Series(rng.integers(90_000_000, 100_000_000, n)).cast(pl.String)
    owners = from_choices(OWNER_IDS, rng.integers(0, len(OWNER_IDS), n))
    accounts = from_choices([c for c, _ in COMPANIES], rng.integers(0, len(COMPANIES), n))
    created = day_start + rng.integers(7 * HOUR, 19 * HOUR, n)
    return _deals(rng, numbering, contact_ids, owners, accounts, created)


def _deals(rng: np.random.Generator, numbering: Numbering, contact_id: pl.Series,
           owner: pl.Series, account: pl.Series, created: np.ndarray) -> Deals:
    n = created.size
    ids = numbering.take(n)
    dwell = (rng.exponential(1.0, (n, _OPEN_STAGES)) * _MEAN_DAYS_IN_STAGE + 4 * HOUR
             ).astype(np.int64)
    entered = created[:, None] + np.concatenate(
        [np.zeros((n, 1), dtype=np.int64), np.cumsum(dwell, axis=1)], axis=1)
    lost_in = rng.random((n, _OPEN_STAGES)) < _LOSS_CHANCE_IN_STAGE
    last_open = np.where(lost_in.any(axis=1), lost_in.argmax(axis=1), _OPEN_STAGES - 1)
    won = ~lost_in.any(axis=1)
    closed_at = entered[np.arange(n), last_open + 1]

    segment = pick(rng, _SEGMENT_WEIGHTS, n)
    amount = np.round(_MEDIAN_AMOUNT[segment] * rng.lognormal(0, 0.5, n), -2)
    revised = amount * np.where(rng.random(n) < 0.5, rng.uniform(0.85, 1.15, n), 1.0)
    revised = np.round(revised, -2)
    estimated_early = rng.random(n) >= 0.3

    base = pl.DataFrame({
        "opportunity_id": ids,
        "contact_id": contact_id,
        "account_name": account,
        "owner_id": owner,
        "currency": from_choices([c for c, _ in CURRENCIES],
                                 pick(rng, [w for _, w in CURRENCIES], n)),
        "segment": from_choices(_SEGMENTS, segment),
        "created_at": as_datetime(created),
    })
    lost_reason = from_choices(LOST_REASONS, rng.integers(0, len(LOST_REASONS), n))
    parts = []
    for stage in range(_OPEN_STAGES + 1):
        if stage < _OPEN_STAGES:
            rows = np.flatnonzero(stage <= last_open)
            at = entered[rows, stage]
            names = np.full(rows.size, stage)
        else:
            rows = np.arange(n)
            at = closed_at
            names = np.where(won, OPPORTUNITY_STAGES.index("closed_won"),
                             OPPORTUNITY_STAGES.index("closed_lost"))
        # Amounts: often unknown while prospecting, revised once a proposal is out.
        stage_amount = np.where(stage >= 2, revised, amount)[rows]
        stage_amount = np.where((stage == 0) & ~estimated_early[rows], np.nan, stage_amount)
        closing = stage == _OPEN_STAGES
        parts.append(base[rows].with_columns(
            stage=from_choices(OPPORTUNITY_STAGES, names),
            amount=pl.Series(stage_amount).fill_nan(None),
            closed_at=as_datetime(at) if closing else None,
            lost_reason=pl.when(pl.Series(~won[rows])).then(lost_reason.gather(rows))
            if closing else None,
            updated_at=as_datetime(at + delay(rng, rows.size, 120, 1)),
        ))
    versions = conform(pl.concat(parts, how="diagonal_relaxed"), OPPORTUNITIES)
    timelines = pl.DataFrame({
        "opportunity_id": ids,
        "contact_id": contact_id,
        "owner": owner,
        "discovery_at": np.where(last_open >= 1, entered[:, 1], NO_TIME),
        "proposal_at": np.where(last_open >= 2, entered[:, 2], NO_TIME),
        "negotiation_at": np.where(last_open >= 3, entered[:, 3], NO_TIME),
        "closed_at": closed_at,
        "won": won,
    })
    return Deals(versions, timelines)
