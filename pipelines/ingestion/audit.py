"""The `audit` schema: what retractions took out of the raw layer, kept so that the raw history
stays reconstructible (raw.* plus audit.* is every row ever loaded), and the log of
retractions, which also asks the next dbt build for a full refresh.

  audit.<source>_retracted           the rows of raw.<source>, plus _retraction_id, _retracted_at
  audit.<source>_rejected_retracted  the rows of raw.<source>_rejected, plus the same two
  audit.exact_repeats_retracted      the rows of raw._exact_repeats, plus the same two
  audit.retractions                  one row per retraction (`funnel retract`, or the first
                                     half of `funnel replay`)

Incremental models notice rows loaded after their watermark, never rows that left raw: a
retraction that changed a raw table sets `full_refresh`, the dbt asset passes `--full-refresh`
while one is pending and marks it done (`models_refreshed_at`) once a whole build succeeded.
"""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb

from pipelines.contract import SOURCES
from pipelines.ingestion.exact_repeats import REPEATS_COLUMNS
from pipelines.ingestion.raw_store import REJECTED_COLUMNS, raw_table_columns

AUDIT_SCHEMA = "audit"
RETRACTIONS = f"{AUDIT_SCHEMA}.retractions"
REPEATS_RETRACTED = f"{AUDIT_SCHEMA}.exact_repeats_retracted"
RETRACTION_COLUMNS = {"_retraction_id": "VARCHAR", "_retracted_at": "TIMESTAMP"}
RETRACTIONS_COLUMNS = {
    "retraction_id": "VARCHAR",
    "command": "VARCHAR",  # retract | replay
    "source": "VARCHAR",
    "file_hash": "VARCHAR",
    "file_path": "VARCHAR",
    # The batch as it was loaded before the retraction.
    "previous_status": "VARCHAR",
    "previous_mapping_file": "VARCHAR",
    "previous_mapping_digest": "VARCHAR",
    "rows_moved": "BIGINT",
    "rejected_moved": "BIGINT",
    "repeats_moved": "BIGINT",
    "repeats_restored": "BIGINT",  # repeats in other batches loaded in place of its rows
    "retracted_at": "TIMESTAMP",
    "full_refresh": "BOOLEAN",
    "models_refreshed_at": "TIMESTAMP",
}


def retracted_rows_table(source: str) -> str:
    return f"{AUDIT_SCHEMA}.{source}_retracted"


def retracted_rejected_table(source: str) -> str:
    return f"{AUDIT_SCHEMA}.{source}_rejected_retracted"


def _ensure_table(con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, str]) -> None:
    """Create the table, or add the columns an older version of it lacks."""
    body = ", ".join(f"{name} {kind}" for name, kind in columns.items())
    con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({body})")
    for name, kind in columns.items():
        con.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {name} {kind}")


def ensure_audit_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {AUDIT_SCHEMA}")
    for source in SOURCES.values():
        _ensure_table(con, retracted_rows_table(source.name),
                      {**raw_table_columns(source), **RETRACTION_COLUMNS})
        _ensure_table(con, retracted_rejected_table(source.name),
                      {**REJECTED_COLUMNS, **RETRACTION_COLUMNS})
    _ensure_table(con, REPEATS_RETRACTED, {**REPEATS_COLUMNS, **RETRACTION_COLUMNS})
    _ensure_table(con, RETRACTIONS, RETRACTIONS_COLUMNS)


def _has_log(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = ? "
                       "AND table_name = 'retractions'", [AUDIT_SCHEMA]).fetchone()[0] > 0


def pending_full_refresh(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The retractions whose full refresh of the models no whole build has done yet."""
    if not _has_log(con):
        return []
    return [r for (r,) in con.execute(
        f"SELECT retraction_id FROM {RETRACTIONS} WHERE full_refresh "
        "AND models_refreshed_at IS NULL ORDER BY retraction_id").fetchall()]


def mark_models_refreshed(con: duckdb.DuckDBPyConnection, retraction_ids: list[str]) -> None:
    """A whole build with --full-refresh succeeded after these retractions."""
    if retraction_ids:
        con.execute(f"UPDATE {RETRACTIONS} SET models_refreshed_at = ? "
                    "WHERE list_contains(?, retraction_id)",
                    [datetime.now(UTC).replace(tzinfo=None), retraction_ids])
