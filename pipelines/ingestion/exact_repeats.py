"""Exact repeats: incoming rows with the same key and the same contract content as a row
already loaded are not loaded again (DESIGN.md section 3). Each one is recorded here with the
loaded row it repeats, so that taking a batch out (pipelines/ingestion/retraction.py) can put
back what a load without that batch would have kept.

Which copy of an exact repeat is kept follows the order of the batches: their arrival
(ledger `ingested_at`, then `file_path`, the order one ingestion run reads them in), then the
line. raw.<source> holds one row per key and content, the earliest; every later copy is a row
of raw._exact_repeats naming that row by (_file_hash, _source_line). Everything here runs
inside the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from pipelines.contract import Source

REPEATS_TABLE = "_exact_repeats"
REPEATS = f"raw.{REPEATS_TABLE}"
REPEATS_COLUMNS = {
    "source": "VARCHAR",
    "key_value": "VARCHAR",  # the natural key, as text
    "file_hash": "VARCHAR",  # the batch holding the repeat
    "source_file": "VARCHAR",
    "source_line": "BIGINT",
    # When the row became a repeat: its load, or the replay that loaded an earlier copy.
    "repeated_at": "TIMESTAMP",
    # The loaded row it repeats: raw.<source> (_file_hash, _source_line).
    "kept_file_hash": "VARCHAR",
    "kept_source_line": "BIGINT",
}


@dataclass(frozen=True)
class BatchPosition:
    """Where a batch stands in the order of arrival: rows of batches after it give way to its
    copies (a replay puts a batch back where it first arrived)."""

    ingested_at: datetime
    file_path: str


def ddl() -> str:
    body = ", ".join(f"{name} {kind}" for name, kind in REPEATS_COLUMNS.items())
    return f"CREATE TABLE IF NOT EXISTS {REPEATS} ({body})"


def classify_incoming(con: duckdb.DuckDBPyConnection, source: Source, ledger: str,
                      position: BatchPosition | None) -> None:
    """Find the exact repeats among `incoming_rows` (contract columns, _file_hash, _source_file,
    _source_line, _file_order) into the temp table `repeat_classes`: one row per copy that is
    not the earliest of its key and content, with the earliest (kept_file_hash,
    kept_source_line). Tier 0 is a loaded row before the incoming batch, 1 an incoming row, 2
    a loaded row after it (only with a position: a replay), which becomes a repeat."""
    # The key: one column, or a row of several (an association is named by its two ends).
    columns = ", ".join(source.key_columns)
    key, t_key = _row(source.key_columns), _row([f"t.{c}" for c in source.key_columns])
    contract = ", ".join(source.columns)
    lineage = "_file_hash, _source_file, _source_line"
    if position is None:
        tier, join, params = "0", "", []
    else:
        tier = ("CASE WHEN l.ingested_at > ? OR (l.ingested_at = ? AND l.file_path > ?) "
                "THEN 2 ELSE 0 END")
        join = f"LEFT JOIN {ledger} l ON l.file_hash = t._file_hash"
        params = [position.ingested_at, position.ingested_at, position.file_path]
    # An exact repeat shares its key with an earlier row, in this group or in the table. Only
    # those keys (a few percent) are compared on every contract column; the table's history is
    # read for its key columns alone.
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE candidate_keys AS
        SELECT {columns} FROM incoming_rows GROUP BY {columns} HAVING count(*) > 1
        UNION
        SELECT DISTINCT {columns} FROM raw.{source.name}
        WHERE {key} IN (SELECT {columns} FROM incoming_rows)
        """
    )
    # PARTITION BY groups nulls together, as IS NOT DISTINCT FROM compares them.
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE repeat_classes AS
        SELECT * FROM (
            SELECT CAST({key} AS VARCHAR) AS key_value, {lineage}, _file_order, tier,
                   first_value(_file_hash) OVER classes AS kept_file_hash,
                   first_value(_source_line) OVER classes AS kept_source_line,
                   row_number() OVER classes AS class_rank
            FROM (
                SELECT {', '.join(f't.{c}' for c in source.columns)},
                       t._file_hash, t._source_file, t._source_line,
                       CAST(-1 AS BIGINT) AS _file_order, {tier} AS tier
                FROM raw.{source.name} t {join}
                WHERE {t_key} IN (SELECT {columns} FROM candidate_keys)
                UNION ALL
                SELECT {contract}, {lineage}, _file_order, 1 AS tier
                FROM incoming_rows WHERE {key} IN (SELECT {columns} FROM candidate_keys)
            )
            WINDOW classes AS (PARTITION BY {contract} ORDER BY tier, _file_order, _source_line)
        )
        WHERE class_rank > 1
        """,
        params,
    )


def _row(columns) -> str:
    """One key column as itself, several as a row value (compared with IN as a whole)."""
    return columns[0] if len(columns) == 1 else f"row({', '.join(columns)})"


def record_classified(con: duckdb.DuckDBPyConnection, source: Source, ledger: str,
                      found_at: datetime, positioned: bool) -> dict[str, int]:
    """Record the repeats `classify_incoming` found; loaded rows after the incoming batch that
    it repeats (tier 2, only when it was given a position) leave raw.<source> for the repeats
    table, with their batches' counts. Returns the number of incoming repeats per file hash."""
    if positioned:
        _demote_later_copies(con, source, ledger)
    con.execute(
        f"""
        INSERT INTO {REPEATS} ({', '.join(REPEATS_COLUMNS)})
        SELECT ?, key_value, _file_hash, _source_file, _source_line, ?, kept_file_hash,
               kept_source_line
        FROM repeat_classes
        """,
        [source.name, found_at],
    )
    return dict(con.execute(
        "SELECT _file_hash, count(*) FROM repeat_classes WHERE tier = 1 GROUP BY 1").fetchall())


def _demote_later_copies(con: duckdb.DuckDBPyConnection, source: Source, ledger: str) -> None:
    demoted = "(SELECT * FROM repeat_classes WHERE tier = 2)"
    # Repeats of a demoted row now repeat the incoming copy that replaced it.
    con.execute(
        f"""
        UPDATE {REPEATS} r SET kept_file_hash = d.kept_file_hash, kept_source_line = d.kept_source_line
        FROM {demoted} d
        WHERE r.source = ? AND r.kept_file_hash = d._file_hash AND r.kept_source_line = d._source_line
        """,
        [source.name],
    )
    con.execute(
        f"DELETE FROM raw.{source.name} t USING {demoted} d "
        "WHERE t._file_hash = d._file_hash AND t._source_line = d._source_line")
    adjust_ledger_counts(con, ledger, f"SELECT _file_hash, -count(*) FROM {demoted} GROUP BY 1")


def adjust_ledger_counts(con: duckdb.DuckDBPyConnection, ledger: str, changes_select: str,
                         params: list | None = None) -> None:
    """Move rows between `rows_loaded` and `rows_repeated` of the batches a select names:
    (file_hash, n) adds n to loaded and takes n from repeated."""
    con.execute(
        f"""
        UPDATE {ledger} SET rows_loaded = rows_loaded + c.n, rows_repeated = rows_repeated - c.n
        FROM ({changes_select}) AS c(file_hash, n)
        WHERE {ledger}.file_hash = c.file_hash
        """,
        params or [],
    )


def restore_repeats_of(con: duckdb.DuckDBPyConnection, source: Source, ledger: str,
                       file_hash: str, restored_at: datetime) -> int:
    """Before the rows of batch `file_hash` leave raw.<source>: each of its rows that other
    batches repeat is loaded again as the earliest of those repeats (by batch arrival, then
    line), and its other repeats now repeat that one. No other loaded row holds the content of
    a removed row (one row per key and content), so each promoted repeat is the only copy, as
    in a load that never saw the batch. Returns how many repeats were loaded."""
    columns = ", ".join(source.columns)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE promoted_repeats AS
        SELECT * FROM (
            SELECT r.*, row_number() OVER (
                PARTITION BY r.kept_source_line
                ORDER BY l.ingested_at, l.file_path, r.source_line) AS rank
            FROM {REPEATS} r JOIN {ledger} l ON l.file_hash = r.file_hash
            WHERE r.source = ? AND r.kept_file_hash = ? AND r.file_hash <> ?
        ) WHERE rank = 1
        """,
        [source.name, file_hash, file_hash],
    )
    con.execute(
        f"""
        INSERT INTO raw.{source.name} ({columns}, _file_hash, _source_file, _source_line, _loaded_at)
        SELECT {', '.join(f't.{c}' for c in source.columns)}, p.file_hash, p.source_file,
               p.source_line, ?
        FROM raw.{source.name} t JOIN promoted_repeats p
          ON t._file_hash = ? AND t._source_line = p.kept_source_line
        """,
        [restored_at, file_hash],
    )
    con.execute(
        f"DELETE FROM {REPEATS} r USING promoted_repeats p WHERE r.source = ? "
        "AND r.file_hash = p.file_hash AND r.source_line = p.source_line", [source.name])
    con.execute(
        f"""
        UPDATE {REPEATS} r SET kept_file_hash = p.file_hash, kept_source_line = p.source_line
        FROM promoted_repeats p
        WHERE r.source = ? AND r.kept_file_hash = ? AND r.kept_source_line = p.kept_source_line
          AND r.file_hash <> ?
        """,
        [source.name, file_hash, file_hash],
    )
    adjust_ledger_counts(con, ledger, "SELECT file_hash, count(*) FROM promoted_repeats GROUP BY 1")
    (restored,) = con.execute("SELECT count(*) FROM promoted_repeats").fetchone()
    con.execute("DROP TABLE promoted_repeats")
    return restored


def unrecorded_repeats(con: duckdb.DuckDBPyConnection, source: str, ledger: str) -> int:
    """Exact repeats the ledger counts for the source's batches but this table does not hold:
    those of batches ingested before the repeats were recorded, which a retraction cannot
    restore."""
    (missing,) = con.execute(
        f"""
        SELECT coalesce(sum(greatest(l.rows_repeated - coalesce(r.n, 0), 0)), 0)
        FROM {ledger} l
        LEFT JOIN (SELECT file_hash, count(*) AS n FROM {REPEATS} WHERE source = ? GROUP BY 1) r
          USING (file_hash)
        WHERE l.source = ? AND l.status <> 'retracted'
        """,
        [source, source],
    ).fetchone()
    return int(missing)
