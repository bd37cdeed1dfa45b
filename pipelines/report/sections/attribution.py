"""The attribution models side by side (`mart_attribution_by_channel`,
`mart_unattributed_opportunities`)."""

from __future__ import annotations

from pipelines.report import charts, queries
from pipelines.report import html as h
from pipelines.report.sections import Context
from pipelines.report.source import Marts

ANCHOR, TITLE = "attribution", "Attribution models side by side"
TABLE, UNATTRIBUTED = "mart_attribution_by_channel", "mart_unattributed_opportunities"
UNATTRIBUTED_ROW = "(unattributed)"


def _share_matrix(rows: list[dict], models: list[str], measure: str) -> list[list[float | None]]:
    totals = {model: sum(r.get(f"{model}_{measure}") or 0 for r in rows) for model in models}
    return [[h.ratio(r.get(f"{model}_{measure}") or 0, totals[model]) for model in models] for r in rows]


def _credit_table(rows: list[dict], models: list[str], measure: str, fmt, caption: str) -> str:
    columns = [h.text("channel", "channel")] + [
        h.Column(model, f"{model}_{measure}", fmt) for model in models]
    return h.table(rows, columns, caption=caption)


def _models(m: Marts) -> str:
    models = queries.attribution_models(m)
    rows = queries.attribution_by_channel(m, models)
    if not models or not rows:
        return '<p class="empty">No attributed opportunity yet.</p>'
    first, last = queries.attribution_months(m)
    period = (f"{h.fmt_month(first)} to {h.fmt_month(last)}" if first != last else h.fmt_month(first))
    heat = h.figure(
        "chart-attribution",
        charts.heatmap([r["channel"] for r in rows], models, _share_matrix(rows, models, "pipeline"),
                       label="Share of pipeline credited to each channel, by model"),
        f"Share of the pipeline created ({period}) that each model credits to each channel; each "
        "column adds up to 100% (the (unattributed) row: opportunities with no web touch in the "
        "lookback window). Where the models disagree, the channel's value depends on the model.")
    revenue_heat = h.figure(
        "chart-attribution-revenue",
        charts.heatmap([r["channel"] for r in rows], models, _share_matrix(rows, models, "revenue"),
                       label="Share of revenue won credited to each channel, by model"),
        f"Share of the revenue won ({period}) each model credits to each channel.")
    return (heat + revenue_heat
            + "<h3>Opportunities credited</h3>"
            + _credit_table(rows, models, "opportunities", lambda v: h.fmt_num(v, 1),
                            "Sum of credits: an opportunity split between touches counts in parts.")
            + "<h3>Pipeline credited</h3>"
            + _credit_table(rows, models, "pipeline", h.fmt_amount, "")
            + "<h3>Revenue credited</h3>"
            + _credit_table(rows, models, "revenue", h.fmt_amount, ""))


def _unattributed(m: Marts) -> str:
    rows = queries.unattributed_reasons(m)
    return ("<h3>Unattributed opportunities</h3>"
            + h.table(rows, [h.text("reason", "reason"), h.Column("opportunities", "opportunities", h.fmt_int),
                             h.Column("won", "won", h.fmt_int), h.Column("amount", "amount", h.fmt_amount)],
                      empty="Every opportunity has a touch in the window."))


def build(m: Marts, ctx: Context) -> str:
    parts = [_models(m) if m.has(TABLE) else h.not_built(TABLE),
             _unattributed(m) if m.has(UNATTRIBUTED) else h.not_built(UNATTRIBUTED)]
    intro = ("Credit for opportunities and revenue given to the sessions (touches) of the contact "
             "before the opportunity's creation, within the lookback window (90 days by default), "
             "by each model: first touch, last touch, linear, position based, U, W, full path, J, "
             "inverse J, time decay. Every model sums to exactly one per opportunity.")
    return h.section(ANCHOR, TITLE, "".join(parts), intro)
