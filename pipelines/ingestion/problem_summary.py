"""The ingestion problems of a run and of the last days, summarised for people: files that
could not be read, files ignored or held back, rows rejected grouped by field and kind of
reason (a count and one example each), unknown category values kept.

Read from the ledger and `raw.<source>_rejected`, so a summary of the last 7 days counts every
run's batches. The summary goes into the run's metadata, `funnel quality` and the shared
report, which must not carry raw personal data (DESIGN.md section 6): it never quotes a raw
record, and an email address inside a reason is masked.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from pipelines.ingestion import raw_store
from pipelines.ingestion.inbox import stray_inbox_entries
from pipelines.ingestion.mapping import load_mappings
from pipelines.ingestion.prepare import UNREADABLE_PREFIX

RECENT_DAYS = 7
MAX_LISTED = 20  # files or reasons kept per list; the counts are always complete
MAX_TEXT = 300

# The kind of a reason: the reason without the values it quotes, so that 500 bad timestamps
# are one line. "occurred_at: not an ISO 8601 timestamp: '26-01-02'" -> "occurred_at: not an
# ISO 8601 timestamp"; a quoted value inside a sentence becomes '…'.
_KIND_SQL = (r"""regexp_replace(regexp_replace(r.reason, ':\s*''[^'']*''', '', 'g'),"""
             r"""'''[^'']*''', '''…''', 'g')""")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def plain(text: str | None) -> str:
    """One line, no email address, at most MAX_TEXT characters."""
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    line = _EMAIL.sub("<email>", line)
    return line if len(line) <= MAX_TEXT else line[:MAX_TEXT - 1] + "…"


def _period(con: duckdb.DuckDBPyConnection, source: str, where: str, params: list) -> dict:
    ledger = raw_store.LEDGER
    files, unreadable_count = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE l.status = 'unreadable') FROM {ledger} l "
        f"WHERE l.source = ? AND {where}", [source, *params]).fetchone()
    unreadable = con.execute(
        f"SELECT l.file_path, l.message FROM {ledger} l WHERE l.source = ? "
        f"AND l.status = 'unreadable' AND {where} ORDER BY l.file_path LIMIT {MAX_LISTED}",
        [source, *params]).fetchall()
    groups = con.execute(
        f"""
        WITH rejected AS (
            SELECT r.source_file, r.line_number, r.field, r.reason, {_KIND_SQL} AS kind
            FROM raw.{source}_rejected r JOIN {ledger} l ON l.file_hash = r.file_hash
            WHERE r.line_number IS NOT NULL AND l.source = ? AND {where}
        ), ranked AS (
            SELECT *, count(*) OVER (PARTITION BY field, kind) AS n,
                   row_number() OVER (PARTITION BY field, kind
                                      ORDER BY source_file, line_number) AS i
            FROM rejected
        )
        SELECT field, kind, n, source_file, line_number, reason FROM ranked WHERE i = 1
        ORDER BY n DESC, field NULLS LAST, kind
        """, [source, *params]).fetchall()
    return {
        "files": files,
        "files_unreadable": unreadable_count,
        "unreadable": [{"file": path, "reason": plain((message or "").removeprefix(UNREADABLE_PREFIX))}
                       for path, message in unreadable],
        "rows_rejected": sum(g[2] for g in groups),
        "rejection_kinds": len(groups),
        "rejections": [{"field": field, "kind": plain(kind), "rows": n,
                        "example": {"file": file, "line": line, "field": field, "reason": plain(reason)}}
                       for field, kind, n, file, line, reason in groups[:MAX_LISTED]],
    }


def summarize_source(con: duckdb.DuckDBPyConnection, result, now: datetime) -> dict:
    """The problems of one source's ingestion run (`result`: a SourceIngestion) and of the
    last RECENT_DAYS days, as a JSON-ready dict (`now`: naive UTC)."""
    since = now - timedelta(days=RECENT_DAYS)
    run = _period(con, result.source, "l.run_id = ?", [result.run_id])
    run.update({
        "ingestion_run_id": result.run_id,
        "ignored": [{"file": f.path, "reason": f.reason} for f in result.ignored_files],
        "held_back": [{"file": f.path, "reason": f.reason} for f in result.held_back_files],
        "unknown_values": {column: {_EMAIL.sub("<email>", str(value)): count
                                    for value, count in values.items()}
                           for column, values in result.unknown_values.items()},
    })
    recent = {"days": RECENT_DAYS, "since": since.isoformat(timespec="seconds"),
              **_period(con, result.source, "l.ingested_at >= ?", [since])}
    return {"run": run, "recent": recent}


def inbox_problems(inbox: Path, mappings_dir: Path) -> dict:
    """What concerns the whole inbox rather than one source: broken mapping files and
    entries outside the source folders."""
    return {
        "mapping_problems": [{"file": p.name, "line": p.line, "reason": plain(p.reason),
                              "source": p.source} for p in load_mappings(mappings_dir).problems],
        "ignored": [{"file": e.path, "reason": e.reason} for e in stray_inbox_entries(inbox)],
    }


def ingestion_document(summaries: dict[str, dict], inbox: Path, mappings_dir: Path) -> dict:
    """The `ingestion` part of a run's record (`last_run_checks.json`): per source summaries
    (from the raw assets' metadata) and the inbox-wide problems."""
    return {"sources": dict(sorted(summaries.items())), **inbox_problems(inbox, mappings_dir)}
