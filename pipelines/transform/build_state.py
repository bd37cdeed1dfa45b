"""Whether the dbt build can be skipped: nothing new since the last published build.

A build is a function of the raw layer, the dbt project and the target. The raw layer grows by
ingestion batches, each committed with its ledger rows, and changes otherwise only by a
retraction or a replay (`funnel retract`, `funnel replay`), each marked on its ledger row, so
the ledger (which files were ingested, which retracted or replayed when) and the raw tables' row
counts stand for its content. When that state equals the one of the last build that was also published, the marts
and their publication would come out identical: the nightly run skips dbt, and with it the
mart checks and publishing. A build that failed, or whose publication failed or was blocked
by a check, is not published: the next run builds again.

The builds are kept in `audit.dbt_builds`, beside the retraction log that also asks the build
for a full refresh: the pipeline's own records, not data handed to dbt (which `raw` holds).
A warehouse of an older version kept them in `raw._dbt_builds`: the first use moves them.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.contract import SOURCES
from pipelines.ingestion.audit import AUDIT_SCHEMA
from pipelines.ingestion.raw_store import LEDGER, LEDGER_TABLE, raw_table_names
from pipelines.transform.project_files import project_source_files

BUILDS_TABLE = "dbt_builds"
BUILDS = f"{AUDIT_SCHEMA}.{BUILDS_TABLE}"
BUILDS_COLUMNS = ("run_id VARCHAR, target VARCHAR, raw_state VARCHAR, project_state VARCHAR, "
                  "built_at TIMESTAMP, published_at TIMESTAMP")
OLD_BUILDS_TABLE = "_dbt_builds"  # in raw, in warehouses of older versions (see above)


@dataclass(frozen=True)
class BuildState:
    target: str
    raw_state: str
    project_state: str


def project_state(project_dir: Path) -> str:
    """A digest of every file that defines the build, and the dbt-core version running it."""
    digest = hashlib.sha256(importlib.metadata.version("dbt-core").encode())
    for path in project_source_files(project_dir):
        digest.update(str(path.relative_to(project_dir)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def raw_state(con: duckdb.DuckDBPyConnection) -> str:
    """A digest of the ingested files, their retractions and replays, and the raw tables' row
    counts (empty when there is no raw layer yet)."""
    tables = raw_table_names(con)
    digest = hashlib.sha256()
    if LEDGER_TABLE in tables:
        # A replay can leave every count as it was (its rows swap places with exact repeats).
        changes = ("status, replayed_at" if "replayed_at" in _ledger_columns(con)
                   else "NULL, NULL")  # a ledger from before retractions, not upgraded yet
        for file_hash, status, replayed_at in con.execute(
                f"SELECT file_hash, {changes} FROM {LEDGER} ORDER BY 1").fetchall():
            digest.update(file_hash.encode() + b"\0")
            if status == "retracted" or replayed_at is not None:
                digest.update(f"{status}@{replayed_at}\0".encode())
    for name in sorted(SOURCES):
        if name in tables:
            rows = con.execute(f"SELECT count(*) FROM raw.{name}").fetchone()[0]
            digest.update(f"{name}={rows}\0".encode())
    return digest.hexdigest()


def _ledger_columns(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {c for (c,) in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'raw' "
        "AND table_name = ?", [LEDGER_TABLE]).fetchall()}


def current_state(con: duckdb.DuckDBPyConnection, project_dir: Path, target: str) -> BuildState:
    return BuildState(target=target, raw_state=raw_state(con), project_state=project_state(project_dir))


def last_published_build(con: duckdb.DuckDBPyConnection) -> BuildState | None:
    """The state of the last full build that was published, None when there is none."""
    if not _builds_table(con):
        return None
    row = con.execute(f"SELECT target, raw_state, project_state FROM {BUILDS} "
                      "WHERE published_at IS NOT NULL ORDER BY published_at DESC LIMIT 1").fetchone()
    return BuildState(*row) if row else None


def record_build(con: duckdb.DuckDBPyConnection, state: BuildState, run_id: str) -> None:
    """A full dbt build succeeded in run `run_id` (not yet published)."""
    _builds_table(con, create=True)
    con.execute(f"INSERT INTO {BUILDS} VALUES (?, ?, ?, ?, ?, NULL)",
                [run_id, state.target, state.raw_state, state.project_state, _now()])


def mark_published(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """The marts that run `run_id` built are published (no-op when it built none)."""
    if _builds_table(con):
        con.execute(f"UPDATE {BUILDS} SET published_at = ? WHERE run_id = ?", [_now(), run_id])


def _builds_table(con: duckdb.DuckDBPyConnection, create: bool = False) -> bool:
    """Whether the builds table exists, after moving an older version's out of raw (each
    statement safe to repeat: a move cut short is finished by the next call)."""
    old = OLD_BUILDS_TABLE in raw_table_names(con)
    if create or old:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {AUDIT_SCHEMA}")
        con.execute(f"CREATE TABLE IF NOT EXISTS {BUILDS} ({BUILDS_COLUMNS})")
    if old:
        con.execute(f"INSERT INTO {BUILDS} SELECT run_id, target, raw_state, project_state, "
                    f"built_at, published_at FROM raw.{OLD_BUILDS_TABLE} "
                    f"WHERE run_id NOT IN (SELECT run_id FROM {BUILDS})")
        con.execute(f"DROP TABLE raw.{OLD_BUILDS_TABLE}")
    return bool(con.execute("SELECT count(*) FROM information_schema.tables "
                            "WHERE table_schema = ? AND table_name = ?",
                            [AUDIT_SCHEMA, BUILDS_TABLE]).fetchone()[0])


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
