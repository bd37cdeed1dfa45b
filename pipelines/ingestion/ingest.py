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

from pipelines.contract import SOURCES
from pipelines.faults import crash_point
from pipelines.ingestion import raw_store
from pipelines.ingestion.balance import balance_of_files
from pipelines.ingestion.inbox import (
    IgnoredFile,
    held_back,
    ledger_path,
    repeated_content,
    scan_source_folder,
)
from pipelines.ingestion.mapping import ColumnMapping
from pipelines.ingestion.prepare import FileReport, Problem, empty_valid, prepare_file

log = logging.getLogger(__name__)

# Files are committed in groups of about this many rows: large enough to amortise the
# duplicate check against the raw table, small enough to bound memory.
ROWS_PER_COMMIT = int(os.environ.get("FUNNEL_ROWS_PER_COMMIT", 1_000_000))
# Files read and validated ahead of the one being committed.
PREPARE_AHEAD = 2


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
    ignored_files: list[IgnoredFile] = field(default_factory=list)  # not read: see inbox.py
    held_back_files: list[IgnoredFile] = field(default_factory=list)  # inbox.held_back

    @property
    def is_balanced(self) -> bool:
        return not self.unbalanced_files


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def list_inbox_files(inbox: Path, source: str) -> list[Path]:
    """The files of the source's inbox folder that ingestion reads (pipelines/ingestion/inbox.py)."""
    return scan_source_folder(inbox, source).files


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
    done = raw_store.ingested_files(con)
    known = raw_store.hashes_by_file_stat(con, source_name)
    pending: list[tuple[Path, str, str]] = []  # path, path relative to the source's folder, sha256
    unknown_times: list[raw_store.FileTime] = []
    scan = scan_source_folder(inbox, source_name)
    result.ignored_files = scan.ignored
    # load_mappings gives a MappingSet (its broken files too); a plain list has none.
    broken = getattr(mappings, "problems_of", lambda _: [])(source_name)
    for path in scan.files:
        result.files_seen += 1
        relative = path.relative_to(inbox / source_name).as_posix()
        stat = path.stat()
        file_stat = (ledger_path(source_name, relative), stat.st_size, stat.st_mtime_ns)
        digest = known.get(file_stat) or file_sha256(path)
        if digest in done:
            if done[digest] != file_stat[0]:
                result.ignored_files.append(repeated_content(file_stat[0], done[digest]))
            elif file_stat not in known:  # ingested before the ledger kept file times
                unknown_times.append(raw_store.FileTime(digest, *file_stat))
            continue
        held = held_back(source_name, relative, mappings, broken)
        if held:
            result.held_back_files.append(held)
            continue
        done[digest] = file_stat[0]  # the same content twice under two names is ingested once
        pending.append((path, relative, digest))

    raw_store.record_file_times(con, unknown_times)

    group_frames: list[pl.DataFrame] = []
    group_files: list[raw_store.FileBatch] = []
    group_rows = 0
    ingested_hashes: list[str] = []
    committed_files: list[raw_store.FileBatch] = []
    prepared = _prepare_ahead(pending, source, mappings, started)
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

    balance = balance_of_files(con, ingested_hashes)
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
    valid = pl.concat(frames, how="vertical") if frames else empty_valid(source)
    raw_store.load_batch(con, source, valid, files, run_id, loaded_at)
    crash_point("ingest.committed")


def _prepare_ahead(pending, source, mappings, now, ahead=PREPARE_AHEAD):
    """Yield (relative path, valid rows, ledger entry, problems) in inbox order while the next files are
    read and validated on worker threads: polars and DuckDB release the GIL, so reading
    overlaps the commit of the previous group. At most `ahead` files wait in memory."""
    with ThreadPoolExecutor(max_workers=ahead, thread_name_prefix="ingest-read") as pool:
        queue: deque = deque()
        items = iter(pending)

        def submit_next() -> None:
            for path, relative, digest in items:
                report = FileReport()
                queue.append((relative, pool.submit(
                    prepare_file, path, relative, digest, source, mappings, report, now), report))
                return

        for _ in range(ahead):
            submit_next()
        while queue:
            relative, future, report = queue.popleft()
            frame, batch = future.result()
            submit_next()
            yield relative, frame, batch, report


def ingest_inbox(con, inbox: Path, mappings: list[ColumnMapping], progress=None
                 ) -> dict[str, SourceIngestion]:
    return {name: ingest_source(con, name, inbox, mappings, progress) for name in SOURCES}
