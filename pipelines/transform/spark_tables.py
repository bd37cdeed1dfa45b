"""Tables built by the local Spark target, read back with DuckDB.

dbt-spark writes each table as Parquet files under `<spark.sql.warehouse.dir>/<schema>.db/
<table>/` (profiles.yml puts that in `<data dir>/spark/warehouse`). After a Spark build the marts
are copied into the DuckDB warehouse's `marts` schema, so that everything downstream of dbt
(the Great Expectations mart checks, publishing, the report, `funnel status`) reads them as it
does after a DuckDB build. Spark's timestamps come back as UTC instants (TIMESTAMP WITH TIME
ZONE); they are turned into the naive UTC timestamps the DuckDB models produce.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb


def table_files(warehouse_dir: Path, schema: str, table: str) -> str:
    """The glob of a Spark table's data files (dbt-spark's default file format is Parquet)."""
    return str(warehouse_dir / f"{schema}.db" / table / "*.parquet")


def select_table(con: duckdb.DuckDBPyConnection, warehouse_dir: Path, schema: str,
                 table: str) -> str:
    """A DuckDB query of a Spark table with timestamps as naive UTC, columns in their order."""
    scan = f"read_parquet('{table_files(warehouse_dir, schema, table)}')"
    columns = con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()
    select = [
        f"timezone('UTC', {name}) AS {name}" if kind == "TIMESTAMP WITH TIME ZONE" else name
        for name, kind, *_ in columns
    ]
    return f"SELECT {', '.join(select)} FROM {scan}"


def copy_marts(con: duckdb.DuckDBPyConnection, warehouse_dir: Path, tables: Iterable[str],
               schema: str = "marts") -> None:
    """Replace `<schema>.<table>` of the DuckDB warehouse with Spark's, for each table, in one
    transaction (a reader never sees half of a night's marts)."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    con.execute("BEGIN TRANSACTION")
    try:
        for table in tables:
            query = select_table(con, warehouse_dir, schema, table)
            con.execute(f"CREATE OR REPLACE TABLE {schema}.{table} AS {query}")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
