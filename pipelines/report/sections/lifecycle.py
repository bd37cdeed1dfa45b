"""The lifecycle funnel with conversion rates, by cohort and channel (`mart_funnel_conversion`)."""

from __future__ import annotations

from pipelines.report import charts, queries
from pipelines.report import html as h
from pipelines.report.sections import Context
from pipelines.report.source import Marts

ANCHOR, TITLE = "lifecycle", "Lifecycle funnel"
TABLE = "mart_funnel_conversion"
STAGES = [("contacts", "contacts"), ("leads", "leads"), ("mqls", "MQLs"), ("sqls", "SQLs"),
          ("opportunities", "opportunities"), ("customers", "customers")]
RATES = [("lead_to_mql_rate", "lead → MQL", "mqls", "leads"),
         ("mql_to_sql_rate", "MQL → SQL", "sqls", "mqls"),
         ("sql_to_opportunity_rate", "SQL → opportunity", "opportunities", "sqls"),
         ("opportunity_to_customer_rate", "opportunity → customer", "customers", "opportunities"),
         ("lead_to_customer_rate", "lead → customer", "customers", "leads")]
MEDIANS = [("median_days_lead_to_mql", "lead → MQL"), ("median_days_mql_to_sql", "MQL → SQL"),
           ("median_days_sql_to_opportunity", "SQL → opp."),
           ("median_days_opportunity_to_customer", "opp. → customer"),
           ("median_days_created_to_customer", "created → customer")]


def with_rates(row: dict) -> dict:
    row = dict(row)
    for key, _, numerator, denominator in RATES:
        row[key] = h.ratio(row.get(numerator), row.get(denominator))
    return row


def _columns(first: h.Column) -> list[h.Column]:
    return ([first] + [h.Column(label, key, h.fmt_int) for key, label in STAGES]
            + [h.Column(label, key, h.fmt_pct) for key, label, _, _ in RATES])


def build(m: Marts, ctx: Context) -> str:
    if not m.has(TABLE):
        return h.section(ANCHOR, TITLE, h.not_built(TABLE))
    totals = with_rates(queries.funnel_totals(m))
    if not totals.get("contacts"):
        return h.section(ANCHOR, TITLE, '<p class="empty">No contacts in the funnel yet.</p>')
    stages = [(label, totals.get(key) or 0) for key, label in STAGES]
    chart = h.figure("chart-lifecycle-funnel", charts.funnel(stages, label="Lifecycle funnel"),
                     "Contacts of every cohort, and how many reached each stage (a contact that "
                     "reached a stage counts in every earlier one); on the right, the conversion "
                     "from the stage before.")
    by_channel = [with_rates(r) for r in queries.funnel_by_channel(m)]
    rate_chart = h.figure(
        "chart-mql-to-sql-by-channel",
        charts.horizontal_bars([r["channel"] for r in by_channel],
                               [r["mql_to_sql_rate"] for r in by_channel], label="MQL to SQL by channel",
                               fmt=lambda v: h.fmt_pct(v),
                               colors=[charts.color_for(r["channel"], i) for i, r in enumerate(by_channel)]),
        "MQL → SQL rate (MQL acceptance) by original channel, all cohorts.")
    kpis = h.kpis([(label, h.fmt_pct(totals[key]), f"{h.fmt_int(totals[num])} of {h.fmt_int(totals[den])}")
                   for key, label, num, den in RATES])
    by_cohort = [with_rates(r) for r in queries.funnel_by_cohort(m)]
    medians = queries.funnel_median_days(m)
    body = (kpis + f'<div class="grid">{chart}{rate_chart}</div>'
            + "<h3>By original channel (all cohorts)</h3>"
            + h.table(by_channel, _columns(h.text("channel", "channel")))
            + "<h3>By cohort (month of the contact's creation)</h3>"
            + h.table(by_cohort, _columns(h.Column("cohort", "cohort_month", h.fmt_month, numeric=False)))
            + "<details><summary>Median days between stages, by cohort and channel</summary>"
            + h.table(medians, [h.Column("cohort", "cohort_month", h.fmt_month, numeric=False),
                                h.text("channel", "channel"), h.Column("contacts", "contacts", h.fmt_int)]
                      + [h.Column(label, key, lambda v: h.fmt_num(v, 1)) for key, label in MEDIANS],
                      caption="Medians over the contacts with both dates (skipped stages have no date).")
            + "</details>")
    intro = ("Cohorts are contacts by the month they were created; stages follow "
             "<code>subscriber &lt; lead &lt; mql &lt; sql &lt; opportunity &lt; customer</code> "
             "(glossary: lead, MQL, SQL). Rates are recomputed from the counts, so a total is "
             "the rate of the total.")
    return h.section(ANCHOR, TITLE, body, intro)
