"""Housekeeping of the per-run dbt target folders dagster-dbt creates
(`dbt_project/target/<op>-<run>-<hash>/`: manifest, compiled SQL, run results; ~20 MB each).

dagster-dbt seeds each folder with `target/partial_parse.msgpack` but never writes one back,
and dbt cannot reuse the one `dbt parse` left there: its state check covers the target name and
the profile's connection values (the warehouse path under the data directory), so every run
re-parsed the whole project (5-8 s). Keeping the last successful run's file makes the next run
with the same data directory and target a partial parse. Old run folders are removed so that a
nightly job does not fill the disk.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

PARTIAL_PARSE = "partial_parse.msgpack"
RUN_FOLDERS_KEPT = 5


def keep_partial_parse(run_target: Path, project_target: Path) -> None:
    """Make the run's partial-parse state the one the next run starts from (atomic replace:
    a concurrent run reads either the old file or the new one)."""
    source = run_target / PARTIAL_PARSE
    if not source.is_file():
        return
    temporary = project_target / f".{PARTIAL_PARSE}.{uuid.uuid4().hex[:8]}"
    shutil.copyfile(source, temporary)
    os.replace(temporary, project_target / PARTIAL_PARSE)


def prune_run_folders(project_target: Path, prefix: str, keep: int = RUN_FOLDERS_KEPT) -> list[Path]:
    """Remove all but the `keep` most recent `<prefix>-*` run folders; return the removed ones."""
    folders = sorted((p for p in project_target.glob(f"{prefix}-*") if p.is_dir()),
                     key=lambda p: p.stat().st_mtime, reverse=True)
    removed = folders[keep:]
    for folder in removed:
        shutil.rmtree(folder, ignore_errors=True)
    return removed
