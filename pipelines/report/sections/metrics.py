"""The eight shared metrics over time by channel, with the period-over-period change
(the last 7 days against the 7 before), from `mart_funnel_daily`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from pipelines.report import charts, queries
from pipelines.report import html as h
from pipelines.report.sections import Context
from pipelines.report.source import Marts

ANCHOR, TITLE = "metrics", "The eight shared metrics"


def derive(sums: dict | None) -> dict:
    """A period's measures from its sums; rates from counts (None where the base is 0)."""
    s = dict(sums or {})
    for key in ("visits", "pageviews", "new_contacts", "complete_contacts", "opportunities",
                "pipeline_amount", "customers", "revenue_won", "site_interactions",
                "sales_interactions", "emails_sent", "document_views", "calls", "meetings"):
        s[key] = s.get(key) or 0
    s["avg_session_seconds"] = h.ratio(s.get("session_seconds"), s["visits"])
    s["bounce_rate"] = h.ratio(s.get("bounces"), s["visits"])
    s["completeness_rate"] = h.ratio(s["complete_contacts"], s["new_contacts"])
    s["pages_per_session"] = h.ratio(s["pageviews"], s["visits"])
    s["email_open_rate"] = h.ratio(s.get("emails_opened"), s["emails_sent"])
    s["email_click_rate"] = h.ratio(s.get("emails_clicked"), s["emails_sent"])
    s["email_reply_rate"] = h.ratio(s.get("emails_replied"), s["emails_sent"])
    return s


@dataclass
class Measure:
    key: str
    label: str
    kind: str = "count"          # count | amount | rate | seconds | number
    headline: bool = False

    def fmt(self, value) -> str:
        return {"count": h.fmt_int, "amount": h.fmt_amount, "rate": h.fmt_pct,
                "seconds": lambda v: h.fmt_num(v, 0) + (" s" if v is not None else ""),
                "number": lambda v: h.fmt_num(v, 2)}[self.kind](value)

    def change(self, last, previous) -> str:
        return h.point_change(last, previous) if self.kind == "rate" else h.change(last, previous)


@dataclass
class Chart:
    chart_id: str
    column: str
    caption: str
    kind: str = "stacked"        # stacked | share | line
    lines: tuple[tuple[str, str], ...] = ()   # line charts: (column, label)
    amount: bool = False
    y_max: float | None = None


@dataclass
class Metric:
    number: int
    title: str
    owner: str
    measures: list[Measure]
    charts: list[Chart]


METRICS = [
    Metric(1, "Visits", "marketing", [
        Measure("visits", "visits (sessions)", headline=True), Measure("pageviews", "page views"),
        Measure("distinct_visitors", "distinct visitors"),
        Measure("avg_session_seconds", "average session", "seconds"),
        Measure("bounce_rate", "bounce rate", "rate")],
        [Chart("chart-visits", "visits", "Sessions started per day, by channel.")]),
    Metric(2, "Contacts", "marketing", [Measure("new_contacts", "new contacts", headline=True)],
           [Chart("chart-new-contacts", "new_contacts", "Contacts created per day, by original channel.")]),
    Metric(3, "Contact registration", "marketing", [
        Measure("complete_contacts", "complete contacts", headline=True),
        Measure("completeness_rate", "completeness rate", "rate")],
        [Chart("chart-complete-contacts", "complete_contacts",
               "Contacts created per day whose record is complete, by original channel."),
         Chart("chart-completeness-rate", "", "Completeness rate per day, all channels.", "line",
               (("completeness_rate", "completeness rate"),), y_max=1.0)]),
    Metric(4, "Contact source", "marketing", [Measure("new_contacts", "new contacts", headline=True)],
           [Chart("chart-contact-source", "new_contacts",
                  "Each channel's share of the day's new contacts (hover a bar for the count).",
                  "share")]),
    Metric(5, "Opportunities", "sales", [
        Measure("opportunities", "opportunities", headline=True),
        Measure("pipeline_amount", "pipeline amount", "amount")],
        [Chart("chart-opportunities", "opportunities", "Opportunities created per day, by channel."),
         Chart("chart-pipeline-amount", "pipeline_amount",
               "Pipeline amount created per day, by channel.", amount=True)]),
    Metric(6, "Customers", "sales", [
        Measure("customers", "new customers", headline=True),
        Measure("revenue_won", "revenue won", "amount")],
        [Chart("chart-customers", "customers", "New customers per day, by channel."),
         Chart("chart-revenue-won", "revenue_won", "Revenue won per day, by channel.", amount=True)]),
    Metric(7, "Site interactions", "marketing", [
        Measure("site_interactions", "site interactions", headline=True),
        Measure("pages_per_session", "pages per session", "number")],
        [Chart("chart-site-interactions", "site_interactions",
               "Non-page-view site events per day, by channel.")]),
    Metric(8, "Sales interactions", "sales", [
        Measure("sales_interactions", "sales interactions", headline=True),
        Measure("emails_sent", "emails sent"), Measure("email_open_rate", "open rate", "rate"),
        Measure("email_click_rate", "click rate", "rate"),
        Measure("email_reply_rate", "reply rate", "rate"),
        Measure("document_views", "document views"), Measure("calls", "calls"),
        Measure("meetings", "meetings")],
        [Chart("chart-sales-interactions", "sales_interactions",
               "Sales interactions per day, by channel."),
         Chart("chart-email-rates", "", "Email open, click and reply rates per day (rates of the "
               "day's sends), all channels.", "line",
               (("email_open_rate", "open rate"), ("email_click_rate", "click rate"),
                ("email_reply_rate", "reply rate")))]),
]

LINE_COLORS = ["#4e79a7", "#f28e2b", "#59a14f"]


def _dates(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _channel_series(daily: list[dict], days: list[date], column: str) -> list[charts.Series]:
    by_channel: dict[str, dict[date, float]] = {}
    for row in daily:
        by_channel.setdefault(row["channel"], {})[row["metric_date"]] = row.get(column)
    ordered = sorted(by_channel, key=queries.channel_sort_key)
    series = []
    for i, channel in enumerate(ordered):
        values = [by_channel[channel].get(d) or 0 for d in days]
        if any(values):
            series.append(charts.Series(channel, values, charts.color_for(channel, i)))
    return series


def _chart(chart: Chart, daily: list[dict], totals: dict[date, dict], days: list[date]) -> str:
    labels = [d.isoformat() for d in days]
    if chart.kind == "line":
        series = [charts.Series(label, [derive(totals.get(d)).get(column) if d in totals else None
                                        for d in days], LINE_COLORS[i % len(LINE_COLORS)])
                  for i, (column, label) in enumerate(chart.lines)]
        svg = charts.line_chart(labels, series, label=chart.caption, fmt=charts.percent,
                                axis_fmt=charts.percent, y_max=chart.y_max)
    else:
        series = _channel_series(daily, days, chart.column)
        fmt = h.fmt_amount if chart.amount else h.fmt_int
        svg = charts.stacked_columns(labels, series, label=chart.caption, fmt=fmt,
                                     normalise=chart.kind == "share")
    legend = [(s.name, s.color) for s in series]
    return h.figure(chart.chart_id, svg, h.esc(chart.caption), legend)


def _measures_table(metric: Metric, last: dict, previous: dict) -> str:
    rows = [{"measure": m.label, "last": m.fmt(last.get(m.key)),
             "previous": m.fmt(previous.get(m.key)),
             "change": m.change(last.get(m.key), previous.get(m.key))} for m in metric.measures]
    return h.table(rows, [h.text("measure", "measure"), h.Column("last 7 days", "last", str),
                          h.Column("previous 7 days", "previous", str),
                          h.Column("change", "change", raw=True)], css_class="data compact")


def _share_rows(totals: dict, period: str, channels: list[str]) -> dict[str, float | None]:
    all_contacts = (totals.get((period, "(all)")) or {}).get("new_contacts") or 0
    return {c: h.ratio((totals.get((period, c)) or {}).get("new_contacts") or 0, all_contacts)
            for c in channels}


def _channel_table(totals: dict, channels: list[str]) -> str:
    shares = {p: _share_rows(totals, p, channels) for p in ("last", "previous")}
    columns = [("visits", "visits", h.fmt_int, False), ("new_contacts", "contacts", h.fmt_int, False),
               ("complete_contacts", "complete", h.fmt_int, False),
               ("completeness_rate", "completeness", h.fmt_pct, True),
               ("contact_share", "contact share", h.fmt_pct, True),
               ("opportunities", "opportunities", h.fmt_int, False),
               ("pipeline_amount", "pipeline", h.fmt_amount, False),
               ("customers", "customers", h.fmt_int, False),
               ("revenue_won", "revenue won", h.fmt_amount, False),
               ("site_interactions", "site interactions", h.fmt_int, False),
               ("sales_interactions", "sales interactions", h.fmt_int, False)]
    rows = []
    for channel in channels + ["(all)"]:
        last = derive(totals.get(("last", channel)))
        previous = derive(totals.get(("previous", channel)))
        last["contact_share"] = shares["last"].get(channel, 1.0 if last["new_contacts"] else None)
        previous["contact_share"] = shares["previous"].get(
            channel, 1.0 if previous["new_contacts"] else None)
        row = {"channel": channel}
        for key, _, fmt, is_rate in columns:
            delta = (h.point_change if is_rate else h.change)(last.get(key), previous.get(key))
            row[key] = f"{fmt(last.get(key))}<br>{delta}"
        rows.append(row)
    cols = [h.text("channel", "channel")] + [h.Column(label, key, raw=True)
                                             for key, label, _, _ in columns]
    return h.table(rows, cols, caption="Each cell: the last 7 days, and the change against the 7 "
                   "days before (rates: in percentage points).")


def build(m: Marts, ctx: Context) -> str:
    if not m.has("mart_funnel_daily"):
        return h.section(ANCHOR, TITLE, h.not_built("mart_funnel_daily"))
    as_of = ctx.as_of
    if as_of is None:
        return h.section(ANCHOR, TITLE, '<p class="empty">mart_funnel_daily has no rows yet.</p>')
    p = queries.periods(as_of)
    first = queries.first_date(m)
    start = max(first, as_of - timedelta(days=queries.CHART_DAYS - 1))
    days = _dates(start, as_of)
    daily = queries.daily_by_channel(m, as_of).to_dicts()
    totals_by_day = {r["metric_date"]: r for r in queries.daily_totals(m, as_of).to_dicts()}
    totals = queries.period_totals(m, as_of)
    last, previous = derive(totals.get(("last", "(all)"))), derive(totals.get(("previous", "(all)")))
    channels = sorted({c for (_, c) in totals if c != "(all)"}, key=queries.channel_sort_key)

    intro = (f"Data through <strong>{as_of.isoformat()}</strong> (the last day in the marts). "
             f"<em>Last 7 days</em> = {p['last'][0]} to {p['last'][1]}; <em>previous 7 days</em> = "
             f"{p['previous'][0]} to {p['previous'][1]}. Charts show the last "
             f"{len(days)} days. Definitions: see the <a href=\"#glossary\">glossary</a>; "
             "channel = the session's channel for metrics 1 and 7, the contact's original "
             "channel for the others.")
    if (as_of - first).days < 2 * queries.PERIOD_DAYS - 1:
        intro += " <strong>Less than 14 days of data: the previous period is partial.</strong>"
    kpi_items = []
    for metric in METRICS:
        if metric.number == 4:  # its headline is a breakdown: see its card
            continue
        for measure in metric.measures[:1] + [x for x in metric.measures if x.key == "completeness_rate"]:
            kpi_items.append((f"{metric.number} · {measure.label}", measure.fmt(last.get(measure.key)),
                          measure.change(last.get(measure.key), previous.get(measure.key))
                          + " vs previous 7 days"))
    headline = h.kpis(kpi_items)
    cards = []
    for metric in METRICS:
        figures = "".join(_chart(c, daily, totals_by_day, days) for c in metric.charts)
        if metric.number == 4:
            shares = {p_: _share_rows(totals, p_, channels) for p_ in ("last", "previous")}
            numbers = h.table(
                [{"channel": c, "last": h.fmt_pct(shares["last"][c]),
                  "previous": h.fmt_pct(shares["previous"][c]),
                  "change": h.point_change(shares["last"][c], shares["previous"][c])}
                 for c in channels if shares["last"][c] or shares["previous"][c]],
                [h.text("channel", "channel"), h.Column("last 7 days", "last", str),
                 h.Column("previous 7 days", "previous", str), h.Column("change", "change", raw=True)],
                css_class="data compact")
        else:
            numbers = _measures_table(metric, last, previous)
        cards.append(f'<div class="metric" id="metric-{metric.number}"><h3>{metric.number} · '
                     f'{h.esc(metric.title)} <small>owner: {h.esc(metric.owner)}</small></h3>'
                     f"{figures}{numbers}</div>")
    body = (headline + f'<div class="grid">{"".join(cards)}</div>'
            + "<h3>By channel: last 7 days against the 7 before</h3>" + _channel_table(totals, channels))
    return h.section(ANCHOR, TITLE, body, intro)
