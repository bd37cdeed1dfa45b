"""The data-quality status of the last run (`<data dir>/reports/last_run_checks.json`): its
checks, then its ingestion problems and those of the last days."""

from __future__ import annotations

from collections import Counter

from pipelines.quality.run_checks import STATUS_ORDER, check_status
from pipelines.report import charts
from pipelines.report import html as h
from pipelines.report.sections import Context
from pipelines.report.sections.ingestion import build_ingestion
from pipelines.report.source import Marts

ANCHOR, TITLE = "data-quality", "Data quality of the last run"
STATUS_COLORS = {"PASSED": "#2e7d32", "WARNED": "#f9a825", "FAILED": "#c62828"}
FIGURES = ("rows_validated", "failed_expectations", "rows_read", "rows_loaded", "rows_rejected",
           "rows_repeated", "unbalanced_files", "failed_row_count", "dagster_dbt/failed_row_count")


def describe(check: dict) -> str:
    """What went wrong, in one line: the figures, then each failed expectation."""
    metadata = check.get("metadata") or {}
    parts = [f"{key.split('/')[-1].replace('_', ' ')} {value}" for key, value in metadata.items()
             if key in FIGURES]
    for failure in metadata.get("failures") or []:
        text = f"{failure.get('expectation')}({failure.get('column') or ''})"
        if failure.get("unexpected_count") is not None:
            text += f": {failure['unexpected_count']} rows ({failure.get('unexpected_percent') or 0:.2f}%)"
        if failure.get("observed") is not None:
            text += f", observed {failure['observed']}"
        if failure.get("error"):
            text += f", could not be evaluated: {failure['error']}"
        if failure.get("sample"):
            text += "; e.g. " + ", ".join(map(str, failure["sample"][:5]))
        parts.append(text)
    if not parts and check.get("description"):
        parts.append(str(check["description"]))
    return "; ".join(parts)


def _badge(status: str) -> str:
    return f'<span class="badge {status.lower()}">{status.lower()}</span>'


def build(m: Marts, ctx: Context) -> str:
    document = ctx.checks
    if document is None:
        where = f" ({h.esc(ctx.checks_path)})" if ctx.checks_path else ""
        return h.section(ANCHOR, TITLE, f'<p class="not-built">No run recorded{where}: the '
                         "checks appear after <code>funnel run</code>.</p>")
    checks = document.get("checks") or []
    statuses = [check_status(c) for c in checks]
    counts = Counter(statuses)
    blocking_failed = sum(1 for c, s in zip(checks, statuses, strict=True) if s == "FAILED" and c.get("blocking"))
    run_ok = document.get("success")
    kpis = h.kpis([
        ("run", _badge("PASSED") if run_ok else _badge("FAILED"),
         f"{h.esc(document.get('finished_at', ''))[:19].replace('T', ' ')} UTC"),
        ("passed", h.fmt_int(counts["PASSED"]), "checks"),
        ("warned", h.fmt_int(counts["WARNED"]), "reported, the run went on"),
        ("failed", h.fmt_int(counts["FAILED"]), f"{blocking_failed} blocking")])
    groups: dict[str, Counter] = {}
    for check, status in zip(checks, statuses, strict=True):
        groups.setdefault(str(check.get("asset", "")).split("/")[0] or "(other)", Counter())[status] += 1
    labels = sorted(groups)
    chart = h.figure(
        "chart-checks",
        charts.stacked_bars(labels, [charts.Series(s.lower(), [groups[g][s] for g in labels],
                                                   STATUS_COLORS[s]) for s in STATUS_ORDER],
                            label="Checks by layer and status", fmt=h.fmt_int),
        "Checks of the last run by layer (raw: ingestion and Great Expectations suites; the "
        "others: dbt tests), by status; the number is the checks.",
        [(s.lower(), STATUS_COLORS[s]) for s in STATUS_ORDER])
    problems = sorted((c for c, s in zip(checks, statuses, strict=True) if s != "PASSED"),
                      key=lambda c: (STATUS_ORDER[check_status(c)], c.get("asset", ""), c.get("check", "")))
    table = h.table(
        problems,
        [h.Column("status", lambda c: _badge(check_status(c)), raw=True, numeric=False),
         h.text("asset", "asset"), h.text("check", "check"),
         h.Column("blocking", lambda c: "yes" if c.get("blocking") else "", numeric=False),
         h.Column("details", describe, numeric=False)],
        empty="Every check passed.")
    body = (kpis + chart + "<h3>Warnings and failures</h3>" + table
            + "<p class=\"note\">Details of every check: <code>funnel quality --verbose</code>.</p>"
            + build_ingestion(document.get("ingestion")))
    intro = (f"Run <code>{h.esc(document.get('run_id', ''))}</code>. Critical checks (a broken "
             "key, an impossible date, an unbalanced file) block the run; warnings are reported "
             "and the run goes on.")
    return h.section(ANCHOR, TITLE, body, intro)
