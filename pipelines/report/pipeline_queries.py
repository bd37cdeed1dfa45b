"""Queries of the pipeline marts for the report's Pipeline section and the weekly review.

They read the marts and add up their additive columns (amounts, counts) across owners,
segments and pipelines; the only figures divided here are ratios of those sums, as the
README asks of totals ("add up the counts and divide"). Nothing is recomputed from the history.
"""

from __future__ import annotations

from datetime import date

from pipelines.report.source import Marts

DAILY = "mart_pipeline_daily"
WATERFALL = "mart_pipeline_waterfall"
WEEKLY_WATERFALL = "mart_pipeline_waterfall_weekly"
COVERAGE = "mart_pipeline_coverage"
VELOCITY = "mart_sales_velocity"
TABLES = (DAILY, WATERFALL, COVERAGE, VELOCITY)

WATERFALL_AMOUNTS = ("start_amount", "created_amount", "reopened_amount", "increased_amount",
                     "decreased_amount", "won_amount", "lost_amount", "end_amount")
DUE_AMOUNTS = ("due_at_start_amount", "moved_in_amount", "pulled_in_amount", "pushed_out_amount",
               "due_won_amount", "due_lost_amount", "due_at_end_amount")
COVERAGE_AMOUNTS = ("quota", "closed_won_amount", "due_amount", "due_weighted_amount",
                    "previous_quota", "previous_closed_won_amount", "previous_due_amount",
                    "previous_due_weighted_amount")


def _sums(columns) -> str:
    return ", ".join(f"sum({c}) AS {c}" for c in columns)


def latest_day(m: Marts) -> date | None:
    return m.scalar(f"SELECT max(metric_date) FROM marts.{DAILY}")


def daily_by_stage(m: Marts, first: date, last: date) -> list[dict]:
    """Open amount and count per day and stage (all owners, segments, pipelines)."""
    return m.rows(
        f"SELECT metric_date, stage, sum(open_amount) AS open_amount, "
        f"sum(weighted_amount) AS weighted_amount, sum(open_opportunities) AS open_opportunities "
        f"FROM marts.{DAILY} WHERE metric_date BETWEEN ? AND ? "
        f"GROUP BY metric_date, stage ORDER BY metric_date, stage", [first, last])


def open_pipeline_on(m: Marts, day: date) -> dict:
    """Totals of the open pipeline as of the end of `day` (zeros when nothing was open)."""
    row = m.rows(
        f"SELECT coalesce(sum(open_opportunities), 0) AS open_opportunities, "
        f"coalesce(sum(open_amount), 0) AS open_amount, "
        f"coalesce(sum(weighted_amount), 0) AS weighted_amount, "
        f"coalesce(sum(due_this_month_amount), 0) AS due_this_month_amount "
        f"FROM marts.{DAILY} WHERE metric_date = ?", [day])
    return row[0]


def waterfall_months(m: Marts) -> list[dict]:
    """Every month's waterfall and due-in-month movements, all owners together."""
    return m.rows(
        f"SELECT month, {_sums(WATERFALL_AMOUNTS + DUE_AMOUNTS)}, "
        f"sum(created_opportunities) AS created_opportunities, "
        f"sum(won_opportunities) AS won_opportunities, "
        f"sum(lost_opportunities) AS lost_opportunities "
        f"FROM marts.{WATERFALL} GROUP BY month ORDER BY month")


def waterfall_week(m: Marts, monday: date) -> dict | None:
    """The waterfall of the ISO week starting on `monday`, all owners together."""
    rows = m.rows(
        f"SELECT week, {_sums(WATERFALL_AMOUNTS)}, "
        f"sum(created_opportunities) AS created_opportunities, "
        f"sum(won_opportunities) AS won_opportunities, "
        f"sum(lost_opportunities) AS lost_opportunities "
        f"FROM marts.{WEEKLY_WATERFALL} WHERE week = ? GROUP BY week", [monday])
    return rows[0] if rows else None


def waterfall_by_owner(m: Marts, month: date) -> list[dict]:
    return m.rows(
        f"SELECT owner_id, {_sums(WATERFALL_AMOUNTS + DUE_AMOUNTS)} FROM marts.{WATERFALL} "
        f"WHERE month = ? GROUP BY owner_id ORDER BY owner_id", [month])


def coverage_month(m: Marts, on: date | None = None) -> date | None:
    """The month holding `on` if it has coverage rows, else the latest month."""
    if on is not None:
        month = m.scalar(f"SELECT max(month) FROM marts.{COVERAGE} WHERE month <= ?", [on])
        if month is not None:
            return month
    return m.scalar(f"SELECT max(month) FROM marts.{COVERAGE}")


def coverage_rows(m: Marts, month: date) -> list[dict]:
    """The mart's rows of the month, per owner and segment, as they are."""
    return m.rows(f"SELECT * FROM marts.{COVERAGE} WHERE month = ? ORDER BY owner_id, segment",
                  [month])


def coverage_by_owner(m: Marts, month: date) -> list[dict]:
    """Per owner, the segments added up; coverage = due ÷ gap of those sums (gap > 0)."""
    rows = m.rows(
        f"SELECT owner_id, min(measured_on) AS measured_on, {_sums(COVERAGE_AMOUNTS)} "
        f"FROM marts.{COVERAGE} WHERE month = ? GROUP BY owner_id ORDER BY owner_id", [month])
    return [with_coverage(r) for r in rows]


def coverage_total(m: Marts, month: date) -> dict:
    row = m.rows(
        f"SELECT min(measured_on) AS measured_on, min(previous_measured_on) AS "
        f"previous_measured_on, {_sums(COVERAGE_AMOUNTS)} FROM marts.{COVERAGE} WHERE month = ?",
        [month])[0]
    return with_coverage(row)


def with_coverage(row: dict) -> dict:
    """Gap and coverage of summed rows, by the mart's rule: gap = quota - closed won (null
    without a quota); coverage = due ÷ gap, null when the gap is 0 or less."""
    row = dict(row)
    for prefix in ("", "previous_"):
        quota, won = row.get(f"{prefix}quota"), row.get(f"{prefix}closed_won_amount") or 0
        gap = None if quota is None else quota - won
        row[f"{prefix}gap_to_quota"] = gap
        due = row.get(f"{prefix}due_amount") or 0
        row[f"{prefix}coverage"] = due / gap if gap is not None and gap > 0 else None
    return row


def velocity_month(m: Marts, on: date | None = None) -> date | None:
    where = "WHERE month <= ?" if on is not None else ""
    return m.scalar(f"SELECT max(month) FROM marts.{VELOCITY} {where}",
                    [on] if on is not None else None)


def velocity_by_channel(m: Marts, month: date) -> list[dict]:
    """Per original channel, the mart's components added up over owners and segments (wins,
    losses, amounts, open deals, cycle days of the wins) and the mart's formulas applied to
    those sums: win rate = won ÷ (won + lost), average won amount, average cycle, velocity =
    open × win rate × average won amount ÷ average cycle days. (The mart's own velocities,
    per owner and segment, are null wherever one of them lacks a factor: they do not add up.)"""
    rows = m.rows(
        f"SELECT channel, sum(won_opportunities) AS won_opportunities, "
        f"sum(lost_opportunities) AS lost_opportunities, sum(won_amount) AS won_amount, "
        f"sum(lost_amount) AS lost_amount, sum(open_opportunities) AS open_opportunities, "
        f"sum(avg_cycle_days * won_opportunities) AS won_cycle_days "
        f"FROM marts.{VELOCITY} WHERE month = ? GROUP BY channel ORDER BY channel", [month])
    for row in rows:
        won, closed = row["won_opportunities"] or 0, (row["won_opportunities"] or 0) + (
            row["lost_opportunities"] or 0)
        row["win_rate"] = won / closed if closed else None
        row["avg_won_amount"] = row["won_amount"] / won if won else None
        row["avg_cycle_days"] = row["won_cycle_days"] / won if won and row["won_cycle_days"] \
            is not None else None
        factors = (row["win_rate"], row["avg_won_amount"], row["avg_cycle_days"])
        row["pipeline_velocity"] = (
            row["open_opportunities"] * factors[0] * factors[1] / factors[2]
            if None not in factors and factors[2] > 0 else None)
    return sorted(rows, key=lambda r: (-(r["pipeline_velocity"] or -1), str(r["channel"])))
