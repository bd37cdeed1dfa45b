"""Whether `funnel run` has nothing to do, decided before the orchestration loads (Dagster, dbt
and Great Expectations take seconds to import, DESIGN.md section 7: "a run with nothing new
under 5 s").

Nothing to do means: every inbox file is a batch the ledger holds (known by path, size and
modification time without reading it, else by its hash; a repeat of ingested content is named
as the normal run names it); no file is ignored or held back and no mapping file is broken (a
normal run names those); no retraction awaits its full refresh;
and the raw layer, the dbt project and the target are those of the last published build
(pipelines/transform/build_state.py), so the dbt build, its checks and the publication would
be skipped anyway. Anything else, or any doubt (an older warehouse, another process writing
it), and the normal run decides.
"""

from __future__ import annotations

import duckdb

from pipelines.contract import SOURCES
from pipelines.ingestion import audit, raw_store
from pipelines.ingestion.batches import stale_mapping_notes
from pipelines.ingestion.inbox import (
    IgnoredFile,
    ledger_path,
    repeated_content,
    scan_source_folder,
    stray_inbox_entries,
)
from pipelines.ingestion.ingest import file_sha256
from pipelines.ingestion.mapping import MappingError, load_mappings
from pipelines.settings import DBT_PROJECT_DIR, FunnelSettings
from pipelines.transform import build_state


def nothing_new(settings: FunnelSettings) -> list[str] | None:
    """The lines to say when the run has nothing to do (with the notes on batches a changed
    mapping loaded, as every run says them), else None."""
    if not settings.warehouse_path.is_file() or not _inbox_is_clean(settings):
        return None
    try:
        con = duckdb.connect(str(settings.warehouse_path), read_only=True,
                             config=settings.duckdb_config)
    except duckdb.Error:
        return None
    try:
        known = _known_inbox_files(con, settings)
        if known is None or not _build_is_current(con, settings):
            return None
        notes = stale_mapping_notes(con, settings.mappings_dir)
    except duckdb.Error:  # a warehouse of an older version: the normal run upgrades it
        return None
    finally:
        con.close()
    files, repeats = known
    return [*(f"ignored: {repeat}" for repeat in repeats),
            f"nothing new: the {files:,} inbox files are all ingested and nothing changed since "
            "the last published build; the marts, their checks and the publication are as they "
            "were (--rebuild builds anyway)", *notes]


def _inbox_is_clean(settings: FunnelSettings) -> bool:
    try:
        mappings = load_mappings(settings.mappings_dir)
    except MappingError:
        return False
    if any(mappings.problems_of(source) for source in SOURCES):
        return False
    return not stray_inbox_entries(settings.inbox_dir)


def _known_inbox_files(con: duckdb.DuckDBPyConnection,
                       settings: FunnelSettings) -> tuple[int, list[IgnoredFile]] | None:
    """How many files the inbox holds and those a normal run would ignore as repeated content,
    when every file is ingested already; None when one is not. A file the ledger knows by path,
    size and modification time is not read; any other is hashed, as ingestion would."""
    if raw_store.LEDGER_TABLE not in raw_store.raw_table_names(con):
        return None
    ingested = raw_store.ingested_files(con)
    count, repeats = 0, []
    for source in SOURCES:
        known = raw_store.hashes_by_file_stat(con, source)
        scan = scan_source_folder(settings.inbox_dir, source)
        if scan.ignored:
            return None
        for path in scan.files:
            stat = path.stat()
            name = ledger_path(source, path.relative_to(settings.inbox_dir / source).as_posix())
            count += 1
            if (name, stat.st_size, stat.st_mtime_ns) in known:
                continue
            first_path = ingested.get(file_sha256(path))
            if first_path is None:
                return None
            if first_path != name:
                repeats.append(repeated_content(name, first_path))
    return count, repeats


def _build_is_current(con: duckdb.DuckDBPyConnection, settings: FunnelSettings) -> bool:
    if build_state.OLD_BUILDS_TABLE in raw_store.raw_table_names(con):
        return False  # an older warehouse: moving its builds table needs a writer
    if audit.pending_full_refresh(con):
        return False
    last = build_state.last_published_build(con)
    current = build_state.current_state(con, DBT_PROJECT_DIR, settings.dbt_target)
    return last is not None and current == last
