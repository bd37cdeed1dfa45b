"""Pipeline: the monthly waterfall, the open pipeline over time by stage, coverage against
quota and velocity by channel (`mart_pipeline_waterfall`, `mart_pipeline_daily`,
`mart_pipeline_coverage`, `mart_sales_velocity`)."""

from __future__ import annotations

from datetime import timedelta

from pipelines.report import charts
from pipelines.report import html as h
from pipelines.report import pipeline_queries as q
from pipelines.report.sections import Context
from pipelines.report.source import Marts
from pipelines.report.waterfall_chart import waterfall

ANCHOR, TITLE = "pipeline", "Pipeline"
CHART_DAYS = 90
STAGE_COLORS = {"prospecting": "#a0cbe8", "discovery": "#4e79a7", "proposal": "#f28e2b",
                "negotiation": "#59a14f"}
STEPS = [("created", "created_amount", 1), ("increased", "increased_amount", 1),
         ("decreased", "decreased_amount", -1), ("won", "won_amount", -1),
         ("lost", "lost_amount", -1)]
DUE = [("due at start", "due_at_start_amount"), ("moved in", "moved_in_amount"),
       ("pulled in", "pulled_in_amount"), ("pushed out", "pushed_out_amount"),
       ("closed won", "due_won_amount"), ("closed lost", "due_lost_amount"),
       ("due at end", "due_at_end_amount")]


def waterfall_figure(row: dict, chart_id: str, caption: str) -> str:
    steps = [(name, sign * (row[key] or 0)) for name, key, sign in STEPS]
    svg = waterfall(("start", row["start_amount"] or 0), steps, ("end", row["end_amount"] or 0),
                    label=f"Pipeline waterfall {h.fmt_month(row['month'])}", fmt=h.fmt_amount)
    return h.figure(chart_id, svg, caption)


def waterfall_columns(first: h.Column) -> list[h.Column]:
    return [first, h.Column("start", "start_amount", h.fmt_amount),
            h.Column("created", "created_amount", h.fmt_amount),
            h.Column("of which reopened", "reopened_amount", h.fmt_amount),
            h.Column("increased", "increased_amount", h.fmt_amount),
            h.Column("decreased", "decreased_amount", h.fmt_amount),
            h.Column("won", "won_amount", h.fmt_amount),
            h.Column("lost", "lost_amount", h.fmt_amount),
            h.Column("end", "end_amount", h.fmt_amount)]


def due_columns(first: h.Column) -> list[h.Column]:
    return [first] + [h.Column(label, key, h.fmt_amount) for label, key in DUE]


def _waterfall(m: Marts) -> str:
    months = q.waterfall_months(m)
    if not months:
        return '<p class="empty">No opportunity yet.</p>'
    latest = months[-1]
    month = h.fmt_month(latest["month"])
    chart = waterfall_figure(
        latest, "chart-pipeline-waterfall",
        f"Open pipeline amount of {month}: at the month's start, what entered (new and reopened "
        "deals), rose, fell, was won and lost, and at its end (the latest day for a month in "
        "progress). Start + created + increased − decreased − won − lost = end, exactly.")
    month_column = h.Column("month", "month", h.fmt_month, numeric=False)
    return (f"<h3>Waterfall, {month}</h3>" + chart
            + h.table(list(reversed(months)), waterfall_columns(month_column),
                      caption="Every month, all owners")
            + f"<h3>Pipeline due in the month ({month} first)</h3>"
            + '<p class="note">Deals with the expected close in the month: due at its start, '
              "moved in (new, reopened, dated into it), pulled in (from a later month), pushed "
              "out (still open at its end, expected after it), closed won and lost.</p>"
            + h.table(list(reversed(months)), due_columns(month_column))
            + f"<details><summary>{month} by owner</summary>"
            + h.table(q.waterfall_by_owner(m, latest["month"]),
                      waterfall_columns(h.text("owner", "owner_id"))
                      + [h.Column("pushed out", "pushed_out_amount", h.fmt_amount)])
            + "</details>")


def _over_time(m: Marts) -> str:
    last = q.latest_day(m)
    if last is None:
        return '<p class="empty">No open pipeline yet.</p>'
    rows = q.daily_by_stage(m, last - timedelta(days=CHART_DAYS - 1), last)
    days = sorted({r["metric_date"] for r in rows})
    stages = [s for s in STAGE_COLORS if any(r["stage"] == s for r in rows)]
    stages += sorted({r["stage"] for r in rows} - set(stages))
    amount = {(r["metric_date"], r["stage"]): r["open_amount"] for r in rows}
    series = [charts.Series(s, [amount.get((d, s)) for d in days],
                            STAGE_COLORS.get(s, charts.EXTRA_COLORS[i % 10]))
              for i, s in enumerate(stages)]
    chart = h.figure(
        "chart-pipeline-by-stage",
        charts.stacked_columns([d.isoformat() for d in days], series,
                               label="Open pipeline by stage", fmt=h.fmt_amount),
        f"Open pipeline amount as of the end of each day, by stage (last {CHART_DAYS} days).",
        [(s.name, s.color) for s in series])
    today = q.open_pipeline_on(m, last)
    kpis = h.kpis([
        ("open pipeline", h.fmt_amount(today["open_amount"]),
         f"{h.fmt_int(today['open_opportunities'])} deals, end of {last.isoformat()}"),
        ("weighted", h.fmt_amount(today["weighted_amount"]), "Σ amount × probability"),
        ("due this month", h.fmt_amount(today["due_this_month_amount"]),
         "expected close in the month")])
    return "<h3>Open pipeline over time</h3>" + kpis + chart


def coverage_columns(first: list[h.Column]) -> list[h.Column]:
    return first + [
        h.Column("quota", "quota", h.fmt_amount),
        h.Column("closed won", "closed_won_amount", h.fmt_amount),
        h.Column("gap to quota", "gap_to_quota", h.fmt_amount),
        h.Column("due pipeline", "due_amount", h.fmt_amount),
        h.Column("coverage", "coverage", lambda v: h.DASH if v is None else f"{v:.2f}×"),
        h.Column("weighted", "due_weighted_amount", h.fmt_amount),
        h.Column("coverage a month earlier", "previous_coverage",
                 lambda v: h.DASH if v is None else f"{v:.2f}×"),
        h.Column("closed won a month earlier", "previous_closed_won_amount", h.fmt_amount)]


def _coverage(m: Marts, ctx: Context) -> str:
    month = q.coverage_month(m)
    if month is None:
        return '<p class="empty">No quota and no pipeline yet.</p>'
    total = q.coverage_total(m, month)
    by_owner = q.coverage_by_owner(m, month)
    charted = [r for r in by_owner if r["coverage"] is not None]
    chart = h.figure(
        "chart-pipeline-coverage",
        charts.horizontal_bars([str(r["owner_id"]) for r in charted],
                               [r["coverage"] for r in charted], label="Coverage by owner",
                               fmt=lambda v: f"{v:.2f}×", reference=1.0,
                               reference_label="covers the gap"),
        f"Open pipeline due in {h.fmt_month(month)} ÷ gap to quota, by owner (segments added "
        "up; owners at or over quota have no gap and no bar).")
    kpis = h.kpis([
        ("quota", h.fmt_amount(total["quota"]), h.fmt_month(month)),
        ("closed won", h.fmt_amount(total["closed_won_amount"]),
         f"as of {h.fmt_date(total['measured_on'])}"),
        ("gap to quota", h.fmt_amount(total["gap_to_quota"]), "quota − closed won"),
        ("coverage", h.DASH if total["coverage"] is None else f"{total['coverage']:.2f}×",
         f"due pipeline {h.fmt_amount(total['due_amount'])} ÷ gap"),
        ("a month earlier", h.DASH if total["previous_coverage"] is None
         else f"{total['previous_coverage']:.2f}×",
         f"as of {h.fmt_date(total['previous_measured_on'])}")])
    return (f"<h3>Coverage against quota, {h.fmt_month(month)}</h3>" + kpis + chart
            + h.table(by_owner, coverage_columns([h.text("owner", "owner_id")]))
            + "<details><summary>By owner and segment (the mart's rows)</summary>"
            + h.table(q.coverage_rows(m, month),
                      coverage_columns([h.text("owner", "owner_id"), h.text("segment", "segment")]))
            + "</details>")


def _velocity(m: Marts) -> str:
    month = q.velocity_month(m)
    if month is None:
        return '<p class="empty">No closed deal yet.</p>'
    rows = q.velocity_by_channel(m, month)
    charted = [r for r in rows if r["pipeline_velocity"] is not None]
    chart = h.figure(
        "chart-velocity-by-channel",
        charts.horizontal_bars([str(r["channel"]) for r in charted],
                               [r["pipeline_velocity"] for r in charted],
                               label="Pipeline velocity by channel", fmt=h.fmt_amount,
                               colors=[charts.color_for(str(r["channel"]), i)
                                       for i, r in enumerate(charted)]),
        f"Pipeline velocity in {h.fmt_month(month)} by original channel: open deals × win rate × "
        "average won amount ÷ average cycle days (amount per day), each factor from the channel's "
        "owners and segments added up.")
    return (f"<h3>Velocity by channel, {h.fmt_month(month)}</h3>" + chart
            + h.table(rows, [h.text("channel", "channel"),
                             h.Column("won", "won_opportunities", h.fmt_int),
                             h.Column("lost", "lost_opportunities", h.fmt_int),
                             h.Column("win rate", "win_rate", h.fmt_pct),
                             h.Column("won amount", "won_amount", h.fmt_amount),
                             h.Column("avg won amount", "avg_won_amount", h.fmt_amount),
                             h.Column("avg cycle days", "avg_cycle_days",
                                      lambda v: h.fmt_num(v, 1)),
                             h.Column("open at month end", "open_opportunities", h.fmt_int),
                             h.Column("velocity / day", "pipeline_velocity", h.fmt_amount)]))


def build(m: Marts, ctx: Context) -> str:
    parts = [
        _waterfall(m) if m.has(q.WATERFALL) else h.not_built(q.WATERFALL),
        _over_time(m) if m.has(q.DAILY) else h.not_built(q.DAILY),
        _coverage(m, ctx) if m.has(q.COVERAGE) else h.not_built(q.COVERAGE),
        _velocity(m) if m.has(q.VELOCITY) else h.not_built(q.VELOCITY),
    ]
    intro = ("The sales pipeline as of any day, from every CRM version of every deal (glossary: "
             "Pipeline). Amounts are in the deals' own currencies, added up as they are. "
             "Owner, segment and pipeline are the deal's at the time measured.")
    return h.section(ANCHOR, TITLE, "".join(parts), intro)
