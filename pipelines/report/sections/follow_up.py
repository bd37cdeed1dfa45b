"""Lead follow-up: the SLA, the ignored MQLs and MQL acceptance
(`mart_lead_follow_up_summary`, `mart_lead_follow_up`)."""

from __future__ import annotations

from pipelines.report import charts, queries
from pipelines.report import html as h
from pipelines.report.sections import Context
from pipelines.report.source import Marts

ANCHOR, TITLE = "follow-up", "Lead follow-up"
SUMMARY, DETAIL = "mart_lead_follow_up_summary", "mart_lead_follow_up"
SHOWN = 100
COLORS = {"within": "#2e7d32", "other": "#f9a825", "ignored": "#c62828"}


def _columns(first: h.Column) -> list[h.Column]:
    return [first, h.Column("MQLs", "mqls", h.fmt_int),
            h.Column("touched", "mqls_touched", h.fmt_int),
            h.Column("within SLA", "mqls_within_sla", h.fmt_int),
            h.Column("within SLA %", "within_sla_share", h.fmt_pct),
            h.Column("ignored", "mqls_ignored", h.fmt_int),
            h.Column("ignored %", "ignored_share", h.fmt_pct),
            h.Column("reached SQL", "mqls_reached_sql", h.fmt_int),
            h.Column("MQL → SQL", "mql_to_sql_rate", h.fmt_pct)]


def _summary(m: Marts, median_hours, sla_hours) -> str:
    totals = queries.follow_up_totals(m)
    if not totals.get("mqls"):
        return '<p class="empty">No MQL yet.</p>'
    by_owner = queries.follow_up_by(m, "owner_id")
    by_channel = queries.follow_up_by(m, "channel")
    by_month = queries.follow_up_by(m, "mql_month")
    sla = f"{sla_hours:g} h" if sla_hours is not None else "the SLA"
    kpis = h.kpis([
        ("MQLs", h.fmt_int(totals["mqls"]), "contacts with an MQL date"),
        ("followed up within SLA", h.fmt_pct(totals["within_sla_share"]),
         f"{h.fmt_int(totals['mqls_within_sla'])} MQLs within {sla}"),
        ("ignored MQLs", h.fmt_pct(totals["ignored_share"]),
         f"{h.fmt_int(totals['mqls_ignored'])} with no outbound touch in time"),
        ("MQL → SQL (acceptance)", h.fmt_pct(totals["mql_to_sql_rate"]),
         f"{h.fmt_int(totals['mqls_reached_sql'])} reached SQL"),
        ("median hours to first touch",
         h.fmt_num(median_hours, 1) if median_hours is not None else h.DASH,
         "over the MQLs that got a touch")])
    labels = [str(r["key"]) for r in by_owner]
    series = [
        charts.Series("within SLA", [r["mqls_within_sla"] or 0 for r in by_owner], COLORS["within"]),
        charts.Series("later or not yet", [(r["mqls"] or 0) - (r["mqls_within_sla"] or 0)
                                           - (r["mqls_ignored"] or 0) for r in by_owner], COLORS["other"]),
        charts.Series("ignored", [r["mqls_ignored"] or 0 for r in by_owner], COLORS["ignored"])]
    chart = h.figure("chart-follow-up-by-owner",
                     charts.stacked_bars(labels, series, label="Follow-up of MQLs by owner", fmt=h.fmt_int),
                     f"MQLs by owner: followed up within {sla}, later (or still within the window), "
                     "ignored. Owners with the most ignored MQLs first; the number is the MQLs.",
                     [(s.name, s.color) for s in series])
    channel_chart = h.figure(
        "chart-ignored-by-channel",
        charts.horizontal_bars([str(r["key"]) for r in by_channel], [r["ignored_share"] for r in by_channel],
                               label="Ignored MQLs by channel", fmt=h.fmt_pct, max_value=1.0,
                               colors=[charts.color_for(str(r["key"]), i) for i, r in enumerate(by_channel)]),
        "Share of MQLs ignored, by original channel.")
    return (kpis + f'<div class="grid">{chart}{channel_chart}</div>'
            + "<h3>By owner</h3>" + h.table(by_owner, _columns(h.text("owner", "key")))
            + "<h3>By original channel</h3>" + h.table(by_channel, _columns(h.text("channel", "key")))
            + "<h3>By month of becoming MQL</h3>"
            + h.table(by_month, _columns(h.Column("month", "key", h.fmt_month, numeric=False))))


def _ignored(m: Marts) -> str:
    rows, total = queries.ignored_mqls(m, SHOWN)
    return (f"<h3>Ignored MQLs ({h.fmt_int(total)})</h3>"
            "<p class=\"note\">MQLs with no outbound sales touch (email sent, call, meeting) within "
            "the window, by owner: the leads to call first.</p>"
            + h.table(rows, [h.text("contact", "contact_id"), h.text("owner", "owner"),
                             h.text("channel", "original_channel"),
                             h.Column("MQL at", "mql_at", h.fmt_date, numeric=False),
                             h.Column("first touch at", "first_touch_at", h.fmt_date, numeric=False),
                             h.Column("hours to first touch", "hours_to_first_touch",
                                      lambda v: h.fmt_num(v, 1))],
                      limit=SHOWN, total_rows=total, scroll=True, empty="No ignored MQL."))


def build(m: Marts, ctx: Context) -> str:
    median_hours = queries.follow_up_median_hours(m) if m.has(DETAIL) else None
    sla_hours = queries.follow_up_sla_hours(m) if m.has(DETAIL) else None
    parts = [_summary(m, median_hours, sla_hours) if m.has(SUMMARY) else h.not_built(SUMMARY),
             _ignored(m) if m.has(DETAIL) else h.not_built(DETAIL)]
    intro = ("For each MQL, the hours to the first outbound sales touch (<code>email_sent</code>, "
             "<code>call</code>, <code>meeting</code>); within the SLA (default 24 h) or "
             "<strong>ignored</strong> (no touch within 30 days). MQL acceptance: the share of "
             "MQLs that reach SQL.")
    return h.section(ANCHOR, TITLE, "".join(parts), intro)
