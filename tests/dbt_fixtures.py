"""Hand-made raw data for testing the dbt project: create the raw tables of the contract in a
temporary data directory, insert rows, run dbt in-process against it, read the marts back.

The raw tables are built from `pipelines.contract` alone (contract columns in order, then the
lineage columns), the way ingestion writes them, so these tests do not depend on ingestion. Rows
hold what ingestion stores (`as_ingested`: text trimmed, empty text null, emails lower-cased):
dbt does not clean text again (test_ingestion checks ingestion's side of that bargain).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
from reference.adversarial import as_ingested

from pipelines.contract import DUCKDB_TYPES, LINEAGE_COLUMNS, SOURCES
from pipelines.settings import DBT_PROJECT_DIR

LOADED_AT = datetime(2024, 6, 1, 3, 0, 0)

# The core funnel models: the eight metrics (mart_funnel_daily) and contact quality, with
# everything they are built from (seeds included) and the singular test: what the edge-case
# tests build. The other marts (attribution, lifecycle, follow-up, ...) test themselves;
# `cautious` leaves out their tests that merely reference a core model.
CORE_SELECTION = (
    "--indirect-selection", "cautious",
    "--select",
    "+mart_funnel_daily", "+mart_contact_quality_summary",
    "assert_funnel_daily_totals_match_facts",
)


def raw_columns(source: str) -> dict[str, str]:
    """Column name -> DuckDB type of raw.<source>: contract columns, then lineage columns."""
    spec = SOURCES[source]
    return {**{c: DUCKDB_TYPES[k] for c, k in spec.columns.items()}, **LINEAGE_COLUMNS}


def create_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    for name in SOURCES:
        body = ", ".join(f"{c} {t}" for c, t in raw_columns(name).items())
        con.execute(f"CREATE OR REPLACE TABLE raw.{name} ({body})")


class RawData:
    """Rows per source, written in one go. Lineage columns are filled in: `_source_file`
    defaults to the `source_file` given to `add` (default "<source>/fixture.csv"), and
    `_source_line` counts up per file in the order rows were added."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._lines: dict[str, int] = defaultdict(int)

    def add(self, source: str, rows: Iterable[dict[str, Any]] | dict[str, Any],
            source_file: str | None = None) -> RawData:
        if isinstance(rows, dict):
            rows = [rows]
        contract = SOURCES[source].columns
        for row in rows:
            unknown = set(row) - set(contract) - set(LINEAGE_COLUMNS)
            if unknown:
                raise ValueError(f"{source}: columns not in the contract: {sorted(unknown)}")
            file = row.get("_source_file") or source_file or f"{source}/fixture.csv"
            self._lines[file] += 1
            full = as_ingested({c: row.get(c) for c in contract})
            full["_file_hash"] = hashlib.sha256(file.encode()).hexdigest()
            full["_source_file"] = file
            full["_source_line"] = row.get("_source_line", self._lines[file])
            full["_loaded_at"] = row.get("_loaded_at", LOADED_AT)
            self.rows[source].append(full)
        return self

    def write(self, data_dir: Path) -> Path:
        """Create <data_dir>/warehouse.duckdb with the raw tables and these rows."""
        data_dir.mkdir(parents=True, exist_ok=True)
        path = data_dir / "warehouse.duckdb"
        con = duckdb.connect(str(path))
        try:
            create_raw_tables(con)
            for source, rows in self.rows.items():
                columns = list(raw_columns(source))
                placeholders = ", ".join("?" for _ in columns)
                con.executemany(
                    f"INSERT INTO raw.{source} ({', '.join(columns)}) VALUES ({placeholders})",
                    [[row[c] for c in columns] for row in rows],
                )
        finally:
            con.close()
        return path


def run_dbt(data_dir: Path, args: Sequence[str] = ("build",), vars: dict | None = None):
    """Run dbt in-process against <data_dir>/warehouse.duckdb. Target and log folders go to
    the data directory, so the project's own target/ (Dagster's manifest) is left alone.
    Returns dbt's `dbtRunnerResult`."""
    from dbt.cli.main import dbtRunner

    data_dir = Path(data_dir).resolve()
    cli_args = [
        *args,
        "--project-dir", str(DBT_PROJECT_DIR),
        "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(data_dir / "dbt_target"),
        "--log-path", str(data_dir / "dbt_logs"),
        "--quiet",
    ]
    # The data directory as the pipeline hands it to dbt (FunnelSettings.dbt_vars).
    cli_args += ["--vars", json.dumps({"data_dir": str(data_dir), **(vars or {})})]
    try:
        return dbtRunner().invoke(["--no-send-anonymous-usage-stats", *cli_args])
    finally:
        _close_dbt_duckdb()


def _close_dbt_duckdb() -> None:
    """dbt-duckdb keeps its DuckDB instance open in the process after an in-process run; a
    later `duckdb.connect` to the same file with another configuration (read_only) then fails.
    Close it, as dbt-duckdb itself does before replacing its environment."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    env = DuckDBConnectionManager._ENV
    if env is not None:
        try:
            env.close()
        finally:
            DuckDBConnectionManager._ENV = None


def failed_nodes(result) -> list[str]:
    """Names and messages of the nodes of a dbt result that did not pass (errors, failed or
    warning tests)."""
    if result.result is None:
        return [f"dbt did not run: {result.exception!r}"]
    problems = []
    for node_result in getattr(result.result, "results", []):
        status = str(node_result.status).lower()
        if status not in ("success", "pass"):
            problems.append(f"{node_result.node.name}: {status}: {node_result.message}")
    return problems


def read_table(data_dir: Path, relation: str, order_by: str | None = None) -> pl.DataFrame:
    """Read a relation (e.g. 'marts.fct_sessions') of the warehouse as a polars frame."""
    con = duckdb.connect(str(Path(data_dir) / "warehouse.duckdb"), read_only=True)
    try:
        sql = f"SELECT * FROM {relation}" + (f" ORDER BY {order_by}" if order_by else "")
        return con.sql(sql).pl()
    finally:
        con.close()


def ts(text: str) -> datetime:
    """'2024-03-01 10:00:00' -> datetime (naive UTC, as raw stores it)."""
    return datetime.fromisoformat(text)
