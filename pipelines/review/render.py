"""The review as Markdown (the document both teams read), as HTML (the same Markdown through
the report's renderer, one self-contained file) and as a Slack-compatible summary."""

from __future__ import annotations

from datetime import UTC, datetime

from pipelines.report import html as h
from pipelines.report.markdown import to_html
from pipelines.review.content import Review

SLACK_LIST = 5  # owners named per list in the chat summary
PIPELINE_LABEL = "pipeline coverage"


def _value(value, unit: str | None) -> str:
    if unit == "share":
        return h.fmt_pct(value)
    if value is None:
        return h.DASH
    return h.fmt_amount(value) if unit == "amount" or float(value).is_integer() \
        else h.fmt_num(value, 2)


def _change(now, before) -> str:
    if now is None or before is None:
        return h.DASH
    if before == 0:
        return "new" if now else h.DASH
    return f"{(now - before) / abs(before) * 100:+.1f}%"


def _status(on_target) -> str:
    return h.DASH if on_target is None else ("on target" if on_target else "**behind**")


def _times(value) -> str:
    return h.DASH if value is None else f"{value:.2f}×"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|")


def _table(header: list[str], rows: list[list[str]], empty: str) -> str:
    if not rows:
        return f"*{empty}*"
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def sections(r: Review) -> list[tuple[str, str, str]]:
    """(anchor, title, Markdown body) of each part of the review."""
    month = h.fmt_month(r.month)
    metrics = [[m["metric"], m["owning_team"], m["owner_role"], _value(m["week"], m["unit"]),
                _value(m["previous_week"], m["unit"]), _change(m["week"], m["previous_week"]),
                _value(m["month_actual"], m["unit"]), _value(m["target"], m["unit"]),
                h.fmt_pct(m["attainment"]), _status(m["is_on_target"])] for m in r.metrics]
    p = r.pipeline
    if p:
        won_on_target = None if not p["quota"] else p["closed_won_amount"] >= p["quota"]
        metrics.append(["closed won against quota", p["owning_team"] or h.DASH,
                        p["owner_role"] or h.DASH, h.DASH, h.DASH, h.DASH,
                        h.fmt_amount(p["closed_won_amount"]), h.fmt_amount(p["quota"]),
                        h.fmt_pct(h.ratio(p["closed_won_amount"], p["quota"])),
                        _status(won_on_target)])
        metrics.append([f"{PIPELINE_LABEL} (due pipeline ÷ gap)", p["owning_team"] or h.DASH,
                        p["owner_role"] or h.DASH, h.DASH, h.DASH, h.DASH, _times(p["coverage"]),
                        h.DASH, h.DASH, f"a month earlier {_times(p['previous_coverage'])}"])
    parts = [("metrics", "The eight metrics and the pipeline against target", (
        f"This week (Monday to Sunday, UTC) against the week before; the month ({month}) to "
        "date against its target (all channels).\n\n" + _table(
            ["metric", "owning team", "owner", "this week", "week before", "change",
             f"{month} to date", "target", "attainment", "status"], metrics,
            "No metric recorded.")))]
    if p:
        gap = (f"Gap to quota {h.fmt_amount(p['gap_to_quota'])}, open pipeline due in {month} "
               f"{h.fmt_amount(p['due_amount'])} (weighted {h.fmt_amount(p['due_weighted_amount'])}), "
               f"as of {h.fmt_date(p['measured_on'])}.")
        by_owner = [[o["owner_id"], h.fmt_amount(o["quota"]), h.fmt_amount(o["closed_won_amount"]),
                     h.fmt_amount(o["gap_to_quota"]), h.fmt_amount(o["due_amount"]),
                     _times(o["coverage"])] for o in p["by_owner"]]
        parts.append(("coverage", f"Coverage against quota, {month}", gap + "\n\n" + _table(
            ["owner", "quota", "closed won", "gap", "due pipeline", "coverage"], by_owner,
            "No quota.")))
    parts.append(("pipeline-week", "Pipeline this week", _pipeline_week(r)))
    parts.append(("moved-out", f"Moved out of {month}", _unless_missing(
        r, "mart_pipeline_waterfall", _table(
            ["owner", "pushed out (open, expected close now after the month)"],
            [[o["owner_id"], h.fmt_amount(o["pushed_out_amount"])] for o in r.pushed_out],
            "Nothing pushed out of the month."))))
    parts.append(("follow-up", "MQLs outside the SLA or ignored, by owner", _unless_missing(
        r, "mart_lead_follow_up",
        "MQLs of the week not followed up within the SLA (ignored: no touch within the "
        "window).\n\n" + _table(
            ["owner", "MQLs", "within SLA", "outside SLA", "ignored"],
            [[f["owner"], h.fmt_int(f["mqls"]), h.fmt_int(f["within_sla"]),
              h.fmt_int(f["outside_sla"]), h.fmt_int(f["ignored"])] for f in r.follow_up],
            "Every MQL of the week was followed up within the SLA."))))
    parts.append(("records-to-fix", "Records to fix, by owner", _unless_missing(
        r, "mart_contact_quality", _table(
            ["owner", "records to fix", "of them created this week", "suspected duplicates"],
            [[f["owner"], h.fmt_int(f["records_to_fix"]), h.fmt_int(f["created_this_week"]),
              h.fmt_int(f["suspected_duplicates"])] for f in r.records_to_fix],
            "No record to fix."))))
    parts.append(("data-quality", "Data quality", _quality(r)))
    return parts



def _unless_missing(r: Review, table: str, text: str) -> str:
    return f"Not built: `{table}`." if table in r.missing else text


def _pipeline_week(r: Review) -> str:
    month = h.fmt_month(r.month)
    text = []
    if r.pipeline_week:
        start, end = r.pipeline_week["start"], r.pipeline_week["end"]
        rows = [[label, fmt(start[key]), fmt(end[key]), _signed(end[key] - start[key], fmt)]
                for label, key, fmt in (
                    ("open deals", "open_opportunities", h.fmt_int),
                    ("open amount", "open_amount", h.fmt_amount),
                    ("weighted amount", "weighted_amount", h.fmt_amount))]
        text.append("Open pipeline as of the end of the Sunday before and of this Sunday.\n\n"
                    + _table(["", "start of week", "end of week", "change"], rows, ""))
    week = r.week_waterfall
    if week:
        text.append(f"The waterfall of the week {r.week}: it adds up exactly.\n\n"
                    + _waterfall_table(week))
    w = r.waterfall
    if w:
        text.append(f"The waterfall of {month} to date (the latest day with data).\n\n"
                    + _waterfall_table(w))
        text.append(f"Due in {month}: moved in {h.fmt_amount(w['moved_in_amount'])}, pulled in "
                    f"{h.fmt_amount(w['pulled_in_amount'])}, pushed out "
                    f"{h.fmt_amount(w['pushed_out_amount'])}, closed won "
                    f"{h.fmt_amount(w['due_won_amount'])}, closed lost "
                    f"{h.fmt_amount(w['due_lost_amount'])}.")
    return "\n\n".join(text) or "*The pipeline marts are not built.*"


def _waterfall_table(w: dict) -> str:
    steps = [("start", w["start_amount"]), ("+ created", w["created_amount"]),
             ("+ increased", w["increased_amount"]), ("− decreased", w["decreased_amount"]),
             ("− won", w["won_amount"]), ("− lost", w["lost_amount"]), ("= end", w["end_amount"])]
    return _table([s for s, _ in steps], [[h.fmt_amount(v) for _, v in steps]], "")


def _signed(value, fmt) -> str:
    return ("+" if value > 0 else "") + fmt(value)


def _quality(r: Review) -> str:
    q = r.quality
    if q is None:
        return "*No run recorded: run `funnel run` first.*"
    status = "passed" if q["success"] else "**failed**"
    text = (f"Last run `{q['run_id']}` ({q['finished_at']}): {status}; {q['passed']} checks "
            f"passed, {len(q['warned'])} warned, {len(q['failed'])} failed.")
    if q["failed"]:
        text += "\n\nFailed: " + ", ".join(f"`{c}`" for c in q["failed"])
    if q["warned"]:
        text += "\n\nWarned: " + ", ".join(f"`{c}`" for c in q["warned"])
    return text


def title(r: Review) -> str:
    return (f"Weekly alignment review {r.week} ({r.week.first_day.isoformat()} to "
            f"{r.week.last_day.isoformat()})")


def subtitle(r: Review) -> str:
    through = r.data_through.isoformat() if r.data_through else "no data"
    note = "" if r.complete else " (the week is not complete in the data)"
    missing = f"; not built: {', '.join(r.missing)}" if r.missing else ""
    return f"Data through {through}{note}{missing}."


def markdown(r: Review) -> str:
    body = "\n\n".join(f"## {t}\n\n{b}" for _, t, b in sections(r))
    return f"# {title(r)}\n\n{subtitle(r)}\n\n{body}\n"


def html(r: Review, generated: datetime | None = None) -> str:
    generated = generated or datetime.now(UTC)
    parts = [(anchor, t, h.section(anchor, t, to_html(b, heading_offset=2)))
             for anchor, t, b in sections(r)]
    for i, (anchor, t, body) in enumerate(parts):  # tables styled like the report's
        parts[i] = (anchor, t, body.replace("<table>", '<table class="data">'))
    return h.page(title(r), h.esc(subtitle(r)) + f" Generated {generated:%Y-%m-%d %H:%M} UTC.",
                  parts, "Funnel warehouse · weekly alignment review · the definitions are in "
                  "the glossary of the funnel report")


def slack_summary(r: Review, html_path=None) -> dict:
    """A Slack-compatible webhook payload (`{"text": ...}`, Slack's mrkdwn)."""
    lines = [f"*{title(r)}*", subtitle(r)]
    for m in r.metrics:
        lines.append(f"• {m['metric']} ({m['owning_team']}): {_value(m['week'], m['unit'])} this "
                     f"week ({_change(m['week'], m['previous_week'])}); month "
                     f"{h.fmt_pct(m['attainment'])} of target, {_status(m['is_on_target'])}"
                     .replace("**", "*"))
    p = r.pipeline
    if p:
        lines.append(f"• pipeline ({p['owning_team']}): closed won {h.fmt_amount(p['closed_won_amount'])}"
                     f" of quota {h.fmt_amount(p['quota'])}, gap {h.fmt_amount(p['gap_to_quota'])},"
                     f" coverage {_times(p['coverage'])} (a month earlier "
                     f"{_times(p['previous_coverage'])})")
    w = r.week_waterfall or r.waterfall
    if w:
        period = f"week {r.week}" if r.week_waterfall else h.fmt_month(r.month)
        lines.append(f"*Pipeline {period}*: start {h.fmt_amount(w['start_amount'])} "
                     f"+ created {h.fmt_amount(w['created_amount'])} + increased "
                     f"{h.fmt_amount(w['increased_amount'])} − decreased "
                     f"{h.fmt_amount(w['decreased_amount'])} − won {h.fmt_amount(w['won_amount'])}"
                     f" − lost {h.fmt_amount(w['lost_amount'])} = end {h.fmt_amount(w['end_amount'])}")
    if r.pipeline_week:
        change = r.pipeline_week["end"]["open_amount"] - r.pipeline_week["start"]["open_amount"]
        lines.append(f"Open pipeline this week: {_signed(change, h.fmt_amount)}")
    lines.append("*Moved out of the month*: " + _owners(
        [(o["owner_id"], h.fmt_amount(o["pushed_out_amount"])) for o in r.pushed_out]))
    lines.append("*MQLs outside the SLA (ignored)*: " + _owners(
        [(f["owner"], f"{f['outside_sla']} ({f['ignored']})") for f in r.follow_up]))
    lines.append("*Records to fix*: " + _owners(
        [(f["owner"], h.fmt_int(f["records_to_fix"])) for f in r.records_to_fix]))
    lines.append("*Data quality*: " + _quality(r).split("\n\n")[0].replace("**", "*"))
    if html_path:
        lines.append(f"Full review: {html_path}")
    return {"text": "\n".join(lines)}


def _owners(items: list[tuple[str, str]]) -> str:
    if not items:
        return "none"
    shown = ", ".join(f"{owner} {value}" for owner, value in items[:SLACK_LIST])
    return shown + (f", and {len(items) - SLACK_LIST} more" if len(items) > SLACK_LIST else "")
