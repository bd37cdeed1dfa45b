"""Running one corpus case: write its file (and mapping) into a data directory, ingest it on
a fresh DuckDB, and observe from the raw tables and the ledger what became of it. The test
counts the file's records itself, without any of ingestion's readers."""

from __future__ import annotations

import gzip
import io
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from pipelines.contract import SOURCES
from pipelines.ingestion.inbox import stray_inbox_entries
from pipelines.ingestion.ingest import ingest_inbox, ingest_source
from pipelines.ingestion.mapping import load_mappings
from pipelines.ingestion.raw_store import LEDGER

from .case import IGNORED, LOADED, UNREADABLE, Case

UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
GZIP_MAGIC = b"\x1f\x8b"


@dataclass
class Observation:
    counted: int | None  # records in the file by the test's own count (None: not countable)
    outcome: str | None = None  # loaded | unreadable | ignored; None when ingestion raised
    error: str | None = None  # what ingestion raised, if it did
    status: str | None = None  # the ledger's status of the file
    loaded: int = 0  # rows of the file in raw.<source>
    rejected: int = 0  # rows of the file in raw.<source>_rejected (with a line number)
    repeated: int = 0  # exact repeats, as the ledger records them
    ledger: dict = field(default_factory=dict)
    rejections: list[dict] = field(default_factory=list)  # also file-level ones (line None)
    rows: dict[int, dict] = field(default_factory=dict)  # loaded rows by line
    problems: list[str] = field(default_factory=list)  # what the user is told

    @property
    def lost(self) -> int:
        """Records neither loaded, rejected nor repeated in a file that was read."""
        if self.outcome != LOADED or self.counted is None:
            return 0
        return self.counted - self.loaded - self.rejected - self.repeated


def count_records(case: Case) -> int | None:
    """Non-blank physical lines (less the header, less the lines a quoted field continues onto)
    for CSV and NDJSON, after gunzip when the bytes are gzip (whatever the name says); the row
    count of the metadata for Parquet."""
    if case.data is None:
        return None
    name, data = case.file.lower(), case.data
    if name.endswith(".gz"):
        name = name.removesuffix(".gz")
    if data.startswith(GZIP_MAGIC):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error):
            return None
    if name.endswith(".parquet"):
        try:
            return pq.ParquetFile(io.BytesIO(data)).metadata.num_rows
        except Exception:  # noqa: BLE001 - not Parquet: nothing the test can count
            return None
    if not name.endswith((".csv", ".ndjson")):
        return None
    if data.startswith(UTF16_BOMS):
        data = data.decode("utf-16").encode("utf-8")
    non_blank = [line for line in re.split(rb"\r\n|\r|\n", data) if line.strip()]
    header = 1 if name.endswith(".csv") and non_blank else 0
    return len(non_blank) - header - case.spans


def write_case(case: Case, data_dir: Path) -> Path:
    path = data_dir / "inbox" / case.source / case.file
    path.parent.mkdir(parents=True, exist_ok=True)
    if case.data is None:
        path.symlink_to(data_dir / "gone" / case.file)
    else:
        path.write_bytes(case.data)
    if case.mapping is not None:
        mapping = data_dir / "mappings" / case.mapping_file
        mapping.parent.mkdir(parents=True, exist_ok=True)
        mapping.write_text(case.mapping, encoding="utf-8")
    return path


def ingest_case(con: duckdb.DuckDBPyConnection, case: Case, data_dir: Path) -> list:
    """What `funnel run` does for the case's folder; every source when the folder is none."""
    mappings = load_mappings(data_dir / "mappings")
    inbox = data_dir / "inbox"
    if case.source in SOURCES:
        return [ingest_source(con, case.source, inbox, mappings)]
    return list(ingest_inbox(con, inbox, mappings).values())


def run_case(case: Case, data_dir: Path) -> Observation:
    write_case(case, data_dir)
    inbox = data_dir / "inbox"
    seen = Observation(count_records(case))
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"))
    try:
        try:
            results = ingest_case(con, case, data_dir)
        except Exception as exc:  # noqa: BLE001 - a crash is the case's finding
            seen.error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0][:200]}"
            return seen
        # The scratch directory's path names the test case: keep it out of the words checked.
        said = [*load_mappings(data_dir / "mappings").problems, *stray_inbox_entries(inbox)]
        for result in results:
            said += [*result.problems, *result.ignored_files, *result.held_back_files]
        seen.problems = [str(p).replace(str(data_dir), "<data dir>") for p in said]
        observe_tables(con, case, seen)
    finally:
        con.close()
    return seen


def _records(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def observe_tables(con: duckdb.DuckDBPyConnection, case: Case, seen: Observation) -> None:
    """Fill in what the ledger and the raw tables hold of the case's file."""
    ledger = _records(con, f"SELECT * FROM {LEDGER} WHERE file_path = ?", [case.display])
    if not ledger:
        seen.outcome = IGNORED
        if case.source in SOURCES:
            seen.loaded = con.execute(f"SELECT count(*) FROM raw.{case.source} WHERE _source_file = ?",
                                      [case.display]).fetchone()[0]
        return
    seen.ledger = ledger[0]
    seen.status = seen.ledger["status"]
    seen.outcome = LOADED if seen.status == "loaded" else UNREADABLE
    file_hash = seen.ledger["file_hash"]
    rows = _records(con, f"SELECT * FROM raw.{case.source} WHERE _file_hash = ? "
                         "ORDER BY _source_line", [file_hash])
    seen.rows = {row["_source_line"]: row for row in rows}
    seen.loaded = len(rows)
    seen.rejections = _records(
        con, f"SELECT line_number, field, reason, raw_record FROM raw.{case.source}_rejected "
             "WHERE file_hash = ? ORDER BY line_number", [file_hash])
    seen.rejected = sum(1 for r in seen.rejections if r["line_number"] is not None)
    seen.repeated = seen.ledger["rows_repeated"] or 0
