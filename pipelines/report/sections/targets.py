"""Targets against actuals, with each metric's owner (`mart_targets_vs_actuals`)."""

from __future__ import annotations

from pipelines.report import charts, queries
from pipelines.report import html as h
from pipelines.report.sections import Context
from pipelines.report.source import Marts

ANCHOR, TITLE = "targets", "Targets against actuals"
TABLE = "mart_targets_vs_actuals"


def fmt_value(value, unit: str | None) -> str:
    if unit == "share":
        return h.fmt_pct(value)
    if unit == "amount":
        return h.fmt_amount(value)
    return h.fmt_num(value, 0) if value is not None and float(value).is_integer() else h.fmt_num(value, 2)


def _on_target(value) -> str:
    if value is None:
        return h.DASH
    return ('<span class="badge passed">on target</span>' if value
            else '<span class="badge failed">behind</span>')


def _columns(with_month: bool) -> list[h.Column]:
    cols = [h.Column("month", "month", h.fmt_month, numeric=False)] if with_month else []
    return cols + [
        h.text("metric", "metric"), h.text("owning team", "owning_team"),
        h.text("owner", "owner_role"),
        h.Column("actual", lambda r: fmt_value(r["actual_value"], r["unit"]), str),
        h.Column("target", lambda r: fmt_value(r["target_value"], r["unit"]), str),
        h.Column("attainment", "attainment", h.fmt_pct),
        h.Column("status", lambda r: _on_target(r["is_on_target"]), raw=True, numeric=False)]


def build(m: Marts, ctx: Context) -> str:
    if not m.has(TABLE):
        return h.section(ANCHOR, TITLE, h.not_built(TABLE))
    month = queries.targets_latest_month(m)
    if month is None:
        return h.section(ANCHOR, TITLE, '<p class="empty">No actual recorded against a target yet.</p>')
    rows = queries.targets_for(m, month)
    charted = [r for r in rows if r["attainment"] is not None]
    colors = [("#2e7d32" if r["is_on_target"] else "#c62828") for r in charted]
    chart = h.figure(
        "chart-targets",
        charts.horizontal_bars([f"{r['metric']} ({r['owning_team']})" for r in charted],
                               [r["attainment"] for r in charted], label="Attainment of targets",
                               fmt=h.fmt_pct, colors=colors, reference=1.0,
                               reference_label="target"),
        f"Actual ÷ target for {h.fmt_month(month)}, all channels. Green: on target (for "
        "lower-is-better metrics, such as the share of ignored MQLs, at or under the target). "
        "A month in progress is measured up to the last day with data.")
    met = sum(1 for r in charted if r["is_on_target"])
    history = queries.targets_history(m)
    body = (h.kpis([("targets met", f"{met} of {len(charted)}", h.fmt_month(month))])
            + chart + f"<h3>{h.fmt_month(month)}: each metric, its owner, actual and target</h3>"
            + h.table(rows, _columns(False))
            + "<details><summary>Every month with a target or an actual</summary>"
            + h.table(history, _columns(True)) + "</details>")
    intro = ("The agreement gives every metric an owning team and a role that answers for it; "
             "targets per month live in a seed. Channel: all channels together.")
    return h.section(ANCHOR, TITLE, body, intro)
