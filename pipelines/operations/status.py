"""`funnel status`: the last run, the freshness of each source, the row count of each mart."""

from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.contract import SOURCES

# The event time that says how fresh each source is.
FRESHNESS_COLUMN = {"web_visits": "occurred_at", "contacts": "updated_at",
                    "opportunities": "updated_at", "sales_interactions": "occurred_at",
                    "marketing_spend": "spend_date", "associations": "created_at"}


def _age(then: datetime | None, now: datetime) -> str:
    if then is None:
        return "never"
    hours = (now - then).total_seconds() / 3600
    return f"{hours:.0f} h ago" if hours < 48 else f"{hours / 24:.0f} days ago"


def render_status(warehouse: Path, last_checks: dict | None) -> str:
    now = datetime.now(UTC).replace(tzinfo=None)
    lines = []
    if last_checks:
        state = "succeeded" if last_checks["success"] else "FAILED"
        lines.append(f"last run: {state}, finished {last_checks['finished_at']} (run {last_checks['run_id']})")
    else:
        lines.append("last run: none recorded by `funnel run`")
    if not warehouse.is_file():
        lines.append(f"warehouse: {warehouse} does not exist yet (run `funnel demo` or `funnel run`)")
        return "\n".join(lines)
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.IOException:
        lines.append(f"warehouse: {warehouse} is being written by a running pipeline; try again "
                     "when it finishes (BI tools should read data/published/ instead)")
        return "\n".join(lines)
    try:
        tables = {(s, t) for s, t in con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables").fetchall()}
        lines.append("sources (newest record, last file ingested, rows):")
        for source in SOURCES:
            if ("raw", source) not in tables:
                lines.append(f"  {source:20} not ingested yet")
                continue
            column = FRESHNESS_COLUMN[source]
            newest, rows = con.execute(
                f"SELECT max(coalesce({column}, {'created_at' if column == 'updated_at' else column})), "
                f"count(*) FROM raw.{source}").fetchone()
            last_file = con.execute(
                "SELECT max(ingested_at) FROM raw._ingested_files WHERE source = ?", [source]).fetchone()[0]
            lines.append(f"  {source:20} newest {newest} ({_age(newest, now)}), "
                         f"last file {_age(last_file, now)}, {rows:,} rows")
        marts = sorted(t for s, t in tables if s == "marts")
        lines.append("marts (rows):" if marts else "marts: none built yet")
        for mart in marts:
            count = con.execute(f"SELECT count(*) FROM marts.{mart}").fetchone()[0]
            lines.append(f"  {mart:32} {count:,}")
    finally:
        con.close()
    return "\n".join(lines)
