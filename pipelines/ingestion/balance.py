"""The balance of ingested files: every record of a file is loaded, rejected or an exact
repeat, the raw tables hold what the ledger claims, and the records counted in the file
without its parser (raw_store.LEDGER_COLUMNS: lines_counted) are all accounted for, so a record
a parser swallowed shows as an unbalanced file, never as a silent loss."""

from __future__ import annotations

import duckdb

from pipelines.contract import SOURCES
from pipelines.ingestion.raw_store import LEDGER


def balance_of_files(con: duckdb.DuckDBPyConnection, file_hashes: list[str]) -> list[dict]:
    """For each file: what the ledger says against what the tables hold. A file balances when
    rows_read = loaded + rejected + repeated + filtered - derived, the tables hold exactly the loaded and rejected
    rows the ledger claims, and the records counted without the parser are all accounted for:
    lines_counted = loaded + rejected + repeated + continuation_lines (when counted). A
    retracted file's rows are all in audit.*: the tables hold none of them."""
    if not file_hashes:
        return []
    con.execute("CREATE OR REPLACE TEMP TABLE balance_files (file_hash VARCHAR)")
    con.executemany("INSERT INTO balance_files VALUES (?)", [[h] for h in file_hashes])
    unions_loaded = " UNION ALL ".join(
        f"SELECT _file_hash AS file_hash, count(*) AS n FROM raw.{s} "
        f"WHERE _file_hash IN (SELECT file_hash FROM balance_files) GROUP BY 1"
        for s in SOURCES
    )
    unions_rejected = " UNION ALL ".join(
        f"SELECT file_hash, count(*) AS n FROM raw.{s}_rejected "
        f"WHERE line_number IS NOT NULL AND file_hash IN (SELECT file_hash FROM balance_files) "
        f"GROUP BY 1"
        for s in SOURCES
    )
    rows = con.execute(
        f"""
        SELECT l.file_hash, l.source, l.file_path, l.rows_read, l.rows_loaded, l.rows_rejected,
               l.rows_repeated, l.lines_counted, coalesce(l.continuation_lines, 0),
               coalesce(l.rows_filtered, 0), coalesce(l.rows_derived, 0),
               coalesce(t.n, 0) AS rows_in_table,
               coalesce(r.n, 0) AS rejected_in_table, l.status = 'retracted' AS is_retracted
        FROM {LEDGER} l
        LEFT JOIN ({unions_loaded}) t USING (file_hash)
        LEFT JOIN ({unions_rejected}) r USING (file_hash)
        WHERE l.file_hash IN (SELECT file_hash FROM balance_files)
        ORDER BY l.file_path
        """
    ).fetchall()
    names = ["file_hash", "source", "file_path", "rows_read", "rows_loaded", "rows_rejected",
             "rows_repeated", "lines_counted", "continuation_lines", "rows_filtered",
             "rows_derived", "rows_in_table",
             "rejected_in_table"]
    result = []
    for *row, is_retracted in rows:
        item = dict(zip(names, row, strict=True))
        # A mapping may leave records out (filtered) or make several rows of one (derived).
        accounted = (item["rows_loaded"] + item["rows_rejected"] + item["rows_repeated"]
                     + item["rows_filtered"] - item["rows_derived"])
        held = (0, 0) if is_retracted else (item["rows_loaded"], item["rows_rejected"])
        item["is_balanced"] = (
            item["rows_read"] == accounted
            and item["lines_counted"] in (None, accounted + item["continuation_lines"])
            and (item["rows_in_table"], item["rejected_in_table"]) == held
        )
        result.append(item)
    return result
