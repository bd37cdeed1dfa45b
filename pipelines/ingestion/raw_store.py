"""The raw layer in DuckDB: append-only tables per source, their rejected rows, the ledger of
ingested files, the exact repeats and the ingestion run log. Each load is one transaction, so a
killed run leaves either the whole batch (with its ledger rows) or nothing. A batch leaves the
raw layer only by a retraction (pipelines/ingestion/retraction.py), which moves it to audit.*."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import polars as pl

from pipelines.contract import DUCKDB_TYPES, LINEAGE_COLUMNS, SOURCES, Source
from pipelines.ingestion import exact_repeats
from pipelines.ingestion.exact_repeats import BatchPosition

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
    "status": "VARCHAR",  # loaded | unreadable | retracted
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
    # sha256 of the mapping file's bytes that loaded the batch (null: no mapping, or a batch
    # loaded before the ledger kept it); when the batch was retracted, or last replayed.
    "mapping_digest": "VARCHAR",
    "retracted_at": "TIMESTAMP",
    "replayed_at": "TIMESTAMP",
    # Records its mapping's filter (or row conditions) left out, and contract rows made beyond
    # the first from one record (a mapping's `rows:`); null: none (balance.py).
    "rows_filtered": "BIGINT",
    "rows_derived": "BIGINT",
}
# Columns added after the first release: ensure_raw_schema adds them to older ledgers.
LEDGER_COLUMNS_ADDED = ("file_mtime_ns", "lines_counted", "continuation_lines", "mapping_digest",
                        "retracted_at", "replayed_at", "rows_filtered", "rows_derived")
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
        for column, kind in raw_table_columns(source).items():  # optional columns added later
            con.execute(f"ALTER TABLE raw.{source.name} ADD COLUMN IF NOT EXISTS {column} {kind}")
        con.execute(_ddl(f"raw.{source.name}_rejected", REJECTED_COLUMNS))
    con.execute(_ddl(LEDGER, LEDGER_COLUMNS))
    for column in LEDGER_COLUMNS_ADDED:
        con.execute(f"ALTER TABLE {LEDGER} ADD COLUMN IF NOT EXISTS {column} {LEDGER_COLUMNS[column]}")
    con.execute(exact_repeats.ddl())
    con.execute(_ddl(RUN_LOG, RUN_LOG_COLUMNS))


def raw_table_names(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The tables of the raw schema (empty before the first ingestion)."""
    return {name for (name,) in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw'").fetchall()}


def ingested_files(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """file_hash -> the ledger path of the file that brought that content."""
    return dict(con.execute(f"SELECT file_hash, file_path FROM {LEDGER}").fetchall())


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
    mapping_digest: str | None = None
    rows_filtered: int = 0
    rows_derived: int = 0

    @property
    def rows_rejected(self) -> int:
        # A file-level rejection (line_number null) is not a row of the file.
        return self.rejected.filter(pl.col("line_number").is_not_null()).height

    @classmethod
    def unreadable(cls, file_hash: str, file_path: str, file_format: str, file_bytes: int,
                   mapping_file: str | None, message: str, file_mtime_ns: int | None,
                   mapping_digest: str | None = None) -> FileBatch:
        """The entry of a file that could not be read: one file-level rejection, no rows."""
        rejected = pl.DataFrame(
            {"line_number": [None], "field": [None], "reason": [message], "raw_record": [None]},
            schema={"line_number": pl.Int64, "field": pl.String, "reason": pl.String,
                    "raw_record": pl.String})
        return cls(file_hash, file_path, file_format, file_bytes, mapping_file, 0, rejected,
                   status="unreadable", message=message, file_mtime_ns=file_mtime_ns,
                   mapping_digest=mapping_digest)


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
    con.execute("BEGIN TRANSACTION")
    try:
        counts = append_rows(con, source, valid, loaded_at)
        for batch in files:
            insert_rejected(con, source, batch, loaded_at)
            values = ledger_values(batch, source.name, counts, run_id, loaded_at)
            con.execute(
                f"INSERT INTO {LEDGER} ({', '.join(LEDGER_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(LEDGER_COLUMNS))})",
                [values[c] for c in LEDGER_COLUMNS],
            )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return counts


def ledger_values(batch: FileBatch, source: str, counts: dict[str, dict[str, int]],
                  run_id: str, ingested_at: datetime) -> dict:
    """The ledger row of a file loaded with `counts` (from append_rows)."""
    file_counts = counts.get(batch.file_hash, {"loaded": 0, "repeated": 0})
    return {
        "file_hash": batch.file_hash, "source": source, "file_path": batch.file_path,
        "file_format": batch.file_format, "file_bytes": batch.file_bytes,
        "mapping_file": batch.mapping_file, "status": batch.status, "message": batch.message,
        "rows_read": batch.rows_read, "rows_loaded": file_counts["loaded"],
        "rows_rejected": batch.rows_rejected, "rows_repeated": file_counts["repeated"],
        "run_id": run_id, "ingested_at": ingested_at, "file_mtime_ns": batch.file_mtime_ns,
        "lines_counted": batch.lines_counted, "continuation_lines": batch.continuation_lines,
        "mapping_digest": batch.mapping_digest, "retracted_at": None, "replayed_at": None,
        "rows_filtered": batch.rows_filtered, "rows_derived": batch.rows_derived,
    }


def append_rows(con: duckdb.DuckDBPyConnection, source: Source, valid: pl.DataFrame,
                loaded_at: datetime, position: BatchPosition | None = None
                ) -> dict[str, dict[str, int]]:
    """Append the rows of `valid` that are not exact repeats, and record the repeats, inside
    the caller's transaction. position: where the batch stands in the order of arrival (a
    replay); loaded rows of later batches that it repeats give way to its copies. None: the
    batch is the latest. Returns loaded and repeated counts per file hash."""
    con.register("incoming_rows", valid.to_arrow())
    exact_repeats.classify_incoming(con, source, LEDGER, position)
    columns = ", ".join([*source.columns, "_file_hash", "_source_file", "_source_line"])
    con.execute(
        f"""
        INSERT INTO raw.{source.name} ({columns}, _loaded_at)
        SELECT {columns}, ? FROM incoming_rows i
        ANTI JOIN (SELECT _file_order, _source_line FROM repeat_classes WHERE tier = 1) r
          ON r._file_order = i._file_order AND r._source_line = i._source_line
        """,
        [loaded_at],
    )
    con.unregister("incoming_rows")
    repeated = exact_repeats.record_classified(con, source, LEDGER, loaded_at,
                                               positioned=position is not None)
    con.execute("DROP TABLE repeat_classes")
    con.execute("DROP TABLE candidate_keys")
    valid_rows = dict(valid.group_by("_file_hash").len().iter_rows())
    return {
        file_hash: {"loaded": total - repeated.get(file_hash, 0),
                    "repeated": repeated.get(file_hash, 0)}
        for file_hash, total in valid_rows.items()
    }


def insert_rejected(con: duckdb.DuckDBPyConnection, source: Source, batch: FileBatch,
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
