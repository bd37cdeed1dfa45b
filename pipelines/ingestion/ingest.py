"""Ingesting the inbox of one source: find the files not yet in the ledger, read, map,
validate and append them to the raw layer, then check the balance of every file."""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines.contract import SOURCES, Source
from pipelines.faults import crash_point
from pipelines.ingestion import raw_store
from pipelines.ingestion.batches import mapping_digest
from pipelines.ingestion.file_formats import (
    LINE_COLUMN,
    UnreadableFileError,
    detect_format,
    read_inbox_file,
)
from pipelines.ingestion.mapping import ColumnMapping, apply_mapping, mapping_for
from pipelines.ingestion.validation import validate

log = logging.getLogger(__name__)

# Files are committed in groups of about this many rows: large enough to amortise the
# duplicate check against the raw table, small enough to bound memory.
ROWS_PER_COMMIT = int(os.environ.get("FUNNEL_ROWS_PER_COMMIT", 1_000_000))
# Files read and validated ahead of the one being committed.
PREPARE_AHEAD = 2


@dataclass
class Problem:
    """A message a person can act on: which file, which line, which field, what is wrong."""

    file: str
    line: int | None
    field: str | None
    message: str
    severity: str = "warning"  # warning: row kept or file noted; error: row or file rejected

    def __str__(self) -> str:
        where = self.file + (f", line {self.line}" if self.line is not None else "")
        where += f", field '{self.field}'" if self.field else ""
        return f"{where}: {self.message}"


@dataclass
class SourceIngestion:
    source: str
    run_id: str
    files_seen: int = 0
    files_ingested: int = 0
    files_unreadable: int = 0
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_repeated: int = 0
    unknown_values: dict[str, dict[str, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    unbalanced_files: list[dict] = field(default_factory=list)

    @property
    def is_balanced(self) -> bool:
        return not self.unbalanced_files


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def ledger_path(source: str, relative: str) -> str:
    """How the ledger and messages name a file: `<source>/<path within the source's folder>`."""
    return f"{source}/{relative}"


def list_inbox_files(inbox: Path, source: str) -> list[Path]:
    folder = inbox / source
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def ingest_source(
    con: duckdb.DuckDBPyConnection,
    source_name: str,
    inbox: Path,
    mappings: list[ColumnMapping],
    progress: Callable[[str], None] | None = None,
    now: datetime | None = None,
) -> SourceIngestion:
    source = SOURCES[source_name]
    raw_store.ensure_raw_schema(con)
    run_id = uuid.uuid4().hex[:12]
    started = now or datetime.now(UTC).replace(tzinfo=None)
    result = SourceIngestion(source_name, run_id)
    done = raw_store.ingested_hashes(con)
    known = raw_store.hashes_by_file_stat(con, source_name)
    pending: list[tuple[Path, str, str]] = []  # path, path relative to the source's folder, sha256
    unknown_times: list[raw_store.FileTime] = []
    for path in list_inbox_files(inbox, source_name):
        result.files_seen += 1
        relative = path.relative_to(inbox / source_name).as_posix()
        stat = path.stat()
        file_stat = (ledger_path(source_name, relative), stat.st_size, stat.st_mtime_ns)
        digest = known.get(file_stat) or file_sha256(path)
        if digest in done:
            if file_stat not in known:  # ingested before the ledger kept file times
                unknown_times.append(raw_store.FileTime(digest, *file_stat))
            continue
        done.add(digest)  # the same content twice under two names is ingested once
        pending.append((path, relative, digest))

    raw_store.record_file_times(con, unknown_times)

    group_frames: list[pl.DataFrame] = []
    group_files: list[raw_store.FileBatch] = []
    group_rows = 0
    ingested_hashes: list[str] = []
    committed_files: list[raw_store.FileBatch] = []
    prepared = _prepare_ahead(pending, source, mappings, run_id)
    for order, (relative, frame, batch, report) in enumerate(prepared):
        if progress:
            progress(f"{source_name}: read {relative} ({order + 1}/{len(pending)})")
        result.problems.extend(report.problems)
        for column, values in report.unknown_values.items():
            counts = result.unknown_values.setdefault(column, {})
            for value, count in values.items():
                counts[value] = counts.get(value, 0) + count
        if frame is not None and frame.height:
            group_frames.append(frame.with_columns(pl.lit(order, dtype=pl.Int64).alias("_file_order")))
            group_rows += frame.height
        group_files.append(batch)
        committed_files.append(batch)
        ingested_hashes.append(batch.file_hash)
        if group_rows >= ROWS_PER_COMMIT:
            _commit(con, source, group_frames, group_files, run_id, started)
            group_frames, group_files, group_rows = [], [], 0
    if group_files:
        _commit(con, source, group_frames, group_files, run_id, started)

    balance = raw_store.balance_of_files(con, ingested_hashes)
    for item in balance:
        result.files_ingested += 1
        result.rows_read += item["rows_read"]
        result.rows_loaded += item["rows_loaded"]
        result.rows_rejected += item["rows_rejected"]
        result.rows_repeated += item["rows_repeated"]
        if not item["is_balanced"]:
            result.unbalanced_files.append(item)
    result.files_unreadable = sum(1 for b in committed_files if b.status == "unreadable")
    raw_store.record_run(con, {
        "run_id": run_id, "source": source_name, "started_at": started,
        "finished_at": datetime.now(UTC).replace(tzinfo=None),
        "files_ingested": result.files_ingested, "files_unreadable": result.files_unreadable,
        "rows_read": result.rows_read, "rows_loaded": result.rows_loaded,
        "rows_rejected": result.rows_rejected, "rows_repeated": result.rows_repeated,
        "is_balanced": result.is_balanced,
    })
    return result


def _commit(con, source, frames, files, run_id, loaded_at) -> None:
    valid = pl.concat(frames, how="vertical") if frames else _empty_valid(source)
    raw_store.load_batch(con, source, valid, files, run_id, loaded_at)
    crash_point("ingest.committed")


def _prepare_ahead(pending, source, mappings, run_id, ahead=PREPARE_AHEAD):
    """Yield (relative path, valid rows, ledger entry, problems) in inbox order while the next files are
    read and validated on worker threads: polars and DuckDB release the GIL, so reading
    overlaps the commit of the previous group. At most `ahead` files wait in memory."""
    with ThreadPoolExecutor(max_workers=ahead, thread_name_prefix="ingest-read") as pool:
        queue: deque = deque()
        items = iter(pending)

        def submit_next() -> None:
            for path, relative, digest in items:
                report = SourceIngestion(source.name, run_id)
                queue.append((relative, pool.submit(
                    _prepare_file, path, relative, digest, source, mappings, report), report))
                return

        for _ in range(ahead):
            submit_next()
        while queue:
            relative, future, report = queue.popleft()
            frame, batch = future.result()
            submit_next()
            yield relative, frame, batch, report


def _empty_valid(source: Source) -> pl.DataFrame:
    return validate(pl.DataFrame(schema={LINE_COLUMN: pl.Int64}), source).valid.with_columns(
        pl.lit(None, dtype=pl.String).alias("_file_hash"),
        pl.lit(None, dtype=pl.String).alias("_source_file"),
        pl.lit(None, dtype=pl.Int64).alias("_file_order"),
    )


def _prepare_file(path, relative, digest, source, mappings, result):
    """Read, map and validate one file. Returns its valid rows (with lineage columns) and its
    ledger entry. Never raises for bad data: problems become rejected rows and messages."""
    display = ledger_path(source.name, relative)
    mapping = mapping_for(source.name, relative, mappings)
    stat = path.stat()
    size = stat.st_size
    try:
        file_format = detect_format(path)[0]
        wanted = mapping.file_columns if mapping else list(source.columns)
        contents = read_inbox_file(path, json_columns=wanted)
    except UnreadableFileError as exc:
        message = f"file could not be read and was not loaded: {exc}"
        result.problems.append(Problem(display, None, None, message, "error"))
        log.error("%s: %s", display, message)
        rejected = pl.DataFrame({"line_number": [None], "field": [None], "reason": [message],
                                 "raw_record": [None]},
                                schema={"line_number": pl.Int64, "field": pl.String,
                                        "reason": pl.String, "raw_record": pl.String})
        batch = raw_store.FileBatch(digest, display, path.suffix.lstrip("."), size,
                                    str(mapping.path) if mapping else None, 0, rejected,
                                    status="unreadable", message=message,
                                    file_mtime_ns=stat.st_mtime_ns,
                                    mapping_digest=mapping_digest(mapping and mapping.path))
        return None, batch

    frame = contents.frame
    if mapping:
        frame = apply_mapping(frame, mapping, keep=[LINE_COLUMN])
        missing = [c for c in mapping.file_columns if c not in contents.frame.columns]
        for column in missing:
            result.problems.append(Problem(display, None, column,
                                           f"column named by mapping {mapping.path.name} is not in the file"))
    else:
        extra = [c for c in frame.columns if c != LINE_COLUMN and c not in source.columns]
        for column in extra:
            result.problems.append(Problem(
                display, None, column,
                f"column is not in the {source.name} contract and was ignored "
                f"(add a mapping in mappings/ to use it)"))
        frame = frame.select([c for c in frame.columns if c in source.columns or c == LINE_COLUMN])
    if contents.records_read == 0:
        result.problems.append(Problem(display, None, None, "file holds no rows"))

    checked = validate(frame, source, mapping.timestamp_format if mapping else None)
    unparseable = pl.DataFrame(
        {"line_number": [u.line for u in contents.unparseable],
         "field": [u.field for u in contents.unparseable],
         "reason": [u.reason for u in contents.unparseable],
         "raw_record": [u.text for u in contents.unparseable]},
        schema={"line_number": pl.Int64, "field": pl.String, "reason": pl.String,
                "raw_record": pl.String},
    )
    rejected = pl.concat([
        checked.rejected.rename({LINE_COLUMN: "line_number"}).select(
            "line_number", "field", "reason", "raw_record"),
        unparseable,
    ]).sort("line_number")
    for row in rejected.head(50).iter_rows(named=True):
        result.problems.append(Problem(display, row["line_number"], row["field"],
                                       f"row rejected: {row['reason']}", "error"))
    if rejected.height > 50:
        result.problems.append(Problem(display, None, None,
                                       f"{rejected.height - 50} more rows rejected (see raw.{source.name}_rejected)",
                                       "error"))
    for column, values in checked.unknown_values.items():
        for value, count in values.items():
            result.unknown_values.setdefault(column, {})
            result.unknown_values[column][value] = result.unknown_values[column].get(value, 0) + count
            result.problems.append(Problem(display, None, column,
                                           f"{count} row(s) with unknown value '{value}' kept"))
    valid = checked.valid.with_columns(
        pl.lit(digest).alias("_file_hash"),
        pl.lit(display).alias("_source_file"),
    )
    batch = raw_store.FileBatch(digest, display, file_format, size,
                                str(mapping.path.name) if mapping else None,
                                contents.records_read, rejected, file_mtime_ns=stat.st_mtime_ns,
                                mapping_digest=mapping_digest(mapping and mapping.path))
    return valid, batch


def ingest_inbox(con, inbox: Path, mappings: list[ColumnMapping], progress=None
                 ) -> dict[str, SourceIngestion]:
    return {name: ingest_source(con, name, inbox, mappings, progress) for name in SOURCES}
