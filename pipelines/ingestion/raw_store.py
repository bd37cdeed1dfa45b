"""The raw layer in DuckDB: append-only tables per source, their rejected rows, the ledger of
ingested files and the ingestion run log. Each load is one transaction, so a killed run leaves
either the whole batch (with its ledger rows) or nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import polars as pl

from pipelines.contract import DUCKDB_TYPES, LINEAGE_COLUMNS, SOURCES, Source

LEDGER_TABLE = "_ingested_files"
LEDGER = f"raw.{LEDGER_TABLE}"
RUN_LOG = "raw._ingestion_runs"

LEDGER_COLUMNS = {
    "file_hash": "VARCHAR PRIMARY KEY",
    "source": "VARCHAR",
    "file_path": "VARCHAR",
    "file_format": "VARCHAR",
    "file_bytes": "BIGINT",
    "mapping_file": "VARCHAR",
    "status": "VARCHAR",  # loaded | unreadable
    "message": "VARCHAR",
    "rows_read": "BIGINT",
    "rows_loaded": "BIGINT",
    "rows_rejected": "BIGINT",
    "rows_repeated": "BIGINT",
    "run_id": "VARCHAR",
    "ingested_at": "TIMESTAMP",
    # Columns added after the first release (ensure_raw_schema adds them to older ledgers).
    # With file_path and file_bytes, lets a later run know the file without reading it again:
    "file_mtime_ns": "BIGINT",
    # Records in the file counted without its parser (non-blank lines, Parquet footer), and
    # the extra lines of its multi-line records: see balance.py. Null: not counted.
    "lines_counted": "BIGINT",
    "continuation_lines": "BIGINT",
}
LATER_LEDGER_COLUMNS = ("file_mtime_ns", "lines_counted", "continuation_lines")
REJECTED_COLUMNS = {
    "source_file": "VARCHAR",
    "line_number": "BIGINT",  # null when the whole file was unreadable
    "field": "VARCHAR",
    "reason": "VARCHAR",
    "raw_record": "VARCHAR",
    "file_hash": "VARCHAR",
    "rejected_at": "TIMESTAMP",
}
RUN_LOG_COLUMNS = {
    "run_id": "VARCHAR",
    "source": "VARCHAR",
    "started_at": "TIMESTAMP",
    "finished_at": "TIMESTAMP",
    "files_ingested": "BIGINT",
    "files_unreadable": "BIGINT",
    "rows_read": "BIGINT",
    "rows_loaded": "BIGINT",
    "rows_rejected": "BIGINT",
    "rows_repeated": "BIGINT",
    "is_balanced": "BOOLEAN",
}


def _ddl(table: str, columns: dict[str, str]) -> str:
    body = ", ".join(f"{name} {kind}" for name, kind in columns.items())
    return f"CREATE TABLE IF NOT EXISTS {table} ({body})"


def raw_table_columns(source: Source) -> dict[str, str]:
    return {**{c: DUCKDB_TYPES[k] for c, k in source.columns.items()}, **LINEAGE_COLUMNS}


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    for source in SOURCES.values():
        con.execute(_ddl(f"raw.{source.name}", raw_table_columns(source)))
        con.execute(_ddl(f"raw.{source.name}_rejected", REJECTED_COLUMNS))
    con.execute(_ddl(LEDGER, LEDGER_COLUMNS))
    for column in LATER_LEDGER_COLUMNS:
        con.execute(f"ALTER TABLE {LEDGER} ADD COLUMN IF NOT EXISTS {column} "
                    f"{LEDGER_COLUMNS[column]}")
    con.execute(_ddl(RUN_LOG, RUN_LOG_COLUMNS))


def raw_table_names(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The tables of the raw schema (empty before the first ingestion)."""
    return {name for (name,) in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw'").fetchall()}


def ingested_hashes(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {row[0] for row in con.execute(f"SELECT file_hash FROM {LEDGER}").fetchall()}


def hashes_by_file_stat(con: duckdb.DuckDBPyConnection, source: str) -> dict[tuple[str, int, int], str]:
    """(file_path, file_bytes, file_mtime_ns) -> file_hash of the source's ingested files: a
    file still at the same path with the same size and modification time is not re-hashed."""
    rows = con.execute(
        f"SELECT file_path, file_bytes, file_mtime_ns, file_hash FROM {LEDGER} "
        "WHERE source = ? AND file_mtime_ns IS NOT NULL", [source]).fetchall()
    return {(path, size, mtime): file_hash for path, size, mtime, file_hash in rows}


@dataclass(frozen=True)
class FileTime:
    file_hash: str
    file_path: str
    file_bytes: int
    file_mtime_ns: int


def record_file_times(con: duckdb.DuckDBPyConnection, times: list[FileTime]) -> None:
    """Fill in the modification time of files ingested before the ledger kept it, where the
    path and size still match."""
    if times:
        con.executemany(
            f"UPDATE {LEDGER} SET file_mtime_ns = ? WHERE file_hash = ? AND file_path = ? "
            "AND file_bytes = ? AND file_mtime_ns IS NULL",
            [[t.file_mtime_ns, t.file_hash, t.file_path, t.file_bytes] for t in times])


@dataclass
class FileBatch:
    """One file's share of a load: its ledger row and its rejected rows."""

    file_hash: str
    file_path: str
    file_format: str
    file_bytes: int
    mapping_file: str | None
    rows_read: int
    rejected: pl.DataFrame  # line_number, field, reason, raw_record
    status: str = "loaded"
    message: str | None = None
    file_mtime_ns: int | None = None
    lines_counted: int | None = None
    continuation_lines: int = 0

    @property
    def rows_rejected(self) -> int:
        # A file-level rejection (line_number null) is not a row of the file.
        return self.rejected.filter(pl.col("line_number").is_not_null()).height

    @classmethod
    def unreadable(cls, file_hash: str, file_path: str, file_format: str, file_bytes: int,
                   mapping_file: str | None, message: str, file_mtime_ns: int | None
                   ) -> FileBatch:
        """The entry of a file that could not be read: one file-level rejection, no rows."""
        rejected = pl.DataFrame(
            {"line_number": [None], "field": [None], "reason": [message], "raw_record": [None]},
            schema={"line_number": pl.Int64, "field": pl.String, "reason": pl.String,
                    "raw_record": pl.String})
        return cls(file_hash, file_path, file_format, file_bytes, mapping_file, 0, rejected,
                   status="unreadable", message=message, file_mtime_ns=file_mtime_ns)


def load_batch(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    valid: pl.DataFrame,
    files: list[FileBatch],
    run_id: str,
    loaded_at: datetime,
) -> dict[str, dict[str, int]]:
    """Append new rows, rejected rows and ledger entries for a group of files in one
    transaction. `valid` holds the contract columns plus _file_hash, _source_file, _source_line
    and _file_order. Returns loaded and repeated counts per file hash."""
    contract = list(source.columns)
    key = source.key
    same_content = " AND ".join(f"a.{c} IS NOT DISTINCT FROM b.{c}" for c in contract)
    con.execute("BEGIN TRANSACTION")
    try:
        con.register("incoming_rows", valid.to_arrow())
        # An exact repeat shares its key with an earlier row, in this group or in the table.
        # Only those keys (a few percent) are compared on every contract column; the table's
        # history is read for its key column alone.
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE candidate_keys AS
            SELECT {key} FROM incoming_rows GROUP BY {key} HAVING count(*) > 1
            UNION
            SELECT DISTINCT {key} FROM raw.{source.name}
            WHERE {key} IN (SELECT {key} FROM incoming_rows)
            """
        )
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE incoming_repeats AS
            WITH incoming AS (
                SELECT * FROM incoming_rows WHERE {key} IN (SELECT {key} FROM candidate_keys)
            ), earlier AS (
                SELECT * FROM raw.{source.name} WHERE {key} IN (SELECT {key} FROM candidate_keys)
            )
            SELECT DISTINCT b._file_hash, b._file_order, b._source_line
            FROM incoming b JOIN incoming a
              ON a.{key} = b.{key}
             AND (a._file_order < b._file_order
                  OR (a._file_order = b._file_order AND a._source_line < b._source_line))
             AND {same_content}
            UNION
            SELECT b._file_hash, b._file_order, b._source_line
            FROM incoming b JOIN earlier a ON a.{key} = b.{key} AND {same_content}
            """
        )
        columns = ", ".join([*contract, "_file_hash", "_source_file", "_source_line"])
        con.execute(
            f"""
            INSERT INTO raw.{source.name} ({columns}, _loaded_at)
            SELECT {columns}, ? FROM incoming_rows i
            ANTI JOIN incoming_repeats r
              ON r._file_order = i._file_order AND r._source_line = i._source_line
            """,
            [loaded_at],
        )
        con.unregister("incoming_rows")
        repeated = dict(con.execute(
            "SELECT _file_hash, count(*) FROM incoming_repeats GROUP BY 1").fetchall())
        valid_rows = dict(valid.group_by("_file_hash").len().iter_rows())
        counts = {
            file_hash: {"loaded": total - repeated.get(file_hash, 0),
                        "repeated": repeated.get(file_hash, 0)}
            for file_hash, total in valid_rows.items()
        }
        for batch in files:
            _insert_rejected(con, source, batch, loaded_at)
            file_counts = counts.get(batch.file_hash, {"loaded": 0, "repeated": 0})
            con.execute(
                f"INSERT INTO {LEDGER} ({', '.join(LEDGER_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(LEDGER_COLUMNS))})",
                [batch.file_hash, source.name, batch.file_path, batch.file_format,
                 batch.file_bytes, batch.mapping_file, batch.status, batch.message,
                 batch.rows_read, file_counts["loaded"], batch.rows_rejected,
                 file_counts["repeated"], run_id, loaded_at, batch.file_mtime_ns,
                 batch.lines_counted, batch.continuation_lines],
            )
        con.execute("DROP TABLE incoming_repeats")
        con.execute("DROP TABLE candidate_keys")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return counts


def _insert_rejected(con: duckdb.DuckDBPyConnection, source: Source, batch: FileBatch,
                     rejected_at: datetime) -> None:
    if batch.rejected.height == 0:
        return
    rows = batch.rejected.select(
        pl.lit(batch.file_path).alias("source_file"),
        pl.col("line_number").cast(pl.Int64),
        pl.col("field").cast(pl.String),
        pl.col("reason").cast(pl.String),
        pl.col("raw_record").cast(pl.String),
        pl.lit(batch.file_hash).alias("file_hash"),
        pl.lit(rejected_at).cast(pl.Datetime("us")).alias("rejected_at"),
    )
    con.register("rejected_rows", rows.to_arrow())
    con.execute(f"INSERT INTO raw.{source.name}_rejected SELECT * FROM rejected_rows")
    con.unregister("rejected_rows")


def record_run(con: duckdb.DuckDBPyConnection, row: dict) -> None:
    columns = list(RUN_LOG_COLUMNS)
    con.execute(
        f"INSERT INTO {RUN_LOG} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        [row[c] for c in columns],
    )
