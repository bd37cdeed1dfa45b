"""What the weekly review says, read from the marts: one `Review` per ISO week.

Figures are the marts' own or sums of their additive columns over owners, segments and
channels; no metric is recomputed from lower layers. The month of a figure is the month of
the week's last day (UTC); month figures run to the latest day with data.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date, timedelta

from pipelines.quality.run_checks import FAILED, WARNED, check_status
from pipelines.report import pipeline_queries as pq
from pipelines.report.source import Marts
from pipelines.review.week import Week
from pipelines.settings import DBT_PROJECT_DIR

METRIC_OWNERS = DBT_PROJECT_DIR / "seeds" / "metric_owners.csv"
PIPELINE_METRIC = "pipeline_coverage"  # the metric_owners row the pipeline's figures answer to
DAILY_SOURCE = "mart_funnel_daily."


@dataclass
class Review:
    week: Week
    month: date                 # the month of the week's last day
    data_through: date | None   # the last day with data in mart_funnel_daily
    metrics: list[dict] = field(default_factory=list)      # one per metric_owners row
    pipeline: dict | None = None                           # coverage against quota, the owner
    pipeline_week: dict | None = None                      # open pipeline at the week's ends
    waterfall: dict | None = None                          # the month's waterfall to date
    week_waterfall: dict | None = None                     # the week's waterfall
    pushed_out: list[dict] = field(default_factory=list)   # by owner, amount pushed past the month
    follow_up: list[dict] = field(default_factory=list)    # the week's MQLs by owner
    records_to_fix: list[dict] = field(default_factory=list)  # by owner
    quality: dict | None = None                            # the last run's checks
    missing: list[str] = field(default_factory=list)       # marts not built

    @property
    def complete(self) -> bool:
        return self.data_through is not None and self.data_through >= self.week.last_day


def metric_owners() -> list[dict]:
    with METRIC_OWNERS.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _week_sums(m: Marts, columns: list[str], first: date, last: date) -> dict:
    if not columns:
        return {}
    sums = ", ".join(f"sum({c}) AS {c}" for c in columns)
    return m.rows(f"SELECT {sums} FROM marts.mart_funnel_daily "
                  "WHERE metric_date BETWEEN ? AND ?", [first, last])[0]


def _metrics(m: Marts, week: Week, month: date, owners: list[dict]) -> list[dict]:
    targets = {}
    if m.has("mart_targets_vs_actuals"):
        targets = {r["metric"]: r for r in m.rows(
            "SELECT * FROM marts.mart_targets_vs_actuals WHERE month = ? AND channel = '(all)'",
            [month])}
    summed = [o["source_column"].removeprefix(DAILY_SOURCE) for o in owners
              if o["source_column"].startswith(DAILY_SOURCE) and o["unit"] != "share"]
    this = _week_sums(m, summed, week.first_day, week.last_day) if m.has("mart_funnel_daily") else {}
    before = _week_sums(m, summed, week.previous().first_day, week.previous().last_day) \
        if m.has("mart_funnel_daily") else {}
    rows = []
    for owner in owners:
        if owner["metric"] == PIPELINE_METRIC:
            continue
        column = owner["source_column"].removeprefix(DAILY_SOURCE)
        target = targets.get(owner["metric"], {})
        rows.append({
            "metric": owner["metric"], "metric_number": owner["metric_number"] or None,
            "owning_team": owner["owning_team"], "owner_role": owner["owner_role"],
            "unit": owner["unit"], "direction": owner["direction"],
            # A share of a channel (contact_source) has no all-channel week figure.
            "week": None if owner["unit"] == "share" else this.get(column),
            "previous_week": None if owner["unit"] == "share" else before.get(column),
            "month_actual": target.get("actual_value"), "target": target.get("target_value"),
            "attainment": target.get("attainment"), "is_on_target": target.get("is_on_target"),
        })
    return rows


def _pipeline(m: Marts, review: Review, owners: list[dict]) -> None:
    owner = next((o for o in owners if o["metric"] == PIPELINE_METRIC), None)
    if m.has(pq.COVERAGE) and m.scalar(
            f"SELECT count(*) FROM marts.{pq.COVERAGE} WHERE month = ?", [review.month]):
        review.pipeline = pq.coverage_total(m, review.month) | {
            "owning_team": owner["owning_team"] if owner else None,
            "owner_role": owner["owner_role"] if owner else None,
            "by_owner": pq.coverage_by_owner(m, review.month)}
    if m.has(pq.DAILY):
        end = pq.open_pipeline_on(m, review.week.last_day)
        start = pq.open_pipeline_on(m, review.week.first_day - timedelta(days=1))
        review.pipeline_week = {"start": start, "end": end}
    if m.has(pq.WEEKLY_WATERFALL):
        review.week_waterfall = pq.waterfall_week(m, review.week.first_day)
    if m.has(pq.WATERFALL):
        months = [r for r in pq.waterfall_months(m) if r["month"] == review.month]
        review.waterfall = months[0] if months else None
        review.pushed_out = [r for r in pq.waterfall_by_owner(m, review.month)
                             if (r["pushed_out_amount"] or 0) > 0]


def _follow_up(m: Marts, week: Week) -> list[dict]:
    return m.rows(
        "SELECT coalesce(owner_id, 'unassigned') AS owner, count(*) AS mqls, "
        "count(*) FILTER (WHERE is_within_sla) AS within_sla, "
        "count(*) FILTER (WHERE NOT coalesce(is_within_sla, false)) AS outside_sla, "
        "count(*) FILTER (WHERE is_ignored) AS ignored "
        "FROM marts.mart_lead_follow_up WHERE CAST(mql_at AS DATE) BETWEEN ? AND ? "
        "GROUP BY 1 HAVING count(*) FILTER (WHERE NOT coalesce(is_within_sla, false)) > 0 "
        "ORDER BY outside_sla DESC, owner", [week.first_day, week.last_day])


def _records_to_fix(m: Marts, week: Week) -> list[dict]:
    return m.rows(
        "SELECT coalesce(owner_id, '(unowned)') AS owner, count(*) AS records_to_fix, "
        "count(*) FILTER (WHERE created_date BETWEEN ? AND ?) AS created_this_week, "
        "count(*) FILTER (WHERE is_suspected_duplicate) AS suspected_duplicates "
        "FROM marts.mart_contact_quality WHERE NOT is_complete OR is_suspected_duplicate "
        "GROUP BY 1 ORDER BY records_to_fix DESC, owner", [week.first_day, week.last_day])


def _quality(checks: dict | None) -> dict | None:
    if checks is None:
        return None
    statuses = [(check_status(c), c) for c in checks.get("checks", [])]
    failed = [c for s, c in statuses if s == FAILED]
    return {"run_id": checks.get("run_id"), "finished_at": checks.get("finished_at"),
            "success": bool(checks.get("success")) and not failed,
            "passed": sum(1 for s, _ in statuses if s not in (FAILED, WARNED)),
            "warned": [f"{c['asset']}: {c['check']}" for s, c in statuses if s == WARNED],
            "failed": [f"{c['asset']}: {c['check']}" for c in failed]}


def gather(m: Marts, week: Week, checks: dict | None) -> Review:
    month = week.last_day.replace(day=1)
    data_through = (m.scalar("SELECT max(metric_date) FROM marts.mart_funnel_daily")
                    if m.has("mart_funnel_daily") else None)
    review = Review(week, month, data_through)
    needed = ("mart_funnel_daily", "mart_targets_vs_actuals", "mart_lead_follow_up",
              "mart_contact_quality", *pq.TABLES, pq.WEEKLY_WATERFALL)
    review.missing = m.missing(*needed)
    owners = metric_owners()
    review.metrics = _metrics(m, week, month, owners)
    _pipeline(m, review, owners)
    if m.has("mart_lead_follow_up"):
        review.follow_up = _follow_up(m, week)
    if m.has("mart_contact_quality"):
        review.records_to_fix = _records_to_fix(m, week)
    review.quality = _quality(checks)
    return review
