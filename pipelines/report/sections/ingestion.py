"""The ingestion problems of the last run and of the last days, for the data-quality section:
the same facts as `funnel quality` (pipelines/ingestion/problem_summary.py), as tables.

The summary names files, lines, fields and reasons, never a raw record's contents: the report
is shared, and rejected records may hold personal data."""

from __future__ import annotations

from pipelines.quality.ingestion_text import example_text, mapping_problem_line
from pipelines.report import html as h

LIMIT = 50


def _period_rows(source: str, period: dict) -> list[dict]:
    rows = [{"source": source, "problem": "unreadable file", "rows": None,
             "detail": f"{f['file']}: {f['reason']}"} for f in period.get("unreadable") or []]
    hidden = period.get("files_unreadable", 0) - len(period.get("unreadable") or [])
    if hidden > 0:
        rows.append({"source": source, "problem": "unreadable file", "rows": None,
                     "detail": f"... {hidden:,} more (ledger raw._ingested_files)"})
    for kind, label in (("ignored", "ignored file"), ("held_back", "held back")):
        rows += [{"source": source, "problem": label, "rows": None,
                  "detail": f"{f['file']}: {f['reason']}"} for f in period.get(kind) or []]
    rows += [{"source": source, "problem": "rejected rows", "rows": g["rows"],
              "detail": f"{g['kind']} (e.g. {example_text(g['example'])})"}
             for g in period.get("rejections") or []]
    for column, values in sorted((period.get("unknown_values") or {}).items()):
        rows += [{"source": source, "problem": f"unknown {column} kept", "rows": n,
                  "detail": f"'{value}'"} for value, n in sorted(values.items())]
    return rows


def _table(rows: list[dict], empty: str) -> str:
    return h.table(rows, [h.text("source", "source"), h.text("problem", "problem"),
                          h.Column("rows", "rows", h.fmt_int),
                          h.text("file, line, field and reason", "detail")],
                   empty=empty, limit=LIMIT, scroll=len(rows) > 15)


def build_ingestion(ingestion: dict | None) -> str:
    if not ingestion:
        return ("<h3>Ingestion problems</h3><p class=\"empty\">Not recorded for this run "
                "(the next <code>funnel run</code> records them).</p>")
    sources = ingestion.get("sources") or {}
    run_rows = [{"source": "(all)", "problem": "broken mapping", "rows": None,
                 "detail": mapping_problem_line(p)} for p in ingestion.get("mapping_problems") or []]
    run_rows += [{"source": "(inbox)", "problem": "ignored file", "rows": None,
                  "detail": f"{e['file']}: {e['reason']}"} for e in ingestion.get("ignored") or []]
    recent_rows = []
    for source, summary in sources.items():
        run_rows += _period_rows(source, summary.get("run") or {})
        recent_rows += _period_rows(source, summary.get("recent") or {})
    first = next((s.get("recent") or {} for s in sources.values()), {})
    days = first.get("days", 7)
    files = sum((s.get("recent") or {}).get("files", 0) for s in sources.values())
    rejected = sum((s.get("recent") or {}).get("rows_rejected", 0) for s in sources.values())
    return ("<h3>Ingestion problems of the last run</h3>"
            + _table(run_rows, "Every file of the run was read; no row was rejected.")
            + f"<h3>Ingestion problems of the last {days} days</h3>"
            + f'<p class="note">{h.fmt_int(files)} files ingested, {h.fmt_int(rejected)} rows '
            "rejected (every rejected row, with its reason: <code>raw.&lt;source&gt;_rejected"
            "</code> in the warehouse).</p>"
            + _table(recent_rows, f"No problem in the last {days} days."))
