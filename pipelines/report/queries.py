"""The report's SQL: every number the report shows comes from one of these queries on the marts.

Each function takes a `Marts` (read-only connection) and returns rows (dicts) or a polars
DataFrame. The marts publish the counts behind every rate: a period sums them and the report
divides once, so a period's rate is the rate of the period, never an average of daily rates.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from pipelines import value_sets
from pipelines.report.source import Marts

CHANNELS = value_sets.channels()  # report order
PERIOD_DAYS = 7
CHART_DAYS = 90


def channel_sort_key(channel: str | None) -> tuple[int, str]:
    channel = channel or ""
    return (CHANNELS.index(channel) if channel in CHANNELS else len(CHANNELS), channel)


# ---- the eight metrics (mart_funnel_daily) -------------------------------------------------

PERIOD_SUMS = """
    coalesce(sum(visits), 0) AS visits,
    coalesce(sum(pageviews), 0) AS pageviews,
    coalesce(sum(session_seconds), 0) AS session_seconds,
    coalesce(sum(bounces), 0) AS bounces,
    coalesce(sum(new_contacts), 0) AS new_contacts,
    coalesce(sum(complete_contacts), 0) AS complete_contacts,
    coalesce(sum(opportunities), 0) AS opportunities,
    coalesce(sum(pipeline_amount), 0) AS pipeline_amount,
    coalesce(sum(customers), 0) AS customers,
    coalesce(sum(revenue_won), 0) AS revenue_won,
    coalesce(sum(site_interactions), 0) AS site_interactions,
    coalesce(sum(sales_interactions), 0) AS sales_interactions,
    coalesce(sum(emails_sent), 0) AS emails_sent,
    coalesce(sum(emails_opened), 0) AS emails_opened,
    coalesce(sum(emails_clicked), 0) AS emails_clicked,
    coalesce(sum(emails_replied), 0) AS emails_replied,
    coalesce(sum(document_views), 0) AS document_views,
    coalesce(sum(calls), 0) AS calls,
    coalesce(sum(meetings), 0) AS meetings
"""


def as_of_date(m: Marts) -> date | None:
    """The last day with data: the periods end here (not today: exports may lag)."""
    return m.scalar("SELECT max(metric_date) FROM marts.mart_funnel_daily")


def first_date(m: Marts) -> date | None:
    return m.scalar("SELECT min(metric_date) FROM marts.mart_funnel_daily")


def periods(as_of: date) -> dict[str, tuple[date, date]]:
    """The last 7 days up to `as_of`, and the 7 days before."""
    last_start = as_of - timedelta(days=PERIOD_DAYS - 1)
    previous_end = last_start - timedelta(days=1)
    return {"last": (last_start, as_of),
            "previous": (previous_end - timedelta(days=PERIOD_DAYS - 1), previous_end)}


def period_totals(m: Marts, as_of: date) -> dict[tuple[str, str], dict]:
    """{(period, channel): sums}, channel '(all)' for the total of all channels; `period` is
    'last' or 'previous'."""
    p = periods(as_of)
    rows = m.rows(f"""
        WITH d AS (
            SELECT *, CASE WHEN metric_date >= ? THEN 'last' ELSE 'previous' END AS period
            FROM marts.mart_funnel_daily WHERE metric_date BETWEEN ? AND ?)
        SELECT period, coalesce(channel, '(all)') AS channel, {PERIOD_SUMS}
        FROM d GROUP BY GROUPING SETS ((period, channel), (period))
    """, [p["last"][0], p["previous"][0], as_of])
    result = {(r["period"], r["channel"]): r for r in rows}
    if m.has("fct_sessions"):
        for r in m.rows("""
            WITH s AS (
                SELECT visitor_id, channel,
                       CASE WHEN session_date >= ? THEN 'last' ELSE 'previous' END AS period
                FROM marts.fct_sessions WHERE session_date BETWEEN ? AND ?)
            SELECT period, coalesce(channel, '(all)') AS channel,
                   count(DISTINCT visitor_id) AS distinct_visitors
            FROM s GROUP BY GROUPING SETS ((period, channel), (period))
        """, [p["last"][0], p["previous"][0], as_of]):
            if (r["period"], r["channel"]) in result:
                result[(r["period"], r["channel"])]["distinct_visitors"] = r["distinct_visitors"]
    return result


def daily_by_channel(m: Marts, as_of: date, days: int = CHART_DAYS) -> pl.DataFrame:
    """The daily rows of the charted window."""
    return m.frame("""
        SELECT * FROM marts.mart_funnel_daily
        WHERE metric_date > ? ORDER BY metric_date, channel
    """, [as_of - timedelta(days=days)])


def daily_totals(m: Marts, as_of: date, days: int = CHART_DAYS) -> pl.DataFrame:
    """All channels together, per day, with the day's rates recomputed from counts."""
    return m.frame(f"""
        SELECT metric_date, {PERIOD_SUMS}
        FROM marts.mart_funnel_daily WHERE metric_date > ?
        GROUP BY metric_date ORDER BY metric_date
    """, [as_of - timedelta(days=days)])


# ---- lifecycle funnel (mart_funnel_conversion) ---------------------------------------------

FUNNEL_SUMS = """
    sum(contacts) AS contacts, sum(leads) AS leads, sum(mqls) AS mqls, sum(sqls) AS sqls,
    sum(opportunities) AS opportunities, sum(customers) AS customers
"""


def funnel_totals(m: Marts) -> dict:
    return m.rows(f"SELECT {FUNNEL_SUMS} FROM marts.mart_funnel_conversion")[0]


def funnel_by_channel(m: Marts) -> list[dict]:
    rows = m.rows(f"SELECT channel, {FUNNEL_SUMS} FROM marts.mart_funnel_conversion GROUP BY channel")
    return sorted(rows, key=lambda r: channel_sort_key(r["channel"]))


def funnel_by_cohort(m: Marts) -> list[dict]:
    return m.rows(f"""SELECT cohort_month, {FUNNEL_SUMS} FROM marts.mart_funnel_conversion
                      GROUP BY cohort_month ORDER BY cohort_month DESC""")


def funnel_median_days(m: Marts) -> list[dict]:
    rows = m.rows("""SELECT cohort_month, channel, contacts, median_days_lead_to_mql,
                            median_days_mql_to_sql, median_days_sql_to_opportunity,
                            median_days_opportunity_to_customer, median_days_created_to_customer
                     FROM marts.mart_funnel_conversion""")
    return sorted(rows, key=lambda r: (-r["cohort_month"].toordinal() if r["cohort_month"] else 0,
                                       channel_sort_key(r["channel"])))


# ---- contact completeness (mart_contact_quality_summary, mart_contact_quality) ---------------

FIELDS = ["email", "first_name", "last_name", "company", "job_title", "country", "phone"]
QUALITY_SUMS = """
    sum(contacts) AS contacts, sum(complete_contacts) AS complete_contacts,
    sum(contacts) - sum(complete_contacts) AS incomplete_contacts,
    sum(complete_contacts) / nullif(sum(contacts), 0) AS completeness_rate,
    sum(missing_email) AS missing_email, sum(invalid_email) AS invalid_email,
    sum(missing_first_name) AS missing_first_name, sum(missing_last_name) AS missing_last_name,
    sum(missing_company) AS missing_company, sum(missing_job_title) AS missing_job_title,
    sum(missing_country) AS missing_country, sum(missing_phone) AS missing_phone,
    sum(suspected_duplicates) AS suspected_duplicates
"""


def quality_totals(m: Marts) -> dict:
    return m.rows(f"SELECT {QUALITY_SUMS} FROM marts.mart_contact_quality_summary")[0]


def quality_by_channel(m: Marts) -> list[dict]:
    rows = m.rows(f"""SELECT original_channel AS channel, {QUALITY_SUMS}
                      FROM marts.mart_contact_quality_summary GROUP BY original_channel""")
    return sorted(rows, key=lambda r: channel_sort_key(r["channel"]))


def quality_by_owner(m: Marts) -> list[dict]:
    return m.rows(f"""SELECT coalesce(owner_id, '(unowned)') AS owner_id, {QUALITY_SUMS}
                      FROM marts.mart_contact_quality_summary GROUP BY 1
                      ORDER BY incomplete_contacts DESC, owner_id""")


def records_to_fix(m: Marts, limit: int = 100) -> tuple[list[dict], int]:
    """Incomplete or suspected-duplicate contacts, grouped by owner (the person to fix them)."""
    where = "NOT is_complete OR is_suspected_duplicate"
    total = m.scalar(f"SELECT count(*) FROM marts.mart_contact_quality WHERE {where}")
    order_date = "created_date DESC, " if "created_date" in m.columns("mart_contact_quality") else ""
    date_column = "created_date, " if order_date else ""
    rows = m.rows(f"""SELECT contact_id, coalesce(owner_id, '(unowned)') AS owner,
                             original_channel, {date_column} missing_fields, is_suspected_duplicate
                      FROM marts.mart_contact_quality WHERE {where}
                      ORDER BY owner_id NULLS LAST, {order_date} contact_id LIMIT ?""", [limit])
    return rows, total


# ---- lead follow-up (mart_lead_follow_up_summary, mart_lead_follow_up) ----------------------

FOLLOW_UP_SUMS = """
    sum(mqls) AS mqls, sum(mqls_touched) AS mqls_touched, sum(mqls_within_sla) AS mqls_within_sla,
    sum(mqls_ignored) AS mqls_ignored, sum(mqls_reached_sql) AS mqls_reached_sql,
    sum(mqls_within_sla) / nullif(sum(mqls), 0) AS within_sla_share,
    sum(mqls_ignored) / nullif(sum(mqls), 0) AS ignored_share,
    sum(mqls_reached_sql) / nullif(sum(mqls), 0) AS mql_to_sql_rate
"""


def follow_up_totals(m: Marts) -> dict:
    return m.rows(f"SELECT {FOLLOW_UP_SUMS} FROM marts.mart_lead_follow_up_summary")[0]


def follow_up_by(m: Marts, dimension: str) -> list[dict]:
    assert dimension in ("owner_id", "channel", "mql_month")
    rows = m.rows(f"""SELECT {dimension} AS key, {FOLLOW_UP_SUMS}
                      FROM marts.mart_lead_follow_up_summary GROUP BY {dimension}""")
    if dimension == "channel":
        return sorted(rows, key=lambda r: channel_sort_key(r["key"]))
    if dimension == "mql_month":
        return sorted(rows, key=lambda r: r["key"], reverse=True)
    return sorted(rows, key=lambda r: (-(r["ignored_share"] or 0), str(r["key"])))


def follow_up_median_hours(m: Marts) -> float | None:
    return m.scalar("SELECT median(hours_to_first_touch) FROM marts.mart_lead_follow_up")


def follow_up_sla_hours(m: Marts) -> float | None:
    return m.scalar("SELECT max(sla_hours) FROM marts.mart_lead_follow_up")


def ignored_mqls(m: Marts, limit: int = 100) -> tuple[list[dict], int]:
    total = m.scalar("SELECT count(*) FROM marts.mart_lead_follow_up WHERE is_ignored")
    rows = m.rows("""SELECT contact_id, coalesce(owner_id, 'unassigned') AS owner,
                            original_channel, mql_at, first_touch_at, hours_to_first_touch
                     FROM marts.mart_lead_follow_up WHERE is_ignored
                     ORDER BY owner_id NULLS LAST, mql_at, contact_id LIMIT ?""", [limit])
    return rows, total


# ---- attribution (mart_attribution_by_channel, mart_unattributed_opportunities) --------------

def attribution_models(m: Marts) -> list[str]:
    """The models, in the mart's column order, from its `<model>_pipeline` columns."""
    return [c[: -len("_pipeline")] for c in m.columns("mart_attribution_by_channel")
            if c.endswith("_pipeline")]


def attribution_by_channel(m: Marts, models: list[str]) -> list[dict]:
    measures = ("opportunities", "pipeline", "won_opportunities", "revenue")
    sums = ", ".join(f"sum({model}_{measure}) AS {model}_{measure}"
                     for model in models for measure in measures)
    rows = m.rows(f"SELECT channel, {sums} FROM marts.mart_attribution_by_channel GROUP BY channel")
    return sorted(rows, key=lambda r: channel_sort_key(r["channel"]))


def attribution_months(m: Marts) -> tuple[date | None, date | None]:
    row = m.rows("SELECT min(month) AS first, max(month) AS last FROM marts.mart_attribution_by_channel")[0]
    return row["first"], row["last"]


def unattributed_reasons(m: Marts) -> list[dict]:
    return m.rows("""SELECT reason, count(*) AS opportunities, sum(coalesce(amount, 0)) AS amount,
                            count(*) FILTER (WHERE is_won) AS won
                     FROM marts.mart_unattributed_opportunities GROUP BY reason ORDER BY 2 DESC""")


# ---- targets vs actuals (mart_targets_vs_actuals) --------------------------------------------

def targets_latest_month(m: Marts) -> date | None:
    return m.scalar("""SELECT max(month) FROM marts.mart_targets_vs_actuals
                       WHERE channel = '(all)' AND actual_value IS NOT NULL""")


def targets_for(m: Marts, month: date) -> list[dict]:
    return m.rows("""SELECT metric, owning_team, owner_role, unit, direction, actual_value,
                            target_value, gap, attainment, is_on_target
                     FROM marts.mart_targets_vs_actuals
                     WHERE channel = '(all)' AND month = ?
                     ORDER BY owning_team, metric""", [month])


def targets_history(m: Marts) -> list[dict]:
    return m.rows("""SELECT month, metric, owning_team, owner_role, unit, actual_value, target_value,
                            attainment, is_on_target
                     FROM marts.mart_targets_vs_actuals
                     WHERE channel = '(all)' AND (actual_value IS NOT NULL OR target_value IS NOT NULL)
                     ORDER BY month DESC, owning_team, metric""")
