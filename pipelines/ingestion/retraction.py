"""`funnel retract` takes a batch out of the warehouse as if it had never arrived; `funnel
replay` takes it out and loads its file again from the inbox with today's mapping and rules.

Taking out moves the batch's rows, rejected rows and recorded exact repeats from raw.* to
audit.* (pipelines/ingestion/audit.py), loads in place of each of its rows the earliest repeat
of it from another batch (pipelines/ingestion/exact_repeats.py), and marks the ledger row
`retracted`. The file hash stays in the ledger: a plain `funnel run` does not ingest a
retracted file again while it sits in the inbox; `funnel replay` is the way to load it again.
A replay loads the batch at the place it first arrived: where its rows exactly repeat rows of
batches that arrived after it, its rows are kept and those become the repeats, as a load that
had read it right the first time would have done.

Each command is one DuckDB transaction under the run lock: killed at any point, it leaves the
warehouse as it was, or done. Retracting a retracted batch is a no-op; a replay always reads
the file again (the outcome is the same warehouse, apart from load times).
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines.contract import SOURCES
from pipelines.faults import crash_point
from pipelines.ingestion import audit, exact_repeats, raw_store
from pipelines.ingestion.balance import balance_of_files
from pipelines.ingestion.batch_lookup import BatchError, find_batch, locate_inbox_file
from pipelines.ingestion.batches import Batch
from pipelines.ingestion.exact_repeats import BatchPosition
from pipelines.ingestion.mapping import MappingError, load_mappings
from pipelines.ingestion.prepare import FileReport, empty_valid, prepare_file
from pipelines.run_lock import run_lock
from pipelines.settings import FunnelSettings

LEDGER = raw_store.LEDGER
PROBLEMS_SHOWN = 10


@dataclass
class TakenOut:
    rows: int
    rejected: int
    repeats: int
    restored: int


def retract_batch(target: str, settings: FunnelSettings, now: datetime | None = None) -> list[str]:
    """`funnel retract FILE_OR_HASH`: the lines to print."""
    now = now or _now()
    with _warehouse(settings, "retract") as con:
        batch = find_batch(con, target, settings.inbox_dir)
        if batch.status == "retracted":
            return [f"{batch.file_path} ({batch.short_hash}) is already retracted (since "
                    f"{batch.retracted_at:%Y-%m-%d %H:%M} UTC): nothing to do; "
                    f"`funnel replay {batch.short_hash}` loads it again"]
        _forget_raw_export(settings, batch.source)
        with _transaction(con):
            taken = _take_out(con, batch, "retract", now)
            crash_point("retract.taken_out")
        lines = [f"retracted {batch.file_path} ({batch.short_hash}): {_moved(batch, taken)}"]
        if taken.restored:
            lines.append(f"{taken.restored:,} exact repeat(s) in other batches loaded in place of its rows")
        lines += _unrecorded_note(con, batch.source)
        lines.append(f"the next `funnel run` rebuilds the models without it; "
                     f"`funnel replay {batch.file_path}` loads it again")
        return lines


def replay_batch(target: str, settings: FunnelSettings, now: datetime | None = None) -> list[str]:
    """`funnel replay FILE_OR_HASH`: the lines to print."""
    now = now or _now()
    with _warehouse(settings, "replay") as con:
        batch = find_batch(con, target, settings.inbox_dir)
        source = SOURCES[batch.source]
        path, relative = locate_inbox_file(batch, settings.inbox_dir)
        try:
            mappings = load_mappings(settings.mappings_dir)
        except MappingError as error:
            raise BatchError(f"{error} (fix it, then replay again)") from None
        run_id = uuid.uuid4().hex[:12]
        valid, file_batch, report = _read_again(path, relative, batch, mappings, run_id)
        _forget_raw_export(settings, batch.source)
        with _transaction(con):
            if batch.status != "retracted":
                _take_out(con, batch, "replay", now)
            crash_point("replay.taken_out")
            counts = raw_store.append_rows(con, source, valid, now,
                                           BatchPosition(batch.ingested_at, file_batch.file_path))
            raw_store.insert_rejected(con, source, file_batch, now)
            _record_replay_in_ledger(con, batch, file_batch, counts, run_id, now)
            (balance,) = balance_of_files(con, [batch.file_hash])
            _record_replay_run(con, batch.source, balance, file_batch, run_id, now)
            crash_point("replay.loaded")
    mapping = (f"mappings/{Path(file_batch.mapping_file).name}" if file_batch.mapping_file
               else "no mapping")
    lines = [f"replayed {file_batch.file_path} ({batch.short_hash}) with {mapping}: "
             f"{balance['rows_read']:,} rows read, {balance['rows_loaded']:,} loaded, "
             f"{balance['rows_rejected']:,} rejected, {balance['rows_repeated']:,} exact repeats "
             f"(before: {batch.rows_loaded:,} loaded, {batch.rows_rejected:,} rejected, "
             f"{batch.rows_repeated:,} exact repeats, status {batch.status})"]
    lines += [f"  {problem}" for problem in report.problems[:PROBLEMS_SHOWN]]
    if len(report.problems) > PROBLEMS_SHOWN:
        lines.append(f"  ... and {len(report.problems) - PROBLEMS_SHOWN} more "
                     f"(rejected rows: raw.{batch.source}_rejected)")
    if not balance["is_balanced"]:
        lines.append(f"error: {file_batch.file_path} does not balance after the replay: {balance}")
    lines.append("the next `funnel run` rebuilds the models with it")
    return lines


def _read_again(path: Path, relative: str, batch: Batch, mappings, run_id: str):
    """Read, map and validate the batch's file as a run would (ingest.py's own code path):
    (valid rows with lineage columns, ledger entry, problems)."""
    source = SOURCES[batch.source]
    report = FileReport()
    frame, file_batch = prepare_file(path, relative, batch.file_hash, source, mappings, report)
    frame = empty_valid(source) if frame is None else frame
    return frame.with_columns(pl.lit(0, dtype=pl.Int64).alias("_file_order")), file_batch, report


def _take_out(con: duckdb.DuckDBPyConnection, batch: Batch, command: str,
              now: datetime) -> TakenOut:
    """Move the batch out of raw.* into audit.*, inside the caller's transaction."""
    source = SOURCES[batch.source]
    retraction_id = uuid.uuid4().hex[:12]
    restored = exact_repeats.restore_repeats_of(con, source, LEDGER, batch.file_hash, now)
    stamp = "?::VARCHAR AS _retraction_id, ?::TIMESTAMP AS _retracted_at"
    moves = [  # audit table, raw table, column holding the file hash, extra condition
        (audit.retracted_rows_table(source.name), f"raw.{source.name}", "_file_hash", ""),
        (audit.retracted_rejected_table(source.name), f"raw.{source.name}_rejected",
         "file_hash", ""),
        (audit.REPEATS_RETRACTED, exact_repeats.REPEATS, "file_hash",
         f" AND source = '{source.name}'"),
    ]
    moved = []
    for audit_table, raw_table, hash_column, extra in moves:
        where = f"WHERE {hash_column} = ?{extra}"
        con.execute(f"INSERT INTO {audit_table} BY NAME SELECT *, {stamp} FROM {raw_table} {where}",
                    [retraction_id, now, batch.file_hash])
        (count,) = con.execute(f"SELECT count(*) FROM {raw_table} {where}", [batch.file_hash]).fetchone()
        con.execute(f"DELETE FROM {raw_table} {where}", [batch.file_hash])
        moved.append(count)
    taken = TakenOut(rows=moved[0], rejected=moved[1], repeats=moved[2], restored=restored)
    con.execute(f"UPDATE {LEDGER} SET status = 'retracted', retracted_at = ? WHERE file_hash = ?",
                [now, batch.file_hash])
    values = {
        "retraction_id": retraction_id, "command": command, "source": batch.source,
        "file_hash": batch.file_hash, "file_path": batch.file_path,
        "previous_status": batch.status, "previous_mapping_file": batch.mapping_file,
        "previous_mapping_digest": batch.mapping_digest, "rows_moved": taken.rows,
        "rejected_moved": taken.rejected, "repeats_moved": taken.repeats,
        "repeats_restored": taken.restored, "retracted_at": now,
        "full_refresh": bool(taken.rows or taken.restored), "models_refreshed_at": None,
    }
    con.execute(f"INSERT INTO {audit.RETRACTIONS} ({', '.join(values)}) "
                f"VALUES ({', '.join('?' * len(values))})", list(values.values()))
    return taken


def _record_replay_in_ledger(con, batch: Batch, file_batch: raw_store.FileBatch, counts,
                             run_id: str, now: datetime) -> None:
    """The ledger row of the replayed batch: today's file, mapping and counts; it keeps its
    first arrival time (its place in the order of batches)."""
    values = raw_store.ledger_values(file_batch, batch.source, counts, run_id, batch.ingested_at)
    values.update(replayed_at=now, retracted_at=None)
    del values["file_hash"]
    con.execute(f"UPDATE {LEDGER} SET {', '.join(f'{c} = ?' for c in values)} WHERE file_hash = ?",
                [*values.values(), batch.file_hash])


def _record_replay_run(con, source: str, balance: dict, file_batch: raw_store.FileBatch,
                       run_id: str, now: datetime) -> None:
    """The replay in the ingestion run log, as a run that ingested one file."""
    raw_store.record_run(con, {
        "run_id": run_id, "source": source, "started_at": now, "finished_at": _now(),
        "files_ingested": 1, "files_unreadable": int(file_batch.status == "unreadable"),
        **{k: balance[k] for k in ("rows_read", "rows_loaded", "rows_rejected", "rows_repeated",
                                   "is_balanced")},
    })


def _moved(batch: Batch, taken: TakenOut) -> str:
    return (f"{taken.rows:,} row(s) moved to {audit.retracted_rows_table(batch.source)}, "
            f"{taken.rejected:,} rejected row(s) to {audit.retracted_rejected_table(batch.source)}, "
            f"{taken.repeats:,} exact repeat(s) to {audit.REPEATS_RETRACTED}")


def _unrecorded_note(con: duckdb.DuckDBPyConnection, source: str) -> list[str]:
    missing = exact_repeats.unrecorded_repeats(con, source, LEDGER)
    if not missing:
        return []
    return [f"note: {missing:,} exact repeat(s) of {source} batches ingested before the "
            "warehouse recorded them are unknown: any that repeated a row of this batch was not "
            "loaded in its place (`funnel replay` of its batch loads it)"]


def _forget_raw_export(settings: FunnelSettings, source: str) -> None:
    """The Parquet export of the raw layer (Spark target) appends rows loaded since the last
    export and never removes any: the next export writes the source again from scratch."""
    shutil.rmtree(settings.raw_parquet_dir / source, ignore_errors=True)


@contextmanager
def _warehouse(settings: FunnelSettings, command: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse, under the run lock."""
    with run_lock(settings.data_path, command):
        path = settings.warehouse_path
        if not path.is_file():
            raise BatchError(f"no warehouse at {path}: nothing was ingested yet (`funnel run`)")
        try:
            con = duckdb.connect(str(path), config=settings.duckdb_config)
        except duckdb.IOException:
            raise BatchError(f"{path} is open in another program (a notebook or BI tool reading "
                             "it?): close it, then try again") from None
        try:
            yield con
        finally:
            con.close()


@contextmanager
def _transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One transaction, which also brings the raw and audit schemas up to date: a command
    killed before its commit leaves the warehouse exactly as it was."""
    con.execute("BEGIN TRANSACTION")
    try:
        raw_store.ensure_raw_schema(con)
        audit.ensure_audit_schema(con)
        yield
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
